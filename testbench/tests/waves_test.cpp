// SPDX-License-Identifier: Apache-2.0
// The waveform a user opens: the view the save file opens on (window, named markers), and
// `igbsim waves`, which opens a run's waveform on a frame's journey, a datagram's, a time or an
// event, here drawn into pictures by GTKWave under Xvfb as a user gets them with --png.
#include <gtest/gtest.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "fst_reader.h"
#include "gtkw.h"
#include "human_time.h"
#include "run_igbsim.h"

using namespace igbsim;
using namespace igbsim::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

std::vector<std::string> starting_with(const std::string& text, const std::string& prefix) {
  std::vector<std::string> out;
  for (const auto& l : lines_of(text))
    if (l.rfind(prefix, 0) == 0) out.push_back(l);
  return out;
}

const char* const kSave =
    "[*] a save file\n[dumpfile] \"/r/waves.fst\"\n[savefile] \"/r/waves.gtkw\"\n"
    "[timestart] 5\n*-24.000000 -1 7 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 "
    "-1 -1 -1 -1 -1\n[markername_long] A old\n[size] 1600 1000\n@28\nnic.clk_i\n";

}  // namespace

// The view replaces the old one whole: one start, one zoom line, the new markers' names; the
// signals stay as they were
TEST(WavesView, ReplacesTheWindowAndTheMarkers) {
  const waves_view v{10'000'000, 30'000'000, {{12'000'000, "write-back"}, {15'500'000, "MSI-X"}}};
  const std::string out = gtkw_with_view(kSave, v);
  EXPECT_EQ(starting_with(out, "[timestart]"), std::vector<std::string>{"[timestart] 10000000"});
  const auto zoom = starting_with(out, "*");
  ASSERT_EQ(zoom.size(), 1u);
  std::istringstream z(zoom[0].substr(1));
  double level = 0;
  long long primary = 0, a = 0, b = 0, c = 0;
  z >> level >> primary >> a >> b >> c;
  EXPECT_EQ(primary, -1);
  EXPECT_EQ(a, 12'000'000);
  EXPECT_EQ(b, 15'500'000);
  EXPECT_EQ(c, -1);
  // zoombase^-zoom time units per 200 pixels: the 20 us span fills the waves pane, so a
  // window twice as long zooms out by exactly one step
  const waves_view twice{10'000'000, 50'000'000, {}};
  std::istringstream z2(starting_with(gtkw_with_view(kSave, twice), "*")[0].substr(1));
  double level2 = 0;
  z2 >> level2;
  EXPECT_NEAR(level - level2, 1.0, 1e-6);
  EXPECT_GT(level, -24.0) << "20 us is closer than GTKWave's default of about 80 us";
  EXPECT_EQ(
      starting_with(out, "[markername"),
      (std::vector<std::string>{"[markername_long] A write-back", "[markername_long] B MSI-X"}));
  EXPECT_EQ(starting_with(out, "nic.clk_i").size(), 1u);
  EXPECT_EQ(starting_with(out, "[size]").size(), 1u);
}

// GTKWave has 26 named markers at distinct times: a second marker at a time already marked,
// and markers past the 26th, are left out rather than making GTKWave drop the file's markers
TEST(WavesView, KeepsAtMost26MarkersAtDistinctTimes) {
  waves_view v{0, 100'000'000, {}};
  v.markers.push_back({1000, "first"});
  v.markers.push_back({1000, "same time"});
  for (int i = 0; i < 40; ++i) v.markers.push_back({2000 + 10u * i, fmt::format("m{}", i)});
  const auto names = starting_with(gtkw_with_view(kSave, v), "[markername_long]");
  ASSERT_EQ(names.size(), kGtkwMaxMarkers);
  EXPECT_EQ(names[0], "[markername_long] A first");
  EXPECT_EQ(names[1], "[markername_long] B m0");
  EXPECT_EQ(names[25], "[markername_long] Z m24");
}

// ---- The view a run's save file opens on, checked against the waveform it shows ----------

