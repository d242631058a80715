#include <cstring>
#include <vector>

#include "dev.h"
#include "kernel.h"
#include "net.h"
#include "wave_tracer.h"

namespace igbsim {

// __udp4_lib_lookup: a connected socket matching the 4-tuple wins over a bound one.
sock* udp_table::lookup(uint32_t saddr, uint16_t sport, uint32_t daddr, uint16_t dport) const {
  sock* best = nullptr;
  int best_score = -1;
  auto range = by_port.equal_range(dport);
  for (auto it = range.first; it != range.second; ++it) {
    sock* sk = it->second;
    int score = 0;
    if (sk->rcv_saddr) {
      if (sk->rcv_saddr != daddr) continue;
      score += 2;
    }
    if (sk->daddr) {
      if (sk->daddr != saddr || sk->dport != sport) continue;
      score += 4;
    }
    if (score > best_score) {
      best = sk;
      best_score = score;
    }
  }
  return best;
}

// __udp_enqueue_schedule_skb: charge the receive buffer. A socket over its limit drops, but
// the check lets one packet in even if it alone exceeds sk_rcvbuf ("always admit one").
static int udp_enqueue(kernel& k, sock* sk, sk_buff* skb) {
  const int size = static_cast<int>(skb->truesize);
  if (sk->rmem_alloc > sk->sk_rcvbuf) return -1;
  sk->rmem_alloc += size;
  if (sk->rmem_alloc > size + sk->sk_rcvbuf) {
    sk->rmem_alloc -= size;
    return -1;
  }
  sk->sk_receive_queue.push_back(skb);
  if (sk->index == 0) k.probe(sw_sig::sock0_rxq_len, static_cast<uint32_t>(sk->sk_receive_queue.size()));
  sk->sk_data_ready(sk);
  return 0;
}

// udp_rcv -> __udp4_lib_rcv -> udp_unicast_rcv_skb -> udp_queue_rcv_skb (net/ipv4/udp.c).
// Left out: multicast/broadcast delivery, encapsulation sockets, socket filters, the ICMP
// port-unreachable reply (NoPorts is counted).
int udp_rcv(kernel& k, sk_buff* skb) {
  cpu_core& cpu = k.this_cpu();
  cpu.spend(k.cost.udp_rcv_ns);
  k.jr.record(skb->frame_id, step::udp_rcv, cpu.now());
  if (!skb->may_pull(8)) {
    ++k.st.udp_in_errors;
    drop_skb(k, skb, "udp_in_errors");
    return -1;
  }
  const uint8_t* uh = skb->data;
  const uint16_t sport = static_cast<uint16_t>(uh[0] << 8 | uh[1]);
  const uint16_t dport = static_cast<uint16_t>(uh[2] << 8 | uh[3]);
  const uint16_t ulen = static_cast<uint16_t>(uh[4] << 8 | uh[5]);
  const uint16_t check = static_cast<uint16_t>(uh[6] << 8 | uh[7]);
  if (ulen > skb->len || ulen < 8) {
    ++k.st.udp_in_errors;
    drop_skb(k, skb, "udp_in_errors");
    return -1;
  }
  skb->trim(ulen);
  iphdr_view iph{skb->network()};
  if (check != 0 && skb->ip_summed != CHECKSUM_UNNECESSARY) {
    // Pseudo-header: saddr, daddr, zero+protocol, UDP length
    uint32_t sum = csum_partial(skb->network() + 12, 8, 0);
    sum += IPPROTO_UDP;
    sum += ulen;
    std::vector<uint8_t> datagram(ulen);  // the datagram may span several buffers
    skb->copy_bits(0, datagram.data(), ulen);
    sum = csum_partial(datagram.data(), ulen, sum);
    if (csum_fold(sum) != 0xFFFF) {
      ++k.st.udp_in_csum_errors;
      ++k.st.udp_in_errors;
      drop_skb(k, skb, "udp_in_csum_errors");
      return -1;
    }
  }
  sock* sk = k.udp.lookup(iph.saddr(), sport, iph.daddr(), dport);
  if (!sk) {
    ++k.st.udp_no_ports;
    drop_skb(k, skb, "udp_no_ports");
    return -1;
  }
  skb->pull(8);  // the socket queue holds the payload
  if (udp_enqueue(k, sk, skb) < 0) {
    ++sk->sk_drops;
    ++k.st.udp_rcvbuf_errors;
    ++k.st.udp_in_errors;
    drop_skb(k, skb, "udp_rcvbuf_errors");
    return -1;
  }
  return 0;
}

// udp_recvmsg (MSG_DONTWAIT): dequeue one datagram, copy it out, uncharge, free the skb.
int udp_recvmsg(kernel& k, sock* sk, uint8_t* buf, size_t size, std::vector<read_seg>& segs) {
  cpu_core& cpu = k.this_cpu();
  cpu.spend(k.cost.syscall_ns + k.cost.recvmsg_ns);
  ++k.st.reads;
  if (sk->sk_receive_queue.empty()) return -EAGAIN;
  sk_buff* skb = sk->sk_receive_queue.front();
  sk->sk_receive_queue.pop_front();
  sk->rmem_alloc -= static_cast<int>(skb->truesize);
  if (sk->index == 0) k.probe(sw_sig::sock0_rxq_len, static_cast<uint32_t>(sk->sk_receive_queue.size()));
  const size_t n = std::min<size_t>(size, skb->len);
  if (k.on_dequeue) k.on_dequeue(skb->frame_id, 0, n);
  skb->copy_bits(0, buf, static_cast<uint32_t>(n));
  cpu.spend(k.cost.copy_ns_per_byte * static_cast<double>(n));
  ++k.st.udp_in_datagrams;  // UDP_MIB_INDATAGRAMS is counted when the datagram is read
  const uint64_t id = skb->frame_id;
  cpu.spend(k.cost.skb_free_ns);
  kfree_skb(skb);
  cpu.sync();
  k.jr.record(id, step::read_return, cpu.now());
  segs.push_back({id, 0, n});
  return static_cast<int>(n);
}

}  // namespace igbsim
