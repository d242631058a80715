// SPDX-License-Identifier: Apache-2.0
// hal: the kernel services a driver uses to reach the hardware - and the only way it does.
//
//   readl(reg)            non-posted MMIO read: the CPU stalls for the PCIe round trip
//   writel(val, reg)      posted MMIO write: costs the CPU mmio_write_ns, lands later
//   dma_alloc_coherent    memory both the CPU and the device see (descriptor rings)
//   coherent_sync()       the CPU is about to read memory the device writes: bring the CPU's
//                         time up to date and make every device write visible by now visible.
//                         Call it before reading a descriptor; without it you read old data.
//   dma_map_single        a buffer the device reads (a transmitted skb's head or fragment):
//   dma_unmap_single      its bus address while mapped; unmapping releases the mapping
//   dma_rmb / dma_wmb     barriers; the model orders memory exactly, so they only cost time
//   alloc_page / put_page page allocator over host memory with reference counts (struct page)
//   request_irq(vec, fn)  the handler runs in hardirq context on the CPU
//
// A driver variant needs nothing else (plus the NAPI calls in stack/dev.h) to run against the
// same NIC. All of it charges simulated CPU time from the cost table.
#pragma once
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <unordered_map>
#include <vector>

namespace igbsim {

class kernel;
class dma_memory;

struct page {
  uint64_t phys = 0;   // bus address (no IOMMU: equal to the physical address)
  int refcount = 0;    // page_ref_count
  unsigned order = 0;  // a compound page of 2^order pages
};

class hal : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<hal> mmio_init_socket;

  // Host memory only through dma_memory (common/dma_memory.h): no model behind it is seen here.
  hal(sc_core::sc_module_name name, kernel& k, dma_memory& mem);

  uint32_t readl(uint32_t reg);
  void writel(uint32_t val, uint32_t reg);
  uint64_t dma_alloc_coherent(uint64_t bytes);
  uint8_t* phys_to_virt(uint64_t phys);
  void coherent_sync();
  void dma_rmb() {}
  void dma_wmb() {}
  // dma_map_single(dev, ptr, len, DMA_TO_DEVICE) / dma_unmap_single. Memory inside host memory
  // (a page from alloc_page) maps to its own bus address. The stack's skb heads and fragments
  // live outside the modelled host memory, so mapping copies them into a bounce buffer in host
  // memory (as swiotlb does for memory a device cannot reach) and the device reads the copy;
  // the copy costs no CPU time, standing for the direct mapping of a real system. Returns
  // DMA_MAPPING_ERROR when no bounce buffer is left (dma_mapping_error).
  static constexpr uint64_t DMA_MAPPING_ERROR = ~0ull;
  uint64_t dma_map_single(const uint8_t* ptr, uint32_t len);
  void dma_unmap_single(uint64_t dma, uint32_t len);
  static bool dma_mapping_error(uint64_t dma) { return dma == DMA_MAPPING_ERROR; }
  size_t dma_bounce_buffers() const { return bounce_.size(); }  // mapped bounce buffers
  page* alloc_page(unsigned order = 0);  // 4 KiB << order; nullptr when memory is exhausted
  void page_ref_add(page* p, int n) { p->refcount += n; }
  void put_page(page* p, int n = 1);  // drops n references, frees at zero
  void request_irq(unsigned vec, std::function<void()> handler);
  kernel& k() { return k_; }

  // Tracepoint: a driver that consumes a descriptor's write-back reports it, so the journey
  // follows the frame and the completion checker verifies the write-back was visible then.
  // Returns the frame id, or UINT64_MAX (and a violation) when no write-back was visible.
  // fields_loaded: when the CPU loaded the descriptor's other fields, if earlier than now (a
  // load hoisted above the completion check, which dma_rmb forbids).
  uint64_t trace_desc_consumed(uint64_t desc_dma, const sc_core::sc_time* fields_loaded = nullptr);
  // Memory as the CPU last saw it is complete up to this time (loads issued earlier than
  // coherent_sync() see device writes visible by then, no later ones).
  const sc_core::sc_time& visible_until() const;
  // Buffers the stack holds (skb data in a page the driver also owns): the device must not
  // write there until the skb is freed. hold/release per skb fragment; held_by_stack looks up
  // the frame holding any byte of [phys, phys + len), or returns false.
  void stack_hold(uint64_t phys, uint32_t len, uint64_t frame);
  void stack_release(uint64_t phys);
  bool held_by_stack(uint64_t phys, uint32_t len, uint64_t* frame) const;
  // Fed by the host-memory observer and the MSI-X controller.
  void note_writeback(uint64_t desc_dma, uint64_t frame, const sc_core::sc_time& visible);
  // An interrupt message on vector vec: when it left the NIC's port and when it reaches the CPU.
  struct irq_message {
    sc_core::sc_time sent, arrival;
  };
  void note_msix(unsigned vec, const sc_core::sc_time& sent, const sc_core::sc_time& arrival);
  // The latest message on vec that has reached the CPU by `now` (a handler running now was
  // raised by it); false when none has.
  bool msix_arrived(unsigned vec, const sc_core::sc_time& now, irq_message* m);
  uint64_t mmio_reads() const { return mmio_reads_; }
  // Checkers watch the driver's register writes (offset, value) as it issues them
  std::function<void(uint32_t reg, uint32_t val)> on_writel;
  // ... and its unmapping of the buffers the device reads (bus address, length)
  std::function<void(uint64_t dma, uint32_t len)> on_dma_unmap;
  // Descriptors written back and not yet consumed: bus address -> frame, when visible
  struct wb_seen {
    uint64_t frame;
    sc_core::sc_time visible;
  };
  const std::unordered_map<uint64_t, wb_seen>& pending_writebacks() const { return wb_; }
  uint64_t mmio_writes() const { return mmio_writes_; }

 private:
  kernel& k_;
  dma_memory& mem_;
  std::vector<page> pages_;  // one struct page per 4 KiB of host memory
  uint64_t mmio_reads_ = 0, mmio_writes_ = 0;
  std::unordered_map<uint64_t, wb_seen> wb_;  // by descriptor bus address
  std::vector<std::deque<irq_message>>
      msix_;  // per vector: the latest arrived, then any on their way
  struct held {
    uint32_t len;
    uint64_t frame;
    int count;
  };
  std::map<uint64_t, held> held_;  // by start address
  // Bounce buffers in use, by bus address: the page order (0, 1) or, beyond 8 KiB, a block of
  // coherent memory (order -1, its size in bytes kept for reuse)
  struct bounce {
    int order;
    uint64_t bytes;
  };
  std::unordered_map<uint64_t, bounce> bounce_;
  std::multimap<uint64_t, uint64_t> bounce_free_large_;  // size -> address
};

}  // namespace igbsim