namespace {

struct opened {
  uint64_t start = 0, end = 0;
  std::vector<waves_marker> markers;
  std::string text;
};

// The save file's view as GTKWave reads it: start, zoom (the window), named markers
opened read_view(const std::string& path) {
  std::ifstream f(path);
  opened o;
  o.text.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  std::vector<uint64_t> times;
  for (const auto& l : lines_of(o.text)) {
    if (l.rfind("[timestart] ", 0) == 0) o.start = std::stoull(l.substr(12));
    if (!l.empty() && l[0] == '*') {
      std::istringstream z(l.substr(1));
      double zoom = 0;
      long long primary = 0, t = 0;
      z >> zoom >> primary;
      o.end = o.start + static_cast<uint64_t>(std::pow(2.0, -zoom) * kGtkwWavesPane / 200.0);
      while (z >> t)
        if (t >= 0) times.push_back(static_cast<uint64_t>(t));
    }
    if (l.rfind("[markername_long] ", 0) == 0) {
      const size_t i = static_cast<size_t>(l[18] - 'A');
      if (i < times.size()) o.markers.push_back({times[i], l.substr(20)});
    }
  }
  return o;
}

// A marker's name lists the events it stands for, ", " between, each after the first with
// how much later it came: "(+494 ns)"
struct named_event {
  std::string name, later;  // later: "" for the marker's own time
};
std::vector<named_event> parts_of(const waves_marker& m) {
  std::vector<named_event> out;
  size_t a = 0;
  for (size_t b;; a = b + 2) {
    b = m.name.find(", ", a);
    std::string part = m.name.substr(a, b == std::string::npos ? std::string::npos : b - a);
    std::string later;
    if (const size_t p = part.find(" (+"); p != std::string::npos && part.back() == ')') {
      later = part.substr(p + 3, part.size() - p - 4);
      part.resize(p);
    }
    out.push_back({part, later});
    if (b == std::string::npos) return out;
  }
}
std::vector<std::string> events_of(const std::vector<waves_marker>& ms) {
  std::vector<std::string> out;
  for (const auto& m : ms)
    for (const auto& e : parts_of(m)) out.push_back(e.name);
  return out;
}

}  // namespace

