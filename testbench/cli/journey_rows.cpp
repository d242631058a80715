// SPDX-License-Identifier: Apache-2.0
#include "journey_rows.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include <nlohmann/json.hpp>

#include "params.h"
#include "run_config.h"
#include "traffic.h"

namespace fs = std::filesystem;

namespace igbsim {

std::optional<double> finite_number(const std::string& text) {
  double x = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), x);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || !std::isfinite(x))
    return std::nullopt;
  return x;
}

std::optional<uint64_t> parse_u64(const std::string& t) {
  uint64_t v = 0;
  const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (t.empty() || ec != std::errc() || end != t.data() + t.size()) return std::nullopt;
  return v;
}

namespace {

// A journey file of a run's output folder, read line by line: no line may be longer than any
// journey line is (a damaged file is not read whole into one), fields are comma-separated, and
// text from the file goes into a message short and printable.
class journey_file {
 public:
  // why_missing: what it means when a run's folder has no such file (empty: not a run's folder)
  journey_file(const std::string& dir, const char* name, const char* why_missing = "")
      : path_((fs::path(dir) / name).string()) {
    std::error_code ec;
    if (*why_missing && fs::is_directory(dir, ec) &&
        fs::exists(fs::path(dir) / "report.json", ec) && !fs::exists(path_, ec))
      throw input_error(path_ + ": not there: " + why_missing);
    if (fs::exists(path_, ec) && !fs::is_regular_file(path_, ec))
      throw input_error(path_ + ": is not a file (is it the output folder of a run?)");
    in_.open(path_);
    if (!in_) throw input_error(path_ + ": cannot read (is it the output folder of a run?)");
  }
  bool next(std::string& l) {
    l.clear();
    for (int c; (c = in_.get()) != EOF;) {
      if (c == '\n') break;
      if (l.size() == kMaxLine)
        throw input_error(
            fmt::format("{}:{}: longer than {} bytes, which no journey line is (the file is "
                        "damaged)",
                        path_, lineno_ + 1, kMaxLine));
      l += static_cast<char>(c);
    }
    if (l.empty() && !in_) return false;
    ++lineno_;
    // A file a spreadsheet or an editor saved again: CRLF line ends, a UTF-8 byte-order mark
    if (!l.empty() && l.back() == '\r') l.pop_back();
    if (lineno_ == 1 && l.rfind("\xEF\xBB\xBF", 0) == 0) l.erase(0, 3);
    return true;
  }
  const std::string& path() const { return path_; }
  std::string where() const { return fmt::format("{}:{}", path_, lineno_); }
  static std::vector<std::string> split(const std::string& s) {
    std::vector<std::string> v;
    std::stringstream ss(s);
    std::string x;
    while (std::getline(ss, x, ',')) v.push_back(x);
    if (!s.empty() && s.back() == ',') v.emplace_back();
    return v;
  }
  static std::string shown(const std::string& t) {
    std::string r;
    for (char c : t.substr(0, 40)) r += std::isprint(static_cast<unsigned char>(c)) ? c : '?';
    return r + (t.size() > 40 ? "..." : "");
  }
  // A row's fate: lower-case letters and '_'
  void check_fate(const std::string& f) const {
    if (f.empty() || f.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") != std::string::npos)
      throw input_error(where() + ": fate '" + shown(f) + "' is not a fate (the file is damaged)");
  }
  // The rest of the file holds no second row of `what` id: a journey has one row each
  void expect_once(uint64_t id, const char* what) {
    const size_t first = lineno_;
    for (std::string l; next(l);)
      if (parse_u64(l.substr(0, l.find(','))) == id)
        throw input_error(fmt::format("{}: {} {} again, as on line {} (a journey has one row "
                                      "each; the file is damaged)",
                                      where(), what, id, first));
  }
  // A step's time: empty (not reached: -1) or a finite time in ns within any run's length (a
  // run is refused beyond kMaxSimSeconds; a core's local time may run ahead of the run's end
  // by its unpaid cost, far less than as much again)
  double time(const std::string& t, const char* step) const {
    if (t.empty()) return -1;
    const std::optional<double> x = finite_number(t);
    if (!x || *x < 0)
      throw input_error(fmt::format("{}: {} time '{}' is not a time in ns (the file is damaged)",
                                    where(), step, shown(t)));
    if (*x > 2 * kMaxSimSeconds * 1e9)
      throw input_error(fmt::format("{}: {} time '{}' ns is more than twice any run's length "
                                    "({:.0f} days; the file is damaged)",
                                    where(), step, shown(t), kMaxSimSeconds / 86400));
    return *x;
  }

 private:
  static constexpr size_t kMaxLine = 4096;  // a journey line is a few hundred bytes
  std::string path_;
  std::ifstream in_;
  size_t lineno_ = 0;
};

uint64_t row_id(const journey_file& f, const std::string& v, const char* what) {
  const auto id = parse_u64(v);
  if (!id)
    throw input_error(fmt::format("{}: {} number '{}' is not a number (the file is damaged)",
                                  f.where(), what, journey_file::shown(v)));
  return *id;
}

// The run's sim.journey as its report.json records it ("all", "off", "sample=N"), or "" when
// there is none to read
std::string journey_setting(const std::string& dir) {
  try {
    std::ifstream in(fs::path(dir) / "report.json");
    if (!in) return "";
    const auto rep = nlohmann::json::parse(in);
    const std::string v = rep.at("sim").at("journey").get<std::string>();
    std::string why;
    return journey_every(v, why) ? v : "";
  } catch (const std::exception&) {
    return "";
  }
}

// Whether the run's checks name a violation of this kind (report.json checks.violations)
bool run_violated(const std::string& dir, const std::string& kind) {
  try {
    std::ifstream in(fs::path(dir) / "report.json");
    if (!in) return false;
    const auto rep = nlohmann::json::parse(in);
    for (const auto& v : rep.at("checks").at("violations"))
      if (v.at("kind") == kind) return true;
  } catch (const std::exception&) {
  }
  return false;
}

// A row with a step before the step its delta is taken from, from a run whose checks do not
// name the violation (`check`): the file is damaged. what: "frame 10", "datagram 5".
template <class Times, class Base, class Name>
void expect_in_order(const journey_file& f, const std::string& dir, const char* check,
                     const std::string& what, const Times& ns, Base&& base, Name&& name) {
  const auto [b, i] = first_step_before_its_base(ns, base);
  if (i == ns.size() || run_violated(dir, check)) return;
  throw input_error(fmt::format("{}: {}'s {} ({:.3f} ns) is before its {} ({:.3f} ns), the step "
                                "it follows (the file is damaged)",
                                f.where(), what, name(i), ns[i], name(b), ns[b]));
}

const char* const kJourneyOff = "the run was made with --journey off (sim.journey = off)";

// A row not in a sampled run's journey: say which rows it kept
void not_in_sample(const std::string& setting, const std::string& what, uint64_t id) {
  std::string why;
  const std::optional<uint64_t> n = journey_every(setting, why);
  if (!n || *n <= 1) return;
  const uint64_t first = what == "frame" ? 0 : 1;
  if ((id - first) % *n == 0) return;
  throw input_error(fmt::format("no {0} {1} in this journey: the run kept one {0}'s row in {2} "
                                "(sim.journey = {3}: {0}s {4}, {5}, {6} ...)",
                                what, id, *n, setting, first, first + *n, first + 2 * *n));
}

}  // namespace

rx_journey_row read_rx_journey(const std::string& dir, const std::string& packet_arg) {
  const auto wanted = parse_u64(packet_arg);
  if (!wanted)
    throw input_error("--packet " + packet_arg + ": expected a frame number (0, 1, 2 ...)");
  const uint64_t packet = *wanted;
  const std::string setting = journey_setting(dir);
  journey_file f(dir, "journey.csv", setting == "off" ? kJourneyOff : "");
  not_in_sample(setting, "frame", packet);
  std::string header, line;
  f.next(header);
  const auto cols = journey_file::split(header);
  if (cols.empty() || cols[0] != "frame")
    throw input_error(f.path() + ":1: not an igbsim journey file");
  std::vector<std::string> expected{"frame", "fate"};
  for (const char* suffix : {"_ns", "_task"})
    for (size_t i = 0; i < kSteps; ++i)
      expected.push_back(step_name(step(i)) + std::string(suffix));
  if (cols != expected) {
    size_t i = 0;
    while (i < cols.size() && i < expected.size() && cols[i] == expected[i]) ++i;
    throw input_error(fmt::format(
        "{}:1: column {} is '{}', this igbsim writes '{}' there (a journey from another "
        "version, or damaged)",
        f.path(), i + 1, i < cols.size() ? journey_file::shown(cols[i]) : "",
        i < expected.size() ? expected[i] : ""));
  }
  size_t rows = 0;
  while (f.next(line)) {
    ++rows;
    const auto v = journey_file::split(line);
    if (v.size() != cols.size())
      throw input_error(fmt::format("{}: expected {} columns, found {} (the file is damaged)",
                                    f.where(), cols.size(), v.size()));
    if (row_id(f, v[0], "frame") != packet) continue;
    f.check_fate(v[1]);
    rx_journey_row r;
    r.frame = packet;
    r.fate = v[1];
    for (size_t i = 0; i < kSteps; ++i) {
      r.ns[i] = f.time(v[2 + i], step_name(step(i)));
      const std::string& st = v[2 + kSteps + i];
      r.task[i] = st == "R" || st == "r" || st == "S" ? st : "";
    }
    // A delivered frame's steps are in order along their chains: the run's checks fail when
    // one is not (journey_step_order), and then the row is shown as it is
    if (r.fate == "delivered")
      expect_in_order(
          f, dir, "journey_step_order", fmt::format("frame {}", packet), r.ns,
          [](const auto& t, size_t i) { return delta_base(t, i); },
          [](size_t i) { return step_name(step(i)); });
    f.expect_once(packet, "frame");
    return r;
  }
  if (rows == 0)
    throw input_error(f.path() + ": no frames (the run received none; a sent datagram's "
                                 "steps: --datagram N)");
  throw input_error(f.path() + ": no frame " + std::to_string(packet));
}

// Columns are found by name (the file's header), so a column added later (an id's source) is
// read when there and not required.
tx_journey_row read_tx_journey(const std::string& dir, const std::string& datagram_arg) {
  const auto wanted = parse_u64(datagram_arg);
  if (!wanted)
    throw input_error("--datagram " + datagram_arg +
                      ": expected a datagram number (1, 2 ...: tx_journey.csv's first column)");
  const std::string setting = journey_setting(dir);
  journey_file f(dir, "tx_journey.csv",
                 setting == "off"
                     ? kJourneyOff
                     : "the run sent nothing (no sender, send.frames, and no echo server, "
                       "app.reply)");
  not_in_sample(setting, "datagram", *wanted);
  std::string header, line;
  f.next(header);
  const auto cols = journey_file::split(header);
  if (cols.empty() || cols[0] != "datagram")
    throw input_error(f.path() + ":1: not an igbsim transmit journey file");
  const auto find = [&](const std::string& name, bool required) -> size_t {
    const auto it = std::find(cols.begin(), cols.end(), name);
    if (it == cols.end() && required)
      throw input_error(fmt::format("{}:1: no column '{}' (a journey from another version, or "
                                    "damaged)",
                                    f.path(), name));
    return static_cast<size_t>(it - cols.begin());
  };
  const size_t fate = find("fate", true), queue = find("queue", true),
               source = find("source", false);
  std::array<size_t, kTxSteps> at_col{};
  for (size_t i = 0; i < kTxSteps; ++i)
    at_col[i] = find(tx_step_name(tx_step(i)) + std::string("_ns"), true);
  while (f.next(line)) {
    const auto v = journey_file::split(line);
    if (v.size() != cols.size())
      throw input_error(fmt::format("{}: expected {} columns, found {} (the file is damaged)",
                                    f.where(), cols.size(), v.size()));
    if (row_id(f, v[0], "datagram") != *wanted) continue;
    if (std::find_if(std::begin(kTxFates), std::end(kTxFates),
                     [&](const char* k) { return v[fate] == k; }) == std::end(kTxFates))
      throw input_error(f.where() + ": fate '" + journey_file::shown(v[fate]) +
                        "' is not a transmit fate (the file is damaged)");
    if (source < cols.size() && v[source] != "sender" && v[source] != "echo")
      throw input_error(f.where() + ": source '" + journey_file::shown(v[source]) +
                        "' is neither sender nor echo (the file is damaged)");
    const auto q = parse_u64(v[queue]);
    if (!v[queue].empty() && (!q || *q >= 8))
      throw input_error(f.where() + ": queue '" + journey_file::shown(v[queue]) +
                        "' is not a transmit queue 0..7 (the file is damaged)");
    tx_journey_row r;
    r.datagram = *wanted;
    r.source = source < cols.size() ? v[source] : "";
    r.fate = v[fate];
    r.queue = v[queue];
    for (size_t i = 0; i < kTxSteps; ++i) r.ns[i] = f.time(v[at_col[i]], tx_step_name(tx_step(i)));
    // "sent": the datagram's frames left and igb freed it, so both steps have their times
    for (const tx_step st : {tx_step::wire_end, tx_step::clean})
      if (r.fate == "sent" && r.ns[size_t(st)] < 0)
        throw input_error(fmt::format("{}: datagram {} is 'sent' with no {} time (the file is "
                                      "damaged)",
                                      f.where(), *wanted, tx_step_name(st)));
    // So are a sent datagram's (tx_journey_step_order)
    if (r.fate == "sent")
      expect_in_order(
          f, dir, "tx_journey_step_order", fmt::format("datagram {}", *wanted), r.ns,
          [](const auto& t, size_t i) { return tx_delta_base(t, i); },
          [](size_t i) { return tx_step_name(tx_step(i)); });
    f.expect_once(*wanted, "datagram");
    return r;
  }
  throw input_error(f.path() + ": no datagram " + std::to_string(*wanted));
}

}  // namespace igbsim
