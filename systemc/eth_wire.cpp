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

void append_fcs(std::vector<uint8_t>& f) {
  const uint32_t fcs = ethernet_fcs(f.data(), f.size());
  for (int i = 0; i < 4; ++i) f.push_back(static_cast<uint8_t>(fcs >> (8 * i)));
}

bool fcs_ok(const std::vector<uint8_t>& f) {
  const size_t n = f.size() - 4;
  return f.size() >= 4 &&
         ethernet_fcs(f.data(), n) ==
             (f[n] | uint32_t(f[n + 1]) << 8 | uint32_t(f[n + 2]) << 16 | uint32_t(f[n + 3]) << 24);
}

eth_wire::eth_wire(const wire_params& p, source_fn src) : p_(p), src_(std::move(src)) {
  // igb_setup_fc's marks (hwm = pba - (max_frame + 9728) & ~15, lwm = hwm - 16), on the
  // partner's buffer; the configuration keeps the buffer above the margin
  const int64_t margin = int64_t{p_.partner_max_frame} + 9728;
  if (p_.partner_rx_buffer >= margin + 32) {
    high_ = static_cast<uint32_t>((p_.partner_rx_buffer - margin) & ~int64_t{15});
    low_ = high_ - 16;
  } else {
    high_ = UINT32_MAX;  // as igb's u32 mark that wraps: never reached
    low_ = 0;
  }
}

const wire_frame* eth_wire::peek() {
  if (handed_) return handed_;
  fetch();
  choose();
  return handed_;
}

void eth_wire::fetch() {
  if (!next_) {
    wire_frame f;
    f.id = next_id_;
    if (src_(f.id, f.offered, f.bytes)) {
      ++next_id_;
      append_fcs(f.bytes);
      f.ns_per_byte = 8.0 / p_.gbps;
      f.preamble = p_.preamble_bytes;
      place(f);
      ++offered_;
      bytes_ += f.bytes.size();
      next_ = std::move(f);
      if (on_offer) on_offer(*next_);
    }
  }
}

void eth_wire::choose() {
  if (next_) place(*next_);  // from the previous frame's end (and the pauses) as they are now
  if (ctl_q_.empty() || (next_ && ctl_q_.front().at > next_->start)) {
    handed_ = next_ ? &*next_ : nullptr;
    return;
  }
  // A PAUSE frame: DA 01-80-C2-00-00-01, the partner's address, type 0x8808, opcode 1, the
  // pause time, zeros to 60 bytes, FCS. MAC control frames are not held back by a pause.
  static constexpr uint8_t kHead[16] = {0x01, 0x80, 0xC2, 0x00, 0x00, 0x01, 0x02, 0x00,
                                        0x00, 0x00, 0x00, 0x02, 0x88, 0x08, 0x00, 0x01};
  const ctl_decision& d = ctl_q_.front();
  ctl_.id = kPartnerFrame | ctl_seq_;
  ctl_.bytes.assign(kHead, kHead + 16);
  ctl_.bytes.push_back(static_cast<uint8_t>(d.quanta >> 8));
  ctl_.bytes.push_back(static_cast<uint8_t>(d.quanta));
  ctl_.bytes.resize(60, 0);
  append_fcs(ctl_.bytes);
  ctl_.ns_per_byte = 8.0 / p_.gbps;
  ctl_.preamble = p_.preamble_bytes;
  ctl_.offered = d.at;
  ctl_.start = std::max(d.at, free_at_);
  handed_ = &ctl_;
}

