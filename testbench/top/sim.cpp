// SPDX-License-Identifier: Apache-2.0
#include "sim.h"

#include <fmt/format.h>

#include <chrono>

#include "plots.h"
#include "report.h"
#include "run_config.h"
#include "top.h"

namespace igbsim {

volatile std::sig_atomic_t stop_signal = 0;

namespace {

// What the waveform's save file shows (gtkw.h): igb's vectors and rings, what each carried
waves_layout waves_layout_of(const igbsim_top& top, const run_outcome& out, unsigned cores) {
  const igb_adapter& a = top.adapter;
  waves_layout l;
  l.rx_queues = out.rx_queues;
  l.tx_queues = out.tx_queues;
  l.cores = cores;
  l.msix = a.cfg.irq_mode == igb_irq_mode::msix;
  l.intx = a.cfg.irq_mode == igb_irq_mode::intx;
  l.first_frame_ps = out.first_frame_ps;
  const std::vector<uint64_t>& sent = top.dev.msix_per_vector();
  const auto messages = [&](unsigned v) { return v < sent.size() ? sent[v] : 0; };
  // With MSI-X, vector 0 takes the link and other causes (igb_request_irq)
  if (l.msix) l.vectors.push_back({0, -1, -1, -1, messages(0)});
  for (size_t i = 0; i < a.q_vector.size(); ++i) {
    const igb_q_vector& q = *a.q_vector[i];
    // The software probe has NAPI signals for the first kProbeQueues NAPI indexes (a
    // transmit-only q_vector's lies beyond them)
    const int napi = q.napi.index < kProbeQueues ? static_cast<int>(q.napi.index) : -1;
    l.vectors.push_back({q.vector, napi, q.rx_ring ? q.rx_ring->reg_idx : -1,
                         q.tx_ring ? q.tx_ring->reg_idx : -1, messages(q.vector)});
  }
  // Unpaired without transmit rings, each transmit queue's vector still follows the q_vectors'
  // (igb_request_irq: IVAR's TX entry and an EIMS bit, no q_vector behind it)
  if (l.msix)
    for (unsigned v = 1 + static_cast<unsigned>(a.q_vector.size()); v < 32; ++v)
      if (a.eims_enable_mask >> v & 1)
        l.vectors.push_back({v, -1, -1, static_cast<int>(v - 1 - a.q_vector.size()), messages(v)});
  for (const auto& r : a.rx_ring) l.rx_frames.push_back(r->packets);
  for (unsigned t = 0; t < l.tx_queues && t < a.tx_ring.size(); ++t)
    l.tx_packets.push_back(a.tx_ring[t]->packets);
  return l;
}

}  // namespace

run_outcome run_simulation(const params& p, const run_options& o) {
  const auto wall0 = std::chrono::steady_clock::now();
  const run_config c = configure_run(p);
  // tx.pcap holds what the NIC sent on its wire: a run in which nothing can send would write an
  // empty capture. The sender, an echo server's replies and PAUSE frames (when the resolved
  // flow control sends them) are all the NIC ever sends.
  if (o.tx_pcap && c.sc.frames == 0 && c.ac.reply != app_reply::echo &&
      !fc_tx_pause(c.plan.fc_mode))
    throw input_error(fmt::format(
        "--tx-pcap: nothing in this run sends on the NIC's wire (send.frames = 0, app.reply = "
        "none, flow control {}: no PAUSE frames), so tx.pcap would be empty; set send.frames or "
        "app.reply = \"echo\", or leave --tx-pcap out",
        igb_fc_mode_name(c.plan.fc_mode)));
  igbsim_top top("top", c, o);
  run_outcome out;
  out.error = top.run();
  if (!out.error.empty()) return out;
  const double wall_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  out.report = build_report(top, wall_s);
  if (o.plots) plot_run(o.outdir, top.k.jr.end_to_end(), top.k.jr.step_deltas(), c.tc.tcp);
  out.summary = build_summary(top, out.report, wall_s);
  out.violations = !out.report["checks"]["passed"].get<bool>();
  out.first_frame_ps = top.first_frame_ps == UINT64_MAX ? 0 : top.first_frame_ps;
  out.rx_queues = static_cast<unsigned>(c.plan.rss_queues);
  out.tx_queues =
      top.sender || top.txsb.echo() ? static_cast<unsigned>(top.adapter.num_tx_queues) : 0;
  out.interrupted_by = top.interrupted_by;
  out.layout = waves_layout_of(top, out, static_cast<unsigned>(p.i("kernel.cores")));
  return out;
}

}  // namespace igbsim
