// SPDX-License-Identifier: Apache-2.0
// igbsim: the command-line program. Subcommands: run, sweep, journey, waves, params.
// Exit status: 0 success; 2 bad input (one line naming file, key and reason); 3 the run
// finished but a checker found a violation; 1 any other error.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <systemc>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <chrono>
#include <optional>
#include <regex>
#include <cmath>
#include <csignal>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "human_time.h"
#include "journey_rows.h"
#include "outdir.h"
#include "params.h"
#include "run_config.h"
#include "sim.h"
#include "sweep.h"
#include "traffic.h"
#include "waves_cmd.h"

namespace fs = std::filesystem;
using namespace igbsim;

namespace {

// The embedded default: one UDP flow of 64-byte frames at 30 % of line rate, long enough
// for several interrupts and NAPI polls.
const char* kDefaultScenario = R"(
[traffic]
protocol = "udp"
flows = 1
frame_bytes = 64
rate_pct = 30.0
frames = 3000
)";

// `params --json`: the table as data (key, type, default, unit, range, choices, meaning), for
// tools that draw scenarios from it (scripts/fuzz_config.py).
int cmd_params_json() {
  params p;
  nlohmann::json out = nlohmann::json::array();
  for (const auto& d : p.defs()) {
    if (d.hidden) continue;
    nlohmann::json e{{"key", d.key}, {"unit", d.unit}, {"meaning", d.meaning}};
    static const char* const types[] = {"bool", "int", "float", "string"};
    e["type"] = d.number_or_choice ? "string_or_number" : types[d.def.index()];
    std::visit([&](const auto& v) { e["default"] = v; }, d.def);
    if (d.min < d.max && !d.number_or_choice) e["range"] = {d.min, d.max};
    if (d.number_or_choice) {
      e["number_range"] = {d.min, d.max};
      if (d.multiple_of == 1) e["number_integer"] = true;
    }
    if (!d.choices.empty()) e["choices"] = d.choices;
    if (d.multiple_of > 0 && !d.number_or_choice) e["multiple_of"] = d.multiple_of;
    out.push_back(e);
  }
  std::cout << out.dump(1) << "\n";
  return 0;
}

int cmd_params() {
  params p;
  for (const auto& d : p.defs()) {
    if (d.hidden) continue;
    std::string def;
    switch (d.def.index()) {
      case 0: def = std::get<bool>(d.def) ? "true" : "false"; break;
      case 1: def = std::to_string(std::get<int64_t>(d.def)); break;
      case 2: def = fmt::format("{}", std::get<double>(d.def)); break;
      default: def = std::get<std::string>(d.def);
    }
    std::printf("%-30s %-12s %-10s %s\n", d.key.c_str(), def.c_str(),
                d.unit.empty() ? "-" : d.unit.c_str(), d.meaning.c_str());
  }
  return 0;
}

struct wave_opts {
  std::string window;          // START:END in us
  std::string trigger;         // event name
  bool trigger_given = false;  // --waves-trigger on the command line (even as "")
  double pre_us = 50, post_us = 200;
};

