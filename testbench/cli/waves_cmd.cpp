// SPDX-License-Identifier: Apache-2.0
// igbsim waves: a run's waveform on a view. Without an option GTKWave opens the run's own
// waves.gtkw; with one, the run's save file is rewritten (gtkw_with_view) into
// DIR/waves-view.gtkw with that view's window and named markers, and GTKWave opens that. With
// --png the same save file is drawn by GTKWave under Xvfb and ImageMagick's import takes the
// picture, from a GTKWave Tcl script that runs once the save file is loaded: it prints what
// GTKWave loaded and shows (traces, window, markers), takes the picture and quits.
#include "waves_cmd.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <gtkwave/fstapi.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <vector>

#include "gtkw.h"
#include "journey_rows.h"
#include "outdir.h"
#include "params.h"

namespace igbsim {

namespace fs = std::filesystem;

std::string wave_event_list() {
  std::string s;
  for (const char* e : kWaveEvents) s += (s.empty() ? "" : ", ") + std::string(e);
  return s;
}

std::string wave_event_hint(const std::string& given) {
  return did_you_mean(given,
                      std::vector<std::string>(std::begin(kWaveEvents), std::end(kWaveEvents)));
}

namespace {

constexpr uint64_t kPsPerUs = 1'000'000;
// Simulated time ends before this (SystemC counts ps in 64 bits)
constexpr double kMaxPs = 9e18;
// The window --at and --event open on, centred on their time
constexpr uint64_t kAroundPs = 20 * kPsPerUs;
// What a run records only part of its time with, for the messages that say so
const char* const kPartial =
    "a run with --waves-window or --waves-trigger records only part of its time";
// How long GTKWave may take to load and draw under Xvfb before the render is given up
const char* const kRenderTimeoutS = "120";
// The comment of every PNG --png writes: an existing file is replaced only when it has it
const char* const kPngComment = "igbsim waves";

std::string us(uint64_t ps) { return fmt::format("{:.3f} us", static_cast<double>(ps) / 1e6); }

// The run's output folder, checked to be one of ours with a waveform
fs::path run_folder(const std::string& d) {
  if (d.empty())
    throw input_error("waves: DIR, the output folder of a run made with --waves, is "
                      "required");
  const fs::path p(d);
  std::error_code ec;
  if (!fs::exists(p, ec)) throw input_error(d + ": no such folder");
  if (!fs::is_directory(p, ec))
    throw input_error(d + ": is not a folder (DIR is the output folder of a run)");
  if (!is_igbsim_output(p))
    throw input_error(d + ": is not an igbsim run's output folder (it has no .igbsim marker and "
                          "no igbsim report.json)");
  for (const char* f : {"waves.fst", "waves.gtkw"})
    if (!fs::is_regular_file(p / f, ec))
      throw input_error(fmt::format(
          "{}: has no {} (a run made without --waves, or a --waves-trigger run whose event never "
          "happened; run it again with --waves)",
          d, f));
  return p;
}

// The time span the waveform holds, in ps: the whole run, or its --waves-window or
// --waves-trigger window
struct fst_range {
  uint64_t start_ps = 0, end_ps = 0;
  int timescale = -12;  // the FST's time unit: 10^timescale s (GTKWave reports times in it)
  double to_ps(double t) const { return t * std::pow(10.0, timescale + 12); }
};

fst_range recorded_range(const fs::path& fst) {
  void* ctx = fstReaderOpen(fst.c_str());
  if (!ctx) throw input_error(fst.string() + ": is not a readable FST waveform (damaged?)");
  fst_range r;
  r.timescale = fstReaderGetTimescale(ctx);
  const uint64_t start = fstReaderGetStartTime(ctx), end = fstReaderGetEndTime(ctx);
  fstReaderClose(ctx);
  if (r.timescale < -15 || r.timescale > 0 || end < start ||
      r.to_ps(static_cast<double>(end)) > kMaxPs)
    throw input_error(fst.string() + ": its header is not an igbsim waveform's (damaged?)");
  r.start_ps = static_cast<uint64_t>(std::llround(r.to_ps(static_cast<double>(start))));
  r.end_ps = static_cast<uint64_t>(std::llround(r.to_ps(static_cast<double>(end))));
  return r;
}

std::string recorded(const fst_range& r) {
  return fmt::format("the waveform holds {} to {} only", us(r.start_ps), us(r.end_ps));
}

nlohmann::json load_report(const fs::path& dir) {
  const fs::path f = dir / "report.json";
  std::error_code ec;
  if (!fs::is_regular_file(f, ec) || fs::file_size(f, ec) > (64u << 20))
    throw input_error(f.string() + ": not there, or not a report igbsim wrote");
  std::ifstream in(f);
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const std::exception&) {
    throw input_error(f.string() + ": is not JSON (the file is damaged)");
  }
  if (!j.is_object() || !j.contains("schema") || j["schema"] != "igbsim.report/1")
    throw input_error(f.string() + ": is not an igbsim report (schema igbsim.report/1)");
  if (!j.contains("sim") || !j["sim"].is_object() || !j["sim"].contains("sim_time_ns") ||
      !j["sim"]["sim_time_ns"].is_number() || j["sim"]["sim_time_ns"].get<double>() < 0)
    throw input_error(f.string() + ": has no sim.sim_time_ns (the file is damaged)");
  return j;
}

// A time in ns from a run's file as ps; one past what SystemC counts is no run's
uint64_t ps_of_ns(double ns, const std::string& file) {
  if (!(ns >= 0) || ns * 1000.0 > kMaxPs)
    throw input_error(
        fmt::format("{}: time {} ns is past any run's end (the file is damaged)", file, ns));
  return static_cast<uint64_t>(std::llround(ns * 1000.0));
}

// --at's text: a number and a unit (ps, ns, us, ms, s), as ps
uint64_t parse_at(const std::string& text) {
  static const std::pair<const char*, double> units[] = {
      {"ps", 1}, {"ns", 1e3}, {"us", 1e6}, {"\xc2\xb5s", 1e6}, {"ms", 1e9}, {"s", 1e12}};
  for (const auto& [unit, scale] : units) {
    const size_t n = std::strlen(unit);
    if (text.size() <= n || text.compare(text.size() - n, n, unit) != 0) continue;
    const std::string num = text.substr(0, text.size() - n);
    const std::optional<double> x = finite_number(num);
    if (!x) break;
    if (*x < 0) throw input_error("--at " + text + ": is before the run's start (0)");
    if (*x * scale > kMaxPs) throw input_error("--at " + text + ": is past any run's end");
    return static_cast<uint64_t>(std::llround(*x * scale));
  }
  if (finite_number(text))
    throw input_error("--at " + text + ": needs a unit: " + text + "us, " + text + "ns, " + text +
                      "ms (ps, ns, us, ms or s)");
  throw input_error("--at " + text +
                    ": expected a finite number and a unit (ps, ns, us, ms or s), e.g. 150us, "
                    "1.5ms, 150000ns");
}

// A window of kAroundPs centred on t (from 0 when t is nearer the start), a marker at t
waves_view around(uint64_t t, const std::string& name) {
  const uint64_t start = t > kAroundPs / 2 ? t - kAroundPs / 2 : 0;
  return {start, start + kAroundPs, {{t, name}}};
}

// Named steps' times as a view: the first to the last with 10 % of the span each side, a
// marker at each step; steps at one time, or too close for their names, share one marker
// named after all of them (readable_markers)
waves_view journey_view(const std::vector<waves_marker>& steps) {
  uint64_t first = UINT64_MAX, last = 0;
  for (const waves_marker& s : steps) {
    first = std::min(first, s.ps);
    last = std::max(last, s.ps);
  }
  if (first == last) return around(first, readable_markers(steps, kAroundPs).front().name);
  const uint64_t margin = (last - first) / 10, start = first > margin ? first - margin : 0;
  return {start, last + margin, readable_markers(steps, last + margin - start)};
}

// A journey's view, refused when a step lies outside what the waveform holds
waves_view checked_journey(const std::vector<waves_marker>& steps, const std::string& what,
                           const fst_range& rec) {
  if (steps.empty()) throw input_error(what + ": has no step with a time");
  const waves_view v = journey_view(steps);
  uint64_t first = UINT64_MAX, last = 0;
  for (const waves_marker& s : steps) {
    first = std::min(first, s.ps);
    last = std::max(last, s.ps);
  }
  if (first < rec.start_ps || last > rec.end_ps)
    throw input_error(fmt::format("{}: its steps, {} to {}, are not all recorded: {} ({})", what,
                                  us(first), us(last), recorded(rec), kPartial));
  return v;
}

waves_view packet_view(const fs::path& dir, const std::string& arg, const fst_range& rec) {
  const rx_journey_row r = read_rx_journey(dir.string(), arg);
  std::vector<waves_marker> steps;
  for (size_t i = 0; i < kSteps; ++i)
    if (r.ns[i] >= 0) steps.push_back({ps_of_ns(r.ns[i], "journey.csv"), step_name(step(i))});
  return checked_journey(steps, fmt::format("--packet {}: frame {}", arg, r.frame), rec);
}

waves_view datagram_view(const fs::path& dir, const std::string& arg, const fst_range& rec) {
  const tx_journey_row r = read_tx_journey(dir.string(), arg);
  std::vector<waves_marker> steps;
  for (size_t i = 0; i < kTxSteps; ++i)
    if (r.ns[i] >= 0)
      steps.push_back({ps_of_ns(r.ns[i], "tx_journey.csv"), tx_step_name(tx_step(i))});
  return checked_journey(steps, fmt::format("--datagram {}: datagram {}", arg, r.datagram), rec);
}

// A time's view, refused past the run's end or outside what the waveform holds
waves_view time_view(uint64_t t, const std::string& name, const std::string& what,
                     const nlohmann::json& report, const fst_range& rec) {
  const uint64_t end = ps_of_ns(report["sim"]["sim_time_ns"].get<double>(), "report.json");
  if (t > end) throw input_error(fmt::format("{}: is after the run's end at {}", what, us(end)));
  if (t < rec.start_ps || t > rec.end_ps)
    throw input_error(
        fmt::format("{}: {} is not recorded: {} ({})", what, us(t), recorded(rec), kPartial));
  return around(t, name);
}

waves_view event_view(const fs::path& dir, const std::string& kind, const fst_range& rec) {
  if (std::none_of(std::begin(kWaveEvents), std::end(kWaveEvents),
                   [&](const char* e) { return kind == e; }))
    throw input_error("--event " + kind + ": not a kind of event; the kinds are " +
                      wave_event_list() + wave_event_hint(kind));
  const nlohmann::json report = load_report(dir);
  const auto ev = report.find("events_first_ns");
  if (ev == report.end() || !ev->is_object())
    throw input_error((dir / "report.json").string() +
                      ": has no events_first_ns (a report of an older igbsim, or damaged)");
  if (!ev->contains(kind))
    throw input_error("--event " + kind + ": no " + kind + " event happened in this run");
  const auto& t = (*ev)[kind];
  if (!t.is_number() || t.get<double>() < 0 || !std::isfinite(t.get<double>()))
    throw input_error((dir / "report.json").string() + ": events_first_ns." + kind +
                      " is not a time in ns (the file is damaged)");
  return time_view(ps_of_ns(t.get<double>(), "report.json"), kind, "--event " + kind, report, rec);
}

std::string read_text(const fs::path& f) {
  std::error_code ec;
  if (fs::file_size(f, ec) > (16u << 20) || ec)
    throw input_error(f.string() + ": larger than any save file igbsim writes (damaged?)");
  std::ifstream in(f);
  std::stringstream ss;
  ss << in.rdbuf();
  if (!in) throw input_error(f.string() + ": cannot read");
  return ss.str();
}

// Writes `text` to `to` whole or not at all (a sibling temporary renamed into place)
void write_whole(const fs::path& to, const std::string& text) {
  const fs::path tmp =
      to.parent_path() / ("." + to.filename().string() + ".tmp." + std::to_string(::getpid()));
  std::ofstream f(tmp);
  f << text;
  f.close();
  std::error_code ec;
  if (!f) {
    fs::remove(tmp, ec);
    throw std::runtime_error("cannot write " + to.string() + ": " + std::strerror(errno));
  }
  fs::rename(tmp, to, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw std::runtime_error("cannot write " + to.string() + ": " + ec.message());
  }
}

bool on_path(const std::string& prog) {
  const char* path = std::getenv("PATH");
  std::stringstream ss(path ? path : "/usr/bin:/bin");
  for (std::string d; std::getline(ss, d, ':');)
    if (!d.empty() && ::access((fs::path(d) / prog).c_str(), X_OK) == 0) return true;
  return false;
}

// What a PNG file says of itself: its size (IHDR) and its comment (a tEXt chunk)
struct png_info {
  bool png = false;
  uint32_t width = 0, height = 0;
  std::string comment;
};

png_info read_png(const fs::path& p) {
  png_info r;
  std::ifstream in(p, std::ios::binary);
  char sig[8];
  if (!in.read(sig, 8) || std::memcmp(sig, "\x89PNG\r\n\x1a\n", 8) != 0) return r;
  const auto be32 = [](const unsigned char* b) {
    return uint32_t{b[0]} << 24 | uint32_t{b[1]} << 16 | uint32_t{b[2]} << 8 | b[3];
  };
  for (unsigned char h[8]; in.read(reinterpret_cast<char*>(h), 8);) {
    const uint32_t len = be32(h);
    const std::string type(reinterpret_cast<char*>(h) + 4, 4);
    if (len > (64u << 20) || type == "IEND") break;
    if (type != "IHDR" && type != "tEXt") {
      in.seekg(len + 4, std::ios::cur);
      continue;
    }
    std::string data(len, '\0');
    if (!in.read(data.data(), len)) break;
    in.seekg(4, std::ios::cur);
    const auto* d = reinterpret_cast<const unsigned char*>(data.data());
    if (type == "IHDR" && len >= 8) {
      r.png = true;
      r.width = be32(d);
      r.height = be32(d + 4);
    }
    const size_t nul = data.find('\0');
    if (type == "tEXt" && nul != std::string::npos && data.compare(0, nul, "comment") == 0)
      r.comment = data.substr(nul + 1);
  }
  return r;
}

// --png FILE: a new file, or a picture an earlier --png wrote, in a folder that exists
fs::path png_target(const std::string& file) {
  if (file.empty()) throw input_error("--png: the file name is empty");
  const fs::path p = fs::absolute(file).lexically_normal();
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), ::tolower);
  std::error_code ec;
  const auto st = fs::symlink_status(p, ec);
  if (fs::is_directory(st) || file.back() == '/')
    throw input_error("--png " + file + ": is a folder; give the picture's file name (.png)");
  if (ext != ".png") throw input_error("--png " + file + ": the file name must end in .png");
  if (fs::exists(st)) {
    if (!fs::is_regular_file(st))
      throw input_error("--png " + file + ": exists and is not a file; igbsim does not replace it");
    if (read_png(p).comment.rfind(kPngComment, 0) != 0)
      throw input_error("--png " + file +
                        ": exists and is not a picture igbsim waves made; igbsim does not replace "
                        "it (choose another name, or remove it yourself)");
  }
  if (!fs::is_directory(p.parent_path(), ec))
    throw input_error("--png " + file + ": the folder " + p.parent_path().string() +
                      " does not exist");
  if (::access(p.parent_path().c_str(), W_OK) != 0)
    throw input_error("--png " + file + ": cannot write into " + p.parent_path().string());
  return p;
}

