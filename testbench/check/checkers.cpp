// SPDX-License-Identifier: Apache-2.0
#include "checkers.h"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_set>

#include "skbuff.h"
#include "top.h"

namespace igbsim {

using namespace sc_core;

driver_checkers::driver_checkers(kernel& k, nic& dev, hal& hw, igb_adapter& adapter, bool msix,
                                 double stranded_us,
                                 const std::map<std::string, double>& first_event)
    : k_(k),
      dev_(dev),
      hw_(hw),
      adapter_(adapter),
      first_event_(first_event),
      msix_(msix),
      stranded_bound_(std::max(stranded_us * 1e3, 2 * k.params.gro_flush_timeout_ns), SC_NS) {}

void driver_checkers::on_writel(uint32_t reg, uint32_t val) {
  for (const auto& ring : adapter_.rx_ring)
    if (reg == ring->tail) rdt_written_[reg] = val;
  if (reg != E1000_EIMS || adapter_.down) return;
  for (const auto& [vec, n] : napi_of_vector_) {
    if (!(val >> vec & 1)) continue;
    if (n->complete_refused)
      k_.violate("irq_enabled_after_napi_complete_false",
                 fmt::format(
                     "EIMS written for vector {} after napi_complete_done returned false (NAPI {})",
                     vec, n->state & NAPI_STATE_SCHED ? "rescheduled" : "deferred to its timer"));
    else if (n->state & NAPI_STATE_SCHED)
      k_.violate("irq_enabled_while_napi_scheduled",
                 fmt::format("EIMS written for vector {} while its NAPI is still scheduled (before "
                             "napi_complete_done)",
                             vec));
  }
}

// 2. Stranded packets: a written-back frame that nothing pending can ever pick up. It has
//    waited at least sim.stranded_us, and now its queue's NAPI is idle (not scheduled, so
//    no softirq will poll it), its vector is masked (EIMS; without MSI-X the one interrupt's
//    receive cause in IMS) with no unmasking write on its way to the NIC, and no interrupt
//    for that vector is on its way to the CPU, waiting there to be taken or being handled
//    (igb_intr waits for its ICR read, which has already masked IMS), and the NAPI's hrtimer
//    is not armed (napi_defer_hard_irqs: its napi_watchdog will poll, however late a busy
//    core takes it). A slow system (huge costs, a CPU that cannot take the interrupt for a
//    long stretch, long PCIe latencies) is not a stranded frame.
bool driver_checkers::judge_stranded() {
  const bool msix = msix_;
  bool excused = false;
  const uint32_t eims = dev_.eims();
  const bool ims_rx = dev_.ims_rx();
  for (const auto& [dma, seen] : hw_.pending_writebacks()) {
    if (sc_time_stamp() - seen.visible < stranded_bound_ || stranded_reported_.count(seen.frame))
      continue;
    for (const auto& q : adapter_.q_vector) {
      const igb_ring* ring = q->rx_ring;  // none on a transmit-only q_vector
      if (!ring || dma < ring->dma || dma >= ring->dma + ring->count * 16ull) continue;
      // Masked, and no write that unmasks it on its way (the driver runs ahead of the NIC
      // by the CPU time it has spent: a costly poll's EIMS write lands that much later)
      const bool masked =
          msix ? !(eims >> q->vector & 1) && !dev_.write_queued(E1000_EIMS, 1u << q->vector)
               : !ims_rx && !dev_.write_queued(E1000_IMS, E1000_ICR_RXT0);
      const cpu_core& cpu = k_.cpu(k_.irq_cpu(q->vector));
      if (q->napi.state & NAPI_STATE_SCHED || !masked || cpu.irq_pending(q->vector) ||
          cpu.in_irq_handler(q->vector) || q->napi.timer_expires != SC_ZERO_TIME) {
        excused = true;
        continue;
      }
      stranded_reported_.insert(seen.frame);
      k_.violate("stranded_packet",
                 fmt::format("frame {} written back to queue {} at {:.3f} us waits with its NAPI "
                             "idle, {} masked and "
                             "no interrupt pending or being handled",
                             seen.frame, ring->reg_idx, seen.visible.to_seconds() * 1e6,
                             msix ? fmt::format("vector {}", q->vector)
                                  : std::string("the receive cause (IMS)")),
                 static_cast<int64_t>(seen.frame));
    }
  }
  return excused;
}

// 3. A tail that lags behind the driver's refills for two looks while the NIC has found no
//    descriptor. Says whether any tail lags.
bool driver_checkers::check_tails(std::map<uint32_t, int>& tail_lag, bool& tail_reported) {
  bool any_lag = false;
  for (const auto& ring : adapter_.rx_ring) {
    const auto it = rdt_written_.find(ring->tail);
    const bool lags = it != rdt_written_.end() && it->second != ring->next_to_use;
    tail_lag[ring->tail] = lags ? tail_lag[ring->tail] + 1 : 0;
    any_lag |= lags;
    if (lags && tail_lag[ring->tail] >= 2 && first_event_.count("rnbc") && !tail_reported) {
      tail_reported = true;
      k_.violate(
          "tail_not_written",
          fmt::format("queue {}: descriptors refilled up to {} but RDT is {} while frames find "
                      "no descriptor",
                      ring->reg_idx, ring->next_to_use, it->second));
    }
  }
  return any_lag;
}

void driver_checkers::watch() {
  while (adapter_.down) wait(sc_time(100, SC_US));
  if (msix_)
    for (const auto& q : adapter_.q_vector) napi_of_vector_[q->vector] = &q->napi;
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
      wait(wake);
      quiet_passes = 0;
    }
    wait(stranded_bound_ / 2 * static_cast<double>(1u << backoff));
    const bool any_lag = check_tails(tail_lag, tail_reported);
    quiet_passes = any_lag || !hw_.pending_writebacks().empty() ? 0 : quiet_passes + 1;
    const bool excused = judge_stranded();
    const std::pair<uint64_t, size_t> moved{dev_.desc_writebacks(),
                                            hw_.pending_writebacks().size()};
    backoff = excused && !any_lag && moved == last_moved ? std::min(backoff + 1, 10) : 0;
    last_moved = moved;
  }
}

