// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "dev.h"
#include "kernel.h"
#include "net.h"
#include "netdevice.h"
#include "sim_time.h"
#include "sw_signals.h"

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

// __udp_enqueue_schedule_skb (net/ipv4/udp.c), the drop test of v6.18 (Eric Dumazet's 2025
// per-NUMA udp_prod_queue form, after 5a465a0da13e "udp: Fix multiple wraparounds of
// sk->sk_rmem_alloc", v6.15): drop when the charge would pass sk_rcvbuf, unless nothing is
// charged (an empty queue takes one datagram whatever its size). rmem is what is charged,
// which lags the reader because udp_rmem_release defers the release (udp_recvmsg below).
// Left out: skb_condense once rmem passes rcvbuf / 2 (it sets truesize to SKB_TRUESIZE of the
// linear part: no change for build_skb skbs, whose data is all linear) and udp_mem pressure
// (MemErrors).
static int udp_enqueue(kernel& k, sock* sk, sk_buff* skb) {
  const int64_t rmem = sk->rmem_alloc, rcvbuf = sk->sk_rcvbuf, size = skb->truesize;
  if (rmem + size > rcvbuf) {
    if (rcvbuf > (INT32_MAX >> 1)) return -ENOMEM;
    if (rmem) return -ENOMEM;  // accept the packet if the queue is empty
  }
  sk->rmem_alloc += static_cast<int>(size);
  skb->queued_ps = ps_of(k.this_cpu().now());
  sk->sk_receive_queue.push_back(skb);
  if (sk->index == 0) k.probe(sw_sig::sock0_rxq_len, static_cast<uint32_t>(sk->rx_queued()));
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

// udp_rmem_release(sk, size, partial = 1) (net/ipv4/udp.c, v6.15+ form): the released size
// accumulates in forward_deficit and nothing leaves sk_rmem_alloc while the deficit is under
// forward_threshold (sk_rcvbuf >> 2, set by udp_lib_init_sock and on SO_RCVBUF; the model has
// no setsockopt, so it is read here) and the reader queue still holds datagrams. Then the whole
// deficit is released and sk_receive_queue is spliced onto reader_queue.
static void udp_rmem_release(sock* sk, int size) {
  sk->forward_deficit += size;
  size = sk->forward_deficit;
  if (size < (sk->sk_rcvbuf >> 2) && !sk->reader_queue.empty()) return;
  sk->forward_deficit = 0;
  sk->rmem_alloc -= size;  // (sk_forward_alloc and the protocol's page accounting left out)
  for (sk_buff* s : sk->sk_receive_queue)
    sk->reader_queue.push_back(s);  // skb_queue_splice_tail_init
  sk->sk_receive_queue.clear();
}

// __skb_recv_udp (MSG_DONTWAIT, no MSG_PEEK): the first datagram of reader_queue; when that is
// empty, sk_receive_queue is spliced onto it first. Its truesize is released at dequeue
// (udp_skb_destructor / udp_skb_dtor_locked -> udp_rmem_release), not when it is freed.
static sk_buff* skb_recv_udp(sock* sk) {
  if (sk->reader_queue.empty()) {
    if (sk->sk_receive_queue.empty()) return nullptr;
    for (sk_buff* s : sk->sk_receive_queue) sk->reader_queue.push_back(s);
    sk->sk_receive_queue.clear();
  }
  sk_buff* skb = sk->reader_queue.front();
  sk->reader_queue.pop_front();
  udp_rmem_release(sk, static_cast<int>(skb->truesize));
  return skb;
}

// udp_recvmsg (MSG_DONTWAIT): dequeue one datagram (__skb_recv_udp), copy it out, fill msg_name
// from ip_hdr(skb)->saddr and udp_hdr(skb)->source when asked, free the skb (skb_consume_udp).
int udp_recvmsg(kernel& k, sock* sk, uint8_t* buf, size_t size, std::vector<read_seg>& segs,
                msg_name* from) {
  cpu_core& cpu = k.this_cpu();
  cpu.spend(k.cost.syscall_ns + k.cost.recvmsg_ns);
  ++k.st.reads;
  sk_buff* skb = skb_recv_udp(sk);
  if (!skb) return -EAGAIN;
  // Several cores each run ahead of SystemC time by their own unpaid cost (cpu.h): the reader
  // may find a datagram the queuing CPU put there at a later local time than the reader's.
  // In real time it was not there yet: the reader takes it from then on (dev_xmit.cpp's
  // qdisc_run_begin does the same for the qdisc). One core: never later than its own time.
  cpu.spin_until(time_of_ps(skb->queued_ps));
  if (sk->index == 0) k.probe(sw_sig::sock0_rxq_len, static_cast<uint32_t>(sk->rx_queued()));
  const size_t n = std::min<size_t>(size, skb->len);
  if (k.on_dequeue) k.on_dequeue(skb->frame_id, 0, n);
  skb->copy_bits(0, buf, static_cast<uint32_t>(n));
  cpu.spend(k.cost.copy_ns_per_byte * static_cast<double>(n));
  ++k.st.udp_in_datagrams;  // UDP_MIB_INDATAGRAMS is counted when the datagram is read
  if (from) {
    from->addr = iphdr_view{skb->network()}.saddr();
    const uint8_t* uh = skb->transport();
    from->port = static_cast<uint16_t>(uh[0] << 8 | uh[1]);
  }
  const uint64_t id = skb->frame_id;
  cpu.spend(k.cost.skb_free_ns);
  kfree_skb(skb);
  cpu.sync();
  k.jr.record(id, step::read_return, cpu.now());
  segs.push_back({id, 0, n});
  return static_cast<int>(n);
}

// ---- Send (net/ipv4/udp.c) --------------------------------------------------------------

// udp_lib_setsockopt (SOL_UDP): UDP_SEGMENT sets the GSO segment size, 0 to 65535
int udp_lib_setsockopt(sock* sk, int level, int optname, int val) {
  if (level != SOL_UDP || optname != UDP_SEGMENT) return -ENOPROTOOPT;
  if (val < 0 || val > 0xFFFF) return -EINVAL;
  sk->gso_size = static_cast<uint16_t>(val);
  return 0;
}

namespace {
void put16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}

// csum_tcpudp_nofold: the pseudo-header's sum (addresses, protocol, length) added to sum
uint32_t csum_tcpudp_nofold(uint32_t saddr, uint32_t daddr, uint32_t len, uint8_t proto,
                            uint32_t sum) {
  sum += (saddr >> 16) + (saddr & 0xFFFF) + (daddr >> 16) + (daddr & 0xFFFF);
  return sum + proto + len;
}

// UDP_MAX_SEGMENTS (include/linux/udp.h): 128 since v6.9 (1382e3b6a350, "net: change maximum
// number of UDP segments to 128"), 64 before
constexpr uint32_t UDP_MAX_SEGMENTS = 128;

// udp_send_skb's UDP_SEGMENT checks and marking: a GSO skb's segments must each fit the route's
// MTU (-EMSGSIZE, with the min() that lets a payload within one segment through: "udp: gso:
// do not drop small packets when PMTU reduces", 2025; -EINVAL before) and number at most
// UDP_MAX_SEGMENTS, and the socket must checksum (-EINVAL); the skb is freed on an error. A
// payload over gso_size becomes SKB_GSO_UDP_L4 with gso_segs segments; one that fits a
// segment goes as a plain datagram. Returns 0, 1 (GSO) or -errno. Software GSO (a device
// without NETIF_F_GSO_UDP_L4) is not modelled: every modelled part has it, and a test device
// without it is refused loudly rather than sent a GSO skb it cannot cut.
int udp_gso_mark(sock* sk, sk_buff* skb, uint32_t len) {
  const uint32_t datalen = len - 8, gso = sk->gso_size, mtu = skb->dev->mtu;
  const uint32_t hlen = static_cast<uint32_t>(skb->transport_offset() - skb->network_offset()) + 8;
  int err = 0;
  if (hlen + std::min(datalen, gso) > mtu) err = -EMSGSIZE;  // cork->fragsize
  else if (datalen > gso * UDP_MAX_SEGMENTS) err = -EINVAL;
  else if (sk->no_check_tx) err = -EINVAL;
  if (err) {
    kfree_skb(skb);
    return err;
  }
  if (datalen <= gso) return 0;
  if (!(skb->dev->features & NETIF_F_GSO_UDP_L4))
    throw std::logic_error("udp_send_skb: UDP_SEGMENT on a device without NETIF_F_GSO_UDP_L4 "
                           "(software GSO is not modelled)");
  skb->gso_size = static_cast<uint16_t>(gso);
  skb->gso_type = SKB_GSO_UDP_L4;
  skb->gso_segs = static_cast<uint16_t>((datalen + gso - 1) / gso);
  return 1;
}

// udp_send_skb: the UDP header, then the checksum: none with SO_NO_CHECK; with
// CHECKSUM_PARTIAL the pseudo-header sum seeded into the check field for the device
// (udp4_hwcsum: csum_start at the UDP header, csum_offset 6); else computed here over the
// header and payload, a fragmented datagram's too (udp_csum + csum_tcpudp_magic, 0 sent as
// 0xFFFF). A UDP_SEGMENT socket's GSO skb is seeded as for CHECKSUM_PARTIAL (csum_partial:
// udp4_hwcsum), whatever the device. ip_send_skb's
// -ENOBUFS (a qdisc drop) counts SndbufErrors and is success unless IP_RECVERR.
int udp_send_skb(kernel& k, sock* sk, sk_buff* skb, uint32_t saddr, uint32_t daddr,
                 uint16_t dport) {
  uint8_t* uh = skb->transport();
  const uint32_t len = skb->len - static_cast<uint32_t>(skb->transport_offset());
  put16(uh, sk->num);
  put16(uh + 2, dport);
  put16(uh + 4, static_cast<uint16_t>(len));
  put16(uh + 6, 0);
  int gso = 0;
  if (sk->gso_size) {
    gso = udp_gso_mark(sk, skb, len);
    if (gso < 0) return gso;
    if (gso) k.txjr.datagrams(skb->frame_id, skb->gso_segs);
  }
  if (sk->no_check_tx) {  // (refused above for a GSO skb)
    skb->ip_summed = CHECKSUM_NONE;
  } else if (gso || skb->ip_summed == CHECKSUM_PARTIAL) {
    // csum_partial (udp4_hwcsum); a GSO skb's payload is never summed here, it gets segmented
    skb->ip_summed = CHECKSUM_PARTIAL;
    skb->csum_start = skb->transport_header;
    skb->csum_offset = 6;  // offsetof(struct udphdr, check)
    put16(uh + 6, csum_fold(csum_tcpudp_nofold(saddr, daddr, len, IPPROTO_UDP, 0)));
  } else {
    // udp_csum: the linear part, then each fragment's skb on the frag_list (a datagram over
    // the MTU; each but the last holds a multiple of 8 bytes, so the sums chain). A paged
    // skb's page fragments (UDP_SEGMENT on a device without checksum offload: one segment)
    // may be of any length: they are summed as one run.
    k.this_cpu().spend(k.cost.csum_ns_per_byte * static_cast<double>(len));
    const uint32_t own = skb->headlen() - static_cast<uint32_t>(skb->transport_offset());
    uint32_t sum = csum_partial(uh, own, csum_tcpudp_nofold(saddr, daddr, len, IPPROTO_UDP, 0));
    if (skb->data_len && skb->frag_list.empty()) {
      std::vector<uint8_t> paged(skb->data_len);
      skb->copy_bits(skb->headlen(), paged.data(), skb->data_len);
      sum = csum_partial(paged.data(), paged.size(), sum);
    }
    for (const sk_buff* f : skb->frag_list) sum = csum_partial(f->data, f->len, sum);
    uint16_t check = static_cast<uint16_t>(~csum_fold(sum));
    if (check == 0) check = 0xFFFF;  // CSUM_MANGLED_0
    put16(uh + 6, check);
  }
  int err = ip_send_skb(k, skb);
  if (err) {
    if (err == -ENOBUFS && !sk->recverr) {
      ++k.tx_st.udp_sndbuf_errors;
      err = 0;
    }
  } else {
    ++k.tx_st.udp_out_datagrams;
  }
  return err;
}

// udp_sendmsg's work; tx_id: the transmit journey's id for the datagram (0: none)
int udp_sendmsg_id(kernel& k, sock* sk, const uint8_t* buf, size_t len, uint32_t daddr,
                   uint16_t dport, int flags, uint64_t tx_id) {
  cpu_core& cpu = k.this_cpu();
  cpu.spend(k.cost.syscall_ns + k.cost.sendmsg_ns);
  if (len > 0xFFFF) return -EMSGSIZE;
  if (daddr) {
    if (dport == 0) return -EINVAL;
  } else {
    if (!sk->daddr) return -EDESTADDRREQ;
    daddr = sk->daddr;
    dport = sk->dport;
  }
  if (!k.route_dev || !netif_running(k.route_dev)) return -ENETUNREACH;
  const uint32_t saddr = sk->saddr ? sk->saddr : k.local_addr;
  int err = 0;
  sk_buff* skb = ip_make_skb(k, sk, saddr, daddr, buf, len, flags, &err);
  if (skb) {
    skb->frame_id = tx_id;
    err = udp_send_skb(k, sk, skb, saddr, daddr, dport);
  }
  if (!err) return static_cast<int>(len);
  if (err == -ENOBUFS || sk->sock_nospace) ++k.tx_st.udp_sndbuf_errors;
  return err;
}
}  // namespace

