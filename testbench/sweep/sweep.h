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
#include <optional>
#include <string>
#include <vector>

namespace igbsim {

// The most points one sweep may have: each point is a process and a folder.
constexpr size_t kMaxSweepPoints = 10000;

// Options passed through to sbatch as #SBATCH lines of the emitted scripts: the sweep file's
// [slurm] table (time, mem, partition, account, extra), each overridden by the command line's
// --slurm-* when given. time and mem go to the array's tasks; partition, account and the extra
// flags to both the array and the merge job.
struct slurm_options {
  std::optional<std::string> time, mem, partition, account;
  std::optional<std::vector<std::string>> extra;
};

// Why `value` cannot be Slurm option `key` (time, mem, partition, account, extra), or "" when
// it can. Only values that sbatch reads as the option they are given for pass: nothing with a
// space, a newline, a '#' or a quote, so that no value can add a line or a flag to a script.
std::string slurm_option_problem(const std::string& key, const std::string& value);

// Returns the exit status: 0 all points ran clean, 3 some found violations, 1 some failed
// (sweep.csv is still written, with a row for every point).
int run_sweep(const std::string& sweep_file, int jobs, const std::string& out_dir, bool emit_slurm,
              const std::string& self_exe, const slurm_options& cli_slurm = {});
// Writes DIR/sweep.csv from the points' run folders (after a Slurm array finished); the same
// exit statuses, and a message on stderr naming each point without a complete result and why.
int merge_sweep(const std::string& out_dir);

}  // namespace igbsim