void driver_checkers::spawn() {
  sc_spawn([this] { watch(); }, "stranded_checker");
}

softnet_data softnet_total(kernel& k) {
  softnet_data sd_total;
  for (int c = 0; c < k.cores(); ++c) {
    sd_total.processed += k.cpu(c).sd.processed;
    sd_total.dropped += k.cpu(c).sd.dropped;
    sd_total.time_squeeze += k.cpu(c).sd.time_squeeze;
    sd_total.softirq_irq_exit_passes += k.cpu(c).sd.softirq_irq_exit_passes;
    sd_total.softirq_ksoftirqd_passes += k.cpu(c).sd.softirq_ksoftirqd_passes;
    sd_total.packets_irq_exit += k.cpu(c).sd.packets_irq_exit;
    sd_total.packets_ksoftirqd += k.cpu(c).sd.packets_ksoftirqd;
  }
  return sd_total;
}

in_flight_census take_census(igbsim_top& t) {
  // Frames without a fate when the drain's bound ended the run: where each one is, asked of
  // what holds it. The NIC (MAC, packet buffer, DMA engine, or in host memory with its
  // descriptor not yet written back, or the write-back still on its way over PCIe); the ring
  // (written back, not yet taken by the driver); an skb in the stack or a socket's queue; or a
  // reader that has taken it off its socket and whose read() has not returned yet (it pays the
  // copy's time after the skb is freed). One that nothing holds was lost: lost_unaccounted.
  in_flight_census c;
  if (t.sb.outstanding() > 0) {
    std::unordered_set<uint64_t> in_nic, in_ring, in_skb;
    t.dev.frames_held(in_nic);
    t.mem.frames_posted(in_nic);
    for (const auto& [dma, seen] : t.hw.pending_writebacks()) in_ring.insert(seen.frame);
    for (const sk_buff* skb : live_skbs())
      skb->for_each_frame([&](uint64_t id) { in_skb.insert(id); });
    if (t.wire.holding()) ++c.at["wire"];
    t.k.jr.for_each_in_flight([&](const frame_record& r) {
      const char* place = in_nic.count(r.id)                                   ? "nic"
                          : in_ring.count(r.id)                                ? "ring"
                          : t.sb.being_read(r.id)                              ? "read"
                          : !in_skb.count(r.id)                                ? nullptr
                          : r.t[static_cast<size_t>(step::sk_data_ready)] >= 0 ? "socket"
                                                                               : "stack";
      if (place) ++c.at[place];
    });
    for (const auto& [place, n] : c.at) c.in_flight += n;
    if (c.in_flight > t.sb.outstanding())
      t.k.violate("in_flight_census",
                  fmt::format("{} frames placed in flight, but only {} have no fate", c.in_flight,
                              t.sb.outstanding()));
    c.in_flight = std::min<uint64_t>(c.in_flight, t.sb.outstanding());
  }
  c.lost = t.sb.outstanding() - c.in_flight;
  return c;
}