void eth_wire::pop() {
  if (!handed_) return;
  free_at_ = handed_->end() + time_of_ns(p_.ifg_bytes * handed_->ns_per_byte);
  if (handed_ == &ctl_) {
    ctl_decision& d = ctl_q_.front();
    if (d.provisional) {
      // Sent before any frame from the NIC changed it: it stands (a frame ending before it
      // would have reached the partner before the NIC's cycle passed that end)
      free_held(d.at);
      if (d.quanta) last_xoff_ = d.at;
      else xoff_state_ = false;
      d.provisional = false;
      // and the fill leads on: after a refresh, to an XON or the next refresh
      sc_time at;
      uint16_t quanta = 0;
      if (next_decision(at, quanta)) ctl_q_.push_back({at, quanta, true});
    }
    (d.quanta ? xoff_sent_ : xon_sent_)++;
    // The NIC's pause: the one running ends here, an XOFF starts one
    const sc_time end = ctl_.end();
    nic_paused_done_ += std::min(end, nic_pause_until_) - std::min(end, nic_pause_from_);
    nic_pause_from_ = end;
    nic_pause_until_ = d.quanta ? end + pause_time(d.quanta) : end;
    ctl_q_.pop_front();
    ++ctl_seq_;
  } else {
    if (on_received) on_received(*next_);
    next_.reset();
  }
  handed_ = nullptr;
}

void eth_wire::place(wire_frame& f) {
  const sc_time natural = std::max(f.offered, free_at_);
  f.start = after_pauses(natural);
  if (f.start != natural && f.id != paused_id_) {
    ++frames_paused_;
    paused_id_ = f.id;
  }
  last_end_ = f.end();
}

sc_time eth_wire::after_pauses(sc_time start) const {
  for (size_t i = first_live_; i < pauses_.size(); ++i)
    if (start >= pauses_[i].from && start < pauses_[i].until) start = pauses_[i].until;
  return start;
}

sc_time eth_wire::pause_time(unsigned quanta) const {
  return time_of_ns(quanta * 64.0 * 8.0 / p_.gbps);  // 512 bit times a quantum
}

void eth_wire::free_held(const sc_time& t) {
  while (!held_.empty() && held_.front().done <= t) {
    fill_ -= held_.front().len;
    held_.pop_front();
  }
}

bool eth_wire::next_decision(sc_time& at, uint16_t& quanta) const {
  if (!xoff_state_) return false;
  // A refresh at half the pause time while the fill is not below the low mark, unless a frame
  // absorbed before then takes it below: XON
  const sc_time refresh = last_xoff_ + pause_time(0xFFFF) / 2;
  uint64_t fill = fill_;
  for (const held_frame& h : held_) {
    if (h.done > refresh) break;
    fill -= h.len;
    if (fill < low_) {
      at = h.done;
      quanta = 0;
      return true;
    }
  }
  at = refresh;
  quanta = 0xFFFF;
  return true;
}

bool eth_wire::settle_partner(const sc_time& t) {
  sc_time at;
  uint16_t quanta = 0;
  while (next_decision(at, quanta) && at <= t) {
    free_held(at);
    if (quanta) last_xoff_ = at;
    else xoff_state_ = false;
    if (!ctl_q_.empty() && ctl_q_.back().provisional) ctl_q_.back().provisional = false;
    else ctl_q_.push_back({at, quanta, false});
  }
  free_held(t);
  if (ctl_q_.empty() || !ctl_q_.back().provisional) return false;
  // Withdrawn: a frame received before it changes the fill
  const bool was_handed = handed_ == &ctl_ && ctl_q_.size() == 1;
  ctl_q_.pop_back();
  if (was_handed) handed_ = nullptr;
  return was_handed;
}

namespace {
bool is_mac_control(const std::vector<uint8_t>& f) {
  return f.size() >= 14 && f[12] == 0x88 && f[13] == 0x08;
}
}  // namespace

bool eth_wire::partner_fill(size_t received, const sc_time& at) {
  // The bytes of the frame come in since the last count; a frame the buffer has no room for
  // leaves what it had taken and takes no more
  if (!inflight_drop_) {
    const size_t more = received - inflight_;
    if (fill_ + more > p_.partner_rx_buffer) {
      fill_ -= inflight_;
      inflight_drop_ = true;
    } else {
      fill_ += more;
      rx_peak_ = std::max(rx_peak_, fill_);
    }
    inflight_ = received;
  }
  if (!p_.send_pause || xoff_state_ || fill_ < high_) return false;
  xoff_state_ = true;
  last_xoff_ = at;
  ctl_q_.push_back({at, 0xFFFF, false});
  return true;
}