// --png draws with these; checked before anything is written
void require_render_tools() {
  for (const char* tool : {"xvfb-run", "gtkwave", "import", "timeout"})
    if (!on_path(tool))
      throw input_error(fmt::format(
          "--png: {} is not installed (--png needs xvfb-run, gtkwave and ImageMagick's import: "
          "the Debian packages xvfb, gtkwave and imagemagick; scripts/setup.sh installs them)",
          tool));
}

// Runs argv with its output into `log`; its exit status, or -1
int run_logged(const std::vector<std::string>& args, const fs::path& log) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int null = ::open("/dev/null", O_RDONLY);
    if (fd >= 0) {
      ::dup2(fd, STDOUT_FILENO);
      ::dup2(fd, STDERR_FILENO);
    }
    if (null >= 0) ::dup2(null, STDIN_FILENO);
    ::execvp(argv[0], argv.data());
    std::_Exit(127);
  }
  if (pid < 0) return -1;
  int st = 0;
  while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

// What GTKWave's Tcl script printed: the traces it loaded, those on screen, the window and
// the named markers, in the waveform's time unit
struct gtkwave_report {
  size_t traces = 0, first_row = 0, rows = 0;
  std::vector<std::string> names;
  bool window = false;
  double start = 0, end = 0;
  std::vector<std::pair<std::string, double>> markers;  // letter, time
  std::string import_error;
};

