// SPDX-License-Identifier: Apache-2.0
// progress_watchdog: ends a loop that has stopped making progress instead of letting it spin.
// Each iteration reports what progress looks like there (simulated time, and a count that
// moves when the RTL does); after `limit` consecutive iterations in which neither changed,
// stalled() says so, and the caller ends the run with a diagnosis of what was pending.
#pragma once

#include <cstdint>

namespace igbsim {

class progress_watchdog {
 public:
  explicit progress_watchdog(uint64_t limit) : limit_(limit) {}

  // One iteration that saw this time and this progress count: true once `limit` iterations
  // in a row saw the same pair (the first sighting of a pair is progress).
  bool stalled(uint64_t time, uint64_t progress) {
    if (!seen_ || time != time_ || progress != progress_) {
      seen_ = true;
      time_ = time;
      progress_ = progress;
      same_ = 0;
      return false;
    }
    return ++same_ >= limit_;
  }
  uint64_t iterations() const { return same_; }  // consecutive iterations without progress
  uint64_t limit() const { return limit_; }

 private:
  uint64_t limit_;
  bool seen_ = false;
  uint64_t time_ = 0, progress_ = 0, same_ = 0;
};

}  // namespace igbsim
