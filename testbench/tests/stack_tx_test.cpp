// SPDX-License-Identifier: Apache-2.0
// Unit tests of the send path of the kernel model: udp_sendmsg down to a device's
// ndo_start_xmit through the qdisc (pfifo_fast under mq), BQL and the socket's send memory.
// The device is a fake (fake_tx_nic): a ring of N slots per TX queue that sends one packet
// after another at a fixed wire time and completes them from a NAPI poll, freeing with
// napi_consume_skb and reporting with netdev_tx_completed_queue, as igb_clean_tx_irq does.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <map>
#include <set>

#include "eventpoll.h"
#include "kernel.h"
#include "net.h"
#include "netdevice.h"
#include "sch_generic.h"
#include "skbuff.h"
#include "tx_journey.h"

using namespace igbsim;
using sc_core::SC_NS;
using sc_core::sc_time;
using sc_core::SC_US;

namespace {

constexpr uint32_t kHost = 0x0A000001, kPeer = 0x0A000002;
constexpr uint8_t kDevMac[6] = {0x02, 0, 0, 0, 0, 1}, kPeerMac[6] = {0x02, 0, 0, 0, 0, 2};

// What the fake device saw of one ndo_start_xmit call
struct xmit_call {
  std::vector<uint8_t> bytes;  // the frame as the skb holds it (no FCS)
  uint16_t queue = 0;
  bool more = false;  // netdev_xmit_more()
  uint8_t ip_summed = 0;
  int csum_start = 0;  // skb_checksum_start_offset (from the MAC header)
  uint16_t csum_offset = 0;
  uint32_t inflight_before = 0, limit = 0;  // BQL at the call
  int wmem = 0;                             // the owner's sk_wmem_alloc_get at the call
  bool l4_hash = false, sw_hash = false;    // the flow hash's kind (queue selection)
  uint16_t gso_size = 0, gso_segs = 0;      // skb_shinfo: GSO
  uint32_t gso_type = 0;
  std::vector<uint32_t> frag_lens;  // the page fragments' lengths
  sc_time t;
};

// A device with `slots` descriptors per TX queue. A packet takes `wire` to send, one after
// another per queue; the completion interrupt comes at the next multiple of `itr` after a
// packet is done (itr 0: at once), and the NAPI poll cleans every done packet.
// stop_early: stop the queue when the ring is full after a packet, as igb_maybe_stop_tx does;
// else the driver only notices a full ring on the next call and returns NETDEV_TX_BUSY.
struct fake_tx_nic {
  kernel* k = nullptr;
  net_device* dev = nullptr;
  size_t slots = 16;
  sc_time wire = sc_time(1, SC_US);
  sc_time itr = sc_core::SC_ZERO_TIME;
  bool stop_early = true;
  struct ring {
    std::deque<sk_buff*> inflight;  // handed to the device, oldest first
    std::deque<sc_time> done_at;
    sc_time busy_until;
  };
  std::vector<ring> rings;
  std::vector<xmit_call> calls;
  std::vector<sc_time> completions;  // when each packet was cleaned
  uint64_t busy_returns = 0, doorbells = 0, wakes = 0;
  napi_struct napi;
  std::set<uint64_t> armed_ps;  // completion interrupts already armed

  void attach(kernel& kk, net_device* d) {
    k = &kk;
    dev = d;
    rings.resize(d->num_tx_queues);
    d->netdev_ops.ndo_start_xmit = [this](sk_buff* skb, net_device*) { return xmit(skb); };
    netif_napi_add(
        kk, &napi, [this](napi_struct* n, int budget) { return poll(n, budget); }, 64);
    napi.index = kNoQueue;
    for (int c = 0; c < kk.cores(); ++c) kk.cpu(c).net_rx_action = [&kk] { net_rx_action(kk); };
  }

  netdev_tx_t xmit(sk_buff* skb) {
    const uint16_t qi = skb_get_queue_mapping(skb);
    ring& r = rings.at(qi);
    netdev_queue* txq = netdev_get_tx_queue(dev, qi);
    if (r.inflight.size() >= slots) {  // no room: stop and hand it back
      netif_tx_stop_queue(txq);
      ++busy_returns;
      return NETDEV_TX_BUSY;
    }
    xmit_call c;
    c.bytes.resize(skb->len);
    skb->copy_bits(0, c.bytes.data(), skb->len);
    c.queue = qi;
    c.more = netdev_xmit_more(*k);
    c.ip_summed = skb->ip_summed;
    c.csum_start = skb->checksum_start_offset();
    c.csum_offset = skb->csum_offset;
    c.inflight_before = dql_inflight(&txq->dql);
    c.limit = txq->dql.limit;
    c.wmem = skb->sk ? sk_wmem_alloc_get(skb->sk) : 0;
    c.l4_hash = skb->l4_hash;
    c.sw_hash = skb->sw_hash;
    c.gso_size = skb->gso_size;
    c.gso_segs = skb->gso_segs;
    c.gso_type = skb->gso_type;
    for (const skb_frag& f : skb->frags) c.frag_lens.push_back(f.len);
    c.t = k->this_cpu().now();
    calls.push_back(std::move(c));
    r.inflight.push_back(skb);
    netdev_tx_sent_queue(txq, skb->len);
    const sc_time now = k->this_cpu().now();
    r.busy_until = std::max(r.busy_until, now) + wire;
    r.done_at.push_back(r.busy_until);
    arm(r.busy_until);
    if (stop_early && r.inflight.size() >= slots) netif_tx_stop_queue(txq);
    if (!netdev_xmit_more(*k) || netif_xmit_stopped(txq)) ++doorbells;
    return NETDEV_TX_OK;
  }

  void arm(sc_time done) {
    sc_time at = done;
    if (itr > sc_core::SC_ZERO_TIME) {
      const uint64_t n = (done.value() + itr.value() - 1) / itr.value();
      at = sc_time::from_value(n * itr.value());
    }
    if (!armed_ps.insert(at.value()).second) return;
    k->this_cpu().add_timer(at, [this, at] {
      armed_ps.erase(at.value());
      napi_schedule(&napi);
    });
  }

  // igb_clean_tx_irq for every ring: free what is done, BQL completion, wake with room
  int poll(napi_struct* n, int budget) {
    const sc_time now = k->this_cpu().now();
    for (uint16_t qi = 0; qi < rings.size(); ++qi) {
      ring& r = rings[qi];
      unsigned pkts = 0, bytes = 0;
      while (!r.inflight.empty() && r.done_at.front() <= now) {
        sk_buff* skb = r.inflight.front();
        r.inflight.pop_front();
        r.done_at.pop_front();
        ++pkts;
        bytes += skb->len;
        completions.push_back(now);
        napi_consume_skb(skb, budget);
      }
      netdev_queue* txq = netdev_get_tx_queue(dev, qi);
      netdev_tx_completed_queue(txq, pkts, bytes);
      if (pkts && netif_tx_queue_stopped(txq) && r.inflight.size() < slots) {
        netif_tx_wake_queue(txq);
        ++wakes;
      }
    }
    napi_complete_done(n, 0);
    return 0;
  }
};

// The frame's fields, read back
struct parsed {
  const uint8_t* f;
  explicit parsed(const xmit_call& c) : f(c.bytes.data()) {}
  uint16_t u16(size_t o) const { return static_cast<uint16_t>(f[o] << 8 | f[o + 1]); }
  uint32_t u32(size_t o) const { return uint32_t(u16(o)) << 16 | u16(o + 2); }
  uint16_t sport() const { return u16(34); }
  uint16_t dport() const { return u16(36); }
  uint32_t seq() const { return u32(42); }  // the test's payload starts with a sequence number
};

std::vector<uint8_t> payload(uint32_t seq, size_t len) {
  std::vector<uint8_t> p(len);
  for (size_t i = 0; i < len; ++i) p[i] = static_cast<uint8_t>(seq * 7 + i * 13);
  if (len >= 4) {
    p[0] = static_cast<uint8_t>(seq >> 24);
    p[1] = static_cast<uint8_t>(seq >> 16);
    p[2] = static_cast<uint8_t>(seq >> 8);
    p[3] = static_cast<uint8_t>(seq);
  }
  return p;
}

class TxTest : public ::testing::Test {
 protected:
  kernel_params kp;
  cost_table costs;
  std::unique_ptr<kernel> k;
  std::unique_ptr<net_device> dev;
  fake_tx_nic nic;
  sock sk;
  task_struct task;

