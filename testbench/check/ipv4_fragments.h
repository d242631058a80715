// SPDX-License-Identifier: Apache-2.0
// The geometry of an IPv4 datagram sent over the MTU, as the testbench computes it on its own
// (the stack's ip_make_skb cuts it the kernel's way; the scoreboard and the sender's rate check
// against this): the IP payload of each fragment.
#pragma once
#include <cstdint>
#include <vector>

namespace igbsim {

// __ip_append_data cuts at maxfraglen while what is left does not fit the MTU: pieces of
// (mtu - 20) rounded down to 8 bytes, then the rest (up to mtu - 20 bytes) last. A datagram
// whose ip_payload fits mtu - 20 is one packet.
inline std::vector<uint32_t> ipv4_fragment_sizes(uint32_t ip_payload, uint32_t mtu) {
  const uint32_t room = mtu - 20, per = room & ~7u;
  std::vector<uint32_t> v;
  for (; ip_payload > room; ip_payload -= per) v.push_back(per);
  v.push_back(ip_payload);
  return v;
}

}  // namespace igbsim
