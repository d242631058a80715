#include "run_config.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

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

// The PCIe link, what igb decides at probe for this part and machine (driver/igb_part.h), and
// the NIC model's parameters that follow from it
void configure_hardware(const params& p, run_config& c) {
  auto& pp = c.pp;
  auto& want = c.want;
  auto& plan = c.plan;
  auto& np = c.np;
  pp.read_latency_ns = p.d("pcie.read_latency_ns");
  pp.write_latency_ns = p.d("pcie.write_latency_ns");
  pp.gbps = p.d("pcie.gbps");
  const std::string irq_mode = p.s("driver.irq_mode");
  // What igb decides at probe for this part and machine (driver/igb_part.h)
  want.part = igb_find_part(p.s("nic.part"));
  want.online_cpus = static_cast<int>(p.i("kernel.cores"));
  want.irq_mode = irq_mode == "msi" ? igb_irq_mode::msi : irq_mode == "intx" ? igb_irq_mode::intx : igb_irq_mode::msix;
  const std::string fc = p.s("driver.flow_control");
  want.fc = fc == "none" ? igb_fc_mode::none : fc == "rx_pause" ? igb_fc_mode::rx_pause
          : fc == "tx_pause" ? igb_fc_mode::tx_pause : igb_fc_mode::full;
  auto word_or_int = [&](const std::string& key, int word) {
    const std::string v = p.s(key);
    return v == "auto" ? word : static_cast<int>(std::stol(v));
  };
  want.queues = word_or_int("nic.queues", 0);
  want.wthresh = word_or_int("nic.wthresh", -1);
  want.pktbuf_kb = word_or_int("nic.pktbuf_kb", 0);
  want.drop_en = p.s("nic.drop_en") == "auto" ? -1 : p.s("nic.drop_en") == "true";
  want.rx_itr_setting = itr_setting(p.s("driver.itr"));
  try {
    plan = igb_plan_configuration(want);
  } catch (const std::invalid_argument& e) {
    throw input_error(e.what());
  }
  np.rx_burst_beats = static_cast<uint32_t>(p.i("nic.rx_burst_bytes") / kRxBeatBytes);
  np.ivar_82576 = want.part->ivar_82576;
  np.msix_latency_ns = p.d("nic.msix_latency_ns");
  np.rtl_queues = (p.s("sim.rtl_queues") == "auto" && plan.rss_queues <= 4) ? 4 : 8;
  np.fault_bits = static_cast<uint8_t>((p.b("fault.msix_while_masked") ? 1 : 0) | (p.b("fault.dd_before_data") ? 2 : 0) |
                                       (p.b("fault.rdt_inclusive") ? 4 : 0) | (p.b("fault.eitr_ignored") ? 8 : 0));
  np.intx = plan.irq_mode == igb_irq_mode::intx;
  np.fault_spin = p.b("fault.nic_spin");
  c.lockstep = p.b("sim.lockstep");
}

void configure_kernel(const params& p, run_config& c) {
  auto& kp = c.kp;
  auto& costs = c.costs;
  kp.cores = static_cast<int>(p.i("kernel.cores"));
  kp.irq_spread = p.s("kernel.irq_affinity") == "spread";
  kp.app_cpu = static_cast<int>(p.i("app.cpu"));
  if (kp.app_cpu >= kp.cores)
    throw input_error(fmt::format("app.cpu: core {} does not exist with kernel.cores = {}", kp.app_cpu, kp.cores));
  kp.netdev_budget = static_cast<int>(p.i("kernel.netdev_budget"));
  kp.netdev_budget_usecs = static_cast<int>(p.i("kernel.netdev_budget_usecs"));
  kp.hz = static_cast<int>(p.i("kernel.hz"));
  if (kp.hz != 100 && kp.hz != 250 && kp.hz != 300 && kp.hz != 1000)
    throw input_error(fmt::format("kernel.hz: {} is not a CONFIG_HZ choice (100, 250, 300 or 1000)", kp.hz));
  kp.rmem_default = static_cast<int>(p.i("kernel.rmem_default"));
  kp.netdev_max_backlog = static_cast<int>(p.i("kernel.netdev_max_backlog"));
  kp.gro_flush_timeout_ns = p.d("kernel.gro_flush_timeout_ns");
  kp.napi_defer_hard_irqs = static_cast<int>(p.i("kernel.napi_defer_hard_irqs"));
  for (const auto& [name, member] : cost_table::fields()) costs.*member = p.d("cost." + name);
}

