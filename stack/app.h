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
//
// Each read that returned data is a request: the thread then works on it for service_ns of
// CPU time in user mode (cpu_core::user_work: interrupts come in meanwhile). With reply =
// echo it is a UDP echo server: each datagram read with recvfrom is sent back whole with
// sendto on the same socket to the address and port it came from (so the reply's source is
// the port the client sent to, its destination the client's). A full send buffer: the
// blocking readers' sendto sleeps until there is room (sock_wait_for_wmem), as a plain
// recvfrom/sendto loop on a blocking socket does; the epoll, select and poll servers send
// with MSG_DONTWAIT, as an event loop must (a sleeping sendto would stall every other
// socket): EAGAIN drops the reply, counted in reply_eagain, and the server goes on, as UDP
// servers such as DNS resolvers do. TCP (a receive-only model here) has no echo.
#pragma once
#include <systemc>

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "cpu.h"
#include "eventpoll.h"
#include "net.h"
#include "select.h"

namespace igbsim {

class kernel;

enum class app_kind { epoll, select, poll, blocking };
enum class app_reply { none, echo };

struct app_config {
  app_kind kind = app_kind::epoll;
  int threads = 1;         // blocking: at least one thread per socket (server_app::tasks)
  bool exclusive = false;  // EPOLLEXCLUSIVE on the epoll items
  app_reply reply = app_reply::none;
  double service_ns = 0;  // user-mode CPU work per request (per read that returned data)
};

class server_app {
 public:
  server_app(kernel& k, std::vector<sock*> socks, const app_config& c);
  std::vector<std::unique_ptr<task_struct>> tasks;
  // Echo replies: sendto returned the length (sent), EAGAIN (no room, MSG_DONTWAIT), another
  // error; each delivered datagram gets one sendto once its service work is done
  uint64_t replies = 0, reply_eagain = 0, reply_errors = 0;
  uint64_t reply_attempts() const { return replies + reply_eagain + reply_errors; }
  // A reply's sendto returned its length (the datagram is the kernel's now): from the socket's
  // address and port to `to`, echoing request frame `request`
  std::function<void(uint64_t request, const sock* sk, const msg_name& to, const uint8_t* payload,
                     size_t len)>
      on_reply;
  // A reply's sendto of len payload bytes is made (begin) and has returned, however (end)
  std::function<void(size_t len, bool begin)> on_reply_sendto;

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
  // The request's service work, then (echo) its reply to `from`
  void serve(sock* sk, uint64_t id, const uint8_t* data, size_t len, const msg_name& from);
  kernel& k_;
  app_config c_;
  std::vector<sock*> socks_;
  std::vector<file> files_;
  fd_table fds_;  // fd 3 + i -> socket i
  std::vector<std::unique_ptr<thread_state>> ts_;
};

// A UDP stream sender (send.*): `frames` datagrams of frame_bytes on the wire (FCS included),
// spread round-robin over `flows` sockets (datagram i on flow i mod flows), at `pps` datagrams
// per second in total: datagram i is due at start + i / pps. Thread t sends the flows f with
// f mod threads == t, each datagram at its time or as soon after as the socket lets it.
// Blocking: sendto sleeps in sock_wait_for_wmem when the send buffer is full; non-blocking
// (MSG_DONTWAIT): it returns EAGAIN, the datagram is counted (eagain) and not sent again.
// Every payload starts with the flow (4 bytes) and the flow's sequence number (8 bytes,
// big-endian); the rest is a pattern of both, so the wire's frames can be checked byte for byte.
struct send_config {
  uint64_t frames = 0;        // datagrams to send; 0: no sender
  uint32_t flows = 1;         // sockets, one flow each
  uint32_t threads = 1;       // sender tasks (at most flows)
  uint32_t frame_bytes = 64;  // on the wire, FCS included: payload = frame_bytes - 46
  double pps = 0;             // datagrams per second, all flows together
  bool blocking = true;
  // Datagrams per sendto (UDP_SEGMENT of frame_bytes - 46 when above 1): a call carries this
  // many consecutive datagrams of one flow, the NIC cuts them apart (USO)
  uint32_t gso_segments = 1;
};

class udp_sender {
 public:
  // socks[f] sends flow f to daddr:dport_base + f
  udp_sender(kernel& k, std::vector<sock*> socks, const send_config& c, uint32_t daddr,
             uint16_t dport_base);
  std::vector<std::unique_ptr<task_struct>> tasks;
  // The payload of datagram `seq` of flow `flow`, as the sender writes it: len bytes at out,
  // or in out resized to len
  static void payload(uint32_t flow, uint64_t seq, size_t len, uint8_t* out);
  static void payload(uint32_t flow, uint64_t seq, size_t len, std::vector<uint8_t>& out) {
    out.resize(len);
    payload(flow, seq, len, out.data());
  }
  static constexpr uint32_t kHeaderBytes = 14 + 20 + 8 + 4;  // Ethernet, IPv4, UDP, FCS
  void start_at(const sc_core::sc_time& t) {
    start_ = t;
    next_due_ = t;
  }
  // sendto returned the length (sent), EAGAIN (non-blocking, no room), another error
  uint64_t sent = 0, eagain = 0, errors = 0;
  // The rate datagrams were handed to sendto, all threads together: the datagrams due from
  // the first call to the last (the run's datagram numbers of their first datagrams) over the
  // time between them (0 with fewer than two calls), at most the rate asked. At the asked rate
  // when the sender keeps up; lower when each call's CPU cost, or a full send buffer, holds it
  // back.
  double datagrams_per_s() const;
  bool done() const { return done_threads_ == tasks.size(); }
  // The latest time a thread sleeps until, its next sendto due (SC_ZERO_TIME: none yet)
  sc_core::sc_time next_due() const { return next_due_; }
  // A datagram's sendto is made (on_sending: its packets may reach the wire before the call
  // returns, the thread held up in it by softirq work on the way out), then returned its
  // length (on_sent: the datagram is the kernel's) or an error (on_not_sent: nothing of it was
  // handed to the device); every thread finished
  std::function<void(uint32_t flow, uint64_t seq, const uint8_t* payload, size_t len)> on_sending;
  std::function<void(uint32_t flow, uint64_t seq, size_t len)> on_sent, on_not_sent;
  std::function<void()> on_done;

 private:
  void run(uint32_t t);
  void sleep_until(const sc_core::sc_time& t);
  kernel& k_;
  send_config c_;
  std::vector<sock*> socks_;
  uint32_t daddr_;
  uint16_t dport_base_;
  sc_core::sc_time start_, next_due_;
  sc_core::sc_time first_call_ = sc_core::SC_ZERO_TIME, last_call_ = sc_core::SC_ZERO_TIME;
  uint64_t calls_ = 0, first_index_ = 0, last_index_ = 0;  // the calls' first datagrams
  size_t done_threads_ = 0;
};

}  // namespace igbsim