// Four queues, one flow: the save file opens on the busy queue's first interrupt cycle. Its
// markers name the cycle's events in order, each marker's time is its first event's time in
// the waveform, the window (10 to 20 us) holds them all, and the three idle queues' rings open
// folded below the busy one's.
TEST(WavesView, OpensOnTheFirstInterruptCycleOfTheBusiestQueue) {
  const std::string dir = fresh_dir("waves-story");
  const result r = run_igbsim("run --out " + dir +
                              " --waves --set nic.queues=4 --set kernel.cores=4 --set "
                              "traffic.flows=1 --set traffic.frames=400 --set traffic.rate_pct=5");
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  const json rep = load_report(dir);
  unsigned q = 0;
  uint64_t most = 0;
  for (unsigned i = 0; i < 4; ++i) {
    const uint64_t n = rep["ethtool"][fmt::format("rx_queue_{}_packets", i)];
    if (n > most) most = n, q = i;
  }
  ASSERT_EQ(most, 400u) << "one flow: one queue takes every frame";
  const opened o = read_view(dir + "/waves.gtkw");
  const std::vector<std::string> ev = events_of(o.markers);
  ASSERT_EQ(ev.size(), 6u) << o.text.substr(0, 1200);
  std::smatch m;
  ASSERT_TRUE(std::regex_match(ev[1], m, std::regex("MSI-X v([0-9]+)"))) << ev[1];
  const unsigned v = std::stoul(m[1]);
  ASSERT_TRUE(std::regex_match(ev[3], m, std::regex(R"(igb_poll \(napi ([0-9]+)\))"))) << ev[3];
  const unsigned napi = std::stoul(m[1]);
  EXPECT_EQ(ev, (std::vector<std::string>{
                    fmt::format("write-back q{} (DD)", q), fmt::format("MSI-X v{}", v),
                    fmt::format("EIMS v{} masked", v), fmt::format("igb_poll (napi {})", napi),
                    "napi_complete_done", fmt::format("EIMS v{} re-enabled", v)}));
  // The same events, found in the waveform in the same order
  const auto ch = read_fst(
      dir + "/waves.fst",
      {"nic.dma_req_valid_o", "nic.dma_req_write_o", "nic.dma_req_tag_o", "nic.msix_valid_o",
       "nic.msix_vec_o", "nic.igb_nic.u_regs.eims_q", fmt::format("sw.napi{}_state_i", napi)});
  std::vector<uint64_t> cur(7, 0);
  std::vector<uint64_t> at;  // the six events' times
  bool prev_eims = true;
  for (size_t i = 0; i < ch.size() && at.size() < 6;) {
    const uint64_t t = ch[i].t;
    for (; i < ch.size() && ch[i].t == t; ++i) cur[ch[i].sig] = bits_to_u64(ch[i].value);
    if (t < o.markers.front().ps) continue;
    const bool eims = (cur[5] >> v) & 1;
    const size_t k = at.size();
    if ((k == 0 && cur[0] && cur[1] && cur[2] == (q << 4 | 2)) ||
        (k == 1 && cur[3] && cur[4] == v) || (k == 2 && prev_eims && !eims) ||
        (k == 3 && cur[6] == 2) || (k == 4 && cur[6] == 0) || (k == 5 && !prev_eims && eims))
      at.push_back(t);
    prev_eims = eims;
  }
  ASSERT_EQ(at.size(), 6u);
  // Each marker stands at its first event, and names how much later each other one came
  size_t e = 0;
  for (const auto& mk : o.markers) {
    EXPECT_EQ(mk.ps, at[e]) << mk.name;
    for (const auto& part : parts_of(mk)) {
      if (at[e] > mk.ps)
        EXPECT_EQ(part.later, human_time(static_cast<double>(at[e] - mk.ps) / 1000.0)) << part.name;
      else EXPECT_EQ(part.later, "") << part.name;
      ++e;
    }
  }
  // The first cycle: no write-back of the queue before the marker's
  uint64_t first_wb = UINT64_MAX;
  cur.assign(cur.size(), 0);
  for (size_t i = 0, n = 0; i < ch.size() && first_wb == UINT64_MAX; i = n) {
    for (n = i; n < ch.size() && ch[n].t == ch[i].t; ++n) cur[ch[n].sig] = bits_to_u64(ch[n].value);
    if (cur[0] && cur[1] && cur[2] == (q << 4 | 2)) first_wb = ch[i].t;
  }
  EXPECT_EQ(first_wb, at[0]) << "the queue's first write-back opens the view";
  EXPECT_LE(o.start, at.front());
  EXPECT_GE(o.end, at.back());
  EXPECT_GE(o.end - o.start, 9'900'000u);
  EXPECT_LE(o.end - o.start, 20'100'000u);
  // The busy ring first, the idle ones folded (GTKWave's closed-group flags) after it
  const auto lines = lines_of(o.text);
  std::vector<std::string> rings;
  for (size_t i = 1; i < lines.size(); ++i)
    if (lines[i].rfind("-descriptor ring", 0) == 0 && lines[i - 1][0] == '@' &&
        (lines[i - 1] == "@800200" || lines[i - 1] == "@c00200"))
      rings.push_back(lines[i - 1] + " " + lines[i]);
  ASSERT_EQ(rings.size(), 4u);
  EXPECT_EQ(rings[0], fmt::format("@800200 -descriptor ring q{}", q));
  for (size_t i = 1; i < 4; ++i)
    EXPECT_NE(rings[i].find("@c00200 -descriptor ring q"), std::string::npos) << rings[i];
}

