// SPDX-License-Identifier: Apache-2.0
// bus_monitor: a protocol checker on the NIC's two interfaces, register writes as they reach
// the NIC and DMA/interrupt traffic as it leaves it. It knows nothing of the RTL's internals,
// only what the programming interface promises, so it judges the hardware and the driver alike:
//
//   descriptor_outside_ring  hardware fetched or wrote back a descriptor outside [RDH, RDT):
//                            one software has not given it (RDH is tracked from write-backs)
//   writeback_before_data    a descriptor was written back (DD) before its buffer's data write
//   msix_inside_eitr_interval  two messages of one vector closer than the EITR interval that
//                            the first one armed
//   tail_equals_head         software moved RDT onto RDH: the ring looks empty to hardware
//                            while software thinks it gave every descriptor
//   dma_outside_memory       a DMA address outside host memory (an IOMMU would fault it)
//   tx_descriptor_outside_ring  hardware fetched or wrote back a transmit descriptor outside
//                            [TDH, TDT) (TDH tracked from the write-backs, which come in order)
//   tdt_outside_ring         software wrote TDT at or beyond the ring's count (TDLEN / 16)
//   tx_writeback_before_data  a transmit data descriptor was written back (DD) before the
//                            completions of all its buffer's reads had reached the NIC
#pragma once
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <vector>

namespace igbsim {

class bus_monitor {
 public:
  bus_monitor(unsigned queues, unsigned vectors, uint64_t cycles_per_us);

  // A violation: kind, detail, NIC cycle
  std::function<void(const char* kind, const std::string& detail, uint64_t cycle)> on_violation;

  void mmio_write(uint64_t cycle, uint32_t addr, uint32_t val);
  void desc_read(uint64_t cycle, unsigned queue, uint64_t addr, uint32_t len);
  void data_write(unsigned queue);
  void writeback(uint64_t cycle, unsigned queue, uint64_t addr, uint32_t len);
  // The index in receive queue `queue`'s ring of the descriptor at addr, or -1 outside it
  int64_t rx_index(unsigned queue, uint64_t addr) const;
  // Transmit queues: a descriptor fetch (data: the descriptors as read, len bytes), a data
  // read whose completion's last beat reaches the NIC at last_beat, a descriptor write-back (DD)
  void tx_desc_read(uint64_t cycle, unsigned queue, uint64_t addr, const uint8_t* data,
                    uint32_t len);
  void tx_data_read(unsigned queue, uint32_t len, uint64_t last_beat);
  void tx_writeback(uint64_t cycle, unsigned queue, uint64_t addr, uint32_t len);
  void message(uint64_t cycle, unsigned vec);  // MSI-X (or the MSI message on vector 0)
  void dma_error(uint64_t cycle, bool write, uint64_t addr, uint32_t len);

 private:
  struct ring {
    uint64_t base = 0;
    uint32_t count = 0;             // RDLEN / 16
    uint32_t head = 0;              // RDH as the write-backs move it
    uint32_t tail = 0;              // RDT as software last wrote it
    uint64_t data_unannounced = 0;  // buffers written whose descriptor is not written back
  };
  // A fetched transmit descriptor: its buffer's length (a data descriptor), the bytes its
  // reads asked for, the cycle the last of their completions arrives
  struct tx_slot {
    bool data = false;
    uint32_t len = 0, requested = 0;
    uint64_t done = 0;
  };
  struct tx_state {
    std::vector<tx_slot> slots;    // by descriptor index
    std::deque<uint32_t> reading;  // data descriptors whose reads are not all asked, in order
  };
  struct vec_state {
    uint32_t interval = 0, prev_interval = 0;  // EITR bits 14:2, us
    uint64_t changed = 0;                      // cycle of the last EITR write
    bool sent = false;
    uint64_t last = 0;        // cycle of the last message
    uint32_t armed_with = 0;  // the interval that message armed
  };
  // Queue and register offset of a receive- (or transmit-) queue register, or false
  static bool queue_reg(uint32_t addr, unsigned& q, uint32_t& off, bool tx);
  void tx_ring_write(uint64_t cycle, unsigned q, uint32_t off, uint32_t val);
  void tx_check(uint64_t cycle, unsigned queue, uint64_t addr, uint32_t len, const char* what);
  // Is [first, first + n) inside [head, tail) of the ring?
  static bool owned(const ring& r, uint32_t first, uint32_t n);
  void report(const char* kind, const std::string& detail, uint64_t cycle);

  std::vector<ring> rings_;
  std::vector<ring> tx_rings_;  // head: TDH as software set it and write-backs moved it
  std::vector<tx_state> tx_state_;
  std::vector<vec_state> vecs_;
  uint64_t cycles_per_us_;
  std::vector<bool> reported_;  // one report per queue and kind is enough to name the bug
};

}  // namespace igbsim
