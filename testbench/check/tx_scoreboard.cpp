// SPDX-License-Identifier: Apache-2.0
#include "tx_scoreboard.h"

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <iterator>

#include "ipv4_fragments.h"
#include "sim_time.h"

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

// The IP packets a datagram of len payload bytes leaves as: one if it fits the MTU, else its
// fragments
uint64_t tx_scoreboard::packets_of(size_t len) const {
  return ipv4_fragment_sizes(static_cast<uint32_t>(len + 8), mtu_).size();
}

void tx_scoreboard::sending(uint32_t flow, uint64_t seq, const uint8_t* payload, size_t len) {
  expect_[{flow, seq}].assign(payload, payload + len);
  sendto_begin(len);
}

void tx_scoreboard::sent(size_t len) {
  ++sent_;
  sent_packets_ += packets_of(len);
  sendto_end(len);
}

void tx_scoreboard::not_sent(uint32_t flow, uint64_t seq, size_t len, const sc_core::sc_time& t) {
  sendto_end(len);
  if (expect_.erase({flow, seq}) == 0)
    bad(t, "tx_unexpected_frame",
        fmt::format("flow {} datagram {} is on the wire, but its sendto failed", flow, seq));
}

void tx_scoreboard::on_wire(const std::vector<uint8_t>& f, const sc_core::sc_time& end) {
  ++wire_;
  // An IPv4 fragment (MF or an offset): only the first carries the UDP header
  const bool fragment = f.size() >= 34 && be16(&f[12]) == 0x0800 && (be16(&f[20]) & 0x3FFF) != 0;
  // Whose frame it is, as below: a reply's UDP source port is none of the sender's flows (the
  // host sends IPv4 headers without options; a fragment's, by its datagram's first: below)
  if (!fragment && f.size() >= 36 && is_reply(be16(&f[34]))) ++wire_echo_;
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
  const uint16_t tot = be16(ip + 2), frag = be16(ip + 6);
  // A whole datagram may carry DF; a fragment must not, and has payload
  const bool header_ok = fragment ? (frag & 0x4000) == 0 && tot > 20 : (frag & 0xBFFF) == 0;
  if (ip[0] != 0x45 || tot < (fragment ? 21 : 28) || 14u + tot > n || !header_ok || ip[9] != 17 ||
      be32(ip + 12) != a_.saddr)
    return bad(end, "tx_corrupted_frame",
               at + ": IPv4 header (version, length, fragment, protocol or source) wrong");
  if (ones_sum(ip, 20) != 0xFFFF)
    return bad(end, "tx_bad_checksum", at + ": IPv4 header checksum wrong");
  for (size_t i = 14u + tot; i < n; ++i)
    if (f[i] != 0) return bad(end, "tx_corrupted_frame", at + ": padding not zero");
  if (fragment) return on_fragment(ip, at, end);
  // A whole datagram's packet counts on the wire once it matched what was sent (a repeat or a
  // stranger does not); a fragment when it joins its datagram's others (on_fragment), since a
  // datagram partly on the wire is never matched
  const uint64_t matched = matched_;
  on_datagram(ip, at, end, false);
  if (matched_ != matched) ++wire_packets_;
}

