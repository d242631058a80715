// SPDX-License-Identifier: Apache-2.0
#include "wait.h"

#include <algorithm>

#include "kernel.h"

namespace igbsim {

void add_wait_queue(wait_queue_head* wq, wait_queue_entry* e) {
  e->flags &= ~WQ_FLAG_EXCLUSIVE;
  wq->head.push_front(e);
}

void add_wait_queue_exclusive(wait_queue_head* wq, wait_queue_entry* e) {
  e->flags |= WQ_FLAG_EXCLUSIVE;
  wq->head.push_back(e);
}

void remove_wait_queue(wait_queue_head* wq, wait_queue_entry* e) {
  auto it = std::find(wq->head.begin(), wq->head.end(), e);
  if (it != wq->head.end()) wq->head.erase(it);
}

int __wake_up_common(kernel& k, wait_queue_head* wq, unsigned mode, int nr_exclusive,
                     int wake_flags, uint32_t key) {
  for (auto it = wq->head.begin(); it != wq->head.end();) {
    wait_queue_entry* e = *it;
    ++it;  // the callback may remove its own entry
    ++k.st.wq_entries_visited;
    k.this_cpu().spend(k.cost.wq_entry_ns);
    const int ret = e->func(e, mode, wake_flags, key);
    if (ret < 0) break;
    if (ret && (e->flags & WQ_FLAG_EXCLUSIVE) && !--nr_exclusive) break;
  }
  return nr_exclusive;
}

int default_wake_function(kernel& k, wait_queue_entry* e) {
  return k.try_to_wake_up(static_cast<task_struct*>(e->private_)) ? 1 : 0;
}

}  // namespace igbsim