// A run that only sends opens on its transmit queue's cycle: the DD write-back, the TX
// vector's message, the clean in igb_poll
TEST(WavesView, ASendOnlyRunOpensOnATransmitCycle) {
  const std::string dir = fresh_dir("waves-story-tx");
  const result r = run_igbsim("run --out " + dir +
                              " --waves --set traffic.frames=0 --set send.frames=300 --set "
                              "send.rate_pct=10");
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  const auto ev = events_of(read_view(dir + "/waves.gtkw").markers);
  ASSERT_GE(ev.size(), 4u);
  EXPECT_EQ(ev[0], "TX write-back q0 (DD)");
  EXPECT_EQ(ev[1].rfind("MSI-X v", 0), 0u) << ev[1];
  EXPECT_NE(std::find(ev.begin(), ev.end(), "igb_poll cleans TX q0"), ev.end());
}

// --waves-trigger: the save file opens on the triggering event, a marker on it
TEST(WavesView, ATriggeredRunOpensOnItsTrigger) {
  const std::string dir = fresh_dir("waves-trigger-view");
  const result r = run_igbsim("run --out " + dir +
                              " --waves-trigger rnbc --set nic.rx_ring=80 --set "
                              "traffic.frames=3000 --set traffic.rate_pct=100");
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  const json rep = load_report(dir);
  ASSERT_TRUE(rep["events_first_ns"].contains("rnbc")) << rep["events_first_ns"].dump();
  const auto at = static_cast<uint64_t>(rep["events_first_ns"]["rnbc"].get<double>() * 1000);
  const opened o = read_view(dir + "/waves.gtkw");
  ASSERT_EQ(o.markers.size(), 1u);
  EXPECT_EQ(o.markers[0].name, "trigger: rnbc");
  EXPECT_EQ(o.markers[0].ps, at);
  EXPECT_LT(o.start, at);
  EXPECT_GT(o.end, at);
}

// The DD write-back seen twice: dd_written_nic_qN when the write-back leaves the NIC,
// dd_visible_host_qN when the posted write lands in host memory. Every descriptor the NIC
// writes back becomes visible, in order, after it left and by the link's write latency.
TEST(WavesView, EachDdWriteBackLeavesTheNicThenBecomesVisibleToTheHost) {
  const std::string dir = fresh_dir("waves-dd");
  const result r = run_igbsim("run --out " + dir +
                              " --waves --set traffic.frames=300 --set traffic.rate_pct=10");
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  const auto ch =
      read_fst(dir + "/waves.fst", {"nic.igb_nic.g_dd[0].dd_nic_q", "sw.rx0_dd_visible_i"});
  std::vector<std::pair<uint64_t, uint64_t>> left, seen;  // (descriptor, time)
  for (const auto& c : ch) {
    const uint64_t v = bits_to_u64(c.value);
    if (v == 0xFFFF) continue;  // none yet
    (c.sig == 0 ? left : seen).push_back({v, c.t});
  }
  ASSERT_GT(left.size(), 10u);
  ASSERT_EQ(seen.size(), left.size());
  for (size_t i = 0; i < left.size(); ++i) {
    EXPECT_EQ(seen[i].first, left[i].first) << i;
    EXPECT_GT(seen[i].second, left[i].second) << i;
    EXPECT_LT(seen[i].second - left[i].second, 2'000'000u) << i;
  }
  // dma_desc names each receive data write's descriptor: 0, 1, 2 ... in ring order (one
  // 64-byte frame a descriptor)
  const auto dma = read_fst(dir + "/waves.fst", {"nic.igb_nic.dma_kind", "nic.igb_nic.dma_desc"});
  uint64_t kind = 0, desc = 0, expect = 0, writes = 0;
  const uint64_t kRxDataWrite = 2;  // rtl/igb_nic.sv dma_kind_e
  for (size_t i = 0; i < dma.size();) {
    const uint64_t t = dma[i].t;
    const uint64_t was_kind = kind, was_desc = desc;
    for (; i < dma.size() && dma[i].t == t; ++i)
      (dma[i].sig == 0 ? kind : desc) = bits_to_u64(dma[i].value);
    if (kind != kRxDataWrite || (was_kind == kind && was_desc == desc)) continue;
    EXPECT_EQ(desc, expect % 256) << "data write " << writes << " at " << t << " ps";
    ++expect;
    ++writes;
  }
  EXPECT_EQ(writes, 300u) << "one data write a frame";
}

