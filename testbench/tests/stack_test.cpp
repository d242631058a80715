// SPDX-License-Identifier: Apache-2.0
// Unit tests of driver and stack pieces. Code that charges CPU time runs inside a SystemC
// thread (run_in_thread), as it does in the simulator.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <map>

#include "igb.h"
#include "journey.h"
#include "kernel.h"
#include "net.h"
#include "scoreboard.h"
#include "skbuff.h"
#include "traffic.h"
#include "eventpoll.h"
#include "select.h"
#include "progress_watchdog.h"

using namespace igbsim;

namespace {

void run_in_thread(std::function<void()> fn) {
  sc_core::sc_spawn(fn, "test_body");
  sc_core::sc_start();
}

// A frame from the traffic source, as the driver hands it to the stack: in an skb with the
// Ethernet header pulled.
struct frame_skb {
  std::vector<uint8_t> buf;
  sk_buff* skb;
  explicit frame_skb(const std::vector<uint8_t>& frame, uint64_t id = 1) : buf(4096) {
    skb = sk_buff::build(buf.data(), 2048, 2048);
    skb->reserve(64);
    std::memcpy(skb->put(static_cast<uint32_t>(frame.size())), frame.data(), frame.size());
    skb->protocol = ETH_P_IP;
    skb->frame_id = id;
    skb->pull(ETH_HLEN);
  }
};

std::vector<uint8_t> udp_frame(uint64_t id, uint32_t bytes = 128) {
  traffic_config c;
  c.frame_bytes = bytes;
  std::vector<uint8_t> f;
  traffic_source::build_frame(c, id, 0, id, f);
  return f;
}

}  // namespace

TEST(IgbRing, DescUnusedKeepsOneSlotEmpty) {
  igb_ring r;
  r.count = 256;
  r.next_to_clean = r.next_to_use = 0;
  EXPECT_EQ(igb_desc_unused(&r), 255) << "an empty ring can take count - 1 buffers";
  r.next_to_use = 255;
  EXPECT_EQ(igb_desc_unused(&r), 0) << "fully stocked: RDT = RDH - 1";
  r.next_to_clean = 10;
  r.next_to_use = 5;
  EXPECT_EQ(igb_desc_unused(&r), 4);
  r.next_to_clean = 5;
  r.next_to_use = 10;
  EXPECT_EQ(igb_desc_unused(&r), 250);
}

TEST(SkBuff, PutPushPullStayInsideTheBuffer) {
  std::vector<uint8_t> mem(256);
  sk_buff* skb = sk_buff::build(mem.data(), 128, 256);
  skb->reserve(16);
  EXPECT_EQ(skb->headroom(), 16u);
  skb->put(100);
  EXPECT_EQ(skb->len, 100u);
  EXPECT_THROW(skb->put(13), skb_panic) << "skb_over_panic past end";
  skb->push(16);
  EXPECT_EQ(skb->len, 116u);
  EXPECT_THROW(skb->push(1), skb_panic) << "skb_under_panic before head";
  EXPECT_NE(skb->pull(16), nullptr);
  EXPECT_EQ(skb->pull(101), nullptr) << "cannot pull more than len";
  EXPECT_EQ(skb->len, 100u);
  kfree_skb(skb);
}

// A segment GRO merges adds its 2 KB buffer to the held packet's truesize, not its whole
// truesize: build_skb's head (2304 = 2048 + SKB_DATA_ALIGN(sizeof(sk_buff))) is stolen, a
// construct_skb frame (1280 head + 2048 fragment) with only headers linear frees its head.
TEST(SkBuff, GroChargesTheMergedBufferNotTheFreedSkb) {
  std::vector<uint8_t> page(4096), page2(4096);
  sk_buff* built = sk_buff::napi_build_skb(page.data(), 2048);
  built->put(1514);
  built->pull(54);  // to the TCP payload, as GRO does
  EXPECT_EQ(built->truesize, 2304u);
  EXPECT_EQ(gro_truesize_delta(built), 2048u);
  sk_buff* copied = sk_buff::alloc(IGB_RX_HDR_LEN);
  std::memcpy(copied->put(54), page2.data(), 54);
  copied->add_rx_frag(page2.data() + 54, 1460, 2048);
  copied->pull(54);
  EXPECT_EQ(copied->truesize, 1280u + 2048u);
  EXPECT_EQ(gro_truesize_delta(copied), 2048u);
  kfree_skb(built);
  kfree_skb(copied);
}

