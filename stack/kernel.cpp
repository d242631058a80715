// SPDX-License-Identifier: Apache-2.0
#include "kernel.h"

#include "netdevice.h"
#include "sim_time.h"
#include "sw_signals.h"

namespace igbsim {

kernel::kernel(const kernel_params& p, const cost_table& c) : params(p), cost(c) {
  for (int i = 0; i < p.cores; ++i) cores_.push_back(std::make_unique<cpu_core>(*this, i));
  for (auto& c : cores_) c->net_tx_action = [this] { igbsim::net_tx_action(*this); };
  cur_ = cores_.front().get();
}

uint64_t kernel::jiffies_at(const sc_core::sc_time& t) const {
  // floor(t * HZ / 1 s), in 128 bits: picoseconds times HZ pass 64 bits after 213 days / HZ
  return static_cast<uint64_t>(static_cast<unsigned __int128>(ps_of(t)) *
                               static_cast<unsigned>(params.hz) / 1000000000000ull);
}

int kernel::irq_cpu(unsigned vec) const {
  // The driver's vectors before its queue vectors (set_irq_pre_vectors) stay on core 0
  if (!params.irq_spread || vec < irq_pre_vectors_) return 0;
  return static_cast<int>((vec - irq_pre_vectors_) % cores_.size());
}

bool kernel::try_to_wake_up(task_struct* t) {
  cpu_core& waker = this_cpu();
  waker.spend(cost.try_to_wake_up_ns);
  const bool woke = cpu(t->cpu).try_to_wake_up(t, waker.now());
  if (woke && wake_site_ && cur_frame != UINT64_MAX)
    jr.note_wake(t, task_state_char(t->state), cur_frame, wake_site_->at(), wake_site_->cb_task());
  return woke;
}

kernel::~kernel() = default;

void kernel::set_tracer(sw_signal_sink* t) {
  tracer_ = t;
  // ksoftirqd/N starts asleep; the probe's inputs start at 0 (running)
  if (tracer_ && tracer_->enabled())
    for (int i = 0; i < cores(); ++i)
      tracer_->sw_set(0, sw_sig::ksoftirqd_state, static_cast<uint32_t>(cpu(i).ksoftirqd().state),
                      static_cast<unsigned>(i));
}

void kernel::probe(sw_sig s, uint32_t v, unsigned queue) {
  if (!tracer_ || !tracer_->enabled()) return;
  const sc_core::sc_time t = this_cpu().now();
  tracer_->sw_set(ps_of(t), s, v, queue);
}

void kernel::violate(const std::string& kind, const std::string& detail, int64_t frame) {
  violate_at(this_cpu().now(), kind, detail, frame);
}

void kernel::violate_at(const sc_core::sc_time& t, const std::string& kind,
                        const std::string& detail, int64_t frame) {
  violations_.push_back({ps_of(t), kind, detail, frame});
  if (on_event) on_event("violation");
}

}  // namespace igbsim
