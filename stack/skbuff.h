// SPDX-License-Identifier: Apache-2.0
// sk_buff as in include/linux/skbuff.h: a linear part head <= data <= tail <= end, plus page
// fragments (skb_shinfo()->frags) for frames that span several receive buffers. len counts
// both; data_len the fragments. skb_put/skb_push panic (throw skb_panic) when they would leave
// [head, end], as skb_over_panic/skb_under_panic do; skb_pull refuses (returns nullptr) to pull
// more than the linear part holds. Headers are always in the linear part here (the first
// buffer holds at least 1 KB, and construct_skb copies eth_get_headlen bytes), so
// pskb_may_pull never has to linearise.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <unordered_set>
#include <vector>

namespace igbsim {

struct skb_panic : std::logic_error {
  using std::logic_error::logic_error;
};

// skb->ip_summed (include/linux/skbuff.h). CHECKSUM_PARTIAL on transmit: the device (or
// skb_checksum_help) sums from csum_start to the end and stores the result at
// csum_start + csum_offset; the stack has seeded that field with the pseudo-header sum.
enum : uint8_t {
  CHECKSUM_NONE = 0,
  CHECKSUM_UNNECESSARY = 1,
  CHECKSUM_COMPLETE = 2,
  CHECKSUM_PARTIAL = 3
};
// skb_shinfo(skb)->gso_type (include/linux/skbuff.h SKB_GSO_*)
enum : uint32_t { SKB_GSO_TCPV4 = 1u << 0, SKB_GSO_TCPV6 = 1u << 4, SKB_GSO_UDP_L4 = 1u << 17 };

struct sock;
struct net_device;

// skb truesize as include/linux/skbuff.h computes it, for x86_64 (SMP_CACHE_BYTES = 64):
//   SKB_DATA_ALIGN(X)    = ALIGN(X, SMP_CACHE_BYTES)
//   SKB_WITH_OVERHEAD(X) = X - SKB_DATA_ALIGN(sizeof(struct skb_shared_info))
//   SKB_TRUESIZE(X)      = X + SKB_DATA_ALIGN(sizeof(struct sk_buff))
//                            + SKB_DATA_ALIGN(sizeof(struct skb_shared_info))
// sizeof(struct sk_buff) is 224 to 232 bytes depending on the config, 256 aligned either way;
// sizeof(struct skb_shared_info) is 320 (MAX_SKB_FRAGS = 17), already aligned.
constexpr uint32_t SMP_CACHE_BYTES = 64;
constexpr uint32_t SKB_DATA_ALIGN(uint32_t x) {
  return (x + SMP_CACHE_BYTES - 1) & ~(SMP_CACHE_BYTES - 1);
}
constexpr uint32_t SKB_SHARED_INFO_BYTES = 320;  // sizeof(struct skb_shared_info), x86_64
constexpr uint32_t SK_BUFF_BYTES = 232;          // sizeof(struct sk_buff), x86_64 distro config
constexpr uint32_t SKB_WITH_OVERHEAD(uint32_t x) {
  return x - SKB_DATA_ALIGN(SKB_SHARED_INFO_BYTES);
}
constexpr uint32_t SKB_TRUESIZE(uint32_t x) {
  return x + SKB_DATA_ALIGN(SK_BUFF_BYTES) + SKB_DATA_ALIGN(SKB_SHARED_INFO_BYTES);
}
constexpr uint32_t NET_SKB_PAD = 64, NET_IP_ALIGN = 0;  // x86

struct skb_frag {
  uint8_t* data;
  uint32_t len;
};

// struct page_frag (include/linux/mm_types_task.h): a page that send data is copied into piece
// by piece (sk_page_frag); each piece is an skb fragment holding a reference to the page, which
// the shared_ptr counts (page_ref_count).
struct page_frag {
  std::shared_ptr<std::vector<uint8_t>> page;
  uint32_t offset = 0, size = 0;
};
// SKB_FRAG_PAGE_ORDER: get_order(32768), the compound page skb_page_frag_refill asks for
constexpr uint32_t SKB_FRAG_PAGE_BYTES = 32768;
// skb_page_frag_refill(sz, pfrag) (net/core/sock.c): a page only pfrag still holds is used
// again from its start; one with sz bytes left is kept; else a new page (the high-order
// allocation always succeeds here).
void skb_page_frag_refill(uint32_t sz, page_frag* pfrag);

struct sk_buff {
  uint8_t* head = nullptr;
  uint8_t* data = nullptr;
  uint8_t* tail = nullptr;
  uint8_t* end = nullptr;
  uint32_t len = 0;
  uint32_t data_len = 0;  // bytes in frags
  std::vector<skb_frag> frags;
  uint32_t truesize = 0;  // memory charged to a socket
  uint16_t protocol = 0;  // ethertype, host order
  uint8_t pkt_type = 0;   // PACKET_HOST, _BROADCAST, _MULTICAST, _OTHERHOST (eth_type_trans)
  uint16_t network_header = 0, transport_header = 0;  // offsets from head
  uint8_t ip_summed = CHECKSUM_NONE;
  uint32_t hash = 0;
  uint64_t frame_id = 0;  // wire frame id, for the journey and the scoreboard
  uint32_t tcp_seq = 0;   // TCP_SKB_CB(skb)->seq of the payload at data
  // GRO: the segments merged behind this one (skb_shinfo()->frag_list), each still an skb with
  // its data at its payload; their payload also shows in frags, so len counts it. One merged
  // skb so accounts for every wire frame in it, and can be split back (gro_split).
  std::vector<sk_buff*> frag_list;
  size_t own_frags = 0;     // frags of this skb's own frame (before any merge)
  uint64_t gro_age_ps = 0;  // when GRO started holding it (NAPI_GRO_CB(skb)->age)
  // When it joined a socket's receive queue (or, the last one queued, sk_data_ready was
  // done: sock_def_readable), in the queuing CPU's local time: a reader on another core,
  // behind in its own, takes it no earlier (udp_recvmsg, tcp_recvmsg)
  uint64_t queued_ps = 0;
  uint32_t merged_len() const {
    uint32_t n = 0;
    for (const sk_buff* m : frag_list) n += m->len;
    return n;
  }
  template <class F>
  void for_each_frame(F&& f) const {
    f(frame_id);
    for (const sk_buff* m : frag_list) f(m->frame_id);
  }
  std::function<void()> destructor;  // releases the buffer (page reference) on free

