// SPDX-License-Identifier: Apache-2.0
#include "traffic.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <pcap/pcap.h>

#include "live.h"
#include "net.h"
#include "params.h"

namespace igbsim {

using namespace sc_core;

double line_rate_pps(uint32_t frame_bytes, double gbps) {
  return gbps * 1e9 / ((frame_bytes + 20.0) * 8.0);  // + preamble/SFD 8 + IFG 12
}

double mean_frame_bytes(const traffic_config& c) {
  switch (c.size) {
    case traffic_config::sizes::uniform: return (c.size_min + c.size_max) / 2.0;
    case traffic_config::sizes::imix: {
      double sum = 0, w = 0;
      for (int i = 0; i < 3; ++i) {
        sum += double(kImixSizes[i]) * kImixWeights[i];
        w += kImixWeights[i];
      }
      return sum / w;
    }
    default: return c.frame_bytes;
  }
}

uint32_t max_frame_bytes(const traffic_config& c) {
  switch (c.size) {
    case traffic_config::sizes::uniform: return c.size_max;
    case traffic_config::sizes::imix: return kImixSizes[2];
    default: return c.frame_bytes;
  }
}

traffic_source::traffic_source(const traffic_config& c) : c_(c), seq_(c.flows, 0), rng_(c.seed) {
  if (!c_.pcap.empty()) replay_ = load_pcap(c_.pcap);
}

pcap_frames load_pcap(const std::string& path) {
  char err[PCAP_ERRBUF_SIZE] = {};
  pcap_t* p = pcap_open_offline(path.c_str(), err);
  if (!p) throw input_error("traffic.pcap: " + path + ": " + err);
  if (pcap_datalink(p) != DLT_EN10MB) {
    pcap_close(p);
    throw input_error("traffic.pcap: " + path + ": not an Ethernet capture (link type " +
                      std::to_string(pcap_datalink(p)) + ")");
  }
  pcap_frames f;
  pcap_pkthdr* h = nullptr;
  const u_char* data = nullptr;
  int64_t t0_sec = 0, t0_usec = 0;
  bool first = true;
  int rc;
  while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
    // Time since the first frame, from integer seconds and microseconds: as a double of
    // nanoseconds since 1970 a timestamp would carry 256 ns of rounding. A capture's seconds
    // are an unsigned 32-bit field, which libpcap hands over as a signed one.
    const int64_t sec = static_cast<uint32_t>(h->ts.tv_sec), usec = h->ts.tv_usec;
    if (first) {
      first = false;
      t0_sec = sec;
      t0_usec = usec;
    }
    const double t =
        static_cast<double>(sec - t0_sec) * 1e9 + static_cast<double>(usec - t0_usec) * 1e3;
    if (h->caplen < h->len) {
      ++f.skipped_truncated;
      continue;
    }
    if (h->len > 9014) {
      ++f.skipped_oversize;
      continue;
    }
    std::vector<uint8_t> b(data, data + h->caplen);
    if (b.size() < 60) {
      b.resize(60, 0);
      ++f.padded;
    }
    f.t_ns.push_back(std::max(0.0, t));
    f.bytes.push_back(std::move(b));
  }
  const std::string why = rc == -1 ? pcap_geterr(p) : "";
  pcap_close(p);
  if (rc == -1) throw input_error("traffic.pcap: " + path + ": " + why);
  if (f.bytes.empty())
    throw input_error("traffic.pcap: " + path + ": no frame the model can replay");
  return f;
}

static void put16(std::vector<uint8_t>& b, size_t at, uint32_t v) {
  b[at] = static_cast<uint8_t>(v >> 8);
  b[at + 1] = static_cast<uint8_t>(v);
}
static void put32(std::vector<uint8_t>& b, size_t at, uint32_t v) {
  put16(b, at, v >> 16);
  put16(b, at + 2, v & 0xFFFF);
}

