// SPDX-License-Identifier: Apache-2.0
// Directed tests of the NIC RTL on the Verilated model, checked on cycle timing.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <zlib.h>
#include <pcap/pcap.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "rtl_assert.h"
#include "rtl_harness.h"  // testbench/

using namespace igbsim;
using namespace igbsim::test;

TEST(RtlRegs, EicrIsReadToClearAndKeepsCausesUntilRead) {
  rtl_harness h;
  h.write(E1000_EICS, 0x5);  // software-raised causes; not MSI-X mode, so no message
  EXPECT_EQ(h.read(E1000_EICR), 0x5u);
  EXPECT_EQ(h.read(E1000_EICR), 0x0u) << "EICR must clear when read";
  h.write(E1000_EICS, 0x2);
  h.write(E1000_EICR, 0x2);  // write-1-to-clear
  EXPECT_EQ(h.read(E1000_EICR), 0x0u);
  EXPECT_TRUE(h.msix.empty());
}

TEST(RtlRegs, EimsSetsAndEimcClearsMaskBits) {
  rtl_harness h;
  h.write(E1000_EIMS, 0x3);
  EXPECT_EQ(h.read(E1000_EIMS), 0x3u);
  h.write(E1000_EIMS, 0x4);  // write-1-to-set: other bits stay
  EXPECT_EQ(h.read(E1000_EIMS), 0x7u);
  h.write(E1000_EIMC, 0x1);
  EXPECT_EQ(h.read(E1000_EIMS), 0x6u);
}

TEST(RtlRegs, QueueRegistersDecodeAtBothBlocks) {
  rtl_harness h;
  h.write(0x2800, 0x12345680);             // RDBAL, legacy block
  EXPECT_EQ(h.read(0xC000), 0x12345680u);  // same register, canonical block
  h.write(0xC018, 77);                     // RDT, canonical block
  EXPECT_EQ(h.read(0x2818), 77u);
  EXPECT_EQ(h.read(0x2840), 0u) << "0x2840 is not a queue-0 register";
}

TEST(RtlIntr, EiacClearsCauseAndEiamMasksVectorOnMessage) {
  rtl_harness h;
  h.write(E1000_GPIE, E1000_GPIE_MSIX_MODE | E1000_GPIE_EIAME);
  h.write(E1000_EIAC, 0x2);
  h.write(E1000_EIAM, 0x2);
  h.write(E1000_EIMS, 0x2);
  h.write(E1000_EICS, 0x2);
  h.run(3);
  ASSERT_EQ(h.msix.size(), 1u);
  EXPECT_EQ(h.msix[0].vec, 1u);
  EXPECT_EQ(h.read(E1000_EIMS) & 0x2, 0u) << "EIAM: the vector stays masked after its message";
  EXPECT_EQ(h.read(E1000_EICR) & 0x2, 0u) << "EIAC: the cause is cleared after the message";
  // A new cause while masked waits, and fires as soon as EIMS enables the vector again.
  h.write(E1000_EICS, 0x2);
  h.run(500);
  EXPECT_EQ(h.msix.size(), 1u) << "no MSI-X while the EIMS bit is clear";
  const uint64_t unmask = h.cycle;
  h.write(E1000_EIMS, 0x2);
  h.run(3);
  ASSERT_EQ(h.msix.size(), 2u) << "a cause raised while masked is not lost";
  EXPECT_LE(h.msix[1].cycle, unmask + 2);
}

TEST(RtlIntr, EitrSpacesMessagesByTheInterval) {
  rtl_harness h;
  h.write(E1000_GPIE, E1000_GPIE_MSIX_MODE);
  h.write(E1000_EITR(1), 10u << 2);  // 10 us
  h.write(E1000_EIAC, 0x2);          // each message clears its cause
  h.write(E1000_EIMS, 0x2);
  h.write(E1000_EICS, 0x2);
  h.run(2);
  ASSERT_EQ(h.msix.size(), 1u) << "the first event after idle fires at once";
  h.run(2 * rtl_harness::kCyclesPerUs);
  h.write(E1000_EICS, 0x2);  // 2 us later: must wait for the interval
  h.run(30 * rtl_harness::kCyclesPerUs);
  ASSERT_EQ(h.msix.size(), 2u) << "one held cause gives one message";
  const uint64_t gap = h.msix[1].cycle - h.msix[0].cycle;
  EXPECT_GE(gap, 9 * rtl_harness::kCyclesPerUs) << "EITR interval not respected";
  EXPECT_LE(gap, 11 * rtl_harness::kCyclesPerUs) << "message held longer than the interval";
}

TEST(RtlRx, OneFrameIsWrittenThenItsDescriptorWithDdLast) {
  rtl_harness h;
  h.bring_up(8, 7);
  const auto frame = test_frame(64, 3);
  h.send(frame);
  h.run(300);
  ASSERT_EQ(h.writes.size(), 2u) << "one data write and one descriptor write-back";
  const dma_wr& data = h.writes[0];
  const dma_wr& wb = h.writes[1];
  EXPECT_EQ(data.tag, 1u);
  EXPECT_EQ(data.addr, 0x10000u);
  ASSERT_EQ(data.data.size(), 60u) << "FCS stripped (RCTL.SECRC)";
  EXPECT_TRUE(std::equal(data.data.begin(), data.data.end(), frame.begin()));
  EXPECT_EQ(wb.tag, 2u);
  EXPECT_EQ(wb.addr, h.ring);
  ASSERT_EQ(wb.data.size(), 16u);
  uint32_t status;
  uint16_t length;
  std::memcpy(&status, &wb.data[8], 4);
  std::memcpy(&length, &wb.data[12], 2);
  EXPECT_EQ(length, 60u);
  EXPECT_EQ(status & (E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP),
            E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP);
  EXPECT_LT(data.cycle, wb.cycle) << "data must be written before the descriptor";
  EXPECT_EQ(h.read(E1000_RDH(0)), 1u);
  ASSERT_EQ(h.msix.size(), 1u);
  EXPECT_EQ(h.msix[0].vec, 1u) << "IVAR maps queue 0 to vector 1";
  EXPECT_GT(h.msix[0].cycle, wb.cycle);
  EXPECT_EQ(h.read(E1000_GPRC), 1u);
  EXPECT_EQ(h.read(E1000_GPRC), 0u) << "GPRC is read-to-clear";
  EXPECT_EQ(h.read(E1000_GORCL), 64u);
  EXPECT_EQ(h.read(E1000_GORCH), 0u);
  EXPECT_EQ(h.read(E1000_GORCL), 0u) << "GORC clears when its high half is read";
}

TEST(RtlReset, CtrlRstReturnsEveryRegisterToItsDefaultAndTheNicWorksAfterBringUp) {
  rtl_harness h;
  // A mess: queue 3 enabled on a ring outside memory, RSS steering everything to queue 5,
  // interrupts forced, then a frame into it.
  h.write(E1000_RDBAL(3), 0xDEADBE00);
  h.write(E1000_RDBAH(3), 0xFFFF);
  h.write(E1000_RDLEN(3), 0x1000);
  h.write(E1000_RXDCTL(3), E1000_RXDCTL_QUEUE_ENABLE);
  h.write(E1000_RDT(3), 40);
  h.write(E1000_MRQC, E1000_MRQC_ENABLE_RSS_MQ | E1000_MRQC_RSS_FIELD_IPV4);
  for (unsigned i = 0; i < 32; ++i) h.write(E1000_RETA(i), 0x05050505);
  h.write(E1000_RCTL, E1000_RCTL_EN);
  h.send(test_frame(200, 9));
  h.run(2000);
  h.write(E1000_CTRL, E1000_CTRL_RST);
  EXPECT_EQ(h.read(E1000_RCTL), 0u) << "a read during the reset completes, with 0";
  EXPECT_EQ(h.read_timeouts, 0u);
  h.run(1100);
  EXPECT_EQ(h.read(E1000_RCTL), 0u);
  EXPECT_EQ(h.read(E1000_MRQC), 0u);
  EXPECT_EQ(h.read(E1000_RDLEN(3)), 0u);
  EXPECT_EQ(h.read(E1000_RETA(7)), 0u);
  h.bring_up(8, 7);
  const size_t w0 = h.writes.size();
  const auto frame = test_frame(64, 4);
  h.send(frame);
  h.run(400);
  ASSERT_EQ(h.writes.size(), w0 + 2) << "one data write and one write-back, on queue 0";
  EXPECT_EQ(h.writes[w0].addr, 0x10000u);
  EXPECT_TRUE(std::equal(h.writes[w0].data.begin(), h.writes[w0].data.end(), frame.begin()));
  EXPECT_EQ(h.writes[w0 + 1].addr, h.ring);
}

TEST(RtlRx, RuntsAreDroppedAndCountedInRucAndTheNextFrameIsUnharmed) {
  rtl_harness h;
  h.bring_up(8, 7);
  for (size_t len : {4u, 5u, 40u, 63u}) h.send(test_frame(len, 1));  // FCS included
  h.run(400);
  EXPECT_TRUE(h.writes.empty()) << "no runt reaches host memory";
  EXPECT_EQ(h.runt_events, 4u);
  EXPECT_EQ(h.read(E1000_RUC), 4u);
  EXPECT_EQ(h.read(E1000_RUC), 0u) << "RUC is read-to-clear";
  EXPECT_EQ(h.read(E1000_MPC), 0u);
  const auto frame = test_frame(64, 2);
  h.send(frame);
  h.run(300);
  ASSERT_EQ(h.writes.size(), 2u) << "the next full-size frame: data, then write-back";
  EXPECT_TRUE(std::equal(h.writes[0].data.begin(), h.writes[0].data.end(), frame.begin()));
}

TEST(RtlRx, EmptyRingCountsRnbcAndHoldsTheFrameUntilRdtMoves) {
  rtl_harness h;
  h.bring_up(8, 0);  // RDT == RDH: no descriptor for hardware
  h.send(test_frame(64, 9));
  h.run(400);
  EXPECT_TRUE(h.writes.empty());
  EXPECT_EQ(h.read(E1000_RNBC), 1u) << "the frame is counted once";
  EXPECT_EQ(h.read(E1000_RNBC), 0u);
  h.write(E1000_RDT(0), 4);
  h.run(300);
  ASSERT_EQ(h.writes.size(), 2u) << "DROP_EN=0: the held frame goes out when RDT moves";
  EXPECT_EQ(h.read(E1000_RQDPC(0)), 0u);
}

TEST(RtlRx, FramesWaitingInThePacketBufferGoOutBackToBack) {
  // Four 64-byte frames wait in the packet buffer for descriptors. Interrupts are masked and
  // WTHRESH is 8, so nothing is written back in between: once RDT moves, the engine takes
  // each frame with its cached descriptor and requests its data in one cycle, then writes the
  // 60 bytes in 4 beats, the last of which completes the frame (its FCS needs no skipping).
  rtl_harness h;
  h.bring_up(8, 0, false, 16 | 8u << 16);  // PTHRESH 16, WTHRESH 8
  h.write(E1000_EIMC, 0xFFFFFFFF);
  for (int i = 0; i < 4; ++i) h.send(test_frame(64, static_cast<uint8_t>(i)));
  h.run(600);
  ASSERT_TRUE(h.writes.empty()) << "no descriptor yet";
  h.write(E1000_RDT(0), 7);
  h.run(600);
  std::vector<const dma_wr*> data;
  for (const auto& w : h.writes)
    if (w.tag == 1) data.push_back(&w);
  ASSERT_EQ(data.size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(data[i]->addr, 0x10000u + 0x1000u * i);
    EXPECT_TRUE(std::equal(data[i]->data.begin(), data[i]->data.end(),
                           test_frame(64, static_cast<uint8_t>(i)).begin()));
  }
  // The first frame waits for the descriptor read; the others find theirs cached.
  for (size_t i = 1; i < 4; ++i)
    EXPECT_EQ(data[i]->cycle - data[i - 1]->cycle, 5u)
        << "frame " << i << ": take-up with the request, 4 data beats";
}

