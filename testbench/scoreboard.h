// scoreboard: every offered frame ends delivered - byte-exact and in order within its flow -
// or counted by exactly one drop counter. Anything else is a violation; frames with neither
// fate at the end are lost_unaccounted. A flow is the frame's IPv4 5-tuple (any other frame is
// a flow of its own kind); order is the order of offering, or for TCP the sequence number.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "kernel.h"

namespace igbsim {

class scoreboard {
 public:
  explicit scoreboard(kernel& k) : k_(k) {}
  void offered(uint64_t id, const std::vector<uint8_t>& frame_without_fcs);
  void delivered(uint64_t id, const uint8_t* data, size_t len);
  void dropped(uint64_t id, const std::string& counter);
  uint64_t offered_count() const { return offered_; }
  uint64_t delivered_count() const { return delivered_; }
  uint64_t outstanding() const { return expect_.size(); }
  const std::map<std::string, uint64_t>& dropped_by() const { return dropped_by_; }
  uint64_t dropped_total() const;
  uint64_t lost_unaccounted() const { return expect_.size(); }

 private:
  struct expected {
    uint64_t flow;
    uint64_t seq;
    std::vector<uint8_t> payload;
  };
  kernel& k_;
  std::unordered_map<uint64_t, expected> expect_;
  std::unordered_map<uint64_t, uint64_t> next_seq_;   // per flow: lowest sequence still allowed
  std::unordered_map<uint64_t, uint64_t> offered_in_;  // per flow: frames offered so far
  std::map<std::string, uint64_t> dropped_by_;
  uint64_t offered_ = 0, delivered_ = 0;
};

}  // namespace igbsim