// udp_sendmsg, uncorked (no MSG_MORE, UDP_CORK): the destination from the call or the
// connected peer, the route (the host's one), ip_make_skb, udp_send_skb. An error with
// SOCK_NOSPACE set (no send buffer) or -ENOBUFS counts SndbufErrors, as the kernel does, so a
// non-blocking sender's EAGAIN is one. With UDP_SEGMENT (sk->gso_size) the payload leaves as
// datagrams of gso_size bytes each, the last shorter: one GSO skb, one journey row.
// Left out: control messages (UDP_SEGMENT as a cmsg among them), IP options.
// Each call is a row of the transmit journey (tx_journey.csv), sent or not.
int udp_sendmsg(kernel& k, sock* sk, const uint8_t* buf, size_t len, uint32_t daddr, uint16_t dport,
                int flags) {
  cpu_core& cpu = k.this_cpu();
  const uint64_t tx_id = k.txjr.begin(cpu.now(), sk);
  const int rc = udp_sendmsg_id(k, sk, buf, len, daddr, dport, flags, tx_id);
  // Nothing sent: the row says so, EAGAIN (a full send buffer, MSG_DONTWAIT) apart from errors
  if (rc < 0) k.txjr.refused(tx_id, rc == -EAGAIN ? "eagain" : "send_error");
  return rc;
}

}  // namespace igbsim