gtkwave_report parse_gtkwave_log(const fs::path& log) {
  gtkwave_report r;
  std::ifstream in(log);
  for (std::string l; std::getline(in, l);) {
    std::istringstream ls(l);
    std::string key;
    ls >> key;
    // the trace rows on screen: the waves pane's height in rows, less the time ruler and the
    // row the horizontal scroll bar covers
    size_t first = 0, height = 0, font = 0;
    if (key == "igbsim-traces" && ls >> r.traces >> first >> height >> font && font > 0) {
      r.first_row = first;
      r.rows = height / font > 2 ? height / font - 2 : 0;
    }
    if (key == "igbsim-trace") r.names.push_back(l.substr(key.size() + 1));
    if (key == "igbsim-window") r.window = static_cast<bool>(ls >> r.start >> r.end);
    if (key == "igbsim-import-error") r.import_error = l.substr(key.size());
    std::string letter;
    double t = -1;
    if (key == "igbsim-marker" && ls >> letter >> t && t >= 0) r.markers.emplace_back(letter, t);
  }
  return r;
}

// Traces a save file lists (signals, bits combined under a name as "#{name} ...", and a
// comment trace per group title): the lines that are not directives
size_t save_file_traces(const std::string& gtkw) {
  std::istringstream in(gtkw);
  size_t n = 0;
  for (std::string l; std::getline(in, l);)
    if (l.rfind("#{", 0) == 0 || (!l.empty() && std::strchr("[*@^#", l[0]) == nullptr)) ++n;
  return n;
}

