// SPDX-License-Identifier: Apache-2.0
// dma_memory: host memory as the two sides of a DMA see it, without the model behind it
// (systemc/host_mem implements it).
//
// - The CPU (the driver, through its HAL) addresses it directly, like a kernel virtual
//   address: no IOMMU, so a bus address is an offset into the mapping. Device writes are
//   posted; settle(t) makes every one visible by t visible to the CPU. Rings come from the
//   coherent allocator, buffers from the page allocator.
// - A device (the NIC) reaches it over TLM-2.0: reads and posted writes, each write tagged
//   with what it carries (dma_tag_ext) so its visibility can be attributed.
#pragma once
#include <systemc>
#include <tlm>

#include <cstdint>
#include <vector>

namespace igbsim {

class dma_memory {
 public:
  static constexpr uint64_t kPageSize = 4096;

  // CPU side: the mapping (inline: descriptor and buffer accesses are per frame)
  uint8_t* ptr(uint64_t addr) { return mem_ + addr; }
  uint64_t size() const { return size_; }
  // Apply every posted device write visible at or before t.
  virtual void settle(const sc_core::sc_time& t) = 0;
  // Every posted write visible at or before this time has been applied.
  const sc_core::sc_time& settled() const { return settled_; }

  // Coherent and page allocators (dma_alloc_coherent, alloc_page). alloc_page returns 0 when
  // no page is left; order 0: 4 KiB, order 1: 8 KiB (two contiguous pages, 8 KiB aligned).
  virtual uint64_t alloc_coherent(uint64_t bytes, uint64_t align = 4096) = 0;
  virtual uint64_t alloc_page(unsigned order = 0) = 0;
  virtual void free_page(uint64_t addr, unsigned order = 0) = 0;

 protected:
  ~dma_memory() = default;
  uint8_t* mem_ = nullptr;
  uint64_t size_ = 0;
  sc_core::sc_time settled_ = sc_core::SC_ZERO_TIME;
};

// Extension carrying the RTL's DMA tag with a write so its visibility can be attributed.
struct dma_tag_ext : tlm::tlm_extension<dma_tag_ext> {
  uint32_t tag = 0;    // transaction class (rtl/igb_pkg.sv TagDataWr, TagWbWr)
  uint32_t queue = 0;  // receive queue
  // An interrupt message (MSI-X write, or the INTx assertion message): it is not stored; its
  // arrival - after every earlier posted write is visible - is returned in the delay.
  bool interrupt = false;
  std::vector<uint64_t> frames;  // wire frame ids, one per frame or descriptor written
  tlm_extension_base* clone() const override { return new dma_tag_ext(*this); }
  void copy_from(const tlm_extension_base& e) override {
    tag = static_cast<const dma_tag_ext&>(e).tag;
    queue = static_cast<const dma_tag_ext&>(e).queue;
    interrupt = static_cast<const dma_tag_ext&>(e).interrupt;
    frames = static_cast<const dma_tag_ext&>(e).frames;
  }
};

}  // namespace igbsim
