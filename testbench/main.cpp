// igbsim: the command-line program. Subcommands: run, journey, params.
// Exit status: 0 success; 2 bad input (one line naming file, key and reason); 3 the run
// finished but a checker found a violation; 1 any other error.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <unistd.h>

#include <systemc>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "journey.h"
#include "params.h"
#include "sim.h"
#include "sweep.h"

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

int cmd_params() {
  params p;
  for (const auto& d : p.defs()) {
    std::string def;
    switch (d.def.index()) {
      case 0: def = std::get<bool>(d.def) ? "true" : "false"; break;
      case 1: def = std::to_string(std::get<int64_t>(d.def)); break;
      case 2: def = fmt::format("{}", std::get<double>(d.def)); break;
      default: def = std::get<std::string>(d.def);
    }
    std::printf("%-30s %-12s %-10s %s\n", d.key.c_str(), def.c_str(), d.unit.empty() ? "-" : d.unit.c_str(), d.meaning.c_str());
  }
  return 0;
}

int cmd_run(const std::string& scenario, const std::vector<std::string>& sets, std::string out, bool waves,
            int64_t seed, bool quiet, bool rx_pcap) {
  params p;
  p.load_string(kDefaultScenario, "<default scenario>");
  std::string name = "default";
  if (!scenario.empty()) {
    p.load_file(scenario);
    name = fs::path(scenario).stem().string();
  }
  for (const auto& s : sets) p.set(s);
  if (seed >= 0) p.set("sim.seed=" + std::to_string(seed));
  if (out.empty()) out = "out/" + name;

  // Write into a fresh folder beside the target and move it into place only when complete.
  const fs::path final_dir = fs::absolute(out);
  const fs::path tmp = final_dir.string() + ".tmp." + std::to_string(::getpid());
  std::error_code ec;
  fs::remove_all(tmp, ec);
  fs::create_directories(tmp, ec);
  if (ec) throw input_error(out + ": cannot create the output folder (" + ec.message() + ")");
  try {
    run_options o;
    o.outdir = tmp.string();
    o.waves = waves;
    o.quiet = quiet;
    o.rx_pcap = rx_pcap;
    run_outcome r = run_simulation(p, o);
    std::ofstream(tmp / "report.json") << r.report.dump(2) << "\n";
    std::ofstream(tmp / "scenario.toml") << p.to_toml();
    if (waves) {
      const fs::path src = fs::path(IGBSIM_SOURCE_DIR) / "waves";
      for (const auto& f : fs::directory_iterator(src))
        if (f.path().extension() == ".txt") fs::copy_file(f.path(), tmp / f.path().filename(), fs::copy_options::overwrite_existing);
      write_gtkw((tmp / "waves.gtkw").string(), (final_dir / "waves.gtkw").string(),
                 (final_dir / "waves.fst").string(), final_dir.string(), r.first_frame_ps,
                 static_cast<unsigned>(p.i("nic.queues")), static_cast<unsigned>(p.i("kernel.cores")));
    }
    fs::remove_all(final_dir, ec);
    fs::rename(tmp, final_dir);
    std::cout << r.summary << "  output     " << final_dir.string() << "\n";
    return r.violations ? 3 : 0;
  } catch (...) {
    fs::remove_all(tmp, ec);
    throw;
  }
}

