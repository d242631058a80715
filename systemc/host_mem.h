// SPDX-License-Identifier: Apache-2.0
// host_mem: the host's DRAM as a TLM-2.0 target with DMI.
//
// Device writes are posted: a write arriving through b_transport with annotated delay d at
// time t becomes visible at t + d (LT semantics honoured, not approximated). Writes are kept
// in visibility order and applied lazily: anyone who reads (the CPU through settle(), the
// device through b_transport) first applies every write visible by then. Since no process
// runs ahead of another's pending activity, nobody ever sees a write before its time.
// Reads through b_transport return the data at the call (a read request's arrival is at most
// one link latency later; software cannot change a descriptor the device may still fetch).
#pragma once
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <vector>

#include "dma_memory.h"

namespace igbsim {

// How host memory is laid out: the coherent region (descriptor rings) from address 0, then
// the order-0 pages (4 KiB), then the order-1 pages (8 KiB, 8 KiB aligned).
struct host_mem_layout {
  uint64_t coherent_bytes = 16ull << 20;
  uint64_t order0_pages = 6144;
  uint64_t order1_pages = 3072;
  uint64_t bytes() const { return coherent_bytes + order0_pages * 4096 + order1_pages * 8192; }
};

class host_mem final : public sc_core::sc_module, public dma_memory {
 public:
  tlm_utils::simple_target_socket<host_mem> tgt_socket;

  // Memory is reserved, not committed: only pages the run touches become resident.
  host_mem(sc_core::sc_module_name name, const host_mem_layout& layout = host_mem_layout{});
  ~host_mem() override;

  // CPU side (dma_memory): ptr, size, settled
  void settle(const sc_core::sc_time& t) override;
  // Called for each device write when it becomes visible: address, length, DMA tag, the
  // frames it carries (one for data, one per descriptor for a write-back burst), the time.
  std::function<void(uint64_t, uint32_t, uint32_t, const std::vector<uint64_t>&,
                     const sc_core::sc_time&)>
      on_visible;

  // Coherent and page allocators over the host memory (dma_alloc_coherent, alloc_page).
  uint64_t alloc_coherent(uint64_t bytes, uint64_t align = 4096) override;
  // Returns 0 when no page is left.
  // order 0: 4 KiB, order 1: 8 KiB (two contiguous pages, 8 KiB aligned), each from its own
  // region of the layout; no splitting or merging between them. A freed page is the next one
  // handed out; pages never used are handed out in address order.
  uint64_t alloc_page(unsigned order = 0) override;
  void free_page(uint64_t addr, unsigned order = 0) override;
  // Adds to `out` the frames of posted writes on their way (not yet visible)
  template <class Set>
  void frames_posted(Set& out) const {
    for (const auto& w : posted_) out.insert(w.frames.begin(), w.frames.end());
  }
  uint64_t pages_free(unsigned order = 0) const {
    return free_pages_[order].size() +
           (page_end_[order] - page_next_[order]) / (kPageSize << order);
  }

 private:
  struct posted_write {
    sc_core::sc_time visible;
    uint64_t addr;
    uint32_t tag;
    std::vector<uint64_t> frames;
    std::vector<uint8_t> data;
  };
  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
  bool get_direct_mem_ptr(tlm::tlm_generic_payload& gp, tlm::tlm_dmi& dmi);

  // mem_ (dma_memory): zeroed memory from an anonymous mapping without swap reservation: the
  // pages come from the kernel already zero and become resident only when touched (a vector's
  // memset touched all of it at start-up; calloc of a large size is refused under heuristic
  // overcommit).
  std::deque<posted_write> posted_;
  uint64_t coherent_next_ = 0x1000;
  uint64_t coherent_end_;
  uint64_t page_next_[2], page_end_[2];  // pages never handed out: [next, end) per order
  std::vector<uint64_t> free_pages_[2];  // pages freed, the last freed handed out first
};

}  // namespace igbsim