TEST(SkBuff, PskbPullReachesIntoTheFragments) {
  // igb_construct_skb leaves only the headers linear: TCP trims already-received bytes from
  // the fragments. The bytes that remain are the frame's from that offset on.
  std::vector<uint8_t> head(256), page(4096);
  for (size_t i = 0; i < page.size(); ++i) page[i] = static_cast<uint8_t>(i * 13 + 1);
  sk_buff* skb = sk_buff::build(head.data(), 256, 256);
  skb->put(10);
  skb->add_rx_frag(page.data(), 100, 2048);
  skb->add_rx_frag(page.data() + 2048, 50, 2048);
  ASSERT_NE(skb->pskb_pull(10 + 30), nullptr);
  EXPECT_EQ(skb->len, 120u);
  EXPECT_EQ(skb->headlen(), 0u);
  std::vector<uint8_t> got(skb->len);
  skb->copy_bits(0, got.data(), skb->len);
  EXPECT_TRUE(std::equal(got.begin(), got.begin() + 70, page.begin() + 30));
  EXPECT_TRUE(std::equal(got.begin() + 70, got.end(), page.begin() + 2048));
  ASSERT_NE(skb->pskb_pull(80), nullptr) << "past the first fragment";
  EXPECT_EQ(skb->frags.size(), 1u);
  EXPECT_EQ(skb->len, 40u);
  EXPECT_EQ(skb->data_len, 40u);
  EXPECT_EQ(skb->pskb_pull(41), nullptr) << "not more than len";
  skb->frags.clear();
  kfree_skb(skb);
}

class StackTest : public ::testing::Test {
 protected:
  kernel_params kp;
  cost_table costs;
  std::unique_ptr<kernel> k;
  sock sk;
  std::vector<std::string> drops;
  std::vector<uint64_t> ready;
  void SetUp() override {
    k = std::make_unique<kernel>(kp, costs);
    k->local_addr = kHostIp;
    sock_init_data(*k, &sk);
    sk.num = kDstPort;
    k->udp.bind(&sk);
    sk.sk_data_ready = [this](sock* s) { ready.push_back(s->sk_receive_queue.back()->frame_id); };
    k->on_drop = [this](uint64_t, const std::string& c) { drops.push_back(c); };
  }
};

TEST_F(StackTest, ValidUdpDatagramReachesTheBoundSocket) {
  run_in_thread([&] {
    frame_skb f(udp_frame(7));
    EXPECT_EQ(ip_rcv(*k, f.skb), 0);
  });
  ASSERT_EQ(sk.sk_receive_queue.size(), 1u);
  EXPECT_EQ(ready, std::vector<uint64_t>{1});
  EXPECT_EQ(k->st.ip_in_receives, 1u);
  EXPECT_EQ(k->st.ip_in_delivers, 1u);
  const sk_buff* skb = sk.sk_receive_queue.front();
  EXPECT_EQ(skb->len, 128u - 4 - 42) << "the queue holds the UDP payload";
  EXPECT_EQ(sk.rmem_alloc, 2048);
}

TEST_F(StackTest, Ipv4HeaderChecksCountAndDrop) {
  struct bad_case {
    const char* counter;
    std::function<void(std::vector<uint8_t>&)> corrupt;
  };
  const std::vector<bad_case> cases =
      {
          {"ip_in_hdr_errors", [](std::vector<uint8_t>& f) { f[14] = 0x65; }},     // version 6
          {"ip_in_hdr_errors", [](std::vector<uint8_t>& f) { f[14] = 0x44; }},     // ihl 4
          {"ip_in_csum_errors", [](std::vector<uint8_t>& f) { f[14 + 8] ^= 1; }},  // TTL changed
          {"ip_in_truncated_pkts",
           [](std::vector<uint8_t>& f) {  // tot_len beyond the frame
    f[16] = 0x05;
    f[17] = 0xDC;
    f[24] = f[25] = 0;
    const uint16_t c = static_cast<uint16_t>(~csum_fold(csum_partial(&f[14], 20, 0)));
    f[24] = static_cast<uint8_t>(c >> 8);
    f[25] = static_cast<uint8_t>(c);
           }},
  };
  run_in_thread([&] {
    for (const auto& c : cases) {
      auto frame = udp_frame(1);
      c.corrupt(frame);
      frame_skb f(frame);
      EXPECT_LT(ip_rcv(*k, f.skb), 0) << c.counter;
    }
  });
  ASSERT_EQ(drops.size(), cases.size());
  for (size_t i = 0; i < cases.size(); ++i) EXPECT_EQ(drops[i], cases[i].counter);
  EXPECT_EQ(k->st.ip_in_hdr_errors, 3u) << "a checksum error is also a header error";
  EXPECT_EQ(k->st.ip_in_csum_errors, 1u);
  EXPECT_EQ(k->st.ip_in_truncated_pkts, 1u);
  EXPECT_TRUE(sk.sk_receive_queue.empty());
}

TEST_F(StackTest, UdpChecksumAndNoPortAreCounted) {
  run_in_thread([&] {
    auto bad = udp_frame(1);
    bad.back() ^= 0xFF;  // payload byte: the UDP checksum no longer matches
    frame_skb f1(bad);
    ip_rcv(*k, f1.skb);
    auto other = udp_frame(2);
    other[34 + 2] = 0x99;  // destination port nobody listens on (checksum unset below)
    other[34 + 6] = other[34 + 7] = 0;
    frame_skb f2(other);
    ip_rcv(*k, f2.skb);
  });
  EXPECT_EQ(drops, (std::vector<std::string>{"udp_in_csum_errors", "udp_no_ports"}));
  EXPECT_EQ(k->st.udp_no_ports, 1u);
  EXPECT_EQ(k->st.udp_in_csum_errors, 1u);
}

