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
// The partner as a receiver (wire_params::partner_rx_*): its buffer takes each of the NIC's
// data frames and frees it once the partner has absorbed it, one frame after another at
// partner_rx_rate_pct of line rate from its FCS on; a frame that does not fit is lost
// (partner_rx_dropped). With send_pause it sends PAUSE frames (wire_params::send_pause): XOFF
// (pause time 0xFFFF quanta) when its fill reaches the high mark, again every half pause time
// while the fill is not below the low mark, XON (time 0) when it falls below the low mark.
// Choice: the marks are igb_setup_fc's for the NIC's own packet buffer, applied to the
// partner's: high = (buffer - (max frame + 9728)) & ~15, low = high - 16. The 16-byte
// hysteresis works because the buffer, as the NIC's, frees whole frames: an XON follows an
// absorbed frame, not 16 bytes of a continuous drain (which would end each pause before the
// frame the NIC has on the wire does, so the NIC would never stop).
// With send_pause the fill counts a frame's bytes as they come in (partner_receiving, each of
// the NIC's transmit beats), as a MAC's packet buffer does: the XOFF goes when the fill reaches
// the high mark, mid-frame. The margin igb leaves above the mark (max frame + 9728) is for the
// rest of that frame and the one the NIC may start before the PAUSE is in; judged at the FCS
// instead, the frame that crossed the mark would take up to a max frame of it, and jumbo frames
// overflow. Without PAUSE a frame is counted at its FCS (the same drops, less work).
// A decision taken at a frame's beat is final (frames come in order). The XON (or refresh) the
// fill leads to without a new frame is provisional: a NIC frame received before it changes the
// fill, and it is withdrawn and worked out again. A control frame goes onto the NIC's receive
// wire before the source's next frame if it was decided at or before that frame's start
// (MAC control frames are not paused); the NIC is told (partner_receive returns true) to take
// the frame to present again, which has never started then: decisions are at least a transmit
// beat's last byte in the future of the NIC's cycle. Partner frames carry ids with kPartnerFrame
// set: they are not the source's datagrams.
#pragma once
#include <systemc>

