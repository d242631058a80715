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
  f.start = next_natural_ = std::max(f.offered, free_at_);
  place(f);
  ++offered_;
  bytes_ += f.bytes.size();
  next_ = std::move(f);
  if (on_offer) on_offer(*next_);
  return &*next_;
}

void eth_wire::pop() { next_.reset(); }

void eth_wire::place(wire_frame& f) {
  const sc_time natural = f.start;
  f.start = after_pauses(f.start);
  if (f.start != natural && f.id != paused_id_) {
    ++frames_paused_;
    paused_id_ = f.id;
  }
  last_end_ = f.end();
  free_at_ = last_end_ + time_of_ns(p_.ifg_bytes * f.ns_per_byte);
}

sc_time eth_wire::after_pauses(sc_time start) const {
  for (size_t i = first_live_; i < pauses_.size(); ++i)
    if (start >= pauses_[i].from && start < pauses_[i].until) start = pauses_[i].until;
  return start;
}

bool eth_wire::partner_receive(const std::vector<uint8_t>& f, const sc_time& end) {
  static constexpr uint8_t kPauseDa[6] = {0x01, 0x80, 0xC2, 0x00, 0x00, 0x01};
  if (!p_.honour_pause || f.size() < 64 || !std::equal(kPauseDa, kPauseDa + 6, f.begin()) ||
      f[12] != 0x88 || f[13] != 0x08 || f[14] != 0x00 || f[15] != 0x01)
    return false;
  if (ethernet_fcs(f.data(), f.size() - 4) !=
      (f[f.size() - 4] | uint32_t(f[f.size() - 3]) << 8 | uint32_t(f[f.size() - 2]) << 16 |
       uint32_t(f[f.size() - 1]) << 24))
    return false;  // a damaged frame is discarded, as any MAC does
  const unsigned quanta = unsigned(f[16]) << 8 | f[17];
  (quanta ? xoff_ : xon_)++;
  // The pause running now ends here; the new one (none for XON) starts here
  if (!pauses_.empty() && pauses_.back().until > end) pauses_.back().until = end;
  const double ns_per_byte = 8.0 / p_.gbps;
  if (quanta) pauses_.push_back({end, end + time_of_ns(quanta * 64.0 * ns_per_byte)});
  // Pauses that end before any frame may start any more are done
  const sc_time floor = next_ ? next_natural_ : free_at_;
  while (first_live_ < pauses_.size() && pauses_[first_live_].until <= floor &&
         first_live_ + 1 < pauses_.size()) {
    paused_done_ += pauses_[first_live_].until - pauses_[first_live_].from;
    ++first_live_;
  }
  // The frame held for the NIC, if it had not started when the PAUSE came, starts as the
  // pauses now allow: later after an XOFF, sooner after an XON that cut a pause short
  if (!next_ || next_->start < end) return false;
  const sc_time was = next_->start;
  next_->start = next_natural_;
  place(*next_);
  return next_->start != was;
}

sc_time eth_wire::partner_paused(const sc_time& upto) const {
  sc_time t = paused_done_;
  for (size_t i = first_live_; i < pauses_.size(); ++i)
    if (pauses_[i].from < upto) t += std::min(upto, pauses_[i].until) - pauses_[i].from;
  return t;
}

}  // namespace igbsim