TEST_F(StackTest, ReceiveBufferLimitDropsWithRcvbufErrorsButAdmitsOne) {
  // __udp_enqueue_schedule_skb (v6.18) drops when rmem + truesize would pass rcvbuf and
  // something is charged: with 4096 bytes, two 2048-byte skbs fill it exactly, the third drops.
  sk.sk_rcvbuf = 4096;
  run_in_thread([&] {
    for (uint64_t id = 1; id <= 4; ++id) {
      frame_skb* f = new frame_skb(udp_frame(id), id);  // queued skbs outlive this scope
      ip_rcv(*k, f->skb);
    }
  });
  EXPECT_EQ(sk.sk_receive_queue.size(), 2u);
  EXPECT_EQ(k->st.udp_rcvbuf_errors, 2u);
  EXPECT_EQ(k->st.udp_in_errors, 2u) << "a receive-buffer drop is also an InError";
  EXPECT_EQ(drops, (std::vector<std::string>{"udp_rcvbuf_errors", "udp_rcvbuf_errors"}));

  // "Always admit one": a datagram bigger than the whole buffer still gets into an empty queue.
  sock small;
  sock_init_data(*k, &small);
  small.num = kDstPort;
  small.sk_rcvbuf = 256;
  small.sk_data_ready = [](sock*) {};
  k->udp.by_port.clear();
  k->udp.bind(&small);
  run_in_thread([&] {
    frame_skb* f = new frame_skb(udp_frame(9), 9);
    ip_rcv(*k, f->skb);
    frame_skb* g = new frame_skb(udp_frame(10), 10);
    ip_rcv(*k, g->skb);
  });
  EXPECT_EQ(small.sk_receive_queue.size(), 1u);
}

TEST_F(StackTest,
       ReadDatagramsLeaveTheReceiveBufferChargedUntilAQuarterOfItIsReadOrTheQueueEmpties) {
  // udp_rmem_release: what recvmsg takes is released in batches, once forward_deficit reaches
  // sk_rcvbuf >> 2 or the reader queue is empty. Eight 2048-byte skbs fill 16384 bytes; the
  // threshold is 4096, two skbs.
  constexpr int kTruesize = 2048;  // frame_skb's
  sk.sk_rcvbuf = 8 * kTruesize;
  std::vector<uint8_t> buf(2048);
  std::vector<read_seg> segs;
  uint64_t id = 0;
  auto arrive = [&] {
    ++id;
    frame_skb* f = new frame_skb(udp_frame(id), id);
    ip_rcv(*k, f->skb);
  };
  run_in_thread([&] {
    for (int i = 0; i < 8; ++i) arrive();
    ASSERT_EQ(k->st.udp_rcvbuf_errors, 0u);
    ASSERT_GT(udp_recvmsg(*k, &sk, buf.data(), buf.size(), segs), 0);
    EXPECT_EQ(sk.rmem_alloc, 8 * kTruesize) << "one read datagram is not released yet";
    arrive();
    EXPECT_EQ(k->st.udp_rcvbuf_errors, 1u)
        << "so the socket is still full: the next datagram drops";
    ASSERT_GT(udp_recvmsg(*k, &sk, buf.data(), buf.size(), segs), 0);
    EXPECT_EQ(sk.rmem_alloc, 6 * kTruesize)
        << "the second read reaches rcvbuf / 4: both are released";
    arrive();
    EXPECT_EQ(k->st.udp_rcvbuf_errors, 1u) << "room again";
    int n = 0;
    while (udp_recvmsg(*k, &sk, buf.data(), buf.size(), segs) > 0) ++n;
    EXPECT_EQ(n, 7);
    EXPECT_EQ(sk.rmem_alloc, 0) << "the queue ran empty: everything read is released";
    arrive();
    ASSERT_GT(udp_recvmsg(*k, &sk, buf.data(), buf.size(), segs), 0);
    EXPECT_EQ(sk.rmem_alloc, 0) << "a read that empties the queue releases at once";
  });
}

TEST(NetRxAction, ANapiScheduledWhileItRunsIsPolledInTheSamePassWithoutRaisingTheSoftirqAgain) {
  // ____napi_schedule (v6.4+): inside net_rx_action (sd->in_net_rx_action) it only queues the
  // NAPI; net_rx_action finds it when its list runs out. No NET_RX_SOFTIRQ is left pending, so
  // __do_softirq does not pass again (or wake ksoftirqd) for a poll list that is already empty.
  kernel_params kp;
  cost_table costs;
  kernel k(kp, costs);
  napi_struct a, b;
  int b_polls = 0;
  netif_napi_add(
      k, &a,
      [&](napi_struct* n, int) {
    napi_schedule(&b);  // as b's interrupt would, taken between polls
    napi_complete_done(n, 1);
    return 1;
      },
      64);
  netif_napi_add(
      k, &b,
      [&](napi_struct* n, int) {
    ++b_polls;
    napi_complete_done(n, 1);
    return 1;
      },
      64);
  run_in_thread([&] {
    cpu_core& cpu = k.cpu(0);
    a.state |= NAPI_STATE_SCHED;  // scheduled before the softirq ran, which took the pending bit
    a.on_poll_list = true;
    cpu.sd.poll_list.push_back(&a);
    net_rx_action(k);
    EXPECT_EQ(b_polls, 1) << "b is polled in the same net_rx_action";
    EXPECT_FALSE(cpu.softirq_pending()) << "and no softirq is raised for it";
    EXPECT_FALSE(cpu.sd.in_net_rx_action);
    napi_schedule(&b);  // outside net_rx_action it raises NET_RX_SOFTIRQ
    EXPECT_TRUE(cpu.softirq_pending());
  });
}

