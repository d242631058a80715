// SPDX-License-Identifier: Apache-2.0
#include "app.h"

#include <algorithm>

#include "kernel.h"
#include "sim_time.h"

namespace igbsim {

namespace {
constexpr int kFirstFd = 3;  // after stdin, stdout, stderr
}

server_app::server_app(kernel& k, std::vector<sock*> socks, const app_config& c)
    : k_(k), c_(c), socks_(std::move(socks)) {
  files_.resize(socks_.size());
  fds_.assign(kFirstFd + socks_.size(), nullptr);
  for (size_t i = 0; i < socks_.size(); ++i) {
    files_[i].sk = socks_[i];
    fds_[kFirstFd + i] = &files_[i];
  }
  // Blocking readers: a recv blocks on one socket, so every socket gets its own reader (the
  // thread-per-socket server a user writes); threads beyond the sockets share them.
  const int ntasks = c_.kind == app_kind::blocking
                         ? std::max(c_.threads, static_cast<int>(socks_.size()))
                         : c_.threads;
  for (int t = 0; t < ntasks; ++t) {
    tasks.push_back(std::make_unique<task_struct>());
    tasks.back()->comm = "server/" + std::to_string(t);
    tasks.back()->fn = [this, t] { run(t); };
    ts_.push_back(std::make_unique<thread_state>());
    ep_init(k, &ts_.back()->ep, t);
  }
}

void server_app::returned(int t) {
  cpu_core& cpu = k_.this_cpu();
  cpu.sync();
  ts_[t]->last_return = cpu.now();
  ts_[t]->returned = true;
}

void server_app::deliver(int t, uint64_t id, const uint8_t* data, size_t len) {
  // The wait call's return counts for this frame only if it came after the frame was queued
  // (otherwise the read found it while draining), and the wake-up only if it was this
  // thread's, for this frame (several threads: it may have woken another)
  const thread_state& ts = *ts_[static_cast<size_t>(t)];
  k_.jr.settle_reader(id, ts.returned ? &ts.last_return : nullptr,
                      tasks[static_cast<size_t>(t)].get());
  ++k_.st.delivered_packets;
  k_.st.delivered_bytes += len;
  if (k_.on_deliver) k_.on_deliver(id, data, len, k_.this_cpu().now());
  k_.jr.finish(id, "delivered");
}

int server_app::drain(int t, sock* sk) {
  // Each thread reads into its own buffer: a recvmsg pays its time (a SystemC wait) after the
  // copy, and another thread's read must not overwrite the bytes before they are checked.
  std::vector<uint8_t>& buf = ts_[t]->buf;
  int got = 0;
  for (;;) {
    std::vector<read_seg> segs;
    msg_name from;
    const int n = sock_recvmsg(k_, sk, buf.data(), buf.size(), segs, &from);
    if (n < 0) break;
    for (const auto& s : segs) deliver(t, s.frame, buf.data() + s.off, s.len);
    ++got;
    k_.this_cpu().boundary();
    serve(sk, segs.empty() ? UINT64_MAX : segs.front().frame, buf.data(), static_cast<size_t>(n),
          from);
  }
  if (!got) ++k_.st.empty_reads;
  return got;
}

void server_app::serve(sock* sk, uint64_t id, const uint8_t* data, size_t len,
                       const msg_name& from) {
  if (c_.service_ns > 0) k_.this_cpu().user_work(c_.service_ns);
  if (c_.reply != app_reply::echo || sk->tcp) return;
  const int flags = c_.kind == app_kind::blocking ? 0 : MSG_DONTWAIT;
  if (on_reply_sendto) on_reply_sendto(len, true);
  const int rc = udp_sendmsg(k_, sk, data, len, from.addr, from.port, flags);
  if (on_reply_sendto) on_reply_sendto(len, false);
  if (rc == static_cast<int>(len)) {
    ++replies;
    if (on_reply) on_reply(id, sk, from, data, len);
  } else if (rc == -EAGAIN) {
    ++reply_eagain;
  } else {
    ++reply_errors;
  }
  k_.this_cpu().boundary();  // the syscall's return: interrupts that came meanwhile are taken
}

void server_app::run(int t) {
  switch (c_.kind) {
    case app_kind::epoll: run_epoll(t); break;
    case app_kind::select: run_select(t); break;
    case app_kind::poll: run_poll(t); break;
    case app_kind::blocking: run_blocking(t); break;
  }
}

void server_app::run_epoll(int t) {
  eventpoll* ep = &ts_[t]->ep;
  for (size_t i = 0; i < socks_.size(); ++i) {
    epoll_event ev;
    ev.events = EPOLLIN | (c_.exclusive ? EPOLLEXCLUSIVE : 0);
    ev.data = i;
    epoll_ctl(ep, EPOLL_CTL_ADD, kFirstFd + static_cast<int>(i), &files_[i], &ev);
    // Each epoll_ctl is a system call: interrupts that arrived during it are taken by its
    // return. (Without this, registering 100,000 sockets ran 4 ms of ep_insert polls as one
    // stretch that no interrupt could enter, and the first frames were stranded.)
    k_.this_cpu().boundary();
  }
  std::vector<epoll_event> events(64);
  for (;;) {
    const int n = epoll_wait(ep, events.data(), static_cast<int>(events.size()), -1);
    returned(t);
    for (int i = 0; i < n; ++i) drain(t, socks_[events[i].data]);
  }
}

void server_app::run_select(int t) {
  const int nfds = static_cast<int>(fds_.size());
  for (;;) {
    std::vector<bool> readfds(fds_.size(), false);
    for (size_t i = 0; i < socks_.size(); ++i) readfds[kFirstFd + i] = true;
    const int n = sys_select(k_, fds_, nfds, readfds, true);
    returned(t);
    if (n < 0) return;  // EINVAL (a negative nfds: never here)
    for (size_t i = 0; i < socks_.size(); ++i)
      if (readfds[kFirstFd + i]) drain(t, socks_[i]);
  }
}

void server_app::run_poll(int t) {
  std::vector<pollfd> pfds(socks_.size());
  for (;;) {
    for (size_t i = 0; i < socks_.size(); ++i) {
      pfds[i].fd = kFirstFd + static_cast<int>(i);
      pfds[i].events = EPOLLIN;
    }
    const int n = sys_poll(k_, fds_, pfds, true);
    returned(t);
    for (size_t i = 0; n > 0 && i < socks_.size(); ++i)
      if (pfds[i].revents & EPOLLIN) drain(t, socks_[i]);
  }
}

// A blocking recv: sleep on the socket until data comes (UDP: __skb_wait_for_more_packets,
// an exclusive waiter; TCP: sk_wait_data, a non-exclusive one), then read what is there.
void server_app::run_blocking(int t) {
  sock* sk = socks_[static_cast<size_t>(t) % socks_.size()];
  cpu_core* cpu = &k_.this_cpu();
  for (;;) {
    if (drain(t, sk) > 0) continue;
    wait_queue_entry wait;
    wait.private_ = cpu->current();
    wait.func = [this](wait_queue_entry* e, unsigned, int, uint32_t) {
      const kernel::journey_wake_site site(k_, k_.this_cpu().now(), '\0');
      return default_wake_function(k_, e);
    };
    if (sk->tcp) add_wait_queue(&sk->sk_wq, &wait);
    else add_wait_queue_exclusive(&sk->sk_wq, &wait);
    cpu->set_current_state(task_state::interruptible);
    if (sk->rx_queued()) cpu->set_current_state(task_state::running);
    cpu->schedule();
    cpu = &k_.this_cpu();
    remove_wait_queue(&sk->sk_wq, &wait);
    returned(t);
    if (!sk->rx_queued()) ++k_.st.empty_wakeups;
  }
}

// ---- The UDP stream sender ------------------------------------------------------------

udp_sender::udp_sender(kernel& k, std::vector<sock*> socks, const send_config& c, uint32_t daddr,
                       uint16_t dport_base)
    : k_(k), c_(c), socks_(std::move(socks)), daddr_(daddr), dport_base_(dport_base) {
  const uint32_t threads = std::max(1u, std::min(c_.threads, c_.flows));
  for (uint32_t t = 0; t < threads; ++t) {
    tasks.push_back(std::make_unique<task_struct>());
    tasks.back()->comm = "sender/" + std::to_string(t);
    tasks.back()->fn = [this, t] { run(t); };
  }
  if (c_.gso_segments > 1)  // setsockopt(SOL_UDP, UDP_SEGMENT): each datagram's payload
    for (sock* sk : socks_)
      udp_lib_setsockopt(sk, SOL_UDP, UDP_SEGMENT, static_cast<int>(c_.frame_bytes - kHeaderBytes));
}

void udp_sender::payload(uint32_t flow, uint64_t seq, size_t len, uint8_t* out) {
  uint8_t id[12];
  for (int i = 0; i < 4; ++i) id[i] = static_cast<uint8_t>(flow >> (24 - 8 * i));
  for (int i = 0; i < 8; ++i) id[4 + i] = static_cast<uint8_t>(seq >> (56 - 8 * i));
  for (size_t i = 0; i < len; ++i)
    out[i] = i < sizeof id ? id[i] : static_cast<uint8_t>(seq * 31 + flow * 7 + i * 13);
}

// nanosleep until t: an hrtimer wakes the task (a sender ahead of its rate waits for its time)
void udp_sender::sleep_until(const sc_core::sc_time& t) {
  cpu_core* cpu = &k_.this_cpu();
  cpu->sync();
  if (cpu->now() >= t) return;
  next_due_ = std::max(next_due_, t);
  task_struct* me = cpu->current();
  auto fired = std::make_shared<bool>(false);
  cpu->add_timer(t, [this, me, fired] {
    *fired = true;
    k_.try_to_wake_up(me);
  });
  while (!*fired) {
    cpu->set_current_state(task_state::interruptible);
    if (*fired) cpu->set_current_state(task_state::running);
    cpu->schedule();
    cpu = &k_.this_cpu();
  }
}

double udp_sender::datagrams_per_s() const {
  const double span = (last_call_ - first_call_).to_seconds();
  if (calls_ < 2 || span <= 0) return 0;
  // No call is made before it is due (sleep_until), so the rate cannot be above the one asked:
  // a reading above it is a first call woken later than the last over a short span (2 % in 33
  // calls within 115 us)
  return std::min(static_cast<double>(last_index_ - first_index_) / span, c_.pps);
}

void udp_sender::run(uint32_t t) {
  const uint32_t threads = static_cast<uint32_t>(tasks.size());
  const size_t len = c_.frame_bytes - kHeaderBytes;  // each datagram's payload
  const uint64_t per_call = std::max(1u, c_.gso_segments), flows = c_.flows;
  std::vector<uint8_t> buf;
  // Datagram i goes out on flow i mod flows, as without UDP_SEGMENT, numbered in its flow's
  // own order; a flow hands its datagrams to sendto per_call at a time (its last call fewer),
  // a call due when its first datagram is
  for (uint64_t i = 0; i < c_.frames; ++i) {
    const uint32_t flow = static_cast<uint32_t>(i % flows);
    const uint64_t s = i / flows;
    if (flow % threads != t || s % per_call != 0) continue;
    const uint64_t in_flow = (c_.frames - flow + flows - 1) / flows;
    const uint64_t n = std::min(per_call, in_flow - s);
    sleep_until(start_ + sc_core::sc_time(static_cast<double>(i) / c_.pps, sc_core::SC_SEC));
    buf.resize(n * len);
    for (uint64_t j = 0; j < n; ++j) {
      uint8_t* const p = buf.data() + j * len;
      payload(flow, s + j, len, p);
      if (on_sending) on_sending(flow, s + j, p, len);
    }
    const sc_core::sc_time at = k_.this_cpu().now();
    if (!calls_++ || at < first_call_) {
      first_call_ = at;
      first_index_ = i;
    }
    if (at >= last_call_) {
      last_call_ = at;
      last_index_ = i;
    }
    const int rc =
        udp_sendmsg(k_, socks_[flow], buf.data(), n * len, daddr_,
                    static_cast<uint16_t>(dport_base_ + flow), c_.blocking ? 0 : MSG_DONTWAIT);
    const bool ok = rc == static_cast<int>(n * len);
    if (ok) sent += n;
    else (rc == -EAGAIN ? eagain : errors) += n;
    for (uint64_t j = 0; j < n; ++j) {
      if (ok && on_sent) on_sent(flow, s + j, len);
      if (!ok && on_not_sent) on_not_sent(flow, s + j, len);
    }
    k_.this_cpu().boundary();  // the syscall's return: interrupts that came meanwhile are taken
  }
  k_.this_cpu().sync();
  if (++done_threads_ == tasks.size() && on_done) on_done();
}

}  // namespace igbsim
