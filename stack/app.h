// SPDX-License-Identifier: Apache-2.0
// Application models running as tasks, each a server reading every socket it is given:
//   epoll    - per thread an epoll instance over the sockets (EPOLLIN, EPOLLEXCLUSIVE with
//              `exclusive`), epoll_wait(maxevents 64, no timeout), then reads each ready socket
//   select   - select() over the sockets' fds (in fd_sets of app.fd_setsize bits), then reads
//              the ready ones
//   poll     - poll() over an array of pollfd, then reads the ready ones
//   blocking - a blocking recv on one socket: max(threads, sockets) reader threads, thread t
//              on socket t mod sockets (every socket has a reader; extra threads share them)
// Reads are MSG_DONTWAIT until EAGAIN (a blocking reader sleeps on the socket instead). With
// several threads on the same sockets, a thread woken for an event another thread took first
// reads nothing: app.empty_reads counts those wasted wake-ups (the thundering herd).
#pragma once
#include <systemc>

#include <cstdint>
#include <memory>
#include <vector>

#include "cpu.h"
#include "eventpoll.h"
#include "net.h"
#include "select.h"

namespace igbsim {

class kernel;

enum class app_kind { epoll, select, poll, blocking };

struct app_config {
  app_kind kind = app_kind::epoll;
  int threads = 1;         // blocking: at least one thread per socket (server_app::tasks)
  bool exclusive = false;  // EPOLLEXCLUSIVE on the epoll items
};

class server_app {
 public:
  server_app(kernel& k, std::vector<sock*> socks, const app_config& c);
  std::vector<std::unique_ptr<task_struct>> tasks;

 private:
  struct thread_state {
    eventpoll ep;
    sc_core::sc_time last_return;
    bool returned = false;
    std::vector<uint8_t> buf = std::vector<uint8_t>(65536);  // this thread's read() buffer
  };
  void run(int t);
  void run_epoll(int t);
  void run_select(int t);
  void run_poll(int t);
  void run_blocking(int t);
  int drain(int t, sock* sk);  // read until EAGAIN; returns datagrams/segments read
  void returned(int t);        // the wait call returned now
  void deliver(int t, uint64_t id, const uint8_t* data, size_t len);
  kernel& k_;
  app_config c_;
  std::vector<sock*> socks_;
  std::vector<file> files_;
  fd_table fds_;  // fd 3 + i -> socket i
  std::vector<std::unique_ptr<thread_state>> ts_;
};

}  // namespace igbsim
