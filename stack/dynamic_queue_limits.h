// SPDX-License-Identifier: Apache-2.0
// Dynamic queue limits (include/linux/dynamic_queue_limits.h, lib/dynamic_queue_limits.c):
// byte queue limits (BQL) of a device TX queue. The enqueue side (netdev_tx_sent_queue)
// counts bytes queued to the hardware with dql_queued; the completion side
// (netdev_tx_completed_queue) counts bytes done with dql_completed, which moves the limit:
// up by what a starved queue lacked, down by the slack a busy queue kept for hold_time.
// Left out: the stall detector of v6.9+ (stall_thrs 0 by default: off) and the history bits.
#pragma once
#include <cstdint>

namespace igbsim {

constexpr unsigned DQL_MAX_OBJECT = 0xFFFFFFFFu / 16;
constexpr unsigned DQL_MAX_LIMIT = (0xFFFFFFFFu / 2) - DQL_MAX_OBJECT;  // 1 879 048 192

struct dql {
  // Fields often modified by enqueuing
  unsigned num_queued = 0;  // total ever queued
  unsigned adj_limit = 0;   // limit + num_completed
  unsigned last_obj_cnt = 0;
  // Fields often modified by dequeuing
  unsigned limit = 0;          // current limit (sysfs byte_queue_limits/limit)
  unsigned num_completed = 0;  // total ever completed
  unsigned prev_ovlimit = 0, prev_num_queued = 0, prev_last_obj_cnt = 0;
  unsigned lowest_slack = 0;
  uint64_t slack_start_time = 0;  // jiffies
  // Configuration (sysfs limit_max, limit_min, hold_time)
  unsigned max_limit = DQL_MAX_LIMIT, min_limit = 0;
  unsigned slack_hold_time = 0;  // jiffies
};

// dql_queued: record `count` objects (bytes) queued. The kernel BUG()s on count >
// DQL_MAX_OBJECT; here it throws.
void dql_queued(dql* d, unsigned count);
// dql_avail: bytes that may still be queued before the limit (negative: over it)
inline int dql_avail(const dql* d) {
  return static_cast<int>(d->adj_limit - d->num_queued);  // READ_ONCE(adj_limit) - num_queued
}
// dql_completed: `count` bytes completed at jiffies `now` (the kernel reads jiffies itself);
// recalculates the limit.
void dql_completed(dql* d, unsigned count, uint64_t now);
void dql_reset(dql* d, uint64_t now);
// dql_init: hold_time in jiffies (netdev_queue_init: HZ, one second)
void dql_init(dql* d, unsigned hold_time, uint64_t now);
// bytes queued and not completed (sysfs byte_queue_limits/inflight)
inline unsigned dql_inflight(const dql* d) { return d->num_queued - d->num_completed; }

}  // namespace igbsim
