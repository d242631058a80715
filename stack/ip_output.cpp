// SPDX-License-Identifier: Apache-2.0
// IPv4 output (net/ipv4/ip_output.c): ip_make_skb for an uncorked UDP datagram, and
// ip_send_skb down to dev_queue_xmit through ip_local_out, ip_output, ip_finish_output and
// ip_finish_output2 (neighbour output: the cached Ethernet header). A datagram over the MTU
// is built as the kernel builds it, an skb per fragment chained on the first's frag_list
// (__ip_append_data, __ip_make_skb), and leaves as IPv4 fragments by ip_do_fragment's fast
// path.
// A socket with UDP_SEGMENT builds one GSO skb instead (its payload in page fragments), which
// goes down whole for the device to cut (USO: every modelled part has NETIF_F_GSO_UDP_L4).
// Left out: IP options, netfilter hooks, software GSO, multicast, the route lookup (one route:
// kernel::route_dev), path MTU discovery (the route's MTU is the device's).
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include "kernel.h"
#include "net.h"
#include "netdevice.h"

namespace igbsim {

namespace {
constexpr uint16_t IP_DF = 0x4000, IP_MF = 0x2000;
constexpr unsigned HH_DATA_MOD = 16;
constexpr uint32_t UDP_HLEN = 8, IPV4_HLEN = 20, IP_MAX_MTU = 0xFFFF;

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

namespace {
// ip_select_ident_segs (include/net/ip.h): a connected UDP socket's inet_id advanced by one
// first (v6.6+, atomic_add_return: the ID is the new value; TCP would take the old one),
// else, DF or not, __ip_select_ident's per-destination generator: the ID is 0
// only for a DF packet with ignore_df clear, and __ip_make_skb sets ignore_df from
// ip_sk_ignore_df, true for the default IP_PMTUDISC_WANT. ip_idents_reserve: a bucket chosen
// by a keyed hash of the addresses and protocol, advanced by a random amount below the
// jiffies since the bucket was last used. The key and the random draws come from
// kernel::ip_id_secret (the run's seed), so a run repeats.
uint16_t ip_select_ident(kernel& k, sock* sk, uint32_t saddr, uint32_t daddr, uint8_t proto) {
  if (sk->daddr) return ++sk->inet_id;
  auto mix = [](uint64_t x) {  // splitmix64's finaliser
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
  };
  const uint64_t hash =
      mix(k.ip_id_secret ^ (uint64_t(daddr) << 32 | saddr) ^ (uint64_t(proto) << 56));
  kernel::ip_ident& b = k.ip_idents[hash];
  const uint64_t now = k.jiffies();
  if (!b.used) {  // the table starts random (ip_idents is filled by get_random_bytes)
    b.id = static_cast<uint32_t>(hash >> 32);
    b.used = true;
  } else if (b.stamp != now) {
    b.id += static_cast<uint32_t>(mix(hash ^ now) % (now - b.stamp));
  }
  b.stamp = now;
  return static_cast<uint16_t>(b.id++);
}
}  // namespace

namespace {
// __ip_append_data's paged copy: n bytes into the socket's page frag (sk_page_frag_refill,
// then as much as the page has left), each piece extending the skb's last fragment when it
// follows it on the same page (skb_can_coalesce: the page, not only the address), else a new
// one taking a reference to its page (MAX_SKB_FRAGS is never
// reached: 64 KB spans at most 3 pages of 32 KB); skb_len_add. The skb holds a reference to
// each page it uses until it is freed.
void append_page_frags(sock* sk, sk_buff* skb, const uint8_t* from, uint32_t n) {
  page_frag& pf = sk->sk_frag;
  const std::vector<uint8_t>* last_page = nullptr;  // the page of the skb's last fragment
  while (n > 0) {
    skb_page_frag_refill(32, &pf);
    const uint32_t copy = std::min(n, pf.size - pf.offset);
    uint8_t* at = pf.page->data() + pf.offset;
    std::memcpy(at, from, copy);
    if (pf.page.get() == last_page && skb->frags.back().data + skb->frags.back().len == at) {
      skb->frags.back().len += copy;
    } else {
      last_page = pf.page.get();
      skb->frags.push_back({at, copy});
      auto release = std::move(skb->destructor);
      std::shared_ptr<std::vector<uint8_t>> page = pf.page;  // get_page
      skb->destructor = [release, page] {
        if (release) release();
      };
    }
    pf.offset += copy;
    skb->len += copy;
    skb->data_len += copy;
    skb->truesize += copy;
    from += copy;
    n -= copy;
  }
}
}  // namespace

// __ip_append_data + __ip_make_skb for an uncorked UDP datagram. Each skb is fraglen +
// hh_len + 15 bytes (the kernel's "+ 15" alignment slack, alloc_extra since v5.17), hh_len
// reserved; the transport header's room follows the IP header in the first. A datagram that
// fits the MTU is one skb, CHECKSUM_PARTIAL when the route's device can checksum IPv4 UDP
// (NETIF_F_HW_CSUM or NETIF_F_IP_CSUM), as the kernel decides. A larger one is cut at
// maxfraglen (the MTU less the header, rounded down to 8 bytes, plus the header): the first
// skb is charged to the socket by sock_alloc_send_skb (which may sleep), each later one
// allocated while sk_wmem_alloc stays within twice SO_SNDBUF (else -ENOBUFS, counted as
// OutDiscards) and chained on the first's frag_list with its network header's room pulled,
// its truesize moved to the first; the checksum is then computed in software
// (CHECKSUM_NONE). DF is set when the datagram fits the MTU (IP_PMTUDISC_WANT); the ID is
// ip_select_ident's.
// With UDP_SEGMENT (cork->gso_size) the limit is IP_MAX_MTU instead, so the datagram is one skb
// (CHECKSUM_PARTIAL when the device can checksum), paged: its linear part holds the IP and
// UDP headers and the payload is copied into the socket's page frag, each piece a fragment
// that coalesces with the last one on the same page, its bytes added to the skb's truesize
// and the socket's charge (skb_len_add, wmem_alloc_delta). DF still follows the route's MTU:
// a GSO skb longer than it carries no DF, and neither do its segments.
sk_buff* ip_make_skb(kernel& k, sock* sk, uint32_t saddr, uint32_t daddr, const uint8_t* buf,
                     size_t len, int flags, int* err) {
  net_device* dev = k.route_dev;
  cpu_core& cpu = k.this_cpu();
  const bool paged = sk->gso_size != 0;
  const uint32_t mtu = paged ? IP_MAX_MTU : dev->mtu;
  const uint32_t fragheaderlen = IPV4_HLEN;
  const uint32_t maxfraglen = ((mtu - fragheaderlen) & ~7u) + fragheaderlen;
  uint32_t transhdrlen = UDP_HLEN;
  const uint32_t length = static_cast<uint32_t>(len) + transhdrlen;
  const bool fits = fragheaderlen + length <= mtu;
  const bool df = fragheaderlen + length <= dev->mtu;  // skb->len <= dst_mtu
  if (length > 0xFFFF - fragheaderlen) {  // maxnonfragsize: IP_MAX_MTU (IP_PMTUDISC_WANT)
    *err = -EMSGSIZE;
    return nullptr;
  }
  const unsigned hh_len = ll_reserved_space(dev);
  sk_buff* head = nullptr;
  int wmem_alloc_delta = 0;
  uint32_t left = length;  // transport header and payload still to place
  size_t copied = 0;
  while (left > 0) {
    uint32_t datalen = left;
    if (datalen > mtu - fragheaderlen) datalen = maxfraglen - fragheaderlen;
    const uint32_t fraglen = datalen + fragheaderlen;
    // A paged skb's linear part is the headers only; its payload goes to page fragments
    const uint32_t pagedlen = paged ? datalen - transhdrlen : 0;
    const uint32_t alloclen = fraglen - pagedlen;
    sk_buff* skb = nullptr;
    if (!head) {
      skb = sock_alloc_send_skb(sk, alloclen + hh_len + 15, flags & MSG_DONTWAIT, err);
      if (!skb) return nullptr;
      cpu.spend(k.cost.ip_output_ns);
    } else if (static_cast<uint32_t>(sk->sk_wmem_alloc + wmem_alloc_delta) <=
               2u * static_cast<uint32_t>(sk->sk_sndbuf)) {
      // The kernel compares refcount_read() (unsigned) with 2 * sk_sndbuf, an int that
      // wraps for a buffer of 1 GiB or more (-fno-strict-overflow) and is then taken as
      // unsigned: 32-bit unsigned arithmetic gives the same answer over the whole range
      cpu.spend(k.cost.alloc_skb_ns);
      skb = sk_buff::alloc_skb(alloclen + hh_len + 15);
      wmem_alloc_delta += static_cast<int>(skb->truesize);
    } else {
      *err = -ENOBUFS;
      ++k.tx_st.ip_out_discards;
      sk->sk_wmem_alloc += wmem_alloc_delta;  // kfree_skb(head) below uncharges it all
      kfree_skb(head);
      return nullptr;
    }
    skb->ip_summed = fits && (dev->features & (NETIF_F_HW_CSUM | NETIF_F_IP_CSUM))
                         ? CHECKSUM_PARTIAL
                         : CHECKSUM_NONE;
    skb->reserve(hh_len);
    uint8_t* data = skb->put(alloclen);
    skb->reset_network_header();
    skb->transport_header = static_cast<uint16_t>(skb->network_header + fragheaderlen);
    const uint32_t copy = datalen - transhdrlen;
    if (paged) {
      wmem_alloc_delta += static_cast<int>(copy);
      append_page_frags(sk, skb, buf + copied, copy);
    } else {
      std::memcpy(data + fragheaderlen + transhdrlen, buf + copied, copy);  // ip_generic_getfrag
    }
    cpu.spend(k.cost.copy_ns_per_byte * static_cast<double>(copy));
    copied += copy;
    left -= datalen;
    transhdrlen = 0;
    if (!head) {
      head = skb;
    } else {  // __ip_make_skb: behind the first, its header room pulled, its memory the first's
      skb->pull(fragheaderlen);
      head->frag_list.push_back(skb);
      head->len += skb->len;
      head->data_len += skb->len;
      head->truesize += skb->truesize;
    }
  }
  sk->sk_wmem_alloc += wmem_alloc_delta;
  sk_buff* skb = head;
  // __ip_make_skb: the IPv4 header
  uint8_t* iph = skb->data;
  iph[0] = 0x45;
  iph[1] = sk->tos;
  put16(iph + 2, 0);  // tot_len: ip_local_out
  put16(iph + 6, df ? IP_DF : 0);
  put16(iph + 4, ip_select_ident(k, sk, saddr, daddr, IPPROTO_UDP));
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

// ip_do_fragment's fast path (the datagram's skbs already cut at fragment boundaries by
// __ip_append_data, chained on frag_list): the first goes out as the first fragment (its
// length, MF, the header checksum), then each later one with the first's header copied in
// front of it (ip_fraglist_prepare: its length, offset and MF, the checksum), each taking its
// own truesize of the socket's charge back from the first (sock_wfree at its completion),
// through ip_finish_output2. A fragment the
// qdisc refused (or congestion, NET_XMIT_CN) ends the loop: the fragments not yet sent are
// freed (kfree_skb_list) and the datagram counts FragFails; else FragOKs, and FragCreates
// counts every fragment sent. The transmit journey follows the datagram as that many packets.
int ip_do_fragment(kernel& k, sk_buff* skb) {
  std::vector<sk_buff*> frags;
  frags.swap(skb->frag_list);  // ip_fraglist_init: skb_frag_list_init
  const uint64_t id = skb->frame_id;
  for (sk_buff* f : frags) {
    if (skb->sk) {
      f->sk = skb->sk;
      f->sk_destructor = sock_wfree;
    }
    skb->truesize -= f->truesize;
  }
  const uint32_t hlen = IPV4_HLEN;
  skb->len -= skb->data_len;  // the first fragment: its own bytes
  skb->data_len = 0;
  uint8_t* iph = skb->network();
  put16(iph + 2, static_cast<uint16_t>(skb->len));
  put16(iph + 6, static_cast<uint16_t>(iph[6] << 8 | iph[7] | IP_MF));
  put16(iph + 10, 0);
  put16(iph + 10, static_cast<uint16_t>(~csum_fold(csum_partial(iph, hlen, 0))));
  k.txjr.packets(id, 1 + static_cast<unsigned>(frags.size()));
  uint32_t offset = 0;
  size_t i = 0;  // frags[i]: the next not yet handed to ip_finish_output2
  int err = 0;
  for (;;) {
    // The next fragment's header, from this one's, before this one goes down (and may be freed)
    if (i < frags.size()) {  // ip_fraglist_prepare
      sk_buff* f = frags[i];
      f->ip_summed = CHECKSUM_NONE;
      f->transport_header = static_cast<uint16_t>(f->data - f->head);
      uint8_t* fh = f->push(hlen);
      f->reset_network_header();
      std::memcpy(fh, iph, hlen);
      put16(fh + 2, static_cast<uint16_t>(f->len));
      offset += skb->len - hlen;
      const bool more = i + 1 < frags.size();
      put16(fh + 6, static_cast<uint16_t>((offset >> 3) | (more ? IP_MF : 0)));
      put16(fh + 10, 0);
      put16(fh + 10, static_cast<uint16_t>(~csum_fold(csum_partial(fh, hlen, 0))));
      f->priority = skb->priority;  // ip_copy_metadata
      f->protocol = skb->protocol;
      f->dev = skb->dev;
      f->frame_id = id;
      iph = fh;
    }
    err = ip_finish_output2(k, skb);
    if (!err) ++k.tx_st.ip_frag_creates;
    if (err || i == frags.size()) break;
    skb = frags[i++];
  }
  if (!err) {
    ++k.tx_st.ip_frag_oks;
    return 0;
  }
  // kfree_skb_list(iter.frag): the fragments not handed down
  const size_t unsent = frags.size() - i;
  k.tx_st.ip_frag_unsent += unsent;
  if (unsent) k.txjr.abandon(id, static_cast<unsigned>(unsent), "frag_unsent");
  for (; i < frags.size(); ++i) kfree_skb(frags[i]);
  ++k.tx_st.ip_frag_fails;
  return err;
}

// ip_finish_output -> __ip_finish_output: a GSO skb goes down whole (ip_finish_output_gso:
// udp_send_skb made its segments fit the MTU, so skb_gso_validate_network_len holds); over
// the route's MTU, ip_fragment (DF clear: the datagram was built for it) -> ip_do_fragment
int ip_finish_output(kernel& k, sk_buff* skb) {
  if (skb->is_gso()) return ip_finish_output2(k, skb);
  if (skb->len > skb->dev->mtu) return ip_do_fragment(k, skb);
  return ip_finish_output2(k, skb);
}

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
