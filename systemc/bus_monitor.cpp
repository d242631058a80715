// SPDX-License-Identifier: Apache-2.0
#include "bus_monitor.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

namespace igbsim {

namespace {
// Register offsets inside a receive queue's block and the interrupt registers
// (driver/e1000_regs.h names them; the monitor decodes both queue-register blocks itself:
// 0x100 apart for queues 0-3 at kRdbalA, 0x40 apart at kRdbalC). testbench/tests/regmap_test
// checks these against rtl/igb_pkg.sv.
constexpr uint32_t kRdbalA = 0x02800, kRdbalC = 0x0C000;
constexpr uint32_t kRdbal = 0x00, kRdbah = 0x04, kRdlen = 0x08, kRdh = 0x10, kRdt = 0x18;
// The transmit-queue blocks, laid out as the receive ones
constexpr uint32_t kTdbalA = 0x03800, kTdbalC = 0x0E000;
constexpr uint32_t kTdbal = 0x00, kTdbah = 0x04, kTdlen = 0x08, kTdh = 0x10, kTdt = 0x18;
constexpr uint32_t kEitr0 = 0x01680, kEitrCntIgnr = 0x80000000;
enum kind_index {
  kOutside,
  kWbBeforeData,
  kEitr,
  kTailHead,
  kDmaRange,
  kTxOutside,
  kTdtOutside,
  kTxWbBeforeData,
  kKinds
};
// A transmit descriptor's fields (reference B.1, B.2): DTALEN bits 15:0 and DTYP bits 23:20
// of cmd_type_len (bytes 8-11), DCMD.DEXT bit 29; a context descriptor is DTYP 0010 with DEXT
// (regmap_test checks kAdvtxdDcmdDext against igb_pkg; the DTYP field and its context value,
// igb_pkg's AdvtxdDtypCtxt, and DTALEN are not among the names it compares)
constexpr uint32_t kAdvtxdDcmdDext = 0x20000000;
constexpr unsigned kTxdDtypMask = 0x00F00000, kTxdDtypCtxt = 0x00200000, kTxdDtalenMask = 0xFFFF;
// A write of EITR reaches the timer logic a few cycles after the monitor sees it on the
// register port; a message inside that window may still have armed the previous interval.
constexpr uint64_t kEitrSettleCycles = 8;
}  // namespace

bus_monitor::bus_monitor(unsigned queues, unsigned vectors, uint64_t cycles_per_us)
    : rings_(queues),
      tx_rings_(queues),
      tx_state_(queues),
      vecs_(vectors),
      cycles_per_us_(cycles_per_us),
      reported_(queues * kKinds + kKinds, false) {}

bool bus_monitor::queue_reg(uint32_t addr, unsigned& q, uint32_t& off, bool tx) {
  const uint32_t block_a = tx ? kTdbalA : kRdbalA, block_c = tx ? kTdbalC : kRdbalC;
  if (addr >= block_a && addr < block_a + 4 * 0x100 && (addr & 0xFF) < 0x40) {
    q = (addr - block_a) >> 8;
    off = addr & 0x3F;
    return true;
  }
  if (addr >= block_c && addr < block_c + 8 * 0x40) {
    q = (addr - block_c) >> 6;
    off = addr & 0x3F;
    return true;
  }
  return false;
}

bool bus_monitor::owned(const ring& r, uint32_t first, uint32_t n) {
  if (r.count == 0 || first >= r.count || r.head >= r.count) return false;
  const uint32_t have = (r.tail + r.count - r.head) % r.count;
  const uint32_t from = (first + r.count - r.head) % r.count;
  return from + n <= have;
}

void bus_monitor::report(const char* kind, const std::string& detail, uint64_t cycle) {
  if (on_violation) on_violation(kind, detail, cycle);
}

void bus_monitor::mmio_write(uint64_t cycle, uint32_t addr, uint32_t val) {
  if (addr >= kEitr0 && addr < kEitr0 + 4 * vecs_.size() && (addr & 3) == 0) {
    vec_state& v = vecs_[(addr - kEitr0) / 4];
    v.prev_interval = v.interval;
    v.interval = val >> 2 & 0x1FFF;
    v.changed = cycle;
    if (!(val & kEitrCntIgnr)) v.sent = false;  // the write restarts the throttle timer
    return;
  }
  unsigned q;
  uint32_t off;
  if (queue_reg(addr, q, off, true)) {
    if (q < tx_rings_.size()) tx_ring_write(cycle, q, off, val);
    return;
  }
  if (!queue_reg(addr, q, off, false) || q >= rings_.size()) return;
  ring& r = rings_[q];
  switch (off) {
    case kRdbal: r.base = (r.base & ~0xFFFFFFFFull) | (val & ~0x7Fu); break;
    case kRdbah: r.base = (r.base & 0xFFFFFFFFull) | static_cast<uint64_t>(val) << 32; break;
    case kRdlen: r.count = (val & 0xFFF80) / 16; break;
    case kRdh:
      r.head = val & 0xFFFF;
      r.data_unannounced = 0;
      break;
    case kRdt: {
      const uint32_t t = val & 0xFFFF;
      if (t != r.tail && t == r.head && r.count && !reported_[q * kKinds + kTailHead]) {
        reported_[q * kKinds + kTailHead] = true;
        report(
            "tail_equals_head",
            fmt::format("queue {}: RDT moved from {} to {}, onto RDH: hardware sees an empty ring",
                        q, r.tail, t),
            cycle);
      }
      r.tail = t;
      break;
    }
    default: break;
  }
}

void bus_monitor::tx_ring_write(uint64_t cycle, unsigned q, uint32_t off, uint32_t val) {
  ring& r = tx_rings_[q];
  switch (off) {
    case kTdbal: r.base = (r.base & ~0xFFFFFFFFull) | (val & ~0x7Fu); break;
    case kTdbah: r.base = (r.base & 0xFFFFFFFFull) | static_cast<uint64_t>(val) << 32; break;
    case kTdlen:
      r.count = (val & 0xFFF80) / 16;
      tx_state_[q].slots.assign(r.count, tx_slot{});
      break;
    case kTdh:
      r.head = val & 0xFFFF;
      tx_state_[q].reading.clear();
      break;
    case kTdt:
      r.tail = val & 0xFFFF;
      // TDT indexes the ring: count and beyond name no descriptor (the datasheet leaves what
      // the part does then undefined)
      if (r.count && r.tail >= r.count && !reported_[q * kKinds + kTdtOutside]) {
        reported_[q * kKinds + kTdtOutside] = true;
        report("tdt_outside_ring",
               fmt::format("transmit queue {}: TDT written {}, beyond the ring's last descriptor "
                           "{}",
                           q, r.tail, r.count - 1),
               cycle);
      }
      break;
    default: break;
  }
}

void bus_monitor::tx_check(uint64_t cycle, unsigned queue, uint64_t addr, uint32_t len,
                           const char* what) {
  if (queue >= tx_rings_.size()) return;
  ring& r = tx_rings_[queue];
  const uint32_t n = len / 16;
  const uint64_t first = addr >= r.base ? (addr - r.base) / 16 : UINT64_MAX;
  if (first < r.count && owned(r, static_cast<uint32_t>(first), n)) return;
  if (reported_[queue * kKinds + kTxOutside]) return;
  reported_[queue * kKinds + kTxOutside] = true;
  report("tx_descriptor_outside_ring",
         fmt::format("transmit queue {}: {} of descriptors [{}, {}) while hardware owns [TDH, "
                     "TDT) = [{}, {})",
                     queue, what, static_cast<int64_t>(first), static_cast<int64_t>(first + n),
                     r.head, r.tail),
         cycle);
}

void bus_monitor::tx_desc_read(uint64_t cycle, unsigned queue, uint64_t addr, const uint8_t* data,
                               uint32_t len) {
  tx_check(cycle, queue, addr, len, "fetch");
  if (queue >= tx_rings_.size()) return;
  const ring& r = tx_rings_[queue];
  tx_state& st = tx_state_[queue];
  if (addr < r.base || st.slots.size() != r.count) return;
  // The engine reads the data descriptors' buffers in ring order, one descriptor at a time
  for (uint32_t i = 0; i < len / 16; ++i) {
    const uint64_t idx = (addr - r.base) / 16 + i;
    if (idx >= r.count) break;
    uint32_t ctl;
    std::memcpy(&ctl, data + 16 * i + 8, 4);  // little-endian, as the host
    tx_slot& s = st.slots[idx];
    s = tx_slot{};
    s.data = !((ctl & kTxdDtypMask) == kTxdDtypCtxt && (ctl & kAdvtxdDcmdDext));
    s.len = s.data ? (ctl & kTxdDtalenMask) : 0;
    if (s.len) st.reading.push_back(static_cast<uint32_t>(idx));
  }
}

void bus_monitor::tx_data_read(unsigned queue, uint32_t len, uint64_t last_beat) {
  if (queue >= tx_state_.size() || tx_state_[queue].reading.empty()) return;
  tx_state& st = tx_state_[queue];
  tx_slot& s = st.slots[st.reading.front()];
  s.requested += len;
  s.done = last_beat;
  if (s.requested >= s.len) st.reading.pop_front();
}

void bus_monitor::tx_writeback(uint64_t cycle, unsigned queue, uint64_t addr, uint32_t len) {
  tx_check(cycle, queue, addr, len, "write-back");
  // Write-backs come in ring order: every descriptor up to this one's end is done
  if (queue >= tx_rings_.size()) return;
  ring& r = tx_rings_[queue];
  tx_state& st = tx_state_[queue];
  // Each data descriptor written back must have had all its buffer's data read by now
  for (uint32_t i = 0; addr >= r.base && st.slots.size() == r.count && i < len / 16; ++i) {
    const uint64_t idx = (addr - r.base) / 16 + i;
    if (idx >= r.count) break;
    tx_slot& s = st.slots[idx];
    if (s.len && (s.requested < s.len || s.done >= cycle) &&
        !reported_[queue * kKinds + kTxWbBeforeData]) {
      reported_[queue * kKinds + kTxWbBeforeData] = true;
      report("tx_writeback_before_data",
             fmt::format("transmit queue {}: descriptor {} written back with DD while {} of its "
                         "{} buffer bytes had been read{}",
                         queue, idx, std::min(s.requested, s.len), s.len,
                         s.requested >= s.len ? " (their completion still on its way)" : ""),
             cycle);
    }
    s = tx_slot{};
  }
  if (r.count && addr >= r.base)
    r.head = static_cast<uint32_t>(((addr - r.base) / 16 + len / 16) % r.count);
}

void bus_monitor::desc_read(uint64_t cycle, unsigned queue, uint64_t addr, uint32_t len) {
  if (queue >= rings_.size()) return;
  const ring& r = rings_[queue];
  const uint32_t n = len / 16;
  const uint64_t first = (addr - r.base) / 16;
  if (addr >= r.base && first < r.count && owned(r, static_cast<uint32_t>(first), n)) return;
  if (reported_[queue * kKinds + kOutside]) return;
  reported_[queue * kKinds + kOutside] = true;
  report("descriptor_outside_ring",
         fmt::format(
             "queue {}: fetch of descriptors [{}, {}) while hardware owns [RDH, RDT) = [{}, {})",
             queue, first, first + n, r.head, r.tail),
         cycle);
}

void bus_monitor::data_write(unsigned queue) {
  if (queue < rings_.size()) ++rings_[queue].data_unannounced;
}

int64_t bus_monitor::rx_index(unsigned queue, uint64_t addr) const {
  if (queue >= rings_.size()) return -1;
  const ring& r = rings_[queue];
  if (addr < r.base || (addr - r.base) / 16 >= r.count) return -1;
  return static_cast<int64_t>((addr - r.base) / 16);
}

void bus_monitor::writeback(uint64_t cycle, unsigned queue, uint64_t addr, uint32_t len) {
  if (queue >= rings_.size()) return;
  ring& r = rings_[queue];
  const uint32_t n = len / 16;
  const uint64_t first = addr >= r.base ? (addr - r.base) / 16 : UINT64_MAX;
  if ((first != r.head || !owned(r, r.head, n)) && !reported_[queue * kKinds + kOutside]) {
    reported_[queue * kKinds + kOutside] = true;
    report("descriptor_outside_ring",
           fmt::format("queue {}: write-back of descriptors [{}, {}) while hardware owns [RDH, "
                       "RDT) = [{}, {})",
                       queue, static_cast<int64_t>(first), static_cast<int64_t>(first + n), r.head,
                       r.tail),
           cycle);
  }
  if (r.data_unannounced < n && !reported_[queue * kKinds + kWbBeforeData]) {
    reported_[queue * kKinds + kWbBeforeData] = true;
    report("writeback_before_data",
           fmt::format("queue {}: descriptors [{}, {}) written back with DD, but only {} of their "
                       "buffers' data "
                       "writes came before",
                       queue, r.head, r.head + n, r.data_unannounced),
           cycle);
  }
  r.data_unannounced -= std::min<uint64_t>(n, r.data_unannounced);
  if (r.count) r.head = static_cast<uint32_t>((r.head + n) % r.count);
}

void bus_monitor::message(uint64_t cycle, unsigned vec) {
  if (vec >= vecs_.size()) return;
  vec_state& v = vecs_[vec];
  // The timer counts the interval in 1 us ticks starting at the next tick, so the earliest
  // next message is (interval - 1) us after this one.
  const uint64_t floor = v.armed_with ? (v.armed_with - 1) * cycles_per_us_ : 0;
  if (v.sent && cycle - v.last < floor && !reported_[rings_.size() * kKinds + kEitr]) {
    reported_[rings_.size() * kKinds + kEitr] = true;
    report(
        "msix_inside_eitr_interval",
        fmt::format("vector {}: messages {:.3f} us apart while EITR asks for at least {} us", vec,
                    static_cast<double>(cycle - v.last) / static_cast<double>(cycles_per_us_),
                    v.armed_with),
        cycle);
  }
  v.sent = true;
  v.last = cycle;
  v.armed_with =
      cycle - v.changed < kEitrSettleCycles ? std::min(v.interval, v.prev_interval) : v.interval;
}

void bus_monitor::dma_error(uint64_t cycle, bool write, uint64_t addr, uint32_t len) {
  if (reported_[rings_.size() * kKinds + kDmaRange]) return;
  reported_[rings_.size() * kKinds + kDmaRange] = true;
  report("dma_outside_memory",
         fmt::format("DMA {} of {} bytes at 0x{:x}, outside host memory (dropped)",
                     write ? "write" : "read", len, addr),
         cycle);
}

}  // namespace igbsim
