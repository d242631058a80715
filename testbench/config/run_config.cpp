// SPDX-License-Identifier: Apache-2.0
#include "run_config.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>

#include "ipv4_fragments.h"

namespace igbsim {

using namespace sc_core;

namespace {

// Blocking readers are a thread per socket (stack/app.h), each a SystemC thread with its own stack
constexpr uint32_t kMaxBlockingReaders = 4096;
// The modelled host's memory (size_host_memory sizes it from the configuration up to this)
constexpr double kMaxHostMemBytes = 16.0 * (1ull << 30);

uint32_t itr_setting(const std::string& s) {
  if (s == "dynamic") return 3;
  if (s == "off") return 0;
  return static_cast<uint32_t>(std::stod(s)) << 2;
}

// What igb decides at probe for this part and machine (driver/igb_part.h), and the NIC
// model's parameters that follow from it (the table set the PCIe link, the RTL's fault bits,
// and igb_setup's irq_mode, fc, queues, wthresh, pktbuf_kb and drop_en)
void configure_hardware(const params& p, run_config& c) {
  auto& want = c.want;
  auto& plan = c.plan;
  auto& np = c.np;
  want.part = igb_find_part(p.s("nic.part"));
  want.online_cpus = c.kp.cores;
  want.rx_itr_setting =
      itr_setting(p.s("driver.itr"));  // igb_config's too (configure_driver_and_app)
  try {
    plan = igb_plan_configuration(want);
  } catch (const std::invalid_argument& e) {
    throw input_error(e.what());
  }
  np.rx_burst_beats =
      static_cast<uint32_t>(p.i("nic.rx_burst_bytes") / kRxBeatBytes);  // bytes to the MAC's beats
  np.ivar_82576 = want.part->ivar_82576;
  np.rtl_queues = (p.s("sim.rtl_queues") == "auto" && plan.rss_queues <= 4) ? 4 : 8;
  np.intx = plan.irq_mode == igb_irq_mode::intx;
}

// The kernel's settings checked against each other and CONFIG_HZ
void configure_kernel(run_config& c) {
  auto& kp = c.kp;
  if (kp.app_cpu >= kp.cores)
    throw input_error(fmt::format("app.cpu: core {} does not exist with kernel.cores = {}",
                                  kp.app_cpu, kp.cores));
  if (kp.hz != 100 && kp.hz != 250 && kp.hz != 300 && kp.hz != 1000)
    throw input_error(
        fmt::format("kernel.hz: {} is not a CONFIG_HZ choice (100, 250, 300 or 1000)", kp.hz));
}

// The traffic, and the rules that judge it as a whole: the rate fits the wire, the run's
// simulated time fits sc_time
void configure_traffic(const params& p, run_config& c) {
  auto& tc = c.tc;
  c.sizes = p.s("traffic.size");
  if (tc.size == traffic_config::sizes::uniform && tc.size_min > tc.size_max)
    throw input_error(
        fmt::format("traffic.size_min: {} is above traffic.size_max {}", tc.size_min, tc.size_max));
  double& mean_bytes = c.mean_bytes;
  mean_bytes = mean_frame_bytes(tc);
  double pcap_span_ns = 0,
         pcap_wire_ns = 0;  // a capture's last frame time, and its frames' wire time
  uint64_t& pcap_count = c.pcap_count;
  if (!tc.pcap.empty()) {  // a replayed capture's own mean size sets the rescaled rate
    const pcap_frames pf = load_pcap(tc.pcap);
    double sum = 0;
    for (const auto& b : pf.bytes) sum += static_cast<double>(b.size()) + 4;
    mean_bytes = sum / static_cast<double>(pf.bytes.size());
    for (double t : pf.t_ns) pcap_span_ns = std::max(pcap_span_ns, t);
    pcap_wire_ns = (sum + 20.0 * static_cast<double>(pf.bytes.size())) * 8.0;
    pcap_count = pf.bytes.size();
  }
  // Rate: frames/s, else Mb/s of Ethernet frames (FCS included), else percent of line rate
  tc.pps = p.d("traffic.rate_pps") > 0 ? p.d("traffic.rate_pps")
           : p.d("traffic.rate_mbps") > 0
               ? p.d("traffic.rate_mbps") * 1e6 / (mean_bytes * 8.0)
               : 1e9 / ((mean_bytes + 20.0) * 8.0) * p.d("traffic.rate_pct") / 100.0;
  if (tc.live && !tc.pcap.empty())
    throw input_error("traffic.live: choose live traffic or traffic.pcap, not both");
  if (tc.live && tc.tcp)
    throw input_error("traffic.live: live traffic is UDP datagrams (traffic.protocol = \"udp\")");
  // The arrival process: Poisson, or on/off bursts (on_us and off_us only then)
  const std::string pattern = p.s("traffic.pattern");
  tc.poisson = pattern == "poisson";
  if (pattern == "onoff") {
    tc.on_us = p.d("traffic.on_us");
    tc.off_us = p.d("traffic.off_us");
  }
  tc.frames = tc.duration_us > 0 ? 0 : static_cast<uint64_t>(p.i("traffic.frames"));
  if (tc.tcp && tc.sockets != 1 && tc.sockets != tc.flows)
    throw input_error("app.sockets: with TCP every connection is its own socket; leave app.sockets "
                      "at 1 (it follows traffic.flows)");
  // The offered rate must fit the wire (README "The end of a run"): a generator faster than
  // line rate would only queue its frames at the sender.
  const std::string rate_key = p.d("traffic.rate_pps") > 0    ? "traffic.rate_pps"
                               : p.d("traffic.rate_mbps") > 0 ? "traffic.rate_mbps"
                                                              : "traffic.rate_pct";
  const bool generated = tc.pcap.empty() && !tc.live;
  if (generated || (!tc.pcap.empty() && tc.pcap_rescale)) {
    const double line = 1e9 / ((mean_bytes + 20.0) * 8.0);  // frames/s with preamble, SFD and gap
    if (tc.pps > line * (1 + 1e-9))
      throw input_error(fmt::format(
          "{}: {:.0f} frames/s of {:.0f}-byte frames is above the 1 Gb/s line rate ({:.0f} "
          "frames/s with preamble and gap); lower it, or set traffic.rate_pct = 100",
          rate_key, tc.pps, mean_bytes, std::floor(line)));
  }
  // The run's simulated time must stay within kMaxSimSeconds (sc_time counts picoseconds in 64
  // bits): judged before anything is simulated, from the traffic's own extent.
  {
    double traffic_s = 0;
    std::string why;
    if (!tc.pcap.empty() && !tc.pcap_rescale) {
      traffic_s = (pcap_span_ns + pcap_wire_ns) * 1e-9;
      why = fmt::format("traffic.pcap: {} spans {:.6g} s", tc.pcap, pcap_span_ns * 1e-9);
    } else if (!tc.live) {
      const double m = 1.0 / tc.pps;  // s between frames
      double n = !tc.pcap.empty() ? static_cast<double>(pcap_count)
                 : tc.frames      ? static_cast<double>(tc.frames)
                                  : tc.duration_us * 1e-6 / m;
      if (tc.tcp && (tc.loss_pct > 0 || tc.dup_pct > 0)) n *= 2;  // retransmissions and duplicates
      traffic_s =
          tc.poisson ? (n + 10 * std::sqrt(n) + 40) * m : n * m;  // a Poisson tail beyond reach
      if (tc.on_us > 0 &&
          tc.off_us > 0) {  // each silent period is waited out at most once per burst
        const double per_burst = std::max(1.0, std::floor(tc.on_us * 1e-6 / m));
        traffic_s += (n / per_burst + 1) * (tc.on_us + tc.off_us) * 1e-6;
      }
      if (!tc.frames && tc.pcap.empty()) traffic_s = std::min(traffic_s, 2 * tc.duration_us * 1e-6);
      why = fmt::format("{}: {:.6g} frames at {:.6g} frames/s take {:.6g} s", rate_key, n, tc.pps,
                        traffic_s);
    }
    if (traffic_s + p.d("sim.drain_us") * 1e-6 + 1e-3 > kMaxSimSeconds)
      throw input_error(
          fmt::format("{} of simulated time; a run simulates at most {:.0f} s ({:.0f} days)", why,
                      kMaxSimSeconds, kMaxSimSeconds / 86400));
  }
  c.seed = p.i("sim.seed");
  if (generated && tc.frames == 0 && tc.duration_us <= 0 && c.sc.frames == 0)
    throw input_error(
        "traffic.frames: 0 offers nothing and no sender is configured; offer frames, or set "
        "send.frames for a send-only run");
}

// The wire a sent datagram takes: its frames (one, or a fragment's each when the datagram is
// over the MTU), each with its Ethernet header, FCS, padding to 64 bytes, preamble and gap
struct datagram_wire {
  uint32_t frames;
  double bytes;
};
datagram_wire sender_wire(uint32_t frame_bytes, uint32_t mtu) {
  const uint32_t ip_payload = frame_bytes - 14 - 4 - 20;  // UDP header and payload
  datagram_wire w{0, 0};
  for (uint32_t n : ipv4_fragment_sizes(ip_payload, mtu)) {
    ++w.frames;
    w.bytes += std::max(14u + 20u + n + 4u, 64u) + 20.0;
  }
  return w;
}

// The sender application (send.*): its rate fits the wire, its run fits sc_time
void configure_sender(const params& p, run_config& c) {
  send_config& sc = c.sc;
  if (sc.frames == 0) return;
  const datagram_wire w = sender_wire(sc.frame_bytes, c.ic.mtu);
  c.send_wire_frames = w.frames;
  const double line = 1e9 / (w.bytes * 8.0);
  const bool by_pps = p.d("send.rate_pps") > 0;
  sc.pps = by_pps ? p.d("send.rate_pps") : line * p.d("send.rate_pct") / 100.0;
  if (sc.pps > line * (1 + 1e-9))
    throw input_error(fmt::format(
        "send.rate_pps: {:.0f} datagrams/s of {}-byte frames{} is above the 1 Gb/s line rate "
        "({:.0f} datagrams/s with preamble and gap); lower it, or set send.rate_pct = 100",
        sc.pps, sc.frame_bytes,
        w.frames > 1 ? fmt::format(" ({} IPv4 fragments each at driver.mtu {})", w.frames, c.ic.mtu)
                     : std::string(),
        std::floor(line)));
  const double send_s = static_cast<double>(sc.frames) / sc.pps;
  if (send_s + p.d("sim.drain_us") * 1e-6 + 1e-3 > kMaxSimSeconds)
    throw input_error(
        fmt::format("{}: {} datagrams at {:.6g} datagrams/s take {:.6g} s of simulated time; a run "
                    "simulates at most {:.0f} s ({:.0f} days)",
                    by_pps ? "send.rate_pps" : "send.rate_pct", sc.frames, sc.pps, send_s,
                    kMaxSimSeconds, kMaxSimSeconds / 86400));
  if (sc.gso_segments > 1) {
    // udp_send_skb's -EMSGSIZE (a segment over the MTU) and ip_make_skb's (a call over 64 KB)
    if (w.frames > 1)
      throw input_error(fmt::format(
          "send.gso_segments: UDP_SEGMENT datagrams must each fit the MTU: send.frame_bytes = {} "
          "is over driver.mtu + 18 = {}",
          sc.frame_bytes, c.ic.mtu + 18));
    const uint64_t payload = sc.frame_bytes - udp_sender::kHeaderBytes;
    if (payload * sc.gso_segments > 0xFFFF - 28)
      throw input_error(fmt::format(
          "send.gso_segments: {} datagrams of {} payload bytes make a {}-byte sendto, over the "
          "65,507 bytes a UDP datagram carries (ip_make_skb's EMSGSIZE); at most {} at this "
          "send.frame_bytes",
          sc.gso_segments, payload, payload * sc.gso_segments, (0xFFFF - 28) / payload));
  }
  if (sc.threads > sc.flows)
    throw input_error(fmt::format(
        "send.threads = {} is more than send.flows = {}: each thread sends on its own flows "
        "(thread t on the flows n with n mod threads = t); lower send.threads or raise send.flows",
        sc.threads, sc.flows));
  c.ic.tx_rings = true;  // igb_open sets up the net_device and its transmit rings
}

// The echo server (app.reply = echo): UDP only; its replies need the transmit rings; its
// sockets' ports (kDstPort + n, the replies' source ports) must not reach the sender's
// (kSendSportBase + n), by which the transmit scoreboard tells the two apart
void configure_echo(run_config& c) {
  if (c.ac.reply != app_reply::echo) return;
  if (c.tc.tcp)
    throw input_error("app.reply: echo answers UDP datagrams; the TCP model only receives (set "
                      "traffic.protocol = \"udp\")");
  if (c.sc.frames && kDstPort + static_cast<uint64_t>(c.nsocks) > kSendSportBase)
    throw input_error(fmt::format(
        "app.sockets: with app.reply = echo and a sender, the echo sockets' ports {}..{} would "
        "reach the sender's from {}; at most {} sockets",
        kDstPort, kDstPort + static_cast<uint64_t>(c.nsocks) - 1, kSendSportBase,
        kSendSportBase - kDstPort));
  // (A reply is the request's datagram again: one over the MTU leaves in IPv4 fragments.
  // Requests the NIC cannot take, longer than RLPML, are dropped as rx_length_errors.)
  c.ic.tx_rings = true;
}

// The link partner (wire.*): it honours PAUSE when the resolved flow control lets the NIC send
// it, and sends PAUSE when it lets the NIC honour it (the NIC's CTRL.TFCE / RFCE, mirrored).
// Its PAUSE marks need a buffer above igb's margin for the largest frame the NIC sends (MTU +
// 22, igb's max_frame_size). Its PAUSE frames are for the NIC's MAC: with the address filter
// open (nic.promisc) they would reach the host, which the model's scoreboards do not follow.
void configure_partner(run_config& c) {
  wire_params& w = c.wire;
  // The NIC's own marks (igb_setup_fc): FCRTH = packet buffer - (max frame + 9728), 16-byte
  // granular, FCRTL 16 below. With less than 16 bytes over that margin FCRTH is 0 and FCRTL
  // wraps above it, so the NIC asks for a pause with an empty buffer and takes it back at once,
  // a PAUSE frame every 672 ns for ever; with less than the margin FCRTH wraps out of reach and
  // no XOFF is ever sent. No igb part has such a buffer (the smallest, the i210's, is 34 KB):
  // refused when the NIC is to send PAUSE.
  const uint64_t margin = uint64_t{c.ic.mtu} + 22 + 9728;
  if (fc_tx_pause(c.plan.fc_mode) && uint64_t{c.plan.pktbuf_kb} * 1024 < margin + 16)
    throw input_error(fmt::format(
        "nic.pktbuf_kb: {} KB leaves no room for igb's PAUSE marks with driver.mtu {} (the XOFF "
        "mark is the buffer less {} bytes: max frame + 9728); the NIC sends PAUSE here "
        "(driver.flow_control resolved with wire.partner_fc), so give at least {} KB",
        c.plan.pktbuf_kb, c.ic.mtu, margin, (margin + 16 + 1023) / 1024));
  w.honour_pause = fc_tx_pause(c.plan.fc_mode);
  w.send_pause = fc_rx_pause(c.plan.fc_mode) && w.partner_rx_rate_pct < 100;
  w.partner_max_frame = c.ic.mtu + 22;
  const uint64_t need = uint64_t{w.partner_max_frame} + 9728 + 32;
  if (w.send_pause && w.partner_rx_buffer < need)
    throw input_error(fmt::format(
        "wire.partner_rx_buffer: {} bytes leave no room for the PAUSE marks with driver.mtu {} "
        "(at least {} bytes: max frame + 9728 + 32)",
        w.partner_rx_buffer, c.ic.mtu, need));
  // A live client's next datagram may come at any time; the wire hands the NIC the partner's
  // next PAUSE when the source has nothing, and would not look again for a datagram that comes
  // before it
  if (w.send_pause && c.tc.live)
    throw input_error(
        "wire.partner_rx_rate_pct: a partner that sends PAUSE frames with live traffic "
        "(traffic.live): not modelled; leave wire.partner_rx_rate_pct at 100");
  if (w.send_pause && c.ic.promisc)
    throw input_error(
        "wire.partner_rx_rate_pct: a partner that sends PAUSE frames with nic.promisc = true: "
        "the PAUSE frames would pass the address filter to the host, which the model does not "
        "follow; leave nic.promisc off or wire.partner_rx_rate_pct at 100");
}

void configure_driver_and_app(const params& p, run_config& c) {
  const auto& want = c.want;
  const auto& plan = c.plan;
  const auto& tc = c.tc;
  auto& ic = c.ic;
  ic.part = want.part;
  ic.plan = plan;
  ic.irq_mode = plan.irq_mode;
  ic.rx_itr_setting = want.rx_itr_setting;
  // Generated frames longer than the MTU allows are offered like any other: the NIC's size
  // filter (RLPML, as igb programs it from the MTU) drops them and counts them in ROC, as a
  // capture's or a live sender's would be.
  if (tc.tcp && tc.size != traffic_config::sizes::fixed)
    throw input_error("traffic.size: TCP streams use fixed-size segments (traffic.frame_bytes)");
  c.drain = sc_time(p.d("sim.drain_us"), SC_US);
  const uint32_t nsocks = c.nsocks = tc.tcp ? tc.flows : tc.sockets;
  if (p.s("app.kind") == "blocking" && nsocks > kMaxBlockingReaders)
    throw input_error(fmt::format(
        "app.sockets: blocking readers take a thread per socket; {} sockets need {} threads, "
        "at most {} (app.kind = epoll, select or poll read many sockets per thread)",
        nsocks, nsocks, kMaxBlockingReaders));
  c.app_kind = p.s("app.kind");
}

void size_host_memory(run_config& c) {
  const auto& ic = c.ic;
  const auto& kp = c.kp;
  const auto& tc = c.tc;
  const auto& plan = c.plan;
  const uint32_t nsocks = c.nsocks;
  const uint64_t pcap_count = c.pcap_count;
  auto& layout = c.layout;
  // Host memory, sized from the configuration (README "Host memory"): the rings, a buffer page
  // per descriptor, and a page for every frame the stack can hold (sockets' receive buffers,
  // backlogs, GRO), never more than the run offers. Pages of the order the driver uses (igb
  // uses 3 KB buffers in 8 KB pages when the MTU does not fit a 2 KB build_skb buffer,
  // driver/igb_main.cpp).
  {
    const bool large = ic.mtu + 14 + 4 + 4 > IGB_MAX_FRAME_BUILD_SKB;
    const double truesize = large ? 4096 : 2048;
    const double queues = plan.rss_queues;
    const double ring_pages = queues * ic.rx_ring;
    double held = nsocks * (std::floor(kp.rmem_default / truesize) + 2) * (tc.tcp ? 2 : 1) +
                  kp.cores * static_cast<double>(kp.netdev_max_backlog) +
                  queues * (ic.napi_weight + 64);
    double frames_total = -1;  // frames the run offers, when known before it runs
    if (!tc.pcap.empty()) frames_total = static_cast<double>(pcap_count);
    else if (!tc.live)
      frames_total =
          tc.frames ? static_cast<double>(tc.frames) : tc.duration_us * 1e-6 * tc.pps + 1;
    else if (tc.frames) frames_total = static_cast<double>(tc.frames);
    if (frames_total >= 0) held = std::min(held, frames_total * (tc.tcp ? 2 : 1));
    // The sender's datagrams mapped for the NIC (bounce pages, driver/hal.h): at most a ring's
    // worth per transmit ring
    if (c.sc.frames || c.ac.reply == app_reply::echo) held += queues * ic.tx_ring;
    const double pages = ring_pages + held + 1024;  // + slack for pages the driver is flipping
    const double coherent = std::max(static_cast<double>(layout.coherent_bytes),
                                     queues * (ic.rx_ring * 16.0 + 4096) + (1 << 20) +
                                         (ic.tx_rings ? queues * (ic.tx_ring * 16.0 + 4096) : 0));
    const double bytes =
        coherent + pages * (large ? 8192 : 4096) + (large ? 6144.0 * 4096 : 3072.0 * 8192);
    if (bytes > kMaxHostMemBytes)
      throw input_error(fmt::format(
          "host memory: nic.queues x nic.rx_ring = {:.0f} receive buffers plus {:.0f} frames "
          "the stack can hold (app.sockets x kernel.rmem_default, backlogs) need {:.0f} MiB; "
          "the modelled host has at most {:.0f} MiB",
          ring_pages, held, bytes / (1 << 20), kMaxHostMemBytes / (1 << 20)));
    layout.coherent_bytes = static_cast<uint64_t>(coherent);
    if (large) layout.order1_pages = std::max(layout.order1_pages, static_cast<uint64_t>(pages));
    else layout.order0_pages = std::max(layout.order0_pages, static_cast<uint64_t>(pages));
  }
}

}  // namespace

std::optional<uint64_t> journey_every(const std::string& setting, std::string& why) {
  if (setting == "all") return 1;
  if (setting == "off") return 0;
  const std::string prefix = "sample=";
  if (setting.compare(0, prefix.size(), prefix) != 0) {
    why = "'" + setting + "' is not all, off or sample=N";
    return std::nullopt;
  }
  const std::string n = setting.substr(prefix.size());
  uint64_t v = 0;
  const auto [end, ec] = std::from_chars(n.data(), n.data() + n.size(), v);
  if (n.empty() || ec != std::errc() || end != n.data() + n.size() || v == 0) {
    why = "sample=N keeps every N-th frame's row: N must be a whole number from 1 to " +
          std::to_string(UINT64_MAX) + ", got '" + n + "'";
    return std::nullopt;
  }
  return v;
}

run_config configure_run(const params& p) {
  run_config c;
  // Every parameter that maps directly onto a field writes its value there; the steps below
  // derive the rest and check the whole.
  for (const auto& d : p.defs())
    if (d.apply) d.apply(p.value(d.key), c);
  configure_hardware(p, c);
  configure_kernel(c);
  configure_traffic(p, c);
  configure_driver_and_app(p, c);
  configure_sender(p, c);
  configure_echo(c);
  configure_partner(c);
  size_host_memory(c);
  std::string why;
  c.journey_every = journey_every(p.s("sim.journey"), why).value_or(1);
  return c;
}

}  // namespace igbsim