// ---- TCP receive ---------------------------------------------------------------------------

namespace {
std::vector<uint8_t> tcp_frame(uint64_t seq_index, uint32_t bytes = 128) {
  traffic_config c;
  c.tcp = true;
  c.frame_bytes = bytes;
  std::vector<uint8_t> f;
  traffic_source::build_frame(c, seq_index, 0, seq_index, f);
  return f;
}
}  // namespace

class TcpTest : public StackTest {
 protected:
  sock tsk;
  std::vector<std::unique_ptr<frame_skb>> frames;
  int wakeups = 0;
  void SetUp() override {
    StackTest::SetUp();
    sock_init_data(*k, &tsk);
    tsk.tcp = true;
    tsk.rcv_saddr = kHostIp;
    tsk.num = kDstPort;
    tsk.daddr = peer_ip(0);
    tsk.dport = kSrcPortBase;
    tsk.rcv_nxt = kTcpIsn + 1;
    tsk.sk_data_ready = [this](sock*) { ++wakeups; };
    k->tcp_hash.insert(&tsk);
  }
  void segment(uint64_t i) {  // segment i of connection 0 arrives
    frames.push_back(std::make_unique<frame_skb>(tcp_frame(i), 100 + i));
    ip_rcv(*k, frames.back()->skb);
  }
  std::vector<uint64_t> queued() const {
    std::vector<uint64_t> ids;
    for (const sk_buff* s : tsk.sk_receive_queue) ids.push_back(s->frame_id);
    return ids;
  }
  static constexpr uint32_t kPayload = 128 - 4 - 54;
};

TEST_F(TcpTest, SegmentForNoConnectionIsAnsweredWithRst) {
  k->tcp_hash.by_tuple.clear();
  run_in_thread([&] { segment(0); });
  EXPECT_EQ(k->st.tcp_in_segs, 1u);
  EXPECT_EQ(k->st.tcp_out_rsts, 1u);
  EXPECT_EQ(drops, std::vector<std::string>{"tcp_out_rsts"});
}

TEST_F(TcpTest, OutOfOrderSegmentsWaitForTheHoleThenArriveInOrder) {
  run_in_thread([&] {
    segment(0);
    segment(2);
    segment(3);
    EXPECT_EQ(queued(), (std::vector<uint64_t>{100})) << "2 and 3 wait for 1";
    EXPECT_EQ(tsk.out_of_order_queue.size(), 2u);
    EXPECT_EQ(tsk.rcv_nxt, kTcpIsn + 1 + kPayload);
    segment(1);
  });
  EXPECT_EQ(queued(), (std::vector<uint64_t>{100, 101, 102, 103}))
      << "the hole filled: all in order";
  EXPECT_TRUE(tsk.out_of_order_queue.empty());
  EXPECT_EQ(tsk.rcv_nxt, kTcpIsn + 1 + 4 * kPayload);
  EXPECT_EQ(tsk.rcv_queued, 4 * kPayload);
  EXPECT_EQ(k->st.tcp_ofo_queue, 2u);
  EXPECT_EQ(k->st.tcp_out_segs, 3u)
      << "a duplicate ACK per out-of-order segment, a quick ACK when the hole fills";
  EXPECT_TRUE(drops.empty());
}

TEST_F(TcpTest, OutOfOrderQueueHoldsEachByteOnceAsTcpDataQueueOfoDoes) {
  // A sender that re-segments: `part(id, off, len)` carries stream bytes [off, off + len).
  auto part = [&](uint64_t id, uint32_t off, uint32_t len) {
    std::vector<uint8_t> f = tcp_frame(0, 58 + len);
    const uint32_t seq = kTcpIsn + 1 + off;
    for (int i = 0; i < 4; ++i) f[38 + i] = static_cast<uint8_t>(seq >> (24 - 8 * i));
    frames.push_back(std::make_unique<frame_skb>(f, id));
    frames.back()->skb->ip_summed = CHECKSUM_UNNECESSARY;
    ip_rcv(*k, frames.back()->skb);
  };
  run_in_thread([&] {
    part(200, 0, 70);
    part(201, 140, 70);
    part(202, 140, 140);  // same start, more bytes: replaces 201
    part(203, 160, 40);   // all held already: dropped
    part(204, 350, 35);
    part(205, 385, 35);
    part(206, 300, 140);  // covers 204 and 205: they go
    EXPECT_EQ(tsk.out_of_order_queue.size(), 2u);
    part(207, 70, 70);   // fills the hole up to 280
    part(208, 280, 30);  // and on to 310; 206 follows from 310 on
  });
  EXPECT_EQ(queued(), (std::vector<uint64_t>{200, 207, 202, 208, 206}));
  EXPECT_EQ(drops, std::vector<std::string>(4, "tcp_ofo_merge"));
  EXPECT_TRUE(tsk.out_of_order_queue.empty());
  EXPECT_EQ(tsk.rcv_nxt, kTcpIsn + 1 + 440);
  EXPECT_EQ(tsk.rcv_queued, 440u) << "every byte once";
  EXPECT_EQ(tsk.rmem_alloc, [&] {
    int n = 0;
    for (const sk_buff* s : tsk.sk_receive_queue) n += static_cast<int>(s->truesize);
    return n;
  }()) << "the dropped segments were uncharged";
}

