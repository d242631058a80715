// SPDX-License-Identifier: Apache-2.0
// Software signals: the kernel model's and the driver's state, shown beside the RTL in the
// waveform (scope `sw`, rtl/igb_sw_probe.sv). The software reports changes to a sink; the
// waveform (systemc/wave_tracer) is one. Neither side needs the other's headers.
#pragma once
#include <cstdint>

namespace igbsim {

// The first group exists once per receive queue (sw.napiN_*, sw.rxN_*, N = the queue), the
// tx_/txq_ group once per transmit queue (sw.txN_*, sw.txqN_*), core_ctx and ksoftirqd_state
// once per core (sw.coreN_ctx, sw.ksoftirqdN_state, N = the core); the rest once.
enum class sw_sig {
  napi_state,
  napi_missed,
  napi_budget_left,
  napi_work_done,
  rx_next_to_clean,
  rx_next_to_use,
  rx_dd_visible,  // the last descriptor whose DD write-back is visible in host memory (NIC side)
  rx_desc_read,
  tx_next_to_use,     // igb's TX ring: the next descriptor igb_tx_map fills
  tx_next_to_clean,   // the next descriptor igb_clean_tx_irq looks at
  txq_state,          // the netdev_queue: 0 running, 1 DRV_XOFF, 2 STACK_XOFF (BQL), 3 both
  txq_bql_inflight,   // BQL: bytes queued to the driver and not completed
  txq_bql_limit,      // BQL: the dql limit
  txq_qdisc_backlog,  // the queue's qdisc: packets waiting (qlen)
  core_ctx,
  softirq_budget_left,
  sock0_rxq_len,
  ep0_ready_len,
  task0_state,
  ksoftirqd_state
};
constexpr unsigned kProbeQueues = 8;  // queues the probe has signals for (rtl/igb_sw_probe.sv)
constexpr unsigned kProbeCores = 8;   // cores likewise

class sw_signal_sink {
 public:
  // Whether changes are recorded. When not, callers skip sw_set: the test is inline, so a run
  // without waves pays one load per probe point.
  bool enabled() const { return enabled_; }
  // Signal s (of queue or core `queue`, for the per-queue and per-core signals) is v from
  // t_ps on.
  virtual void sw_set(uint64_t t_ps, sw_sig s, uint32_t v, unsigned queue = 0) = 0;

 protected:
  ~sw_signal_sink() = default;
  bool enabled_ = false;
};

}  // namespace igbsim