TEST(RtlRx, DropEnDropsAFrameThatFindsNoDescriptor) {
  rtl_harness h;
  h.bring_up(8, 0, /*drop_en=*/true);
  h.send(test_frame(64, 1));
  h.run(400);
  EXPECT_TRUE(h.writes.empty());
  EXPECT_EQ(h.read(E1000_RNBC), 1u);
  EXPECT_EQ(h.read(E1000_RQDPC(0)), 1u);
  h.write(E1000_RDT(0), 4);
  h.run(300);
  EXPECT_TRUE(h.writes.empty()) << "the dropped frame must not come back";
}

TEST(RtlRx, PacketBufferOverflowDropsWholeFramesAndCountsMpc) {
  rtl_harness h;
  h.write(E1000_RXPBS, 2);  // 2 KB buffer
  h.bring_up(8, 0);         // no descriptors: frames pile up in the buffer
  for (int i = 0; i < 5; ++i) h.send(test_frame(1000, static_cast<uint8_t>(i)));
  while (h.wire_busy()) h.tick();
  h.run(10);
  const uint32_t mpc = h.read(E1000_MPC);
  EXPECT_EQ(mpc, 3u) << "2 KB (256 words) holds two 1000-byte frames (125 words each)";
  EXPECT_EQ(h.mpc_events, 3u);
  EXPECT_EQ(h.read(E1000_MPC), 0u);
  h.write(E1000_RDT(0), 7);
  h.run(1000);
  ASSERT_EQ(h.writes.size(), 4u) << "exactly the two frames that fitted are delivered";
  EXPECT_EQ(h.writes[0].data[6], test_frame(1000, 0)[6]);
  EXPECT_EQ(h.writes[2].data[6], test_frame(1000, 1)[6])
      << "the dropped frames left no partial data";
}

// The size filter: with RCTL.LPE clear a frame may have 1518 bytes (FCS included), with it
// RLPML; each VLAN tag adds 4. Oversize frames never reach host memory and count in ROC.
TEST(RtlRx, FramesOverTheSizeLimitAreDroppedAndCountedInRoc) {
  rtl_harness h;
  h.bring_up(8, 7);
  h.write(E1000_SRRCTL(0), 10 | E1000_SRRCTL_DESCTYPE_ADV_ONEBUF);  // 10 KB buffers
  auto tagged = [](size_t len, int tags) {
    auto f = test_frame(len, 3);
    for (int t = 0; t < tags; ++t) {
      f[12 + 4 * t] = 0x81;
      f[13 + 4 * t] = 0x00;
    }
    return f;
  };
  auto delivered = [&] {
    h.run(1500);
    size_t n = 0;
    for (const auto& w : h.writes) n += (w.tag & 0xF) == 2;
    return n;
  };
  // RLPML 1536, as igb programs it for MTU 1500
  h.write(E1000_RLPML, 1536);
  EXPECT_EQ(h.read(E1000_RLPML), 1536u);
  for (const auto& f : {tagged(1536, 0), tagged(1540, 1), tagged(1544, 2)}) h.send(f);
  EXPECT_EQ(delivered(), 3u) << "at the limit, untagged, with one tag and with two";
  EXPECT_EQ(h.read(E1000_ROC), 0u);
  for (const auto& f : {tagged(1537, 0), tagged(1541, 1), tagged(1545, 2), tagged(9000, 0)})
    h.send(f);
  EXPECT_EQ(delivered(), 3u) << "one byte over: nothing more reaches host memory";
  EXPECT_EQ(h.long_events, 4u);
  EXPECT_EQ(h.read(E1000_ROC), 4u);
  EXPECT_EQ(h.read(E1000_ROC), 0u) << "ROC is read-to-clear";
  EXPECT_EQ(h.read(E1000_RUC) + h.read(E1000_MPC), 0u) << "counted once, in ROC only";
  // LPE clear: 1518, whatever RLPML says
  h.write(E1000_RCTL, E1000_RCTL_EN | E1000_RCTL_SECRC | E1000_RCTL_BAM);
  h.write(E1000_RLPML, 9728);
  h.send(tagged(1518, 0));
  h.send(tagged(1519, 0));
  h.send(tagged(1522, 1));
  EXPECT_EQ(delivered(), 5u);
  EXPECT_EQ(h.read(E1000_ROC), 1u);
  EXPECT_EQ(h.read(E1000_GPRC), 5u) << "GPRC counts only frames that passed the filters";
}

// The address filter: RAR[0] holds the station address from reset; unicast frames for other
// stations and multicast frames go unless RCTL.UPE / MPE, broadcasts pass with BAM. The part
// counts the frames it filters nowhere.
TEST(RtlRx, TheAddressFilterPassesThisStationBroadcastsAndPromiscuousTraffic) {
  rtl_harness h;
  EXPECT_EQ(h.read(E1000_RAL(0)), 0x00000002u) << "02:00:00:00:00:01 loaded at reset";
  EXPECT_EQ(h.read(E1000_RAH(0)), E1000_RAH_AV | 0x0100u);
  h.bring_up(16, 15);
  auto to = [](std::initializer_list<uint8_t> dst, uint8_t seed) {
    auto f = test_frame(128, seed);
    std::copy(dst.begin(), dst.end(), f.begin());
    return f;
  };
  auto written = [&] {
    h.run(1200);
    size_t n = 0;
    for (const auto& w : h.writes) n += (w.tag & 0xF) == 2;
    return n;
  };
  h.send(to({0x02, 0, 0, 0, 0, 0x01}, 1));              // this station
  h.send(to({0x02, 0, 0, 0, 0, 0x02}, 2));              // another one
  h.send(to({0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}, 3));  // broadcast, BAM set
  h.send(to({0x01, 0x00, 0x5E, 0, 0, 0x01}, 4));        // multicast
  EXPECT_EQ(written(), 2u);
  EXPECT_EQ(h.filt_events, 2u);
  EXPECT_EQ(h.read(E1000_MPC) + h.read(E1000_RUC) + h.read(E1000_ROC), 0u)
      << "no register counts them";
  // A new station address: the old one is foreign now
  h.write(E1000_RAL(0), 0x33221100);
  h.write(E1000_RAH(0), E1000_RAH_AV | 0x5544);
  h.send(to({0x00, 0x11, 0x22, 0x33, 0x44, 0x55}, 5));
  h.send(to({0x02, 0, 0, 0, 0, 0x01}, 6));
  EXPECT_EQ(written(), 3u);
  EXPECT_EQ(h.filt_events, 3u);
  // Promiscuous: everything passes
  h.write(E1000_RCTL, h.read(E1000_RCTL) | E1000_RCTL_UPE | E1000_RCTL_MPE);
  h.send(to({0x02, 0, 0, 0, 0, 0x02}, 7));
  h.send(to({0x01, 0x00, 0x5E, 0, 0, 0x01}, 8));
  EXPECT_EQ(written(), 5u);
  EXPECT_EQ(h.filt_events, 3u);
  // Without AV nothing matches RAR[0]
  h.write(E1000_RCTL, E1000_RCTL_EN | E1000_RCTL_SECRC | E1000_RCTL_LPE | E1000_RCTL_BAM);
  h.write(E1000_RAH(0), 0x5544);
  h.send(to({0x00, 0x11, 0x22, 0x33, 0x44, 0x55}, 9));
  EXPECT_EQ(written(), 5u);
  EXPECT_EQ(h.filt_events, 4u);
}

// ---- Receive checksum offload ----------------------------------------------------------

#include "eth_wire.h"  // ethernet_fcs
#include "net.h"
#include "traffic.h"

namespace {

void put16(std::vector<uint8_t>& f, size_t at, uint16_t v) {
  f[at] = static_cast<uint8_t>(v >> 8);
  f[at + 1] = static_cast<uint8_t>(v);
}

// A frame from the traffic source plus 4 FCS bytes.
std::vector<uint8_t> ip_frame(bool tcp, uint32_t bytes = 128) {
  traffic_config c;
  c.tcp = tcp;
  c.frame_bytes = bytes;
  std::vector<uint8_t> f;
  traffic_source::build_frame(c, 5, 0, 5, f);
  f.insert(f.end(), 4, 0xEE);
  return f;
}

void fix_ip_csum(std::vector<uint8_t>& f) {
  const unsigned ihl = f[14] & 0xF;
  put16(f, 24, 0);
  put16(f, 24, static_cast<uint16_t>(~csum_fold(csum_partial(&f[14], ihl * 4, 0))));
}

struct wb_result {
  uint32_t status;
  uint16_t pkt_info;
};

wb_result receive(const std::vector<uint8_t>& frame, uint32_t rxcsum = 0x300) {
  rtl_harness h;
  h.write(E1000_RXCSUM, rxcsum);
  h.bring_up(8, 7);
  h.send(frame);
  h.run(600);
  EXPECT_EQ(h.writes.size(), 2u);
  wb_result r{};
  if (h.writes.size() < 2) return r;
  std::memcpy(&r.pkt_info, &h.writes[1].data[0], 2);
  std::memcpy(&r.status, &h.writes[1].data[8], 4);
  return r;
}

constexpr uint32_t kIpcs = E1000_RXD_STAT_IPCS, kL4cs = E1000_RXD_STAT_L4CS,
                   kUdpcs = E1000_RXD_STAT_UDPCS;
constexpr uint32_t kIpe = E1000_RXDEXT_STATERR_IPE, kL4e = E1000_RXDEXT_STATERR_TCPE;
constexpr uint32_t kCsumBits = kIpcs | kL4cs | kUdpcs | kIpe | kL4e | E1000_RXD_STAT_IXSM;

}  // namespace

TEST(RtlCsum, GoodUdpAndTcpAreMarkedChecked) {
  for (uint32_t bytes : {64u, 65u, 71u, 1518u}) {
    const wb_result u = receive(ip_frame(false, bytes));
    EXPECT_EQ(u.status & kCsumBits, kIpcs | kL4cs | kUdpcs) << bytes << "-byte UDP";
    EXPECT_EQ(u.pkt_info, 0x0210) << "packet type IPv4 (bit 4) + UDP (bit 9)";
  }
  const wb_result t = receive(ip_frame(true, 200));
  EXPECT_EQ(t.status & kCsumBits, kIpcs | kL4cs) << "TCP: L4CS without UDPCS";
  EXPECT_EQ(t.pkt_info, 0x0110) << "packet type IPv4 + TCP (bit 8)";
}

TEST(RtlCsum, JumboDatagramsAreCheckedWithoutOverflow) {
  // 9000 bytes of UDP sum to about 29 bits before folding.
  for (const bool corrupt : {false, true}) {
    auto f = ip_frame(false, 9018);
    if (corrupt) f[5000] ^= 0x10;
    rtl_harness h;
    h.write(E1000_RXCSUM, 0x300);
    h.bring_up(8, 7);
    h.write(E1000_SRRCTL(0),
            10 | E1000_SRRCTL_DESCTYPE_ADV_ONEBUF);  // 10 KB buffers: one per frame
    h.send(f);
    h.run(4000);
    uint32_t status = 0;
    int wbs = 0;
    for (const auto& w : h.writes)
      if ((w.tag & 0xF) == 2) {
        std::memcpy(&status, &w.data[8], 4);
        ++wbs;
      }
    ASSERT_EQ(wbs, 1) << h.writes.size() << " writes, " << h.mpc_events << " MPC drops, RNBC "
                      << h.read(E1000_RNBC);
    EXPECT_EQ(status & kCsumBits, kIpcs | kL4cs | kUdpcs | (corrupt ? kL4e : 0u))
        << (corrupt ? "corrupted" : "intact");
  }
}

TEST(RtlCsum, BadChecksumsSetIpeAndL4e) {
  auto f = ip_frame(false);
  f[14 + 8] ^= 0x01;  // TTL: header checksum now wrong; not in the UDP pseudo-header
  EXPECT_EQ(receive(f).status & kCsumBits, kIpcs | kIpe | kL4cs | kUdpcs);
  auto g = ip_frame(false);
  g[60] ^= 0x80;  // a payload byte
  EXPECT_EQ(receive(g).status & kCsumBits, kIpcs | kL4cs | kUdpcs | kL4e);
  auto t = ip_frame(true);
  t[70] ^= 0x01;
  EXPECT_EQ(receive(t).status & kCsumBits, kIpcs | kL4cs | kL4e);
}