int cmd_journey(const std::string& dir, uint64_t packet) {
  const fs::path csv = fs::path(dir) / "journey.csv";
  std::ifstream in(csv);
  if (!in) throw input_error(csv.string() + ": cannot read (is it the output folder of a run?)");
  std::string header, line;
  std::getline(in, header);
  auto split = [](const std::string& s) {
    std::vector<std::string> v;
    std::stringstream ss(s);
    std::string x;
    while (std::getline(ss, x, ',')) v.push_back(x);
    if (!s.empty() && s.back() == ',') v.emplace_back();
    return v;
  };
  const auto cols = split(header);
  if (cols.size() != 2 + 2 * kSteps || cols[0] != "frame") throw input_error(csv.string() + ": not an igbsim journey file");
  while (std::getline(in, line)) {
    const auto v = split(line);
    if (v.size() != cols.size() || std::stoull(v[0]) != packet) continue;
    std::printf("frame %llu: %s\n", static_cast<unsigned long long>(packet), v[1].c_str());
    std::printf("  %-20s %14s %12s  %s\n", "step", "time (ns)", "delta (ns)", "app task");
    double prev = -1;
    for (size_t i = 0; i < kSteps; ++i) {
      const std::string& t = v[2 + i];
      const std::string& st = v[2 + kSteps + i];
      const char* state = st == "R" ? "running" : st == "r" ? "runnable" : st == "S" ? "sleeping" : "-";
      if (t.empty()) {
        std::printf("  %-20s %14s %12s  %s\n", step_name(step(i)), "-", "", "");
        continue;
      }
      const double x = std::stod(t);
      if (prev < 0) std::printf("  %-20s %14.3f %12s  %s\n", step_name(step(i)), x, "", state);
      else std::printf("  %-20s %14.3f %12.3f  %s\n", step_name(step(i)), x, x - prev, state);
      prev = x;
    }
    return 0;
  }
  throw input_error(csv.string() + ": no frame " + std::to_string(packet));
}

}  // namespace

int sc_main(int argc, char* argv[]) {
  sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  CLI::App app{"igbsim: co-simulation of an igb-class NIC and the Linux receive path"};
  app.require_subcommand(1);
  std::string scenario, out, dir;
  std::vector<std::string> sets;
  bool waves = false, quiet = false, rx_pcap = false;
  int64_t seed = -1;
  uint64_t packet = 0;
  auto* run = app.add_subcommand("run", "run a scenario (the embedded default without SCENARIO)");
  run->add_option("scenario", scenario, "scenario file (TOML)");
  run->add_option("--set", sets, "override a parameter: table.key=value")->allow_extra_args(false);
  run->add_option("--out", out, "output folder (default out/<scenario name>)");
  run->add_flag("--waves", waves, "write waves.fst and waves.gtkw");
  run->add_option("--seed", seed, "random seed (same as --set sim.seed=N)");
  run->add_flag("--quiet", quiet, "no progress line");
  run->add_flag("--rx-pcap", rx_pcap, "write rx.pcap: the frames delivered to sockets");
  auto* jr = app.add_subcommand("journey", "print one frame's steps from the wire to read()");
  jr->add_option("dir", dir, "output folder of a run")->required();
  jr->add_option("--packet", packet, "frame id (default 0)");
  auto* pr = app.add_subcommand("params", "list every parameter with its default, unit and meaning");
  std::string sweep_file, merge_dir;
  int jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  bool emit_slurm = false;
  auto* sw = app.add_subcommand("sweep", "run a sweep: a base scenario and axes, one process per point");
  sw->add_option("sweep", sweep_file, "sweep file (TOML: base, [set], [axes])");
  sw->add_option("--jobs", jobs, "points run at once (default: the number of cores)")->check(CLI::Range(1, 1024));
  sw->add_option("--out", out, "output folder (default out/<sweep name>)");
  sw->add_flag("--emit-slurm", emit_slurm, "write a Slurm job array and merge step instead of running");
  sw->add_option("--merge", merge_dir, "merge a finished (Slurm) sweep folder into sweep.csv");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "igbsim: %s\n", e.what());
    return 2;
  }
  try {
    if (*pr) return cmd_params();
    if (*jr) return cmd_journey(dir, packet);
    if (*sw) {
      if (!merge_dir.empty()) return merge_sweep(merge_dir);
      if (sweep_file.empty()) throw input_error("sweep: a sweep file is required (or --merge DIR)");
      if (out.empty()) out = "out/" + fs::path(sweep_file).stem().string();
      return run_sweep(sweep_file, jobs, out, emit_slurm, fs::canonical("/proc/self/exe").string());
    }
    return cmd_run(scenario, sets, out, waves, seed, quiet, rx_pcap);
  } catch (const input_error& e) {
    std::fprintf(stderr, "igbsim: %s\n", e.what());
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
