// SPDX-License-Identifier: Apache-2.0
// eth_wire: the 1 Gb/s Ethernet wire into the NIC's MAC.
//
// A frame occupies preamble+SFD (8 B), its bytes including FCS, then the inter-frame gap
// (12 B) on the wire. A frame starts at its offered time or when the previous one's gap ends,
// whichever is later, so the wire never exceeds line rate. It has no SystemC process: the NIC
// pulls frames and knows, for every byte, the time it has been received (byte_done).
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

 private:
  wire_params p_;
  source_fn src_;
  std::optional<wire_frame> next_;
  uint64_t next_id_ = 0, offered_ = 0, bytes_ = 0;
  sc_core::sc_time free_at_ = sc_core::SC_ZERO_TIME;  // end of the previous frame's IFG
  sc_core::sc_time last_end_ = sc_core::SC_ZERO_TIME;
};

uint32_t ethernet_fcs(const uint8_t* data, size_t len);

}  // namespace igbsim
