// SPDX-License-Identifier: Apache-2.0
// scoreboard: every offered frame ends delivered - byte-exact and in order within its flow -
// or counted by exactly one drop counter. Anything else is a violation; frames with neither
// fate at the end are outstanding: in flight where something still holds them, else
// lost_unaccounted (the run's census, testbench/sim.cpp). A flow is the frame's IPv4 5-tuple
// (any other frame is a flow of its own kind).
//
// What "in order" means is what Linux guarantees. A socket's receive queue is FIFO, and the
// order is judged where a reader takes data off it (dequeued, under the socket lock): several
// threads reading one socket return their datagrams in whatever order they get back to user
// space, so the order in which read() calls return is not judged, only that each returns
// exactly the bytes it took.
//   UDP: a flow's datagrams leave the socket queue in the order they were offered; each read()
//        returns its datagram whole and byte-exact.
//   TCP: a connection is a byte stream. The bytes taken off it follow each other in sequence
//        order, without a gap or a repeat, however the sender segmented (or re-segmented, in a
//        retransmission) them; each segment's bytes read are a part of that segment that ends
//        where it ends (the receiver trims what it already had from the front), byte-exact.
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
  // A reader took len bytes of frame id's payload off its socket, from TCP sequence number seq
  void dequeued(uint64_t id, uint32_t seq, size_t len);
  // read() returned them (a frame delivered without dequeued() is judged as dequeued now)
  void delivered(uint64_t id, const uint8_t* data, size_t len);
  void dropped(uint64_t id, const std::string& counter);
  uint64_t offered_count() const { return offered_; }
  uint64_t delivered_count() const { return delivered_; }
  uint64_t outstanding() const { return expect_.size(); }
  // A reader has taken frame id off its socket and its read() has not returned yet
  bool being_read(uint64_t id) const {
    const auto it = expect_.find(id);
    return it != expect_.end() && it->second.taken;
  }
  const std::map<std::string, uint64_t>& dropped_by() const { return dropped_by_; }
  uint64_t dropped_total() const;

 private:
  struct expected {
    uint64_t flow;
    uint64_t seq;  // UDP and other: index within the flow; TCP: sequence number of the payload
    bool tcp = false;
    bool taken = false;  // dequeued: off (into payload) and len are what the reader took
    size_t off = 0, len = 0;
    std::vector<uint8_t> payload;
  };
  struct stream {       // per flow: what the next dequeue may take
    uint64_t next = 0;  // UDP: lowest index still allowed; TCP: next sequence number
    bool started = false;
  };
  kernel& k_;
  std::unordered_map<uint64_t, expected> expect_;
  std::unordered_map<uint64_t, stream> streams_;
  std::unordered_map<uint64_t, uint64_t> offered_in_;  // per flow: frames offered so far
  std::map<std::string, uint64_t> dropped_by_;
  uint64_t offered_ = 0, delivered_ = 0;
};

}  // namespace igbsim