// --waves-trigger: a first run without waves, in a child process (one SystemC elaboration per
// process), finds when the event first happens; the simulation is deterministic, so the real
// run then records exactly the window around it. Returns the event's time in us, or < 0.
double find_trigger(const std::string& scenario, const std::vector<std::string>& sets, int64_t seed,
                    const std::string& event, const fs::path& scratch) {
  std::vector<std::string> args = {fs::canonical("/proc/self/exe").string(), "run"};
  if (!scenario.empty()) args.push_back(scenario);
  for (const auto& s : sets) args.insert(args.end(), {"--set", s});
  if (seed >= 0) args.insert(args.end(), {"--seed", std::to_string(seed)});
  args.insert(args.end(), {"--quiet", "--journey", "off", "--out", scratch.string()});
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, STDOUT_FILENO);
    ::dup2(null, STDERR_FILENO);
    ::execv(argv[0], argv.data());
    std::_Exit(127);
  }
  if (pid < 0)
    throw std::runtime_error("--waves-trigger: cannot start the first run (fork failed)");
  // A signal (the caller's handler sets stop_signal) goes on to the first run, which stops;
  // the caller then ends as an interrupted run.
  int st = 0;
  bool forwarded = false;
  while (::waitpid(pid, &st, WNOHANG) == 0) {
    if (stop_signal && !forwarded) {
      ::kill(pid, stop_signal);
      forwarded = true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (stop_signal) {
    std::error_code ec;
    fs::remove_all(scratch, ec);
    return -2;
  }
  if (!WIFEXITED(st) || (WEXITSTATUS(st) != 0 && WEXITSTATUS(st) != 3))
    throw std::runtime_error(
        "--waves-trigger: the first run failed (run it without the trigger to see why)");
  std::ifstream f(scratch / "report.json");
  const auto rep = nlohmann::json::parse(f);
  std::error_code ec;
  fs::remove_all(scratch, ec);
  const auto& ev = rep["events_first_ns"];
  return ev.contains(event) ? ev[event].get<double>() / 1000.0 : -1;
}

// A number given on the command line.
double parse_number(const std::string& text, const std::string& what) {
  const std::optional<double> x = finite_number(text);
  if (!x) throw input_error(what + ": '" + text + "' is not a finite number");
  return *x;
}

void on_stop_signal(int sig) {
  if (stop_signal) {  // a second Ctrl-C: stop now; the next run removes the temporary folder
    std::signal(sig, SIG_DFL);
    std::raise(sig);
  }
  stop_signal = sig;
}

// The output folder when --out is not given: out/ and the file's name without its extension
// ("default" without a file); a name that is no folder name ("..toml") becomes `fallback`.
std::string default_out(const std::string& file, const char* fallback) {
  if (file.empty()) return "out/default";
  const std::string name = fs::path(file).stem().string();
  return "out/" + (name.find_first_not_of('.') == std::string::npos ? std::string(fallback) : name);
}

// The run's waves.gtkw (and the translate filters beside it), opening on the triggering event
// (trigger_us >= 0), else the first complete interrupt cycle of the busiest queue, else the
// first frame at GTKWave's default zoom
void write_waves_save_file(const fs::path& tmp, const fs::path& final_dir, const run_outcome& r,
                           double win_start_us, double trigger_us, const std::string& trigger) {
  const fs::path src = fs::path(IGBSIM_SOURCE_DIR) / "waves";
  for (const auto& f : fs::directory_iterator(src))
    if (f.path().extension() == ".txt")
      fs::copy_file(f.path(), tmp / f.path().filename(), fs::copy_options::overwrite_existing);
  const std::string fst = (tmp / "waves.fst").string();
  waves_view view{
      std::max<uint64_t>(r.first_frame_ps, static_cast<uint64_t>(win_start_us * 1e6)), 0, {}};
  if (trigger_us >= 0)
    view = view_around({{static_cast<uint64_t>(trigger_us * 1e6), "trigger: " + trigger}});
  else if (auto cycle = first_interrupt_cycle(fst, r.layout); !cycle.empty())
    view = view_around(cycle);
  write_gtkw((tmp / "waves.gtkw").string(), (final_dir / "waves.gtkw").string(),
             (final_dir / "waves.fst").string(), final_dir.string(), view, r.layout);
}

int cmd_run(const std::string& scenario, const std::vector<std::string>& sets, std::string out,
            bool waves, int64_t seed, bool quiet, bool rx_pcap, bool tx_pcap, const wave_opts& wo,
            bool plots, const std::string& sweep_point, const std::optional<std::string>& journey,
            double progress_every_s) {
  double win_start = 0, win_end = -1;
  if (!wo.window.empty()) {
    const auto colon = wo.window.find(':');
    if (colon == std::string::npos)
      throw input_error("--waves-window " + wo.window + ": expected START:END in microseconds");
    win_start = parse_number(wo.window.substr(0, colon), "--waves-window START");
    win_end = parse_number(wo.window.substr(colon + 1), "--waves-window END");
    if (win_start < 0 || win_end <= win_start)
      throw input_error("--waves-window " + wo.window + ": END must be after START, both >= 0");
    if (win_start > kMaxSimSeconds * 1e6)
      throw input_error(fmt::format("--waves-window {}: START is past the longest run ({:.0f} us)",
                                    wo.window, kMaxSimSeconds * 1e6));
    win_end = std::min(win_end, kMaxSimSeconds * 1e6);  // past the longest run: to the end
    waves = true;
  }
  if (wo.trigger_given) {
    bool known = false;
    for (const char* t : kWaveEvents) known |= wo.trigger == t;
    if (!known)
      throw input_error("--waves-trigger '" + wo.trigger + "': not one of " + wave_event_list() +
                        wave_event_hint(wo.trigger));
    const double most = kMaxSimSeconds * 1e6;
    if (!std::isfinite(wo.pre_us) || wo.pre_us < 0 || wo.pre_us > most)
      throw input_error(fmt::format("--waves-pre {}: us before the event, 0 to {:.0f} (the "
                                    "longest run)",
                                    wo.pre_us, most));
    if (!std::isfinite(wo.post_us) || wo.post_us <= 0 || wo.post_us > most)
      throw input_error(fmt::format("--waves-post {}: us after the event, above 0 and at most "
                                    "{:.0f} (the longest run)",
                                    wo.post_us, most));
    waves = true;
  }
  params p;
  p.load_string(kDefaultScenario, "<default scenario>");
  if (!scenario.empty()) p.load_file(scenario);
  for (const auto& s : sets) p.set(s);
  if (seed >= 0) p.set("sim.seed=" + std::to_string(seed));
  if (journey) {  // --journey: sim.journey, over the scenario's and --set's
    std::string why;
    if (!journey_every(*journey, why)) throw input_error("--journey " + *journey + ": " + why);
    p.set("sim.journey=" + *journey);
  }
  if (out.empty()) out = default_out(scenario, "scenario");

  // Write into a fresh folder beside the target and move it into place only when complete.
  output_dir dir(out, output_kind::run);
  const fs::path final_dir = dir.target();
  std::string trigger_note;
  double trigger_us = -1;  // the --waves-trigger event's time, when it happened
  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
  if (!wo.trigger.empty()) {
    const double t = find_trigger(scenario, sets, seed, wo.trigger, dir.scratch("trigger"));
    if (stop_signal) {
      std::fprintf(stderr,
                   "igbsim: interrupted during --waves-trigger's first run; nothing written\n");
      return 128 + stop_signal;
    }
    if (t < 0) {
      waves = false;
      trigger_note = "  waves      no " + wo.trigger + " event happened: no waveform written\n";
    } else {
      trigger_us = t;
      win_start = std::max(0.0, t - wo.pre_us);
      win_end = t + wo.post_us;
      trigger_note = fmt::format("  waves      {} at {:.3f} us: recorded {:.3f}..{:.3f} us\n",
                                 wo.trigger, t, win_start, win_end);
    }
  }
  const fs::path tmp = dir.make_temp();
  try {
    run_options o;
    o.outdir = tmp.string();
    o.waves = waves;
    o.quiet = quiet;
    o.progress_every_s = progress_every_s;
    o.rx_pcap = rx_pcap;
    o.tx_pcap = tx_pcap;
    o.plots = plots;
    o.waves_start_us = win_start;
    o.waves_end_us = win_end;
    // A run that cannot finish: exit 1, no output, the earlier result (if any) kept
    const auto fail = [&](const std::string& what) {
      std::fprintf(stderr, "igbsim: error: %s\n", what.c_str());
      if (dir.replaces_earlier())
        std::fprintf(stderr, "igbsim: %s was not changed: it still holds an earlier run's result\n",
                     final_dir.c_str());
      return 1;
    };
    run_outcome r = run_simulation(p, o);
    if (!r.error.empty()) return fail(r.error);
    if (!sweep_point.empty()) r.report["sweep_point"] = sweep_point;
    // Written whole or not at all: a full disk must not put a truncated report in place of an
    // earlier result (errors after the simulation are returned, not thrown; see run_outcome)
    for (const auto& [name, text] :
         {std::pair<const char*, std::string>{"report.json", r.report.dump(2) + "\n"},
          {"scenario.toml", p.to_toml()}}) {
      std::ofstream f(tmp / name);
      f << text;
      f.close();
      if (!f)
        return fail(
            fmt::format("cannot write {}: {}", (tmp / name).string(), std::strerror(errno)));
    }
    // A --waves-window that starts after the run's end recorded nothing: no waveform, said
    // as a trigger that never fired says it
    const double end_us = r.report["sim"]["sim_time_ns"].get<double>() / 1000.0;
    if (waves && win_end > 0 && win_start > end_us) {
      waves = false;
      fs::remove(tmp / "waves.fst");
      trigger_note = fmt::format(
          "  waves      the window starts at {:.3f} us, after the run's end at {:.3f} us: no "
          "waveform written\n",
          win_start, end_us);
    }
    if (waves) write_waves_save_file(tmp, final_dir, r, win_start, trigger_us, wo.trigger);
    dir.commit();
    std::cout << r.summary << trigger_note << "  output     " << final_dir.string() << "\n";
    if (r.interrupted_by) {
      std::cout << "  INCOMPLETE " << r.report.value("incomplete_reason", std::string()) << "\n"
                << "             the output folder holds this partial result (report.json: "
                   "\"complete\": false)\n";
      return 128 + r.interrupted_by;
    }
    return r.violations ? 3 : 0;
  } catch (...) {
    if (dir.replaces_earlier())
      std::fprintf(stderr, "igbsim: %s was not changed: it still holds an earlier run's result\n",
                   final_dir.c_str());
    throw;
  }
}

// igbsim journey DIR --packet N: a received frame's steps from journey.csv
int cmd_journey(const std::string& dir, const std::string& packet_arg) {
  const rx_journey_row r = read_rx_journey(dir, packet_arg);
  std::printf("frame %llu: %s\n", static_cast<unsigned long long>(r.frame), r.fate.c_str());
  std::printf("  %-20s %-8s %14s %10s  %-17s  %s\n", "step", "at", "time (ms)", "delta", "from",
              "app task");
  for (size_t i = 0; i < kSteps; ++i) {
    const std::string& st = r.task[i];
    const char* state = st == "R"   ? "running"
                        : st == "r" ? "runnable"
                        : st == "S" ? "sleeping"
                                    : "-";
    const char* at = step_ref_name(step_at(step(i)));
    if (r.ns[i] < 0) {
      std::printf("  %-20s %-8s %14s\n", step_name(step(i)), at, "-");
      continue;
    }
    const size_t b = delta_base(r.ns, i);
    std::printf("  %-20s %-8s %14.6f %10s  %-17s  %s\n", step_name(step(i)), at, r.ns[i] / 1e6,
                b == kSteps ? "" : human_time(r.ns[i] - r.ns[b]).c_str(),
                b == kSteps ? "" : step_name(step(b)), state);
  }
  const double first = r.ns[size_t(step::wire_end)], last = r.ns[size_t(step::read_return)];
  if (first >= 0 && last >= first)
    std::printf("  end to end: wire_end -> read_return %s (the host chain's deltas add up to "
                "it)\n",
                human_time(last - first).c_str());
  std::printf(
      "  legend: time: ms since the run began. '-': the frame did not pass that step (no time).\n"
      "  delta: from the step under 'from', the frame's latest earlier step on the same chain:\n"
      "  desc_wb_nic and msix_nic from the NIC port's step before them, every other step from\n"
      "  the host's or CPU's step before it; wire_end begins both chains and has no delta.\n"
      "  at: where the time is taken (NIC port: as the waveform shows it; host: visible in\n"
      "  host memory, or the interrupt message at the CPU; CPU: on a processor).\n"
      "  app task: the state at the step of the application thread that read the frame (a\n"
      "  frame no thread read: of its first thread, server/0).\n");
  return 0;
}

// igbsim journey DIR --datagram N: a sent datagram's steps from tx_journey.csv, from sendmsg to
// the completion that freed it.
int cmd_tx_journey(const std::string& dir, const std::string& datagram_arg) {
  const tx_journey_row r = read_tx_journey(dir, datagram_arg);
  std::printf("datagram %llu%s: %s, transmit queue %s\n",
              static_cast<unsigned long long>(r.datagram),
              r.source.empty() ? "" : (" (" + r.source + ")").c_str(), r.fate.c_str(),
              r.queue.empty() ? "-" : r.queue.c_str());
  std::printf("  %-14s %-8s %14s %10s  %s\n", "step", "at", "time (ms)", "delta", "from");
  for (size_t i = 0; i < kTxSteps; ++i) {
    const tx_step s = tx_step(i);
    if (r.ns[i] < 0) {
      std::printf("  %-14s %-8s %14s\n", tx_step_name(s), tx_step_at(s), "-");
      continue;
    }
    const size_t b = tx_delta_base(r.ns, i);
    if (b == kTxSteps)  // the first step: no delta
      std::printf("  %-14s %-8s %14.6f\n", tx_step_name(s), tx_step_at(s), r.ns[i] / 1e6);
    else
      std::printf("  %-14s %-8s %14.6f %10s  %s\n", tx_step_name(s), tx_step_at(s), r.ns[i] / 1e6,
                  human_time(r.ns[i] - r.ns[b]).c_str(), tx_step_name(tx_step(b)));
  }
  std::printf(
      "  legend: time: ms since the run began. '-': the datagram did not pass that step (no\n"
      "  time). delta: from the step under 'from', the latest earlier step it passed, except\n"
      "  that wire_end and dd_writeback both count from data_read (the NIC writes DD back once\n"
      "  the data is in its packet buffer, so igb may free a datagram before its frame is off\n"
      "  the wire) and clean counts from dd_writeback; sendmsg has no delta, and a step\n"
      "  whose base step has no time has none either.\n"
      "  at: where the time is taken (CPU: on a processor, tdt_write when the register write\n"
      "  leaves it; NIC port: the read completion or write-back at the NIC's memory port, as\n"
      "  the waveform shows it; wire: the frame's last bit).\n");
  return 0;
}

// `igbsim waves`' options as its request: --packet, --datagram, --at, --event (opts and
// values in that order), --png
waves_request waves_request_of(const std::string& dir, const std::vector<CLI::Option*>& opts,
                               const std::array<std::string, 4>& values, const CLI::Option* png,
                               const std::string& png_file) {
  waves_request w{dir, {}, {}, {}, {}, {}};
  std::optional<std::string>* fields[] = {&w.packet, &w.datagram, &w.at, &w.event};
  for (size_t i = 0; i < opts.size() && i < 4; ++i)
    if (opts[i]->count()) *fields[i] = values[i];
  if (png->count()) w.png = png_file;
  return w;
}

// A command line CLI11 refuses: one line, exit status 2. CLI11's "--packet: At Most 1
// required but received 2" in words: an option given twice.
int command_line_error(const CLI::ParseError& e) {
  std::string what = e.what();
  static const std::regex twice(R"((\S+): At Most 1 required but received (\d+))");
  std::smatch m;
  if (std::regex_search(what, m, twice))
    what = fmt::format("{} given {} times: give it once", m[1].str(), m[2].str());
  std::fprintf(stderr, "igbsim: %s\n", what.c_str());
  return 2;
}

// An option given as "--out=" with nothing after the '=' (CLI11 would take the next argument
// as its value): the argument, else nullptr
const char* empty_option_value(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a.size() > 3 && a.substr(0, 2) == "--" && a.back() == '=' && a.find('=') == a.size() - 1)
      return argv[i];
  }
  return nullptr;
}

