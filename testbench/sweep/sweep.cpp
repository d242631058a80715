// SPDX-License-Identifier: Apache-2.0
#include "sweep.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <sys/wait.h>
#include <toml++/toml.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "outdir.h"
#include "params.h"
#include "run_config.h"
#include "plots.h"
#include "sim.h"

namespace igbsim {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

struct point {
  size_t index;
  std::vector<std::pair<std::string, std::string>> axes;  // key, value as --set takes it
  std::vector<std::string> args;                          // igbsim argv after the program name
};

std::string as_set_value(const toml::node& n, const std::string& where) {
  if (auto b = n.value_exact<bool>()) return *b ? "true" : "false";
  if (auto i = n.value_exact<int64_t>()) return std::to_string(*i);
  if (auto d = n.value_exact<double>()) return fmt::format("{}", *d);
  if (auto s = n.value_exact<std::string>()) return *s;
  throw input_error(where + ": values must be numbers, booleans or strings");
}

std::string point_dir(const std::string& out, size_t i) {
  return fmt::format("{}/point-{:03}", out, i);
}

// The flags the emitted scripts set themselves (an extra one would break the array or the
// merge), and those with a key of their own; getopt_long also takes a flag's unambiguous prefix
struct reserved_flag {
  const char* name;
  const char* use;
};
const reserved_flag kReservedSbatchFlags[] = {{"--array", ""},      {"-a", ""},
                                              {"--output", ""},     {"-o", ""},
                                              {"--error", ""},      {"-e", ""},
                                              {"--dependency", ""}, {"-d", ""},
                                              {"--wrap", ""},       {"--parsable", ""},
                                              {"--time", "time"},   {"-t", "time"},
                                              {"--mem", "mem"},     {"--partition", "partition"},
                                              {"-p", "partition"},  {"--account", "account"},
                                              {"-A", "account"}};

}  // namespace

std::string slurm_option_problem(const std::string& key, const std::string& v) {
  auto all = [&](auto pred) { return std::all_of(v.begin(), v.end(), pred); };
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  const auto name_char = [&](char c) {
    return digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '.' ||
           c == '-';
  };
  if (v.empty()) return "empty";
  if (v.size() > 200) return "longer than 200 characters";
  if (key == "time") {
    // minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS
    const auto dash = v.find('-');
    const std::string clock = dash == std::string::npos ? v : v.substr(dash + 1);
    int fields = 0;
    bool ok =
        dash == std::string::npos || (dash > 0 && std::all_of(v.begin(), v.begin() + dash, digit));
    for (size_t b = 0; ok && b <= clock.size(); ++fields) {
      const size_t e = std::min(clock.find(':', b), clock.size());
      ok = e > b && std::all_of(clock.begin() + b, clock.begin() + e, digit);
      b = e + 1;
    }
    if (!ok || fields > 3)
      return "not a Slurm time limit: minutes (90), MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS";
    return "";
  }
  if (key == "mem") {
    const size_t n = std::isalpha(static_cast<unsigned char>(v.back())) ? v.size() - 1 : v.size();
    if (n == 0 || !std::all_of(v.begin(), v.begin() + n, digit) ||
        (n < v.size() && std::string("KMGTkmgt").find(v.back()) == std::string::npos))
      return "not a Slurm memory size: megabytes (4000) or a number with K, M, G or T (4G, 4000M)";
    return "";
  }
  if (key == "partition" || key == "account") {
    const bool ok = key == "partition" ? all([&](char c) { return name_char(c) || c == ','; }) &&
                                             v.front() != ',' && v.back() != ',' &&
                                             v.find(",,") == std::string::npos
                                       : all(name_char);
    if (!ok)
      return fmt::format("not a Slurm {} name (letters, digits, '_', '.', '-'{})", key,
                         key == "partition" ? "; several separated by ','" : "");
    return "";
  }
  // extra: one sbatch flag, written as it is on an #SBATCH line of its own
  if (v[0] != '-') return "not an sbatch flag (one flag per entry, starting with '-')";
  for (unsigned char c : v)
    if (c <= 0x20 || c >= 0x7f || c == '#' || c == '"' || c == '\'' || c == '\\')
      return "has a space, a control character, '#', a quote or a backslash, which an #SBATCH "
             "line cannot carry (one flag per entry: --qos=long, --constraint=avx2)";
  const std::string name = v.rfind("--", 0) == 0 ? v.substr(0, v.find('=')) : v.substr(0, 2);
  for (const reserved_flag& r : kReservedSbatchFlags) {
    const std::string full = r.name;
    const bool hit = name == full || (name.size() >= 4 && full.rfind(name, 0) == 0);
    if (!hit) continue;
    if (*r.use) return fmt::format("{} has a key of its own: give it as {}", full, r.use);
    return fmt::format("{} is set by the emitted scripts themselves", full);
  }
  return "";
}