// dma_desc names each transmit data read's own descriptor, also with several reads out: a
// datagram takes a context descriptor and a data descriptor, so the reads are of 1, 3, 5 ...
// (TDH, which it showed before, is the oldest descriptor not yet done)
TEST(WavesView, ATransmitDataReadNamesItsOwnDescriptor) {
  const std::string dir = fresh_dir("waves-tx-desc");
  const result r = run_igbsim("run --out " + dir +
                              " --waves --set traffic.frames=0 --set send.frames=200 --set "
                              "send.rate_pct=100 --set send.threads=2 --set send.flows=2 "
                              "--set kernel.cores=2 --set nic.queues=1");
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  const auto dma = read_fst(dir + "/waves.fst", {"nic.igb_nic.dma_kind", "nic.igb_nic.dma_desc"});
  uint64_t kind = 0, desc = 0, reads = 0;
  const uint64_t kTxDataRead = 5;  // rtl/igb_nic.sv dma_kind_e
  for (size_t i = 0; i < dma.size();) {
    const uint64_t t = dma[i].t;
    const uint64_t was_kind = kind, was_desc = desc;
    for (; i < dma.size() && dma[i].t == t; ++i)
      (dma[i].sig == 0 ? kind : desc) = bits_to_u64(dma[i].value);
    if (kind != kTxDataRead || (was_kind == kind && was_desc == desc)) continue;
    EXPECT_EQ(desc, (2 * reads + 1) % 256) << "data read " << reads << " at " << t << " ps";
    ++reads;
  }
  EXPECT_EQ(reads, 200u) << "one data read a datagram";
  fs::remove_all(dir);
}

// ---- igbsim waves --------------------------------------------------------------------------

