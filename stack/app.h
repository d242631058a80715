// Application models running as tasks. epoll_server: one task, one epoll instance over its
// UDP sockets, looping epoll_wait(maxevents 64, no timeout) then reading each ready socket
// with MSG_DONTWAIT until EAGAIN.
#pragma once
#include <systemc>

#include <cstdint>
#include <vector>

#include "cpu.h"
#include "eventpoll.h"
#include "net.h"

namespace igbsim {

class kernel;

class epoll_server {
 public:
  epoll_server(kernel& k, std::vector<sock*> socks);
  task_struct task;

 private:
  void run();
  void deliver(uint64_t id, const uint8_t* data, size_t len);
  kernel& k_;
  std::vector<sock*> socks_;
  std::vector<file> files_;
  eventpoll ep_;
  sc_core::sc_time last_return_;
  bool returned_ = false;
  std::vector<uint8_t> buf_;
};

}  // namespace igbsim
