// SPDX-License-Identifier: Apache-2.0
#include "eventpoll.h"

#include "kernel.h"
#include "sw_signals.h"

namespace igbsim {

namespace {
constexpr uint32_t EP_PRIVATE_BITS = EPOLLEXCLUSIVE | EPOLLONESHOT | EPOLLET;

void probe_ready(eventpoll* ep) {
  if (ep->index == 0)
    ep->k->probe(sw_sig::ep0_ready_len, static_cast<uint32_t>(ep->rdllist.size()));
}

// ep_poll_callback: queue the item on the ready list (or the overflow list during a transfer)
// and wake one epoll_wait sleeper.
int ep_poll_callback(wait_queue_entry* wait, unsigned /*mode*/, int /*sync*/, uint32_t key) {
  epitem* epi = static_cast<epitem*>(wait->private_);
  eventpoll* ep = epi->ep;
  kernel& k = *ep->k;
  cpu_core& cpu = k.this_cpu();
  cpu.spend(k.cost.ep_poll_callback_ns);
  ++k.st.ep_poll_callback_calls;
  // A socket in several epoll instances runs a callback for each. The journey keeps the first,
  // until one wakes a waiter (kernel::journey_wake_site, with its try_to_wake_up); the reader's
  // own is settled when it reads the frame (journey::settle_reader). Choice: each later
  // callback kept would put the step after the wake-up it did not cause.
  const uint64_t id = k.cur_frame;
  const sc_core::sc_time t = cpu.now();
  const char task = k.jr.task_now();
  k.jr.record_first(id, step::ep_poll_callback, t, task);
  if (!(epi->event.events & ~EP_PRIVATE_BITS)) return 0;  // disarmed (ONESHOT fired)
  if (key && !(key & epi->event.events)) return 0;
  if (ep->transferring) {
    if (!epi->on_ovflist) {
      ep->ovflist.push_back(epi);
      epi->on_ovflist = true;
    }
  } else if (!epi->on_rdllist) {
    ep->rdllist.push_back(epi);
    epi->on_rdllist = true;
    probe_ready(ep);
  }
  bool woken = false;
  if (ep->wq.active()) {
    const kernel::journey_wake_site site(k, t, task);
    woken = __wake_up_common(k, &ep->wq, 1, 1, 0, 0) == 0;
  }
  if (epi->event.events & EPOLLEXCLUSIVE) {
    // Exclusive items report success only if the event matched and someone was woken.
    return (key & epi->event.events & (EPOLLIN | EPOLLOUT)) && woken ? 1 : 0;
  }
  return 1;
}

int ep_send_events(eventpoll* ep, epoll_event* events, int maxevents) {
  kernel& k = *ep->k;
  cpu_core& cpu = k.this_cpu();
  std::list<epitem*> txlist;
  txlist.swap(ep->rdllist);
  ep->transferring = true;
  int n = 0;
  while (!txlist.empty() && n < maxevents) {
    epitem* epi = txlist.front();
    txlist.pop_front();
    epi->on_rdllist = false;
    cpu.spend(k.cost.ep_send_event_ns);
    const uint32_t revents = epi->f->poll(k, nullptr) & epi->event.events;
    if (!revents) continue;
    events[n].events = revents;
    events[n].data = epi->event.data;
    ++n;
    k.st.user_copy_bytes += 12;  // __put_user of a packed struct epoll_event
    if (epi->event.events & EPOLLONESHOT) {
      epi->event.events &= EP_PRIVATE_BITS;
    } else if (!(epi->event.events & EPOLLET)) {
      ep->rdllist.push_back(epi);  // level-triggered: polled again on the next epoll_wait
      epi->on_rdllist = true;
    }
  }
  ep->transferring = false;
  for (epitem* epi : ep->ovflist) {
    epi->on_ovflist = false;
    if (!epi->on_rdllist) {
      ep->rdllist.push_back(epi);
      epi->on_rdllist = true;
    }
  }
  ep->ovflist.clear();
  // Items not transferred (maxevents reached) go back to the front, all of them (ep_done_scan
  // splices the whole txlist back). They are still linked, so on_rdllist is still true and
  // neither ep_poll_callback nor the ovflist above queued them a second time.
  ep->rdllist.splice(ep->rdllist.begin(), txlist);
  probe_ready(ep);
  return n;
}
// An item found ready by epoll_ctl's own poll: queue it and wake a waiter.
void ep_ready_now(eventpoll* ep, epitem* epi) {
  if (epi->on_rdllist) return;
  ep->rdllist.push_back(epi);
  epi->on_rdllist = true;
  probe_ready(ep);
  if (ep->wq.active()) __wake_up_common(*ep->k, &ep->wq, 1, 1, 0, 0);
}
}  // namespace

void ep_init(kernel& k, eventpoll* ep, int index) {
  ep->k = &k;
  ep->index = index;
}

int epoll_ctl(eventpoll* ep, int op, int fd, file* f, const epoll_event* ev) {
  kernel& k = *ep->k;
  auto it = ep->rbr.find(fd);
  switch (op) {
    case EPOLL_CTL_ADD: {
      if (it != ep->rbr.end()) return -EEXIST;
      if (ev->events & EPOLLEXCLUSIVE) {
        const uint32_t allowed =
            EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLET | EPOLLEXCLUSIVE;
        if (ev->events & ~allowed) return -EINVAL;
      }
      auto epi = std::make_unique<epitem>();
      epi->ep = ep;
      epi->f = f;
      epi->fd = fd;
      epi->event = *ev;
      epi->event.events |= EPOLLERR | EPOLLHUP;
      epi->wait.private_ = epi.get();
      epi->wait.func = ep_poll_callback;
      epitem* raw = epi.get();
      poll_table pt;
      pt.qproc = [raw, &k](file*, wait_queue_head* whead, poll_table*) {
        ++k.st.poll_table_entries_added;  // ep_ptable_queue_proc
        raw->whead = whead;
        if (raw->event.events & EPOLLEXCLUSIVE) add_wait_queue_exclusive(whead, &raw->wait);
        else add_wait_queue(whead, &raw->wait);
      };
      const uint32_t revents = f->poll(k, &pt) & epi->event.events;
      ep->rbr.emplace(fd, std::move(epi));
      if (revents) ep_ready_now(ep, raw);
      return 0;
    }
    case EPOLL_CTL_MOD: {
      if (it == ep->rbr.end()) return -ENOENT;
      if (ev->events & EPOLLEXCLUSIVE) return -EINVAL;
      epitem* epi = it->second.get();
      if (epi->event.events & EPOLLEXCLUSIVE) return -EINVAL;
      epi->event.events = ev->events | EPOLLERR | EPOLLHUP;
      epi->event.data = ev->data;
      if (epi->f->poll(k, nullptr) & epi->event.events) ep_ready_now(ep, epi);
      return 0;
    }
    case EPOLL_CTL_DEL: {
      if (it == ep->rbr.end()) return -ENOENT;
      epitem* epi = it->second.get();
      if (epi->whead) {
        remove_wait_queue(epi->whead, &epi->wait);
        ++k.st.wq_entries_removed;
        k.this_cpu().spend(k.cost.wq_remove_ns);
      }
      if (epi->on_rdllist) ep->rdllist.remove(epi);
      ep->rbr.erase(it);
      return 0;
    }
    default: return -EINVAL;
  }
}

// ep_poll: return ready events, or sleep (exclusive) on ep->wq until ep_poll_callback wakes us.
int epoll_wait(eventpoll* ep, epoll_event* events, int maxevents, int timeout_ms) {
  kernel& k = *ep->k;
  cpu_core& cpu = k.this_cpu();
  if (maxevents <= 0) return -EINVAL;
  call_scope scope(k.st, cpu.current(), k.st.epoll_wait_ns);
  cpu.spend(k.cost.syscall_ns + k.cost.epoll_wait_ns);
  ++k.st.epoll_wait_calls;
  bool woken = false;
  for (;;) {
    cpu.boundary();
    if (!ep->rdllist.empty()) {
      const int n = ep_send_events(ep, events, maxevents);
      if (n > 0 || timeout_ms == 0) return n;
    } else if (timeout_ms == 0) {
      return 0;
    }
    if (woken) ++k.st.empty_wakeups;  // woken, but the re-poll found nothing: back to sleep
    wait_queue_entry wait;
    wait.private_ = cpu.current();
    wait.func = [&k](wait_queue_entry* e, unsigned, int, uint32_t) {
      return default_wake_function(k, e);
    };
    add_wait_queue_exclusive(&ep->wq, &wait);
    cpu.set_current_state(task_state::interruptible);
    if (!ep->rdllist.empty()) cpu.set_current_state(task_state::running);
    cpu.schedule();
    woken = true;
    remove_wait_queue(&ep->wq, &wait);
  }
}

}  // namespace igbsim