namespace {

// A journey row's steps that have a time: ns -> the steps at that time
std::map<double, std::vector<std::string>> steps_of(
    const std::vector<std::vector<std::string>>& rows, const std::string& id) {
  std::map<double, std::vector<std::string>> steps;
  for (const auto& row : rows)
    if (row.size() == rows[0].size() && row[0] == id)
      for (size_t i = 0; i < row.size(); ++i) {
        const std::string& h = rows[0][i];
        if (h.size() > 3 && h.substr(h.size() - 3) == "_ns" && !row[i].empty())
          steps[std::stod(row[i])].push_back(h.substr(0, h.size() - 3));
      }
  return steps;
}

// What `igbsim waves --png` printed of GTKWave's drawing
struct drawn {
  double start_us = -1, end_us = -1;
  size_t traces = 0, in_save_file = 0;
  std::vector<std::string> on_screen;
  std::vector<std::pair<double, std::string>> markers;  // us, name
};

drawn parse_drawn(const std::string& out) {
  drawn d;
  std::istringstream in(out);
  for (std::string l; std::getline(in, l);) {
    std::sscanf(l.c_str(), "  window %lf us to %lf us", &d.start_us, &d.end_us);
    std::sscanf(l.c_str(), "  traces %zu of the save file's %zu", &d.traces, &d.in_save_file);
    const std::string screen = "on screen: ";
    if (l.rfind("  traces ", 0) == 0 && l.find(screen) != std::string::npos) {
      std::istringstream names(l.substr(l.find(screen) + screen.size()));
      for (std::string n; std::getline(names, n, ',');)
        d.on_screen.push_back(n.substr(n[0] == ' '));
    }
    // "  marker   A 214.066 us     NAME", the name to the line's end (a merged one has spaces)
    char letter = 0;
    double t = 0;
    int name_at = 0;
    if (std::sscanf(l.c_str(), "  marker %c %lf us %n", &letter, &t, &name_at) == 2 && name_at > 0)
      d.markers.emplace_back(t, l.substr(static_cast<size_t>(name_at)));
  }
  return d;
}

// ImageMagick's identify: width, height and number of colours of a picture (or a part of it,
// "FILE[WxH+X+Y]")
struct picture {
  unsigned w = 0, h = 0;
  size_t colours = 0;
};

picture identify(const std::string& spec) {
  picture p;
  const std::string cmd = "identify -format '%w %h %k' '" + spec + "' 2>/dev/null";
  FILE* f = ::popen(cmd.c_str(), "r");
  if (!f) return p;
  if (std::fscanf(f, "%u %u %zu", &p.w, &p.h, &p.colours) != 3) p = {};
  ::pclose(f);
  return p;
}

unsigned save_value(const std::string& save, const std::string& key, size_t field = 0) {
  std::istringstream in(save);
  for (std::string l; std::getline(in, l);)
    if (l.rfind(key + " ", 0) == 0) {
      std::istringstream ls(l.substr(key.size()));
      unsigned v = 0;
      for (size_t i = 0; i <= field; ++i) ls >> v;
      return v;
    }
  return 0;
}

// The picture is the save file's window, drawn: its waves pane (right of the signal search
// tree and the signal names, below the toolbar) holds waveforms. GTKWave's window with no
// trace loaded has that pane in 3 colours; drawn waveforms, value labels and markers give
// hundreds.
void expect_drawn(const fs::path& png, const std::string& save) {
  const unsigned w = save_value(save, "[size]"), h = save_value(save, "[size]", 1);
  const picture all = identify(png.string());
  EXPECT_EQ(all.w, w) << png;
  EXPECT_EQ(all.h, h) << png;
  const unsigned x = save_value(save, "[sst_width]") + save_value(save, "[signals_width]") + 40;
  ASSERT_LT(x + 100, w);
  const picture pane =
      identify(fmt::format("{}[{}x{}+{}+150]", png.string(), w - x - 30, h - 250, x));
  EXPECT_GT(pane.colours, 20u) << png << ": the waves pane is empty";
}

// Every trace of the save file loaded, and its first signals on screen
void expect_every_trace(const drawn& v, const std::string& save) {
  EXPECT_EQ(v.traces, v.in_save_file) << "GTKWave left out traces it could not find";
  EXPECT_GT(v.traces, 30u);
  std::istringstream in(save);
  size_t checked = 0;
  for (std::string l; std::getline(in, l) && checked < 4;)
    if (l.rfind("nic.", 0) == 0 || l.rfind("sw.", 0) == 0) {
      const std::string leaf = l.substr(l.rfind('.') + 1);
      EXPECT_NE(std::find(v.on_screen.begin(), v.on_screen.end(), leaf), v.on_screen.end())
          << leaf << " on screen";
      ++checked;
    }
  EXPECT_EQ(checked, 4u);
}

// A journey's view: the window from its first step to its last with a margin (GTKWave fits
// the zoom, so not exactly); every step named by one marker, which stands at a step's time no
// later than its own (steps too close for their names share the first one's marker)
void expect_journey(const drawn& v, const std::map<double, std::vector<std::string>>& steps) {
  ASSERT_GT(steps.size(), 5u);
  const double first = steps.begin()->first / 1000, last = steps.rbegin()->first / 1000;
  EXPECT_LE(v.start_us, first);
  EXPECT_GE(v.end_us, last);
  EXPECT_LT(v.end_us - v.start_us, 1.5 * (last - first)) << "10 % each side, GTKWave's zoom";
  ASSERT_GE(v.markers.size(), 2u);
  ASSERT_LE(v.markers.size(), steps.size());
  for (const auto& mk : v.markers)
    EXPECT_TRUE(
        std::any_of(steps.begin(), steps.end(),
                    [&](const auto& s) { return std::fabs(s.first - mk.first * 1000) < 0.5; }))
        << mk.second << " at " << mk.first << " us: no step there";
  for (const auto& [ns, names] : steps)
    for (const auto& n : names) {
      const auto m = std::find_if(v.markers.begin(), v.markers.end(), [&](const auto& mk) {
        return mk.second.find(n) != std::string::npos;
      });
      ASSERT_NE(m, v.markers.end()) << n << " has no marker";
      EXPECT_LE(m->first * 1000, ns + 0.5) << n;
    }
}

}  // namespace