// The traffic, and the rules that judge it as a whole: the rate fits the wire, the run's
// simulated time fits sc_time
void configure_traffic(const params& p, run_config& c) {
  auto& tc = c.tc;
  tc.tcp = p.s("traffic.protocol") == "tcp";
  tc.flows = static_cast<uint32_t>(p.i("traffic.flows"));
  tc.frame_bytes = static_cast<uint32_t>(p.i("traffic.frame_bytes"));
  const std::string& sizes = c.sizes = p.s("traffic.size");
  tc.size = sizes == "uniform" ? traffic_config::sizes::uniform
          : sizes == "imix" ? traffic_config::sizes::imix : traffic_config::sizes::fixed;
  tc.size_min = static_cast<uint32_t>(p.i("traffic.size_min"));
  tc.size_max = static_cast<uint32_t>(p.i("traffic.size_max"));
  if (tc.size == traffic_config::sizes::uniform && tc.size_min > tc.size_max)
    throw input_error(fmt::format("traffic.size_min: {} is above traffic.size_max {}", tc.size_min, tc.size_max));
  tc.pcap = p.s("traffic.pcap");
  double& mean_bytes = c.mean_bytes;
  mean_bytes = mean_frame_bytes(tc);
  double pcap_span_ns = 0, pcap_wire_ns = 0;  // a capture's last frame time, and its frames' wire time
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
  tc.pps = p.d("traffic.rate_pps") > 0    ? p.d("traffic.rate_pps")
           : p.d("traffic.rate_mbps") > 0 ? p.d("traffic.rate_mbps") * 1e6 / (mean_bytes * 8.0)
                                          : 1e9 / ((mean_bytes + 20.0) * 8.0) * p.d("traffic.rate_pct") / 100.0;
  tc.pcap_rescale = p.b("traffic.pcap_rescale");
  tc.live = p.b("traffic.live");
  tc.live_idle_us = p.d("traffic.live_idle_us");
  if (tc.live && !tc.pcap.empty()) throw input_error("traffic.live: choose live traffic or traffic.pcap, not both");
  if (tc.live && tc.tcp) throw input_error("traffic.live: live traffic is UDP datagrams (traffic.protocol = \"udp\")");
  const std::string pattern = p.s("traffic.pattern");
  tc.poisson = pattern == "poisson";
  if (pattern == "onoff") {
    tc.on_us = p.d("traffic.on_us");
    tc.off_us = p.d("traffic.off_us");
  }
  tc.duration_us = p.d("traffic.duration_us");
  tc.frames = tc.duration_us > 0 ? 0 : static_cast<uint64_t>(p.i("traffic.frames"));
  tc.seed = static_cast<uint64_t>(p.i("sim.seed"));
  tc.sockets = static_cast<uint32_t>(p.i("app.sockets"));
  tc.reorder_pct = p.d("traffic.tcp_reorder_pct");
  tc.loss_pct = p.d("traffic.tcp_loss_pct");
  tc.dup_pct = p.d("traffic.tcp_dup_pct");
  if (tc.tcp && tc.sockets != 1 && tc.sockets != tc.flows)
    throw input_error("app.sockets: with TCP every connection is its own socket; leave app.sockets at 1 (it follows traffic.flows)");
  // The offered rate must fit the wire (README "The end of a run"): a generator faster than
  // line rate would only queue its frames at the sender.
  const std::string rate_key = p.d("traffic.rate_pps") > 0    ? "traffic.rate_pps"
                               : p.d("traffic.rate_mbps") > 0 ? "traffic.rate_mbps"
                                                              : "traffic.rate_pct";
  const bool generated = tc.pcap.empty() && !tc.live;
  if (generated || (!tc.pcap.empty() && tc.pcap_rescale)) {
    const double line = 1e9 / ((mean_bytes + 20.0) * 8.0);  // frames/s with preamble, SFD and gap
    if (tc.pps > line * (1 + 1e-9))
      throw input_error(fmt::format("{}: {:.0f} frames/s of {:.0f}-byte frames is above the 1 Gb/s line rate ({:.0f} "
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
      traffic_s = tc.poisson ? (n + 10 * std::sqrt(n) + 40) * m : n * m;  // a Poisson tail beyond reach
      if (tc.on_us > 0 && tc.off_us > 0) {  // each silent period is waited out at most once per burst
        const double per_burst = std::max(1.0, std::floor(tc.on_us * 1e-6 / m));
        traffic_s += (n / per_burst + 1) * (tc.on_us + tc.off_us) * 1e-6;
      }
      if (!tc.frames && tc.pcap.empty()) traffic_s = std::min(traffic_s, 2 * tc.duration_us * 1e-6);
      why = fmt::format("{}: {:.6g} frames at {:.6g} frames/s take {:.6g} s", rate_key, n, tc.pps, traffic_s);
    }
    if (traffic_s + p.d("sim.drain_us") * 1e-6 + 1e-3 > kMaxSimSeconds)
      throw input_error(fmt::format("{} of simulated time; a run simulates at most {:.0f} s ({:.0f} days)", why,
                                    kMaxSimSeconds, kMaxSimSeconds / 86400));
  }
  c.live_addr = p.s("traffic.live_addr");
  c.live_port = static_cast<uint16_t>(p.i("traffic.live_port"));
  c.seed = p.i("sim.seed");
}

void configure_driver_and_app(const params& p, run_config& c) {
  const auto& want = c.want;
  const auto& plan = c.plan;
  const auto& tc = c.tc;
  auto& ic = c.ic;
  ic.part = want.part;
  ic.plan = plan;
  ic.napi = p.s("driver.mode") == "napi";
  ic.completion_dd = p.s("driver.completion") == "dd";
  ic.fault_lose_eims_write = static_cast<uint64_t>(p.i("fault.lose_eims_write"));
  ic.fault_eims_before_complete = p.b("fault.eims_before_complete");
  ic.fault_budget_complete = p.b("fault.budget_complete");
  ic.fault_skip_tail_write = static_cast<uint64_t>(p.i("fault.skip_tail_write"));
  ic.fault_ignore_complete_result = p.b("fault.ignore_complete_result");
  ic.fault_no_dma_rmb = p.b("fault.no_dma_rmb");
  ic.fault_stale_marker = p.b("fault.stale_marker");
  ic.fault_tail_equals_head = p.b("fault.tail_equals_head");
  ic.fault_refill_stack_owned = p.b("fault.refill_stack_owned");
  ic.construct_skb = p.s("driver.rx_path") == "construct_skb";
  ic.irq_mode = plan.irq_mode;
  ic.rx_ring = static_cast<uint16_t>(p.i("nic.rx_ring"));
  ic.napi_weight = static_cast<int>(p.i("driver.napi_weight"));
  ic.rx_itr_setting = itr_setting(p.s("driver.itr"));
  ic.pthresh = static_cast<uint32_t>(p.i("nic.pthresh"));
  ic.hthresh = static_cast<uint32_t>(p.i("nic.hthresh"));
  ic.mtu = static_cast<uint32_t>(p.i("driver.mtu"));
  ic.promisc = p.b("nic.promisc");
  // Generated frames longer than the MTU allows are offered like any other: the NIC's size
  // filter (RLPML, as igb programs it from the MTU) drops them and counts them in ROC, as a
  // capture's or a live sender's would be.
  if (tc.tcp && tc.size != traffic_config::sizes::fixed)
    throw input_error("traffic.size: TCP streams use fixed-size segments (traffic.frame_bytes)");
  c.drain = sc_time(p.d("sim.drain_us"), SC_US);
  const uint32_t nsocks = c.nsocks = tc.tcp ? tc.flows : tc.sockets;
  if (p.s("app.kind") == "blocking" && nsocks > kMaxBlockingReaders)
    throw input_error(fmt::format("app.sockets: blocking readers take a thread per socket; {} sockets need {} threads, "
                                  "at most {} (app.kind = epoll, select or poll read many sockets per thread)",
                                  nsocks, nsocks, kMaxBlockingReaders));
  const std::string kind = c.app_kind = p.s("app.kind");
  auto& ac = c.ac;
  ac.kind = kind == "select" ? app_kind::select : kind == "poll" ? app_kind::poll
          : kind == "blocking" ? app_kind::blocking : app_kind::epoll;
  ac.threads = static_cast<int>(p.i("app.threads"));
  ac.exclusive = p.b("app.exclusive");
  c.fd_setsize = p.i("app.fd_setsize");
  c.rcvlowat = static_cast<uint32_t>(p.i("app.rcvlowat"));
  c.stranded_us = p.d("sim.stranded_us");
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
                  kp.cores * static_cast<double>(kp.netdev_max_backlog) + queues * (ic.napi_weight + 64);
    double frames_total = -1;  // frames the run offers, when known before it runs
    if (!tc.pcap.empty()) frames_total = static_cast<double>(pcap_count);
    else if (!tc.live) frames_total = tc.frames ? static_cast<double>(tc.frames) : tc.duration_us * 1e-6 * tc.pps + 1;
    else if (tc.frames) frames_total = static_cast<double>(tc.frames);
    if (frames_total >= 0) held = std::min(held, frames_total * (tc.tcp ? 2 : 1));
    const double pages = ring_pages + held + 1024;  // + slack for pages the driver is flipping
    const double coherent = std::max(static_cast<double>(layout.coherent_bytes), queues * (ic.rx_ring * 16.0 + 4096) + (1 << 20));
    const double bytes = coherent + pages * (large ? 8192 : 4096) + (large ? 6144.0 * 4096 : 3072.0 * 8192);
    if (bytes > kMaxHostMemBytes)
      throw input_error(fmt::format("host memory: nic.queues x nic.rx_ring = {:.0f} receive buffers plus {:.0f} frames "
                                    "the stack can hold (app.sockets x kernel.rmem_default, backlogs) need {:.0f} MiB; "
                                    "the modelled host has at most {:.0f} MiB",
                                    ring_pages, held, bytes / (1 << 20), kMaxHostMemBytes / (1 << 20)));
    layout.coherent_bytes = static_cast<uint64_t>(coherent);
    if (large) layout.order1_pages = std::max(layout.order1_pages, static_cast<uint64_t>(pages));
    else layout.order0_pages = std::max(layout.order0_pages, static_cast<uint64_t>(pages));
  }
}

}  // namespace

run_config configure_run(const params& p) {
  run_config c;
  configure_hardware(p, c);
  configure_kernel(p, c);
  configure_traffic(p, c);
  configure_driver_and_app(p, c);
  size_host_memory(c);
  return c;
}

}  // namespace igbsim