TEST(RtlCsum, WhatIsNotCheckedIsNotMarked) {
  auto zero = ip_frame(false);
  put16(zero, 34 + 6, 0);  // UDP without a checksum
  EXPECT_EQ(receive(zero).status & kCsumBits, kIpcs);
  auto frag = ip_frame(false);
  put16(frag, 20, 0x2000);  // MF: a first fragment
  fix_ip_csum(frag);
  EXPECT_EQ(receive(frag).status & kCsumBits, kIpcs) << "fragments get no transport check";
  auto arp = ip_frame(false);
  put16(arp, 12, 0x0806);
  const wb_result a = receive(arp);
  EXPECT_EQ(a.status & kCsumBits, 0u);
  EXPECT_EQ(a.pkt_info, 0u);
  EXPECT_EQ(receive(ip_frame(false), 0).status & kCsumBits, 0u) << "RXCSUM.IPOFL/TUOFL off";
}

TEST(RtlCsum, IpOptionsMoveTheTransportHeader) {
  auto f = ip_frame(false, 132);  // 128 + 4 bytes of IP options
  // Insert 4 NOP option bytes after the 20-byte header: IHL 6, total length + 4.
  f.insert(f.begin() + 34, {0x01, 0x01, 0x01, 0x00});
  f.resize(f.size() - 4);  // keep the frame size (drop 4 of the FCS marker bytes' room)
  f[14] = 0x46;
  const uint16_t tot = static_cast<uint16_t>((f[16] << 8 | f[17]) + 4);
  put16(f, 16, tot);
  fix_ip_csum(f);
  // The UDP datagram is unchanged and its checksum still matches; truncate to the IP length.
  f.resize(14 + tot);
  f.insert(f.end(), 4, 0xEE);
  EXPECT_EQ(receive(f).status & kCsumBits, kIpcs | kL4cs | kUdpcs);
  f[14 + 24 + 8 + 2] ^= 0x40;  // a payload byte after the options
  EXPECT_EQ(receive(f).status & kCsumBits, kIpcs | kL4cs | kUdpcs | kL4e);
}

// ---- Legacy/MSI single-vector interrupts, IAC, RXDMT0 ----------------------------------

namespace {
constexpr uint32_t kIcrRxt0 = 0x80, kIcrRxdmt0 = 0x10, kIcrLsc = 0x4, kIntAsserted = 0x80000000;
}

TEST(RtlLegacy, IcrReadReturnsCausesClearsAndAutoMasks) {
  rtl_harness h;
  h.bring_up(8, 7);
  h.write(E1000_GPIE, 0);  // not MSI-X: one interrupt, causes in ICR
  h.write(E1000_IMS, kIcrRxt0 | kIcrLsc);
  h.write(E1000_IAM, kIcrRxt0 | kIcrLsc);
  h.send(test_frame(64, 2));
  h.run(300);
  ASSERT_EQ(h.msix.size(), 1u) << "one MSI message for the write-back";
  EXPECT_EQ(h.msix[0].vec, 0u);
  EXPECT_EQ(h.m->intx_o, 1u) << "INTx level asserted";
  const uint32_t icr = h.read(E1000_ICR);
  EXPECT_EQ(icr, kIcrRxt0 | kIntAsserted);
  EXPECT_EQ(h.read(E1000_ICR), 0u) << "an asserted ICR clears when read";
  EXPECT_EQ(h.read(E1000_IMS), 0u) << "IAM: reading an asserted ICR masks the causes";
  h.run(2);
  EXPECT_EQ(h.m->intx_o, 0u);
  // Masked, a new cause stays in ICR without an interrupt; IMS brings it out.
  h.write(E1000_ICS, kIcrLsc);
  h.run(50);
  EXPECT_EQ(h.msix.size(), 1u);
  h.write(E1000_IMS, kIcrLsc);
  h.run(3);
  EXPECT_EQ(h.msix.size(), 2u);
  EXPECT_EQ(h.read(E1000_IAC), 2u) << "IAC counts interrupt assertions";
  EXPECT_EQ(h.read(E1000_IAC), 0u);
}

TEST(RtlLegacy, MaskedCauseIsNotAssertedAndNotCleared) {
  rtl_harness h;
  h.write(E1000_IMS, kIcrRxt0);
  h.write(E1000_ICS, kIcrLsc);  // pending but not enabled
  h.run(5);
  EXPECT_TRUE(h.msix.empty());
  EXPECT_EQ(h.read(E1000_ICR), kIcrLsc) << "no INT_ASSERTED: this device did not raise the line";
  EXPECT_EQ(h.read(E1000_ICR), kIcrLsc) << "not asserted and IMS != 0: the read does not clear";
  h.write(E1000_GPIE, E1000_GPIE_NSICR);
  EXPECT_EQ(h.read(E1000_ICR), kIcrLsc);
  EXPECT_EQ(h.read(E1000_ICR), 0u) << "GPIE.NSICR: every read clears";
}

TEST(RtlLegacy, MsiIsThrottledByEitr0) {
  rtl_harness h;
  h.write(E1000_IMS, kIcrLsc);
  h.write(E1000_EITR(0), 20u << 2);
  h.write(E1000_ICS, kIcrLsc);
  h.run(2);
  ASSERT_EQ(h.msix.size(), 1u);
  h.write(E1000_ICR, kIcrLsc);  // the driver clears it
  h.run(5 * rtl_harness::kCyclesPerUs);
  h.write(E1000_ICS, kIcrLsc);
  h.run(30 * rtl_harness::kCyclesPerUs);
  ASSERT_EQ(h.msix.size(), 2u);
  EXPECT_GE(h.msix[1].cycle - h.msix[0].cycle, 19 * rtl_harness::kCyclesPerUs);
}

TEST(RtlRx, RxdmtFiresWhenHardwareDescriptorsFallToRdmts) {
  rtl_harness h;
  h.bring_up(64, 20);  // hardware owns descriptors 0..19
  h.write(E1000_SRRCTL(0), 2 | E1000_SRRCTL_DESCTYPE_ADV_ONEBUF | (1u << 20));  // RDMTS = 16
  h.write(E1000_IMS, kIcrRxdmt0);
  h.write(E1000_IVAR_MISC, (0u | E1000_IVAR_VALID) << 8);  // "other" causes on vector 0
  h.write(E1000_EIMS, 0x3);
  for (int i = 0; i < 6; ++i) h.send(test_frame(64, static_cast<uint8_t>(i)));
  h.run(3000);
  ASSERT_EQ(h.writes.size(), 12u);
  EXPECT_EQ(h.read(E1000_ICRXDMTC), 1u) << "fires once: when 16 descriptors remain (after the 4th)";
  EXPECT_EQ(h.read(E1000_ICR) & kIcrRxdmt0, kIcrRxdmt0);
  bool other = false;
  for (const auto& m : h.msix) other |= m.vec == 0;
  EXPECT_TRUE(other) << "in MSI-X mode an enabled ICR cause reaches the other vector";
}

// ---- WTHRESH write-back batching -------------------------------------------------------

namespace {
std::vector<const dma_wr*> writebacks(const rtl_harness& h) {
  std::vector<const dma_wr*> v;
  for (const auto& w : h.writes)
    if (w.tag == 2) v.push_back(&w);
  return v;
}
}  // namespace

TEST(RtlWthresh, WritebacksComeInGroupsAndAreFlushedBeforeTheMessage) {
  rtl_harness h;
  h.bring_up(64, 63);
  h.write(E1000_RXDCTL(0), E1000_RXDCTL_QUEUE_ENABLE | (4u << 16));  // WTHRESH = 4
  h.write(E1000_EIMC, 0x2);  // vector 1 masked: nothing forces a flush
  for (int i = 0; i < 10; ++i) h.send(test_frame(64, static_cast<uint8_t>(i)));
  h.run(3000);
  auto wbs = writebacks(h);
  ASSERT_EQ(wbs.size(), 2u) << "10 completions with WTHRESH 4: two bursts, two left pending";
  EXPECT_EQ(wbs[0]->data.size(), 64u) << "a burst of 4 descriptors";
  EXPECT_EQ(wbs[0]->addr, h.ring);
  EXPECT_EQ(wbs[1]->addr, h.ring + 64);
  for (int d = 0; d < 4; ++d) {
    uint32_t st;
    std::memcpy(&st, &wbs[0]->data[16 * d + 8], 4);
    EXPECT_EQ(st & 3u, 3u) << "every descriptor of the burst has DD and EOP";
  }
  EXPECT_EQ(h.read(E1000_RDH(0)), 8u);
  EXPECT_TRUE(h.msix.empty());
  h.write(E1000_EIMS, 0x2);
  h.run(200);
  wbs = writebacks(h);
  ASSERT_EQ(wbs.size(), 3u) << "the interrupt flushes what is pending";
  EXPECT_EQ(wbs[2]->data.size(), 32u);
  ASSERT_EQ(h.msix.size(), 1u);
  EXPECT_GT(h.msix[0].cycle, wbs[2]->cycle) << "the message never overtakes its write-backs";
  EXPECT_EQ(h.read(E1000_RDH(0)), 10u);
}

TEST(RtlWthresh, EitrExpiryFlushesThePartialGroup) {
  rtl_harness h;
  h.bring_up(64, 63);
  h.write(E1000_RXDCTL(0), E1000_RXDCTL_QUEUE_ENABLE | (4u << 16));
  h.write(E1000_EITR(1), 20u << 2);  // 20 us
  h.write(E1000_EIAM, 0);            // no auto-mask: the vector stays enabled
  for (int i = 0; i < 7; ++i) h.send(test_frame(64, static_cast<uint8_t>(i)));
  h.run(30 * rtl_harness::kCyclesPerUs);
  const auto wbs = writebacks(h);
  ASSERT_EQ(h.msix.size(), 2u);
  ASSERT_EQ(wbs.size(), 3u);
  EXPECT_EQ(wbs[0]->data.size(), 16u)
      << "the first frame's interrupt (timer idle) flushes it alone";
  EXPECT_LT(wbs[0]->cycle, h.msix[0].cycle);
  EXPECT_EQ(wbs[1]->data.size(), 64u) << "inside the interval: a full group of 4";
  EXPECT_EQ(wbs[2]->data.size(), 32u) << "the remaining 2 wait for the interval to expire";
  EXPECT_GE(wbs[2]->cycle, h.msix[0].cycle + 19 * rtl_harness::kCyclesPerUs);
  EXPECT_LT(wbs[2]->cycle, h.msix[1].cycle);
}

// ---- Descriptor prefetch: PTHRESH / HTHRESH, reads outstanding -------------------------

TEST(RtlPrefetch, HthreshHoldsPrefetchUntilEnoughDescriptorsAreAvailable) {
  rtl_harness h;
  h.bring_up(64, 0, false, 8 | 8u << 8);  // PTHRESH 8, HTHRESH 8
  h.write(E1000_RDT(0), 4);
  h.run(100);
  EXPECT_TRUE(h.reads.empty()) << "4 available < HTHRESH 8: no prefetch";
  h.write(E1000_RDT(0), 12);
  h.run(100);
  ASSERT_EQ(h.reads.size(), 1u);
  EXPECT_EQ(h.reads[0].len, 12u * 16) << "fetch everything available that fits the cache";
  EXPECT_EQ(h.reads[0].addr, h.ring);
}

TEST(RtlPrefetch, WaitingFrameFetchesWhateverIsThere) {
  rtl_harness h;
  h.bring_up(64, 0, false, 8 | 8u << 8);
  h.write(E1000_RDT(0), 3);
  h.run(50);
  EXPECT_TRUE(h.reads.empty());
  h.send(test_frame(64, 4));
  h.run(300);
  ASSERT_EQ(h.reads.size(), 1u) << "demand fetch below HTHRESH";
  EXPECT_EQ(h.reads[0].len, 3u * 16);
  EXPECT_EQ(h.writes.size(), 2u) << "and the frame is delivered";
}

TEST(RtlPrefetch, PthreshZeroFetchesOnlyOnDemand) {
  rtl_harness h;
  h.bring_up(64, 40, false, 0);
  h.run(100);
  EXPECT_TRUE(h.reads.empty());
  h.send(test_frame(64, 1));
  h.run(300);
  ASSERT_EQ(h.reads.size(), 1u);
  EXPECT_EQ(h.writes.size(), 2u);
}

