// SPDX-License-Identifier: Apache-2.0
// eth_wire: the 1 Gb/s Ethernet wire into the NIC's MAC.
//
// A frame occupies preamble+SFD (8 B), its bytes including FCS, then the inter-frame gap
// (12 B) on the wire. A frame starts at its offered time or when the previous one's gap ends,
// whichever is later, so the wire never exceeds line rate. It has no SystemC process: the NIC
// pulls frames and knows, for every byte, the time it has been received (byte_done).
// Flow control (wire_params::honour_pause): the far end, the link partner, receives the NIC's
// frames (partner_receive). A PAUSE frame (DA 01-80-C2-00-00-01, type 0x8808, opcode 1) stops
// it starting frames from the moment the frame is received for its pause time x 512 bit times;
// a new one replaces the pause (0, XON: resume now). A frame already on the wire finishes; one
// that would start within a pause starts when it ends (frames wait at the sender, none is
// lost). Choice: the partner acts the moment the PAUSE frame's FCS is in (802.3 allows up to
// 512 bit times more at 1 Gb/s).
#pragma once
#include <systemc>

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "hw_params.h"

namespace igbsim {

struct wire_frame {
  uint64_t id = 0;
  sc_core::sc_time offered;                    // when the source wanted to send it
  sc_core::sc_time start;                      // first preamble bit on the wire
  std::vector<uint8_t> bytes;                  // destination MAC .. FCS
  sc_core::sc_time byte_done(size_t n) const;  // time the first n bytes have been received
  sc_core::sc_time end() const { return byte_done(bytes.size()); }
  double ns_per_byte = 8;
  uint32_t preamble = 8;
};

class eth_wire {
 public:
  // The source returns false when it has no frame now (not started, or finished); it is asked
  // again later. Frames must come in offered order.
  using source_fn = std::function<bool(uint64_t id, sc_core::sc_time& offered,
                                       std::vector<uint8_t>& bytes_without_fcs)>;
  eth_wire(const wire_params& p, source_fn src);

  // The next frame to put on the wire, if any (stays the same until pop()).
  const wire_frame* peek();
  void pop();
  uint64_t frames_offered() const { return offered_; }
  uint64_t bytes_offered() const { return bytes_; }
  // When the last frame taken from the source is off the wire (its FCS received): a source
  // that offers faster than line rate queues frames at the sender, and this is where the
  // last one really ends. Zero before the first frame.
  sc_core::sc_time last_end() const { return last_end_; }
  // A frame taken from the source and not yet fully received (peeked, not popped)
  bool holding() const { return next_.has_value(); }
  // Observer for every frame as it is put on the wire (for the scoreboard).
  std::function<void(const wire_frame&)> on_offer;

  // The partner received a frame from the NIC (destination .. FCS), its last byte at `end`.
  // Returns true when it re-timed the frame held for the NIC (peek): a pause it had not
  // started before; the caller works out its beats again.
  bool partner_receive(const std::vector<uint8_t>& frame, const sc_core::sc_time& end);
  // PAUSE frames the partner honoured (XOFF, XON), frames it held back, and the time it was
  // paused up to `upto` (a pause still running counts up to then)
  uint64_t partner_xoff() const { return xoff_; }
  uint64_t partner_xon() const { return xon_; }
  uint64_t frames_paused() const { return frames_paused_; }
  sc_core::sc_time partner_paused(const sc_core::sc_time& upto) const;

 private:
  wire_params p_;
  source_fn src_;
  std::optional<wire_frame> next_;
  uint64_t next_id_ = 0, offered_ = 0, bytes_ = 0;
  sc_core::sc_time free_at_ = sc_core::SC_ZERO_TIME;  // end of the previous frame's IFG
  sc_core::sc_time last_end_ = sc_core::SC_ZERO_TIME;
  // Pauses, oldest first, each cut short by the next one; those before first_live_ end before
  // any frame can still start (their time is in paused_done_)
  struct pause_window {
    sc_core::sc_time from, until;
  };
  std::vector<pause_window> pauses_;
  size_t first_live_ = 0;
  sc_core::sc_time paused_done_ = sc_core::SC_ZERO_TIME;
  uint64_t xoff_ = 0, xon_ = 0, frames_paused_ = 0;
  uint64_t paused_id_ = UINT64_MAX;  // the last frame counted in frames_paused_
  sc_core::sc_time next_natural_ = sc_core::SC_ZERO_TIME;       // next_'s start without pauses
  sc_core::sc_time after_pauses(sc_core::sc_time start) const;  // the start the pauses allow
  void place(wire_frame& f);  // start, end and the next frame's earliest start
};

uint32_t ethernet_fcs(const uint8_t* data, size_t len);

}  // namespace igbsim
