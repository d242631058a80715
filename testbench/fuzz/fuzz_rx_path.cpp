// SPDX-License-Identifier: Apache-2.0
// Fuzz target: any byte string as a frame on the wire, through the receive path - the NIC RTL
// (packet buffer, checksum offload, RSS, DMA, write-back), then the driver's per-frame work
// (igb_rx_checksum, skb construction) and the stack (GRO, IPv4, UDP, TCP) into two sockets.
//
// Whatever the bytes, the frame must end in exactly one accounted fate: written back by the
// NIC and then delivered or dropped with a counter by the stack, or dropped with a NIC
// counter. A frame the NIC neither writes back nor counts within a bound, an RTL assertion,
// a crash or undefined behaviour (the fuzz build runs under ASan/UBSan) is a finding.
// verilated.h (via the harness) sees SystemC and calls sc_time_stamp() unqualified.
#include <systemc>
using sc_core::sc_time_stamp;

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "igb.h"
#include "kernel.h"
#include "net.h"
#include "rtl_assert.h"
#include "rtl_harness.h"
#include "skbuff.h"
#include "traffic.h"

using namespace igbsim;

namespace {

constexpr uint16_t kRing = 64;
constexpr uint32_t kBufBytes = 16 * 1024;  // SRRCTL.BSIZEPACKET 16 KB: one buffer per frame
constexpr uint64_t kBufBase = 0x100000;    // buffers 16 KiB apart above the ring
constexpr size_t kMaxFrame = 9018 + 4;     // jumbo frame with FCS
constexpr uint64_t kCycleBound = 200000;   // 1.6 ms: far beyond any frame's handling

[[noreturn]] void finding(const char* what) {
  std::fprintf(stderr, "fuzz_rx_path: %s\n", what);
  std::abort();
}

struct world {
  test::rtl_harness h;
  kernel_params kp;
  cost_table costs;
  std::unique_ptr<kernel> k;
  sock udp_sk, tcp_sk;
  napi_struct napi;
  igb_ring ring;
  uint16_t next = 0;  // next descriptor the NIC will write back
  uint64_t drops = 0, delivered = 0, id = 0;