TEST_F(TcpTest, OldDuplicateIsDroppedAndCounted) {
  run_in_thread([&] {
    segment(0);
    segment(1);
    segment(0);  // a spurious retransmission
  });
  EXPECT_EQ(queued(), (std::vector<uint64_t>{100, 101}));
  EXPECT_EQ(drops, std::vector<std::string>{"delayed_ack_lost"});
  EXPECT_EQ(k->st.delayed_ack_lost, 1u);
}

TEST_F(TcpTest, RcvlowatHoldsTheWakeUpUntilEnoughBytesAreQueued) {
  tsk.sk_rcvlowat = 3 * kPayload;
  run_in_thread([&] {
    segment(0);
    segment(1);
    EXPECT_EQ(wakeups, 0) << "two segments are below SO_RCVLOWAT";
    segment(2);
  });
  EXPECT_EQ(wakeups, 1);
}

// ---- Wait queues, epoll, select -------------------------------------------------------------

TEST(WaitQueue, ExclusiveEntriesGoLastAndStopTheWalkAfterNrExclusive) {
  kernel_params kp;
  cost_table costs;
  kernel k(kp, costs);
  wait_queue_head wq;
  std::vector<std::string> called;
  auto entry = [&](const std::string& name, int ret) {
    auto e = std::make_unique<wait_queue_entry>();
    e->func = [&called, name, ret](wait_queue_entry*, unsigned, int, uint32_t) {
      called.push_back(name);
      return ret;
    };
    return e;
  };
  auto x1 = entry("x1", 1), x2 = entry("x2", 1), n1 = entry("n1", 1), n2 = entry("n2", 0);
  add_wait_queue_exclusive(&wq, x1.get());
  add_wait_queue(&wq, n1.get());
  add_wait_queue_exclusive(&wq, x2.get());
  add_wait_queue(&wq, n2.get());
  run_in_thread([&] { __wake_up_common(k, &wq, 1, 1, 0, 0); });
  EXPECT_EQ(called, (std::vector<std::string>{"n2", "n1", "x1"}))
      << "non-exclusive entries (at the head) all run; the walk stops after one exclusive wake";
}

class EpollTest : public StackTest {
 protected:
  eventpoll ep;
  file f;
  void SetUp() override {
    StackTest::SetUp();
    ep_init(*k, &ep, 1);
    f.sk = &sk;
    sk.sk_data_ready = sock_def_readable;
  }
  void datagram(uint64_t id) {
    frames.push_back(std::make_unique<frame_skb>(udp_frame(id), id));
    ip_rcv(*k, frames.back()->skb);
  }
  int wait_now() {  // epoll_wait with timeout 0
    epoll_event ev[8];
    return epoll_wait(&ep, ev, 8, 0);
  }
  std::vector<std::unique_ptr<frame_skb>> frames;
};

TEST_F(EpollTest, CtlReturnsTheKernelsErrorCodes) {
  epoll_event ev;
  ev.events = EPOLLIN;
  EXPECT_EQ(epoll_ctl(&ep, EPOLL_CTL_MOD, 5, &f, &ev), -ENOENT);
  EXPECT_EQ(epoll_ctl(&ep, EPOLL_CTL_DEL, 5, &f, &ev), -ENOENT);
  run_in_thread([&] {
    EXPECT_EQ(epoll_ctl(&ep, EPOLL_CTL_ADD, 5, &f, &ev), 0);
    EXPECT_EQ(epoll_ctl(&ep, EPOLL_CTL_ADD, 5, &f, &ev), -EEXIST);
  });
  epoll_event ex;
  ex.events = EPOLLIN | EPOLLEXCLUSIVE;
  EXPECT_EQ(epoll_ctl(&ep, EPOLL_CTL_MOD, 5, &f, &ex), -EINVAL) << "EPOLLEXCLUSIVE only with ADD";
  ex.events = EPOLLIN | EPOLLEXCLUSIVE | EPOLLONESHOT;
  EXPECT_EQ(epoll_ctl(&ep, EPOLL_CTL_ADD, 6, &f, &ex), -EINVAL)
      << "EPOLLEXCLUSIVE takes IN/OUT/ERR/HUP/ET only";
  EXPECT_EQ(epoll_ctl(&ep, 99, 5, &f, &ev), -EINVAL);
  EXPECT_EQ(epoll_ctl(&ep, EPOLL_CTL_DEL, 5, &f, &ev), 0);
  EXPECT_FALSE(sk.sk_wq.active()) << "DEL removes the item's wait entry";
}

