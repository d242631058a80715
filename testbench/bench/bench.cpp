// SPDX-License-Identifier: Apache-2.0
// igbsim-bench: the speed figures of issue 8, printed and written to bench.json (or the path
// given as argument 1) so runs can be compared.
//   bare_rtl   the RTL alone in a bare C++ loop (rtl_harness: zero-latency memory, RDT kept
//              moving), fed 64-byte frames at 1 Gb/s line rate: cycles per wall second. The
//              4-queue build, the one the co-simulation uses with its default 4 queues.
//   cosim      the full co-simulation (igbsim run, waves off, 4 queues) on the same traffic:
//              RTL cycles ticked and covered (ticked + skipped) per wall second, both against
//              the bare loop's cycles per second, and simulated time per wall second.
//   tx_stream  a 64-byte send stream at line rate: simulated time per wall second, as a ratio
//              to the receive stream's (cosim); echo likewise, for an echo server under 64-byte
//              requests at line rate (both directions busy).
//   loads      wall seconds per simulated second at 1, 10, 50 and 100 % of line rate.
//   waves      a line-rate run with full FST waves, and with a short --waves-window at its
//              start (the rest of the run is outside the window), against waves off.
//   c10k       epoll, one ready socket per call, N = 10 .. 100,000 sockets: the simulator's
//              wall time per event, apart from the one-time setup of N sockets (the modelled
//              cost per call is in the report).
// Every run is a separate igbsim process: wall time is igbsim's own (report.json sim.wall_s,
// the simulation loop), peak resident memory is the process's (wait4). Short runs are taken
// as the best of 3, and so is the line-rate run.
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "rtl_harness.h"

extern char** environ;

using namespace igbsim;
using namespace igbsim::test;
using nlohmann::json;

namespace {

struct run_result {
  json report;
  double peak_rss_mb = 0;
};

// One igbsim run with its report and its peak resident memory; exits the bench on failure.
run_result igbsim_run(const std::string& out, const std::vector<std::string>& args) {
  std::vector<std::string> argv_s = {IGBSIM_BINARY, "run", "--quiet", "--out", out};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  if (posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ) != 0) {
    std::fprintf(stderr, "igbsim-bench: cannot start %s\n", argv[0]);
    std::exit(1);
  }
  posix_spawn_file_actions_destroy(&fa);
  int status = 0;
  rusage ru{};
  wait4(pid, &status, 0, &ru);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::string cmd;
    for (auto& a : argv_s) cmd += a + " ";
    std::fprintf(stderr, "igbsim-bench: this run failed: %s\n", cmd.c_str());
    std::exit(1);
  }
  std::ifstream f(out + "/report.json");
  return {json::parse(f), ru.ru_maxrss / 1024.0};
}

double wall(const json& r) { return r["sim"]["wall_s"].get<double>(); }
double sim_s(const json& r) { return r["sim"]["sim_time_ns"].get<double>() / 1e9; }

// The fastest of n identical runs (runs are deterministic; the machine is not): for the short
// runs, whose single wall times vary by tens of per cent on a shared machine.
run_result best_of(int n, const std::string& out, const std::vector<std::string>& args) {
  run_result best = igbsim_run(out, args);
  for (int i = 1; i < n; ++i) {
    run_result r = igbsim_run(out, args);
    if (wall(r.report) < wall(best.report)) best = std::move(r);
  }
  return best;
}

// 4. C10K: epoll, one ready fd per call, datagrams spread over N sockets. Each N runs twice,
//    with 2,000 and 20,000 datagrams: the difference is the cost per event without the
//    one-time cost of creating and registering N sockets (reported separately).
void bench_c10k_epoll(json& j) {
  json c = json::array();
  std::printf("c10k epoll, wall us per event (setup s):");
  for (int n : {10, 1000, 10000, 100000}) {
    double w[2] = {0, 0}, ev[2] = {0, 0}, rss = 0;
    for (int i = 0; i < 2; ++i) {
      const int frames = i == 0 ? 2000 : 20000;
      const run_result rr =
          best_of(3, fmt::format("bench-c10k-{}-{}", n, frames),
                  {std::string(IGBSIM_SOURCE_DIR) + "/scenarios/c10k_select.toml", "--set",
                   "app.kind=epoll", "--set", fmt::format("app.sockets={}", n), "--set",
                   fmt::format("traffic.flows={}", n), "--set",
                   fmt::format("traffic.frames={}", frames), "--set", "traffic.rate_pps=20000"});
      w[i] = wall(rr.report);
      ev[i] = rr.report["checks"]["delivered"].get<double>();
      rss = rr.peak_rss_mb;
    }
    const double per_event = (w[1] - w[0]) / (ev[1] - ev[0]);
    const double setup = w[0] - per_event * ev[0];
    c.push_back({{"sockets", n},
                 {"events", ev[1]},
                 {"wall_s", w[1]},
                 {"wall_us_per_event", 1e6 * per_event},
                 {"setup_wall_s", setup},
                 {"peak_rss_mb", rss}});
    std::printf("  N=%d: %.1f (%.2f)", n, 1e6 * per_event, setup);
  }
  j["c10k_epoll"] = c;
  const double first = c.front()["wall_us_per_event"], last = c.back()["wall_us_per_event"];
  j["c10k_epoll_growth_10_to_100000"] = last / first;
  std::printf("\nc10k epoll:           wall per event at N=100,000 is %.2f times N=10\n",
              last / first);
}

