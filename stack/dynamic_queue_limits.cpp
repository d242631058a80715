// SPDX-License-Identifier: Apache-2.0
#include "dynamic_queue_limits.h"

#include <algorithm>
#include <stdexcept>

namespace igbsim {

namespace {
// POSDIFF / AFTER_EQ of lib/dynamic_queue_limits.c: differences of free-running counters
unsigned posdiff(unsigned a, unsigned b) { return static_cast<int>(a - b) > 0 ? a - b : 0; }
bool after_eq(unsigned a, unsigned b) { return static_cast<int>(a - b) >= 0; }
}  // namespace

void dql_queued(dql* d, unsigned count) {
  if (count > DQL_MAX_OBJECT) throw std::logic_error("dql_queued: BUG_ON(count > DQL_MAX_OBJECT)");
  d->last_obj_cnt = count;
  d->num_queued += count;
}

// dql_completed (lib/dynamic_queue_limits.c). The limit grows when the queue was starved
// (over the limit, then everything completed before more could be queued): by the bytes
// completed beyond what was queued at the previous completion, plus the previous overlimit.
// It shrinks when the queue stayed busy: by the lowest slack (limit minus twice what one
// completion took, or what the last queued object overshot) seen over slack_hold_time.
// Left out: the v6.9+ stall detector (dql_check_stall; stall_thrs is 0 by default).
void dql_completed(dql* d, unsigned count, uint64_t now) {
  const unsigned num_queued = d->num_queued;
  if (count > num_queued - d->num_completed)
    throw std::logic_error("dql_completed: BUG_ON(count > num_queued - num_completed)");
  const unsigned completed = d->num_completed + count;
  unsigned limit = d->limit;
  unsigned ovlimit = posdiff(num_queued - d->num_completed, limit);
  const unsigned inprogress = num_queued - completed;
  const unsigned prev_inprogress = d->prev_num_queued - d->num_completed;
  const bool all_prev_completed = after_eq(completed, d->prev_num_queued);

  if ((ovlimit && !inprogress) || (d->prev_ovlimit && all_prev_completed)) {
    // Starved: increase the limit by what the queue would have needed
    limit += posdiff(completed, d->prev_num_queued) + d->prev_ovlimit;
    d->slack_start_time = now;
    d->lowest_slack = 0xFFFFFFFFu;
  } else if (inprogress && prev_inprogress && !all_prev_completed) {
    // Busy the whole interval: the slack is the excess of the limit
    unsigned slack = posdiff(limit + d->prev_ovlimit, 2 * (completed - d->num_completed));
    const unsigned slack_last_objs =
        d->prev_ovlimit ? posdiff(d->prev_last_obj_cnt, d->prev_ovlimit) : 0;
    slack = std::max(slack, slack_last_objs);
    if (slack < d->lowest_slack) d->lowest_slack = slack;
    if (now > d->slack_start_time + d->slack_hold_time) {  // time_after(jiffies, ...)
      limit = posdiff(limit, d->lowest_slack);
      d->slack_start_time = now;
      d->lowest_slack = 0xFFFFFFFFu;
    }
  }
  // Enforce bounds on the limit
  limit = std::clamp(limit, d->min_limit, d->max_limit);
  if (limit != d->limit) {
    d->limit = limit;
    ovlimit = 0;
  }
  d->adj_limit = limit + completed;
  d->prev_ovlimit = ovlimit;
  d->prev_last_obj_cnt = d->last_obj_cnt;
  d->num_completed = completed;
  d->prev_num_queued = num_queued;
}

void dql_reset(dql* d, uint64_t now) {
  d->limit = d->min_limit;
  d->num_queued = 0;
  d->num_completed = 0;
  d->last_obj_cnt = 0;
  d->prev_num_queued = 0;
  d->prev_last_obj_cnt = 0;
  d->prev_ovlimit = 0;
  d->lowest_slack = 0xFFFFFFFFu;
  d->slack_start_time = now;
  d->adj_limit = d->limit;  // dql_reset leaves it; num_completed is 0 so limit + completed
}

void dql_init(dql* d, unsigned hold_time, uint64_t now) {
  d->max_limit = DQL_MAX_LIMIT;
  d->min_limit = 0;
  d->slack_hold_time = hold_time;
  dql_reset(d, now);
}

}  // namespace igbsim
