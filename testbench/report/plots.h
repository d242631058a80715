// SPDX-License-Identifier: Apache-2.0
// PNG plots with gnuplot (Debian gnuplot-nox): for a run, the CDF of the end-to-end latency
// (wire to read()) and one bar stacking the mean time of each step beside the mean end to end;
// for a sweep, delivered frames, drops, interrupts per frame and the latency's p50
// and p99 against the first axis, one line per value of the second.
// Each plot keeps its data (.dat) and gnuplot script (.gp) beside the PNG, so it can be
// restyled and redrawn by hand.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "journey.h"

namespace igbsim {

// Throws std::runtime_error when gnuplot fails.
// tcp: a TCP run (the transport step is named tcp_v4_rcv)
void plot_run(const std::string& dir, const latency_sample& end_to_end_ps,
              const std::array<latency_sample, kSteps>& step_deltas_ps, bool tcp);
void plot_sweep(const std::string& dir);  // from dir/sweep.csv

}  // namespace igbsim
