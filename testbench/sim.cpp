#include "sim.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <unordered_set>
#include <cstring>
#include <memory>

#include <unistd.h>

#include "app.h"
#include "select.h"
#include "eth_wire.h"
#include "hal.h"
#include "host_mem.h"
#include "igb.h"
#include "kernel.h"
#include "nic.h"
#include "pcie_link.h"
#include "scoreboard.h"
#include "skbuff.h"
#include "sim_time.h"
#include "traffic.h"
#include "live.h"
#include "plots.h"

#include <pcap/pcap.h>
#include <thread>
#include <unordered_map>

namespace igbsim {

using namespace sc_core;
using nlohmann::json;

volatile std::sig_atomic_t stop_signal = 0;

namespace {

json percentiles(const latency_sample& s) {
  json j;
  j["count"] = s.count;
  if (s.kept.empty()) return j;
  std::vector<uint64_t> v = s.kept;
  std::sort(v.begin(), v.end());
  // Past latency_sample::kKeep frames the percentiles come from a uniform sample of them
  if (s.sampled()) j["percentiles_from"] = v.size();
  auto pct = [&](double p) {
    size_t idx = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
    return v[std::min(idx, v.size() - 1)] / 1000.0;
  };
  j["mean"] = s.sum / static_cast<double>(s.count) / 1000.0;
  j["p50"] = pct(0.50);
  j["p90"] = pct(0.90);
  j["p99"] = pct(0.99);
  j["p999"] = pct(0.999);
  j["max"] = s.max / 1000.0;
  return j;
}

// Blocking readers are a thread per socket (stack/app.h), each a SystemC thread with its own stack
constexpr uint32_t kMaxBlockingReaders = 4096;
// The modelled host's memory (testbench/sim.cpp sizes it from the configuration up to this)
constexpr double kMaxHostMemBytes = 16.0 * (1ull << 30);

uint32_t itr_setting(const std::string& s) {
  if (s == "dynamic") return 3;
  if (s == "off") return 0;
  return static_cast<uint32_t>(std::stod(s)) << 2;
}

// The summary's lines on what igb decided (driver/igb_part.h) and from what
std::string igb_decisions(const igb_part& part, const igb_setup& w, const igb_plan& p) {
  auto plural = [](int n, const char* what) { return fmt::format("{} {}{}", n, what, n == 1 ? "" : "s"); };
  std::string queues = p.irq_mode != igb_irq_mode::msix
                           ? std::string(p.msix_fell_back ? "MSI-X lacks vectors" : "one interrupt without MSI-X") +
                                 (w.queues > 1 ? fmt::format("; nic.queues {} not used", w.queues) : "")
                       : p.queues_set ? "nic.queues"
                                      : fmt::format("min({}, the {}'s {})", plural(w.online_cpus, "core"), part.name,
                                                    part.max_rss_queues);
  std::string vectors = p.irq_mode != igb_irq_mode::msix ? "1 " + std::string(igb_irq_mode_name(p.irq_mode))
                        : p.queue_pairs ? fmt::format("{} MSI-X: {} paired TxRx + other ({} > {}/2 queues)",
                                                      p.msix_vectors(), p.rss_queues, p.rss_queues, part.max_rss_queues)
                                        : fmt::format("{} MSI-X: {} rx + {} tx + other ({} <= {}/2 queues)",
                                                      p.msix_vectors(), p.rss_queues, p.rss_queues, p.rss_queues,
                                                      part.max_rss_queues);
  const char* drop = p.drop_en_set ? "nic.drop_en"
                     : p.rss_queues == 1 ? "one queue"
                     : p.drop_en ? "several queues, RX flow control off"
                                 : "driver.flow_control receives PAUSE";
  const std::string itr = p.itr_dynamic ? fmt::format("ITR by {} ({})", p.itr_algorithm(), plural(p.num_q_vectors, "q_vector"))
                                        : fmt::format("ITR {} ({})", w.rx_itr_setting ? "fixed" : "off",
                                                      plural(p.num_q_vectors, "q_vector"));
  return fmt::format("  igb        {}: {} ({}), vectors {}, {}\n"
                     "             DROP_EN {} ({}), WTHRESH {} ({}), packet buffer {} KB{}\n",
                     part.name, plural(p.rss_queues, "queue"), queues, vectors, itr, p.drop_en ? "on" : "off", drop, p.wthresh,
                     p.wthresh_set ? "nic.wthresh" : "IGB_RX_WTHRESH", p.pktbuf_kb, p.pktbuf_set ? " (nic.pktbuf_kb)" : "");
}

}  // namespace

run_outcome run_simulation(const params& p, const run_options& o) {
  const auto wall0 = std::chrono::steady_clock::now();

  // Parameters
  pcie_params pp;
  pp.read_latency_ns = p.d("pcie.read_latency_ns");
  pp.write_latency_ns = p.d("pcie.write_latency_ns");
  pp.gbps = p.d("pcie.gbps");
  const std::string irq_mode = p.s("driver.irq_mode");
  // What igb decides at probe for this part and machine (driver/igb_part.h)
  igb_setup want;
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
  igb_plan plan;
  try {
    plan = igb_plan_configuration(want);
  } catch (const std::invalid_argument& e) {
    throw input_error(e.what());
  }
  nic_params np;
  np.rx_ring = static_cast<uint32_t>(p.i("nic.rx_ring"));
  np.pktbuf_kb = plan.pktbuf_kb;
  np.rx_burst_beats = static_cast<uint32_t>(p.i("nic.rx_burst_bytes") / kRxBeatBytes);
  np.drop_en = plan.drop_en;
  np.ivar_82576 = want.part->ivar_82576;
  np.msix_latency_ns = p.d("nic.msix_latency_ns");
  np.rtl_queues = (p.s("sim.rtl_queues") == "auto" && plan.rss_queues <= 4) ? 4 : 8;
  np.fault_bits = static_cast<uint8_t>((p.b("fault.msix_while_masked") ? 1 : 0) | (p.b("fault.dd_before_data") ? 2 : 0) |
                                       (p.b("fault.rdt_inclusive") ? 4 : 0) | (p.b("fault.eitr_ignored") ? 8 : 0));
  np.intx = plan.irq_mode == igb_irq_mode::intx;
  np.fault_spin = p.b("fault.nic_spin");
  kernel_params kp;
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
  cost_table costs;
  for (const auto& [name, member] : cost_table::fields()) costs.*member = p.d("cost." + name);
  traffic_config tc;
  tc.tcp = p.s("traffic.protocol") == "tcp";
  tc.flows = static_cast<uint32_t>(p.i("traffic.flows"));
  tc.frame_bytes = static_cast<uint32_t>(p.i("traffic.frame_bytes"));
  const std::string sizes = p.s("traffic.size");
  tc.size = sizes == "uniform" ? traffic_config::sizes::uniform
          : sizes == "imix" ? traffic_config::sizes::imix : traffic_config::sizes::fixed;
  tc.size_min = static_cast<uint32_t>(p.i("traffic.size_min"));
  tc.size_max = static_cast<uint32_t>(p.i("traffic.size_max"));
  if (tc.size == traffic_config::sizes::uniform && tc.size_min > tc.size_max)
    throw input_error(fmt::format("traffic.size_min: {} is above traffic.size_max {}", tc.size_min, tc.size_max));
  tc.pcap = p.s("traffic.pcap");
  double mean_bytes = mean_frame_bytes(tc);
  double pcap_span_ns = 0, pcap_wire_ns = 0;  // a capture's last frame time, and its frames' wire time
  uint64_t pcap_count = 0;
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
  igb_config ic;
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
  ic.rx_ring = static_cast<uint16_t>(np.rx_ring);
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
  const sc_time drain(p.d("sim.drain_us"), SC_US);
  const uint32_t nsocks = tc.tcp ? tc.flows : tc.sockets;
  if (p.s("app.kind") == "blocking" && nsocks > kMaxBlockingReaders)
    throw input_error(fmt::format("app.sockets: blocking readers take a thread per socket; {} sockets need {} threads, "
                                  "at most {} (app.kind = epoll, select or poll read many sockets per thread)",
                                  nsocks, nsocks, kMaxBlockingReaders));

  // Host memory, sized from the configuration (README "Host memory"): the rings, a buffer page
  // per descriptor, and a page for every frame the stack can hold (sockets' receive buffers,
  // backlogs, GRO), never more than the run offers. Pages of the order the driver uses (igb
  // uses 3 KB buffers in 8 KB pages when the MTU does not fit a 2 KB build_skb buffer,
  // driver/igb_main.cpp).
  host_mem_layout layout;
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

  // Elaboration
  kernel k(kp, costs);
  k.local_addr = kHostIp;
  scoreboard sb(k);
  // rx.pcap: the frames that reached a socket, as captured on the host (no FCS), stamped with
  // the time read() returned them
  std::unordered_map<uint64_t, std::vector<uint8_t>> rx_frames;
  pcap_t* rx_pcap = nullptr;
  pcap_dumper_t* rx_dump = nullptr;
  if (o.rx_pcap) {
    rx_pcap = pcap_open_dead(DLT_EN10MB, 65535);
    rx_dump = pcap_dump_open(rx_pcap, (o.outdir + "/rx.pcap").c_str());
    if (!rx_dump) throw std::runtime_error("cannot create rx.pcap");
  }
  traffic_source src(tc);  // a capture is read (and checked) here
  std::unique_ptr<live_listener> live;
  if (p.b("traffic.live")) {  // bound now, so a taken port is bad input before anything runs
    live = std::make_unique<live_listener>(p.s("traffic.live_addr"), static_cast<uint16_t>(p.i("traffic.live_port")));
    src.set_live(live.get());
  }
  // Run control's wake-ups: the source ran out, every frame has its fate, the statistics
  // were read. Nothing wakes it otherwise, so idle time costs nothing.
  sc_event run_ev;
  std::function<void()> fate_hook;  // after every frame's fate
  eth_wire wire(wire_params{}, [&](uint64_t id, sc_time& t, std::vector<uint8_t>& b) {
    if (src.next(id, t, b)) return true;
    if (src.exhausted()) run_ev.notify(SC_ZERO_TIME);
    return false;
  });
  uint64_t first_frame_ps = UINT64_MAX;
  wire.on_offer = [&](const wire_frame& f) {
    if (first_frame_ps == UINT64_MAX) first_frame_ps = ps_of(f.start);
    std::vector<uint8_t> body(f.bytes.begin(), f.bytes.end() - 4);
    sb.offered(f.id, body);
    if (o.rx_pcap) rx_frames.emplace(f.id, std::move(body));
  };
  host_mem mem("host_mem", layout);
  pcie_link link("pcie", pp);
  nic dev("nic", np, &wire, p.b("sim.lockstep"));
  hal hw("hal", k, mem);
  dev.dma_init_socket.bind(link.dma_tgt_socket);
  link.mem_init_socket.bind(mem.tgt_socket);
  hw.mmio_init_socket.bind(link.mmio_tgt_socket);
  link.mmio_init_socket.bind(dev.mmio_tgt_socket);
  if (o.waves) {
    if (!dev.open_waves(o.outdir + "/waves.fst")) throw std::runtime_error("cannot create waves.fst");
    dev.tracer().set_window(static_cast<uint64_t>(o.waves_start_us * 1e6),
                            o.waves_end_us < 0 ? UINT64_MAX : static_cast<uint64_t>(o.waves_end_us * 1e6));
    k.set_tracer(&dev.tracer());
  }
  if (!k.jr.open(o.outdir + "/journey.csv")) throw std::runtime_error("cannot create journey.csv");

  // Wakes the stranded-packet checker from its sleep when nothing was pending (below)
  sc_event checker_wake;
  // First occurrence of the events --waves-trigger can select (simulated ns)
  std::map<std::string, double> first_event;
  auto note_event = [&](const std::string& ev, const sc_time& t) { first_event.emplace(ev, ps_of(t) / 1000.0); };
  auto drop = [&](uint64_t id, const std::string& counter) {
    note_event("drop", k.this_cpu().now());
    if (counter == "rx_missed_errors") note_event("mpc", sc_time_stamp());
    if (counter.rfind("rx_queue_", 0) == 0) note_event("rqdpc", sc_time_stamp());
    rx_frames.erase(id);
    sb.dropped(id, counter);
    k.jr.finish(id, counter);
    if (fate_hook) fate_hook();
  };
  dev.msix_sink = [&](unsigned vec, const sc_time& sent, const sc_time& arrival) {
    hw.note_msix(vec, sent, arrival);
    k.cpu(k.irq_cpu(vec)).post_irq(vec, arrival);
  };
  dev.on_violation = [&](const char* kind, const std::string& detail, const sc_time& t) { k.violate_at(t, kind, detail); };
  dev.on_rtl_assertion = [&](const std::string& where, const sc_time&) {
    k.violate("rtl_assertion", "assertion failed at " + where);
  };
  uint64_t runt_drops = 0, oversize_drops = 0;  // the NIC's size filter: RUC, ROC
  dev.on_frame = [&](uint64_t id, nic_event ev, unsigned queue, const sc_time& t) {
    switch (ev) {
      case nic_event::wire_end: k.jr.record(id, step::wire_end, t); break;
      case nic_event::no_descriptor:
        note_event("rnbc", t);
        checker_wake.notify(SC_ZERO_TIME);
        break;
      case nic_event::mpc_drop: drop(id, "rx_missed_errors"); break;
      case nic_event::runt_drop:
        ++runt_drops;
        drop(id, "rx_length_errors");
        break;
      case nic_event::oversize_drop:
        ++oversize_drops;
        drop(id, "rx_length_errors");
        break;
      // No Linux name: a NIC counts no frame its address filter drops (README)
      case nic_event::addr_filtered: drop(id, "address_filtered"); break;
      case nic_event::rqdpc_drop: drop(id, fmt::format("rx_queue_{}_drops", queue)); break;
      case nic_event::desc_writeback: k.jr.record(id, step::desc_wb_nic, t); break;
    }
  };
  uint64_t frames_written_back = 0;  // frames whose EOP descriptor is written back
  mem.on_visible = [&](uint64_t addr, uint32_t len, uint32_t tag, const std::vector<uint64_t>& frames, const sc_time& t) {
    if (tag == 1 && !frames.empty()) {
      k.jr.record(frames[0], step::data_dma, t);
      uint64_t holder = 0;
      if (hw.held_by_stack(addr, len, &holder))
        k.violate_at(t, "dma_into_stack_owned_buffer",
                     fmt::format("frame {} written at 0x{:x}, into the buffer of frame {} that the stack still holds",
                                 static_cast<int64_t>(frames[0]), addr, static_cast<int64_t>(holder)),
                     static_cast<int64_t>(frames[0]));
    }
    if (tag == 2) {
      for (size_t i = 0; i < frames.size(); ++i) {
        uint32_t staterr;  // the frame's last descriptor (EOP) is written back: it is in host memory
        std::memcpy(&staterr, mem.ptr(addr + 16 * i + 8), 4);
        if (staterr & E1000_RXD_STAT_EOP) ++frames_written_back;
        k.jr.record(frames[i], step::desc_wb, t);
        hw.note_writeback(addr + 16 * i, frames[i], t);
        checker_wake.notify(SC_ZERO_TIME);
      }
    }
  };
  k.on_drop = [&](uint64_t id, const std::string& counter) {
    note_event("drop", k.this_cpu().now());
    rx_frames.erase(id);
    sb.dropped(id, counter);
    if (fate_hook) fate_hook();
  };
  k.on_dequeue = [&](uint64_t id, uint32_t seq, size_t n) { sb.dequeued(id, seq, n); };
  k.on_deliver = [&](uint64_t id, const uint8_t* d, size_t n, const sc_time& t) {
    sb.delivered(id, d, n);
    if (fate_hook) fate_hook();
    if (!rx_dump) return;
    auto it = rx_frames.find(id);
    if (it == rx_frames.end()) return;
    pcap_pkthdr h{};
    const uint64_t ns = ps_of(t) / 1000;
    h.ts.tv_sec = static_cast<time_t>(ns / 1000000000ull);
    h.ts.tv_usec = static_cast<suseconds_t>(ns % 1000000000ull / 1000);
    h.caplen = h.len = static_cast<bpf_u_int32>(it->second.size());
    pcap_dump(reinterpret_cast<u_char*>(rx_dump), &h, it->second.data());
    rx_frames.erase(it);
  };

  // Sockets and tasks: bring-up, then the application. UDP: app.sockets sockets bound to
  // consecutive ports; TCP: one established connection per flow.
  std::vector<std::unique_ptr<sock>> socks;
  std::vector<sock*> sockp;
  for (uint32_t i = 0; i < nsocks; ++i) {
    socks.push_back(std::make_unique<sock>());
    sock* sk = socks.back().get();
    sock_init_data(k, sk);
    sk->index = static_cast<int>(i);
    sk->rcv_saddr = kHostIp;
    if (tc.tcp) {
      sk->tcp = true;
      sk->num = kDstPort;
      sk->daddr = peer_ip(i);
      sk->dport = static_cast<uint16_t>(kSrcPortBase + i);
      sk->rcv_nxt = kTcpIsn + 1;
      sk->sk_rcvlowat = static_cast<uint32_t>(p.i("app.rcvlowat"));
      k.tcp_hash.insert(sk);
    } else {
      sk->num = static_cast<uint16_t>(kDstPort + i);
      k.udp.bind(sk);
    }
    sockp.push_back(sk);
  }
  igb_adapter adapter;
  task_struct bringup;
  bringup.comm = "ip_link_up";
  bringup.fn = [&] {
    igb_open(&adapter, &hw, ic);
    k.this_cpu().sync();
    src.start_at(sc_time_stamp() + sc_time(10, SC_US));  // link up, then the peer sends
    if (live) live->start();
    dev.kick();
  };
  app_config ac;
  const std::string kind = p.s("app.kind");
  ac.kind = kind == "select" ? app_kind::select : kind == "poll" ? app_kind::poll
          : kind == "blocking" ? app_kind::blocking : app_kind::epoll;
  ac.threads = static_cast<int>(p.i("app.threads"));
  ac.exclusive = p.b("app.exclusive");
  // An fd_set holds fds below FD_SETSIZE: glibc's FD_SET beyond it writes past the set (or
  // aborts under _FORTIFY_SOURCE, __fdelt_chk); the kernel itself takes any nfds.
  const int64_t fd_setsize = p.i("app.fd_setsize");
  if (ac.kind == app_kind::select && 3 + static_cast<int64_t>(nsocks) > fd_setsize)
    throw input_error(fmt::format("app.fd_setsize: select() takes fds below the fd_set size (FD_SETSIZE) {}; {} sockets "
                                  "need fds up to {}: raise app.fd_setsize to at least {}",
                                  fd_setsize, nsocks, 2 + nsocks, (3 + static_cast<int64_t>(nsocks) + 63) / 64 * 64));
  server_app app(k, sockp, ac);
  task_struct& main_task = *app.tasks.front();
  k.app_task = &main_task;
  k.jr.task_state = [&] {
    switch (main_task.state) {
      case task_state::running: return 'R';
      case task_state::runnable: return 'r';
      case task_state::interruptible: return 'S';
      default: return 'X';
    }
  };
  for (int c = 0; c < k.cores(); ++c) k.cpu(c).net_rx_action = [&] { net_rx_action(k); };
  k.cpu(0).spawn(&bringup);
  for (size_t t = 0; t < app.tasks.size(); ++t)
    k.cpu((kp.app_cpu + static_cast<int>(t)) % k.cores()).spawn(app.tasks[t].get());

  // Run control (README "The end of a run"): the traffic runs out, then the drain lasts until
  // every offered frame has its fate, or until sim.drain_us after the last frame's wire end;
  // then the driver reads the statistics and the run stops. Frames without a fate then are in
  // flight (or lost), accounted for after the run.
  bool stats_read = false;
  task_struct stats_task;
  stats_task.comm = "igb_update_stats";
  stats_task.fn = [&] {
    igb_update_stats(&adapter);
    stats_read = true;
    run_ev.notify(SC_ZERO_TIME);
  };
  // Progress on stderr for runs longer than about two seconds, when it is a terminal
  const bool show_progress = !o.quiet && ::isatty(STDERR_FILENO);
  double next_progress_s = 2.0;
  bool progress_shown = false;
  auto progress = [&] {
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
    if (!show_progress || wall < next_progress_s) return;
    next_progress_s = wall + 0.5;
    const double sim_s = sc_time_stamp().to_seconds();
    double done = 0;  // fraction of the offered traffic
    if (tc.frames) done = static_cast<double>(sb.offered_count()) / static_cast<double>(tc.frames);
    else if (tc.duration_us > 0 && first_frame_ps != UINT64_MAX)
      done = std::max(0.0, sim_s - static_cast<double>(first_frame_ps) * 1e-12) / (tc.duration_us * 1e-6);
    done = std::min(done, 1.0);
    const std::string left = done > 0.01 ? fmt::format(", ~{:.0f} s left", wall * (1 - done) / done) : "";
    std::fprintf(stderr, "\r  %.3f ms simulated, %llu frames, %.4f sim-s/s%s   ", sim_s * 1e3,
                 static_cast<unsigned long long>(sb.offered_count()), sim_s / wall, left.c_str());
    progress_shown = true;
  };
  fate_hook = [&] {
    if (show_progress) progress();
    if (stop_signal || (src.exhausted() && sb.outstanding() == 0)) run_ev.notify(SC_ZERO_TIME);
  };
  // The counters as the scoreboard saw them, just before and just after the driver read the
  // NIC's: a frame that moves while the registers are read is on either side.
  struct tally {
    std::map<std::string, uint64_t> fates;
    uint64_t written_back = 0, out_of_pktbuf = 0;
  };
  tally before, after;
  auto take_tally = [&](tally& t) {
    t.fates = sb.dropped_by();
    t.written_back = frames_written_back;
    // Frames that left the packet buffer for host memory or a drop: all but those on the wire or buffered
    t.out_of_pktbuf = sb.offered_count() - (wire.holding() ? 1 : 0) - dev.frames_buffered();
  };
  bool drained = false;  // every frame had its fate before the drain's bound
  sc_spawn([&] {
    while (!stop_signal && (!src.started() || !src.exhausted())) {
      if (!live) {
        wait(run_ev);
        continue;
      }
      // Live traffic: simulated time must not run ahead of the wall clock, or a datagram
      // would land in the simulated past; then let the wire look for new datagrams.
      wait(sc_time(50, SC_US));
      if (show_progress) progress();
      if (!src.started()) continue;
      // (in doubles: the first frame may start a few ns after now, and sc_time is unsigned)
      const double ahead_ns = (sc_time_stamp().to_seconds() - src.start_time().to_seconds()) * 1e9 - live->elapsed_ns();
      // (at most 50 ms a pass, so a stop signal is seen promptly whatever the clocks say)
      if (ahead_ns > 0) std::this_thread::sleep_for(std::chrono::nanoseconds(static_cast<int64_t>(std::min(ahead_ns, 5e7))));
      dev.kick();
    }
    // The drain: from the last frame's wire end (a source faster than the wire queues its
    // frames at the sender, so its nominal times end earlier)
    const sc_time bound = std::max(wire.last_end(), src.last_offered()) + drain;
    while (!stop_signal && sb.outstanding() > 0 && sc_time_stamp() < bound) wait(bound - sc_time_stamp(), run_ev);
    drained = sb.outstanding() == 0;
    take_tally(before);
    k.cpu(0).spawn(&stats_task);
    while (!stats_read) wait(run_ev);
    take_tally(after);
    sc_stop();
  }, "run_control");

  // A stop signal is seen at the next frame's fate; a stretch without one (a core busy for
  // simulated hours, lockstep over an idle gap) is covered by this watch: it looks every
  // 50 us of simulated time at first, doubling up to every 10 ms (a fixed schedule, so runs
  // repeat exactly; about a second of wall time between looks in lockstep). It only reads.
  sc_spawn([&] {
    sc_time period(50, SC_US);
    while (!stop_signal) {
      wait(period);
      if (period < sc_time(10, SC_MS)) period = period * 2.0;
    }
    run_ev.notify(SC_ZERO_TIME);
  }, "stop_watch");
  k.on_event = [&](const char* ev) { note_event(ev, k.this_cpu().now()); };
  // Checkers of the driver against the NIC, outside the driver they judge.
  // 1. No vector unmasked while its NAPI is still scheduled (EIMS before napi_complete_done).
  std::map<unsigned, napi_struct*> napi_of_vector;
  // 3. Refilled descriptors given to the NIC: RDT follows next_to_use. A ring whose tail lags
  //    behind the driver's refills while the NIC finds no descriptor is a forgotten tail write.
  std::map<uint32_t, uint32_t> rdt_written;  // tail register -> last value written
  hw.on_writel = [&](uint32_t reg, uint32_t val) {
    for (const auto& ring : adapter.rx_ring)
      if (reg == ring->tail) rdt_written[reg] = val;
    if (reg != E1000_EIMS || adapter.down) return;
    for (const auto& [vec, n] : napi_of_vector) {
      if (!(val >> vec & 1)) continue;
      if (n->complete_refused)
        k.violate("irq_enabled_after_napi_complete_false",
                  fmt::format("EIMS written for vector {} after napi_complete_done returned false (NAPI {})", vec,
                              n->state & NAPI_STATE_SCHED ? "rescheduled" : "deferred to its timer"));
      else if (n->state & NAPI_STATE_SCHED)
        k.violate("irq_enabled_while_napi_scheduled",
                  fmt::format("EIMS written for vector {} while its NAPI is still scheduled (before napi_complete_done)", vec));
    }
  };
  // 2. Stranded packets: a written-back frame that nothing pending can ever pick up. It has
  //    waited at least sim.stranded_us, and now its queue's NAPI is idle (not scheduled, so
  //    no softirq will poll it), its vector is masked (EIMS; without MSI-X the one interrupt's
  //    receive cause in IMS) with no unmasking write on its way to the NIC, and no interrupt
  //    for that vector is on its way to the CPU, waiting there to be taken or being handled
  //    (igb_intr waits for its ICR read, which has already masked IMS), and the NAPI's hrtimer
  //    is not armed (napi_defer_hard_irqs: its napi_watchdog will poll, however late a busy
  //    core takes it). A slow system (huge costs, a CPU that cannot take the interrupt for a
  //    long stretch, long PCIe latencies) is not a stranded frame.
  const sc_time stranded_bound(std::max(p.d("sim.stranded_us") * 1e3, 2 * kp.gro_flush_timeout_ns), SC_NS);
  std::set<uint64_t> stranded_reported;
  const bool msix = ic.irq_mode == igb_irq_mode::msix;
  // One look at the frames written back and not yet taken: reports those stranded now, and
  // says whether it excused any that waited longer than the bound (something can still help).
  const auto judge_stranded = [&] {
    bool excused = false;
    const uint32_t eims = dev.eims();
    const bool ims_rx = dev.ims_rx();
    for (const auto& [dma, seen] : hw.pending_writebacks()) {
      if (sc_time_stamp() - seen.visible < stranded_bound || stranded_reported.count(seen.frame)) continue;
      for (const auto& q : adapter.q_vector) {
        const igb_ring* ring = q->rx_ring;
        if (dma < ring->dma || dma >= ring->dma + ring->count * 16ull) continue;
        // Masked, and no write that unmasks it on its way (the driver runs ahead of the NIC
        // by the CPU time it has spent: a costly poll's EIMS write lands that much later)
        const bool masked = msix ? !(eims >> q->vector & 1) && !dev.write_queued(E1000_EIMS, 1u << q->vector)
                                 : !ims_rx && !dev.write_queued(E1000_IMS, E1000_ICR_RXT0);
        const cpu_core& cpu = k.cpu(k.irq_cpu(q->vector));
        if (q->napi.state & NAPI_STATE_SCHED || !masked || cpu.irq_pending(q->vector) || cpu.in_irq_handler(q->vector) ||
            q->napi.timer_expires != SC_ZERO_TIME) {
          excused = true;
          continue;
        }
        stranded_reported.insert(seen.frame);
        k.violate("stranded_packet",
                  fmt::format("frame {} written back to queue {} at {:.3f} us waits with its NAPI idle, {} masked and "
                              "no interrupt pending or being handled", seen.frame, ring->reg_idx, seen.visible.to_seconds() * 1e6,
                              msix ? fmt::format("vector {}", q->vector) : std::string("the receive cause (IMS)")),
                  static_cast<int64_t>(seen.frame));
      }
    }
    return excused;
  };
  sc_spawn([&] {
    while (adapter.down) wait(sc_time(100, SC_US));
    if (msix)
      for (const auto& q : adapter.q_vector) napi_of_vector[q->vector] = &q->napi;
    std::map<uint32_t, int> tail_lag;  // consecutive checks a tail lagged
    bool tail_reported = false;
    int quiet_passes = 0;  // passes with no write-back pending and no tail lagging
    // While old frames wait on something that can still help and nothing moves (a core stuck
    // in a read that costs seconds), each pass doubles the period, up to 1024 times; a
    // write-back or a frame taken restarts it. The end of the run takes one more look.
    int backoff = 0;
    std::pair<uint64_t, size_t> last_moved{UINT64_MAX, 0};
    for (;;) {
      // With nothing to judge for a few passes, sleep until a write-back or an RNBC instead of
      // waking every stranded_bound / 2 (an idle day would otherwise cost minutes of wall time)
      if (quiet_passes >= 4) {
        wait(checker_wake);
        quiet_passes = 0;
      }
      wait(stranded_bound / 2 * static_cast<double>(1u << backoff));
      bool any_lag = false;
      for (const auto& ring : adapter.rx_ring) {
        const auto it = rdt_written.find(ring->tail);
        const bool lags = it != rdt_written.end() && it->second != ring->next_to_use;
        tail_lag[ring->tail] = lags ? tail_lag[ring->tail] + 1 : 0;
        any_lag |= lags;
        if (lags && tail_lag[ring->tail] >= 2 && first_event.count("rnbc") && !tail_reported) {
          tail_reported = true;
          k.violate("tail_not_written", fmt::format("queue {}: descriptors refilled up to {} but RDT is {} while frames find "
                                                    "no descriptor", ring->reg_idx, ring->next_to_use, it->second));
        }
      }
      quiet_passes = any_lag || !hw.pending_writebacks().empty() ? 0 : quiet_passes + 1;
      const bool excused = judge_stranded();
      const std::pair<uint64_t, size_t> moved{dev.desc_writebacks(), hw.pending_writebacks().size()};
      backoff = excused && !any_lag && moved == last_moved ? std::min(backoff + 1, 10) : 0;
      last_moved = moved;
    }
  }, "stranded_checker");
  sc_start();
  if (rx_dump) {
    pcap_dump_close(rx_dump);
    pcap_close(rx_pcap);
  }
  if (progress_shown) std::fprintf(stderr, "\r%80s\r", "");
  // The progress watchdog stopped a run that no longer moved (systemc/nic.h): an error (exit
  // 1), with its one-line diagnosis.
  if (!dev.stalled().empty()) {
    run_outcome failed;
    failed.error = dev.stalled();
    return failed;
  }
  judge_stranded();  // the checker's last look (it may have been backing off)
  const sc_time end = sc_time_stamp();
  // Segments still waiting for a hole to fill: the sender would retransmit; count them.
  for (sock* sk : sockp) tcp_flush_ofo_at_end(k, sk);
  // Frames without a fate when the drain's bound ended the run: where each one is, asked of
  // what holds it. The NIC (MAC, packet buffer, DMA engine, or in host memory with its
  // descriptor not yet written back, or the write-back still on its way over PCIe); the ring
  // (written back, not yet taken by the driver); an skb in the stack or a socket's queue; or a
  // reader that has taken it off its socket and whose read() has not returned yet (it pays the
  // copy's time after the skb is freed). One that nothing holds was lost: lost_unaccounted.
  std::map<std::string, uint64_t> in_flight_at;
  uint64_t in_flight = 0;  // no Linux name: frames on their way when the run ends (not drops)
  if (sb.outstanding() > 0) {
    std::unordered_set<uint64_t> in_nic, in_ring, in_skb;
    dev.frames_held(in_nic);
    mem.frames_posted(in_nic);
    for (const auto& [dma, seen] : hw.pending_writebacks()) in_ring.insert(seen.frame);
    for (const sk_buff* skb : live_skbs()) skb->for_each_frame([&](uint64_t id) { in_skb.insert(id); });
    if (wire.holding()) ++in_flight_at["wire"];
    k.jr.for_each_in_flight([&](const frame_record& r) {
      const char* place = in_nic.count(r.id)      ? "nic"
                          : in_ring.count(r.id)   ? "ring"
                          : sb.being_read(r.id)   ? "read"
                          : !in_skb.count(r.id)   ? nullptr
                          : r.t[static_cast<size_t>(step::sk_data_ready)] >= 0 ? "socket"
                                                                               : "stack";
      if (place) ++in_flight_at[place];
    });
    for (const auto& [place, n] : in_flight_at) in_flight += n;
    if (in_flight > sb.outstanding())
      k.violate("in_flight_census", fmt::format("{} frames placed in flight, but only {} have no fate", in_flight,
                                                sb.outstanding()));
    in_flight = std::min<uint64_t>(in_flight, sb.outstanding());
  }
  const uint64_t lost = sb.outstanding() - in_flight;
  dev.close_waves();
  k.jr.finish_all_in_flight();
  if (!k.jr.close()) {
    run_outcome failed;
    failed.error = fmt::format("cannot write {}/journey.csv: {}", o.outdir, std::strerror(errno));
    return failed;
  }

  // An interrupted run is a partial result; frames still on their way are in flight.
  const int interrupted_by = stop_signal;
  // Counters must agree with the fates the scoreboard saw. A NIC counter is read while frames
  // may still move (a run that ended at the drain's bound): it must lie between the frames
  // seen before the driver read it and those seen after.
  const auto& by = sb.dropped_by();
  auto fate = [&](const std::string& n) { auto it = by.find(n); return it == by.end() ? 0ull : static_cast<unsigned long long>(it->second); };
  auto fate_in = [](const tally& t, const std::string& n) {
    auto it = t.fates.find(n);
    return it == t.fates.end() ? uint64_t{0} : it->second;
  };
  auto nic_counter = [&](const std::string& reg, uint64_t value, uint64_t lo, uint64_t hi, const char* what) {
    if (value >= lo && value <= hi) return;
    k.violate("counter_mismatch", lo == hi ? fmt::format("{}={} but {} frames {}", reg, value, lo, what)
                                           : fmt::format("{}={} but {} to {} frames {} while it was read", reg, value, lo, hi, what));
  };
  auto nic_drops = [&](const std::string& reg, uint64_t value, const std::string& fate_name) {
    nic_counter(reg, value, fate_in(before, fate_name), fate_in(after, fate_name), "were seen dropped by it");
  };
  // rx_length_errors is RUC + ROC (igb_update_stats); each register against the frames the
  // NIC dropped for its reason (exact once the run drained: no frame moved after the read)
  nic_counter("RUC + ROC", adapter.stats.ruc + adapter.stats.roc, fate_in(before, "rx_length_errors"),
              fate_in(after, "rx_length_errors"), "were seen dropped by them");
  if (drained && runt_drops != adapter.stats.ruc)
    k.violate("counter_mismatch", fmt::format("RUC={} but the NIC dropped {} runts", adapter.stats.ruc, runt_drops));
  if (drained && oversize_drops != adapter.stats.roc)
    k.violate("counter_mismatch", fmt::format("ROC={} but the NIC dropped {} oversize frames", adapter.stats.roc, oversize_drops));
  if (fate("rx_otherhost_dropped") != k.st.rx_otherhost_dropped)
    k.violate("counter_mismatch", "rx_otherhost_dropped disagrees with the frames it dropped");
  nic_drops("MPC", adapter.stats.mpc, "rx_missed_errors");
  for (int q = 0; q < adapter.num_rx_queues; ++q)
    nic_drops(fmt::format("RQDPC({})", q), adapter.stats.rqdpc[q], fmt::format("rx_queue_{}_drops", q));
  softnet_data sd_total;  // /proc/net/softnet_stat summed over the cores
  for (int c = 0; c < k.cores(); ++c) {
    sd_total.processed += k.cpu(c).sd.processed;
    sd_total.dropped += k.cpu(c).sd.dropped;
    sd_total.time_squeeze += k.cpu(c).sd.time_squeeze;
    sd_total.softirq_irq_exit_passes += k.cpu(c).sd.softirq_irq_exit_passes;
    sd_total.softirq_ksoftirqd_passes += k.cpu(c).sd.softirq_ksoftirqd_passes;
    sd_total.packets_irq_exit += k.cpu(c).sd.packets_irq_exit;
    sd_total.packets_ksoftirqd += k.cpu(c).sd.packets_ksoftirqd;
  }
  if (fate("softnet_dropped") != sd_total.dropped)
    k.violate("counter_mismatch", fmt::format("softnet dropped={} but {} frames were seen dropped by it", sd_total.dropped, fate("softnet_dropped")));
  // Socket memory: a UDP socket's sk_rmem_alloc is what its queues hold plus what the reader
  // took and udp_rmem_release has not yet released (forward_deficit, only while the reader
  // queue still holds datagrams); never negative
  for (const sock* sk : sockp) {
    if (sk->tcp) continue;
    int64_t held = sk->forward_deficit;
    for (const auto* q : {&sk->sk_receive_queue, &sk->reader_queue})
      for (const sk_buff* skb : *q) held += skb->truesize;
    if (sk->rmem_alloc < 0 || sk->rmem_alloc != held || (sk->forward_deficit > 0 && sk->reader_queue.empty()))
      k.violate("counter_mismatch", fmt::format("socket {}: sk_rmem_alloc={} but its queues hold {} and forward_deficit is {}",
                                                sk->index, sk->rmem_alloc, held - sk->forward_deficit, sk->forward_deficit));
  }
  if (fate("udp_rcvbuf_errors") != k.st.udp_rcvbuf_errors)
    k.violate("counter_mismatch", "UdpRcvbufErrors disagrees with the frames it dropped");
  if (fate("delayed_ack_lost") != k.st.delayed_ack_lost)
    k.violate("counter_mismatch", "TcpExtDelayedACKLost disagrees with the frames it dropped");
  // GPRC counts a frame once its last buffer is written to host memory: at least the frames
  // whose last descriptor was written back before the read, at most those that had left the
  // packet buffer (and were not dropped by the NIC or its receive filters) after it.
  uint64_t nic_dropped_after = fate_in(after, "rx_missed_errors") + fate_in(after, "rx_length_errors") +
                               fate_in(after, "address_filtered");
  for (int q = 0; q < adapter.num_rx_queues; ++q) nic_dropped_after += fate_in(after, fmt::format("rx_queue_{}_drops", q));
  nic_counter("GPRC", adapter.stats.gprc, before.written_back,
              after.out_of_pktbuf > nic_dropped_after ? after.out_of_pktbuf - nic_dropped_after : 0, "reached host memory");
  if (lost > 0)
    k.violate("lost_unaccounted", fmt::format("{} frames have neither been delivered nor counted, and are nowhere in "
                                              "the model", lost));

  const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  const uint64_t end_ps = ps_of(end);

  json r;
  r["schema"] = "igbsim.report/1";
  r["complete"] = interrupted_by == 0;
  if (interrupted_by)
    r["incomplete_reason"] = fmt::format("interrupted by {} at {:.3f} ms simulated, {} frames offered by then; "
                                         "frames still on their way are counted in flight",
                                         interrupted_by == SIGINT ? "SIGINT" : interrupted_by == SIGTERM ? "SIGTERM" : "a signal",
                                         end_ps / 1e9, sb.offered_count());
  r["sim"] = {{"sim_time_ns", end_ps / 1000.0}, {"wall_s", wall_s}, {"rtl_cycles", dev.cycles_ticked()},
              {"rtl_cycles_skipped", dev.cycles_skipped()}, {"rtl_cycles_core_clocked", dev.cycles_core_clocked()}, {"rtl_queues", dev.rtl_queues()}, {"seed", p.i("sim.seed")}};
  r["wire"] = {{"frames_offered", wire.frames_offered()}, {"bytes_offered", wire.bytes_offered()}};
  if (!tc.pcap.empty())
    r["wire"]["pcap"] = {{"file", tc.pcap}, {"frames", src.replay().bytes.size()},
                         {"skipped_truncated", src.replay().skipped_truncated},
                         {"skipped_oversize", src.replay().skipped_oversize}, {"padded_runts", src.replay().padded}};
  r["nic"] = {{"gprc", adapter.stats.gprc}, {"gorc", adapter.stats.gorc}, {"mpc", adapter.stats.mpc}, {"ruc", adapter.stats.ruc}, {"roc", adapter.stats.roc},
              {"address_filtered", fate("address_filtered")},
              {"rnbc", adapter.stats.rnbc}, {"rqdpc", adapter.stats.rqdpc},
              {"msix", dev.msix_per_vector()}, {"desc_writebacks", dev.desc_writebacks()},
              {"pcie_upstream_bytes", link.upstream_bytes()}};
  // ethtool -S names: totals, then per queue (igb_get_ethtool_stats)
  json et = json::object();
  uint64_t rx_packets = 0, rx_bytes = 0, csum_err = 0;
  for (const auto& ring : adapter.rx_ring) {
    rx_packets += ring->packets;
    rx_bytes += ring->bytes;
    csum_err += ring->csum_err;
  }
  et["rx_packets"] = rx_packets;
  et["rx_bytes"] = rx_bytes;
  et["rx_missed_errors"] = adapter.stats.mpc;
  et["rx_length_errors"] = adapter.stats.ruc + adapter.stats.roc;  // igb_update_stats
  et["rx_no_buffer_count"] = adapter.stats.rnbc;
  et["rx_csum_offload_errors"] = csum_err;
  for (const auto& ring : adapter.rx_ring) {
    const std::string q = fmt::format("rx_queue_{}_", ring->reg_idx);
    et[q + "packets"] = ring->packets;
    et[q + "bytes"] = ring->bytes;
    et[q + "drops"] = adapter.stats.rqdpc[ring->reg_idx];
    et[q + "alloc_failed"] = ring->alloc_failed;
    et[q + "csum_err"] = ring->csum_err;
  }
  r["ethtool"] = et;
  r["driver"] = {{"irq_mode", igb_irq_mode_name(plan.irq_mode)},
                 {"part", want.part->name}, {"rx_queues", adapter.num_rx_queues},
                 {"queue_pairs", plan.queue_pairs}, {"q_vectors", plan.num_q_vectors},
                 {"msix_vectors", plan.msix_vectors()}, {"itr_algorithm", plan.itr_algorithm()},
                 {"drop_en", plan.drop_en}, {"wthresh", plan.wthresh}, {"pktbuf_kb", plan.pktbuf_kb},
                 {"irqs", adapter.stats.irqs}, {"irqs_none", adapter.stats.irqs_none}, {"napi_schedules", k.st.napi_schedules}, {"polls", k.st.polls},
                 {"polls_budget_exhausted", k.st.polls_budget_exhausted}, {"rdt_writes", adapter.stats.rdt_writes},
                 {"eims_writes", adapter.stats.eims_writes},
                 {"ims_writes", adapter.stats.ims_writes}, {"eitr_writes", adapter.stats.eitr_writes},
                 {"mmio_reads", hw.mmio_reads()}, {"mmio_writes", hw.mmio_writes()}};
  // Each vector's interrupt interval at the end (itr_val is in 0.25 us units, igb.h)
  json itr = json::array();
  for (const auto& q : adapter.q_vector) itr.push_back(q->itr_val / 4.0);
  r["driver"]["itr_us"] = itr;
  json per_cpu = json::array();
  for (int c = 0; c < k.cores(); ++c)
    per_cpu.push_back({{"processed", k.cpu(c).sd.processed}, {"dropped", k.cpu(c).sd.dropped},
                       {"time_squeeze", k.cpu(c).sd.time_squeeze},
                       {"softirq_irq_exit_passes", k.cpu(c).sd.softirq_irq_exit_passes},
                       {"softirq_ksoftirqd_passes", k.cpu(c).sd.softirq_ksoftirqd_passes},
                       {"packets_irq_exit", k.cpu(c).sd.packets_irq_exit},
                       {"packets_ksoftirqd", k.cpu(c).sd.packets_ksoftirqd}});
  r["softnet"] = {{"processed", sd_total.processed}, {"dropped", sd_total.dropped},
                  {"time_squeeze", sd_total.time_squeeze},
                  {"softirq_irq_exit_passes", sd_total.softirq_irq_exit_passes},
                  {"softirq_ksoftirqd_passes", sd_total.softirq_ksoftirqd_passes},
                  {"packets_irq_exit", sd_total.packets_irq_exit}, {"packets_ksoftirqd", sd_total.packets_ksoftirqd},
                  {"per_cpu", per_cpu}};
  r["stack"] = {{"rx_otherhost_dropped", k.st.rx_otherhost_dropped}, {"ip_in_receives", k.st.ip_in_receives}, {"ip_in_hdr_errors", k.st.ip_in_hdr_errors},
                {"ip_in_csum_errors", k.st.ip_in_csum_errors}, {"ip_in_truncated_pkts", k.st.ip_in_truncated_pkts},
                {"ip_in_delivers", k.st.ip_in_delivers}, {"ip_reasm_fails", k.st.ip_reasm_fails},
                {"udp_in_datagrams", k.st.udp_in_datagrams}, {"udp_rcvbuf_errors", k.st.udp_rcvbuf_errors},
                {"udp_no_ports", k.st.udp_no_ports}, {"udp_in_errors", k.st.udp_in_errors},
                {"tcp_in_segs", k.st.tcp_in_segs}, {"tcp_out_rsts", k.st.tcp_out_rsts}, {"gro_merged", k.st.gro_merged},
                {"tcp_in_errs", k.st.tcp_in_errs}, {"tcp_in_csum_errors", k.st.tcp_in_csum_errors},
                {"tcp_out_segs", k.st.tcp_out_segs}, {"tcp_ofo_queue", k.st.tcp_ofo_queue},
                {"tcp_ofo_merge", k.st.tcp_ofo_merge}, {"tcp_ofo_drop", k.st.tcp_ofo_drop},
                {"delayed_ack_lost", k.st.delayed_ack_lost}, {"tcp_rcvq_drop", k.st.tcp_rcvq_drop},
                {"tcp_in_gro_segs", k.st.tcp_in_gro_segs}};
  r["wakeup"] = {{"sk_data_ready", k.st.sk_data_ready}, {"wq_entries_visited", k.st.wq_entries_visited},
                 {"pollwake_calls", k.st.pollwake_calls}, {"ep_poll_callback_calls", k.st.ep_poll_callback_calls},
                 {"vfs_poll_calls", k.st.vfs_poll_calls}, {"poll_table_entries_added", k.st.poll_table_entries_added},
                 {"wq_entries_removed", k.st.wq_entries_removed}, {"empty_wakeups", k.st.empty_wakeups},
                 {"task_wakeups", k.st.task_wakeups}, {"context_switches", [&] {
                   uint64_t n = 0;
                   for (int c = 0; c < k.cores(); ++c) n += k.cpu(c).context_switches();
                   return n;
                 }()}};
  r["app"] = {{"kind", kind}, {"threads", app.tasks.size()}, {"sockets", nsocks},
              {"delivered_packets", k.st.delivered_packets}, {"delivered_bytes", k.st.delivered_bytes},
              {"reads", k.st.reads}, {"empty_reads", k.st.empty_reads}, {"epoll_wait_calls", k.st.epoll_wait_calls},
              {"select_calls", k.st.select_calls}, {"poll_calls", k.st.poll_calls},
              {"user_copy_bytes", k.st.user_copy_bytes}};
  // Per call of the wait syscall: what it cost and what it touched
  {
    const uint64_t calls = k.st.epoll_wait_calls + k.st.select_calls + k.st.poll_calls;
    const double ns = static_cast<double>(k.st.epoll_wait_ns + k.st.select_ns + k.st.poll_ns);
    const double c = calls ? static_cast<double>(calls) : 1.0;
    r["app"]["per_call"] = {{"cpu_ns", ns / c}, {"vfs_poll_calls", static_cast<double>(k.st.call_vfs_polls) / c},
                            {"wq_entries_added", static_cast<double>(k.st.call_wq_added) / c},
                            {"wq_entries_removed", static_cast<double>(k.st.call_wq_removed) / c},
                            {"user_copy_bytes", static_cast<double>(k.st.user_copy_bytes) / c}};
    const double w = k.st.task_wakeups ? static_cast<double>(k.st.task_wakeups) : 1.0;
    r["wakeup"]["per_wakeup"] = {{"vfs_poll_calls", static_cast<double>(k.st.vfs_poll_calls) / w},
                                 {"wq_entries_visited", static_cast<double>(k.st.wq_entries_visited) / w}};
  }
  json cpus = json::array();
  for (int i = 0; i < k.cores(); ++i) {
    const auto& c = k.cpu(i).ctx_ps();
    const uint64_t busy = c[1] + c[2] + c[3];
    cpus.push_back({{"hardirq_ns", c[3] / 1000.0}, {"softirq_ns", c[2] / 1000.0}, {"process_ns", c[1] / 1000.0},
                    {"idle_ns", (end_ps > busy ? end_ps - busy : 0) / 1000.0}, {"irqs", k.cpu(i).irqs_taken()},
                    {"context_switches", k.cpu(i).context_switches()}});
  }
  r["cpu"] = cpus;
  json lat;
  lat["end_to_end"] = percentiles(k.jr.end_to_end());
  for (size_t i = 1; i < kSteps; ++i) lat[step_name(step(i))] = percentiles(k.jr.step_deltas()[i]);
  r["latency_ns"] = lat;
  if (o.plots) plot_run(o.outdir, k.jr.end_to_end(), k.jr.step_deltas());
  r["events_first_ns"] = first_event;
  // In time order: the NIC's bus monitor reports at NIC time, which may run ahead of the CPUs.
  std::vector<violation> violations = k.violations();
  std::stable_sort(violations.begin(), violations.end(), [](const violation& a, const violation& b) { return a.t_ps < b.t_ps; });
  json viol = json::array();
  for (const auto& v : violations)
    viol.push_back({{"time_ns", v.t_ps / 1000.0}, {"kind", v.kind}, {"detail", v.detail}, {"frame", v.frame}});
  json dropped_by = json::object();
  for (const auto& [n, c] : by) dropped_by[n] = c;
  r["checks"] = {{"passed", violations.empty()}, {"violations", viol}, {"offered", sb.offered_count()},
                 {"delivered", sb.delivered_count()}, {"dropped", sb.dropped_total()}, {"dropped_by", dropped_by},
                 {"lost_unaccounted", lost}, {"in_flight", in_flight}, {"in_flight_at", in_flight_at},
                 {"drained", drained}};

  // Human summary
  std::string s;
  const double delivered = static_cast<double>(sb.delivered_count());
  s += fmt::format("igbsim: {:.3f} ms simulated in {:.2f} s wall ({} RTL cycles ticked, {} skipped)\n",
                   end_ps / 1e9, wall_s, dev.cycles_ticked(), dev.cycles_skipped());
  s += fmt::format("  offered    {} frames ({}, {:.0f} frames/s)\n", sb.offered_count(),
                   tc.live ? fmt::format("live from {}:{}", p.s("traffic.live_addr"), p.i("traffic.live_port"))
                   : !tc.pcap.empty() ? fmt::format("replayed from {}", tc.pcap)
                   : tc.size == traffic_config::sizes::fixed ? fmt::format("{} B each", tc.frame_bytes)
                                                          : fmt::format("{}, {:.0f} B mean", sizes, mean_bytes),
                   tc.pps);
  s += fmt::format("  delivered  {} frames to read()\n", sb.delivered_count());
  for (const auto& [n, c] : by) s += fmt::format("  dropped    {} by {}\n", c, n);
  s += igb_decisions(*want.part, want, plan);
  if (adapter.num_rx_queues > 1) {
    s += "  queues    ";
    for (const auto& ring : adapter.rx_ring) s += fmt::format(" q{} {}", ring->reg_idx, ring->packets);
    s += " frames (RSS)\n";
  }
  s += fmt::format("  interrupts {} ({:.3f} per delivered frame), polls {}, budget exhausted {}\n", adapter.stats.irqs,
                   delivered > 0 ? adapter.stats.irqs / delivered : 0.0, k.st.polls, k.st.polls_budget_exhausted);
  s += fmt::format("  softirq    {} passes at irq_exit ({} packets), {} in ksoftirqd ({} packets), time squeezes {}\n",
                   sd_total.softirq_irq_exit_passes, sd_total.packets_irq_exit, sd_total.softirq_ksoftirqd_passes,
                   sd_total.packets_ksoftirqd, sd_total.time_squeeze);
  const json& e2e = lat["end_to_end"];
  if (e2e.value("count", 0) > 0)
    s += fmt::format("  latency    wire->read() p50 {:.0f} ns, p99 {:.0f} ns, max {:.0f} ns\n", e2e["p50"].get<double>(),
                     e2e["p99"].get<double>(), e2e["max"].get<double>());
  // Per step: how long frames took to reach it from the step before (p50 / p99)
  {
    std::string steps;
    for (size_t i = 1; i < kSteps; ++i) {
      const json& st = lat[step_name(step(i))];
      if (st.value("count", 0) == 0) continue;
      steps += fmt::format("{}{} {:.0f}/{:.0f}", steps.empty() ? "" : ", ", step_name(step(i)), st["p50"].get<double>(),
                           st["p99"].get<double>());
    }
    if (!steps.empty()) s += "  steps      p50/p99 ns: " + steps + "\n";
  }
  if (in_flight > 0) {
    std::string places;
    for (const auto& [place, n] : in_flight_at) places += fmt::format("{}{} {}", places.empty() ? "" : ", ", place, n);
    s += fmt::format("  in flight  {} frames when {} ({})\n", in_flight,
                     interrupted_by ? "the run was interrupted"
                                    : "the drain ended at its bound, sim.drain_us after the last frame",
                     places);
  }
  s += fmt::format("  checks     {}\n", violations.empty() ? "passed" : fmt::format("{} violation(s), first: {}: {}", violations.size(),
                                                                                      violations[0].kind, violations[0].detail));
  run_outcome out;
  out.report = std::move(r);
  out.summary = std::move(s);
  out.violations = !violations.empty();
  out.first_frame_ps = first_frame_ps == UINT64_MAX ? 0 : first_frame_ps;
  out.rx_queues = static_cast<unsigned>(plan.rss_queues);
  out.interrupted_by = interrupted_by;
  return out;
}

}  // namespace igbsim
