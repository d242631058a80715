// SPDX-License-Identifier: Apache-2.0
// Output folders: igbsim writes only into folders that are provably its own, and never
// destroys anything else.
//
// A folder is ours when it holds the marker file `.igbsim` (written first into every run and
// sweep folder), or, for runs made before the marker existed, a report.json whose schema is
// igbsim.report/1. An earlier result is replaced only when it is of the same kind (a run does
// not replace a sweep, nor a sweep a run) and holds nothing but entries igbsim writes there:
// a user's file put beside it is named and the run refused. A target that exists and is
// anything else (a user's folder with files in it, a file, the working directory or one of
// its ancestors) is refused as bad input naming the path. An empty folder is taken over:
// nothing in it can be lost.
//
// A run is written into a temporary folder beside the target (`NAME.tmp.PID`, marked from the
// start) and moved into place only when complete, so the previous result stays whole until
// then. A lock file beside the target (`.NAME.igbsim-lock`, flock) keeps two runs out of one
// folder at once: the second is refused with the PID of the first. Temporary folders left by a
// process that no longer exists (killed, or a second Ctrl-C) are removed by the next run into
// the same target.
#pragma once
#include <filesystem>
#include <string>

namespace igbsim {

enum class output_kind { run, sweep };

// True if `dir` is an igbsim output folder (see above).
bool is_igbsim_output(const std::filesystem::path& dir);

class output_dir {
 public:
  // Checks `target`, takes its lock and removes our stale temporaries; throws input_error for
  // a target that is not ours, or is in use by another igbsim process.
  // merge: the target is written in place, never replaced (sweep --merge): it must be an
  // output folder of ours already, and may be the working folder.
  output_dir(const std::string& target, output_kind kind, bool merge = false);
  ~output_dir();
  output_dir(const output_dir&) = delete;
  output_dir& operator=(const output_dir&) = delete;

  const std::filesystem::path& target() const { return target_; }
  // True when the target already held an earlier result (ours), which commit() replaces.
  bool replaces_earlier() const { return earlier_; }

  // Runs: a fresh, marked temporary folder beside the target; commit() moves it into place.
  // Until then the target keeps its earlier content. The destructor removes an uncommitted
  // temporary folder.
  const std::filesystem::path& make_temp();
  void commit();

  // Sweeps: the target itself, emptied of an earlier sweep's content and marked, written in
  // place (its points run into it as separate processes, possibly on other machines).
  void claim_in_place();

  // The name of a sibling scratch folder of this target for a helper run (--waves-trigger),
  // covered by the same stale-temporary cleanup.
  std::filesystem::path scratch(const std::string& what) const;

 private:
  void check_target();  // the checks under the lock (constructor)
  void release_lock();
  std::filesystem::path target_, lock_path_, temp_;
  output_kind kind_;
  int lock_fd_ = -1;
  bool earlier_ = false, committed_ = false;
};

// Writes the marker into `dir` (already created).
void mark_igbsim_output(const std::filesystem::path& dir, output_kind kind);

}  // namespace igbsim
