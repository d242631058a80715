// igbsim-bench: speed of the co-simulation against the bare RTL.
//   1. The RTL alone in a bare C++ loop (rtl_harness: zero-latency memory, RDT kept moving),
//      fed 64-byte frames at 1 Gb/s line rate: cycles per wall second.
//   2. The full co-simulation (igbsim run, waves off) on the same traffic: simulated time per
//      wall second and RTL cycles per wall second.
// Prints the figures and writes them to bench.json (or the path given as argument 1).
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "rtl_harness.h"

using namespace igbsim;
using namespace igbsim::test;

int main(int argc, char** argv) {
  const std::string out_json = argc > 1 ? argv[1] : "bench.json";
  nlohmann::json j;

  // 1. Bare RTL loop
  {
    rtl_harness h;
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
    j["bare_rtl"] = {{"cycles", cycles}, {"wall_s", s}, {"cycles_per_s", cycles / s},
                     {"frames_written", h.writes.size() / 2}};
  }

  // 2. Full co-simulation at 64-byte line rate, waves off
  {
    const std::string dir = "bench-run";
    const std::string cmd = std::string(IGBSIM_BINARY) +
                            " run --out " + dir + " --set traffic.rate_pct=100 --set traffic.frames=200000 >/dev/null";
    if (std::system(cmd.c_str()) != 0) {
      std::fprintf(stderr, "igbsim-bench: the co-simulation run failed\n");
      return 1;
    }
    std::ifstream f(dir + "/report.json");
    const auto r = nlohmann::json::parse(f);
    const double wall = r["sim"]["wall_s"], sim_ns = r["sim"]["sim_time_ns"];
    const double ticked = r["sim"]["rtl_cycles"], skipped = r["sim"]["rtl_cycles_skipped"];
    j["cosim"] = {{"frames", 200000}, {"sim_time_ns", sim_ns}, {"wall_s", wall},
                  {"sim_s_per_wall_s", sim_ns / 1e9 / wall}, {"rtl_cycles_ticked_per_s", ticked / wall},
                  {"rtl_cycles_covered_per_s", (ticked + skipped) / wall}};
  }
  const double bare = j["bare_rtl"]["cycles_per_s"], cosim = j["cosim"]["rtl_cycles_ticked_per_s"];
  j["ratio_cosim_to_bare"] = cosim / bare;
  std::printf("bare RTL loop:        %.2f M cycles/s\n", bare / 1e6);
  std::printf("co-simulation:        %.2f M RTL cycles/s ticked, %.2f M covered (with skipping)\n", cosim / 1e6,
              j["cosim"]["rtl_cycles_covered_per_s"].get<double>() / 1e6);
  std::printf("ratio co-sim / bare:  %.3f\n", cosim / bare);
  std::printf("simulated time:       %.4f s per wall second (64-byte frames at line rate)\n",
              j["cosim"]["sim_s_per_wall_s"].get<double>());
  std::ofstream(out_json) << j.dump(2) << "\n";
  std::printf("figures written to %s\n", out_json.c_str());
  return 0;
}