// The named markers' names of a save file, by letter
std::map<std::string, std::string> marker_names(const std::string& gtkw) {
  std::map<std::string, std::string> out;
  std::istringstream in(gtkw);
  const std::string key = "[markername_long] ";
  for (std::string l; std::getline(in, l);)
    if (l.rfind(key, 0) == 0 && l.size() > key.size() + 2)
      out[l.substr(key.size(), 1)] = l.substr(key.size() + 2);
  return out;
}

// The [size] of the save file's window, as Xvfb's screen: the window fills it
std::string screen_of(const std::string& gtkw) {
  std::istringstream in(gtkw);
  for (std::string l; std::getline(in, l);) {
    unsigned w = 0, h = 0;
    if (std::sscanf(l.c_str(), "[size] %u %u", &w, &h) == 2 && w > 0 && h > 0 && w <= 8192 &&
        h <= 8192)
      return fmt::format("{}x{}", w, h);
  }
  return "1600x1000";
}

std::string tcl_script(const fs::path& png) {
  std::string s =
      "set n [gtkwave::getTotalNumTraces]\n"
      "puts \"igbsim-traces $n [gtkwave::getTraceScrollbarRowValue] [gtkwave::getWaveHeight] "
      "[gtkwave::getFontHeight]\"\n"
      "for {set i 0} {$i < $n} {incr i} {\n"
      "  puts \"igbsim-trace [gtkwave::getTraceNameFromIndex $i]\"\n"
      "}\n"
      "puts \"igbsim-window [gtkwave::getWindowStartTime] [gtkwave::getWindowEndTime]\"\n";
  for (size_t i = 0; i < kGtkwMaxMarkers; ++i)
    s += fmt::format("puts \"igbsim-marker {0} [gtkwave::getNamedMarker {0}]\"\n",
                     static_cast<char>('A' + i));
  // GTKWave has drawn the save file's view when it runs the script; nop runs its main loop
  // once more, for any redraw still pending
  s += "gtkwave::nop\n";
  s += fmt::format("if {{[catch {{exec import -window root -set comment {{{}}} {{{}}}}} err]}} {{\n"
                   "  puts \"igbsim-import-error $err\"\n"
                   "}}\n"
                   "gtkwave::/File/Quit\n",
                   kPngComment, png.string());
  return s;
}

