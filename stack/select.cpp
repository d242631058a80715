// SPDX-License-Identifier: Apache-2.0
#include "select.h"

#include <memory>

#include "kernel.h"

namespace igbsim {

namespace {

struct poll_wqueues;

struct poll_table_entry {
  file* filp = nullptr;
  uint32_t key = 0;
  wait_queue_entry wait;
  wait_queue_head* wait_address = nullptr;
};

struct poll_wqueues {
  poll_table pt;
  task_struct* polling_task = nullptr;
  bool triggered = false;
  std::vector<std::unique_ptr<poll_table_entry>> entries;
};

// pollwake -> __pollwake: only events the entry asked for; mark triggered, wake the poller
int pollwake(kernel& k, poll_wqueues* pwq, poll_table_entry* entry, uint32_t key) {
  ++k.st.pollwake_calls;
  cpu_core& cpu = k.this_cpu();
  // The journey's wake-callback step: the first (server_app::deliver keeps the reader's)
  const char task = k.jr.task_now();
  k.jr.record_first(k.cur_frame, step::ep_poll_callback, cpu.now(), task);
  if (key && !(key & entry->key)) return 0;
  pwq->triggered = true;
  wait_queue_entry dummy;
  dummy.private_ = pwq->polling_task;
  const kernel::journey_wake_site site(k, cpu.now(), task);
  return default_wake_function(k, &dummy);
}

// poll_initwait: the table's qproc is __pollwait
void poll_initwait(kernel& k, poll_wqueues* pwq) {
  pwq->polling_task = k.this_cpu().current();
  pwq->pt.qproc = [&k, pwq](file* filp, wait_queue_head* whead, poll_table* p) {
    auto e = std::make_unique<poll_table_entry>();
    poll_table_entry* entry = e.get();
    entry->filp = filp;
    entry->key = p->key;
    entry->wait_address = whead;
    entry->wait.private_ = pwq;
    entry->wait.func = [&k, pwq, entry](wait_queue_entry*, unsigned, int, uint32_t key) {
      return pollwake(k, pwq, entry, key);
    };
    add_wait_queue(whead, &entry->wait);
    ++k.st.poll_table_entries_added;
    k.this_cpu().spend(k.cost.poll_entry_ns);
    pwq->entries.push_back(std::move(e));
  };
}

// poll_freewait: every entry leaves its wait queue
void poll_freewait(kernel& k, poll_wqueues* pwq) {
  for (auto& e : pwq->entries) {
    remove_wait_queue(e->wait_address, &e->wait);
    ++k.st.wq_entries_removed;
    k.this_cpu().spend(k.cost.wq_remove_ns);
  }
  pwq->entries.clear();
}

// poll_schedule_timeout (no timeout): sleep unless a pollwake already triggered
void poll_schedule(kernel& k, poll_wqueues* pwq) {
  cpu_core& cpu = k.this_cpu();
  cpu.set_current_state(task_state::interruptible);
  if (!pwq->triggered) cpu.schedule();
  cpu.set_current_state(task_state::running);
  pwq->triggered = false;
}

// The scan loop shared by do_select and do_poll: `poll_one(i, pt)` polls the i-th requested fd
// and reports whether it is ready.
template <class PollOne>
int scan(kernel& k, size_t n, bool block, PollOne&& poll_one) {
  cpu_core& cpu = k.this_cpu();
  poll_wqueues table;
  poll_initwait(k, &table);
  poll_table* wait = block ? &table.pt : nullptr;
  int retval = 0;
  bool woken_once = false;
  for (;;) {
    retval = 0;
    for (size_t i = 0; i < n; ++i) {
      if (poll_one(i, wait)) {
        ++retval;
        wait = nullptr;  // something is ready: no more registering
      }
      if ((i & 63) == 63) cpu.boundary();  // cond_resched between chunks of fds
    }
    wait = nullptr;
    if (retval || !block) break;
    if (woken_once) ++k.st.empty_wakeups;  // woken, rescanned, nothing for us
    poll_schedule(k, &table);
    woken_once = true;
  }
  poll_freewait(k, &table);
  return retval;
}

}  // namespace

int sys_select(kernel& k, const fd_table& fds, int nfds, std::vector<bool>& readfds, bool block) {
  cpu_core& cpu = k.this_cpu();
  call_scope scope(k.st, cpu.current(), k.st.select_ns);
  cpu.spend(k.cost.syscall_ns);
  ++k.st.select_calls;
  // core_sys_select: only a negative nfds is an error; it is clipped to max_fds
  if (nfds < 0) return -EINVAL;
  if (nfds > static_cast<int>(fds.size())) nfds = static_cast<int>(fds.size());
  // get_fd_set / set_fd_set: the read set in and out, FDS_BYTES(nfds) each way
  const uint64_t set_bytes = (static_cast<uint64_t>(nfds) + 63) / 64 * 8;
  k.st.user_copy_bytes += 2 * set_bytes;
  cpu.spend(k.cost.copy_ns_per_byte * 2.0 * static_cast<double>(set_bytes));
  std::vector<int> want;
  for (int fd = 0; fd < nfds; ++fd)
    if (fd < static_cast<int>(readfds.size()) && readfds[fd]) want.push_back(fd);
  std::vector<bool> out(readfds.size(), false);
  const int n = scan(k, want.size(), block, [&](size_t i, poll_table* pt) {
    cpu.spend(k.cost.select_per_fd_ns);
    file* f = fds.at(want[i]);
    if (pt) pt->key = POLLIN_SET | POLLEX_SET;
    const uint32_t mask = f->poll(k, pt);
    if (mask & POLLIN_SET) {
      out[want[i]] = true;
      return true;
    }
    return false;
  });
  readfds = out;
  return n;
}

int sys_poll(kernel& k, const fd_table& fds, std::vector<pollfd>& pfds, bool block) {
  cpu_core& cpu = k.this_cpu();
  call_scope scope(k.st, cpu.current(), k.st.poll_ns);
  cpu.spend(k.cost.syscall_ns);
  ++k.st.poll_calls;
  const uint64_t bytes = pfds.size() * 8;  // struct pollfd, copied in and back out
  k.st.user_copy_bytes += 2 * bytes;
  cpu.spend(k.cost.copy_ns_per_byte * 2.0 * static_cast<double>(bytes));
  const int n = scan(k, pfds.size(), block, [&](size_t i, poll_table* pt) {
    pollfd& p = pfds[i];
    p.revents = 0;
    if (p.fd < 0) return false;
    if (pt) pt->key = p.events | EPOLLERR | EPOLLHUP;
    p.revents = fds.at(p.fd)->poll(k, pt) & (p.events | EPOLLERR | EPOLLHUP);
    return p.revents != 0;
  });
  return n;
}

}  // namespace igbsim