void traffic_source::build_frame(const traffic_config& c, uint64_t id, uint32_t flow, uint64_t seq,
                                 std::vector<uint8_t>& b) {
  const size_t len = c.frame_bytes - 4;  // FCS is added by the wire
  b.assign(len, 0);
  const uint8_t dst[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01}, src[6] = {0x02, 0, 0, 0, 0, 0x02};
  std::copy(dst, dst + 6, b.begin());
  std::copy(src, src + 6, b.begin() + 6);
  put16(b, 12, ETH_P_IP);
  const size_t ip = 14, l4 = 34;
  b[ip] = 0x45;
  put16(b, ip + 2, static_cast<uint32_t>(len - ip));
  put16(b, ip + 4, static_cast<uint32_t>(id & 0xFFFF));
  b[ip + 8] = 64;
  b[ip + 9] = c.tcp ? IPPROTO_TCP : IPPROTO_UDP;
  // Each flow is its own peer host, so RSS (which hashes only the addresses of UDP, as Linux
  // configures it) spreads flows over the queues.
  put32(b, ip + 12, peer_ip(flow));
  put32(b, ip + 16, kHostIp);
  put16(b, ip + 10, static_cast<uint16_t>(~csum_fold(csum_partial(&b[ip], 20, 0))));
  const uint16_t sport = static_cast<uint16_t>(kSrcPortBase + flow);
  size_t payload;
  if (c.tcp) {
    put16(b, l4, sport);
    put16(b, l4 + 2, kDstPort);
    put32(b, l4 + 4, static_cast<uint32_t>(kTcpIsn + 1 + seq * payload_bytes(c)));
    put32(b, l4 + 8, 1);  // acknowledges our SYN-ACK; the receiver sends no data
    b[l4 + 12] = 5 << 4;
    b[l4 + 13] =
        0x10;  // ACK (a bulk sender sets PSH only at the end of a write; PSH ends GRO merges)
    put16(b, l4 + 14, 65535);
    payload = l4 + 20;
  } else {
    put16(b, l4, sport);
    put16(b, l4 + 2, static_cast<uint32_t>(kDstPort + flow % std::max(1u, c.sockets)));
    put16(b, l4 + 4, static_cast<uint32_t>(len - l4));
    payload = l4 + 8;
  }
  // Payload: flow (4 B), sequence (8 B), then a pattern that depends on the frame id.
  for (size_t i = payload; i < len; ++i) b[i] = static_cast<uint8_t>(id * 31 + i * 7);
  if (payload + 4 <= len) put32(b, payload, flow);
  for (int i = 0; i < 8 && payload + 4 + i < len; ++i)
    b[payload + 4 + i] = static_cast<uint8_t>(seq >> (56 - 8 * i));
  // Transport checksum over the pseudo-header
  const uint32_t l4len = static_cast<uint32_t>(len - l4);
  uint32_t sum = csum_partial(&b[ip + 12], 8, 0) + (c.tcp ? IPPROTO_TCP : IPPROTO_UDP) + l4len;
  sum = csum_partial(&b[l4], l4len, sum);
  uint16_t ck = static_cast<uint16_t>(~csum_fold(sum));
  if (!c.tcp && ck == 0) ck = 0xFFFF;
  put16(b, l4 + (c.tcp ? 16 : 6), ck);
}

uint32_t traffic_source::payload_bytes(const traffic_config& c) {
  return c.frame_bytes - 4 - 14 - 20 - (c.tcp ? 20 : 8);
}

void traffic_source::build_live_frame(uint32_t src_addr, uint16_t src_port, uint16_t dst_port,
                                      const std::vector<uint8_t>& payload,
                                      std::vector<uint8_t>& b) {
  const size_t ip = 14, l4 = 34, len = std::max<size_t>(l4 + 8 + payload.size(), 60);
  b.assign(len, 0);
  const uint8_t dst[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01}, src[6] = {0x02, 0, 0, 0, 0, 0x02};
  std::copy(dst, dst + 6, b.begin());
  std::copy(src, src + 6, b.begin() + 6);
  put16(b, 12, ETH_P_IP);
  b[ip] = 0x45;
  put16(b, ip + 2, static_cast<uint32_t>(20 + 8 + payload.size()));
  b[ip + 8] = 64;
  b[ip + 9] = IPPROTO_UDP;
  put32(b, ip + 12, src_addr);
  put32(b, ip + 16, kHostIp);
  put16(b, ip + 10, static_cast<uint16_t>(~csum_fold(csum_partial(&b[ip], 20, 0))));
  put16(b, l4, src_port);
  put16(b, l4 + 2, dst_port);
  put16(b, l4 + 4, static_cast<uint32_t>(8 + payload.size()));
  std::copy(payload.begin(), payload.end(), b.begin() + l4 + 8);
  const uint32_t l4len = static_cast<uint32_t>(8 + payload.size());
  uint32_t sum = csum_partial(&b[ip + 12], 8, 0) + IPPROTO_UDP + l4len;
  uint16_t ck = static_cast<uint16_t>(~csum_fold(csum_partial(&b[l4], l4len, sum)));
  put16(b, l4 + 6, ck ? ck : 0xFFFF);
}

