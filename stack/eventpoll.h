// SPDX-License-Identifier: Apache-2.0
// epoll (fs/eventpoll.c, 4.16-era structure): an eventpoll with its epitems (keyed by fd, the
// kernel keys its rb-tree by file and fd), a ready list, an overflow list used while events are
// being transferred, and the wait queue epoll_wait sleeps on (exclusive entries).
// ep_poll_callback runs from the socket's wake-up; ep_send_events re-polls every ready item and
// re-adds level-triggered ones; EPOLLET, EPOLLONESHOT and EPOLLEXCLUSIVE as the kernel does.
#pragma once
#include <cerrno>
#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <vector>

#include "net.h"
#include "wait.h"

namespace igbsim {

class kernel;
struct eventpoll;

struct epoll_event {
  uint32_t events = 0;
  uint64_t data = 0;
};

struct epitem {
  eventpoll* ep = nullptr;
  file* f = nullptr;
  int fd = -1;
  epoll_event event;
  bool on_rdllist = false;
  bool on_ovflist = false;
  wait_queue_entry wait;  // on the socket's wait queue, func = ep_poll_callback
  wait_queue_head* whead = nullptr;
};

struct eventpoll {
  kernel* k = nullptr;
  int index = 0;       // probe signal for the ready-list length
  wait_queue_head wq;  // epoll_wait sleepers
  std::list<epitem*> rdllist;
  std::vector<epitem*> ovflist;
  bool transferring = false;  // ovflist != EP_UNACTIVE_PTR
  std::map<int, std::unique_ptr<epitem>> rbr;
};

constexpr int EPOLL_CTL_ADD = 1, EPOLL_CTL_DEL = 2, EPOLL_CTL_MOD = 3;

void ep_init(kernel& k, eventpoll* ep, int index);
// Returns 0 or -errno.
int epoll_ctl(eventpoll* ep, int op, int fd, file* f, const epoll_event* ev);
// From the current task: blocks while nothing is ready (timeout < 0: forever). Returns the
// number of events written to `events`.
int epoll_wait(eventpoll* ep, epoll_event* events, int maxevents, int timeout_ms);

}  // namespace igbsim