TEST_F(EpollTest, LevelTriggeredReportsAgainWhileReadable) {
  epoll_event ev;
  ev.events = EPOLLIN;
  int first = -1, second = -1, after_more = -1;
  run_in_thread([&] {
    epoll_ctl(&ep, EPOLL_CTL_ADD, 3, &f, &ev);
    datagram(1);
    first = wait_now();
    second = wait_now();  // nothing read in between
    datagram(2);
    after_more = wait_now();
  });
  EXPECT_EQ(first, 1);
  EXPECT_EQ(second, 1) << "LT: still readable, reported again";
  EXPECT_EQ(after_more, 1);
}

TEST_F(EpollTest, EdgeTriggeredReportsOncePerNewEvent) {
  epoll_event ev;
  ev.events = EPOLLIN | EPOLLET;
  int first = -1, second = -1, after_more = -1;
  run_in_thread([&] {
    epoll_ctl(&ep, EPOLL_CTL_ADD, 3, &f, &ev);
    datagram(1);
    first = wait_now();
    second = wait_now();
    datagram(2);
    after_more = wait_now();
  });
  EXPECT_EQ(first, 1);
  EXPECT_EQ(second, 0) << "ET: no new event, no report although data is still queued";
  EXPECT_EQ(after_more, 1) << "new data is a new edge";
}

TEST_F(EpollTest, OneshotDisarmsUntilModRearms) {
  epoll_event ev;
  ev.events = EPOLLIN | EPOLLONESHOT;
  int first = -1, disarmed = -1, rearmed = -1;
  run_in_thread([&] {
    epoll_ctl(&ep, EPOLL_CTL_ADD, 3, &f, &ev);
    datagram(1);
    first = wait_now();
    datagram(2);
    disarmed = wait_now();
    epoll_ctl(&ep, EPOLL_CTL_MOD, 3, &f, &ev);
    rearmed = wait_now();
  });
  EXPECT_EQ(first, 1);
  EXPECT_EQ(disarmed, 0) << "ONESHOT: no events until EPOLL_CTL_MOD";
  EXPECT_EQ(rearmed, 1) << "MOD re-arms and the pending data is reported";
}

TEST(Select, TheKernelTakesAnyNfdsClippedToTheFdTableOnlyANegativeOneIsRefused) {
  // core_sys_select: -EINVAL for n < 0 only; n above max_fds is clipped. FD_SETSIZE (1024) is
  // the size of glibc's fd_set, not a limit of the system call.
  kernel_params kp;
  cost_table costs;
  kernel k(kp, costs);
  fd_table fds(2000, nullptr);
  std::vector<bool> set(2000, false);
  int beyond = -1, clipped = -1, negative = 0;
  run_in_thread([&] {
    beyond = sys_select(k, fds, 1025, set, false);
    clipped = sys_select(k, fds, 5000, set, false);
    negative = sys_select(k, fds, -1, set, false);
  });
  EXPECT_EQ(beyond, 0);
  EXPECT_EQ(clipped, 0);
  EXPECT_EQ(negative, -EINVAL);
}

TEST_F(EpollTest, ItemsBeyondMaxeventsStayReadyForTheNextCall) {
  // Two ready items, one event per call: the one not returned goes back on the ready list
  // (ep_done_scan), so the next call returns it. Edge-triggered, so a returned item is not
  // queued again and a lost item would show as 0.
  int first = -1, second = -1, third = -1;
  uint64_t first_data = 0, second_data = 0;
  run_in_thread([&] {
    for (int fd : {3, 4}) {
      epoll_event ev;
      ev.events = EPOLLIN | EPOLLET;
      ev.data = static_cast<uint64_t>(fd);
      epoll_ctl(&ep, EPOLL_CTL_ADD, fd, &f, &ev);
    }
    datagram(1);
    epoll_event out[1];
    first = epoll_wait(&ep, out, 1, 0);
    first_data = out[0].data;
    second = epoll_wait(&ep, out, 1, 0);
    second_data = out[0].data;
    third = epoll_wait(&ep, out, 1, 0);
  });
  EXPECT_EQ(first, 1);
  EXPECT_EQ(second, 1) << "the item left over by maxevents is still ready";
  EXPECT_NE(first_data, second_data);
  EXPECT_EQ(third, 0);
}

// ---- Scoreboard: what "byte-exact and in order per flow" means ------------------------------