// An empty folder given (--out "", --merge "", a run's folder ""): refused, not the default
// taken (for --merge, the sweep run instead; for a run's folder, the current one read)
void refuse_empty_paths(
    std::initializer_list<std::pair<const CLI::Option*, const std::string*>> given) {
  for (const auto& [o, v] : given)
    if (o->count() && v->empty())
      throw input_error(o->get_name().rfind('-', 0) == 0
                            ? fmt::format("{}: an empty path; name the folder (or leave {} out)",
                                          o->get_name(), o->get_name())
                            : std::string("an empty path for the run's folder; name it"));
}

void exclude_each_other(const std::vector<CLI::Option*>& opts) {
  for (CLI::Option* a : opts)
    for (CLI::Option* b : opts)
      if (a != b) a->excludes(b);
}

int empty_value_error(const char* arg) {
  std::fprintf(stderr, "igbsim: %s: an empty value\n", arg);
  return 2;
}

// --seed as typed: 0..4294967295, else refused naming what was typed
int64_t seed_of(const std::string& text) {
  uint64_t v = 0;
  const char* b = text.data();
  const auto [end, ec] = std::from_chars(b, b + text.size(), v);
  if (ec != std::errc() || end != b + text.size() || v > 4294967295ull)
    throw input_error(fmt::format("--seed {}: must be 0..4294967295", text));
  return static_cast<int64_t>(v);
}

}  // namespace