void check_journey_order(igbsim_top& t) {
  const tx_journey::misordering& tm = t.k.txjr.misordered();
  if (tm.rows)
    t.k.violate("tx_journey_step_order",
                fmt::format("{} sent datagrams have a step before the step their delta is taken "
                            "from (datagram {}: {} before {})",
                            tm.rows, tm.first.id, tx_step_name(tm.first.later),
                            tx_step_name(tm.first.base)));
  const journey::misordering& m = t.k.jr.misordered();
  if (m.rows)
    t.k.violate("journey_step_order",
                fmt::format("{} delivered frames have a step before the step their latency is "
                            "taken from, left out of latency_ns (frame {}: {} before {})",
                            m.rows, m.first.id, step_name(m.first.later, t.cfg.tc.tcp),
                            step_name(m.first.base, t.cfg.tc.tcp)),
                static_cast<int64_t>(m.first.id));
}

void check_counters(igbsim_top& t) {
  // Counters must agree with the fates the scoreboard saw. A NIC counter is read while frames
  // may still move (a run that ended at the drain's bound): it must lie between the frames
  // seen before the driver read it and those seen after.
  const auto& by = t.sb.dropped_by();
  auto fate = [&](const std::string& n) {
    auto it = by.find(n);
    return it == by.end() ? 0ull : static_cast<unsigned long long>(it->second);
  };
  auto fate_in = [](const run_tallies::tally& x, const std::string& n) {
    auto it = x.fates.find(n);
    return it == x.fates.end() ? uint64_t{0} : it->second;
  };
  auto nic_counter =
      [&](const std::string& reg, uint64_t value, uint64_t lo, uint64_t hi, const char* what) {
    if (value >= lo && value <= hi) return;
    t.k.violate("counter_mismatch",
                lo == hi ? fmt::format("{}={} but {} frames {}", reg, value, lo, what)
                         : fmt::format("{}={} but {} to {} frames {} while it was read", reg, value,
                                       lo, hi, what));
  };
  auto nic_drops = [&](const std::string& reg, uint64_t value, const std::string& fate_name) {
    nic_counter(reg, value, fate_in(t.tallies.before, fate_name),
                fate_in(t.tallies.after, fate_name), "were seen dropped by it");
  };
  // rx_length_errors is RUC + ROC (igb_update_stats); each register against the frames the
  // NIC dropped for its reason (exact once the run drained: no frame moved after the read)
  nic_counter("RUC + ROC", t.adapter.stats.ruc + t.adapter.stats.roc,
              fate_in(t.tallies.before, "rx_length_errors"),
              fate_in(t.tallies.after, "rx_length_errors"), "were seen dropped by them");
  if (t.drained && t.tallies.runt_drops != t.adapter.stats.ruc)
    t.k.violate("counter_mismatch", fmt::format("RUC={} but the NIC dropped {} runts",
                                                t.adapter.stats.ruc, t.tallies.runt_drops));
  if (t.drained && t.tallies.oversize_drops != t.adapter.stats.roc)
    t.k.violate("counter_mismatch", fmt::format("ROC={} but the NIC dropped {} oversize frames",
                                                t.adapter.stats.roc, t.tallies.oversize_drops));
  if (fate("rx_otherhost_dropped") != t.k.st.rx_otherhost_dropped)
    t.k.violate("counter_mismatch", "rx_otherhost_dropped disagrees with the frames it dropped");
  nic_drops("MPC", t.adapter.stats.mpc, "rx_missed_errors");
  for (int q = 0; q < t.adapter.num_rx_queues; ++q)
    nic_drops(fmt::format("RQDPC({})", q), t.adapter.stats.rqdpc[q],
              fmt::format("rx_queue_{}_drops", q));
  const softnet_data sd_total = softnet_total(t.k);
  if (fate("softnet_dropped") != sd_total.dropped)
    t.k.violate("counter_mismatch",
                fmt::format("softnet dropped={} but {} frames were seen dropped by it",
                            sd_total.dropped, fate("softnet_dropped")));
  // Socket memory: a UDP socket's sk_rmem_alloc is what its queues hold plus what the reader
  // took and udp_rmem_release has not yet released (forward_deficit, only while the reader
  // queue still holds datagrams); never negative
  for (const sock* sk : t.sockp) {
    if (sk->tcp) continue;
    int64_t held = sk->forward_deficit;
    for (const auto* q : {&sk->sk_receive_queue, &sk->reader_queue})
      for (const sk_buff* skb : *q) held += skb->truesize;
    if (sk->rmem_alloc < 0 || sk->rmem_alloc != held ||
        (sk->forward_deficit > 0 && sk->reader_queue.empty()))
      t.k.violate(
          "counter_mismatch",
          fmt::format(
              "socket {}: sk_rmem_alloc={} but its queues hold {} and forward_deficit is {}",
              sk->index, sk->rmem_alloc, held - sk->forward_deficit, sk->forward_deficit));
  }
  if (fate("udp_rcvbuf_errors") != t.k.st.udp_rcvbuf_errors)
    t.k.violate("counter_mismatch", "UdpRcvbufErrors disagrees with the frames it dropped");
  if (fate("delayed_ack_lost") != t.k.st.delayed_ack_lost)
    t.k.violate("counter_mismatch", "TcpExtDelayedACKLost disagrees with the frames it dropped");
  // GPRC counts a frame once its last buffer is written to host memory: at least the frames
  // whose last descriptor was written back t.tallies.before the read, at most those that had left
  // the packet buffer (and were not dropped by the NIC or its receive filters) t.tallies.after it.
  uint64_t nic_dropped_after = fate_in(t.tallies.after, "rx_missed_errors") +
                               fate_in(t.tallies.after, "rx_length_errors") +
                               fate_in(t.tallies.after, "address_filtered");
  for (int q = 0; q < t.adapter.num_rx_queues; ++q)
    nic_dropped_after += fate_in(t.tallies.after, fmt::format("rx_queue_{}_drops", q));
  nic_counter("GPRC", t.adapter.stats.gprc, t.tallies.before.written_back,
              t.tallies.after.out_of_pktbuf > nic_dropped_after
                  ? t.tallies.after.out_of_pktbuf - nic_dropped_after
                  : 0,
              "reached host memory");
  if (t.census.lost > 0)
    t.k.violate("lost_unaccounted",
                fmt::format("{} frames have neither been delivered nor counted, and are nowhere in "
                            "the model",
                            t.census.lost));
}

}  // namespace igbsim
