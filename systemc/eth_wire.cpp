// SPDX-License-Identifier: Apache-2.0
#include "eth_wire.h"

#include <zlib.h>

#include <algorithm>

#include "sim_time.h"

namespace igbsim {

using namespace sc_core;

sc_time wire_frame::byte_done(size_t n) const {
  // Per wire beat: sim_time.h's conversion (same value as sc_time(ns, SC_NS), a tenth of the cost)
  return start + time_of_ns((preamble + n) * ns_per_byte);
}

uint32_t ethernet_fcs(const uint8_t* data, size_t len) {
  return static_cast<uint32_t>(crc32(0L, data, static_cast<uInt>(len)));
}

eth_wire::eth_wire(const wire_params& p, source_fn src) : p_(p), src_(std::move(src)) {}

const wire_frame* eth_wire::peek() {
  if (next_) return &*next_;
  wire_frame f;
  f.id = next_id_;
  if (!src_(f.id, f.offered, f.bytes)) return nullptr;  // none yet, or none any more
  ++next_id_;
  const uint32_t fcs = ethernet_fcs(f.bytes.data(), f.bytes.size());
  for (int i = 0; i < 4; ++i) f.bytes.push_back(static_cast<uint8_t>(fcs >> (8 * i)));
  f.ns_per_byte = 8.0 / p_.gbps;
  f.preamble = p_.preamble_bytes;
  f.start = std::max(f.offered, free_at_);
  last_end_ = f.end();
  free_at_ = last_end_ + time_of_ns(p_.ifg_bytes * f.ns_per_byte);
  ++offered_;
  bytes_ += f.bytes.size();
  next_ = std::move(f);
  if (on_offer) on_offer(*next_);
  return &*next_;
}

void eth_wire::pop() { next_.reset(); }

}  // namespace igbsim
