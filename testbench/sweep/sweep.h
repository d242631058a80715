// SPDX-License-Identifier: Apache-2.0
// igbsim sweep: a base scenario and axes, run as the cartesian product of the axes' values,
// one igbsim process per point, up to `jobs` at a time. Each point writes DIR/point-NNN/ (its
// run folder and run.log); DIR/sweep.csv merges their reports, one row per point. A point
// that fails is reported in its row and the others still finish.
//
// SWEEP.toml:
//   base = "../scenarios/livelock.toml"    # optional, relative to this file
//   [set]                                  # optional: overrides for every point
//   "traffic.duration_us" = 5000
//   [axes]                                 # each key a list of values
//   "traffic.rate_pct" = [10, 30, 60, 100]
//   "driver.mode" = ["legacy", "napi"]
//
// With emit_slurm nothing runs: DIR/points.json, DIR/sweep.sbatch (a Slurm job array, one task
// per point), DIR/merge.sbatch (igbsim sweep --merge DIR) and DIR/submit.sh (submits both, the
// merge after the array) are written, so the same sweep runs on a cluster unchanged.
#pragma once
#include <cstddef>
#include <string>

namespace igbsim {

// The most points one sweep may have: each point is a process and a folder.
constexpr size_t kMaxSweepPoints = 10000;

// Returns the exit status: 0 all points ran clean, 3 some found violations, 1 some failed
// (sweep.csv is still written, with a row for every point).
int run_sweep(const std::string& sweep_file, int jobs, const std::string& out_dir, bool emit_slurm,
              const std::string& self_exe);
// Writes DIR/sweep.csv from the points' run folders (after a Slurm array finished); the same
// exit statuses, and a message on stderr naming each point without a complete result and why.
int merge_sweep(const std::string& out_dir);

}  // namespace igbsim
