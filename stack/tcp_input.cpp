// SPDX-License-Identifier: Apache-2.0
// TCP receive for established connections (net/ipv4/tcp_ipv4.c tcp_v4_rcv, net/ipv4/tcp_input.c
// tcp_rcv_established / tcp_data_queue / tcp_data_queue_ofo / tcp_ofo_queue / tcp_data_ready).
// Left out: the listener and the handshake (connections start established), the socket
// backlog when the user owns the lock, window updates, SACK and D-SACK blocks (only counted as
// DelayedACKLost), and the transmit side: the ACKs the receiver would send are
// counted (OutSegs), as quick ACKs for out-of-order and duplicate data and one per two
// in-order segments (delayed ACK), but not transmitted.
#include <algorithm>
#include <cstring>
#include <iterator>
#include <vector>

#include "dev.h"
#include "kernel.h"
#include "net.h"
#include "sim_time.h"
#include "sw_signals.h"

namespace igbsim {

namespace {

bool before(uint32_t a, uint32_t b) { return static_cast<int32_t>(a - b) < 0; }
bool after(uint32_t a, uint32_t b) { return before(b, a); }
uint32_t seq_of(const sk_buff* skb) { return skb->tcp_seq; }
uint32_t end_seq_of(const sk_buff* skb) { return skb->tcp_seq + skb->len; }

void send_ack(kernel& k, sock* sk) {
  ++k.st.tcp_out_segs;
  sk->segs_unacked = 0;
}

// tcp_queue_rcv: append in-order payload to the receive queue
void queue_rcv(kernel& k, sock* sk, sk_buff* skb) {
  skb->queued_ps = ps_of(k.this_cpu().now());
  sk->sk_receive_queue.push_back(skb);
  sk->rmem_alloc += static_cast<int>(skb->truesize);
  sk->rcv_queued += skb->len;
  sk->rcv_nxt = end_seq_of(skb);
  if (sk->index == 0)
    k.probe(sw_sig::sock0_rxq_len, static_cast<uint32_t>(sk->sk_receive_queue.size()));
}

// tcp_ofo_queue: move segments the new data made in-order from the out-of-order queue
bool ofo_queue(kernel& k, sock* sk) {
  bool moved = false;
  while (!sk->out_of_order_queue.empty()) {
    auto it = sk->out_of_order_queue.begin();
    sk_buff* skb = it->second;
    if (after(seq_of(skb), sk->rcv_nxt)) break;
    sk->out_of_order_queue.erase(it);
    sk->rmem_alloc -= static_cast<int>(skb->truesize);
    if (!after(end_seq_of(skb), sk->rcv_nxt)) {  // wholly old by now
      ++k.st.tcp_ofo_drop;
      drop_skb(k, skb, "tcp_ofo_drop");
      continue;
    }
    const uint32_t dup = sk->rcv_nxt - seq_of(skb);
    skb->pskb_pull(dup);
    skb->tcp_seq += dup;
    queue_rcv(k, sk, skb);
    moved = true;
  }
  return moved;
}

// tcp_data_ready: wake the reader only once SO_RCVLOWAT bytes are queued
void data_ready(kernel& k, sock* sk) {
  (void)k;
  if (sk->rcv_queued >= std::max<uint32_t>(1, sk->sk_rcvlowat)) sk->sk_data_ready(sk);
}

bool rmem_schedule(sock* sk, const sk_buff* skb) {
  return sk->rmem_alloc + static_cast<int>(skb->truesize) <= sk->sk_rcvbuf || sk->rmem_alloc == 0;
}

// tcp_data_queue
void data_queue(kernel& k, sock* sk, sk_buff* skb) {
  if (!skb->frag_list.empty() && !(seq_of(skb) == sk->rcv_nxt && sk->out_of_order_queue.empty())) {
    // A GRO packet that is not simply the next data: its segments go one by one
    for (sk_buff* part : gro_split(skb)) data_queue(k, sk, part);
    return;
  }
  if (skb->len == 0) {  // a pure ACK: nothing to queue
    // No Linux counter: tcp_data_queue frees a segment without data (__kfree_skb) once
    // tcp_ack has used it; it counts in TcpInSegs only. The model's fate for it.
    drop_skb(k, skb, "tcp_pure_ack");
    return;
  }
  if (seq_of(skb) == sk->rcv_nxt ||
      (before(seq_of(skb), sk->rcv_nxt) && after(end_seq_of(skb), sk->rcv_nxt))) {
    // In order (or overlapping what we have: the old part is trimmed)
    if (!rmem_schedule(sk, skb)) {
      ++k.st.tcp_rcvq_drop;
      drop_skb(k, skb, "tcp_rcvq_drop");
      return;
    }
    const uint32_t dup = sk->rcv_nxt - seq_of(skb);
    if (dup) {
      skb->pskb_pull(dup);
      skb->tcp_seq += dup;
    }
    const bool had_ofo = !sk->out_of_order_queue.empty();
    queue_rcv(k, sk, skb);
    k.st.tcp_in_gro_segs += skb->frag_list.size();
    ofo_queue(k, sk);
    if (had_ofo || ++sk->segs_unacked >= 2) send_ack(k, sk);  // quick ACK once a hole fills
    data_ready(k, sk);
    return;
  }
  if (!after(end_seq_of(skb), sk->rcv_nxt)) {
    // A retransmission of data we have: D-SACK and a quick ACK, then drop (tcp_data_queue:
    // LINUX_MIB_DELAYEDACKLOST, TcpExtDelayedACKLost; drop reason TCP_OLD_DATA)
    ++k.st.delayed_ack_lost;
    send_ack(k, sk);
    drop_skb(k, skb, "delayed_ack_lost");
    return;
  }
  // Out of order (tcp_data_queue_ofo): hold it until the hole before it fills; a duplicate ACK
  // tells the sender
  send_ack(k, sk);
  if (!rmem_schedule(sk, skb)) {
    ++k.st.tcp_ofo_drop;
    drop_skb(k, skb, "tcp_ofo_drop");
    return;
  }
  ++k.st.tcp_ofo_queue;
  auto& q = sk->out_of_order_queue;
  const uint32_t seq = seq_of(skb), end_seq = end_seq_of(skb);
  auto drop_held = [&](std::map<uint32_t, sk_buff*>::iterator it) {
    sk_buff* held = it->second;
    q.erase(it);
    sk->rmem_alloc -= static_cast<int>(held->truesize);
    ++k.st.tcp_ofo_merge;
    drop_skb(k, held, "tcp_ofo_merge");
  };
  // The held segment that starts last at or before this one: if it has all of this one's
  // bytes, this one is a duplicate; if it starts at the same place and this one has more, this
  // one replaces it; a partial overlap keeps both (tcp_ofo_queue trims the later one).
  auto at = q.upper_bound(seq);
  if (at != q.begin()) {
    auto prev = std::prev(at);
    sk_buff* held = prev->second;
    if (before(seq, end_seq_of(held))) {
      if (!after(end_seq, end_seq_of(held))) {  // all the bits are present
        ++k.st.tcp_ofo_merge;
        drop_skb(k, skb, "tcp_ofo_merge");
        return;
      }
      if (seq == seq_of(held)) drop_held(prev);
    }
  }
  sk->rmem_alloc += static_cast<int>(skb->truesize);
  auto it = q.emplace(seq, skb).first;
  // merge_right: held segments this one covers wholly go
  for (auto next = std::next(it); next != q.end(); next = std::next(it)) {
    if (!after(end_seq, seq_of(next->second)) || before(end_seq, end_seq_of(next->second))) break;
    drop_held(next);
  }
}

}  // namespace

int tcp_v4_rcv(kernel& k, sk_buff* skb) {
  cpu_core& cpu = k.this_cpu();
  cpu.spend(k.cost.tcp_rcv_ns);
  skb->for_each_frame(
      [&](uint64_t id) { k.jr.record(id, step::udp_rcv, cpu.now()); });  // transport step
  k.st.tcp_in_segs += 1 + skb->frag_list.size();  // TCP_MIB_INSEGS counts a GRO packet's segments
  if (!skb->may_pull(20) || (skb->data[12] >> 4) < 5 || !skb->may_pull((skb->data[12] >> 4) * 4u)) {
    ++k.st.tcp_in_errs;
    drop_skb(k, skb, "tcp_in_errs");
    return -1;
  }
  const uint8_t* th = skb->data;
  const uint32_t doff = (th[12] >> 4) * 4u;
  iphdr_view iph{skb->network()};
  if (skb->ip_summed != CHECKSUM_UNNECESSARY) {  // tcp_checksum_complete
    uint32_t sum = csum_partial(skb->network() + 12, 8, 0);
    sum += IPPROTO_TCP;
    sum += skb->len;
    std::vector<uint8_t> seg(skb->len);
    skb->copy_bits(0, seg.data(), skb->len);
    if (csum_fold(csum_partial(seg.data(), seg.size(), sum)) != 0xFFFF) {
      ++k.st.tcp_in_csum_errors;
      ++k.st.tcp_in_errs;
      drop_skb(k, skb, "tcp_in_csum_errors");
      return -1;
    }
  }
  const uint16_t sport = static_cast<uint16_t>(th[0] << 8 | th[1]);
  const uint16_t dport = static_cast<uint16_t>(th[2] << 8 | th[3]);
  const uint32_t seq = uint32_t(th[4]) << 24 | uint32_t(th[5]) << 16 | uint32_t(th[6]) << 8 | th[7];
  sock* sk = k.tcp_hash.lookup(iph.saddr(), sport, iph.daddr(), dport);
  if (!sk) {  // no_tcp_socket: answer with a RST (tcp_v4_send_reset: TcpOutRsts)
    ++k.st.tcp_out_rsts;
    drop_skb(k, skb, "tcp_out_rsts");
    return -1;
  }
  skb->pull(doff);
  skb->tcp_seq = seq;
  data_queue(k, sk, skb);
  return 0;
}

// tcp_recvmsg (MSG_DONTWAIT): copy whole in-order segments while they fit.
int tcp_recvmsg(kernel& k, sock* sk, uint8_t* buf, size_t size, std::vector<read_seg>& segs) {
  cpu_core& cpu = k.this_cpu();
  cpu.spend(k.cost.syscall_ns + k.cost.recvmsg_ns);
  ++k.st.reads;
  size_t copied = 0;
  while (!sk->sk_receive_queue.empty()) {
    sk_buff* skb = sk->sk_receive_queue.front();
    if (copied + skb->len > size && copied > 0) break;
    // A segment queued after this CPU's local time was not there yet in real time: the read
    // ends before it, or (the first) waits for it as udp_recvmsg does
    if (copied > 0 && skb->queued_ps > ps_of(cpu.now())) break;
    cpu.spin_until(time_of_ps(skb->queued_ps));
    const size_t n = std::min<size_t>(size - copied, skb->len);
    skb->copy_bits(0, buf + copied, static_cast<uint32_t>(n));
    cpu.spend(k.cost.copy_ns_per_byte * static_cast<double>(n));
    // one read_seg per wire frame: a GRO packet carries several
    const size_t merged = skb->merged_len();
    size_t off = copied;
    segs.push_back({skb->frame_id, off, n - merged});
    if (k.on_dequeue) k.on_dequeue(skb->frame_id, skb->tcp_seq, n - merged);
    off += n - merged;
    for (const sk_buff* m : skb->frag_list) {
      segs.push_back({m->frame_id, off, m->len});
      if (k.on_dequeue) k.on_dequeue(m->frame_id, m->tcp_seq, m->len);
      off += m->len;
    }
    copied += n;
    sk->sk_receive_queue.pop_front();
    sk->rmem_alloc -= static_cast<int>(skb->truesize);
    sk->rcv_queued -= skb->len;
    cpu.spend(k.cost.skb_free_ns);
    kfree_skb(skb);
    if (copied >= size) break;
  }
  if (sk->index == 0)
    k.probe(sw_sig::sock0_rxq_len, static_cast<uint32_t>(sk->sk_receive_queue.size()));
  if (!copied) return -EAGAIN;
  cpu.sync();
  for (const auto& s : segs) k.jr.record(s.frame, step::read_return, cpu.now());
  return static_cast<int>(copied);
}

void tcp_flush_ofo_at_end(kernel& k, sock* sk) {
  for (auto& [seq, skb] : sk->out_of_order_queue) {
    (void)seq;
    sk->rmem_alloc -= static_cast<int>(skb->truesize);
    // No Linux counter: Linux would keep them until the hole fills or the queue is pruned
    // (OfoPruned); the run's end is the model's, so is this fate
    drop_skb(k, skb, "tcp_ofo_held_at_end");
  }
  sk->out_of_order_queue.clear();
}

}  // namespace igbsim