// 6. Bare RTL loop, last: a child's peak memory (wait4) is at least its parent's at the
//    spawn, so the bench stays small until every igbsim run is done
void bench_bare_rtl(json& j) {
  rtl_harness_t<Vigb_nic4> h;
  h.bring_up(256, 255);
  const auto frame = test_frame(64, 1);
  const uint64_t cycles = 20'000'000;
  const uint64_t frame_cycles = 84;  // 672 ns per 64-byte frame on the wire at 8 ns/cycle
  uint16_t rdt = 255;
  const auto t0 = std::chrono::steady_clock::now();
  for (uint64_t c = 0; c < cycles; ++c) {
    if (c % frame_cycles == 0) h.send(frame);
    if (c % 1008 == 0) {  // a driver that returns 12 buffers per 12 frames (1008 cycles)
      rdt = static_cast<uint16_t>((rdt + 12) % 256);
      h.write(E1000_RDT(0), rdt);
    }
    h.tick();
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  j["bare_rtl"] = {{"cycles", cycles},
                   {"wall_s", s},
                   {"cycles_per_s", cycles / s},
                   {"frames_written", h.writes.size() / 2}};
  std::printf("bare RTL loop:        %.2f M cycles/s (every cycle ticked)\n", cycles / s / 1e6);
  // Two ratios. Simulated cycles per wall second: what the co-simulation covers, skipped
  // cycles included (skipping is exact: the lockstep tests), against the bare loop's; this
  // is the cycle rate a study sees. Per ticked cycle: the co-simulation's cost per cycle it
  // evaluates, software included, against the bare loop's per cycle, most of which are idle.
  const double ticked = j["cosim"]["rtl_cycles_ticked_per_s"],
               covered = j["cosim"]["rtl_cycles_covered_per_s"];
  j["ratio_cosim_to_bare"] = ticked / (cycles / s);
  j["ratio_cosim_to_bare_covered"] = covered / (cycles / s);
  std::printf(
      "ratio co-sim / bare:  %.2f in simulated cycles per wall second; %.3f per ticked cycle\n",
      covered / (cycles / s), ticked / (cycles / s));
}

}  // namespace