namespace {

// The sweep file's [slurm] table
slurm_options read_slurm_table(const toml::table& t, const std::string& file) {
  slurm_options o;
  for (auto&& [k, node] : t) {
    const std::string key(k.str());
    const std::string where = fmt::format("{}:{}: slurm.{}", file, node.source().begin.line, key);
    auto text = [&](const toml::node& n) {
      if (auto i = n.value_exact<int64_t>(); i && (key == "time" || key == "mem"))
        return std::to_string(*i);
      auto sv = n.value_exact<std::string>();
      if (!sv) throw input_error(where + ": must be a string");
      if (std::string why = slurm_option_problem(key == "extra" ? "extra" : key, *sv); !why.empty())
        throw input_error(fmt::format("{} '{}': {}", where, printable(*sv), why));
      return *sv;
    };
    if (key == "time") o.time = text(node);
    else if (key == "mem") o.mem = text(node);
    else if (key == "partition") o.partition = text(node);
    else if (key == "account") o.account = text(node);
    else if (key == "extra") {
      std::vector<std::string> flags;
      if (auto* arr = node.as_array())
        for (auto&& v : *arr) flags.push_back(text(v));
      else flags.push_back(text(node));
      o.extra = flags;
    } else {
      throw input_error(fmt::format("{}:{}: unknown key 'slurm.{}' (a [slurm] table has time, "
                                    "mem, partition, account and extra)",
                                    file, node.source().begin.line, printable(key)));
    }
  }
  return o;
}

// Parse the sweep file, expand the axes and check every point as a scenario before anything runs.
std::vector<point> plan(const std::string& file, const std::string& out,
                        const std::string& sweep_id, slurm_options& slurm) {
  toml::table tbl = parse_toml(read_scenario_text(file, "sweep"), file);
  std::string base;
  std::vector<std::string> fixed;
  std::vector<std::pair<std::string, std::vector<std::string>>> axes;
  for (auto&& [k, node] : tbl) {
    const std::string key(k.str());
    const std::string where = fmt::format("{}:{}", file, node.source().begin.line);
    if (key == "base") {
      auto s = node.value_exact<std::string>();
      if (!s) throw input_error(where + ": base must be the path of a scenario file");
      base = (fs::path(file).parent_path() / *s).lexically_normal().string();
      std::error_code ec;
      if (!fs::exists(base, ec))
        throw input_error(where + ": base scenario '" + *s + "' (" + base + ") does not exist");
      if (!fs::is_regular_file(base, ec))
        throw input_error(where + ": base scenario '" + *s + "' (" + base + ") is not a file");
    } else if (key == "set" && node.is_table()) {
      for (auto&& [sk, sv] : *node.as_table())
        fixed.push_back(std::string(sk.str()) + "=" +
                        as_set_value(sv, fmt::format("{}:{}", file, sv.source().begin.line)));
    } else if (key == "axes" && node.is_table()) {
      for (auto&& [ak, av] : *node.as_table()) {
        const std::string w = fmt::format("{}:{}", file, av.source().begin.line);
        auto* arr = av.as_array();
        if (!arr || arr->empty())
          throw input_error(w + ": axis " + std::string(ak.str()) + " must be a non-empty list");
        std::vector<std::string> vals;
        for (auto&& v : *arr) vals.push_back(as_set_value(v, w));
        axes.emplace_back(std::string(ak.str()), vals);
      }
    } else if (key == "slurm" && node.is_table()) {
      slurm = read_slurm_table(*node.as_table(), file);
    } else {
      throw input_error(where + ": unknown key '" + printable(key) +
                        "' (a sweep file has base, [set], [axes] and [slurm])");
    }
  }
  if (axes.empty()) throw input_error(file + ": no [axes]: nothing to sweep");
  size_t count = 1;
  for (const auto& [key, vals] : axes) {
    if (count > kMaxSweepPoints / vals.size())
      throw input_error(
          fmt::format("{}: the axes make more than {} points (the limit of one sweep); split it",
                      file, kMaxSweepPoints));
    count *= vals.size();
  }
  std::vector<point> points;
  std::vector<size_t> idx(axes.size(), 0);
  for (;;) {
    point p;
    p.index = points.size();
    p.args = {"run"};
    if (!base.empty()) p.args.push_back(fs::absolute(base).string());
    for (const auto& s : fixed) p.args.insert(p.args.end(), {"--set", s});
    for (size_t a = 0; a < axes.size(); ++a) {
      p.axes.emplace_back(axes[a].first, axes[a].second[idx[a]]);
      p.args.insert(p.args.end(), {"--set", axes[a].first + "=" + axes[a].second[idx[a]]});
    }
    // No --quiet: a point's log (point-NNN.log, a Slurm task's output) gets its progress lines
    p.args.insert(p.args.end(), {"--out", point_dir(out, p.index), "--sweep-point",
                                 fmt::format("{}:{}", sweep_id, p.index)});
    // The point must be a valid scenario, its parameters together too (send.threads against
    // send.flows, an echo server's frames against the MTU, ...): refused before anything runs
    params check;
    try {
      if (!base.empty()) check.load_file(base);
      for (size_t i = 2 - base.empty(); i + 1 < p.args.size(); ++i)
        if (p.args[i] == "--set") check.set(p.args[i + 1]);
      configure_run(check);
    } catch (const input_error& e) {
      throw input_error(fmt::format("{}: point {}: {}", file, p.index, e.what()));
    }
    points.push_back(std::move(p));
    size_t a = axes.size();
    while (a > 0 && ++idx[a - 1] == axes[a - 1].second.size()) idx[--a] = 0;
    if (a == 0) break;
  }
  return points;
}

std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

void write_points(const std::string& out, const std::vector<point>& points,
                  const std::string& sweep_id) {
  json j = json::array();
  for (const auto& p : points) {
    json axes = json::object();
    for (const auto& [k, v] : p.axes) axes[k] = v;
    j.push_back({{"point", p.index}, {"axes", axes}, {"args", p.args}, {"sweep_id", sweep_id}});
  }
  std::ofstream(out + "/points.json") << j.dump(2) << "\n";
}

// The figures of a point's row, after its axes and status (README, Sweeps). A point without
// a report leaves each of them empty.
const char* const kSweepFigures[] = {"offered",
                                     "delivered",
                                     "dropped",
                                     "lost_unaccounted",
                                     "violations",
                                     "irqs",
                                     "irqs_per_delivered",
                                     "polls_budget_exhausted",
                                     "latency_p50_ns",
                                     "latency_p99_ns",
                                     "sim_time_ns",
                                     "wall_s",
                                     "rr_p50_ns",
                                     "rr_p99_ns",
                                     "tx_sent",
                                     "tx_on_wire",
                                     "tx_qdisc_dropped",
                                     "tx_eagain",
                                     "tx_send_to_wire_p50_ns",
                                     "tx_send_to_wire_p99_ns"};
constexpr size_t kSweepFigureCount = std::size(kSweepFigures);

// A point's figures from its report, each as sweep.csv gives it (empty: not in this run)
std::vector<std::string> sweep_figures(const json& r) {
  auto num = [](double x) {
    std::ostringstream o;
    o << x;
    return o.str();
  };
  // A figure that only some runs have: empty when this one has none
  auto given = [](const json& o, const char* key) {
    return o.contains(key) ? o[key].dump() : std::string();
  };
  const auto& c = r["checks"];
  const double delivered = c["delivered"].get<double>();
  const double irqs = r["driver"]["irqs"].get<double>();
  const auto& lat = r["latency_ns"];
  const auto& e2e = lat["end_to_end"];
  std::vector<std::string> v = {c["offered"].dump(), c["delivered"].dump(), c["dropped"].dump(),
                                c["lost_unaccounted"].dump(),
                                std::to_string(c["violations"].size()), r["driver"]["irqs"].dump(),
                                fmt::format("{:.5f}", delivered > 0 ? irqs / delivered : 0.0),
                                r["driver"]["polls_budget_exhausted"].dump(),
                                // empty when nothing was delivered (a send-only point)
                                e2e.value("count", 0) > 0 ? num(e2e.value("p50", 0.0)) : "",
                                e2e.value("count", 0) > 0 ? num(e2e.value("p99", 0.0)) : "",
                                r["sim"]["sim_time_ns"].dump(), r["sim"]["wall_s"].dump()};
  // Round trips of an echo server's requests (app.reply = echo)
  const json rr = lat.value("rr", json::object());
  v.push_back(given(rr, "p50"));
  v.push_back(given(rr, "p99"));
  // The transmit side (a sender or an echo server): every datagram sent, the sender's and the
  // replies together; the sender's EAGAIN (non-blocking sockets); sendmsg to the wire
  const json tx = r.value("tx", json::object());
  const json tc = tx.value("checks", json::object());
  v.push_back(given(tc, "sent"));
  v.push_back(given(tc, "on_wire"));
  v.push_back(given(tc.value("dropped_by", json::object()), "qdisc_dropped"));
  v.push_back(given(tx.value("app", json::object()), "eagain"));
  const json s2w = lat.value("tx_send_to_wire", json::object());
  v.push_back(given(s2w, "p50"));
  v.push_back(given(s2w, "p99"));
  if (v.size() != kSweepFigureCount)
    throw std::logic_error("sweep.csv: a row's figures do not match its header");
  return v;
}

// The exit status a point's process ended with, as recorded beside its folder
// (DIR/point-NNN.exit: "SWEEP_ID:N STATUS", written by the local sweep and by each Slurm array
// task); none when nothing of this sweep was recorded.
std::optional<int> recorded_exit(const std::string& out, size_t i, const std::string& sweep_id) {
  std::ifstream f(point_dir(out, i) + ".exit");
  std::string who;
  int st = 0;
  if (!(f >> who >> st) || who != fmt::format("{}:{}", sweep_id, i)) return std::nullopt;
  return st;
}

std::string exit_meaning(int st) {
  if (st > 128) {
    const int sig = st - 128;
    return fmt::format("stopped by signal {}{}", sig,
                       sig == SIGTERM   ? " (SIGTERM: a Slurm time limit, scancel or Ctrl-C)"
                       : sig == SIGKILL ? " (SIGKILL: killed, e.g. out of memory or past a time "
                                          "limit's grace)"
                                        : "");
  }
  if (st == 127)
    return "exit status 127: igbsim could not be started (is the binary on a file "
           "system the nodes share?)";
  if (st == 2) return "exit status 2: bad input";
  return fmt::format("exit status {}", st);
}

// Where a point's output went: the local sweep's log, or its Slurm array task's
std::string point_log(const std::string& out, size_t i) {
  std::error_code ec;
  if (fs::exists(point_dir(out, i) + ".log", ec)) return point_dir(out, i) + ".log";
  const std::string tail = fmt::format("_{}.out", i);
  for (const auto& e : fs::directory_iterator(out, ec)) {
    const std::string n = e.path().filename().string();
    if (n.rfind("slurm-", 0) == 0 && n.size() > tail.size() &&
        n.compare(n.size() - tail.size(), tail.size(), tail) == 0)
      return e.path().string();
  }
  return "";
}

// A point's row status and, when it has no complete result, why
struct verdict {
  std::string status;  // ok, violations, incomplete, failed, not_run
  std::string why;
  json report;  // null without a usable report
};

verdict judge_point(const std::string& out, const json& p, bool stopped_sweep,
                    const std::map<size_t, int>& statuses) {
  const size_t i = p["point"];
  const std::string dir = point_dir(out, i);
  const std::string sweep_id = p.value("sweep_id", std::string());
  verdict v{"failed", "", json()};
  std::optional<int> exit = recorded_exit(out, i, sweep_id);
  if (auto it = statuses.find(i); it != statuses.end()) exit = it->second;
  std::error_code ec;
  if (std::ifstream f(dir + "/report.json"); f) {
    try {
      json r = json::parse(f);
      // Only this sweep's own result for this point counts (not one left by an earlier sweep)
      if (p.contains("sweep_id") &&
          r.value("sweep_point", std::string()) != fmt::format("{}:{}", sweep_id, i)) {
        v.why = "its report.json is an earlier sweep's, not this one's";
      } else if (!r.value("complete", true)) {
        // A partial result (the point was stopped: a signal, a Slurm time limit)
        v.status = "incomplete";
        v.why = fmt::format("report.json says \"complete\": false ({})",
                            r.value("incomplete_reason", std::string("no reason given")));
        v.report = std::move(r);
      } else {
        v.status = r["checks"]["passed"].get<bool>() ? "ok" : "violations";
        v.report = std::move(r);
      }
    } catch (const std::exception&) {
      v.why = "its report.json is damaged (not a report)";
    }
  } else if (stopped_sweep && !exit) {
    v.status = "not_run";  // a stopped sweep's
    v.why = "not started: the sweep was stopped first";
  } else if (!exit && !fs::exists(dir, ec) && point_log(out, i).empty()) {
    v.status = "not_run";
    v.why = "no folder, no log and no exit status: it never ran (was its array task submitted, "
            "or cancelled before it started?)";
  } else {
    v.why = "no report.json";
    for (const auto& e : fs::directory_iterator(out, ec))
      if (e.path().filename().string().rfind(fs::path(dir).filename().string() + ".tmp.", 0) == 0)
        v.why += fmt::format(" (its run was killed before its end: {} is left)",
                             e.path().filename().string());
  }
  if (exit && *exit != 0 && *exit != 3 && v.status != "incomplete") {
    v.status = "failed";  // every figure empty (README, Sweeps)
    v.report = json();
    v.why = exit_meaning(*exit) + (v.why.empty() ? "" : ", " + v.why);
  } else if (exit && *exit != 0 && v.status == "incomplete") {
    v.why = exit_meaning(*exit) + ", " + v.why;
  }
  return v;
}

// One row per point: its axes, status, and the figures a study compares. The points without a
// complete result are named on stderr, each with its axes, folder and why.
int merge(const std::string& out, const json& points, const std::map<size_t, int>& statuses,
          bool stopped_sweep) {
  std::ofstream csv(out + "/sweep.csv");
  std::vector<std::string> axis_names;
  for (auto& [k, v] : points.at(0)["axes"].items()) {
    (void)v;
    axis_names.push_back(k);
  }
  csv << "point,status";
  for (const auto& a : axis_names) csv << "," << a;
  for (const char* f : kSweepFigures) csv << "," << f;
  csv << "\n";
  int worst = 0;
  std::vector<std::string> missing;  // one line per point without a complete result
  for (const auto& p : points) {
    const size_t i = p["point"];
    const verdict v = judge_point(out, p, stopped_sweep, statuses);
    worst = std::max(worst, v.status == "ok" ? 0 : v.status == "violations" ? 1 : 2);
    std::string axes;
    csv << i << "," << v.status;
    for (const auto& a : axis_names) {
      const std::string val = p["axes"][a].get<std::string>();
      csv << "," << val;
      axes += fmt::format("{}{}={}", axes.empty() ? "" : ", ", a, val);
    }
    if (v.status != "ok" && v.status != "violations") {
      const std::string log = point_log(out, i);
      missing.push_back(fmt::format("  point {:03} ({}) {}: {}: {}{}", i, axes, point_dir(out, i),
                                    v.status, v.why, log.empty() ? "" : "; log " + log));
    }
    if (v.report.is_null()) {  // no report: every figure empty
      csv << std::string(kSweepFigureCount, ',') << "\n";
      continue;
    }
    for (const std::string& f : sweep_figures(v.report)) csv << "," << f;
    csv << "\n";
  }
  csv.close();
  if (!missing.empty()) {
    std::string msg = fmt::format(
        "igbsim sweep: {} of {} points have no complete result; {}/sweep.csv has a row for each "
        "point, these without a complete one:\n",
        missing.size(), points.size(), out);
    for (size_t n = 0; n < missing.size() && n < 20; ++n) msg += missing[n] + "\n";
    if (missing.size() > 20)
      msg += fmt::format("  and {} more (the status column of sweep.csv)\n", missing.size() - 20);
    std::fputs(msg.c_str(), stderr);
  }
  return worst == 2 ? 1 : worst == 1 ? 3 : 0;
}

// The #SBATCH lines of the passthrough options; time and mem only for the array's tasks
std::string sbatch_lines(const slurm_options& o, bool tasks) {
  std::string l;
  if (tasks && o.time) l += "#SBATCH --time=" + *o.time + "\n";
  if (tasks && o.mem) l += "#SBATCH --mem=" + *o.mem + "\n";
  if (o.partition) l += "#SBATCH --partition=" + *o.partition + "\n";
  if (o.account) l += "#SBATCH --account=" + *o.account + "\n";
  if (o.extra)
    for (const auto& f : *o.extra) l += "#SBATCH " + f + "\n";
  return l;
}

// A path on an #SBATCH line: sbatch splits the line at spaces, ends it at '#' and expands '%'
void check_sbatch_path(const std::string& path) {
  for (unsigned char c : path)
    if (c <= 0x20 || c == 0x7f || c == '#' || c == '%' || c == '"' || c == '\'' || c == '\\')
      throw input_error(fmt::format(
          "--out {}: with --emit-slurm the folder's path goes on #SBATCH lines, which cannot "
          "carry '{}' (a space, '#', '%', a quote, a backslash or a control character); choose "
          "another folder",
          printable(path), printable(std::string(1, static_cast<char>(c)))));
}

void write_slurm(const std::string& file, const std::string& out, const std::vector<point>& points,
                 const std::string& self, const std::string& sweep_id, const slurm_options& so) {
  const std::string shared = fmt::format(
      "# The igbsim binary and this sweep's folder must be on a file system that the submit\n"
      "# host and the compute nodes share: every task runs that binary and writes into that\n"
      "# folder, where the merge reads the results.\n"
      "#   binary: {}\n#   folder: {}\n",
      printable(self), printable(out));
  std::ofstream sb(out + "/sweep.sbatch");
  sb << "#!/bin/bash\n# igbsim sweep of " << printable(fs::absolute(file).string())
     << ": one array task per point.\n"
     << shared << "#SBATCH --job-name=igbsim-sweep\n#SBATCH --array=0-" << points.size() - 1
     << "\n#SBATCH --cpus-per-task=1\n#SBATCH --output=" << out << "/slurm-%A_%a.out\n"
     << sbatch_lines(so, true) << "set -euo pipefail\n"
     << "# A time limit or scancel sends SIGTERM: igbsim stops with a partial result; the task\n"
     << "# still records its exit status for the merge.\n"
     << "trap 'echo \"igbsim sweep: SIGTERM: the point stops with a partial result\" >&2' TERM\n"
     << "case \"$SLURM_ARRAY_TASK_ID\" in\n";
  for (const auto& p : points) {
    sb << "  " << p.index << ") point=" << fmt::format("{:03}", p.index) << "; args=(";
    for (size_t a = 0; a < p.args.size(); ++a) sb << (a ? " " : "") << shell_quote(p.args[a]);
    sb << ") ;;\n";
  }
  sb << "  *) echo \"igbsim sweep: this sweep has no point $SLURM_ARRAY_TASK_ID\" >&2; exit 2 ;;\n"
     << "esac\nrc=0\n"
     << shell_quote(self) << " \"${args[@]}\" || rc=$?\n"
     << "printf '%s:%d %d\\n' " << shell_quote(sweep_id) << " \"$SLURM_ARRAY_TASK_ID\" \"$rc\" > "
     << shell_quote(out) << "/point-\"$point\".exit\n"
     << "exit \"$rc\"\n";
  std::ofstream mb(out + "/merge.sbatch");
  mb << "#!/bin/bash\n# igbsim sweep: merge the points' results into sweep.csv.\n"
     << shared << "#SBATCH --job-name=igbsim-sweep-merge\n#SBATCH --output=" << out
     << "/slurm-merge-%j.out\n"
     << sbatch_lines(so, false) << "exec " << shell_quote(self) << " sweep --merge "
     << shell_quote(out) << "\n";
  std::ofstream sh(out + "/submit.sh");
  sh << "#!/bin/bash\n# Submit the points as a job array, then the merge once they have all "
        "ended.\n"
     << shared << "set -euo pipefail\n"
     << "# sbatch --parsable prints the job id, or \"ID;CLUSTER\" on a cluster that names itself\n"
     << "array=$(sbatch --parsable " << shell_quote(out + "/sweep.sbatch") << ")\n"
     << "array=${array%%;*}\n"
     << "merge=$(sbatch --parsable --dependency=afterany:\"$array\" "
     << shell_quote(out + "/merge.sbatch") << ")\n"
     << "merge=${merge%%;*}\n"
     << "echo \"igbsim sweep: points submitted as job array $array, the merge as job $merge (it "
        "runs once they have all ended)\"\n";
  sh.close();
  fs::permissions(out + "/submit.sh", fs::perms::owner_exec, fs::perm_options::add);
}

void record_exit(const std::string& out, size_t i, const std::string& sweep_id, int st) {
  std::ofstream(point_dir(out, i) + ".exit") << sweep_id << ":" << i << " " << st << "\n";
}

}  // namespace