  // A host with one device of `txqs` queues, up, and a UDP socket bound to port 4000
  void make_host(unsigned txqs, netdev_features_t features = NETIF_F_SG | NETIF_F_HW_CSUM,
                 unsigned txqueuelen = DEFAULT_TX_QUEUE_LEN) {
    k = std::make_unique<kernel>(kp, costs);
    k->local_addr = kHost;
    dev = alloc_etherdev_mq(*k, txqs);
    dev->features = features;
    dev->tx_queue_len = txqueuelen;
    std::memcpy(dev->dev_addr, kDevMac, 6);
    nic.attach(*k, dev.get());
    register_netdev(dev.get());
    dev_open(dev.get());
    netif_tx_start_all_queues(dev.get());
    k->route_dev = dev.get();
    std::memcpy(k->route_neigh_ha, kPeerMac, 6);
    sock_init_data(*k, &sk);
    sk.num = 4000;
  }
  // Run fn as a task on core 0 (process context: it may sleep), then until nothing is left
  void run_task(std::function<void()> fn) {
    task.comm = "sender";
    task.fn = std::move(fn);
    k->cpu(0).spawn(&task);
    sc_core::sc_start();
  }
  // sendto() from the task, then the syscall's return: a preemption point where interrupts
  // that arrived meanwhile are taken
  int send(sock* s, uint32_t seq, size_t len, uint16_t dport = 9000, int flags = 0) {
    const auto p = payload(seq, len);
    const int rc = udp_sendmsg(*k, s, p.data(), len, kPeer, dport, flags);
    k->this_cpu().boundary();
    return rc;
  }
  tx_queue_stats qstats(unsigned q = 0) {
    std::vector<tx_queue_stats> v;
    read_tx_queue_stats(dev.get(), v);
    return v.at(q);
  }
};

// ---- Frames ---------------------------------------------------------------------------------

class TxFrameTest : public TxTest, public ::testing::WithParamInterface<bool> {};

// The frame the driver gets is the datagram, byte for byte: Ethernet header to the neighbour,
// an IPv4 header with a right checksum, the UDP header, the payload; the UDP checksum either
// right (no offload) or left to the device with the fields igb_tx_csum reads.
TEST_P(TxFrameTest, DatagramsReachTheDriverByteExactInOrderPerFlow) {
  const bool offload = GetParam();
  make_host(1, offload ? (NETIF_F_SG | NETIF_F_HW_CSUM) : NETIF_F_SG);
  sock sk2;
  sock_init_data(*k, &sk2);
  sk2.num = 4001;
  const std::vector<size_t> lens = {1, 18, 64, 333, 1472};
  run_task([&] {
    uint32_t seq = 0;
    for (size_t len : lens) {
      EXPECT_EQ(send(&sk, seq++, std::max<size_t>(len, 4)),
                static_cast<int>(std::max<size_t>(len, 4)));
      EXPECT_EQ(send(&sk2, seq++, std::max<size_t>(len, 4), 9001),
                static_cast<int>(std::max<size_t>(len, 4)));
    }
  });
  ASSERT_EQ(nic.calls.size(), 2 * lens.size());
  std::map<uint16_t, uint32_t> last_seq;
  for (const xmit_call& c : nic.calls) {
    const parsed p(c);
    const uint32_t seq = p.seq();
    const size_t len = std::max<size_t>(lens[seq / 2], 4);
    ASSERT_EQ(c.bytes.size(), 14 + 20 + 8 + len);
    EXPECT_TRUE(std::equal(kPeerMac, kPeerMac + 6, c.bytes.begin())) << "destination MAC";
    EXPECT_TRUE(std::equal(kDevMac, kDevMac + 6, c.bytes.begin() + 6)) << "source MAC";
    EXPECT_EQ(p.u16(12), ETH_P_IP);
    const uint8_t* iph = c.bytes.data() + 14;
    EXPECT_EQ(iph[0], 0x45);
    EXPECT_EQ(p.u16(16), 20 + 8 + len) << "tot_len";
    EXPECT_EQ(p.u16(20), 0x4000) << "DF, no fragment offset";
    // ip_idents: one generator per destination, both sockets', one step a datagram within a
    // jiffy (the first draws its start from the run's key)
    EXPECT_EQ(p.u16(18), static_cast<uint16_t>(parsed(nic.calls[0]).u16(18) + seq))
        << "an unconnected socket's datagram takes the destination's next ID, DF or not";
    EXPECT_EQ(iph[8], 64) << "ip_default_ttl";
    EXPECT_EQ(iph[9], IPPROTO_UDP);
    EXPECT_EQ(p.u32(26), kHost);
    EXPECT_EQ(p.u32(30), kPeer);
    EXPECT_EQ(ip_fast_csum(iph, 5), 0) << "IPv4 header checksum";
    EXPECT_EQ(p.sport(), seq % 2 ? 4001 : 4000);
    EXPECT_EQ(p.dport(), seq % 2 ? 9001 : 9000);
    EXPECT_EQ(p.u16(38), 8 + len) << "UDP length";
    const auto want = payload(seq, len);
    EXPECT_TRUE(std::equal(want.begin(), want.end(), c.bytes.begin() + 42)) << "payload";
    // The UDP checksum as the receiver checks it: pseudo-header + datagram sum to 0xFFFF
    std::vector<uint8_t> dgram(c.bytes.begin() + 34, c.bytes.end());
    if (offload) {
      EXPECT_EQ(c.ip_summed, CHECKSUM_PARTIAL);
      EXPECT_EQ(c.csum_start, 14 + 20) << "csum_start at the UDP header";
      EXPECT_EQ(c.csum_offset, 6) << "UDP check field";
      // What the NIC does (TXSM): sum from csum_start to the end (the field holds the
      // pseudo-header seed) and store the complement
      const uint16_t hw =
          static_cast<uint16_t>(~csum_fold(csum_partial(dgram.data(), dgram.size(), 0)));
      dgram[6] = static_cast<uint8_t>(hw >> 8);
      dgram[7] = static_cast<uint8_t>(hw);
    } else {
      EXPECT_NE(c.ip_summed, CHECKSUM_PARTIAL);
      EXPECT_NE(p.u16(40), 0) << "computed (0 would mean no checksum)";
    }
    uint32_t sum = csum_partial(iph + 12, 8, 0) + IPPROTO_UDP + static_cast<uint32_t>(dgram.size());
    EXPECT_EQ(csum_fold(csum_partial(dgram.data(), dgram.size(), sum)), 0xFFFF) << "UDP checksum";
    auto it = last_seq.find(p.sport());
    if (it != last_seq.end()) {
      EXPECT_GT(seq, it->second) << "in order per flow";
    }
    last_seq[p.sport()] = seq;
  }
  EXPECT_EQ(k->tx_st.udp_out_datagrams, 2 * lens.size());
  EXPECT_EQ(sk_wmem_alloc_get(&sk), 0) << "every skb uncharged at completion";
  EXPECT_EQ(sk_wmem_alloc_get(&sk2), 0);
}
INSTANTIATE_TEST_SUITE_P(Offload, TxFrameTest, ::testing::Bool());

TEST_F(TxTest, FlowsSpreadOverTheTxQueuesAndEachFlowKeepsItsQueue) {
  make_host(4);
  std::vector<sock> socks(16);
  for (size_t i = 0; i < socks.size(); ++i) {
    sock_init_data(*k, &socks[i]);
    socks[i].num = static_cast<uint16_t>(5000 + i);
  }
  run_task([&] {
    for (uint32_t round = 0; round < 3; ++round)
      for (size_t i = 0; i < socks.size(); ++i) send(&socks[i], round, 100);
  });
  std::map<uint16_t, std::set<uint16_t>> queues_of_flow;
  std::set<uint16_t> used;
  for (const xmit_call& c : nic.calls) {
    queues_of_flow[parsed(c).sport()].insert(c.queue);
    used.insert(c.queue);
  }
  ASSERT_EQ(nic.calls.size(), 48u);
  for (const auto& [port, qs] : queues_of_flow) EXPECT_EQ(qs.size(), 1u) << "flow " << port;
  EXPECT_GE(used.size(), 3u) << "16 flows hash onto most of 4 queues";
  for (const xmit_call& c : nic.calls) EXPECT_TRUE(c.sw_hash && c.l4_hash) << "ports hashed";
  uint64_t sent = 0;
  for (unsigned q = 0; q < 4; ++q) sent += qstats(q).sent_packets;
  EXPECT_EQ(sent, 48u);
  EXPECT_EQ(dev->qdisc->stats_basic().packets, 48u) << "mq's statistics are its children's sum";
  EXPECT_STREQ(dev->qdisc->id(), "mq");
}

// A datagram over the MTU: its fragments are hashed without ports (the flow dissector stops
// at a fragment), a software hash that is not an L4 one, so all of them take one queue.
TEST_F(TxTest, AFragmentedDatagramsPacketsShareOneQueueByAHashWithoutPorts) {
  make_host(4);
  run_task([&] {
    for (uint16_t port = 9000; port < 9008; ++port) send(&sk, port, 4000, port);
  });
  ASSERT_EQ(nic.calls.size(), 24u);
  std::map<uint16_t, std::set<uint16_t>> queues_of_id;
  for (const xmit_call& c : nic.calls) {
    queues_of_id[parsed(c).u16(18)].insert(c.queue);
    EXPECT_TRUE(c.sw_hash);
    EXPECT_FALSE(c.l4_hash);
  }
  ASSERT_EQ(queues_of_id.size(), 8u);
  for (const auto& [id, qs] : queues_of_id) EXPECT_EQ(qs.size(), 1u) << "IP ID " << id;
}

// ---- xmit_more ----------------------------------------------------------------------------

// Packets that wait in the qdisc go out in bulk (try_bulk_dequeue_skb: while BQL's available
// bytes last): every skb of a dev_hard_start_xmit list but the last has xmit_more set, so the
// driver rings the doorbell once per list.
TEST_F(TxTest, XmitMoreIsSetOnAllButTheLastOfABulkDequeue) {
  make_host(1);
  netdev_queue* txq = netdev_get_tx_queue(dev.get(), 0);
  constexpr unsigned kLen = 14 + 28 + 100;
  txq->dql.min_limit = 4 * kLen;  // sysfs limit_min: room for a bulk of exactly 4
  txq->dql.limit = txq->dql.adj_limit = 4 * kLen;
  netif_tx_stop_queue(txq);  // the driver's ring is full: the sender's packets wait
  run_task([&] {
    for (uint32_t i = 0; i < 9; ++i) send(&sk, i, 100);
    EXPECT_TRUE(nic.calls.empty());
    EXPECT_EQ(qstats().backlog_packets, 9u);
    netif_tx_wake_queue(txq);  // room again: NET_TX_SOFTIRQ runs the qdisc
    k->this_cpu().local_bh_enable();
  });
  // The first datagram found the qdisc empty: bypassed, refused by the stopped queue and
  // requeued; a requeued skb goes out alone. Then BQL's avail is 3 packets: a bulk of 3
  // ([more, more, last]) fills the limit, the next restart takes 1 (bytelimit 0 - len < 0)
  // and stops the queue (STACK_XOFF); completions reopen it for the rest.
  ASSERT_EQ(nic.calls.size(), 9u);
  for (size_t i = 0; i < nic.calls.size(); ++i)
    EXPECT_EQ(parsed(nic.calls[i]).seq(), i) << "the qdisc is FIFO";
  const std::vector<bool> first5 = {false, true, true, false, false};
  for (size_t i = 0; i < first5.size(); ++i) EXPECT_EQ(nic.calls[i].more, first5[i]) << i;
  EXPECT_FALSE(nic.calls.back().more) << "the last packet rings the doorbell";
  size_t run = 0;
  for (const xmit_call& c : nic.calls) {
    ++run;
    EXPECT_LE(run, 4u) << "no bulk beyond BQL's limit (4 packets)";
    if (!c.more) run = 0;
  }
  EXPECT_LT(nic.doorbells, nic.calls.size()) << "fewer doorbells than packets";
  EXPECT_EQ(k->tx_st.start_xmit_more, std::count_if(nic.calls.begin(), nic.calls.end(),
                                                    [](const xmit_call& c) { return c.more; }));
}

TEST_F(TxTest, AnEmptyQdiscIsBypassedAndEachPacketRingsTheDoorbell) {
  make_host(1);
  nic.wire = sc_time(50, SC_NS);  // the device keeps up: the qdisc never holds anything
  run_task([&] {
    for (uint32_t i = 0; i < 5; ++i) {
      send(&sk, i, 64);
      k->this_cpu().spend(2000);  // the application's own work between sends
      k->this_cpu().boundary();
    }
  });
  ASSERT_EQ(nic.calls.size(), 5u);
  for (const xmit_call& c : nic.calls) EXPECT_FALSE(c.more);
  EXPECT_EQ(nic.doorbells, 5u);
  EXPECT_EQ(k->tx_st.qdisc_bypass, 5u) << "TCQ_F_CAN_BYPASS: sch_direct_xmit from dev_queue_xmit";
  EXPECT_EQ(qstats().sent_packets, 5u) << "bypassed packets still count as sent";
  EXPECT_EQ(qstats().sent_bytes, 5u * (14 + 28 + 64));
}

// ---- Full ring, requeue, wake ---------------------------------------------------------------

class TxRingFullTest : public TxTest, public ::testing::WithParamInterface<bool> {};

// A blocking sender faster than the wire fills the driver's ring. With stop_early the driver
// stops the queue itself (igb_maybe_stop_tx); without, it returns NETDEV_TX_BUSY and the
// qdisc requeues. Either way every datagram goes out once, in order, and the counters add up.
TEST_P(TxRingFullTest, NothingIsLostAndTheCountersAddUp) {
  make_host(1);
  nic.stop_early = GetParam();
  nic.slots = 8;
  nic.wire = sc_time(12, SC_US);  // a 1500-byte frame at 1 Gb/s
  nic.itr = sc_time(20, SC_US);   // completions in batches
  // BQL out of the way (sysfs limit_min), or it would keep the ring from filling
  netdev_queue* txq = netdev_get_tx_queue(dev.get(), 0);
  txq->dql.min_limit = txq->dql.limit = txq->dql.adj_limit = 1 << 20;
  constexpr uint32_t kN = 200;
  uint64_t offered_check = 0;
  run_task([&] {
    for (uint32_t i = 0; i < kN; ++i) ASSERT_EQ(send(&sk, i, 1472), 1472);
    // mid-run: what was offered is sent, dropped or still held (a requeued skb was counted
    // as sent at its first dequeue and is back in the backlog: take it out once)
    const tx_queue_stats s = qstats();
    const Qdisc* q = txq->qdisc;
    offered_check = s.sent_packets + s.dropped + s.backlog_packets - q->gso_skb.size();
  });
  EXPECT_EQ(offered_check, kN);
  ASSERT_EQ(nic.calls.size(), kN) << "each datagram reaches the driver once";
  std::set<uint32_t> seqs;
  for (const xmit_call& c : nic.calls) seqs.insert(parsed(c).seq());
  EXPECT_EQ(seqs.size(), kN) << "no datagram twice, none lost";
  EXPECT_EQ(*seqs.rbegin(), kN - 1);
  // In order when the driver stops its queue in time. A driver returning NETDEV_TX_BUSY may
  // see them reordered: the kernel requeues a refused skb at gso_skb's tail, behind skbs
  // requeued earlier (dev_requeue_skb's __skb_queue_tail).
  if (nic.stop_early) {
    for (uint32_t i = 0; i < kN; ++i) EXPECT_EQ(parsed(nic.calls[i]).seq(), i);
  }
  const tx_queue_stats s = qstats();
  EXPECT_EQ(s.sent_packets, kN);
  EXPECT_EQ(s.dropped, 0u);
  EXPECT_EQ(s.backlog_packets, 0u);
  EXPECT_EQ(s.backlog_bytes, 0u);
  EXPECT_EQ(s.sent_bytes, kN * (14 + 28 + 1472u));
  EXPECT_EQ(nic.completions.size(), kN);
  EXPECT_GT(nic.wakes, 0u) << "the ring filled and the queue was woken";
  if (!nic.stop_early) {
    EXPECT_GT(nic.busy_returns, 0u);
    EXPECT_GE(s.requeues, k->tx_st.tx_busy) << "each NETDEV_TX_BUSY requeues the skbs left";
    EXPECT_GT(s.requeues, 0u);
  }
  EXPECT_EQ(k->tx_st.udp_out_datagrams, kN);
  EXPECT_EQ(sk_wmem_alloc_get(&sk), 0);
  EXPECT_TRUE(live_skbs().empty()) << "every skb freed";
  EXPECT_FALSE(s.stopped_drv || s.stopped_stack);
}
INSTANTIATE_TEST_SUITE_P(StopEarly, TxRingFullTest, ::testing::Bool());

// ---- pfifo_fast -----------------------------------------------------------------------------

// pfifo_fast's bands are rings of txqueuelen packets: a full band drops (NET_XMIT_DROP, the
// qdisc's dropped counter, IP OutDiscards, UDP SndbufErrors); sendmsg still succeeds unless
// IP_RECVERR. Band 0 (TC_PRIO_INTERACTIVE, priority 6) goes first.
TEST_F(TxTest, PfifoFastDropsAtTxqueuelenPerBandAndBandZeroGoesFirst) {
  make_host(1, NETIF_F_SG | NETIF_F_HW_CSUM, 10);
  netdev_queue* txq = netdev_get_tx_queue(dev.get(), 0);
  txq->dql.min_limit = txq->dql.limit = txq->dql.adj_limit = 1 << 20;  // BQL out of the way
  netif_tx_stop_queue(txq);
  std::vector<int> rcs;
  int recverr_rc = 0;
  run_task([&] {
    // The first finds the qdisc empty: bypass -> queue stopped -> requeued (gso_skb, outside
    // the bands); the next 10 fill band 1; the 4 after are dropped.
    for (uint32_t i = 0; i < 15; ++i) rcs.push_back(send(&sk, i, 100));
    sk.recverr = true;
    recverr_rc = send(&sk, 15, 100);
    sk.recverr = false;
    sk.sk_priority = 6;  // band 0: still room
    send(&sk, 100, 100);
    EXPECT_EQ(qstats().backlog_packets, 12u);
    netif_tx_wake_queue(txq);
    k->this_cpu().local_bh_enable();
  });
  for (int rc : rcs) EXPECT_EQ(rc, 100) << "a qdisc drop is silent without IP_RECVERR";
  EXPECT_EQ(recverr_rc, -ENOBUFS);
  const tx_queue_stats s = qstats();
  EXPECT_EQ(s.dropped, 5u);
  EXPECT_EQ(k->tx_st.ip_out_discards, 5u);
  EXPECT_EQ(k->tx_st.udp_sndbuf_errors, 5u);
  EXPECT_EQ(k->tx_st.udp_out_datagrams, 12u);
  EXPECT_EQ(s.requeues, 1u);
  EXPECT_EQ(s.sent_packets + s.dropped, 17u) << "offered: sent or dropped, nothing held";
  ASSERT_EQ(nic.calls.size(), 12u);
  EXPECT_EQ(parsed(nic.calls[0]).seq(), 0u) << "the requeued skb goes first";
  EXPECT_EQ(parsed(nic.calls[1]).seq(), 100u) << "then band 0";
  for (uint32_t i = 2; i < 12; ++i) EXPECT_EQ(parsed(nic.calls[i]).seq(), i - 1) << "band 1";
}

// A datagram over the MTU at the socket: 4000 payload bytes at MTU 1500 are three fragments
// (1480, 1480, 1048 IP payload bytes), chained and sent in order with one ID, MF on the first
// two, offsets 0, 185, 370; the socket is charged while they are out and uncharged to 0 once
// each completes. Then with pfifo_fast holding 4 packets and the queue stopped, a datagram
// whose second fragment finds it full loses the third unsent (FragFails 1, one fragment
// unsent), and a send buffer of SOCK_MIN_SNDBUF refuses a 60 KB datagram's later skbs
// (ENOBUFS, OutDiscards): the socket's charge comes back to 0 every time.
TEST_F(TxTest, ADatagramOverTheMtuLeavesInFragmentsAndTheSocketIsUnchargedEveryWay) {
  make_host(1, NETIF_F_SG | NETIF_F_HW_CSUM, 4);
  netdev_queue* txq = netdev_get_tx_queue(dev.get(), 0);
  txq->dql.min_limit = txq->dql.limit = txq->dql.adj_limit = 1 << 20;  // BQL out of the way
  int big = 0, full = 0, nobufs = 0;
  int charged = -1;
  run_task([&] {
    big = send(&sk, 1, 4000);
    charged = sk_wmem_alloc_get(&sk);
  });
  EXPECT_EQ(big, 4000);
  EXPECT_GT(charged, 3 * 1500) << "three skbs charged while on their way";
  ASSERT_EQ(nic.calls.size(), 3u);
  const uint16_t id = parsed(nic.calls[0]).u16(18);
  for (size_t i = 0; i < 3; ++i) {
    const parsed p(nic.calls[i]);
    EXPECT_EQ(p.u16(18), id) << "one ID";
    EXPECT_EQ(p.u16(20), (i < 2 ? 0x2000 : 0) | 185 * i) << "MF, offset";
    EXPECT_EQ(p.u16(16), i < 2 ? 1500 : 1068) << "tot_len";
    EXPECT_EQ(ip_fast_csum(nic.calls[i].bytes.data() + 14, 5), 0) << "header checksum";
    EXPECT_NE(nic.calls[i].ip_summed, CHECKSUM_PARTIAL) << "the checksum computed in software";
  }
  EXPECT_EQ(k->tx_st.ip_frag_oks, 1u);
  EXPECT_EQ(k->tx_st.ip_frag_creates, 3u);
  EXPECT_EQ(sk_wmem_alloc_get(&sk), 0) << "every fragment uncharged at its completion";
  // pfifo_fast of 4 packets, the queue stopped: the first packet bypasses and is requeued, 4
  // fill the band; a 3-fragment datagram after 3 single ones finds room for its first: its
  // second is dropped, its third never handed down
  netif_tx_stop_queue(txq);
  run_task([&] {
    for (uint32_t i = 2; i < 6; ++i) send(&sk, i, 100);
    full = send(&sk, 6, 4000);
    netif_tx_wake_queue(txq);
    k->this_cpu().local_bh_enable();
  });
  EXPECT_EQ(full, 4000) << "a qdisc drop is silent without IP_RECVERR";
  EXPECT_EQ(k->tx_st.ip_frag_fails, 1u);
  EXPECT_EQ(qstats().dropped, 1u);
  EXPECT_EQ(k->tx_st.ip_frag_unsent, 1u) << "the third fragment, never handed down";
  EXPECT_EQ(sk_wmem_alloc_get(&sk), 0);
  int sndbuf = SOCK_MIN_SNDBUF / 2;
  ASSERT_EQ(sock_setsockopt(&sk, SOL_SOCKET, SO_SNDBUF, sndbuf), 0);
  run_task([&] { nobufs = send(&sk, 7, 60000); });
  EXPECT_EQ(nobufs, -ENOBUFS);
  EXPECT_EQ(k->tx_st.ip_out_discards, 1u + 1u) << "the qdisc drop's and this one";
  EXPECT_EQ(sk_wmem_alloc_get(&sk), 0) << "the skbs built so far freed and uncharged";
}

// UDP_SEGMENT: one sendto of 40,000 bytes with a segment size of 1,000 is one GSO skb for
// the device to cut into 40 datagrams (udp_send_skb), its headers in the linear part and its
// payload in page fragments of 32 KB pages (__ip_append_data, paged), charged to the socket
// until its completion. The UDP checksum field holds the pseudo-header seed over the whole
// length (udp4_hwcsum; igb_tso takes the length out), the IPv4 header no DF (the skb is over
// the MTU, __ip_make_skb). The qdisc counts 40 packets and the 39 extra headers' bytes.
TEST_F(TxTest, AUdpSegmentSendIsOneGsoSkbThatTheDeviceCuts) {
  make_host(1, NETIF_F_SG | NETIF_F_HW_CSUM | NETIF_F_GSO_UDP_L4);
  netdev_queue* txq = netdev_get_tx_queue(dev.get(), 0);
  txq->dql.min_limit = txq->dql.limit = txq->dql.adj_limit = 1 << 20;  // BQL out of the way
  EXPECT_EQ(udp_lib_setsockopt(&sk, SOL_UDP, UDP_SEGMENT, 65536), -EINVAL);
  EXPECT_EQ(udp_lib_setsockopt(&sk, SOL_SOCKET, UDP_SEGMENT, 1000), -ENOPROTOOPT);
  ASSERT_EQ(udp_lib_setsockopt(&sk, SOL_UDP, UDP_SEGMENT, 1000), 0);
  int rc = 0, charged = -1, one = 0;
  run_task([&] {
    rc = send(&sk, 1, 40000);
    charged = sk_wmem_alloc_get(&sk);
    one = send(&sk, 2, 1000);
  });
  EXPECT_EQ(rc, 40000);
  // The head: alloc_skb(20 + 8 + 16 + 15 = 59) takes kmalloc-512, truesize 192 + 256 + 320
  EXPECT_EQ(charged, 768 + 40000) << "the head and every paged byte charged to the socket";
  ASSERT_EQ(nic.calls.size(), 2u);
  const xmit_call& c = nic.calls[0];
  EXPECT_EQ(c.gso_size, 1000u);
  EXPECT_EQ(c.gso_segs, 40u);
  EXPECT_EQ(c.gso_type, SKB_GSO_UDP_L4);
  EXPECT_EQ(c.ip_summed, CHECKSUM_PARTIAL);
  EXPECT_EQ(c.csum_start, 34);
  EXPECT_EQ(c.csum_offset, 6u);
  EXPECT_EQ(c.frag_lens, (std::vector<uint32_t>{32768, 40000 - 32768}))
      << "a new 32 KB page when the first is full";
  ASSERT_EQ(c.bytes.size(), 14u + 28u + 40000u);
  const parsed p(c);
  EXPECT_EQ(p.u16(16), 40028) << "IPv4 total length: the whole GSO skb";
  EXPECT_EQ(p.u16(20), 0) << "no DF: longer than the MTU";
  EXPECT_EQ(ip_fast_csum(c.bytes.data() + 14, 5), 0);
  EXPECT_EQ(p.u16(38), 40008) << "UDP length: the whole";
  uint32_t seed = (kHost >> 16) + (kHost & 0xFFFF) + (kPeer >> 16) + (kPeer & 0xFFFF) + 17 + 40008;
  while (seed >> 16) seed = (seed & 0xFFFF) + (seed >> 16);
  EXPECT_EQ(p.u16(40), seed) << "the pseudo-header seed, not complemented";
  const auto want = payload(1, 40000);
  EXPECT_TRUE(std::equal(want.begin(), want.end(), c.bytes.begin() + 42)) << "the payload";
  EXPECT_EQ(one, 1000);
  EXPECT_EQ(nic.calls[1].gso_size, 0u) << "a payload within one segment is a plain datagram";
  EXPECT_EQ(nic.calls[1].frag_lens, (std::vector<uint32_t>{1000})) << "still paged";
  EXPECT_EQ(parsed(nic.calls[1]).u16(20), 0x4000) << "DF: it fits the MTU";
  EXPECT_EQ(qstats().sent_packets, 41u);
  EXPECT_EQ(qstats().sent_bytes, (14u + 28u + 40000u + 39u * 42u) + (14u + 28u + 1000u));
  EXPECT_EQ(sk_wmem_alloc_get(&sk), 0) << "uncharged at the completions";
  EXPECT_EQ(k->tx_st.udp_out_datagrams, 2u) << "OutDatagrams counts sendmsg calls";
}

// udp_send_skb refuses a UDP_SEGMENT send whose segments do not fit the MTU (EMSGSIZE), that
// would make more than UDP_MAX_SEGMENTS (128) of them, or whose socket sends no checksum
// (EINVAL); nothing reaches the device and the socket is uncharged.
TEST_F(TxTest, AUdpSegmentSendTheKernelRefusesLeavesNothing) {
  make_host(1, NETIF_F_SG | NETIF_F_HW_CSUM | NETIF_F_GSO_UDP_L4);
  int over_mtu = 0, too_many = 0, most = 0, no_check = 0;
  run_task([&] {
    udp_lib_setsockopt(&sk, SOL_UDP, UDP_SEGMENT, 1473);
    over_mtu = send(&sk, 1, 3000);
    udp_lib_setsockopt(&sk, SOL_UDP, UDP_SEGMENT, 100);
    too_many = send(&sk, 2, 12801);
    most = send(&sk, 3, 12800);
    sk.no_check_tx = true;
    no_check = send(&sk, 4, 2000);
  });
  EXPECT_EQ(over_mtu, -EMSGSIZE);
  EXPECT_EQ(too_many, -EINVAL);
  EXPECT_EQ(most, 12800) << "128 segments are allowed";
  EXPECT_EQ(no_check, -EINVAL);
  ASSERT_EQ(nic.calls.size(), 1u);
  EXPECT_EQ(nic.calls[0].gso_segs, 128u);
  EXPECT_EQ(sk_wmem_alloc_get(&sk), 0);
  EXPECT_EQ(k->tx_st.udp_out_datagrams, 1u) << "only the one sent";
  EXPECT_EQ(k->tx_st.udp_sndbuf_errors, 0u) << "a refusal is not a send buffer error";
}

// A send buffer of 1 GiB (kernel.wmem_default's largest) or SO_SNDBUFFORCE's largest: the
// later fragments' room test (2 * sk_sndbuf) wraps in the kernel's int and still lets them
// through, as unsigned. Before, the model's signed test refused every fragmented datagram.
TEST_F(TxTest, FragmentsAreTakenWithTheLargestSendBuffers) {
  kp.wmem_default = 1 << 30;
  make_host(1, NETIF_F_SG | NETIF_F_HW_CSUM, 4);
  netdev_queue* txq = netdev_get_tx_queue(dev.get(), 0);
  txq->dql.min_limit = txq->dql.limit = txq->dql.adj_limit = 1 << 20;
  ASSERT_EQ(sk.sk_sndbuf, 1 << 30);
  int a = 0, b = 0;
  run_task([&] { a = send(&sk, 1, 4000); });
  ASSERT_EQ(sock_setsockopt(&sk, SOL_SOCKET, SO_SNDBUFFORCE, INT32_MAX), 0);
  EXPECT_EQ(sk.sk_sndbuf, INT32_MAX / 2 * 2);
  run_task([&] { b = send(&sk, 2, 4000); });
  EXPECT_EQ(a, 4000);
  EXPECT_EQ(b, 4000);
  EXPECT_EQ(nic.calls.size(), 6u) << "three fragments each";
  EXPECT_EQ(k->tx_st.ip_out_discards, 0u);
}

// ---- fq_codel ------------------------------------------------------------------------------

// net.core.default_qdisc = fq_codel: a new flow is served before an old backlogged one (after
// the backlogged flow's quantum, 1514 bytes: 11 packets of 142 bytes), where pfifo_fast
// would send it after the whole backlog.
TEST_F(TxTest, FqCodelServesANewSparseFlowAheadOfABackloggedOne) {
  kp.default_qdisc = "fq_codel";
  make_host(2);
  sock sparse;
  sock_init_data(*k, &sparse);
  sparse.num = 4001;
  sparse.sk_tx_queue_mapping = 0;  // both flows on queue 0
  sk.sk_tx_queue_mapping = 0;
  sk.daddr = sparse.daddr = kPeer;  // connected: the cached queue is kept
  sk.dport = sparse.dport = 9000;
  sk.inet_id = 0xFFFF;  // ip4_datagram_connect's random start, here at the wrap
  netdev_queue* txq = netdev_get_tx_queue(dev.get(), 0);
  txq->dql.min_limit = txq->dql.limit = txq->dql.adj_limit = 1 << 20;
  netif_tx_stop_queue(txq);
  run_task([&] {
    for (uint32_t i = 0; i < 50; ++i) udp_sendmsg(*k, &sk, payload(i, 100).data(), 100, 0, 0, 0);
    udp_sendmsg(*k, &sparse, payload(1000, 100).data(), 100, 0, 0, 0);
    EXPECT_EQ(qstats(0).backlog_packets, 51u) << "fq_codel is never bypassed";
    netif_tx_wake_queue(txq);
    k->this_cpu().local_bh_enable();
  });
  EXPECT_STREQ(txq->qdisc->id(), "fq_codel");
  ASSERT_EQ(nic.calls.size(), 51u);
  size_t at = 0;
  for (size_t i = 0; i < nic.calls.size(); ++i)
    if (parsed(nic.calls[i]).sport() == 4001) at = i;
  EXPECT_EQ(at, 11u) << "after the backlogged flow's first quantum";
  // A connected socket's IDs: inet_id advanced first (v6.6+), so 0 after 0xFFFF, then 1, ...
  EXPECT_EQ(parsed(nic.calls[0]).u16(18), 0u);
  EXPECT_EQ(parsed(nic.calls[1]).u16(18), 1u);
  EXPECT_EQ(parsed(nic.calls[at]).u16(18), 1u) << "the other socket's first: its inet_id 0 + 1";
  for (size_t i = 0, want = 0; i < nic.calls.size(); ++i) {
    if (i == at) continue;
    EXPECT_EQ(parsed(nic.calls[i]).seq(), want++) << "the backlogged flow stays in order";
  }
}

// CoDel: a standing queue (a sender with an 8 MB send buffer over a 1 Gb/s wire) keeps packets
// waiting more than target (5 ms); after one interval (100 ms) of that, fq_codel drops at the
// head. Every datagram is sent or dropped, none before the first interval.
TEST_F(TxTest, FqCodelDropsOnlyAfterTheQueueDelayStayedAboveTargetForAnInterval) {
  kp.default_qdisc = "fq_codel";
  make_host(1);
  nic.slots = 256;
  nic.wire = sc_time(12, SC_US);
  sock_setsockopt(&sk, SOL_SOCKET, SO_SNDBUFFORCE, 4 << 20);
  constexpr uint32_t kN = 30000;  // 360 ms of wire time
  run_task([&] {
    for (uint32_t i = 0; i < kN; ++i) send(&sk, i, 1472);
  });
  const tx_queue_stats s = qstats();
  const auto* fq = static_cast<const fq_codel*>(netdev_get_tx_queue(dev.get(), 0)->qdisc);
  // The send buffer (8 MB: ~3600 datagrams, 43 ms of wire) keeps the queue standing: drops
  // at about 105 ms, then 100 ms, 100/sqrt(2), 100/sqrt(3) ms apart (the control law) within
  // the 360 ms the run lasts
  EXPECT_GE(fq->codel_drops, 3u) << "the queue delay stood above target";
  EXPECT_EQ(fq->drop_overlimit, 0u) << "no drop at the 10240-packet limit";
  EXPECT_EQ(s.dropped, fq->codel_drops);
  EXPECT_EQ(s.sent_packets + s.dropped, kN) << "every datagram sent or dropped";
  EXPECT_EQ(nic.calls.size(), s.sent_packets);
  // the first datagram missing: none goes before 100 ms of standing queue
  uint32_t want = 0;
  sc_time first_gap;
  for (const xmit_call& c : nic.calls) {
    if (parsed(c).seq() != want) {
      first_gap = c.t;
      break;
    }
    ++want;
  }
  EXPECT_GT(first_gap, sc_time(100, sc_core::SC_MS)) << "CoDel waits one interval";
  EXPECT_EQ(sk_wmem_alloc_get(&sk), 0);
}

// ---- BQL ------------------------------------------------------------------------------------

// The stack never hands the driver more than BQL's limit: at each ndo_start_xmit the bytes in
// flight are within the limit (the packet itself may take it over, by less than one packet).
// Under a load that starves (completions in batches, every 100 us) the limit grows from 0;
// with prompt completions and the limit far above what the queue needs, it shrinks after the
// hold time.
TEST_F(TxTest, BqlBoundsTheBytesInFlightAndItsLimitAdapts) {
  make_host(1);
  nic.slots = 256;
  nic.wire = sc_time(12, SC_US);
  nic.itr = sc_time(100, SC_US);
  netdev_queue* txq = netdev_get_tx_queue(dev.get(), 0);
  txq->dql.slack_hold_time = 1;  // sysfs hold_time 1 ms (HZ 1000): shrink within the test
  unsigned limit_starved = 0, limit_after = 0, limit_forced = 0;
  size_t phase2_start = 0;
  run_task([&] {
    for (uint32_t i = 0; i < 300; ++i) send(&sk, i, 1472);
    limit_starved = txq->dql.limit;
    // Over-provision: limit_min forces a limit far above need, then is released (limit_min 0)
    txq->dql.min_limit = 1000000;
    for (uint32_t i = 300; i < 400; ++i) send(&sk, i, 1472);  // blocks: completions come
    limit_forced = txq->dql.limit;
    txq->dql.min_limit = 0;
    nic.itr = sc_core::SC_ZERO_TIME;  // prompt completions: the queue needs little
    phase2_start = nic.calls.size();
    for (uint32_t i = 400; i < 1200; ++i) send(&sk, i, 1472);
    limit_after = txq->dql.limit;
  });
  ASSERT_EQ(nic.calls.size(), 1200u);
  // A limit that shrinks at a completion lets one more packet through before STACK_XOFF
  // stops the queue (the kernel's behaviour too): never two in a row over the limit.
  for (size_t i = 1; i < nic.calls.size(); ++i) {
    const bool over = nic.calls[i].inflight_before > nic.calls[i].limit;
    const bool prev_over = nic.calls[i - 1].inflight_before > nic.calls[i - 1].limit;
    ASSERT_FALSE(over && prev_over) << "BQL lets the driver past its limit at call " << i;
  }
  size_t over_limit = 0;
  for (size_t i = 0; i < phase2_start; ++i)
    over_limit += nic.calls[i].inflight_before > nic.calls[i].limit;
  EXPECT_LE(over_limit * 20, phase2_start) << "while the limit grows, within it nearly always";
  EXPECT_GT(limit_starved, 3u * 1514) << "grown from 0 under starvation";
  EXPECT_EQ(limit_forced, 1000000u) << "limit_min clamps the limit at a completion";
  EXPECT_LT(limit_after, limit_forced / 4) << "shrunk by the slack the busy queue kept";
  EXPECT_GT(phase2_start, 0u);
  EXPECT_EQ(qstats().bql_inflight, 0u) << "all completed";
}

// ---- Socket send memory ---------------------------------------------------------------------

// SO_SNDBUF 2304 doubles to 4608 (SOCK_MIN_SNDBUF): two 1472-byte datagrams (truesize 2304
// each) fit. A blocking sender's third sendmsg sleeps on the socket's wait queue; sock_wfree
// wakes it only once half the buffer is free (sock_writeable), which takes both completions.
TEST_F(TxTest, ABlockingSenderSleepsAtSndbufAndWakesWhenHalfIsFree) {
  make_host(1);
  nic.wire = sc_time(100, SC_US);
  ASSERT_EQ(sock_setsockopt(&sk, SOL_SOCKET, SO_SNDBUF, 2304), 0);
  ASSERT_EQ(sk.sk_sndbuf, 4608);
  std::vector<sc_time> returned;
  uint64_t slept = 0;
  run_task([&] {
    for (uint32_t i = 0; i < 4; ++i) {
      EXPECT_EQ(send(&sk, i, 1472), 1472);
      returned.push_back(k->this_cpu().now());
    }
    slept = task.nvcsw;  // voluntary context switches so far (the task's exit adds one)
  });
  ASSERT_EQ(nic.calls.size(), 4u);
  for (const xmit_call& c : nic.calls) EXPECT_LE(c.wmem, 2 * 2304) << "never past sndbuf";
  ASSERT_GE(nic.completions.size(), 2u);
  EXPECT_LT(returned[1], nic.completions[0]) << "the second fits without waiting";
  EXPECT_GE(returned[2], nic.completions[1])
      << "the third waits until both in flight completed (half the buffer free)";
  EXPECT_GE(k->tx_st.sndbuf_waits, 1u);
  EXPECT_GE(slept, 1u) << "it slept";
  EXPECT_GE(k->tx_st.write_space_wakeups, 1u);
  EXPECT_EQ(k->tx_st.udp_sndbuf_errors, 0u) << "a blocking send that waited is no error";
}

TEST_F(TxTest, ANonBlockingSenderGetsEagainAndASndbufError) {
  make_host(1);
  nic.wire = sc_time(100, SC_US);
  sock_setsockopt(&sk, SOL_SOCKET, SO_SNDBUF, 1);  // the floor: SOCK_MIN_SNDBUF
  EXPECT_EQ(sk.sk_sndbuf, SOCK_MIN_SNDBUF);
  std::vector<int> rcs;
  uint64_t slept = 0;
  run_task([&] {
    for (uint32_t i = 0; i < 3; ++i) rcs.push_back(send(&sk, i, 1472, 9000, MSG_DONTWAIT));
    slept = task.nvcsw;
  });
  EXPECT_EQ(rcs, (std::vector<int>{1472, 1472, -EAGAIN}));
  EXPECT_EQ(k->tx_st.sndbuf_eagain, 1u);
  EXPECT_EQ(k->tx_st.udp_sndbuf_errors, 1u) << "udp_sendmsg counts it (SOCK_NOSPACE set)";
  EXPECT_EQ(k->tx_st.udp_out_datagrams, 2u);
  EXPECT_EQ(slept, 0u) << "it never slept";
}

TEST(SockSndbuf, SetsockoptCapsAtWmemMaxDoublesAndKeepsTheFloor) {
  kernel_params kp;
  kp.wmem_default = 100000;
  kp.wmem_max = 50000;
  cost_table costs;
  kernel k(kp, costs);
  sock s;
  sock_init_data(k, &s);
  EXPECT_EQ(s.sk_sndbuf, 100000) << "net.core.wmem_default";
  EXPECT_EQ(sock_setsockopt(&s, SOL_SOCKET, SO_SNDBUF, 30000), 0);
  EXPECT_EQ(s.sk_sndbuf, 60000) << "doubled for the kernel's overhead";
  sock_setsockopt(&s, SOL_SOCKET, SO_SNDBUF, 1 << 30);
  EXPECT_EQ(s.sk_sndbuf, 100000) << "capped at wmem_max, then doubled";
  sock_setsockopt(&s, SOL_SOCKET, SO_SNDBUFFORCE, 1 << 20);
  EXPECT_EQ(s.sk_sndbuf, 2 << 20) << "SO_SNDBUFFORCE is not capped";
  sock_setsockopt(&s, SOL_SOCKET, SO_SNDBUF, 0);
  EXPECT_EQ(s.sk_sndbuf, SOCK_MIN_SNDBUF);
  EXPECT_TRUE(s.sndbuf_locked);
  EXPECT_EQ(sk_wmem_alloc_get(&s), 0) << "the socket's own reference is hidden";
  EXPECT_TRUE(sock_writeable(&s));
}

// epoll on EPOLLOUT: ready while under half the send buffer; after filling it to EAGAIN,
// epoll_wait sleeps until completions free half the buffer, then reports EPOLLOUT.
TEST_F(TxTest, EpollReportsPolloutAgainOnceHalfTheSendBufferIsFree) {
  make_host(1);
  nic.wire = sc_time(100, SC_US);
  sock_setsockopt(&sk, SOL_SOCKET, SO_SNDBUF, 4 * 2304);  // sndbuf 18432: 8 datagrams
  eventpoll ep;
  ep_init(*k, &ep, 0);
  file f;
  f.sk = &sk;
  int first = -1, when_full = -1, woke = -1;
  uint32_t woke_events = 0;
  sc_time woke_at;
  int sent = 0;
  run_task([&] {
    epoll_event ev;
    ev.events = EPOLLOUT;
    ASSERT_EQ(epoll_ctl(&ep, EPOLL_CTL_ADD, 3, &f, &ev), 0);
    epoll_event out[4];
    first = epoll_wait(&ep, out, 4, 0);
    while (send(&sk, static_cast<uint32_t>(sent), 1472, 9000, MSG_DONTWAIT) > 0) ++sent;
    when_full = epoll_wait(&ep, out, 4, 0);
    woke = epoll_wait(&ep, out, 4, -1);
    woke_events = out[0].events;
    woke_at = k->this_cpu().now();
  });
  EXPECT_EQ(first, 1) << "an idle socket is writeable";
  EXPECT_EQ(sent, 8);
  EXPECT_EQ(when_full, 0) << "not writeable at sndbuf";
  EXPECT_EQ(woke, 1);
  EXPECT_TRUE(woke_events & EPOLLOUT);
  // sock_writeable needs wmem < sndbuf / 2 = 9216: with 4 datagrams left wmem is
  // 4 * 2304 + 1, not under it; with 3 left it is: the fifth completion wakes epoll_wait
  ASSERT_GE(nic.completions.size(), 5u);
  EXPECT_GE(woke_at, nic.completions[4]);
  EXPECT_LT(woke_at, nic.completions.back() + sc_time(100, SC_US));
}

// A packet igb refuses (NETDEV_TX_BUSY) is back in the qdisc: xmit_one takes its xmit step
// back, so a datagram still there at the end counts in the qdisc, as the run's census counts
// it, not in the transmit ring; its xmit is the one that succeeds later
TEST(TxJourney, AStepTakenBackCountsTheDatagramWhereItIs) {
  tx_journey j;
  ASSERT_TRUE(j.open(""));
  const uint64_t id = j.begin(sc_time(1, SC_US));
  j.record(id, tx_step::qdisc_enqueue, sc_time(2, SC_US));
  j.record(id, tx_step::xmit, sc_time(3, SC_US));
  j.unrecord(id, tx_step::xmit);
  const uint64_t other = j.begin(sc_time(4, SC_US));
  j.record(other, tx_step::qdisc_enqueue, sc_time(5, SC_US));
  j.record(other, tx_step::xmit, sc_time(6, SC_US));
  j.finish_all_in_flight();
  EXPECT_EQ(j.tally(tx_source::sender).in_qdisc, 1u);
  EXPECT_EQ(j.tally(tx_source::sender).in_tx_ring, 1u);
  ASSERT_EQ(j.rows().size(), 2u);
  EXPECT_EQ(j.rows()[0].t[size_t(tx_step::xmit)], -1);
  EXPECT_EQ(j.rows()[1].t[size_t(tx_step::xmit)], 6000000);
  for (const auto& r : j.rows()) EXPECT_EQ(r.fate, "in_flight");
}

// A sent datagram's steps follow their chains (tx_delta_base): one with a step before the step
// its delta is taken from is counted once (the check tx_journey_step_order), the first such
// datagram named. The DD write-back before the frame's end on the wire is no such step: both
// follow data_read. A fragmented datagram in flight at the end is not judged: its row has its
// second packet's data_read and its first's write-back.
TEST(TxJourney, ASentDatagramsStepBeforeTheStepItFollowsIsCounted) {
  tx_journey j;
  ASSERT_TRUE(j.open(""));
  const auto sent = [&j](std::initializer_list<std::pair<tx_step, int>> steps_us) {
    const uint64_t id = j.begin(sc_time(1, SC_US));
    for (const auto& [s, us] : steps_us) j.record(id, s, sc_time(us, SC_US));
    j.finish(id, "sent");
    return id;
  };
  sent({{tx_step::qdisc_enqueue, 2},
        {tx_step::xmit, 3},
        {tx_step::tdt_write, 4},
        {tx_step::data_read, 6},
        {tx_step::dd_writeback, 7},
        {tx_step::wire_end, 9},
        {tx_step::clean, 8}});
  EXPECT_EQ(j.misordered().rows, 0u);
  const uint64_t early = sent({{tx_step::qdisc_enqueue, 2},
                               {tx_step::xmit, 3},
                               {tx_step::data_read, 6},
                               {tx_step::dd_writeback, 7},
                               {tx_step::clean, 5}});
  sent({{tx_step::qdisc_enqueue, 2}, {tx_step::xmit, 1}, {tx_step::tdt_write, 0}});  // two
  const uint64_t frag = j.begin(sc_time(10, SC_US));
  j.packets(frag, 2);
  j.record(frag, tx_step::qdisc_enqueue, sc_time(11, SC_US));
  for (unsigned p = 0; p < 2; ++p) {
    j.queued(0, frag, 0x8000, 16, p, 1, p, {{0x10000 + 0x1000 * p, 1514}}, 1);
    j.doorbell(0, sc_time(12 + p, SC_US));
    j.data_read(0x10000 + 0x1000 * p, 1514, sc_time(20 + 10 * p, SC_US));
  }
  j.writeback(0, 0x8000, 16, sc_time(25, SC_US));  // the first packet's DD only
  j.finish_all_in_flight();
  ASSERT_EQ(j.rows().size(), 4u);
  EXPECT_EQ(j.rows()[3].fate, "in_flight");
  EXPECT_LT(j.rows()[3].t[size_t(tx_step::dd_writeback)],
            j.rows()[3].t[size_t(tx_step::data_read)]);
  EXPECT_EQ(j.misordered().rows, 2u) << "a datagram counted once; the one in flight not judged";
  EXPECT_EQ(j.misordered().first.id, early);
  EXPECT_EQ(j.misordered().first.base, tx_step::dd_writeback);
  EXPECT_EQ(j.misordered().first.later, tx_step::clean);
}

// A datagram over the MTU is several packets (IPv4 fragments): its row waits for every one.
// Three packets queued on a 16-descriptor ring, read and on the wire in turn: the row's
// data_read and wire_end are the last packet's, send-to-wire is timed once, at the last
// frame; freed in any order, the row is written after the last. A datagram whose
// fragmentation failed after its first packet (two never sent) is "frag_unsent" once its
// one packet is done, and counted so.
TEST(TxJourney, AFragmentedDatagramsRowWaitsForEveryPacket) {
  tx_journey j;
  ASSERT_TRUE(j.open(""));
  const uint64_t id = j.begin(sc_time(1, SC_US));
  j.packets(id, 3);
  for (unsigned p = 0; p < 3; ++p) {
    const uint64_t buf = 0x10000 + 0x1000 * p;
    j.queued(0, id, 0x8000, 16, p, 1, p, {{buf, 1514}}, 1);
    j.doorbell(0, sc_time(2 + p, SC_US));
    j.data_read(buf, 1514, sc_time(10 + p, SC_US));
    j.wire_frame(sc_time(20 + 12 * p, SC_US));
  }
  EXPECT_EQ(j.send_to_wire().count, 1u) << "one datagram on the wire, timed once";
  j.finish(id, "sent");
  j.finish(id, "sent");
  EXPECT_TRUE(j.rows().empty()) << "a packet still not freed";
  j.finish(id, "sent");
  ASSERT_EQ(j.rows().size(), 1u);
  const auto& r = j.rows()[0];
  EXPECT_EQ(r.fate, "sent");
  EXPECT_EQ(r.t[size_t(tx_step::tdt_write)], 2000000) << "the first packet's doorbell";
  EXPECT_EQ(r.t[size_t(tx_step::data_read)], 12000000) << "the last packet's data";
  EXPECT_EQ(r.t[size_t(tx_step::wire_end)], 44000000) << "the last frame's end";
  const uint64_t failed = j.begin(sc_time(50, SC_US));
  j.packets(failed, 3);
  j.finish(failed, "sent");
  EXPECT_EQ(j.rows().size(), 1u);
  j.abandon(failed, 2, "frag_unsent");
  ASSERT_EQ(j.rows().size(), 2u);
  EXPECT_EQ(j.rows()[1].fate, "frag_unsent");
  EXPECT_EQ(j.tally(tx_source::sender).frag_unsent, 1u);
  // Abandoned before its one sent packet is out (NET_XMIT_CN): on the wire it is not a
  // datagram, so send-to-wire takes no sample
  const uint64_t cn = j.begin(sc_time(60, SC_US));
  j.packets(cn, 3);
  j.queued(0, cn, 0x8000, 16, 3, 1, 3, {{0x20000, 1514}}, 1);
  j.abandon(cn, 2, "frag_unsent");
  j.data_read(0x20000, 1514, sc_time(61, SC_US));
  j.wire_frame(sc_time(70, SC_US));
  j.finish(cn, "sent");
  EXPECT_EQ(j.send_to_wire().count, 1u);
  EXPECT_EQ(j.tally(tx_source::sender).frag_unsent, 2u);
  // A datagram whose later fragment the qdisc dropped, its first still going out at the end:
  // counted dropped, not also in the NIC
  const uint64_t dropped = j.begin(sc_time(80, SC_US));
  j.packets(dropped, 2);
  j.queued(0, dropped, 0x8000, 16, 4, 1, 4, {{0x30000, 1514}}, 1);
  j.data_read(0x30000, 1514, sc_time(81, SC_US));
  j.finish(dropped, "sent");
  j.finish(dropped, "qdisc_drop");
  j.finish_all_in_flight();
  EXPECT_EQ(j.tally(tx_source::sender).qdisc_dropped, 1u);
  EXPECT_EQ(j.tally(tx_source::sender).in_nic, 0u);
  EXPECT_EQ(j.rows().back().fate, "qdisc_drop");
}

}  // namespace