bool traffic_source::next(uint64_t id, sc_time& offered, std::vector<uint8_t>& bytes) {
  if (!started_ || exhausted_) return false;
  if (live_) {
    if (c_.frames && sent_ >= c_.frames) {
      exhausted_ = true;
      return false;
    }
    live_datagram d;
    if (!live_->pop(d)) {
      if (c_.live_idle_us > 0 && live_->idle_ns() > c_.live_idle_us * 1000.0) exhausted_ = true;
      return false;  // nothing yet: the run's pacing loop asks again
    }
    build_live_frame(d.src_addr, d.src_port, kDstPort, d.payload, bytes);
    t_ns_ = std::max(t_ns_, d.t_ns);
    offered = std::max(start_ + sc_time(t_ns_, SC_NS), sc_time_stamp());
    last_ = offered;
    ++sent_;
    return true;
  }
  if (!c_.pcap.empty()) {  // replay
    if (sent_ >= replay_.bytes.size()) {
      exhausted_ = true;
      return false;
    }
    bytes = replay_.bytes[sent_];
    t_ns_ = c_.pcap_rescale ? static_cast<double>(sent_) * 1e9 / c_.pps : replay_.t_ns[sent_];
    offered = start_ + sc_time(t_ns_, SC_NS);
    last_ = offered;
    ++sent_;
    return true;
  }
  // Which segment goes now: a late copy that is due, else a new segment (which may itself be
  // held back as reordered or lost), else a late copy even if not yet due (the tail).
  auto take_late = [&](bool only_due) -> bool {
    for (size_t i = 0; i < late_.size(); ++i) {
      if (only_due && late_[i].due > sent_) continue;
      build_frame(c_, id, late_[i].flow, late_[i].seq, bytes);
      late_.erase(late_.begin() + static_cast<long>(i));
      return true;
    }
    return false;
  };
  std::uniform_real_distribution<double> pct(0, 100);
  for (;;) {
    bool have = take_late(true);
    // A duration offers new segments whose times fall before its end: each new frame's time is
    // known only once it is drawn (below), so a frame at or past the end is taken back.
    const size_t late_before = late_.size();
    const uint64_t new_before = new_;
    const double t_before = t_ns_;
    bool fresh = false;
    const bool more_new =
        c_.frames ? new_ < c_.frames : !duration_over_ && t_ns_ < c_.duration_us * 1000.0;
    while (!have && more_new) {
      const uint32_t flow = static_cast<uint32_t>(new_ % c_.flows);
      const uint64_t seq = seq_[flow]++;
      ++new_;
      if (c_.tcp && c_.loss_pct > 0 && pct(rng_) < c_.loss_pct) {
        late_.push_back({sent_ + c_.tcp_rtx_after, flow, seq});  // lost; the sender retransmits
      } else if (c_.tcp && c_.reorder_pct > 0 && pct(rng_) < c_.reorder_pct) {
        late_.push_back(
            {sent_ + c_.flows, flow, seq});  // overtaken by its connection's next segment
      } else {
        traffic_config cc = c_;  // this frame's size
        if (c_.size == traffic_config::sizes::uniform) {
          cc.frame_bytes = std::uniform_int_distribution<uint32_t>(c_.size_min, c_.size_max)(rng_);
        } else if (c_.size == traffic_config::sizes::imix) {
          const uint32_t r = std::uniform_int_distribution<uint32_t>(0, 11)(rng_);
          cc.frame_bytes = kImixSizes[r < 7 ? 0 : r < 11 ? 1 : 2];
        }
        build_frame(cc, id, flow, seq, bytes);
        if (c_.tcp && c_.dup_pct > 0 && pct(rng_) < c_.dup_pct)
          late_.push_back({sent_ + 2, flow, seq});
        have = fresh = true;
      }
      if (c_.frames && new_ >= c_.frames) break;
    }
    if (!have) have = take_late(false);
    if (!have) {
      exhausted_ = true;
      return false;
    }
    if (sent_ > 0) {
      const double mean = 1e9 / c_.pps;
      t_ns_ += c_.poisson ? std::exponential_distribution<double>(1.0 / mean)(rng_) : mean;
      if (c_.on_us > 0 && c_.off_us > 0) {  // in a silent period: wait for the next burst
        const double period = (c_.on_us + c_.off_us) * 1000.0;
        const double phase = std::fmod(t_ns_, period);
        if (phase >= c_.on_us * 1000.0) t_ns_ += period - phase;
      }
    }
    if (fresh && !c_.frames && t_ns_ >= c_.duration_us * 1000.0) {
      // Past the duration: this call's new segments are not sent (nor their late copies);
      // the late copies of earlier segments still are.
      for (uint64_t n = new_before; n < new_; ++n) --seq_[static_cast<uint32_t>(n % c_.flows)];
      new_ = new_before;
      late_.resize(late_before);
      t_ns_ = t_before;
      duration_over_ = true;
      continue;
    }
    break;
  }
  if (t_ns_ > kMaxSimSeconds * 1e9)  // refused up front (sim.cpp); a Poisson tail cannot reach it
    throw std::runtime_error("traffic: a frame's time is past the longest simulated run");
  offered = start_ + sc_time(t_ns_, SC_NS);
  last_ = offered;
  ++sent_;
  return true;
}

}  // namespace igbsim