int run_sweep(const std::string& file, int jobs, const std::string& out, bool emit_slurm,
              const std::string& self, const slurm_options& cli_slurm) {
  // The command line's Slurm options, checked before anything is written
  const std::pair<const char*, const std::optional<std::string>*> cli_values[] = {
      {"time", &cli_slurm.time},
      {"mem", &cli_slurm.mem},
      {"partition", &cli_slurm.partition},
      {"account", &cli_slurm.account}};
  for (const auto& [key, val] : cli_values)
    if (*val)
      if (std::string why = slurm_option_problem(key, **val); !why.empty())
        throw input_error(fmt::format("--slurm-{} '{}': {}", key, printable(**val), why));
  if (cli_slurm.extra)
    for (const auto& f : *cli_slurm.extra)
      if (std::string why = slurm_option_problem("extra", f); !why.empty())
        throw input_error(fmt::format("--slurm-extra '{}': {}", printable(f), why));
  output_dir dir(out, output_kind::sweep);
  const std::string abs_out = dir.target().string();
  if (emit_slurm) check_sbatch_path(abs_out);
  // Names this sweep in each point's report, so that a merge takes no earlier sweep's result
  std::random_device rd;
  const std::string sweep_id = fmt::format("{:08x}{:08x}", rd(), rd());
  slurm_options so;
  const std::vector<point> points = plan(file, abs_out, sweep_id, so);
  // The command line overrides the file, option by option
  for (auto [mine, theirs] : {std::pair{&so.time, &cli_slurm.time},
                              {&so.mem, &cli_slurm.mem},
                              {&so.partition, &cli_slurm.partition},
                              {&so.account, &cli_slurm.account}})
    if (*theirs) *mine = *theirs;
  if (cli_slurm.extra) so.extra = cli_slurm.extra;
  dir.claim_in_place();
  write_points(abs_out, points, sweep_id);
  if (emit_slurm) {
    write_slurm(file, abs_out, points, self, sweep_id, so);
    std::printf("igbsim sweep: %zu points written for Slurm: run %s/submit.sh\n", points.size(),
                abs_out.c_str());
    return 0;
  }
  // Run: up to `jobs` igbsim processes at a time. SIGINT/SIGTERM stops the sweep: no point
  // starts after it, the running ones get it too (each leaves a partial result), and what
  // there is gets merged; the exit status is 128 + the signal. (No SA_RESTART: the signal must
  // interrupt wait().)
  struct sigaction sa {};
  sa.sa_handler = [](int sig) { stop_signal = sig; };
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
  bool forwarded = false;
  std::map<pid_t, size_t> running;
  std::map<size_t, int> status;
  size_t next = 0;
  auto reap = [&] {
    int st = 0;
    const pid_t pid = ::wait(&st);
    if (pid <= 0) return;
    const size_t i = running.at(pid);
    running.erase(pid);
    status[i] = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    record_exit(abs_out, i, sweep_id, status[i]);
    std::printf("  point %03zu %s\n", i,
                status[i] == 0    ? "ok"
                : status[i] == 3  ? "violations"
                : status[i] > 128 ? "stopped"
                                  : "FAILED");
    std::fflush(stdout);
  };
  while ((!stop_signal && next < points.size()) || !running.empty()) {
    if (stop_signal && !forwarded) {
      for (const auto& [pid, i] : running) ::kill(pid, stop_signal);
      forwarded = true;
    }
    if (!stop_signal && next < points.size() && static_cast<int>(running.size()) < jobs) {
      const point& p = points[next];
      const std::string log = point_dir(abs_out, p.index) + ".log";
      const pid_t pid = ::fork();
      if (pid == 0) {
        if (std::FILE* f = std::freopen(log.c_str(), "w", stdout)) (void)f;
        ::dup2(STDOUT_FILENO, STDERR_FILENO);
        std::vector<char*> argv{const_cast<char*>(self.c_str())};
        for (const auto& a : p.args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        ::execv(self.c_str(), argv.data());
        std::_Exit(127);
      }
      if (pid < 0) throw std::runtime_error("cannot start a sweep point (fork failed)");
      running[pid] = p.index;
      ++next;
    } else {
      reap();
    }
  }
  std::ifstream pj(abs_out + "/points.json");
  const int rc = merge(abs_out, json::parse(pj), status, stop_signal != 0);
  plot_sweep(abs_out);
  if (stop_signal) {
    std::printf(
        "igbsim sweep: stopped by signal %d after %zu of %zu points; what ran is in %s/sweep.csv\n",
        static_cast<int>(stop_signal), status.size(), points.size(), abs_out.c_str());
    return 128 + stop_signal;
  }
  std::printf("igbsim sweep: %zu points, results in %s/sweep.csv\n", points.size(),
              abs_out.c_str());
  return rc;
}

int merge_sweep(const std::string& out) {
  // Only into a sweep's own folder, holding nothing of the user's, and not while a sweep
  // writes there (its lock): the merge writes sweep.csv and plots/ in place.
  const output_dir dir(out, output_kind::sweep, true);
  std::ifstream pj(out + "/points.json");
  if (!pj) throw input_error(out + ": no points.json (is it a sweep folder?)");
  json points;
  try {
    points = json::parse(pj);
    if (!points.is_array() || points.empty()) throw std::runtime_error("");
  } catch (const std::exception&) {
    throw input_error(out + "/points.json: not a sweep's list of points (the file is damaged)");
  }
  const int rc = merge(out, points, {}, false);
  plot_sweep(out);
  return rc;
}

}  // namespace igbsim