  // Transmit fields (include/linux/skbuff.h), what a driver's ndo_start_xmit reads.
  // skb->destructor of the kernel is sk_destructor here (sock_wfree for a socket's skb, run by
  // kfree_skb / dev_kfree_skb_any / napi_consume_skb before the buffer is released); the
  // `destructor` above is the model's release of the buffer memory (skb_release_data).
  sock* sk = nullptr;                         // owner (skb_set_owner_w)
  net_device* dev = nullptr;                  // the device it goes out of (skb->dev)
  void (*sk_destructor)(sk_buff*) = nullptr;  // skb->destructor
  uint16_t mac_header = 0;                    // offset from head (skb_reset_mac_header)
  uint16_t csum_start = 0;     // CHECKSUM_PARTIAL: offset from head where summing starts
  uint16_t csum_offset = 0;    // ... and where the sum goes, from csum_start (UDP 6, TCP 16)
  uint16_t queue_mapping = 0;  // the TX queue dev_queue_xmit picked (skb_get_queue_mapping)
  uint32_t priority = 0;       // skb->priority (sk_priority): pfifo_fast's band
  // skb_shinfo(skb): GSO. gso_size 0 = not GSO; gso_segs the wire packets it makes (1 if not)
  uint16_t gso_size = 0, gso_segs = 1;
  uint32_t gso_type = 0;
  // skb->hash's kind: l4_hash, a hash over the ports too; sw_hash, the stack computed it
  // (__skb_set_sw_hash). Either means skb_get_hash keeps the hash it has.
  bool l4_hash = false, sw_hash = false;
  uint64_t qdisc_enqueue_ns = 0;  // codel_skb_cb(skb)->enqueue_time (a qdisc's skb->cb)
  bool is_gso() const { return gso_size != 0; }       // skb_is_gso
  uint8_t* mac() const { return head + mac_header; }  // skb_mac_header
  int network_offset() const { return static_cast<int>(network() - data); }
  int transport_offset() const { return static_cast<int>(transport() - data); }
  int checksum_start_offset() const { return csum_start - static_cast<int>(headroom()); }
  void reset_mac_header() { mac_header = static_cast<uint16_t>(data - head); }

