// SPDX-License-Identifier: Apache-2.0
// tx_scoreboard: the transmit half of the scoreboard. Every datagram the sender application
// sent (its sendto returned the length) must leave on the NIC's wire as a well-formed frame -
// the FCS right, Ethernet to the route's neighbour from the device's address, IPv4 and UDP
// headers with the addresses, ports and lengths of its flow and correct checksums, the payload
// byte for byte, zero padding - and in order within its flow; or be counted by a drop counter
// (the qdisc's), or still be in flight when a bounded drain ends. The checksums and the FCS are
// computed here from the frame's bytes (RFC 1071 sums, zlib's CRC-32), not by the stack's or
// the RTL's code. A sendto that returned EAGAIN sent nothing and is the application's count.
#pragma once
#include <systemc>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "kernel.h"

namespace igbsim {

struct tx_flow_addr {
  uint8_t dst_mac[6], src_mac[6];
  uint32_t saddr, daddr;
  uint16_t sport_base, dport_base;  // flow n: sport_base + n -> dport_base + n
};

class tx_scoreboard {
 public:
  tx_scoreboard(kernel& k, const tx_flow_addr& a) : k_(k), a_(a) {}
  // The sender's sendto of datagram `seq` of `flow` returned its length
  void sent(uint32_t flow, uint64_t seq, const uint8_t* payload, size_t len);
  // A frame left on the wire (destination address .. FCS), its last byte at `end`
  void on_wire(const std::vector<uint8_t>& frame, const sc_core::sc_time& end);
  tx_flow_addr& addr() { return a_; }  // the device's address is known once igb_open ran
  uint64_t sent_count() const { return sent_; }
  uint64_t on_wire_count() const { return wire_; }
  uint64_t matched_count() const { return matched_; }
  // Sent and neither on the wire yet nor among `dropped` (the drop counters' sum)
  uint64_t outstanding(uint64_t dropped) const {
    const uint64_t gone = matched_ + dropped;
    return sent_ > gone ? sent_ - gone : 0;
  }

 private:
  void bad(const sc_core::sc_time& t, const std::string& kind, const std::string& detail);
  kernel& k_;
  tx_flow_addr a_;
  std::map<std::pair<uint32_t, uint64_t>, std::vector<uint8_t>> expect_;  // (flow, seq)
  std::map<uint32_t, uint64_t> next_seq_;  // per flow: the lowest sequence number still allowed
  uint64_t sent_ = 0, wire_ = 0, matched_ = 0;
};

}  // namespace igbsim