TEST(RtlPrefetch, SeveralReadsAreOutstandingAndFillTheCacheInRingOrder) {
  rtl_harness h;
  h.bring_up(64, 0, false, 16 | 1u << 8);                                 // PTHRESH 16, HTHRESH 1
  for (uint32_t rdt = 2; rdt <= 8; rdt += 2) h.write(E1000_RDT(0), rdt);  // 4 writes, 1 cycle apart
  h.run(5);
  ASSERT_EQ(h.reads.size(), 4u) << "one read per RDT step, all issued before the first completes";
  std::vector<uint32_t> tags;
  for (const auto& r : h.reads) tags.push_back(r.tag);
  std::sort(tags.begin(), tags.end());
  EXPECT_EQ(tags, (std::vector<uint32_t>{0, 1, 2, 3})) << "each outstanding read has its own tag";
  EXPECT_LT(h.reads[3].cycle, h.reads[0].cycle + rtl_harness::kReadLatency);
  for (int i = 0; i < 8; ++i) h.send(test_frame(64, static_cast<uint8_t>(i)));
  h.run(3000);
  std::vector<uint64_t> bufs;
  for (const auto& w : h.writes)
    if (w.tag == 1) bufs.push_back(w.addr);
  ASSERT_EQ(bufs.size(), 8u);
  for (size_t i = 0; i < bufs.size(); ++i)
    EXPECT_EQ(bufs[i], 0x10000u + 0x1000u * i) << "descriptor " << i;
}

// ---- Frames larger than one buffer -----------------------------------------------------

TEST(RtlMultiDesc, FrameSpansBuffersOnlyTheLastHasEopAndMetadata) {
  rtl_harness h;
  h.bring_up(8, 7);
  h.write(E1000_SRRCTL(0), 1 | E1000_SRRCTL_DESCTYPE_ADV_ONEBUF);  // 1 KB buffers
  const auto frame = ip_frame(false, 1518);
  h.send(frame);
  h.run(1500);
  std::vector<const dma_wr*> data;
  for (const auto& w : h.writes)
    if (w.tag == 1) data.push_back(&w);
  const auto wbs = writebacks(h);
  ASSERT_EQ(data.size(), 2u);
  EXPECT_EQ(data[0]->data.size(), 1024u);
  EXPECT_EQ(data[1]->data.size(), 1514u - 1024u);
  EXPECT_EQ(data[0]->addr, 0x10000u);
  EXPECT_EQ(data[1]->addr, 0x11000u) << "the second buffer is the next descriptor's";
  EXPECT_TRUE(std::equal(data[1]->data.begin(), data[1]->data.end(), frame.begin() + 1024));
  std::vector<uint8_t> descs;
  for (const auto* w : wbs) descs.insert(descs.end(), w->data.begin(), w->data.end());
  ASSERT_EQ(descs.size(), 32u);
  uint32_t st0, st1;
  uint16_t len0, len1, pi0, pi1;
  std::memcpy(&pi0, &descs[0], 2);
  std::memcpy(&st0, &descs[8], 4);
  std::memcpy(&len0, &descs[12], 2);
  std::memcpy(&pi1, &descs[16], 2);
  std::memcpy(&st1, &descs[24], 4);
  std::memcpy(&len1, &descs[28], 2);
  EXPECT_EQ(st0, E1000_RXD_STAT_DD) << "first buffer: DD only";
  EXPECT_EQ(len0, 1024u);
  EXPECT_EQ(pi0, 0u);
  EXPECT_EQ(st1 & (kCsumBits | 3u),
            E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP | kIpcs | kL4cs | kUdpcs);
  EXPECT_EQ(len1, 490u);
  EXPECT_EQ(pi1, 0x0210u);
  EXPECT_EQ(h.read(E1000_RDH(0)), 2u);
  EXPECT_EQ(h.read(E1000_GPRC), 1u) << "one frame";
}

TEST(RtlMultiDesc, FrameWaitsUntilHardwareOwnsEnoughDescriptors) {
  rtl_harness h;
  h.bring_up(8, 1);  // one descriptor for a frame that needs two
  h.write(E1000_SRRCTL(0), 1 | E1000_SRRCTL_DESCTYPE_ADV_ONEBUF);
  h.send(ip_frame(false, 1518));
  h.run(1500);
  EXPECT_TRUE(h.writes.empty()) << "no partial frame in host memory";
  EXPECT_EQ(h.read(E1000_RNBC), 1u);
  h.write(E1000_RDT(0), 2);
  h.run(1500);
  EXPECT_EQ(writebacks(h).size(), 1u);
  EXPECT_EQ(h.read(E1000_RDH(0)), 2u);
}

// ---- RSS hash: the Microsoft RSS verification suite ------------------------------------

namespace {
const uint8_t kMsKey[40] = {0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67,
                            0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb,
                            0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30,
                            0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa};
// The Microsoft key into RSSRK(0..9), key byte 4i in bits 7:0 of RSSRK(i), as Linux writes it.
void write_ms_key(rtl_harness& h) {
  for (unsigned i = 0; i < 10; ++i) {
    uint32_t w;
    std::memcpy(&w, kMsKey + 4 * i, 4);
    h.write(E1000_RSSRK(i), w);
  }
}
struct rss_vector {
  uint8_t dst[4];
  uint16_t dport;
  uint8_t src[4];
  uint16_t sport;
  uint32_t ipv4, ipv4_l4;
};
// "Verifying the RSS Hash Calculation" (Microsoft), IPv4 table.
const rss_vector kRssVectors[] = {
    {{161, 142, 100, 80}, 1766, {66, 9, 149, 187}, 2794, 0x323e8fc2, 0x51ccc178},
    {{65, 69, 140, 83}, 4739, {199, 92, 111, 2}, 14230, 0xd718262a, 0xc626b0ea},
    {{12, 22, 207, 184}, 38024, {24, 19, 198, 95}, 12898, 0xd2d0a5de, 0x5c2b394a},
    {{209, 142, 163, 6}, 2217, {38, 27, 205, 30}, 48228, 0x82989176, 0xafc7327f},
    {{202, 188, 127, 2}, 1303, {153, 39, 163, 191}, 44251, 0x5d1809c5, 0x10e828a2},
};

struct rss_wb {
  uint32_t hash;
  uint16_t pkt_info;
  uint32_t status;       // status_error
  bool written = false;  // a descriptor was written back (the last one's fields above)
};

// A TCP (or UDP) frame of the verification suite's flow v (its 4-tuple hash is v.ipv4_l4).
std::vector<uint8_t> rss_frame(const rss_vector& v, bool tcp = true, size_t len = 128) {
  auto f = ip_frame(tcp, len);
  std::copy(v.src, v.src + 4, f.begin() + 26);
  std::copy(v.dst, v.dst + 4, f.begin() + 30);
  put16(f, 34, v.sport);
  put16(f, 36, v.dport);
  fix_ip_csum(f);
  return f;
}

// Frame f received with the Microsoft key, MRQC and RXCSUM as given, on a fresh NIC.
rss_wb receive_hashed(const std::vector<uint8_t>& f, uint32_t mrqc, uint32_t rxcsum,
                      uint64_t cycles = 600) {
  rtl_harness h;
  write_ms_key(h);
  h.write(E1000_MRQC, mrqc);
  h.write(E1000_RXCSUM, rxcsum);
  h.bring_up(8, 7);
  h.send(f);
  h.run(cycles);
  rss_wb r{};
  for (const auto& w : h.writes) {
    if (w.tag != 2) continue;
    std::memcpy(&r.pkt_info, &w.data[0], 2);
    std::memcpy(&r.hash, &w.data[4], 4);
    std::memcpy(&r.status, &w.data[8], 4);
    r.written = true;
  }
  return r;
}

rss_wb rss_receive(const rss_vector& v, bool tcp, uint32_t mrqc, uint32_t rxcsum = 0x2300) {
  return receive_hashed(rss_frame(v, tcp), mrqc, rxcsum);
}
constexpr uint32_t kRss = E1000_MRQC_ENABLE_RSS_MQ;
}  // namespace

TEST(RtlRss, HashMatchesTheMicrosoftVerificationSuite) {
  for (const auto& v : kRssVectors) {
    rss_wb t =
        rss_receive(v, true, kRss | E1000_MRQC_RSS_FIELD_IPV4 | E1000_MRQC_RSS_FIELD_IPV4_TCP);
    EXPECT_EQ(t.hash, v.ipv4_l4) << "TCP/IPv4 4-tuple";
    EXPECT_EQ(t.pkt_info & 0xF, 1u) << "RSS type TCPIPV4";
    t = rss_receive(v, true, kRss | E1000_MRQC_RSS_FIELD_IPV4);
    EXPECT_EQ(t.hash, v.ipv4) << "TCP without the TCP field: IPv4 2-tuple";
    EXPECT_EQ(t.pkt_info & 0xF, 2u);
    t = rss_receive(v, false, kRss | E1000_MRQC_RSS_FIELD_IPV4 | E1000_MRQC_RSS_FIELD_IPV4_UDP);
    EXPECT_EQ(t.hash, v.ipv4_l4) << "UDP/IPv4 4-tuple";
    EXPECT_EQ(t.pkt_info & 0xF, 7u);
    t = rss_receive(v, false, kRss | E1000_MRQC_RSS_FIELD_IPV4 | E1000_MRQC_RSS_FIELD_IPV4_TCP);
    EXPECT_EQ(t.hash, v.ipv4) << "UDP hashing off (Linux's default): 2-tuple";
  }
}

TEST(RtlRss, NoHashWithoutRssOrPcsd) {
  const rss_vector& v = kRssVectors[0];
  rss_wb t =
      rss_receive(v, true, E1000_MRQC_RSS_FIELD_IPV4 | E1000_MRQC_RSS_FIELD_IPV4_TCP);  // MRQE = 0
  EXPECT_EQ(t.hash, 0u);
  EXPECT_EQ(t.pkt_info & 0xF, 0u);
  t = rss_receive(v, true, kRss | E1000_MRQC_RSS_FIELD_IPV4 | E1000_MRQC_RSS_FIELD_IPV4_TCP,
                  0x300);  // PCSD off
  EXPECT_EQ(t.hash, 0u) << "without PCSD dword 1 does not carry the hash";
  EXPECT_EQ(t.pkt_info & 0xF, 1u);
}

// ---- Checksum, packet type and hash of random frames against a reference ------------------

