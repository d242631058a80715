// SPDX-License-Identifier: Apache-2.0
#include "scoreboard.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "traffic.h"

namespace igbsim {

void scoreboard::offered(uint64_t id, const std::vector<uint8_t>& f) {
  ++offered_;
  expected e;
  // What read() returns: the transport payload, after the Ethernet, IPv4 and UDP/TCP headers
  const size_t ip = 14;
  bool ipv4 = f.size() >= ip + 20 && f[12] == 0x08 && f[13] == 0x00 && (f[ip] >> 4) == 4;
  const size_t ihl = ipv4 ? (f[ip] & 0xFu) * 4u : 0;
  const uint8_t proto = ipv4 ? f[ip + 9] : 0;
  const size_t l4 = ip + ihl;
  size_t pay = f.size();
  bool tcp = false;
  if (ipv4 && proto == 17 && f.size() >= l4 + 8) pay = l4 + 8;
  if (ipv4 && proto == 6 && f.size() >= l4 + 20) {
    pay = l4 + (f[l4 + 12] >> 4) * 4u;
    tcp = true;
  }
  const size_t end =
      ipv4 ? std::min(f.size(), ip + (size_t(f[ip + 2]) << 8 | f[ip + 3])) : f.size();
  e.payload.assign(f.begin() + static_cast<long>(std::min(pay, end)),
                   f.begin() + static_cast<long>(end));
  // The flow: the 5-tuple (FNV-1a over the addresses, ports and protocol)
  uint64_t h = 1469598103934665603ull;
  auto mix = [&](uint8_t b) { h = (h ^ b) * 1099511628211ull; };
  if (ipv4 && f.size() >= l4 + 4) {
    for (size_t i = ip + 12; i < ip + 20; ++i) mix(f[i]);
    for (size_t i = l4; i < l4 + 4; ++i) mix(f[i]);
    mix(proto);
  }
  e.flow = h;
  e.tcp = tcp;
  e.seq = tcp ? (uint64_t(f[l4 + 4]) << 24 | uint64_t(f[l4 + 5]) << 16 | uint64_t(f[l4 + 6]) << 8 |
                 f[l4 + 7])
              : offered_in_[h]++;
  expect_.emplace(id, std::move(e));
}

void scoreboard::dequeued(uint64_t id, uint32_t seq, size_t len) {
  auto it = expect_.find(id);
  if (it == expect_.end() || it->second.taken) {
    k_.violate("unexpected_delivery", "a frame was delivered twice or was never offered",
               static_cast<int64_t>(id));
    return;
  }
  expected& e = it->second;
  stream& st = streams_[e.flow];
  e.taken = true;
  e.len = len;
  if (!e.tcp) {
    if (st.started && e.seq < st.next)
      k_.violate("out_of_order", "a datagram left its socket after a later one of its flow",
                 static_cast<int64_t>(id));
    st.next = e.seq + 1;
    st.started = true;
    return;
  }
  // The part of the segment taken: [seq, seq + len) must lie in it and reach its end
  const uint32_t off = seq - static_cast<uint32_t>(e.seq);
  if (off > e.payload.size() || len != e.payload.size() - off) {
    k_.violate("corrupted_delivery",
               "read() returned bytes its TCP segment does not carry at that sequence number",
               static_cast<int64_t>(id));
    e.off = 0;
    e.len = SIZE_MAX;  // the content check then fails too: one verdict is enough, it is skipped
  } else {
    e.off = off;
  }
  const uint32_t next = static_cast<uint32_t>(st.next);
  if (st.started && seq != next) {
    const bool gap = static_cast<int32_t>(seq - next) > 0;
    k_.violate("out_of_order",
               gap ? "read() skipped bytes of the TCP stream (a hole before this segment's bytes)"
                   : "read() returned bytes of the TCP stream a second time",
               static_cast<int64_t>(id));
  }
  st.next = static_cast<uint32_t>(seq + len);
  st.started = true;
}

void scoreboard::delivered(uint64_t id, const uint8_t* data, size_t len) {
  auto it = expect_.find(id);
  if (it == expect_.end()) {
    k_.violate("unexpected_delivery", "a frame was delivered twice or was never offered",
               static_cast<int64_t>(id));
    return;
  }
  if (!it->second.taken) {
    const expected& e = it->second;
    dequeued(id,
             e.tcp
                 ? static_cast<uint32_t>(e.seq + e.payload.size() - std::min(len, e.payload.size()))
                 : 0,
             len);
  }
  const expected& e = it->second;
  if (e.len != SIZE_MAX && (len != e.len || len != e.payload.size() - e.off ||
                            std::memcmp(data, e.payload.data() + e.off, len) != 0)) {
    k_.violate("corrupted_delivery", "read() returned bytes that differ from the frame sent",
               static_cast<int64_t>(id));
  }
  ++delivered_;
  expect_.erase(it);
}

void scoreboard::dropped(uint64_t id, const std::string& counter) {
  auto it = expect_.find(id);
  if (it == expect_.end()) {
    k_.violate("double_fate",
               "a frame was counted as dropped after it already had a fate (" + counter + ")",
               static_cast<int64_t>(id));
    return;
  }
  ++dropped_by_[counter];
  expect_.erase(it);
}

uint64_t scoreboard::dropped_total() const {
  uint64_t n = 0;
  for (const auto& kv : dropped_by_) n += kv.second;
  return n;
}

}  // namespace igbsim