int main(int argc, char** argv) {
  const std::string out_json = argc > 1 ? argv[1] : "bench.json";
  json j;

  // 1. Full co-simulation at 64-byte line rate, waves off (best of 3: a single run on a shared
  //    machine can be slowed by its neighbours)
  const std::vector<std::string> line = {"--set", "traffic.rate_pct=100", "--set",
                                         "traffic.frames=200000"};
  const run_result off = best_of(3, "bench-run", line);
  {
    const json& r = off.report;
    const double ticked = r["sim"]["rtl_cycles"], skipped = r["sim"]["rtl_cycles_skipped"];
    j["cosim"] = {{"frames", 200000},
                  {"sim_time_ns", r["sim"]["sim_time_ns"]},
                  {"wall_s", wall(r)},
                  {"sim_s_per_wall_s", sim_s(r) / wall(r)},
                  {"rtl_cycles_ticked_per_s", ticked / wall(r)},
                  {"rtl_cycles_covered_per_s", (ticked + skipped) / wall(r)},
                  {"rtl_cycles_ticked_per_frame", ticked / 200000},
                  {"peak_rss_mb", off.peak_rss_mb}};
    std::printf("co-simulation:        %.2f M RTL cycles/s ticked, %.2f M covered (with skipping), "
                "%.1f ticked per frame\n",
                ticked / wall(r) / 1e6, (ticked + skipped) / wall(r) / 1e6, ticked / 200000);
    std::printf("simulated time:       %.4f s per wall second (64-byte frames at line rate)\n",
                sim_s(r) / wall(r));
  }

  // 1b. The transmit half (issue 22): a 64-byte send stream at line rate (the sender
  //     application's own cost sets the rate it reaches), and echo (every frame received is
  //     sent back: both directions busy), each as simulated time per wall second against the
  //     receive stream's of step 1. Targets: 0.8 and 0.4.
  {
    const double rx = sim_s(off.report) / wall(off.report);
    const auto ratio_of = [&](const char* name, const char* out,
                              const std::vector<std::string>& args, double target) {
      const run_result rr = best_of(3, out, args);
      const double v = sim_s(rr.report) / wall(rr.report);
      j[name] = {{"sim_s_per_wall_s", v},
                 {"ratio_to_receive", v / rx},
                 {"target_ratio", target},
                 {"rtl_cycles_ticked", rr.report["sim"]["rtl_cycles"]},
                 {"sim_time_ns", rr.report["sim"]["sim_time_ns"]},
                 {"wall_s", wall(rr.report)}};
      std::printf("%-21s %.4f simulated s per wall second, %.2f times the receive stream's "
                  "(target %.1f)%s\n",
                  (std::string(name) + ":").c_str(), v, v / rx, target,
                  v / rx >= target ? "" : "  BELOW TARGET");
    };
    ratio_of(
        "tx_stream", "bench-tx",
        {"--set", "traffic.frames=0", "--set", "send.frames=100000", "--set", "send.rate_pct=100"},
        0.8);
    // Echo: 64-byte requests at line rate, each read answered through the send path; two
    // cores, so replies go out while requests come in (on one the receive softirq starves the
    // server: 0.5 % answered)
    ratio_of("echo", "bench-echo",
             {"--set", "traffic.rate_pct=100", "--set", "traffic.frames=100000", "--set",
              "app.reply=echo", "--set", "kernel.cores=2"},
             0.4);
  }

  // 2. Cost per simulated second across loads: a fixed stretch of simulated time per load
  {
    std::printf("wall s per simulated s, 64-byte frames:");
    json loads = json::array();
    double at1 = 0, at100 = 0;
    for (int pct : {1, 10, 50, 100}) {
      const double dur_us = pct == 1 ? 1e6 : pct == 10 ? 2e5 : 5e4;
      const run_result rr = best_of(3, fmt::format("bench-load-{}", pct),
                                    {"--set", fmt::format("traffic.rate_pct={}", pct), "--set",
                                     fmt::format("traffic.duration_us={}", dur_us)});
      const double per = wall(rr.report) / sim_s(rr.report);
      loads.push_back({{"load_pct", pct},
                       {"sim_s", sim_s(rr.report)},
                       {"wall_s", wall(rr.report)},
                       {"wall_s_per_sim_s", per},
                       {"frames", rr.report["wire"]["frames_offered"]}});
      if (pct == 1) at1 = per;
      if (pct == 100) at100 = per;
      std::printf("  %d %%: %.2f", pct, per);
    }
    j["loads"] = loads;
    j["line_rate_over_1pct"] = at100 / at1;
    std::printf("\nline rate / 1 %%:      %.1f times the wall time per simulated second\n",
                at100 / at1);
  }

  // 3. Waves: full FST, and a window of 100 us at the start, against waves off; 200,000
  //    line-rate frames (about 2 s waves off), each the best of 3.
  {
    const std::vector<std::string> base = {"--set", "traffic.rate_pct=100", "--set",
                                           "traffic.frames=200000"};
    std::vector<std::string> full = base, window = base;
    full.push_back("--waves");
    window.insert(window.end(), {"--waves-window", "0:100"});
    const run_result o = best_of(3, "bench-waves-off", base);
    const run_result w = best_of(3, "bench-waves", full);
    const run_result wwin = best_of(3, "bench-waves-window", window);
    const double s_off = wall(o.report), s_full = wall(w.report), s_win = wall(wwin.report);
    j["waves"] = {{"frames", 200000},
                  {"off_wall_s", s_off},
                  {"full_wall_s", s_full},
                  {"full_speed_vs_off", s_off / s_full},
                  {"window_wall_s", s_win},
                  {"window_overhead_vs_off", s_win / s_off - 1},
                  {"full_peak_rss_mb", w.peak_rss_mb}};
    std::printf("waves:                full FST at %.2f of waves-off speed; a 100 us window costs "
                "%+.1f %% over waves-off\n",
                s_off / s_full, 100 * (s_win / s_off - 1));
  }

  bench_c10k_epoll(j);  // 4. C10K epoll

  // 5. An idle hour: a capture with an hour of silence between its frames, checkers at their
  //    defaults. Skipped cycles and a checker that sleeps while nothing is pending make it
  //    cost milliseconds.
  {
    const std::string cap =
        std::string(IGBSIM_SOURCE_DIR) + "/testbench/fuzz/regressions/config/idle_hour.pcap";
    const run_result rr = best_of(3, "bench-idle-hour", {"--set", "traffic.pcap=" + cap});
    j["idle_hour"] = {{"sim_s", sim_s(rr.report)}, {"wall_s", wall(rr.report)}};
    std::printf("idle hour:            %.0f s simulated in %.3f s wall\n", sim_s(rr.report),
                wall(rr.report));
  }

  bench_bare_rtl(j);  // 6. bare RTL loop, last (see the function)

  std::ofstream(out_json) << j.dump(2) << "\n";
  std::printf("figures written to %s\n", out_json.c_str());
  return 0;
}