// A fragment joins its datagram's others (by source, destination and ID, RFC 791); the
// datagram is judged once its bytes from 0 to the last fragment's end are all in. Fragments
// must not overlap, every one but the last holds a multiple of 8 bytes, and all carry the
// same header but for length, flags, offset and checksum (ip_do_fragment copies the first's).
void tx_scoreboard::on_fragment(const uint8_t* ip, const std::string& at,
                                const sc_core::sc_time& end) {
  const uint16_t tot = be16(ip + 2), frag = be16(ip + 6);
  const uint32_t off = (frag & 0x1FFFu) * 8u, len = tot - 20u;
  const bool more = frag & 0x2000;
  if (more && len % 8 != 0)
    return bad(end, "tx_corrupted_frame",
               at + fmt::format(": a fragment with more to follow holds {} bytes, not a "
                                "multiple of 8",
                                len));
  const std::tuple<uint32_t, uint32_t, uint16_t> key{be32(ip + 12), be32(ip + 16), be16(ip + 4)};
  reassembly& r = reasm_[key];
  // A datagram's fragments leave in order (one TX queue, FIFO): a first fragment where an
  // earlier datagram of the same ID has its first already means that one's later fragments
  // were dropped (the ID came round again); it is given up, as a receiver's ipfrag_time would
  if (off == 0 && r.first_seen) {
    ++incomplete_;
    r = reassembly{};
  }
  auto same_header = [&](const uint8_t* h) {
    return std::equal(h, h + 2, ip) && std::equal(h + 4, h + 6, ip + 4) &&
           std::equal(h + 8, h + 10, ip + 8) && std::equal(h + 12, h + 20, ip + 12);
  };
  if (!r.parts.empty() && !same_header(r.header.data()))
    return bad(end, "tx_corrupted_frame",
               at + ": a fragment's IPv4 header differs from its datagram's other fragments'");
  auto next = r.parts.lower_bound(off);
  const bool overlaps =
      (next != r.parts.end() && next->first < off + len) ||
      (next != r.parts.begin() && std::prev(next)->first + std::prev(next)->second.size() > off);
  const bool past_last =
      !more && !r.parts.empty() &&
      std::prev(r.parts.end())->first + std::prev(r.parts.end())->second.size() > off + len;
  if (overlaps || past_last || off + len > 65535u - 20u || (!more && r.total >= 0) ||
      (r.total >= 0 && off + len > static_cast<uint32_t>(r.total)))
    return bad(end, "tx_corrupted_frame",
               at + fmt::format(": fragment at offset {} ({} bytes) overlaps its datagram's "
                                "others or ends past its end",
                                off, len));
  ++wire_packets_;
  if (r.parts.empty()) std::copy(ip, ip + 20, r.header.begin());
  r.parts.emplace(off, std::vector<uint8_t>(ip + 20, ip + tot));
  r.have += len;
  ++r.frames;
  // The frames of an echo reply's datagram: known from its first fragment (the first out)
  if (off == 0 && len >= 2) {
    r.first_seen = true;
    r.reply = is_reply(be16(ip + 20));
    if (r.reply) wire_echo_ += r.frames;
  } else if (r.first_seen && r.reply) {
    ++wire_echo_;
  }
  if (!more) r.total = off + len;
  if (r.total < 0 || r.have != static_cast<size_t>(r.total)) return;
  // Whole: the datagram as one buffer, its header the first fragment's with the full length
  std::vector<uint8_t> d(r.header.begin(), r.header.end());
  for (const auto& [o, bytes] : r.parts) d.insert(d.end(), bytes.begin(), bytes.end());
  const size_t total = d.size();
  d[2] = static_cast<uint8_t>(total >> 8);
  d[3] = static_cast<uint8_t>(total);
  d[6] = d[7] = 0;
  const std::string whole = at + fmt::format(", the last of {} fragments", r.frames);
  reasm_.erase(key);
  on_datagram(d.data(), whole, end, true);
}

