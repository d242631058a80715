// SPDX-License-Identifier: Apache-2.0
// Fuzz target: a random sequence of register writes (and register reads, clock cycles and
// frames between them), then a valid bring-up as igb does it: CTRL.RST, wait, program one
// queue. The NIC must recover from whatever came before: the next frame lands in the buffer
// of descriptor 0, is written back with DD and its length, and interrupts on the queue's
// vector, within a bound. A miss, an RTL assertion after the reset, a crash or undefined
// behaviour (the fuzz build runs under ASan/UBSan) is a finding.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "rtl_assert.h"
#include "rtl_harness.h"

using namespace igbsim;

namespace {

constexpr uint64_t kRecoveryBound = 20000;  // cycles (160 us) for one 128-byte frame
constexpr size_t kMaxOps = 256;

[[noreturn]] void finding(const char* what) {
  std::fprintf(stderr, "fuzz_mmio: %s\n", what);
  std::abort();
}

std::vector<uint8_t> test_frame(uint8_t seed) {
  std::vector<uint8_t> f(128 + 4);
  for (size_t i = 0; i < f.size(); ++i)
    f[i] = i < 6 ? test::kNvmMac[i] : static_cast<uint8_t>(seed + 7 * i);
  f[12] = 0x88;  // an EtherType no offload parses
  f[13] = 0xB5;
  return f;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size / 8 > kMaxOps) return -1;
  test::rtl_harness h;
  // Each 8 bytes: a 32-bit register offset whose top byte says what else happens, then a value.
  for (size_t op = 0; op + 8 <= size; op += 8) {
    uint32_t a, v;
    std::memcpy(&a, data + op, 4);
    std::memcpy(&v, data + op + 4, 4);
    const uint32_t reg = a & 0x1FFFC;
    switch (a >> 30) {
      case 0: h.write(reg, v); break;
      case 1: (void)h.read(reg); break;
      case 2: h.run(a >> 17 & 0x3FF); break;  // up to 1023 cycles
      default:
        h.write(reg, v);
        h.send(test_frame(static_cast<uint8_t>(v)));
        break;
    }
  }
  h.run(200);
  // Bring-up: device reset, then one queue as igb programs it.
  h.write(E1000_CTRL, E1000_CTRL_RST);
  h.run(1100);                     // the reset lasts 1024 cycles
  while (h.wire_busy()) h.tick();  // frames still on the wire go into the fresh NIC
  h.run(2000);
  rtl_assertions().clear();  // contracts broken by the random writes are not findings
  h.bring_up(8, 7);
  const size_t w0 = h.writes.size(), m0 = h.msix.size();
  const uint64_t mpc0 = h.mpc_events;
  const std::vector<uint8_t> f = test_frame(0x5A);
  h.send(f);
  // The frame may queue behind frames that were sent before the reset and are still being
  // received; it is the last one in, so look for a write-back whose length and data are its.
  bool seen = false;
  for (uint64_t c = 0; c < kRecoveryBound && !seen; ++c) {
    h.tick();
    for (size_t i = w0; i < h.writes.size() && !seen; ++i) {
      if ((h.writes[i].tag & 0xF) != 2) continue;
      for (size_t d = 0; d + 16 <= h.writes[i].data.size(); d += 16) {
        const uint64_t slot = (h.writes[i].addr + d - h.ring) / 16;
        uint16_t len;
        std::memcpy(&len, &h.writes[i].data[d + 12], 2);
        const uint64_t buf = 0x10000 + 0x1000ull * slot;
        if (slot < 8 && len == f.size() - 4 && std::memcmp(&h.mem[buf], f.data(), len) == 0)
          seen = true;
      }
    }
  }
  if (!rtl_assertions().empty()) finding(rtl_assertions().front().where.c_str());
  if (h.read_timeouts) finding("a register read never completed");
  if (!seen) {
    if (h.mpc_events != mpc0) finding("after reset and bring-up the frame was dropped (MPC)");
    finding("after reset and bring-up the frame was not written back");
  }
  h.run(200);
  bool irq = false;
  for (size_t i = m0; i < h.msix.size(); ++i) irq |= h.msix[i].vec == 1;
  if (!irq) finding("after reset and bring-up the frame raised no MSI-X on its vector");
  return 0;
}

// libsystemc, linked with the model, wants an sc_main even where no simulation runs.
extern "C" int sc_main(int, char*[]) { return 0; }