namespace {
// The Toeplitz hash of `in` under the Microsoft key (key bits k..k+31 for input bit k, MSB first).
uint32_t toeplitz(const std::vector<uint8_t>& in) {
  uint32_t h = 0;
  for (size_t k = 0; k < 8 * in.size(); ++k) {
    if (!(in[k / 8] >> (7 - k % 8) & 1)) continue;
    uint64_t window = 0;
    for (size_t b = 0; b < 5; ++b) window = window << 8 | (k / 8 + b < 40 ? kMsKey[k / 8 + b] : 0);
    h ^= static_cast<uint32_t>(window >> (8 - k % 8));
  }
  return h;
}

struct csum_expect {
  uint32_t status;  // the checksum bits (kCsumBits) of the write-back
  uint16_t pkt_info;
  uint32_t hash;
};

// What igb_rx_csum and igb_rss are documented to report for a frame (FCS included), computed
// from the bytes in software: IPv4 = EtherType 0x0800, version 4, IHL >= 5; the header
// checksum over the IHL words; the transport checksum over the pseudo-header and the datagram
// when it is unfragmented TCP, or UDP with a checksum, and lies with the FCS inside the frame.
// A field beyond the frame's end reads as 0. RSS with every IPv4 field enabled.
csum_expect reference(const std::vector<uint8_t>& f) {
  const auto at = [&](size_t i) -> uint32_t { return i < f.size() ? f[i] : 0; };
  const auto be16 = [&](size_t i) -> uint32_t { return at(i) << 8 | at(i + 1); };
  const unsigned ihl = at(14) & 0xF;
  const bool ipv4 = be16(12) == 0x0800 && at(14) >> 4 == 4 && ihl >= 5;
  const uint32_t totlen = be16(16), proto = at(23);
  const bool tcp = proto == 6, udp = proto == 17, fragment = (be16(20) & 0x3FFF) != 0;
  const size_t l4 = 14 + 4 * ihl, ip_hi = std::max<size_t>(34, l4), ip_end = 14 + totlen;
  // Ones'-complement sums over byte ranges, each byte in its 16-bit lane (frames start even).
  const auto sum = [&](size_t lo, size_t hi) {
    uint32_t s = 0;
    for (size_t p = lo; p < hi && p < f.size(); ++p) s += p % 2 ? f[p] : f[p] << 8;
    return s;
  };
  const auto fold = [](uint32_t s) {
    s = (s & 0xFFFF) + (s >> 16);
    return (s & 0xFFFF) + (s >> 16);
  };
  csum_expect e{};
  if (ipv4) {
    e.status |= kIpcs;
    if (fold(sum(14, ip_hi)) != 0xFFFF) e.status |= kIpe;
    const bool fits = 14 + totlen + 4 <= f.size();
    if (!fragment && fits && (tcp || (udp && be16(l4 + 6) != 0))) {
      const uint32_t l4_len = (totlen - 4 * ihl) & 0xFFFF;
      e.status |= kL4cs | (udp ? kUdpcs : 0u);
      if (fold(sum(26, 34) + sum(ip_hi, ip_end) + proto + l4_len) != 0xFFFF) e.status |= kL4e;
    }
  }
  const uint16_t type = !ipv4 ? 0 : tcp && !fragment ? 1 : udp && !fragment ? 7 : 2;
  e.pkt_info = static_cast<uint16_t>((ipv4 ? 0x10 : 0) | (ipv4 && tcp ? 0x100 : 0) |
                                     (ipv4 && udp ? 0x200 : 0) | type);
  if (type != 0) {
    std::vector<uint8_t> in;
    for (size_t i = 26; i < 34; ++i) in.push_back(static_cast<uint8_t>(at(i)));
    if (type != 2)
      for (size_t i = l4; i < l4 + 4; ++i) in.push_back(static_cast<uint8_t>(at(i)));
    e.hash = toeplitz(in);
  }
  return e;
}

// A random Ethernet frame: mostly IPv4 TCP/UDP with 0-40 bytes of options, correct checksums
// most of the time; sometimes another EtherType or version, a fragment, a UDP datagram without
// checksum, a corrupted byte, an IP total length that disagrees with the frame, trailing bytes.
std::vector<uint8_t> random_frame(std::mt19937& rng) {
  const auto r = [&](uint32_t n) { return static_cast<uint32_t>(rng() % n); };
  const unsigned ihl = r(3) == 0 ? 5 + r(11) : 5;
  const uint8_t protos[] = {6, 17, 17, 6, 1, 47};
  const uint8_t proto = protos[r(6)];
  const uint32_t l4hdr = proto == 6 ? 20 : 8, payload = r(4) == 0 ? r(1400) : r(120);
  const uint32_t totlen = 4 * ihl + l4hdr + payload;
  std::vector<uint8_t> f(14 + totlen);
  for (auto& b : f) b = static_cast<uint8_t>(rng());
  put16(f, 12, r(12) == 0 ? 0x86DD : 0x0800);
  f[14] = static_cast<uint8_t>((r(20) == 0 ? 6 : 4) << 4 | ihl);
  put16(f, 16, static_cast<uint16_t>(totlen));
  put16(f, 20,
        r(8) == 0 ? static_cast<uint16_t>(0x2000 | r(0x2000)) : 0x4000);  // MF + offset, or DF
  f[23] = proto;
  const size_t l4 = 14 + 4 * ihl;
  if (proto == 6) f[l4 + 12] = 0x50;
  if (proto == 17) put16(f, l4 + 4, static_cast<uint16_t>(l4hdr + payload));
  // Transport checksum over the pseudo-header (at offset 16 for TCP, 6 for UDP)
  const size_t ck = l4 + (proto == 6 ? 16 : 6);
  if (proto == 6 || proto == 17) {
    put16(f, ck, 0);
    uint32_t s = csum_partial(&f[26], 8, 0);
    s += proto + l4hdr + payload;
    s = csum_partial(&f[l4], l4hdr + payload, s);
    uint16_t c = static_cast<uint16_t>(~csum_fold(s));
    if (proto == 17 && c == 0) c = 0xFFFF;
    if (proto == 17 && r(6) == 0) c = 0;  // no checksum
    put16(f, ck, c);
  }
  fix_ip_csum(f);
  if (r(7) == 0) f[14 + r(totlen)] ^= static_cast<uint8_t>(1 + r(255));  // a corrupted byte
  if (r(10) == 0) put16(f, 16, static_cast<uint16_t>(r(2) ? totlen + 1 + r(60) : r(totlen)));
  if (r(5) == 0) f.resize(f.size() + 1 + r(30), 0x5A);  // trailing bytes after the datagram
  if (f.size() < 60) f.resize(60, 0);
  std::copy(kNvmMac, kNvmMac + 6, f.begin());  // for this station
  f.insert(f.end(), 4, 0xEE);                  // FCS
  return f;
}
}  // namespace

TEST(RtlCsum, RandomFramesMatchAReferenceComputedInSoftware) {
  std::mt19937 rng(20261124);
  int checked_l4 = 0, errors = 0, hashed4 = 0;
  for (int n = 0; n < 300; ++n) {
    const auto f = random_frame(rng);
    const csum_expect e = reference(f);
    // IPOFL | TUOFL | PCSD: the write-back carries the hash
    const rss_wb r =
        receive_hashed(f,
                       kRss | E1000_MRQC_RSS_FIELD_IPV4 | E1000_MRQC_RSS_FIELD_IPV4_TCP |
                           E1000_MRQC_RSS_FIELD_IPV4_UDP,
                       0x2300, 800);
    ASSERT_TRUE(r.written) << "frame " << n << " (" << f.size() << " bytes) was not written back";
    EXPECT_EQ(r.status & kCsumBits, e.status) << "frame " << n << ", " << f.size() << " bytes";
    EXPECT_EQ(r.pkt_info, e.pkt_info) << "frame " << n;
    EXPECT_EQ(r.hash, e.hash) << "frame " << n;
    checked_l4 += (e.status & kL4cs) != 0;
    errors += (e.status & (kIpe | kL4e)) != 0;
    hashed4 += (e.pkt_info & 0xF) == 1 || (e.pkt_info & 0xF) == 7;
  }
  // The mix reached every kind of verdict
  EXPECT_GT(checked_l4, 100);
  EXPECT_GT(errors, 20);
  EXPECT_GT(hashed4, 100);
}

// ---- Several queues: RSS steering, per-queue vectors, drops and head-of-line blocking -------

namespace {
// RSS over the TCP 4-tuple with the Microsoft key and the given indirection table, written as
// igb_write_rss_indir_tbl does (entry i in byte i % 4 of RETA(i / 4)).
void setup_rss(rtl_harness& h, const uint8_t (&reta)[128]) {
  write_ms_key(h);
  for (unsigned i = 0; i < 128; i += 4)
    h.write(E1000_RETA(i / 4), uint32_t(reta[i]) | uint32_t(reta[i + 1]) << 8 |
                                   uint32_t(reta[i + 2]) << 16 | uint32_t(reta[i + 3]) << 24);
  h.write(E1000_MRQC, kRss | E1000_MRQC_RSS_FIELD_IPV4 | E1000_MRQC_RSS_FIELD_IPV4_TCP);
  h.write(E1000_RXCSUM, 0x2300);  // IPOFL | TUOFL | PCSD: the write-back carries the hash
}

struct queue_writes {
  std::vector<const dma_wr*> data, wb;
};
queue_writes writes_of(const rtl_harness& h, unsigned q) {
  queue_writes r;
  for (const auto& w : h.writes) {
    if ((w.tag >> 4) != q) continue;
    if ((w.tag & 0xF) == 1) r.data.push_back(&w);
    if ((w.tag & 0xF) == 2) r.wb.push_back(&w);
  }
  return r;
}
}  // namespace

TEST(RtlMultiQueue, RetaSteersEachFrameToItsQueueAndIvarToItsVector) {
  // An indirection table that is not the identity: entry i -> queue (3 i + 1) mod 4.
  uint8_t reta[128];
  for (unsigned i = 0; i < 128; ++i) reta[i] = static_cast<uint8_t>((3 * i + 1) % 4);
  for (const auto& v : kRssVectors) {
    rtl_harness h;
    setup_rss(h, reta);
    h.bring_up(8, 7);
    for (unsigned q = 1; q < 4; ++q) h.bring_up_queue(q, 8, 7);
    h.send(rss_frame(v));
    h.run(800);
    const unsigned want = reta[v.ipv4_l4 & 0x7F];  // the published hash, not the RTL's
    for (unsigned q = 0; q < 4; ++q) {
      const queue_writes w = writes_of(h, q);
      if (q != want) {
        EXPECT_TRUE(w.data.empty() && w.wb.empty())
            << "hash " << std::hex << v.ipv4_l4 << ": queue " << q;
        continue;
      }
      ASSERT_EQ(w.data.size(), 1u)
          << "hash " << std::hex << v.ipv4_l4 << " belongs to queue " << want;
      EXPECT_EQ(w.data[0]->addr, (q == 0 ? 0x10000ull : rtl_harness::queue_buf(q, 0)));
      ASSERT_EQ(w.wb.size(), 1u);
      EXPECT_EQ(w.wb[0]->addr, q == 0 ? h.ring : rtl_harness::queue_ring(q))
          << "write-back into the queue's own ring";
      uint32_t hash;
      std::memcpy(&hash, &w.wb[0]->data[4], 4);
      EXPECT_EQ(hash, v.ipv4_l4);
    }
    ASSERT_EQ(h.msix.size(), 1u);
    EXPECT_EQ(h.msix[0].vec, want + 1) << "the queue's IVAR entry names its vector";
    EXPECT_EQ(h.read(E1000_RDH(want)), 1u);
  }
}

namespace {
// Two flows of the suite and an indirection table that sends the first to queue 1, the
// second to queue 0.
struct two_queue_setup {
  rtl_harness h;
  two_queue_setup(bool drop_en_q1) {
    uint8_t reta[128] = {};
    reta[kRssVectors[0].ipv4_l4 & 0x7F] = 1;
    setup_rss(h, reta);
    h.bring_up(8, 7);
    h.bring_up_queue(1, 8, 0, drop_en_q1);  // queue 1: no descriptors for hardware
  }
};
}  // namespace

TEST(RtlMultiQueue, WithoutDropEnAFrameWaitingForItsQueueHoldsBackTheOthers) {
  two_queue_setup t(/*drop_en_q1=*/false);
  rtl_harness& h = t.h;
  h.send(rss_frame(kRssVectors[0]));  // to queue 1, which has no descriptor
  h.send(rss_frame(kRssVectors[1]));  // to queue 0, behind it in the packet buffer
  h.run(1500);
  EXPECT_TRUE(h.writes.empty())
      << "one packet buffer, in order: queue 0's frame waits behind queue 1's";
  EXPECT_EQ(h.read(E1000_RNBC), 1u);
  h.write(E1000_RDT(1), 4);
  h.run(1500);
  const queue_writes q0 = writes_of(h, 0), q1 = writes_of(h, 1);
  ASSERT_EQ(q1.data.size(), 1u);
  ASSERT_EQ(q0.data.size(), 1u);
  EXPECT_LT(q1.data[0]->cycle, q0.data[0]->cycle) << "frames leave the buffer in arrival order";
  EXPECT_EQ(h.read(E1000_RQDPC(0)), 0u);
  EXPECT_EQ(h.read(E1000_RQDPC(1)), 0u);
}

