// SPDX-License-Identifier: Apache-2.0
// Traffic source: N UDP flows or N established TCP connections of fixed-size frames, constant
// rate or Poisson. Every frame carries its flow number and a per-flow sequence number at the
// start of the payload so the scoreboard can check byte-exact, in-order delivery.
// UDP flow n goes to port kDstPort + n % sockets. TCP segments carry byte sequence numbers
// (kTcpIsn + 1 + index * payload) on connection n (peer_ip(n):kSrcPortBase+n -> kDstPort).
// TCP impairments, as a sender and a network would cause them: a segment is reordered (sent
// after its connection's next segment), lost (sent again, as the sender's retransmission,
// tcp_rtx_after frames later) or duplicated (a spurious retransmission two frames later). `frames`
// counts new segments; the late copies follow.
#pragma once
#include <systemc>

#include <cstdint>
#include <random>
#include <vector>

namespace igbsim {

struct traffic_config {
  bool tcp = false;
  uint32_t flows = 1;
  uint32_t frame_bytes = 64;  // including FCS
  double pps = 0;
  bool poisson = false;
  uint64_t frames = 0;  // 0: use duration
  double duration_us = 0;
  uint64_t seed = 1;
  uint32_t sockets = 1;                               // UDP: destination ports used
  double reorder_pct = 0, loss_pct = 0, dup_pct = 0;  // TCP impairments
  uint32_t tcp_rtx_after = 8;  // frames between a loss and its retransmission
  // Frame sizes (FCS included): fixed frame_bytes, uniform in [size_min, size_max], or IMIX
  enum class sizes { fixed, uniform, imix } size = sizes::fixed;
  uint32_t size_min = 64, size_max = 1518;
  // On/off bursts: on_us at the rate, then off_us silent (0: constant)
  double on_us = 0, off_us = 0;
  // Replay of a capture instead of generated frames: every frame of the file, at its original
  // timing (relative to the first) or, with pcap_rescale, spaced at the configured rate.
  std::string pcap;
  bool pcap_rescale = false;
  bool live = false;  // datagrams from a live_listener (set_live)
  double live_idle_us =
      2e6;  // live: end after this long (wall clock) without a datagram (0: never)
};

class live_listener;

// The frames of a pcap file (Ethernet link type), ready for the wire. Frames the model cannot
// carry are skipped and counted: truncated captures (caplen < len) and frames over 9014 bytes;
// runts are padded to 60 bytes as the sender's MAC would. Bad files are an input_error.
struct pcap_frames {
  std::vector<double> t_ns;                 // capture time since the first frame
  std::vector<std::vector<uint8_t>> bytes;  // without FCS
  uint64_t skipped_truncated = 0, skipped_oversize = 0, padded = 0;
};
pcap_frames load_pcap(const std::string& path);

// The simple IMIX: 64, 594 and 1518-byte frames in proportion 7:4:1.
constexpr uint32_t kImixSizes[3] = {64, 594, 1518};
constexpr uint32_t kImixWeights[3] = {7, 4, 1};
// Mean frame size (FCS included) of the configured size mix
double mean_frame_bytes(const traffic_config& c);
// Largest frame the mix produces
uint32_t max_frame_bytes(const traffic_config& c);

constexpr uint32_t kTcpIsn = 1000000;  // the peers' initial sequence number

// Addresses used inside the simulation (never on a real network).
constexpr uint32_t kHostIp = 0x0A000001;  // 10.0.0.1, the simulated host
constexpr uint32_t kPeerIp = 0x0A000002;  // 10.0.0.2, the sender
constexpr uint16_t kDstPort = 5001;
constexpr uint16_t kSrcPortBase = 10000;
// The host's sender application (send.*): flow n from port kSendSportBase + n to
// kPeerIp:kSendDportBase + n
constexpr uint16_t kSendSportBase = 20000, kSendDportBase = 9000;

// The sender of flow n: flow 0 is kPeerIp; every other flow is its own host in 10.0.0.0/8, at
// an address scattered by a multiplicative hash of n, as real clients' addresses are. (With
// consecutive addresses the Toeplitz hash under the usual key varies in few low bits, and RSS
// would put all flows on two queues.)
constexpr uint32_t peer_ip(uint32_t flow) {
  if (flow == 0) return kPeerIp;
  uint32_t host = ((flow * 0x9E3779B1u) >> 8) & 0x00FFFFFFu;
  if ((host & 0xFF) == 0 || (host & 0xFF) == 0xFF) host ^= 0x01;  // no .0 or .255 host
  if (host <= 2) host += 3;                                       // not 10.0.0.1 or .2
  return 0x0A000000u | host;
}

double line_rate_pps(uint32_t frame_bytes, double gbps = 1.0);

// The longest run igbsim simulates: 100 days of simulated time. SystemC counts time in
// picoseconds in 64 bits (about 213 days); a scenario whose traffic would outlast this is
// refused before anything is simulated (testbench/sim.cpp), so no time ever wraps.
constexpr double kMaxSimSeconds = 100 * 86400.0;

class traffic_source {
 public:
  explicit traffic_source(const traffic_config& c);
  void start_at(const sc_core::sc_time& t) {
    start_ = t;
    started_ = true;
  }
  bool started() const { return started_; }
  sc_core::sc_time start_time() const { return start_; }
  // eth_wire::source_fn
  bool next(uint64_t id, sc_core::sc_time& offered, std::vector<uint8_t>& bytes);
  bool exhausted() const { return exhausted_; }
  static uint32_t payload_bytes(const traffic_config& c);  // TCP segment payload
  sc_core::sc_time last_offered() const { return last_; }
  // The payload a frame carries after the UDP header (what read() must return).
  static void build_frame(const traffic_config& c, uint64_t id, uint32_t flow, uint64_t seq,
                          std::vector<uint8_t>& out);
  static size_t l4_header_offset() { return 14 + 20; }
  // Live traffic: frames come from `l`; their times follow its wall clock.
  void set_live(live_listener* l) { live_ = l; }
  const pcap_frames& replay() const { return replay_; }  // the capture being replayed, if any
  // A frame for a datagram from a client (addr:port) to the simulated host's port
  static void build_live_frame(uint32_t src_addr, uint16_t src_port, uint16_t dst_port,
                               const std::vector<uint8_t>& payload, std::vector<uint8_t>& out);

 private:
  traffic_config c_;
  sc_core::sc_time start_;
  bool started_ = false, exhausted_ = false;
  bool duration_over_ = false;  // traffic.duration_us: the next new frame would fall past it
  double t_ns_ = 0;
  sc_core::sc_time last_;
  std::vector<uint64_t> seq_;
  std::mt19937_64 rng_;
  struct late {
    uint64_t due;
    uint32_t flow;
    uint64_t seq;
  };
  std::vector<late> late_;       // reordered, retransmitted and duplicated segments
  uint64_t sent_ = 0, new_ = 0;  // wire frames sent, new segments generated
  pcap_frames replay_;           // traffic from a capture (c.pcap set)
  live_listener* live_ = nullptr;
};

}  // namespace igbsim