TEST(WavesCommand, APictureOfAFramesJourneyShowsEverySignalAndAMarkerAtEachStep) {
  const fs::path d = fresh_dir("wv-packet"), pics = fresh_dir("wv-packet-pics");
  ASSERT_EQ(run_igbsim("run --quiet --waves --set traffic.frames=100 --out " + d.string()).status,
            0);
  fs::create_directories(pics);
  const auto steps = steps_of(load_csv(d / "journey.csv"), "50");
  const fs::path png = pics / "frame50.png";
  const result r = run_igbsim("waves " + d.string() + " --packet 50 --png " + png.string());
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  const std::string save = read_file(d / "waves-view.gtkw");
  expect_drawn(png, save);
  const drawn v = parse_drawn(r.out);
  expect_every_trace(v, save);
  expect_journey(v, steps);
  // The run's own view into the same picture: an earlier picture of ours is replaced
  const result own = run_igbsim("waves " + d.string() + " --png " + png.string());
  ASSERT_EQ(own.status, 0) << own.err;
  EXPECT_NE(own.out.find("drawing " + (d / "waves.gtkw").string()), std::string::npos) << own.out;
  expect_drawn(png, read_file(d / "waves.gtkw"));
  // The folder with the view's save file is still the run's: a new run replaces it
  const result again = run_igbsim("run --quiet --set traffic.frames=5 --out " + d.string());
  EXPECT_EQ(again.status, 0) << again.err;
  EXPECT_FALSE(fs::exists(d / "waves-view.gtkw"));
  fs::remove_all(d);
  fs::remove_all(pics);
}

TEST(WavesCommand, ADatagramsJourneyAndATimeInAnyUnitOpenOnTheirMarkers) {
  const fs::path d = fresh_dir("wv-datagram"), pics = fresh_dir("wv-datagram-pics");
  ASSERT_EQ(run_igbsim("run --quiet --waves --set traffic.frames=0 --set send.frames=30 --out " +
                       d.string())
                .status,
            0);
  fs::create_directories(pics);
  const auto rows = load_csv(d / "tx_journey.csv");
  const auto steps = steps_of(rows, "10");
  const result r = run_igbsim("waves " + d.string() + " --datagram 10 --png " +
                              (pics / "datagram10.png").string());
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  expect_drawn(pics / "datagram10.png", read_file(d / "waves-view.gtkw"));
  expect_journey(parse_drawn(r.out), steps);
  // The datagram's wire_end as a time, in ns, us and ms: the same 20 us around it
  double wire_end_ns = -1;
  for (const auto& [ns, names] : steps)
    if (std::find(names.begin(), names.end(), "wire_end") != names.end()) wire_end_ns = ns;
  ASSERT_GE(wire_end_ns, 0);
  std::vector<drawn> views;
  for (const std::string& at :
       {fmt::format("{:.3f}ns", wire_end_ns), fmt::format("{:.6f}us", wire_end_ns / 1e3),
        fmt::format("{:.9f}ms", wire_end_ns / 1e6)}) {
    const fs::path png = pics / "at.png";
    const result a = run_igbsim("waves " + d.string() + " --at " + at + " --png " + png.string());
    ASSERT_EQ(a.status, 0) << at << ": " << a.err << a.out;
    expect_drawn(png, read_file(d / "waves-view.gtkw"));
    const drawn v = parse_drawn(a.out);
    ASSERT_EQ(v.markers.size(), 1u) << a.out;
    EXPECT_NEAR(v.markers[0].first * 1000, wire_end_ns, 0.5) << at;
    EXPECT_EQ(v.markers[0].second, at);
    EXPECT_LT(v.start_us * 1000, wire_end_ns) << at;
    EXPECT_GT(v.end_us * 1000, wire_end_ns) << at;
    EXPECT_NEAR(v.end_us - v.start_us, 20, 2) << at;
    views.push_back(v);
  }
  for (const drawn& v : views) {
    EXPECT_EQ(v.start_us, views[0].start_us);
    EXPECT_EQ(v.end_us, views[0].end_us);
  }
  fs::remove_all(d);
  fs::remove_all(pics);
}

