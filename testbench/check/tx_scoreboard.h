// SPDX-License-Identifier: Apache-2.0
// tx_scoreboard: the transmit half of the scoreboard. Every datagram the sender application
// sent (its sendto returned the length; it is expected from the call on, as it may leave
// before the call returns) must leave on the NIC's wire as a well-formed frame -
// the FCS right, Ethernet to the route's neighbour from the device's address, IPv4 and UDP
// headers with the addresses, ports and lengths of its flow and correct checksums, the payload
// byte for byte, zero padding - and in order within its flow; or be counted by a drop counter
// (the qdisc's), or still be in flight when a bounded drain ends. The checksums and the FCS are
// computed here from the frame's bytes (RFC 1071 sums, zlib's CRC-32), not by the stack's or
// the RTL's code. A sendto that returned EAGAIN sent nothing and is the application's count.
// A datagram over the MTU leaves as IPv4 fragments: each is checked as a frame (FCS, MACs,
// its IPv4 header and checksum, DF clear, a multiple of 8 bytes but the last), and the
// datagram, put back together from them, as above; the counts of IP packets (a fragment
// each) let the run's census account for a datagram partly on the wire.
//
// Echo replies (app.reply = echo), judged as the client at the wire's far end sees them: every
// unfragmented IPv4 UDP datagram offered to the host's address is a request. A reply is a
// datagram from the host (a frame, or fragments put back together) that is not the sender's (its
// source port is none of the sender's flows); it must answer a request of its flow - its
// destination address and port the request's source, its source port the request's destination port
// - with the request's payload byte for byte (plus the checks above: FCS, MACs, header checksums,
// lengths), once, and only after the host's application read that request. Replies to the same
// payload of a flow answer its requests in turn. Where each flow's replies must keep the requests'
// order (one reader per socket), a reply that answers an earlier request than one already answered
// is tx_out_of_order - among the replies that leave whole, and among those that leave in
// fragments: a fragment is hashed without ports, so the two kinds of a flow take different
// transmit queues, which keep no order between them (a request over the MTU that the NIC took
// has a reply that fragments; Linux reorders the same way). The round trip, as a client
// beside the wire measures it (what netperf's UDP_RR times, less the client's own stack): from
// the request's first bit on the wire (its preamble) to the reply's last bit (its FCS).
#pragma once
#include <systemc>

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "journey.h"
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
  void set_mtu(uint32_t mtu) { mtu_ = mtu; }  // the route's: what the sender's datagrams fit
  // Each whole datagram that left (a good frame, or its fragments put back together), before
  // it is judged: ip at its 20-byte IPv4 header, the total length in it
  std::function<void(const uint8_t* ip)> on_whole;
  // The sender's sendto of datagram `seq` of `flow` is made: the datagram is expected from
  // here on, for its packets may leave before the call returns (the thread held up in it)
  void sending(uint32_t flow, uint64_t seq, const uint8_t* payload, size_t len);
  // ... and returned its length (a datagram of len payload bytes): it counts as sent
  void sent(size_t len);
  // ... or an error: nothing of it was handed to the device, and none of it may be on the wire
  // (true while no socket asks for IP_RECVERR, which none does)
  void not_sent(uint32_t flow, uint64_t seq, size_t len, const sc_core::sc_time& t);
  // Any sendto, the sender's or an echo reply's, made (begin) and returned (end): until it
  // returns, its IP packets may be anywhere, the wire included, and are not yet sent
  void sendto_begin(size_t len) { in_sendto_ += packets_of(len); }
  void sendto_end(size_t len) { in_sendto_ -= packets_of(len); }
  uint64_t in_sendto_packets() const { return in_sendto_; }
  // A frame left on the wire (destination address .. FCS), its last byte at `end`
  void on_wire(const std::vector<uint8_t>& frame, const sc_core::sc_time& end);
  tx_flow_addr& addr() { return a_; }  // the device's address is known once igb_open ran
  uint64_t sent_count() const { return sent_; }
  uint64_t on_wire_count() const { return wire_; }
  uint64_t matched_count() const { return matched_; }
  // The same in IP packets: what the datagrams sent leave as (a fragment each), and those of
  // them on the wire (the fragments of a datagram not yet whole included)
  uint64_t sent_packets() const { return sent_packets_; }
  uint64_t wire_packets() const { return wire_packets_; }
  // The same, one source's: the sender's datagrams or the echo server's replies (a wire frame
  // too short to carry a source port counts as the sender's)
  uint64_t sent_count(tx_source s) const {
    return s == tx_source::echo ? replies_sent_ : sent_ - replies_sent_;
  }
  uint64_t on_wire_count(tx_source s) const {
    return s == tx_source::echo ? wire_echo_ : wire_ - wire_echo_;
  }
  uint64_t matched_count(tx_source s) const {
    return s == tx_source::echo ? ec_.answered : matched_ - ec_.answered;
  }
  // IP packets sent and neither on the wire yet nor among `dropped` (the drop counters' sum)
  uint64_t outstanding(uint64_t dropped) const {
    const uint64_t gone = wire_packets_ + dropped;
    return sent_packets_ > gone ? sent_packets_ - gone : 0;
  }

  // Echo replies: on, with the sender's flow count (its source ports are not replies) and
  // whether each flow's replies must keep its requests' order
  void enable_echo(uint32_t sender_flows, bool judge_order) {
    echo_on_ = true;
    sender_flows_ = sender_flows;
    judge_order_ = judge_order;
  }
  bool echo() const { return echo_on_; }
  // Frame `id` offered on the wire (without FCS): a request if it is an unfragmented IPv4 UDP
  // datagram to the host. Its first bit is on the wire at `start` (request_started: known once
  // the NIC has it whole, for a pause at the link partner may still move it)
  void request(uint64_t id, const std::vector<uint8_t>& frame);
  void request_started(uint64_t id, const sc_core::sc_time& start);
  // The receive side's fate of frame `id`: dropped by `counter`, or read by the application
  void request_dropped(uint64_t id, const std::string& counter);
  void request_read(uint64_t id);
  // The application's sendto of a reply of len payload bytes returned its length
  void reply_sent(size_t len) {
    ++sent_;
    sent_packets_ += packets_of(len);
    ++replies_sent_;
  }
  struct echo_counts {
    uint64_t requests = 0, read = 0, answered = 0, replies_sent = 0;
    std::map<std::string, uint64_t> dropped_by;  // requests dropped on receive, by counter
    uint64_t dropped() const {
      uint64_t n = 0;
      for (const auto& [c, v] : dropped_by) n += v;
      return n;
    }
  };
  echo_counts echo_stats() const {
    echo_counts e = ec_;
    e.replies_sent = replies_sent_;
    return e;
  }
  // Round trips of answered requests, ps (request's first bit to reply's last bit)
  const latency_sample& rr() const { return rr_; }

 private:
  void bad(const sc_core::sc_time& t, const std::string& kind, const std::string& detail);
  // An echo reply's UDP source port is none of the sender's flows
  bool is_reply(uint16_t sport) const {
    return echo_on_ && static_cast<uint32_t>(sport - a_.sport_base) >= sender_flows_;
  }
  uint64_t packets_of(size_t len) const;
  void on_fragment(const uint8_t* ip, const std::string& at, const sc_core::sc_time& end);
  // fragmented: the datagram left as IPv4 fragments (put back together here)
  void on_datagram(const uint8_t* ip, const std::string& at, const sc_core::sc_time& end,
                   bool fragmented);
  void on_reply(const uint8_t* ip, const uint8_t* udp, size_t ulen, const std::string& at,
                const sc_core::sc_time& end, bool fragmented);
  kernel& k_;
  tx_flow_addr a_;
  std::map<std::pair<uint32_t, uint64_t>, std::vector<uint8_t>> expect_;  // (flow, seq)
  std::map<uint32_t, uint64_t> next_seq_;  // per flow: the lowest sequence number still allowed
  uint64_t sent_ = 0, wire_ = 0, matched_ = 0, sent_packets_ = 0, wire_packets_ = 0;
  uint64_t incomplete_ = 0;  // fragmented datagrams given up (their ID came round again)
  uint32_t mtu_ = 1500;
  // Fragments on the wire by (source, destination, IPv4 ID): by offset, the first's header,
  // the bytes in, the datagram's length once its last fragment is seen (else -1)
  struct reassembly {
    std::map<uint32_t, std::vector<uint8_t>> parts;
    std::array<uint8_t, 20> header{};
    size_t have = 0;
    int64_t total = -1;
    unsigned frames = 0;
    bool first_seen = false, reply = false;  // its first fragment's ports: an echo reply's
  };
  std::map<std::tuple<uint32_t, uint32_t, uint16_t>, reassembly> reasm_;

  // Echo: requests waiting for their reply, by flow (client address, client port, host port)
  // and payload, oldest first; where each one is (by frame id); per flow the requests offered
  // and the lowest index a reply may still answer
  using flow_key = std::tuple<uint32_t, uint16_t, uint16_t>;
  using echo_key = std::pair<flow_key, std::vector<uint8_t>>;
  struct request_rec {
    uint64_t id, index;
    sc_core::sc_time start;
    bool read = false;
  };
  std::map<echo_key, std::deque<request_rec>> pending_;
  std::unordered_map<uint64_t, std::map<echo_key, std::deque<request_rec>>::iterator> by_id_;
  std::map<flow_key, uint64_t> offered_in_;
  // Per flow, and whether the replies left whole or in fragments: the next request index a
  // reply may answer without being out of order
  std::map<std::pair<flow_key, bool>, uint64_t> reply_next_;
  bool echo_on_ = false, judge_order_ = false;
  uint32_t sender_flows_ = 0;
  echo_counts ec_;
  uint64_t replies_sent_ = 0, wire_echo_ = 0, in_sendto_ = 0;
  latency_sample rr_;
};

}  // namespace igbsim
