// SPDX-License-Identifier: Apache-2.0
// select and poll (fs/select.c). Per call: poll_initwait; every fd is polled through vfs_poll
// with a poll_table whose __pollwait adds one poll_table_entry - a wait-queue entry with
// pollwake - to the socket's wait queue, until some fd is found ready (then the table stops
// registering); with nothing ready the task sleeps in poll_schedule_timeout unless a pollwake
// already triggered, and on wake-up every fd is polled again; poll_freewait removes every
// entry. pollwake wakes the task only for events it asked about (key filtering).
// select takes fd_sets of nfds bits, any nfds (core_sys_select rejects only nfds < 0 and clips
// it to the fd table's size, max_fds): FD_SETSIZE (1024 in glibc) is the application's limit,
// the size of its fd_set type, not the kernel's (app.fd_setsize, checked before a run). poll
// takes an array of pollfd. Left out: timeouts other than none/forever, signals, busy polling.
#pragma once
#include <cstdint>
#include <vector>

#include "net.h"

namespace igbsim {

class kernel;

constexpr uint32_t POLLIN_SET = EPOLLRDNORM | EPOLLRDBAND | EPOLLIN | EPOLLHUP | EPOLLERR;
constexpr uint32_t POLLEX_SET = EPOLLPRI;

struct pollfd {
  int fd = -1;
  uint32_t events = 0, revents = 0;
};

// The files behind the process's descriptors: fd -> file (nullptr: not open)
using fd_table = std::vector<file*>;

// select(nfds, readfds, NULL, NULL, NULL or {0,0}): readfds in, the ready ones out. Returns the
// number ready, or -EINVAL for nfds < 0.
int sys_select(kernel& k, const fd_table& fds, int nfds, std::vector<bool>& readfds, bool block);
// poll(fds, nfds, -1 or 0): revents filled in. Returns the number of fds with events.
int sys_poll(kernel& k, const fd_table& fds, std::vector<pollfd>& pfds, bool block);

}  // namespace igbsim