TEST(RtlMultiQueue, DropEnDropsOnlyInItsQueueAndTheOthersFlow) {
  two_queue_setup t(/*drop_en_q1=*/true);
  rtl_harness& h = t.h;
  h.send(rss_frame(kRssVectors[0]));
  h.send(rss_frame(kRssVectors[1]));
  h.run(1500);
  EXPECT_TRUE(writes_of(h, 1).data.empty());
  ASSERT_EQ(writes_of(h, 0).data.size(), 1u)
      << "queue 0's frame is not held behind the dropped one";
  EXPECT_EQ(h.read(0x2930), 1u) << "RQDPC(1) at the legacy block counts the drop";
  EXPECT_EQ(h.read(0xC070), 0u)
      << "RQDPC(1) at the canonical block: the same register, cleared by the read";
  EXPECT_EQ(h.read(E1000_RQDPC(0)), 0u) << "queue 0 dropped nothing";
  ASSERT_EQ(h.msix.size(), 1u);
  EXPECT_EQ(h.msix[0].vec, 1u);
}

TEST(RtlMultiQueue, QueueRegistersAreSeparateAtBothBlocks) {
  rtl_harness h;
  for (unsigned q = 0; q < 8; ++q) h.write(E1000_RDT(q), 10 + q);  // 0x2800 block for q < 4
  for (unsigned q = 0; q < 8; ++q) EXPECT_EQ(h.read(0xC018 + 0x40 * q), 10 + q) << "queue " << q;
  for (unsigned q = 0; q < 4; ++q) EXPECT_EQ(h.read(0x2818 + 0x100 * q), 10 + q) << "queue " << q;
  EXPECT_EQ(h.read(0xC018 + 0x40 * 8), 0u) << "the part has 8 queues";
}

// ---- Transmit (the harness's transmit wire takes a byte a cycle, 20 bytes between frames)

// Transmit on, queue 0's ring of 16 descriptors at ring (empty: TDH = TDT = 0), igb's
// thresholds with WTHRESH 0 (each DD written back at once)
static void tx_ring_on(rtl_harness& h, uint64_t ring) {
  h.write(E1000_TCTL, E1000_TCTL_EN | E1000_TCTL_PSP);
  h.write(E1000_TDBAL(0), static_cast<uint32_t>(ring));
  h.write(E1000_TDBAH(0), static_cast<uint32_t>(ring >> 32));
  h.write(E1000_TDLEN(0), 16 * 16);
  h.write(E1000_TDH(0), 0);
  h.write(E1000_TDT(0), 0);
  h.write(E1000_TXDCTL(0), E1000_TXDCTL_QUEUE_ENABLE | 0x0108);
}

// TIPG.IPGT sets the gap the MAC keeps after a frame: IPGT + 4 byte times (12 at reset). Four
// 60-byte frames queued at once leave back to back, their last beats (64 bytes with FCS, a byte
// a cycle) 64 + 8 + 12 cycles apart at reset and 12 more with IPGT 20.
TEST(RtlTx, TipgSetsTheGapBetweenBackToBackFrames) {
  for (const uint32_t ipgt : {8u, 20u}) {
    rtl_harness h;
    constexpr uint64_t kRing = 0x4000, kBuf = 0x40000;
    tx_ring_on(h, kRing);
    if (ipgt != 8) h.write(E1000_TIPG, 0x00601000 | ipgt);
    for (uint32_t i = 0; i < 4; ++i) {
      e1000_adv_tx_desc d{};
      d.read.buffer_addr = kBuf + 0x100ull * i;
      d.read.cmd_type_len = E1000_ADVTXD_DTYP_DATA | E1000_ADVTXD_DCMD_DEXT |
                            E1000_ADVTXD_DCMD_EOP | E1000_ADVTXD_DCMD_IFCS | 60;
      d.read.olinfo_status = 60u << E1000_ADVTXD_PAYLEN_SHIFT;
      std::memcpy(&h.mem[kRing + 16 * i], &d, 16);
    }
    h.write(E1000_TDT(0), 4);
    h.run(3000);
    ASSERT_EQ(h.tx_frame_last_cycle.size(), 4u) << "IPGT " << ipgt;
    for (size_t i = 2; i < 4; ++i)  // the first may wait for the second's data
      EXPECT_EQ(h.tx_frame_last_cycle[i] - h.tx_frame_last_cycle[i - 1], 64u + 8 + ipgt + 4)
          << "IPGT " << ipgt << ", frame " << i;
  }
}

TEST(RtlTx, FramesLeaveByteExactWithPaddingFcsAndDd) {
  rtl_harness h;
  constexpr uint64_t kRing = 0x4000, kBuf = 0x40000;
  const std::vector<uint32_t> sizes = {100, 20, 1514};  // the 20-byte one is padded to 60
  tx_ring_on(h, kRing);
  std::vector<std::vector<uint8_t>> want;
  for (uint32_t i = 0; i < sizes.size(); ++i) {
    const uint64_t buf = kBuf + 0x1000ull * i;
    std::vector<uint8_t> b(sizes[i]);
    for (uint32_t k = 0; k < sizes[i]; ++k) b[k] = static_cast<uint8_t>(i * 37 + k * 5);
    std::memcpy(&h.mem[buf], b.data(), b.size());
    e1000_adv_tx_desc d{};
    d.read.buffer_addr = buf;
    d.read.cmd_type_len = E1000_ADVTXD_DTYP_DATA | E1000_ADVTXD_DCMD_DEXT | E1000_ADVTXD_DCMD_EOP |
                          E1000_ADVTXD_DCMD_IFCS | E1000_ADVTXD_DCMD_RS | sizes[i];
    d.read.olinfo_status = sizes[i] << E1000_ADVTXD_PAYLEN_SHIFT;
    std::memcpy(&h.mem[kRing + 16 * i], &d, 16);
    b.resize(std::max<size_t>(b.size(), 60), 0);            // PSP: zeros up to 60 bytes
    const uint32_t fcs = ethernet_fcs(b.data(), b.size());  // zlib's CRC-32, not the RTL's
    for (int k = 0; k < 4; ++k) b.push_back(static_cast<uint8_t>(fcs >> (8 * k)));
    want.push_back(b);
  }
  h.write(E1000_TDT(0), static_cast<uint32_t>(sizes.size()));
  h.run(4000);
  ASSERT_EQ(h.tx_frames.size(), sizes.size());
  uint32_t octets = 0;
  for (size_t i = 0; i < sizes.size(); ++i) {
    EXPECT_EQ(h.tx_frames[i], want[i]) << "frame " << i;
    octets += static_cast<uint32_t>(want[i].size());
    e1000_adv_tx_desc d;
    std::memcpy(&d, &h.mem[kRing + 16 * i], 16);
    EXPECT_EQ(d.wb.status & E1000_TXD_STAT_DD, E1000_TXD_STAT_DD) << "descriptor " << i;
  }
  EXPECT_EQ(h.read(E1000_TDH(0)), sizes.size());
  EXPECT_EQ(h.read(E1000_GPTC), sizes.size());
  EXPECT_EQ(h.read(E1000_GOTCL), octets) << "octets with the FCS, as Linux counts them";
  EXPECT_EQ(h.read(E1000_TPT), sizes.size());
  EXPECT_EQ(h.read(E1000_PQGPTC(0)), sizes.size());
  // Descriptor reads and data reads are told apart by their tags; write-backs carry class 3
  size_t data_reads = 0;
  for (const dma_rd& r : h.reads) data_reads += rtl::tag_tx_data_read(r.tag);
  EXPECT_EQ(data_reads, 1u + 1u + 3u) << "1514 bytes in reads of at most 512";
  for (const dma_wr& w : h.writes) EXPECT_EQ(rtl::tag_class(w.tag), rtl::kTagTxWbWr);
}

namespace {

// TSO through the RTL (context + data descriptor as igb_tso writes them), the segments read
// back by tshark from a pcap of the wire: every IPv4 and TCP checksum valid, the TCP sequence
// advancing by MSS, the IP ID by one, total lengths per segment, FIN and PSH only in the last,
// and the payloads put together equal to what was sent.
constexpr uint64_t kTsoRing = 0x4000, kTsoBuf = 0x40000;
constexpr uint32_t kTsoHdr = 14 + 20 + 20, kTsoMss = 1448;

// A TCP/IPv4 TSO packet of kPay payload bytes as igb_tso leaves it, in host memory at kTsoBuf,
// its context descriptor in slot 0 of the ring at kTsoRing and its data descriptors after it,
// 32 KB each at most (igb_tx_map's IGB_MAX_DATA_PER_TXD), TSE in each, PAYLEN in the first,
// EOP and RS in the last (*ndesc of them); returns its bytes
std::vector<uint8_t> put_tso_packet(rtl_harness& h, uint32_t kPay, unsigned* ndesc) {
  constexpr uint64_t kRing = kTsoRing, kBuf = kTsoBuf;
  constexpr uint32_t kHdr = kTsoHdr, kMss = kTsoMss;
  const uint8_t src_ip[4] = {10, 0, 0, 1}, dst_ip[4] = {10, 0, 0, 2};
  std::vector<uint8_t> f(kHdr + kPay, 0);
  const uint8_t mac[12] = {0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1};
  std::memcpy(f.data(), mac, 12);
  f[12] = 0x08;                // IPv4
  f[14] = 0x45;                // version, IHL; TOS 0; total length 0 (igb_tso clears it)
  f[18] = 0x12, f[19] = 0x34;  // IP ID of the first segment
  f[20] = 0x40;                // DF
  f[22] = 64, f[23] = 6;       // TTL, TCP; header checksum 0 (igb_tso clears it)
  std::memcpy(&f[26], src_ip, 4);
  std::memcpy(&f[30], dst_ip, 4);
  f[34] = 0x9c, f[35] = 0x40, f[36] = 0x13, f[37] = 0x89;  // ports 40000 -> 5001
  f[38] = 0x01, f[39] = 0x02, f[40] = 0x03, f[41] = 0x04;  // sequence number
  f[46] = 0x50, f[47] = 0x19;                              // data offset 5; PSH|FIN|ACK
  f[48] = 0xFF, f[49] = 0xFF;                              // window
  // The TCP checksum field seeded with the pseudo-header without its length (igb_tso:
  // ~csum_tcpudp_magic(saddr, daddr, 0, IPPROTO_TCP, 0))
  uint32_t ps = (src_ip[0] << 8 | src_ip[1]) + (src_ip[2] << 8 | src_ip[3]) +
                (dst_ip[0] << 8 | dst_ip[1]) + (dst_ip[2] << 8 | dst_ip[3]) + 6;
  while (ps >> 16) ps = (ps & 0xFFFF) + (ps >> 16);
  f[50] = static_cast<uint8_t>(ps >> 8), f[51] = static_cast<uint8_t>(ps);
  for (uint32_t k = 0; k < kPay; ++k) f[kHdr + k] = static_cast<uint8_t>(k * 7 + k / 256);
  std::memcpy(&h.mem[kBuf], f.data(), f.size());
  e1000_adv_tx_context_desc c{};
  c.vlan_macip_lens = 20u | 14u << E1000_ADVTXD_MACLEN_SHIFT;
  c.type_tucmd_mlhl = E1000_ADVTXD_DCMD_DEXT | E1000_ADVTXD_DTYP_CTXT | E1000_ADVTXD_TUCMD_L4T_TCP |
                      E1000_ADVTXD_TUCMD_IPV4;
  c.mss_l4len_idx = kMss << E1000_ADVTXD_MSS_SHIFT | 20u << E1000_ADVTXD_L4LEN_SHIFT;
  std::memcpy(&h.mem[kRing], &c, 16);
  *ndesc = 0;
  for (uint32_t off = 0; off < f.size(); off += 32768) {
    const uint32_t n = std::min<uint32_t>(32768, static_cast<uint32_t>(f.size()) - off);
    const bool last = off + n == f.size();
    e1000_adv_tx_desc d{};
    d.read.buffer_addr = kBuf + off;
    d.read.cmd_type_len = E1000_ADVTXD_DTYP_DATA | E1000_ADVTXD_DCMD_DEXT | E1000_ADVTXD_DCMD_IFCS |
                          E1000_ADVTXD_DCMD_TSE | (n & 0xFFFF) |
                          (last ? E1000_ADVTXD_DCMD_EOP | E1000_ADVTXD_DCMD_RS : 0);
    d.read.olinfo_status =
        off ? 0
            : kPay << E1000_ADVTXD_PAYLEN_SHIFT | E1000_ADVTXD_POPTS_TXSM | E1000_ADVTXD_POPTS_IXSM;
    std::memcpy(&h.mem[kRing + 16 * (1 + *ndesc)], &d, 16);
    ++*ndesc;
  }
  return f;
}

void tso_through_rtl(uint32_t kPay, const std::string& name) {
  rtl_harness h;
  constexpr uint64_t kRing = kTsoRing;
  constexpr uint32_t kHdr = kTsoHdr, kMss = kTsoMss;
  unsigned ndesc = 0;
  const std::vector<uint8_t> f = put_tso_packet(h, kPay, &ndesc);
  tx_ring_on(h, kRing);
  h.write(E1000_TDT(0), 1 + ndesc);
  h.run(20000 + 2 * kPay);
  const uint32_t segs = (kPay + kMss - 1) / kMss;
  ASSERT_EQ(h.tx_frames.size(), segs);
  // The wire's frames (FCS included, as the harness's wire gives them) into a pcap
  const std::string dir = ::testing::TempDir() + "igbsim-rtl-" + name;
  std::filesystem::create_directories(dir);
  pcap_t* dead = pcap_open_dead(DLT_EN10MB, 65535);
  pcap_dumper_t* dump = pcap_dump_open(dead, (dir + "/tso.pcap").c_str());
  ASSERT_NE(dump, nullptr);
  for (size_t i = 0; i < h.tx_frames.size(); ++i) {
    const auto& fr = h.tx_frames[i];
    pcap_pkthdr ph{};
    ph.ts.tv_usec = static_cast<suseconds_t>(i);
    ph.caplen = ph.len = static_cast<bpf_u_int32>(fr.size() - 4);  // without the FCS
    pcap_dump(reinterpret_cast<u_char*>(dump), &ph, fr.data());
  }
  pcap_dump_close(dump);
  pcap_close(dead);
  const std::string out = dir + "/tshark.txt";
  const std::string cmd =
      "tshark -r " + dir +
      "/tso.pcap -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE -o tcp.analyze_sequence_"
      "numbers:FALSE -T fields -E separator=, -e ip.checksum.status -e tcp.checksum.status -e "
      "ip.id -e ip.len -e tcp.seq_raw -e tcp.len -e tcp.flags -e tcp.payload > " +
      out + " 2>/dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  std::ifstream in(out);
  std::string line, payload_hex;
  uint32_t n = 0;
  while (std::getline(in, line)) {
    std::vector<std::string> v;
    std::stringstream ss(line);
    for (std::string x; std::getline(ss, x, ',');) v.push_back(x);
    ASSERT_EQ(v.size(), 8u) << line;
    const bool last = n + 1 == segs;
    const uint32_t len = last ? kPay - kMss * (segs - 1) : kMss;
    EXPECT_EQ(v[0], "1") << "IPv4 header checksum good, segment " << n;  // 1 good, 0 bad
    EXPECT_EQ(v[1], "1") << "TCP checksum good, segment " << n;
    EXPECT_EQ(std::stoul(v[2], nullptr, 0), 0x1234u + n) << "IP ID";
    EXPECT_EQ(std::stoul(v[3]), 40u + len) << "total length";
    EXPECT_EQ(std::stoul(v[4]), 0x01020304u + kMss * n) << "sequence number";
    EXPECT_EQ(std::stoul(v[5]), len);
    EXPECT_EQ(std::stoul(v[6], nullptr, 0), last ? 0x019u : 0x010u) << "FIN, PSH in the last";
    payload_hex += v[7];
    ++n;
  }
  EXPECT_EQ(n, segs) << "tshark read every segment";
  std::string want_hex;
  for (uint32_t k = 0; k < kPay; ++k) want_hex += fmt::format("{:02x}", f[kHdr + k]);
  EXPECT_EQ(payload_hex, want_hex) << "the segments' payloads are the payload sent";
}

}  // namespace

