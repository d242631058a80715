// Directed tests of the NIC RTL on the Verilated model, checked on cycle timing.
#include <gtest/gtest.h>

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
  h.write(0x2800, 0x12345680);          // RDBAL, legacy block
  EXPECT_EQ(h.read(0xC000), 0x12345680u);  // same register, canonical block
  h.write(0xC018, 77);                  // RDT, canonical block
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
  EXPECT_EQ(status & (E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP), E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP);
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
  EXPECT_EQ(h.writes[0].data[0], test_frame(1000, 0)[0]);
  EXPECT_EQ(h.writes[2].data[0], test_frame(1000, 1)[0]) << "the dropped frames left no partial data";
}
