// SPDX-License-Identifier: Apache-2.0
#include <algorithm>

#include "dev.h"
#include "eventpoll.h"
#include "kernel.h"
#include "net.h"

namespace igbsim {

void sock_init_data(kernel& k, sock* sk) {
  sk->k = &k;
  sk->sk_rcvbuf = k.params.rmem_default;
  sk->sk_data_ready = sock_def_readable;
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
  uint32_t mask = EPOLLOUT | EPOLLWRNORM;
  const bool readable = sk->tcp ? sk->rcv_queued >= std::max<uint32_t>(1, sk->sk_rcvlowat)
                                : sk->rx_queued() > 0;  // udp_poll: reader_queue too
  if (readable) mask |= EPOLLIN | EPOLLRDNORM;
  return mask;
}

}  // namespace igbsim