bool eth_wire::partner_buffer(size_t len, const sc_time& end) {
  ++rx_frames_;
  const bool changed = partner_fill(len, end);
  if (inflight_drop_) {
    ++rx_dropped_;  // no room: lost at the partner
  } else {
    // Absorbed one after another at partner_rx_rate_pct of line rate
    absorbed_at_ = std::max(absorbed_at_, end) +
                   time_of_ns(len * 8.0 / p_.gbps * 100.0 / p_.partner_rx_rate_pct);
    held_.push_back({absorbed_at_, static_cast<uint32_t>(len)});
  }
  inflight_ = 0;
  inflight_drop_ = false;
  return changed;
}

bool eth_wire::partner_beat(const std::vector<uint8_t>& f, const sc_time& at) {
  // Not a data frame (a PAUSE of the NIC's), or its type not in yet: nothing to count
  if (f.size() < 14 || is_mac_control(f)) return false;
  const bool rechoose = settle_partner(at);
  return partner_changed(at, partner_fill(f.size(), at) || rechoose);
}

bool eth_wire::partner_receive(const std::vector<uint8_t>& f, const sc_time& end) {
  static constexpr uint8_t kPauseDa[6] = {0x01, 0x80, 0xC2, 0x00, 0x00, 0x01};
  // The partner's decisions due before this frame's FCS stand; a provisional one after it is
  // worked out again with this frame
  bool rechoose = settle_partner(end);
  if (!is_mac_control(f)) {
    rechoose = partner_buffer(f.size(), end) || rechoose;
  } else if (p_.honour_pause && f.size() >= 64 && std::equal(kPauseDa, kPauseDa + 6, f.begin()) &&
             f[14] == 0x00 && f[15] == 0x01 && fcs_ok(f)) {
    // (a damaged frame is discarded, as any MAC does)
    const unsigned quanta = unsigned(f[16]) << 8 | f[17];
    (quanta ? xoff_ : xon_)++;
    // The pause running now ends here; the new one (none for XON) starts here
    if (!pauses_.empty() && pauses_.back().until > end) pauses_.back().until = end;
    if (quanta) pauses_.push_back({end, end + pause_time(quanta)});
    // Pauses that end before any frame may start any more are done
    while (first_live_ < pauses_.size() && pauses_[first_live_].until <= free_at_ &&
           first_live_ + 1 < pauses_.size()) {
      paused_done_ += pauses_[first_live_].until - pauses_[first_live_].from;
      ++first_live_;
    }
    // The source's frame, if it had not started when the PAUSE came, starts as the pauses now
    // allow: later after an XOFF, sooner after an XON that cut a pause short
    if (next_ && next_->start >= end) rechoose = true;
  }
  return partner_changed(end, rechoose);
}

bool eth_wire::partner_changed(const sc_time& at, bool rechoose) {
  // What the fill leads to if no frame comes before it (provisional)
  sc_time next;
  uint16_t quanta = 0;
  if (next_decision(next, quanta)) {
    ctl_q_.push_back({next, quanta, true});
    rechoose = true;
  }
  // The frame to hand to the NIC is chosen again if it has not started: a PAUSE decided at or
  // before the source frame's start goes first, a re-timed source frame moves
  if (!rechoose || (handed_ && handed_->start < at)) return false;
  const wire_frame* was = handed_;
  const sc_time was_start = was ? was->start : SC_ZERO_TIME;
  handed_ = nullptr;
  fetch();
  choose();
  return handed_ != was || (handed_ && handed_->start != was_start);
}

sc_time eth_wire::partner_paused(const sc_time& upto) const {
  sc_time t = paused_done_;
  for (size_t i = first_live_; i < pauses_.size(); ++i)
    if (pauses_[i].from < upto) t += std::min(upto, pauses_[i].until) - pauses_[i].from;
  return t;
}

sc_time eth_wire::nic_paused(const sc_time& upto) const {
  return nic_paused_done_ + std::min(upto, nic_pause_until_) - std::min(upto, nic_pause_from_);
}

}  // namespace igbsim
