// SPDX-License-Identifier: Apache-2.0
// IPv4 output (net/ipv4/ip_output.c): ip_make_skb for an uncorked UDP datagram, and
// ip_send_skb down to dev_queue_xmit through ip_local_out, ip_output, ip_finish_output and
// ip_finish_output2 (neighbour output: the cached Ethernet header).
// Left out: IP options, fragmentation (a datagram over the MTU gets -EMSGSIZE), netfilter
// hooks, GSO, multicast, the route lookup (one route: kernel::route_dev).
#include <cerrno>
#include <cstring>

#include "kernel.h"
#include "net.h"
#include "netdevice.h"

namespace igbsim {

namespace {
constexpr uint16_t IP_DF = 0x4000;
constexpr unsigned HH_DATA_MOD = 16;
constexpr uint32_t UDP_HLEN = 8, IPV4_HLEN = 20;

// LL_RESERVED_SPACE(dev): the link header's room, rounded up to HH_DATA_MOD (16 for Ethernet)
unsigned ll_reserved_space(const net_device*) {
  return ((ETH_HLEN) & ~(HH_DATA_MOD - 1)) + HH_DATA_MOD;
}

void put16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
void put32(uint8_t* p, uint32_t v) {
  put16(p, static_cast<uint16_t>(v >> 16));
  put16(p + 2, static_cast<uint16_t>(v));
}
}  // namespace

// __ip_append_data (one skb: the datagram fits the MTU) + __ip_make_skb. The skb is
// alloclen + hh_len + 15 bytes (the kernel's "+ 15" alignment slack, alloc_extra since
// v5.17), hh_len reserved; the transport header's room follows the IP header. The checksum
// mode is CHECKSUM_PARTIAL when the route's device can checksum IPv4 UDP (NETIF_F_HW_CSUM or
// NETIF_F_IP_CSUM), the send is one skb and there are no IP options, as the kernel decides.
// The IPv4 ID is 0 for an unconnected socket's DF datagram, the socket's inet_id (then
// incremented) for a connected one (ip_select_ident_segs); DF is set (IP_PMTUDISC_WANT).
sk_buff* ip_make_skb(kernel& k, sock* sk, uint32_t saddr, uint32_t daddr, const uint8_t* buf,
                     size_t len, int flags, int* err) {
  net_device* dev = k.route_dev;
  cpu_core& cpu = k.this_cpu();
  const uint32_t fragheaderlen = IPV4_HLEN;
  const uint32_t transhdrlen = UDP_HLEN;
  const uint32_t length = static_cast<uint32_t>(len) + transhdrlen;
  if (fragheaderlen + length > dev->mtu) {  // fragmentation is left out
    *err = -EMSGSIZE;
    return nullptr;
  }
  const unsigned hh_len = ll_reserved_space(dev);
  const uint32_t fraglen = length + fragheaderlen;
  sk_buff* skb = sock_alloc_send_skb(sk, fraglen + hh_len + 15, flags & MSG_DONTWAIT, err);
  if (!skb) return nullptr;
  cpu.spend(k.cost.ip_output_ns);
  skb->ip_summed =
      (dev->features & (NETIF_F_HW_CSUM | NETIF_F_IP_CSUM)) ? CHECKSUM_PARTIAL : CHECKSUM_NONE;
  skb->reserve(hh_len);
  uint8_t* data = skb->put(fraglen);
  skb->reset_network_header();
  skb->transport_header = static_cast<uint16_t>(skb->network_header + fragheaderlen);
  std::memcpy(data + fragheaderlen + transhdrlen, buf, len);  // ip_generic_getfrag
  cpu.spend(k.cost.copy_ns_per_byte * static_cast<double>(len));
  // __ip_make_skb: the IPv4 header
  uint8_t* iph = data;
  iph[0] = 0x45;
  iph[1] = sk->tos;
  put16(iph + 2, 0);  // tot_len: ip_local_out
  uint16_t id = 0;
  if (sk->daddr) id = sk->inet_id++;
  put16(iph + 4, id);
  put16(iph + 6, IP_DF);
  iph[8] = static_cast<uint8_t>(sk->uc_ttl < 0 ? k.ip_default_ttl : sk->uc_ttl);
  iph[9] = IPPROTO_UDP;
  put16(iph + 10, 0);
  put32(iph + 12, saddr);
  put32(iph + 16, daddr);
  skb->priority = sk->sk_priority;
  skb->protocol = ETH_P_IP;
  skb->dev = dev;
  *err = 0;
  return skb;
}

namespace {
// neigh_output -> neigh_hh_output (include/net/neighbour.h): a connected neighbour's cached
// hard header (destination MAC, the device's MAC, ETH_P_IP) pushed in front of the IP header
int neigh_output(kernel& k, sk_buff* skb) {
  k.this_cpu().spend(k.cost.neigh_output_ns);
  uint8_t* eth = skb->push(ETH_HLEN);
  std::memcpy(eth, k.route_neigh_ha, 6);
  std::memcpy(eth + 6, skb->dev->dev_addr, 6);
  put16(eth + 12, ETH_P_IP);
  return dev_queue_xmit(skb);
}

// ip_finish_output2: the neighbour for the next hop (one, resolved) and its output
int ip_finish_output2(kernel& k, sk_buff* skb) { return neigh_output(k, skb); }

// ip_finish_output -> __ip_finish_output: GSO and fragmentation are left out (ip_make_skb
// refuses what exceeds the MTU)
int ip_finish_output(kernel& k, sk_buff* skb) { return ip_finish_output2(k, skb); }

// ip_output: the device and protocol set, NF_INET_POST_ROUTING (no rules)
int ip_output(kernel& k, sk_buff* skb) {
  skb->dev = k.route_dev;
  skb->protocol = ETH_P_IP;
  return ip_finish_output(k, skb);
}

// ip_local_out -> __ip_local_out: tot_len, the IPv4 header checksum (always software:
// ip_send_check), NF_INET_LOCAL_OUT (no rules), dst_output
int ip_local_out(kernel& k, sk_buff* skb) {
  uint8_t* iph = skb->network();
  put16(iph + 2, static_cast<uint16_t>(skb->len));
  put16(iph + 10, 0);
  put16(iph + 10, static_cast<uint16_t>(~csum_fold(csum_partial(iph, IPV4_HLEN, 0))));
  ++k.tx_st.ip_out_requests;  // IPSTATS_MIB_OUTREQUESTS
  return ip_output(k, skb);
}
}  // namespace

// ip_send_skb: a qdisc drop (NET_XMIT_DROP) becomes -ENOBUFS (net_xmit_errno) and counts
// OutDiscards; NET_XMIT_CN is success
int ip_send_skb(kernel& k, sk_buff* skb) {
  int err = ip_local_out(k, skb);
  if (err) {
    if (err > 0) err = err != NET_XMIT_CN ? -ENOBUFS : 0;
    if (err) ++k.tx_st.ip_out_discards;
  }
  return err;
}

}  // namespace igbsim
