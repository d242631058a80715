// SPDX-License-Identifier: Apache-2.0
#include "cpu.h"

#include <algorithm>

#include "kernel.h"
#include "sim_time.h"
#include "sw_signals.h"

namespace igbsim {

using namespace sc_core;

namespace {
constexpr int MAX_SOFTIRQ_RESTART = 10;      // kernel/softirq.c
constexpr uint64_t MAX_SOFTIRQ_TIME_MS = 2;  // MAX_SOFTIRQ_TIME = msecs_to_jiffies(2)
}  // namespace

cpu_core::cpu_core(kernel& k, int id) : k_(k), id_(id) {
  netif_napi_add(k, &sd.backlog, process_backlog, weight_p);
  sd.backlog.index = kNoQueue;
  sc_spawn(sc_bind(&cpu_core::idle_thread, this), sc_gen_unique_name("cpu_idle"));
  // ksoftirqd/N sleeps until __do_softirq hands it work
  ksoftirqd_.cpu = id;
  ksoftirqd_.comm = "ksoftirqd/" + std::to_string(id);
  ksoftirqd_.state = task_state::interruptible;
  ksoftirqd_.fn = [this] { run_ksoftirqd(); };
  sc_spawn(sc_bind(&cpu_core::task_thread, this, &ksoftirqd_), sc_gen_unique_name("ksoftirqd"));
}

void cpu_core::set_ctx(cpu_ctx c) {
  if (c == ctx_) return;
  ctx_ = c;
  k_.probe(sw_sig::core_ctx, static_cast<uint32_t>(c), static_cast<unsigned>(id_));
}

void cpu_core::resumed() { k_.set_this_cpu(this); }

// The waveform's task signals: the application's first task (sw.task0_state) and this core's
// ksoftirqd (sw.ksoftirqdN_state), 0 running, 1 runnable, 2 interruptible, 3 dead; and the
// journey's state history of the tasks it follows (journey::note_state).
void cpu_core::trace_state(const task_struct* t) {
  if (k_.jr.following()) k_.jr.note_state(t, k_.this_cpu().now(), task_state_char(t->state));
  if (t == k_.app_task) k_.probe(sw_sig::task0_state, static_cast<uint32_t>(t->state));
  else if (t == &ksoftirqd_)
    k_.probe(sw_sig::ksoftirqd_state, static_cast<uint32_t>(t->state), static_cast<unsigned>(id_));
}

void cpu_core::spend(double ns) { charge(time_of_ns(ns)); }

void cpu_core::spin_until(const sc_time& t) {
  if (t > now()) charge(t - now());
}

void cpu_core::charge(const sc_time& d) {
  offset_ += d;
  account_stall(d);
}

void cpu_core::account_stall(const sc_time& t) {
  ctx_ps_[static_cast<size_t>(ctx_)] += ps_of(t);
  if (ctx_ == cpu_ctx::process && current_) current_->charged_ps += ps_of(t);
}

void cpu_core::sync() {
  if (offset_ == SC_ZERO_TIME) return;
  const sc_time o = offset_;
  offset_ = SC_ZERO_TIME;
  wait(o);
  resumed();
}

void cpu_core::boundary() {
  sync();
  take_irqs();
  cond_resched();
}

void cpu_core::user_work(double ns) {
  sc_time left = time_of_ns(ns);
  const sc_time tick(1.0 / k_.params.hz, SC_SEC);
  while (left > SC_ZERO_TIME) {
    boundary();  // interrupts that have arrived, then a preemption point
    sync();      // the handlers' time
    sc_time step = std::min(left, tick);
    if (!irq_q_.empty()) {
      const sc_time a = irq_q_.front().arrival;
      step = a <= sc_time_stamp() ? SC_ZERO_TIME : std::min(step, a - sc_time_stamp());
    }
    if (step > SC_ZERO_TIME) {
      // Until the work's next piece is done or an interrupt posted meanwhile arrives
      const sc_time t0 = sc_time_stamp();
      wait(step, irq_ev_);
      resumed();
      const sc_time done = sc_time_stamp() - t0;
      account_stall(done);
      left -= done;
    }
  }
  boundary();
}

// --- CFS-like scheduling --------------------------------------------------------------------

// update_curr: charge the running task's time since it was last accounted to its vruntime.
void cpu_core::update_curr() {
  const sc_time t = now();
  if (current_ && t > exec_start_) {
    const uint64_t d = ps_of(t - exec_start_);
    current_->vruntime_ps += d;
    current_->sum_exec_ps += d;
  }
  exec_start_ = t;
  // min_vruntime only moves forward: the least of the running and the runnable tasks
  uint64_t m = UINT64_MAX;
  if (current_) m = current_->vruntime_ps;
  for (const task_struct* r : rq_) m = std::min(m, r->vruntime_ps);
  if (m != UINT64_MAX) min_vruntime_ps_ = std::max(min_vruntime_ps_, m);
}

// pick_next_task_fair: the runnable task with the least vruntime (the leftmost of the tree)
task_struct* cpu_core::pick_next_task() const {
  task_struct* best = nullptr;
  for (task_struct* t : rq_)
    if (!best || t->vruntime_ps < best->vruntime_ps) best = t;
  return best;
}

// check_preempt_tick: the current task has had its slice when others wait.
void cpu_core::check_preempt_tick() {
  if (!current_ || rq_.empty()) return;
  update_curr();
  const double slice =
      std::max(sp_.latency_ns / static_cast<double>(nr_running()), sp_.min_granularity_ns);
  if (now() - slice_start_ >= sc_time(slice, SC_NS)) need_resched_ = true;
}

// cond_resched / preemption on return to process context: give the core to the fairest task.
void cpu_core::cond_resched() {
  if (ctx_ != cpu_ctx::process || !current_) return;
  check_preempt_tick();
  preempt();
}

void cpu_core::preempt() {
  task_struct* self = current_;
  if (!need_resched_ || !self || self->state != task_state::running) return;
  need_resched_ = false;
  update_curr();
  task_struct* next = pick_next_task();
  if (!next) return;
  self->state = task_state::runnable;
  ++self->nivcsw;
  rq_.push_back(self);
  trace_state(self);
  switch_to(next);
  wait(self->run_ev);
  resumed();
}

void cpu_core::request_irq(unsigned vec, irq_handler h) {
  if (handlers_.size() <= vec) handlers_.resize(vec + 1);
  handlers_[vec] = std::move(h);
}

void cpu_core::post_irq(unsigned vec, const sc_time& arrival) {
  auto it = std::upper_bound(irq_q_.begin(), irq_q_.end(), arrival,
                             [](const sc_time& a, const pending_irq& p) { return a < p.arrival; });
  irq_q_.insert(it, {arrival, vec, nullptr});
  irq_ev_.notify(arrival > sc_time_stamp() ? arrival - sc_time_stamp() : SC_ZERO_TIME);
}

bool cpu_core::irq_pending(unsigned vec) const {
  for (const pending_irq& p : irq_q_)
    if (!p.timer_fn && p.vec == vec) return true;
  return false;
}

void cpu_core::add_timer(const sc_time& expires, std::function<void()> fn) {
  auto it = std::upper_bound(irq_q_.begin(), irq_q_.end(), expires,
                             [](const sc_time& a, const pending_irq& p) { return a < p.arrival; });
  irq_q_.insert(it, {expires, 0, std::move(fn)});
  irq_ev_.notify(expires > sc_time_stamp() ? expires - sc_time_stamp() : SC_ZERO_TIME);
}

// Hard interrupt entry for every message that has arrived by now (do_IRQ ... irq_exit).
void cpu_core::take_irqs() {
  if (ctx_ == cpu_ctx::hardirq) return;
  while (!irq_q_.empty() && irq_q_.front().arrival <= now()) {
    const unsigned vec = irq_q_.front().vec;
    const std::function<void()> timer_fn = std::move(irq_q_.front().timer_fn);
    irq_q_.pop_front();
    const cpu_ctx prev = ctx_;
    set_ctx(cpu_ctx::hardirq);
    spend(k_.cost.irq_entry_ns);
    if (timer_fn) {
      timer_fn();  // hrtimer_interrupt -> the timer's function
    } else {
      ++irqs_taken_;
      handling_ = static_cast<int>(vec);
      if (vec < handlers_.size() && handlers_[vec]) handlers_[vec]();
      handling_ = -1;
    }
    spend(k_.cost.irq_exit_ns);
    set_ctx(prev);
    // irq_exit: run softirqs unless we interrupted softirq processing itself
    if (prev != cpu_ctx::softirq && softirq_pending_) invoke_softirq();
  }
}

// invoke_softirq: run pending softirqs inline at irq_exit, even when this core's ksoftirqd is
// runnable. Linux 4.9 to 6.4 left them to a runnable ksoftirqd (ksoftirqd_running(), "softirq:
// Let ksoftirqd do its job"); v6.5 reverted that (d15121be7485), and the model follows v6.5+,
// as it does elsewhere (in_net_rx_action is v6.4, the UDP receive-buffer test v6.18).
void cpu_core::invoke_softirq() { do_softirq(false); }

// run_ksoftirqd (smpboot thread body): __do_softirq while work is pending, a preemption
// point after each round, sleep when there is none.
void cpu_core::run_ksoftirqd() {
  for (;;) {
    while (!softirq_pending_) {
      set_current_state(task_state::interruptible);
      schedule();
    }
    do_softirq(true);
    sync();
    cond_resched();
  }
}

// __do_softirq (handle_softirqs in v6.10+, kernel/softirq.c): handle pending softirqs,
// restarting while more are raised, while time_before(jiffies, end) with end = jiffies +
// MAX_SOFTIRQ_TIME (msecs_to_jiffies(2): 2 jiffies at HZ=1000, 1 at HZ=100/250/300), no
// need_resched() and --max_restart (MAX_SOFTIRQ_RESTART passes); else wakeup_softirqd().
// Each pass (a round of the pending handlers) is counted by where it ran, with the packets
// net_rx_action took through netif_receive_skb in it (softnet_stat's processed).
void cpu_core::do_softirq(bool ksirqd) {
  const cpu_ctx prev = ctx_;
  set_ctx(cpu_ctx::softirq);
  const uint64_t end = k_.jiffies_at(now()) + k_.msecs_to_jiffies(MAX_SOFTIRQ_TIME_MS);
  int restart = MAX_SOFTIRQ_RESTART;
  while (softirq_pending_) {
    const uint32_t pending = softirq_pending_;
    softirq_pending_ = 0;
    spend(k_.cost.softirq_entry_ns);
    const uint64_t processed = sd.processed;
    if ((pending & (1u << NET_TX_SOFTIRQ)) && net_tx_action) net_tx_action();
    if ((pending & (1u << NET_RX_SOFTIRQ)) && net_rx_action) net_rx_action();
    ++(ksirqd ? sd.softirq_ksoftirqd_passes : sd.softirq_irq_exit_passes);
    (ksirqd ? sd.packets_ksoftirqd : sd.packets_irq_exit) += sd.processed - processed;
    if (softirq_pending_ && !(k_.jiffies_at(now()) < end && !need_resched_ && --restart)) break;
  }
  set_ctx(prev);
  if (softirq_pending_) try_to_wake_up(&ksoftirqd_, now());  // wakeup_softirqd
}

void cpu_core::local_bh_enable() {
  if (ctx_ == cpu_ctx::process && softirq_pending_) do_softirq(false);
}

void cpu_core::spawn(task_struct* t) {
  t->cpu = id_;
  t->state = task_state::runnable;
  t->vruntime_ps = min_vruntime_ps_;
  rq_.push_back(t);
  sc_spawn(sc_bind(&cpu_core::task_thread, this, t), sc_gen_unique_name(t->comm.c_str()));
  if (!current_) idle_ev_.notify(SC_ZERO_TIME);
}

void cpu_core::task_thread(task_struct* t) {
  wait(t->run_ev);  // until the scheduler hands us the core
  resumed();
  t->fn();
  t->state = task_state::dead;
  schedule();
}

// Hand the core to `next` (nullptr: the idle thread). The caller then waits to be resumed.
void cpu_core::switch_to(task_struct* next) {
  // The switch is the scheduler's cost: process time, but not charged to the outgoing task's
  // own work (charged_ps), so a blocking call's cost is its own code.
  task_struct* const prev = current_;
  const uint64_t before = prev ? prev->charged_ps : 0;
  spend(k_.cost.context_switch_ns);
  if (prev) prev->charged_ps = before;
  ++context_switches_;
  update_curr();
  sync();  // other cores run meanwhile
  // A wake-up from another core while prev was switching out found it still current and only
  // made it running again (try_to_wake_up's "woken before it got off the CPU"): prev must go
  // back on the run queue, or it would be off the CPU, running and queued nowhere - lost.
  // (Linux closes the same window with the runqueue lock and p->on_cpu.)
  if (prev && prev != next && prev->state == task_state::running) {
    prev->state = task_state::runnable;
    rq_.push_back(prev);
    trace_state(prev);
    if (!next) next = pick_next_task();
  }
  current_ = next;
  exec_start_ = slice_start_ = now();
  need_resched_ = false;
  if (next) {
    rq_.erase(std::remove(rq_.begin(), rq_.end(), next), rq_.end());
    next->state = task_state::running;
    trace_state(next);
    set_ctx(cpu_ctx::process);
    next->run_ev.notify(SC_ZERO_TIME);
  } else {
    set_ctx(cpu_ctx::idle);
    idle_ev_.notify(SC_ZERO_TIME);
  }
}

// schedule(), called by the running task: if it is no longer runnable, give up the core.
void cpu_core::schedule() {
  task_struct* self = current_;
  boundary();
  if (self->state == task_state::running) return;
  ++self->nvcsw;
  trace_state(self);
  switch_to(pick_next_task());
  if (self->state == task_state::dead) return;
  wait(self->run_ev);
  resumed();
}

void cpu_core::set_current_state(task_state s) {
  current_->state = s;
  trace_state(current_);
}

bool cpu_core::try_to_wake_up(task_struct* t, const sc_time& waker_now) {
  if (t->state != task_state::interruptible) return false;
  ++k_.st.task_wakeups;
  if (t == current_) {
    t->state = task_state::running;  // woken before it got off the CPU
  } else {
    // place_entity: a sleeper keeps at most half a latency period of credit
    update_curr();
    const uint64_t credit = static_cast<uint64_t>(sp_.latency_ns / 2 * 1000);
    if (min_vruntime_ps_ > credit)
      t->vruntime_ps = std::max(t->vruntime_ps, min_vruntime_ps_ - credit);
    t->state = task_state::runnable;
    rq_.push_back(t);
    if (!current_) {
      // the idle core sees the wake-up no earlier than the waker's local time; resched_curr
      // marks the idle task, so a __do_softirq running on it (at irq_exit) stops restarting
      need_resched_ = true;
      idle_ev_.notify(waker_now > sc_time_stamp() ? waker_now - sc_time_stamp() : SC_ZERO_TIME);
    } else if (t->vruntime_ps + static_cast<uint64_t>(sp_.wakeup_granularity_ns * 1000) <
               current_->vruntime_ps) {
      need_resched_ = true;  // check_preempt_wakeup
    }
  }
  trace_state(t);
  return true;
}

void cpu_core::idle_thread() {
  for (;;) {
    resumed();
    take_irqs();
    sync();
    if (!rq_.empty()) {
      switch_to(pick_next_task());
      while (current_) wait(idle_ev_);
      continue;  // (resumed() at the top of the loop)
    }
    if (!irq_q_.empty()) {
      const sc_time a = irq_q_.front().arrival;
      if (a <= sc_time_stamp()) continue;
      irq_ev_.notify(a - sc_time_stamp());
    }
    wait(irq_ev_ | idle_ev_);
  }
}

}  // namespace igbsim