  // An skb around an existing buffer of `size` bytes (data starts at head), charged `truesize`.
  static sk_buff* build(uint8_t* buf, uint32_t size, uint32_t truesize);
  // napi_build_skb(data, frag_size) (net/core/skbuff.c __build_skb_around ->
  // __finalize_skb_around): the buffer's last SKB_DATA_ALIGN(sizeof(skb_shared_info)) bytes
  // hold the shared info, the rest is the skb's; truesize = SKB_TRUESIZE(that rest), i.e.
  // frag_size + SKB_DATA_ALIGN(sizeof(struct sk_buff)).
  static sk_buff* napi_build_skb(uint8_t* data, uint32_t frag_size);
  // napi_alloc_skb: an skb with its own linear buffer of `size` bytes after NET_SKB_PAD of
  // headroom; freeing it frees the buffer. truesize as napi_alloc_skb gives it (skbuff.cpp).
  static sk_buff* alloc(uint32_t size);
  // alloc_skb (__alloc_skb with kmalloc_reserve): a linear buffer of at least `size` bytes,
  // no headroom reserved; the kmalloc cache's rounding is usable, and truesize is
  // SKB_TRUESIZE of it: 1531 bytes (a 1472-byte UDP payload's ip_make_skb) take kmalloc-2048,
  // truesize 2304. (v6.4+ serves heads up to SKB_SMALL_HEAD_CACHE_SIZE from its own cache, a
  // config-dependent size; left out.)
  static sk_buff* alloc_skb(uint32_t size);
  uint32_t headroom() const { return static_cast<uint32_t>(data - head); }
  uint32_t tailroom() const { return static_cast<uint32_t>(end - tail); }
  void reserve(uint32_t n);
  uint8_t* put(uint32_t n);
  uint8_t* push(uint32_t n);
  uint8_t* pull(uint32_t n);
  // pskb_pull: the same, but n may reach into the fragments (the kernel copies their start into
  // the linear part first, __pskb_pull_tail; here the fragments are trimmed instead: the same
  // bytes remain). nullptr if n > len.
  uint8_t* pskb_pull(uint32_t n);
  uint32_t headlen() const { return len - data_len; }
  bool may_pull(uint32_t n) const { return n <= headlen(); }
  void trim(uint32_t n);
  // skb_add_rx_frag: another receive buffer of the same frame.
  void add_rx_frag(uint8_t* data, uint32_t size, uint32_t frag_truesize);
  // skb_copy_bits: n bytes from offset off (from data), across the linear part and frags.
  void copy_bits(uint32_t off, uint8_t* to, uint32_t n) const;
  uint8_t* network() const { return head + network_header; }
  uint8_t* transport() const { return head + transport_header; }
  void reset_network_header() { network_header = static_cast<uint16_t>(data - head); }
  void reset_transport_header() { transport_header = static_cast<uint16_t>(data - head); }
};

// kfree_skb / consume_skb (with the frag_list)
void kfree_skb(sk_buff* skb);
// Every sk_buff built and not yet freed: where the frames still in the stack are when a run
// ends (a frame past the driver that no skb holds was lost).
const std::unordered_set<const sk_buff*>& live_skbs();
// Undo a GRO merge: this skb with its own payload only, then the merged segments, in order.
std::vector<sk_buff*> gro_split(sk_buff* skb);

}  // namespace igbsim