  world() {
    // The NIC: one queue, checksum offload and RSS on, every frame in one 16 KB buffer.
    h.bring_up(kRing, kRing - 1);
    h.write(E1000_SRRCTL(0), 16 | E1000_SRRCTL_DESCTYPE_ADV_ONEBUF);
    for (uint16_t i = 0; i < kRing; ++i) set_buffer(i);
    // Promiscuous, so that frames of any destination reach the driver and the stack; RLPML
    // keeps its reset value (9728), above every frame the fuzzer sends.
    h.write(E1000_RCTL, E1000_RCTL_EN | E1000_RCTL_SECRC | E1000_RCTL_LPE | E1000_RCTL_UPE |
                            E1000_RCTL_MPE | E1000_RCTL_BAM);
    h.write(E1000_RXCSUM, 0x300 | E1000_RXCSUM_PCSD);
    h.write(E1000_MRQC,
            E1000_MRQC_ENABLE_RSS_MQ | E1000_MRQC_RSS_FIELD_IPV4 | E1000_MRQC_RSS_FIELD_IPV4_TCP);
    // The stack: a UDP socket and an established TCP connection on the generator's ports.
    k = std::make_unique<kernel>(kp, costs);
    k->local_addr = kHostIp;
    sock_init_data(*k, &udp_sk);
    udp_sk.num = kDstPort;
    k->udp.bind(&udp_sk);
    sock_init_data(*k, &tcp_sk);
    tcp_sk.tcp = true;
    tcp_sk.rcv_saddr = kHostIp;
    tcp_sk.num = kDstPort;
    tcp_sk.daddr = peer_ip(0);
    tcp_sk.dport = kSrcPortBase;
    tcp_sk.rcv_nxt = kTcpIsn + 1;
    k->tcp_hash.insert(&tcp_sk);
    k->on_drop = [this](uint64_t, const std::string&) { ++drops; };
    netif_napi_add(
        *k, &napi, [](napi_struct*, int) { return 0; }, NAPI_POLL_WEIGHT);
  }
  void set_buffer(uint16_t i) {
    const uint64_t buf = kBufBase + static_cast<uint64_t>(kBufBytes) * i;
    std::memcpy(&h.mem[h.ring + 16 * i], &buf, 8);
    std::memset(&h.mem[h.ring + 16 * i + 8], 0, 8);
  }
  // Read every socket dry, as the application would.
  void drain() {
    std::vector<uint8_t> buf(65536);
    std::vector<read_seg> segs;
    for (sock* sk : {&udp_sk, &tcp_sk}) {
      for (;;) {
        segs.clear();
        const int n = sock_recvmsg(*k, sk, buf.data(), buf.size(), segs);
        if (n <= 0) break;
        ++delivered;
      }
    }
  }
};

world* w = nullptr;

// One frame: the NIC's verdict, then the driver's and the stack's.
void receive(const uint8_t* data, size_t size) {
  test::rtl_harness& h = w->h;
  std::vector<uint8_t> frame(data, data + size);
  frame.resize(frame.size() + 4, 0);  // FCS (not checked by the model; stripped by SECRC)
  h.writes.clear();                   // the harness logs: only this frame's matter
  h.reads.clear();
  h.msix.clear();
  const uint64_t mpc_before = h.mpc_events, runt_before = h.runt_events,
                 long_before = h.long_events;
  auto counted = [&] {
    return h.mpc_events != mpc_before || h.runt_events != runt_before ||
           h.long_events != long_before;
  };
  h.send(frame);
  // Until the NIC has written the frame back or counted it, bounded.
  const test::dma_wr* wb = nullptr;
  for (uint64_t c = 0; c < kCycleBound && !wb; ++c) {
    h.tick();
    for (size_t i = 0; i < h.writes.size() && !wb; ++i)
      if ((h.writes[i].tag & 0xF) == 2) wb = &h.writes[i];
    if (!wb && counted() && !h.wire_busy()) break;
  }
  if (!rtl_assertions().empty()) finding(rtl_assertions().front().where.c_str());
  if (!wb) {
    // counted by the NIC: MPC, RUC for a frame under the 64-byte minimum, or ROC over RLPML
    if (counted()) return;
    finding("the NIC neither wrote the frame back nor counted it");
  }
  // The descriptor the NIC wrote back, and its buffer
  const uint16_t idx = w->next;
  e1000_adv_rx_desc d;
  std::memcpy(&d, &h.mem[h.ring + 16 * idx], sizeof d);
  if (!(d.wb.upper.status_error & E1000_RXD_STAT_DD)) finding("write-back without DD");
  const uint16_t len = d.wb.upper.length;
  if (len > kBufBytes || len > size) finding("write-back length beyond the buffer or the frame");
  const uint64_t buf = kBufBase + static_cast<uint64_t>(kBufBytes) * idx;
  if (std::memcmp(&h.mem[buf], data, len) != 0) finding("buffer does not hold the frame's bytes");
  // Give the descriptor back to the NIC
  w->set_buffer(idx);
  w->next = static_cast<uint16_t>((idx + 1) % kRing);
  h.write(E1000_RDT(0), idx);

  // igb_clean_rx_irq's per-frame work: build_skb around a copy, checksum verdict, protocol
  const uint32_t staterr = d.wb.upper.status_error;
  if (staterr & E1000_RXDEXT_ERR_FRAME_ERR_MASK) return;  // dropped by the driver, rx_errors
  std::vector<uint8_t> page(IGB_SKB_PAD + kBufBytes + SKB_SHARED_INFO_SIZE);
  std::memcpy(page.data() + IGB_SKB_PAD, &h.mem[buf], len);
  sk_buff* skb =
      sk_buff::build(page.data(), static_cast<uint32_t>(page.size() - SKB_SHARED_INFO_SIZE),
                     static_cast<uint32_t>(page.size()));
  skb->reserve(IGB_SKB_PAD);
  skb->put(len);
  skb->frame_id = ++w->id;
  if (skb->len < 60) skb->put(60 - skb->len);  // eth_skb_pad
  if (skb->len < ETH_HLEN) {                   // a runt the NIC passed: nothing for eth_type_trans
    kfree_skb(skb);
    return;
  }
  igb_rx_checksum(&w->ring, staterr, skb);
  (void)eth_get_headlen(skb->data, skb->len, IGB_RX_HDR_LEN);
  skb->hash = d.wb.lower.rss;
  skb->protocol = static_cast<uint16_t>(skb->data[12] << 8 | skb->data[13]);
  skb->pull(ETH_HLEN);
  bool done = false;
  sc_core::sc_spawn([&] {
    w->napi.state |= NAPI_STATE_SCHED;
    napi_gro_receive(&w->napi, skb);
    napi_complete_done(&w->napi, 1);  // flushes what GRO holds
    w->drain();
    done = true;
  });
  sc_core::sc_start();
  if (!done) finding("the stack did not finish with the frame");
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  w = new world;
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > kMaxFrame - 4) return -1;  // longer than any frame the wire carries
  receive(data, size);
  return 0;
}

int sc_main(int, char*[]) { return 0; }
