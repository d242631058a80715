// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <stdexcept>

#include "dev.h"
#include "eventpoll.h"
#include "kernel.h"
#include "net.h"
#include "sim_time.h"

namespace igbsim {

void sock_init_data(kernel& k, sock* sk) {
  sk->k = &k;
  sk->sk_rcvbuf = k.params.rmem_default;
  sk->sk_sndbuf = k.params.wmem_default;
  sk->sk_data_ready = sock_def_readable;
  sk->sk_write_space = sock_def_write_space;
}

// sock_def_readable (net/core/sock.c): if anyone sleeps on the socket's wait queue, wake it
// with EPOLLIN|EPOLLPRI|EPOLLRDNORM|EPOLLRDBAND, nr_exclusive = 1, WF_SYNC.
void sock_def_readable(sock* sk) {
  kernel& k = *sk->k;
  cpu_core& cpu = k.this_cpu();
  cpu.spend(k.cost.sk_data_ready_ns);
  ++k.st.sk_data_ready;
  const uint64_t id =
      sk->sk_receive_queue.empty() ? UINT64_MAX : sk->sk_receive_queue.back()->frame_id;
  k.jr.record(id, step::sk_data_ready, cpu.now());
  // Choice: a reader on another core takes the data from here on (sk_buff::queued_ps), not
  // from the enqueue sk_data_ready_ns earlier, so its read never comes before this step
  if (!sk->sk_receive_queue.empty()) sk->sk_receive_queue.back()->queued_ps = ps_of(cpu.now());
  if (!sk->sk_wq.active()) return;  // skwq_has_sleeper
  k.cur_frame = id;
  __wake_up_common(k, &sk->sk_wq, 1 /*TASK_INTERRUPTIBLE*/, 1, 1 /*WF_SYNC*/,
                   EPOLLIN | EPOLLPRI | EPOLLRDNORM | EPOLLRDBAND);
  k.cur_frame = UINT64_MAX;
}

// datagram_poll (udp_poll) / tcp_poll: register on the socket's wait queue, report readiness.
// A TCP socket is readable once SO_RCVLOWAT bytes are queued (tcp_stream_is_readable).
uint32_t file::poll(kernel& k, poll_table* pt) {
  ++k.st.vfs_poll_calls;
  k.this_cpu().spend(k.cost.vfs_poll_ns);
  if (pt && pt->qproc) pt->qproc(this, &sk->sk_wq, pt);
  // datagram_poll / udp_poll: writeable while under half the send buffer, else SOCK_NOSPACE
  // (sk_set_bit(SOCKWQ_ASYNC_NOSPACE)); tcp_poll's stream test (sk_stream_is_writeable) is
  // the same here, the receive-only TCP model sends nothing but ACKs
  uint32_t mask = 0;
  if (sock_writeable(sk)) mask |= EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND;
  else sk->sock_nospace = true;
  const bool readable = sk->tcp ? sk->rcv_queued >= std::max<uint32_t>(1, sk->sk_rcvlowat)
                                : sk->rx_queued() > 0;  // udp_poll: reader_queue too
  if (readable) mask |= EPOLLIN | EPOLLRDNORM;
  return mask;
}

// ---- Send memory (net/core/sock.c) ---------------------------------------------------------

int sock_setsockopt(sock* sk, int level, int optname, int val) {
  if (level != SOL_SOCKET) return -ENOPROTOOPT;
  if (optname == SO_SNDBUF) {
    // BSD treats SO_SNDBUF as a hint: no error, capped at net.core.wmem_max
    val = static_cast<int>(std::min<uint32_t>(static_cast<uint32_t>(val),
                                              static_cast<uint32_t>(sk->k->params.wmem_max)));
  } else if (optname == SO_SNDBUFFORCE) {
    if (val < 0) val = 0;  // CAP_NET_ADMIN assumed
  } else {
    return -ENOPROTOOPT;
  }
  // __sock_set_sndbuf: doubled for the kernel's overhead (struct sk_buff and more)
  val = std::min(val, INT32_MAX / 2);
  sk->sndbuf_locked = true;
  sk->sk_sndbuf = std::max(val * 2, SOCK_MIN_SNDBUF);
  if (sk->sk_write_space) sk->sk_write_space(sk);  // wake up senders if we upped the value
  return 0;
}

void skb_set_owner_w(sk_buff* skb, sock* sk) {
  skb->sk = sk;
  skb->sk_destructor = sock_wfree;
  // skb_set_hash_from_sk: sk_txhash is set for connected sockets only (ip4_datagram_connect);
  // the model leaves it 0, so the flow dissector hashes the skb (netdev_pick_tx)
  sk->sk_wmem_alloc += static_cast<int>(skb->truesize);
}

// sock_def_write_space / sock_def_write_space_wfree: "Do not wake up a writer until he can
// make significant progress" (half the send buffer free): EPOLLOUT|EPOLLWRNORM|EPOLLWRBAND to
// the socket's waiters, a sync wake-up of at most one exclusive waiter. (SIGIO left out. The
// SOCK_NOSPACE_SUPPORTED gate proposed for UDP in 2024 is not modelled: every wfree while
// writeable walks the wait queue.)
void sock_def_write_space(sock* sk) {
  if (!sock_writeable(sk)) return;
  if (!sk->sk_wq.active()) return;  // skwq_has_sleeper
  kernel& k = *sk->k;
  ++k.tx_st.write_space_wakeups;
  __wake_up_common(k, &sk->sk_wq, 1 /*TASK_INTERRUPTIBLE*/, 1, 1 /*WF_SYNC*/,
                   EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND);
}

// sock_wfree (v6.x): a SOCK_RCU_FREE socket (UDP) with the default write_space uncharges the
// whole truesize first, then sock_def_write_space_wfree; other sockets keep 1 until their
// sk_write_space has run.
void sock_wfree(sk_buff* skb) {
  sock* sk = skb->sk;
  kernel& k = *sk->k;
  k.this_cpu().spend(k.cost.sock_wfree_ns);
  const auto* fn = sk->sk_write_space.target<void (*)(sock*)>();
  if (!sk->tcp && fn && *fn == sock_def_write_space) {
    sk->sk_wmem_alloc -= static_cast<int>(skb->truesize);
    sock_def_write_space(sk);
  } else {
    sk->sk_wmem_alloc -= static_cast<int>(skb->truesize) - 1;
    if (sk->sk_write_space) sk->sk_write_space(sk);
    sk->sk_wmem_alloc -= 1;
  }
  skb->sk = nullptr;
  skb->sk_destructor = nullptr;
}

namespace {
// sock_wait_for_wmem: sleep (TASK_INTERRUPTIBLE, on the socket's wait queue with an
// autoremove entry) until sk_wmem_alloc < sk_sndbuf, or shutdown, or an error. No timeout
// (SO_SNDTIMEO unset: MAX_SCHEDULE_TIMEOUT), no signals.
void sock_wait_for_wmem(sock* sk) {
  kernel& k = *sk->k;
  cpu_core& cpu = k.this_cpu();
  task_struct* self = cpu.current();
  if (!self || cpu.ctx() != cpu_ctx::process)
    throw std::logic_error("sock_wait_for_wmem outside a task's process context");
  bool queued = false;
  wait_queue_entry wait;
  wait.private_ = self;
  wait.func = [&k, &queued, &sk](wait_queue_entry* e, unsigned, int, uint32_t) {
    const int woken = default_wake_function(k, e);
    if (woken) {  // autoremove_wake_function: off the queue once woken
      remove_wait_queue(&sk->sk_wq, e);
      queued = false;
    }
    return woken;
  };
  ++k.tx_st.sndbuf_waits;
  for (;;) {
    sk->sock_nospace = true;
    if (!queued) {  // prepare_to_wait
      add_wait_queue(&sk->sk_wq, &wait);
      queued = true;
    }
    cpu.set_current_state(task_state::interruptible);
    if (sk->sk_wmem_alloc < sk->sk_sndbuf) break;
    if (sk->send_shutdown || sk->sk_err) break;
    cpu.schedule();
  }
  cpu.set_current_state(task_state::running);  // finish_wait
  if (queued) remove_wait_queue(&sk->sk_wq, &wait);
}
}  // namespace

sk_buff* sock_alloc_send_skb(sock* sk, unsigned size, bool noblock, int* err) {
  kernel& k = *sk->k;
  const bool can_sleep = !noblock && !sk->nonblock;  // sock_sndtimeo
  for (;;) {
    if (sk->sk_err) {
      *err = -sk->sk_err;  // sock_error
      sk->sk_err = 0;
      return nullptr;
    }
    if (sk->send_shutdown) {
      *err = -EPIPE;
      return nullptr;
    }
    if (sk_wmem_alloc_get(sk) < sk->sk_sndbuf) break;
    sk->sock_nospace = true;  // SOCKWQ_ASYNC_NOSPACE, SOCK_NOSPACE
    if (!can_sleep) {
      ++k.tx_st.sndbuf_eagain;
      *err = -EAGAIN;
      return nullptr;
    }
    sock_wait_for_wmem(sk);
  }
  k.this_cpu().spend(k.cost.alloc_skb_ns);
  sk_buff* skb = sk_buff::alloc_skb(size);
  skb_set_owner_w(skb, sk);
  *err = 0;
  return skb;
}

}  // namespace igbsim
