// SPDX-License-Identifier: Apache-2.0
#include "hal.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>

#include "dma_memory.h"
#include "kernel.h"

namespace igbsim {

using namespace sc_core;

hal::hal(sc_module_name name, kernel& k, dma_memory& mem)
    : sc_module(name),
      mmio_init_socket("mmio_init_socket"),
      k_(k),
      mem_(mem),
      pages_(mem.size() / dma_memory::kPageSize) {
  for (size_t i = 0; i < pages_.size(); ++i) pages_[i].phys = i * dma_memory::kPageSize;
}

namespace {
// A 32-bit register access as a TLM payload.
void mmio_payload(tlm::tlm_generic_payload& gp, tlm::tlm_command cmd, uint32_t reg, uint32_t* v) {
  gp.set_command(cmd);
  gp.set_address(reg);
  gp.set_data_ptr(reinterpret_cast<unsigned char*>(v));
  gp.set_data_length(4);
  gp.set_streaming_width(4);
  gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
}
}  // namespace

uint32_t hal::readl(uint32_t reg) {
  cpu_core& cpu = k_.this_cpu();
  cpu.sync();
  uint32_t v = 0;
  tlm::tlm_generic_payload gp;
  mmio_payload(gp, tlm::TLM_READ_COMMAND, reg, &v);
  sc_time delay = SC_ZERO_TIME;
  const sc_time start = sc_time_stamp();
  mmio_init_socket->b_transport(gp, delay);  // may wait: other cores run meanwhile
  wait(delay);                               // the completion's way back
  k_.set_this_cpu(&cpu);
  // The stall is CPU time of the running context.
  const sc_time stalled = sc_time_stamp() - start;
  cpu.account_stall(stalled);
  ++mmio_reads_;
  return v;
}

void hal::writel(uint32_t val, uint32_t reg) {
  if (on_writel) on_writel(reg, val);
  cpu_core& cpu = k_.this_cpu();
  cpu.spend(k_.cost.mmio_write_ns);
  tlm::tlm_generic_payload gp;
  mmio_payload(gp, tlm::TLM_WRITE_COMMAND, reg, &val);
  sc_time delay = cpu.now() - sc_time_stamp();  // leaves at the CPU's local time
  mmio_init_socket->b_transport(gp, delay);
  ++mmio_writes_;
}

uint64_t hal::dma_alloc_coherent(uint64_t bytes) { return mem_.alloc_coherent(bytes); }

uint8_t* hal::phys_to_virt(uint64_t phys) { return mem_.ptr(phys); }

uint64_t hal::dma_map_single(const uint8_t* ptr, uint32_t len) {
  const uint8_t* base = mem_.ptr(0);
  if (ptr >= base && ptr + len <= base + mem_.size())
    return static_cast<uint64_t>(ptr - base);  // host memory: no IOMMU, bus = physical
  uint64_t a = 0;
  bounce b{0, len};
  if (len <= 2 * dma_memory::kPageSize) {
    b.order = len <= dma_memory::kPageSize ? 0 : 1;
    a = mem_.alloc_page(static_cast<unsigned>(b.order));
  } else {
    b.order = -1;
    b.bytes = (len + dma_memory::kPageSize - 1) / dma_memory::kPageSize * dma_memory::kPageSize;
    auto it = bounce_free_large_.lower_bound(b.bytes);
    if (it != bounce_free_large_.end() && it->first == b.bytes) {
      a = it->second;
      bounce_free_large_.erase(it);
    } else {
      a = mem_.alloc_coherent(b.bytes);
    }
  }
  if (!a) return DMA_MAPPING_ERROR;
  std::memcpy(mem_.ptr(a), ptr, len);
  bounce_[a] = b;
  return a;
}

void hal::dma_unmap_single(uint64_t dma, uint32_t len) {
  if (on_dma_unmap) on_dma_unmap(dma, len);
  auto it = bounce_.find(dma);
  if (it == bounce_.end()) return;  // host memory mapped in place
  if (it->second.order >= 0) mem_.free_page(dma, static_cast<unsigned>(it->second.order));
  else bounce_free_large_.emplace(it->second.bytes, dma);
  bounce_.erase(it);
}

void hal::coherent_sync() {
  k_.this_cpu().sync();
  mem_.settle(sc_time_stamp());
}

page* hal::alloc_page(unsigned order) {
  const uint64_t a = mem_.alloc_page(order);
  if (!a) return nullptr;
  page* p = &pages_[a / dma_memory::kPageSize];
  p->refcount = 1;
  p->order = order;
  return p;
}

void hal::put_page(page* p, int n) {
  p->refcount -= n;
  if (p->refcount < 0) k_.violate("page_refcount", "page reference count below zero");
  if (p->refcount == 0) mem_.free_page(p->phys, p->order);
}

uint64_t hal::trace_desc_consumed(uint64_t desc_dma, const sc_time* fields_loaded) {
  auto it = wb_.find(desc_dma);
  const sc_time now = k_.this_cpu().now();
  if (fields_loaded && it != wb_.end() && it->second.visible > *fields_loaded &&
      it->second.visible <= now) {
    k_.violate(
        "desc_read_before_completion",
        fmt::format("descriptor at 0x{:x} (frame {}): fields loaded at {:.3f} us, before its "
                    "write-back became "
                    "visible at {:.3f} us (a load ahead of the completion check: no dma_rmb)",
                    desc_dma, it->second.frame, fields_loaded->to_seconds() * 1e6,
                    it->second.visible.to_seconds() * 1e6),
        static_cast<int64_t>(it->second.frame));
  }
  if (it == wb_.end() || it->second.visible > now) {
    k_.violate(
        "desc_before_writeback", "driver consumed descriptor at 0x" + [&] {
          char b[32];
          std::snprintf(b, sizeof b, "%llx", static_cast<unsigned long long>(desc_dma));
          return std::string(b);
        }() + " before its write-back was visible");
    return UINT64_MAX;
  }
  const uint64_t frame = it->second.frame;
  wb_.erase(it);
  return frame;
}

const sc_time& hal::visible_until() const { return mem_.settled(); }

void hal::stack_hold(uint64_t phys, uint32_t len, uint64_t frame) {
  auto [it, fresh] = held_.try_emplace(phys, held{len, frame, 0});
  if (!fresh) it->second = held{std::max(len, it->second.len), frame, it->second.count};
  ++it->second.count;
}

void hal::stack_release(uint64_t phys) {
  auto it = held_.find(phys);
  if (it != held_.end() && --it->second.count <= 0) held_.erase(it);
}

bool hal::held_by_stack(uint64_t phys, uint32_t len, uint64_t* frame) const {
  auto it = held_.lower_bound(phys + len);  // first hold starting at or after the end
  if (it == held_.begin()) return false;
  --it;
  if (it->first + it->second.len <= phys) return false;
  *frame = it->second.frame;
  return true;
}

void hal::note_writeback(uint64_t desc_dma, uint64_t frame, const sc_time& visible) {
  if (wb_.count(desc_dma)) {
    k_.violate("writeback_overwrite", "descriptor written back again before the driver consumed it",
               static_cast<int64_t>(frame));
  }
  wb_[desc_dma] = {frame, visible};
}

void hal::note_msix(unsigned vec, const sc_time& sent, const sc_time& arrival) {
  if (msix_.size() <= vec) msix_.resize(vec + 1);
  msix_[vec].push_back({sent, arrival});
}

bool hal::msix_arrived(unsigned vec, const sc_time& now, irq_message* m) {
  if (vec >= msix_.size()) return false;
  std::deque<irq_message>& q = msix_[vec];
  while (q.size() > 1 && q[1].arrival <= now) q.pop_front();
  if (q.empty() || q.front().arrival > now) return false;
  *m = q.front();
  return true;
}

void hal::request_irq(unsigned vec, std::function<void()> handler) {
  k_.cpu(k_.irq_cpu(vec)).request_irq(vec, std::move(handler));
}

}  // namespace igbsim
