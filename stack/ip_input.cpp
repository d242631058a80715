// SPDX-License-Identifier: Apache-2.0
#include <arpa/inet.h>

#include "dev.h"
#include "kernel.h"
#include "net.h"

namespace igbsim {

uint32_t csum_partial(const uint8_t* p, size_t len, uint32_t sum) {
  size_t i = 0;
  for (; i + 1 < len; i += 2) sum += static_cast<uint32_t>(p[i] << 8 | p[i + 1]);
  if (i < len) sum += static_cast<uint32_t>(p[i] << 8);
  return sum;
}

uint16_t csum_fold(uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
  return static_cast<uint16_t>(sum);
}

uint16_t ip_fast_csum(const uint8_t* iph, unsigned ihl) {
  return static_cast<uint16_t>(~csum_fold(csum_partial(iph, ihl * 4u, 0)) & 0xFFFF);
}

// ip_rcv + ip_rcv_core + ip_rcv_finish + ip_local_deliver (net/ipv4/ip_input.c), with the
// header checks and their SNMP counters. Left out: netfilter hooks, options processing,
// early demux and the route cache (every frame is for the local address or counted
// InAddrErrors: forwarding is off). Fragments are counted and dropped (no reassembly).
int ip_rcv(kernel& k, sk_buff* skb) {
  cpu_core& cpu = k.this_cpu();
  cpu.spend(k.cost.ip_rcv_ns);
  skb->for_each_frame([&](uint64_t id) { k.jr.record(id, step::ip_rcv, cpu.now()); });
  // ip_rcv_core: a frame for another station, let in by promiscuous mode, goes uncounted by
  // SNMP (dev_core_stats_rx_otherhost_dropped_inc, SKB_DROP_REASON_OTHERHOST)
  if (skb->pkt_type == PACKET_OTHERHOST) {
    ++k.st.rx_otherhost_dropped;
    drop_skb(k, skb, "rx_otherhost_dropped");
    return -1;
  }
  ++k.st.ip_in_receives;
  if (!skb->may_pull(20)) {
    ++k.st.ip_in_hdr_errors;
    drop_skb(k, skb, "ip_in_hdr_errors");
    return -1;
  }
  iphdr_view iph{skb->data};
  if (iph.ihl() < 5 || iph.version() != 4 || !skb->may_pull(iph.ihl() * 4u)) {
    ++k.st.ip_in_hdr_errors;
    drop_skb(k, skb, "ip_in_hdr_errors");
    return -1;
  }
  if (ip_fast_csum(skb->data, iph.ihl()) != 0) {
    ++k.st.ip_in_csum_errors;
    ++k.st.ip_in_hdr_errors;  // csum_error falls through to inhdr_error
    drop_skb(k, skb, "ip_in_csum_errors");
    return -1;
  }
  const uint32_t len = iph.tot_len();
  if (skb->len < len) {
    ++k.st.ip_in_truncated_pkts;
    drop_skb(k, skb, "ip_in_truncated_pkts");
    return -1;
  }
  if (len < iph.ihl() * 4u) {
    ++k.st.ip_in_hdr_errors;
    drop_skb(k, skb, "ip_in_hdr_errors");
    return -1;
  }
  skb->trim(len);
  skb->reset_network_header();
  skb->transport_header = static_cast<uint16_t>(skb->network_header + iph.ihl() * 4u);
  // ip_rcv_finish: route lookup - local delivery only
  if (k.local_addr != 0 && iph.daddr() != k.local_addr) {
    ++k.st.ip_in_addr_errors;
    drop_skb(k, skb, "ip_in_addr_errors");
    return -1;
  }
  // ip_local_deliver: fragments would be reassembled here
  if (iph.frag_off() & (IP_MF | IP_OFFSET)) {
    // No reassembly in the model: each fragment is a failed reassembly (IpReasmFails; Linux
    // counts REASMFAILS per fragment it cannot queue, and per datagram when one times out)
    ++k.st.ip_reasm_fails;
    drop_skb(k, skb, "ip_reasm_fails");
    return -1;
  }
  skb->pull(iph.ihl() * 4u);
  ++k.st.ip_in_delivers;
  switch (iph.protocol()) {
    case IPPROTO_UDP: return udp_rcv(k, skb);
    case IPPROTO_TCP: return tcp_v4_rcv(k, skb);
    default:
      ++k.st.ip_in_unknown_protos;
      drop_skb(k, skb, "ip_in_unknown_protos");
      return -1;
  }
}

}  // namespace igbsim
