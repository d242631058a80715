// SPDX-License-Identifier: Apache-2.0
#include "tx_scoreboard.h"

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>

namespace igbsim {

namespace {

uint16_t be16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
uint32_t be32(const uint8_t* p) { return uint32_t(be16(p)) << 16 | be16(p + 2); }

// The one's-complement sum of 16-bit big-endian words (RFC 1071), folded
uint16_t ones_sum(const uint8_t* p, size_t n, uint32_t sum = 0) {
  for (size_t i = 0; i + 1 < n; i += 2) sum += be16(p + i);
  if (n & 1) sum += uint32_t(p[n - 1]) << 8;
  while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
  return static_cast<uint16_t>(sum);
}

}  // namespace

void tx_scoreboard::bad(const sc_core::sc_time& t, const std::string& kind,
                        const std::string& detail) {
  k_.violate_at(t, kind, detail);
}

void tx_scoreboard::sent(uint32_t flow, uint64_t seq, const uint8_t* payload, size_t len) {
  ++sent_;
  expect_[{flow, seq}].assign(payload, payload + len);
}

void tx_scoreboard::on_wire(const std::vector<uint8_t>& f, const sc_core::sc_time& end) {
  ++wire_;
  const std::string at = fmt::format("wire frame {} ({} bytes)", wire_ - 1, f.size());
  if (f.size() < 64) return bad(end, "tx_runt_frame", at + ": shorter than 64 bytes");
  const size_t n = f.size() - 4;
  const uint32_t fcs =
      f[n] | uint32_t(f[n + 1]) << 8 | uint32_t(f[n + 2]) << 16 | uint32_t(f[n + 3]) << 24;
  if (fcs != static_cast<uint32_t>(crc32(0, f.data(), static_cast<uInt>(n))))
    return bad(end, "tx_bad_fcs", at + ": the FCS is not the frame's CRC-32");
  if (!std::equal(a_.dst_mac, a_.dst_mac + 6, f.begin()) ||
      !std::equal(a_.src_mac, a_.src_mac + 6, f.begin() + 6) || be16(&f[12]) != 0x0800)
    return bad(end, "tx_corrupted_frame",
               at + ": not IPv4 from the device's address to the neighbour's");
  const uint8_t* ip = &f[14];
  const uint16_t tot = be16(ip + 2);
  if (ip[0] != 0x45 || tot < 28 || 14u + tot > n || (be16(ip + 6) & 0xBFFF) != 0 || ip[9] != 17 ||
      be32(ip + 12) != a_.saddr || be32(ip + 16) != a_.daddr)
    return bad(end, "tx_corrupted_frame",
               at + ": IPv4 header (version, length, fragment, protocol or addresses) wrong");
  if (ones_sum(ip, 20) != 0xFFFF)
    return bad(end, "tx_bad_checksum", at + ": IPv4 header checksum wrong");
  for (size_t i = 14u + tot; i < n; ++i)
    if (f[i] != 0) return bad(end, "tx_corrupted_frame", at + ": padding not zero");
  const uint8_t* udp = ip + 20;
  const size_t ulen = tot - 20u;
  if (be16(udp + 4) != ulen)
    return bad(end, "tx_corrupted_frame", at + ": UDP length differs from the IPv4 length");
  // The pseudo-header (addresses, protocol, UDP length) and the datagram sum to 0xFFFF; a
  // checksum field of 0 would mean none was computed
  const uint32_t pseudo = ones_sum(ip + 12, 8) + 17u + static_cast<uint32_t>(ulen);
  if (be16(udp + 6) == 0 || ones_sum(udp, ulen, pseudo) != 0xFFFF)
    return bad(end, "tx_bad_checksum", at + ": UDP checksum wrong");
  const uint32_t flow = be16(udp) - a_.sport_base;
  if (ulen < 8 + 12 || be16(udp + 2) != a_.dport_base + flow)
    return bad(end, "tx_corrupted_frame", at + ": ports of no sender flow");
  const uint8_t* pay = udp + 8;
  const uint64_t seq = uint64_t(be32(pay + 4)) << 32 | be32(pay + 8);
  auto it = expect_.find({flow, seq});
  if (be32(pay) != flow || it == expect_.end())
    return bad(end, "tx_unexpected_frame",
               at + fmt::format(": flow {} datagram {} was never sent, or is on the wire twice",
                                flow, seq));
  const std::vector<uint8_t>& want = it->second;
  if (want.size() != ulen - 8 || std::memcmp(want.data(), pay, want.size()) != 0)
    bad(end, "tx_corrupted_frame",
        at + fmt::format(": flow {} datagram {}: payload differs from what was sent", flow, seq));
  uint64_t& next = next_seq_[flow];
  if (seq < next)
    bad(end, "tx_out_of_order",
        at + fmt::format(": flow {} datagram {} left after a later one", flow, seq));
  next = seq + 1;
  expect_.erase(it);
  ++matched_;
}

}  // namespace igbsim
