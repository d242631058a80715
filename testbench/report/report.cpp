// SPDX-License-Identifier: Apache-2.0
#include "report.h"

#include <fmt/format.h>

#include <algorithm>
#include <csignal>

#include "human_time.h"
#include "look_at.h"
#include "sch_generic.h"
#include "sim_time.h"
#include "top.h"

namespace igbsim {

using nlohmann::json;

namespace {

// Counters reported under their Linux names, as tables of (name, member)
template <typename S>
struct counter_field {
  const char* name;
  uint64_t S::*member;
};

template <typename S, size_t N>
json counters(const S& s, const counter_field<S> (&fields)[N]) {
  json j = json::object();
  for (const auto& f : fields) j[f.name] = s.*(f.member);
  return j;
}

// clang-format off
// /proc/net/snmp, netstat and GRO counters (report "stack")
constexpr counter_field<kernel_stats> kStackFields[] = {
    {"rx_otherhost_dropped", &kernel_stats::rx_otherhost_dropped},
    {"ip_in_receives", &kernel_stats::ip_in_receives},
    {"ip_in_hdr_errors", &kernel_stats::ip_in_hdr_errors},
    {"ip_in_csum_errors", &kernel_stats::ip_in_csum_errors},
    {"ip_in_truncated_pkts", &kernel_stats::ip_in_truncated_pkts},
    {"ip_in_delivers", &kernel_stats::ip_in_delivers},
    {"ip_reasm_fails", &kernel_stats::ip_reasm_fails},
    {"udp_in_datagrams", &kernel_stats::udp_in_datagrams},
    {"udp_rcvbuf_errors", &kernel_stats::udp_rcvbuf_errors},
    {"udp_no_ports", &kernel_stats::udp_no_ports},
    {"udp_in_errors", &kernel_stats::udp_in_errors},
    {"tcp_in_segs", &kernel_stats::tcp_in_segs},
    {"tcp_out_rsts", &kernel_stats::tcp_out_rsts},
    {"gro_merged", &kernel_stats::gro_merged},
    {"tcp_in_errs", &kernel_stats::tcp_in_errs},
    {"tcp_in_csum_errors", &kernel_stats::tcp_in_csum_errors},
    {"tcp_out_segs", &kernel_stats::tcp_out_segs},
    {"tcp_ofo_queue", &kernel_stats::tcp_ofo_queue},
    {"tcp_ofo_merge", &kernel_stats::tcp_ofo_merge},
    {"tcp_ofo_drop", &kernel_stats::tcp_ofo_drop},
    {"delayed_ack_lost", &kernel_stats::delayed_ack_lost},
    {"tcp_rcvq_drop", &kernel_stats::tcp_rcvq_drop},
    {"tcp_in_gro_segs", &kernel_stats::tcp_in_gro_segs},
};
// Wait queues and wake-ups (report "wakeup")
constexpr counter_field<kernel_stats> kWakeupFields[] = {
    {"sk_data_ready", &kernel_stats::sk_data_ready},
    {"wq_entries_visited", &kernel_stats::wq_entries_visited},
    {"pollwake_calls", &kernel_stats::pollwake_calls},
    {"ep_poll_callback_calls", &kernel_stats::ep_poll_callback_calls},
    {"vfs_poll_calls", &kernel_stats::vfs_poll_calls},
    {"poll_table_entries_added", &kernel_stats::poll_table_entries_added},
    {"wq_entries_removed", &kernel_stats::wq_entries_removed},
    {"empty_wakeups", &kernel_stats::empty_wakeups},
    {"task_wakeups", &kernel_stats::task_wakeups},
};
// The application's calls (report "app")
constexpr counter_field<kernel_stats> kAppFields[] = {
    {"delivered_packets", &kernel_stats::delivered_packets},
    {"delivered_bytes", &kernel_stats::delivered_bytes},
    {"reads", &kernel_stats::reads},
    {"empty_reads", &kernel_stats::empty_reads},
    {"epoll_wait_calls", &kernel_stats::epoll_wait_calls},
    {"select_calls", &kernel_stats::select_calls},
    {"poll_calls", &kernel_stats::poll_calls},
    {"user_copy_bytes", &kernel_stats::user_copy_bytes},
};
// NAPI (report "driver", beside igb's own)
constexpr counter_field<kernel_stats> kNapiFields[] = {
    {"napi_schedules", &kernel_stats::napi_schedules},
    {"polls", &kernel_stats::polls},
    {"polls_budget_exhausted", &kernel_stats::polls_budget_exhausted},
};
// igb's interrupt and register counters (report "driver")
constexpr counter_field<igb_stats> kIgbDriverFields[] = {
    {"irqs", &igb_stats::irqs},
    {"irqs_none", &igb_stats::irqs_none},
    {"rdt_writes", &igb_stats::rdt_writes},
    {"eims_writes", &igb_stats::eims_writes},
    {"ims_writes", &igb_stats::ims_writes},
    {"eitr_writes", &igb_stats::eitr_writes},
};
// The NIC's statistics registers as igb_update_stats read them (report "nic")
constexpr counter_field<igb_stats> kNicRegisterFields[] = {
    {"gprc", &igb_stats::gprc},
    {"gorc", &igb_stats::gorc},
    {"mpc", &igb_stats::mpc},
    {"ruc", &igb_stats::ruc},
    {"roc", &igb_stats::roc},
    {"rnbc", &igb_stats::rnbc},
    {"xonrxc", &igb_stats::xonrxc},
    {"xontxc", &igb_stats::xontxc},
    {"xoffrxc", &igb_stats::xoffrxc},
    {"xofftxc", &igb_stats::xofftxc},
};
// /proc/net/softnet_stat, and where __do_softirq ran (report "softnet", per core and summed)
constexpr counter_field<softnet_data> kSoftnetFields[] = {
    {"processed", &softnet_data::processed},
    {"dropped", &softnet_data::dropped},
    {"time_squeeze", &softnet_data::time_squeeze},
    {"softirq_irq_exit_passes", &softnet_data::softirq_irq_exit_passes},
    {"softirq_ksoftirqd_passes", &softnet_data::softirq_ksoftirqd_passes},
    {"packets_irq_exit", &softnet_data::packets_irq_exit},
    {"packets_ksoftirqd", &softnet_data::packets_ksoftirqd},
};
// The send path's counters (report "tx"): SNMP under nstat's names, the socket send memory
// and the qdisc path
constexpr counter_field<kernel_tx_stats> kTxStackFields[] = {
    {"udp_out_datagrams", &kernel_tx_stats::udp_out_datagrams},
    {"udp_sndbuf_errors", &kernel_tx_stats::udp_sndbuf_errors},
    {"ip_out_requests", &kernel_tx_stats::ip_out_requests},
    {"ip_out_discards", &kernel_tx_stats::ip_out_discards},
    {"ip_frag_oks", &kernel_tx_stats::ip_frag_oks},
    {"ip_frag_fails", &kernel_tx_stats::ip_frag_fails},
    {"ip_frag_creates", &kernel_tx_stats::ip_frag_creates},
    {"ip_frag_unsent", &kernel_tx_stats::ip_frag_unsent},
    {"sndbuf_waits", &kernel_tx_stats::sndbuf_waits},
    {"sndbuf_eagain", &kernel_tx_stats::sndbuf_eagain},
    {"write_space_wakeups", &kernel_tx_stats::write_space_wakeups},
    {"dev_queue_xmit", &kernel_tx_stats::dev_queue_xmit},
    {"qdisc_bypass", &kernel_tx_stats::qdisc_bypass},
    {"start_xmit", &kernel_tx_stats::start_xmit},
    {"start_xmit_more", &kernel_tx_stats::start_xmit_more},
    {"net_tx_action", &kernel_tx_stats::net_tx_action},
    {"tx_busy", &kernel_tx_stats::tx_busy},
};
// One TX queue as `tc -s qdisc` names its figures (report "tx.qdisc")
constexpr counter_field<tx_queue_stats> kQdiscFields[] = {
    {"sent_bytes", &tx_queue_stats::sent_bytes},
    {"sent_packets", &tx_queue_stats::sent_packets},
    {"dropped", &tx_queue_stats::dropped},
    {"overlimits", &tx_queue_stats::overlimits},
    {"requeues", &tx_queue_stats::requeues},
    {"backlog_bytes", &tx_queue_stats::backlog_bytes},
    {"backlog_packets", &tx_queue_stats::backlog_packets},
};
// The NIC's transmit statistics registers as igb_update_stats read them (report "tx.nic")
constexpr counter_field<igb_stats> kTxNicFields[] = {
    {"gptc", &igb_stats::gptc},
    {"gotc", &igb_stats::gotc},
    {"tpt", &igb_stats::tpt},
    {"tdt_writes", &igb_stats::tdt_writes},
};
// clang-format on

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

// The summary's lines on what igb decided (driver/igb_part.h) and from what
std::string igb_decisions(const igb_part& part, const igb_setup& w, const igb_plan& p) {
  auto plural = [](int n, const char* what) {
    return fmt::format("{} {}{}", n, what, n == 1 ? "" : "s");
  };
  std::string queues =
      p.irq_mode != igb_irq_mode::msix
          ? std::string(p.msix_fell_back ? "MSI-X lacks vectors" : "one interrupt without MSI-X") +
                (w.queues > 1 ? fmt::format("; nic.queues {} not used", w.queues) : "")
      : p.queues_set ? "nic.queues"
                     : fmt::format("min({}, the {}'s {})", plural(w.online_cpus, "core"), part.name,
                                   part.max_rss_queues);
  std::string vectors =
      p.irq_mode != igb_irq_mode::msix ? "1 " + std::string(igb_irq_mode_name(p.irq_mode))
      : p.queue_pairs
          ? fmt::format("{} MSI-X: {} paired TxRx + other ({} > {}/2 queues)", p.msix_vectors(),
                        p.rss_queues, p.rss_queues, part.max_rss_queues)
          : fmt::format("{} MSI-X: {} rx + {} tx + other ({} <= {}/2 queues)", p.msix_vectors(),
                        p.rss_queues, p.rss_queues, p.rss_queues, part.max_rss_queues);
  const char* drop = p.drop_en_set       ? "nic.drop_en"
                     : p.rss_queues == 1 ? "one queue"
                     : p.drop_en         ? "several queues, RX flow control off"
                                         : "driver.flow_control receives PAUSE";
  const std::string itr =
      p.itr_dynamic
          ? fmt::format("ITR by {} ({})", p.itr_algorithm(), plural(p.num_q_vectors, "q_vector"))
          : fmt::format("ITR {} ({})", w.rx_itr_setting ? "fixed" : "off",
                        plural(p.num_q_vectors, "q_vector"));
  return fmt::format("  igb        {}: {} ({}), vectors {}, {}\n"
                     "             DROP_EN {} ({}), WTHRESH {} ({}), packet buffer {} KB{}\n",
                     part.name, plural(p.rss_queues, "queue"), queues, vectors, itr,
                     p.drop_en ? "on" : "off", drop, p.wthresh,
                     p.wthresh_set ? "nic.wthresh" : "IGB_RX_WTHRESH", p.pktbuf_kb,
                     p.pktbuf_set ? " (nic.pktbuf_kb)" : "");
}

uint64_t u64(const json& j) { return j.get<uint64_t>(); }

uint64_t fate_count(const std::map<std::string, uint64_t>& by, const std::string& n) {
  auto it = by.find(n);
  return it == by.end() ? 0 : it->second;
}

// A q_vector's name as igb_request_msix names its interrupt, less the netdev's prefix:
// "TxRx-N" (a queue pair), "rx-N", "tx-N"
std::string q_vector_name(const igb_q_vector& q) {
  if (q.rx_ring && q.tx_ring) return fmt::format("TxRx-{}", q.rx_ring->reg_idx);
  if (q.rx_ring) return fmt::format("rx-{}", q.rx_ring->reg_idx);
  if (q.tx_ring) return fmt::format("tx-{}", q.tx_ring->queue_index);
  return "none";
}

// Each MSI-X vector igb uses, named by what it serves: vector 0 "other" (link and other
// causes), a q_vector's by its rings, and with unpaired queues and no transmit rings set up
// the transmit queues' vectors ("tx-N", no q_vector behind them). Empty without MSI-X.
std::vector<std::string> msix_vector_names(igbsim_top& t) {
  const igb_plan& plan = t.cfg.plan;
  if (plan.irq_mode != igb_irq_mode::msix) return {};
  std::vector<std::string> names(static_cast<size_t>(plan.msix_vectors()));
  if (names.empty()) return names;
  names[0] = "other";
  for (const auto& q : t.adapter.q_vector)
    if (q->vector < names.size()) names[q->vector] = q_vector_name(*q);
  int tx = 0;
  for (auto& n : names)
    if (n.empty()) n = fmt::format("tx-{}", tx++);
  return names;
}

// ethtool -S names: totals, then per queue (igb_get_ethtool_stats)
json ethtool_stats(const igb_adapter& adapter) {
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
  // igb_gstrings_stats: the 802.3x frame counters
  et["rx_flow_control_xon"] = adapter.stats.xonrxc;
  et["rx_flow_control_xoff"] = adapter.stats.xoffrxc;
  et["tx_flow_control_xon"] = adapter.stats.xontxc;
  et["tx_flow_control_xoff"] = adapter.stats.xofftxc;
  for (const auto& ring : adapter.rx_ring) {
    const std::string q = fmt::format("rx_queue_{}_", ring->reg_idx);
    et[q + "packets"] = ring->packets;
    et[q + "bytes"] = ring->bytes;
    et[q + "drops"] = adapter.stats.rqdpc[ring->reg_idx];
    et[q + "alloc_failed"] = ring->alloc_failed;
    et[q + "csum_err"] = ring->csum_err;
  }
  return et;
}

// What igb decided at probe, its counters, and the NAPI counters
json driver_section(igbsim_top& t) {
  const igb_plan& plan = t.cfg.plan;
  json d = counters(t.adapter.stats, kIgbDriverFields);
  d.update(counters(t.k.st, kNapiFields));
  d.update({{"irq_mode", igb_irq_mode_name(plan.irq_mode)},
            {"part", t.cfg.want.part->name},
            {"rx_queues", t.adapter.num_rx_queues},
            {"queue_pairs", plan.queue_pairs},
            {"q_vectors", plan.num_q_vectors},
            {"msix_vectors", plan.msix_vectors()},
            {"itr_algorithm", plan.itr_algorithm()},
            {"drop_en", plan.drop_en},
            {"wthresh", plan.wthresh},
            {"pktbuf_kb", plan.pktbuf_kb},
            {"mmio_reads", t.hw.mmio_reads()},
            {"mmio_writes", t.hw.mmio_writes()}});
  // Each vector's interrupt interval at the end (itr_val is in 0.25 us units, igb.h)
  json itr = json::array();
  json itr_by = json::object();  // the same, by the vector's name (msix_vector_names)
  for (const auto& q : t.adapter.q_vector) {
    itr.push_back(q->itr_val / 4.0);
    itr_by[q_vector_name(*q)] = q->itr_val / 4.0;
  }
  d["itr_us"] = itr;
  d["itr_us_by_vector"] = itr_by;
  return d;
}

// The application model, its calls and what each wait syscall cost and touched
json app_section(igbsim_top& t, json& wakeup) {
  const kernel_stats& st = t.k.st;
  json a = counters(st, kAppFields);
  a.update({{"kind", t.cfg.app_kind}, {"threads", t.app->tasks.size()}, {"sockets", t.cfg.nsocks}});
  const uint64_t calls = st.epoll_wait_calls + st.select_calls + st.poll_calls;
  const double ns = static_cast<double>(st.epoll_wait_ns + st.select_ns + st.poll_ns);
  const double c = calls ? static_cast<double>(calls) : 1.0;
  a["per_call"] = {{"cpu_ns", ns / c},
                   {"vfs_poll_calls", static_cast<double>(st.call_vfs_polls) / c},
                   {"wq_entries_added", static_cast<double>(st.call_wq_added) / c},
                   {"wq_entries_removed", static_cast<double>(st.call_wq_removed) / c},
                   {"user_copy_bytes", static_cast<double>(st.user_copy_bytes) / c}};
  const double w = st.task_wakeups ? static_cast<double>(st.task_wakeups) : 1.0;
  wakeup["per_wakeup"] = {{"vfs_poll_calls", static_cast<double>(st.vfs_poll_calls) / w},
                          {"wq_entries_visited", static_cast<double>(st.wq_entries_visited) / w}};
  return a;
}

// Each core's time by context, interrupts and context switches
json cpu_section(igbsim_top& t) {
  json cpus = json::array();
  for (int i = 0; i < t.k.cores(); ++i) {
    const auto& c = t.k.cpu(i).ctx_ps();
    const uint64_t busy = c[1] + c[2] + c[3];
    cpus.push_back({{"cpu", i},
                    {"hardirq_ns", c[3] / 1000.0},
                    {"softirq_ns", c[2] / 1000.0},
                    {"process_ns", c[1] / 1000.0},
                    {"idle_ns", (t.end_ps > busy ? t.end_ps - busy : 0) / 1000.0},
                    {"irqs", t.k.cpu(i).irqs_taken()},
                    {"context_switches", t.k.cpu(i).context_switches()}});
  }
  return cpus;
}

// The checks' verdict: violations in time order (the NIC's bus monitor reports at NIC time,
// which may run ahead of the CPUs), and every frame's fate
json checks_section(igbsim_top& t) {
  std::vector<violation> violations = t.k.violations();
  std::stable_sort(violations.begin(), violations.end(),
                   [](const violation& a, const violation& b) { return a.t_ps < b.t_ps; });
  json viol = json::array();
  for (const auto& v : violations)
    viol.push_back(
        {{"time_ns", v.t_ps / 1000.0}, {"kind", v.kind}, {"detail", v.detail}, {"frame", v.frame}});
  json dropped_by = json::object();
  for (const auto& [n, c] : t.sb.dropped_by()) dropped_by[n] = c;
  return {{"passed", violations.empty()},      {"violations", viol},
          {"offered", t.sb.offered_count()},   {"delivered", t.sb.delivered_count()},
          {"dropped", t.sb.dropped_total()},   {"dropped_by", dropped_by},
          {"lost_unaccounted", t.census.lost}, {"in_flight", t.census.in_flight},
          {"in_flight_at", t.census.at},       {"drained", t.drained}};
}

// The echo server's requests and replies (app.reply = echo): every request offered on the
// wire is answered (a reply on the wire, matched to it by the transmit scoreboard) or counted
// by why not; the counts add up to the requests
json echo_section(igbsim_top& t) {
  const tx_scoreboard::echo_counts e = t.txsb.echo_stats();
  json dropped = json::object();
  for (const auto& [counter, n] : e.dropped_by) dropped[counter] = n;
  const auto& c = t.echo_census;
  return {{"requests", e.requests},
          {"read", e.read},
          {"service_ns", t.cfg.ac.service_ns},
          {"replies_sent", t.app->replies},
          {"reply_eagain", t.app->reply_eagain},
          {"reply_errors", t.app->reply_errors},
          {"answered", e.answered},
          {"unanswered", e.requests - e.answered},
          {"unanswered_by",
           {{"rx_dropped", dropped},
            {"rx_in_flight", c.rx_in_flight},
            {"being_served", c.being_served},
            {"reply_eagain", t.app->reply_eagain},
            {"reply_errors", t.app->reply_errors},
            {"reply_not_on_wire", c.not_on_wire}}}};
}

// One source's share of tx.checks (the sender's datagrams or the echo server's replies): the
// scoreboard's counts of its own, the qdisc's drops and the datagrams in flight at the end as
// the transmit journey saw each of them
json tx_checks_of(igbsim_top& t, tx_source s) {
  const tx_journey::source_tally& n = t.k.txjr.tally(s);
  const uint64_t sent = t.txsb.sent_count(s), on_wire = t.txsb.matched_count(s);
  const uint64_t accounted = on_wire + n.qdisc_dropped + n.frag_unsent + n.in_flight();
  const uint64_t lost = sent > accounted ? sent - accounted : 0;
  return {{"sent", sent},
          {"on_wire", on_wire},
          {"wire_frames", t.txsb.on_wire_count(s)},
          {"dropped_by", {{"qdisc_dropped", n.qdisc_dropped}, {"frag_unsent", n.frag_unsent}}},
          {"in_flight", n.in_flight()},
          {"in_flight_at", {{"qdisc", n.in_qdisc}, {"tx_ring", n.in_tx_ring}, {"nic", n.in_nic}}},
          {"lost_unaccounted", lost},
          {"drained", n.in_flight() == 0 && lost == 0}};
}

// The transmit half (a run with a sender or an echo server only): the application, the stack's send
// path, the qdiscs as `tc -s qdisc` shows them (mq's total and each TX queue's child), BQL as
// /sys/class/net/<dev>/queues/tx-N/byte_queue_limits shows it, igb's ethtool rows, the NIC's
// registers, and the transmit scoreboard's verdict on every sent datagram
json tx_section(igbsim_top& t) {
  json tx;
  if (t.sender) {
    const udp_sender& snd = *t.sender;
    tx["app"] = {{"threads", snd.tasks.size()},
                 {"flows", t.cfg.sc.flows},
                 {"frame_bytes", t.cfg.sc.frame_bytes},
                 {"rate_pps", t.cfg.sc.pps},
                 {"gso_segments", t.cfg.sc.gso_segments},
                 // datagrams handed to sendto a second (none with fewer than two calls)
                 {"sendto_pps", snd.datagrams_per_s() > 0 ? json(snd.datagrams_per_s()) : json()},
                 {"blocking", t.cfg.sc.blocking},
                 {"frames", t.cfg.sc.frames},
                 {"sent", snd.sent},
                 {"eagain", snd.eagain},
                 {"errors", snd.errors},
                 // not yet handed to sendto when the run ended (the sender stalled for
                 // sim.drain_us, or the run was stopped)
                 {"not_sent", t.cfg.sc.frames - (snd.sent + snd.eagain + snd.errors)}};
  }
  if (t.txsb.echo()) tx["echo"] = echo_section(t);
  tx["stack"] = counters(t.k.tx_st, kTxStackFields);
  std::vector<tx_queue_stats> qs;
  read_tx_queue_stats(t.adapter.netdev, qs);
  qs.resize(static_cast<size_t>(t.adapter.num_tx_queues));
  tx_queue_stats total;
  json per_q = json::array(), bql = json::array();
  for (const auto& q : qs) {
    for (const auto& f : kQdiscFields) total.*(f.member) += q.*(f.member);
    json j = counters(q, kQdiscFields);
    j["queue"] = per_q.size();
    j["kind"] = t.adapter.netdev->_tx[static_cast<size_t>(per_q.size())].qdisc->id();
    bql.push_back({{"queue", per_q.size()}, {"limit", q.bql_limit}, {"inflight", q.bql_inflight}});
    per_q.push_back(j);
  }
  json qd = counters(total, kQdiscFields);
  qd["kind"] = t.adapter.netdev->qdisc->id();
  qd["queues"] = per_q;
  tx["qdisc"] = qd;
  tx["bql"] = bql;
  json et = json::object();
  for (const auto& [name, value] : igb_get_ethtool_tx_stats(&t.adapter)) et[name] = value;
  tx["ethtool"] = et;
  tx["nic"] = counters(t.adapter.stats, kTxNicFields);
  uint64_t dropped_ip = 0;  // (tc's dropped counts a GSO skb once: these its segments each)
  for (const auto& q : qs) dropped_ip += q.dropped_ip_packets;
  tx["checks"] = {
      {"sent", t.txsb.sent_count()},
      {"on_wire", t.txsb.matched_count()},
      {"wire_frames", t.txsb.on_wire_count()},
      // IP packets: a datagram's, or each fragment's of one over the MTU; the counts below
      // (drops, in flight, lost) are of these
      {"sent_packets", t.txsb.sent_packets()},
      {"on_wire_packets", t.txsb.wire_packets()},
      {"dropped_by", {{"qdisc_dropped", dropped_ip}, {"ip_frag_unsent", t.k.tx_st.ip_frag_unsent}}},
      {"in_flight", t.tx_census.in_flight()},
      {"in_flight_at",
       {{"qdisc", t.tx_census.qdisc}, {"tx_ring", t.tx_census.tx_ring}, {"nic", t.tx_census.nic}}},
      {"lost_unaccounted", t.tx_census.lost},
      // IP packets of sendto calls made and not returned at the end: sent once they return
      {"in_sendto_packets", t.txsb.in_sendto_packets()},
      {"drained", t.tx_drained}};
  // Per source, in datagrams (a datagram with any fragment dropped counts once, by its fate:
  // qdisc_dropped, or ip_frag_fails when only fragments of it freed unsent were lost): sent
  // and on_wire add up to the figures above, the drops and in-flight to theirs in packets
  // when nothing fragments
  json by = json::object();
  if (t.sender) by["sender"] = tx_checks_of(t, tx_source::sender);
  if (t.txsb.echo()) by["echo"] = tx_checks_of(t, tx_source::echo);
  tx["checks"]["by_source"] = by;
  return tx;
}

}  // namespace

json build_report(igbsim_top& t, double wall_s) {
  const uint64_t end_ps = t.end_ps;
  json r;
  r["schema"] = "igbsim.report/1";
  r["complete"] = t.interrupted_by == 0;
  if (t.interrupted_by)
    r["incomplete_reason"] = fmt::format(
        "interrupted by {} at {:.3f} ms simulated, {} frames offered{} by then; frames still on "
        "their way are counted in flight",
        t.interrupted_by == SIGINT    ? "SIGINT"
        : t.interrupted_by == SIGTERM ? "SIGTERM"
                                      : "a signal",
        end_ps / 1e9, t.sb.offered_count(),
        t.sender ? fmt::format(" and {} datagrams sent", t.sender->sent) : std::string());
  r["sim"] = {
      {"sim_time_ns", end_ps / 1000.0},
      {"wall_s", wall_s},
      {"rtl_cycles", t.dev.cycles_ticked()},
      {"rtl_cycles_skipped", t.dev.cycles_skipped()},
      {"rtl_cycles_core_clocked", t.dev.cycles_core_clocked()},
      {"rtl_queues", t.dev.rtl_queues()},
      {"seed", t.cfg.seed},
      // sim.journey: which journey rows the run wrote
      {"journey", t.cfg.journey_every == 1   ? std::string("all")
                  : t.cfg.journey_every == 0 ? std::string("off")
                                             : fmt::format("sample={}", t.cfg.journey_every)}};
  // The link partner: flow control as resolved at link-up (from the NIC's side), the PAUSE
  // frames it honoured, the frames it held back and how long it was paused; as a receiver
  // (wire.partner_rx_*): the PAUSE frames it sent (the NIC's XOFFRXC/XONRXC count those it
  // honoured), the NIC's data frames it received, lost for want of buffer, its buffer's peak
  r["wire"] = {{"frames_offered", t.wire.frames_offered()},
               {"bytes_offered", t.wire.bytes_offered()},
               {"flow_control", igb_fc_mode_name(t.cfg.plan.fc_mode)},
               {"partner_xoff", t.wire.partner_xoff()},
               {"partner_xon", t.wire.partner_xon()},
               {"partner_frames_paused", t.wire.frames_paused()},
               {"partner_paused_ns", ps_of(t.wire.partner_paused(time_of_ps(end_ps))) / 1000.0},
               {"nic_pause_frames_sent", t.tx_mac_control},
               {"partner_xoff_sent", t.wire.partner_xoff_sent()},
               {"partner_xon_sent", t.wire.partner_xon_sent()},
               {"partner_rx_frames", t.wire.partner_rx_frames()},
               {"partner_rx_dropped", t.wire.partner_rx_dropped()},
               {"partner_rx_peak_bytes", t.wire.partner_rx_peak()},
               {"nic_paused_ns", ps_of(t.wire.nic_paused(time_of_ps(end_ps))) / 1000.0}};
  if (!t.cfg.tc.pcap.empty()) {
    const pcap_frames& rp = t.src.replay();
    r["wire"]["pcap"] = {{"file", t.cfg.tc.pcap},
                         {"frames", rp.bytes.size()},
                         {"skipped_truncated", rp.skipped_truncated},
                         {"skipped_oversize", rp.skipped_oversize},
                         {"padded_runts", rp.padded}};
  }
  if (t.live)  // datagrams taken from live clients, and those sent back to them
    r["wire"]["live"] = {{"received", t.live->received()},
                         {"sent_back", t.live->sent_back()},
                         {"send_errors", t.live->send_errors()}};
  json nic = counters(t.adapter.stats, kNicRegisterFields);
  nic.update({{"address_filtered", fate_count(t.sb.dropped_by(), "address_filtered")},
              {"rqdpc", t.adapter.stats.rqdpc},
              {"msix", t.dev.msix_per_vector()},
              {"desc_writebacks", t.dev.desc_writebacks()},
              {"pcie_upstream_bytes", t.link.upstream_bytes()}});
  // The per-vector and per-queue arrays again, labelled: each vector by what it serves, each
  // queue by its name (the arrays stay as they were, for scripts that index them)
  json by_vector = json::object(), by_queue = json::object();
  const std::vector<std::string> names = msix_vector_names(t);
  const std::vector<uint64_t>& msix = t.dev.msix_per_vector();
  for (size_t v = 0; v < names.size() && v < msix.size(); ++v) by_vector[names[v]] = msix[v];
  for (const auto& ring : t.adapter.rx_ring)
    if (ring->reg_idx < t.adapter.stats.rqdpc.size())
      by_queue[fmt::format("rx-{}", ring->reg_idx)] = t.adapter.stats.rqdpc[ring->reg_idx];
  nic["msix_by_vector"] = by_vector;
  nic["rqdpc_by_queue"] = by_queue;
  r["nic"] = nic;
  r["ethtool"] = ethtool_stats(t.adapter);
  r["driver"] = driver_section(t);
  json per_cpu = json::array();
  for (int c = 0; c < t.k.cores(); ++c) {
    json one = counters(t.k.cpu(c).sd, kSoftnetFields);
    one["cpu"] = c;
    per_cpu.push_back(one);
  }
  r["softnet"] = counters(softnet_total(t.k), kSoftnetFields);
  r["softnet"]["per_cpu"] = per_cpu;
  r["stack"] = counters(t.k.st, kStackFields);
  json wakeup = counters(t.k.st, kWakeupFields);
  uint64_t switches = 0;
  for (int c = 0; c < t.k.cores(); ++c) switches += t.k.cpu(c).context_switches();
  wakeup["context_switches"] = switches;
  r["app"] = app_section(t, wakeup);
  r["wakeup"] = wakeup;
  r["cpu"] = cpu_section(t);
  json lat;
  lat["end_to_end"] = percentiles(t.k.jr.end_to_end());
  for (size_t i = 1; i < kSteps; ++i)
    lat[step_name(step(i))] = percentiles(t.k.jr.step_deltas()[i]);
  // The transmit path: sendmsg entered -> the datagram's last bit on the wire
  // (tx_journey.csv has every step), all datagrams and each source's
  if (t.k.txjr.on()) {
    lat["tx_send_to_wire"] = percentiles(t.k.txjr.send_to_wire());
    if (t.sender)
      lat["tx_send_to_wire_sender"] = percentiles(t.k.txjr.send_to_wire(tx_source::sender));
    if (t.txsb.echo())
      lat["tx_send_to_wire_echo"] = percentiles(t.k.txjr.send_to_wire(tx_source::echo));
  }
  // Request/response round trips (echo): the request's first bit to the reply's last bit on
  // the wire (testbench/check/tx_scoreboard.h)
  if (t.txsb.echo()) lat["rr"] = percentiles(t.txsb.rr());
  r["latency_ns"] = lat;
  r["events_first_ns"] = t.first_event;
  if (t.sender || t.txsb.echo()) r["tx"] = tx_section(t);
  r["checks"] = checks_section(t);
  return r;
}

namespace {

// What a run that delivered nothing most likely lacks, from where its frames went: a capture of
// one protocol replayed to sockets of the other, or to ports no socket has. Empty when frames
// reached read(), or when nothing suggests a setting.
std::string delivery_hint(const igbsim_top& t) {
  const run_config& c = t.cfg;
  const uint64_t offered = t.sb.offered_count();
  if (t.sb.delivered_count() > 0 || offered == 0) return "";
  const auto& by = t.sb.dropped_by();
  const auto count = [&](const char* why) {
    const auto it = by.find(why);
    return it == by.end() ? uint64_t{0} : it->second;
  };
  const uint64_t rsts = count("tcp_out_rsts"), no_port = count("udp_no_ports");
  const std::string what = c.tc.pcap.empty() ? "the traffic" : "the capture";
  if (rsts * 2 > offered && !c.tc.tcp)
    return fmt::format(
        "  hint       {} of {} frames were TCP segments no socket took (tcp_out_rsts): {} carries "
        "TCP, but traffic.protocol is \"udp\", so the application opened UDP sockets; set "
        "traffic.protocol = \"tcp\"\n",
        rsts, offered, what);
  if (no_port * 2 > offered && c.tc.tcp)
    return fmt::format(
        "  hint       {} of {} frames were UDP datagrams to a port no socket has (udp_no_ports): "
        "{} carries UDP, but traffic.protocol is \"tcp\", so the application opened TCP "
        "connections; set traffic.protocol = \"udp\"\n",
        no_port, offered, what);
  if (no_port * 2 > offered)
    return fmt::format(
        "  hint       {} of {} datagrams went to UDP ports no socket has (udp_no_ports): the "
        "application reads ports {}..{} (app.sockets = {}); {} sends elsewhere\n",
        no_port, offered, kDstPort, kDstPort + c.nsocks - 1, c.nsocks, what);
  return "";
}

// Passing checks are no result when nothing happened: what did not, for their line (empty
// when something did). Frames offered and none delivered (an echo server's too: it had nothing
// to answer); a sender whose every sendto failed.
std::string nothing_happened(const igbsim_top& t) {
  if (t.sender && t.sender->sent == 0 && t.cfg.sc.frames > 0)
    return fmt::format("none of the {} datagrams was sent ({} send errors, {} EAGAIN)",
                       t.cfg.sc.frames, t.sender->errors, t.sender->eagain);
  if (t.sb.delivered_count() != 0 || (t.sender && !t.txsb.echo())) return "";
  if (t.sb.offered_count() == 0)
    return t.sender ? std::string()
                    : fmt::format("no frame was offered{}",
                                  t.cfg.tc.live ? fmt::format(": no datagram came to {}:{}",
                                                              t.cfg.live_addr, t.cfg.live_port)
                                                : "");
  return fmt::format("none of the {} frames offered was delivered to read()", t.sb.offered_count());
}

// The sent line's rate: the one asked, and the one the sendto calls kept beside it when that
// is short of it by 1 % or more
std::string send_rate(const udp_sender& snd, double asked) {
  if (snd.datagrams_per_s() == 0 || snd.datagrams_per_s() >= 0.99 * asked)
    return fmt::format("{:.0f} datagrams/s", asked);
  return fmt::format("{:.0f} datagrams/s of the {:.0f} asked", snd.datagrams_per_s(), asked);
}

}  // namespace

std::string build_summary(igbsim_top& t, const json& r, double wall_s) {
  const run_config& c = t.cfg;
  const traffic_config& tc = c.tc;
  std::string s;
  const double delivered = static_cast<double>(t.sb.delivered_count());
  s += fmt::format("igbsim: {} simulated in {:.2f} s wall ({} RTL cycles ticked, {} skipped)\n",
                   human_time(t.end_ps / 1e3), wall_s, t.dev.cycles_ticked(),
                   t.dev.cycles_skipped());
  // The configured rate, where the run uses it: a live client and a capture at its own timing
  // set their own
  const bool own_pace = tc.live || (!tc.pcap.empty() && !tc.pcap_rescale);
  // (a send-only run offers nothing: no receive size or rate to speak of)
  const bool send_only = t.sender && t.sb.offered_count() == 0 && !tc.live && tc.pcap.empty();
  if (send_only) s += "  offered    0 frames (a send-only run)\n";
  else
    s += fmt::format("  offered    {} frames ({}{})\n", t.sb.offered_count(),
                     tc.live            ? fmt::format("live from {}:{}", c.live_addr, c.live_port)
                     : !tc.pcap.empty() ? fmt::format("replayed from {}", tc.pcap)
                     : tc.size == traffic_config::sizes::fixed
                         ? fmt::format("{} B each", tc.frame_bytes)
                         : fmt::format("{}, {:.0f} B mean", c.sizes, c.mean_bytes),
                     own_pace ? std::string() : fmt::format(", {:.0f} frames/s", tc.pps));
  s += fmt::format("  delivered  {} frames to read()\n", t.sb.delivered_count());
  for (const auto& [n, count] : t.sb.dropped_by())
    s += fmt::format("  dropped    {} by {}\n", count, n);
  if (t.sender) {  // the sender's own datagrams (an echo server's replies are on its line)
    const json& tc = r["tx"]["checks"]["by_source"]["sender"];
    s += fmt::format("  sent       {} datagrams ({} B frames{}, {}): {} on the wire, "
                     "{} dropped by the qdisc, {} EAGAIN",
                     t.sender->sent, c.sc.frame_bytes,
                     c.send_wire_frames > 1 ? fmt::format(", {} IPv4 fragments each at MTU {}",
                                                          c.send_wire_frames, c.ic.mtu)
                                            : std::string(),
                     send_rate(*t.sender, c.sc.pps), tc["on_wire"].get<uint64_t>(),
                     tc["dropped_by"]["qdisc_dropped"].get<uint64_t>(), t.sender->eagain);
    if (const uint64_t n = tc["dropped_by"]["frag_unsent"]; n)
      s += fmt::format(", {} lost in fragmentation", n);
    if (const uint64_t n = t.k.tx_st.ip_frag_unsent; n)
      s += fmt::format(" ({} fragments freed unsent)", n);
    // sendto's other errors: ENOBUFS for a later fragment's skb beyond twice SO_SNDBUF
    if (t.sender->errors) s += fmt::format(", {} send errors", t.sender->errors);
    // What the run's end left: sent and not yet on the wire, and never sent
    if (const uint64_t n = tc["in_flight"]; n) s += fmt::format(", {} in flight at the end", n);
    if (const uint64_t n = r["tx"]["app"]["not_sent"]; n)
      s += fmt::format("; {} of {} not sent by the end of the run", n, c.sc.frames);
    s += "\n";
  }
  if (t.txsb.echo()) {
    const json& e = r["tx"]["echo"];
    const json& rr = r["latency_ns"]["rr"];
    s += fmt::format("  echo       {} requests, {} answered on the wire, {} unanswered",
                     u64(e["requests"]), u64(e["answered"]), u64(e["unanswered"]));
    // Why not (report.json's tx.echo.unanswered_by): each reason that has a count
    std::string why;
    for (const auto& [reason, n] : e["unanswered_by"].items()) {
      uint64_t k = 0;
      if (n.is_object())  // rx_dropped: by counter
        for (const auto& [counter, m] : n.items()) k += m.get<uint64_t>();
      else k = n.get<uint64_t>();
      if (k) why += fmt::format("{}{} {}", why.empty() ? "" : ", ", k, reason);
    }
    if (!why.empty()) s += " (" + why + ")";
    if (rr.value("count", 0) > 0)
      s += fmt::format("; round trip p50 {}, p99 {}", human_time(rr["p50"].get<double>()),
                       human_time(rr["p99"].get<double>()));
    s += "\n";
  }
  s += igb_decisions(*c.want.part, c.want, c.plan);
  if (c.plan.fc_mode != igb_fc_mode::none) {
    const json& w = r["wire"];
    s += fmt::format("  pause      flow control {} (asked {}, partner {}): {} XOFF / {} XON sent, "
                     "{} / {} received; partner paused {}, {} frames held back\n",
                     igb_fc_mode_name(c.plan.fc_mode), igb_fc_mode_name(c.want.fc),
                     igb_fc_mode_name(c.want.partner_fc), t.adapter.stats.xofftxc,
                     t.adapter.stats.xontxc, t.adapter.stats.xoffrxc, t.adapter.stats.xonrxc,
                     human_time(w["partner_paused_ns"].get<double>()),
                     w["partner_frames_paused"].get<uint64_t>());
  }
  if (c.wire.partner_rx_rate_pct < 100) {
    const json& w = r["wire"];
    s += fmt::format(
        "  partner    absorbs {}% of line rate, {} B buffer: {} frames, {} lost, "
        "peak {} B; {} XOFF / {} XON sent, the NIC paused {}\n",
        c.wire.partner_rx_rate_pct, c.wire.partner_rx_buffer,
        w["partner_rx_frames"].get<uint64_t>(), w["partner_rx_dropped"].get<uint64_t>(),
        w["partner_rx_peak_bytes"].get<uint64_t>(), w["partner_xoff_sent"].get<uint64_t>(),
        w["partner_xon_sent"].get<uint64_t>(), human_time(w["nic_paused_ns"].get<double>()));
  }
  if (t.adapter.num_rx_queues > 1) {
    s += "  queues    ";
    for (const auto& ring : t.adapter.rx_ring)
      s += fmt::format(" q{} {}", ring->reg_idx, ring->packets);
    s += " frames (RSS)\n";
  }
  // Per frame read, or (a run that only sent) per frame it sent (a fragment is a frame)
  const double irqs = static_cast<double>(t.adapter.stats.irqs);
  const double on_wire = static_cast<double>(t.txsb.on_wire_count());
  const std::string per = delivered > 0
                              ? fmt::format(" ({:.3f} per delivered frame)", irqs / delivered)
                          : on_wire > 0 ? fmt::format(" ({:.3f} per frame sent)", irqs / on_wire)
                                        : "";
  s += fmt::format("  interrupts {}{}, polls {}, budget exhausted {}\n", t.adapter.stats.irqs, per,
                   t.k.st.polls, t.k.st.polls_budget_exhausted);
  const json& sn = r["softnet"];
  s += fmt::format("  softirq    {} passes at irq_exit ({} packets), {} in ksoftirqd ({} packets), "
                   "time squeezes {}\n",
                   sn["softirq_irq_exit_passes"].get<uint64_t>(),
                   sn["packets_irq_exit"].get<uint64_t>(),
                   sn["softirq_ksoftirqd_passes"].get<uint64_t>(),
                   sn["packets_ksoftirqd"].get<uint64_t>(), sn["time_squeeze"].get<uint64_t>());
  const json& lat = r["latency_ns"];
  const json& e2e = lat["end_to_end"];
  if (e2e.value("count", 0) > 0)
    s += fmt::format("  latency    wire->read() p50 {}, p99 {}, max {}\n",
                     human_time(e2e["p50"].get<double>()), human_time(e2e["p99"].get<double>()),
                     human_time(e2e["max"].get<double>()));
  // Per step: how long frames took to reach it from the step before (p50 / p99)
  std::string steps;
  for (size_t i = 1; i < kSteps; ++i) {
    const json& st = lat[step_name(step(i))];
    if (st.value("count", 0) == 0) continue;
    steps += fmt::format("{}{} {}/{}", steps.empty() ? "" : ", ", step_name(step(i)),
                         human_time(st["p50"].get<double>()), human_time(st["p99"].get<double>()));
  }
  if (!steps.empty()) s += "  steps      p50/p99 from the step before: " + steps + "\n";
  if (t.census.in_flight > 0) {
    std::string places;
    for (const auto& [place, n] : t.census.at)
      places += fmt::format("{}{} {}", places.empty() ? "" : ", ", place, n);
    s += fmt::format("  in flight  {} frames when {} ({})\n", t.census.in_flight,
                     t.interrupted_by
                         ? "the run was interrupted"
                         : "the drain ended at its bound, sim.drain_us after the last frame",
                     places);
  }
  s += look_at_line(r, c.look_at);  // what the scenario says to look at
  const json& checks = r["checks"];
  const json& viol = checks["violations"];
  s += delivery_hint(t);
  const std::string note = nothing_happened(t);
  s += fmt::format("  checks     {}\n",
                   viol.empty() ? (note.empty() ? std::string("passed") : "passed, but " + note)
                                : fmt::format("{} violation(s), first: {}: {}", viol.size(),
                                              viol[0]["kind"].get<std::string>(),
                                              viol[0]["detail"].get<std::string>()));
  return s;
}

}  // namespace igbsim