class ScoreboardTest : public StackTest {
 protected:
  std::unique_ptr<scoreboard> sb;
  std::map<uint64_t, std::vector<uint8_t>> payload;  // what read() should return, per frame
  void SetUp() override {
    StackTest::SetUp();
    sb = std::make_unique<scoreboard>(*k);
  }
  void offer(uint64_t id, const std::vector<uint8_t>& f, size_t headers) {
    sb->offered(id, f);
    payload[id].assign(f.begin() + static_cast<long>(headers), f.end());
  }
  void udp(uint64_t id, uint64_t seq) {  // datagram `seq` of flow 0
    traffic_config c;
    std::vector<uint8_t> f;
    traffic_source::build_frame(c, id, 0, seq, f);
    offer(id, f, 42);
  }
  // Segment `index` of connection 0, or (at != 0) the same bytes sent at sequence number `at`
  void tcp(uint64_t id, uint64_t index, uint32_t at = 0) {
    traffic_config c;
    c.tcp = true;
    c.frame_bytes = 128;
    std::vector<uint8_t> f;
    traffic_source::build_frame(c, id, 0, index, f);
    for (int i = 0; at && i < 4; ++i) f[38 + i] = static_cast<uint8_t>(at >> (24 - 8 * i));
    offer(id, f, 54);
  }
  void read(uint64_t id, size_t from = 0) {  // read() returns the frame's payload from `from`
    sb->delivered(id, payload[id].data() + from, payload[id].size() - from);
  }
  std::vector<std::string> kinds() const {
    std::vector<std::string> v;
    for (const auto& x : k->violations()) v.push_back(x.kind);
    return v;
  }
  static constexpr uint32_t kSeg = 128 - 4 - 54;
  static uint32_t seq(uint64_t index) { return static_cast<uint32_t>(kTcpIsn + 1 + index * kSeg); }
};

TEST_F(ScoreboardTest, ThreadsReturnDatagramsInAnyOrderButTheSocketQueueIsFifo) {
  run_in_thread([&] {
    for (uint64_t i = 0; i < 4; ++i) udp(i, i);
    sb->dequeued(0, 0, payload[0].size());  // thread A takes datagram 0,
    sb->dequeued(1, 0, payload[1].size());  // thread B takes datagram 1
    read(1);                                // and returns to user space first
    read(0);
    EXPECT_TRUE(kinds().empty()) << "two readers' returns are not ordered";
    sb->dequeued(3, 0, payload[3].size());
    sb->dequeued(2, 0, payload[2].size());
  });
  EXPECT_EQ(kinds(), std::vector<std::string>{"out_of_order"})
      << "the queue itself gave 3 before 2";
}

TEST_F(ScoreboardTest, AChangedByteIsCorruptionWhoeverReadsIt) {
  run_in_thread([&] {
    udp(0, 0);
    udp(1, 1);
    sb->dequeued(0, 0, payload[0].size());
    sb->dequeued(1, 0, payload[1].size());
    payload[0].back() ^= 1;
    read(1);
    read(0);
  });
  EXPECT_EQ(kinds(), std::vector<std::string>{"corrupted_delivery"});
  EXPECT_EQ(sb->delivered_count(), 2u);
}

TEST_F(ScoreboardTest, TcpIsJudgedAsAByteStreamWhateverTheSegmentation) {
  // Segment 1 is a re-segmented retransmission starting 30 bytes into segment 0: the receiver
  // trims what it has and read() returns its last 40 bytes; segment 2 follows on.
  run_in_thread([&] {
    tcp(0, 0);
    tcp(1, 0, seq(0) + 30);
    tcp(2, 0, seq(0) + kSeg + 30);
    sb->dequeued(0, seq(0), kSeg);
    sb->dequeued(1, seq(0) + kSeg, 30);
    sb->dequeued(2, seq(0) + kSeg + 30, kSeg);
    read(2);
    read(1, kSeg - 30);
    read(0);
  });
  EXPECT_TRUE(kinds().empty()) << ::testing::PrintToString(kinds());
  EXPECT_EQ(sb->delivered_count(), 3u);
}

TEST_F(ScoreboardTest, TcpGapsRepeatsAndMisplacedBytesAreViolations) {
  run_in_thread([&] {
    for (uint64_t i = 0; i < 6; ++i) tcp(i, i);
    sb->dequeued(0, seq(0), kSeg);
    sb->dequeued(2, seq(2), kSeg);  // segment 1's bytes never read: a hole
    sb->dequeued(3, seq(3), kSeg);
    sb->dequeued(4, seq(4), kSeg - 5);  // bytes that do not end where segment 4 ends
    sb->dequeued(1, seq(1), kSeg);      // bytes read a second time (after later ones)
  });
  EXPECT_EQ(kinds(),
            (std::vector<std::string>{"out_of_order", "corrupted_delivery", "out_of_order"}));
}

