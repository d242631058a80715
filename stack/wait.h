// SPDX-License-Identifier: Apache-2.0
// Wait queues (kernel/sched/wait.c): entries with flags, private and func; non-exclusive
// entries are added at the head, exclusive ones at the tail; __wake_up_common calls every
// entry's func in order, stops on a negative return, and stops after nr_exclusive exclusive
// entries returned non-zero.
#pragma once
#include <cstdint>
#include <functional>
#include <list>

namespace igbsim {

class kernel;
struct task_struct;

constexpr unsigned WQ_FLAG_EXCLUSIVE = 0x01;

struct wait_queue_entry {
  unsigned flags = 0;
  void* private_ = nullptr;
  std::function<int(wait_queue_entry*, unsigned mode, int wake_flags, uint32_t key)> func;
};

struct wait_queue_head {
  std::list<wait_queue_entry*> head;
  bool active() const { return !head.empty(); }  // waitqueue_active
};

void add_wait_queue(wait_queue_head* wq, wait_queue_entry* e);
void add_wait_queue_exclusive(wait_queue_head* wq, wait_queue_entry* e);
void remove_wait_queue(wait_queue_head* wq, wait_queue_entry* e);
int __wake_up_common(kernel& k, wait_queue_head* wq, unsigned mode, int nr_exclusive,
                     int wake_flags, uint32_t key);
// default_wake_function: wakes the task in entry->private_.
int default_wake_function(kernel& k, wait_queue_entry* e);

}  // namespace igbsim
