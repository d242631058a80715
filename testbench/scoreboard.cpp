#include "scoreboard.h"

#include <cstring>

#include "traffic.h"

namespace igbsim {

void scoreboard::offered(uint64_t id, const std::vector<uint8_t>& f, bool tcp) {
  ++offered_;
  const size_t pay = traffic_source::l4_header_offset() + (tcp ? 20 : 8);
  expected e;
  e.payload.assign(f.begin() + static_cast<long>(std::min(pay, f.size())), f.end());
  e.flow = 0;
  e.seq = 0;
  const size_t l4 = traffic_source::l4_header_offset();
  if (tcp && f.size() >= l4 + 20) {
    // TCP: the connection is the source port, the order the byte sequence number (a 64-byte
    // segment's 6-byte payload cannot carry the stamp)
    e.flow = static_cast<uint32_t>(f[l4] << 8 | f[l4 + 1]);
    e.seq = uint32_t(f[l4 + 4]) << 24 | uint32_t(f[l4 + 5]) << 16 | uint32_t(f[l4 + 6]) << 8 | f[l4 + 7];
  } else if (e.payload.size() >= 12) {
    for (int i = 0; i < 4; ++i) e.flow = e.flow << 8 | e.payload[i];
    for (int i = 0; i < 8; ++i) e.seq = e.seq << 8 | e.payload[4 + i];
  }
  expect_.emplace(id, std::move(e));
}

void scoreboard::delivered(uint64_t id, const uint8_t* data, size_t len) {
  auto it = expect_.find(id);
  if (it == expect_.end()) {
    k_.violate("unexpected_delivery", "a frame was delivered twice or was never offered", static_cast<int64_t>(id));
    return;
  }
  const expected& e = it->second;
  if (len != e.payload.size() || std::memcmp(data, e.payload.data(), len) != 0) {
    k_.violate("corrupted_delivery", "read() returned bytes that differ from the frame sent", static_cast<int64_t>(id));
  }
  uint64_t& next = next_seq_[e.flow];
  if (e.seq < next) k_.violate("out_of_order", "a frame was delivered after a later one of its flow", static_cast<int64_t>(id));
  next = e.seq + 1;
  ++delivered_;
  expect_.erase(it);
}

void scoreboard::dropped(uint64_t id, const std::string& counter) {
  auto it = expect_.find(id);
  if (it == expect_.end()) {
    k_.violate("double_fate", "a frame was counted as dropped after it already had a fate (" + counter + ")", static_cast<int64_t>(id));
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