TEST(RtlTx, TsoSegmentsReadBackByTsharkAreValidAndCarryThePayload) { tso_through_rtl(4000, "tso"); }

// A TSO packet of 60,000 payload bytes is three times the 20 KB transmit packet buffer: it
// passes the buffer as it comes (igb_tx_pktbuf), its 42 segments as valid as a small one's.
// Stored whole first, as other packets are, it could never be committed (a_pkt_fits). One of
// 200,000 (PAYLEN's 18 bits reach 256 KB; igb sends 64 KB) passes the buffer's pointer wrap,
// 2 x 1280 words, three times over.
TEST(RtlTx, ATsoPacketLargerThanThePacketBufferLeavesAsItComes) {
  tso_through_rtl(60000, "tso-large");
  tso_through_rtl(200000, "tso-huge");
}

// A queue disabled while its TSO packet is leaving as it comes: what already left cannot be
// taken back, so the packet ends with the bytes the buffer took (the part ends a TSO context
// cut short: its frames are those its data made), none of its descriptors is done, and the
// MAC's packet attributes stay in step: after a ring reset the queue's next packet goes out
// whole, with its FCS, and counts in its queue. Disabled after 3 segments, and after 30: by
// then more than the packet buffer's pointer wrap (2 x 1280 words) has left, which the
// buffer must not take for the packet's start.
class RtlTxCut : public ::testing::TestWithParam<size_t> {};
INSTANTIATE_TEST_SUITE_P(AfterSegments, RtlTxCut, ::testing::Values(3, 30));
TEST_P(RtlTxCut, AQueueDisabledWhileItsTsoPacketLeavesEndsItAndSendsTheNextWhole) {
  const size_t after = GetParam();
  rtl_harness h;
  unsigned ndesc = 0;
  put_tso_packet(h, 120000, &ndesc);
  tx_ring_on(h, kTsoRing);
  h.write(E1000_TDT(0), 1 + ndesc);
  for (int i = 0; i < 400000 && h.tx_frames.size() < after; ++i) h.tick();
  ASSERT_EQ(h.tx_frames.size(), after) << "segments leave before the packet is all read";
  h.write(E1000_TXDCTL(0), 0x0108);  // ENABLE clear
  h.run(100000);
  const size_t cut = h.tx_frames.size();
  EXPECT_LT(cut, 83u) << "the packet ended early";
  EXPECT_GE(cut, after);
  for (size_t i = 0; i < cut; ++i) {
    const auto& fr = h.tx_frames[i];
    ASSERT_GE(fr.size(), 64u);
    const uint32_t fcs =
        static_cast<uint32_t>(crc32(0, fr.data(), static_cast<uInt>(fr.size() - 4)));
    EXPECT_EQ(std::memcmp(&fcs, fr.data() + fr.size() - 4, 4), 0) << "segment " << i << " FCS";
  }
  EXPECT_EQ(h.mem[kTsoRing + 16 * ndesc + 12] & 1, 0) << "its last descriptor is not done";
  // Ring reset, then one 100-byte packet without FCS insertion (IFCS clear), another with it
  h.write(E1000_TDH(0), 0);
  h.write(E1000_TDT(0), 0);
  h.write(E1000_TXDCTL(0), E1000_TXDCTL_QUEUE_ENABLE | 0x0108);
  for (uint32_t i = 0; i < 2; ++i) {
    e1000_adv_tx_desc d{};
    d.read.buffer_addr = kTsoBuf + 0x20000 + 0x100 * i;
    d.read.cmd_type_len = E1000_ADVTXD_DTYP_DATA | E1000_ADVTXD_DCMD_DEXT | E1000_ADVTXD_DCMD_EOP |
                          E1000_ADVTXD_DCMD_RS | (i ? E1000_ADVTXD_DCMD_IFCS : 0) | 100u;
    d.read.olinfo_status = 100u << E1000_ADVTXD_PAYLEN_SHIFT;
    for (uint32_t k = 0; k < 100; ++k) h.mem[d.read.buffer_addr + k] = static_cast<uint8_t>(k + i);
    std::memcpy(&h.mem[kTsoRing + 16 * i], &d, 16);
  }
  const uint32_t gptc = h.read(E1000_GPTC);
  h.write(E1000_TDT(0), 2);
  h.run(20000);
  ASSERT_EQ(h.tx_frames.size(), cut + 2);
  EXPECT_EQ(h.tx_frames[cut].size(), 100u) << "IFCS clear: no FCS, as its own attributes say";
  EXPECT_EQ(h.tx_frames[cut + 1].size(), 104u) << "IFCS: an FCS";
  for (uint32_t i = 0; i < 2; ++i)
    for (uint32_t k = 0; k < 100; ++k)
      ASSERT_EQ(h.tx_frames[cut + i][k], static_cast<uint8_t>(k + i)) << "packet " << i;
  EXPECT_EQ(h.mem[kTsoRing + 12] & 1, 1) << "DD";
  EXPECT_EQ(h.mem[kTsoRing + 16 + 12] & 1, 1) << "DD";
  EXPECT_EQ(h.read(E1000_GPTC), 2u) << "GPTC (clear on read) counts the two after " << gptc;
}

// A TSO packet whose data ends inside its header (40 of its 54 header bytes: only a malformed
// descriptor chain gives one) is dropped whole by the offload, and the packets around it keep
// their own attributes: before the fix the MAC kept the dropped packet's IFCS for the next one,
// which then went out with an FCS it had not asked for, and the one after with the wrong
// one's. Packets: 64 bytes with IFCS (its FCS goes in a beat of its own, the dropped packet's
// token already waiting), the truncated TSO packet with IFCS, 100 bytes without IFCS, 100
// bytes with. No RTL assertion fires.
TEST(RtlTx, ATsoPacketDroppedInsideItsHeaderLeavesTheNextPacketsTheirOwnFcs) {
  rtl_harness h;
  rtl_assertions().clear();
  constexpr uint64_t kRing = 0x4000, kBuf = 0x40000;
  auto plain = [&](uint32_t slot, uint32_t len, bool ifcs, uint8_t seed) {
    e1000_adv_tx_desc d{};
    d.read.buffer_addr = kBuf + 0x1000ull * slot;
    d.read.cmd_type_len = E1000_ADVTXD_DTYP_DATA | E1000_ADVTXD_DCMD_DEXT | E1000_ADVTXD_DCMD_EOP |
                          E1000_ADVTXD_DCMD_RS | (ifcs ? E1000_ADVTXD_DCMD_IFCS : 0) | len;
    d.read.olinfo_status = len << E1000_ADVTXD_PAYLEN_SHIFT;
    for (uint32_t k = 0; k < len; ++k)
      h.mem[d.read.buffer_addr + k] = static_cast<uint8_t>(k + seed);
    std::memcpy(&h.mem[kRing + 16 * slot], &d, 16);
  };
  plain(0, 64, true, 1);
  e1000_adv_tx_context_desc c{};
  c.vlan_macip_lens = 20u | 14u << E1000_ADVTXD_MACLEN_SHIFT;
  c.type_tucmd_mlhl = E1000_ADVTXD_DCMD_DEXT | E1000_ADVTXD_DTYP_CTXT | E1000_ADVTXD_TUCMD_L4T_TCP |
                      E1000_ADVTXD_TUCMD_IPV4;
  c.mss_l4len_idx = 1448u << E1000_ADVTXD_MSS_SHIFT | 20u << E1000_ADVTXD_L4LEN_SHIFT;
  std::memcpy(&h.mem[kRing + 16], &c, 16);
  e1000_adv_tx_desc t{};
  t.read.buffer_addr = kBuf + 0x1000ull;
  t.read.cmd_type_len = E1000_ADVTXD_DTYP_DATA | E1000_ADVTXD_DCMD_DEXT | E1000_ADVTXD_DCMD_IFCS |
                        E1000_ADVTXD_DCMD_TSE | E1000_ADVTXD_DCMD_EOP | E1000_ADVTXD_DCMD_RS | 40u;
  t.read.olinfo_status = 1000u << E1000_ADVTXD_PAYLEN_SHIFT | E1000_ADVTXD_POPTS_TXSM;
  std::memcpy(&h.mem[kRing + 32], &t, 16);
  plain(3, 100, false, 3);
  plain(4, 100, true, 4);
  tx_ring_on(h, kRing);
  h.write(E1000_TDT(0), 5);
  h.run(20000);
  ASSERT_EQ(h.tx_frames.size(), 3u) << "the truncated packet makes no frame";
  const std::vector<std::pair<size_t, uint8_t>> want = {{68, 1}, {100, 3}, {104, 4}};
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(h.tx_frames[i].size(), want[i].first) << "frame " << i << ": its own IFCS";
    for (uint32_t k = 0; k < 64 && k < h.tx_frames[i].size(); ++k)
      ASSERT_EQ(h.tx_frames[i][k], static_cast<uint8_t>(k + want[i].second)) << "frame " << i;
  }
  for (uint32_t slot : {0u, 2u, 3u, 4u})
    EXPECT_EQ(h.mem[kRing + 16 * slot + 12] & 1, 1) << "descriptor " << slot << " DD";
  EXPECT_EQ(h.read(E1000_GPTC), 3u);
  EXPECT_EQ(h.read(E1000_TPT), 3u);
  // Nothing is stuck: one more with IFCS leaves with its FCS
  plain(5, 100, true, 5);
  h.write(E1000_TDT(0), 6);
  h.run(5000);
  ASSERT_EQ(h.tx_frames.size(), 4u);
  EXPECT_EQ(h.tx_frames[3].size(), 104u);
  for (const auto& a : rtl_assertions()) ADD_FAILURE() << "RTL assertion: " << a.where;
}

