// SPDX-License-Identifier: Apache-2.0
#include "host_mem.h"

#include <cstring>
#include <new>
#include <stdexcept>

#include <sys/mman.h>

namespace igbsim {

using namespace sc_core;

host_mem::host_mem(sc_module_name name, const host_mem_layout& l)
    : sc_module(name), tgt_socket("tgt_socket") {
  // Coherent allocations (rings) first, then the 4 KiB pages, then the 8 KiB ones.
  coherent_end_ = (l.coherent_bytes + 2 * kPageSize - 1) / (2 * kPageSize) * (2 * kPageSize);
  page_next_[0] = coherent_end_;
  page_end_[0] = page_next_[1] = coherent_end_ + l.order0_pages * kPageSize;
  page_end_[1] = page_next_[1] + l.order1_pages * 2 * kPageSize;
  size_ = page_end_[1];
  void* m = ::mmap(nullptr, size_, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (m == MAP_FAILED) throw std::bad_alloc();
  mem_ = static_cast<uint8_t*>(m);
  tgt_socket.register_b_transport(this, &host_mem::b_transport);
  tgt_socket.register_get_direct_mem_ptr(this, &host_mem::get_direct_mem_ptr);
}

host_mem::~host_mem() { ::munmap(mem_, size_); }

void host_mem::settle(const sc_time& t) {
  if (t > settled_) settled_ = t;
  while (!posted_.empty() && posted_.front().visible <= t) {
    posted_write& w = posted_.front();
    std::memcpy(mem_ + w.addr, w.data.data(), w.data.size());
    if (on_visible)
      on_visible(w.addr, static_cast<uint32_t>(w.data.size()), w.tag, w.frames, w.visible);
    posted_.pop_front();
  }
}

void host_mem::b_transport(tlm::tlm_generic_payload& gp, sc_time& delay) {
  const uint64_t addr = gp.get_address();
  const uint32_t len = gp.get_data_length();
  if (auto* ext = gp.get_extension<dma_tag_ext>(); ext && ext->interrupt && gp.is_write()) {
    // PCIe ordering: a message write does not pass earlier posted writes.
    sc_time at = sc_time_stamp() + delay;
    if (!posted_.empty() && at < posted_.back().visible) at = posted_.back().visible;
    delay = at - sc_time_stamp();
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
    return;
  }
  if (addr > size_ || len > size_ - addr) {
    gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  const sc_time at = sc_time_stamp() + delay;
  if (gp.is_write()) {
    posted_write w{
        at, addr, 0, {}, std::vector<uint8_t>(gp.get_data_ptr(), gp.get_data_ptr() + len)};
    if (auto* ext = gp.get_extension<dma_tag_ext>()) {
      w.tag = ext->tag;
      w.frames = ext->frames;
    }
    // Posted writes on one link stay in order: never visible before an earlier one.
    if (!posted_.empty() && w.visible < posted_.back().visible) w.visible = posted_.back().visible;
    posted_.push_back(std::move(w));
  } else {
    // Settle only to the present: applying writes up to `at` would let a CPU read that
    // happens before `at` see them early.
    settle(sc_time_stamp());
    std::memcpy(gp.get_data_ptr(), mem_ + addr, len);
  }
  gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

bool host_mem::get_direct_mem_ptr(tlm::tlm_generic_payload&, tlm::tlm_dmi& dmi) {
  // DMI for reads only: device writes must stay posted so their visibility time holds.
  dmi.allow_read();
  dmi.set_dmi_ptr(mem_);
  dmi.set_start_address(0);
  dmi.set_end_address(size_ - 1);
  return true;
}

uint64_t host_mem::alloc_coherent(uint64_t bytes, uint64_t align) {
  uint64_t a = (coherent_next_ + align - 1) / align * align;
  if (a + bytes > coherent_end_) throw std::runtime_error("host_mem: coherent memory exhausted");
  coherent_next_ = a + bytes;
  return a;
}

uint64_t host_mem::alloc_page(unsigned order) {
  auto& list = free_pages_[order];
  if (list.empty()) {
    if (page_next_[order] >= page_end_[order]) return 0;
    const uint64_t a = page_next_[order];
    page_next_[order] += kPageSize << order;
    return a;
  }
  uint64_t a = list.back();
  list.pop_back();
  return a;
}

void host_mem::free_page(uint64_t addr, unsigned order) { free_pages_[order].push_back(addr); }

}  // namespace igbsim
