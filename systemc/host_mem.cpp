#include "host_mem.h"

#include <cstring>
#include <new>
#include <stdexcept>

namespace igbsim {

using namespace sc_core;

host_mem::host_mem(sc_module_name name, uint64_t bytes)
    : sc_module(name), tgt_socket("tgt_socket"),
      mem_(static_cast<uint8_t*>(std::calloc(bytes, 1))), size_(bytes) {
  if (!mem_) throw std::bad_alloc();
  tgt_socket.register_b_transport(this, &host_mem::b_transport);
  tgt_socket.register_get_direct_mem_ptr(this, &host_mem::get_direct_mem_ptr);
  // First quarter: coherent allocations (rings); the rest: 4 KiB pages for buffers.
  coherent_end_ = bytes / 4;
  const uint64_t split = coherent_end_ + (bytes - coherent_end_) / 2 / (2 * kPageSize) * (2 * kPageSize);
  for (uint64_t a = split - kPageSize; a >= coherent_end_; a -= kPageSize) free_pages_[0].push_back(a);
  for (uint64_t a = bytes - 2 * kPageSize; a >= split; a -= 2 * kPageSize) free_pages_[1].push_back(a);
}

void host_mem::settle(const sc_time& t) {
  if (t > settled_) settled_ = t;
  while (!posted_.empty() && posted_.front().visible <= t) {
    posted_write& w = posted_.front();
    std::memcpy(mem_.get() + w.addr, w.data.data(), w.data.size());
    if (on_visible) on_visible(w.addr, static_cast<uint32_t>(w.data.size()), w.tag, w.frames, w.visible);
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
    posted_write w{at, addr, 0, {}, std::vector<uint8_t>(gp.get_data_ptr(), gp.get_data_ptr() + len)};
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
    std::memcpy(gp.get_data_ptr(), mem_.get() + addr, len);
  }
  gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

bool host_mem::get_direct_mem_ptr(tlm::tlm_generic_payload&, tlm::tlm_dmi& dmi) {
  // DMI for reads only: device writes must stay posted so their visibility time holds.
  dmi.allow_read();
  dmi.set_dmi_ptr(mem_.get());
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
  if (list.empty()) return 0;
  uint64_t a = list.back();
  list.pop_back();
  return a;
}

void host_mem::free_page(uint64_t addr, unsigned order) { free_pages_[order].push_back(addr); }

}  // namespace igbsim