// The save file drawn by GTKWave under Xvfb into `file`; prints what GTKWave showed
int render_png(const fs::path& save, const std::string& save_text, const fs::path& file,
               const fst_range& rec) {
  std::string tmpl = (fs::temp_directory_path() / "igbsim-waves-XXXXXX").string();
  if (!::mkdtemp(tmpl.data()))
    throw std::runtime_error("cannot create a temporary folder: " + std::string(strerror(errno)));
  const fs::path work(tmpl);
  struct cleanup {
    fs::path p;
    ~cleanup() {
      std::error_code ec;
      fs::remove_all(p, ec);
    }
  } clean{work};
  const fs::path shot = work / "view.png", script = work / "shot.tcl", log = work / "gtkwave.log";
  std::ofstream(script) << tcl_script(shot);
  const int st = run_logged({"timeout", kRenderTimeoutS, "xvfb-run", "-a", "-s",
                             "-screen 0 " + screen_of(save_text) + "x24", "gtkwave", "-S",
                             script.string(), save.string()},
                            log);
  const gtkwave_report g = parse_gtkwave_log(log);
  const png_info pi = read_png(shot);
  if (st != 0 || !g.window || !pi.png) {
    std::string tail, l;
    std::ifstream in(log);
    while (std::getline(in, l))
      if (!l.empty()) tail = l;
    throw std::runtime_error(fmt::format(
        "--png: GTKWave under Xvfb did not draw {} (exit status {}{}{}); nothing written",
        save.string(), st, g.import_error.empty() ? "" : ", import:" + g.import_error,
        tail.empty() ? "" : ", its last line: " + tail));
  }
  const fs::path part =
      file.parent_path() / ("." + file.filename().string() + ".tmp." + std::to_string(::getpid()));
  std::error_code ec;
  fs::copy_file(shot, part, fs::copy_options::overwrite_existing, ec);
  if (!ec) fs::rename(part, file, ec);
  if (ec) {
    std::error_code rm;
    fs::remove(part, rm);
    throw std::runtime_error("cannot write " + file.string() + ": " + ec.message());
  }
  std::printf("igbsim: wrote %s (%ux%u): GTKWave under Xvfb drawing %s\n", file.c_str(), pi.width,
              pi.height, save.c_str());
  std::printf("  window   %s to %s\n",
              us(static_cast<uint64_t>(std::llround(rec.to_ps(g.start)))).c_str(),
              us(static_cast<uint64_t>(std::llround(rec.to_ps(g.end)))).c_str());
  std::string shown;
  for (size_t i = g.first_row; i < g.names.size() && i < g.first_row + g.rows; ++i)
    shown += (shown.empty() ? "" : ", ") + g.names[i];
  std::printf("  traces   %zu of the save file's %zu; on screen: %s\n", g.traces,
              save_file_traces(save_text), shown.c_str());
  const auto names = marker_names(save_text);
  for (const auto& [letter, t] : g.markers) {
    const auto n = names.find(letter);
    std::printf("  marker   %s %-14s %s\n", letter.c_str(),
                us(static_cast<uint64_t>(std::llround(rec.to_ps(t)))).c_str(),
                n == names.end() ? "" : n->second.c_str());
  }
  return 0;
}

}  // namespace