#include <cstdint>
#include <deque>
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
  // It points into itself (the frame handed to the NIC): not copied
  eth_wire(const eth_wire&) = delete;
  eth_wire& operator=(const eth_wire&) = delete;

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
  // Observer for every frame as it is put on the wire (for the scoreboard). Its start may
  // still move (a PAUSE the partner honours re-times a frame that has not started)...
  std::function<void(const wire_frame&)> on_offer;
  // ... until the NIC has received it whole: its start and end are final here
  std::function<void(const wire_frame&)> on_received;

  // Ids of the frames the partner sends (PAUSE): not the source's
  static constexpr uint64_t kPartnerFrame = uint64_t{1} << 63;
  // The partner received a frame from the NIC (destination .. FCS), its last byte at `end`.
  // Returns true when the frame held for the NIC (peek) changed: re-timed by a pause it had not
  // started before, or another one (a PAUSE frame) goes first; the caller peeks again and works
  // out its beats again.
  bool partner_receive(const std::vector<uint8_t>& frame, const sc_core::sc_time& end);
  // Before that, each of its transmit beats: the frame so far (destination ..), its last
  // byte at `at`; counted only when the partner sends PAUSE. Returns as partner_receive does.
  bool partner_receiving(const std::vector<uint8_t>& so_far, const sc_core::sc_time& at) {
    return p_.send_pause && partner_beat(so_far, at);
  }
  // PAUSE frames the partner honoured (XOFF, XON), frames it held back, and the time it was
  // paused up to `upto` (a pause still running counts up to then)
  uint64_t partner_xoff() const { return xoff_; }
  uint64_t partner_xon() const { return xon_; }
  uint64_t frames_paused() const { return frames_paused_; }
  sc_core::sc_time partner_paused(const sc_core::sc_time& upto) const;
  // The partner as a receiver: PAUSE frames it sent (their last byte taken by the NIC), the
  // NIC's data frames it received and those its buffer had no room for, the buffer's peak
  uint64_t partner_xoff_sent() const { return xoff_sent_; }
  uint64_t partner_xon_sent() const { return xon_sent_; }
  uint64_t partner_rx_frames() const { return rx_frames_; }
  uint64_t partner_rx_dropped() const { return rx_dropped_; }
  uint64_t partner_rx_peak() const { return rx_peak_; }
  // No PAUSE of the partner's still to send: not in XOFF, none decided and not yet sent
  bool partner_quiet() const { return !xoff_state_ && ctl_q_.empty(); }
  // The time the partner's PAUSE frames paused the NIC up to `upto`: from each XOFF's last
  // byte for its pause time, cut short by the next PAUSE frame (802.3x; the NIC's MAC starts
  // its pause a couple of clock edges later)
  sc_core::sc_time nic_paused(const sc_core::sc_time& upto) const;
  uint32_t partner_high_mark() const { return high_; }
  uint32_t partner_low_mark() const { return low_; }

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
  sc_core::sc_time after_pauses(sc_core::sc_time start) const;  // the start the pauses allow
  void place(wire_frame& f);  // a source frame's start (after free_at_ and the pauses), end
  void fetch();               // the source's next frame into next_, if none and it has one
  void choose();              // the frame to hand to the NIC next: handed_

  // The frame handed to the NIC (peek): &*next_ or &ctl_, or none
  const wire_frame* handed_ = nullptr;
  // The partner's PAUSE frames: decided (time, pause quanta), oldest first; the last may be
  // provisional. The first is the one in ctl_ when that is handed.
  struct ctl_decision {
    sc_core::sc_time at;
    uint16_t quanta;
    bool provisional;
  };
  std::deque<ctl_decision> ctl_q_;
  wire_frame ctl_;
  uint64_t ctl_seq_ = 0;
  // The partner's receive buffer: frames held (when each is freed, its length), the fill,
  // when the partner is done with the last one, and the flow-control state
  struct held_frame {
    sc_core::sc_time done;
    uint32_t len;
  };
  std::deque<held_frame> held_;
  uint64_t fill_ = 0;
  // The NIC's frame coming in: its bytes seen so far, and whether it did not fit (its bytes
  // are out of fill_ again then)
  size_t inflight_ = 0;
  bool inflight_drop_ = false;
  sc_core::sc_time absorbed_at_ = sc_core::SC_ZERO_TIME;
  uint32_t high_ = 0, low_ = 0;
  bool xoff_state_ = false;
  sc_core::sc_time last_xoff_ = sc_core::SC_ZERO_TIME;
  uint64_t xoff_sent_ = 0, xon_sent_ = 0, rx_frames_ = 0, rx_dropped_ = 0, rx_peak_ = 0;
  // The NIC's pause by the partner's PAUSE frames: those that ended, and the last one's window
  sc_core::sc_time nic_paused_done_ = sc_core::SC_ZERO_TIME;
  sc_core::sc_time nic_pause_from_ = sc_core::SC_ZERO_TIME,
                   nic_pause_until_ = sc_core::SC_ZERO_TIME;
  void free_held(const sc_core::sc_time& t);  // frames absorbed by t leave the buffer
  // The next PAUSE the fill leads to without a new frame (XOFF state only): false if none
  bool next_decision(sc_core::sc_time& at, uint16_t& quanta) const;
  // Commits the decisions due by `t`, withdraws a provisional one after it; true if the frame
  // handed to the NIC was withdrawn
  bool settle_partner(const sc_core::sc_time& t);
  bool partner_buffer(size_t len, const sc_core::sc_time& end);  // a data frame in
  // The data frame coming in has `received` bytes at `at`: the fill and the XOFF it leads to
  bool partner_fill(size_t received, const sc_core::sc_time& at);
  // After the fill or a pause changed at `at`: the provisional decision, and whether the frame
  // handed to the NIC changed (partner_receive's result)
  bool partner_changed(const sc_core::sc_time& at, bool rechoose);
  bool partner_beat(const std::vector<uint8_t>& so_far, const sc_core::sc_time& at);
  sc_core::sc_time pause_time(unsigned quanta) const;
};

uint32_t ethernet_fcs(const uint8_t* data, size_t len);
// The FCS appended to a frame (destination .. payload), least significant byte first; and
// whether a frame's last four bytes are its FCS
void append_fcs(std::vector<uint8_t>& frame);
bool fcs_ok(const std::vector<uint8_t>& frame);

}  // namespace igbsim