int sc_main(int argc, char* argv[]) {
  sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  CLI::App app{"igbsim: co-simulation of an igb-class NIC and the Linux receive path"};
  app.require_subcommand(1);
  std::string scenario, out, dir;
  std::vector<std::string> sets;
  bool waves = false, quiet = false, rx_pcap = false, tx_pcap = false, plots = false;
  std::string seed_text, packet = "0";  // --seed as typed (seed_of)
  auto* run = app.add_subcommand("run", "run a scenario (the embedded default without SCENARIO)");
  run->add_option("scenario", scenario, "scenario file (TOML)");
  run->add_option("--set", sets, "override a parameter: table.key=value")->allow_extra_args(false);
  auto* run_out = run->add_option("--out", out, "output folder (default out/<scenario name>)");
  run->add_flag("--waves", waves, "write waves.fst and waves.gtkw");
  auto* seed_opt =
      run->add_option("--seed", seed_text, "random seed 0..4294967295 (same as --set sim.seed=N)");
  run->add_flag("--quiet", quiet, "no progress line");
  double progress_every = 10;
  auto* progress_opt = run->add_option(
      "--progress-every", progress_every,
      "seconds of wall time between progress lines where stderr is no terminal (a log; "
      "default 10)");
  run->add_flag("--rx-pcap", rx_pcap, "write rx.pcap: the frames delivered to sockets");
  run->add_flag("--tx-pcap", tx_pcap,
                "write tx.pcap: the frames the NIC sent on its wire (with a sender, send.*, an "
                "echo server, app.reply = echo, or PAUSE frames; refused when nothing sends)");
  run->add_flag("--plots", plots,
                "write plots/*.png (gnuplot): latency CDF and per-step breakdown");
  wave_opts wo;
  run->add_option("--waves-window", wo.window,
                  "record waves only for START:END (us of simulated time)");
  auto* trigger_opt =
      run->add_option("--waves-trigger", wo.trigger,
                      "record waves only around the first EVENT: rnbc, mpc, rqdpc, drop, "
                      "budget_exhausted, violation");
  run->add_option("--waves-pre", wo.pre_us,
                  "with --waves-trigger: us before the event (default 50)");
  run->add_option("--waves-post", wo.post_us,
                  "with --waves-trigger: us after the event (default 200)");
  std::string journey, sweep_point;
  auto* journey_opt = run->add_option(
      "--journey", journey,
      "journey.csv / tx_journey.csv: all (default, a row per frame and datagram), off (neither "
      "file) or sample=N (frames 0, N, 2N ..., datagrams 1, N+1 ...); same as --set "
      "sim.journey=...");
  run->add_option("--sweep-point", sweep_point,
                  "set by igbsim sweep: the sweep and point this run is, recorded in report.json");
  auto* jr = app.add_subcommand(
      "journey", "print one frame's steps from the wire to read(), or a sent datagram's");
  auto* jr_dir = jr->add_option("dir", dir, "output folder of a run")->required();
  auto* pk = jr->add_option("--packet", packet, "frame id (default 0)");
  std::string datagram;
  auto* dg = jr->add_option("--datagram", datagram,
                            "a sent datagram's steps instead (tx_journey.csv's datagram number)")
                 ->excludes(pk);
  auto* pr =
      app.add_subcommand("params", "list every parameter with its default, unit and meaning");
  bool params_json = false, emit_slurm = false;
  pr->add_flag("--json", params_json,
               "the same as JSON, with each parameter's type, range and choices");
  auto* wv = app.add_subcommand(
      "waves",
      "open a run's waveform in GTKWave on a frame's journey, a sent datagram's, a time or an "
      "event; --png draws the view into a picture instead");
  std::string waves_dir, w_packet, w_datagram, w_at, w_event, w_png;
  auto* wv_dir = wv->add_option("dir", waves_dir, "a run's folder, made with --waves")->required();
  const std::vector<CLI::Option*> w_opts = {
      wv->add_option("--packet", w_packet,
                     "frame N's journey: a marker at each of its steps (journey.csv)"),
      wv->add_option("--datagram", w_datagram,
                     "sent datagram N's journey: a marker at each of its steps (tx_journey.csv)"),
      wv->add_option("--at", w_at, "20 us around a time, with its unit: 150us, 1.5ms, 150000ns"),
      wv->add_option("--event", w_event,
                     "20 us around the first event of a kind: " + wave_event_list())};
  exclude_each_other(w_opts);
  auto* w_png_opt = wv->add_option(
      "--png", w_png, "draw the view into this PNG (GTKWave under Xvfb) instead of opening it");
  std::string sweep_file, merge_dir;
  int jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  auto* sw =
      app.add_subcommand("sweep", "run a sweep: a base scenario and axes, one process per point");
  sw->add_option("sweep", sweep_file, "sweep file (TOML: base, [set], [axes])");
  sw->add_option("--jobs", jobs, "points run at once (default: the number of cores)")
      ->check(CLI::Range(1, 1024));
  auto* sweep_out = sw->add_option("--out", out, "output folder (default out/<sweep name>)");
  auto* emit_opt = sw->add_flag("--emit-slurm", emit_slurm,
                                "write a Slurm job array and merge step instead of running");
  // Passed to sbatch as #SBATCH lines; each overrides the sweep file's [slurm] key of its name
  slurm_options slurm;
  std::string s_time, s_mem, s_partition, s_account;
  std::vector<std::string> s_extra;
  const std::vector<CLI::Option*> slurm_opts = {
      sw->add_option("--slurm-time", s_time,
                     "time limit of each point's task: minutes, HH:MM:SS or D-HH:MM:SS"),
      sw->add_option("--slurm-mem", s_mem, "memory of each point's task: 4G, 4000M"),
      sw->add_option("--slurm-partition", s_partition, "partition of the array and the merge"),
      sw->add_option("--slurm-account", s_account, "account of the array and the merge"),
      sw->add_option("--slurm-extra", s_extra,
                     "another sbatch flag for the array and the merge, one per option: "
                     "--slurm-extra=--qos=long (repeatable)")
          ->allow_extra_args(false)};
  for (CLI::Option* o : slurm_opts) o->needs(emit_opt);
  auto* merge_opt = sw->add_option("--merge", merge_dir, "merge a finished sweep folder's points");
  if (const char* empty = empty_option_value(argc, argv)) return empty_value_error(empty);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return command_line_error(e);
  }
  try {
    if (*pr) return params_json ? cmd_params_json() : cmd_params();
    refuse_empty_paths({{run_out, &out},
                        {sweep_out, &out},
                        {merge_opt, &merge_dir},
                        {jr_dir, &dir},
                        {wv_dir, &waves_dir}});
    if (*wv)
      return cmd_waves(waves_request_of(waves_dir, w_opts, {w_packet, w_datagram, w_at, w_event},
                                        w_png_opt, w_png));
    if (*jr) return dg->count() ? cmd_tx_journey(dir, datagram) : cmd_journey(dir, packet);
    if (*sw) {
      if (!merge_dir.empty()) return merge_sweep(merge_dir);
      if (sweep_file.empty()) throw input_error("sweep: a sweep file is required (or --merge DIR)");
      if (out.empty()) out = default_out(sweep_file, "sweep");
      std::optional<std::string>* given[] = {&slurm.time, &slurm.mem, &slurm.partition,
                                             &slurm.account};
      const std::string* values[] = {&s_time, &s_mem, &s_partition, &s_account};
      for (size_t i = 0; i < 4; ++i)
        if (slurm_opts[i]->count()) *given[i] = *values[i];
      if (slurm_opts[4]->count()) slurm.extra = s_extra;
      return run_sweep(sweep_file, jobs, out, emit_slurm, fs::canonical("/proc/self/exe").string(),
                       slurm);
    }
    if (progress_opt->count() && !(progress_every >= 0.1 && progress_every <= 86400))
      throw input_error(fmt::format(
          "--progress-every {}: seconds between progress lines, 0.1 to 86400", progress_every));
    wo.trigger_given = trigger_opt->count() > 0;
    return cmd_run(scenario, sets, out, waves, seed_opt->count() ? seed_of(seed_text) : -1, quiet,
                   rx_pcap, tx_pcap, wo, plots, sweep_point,
                   journey_opt->count() ? std::optional<std::string>(journey) : std::nullopt,
                   progress_every);
  } catch (const input_error& e) {
    std::fprintf(stderr, "igbsim: %s\n", printable(e.what()).c_str());  // one line, always
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "igbsim: error: %s\n", e.what());
    return 1;
  }
}

// Our own main: SystemC prints its banner when the kernel starts unless told not to.
int main(int argc, char* argv[]) {
  ::setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
  return sc_core::sc_elab_and_sim(argc, argv);
}