// ---- The link partner as a receiver (systemc/eth_wire.h) -----------------------------------

namespace {

using sc_core::sc_time;
using sc_core::SC_US;

// A wire whose source sends nothing: only the partner's PAUSE frames go to the NIC
eth_wire partner_wire(uint32_t rate_pct, bool send_pause) {
  wire_params p;
  p.partner_rx_rate_pct = rate_pct;
  p.partner_rx_buffer = 16384;
  p.partner_max_frame = 1522;
  p.send_pause = send_pause;
  return eth_wire(p, [](uint64_t, sc_time&, std::vector<uint8_t>&) { return false; });
}

// A data frame from the NIC, 1518 bytes with the FCS
std::vector<uint8_t> nic_frame() {
  std::vector<uint8_t> f(1518, 0);
  f[0] = 0x02;
  f[12] = 0x08;
  return f;
}

}  // namespace

// igb's marks on a 16 KB buffer: high = (16384 - (1522 + 9728)) & ~15 = 5120, low 5104. At 1 %
// of line rate a 1518-byte frame takes 1214.4 us to absorb: the fourth frame in reaches the
// high mark (XOFF at its FCS); the XON follows the first frame absorbed, and is withdrawn and
// put after the second when a fifth frame comes before it.
TEST(PartnerPause, XoffAtTheHighMarkXonWhenAFrameIsAbsorbedWithdrawnByALaterFrame) {
  eth_wire w = partner_wire(1, true);
  EXPECT_EQ(w.partner_high_mark(), 5120u);
  EXPECT_EQ(w.partner_low_mark(), 5104u);
  for (int k = 1; k <= 3; ++k) EXPECT_FALSE(w.partner_receive(nic_frame(), sc_time(20 * k, SC_US)));
  EXPECT_EQ(w.peek(), nullptr) << "below the high mark: nothing to send";
  EXPECT_TRUE(w.partner_receive(nic_frame(), sc_time(80, SC_US)));
  const wire_frame* x = w.peek();
  ASSERT_NE(x, nullptr);
  EXPECT_TRUE(x->id & eth_wire::kPartnerFrame) << "not one of the source's datagrams";
  EXPECT_EQ(x->start, sc_time(80, SC_US)) << "sent at the FCS of the frame that reached the mark";
  ASSERT_EQ(x->bytes.size(), 64u) << "60 bytes and the FCS";
  const std::vector<uint8_t> head = {0x01, 0x80, 0xC2, 0x00, 0x00, 0x01};
  EXPECT_TRUE(std::equal(head.begin(), head.end(), x->bytes.begin()));
  EXPECT_EQ(x->bytes[12], 0x88);
  EXPECT_EQ(x->bytes[13], 0x08);
  EXPECT_EQ(x->bytes[15], 0x01) << "opcode PAUSE";
  EXPECT_EQ(x->bytes[16], 0xFF);
  EXPECT_EQ(x->bytes[17], 0xFF) << "pause time 0xFFFF quanta";
  uint32_t fcs = 0;
  for (int i = 0; i < 4; ++i) fcs |= uint32_t{x->bytes[60 + i]} << (8 * i);
  EXPECT_EQ(fcs, ethernet_fcs(x->bytes.data(), 60));
  const sc_time xoff_end = x->end();
  w.pop();
  EXPECT_EQ(w.partner_xoff_sent(), 1u);
  // The XON: the first frame absorbed (20 + 1214.4 us) takes the fill to 4554 < 5104
  const wire_frame* on = w.peek();
  ASSERT_NE(on, nullptr);
  EXPECT_EQ(on->bytes[16] | on->bytes[17], 0) << "pause time 0: XON";
  EXPECT_EQ(on->start, sc_time(1234.4, SC_US));
  // A fifth frame before it: the XON waits for the second frame absorbed as well
  EXPECT_TRUE(w.partner_receive(nic_frame(), sc_time(100, SC_US)));
  on = w.peek();
  ASSERT_NE(on, nullptr);
  EXPECT_EQ(on->start, sc_time(2448.8, SC_US));
  const sc_time xon_end = on->end();
  w.pop();
  EXPECT_EQ(w.partner_xon_sent(), 1u);
  EXPECT_EQ(w.peek(), nullptr);
  EXPECT_EQ(w.partner_rx_frames(), 5u);
  EXPECT_EQ(w.partner_rx_dropped(), 0u);
  // The NIC was paused from the XOFF's last byte to the XON's
  EXPECT_EQ(w.nic_paused(sc_time(10000, SC_US)), xon_end - xoff_end);
}

// The fill counts the NIC's bytes as its beats come (16 bytes each, at 8 ns a byte): with three
// 1518-byte frames held (4554 bytes), the fourth reaches the high mark (5120) with its 36th beat
// (576 bytes), and the XOFF goes then, not at the frame's FCS 15.1 us later. A frame that
// overflows the buffer mid-way is lost whole and leaves nothing in it.
TEST(PartnerPause, TheXoffGoesWhenTheFillReachesTheMarkMidFrame) {
  eth_wire w = partner_wire(1, true);
  for (int k = 1; k <= 3; ++k) EXPECT_FALSE(w.partner_receive(nic_frame(), sc_time(20 * k, SC_US)));
  const std::vector<uint8_t> frame = nic_frame();
  const sc_time t0(70, SC_US);
  auto beat_end = [&](size_t bytes) { return t0 + sc_time(8.0 * double(bytes), sc_core::SC_NS); };
  std::vector<uint8_t> so_far;
  for (size_t n = 16; n < frame.size(); n += 16) {
    so_far.assign(frame.begin(), frame.begin() + std::ptrdiff_t(n));
    const bool changed = w.partner_receiving(so_far, beat_end(n));
    EXPECT_EQ(changed, n == 576) << "at " << n << " bytes";
    if (n < 576) {
      EXPECT_EQ(w.peek(), nullptr) << "below the mark at " << n << " bytes";
    }
  }
  const wire_frame* x = w.peek();
  ASSERT_NE(x, nullptr);
  EXPECT_EQ(x->bytes[16] << 8 | x->bytes[17], 0xFFFF) << "XOFF";
  EXPECT_EQ(x->start, beat_end(576));
  EXPECT_FALSE(w.partner_receive(frame, beat_end(frame.size()))) << "already decided";
  EXPECT_EQ(w.partner_rx_peak(), 4u * 1518);
  // Six more fill it to 15180 of 16384 (none absorbed yet); the next one goes over with its
  // 76th beat (1216 bytes): it is lost, and what it had taken (1200 bytes) leaves again
  for (int k = 0; k < 6; ++k) w.partner_receive(frame, sc_time(100 + 20 * k, SC_US));
  EXPECT_EQ(w.partner_rx_dropped(), 0u);
  for (size_t n = 16; n < frame.size(); n += 16) {
    so_far.assign(frame.begin(), frame.begin() + std::ptrdiff_t(n));
    w.partner_receiving(so_far, sc_time(250, SC_US) + sc_time(8.0 * double(n), sc_core::SC_NS));
  }
  w.partner_receive(frame, sc_time(262.144, SC_US));
  EXPECT_EQ(w.partner_rx_dropped(), 1u);
  EXPECT_EQ(w.partner_rx_frames(), 11u);
  EXPECT_EQ(w.partner_rx_peak(), 15180u + 1200) << "its bytes were in the buffer until then";
  w.partner_receive(frame, sc_time(280, SC_US));
  EXPECT_EQ(w.partner_rx_dropped(), 2u) << "the fill is back to 15180: no room for another";
  w.partner_receive(std::vector<uint8_t>(frame.begin(), frame.begin() + 1204), sc_time(290, SC_US));
  EXPECT_EQ(w.partner_rx_dropped(), 2u) << "but for 1204 bytes";
}

// Without PAUSE the partner keeps what fits its buffer and loses the rest; at line rate it
// keeps up with back-to-back frames
TEST(PartnerPause, WithoutPauseWhatDoesNotFitIsLostAndAtLineRateNothingIs) {
  eth_wire slow = partner_wire(1, false);
  for (int k = 1; k <= 12; ++k)
    EXPECT_FALSE(slow.partner_receive(nic_frame(), sc_time(20 * k, SC_US)));
  EXPECT_EQ(slow.peek(), nullptr);
  EXPECT_EQ(slow.partner_rx_frames(), 12u);
  EXPECT_EQ(slow.partner_rx_dropped(), 2u) << "10 x 1518 bytes fit 16384";
  eth_wire fast = partner_wire(100, true);
  const double slot_us = (8 + 1518 + 12) * 8 / 1000.0;
  for (int k = 1; k <= 100; ++k) fast.partner_receive(nic_frame(), sc_time(slot_us * k, SC_US));
  EXPECT_EQ(fast.partner_rx_dropped(), 0u);
  EXPECT_EQ(fast.partner_rx_peak(), 1518u) << "each frame absorbed before the next is in";
  EXPECT_EQ(fast.peek(), nullptr) << "no PAUSE";
}

// The refresh: an XOFF again each half pause time (0xFFFF x 512 ns / 2 = 16776.96 us) while
// the fill is not below the low mark. Out of reach with the parameter table's ranges (the fill
// can pass the high mark by about a frame and the 9728-byte margin, which even 1 % of line
// rate absorbs sooner), so here with a larger margin: a 30000-byte max frame puts the high
// mark at (65536 - 39728) & ~15 = 25808; 43 frames in at once take 27 absorbed (32.8 ms) to
// fall below the low mark.
TEST(PartnerPause, XoffIsRefreshedEachHalfPauseTimeWhileTheFillStaysUp) {
  wire_params p;
  p.partner_rx_rate_pct = 1;
  p.partner_rx_buffer = 65536;
  p.partner_max_frame = 30000;
  p.send_pause = true;
  eth_wire w(p, [](uint64_t, sc_time&, std::vector<uint8_t>&) { return false; });
  EXPECT_EQ(w.partner_high_mark(), 25808u);
  for (int k = 1; k <= 43; ++k) w.partner_receive(nic_frame(), sc_time(k, SC_US));
  EXPECT_EQ(w.partner_rx_dropped(), 0u);
  std::vector<std::pair<double, unsigned>> sent;  // start (us), pause time
  while (const wire_frame* f = w.peek()) {
    sent.emplace_back(f->start.to_seconds() * 1e6, unsigned(f->bytes[16]) << 8 | f->bytes[17]);
    w.pop();
  }
  ASSERT_EQ(sent.size(), 3u);
  EXPECT_DOUBLE_EQ(sent[0].first, 18) << "XOFF at the 18th frame's FCS (27324 >= 25808)";
  EXPECT_EQ(sent[0].second, 0xFFFFu);
  EXPECT_NEAR(sent[1].first, 18 + 16776.96, 1e-6) << "the refresh";
  EXPECT_EQ(sent[1].second, 0xFFFFu);
  EXPECT_NEAR(sent[2].first, 1 + 27 * 1214.4, 1e-6) << "XON: the 27th frame absorbed";
  EXPECT_EQ(sent[2].second, 0u);
  EXPECT_EQ(w.partner_xoff_sent(), 2u);
  EXPECT_EQ(w.partner_xon_sent(), 1u);
}