// A whole datagram (ip: its 20-byte IPv4 header, the total length in it): a sender's
// datagram matched against what was sent, or an echo reply
void tx_scoreboard::on_datagram(const uint8_t* ip, const std::string& at,
                                const sc_core::sc_time& end, bool fragmented) {
  if (on_whole) on_whole(ip);
  const uint16_t tot = be16(ip + 2);
  const uint8_t* udp = ip + 20;
  const size_t ulen = tot - 20u;
  if (be16(udp + 4) != ulen)
    return bad(end, "tx_corrupted_frame", at + ": UDP length differs from the IPv4 length");
  // The pseudo-header (addresses, protocol, UDP length) and the datagram sum to 0xFFFF; a
  // checksum field of 0 would mean none was computed
  const uint32_t pseudo = ones_sum(ip + 12, 8) + 17u + static_cast<uint32_t>(ulen);
  if (be16(udp + 6) == 0 || ones_sum(udp, ulen, pseudo) != 0xFFFF)
    return bad(end, "tx_bad_checksum", at + ": UDP checksum wrong");
  if (is_reply(be16(udp))) return on_reply(ip, udp, ulen, at, end, fragmented);
  const uint32_t flow = static_cast<uint32_t>(be16(udp) - a_.sport_base);
  if (be32(ip + 16) != a_.daddr)
    return bad(end, "tx_corrupted_frame", at + ": IPv4 destination is not the peer's");
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

void tx_scoreboard::request(uint64_t id, const std::vector<uint8_t>& f) {
  if (f.size() < 14 + 20 + 8 || be16(&f[12]) != 0x0800) return;
  const uint8_t* ip = &f[14];
  const size_t ihl = (ip[0] & 0xFu) * 4u, tot = be16(ip + 2);
  if ((ip[0] >> 4) != 4 || ihl < 20 || tot < ihl + 8 || 14 + tot > f.size() ||
      (be16(ip + 6) & 0x3FFF) != 0 || ip[9] != 17 || be32(ip + 16) != a_.saddr)
    return;
  const uint8_t* udp = ip + ihl;
  const size_t ulen = be16(udp + 4);
  if (ulen < 8 || ihl + ulen > tot) return;
  const flow_key flow{be32(ip + 12), be16(udp), be16(udp + 2)};
  echo_key key{flow, std::vector<uint8_t>(udp + 8, udp + ulen)};
  auto it = pending_.try_emplace(std::move(key)).first;
  it->second.push_back({id, offered_in_[flow]++, sc_core::SC_ZERO_TIME, false});
  by_id_[id] = it;
  ++ec_.requests;
}

void tx_scoreboard::request_dropped(uint64_t id, const std::string& counter) {
  const auto w = by_id_.find(id);
  if (w == by_id_.end()) return;
  ++ec_.dropped_by[counter];
  auto& q = w->second->second;
  q.erase(std::find_if(q.begin(), q.end(), [id](const request_rec& r) { return r.id == id; }));
  if (q.empty()) pending_.erase(w->second);
  by_id_.erase(w);
}

void tx_scoreboard::request_started(uint64_t id, const sc_core::sc_time& start) {
  const auto w = by_id_.find(id);
  if (w == by_id_.end()) return;
  for (request_rec& r : w->second->second)
    if (r.id == id) r.start = start;
}

void tx_scoreboard::request_read(uint64_t id) {
  const auto w = by_id_.find(id);
  if (w == by_id_.end()) return;
  for (request_rec& r : w->second->second)
    if (r.id == id) r.read = true;
  ++ec_.read;
}

void tx_scoreboard::on_reply(const uint8_t* ip, const uint8_t* udp, size_t ulen,
                             const std::string& at, const sc_core::sc_time& end, bool fragmented) {
  const uint32_t client = be32(ip + 16);
  const uint16_t cport = be16(udp + 2), hport = be16(udp);
  const flow_key flow{client, cport, hport};
  const auto it = pending_.find(echo_key{flow, std::vector<uint8_t>(udp + 8, udp + ulen)});
  const std::string who =
      fmt::format("{}.{}.{}.{}:{} from port {}", client >> 24, client >> 16 & 0xFF,
                  client >> 8 & 0xFF, client & 0xFF, cport, hport);
  if (it == pending_.end())
    return bad(end, "tx_unexpected_frame",
               at + ": a reply to " + who +
                   " whose payload no waiting request of that flow carried (never asked, or "
                   "answered twice)");
  const request_rec r = it->second.front();
  it->second.pop_front();
  if (it->second.empty()) pending_.erase(it);
  by_id_.erase(r.id);
  ++matched_;
  ++ec_.answered;
  if (end < r.start)
    bad(end, "tx_reply_before_request",
        at + fmt::format(": a reply to {} ends at {:.3f} us, before its request frame {} started "
                         "at {:.3f} us",
                         who, end.to_seconds() * 1e6, r.id, r.start.to_seconds() * 1e6));
  else rr_.add(ps_of(end) - ps_of(r.start));
  if (!r.read)
    bad(end, "tx_reply_before_read",
        at + fmt::format(": a reply to {} answers request frame {}, which the application never "
                         "read",
                         who, r.id));
  uint64_t& next = reply_next_[{flow, fragmented}];
  if (judge_order_ && r.index < next)
    bad(end, "tx_out_of_order",
        at + fmt::format(": the reply to {} answers its request {} after a later one", who,
                         r.index));
  next = std::max(next, r.index + 1);
}

}  // namespace igbsim