int cmd_waves(const waves_request& r) {
  const fs::path dir = run_folder(r.dir);
  const std::optional<fs::path> png = r.png ? std::optional(png_target(*r.png)) : std::nullopt;
  if (png) require_render_tools();
  const fs::path own = dir / "waves.gtkw";
  const std::string own_text = read_text(own);
  if (own_text.rfind("[*]", 0) != 0 || own_text.find("\n[dumpfile] ") == std::string::npos)
    throw input_error(own.string() + ": is not a GTKWave save file igbsim wrote (damaged?)");
  // Every group igbsim opens it closes, and the file ends with a line: one cut short is not
  // shown as if whole
  size_t opened = 0, closed = 0;
  for (const char* begin : {"\n@800200\n-", "\n@c00200\n-"})
    for (size_t at = 0; (at = own_text.find(begin, at)) != std::string::npos; ++at) ++opened;
  for (const char* end : {"\n@1000200\n-", "\n@1401200\n-"})
    for (size_t at = 0; (at = own_text.find(end, at)) != std::string::npos; ++at) ++closed;
  if (opened == 0 || opened != closed || own_text.back() != '\n')
    throw input_error(own.string() + ": its signal groups do not all close (the file is cut "
                                     "short or damaged)");
  // The view, checked whole before anything is written
  std::optional<waves_view> v;
  const fst_range rec = recorded_range(dir / "waves.fst");
  if (r.packet) v = packet_view(dir, *r.packet, rec);
  if (r.datagram) v = datagram_view(dir, *r.datagram, rec);
  if (r.at) v = time_view(parse_at(*r.at), *r.at, "--at " + *r.at, load_report(dir), rec);
  if (r.event) v = event_view(dir, *r.event, rec);
  const char* display = std::getenv("DISPLAY");
  if (!png && (!display || !*display))
    throw input_error("waves: no display ($DISPLAY is not set) for GTKWave; draw the view into "
                      "a picture instead with --png FILE.png");
  fs::path save = own;
  std::string save_text = own_text;
  if (v) {
    save = dir / kWavesViewFile;
    std::error_code ec;
    const auto st = fs::symlink_status(save, ec);
    if (fs::exists(st) && !fs::is_regular_file(st))
      throw input_error(save.string() + ": exists and is not a file; igbsim does not replace it");
    save_text = gtkw_with_view(own_text, *v);
    write_whole(save, save_text);
    std::printf("igbsim: wrote %s: %s to %s, %zu marker%s\n", save.c_str(), us(v->start_ps).c_str(),
                us(v->end_ps).c_str(), v->markers.size(), v->markers.size() == 1 ? "" : "s");
  }
  if (png) return render_png(save, save_text, *png, rec);
  std::printf("igbsim: opening %s in GTKWave\n", save.c_str());
  std::fflush(stdout);
  ::execlp("gtkwave", "gtkwave", save.c_str(), static_cast<char*>(nullptr));
  throw std::runtime_error(std::string("cannot start gtkwave: ") + std::strerror(errno) +
                           " (the Debian package gtkwave; scripts/setup.sh installs it)");
}

}  // namespace igbsim