// The progress watchdog (systemc/progress_watchdog.h) that ends a run no longer moving.
TEST(ProgressWatchdog, FiresOnlyAfterTheLimitOfPassesWithNeitherTimeNorTheRtlMoving) {
  igbsim::progress_watchdog wd(5);
  // Time moving, or the RTL moving with time standing still: never stalled
  for (uint64_t i = 0; i < 100; ++i) EXPECT_FALSE(wd.stalled(i, 7));
  for (uint64_t i = 0; i < 100; ++i) EXPECT_FALSE(wd.stalled(100, i));
  // Forced: the same time and RTL position pass after pass
  int passes = 1;
  while (!wd.stalled(100, 99)) ASSERT_LT(++passes, 100) << "a spin must end";
  EXPECT_EQ(wd.iterations(), wd.limit());
  EXPECT_EQ(passes, 5)
      << "the last progress was the pass that first saw (100, 99); then five passes without";
  // Any movement starts the count again
  EXPECT_FALSE(wd.stalled(100, 100));
  for (int i = 0; i < 4; ++i) EXPECT_FALSE(wd.stalled(100, 100));
  EXPECT_TRUE(wd.stalled(100, 100));
}

// With several threads a delivered row shows its reader's state at each step, from the
// thread's state changes over time: changes noted out of time order (the cores' local times
// interleave) take their place by time; a step and a change at the same ps keep the order they
// came in; the reader's own steps are running, and try_to_wake_up shows the state the wake-up
// left it in. Another thread's changes do not enter the row.
TEST(Journey, SeveralThreadsGiveARowItsReadersStateAtEachStep) {
  journey j;  // not opened: rows kept in memory
  using sc_core::SC_NS;
  using sc_core::sc_time;
  const int reader = 0, other = 0;
  j.follow(&reader, 'R');
  j.follow(&other, 'R');
  j.note_state(&reader, sc_time(200, SC_NS), 'S');
  j.note_state(&reader, sc_time(500, SC_NS), 'R');
  j.note_state(&reader, sc_time(350, SC_NS), 'r');  // noted late
  j.note_state(&other, sc_time(250, SC_NS), 'S');
  j.record(1, step::wire_end, sc_time(100, SC_NS), '-');
  j.record(1, step::netif_receive_skb, sc_time(300, SC_NS), '-');
  j.record(1, step::ip_rcv, sc_time(400, SC_NS), '-');
  j.record(1, step::udp_rcv, sc_time(500, SC_NS), '-');  // after the change at 500: R
  j.record(1, step::sk_data_ready, sc_time(600, SC_NS), '-');
  j.note_state(&reader, sc_time(600, SC_NS), 'S');  // after the step at 600: not in it
  j.note_wake(&reader, 'r', 1, sc_time(620, SC_NS), '\0');
  j.note_state(&reader, sc_time(620, SC_NS), 'r');
  j.record(1, step::read_return, sc_time(650, SC_NS), '-');  // runnable then by the history
  j.settle_reader(1, nullptr, &reader);
  j.finish(1, "delivered");
  ASSERT_EQ(j.rows().size(), 1u);
  const auto& task = j.rows()[0].first.task;
  EXPECT_EQ(task[size_t(step::wire_end)], 'R');
  EXPECT_EQ(task[size_t(step::netif_receive_skb)], 'S');
  EXPECT_EQ(task[size_t(step::ip_rcv)], 'r') << "the change noted late";
  EXPECT_EQ(task[size_t(step::udp_rcv)], 'R');
  EXPECT_EQ(task[size_t(step::sk_data_ready)], 'R');
  EXPECT_EQ(task[size_t(step::try_to_wake_up)], 'r');
  EXPECT_EQ(task[size_t(step::read_return)], 'R') << "its own step";
}

// A delivered frame with a step before the one its delta is taken from is counted once (the
// run's checks name it: journey_step_order) and that step is left out of the latencies; the
// frame's other steps still count. A dropped frame's steps are not judged.
TEST(Journey, AStepBeforeTheStepItFollowsIsCountedAndLeftOutOfTheLatencies) {
  journey j;  // not opened: no rows written, the counts kept
  using sc_core::SC_NS;
  using sc_core::sc_time;
  auto frame = [&](uint64_t id, double udp_rcv_ns) {
    j.record(id, step::wire_end, sc_time(100, SC_NS));
    j.record(id, step::netif_receive_skb, sc_time(800, SC_NS));
    j.record(id, step::ip_rcv, sc_time(1000, SC_NS));
    j.record(id, step::udp_rcv, sc_time(udp_rcv_ns, SC_NS));
    j.record(id, step::read_return, sc_time(1500, SC_NS));
  };
  frame(1, 1100);
  j.finish(1, "delivered");
  EXPECT_EQ(j.misordered().rows, 0u);
  frame(2, 900);  // udp_rcv before ip_rcv
  j.finish(2, "delivered");
  frame(3, 950);
  j.finish(3, "udp_rcvbuf_errors");
  const journey::misordering& m = j.misordered();
  EXPECT_EQ(m.rows, 1u);
  EXPECT_EQ(m.first.id, 2u);
  EXPECT_EQ(m.first.base, step::ip_rcv);
  EXPECT_EQ(m.first.later, step::udp_rcv);
  EXPECT_EQ(j.step_deltas()[size_t(step::udp_rcv)].count, 1u) << "frame 1's only";
  EXPECT_EQ(j.step_deltas()[size_t(step::ip_rcv)].count, 2u);
  EXPECT_EQ(j.step_deltas()[size_t(step::read_return)].count, 2u);
  EXPECT_EQ(j.end_to_end().count, 2u);
}