// A run that recorded only around its first MPC drop: --event mpc opens on it; an event of a
// kind whose first time lies outside the recording is refused with the recorded range
TEST(WavesCommand, AnEventOpensOnItsFirstTimeAndOneNotRecordedIsRefused) {
  const std::string scen = std::string(IGBSIM_SOURCE_DIR) + "/scenarios/ring_starvation.toml";
  const fs::path d = fresh_dir("wv-event"), pics = fresh_dir("wv-event-pics");
  const double pre_us = 20, post_us = 50;
  const result run =
      run_igbsim(fmt::format("run {} --quiet --out {} --waves-trigger mpc --waves-pre {} "
                             "--waves-post {}",
                             scen, d.string(), pre_us, post_us));
  ASSERT_EQ(run.status, 0) << run.err;
  fs::create_directories(pics);
  const auto rep = load_report(d.string());
  const auto& first = rep["events_first_ns"];
  const double mpc_us = first["mpc"].get<double>() / 1000;
  const fs::path png = pics / "mpc.png";
  const result r = run_igbsim("waves " + d.string() + " --event mpc --png " + png.string());
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  const std::string save = read_file(d / "waves-view.gtkw");
  expect_drawn(png, save);
  const drawn v = parse_drawn(r.out);
  expect_every_trace(v, save);
  ASSERT_EQ(v.markers.size(), 1u) << r.out;
  EXPECT_NEAR(v.markers[0].first, mpc_us, 0.0005);
  EXPECT_EQ(v.markers[0].second, "mpc");
  EXPECT_LT(v.start_us, mpc_us);
  EXPECT_GT(v.end_us, mpc_us);
  EXPECT_NEAR(v.end_us - v.start_us, 20, 2);
  size_t outside = 0;
  for (const auto& [kind, ns] : first.items()) {
    const double t = ns.get<double>() / 1000;
    if (t >= mpc_us - pre_us && t <= mpc_us + post_us) continue;
    ++outside;
    const result o = run_igbsim("waves " + d.string() + " --event " + kind + " --png " +
                                (pics / "outside.png").string());
    EXPECT_EQ(o.status, 2) << kind << ": " << o.err;
    EXPECT_EQ(std::count(o.err.begin(), o.err.end(), '\n'), 1) << o.err;
    EXPECT_NE(o.err.find("the waveform holds"), std::string::npos) << o.err;
    EXPECT_FALSE(fs::exists(pics / "outside.png"));
  }
  EXPECT_GT(outside, 0u) << "ring starvation's RNBC comes long before its first MPC drop";
  fs::remove_all(d);
  fs::remove_all(pics);
}

// A --waves-window after the run's end records nothing: the run says so and writes no
// waveform (it wrote a save file opening on a time the file did not hold); a mistyped kind
// of event is answered with the kind meant
TEST(WavesView, AWindowAfterTheRunsEndWritesNoWaveformAndKindsAreSpelledOut) {
  const std::string dir = fresh_dir("waves-window-past");
  const result r = run_igbsim("run --out " + dir +
                              " --waves --waves-window 90000000:90000100 --set traffic.frames=100");
  ASSERT_EQ(r.status, 0) << r.err;
  const double end_us = load_report(dir)["sim"]["sim_time_ns"].get<double>() / 1000.0;
  EXPECT_NE(r.out.find(fmt::format("  waves      the window starts at 90000000.000 us, after the "
                                   "run's end at {:.3f} us: no waveform written",
                                   end_us)),
            std::string::npos)
      << r.out;
  EXPECT_FALSE(fs::exists(dir + "/waves.fst"));
  EXPECT_FALSE(fs::exists(dir + "/waves.gtkw"));
  const result t = run_igbsim("run --waves-trigger mcp --out " + dir + "-t");
  EXPECT_EQ(t.status, 2);
  EXPECT_NE(t.err.find("; did you mean 'mpc'?"), std::string::npos) << t.err;
}
