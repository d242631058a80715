#include "cpu.h"

#include <algorithm>

#include "kernel.h"
#include "wave_tracer.h"

namespace igbsim {

using namespace sc_core;

namespace {
constexpr int MAX_SOFTIRQ_RESTART = 10;                 // kernel/softirq.c
const sc_time MAX_SOFTIRQ_TIME = sc_time(2, SC_MS);     // msecs_to_jiffies(2)
uint64_t to_ps(const sc_time& t) { return t.value() / sc_time(1, SC_PS).value(); }
}  // namespace

cpu_core::cpu_core(kernel& k, int id) : k_(k), id_(id) {
  sc_spawn(sc_bind(&cpu_core::idle_thread, this), sc_gen_unique_name("cpu_idle"));
}

void cpu_core::set_ctx(cpu_ctx c) {
  if (c == ctx_) return;
  ctx_ = c;
  k_.probe(sw_sig::core0_ctx, static_cast<uint32_t>(c));
}

void cpu_core::spend(double ns) {
  const sc_time d(ns, SC_NS);
  offset_ += d;
  ctx_ps_[static_cast<size_t>(ctx_)] += to_ps(d);
}

void cpu_core::account_stall(const sc_time& t) {
  ctx_ps_[static_cast<size_t>(ctx_)] += to_ps(t);
}

void cpu_core::sync() {
  if (offset_ == SC_ZERO_TIME) return;
  const sc_time o = offset_;
  offset_ = SC_ZERO_TIME;
  wait(o);
}

void cpu_core::boundary() {
  sync();
  take_irqs();
}

void cpu_core::request_irq(unsigned vec, irq_handler h) {
  if (handlers_.size() <= vec) handlers_.resize(vec + 1);
  handlers_[vec] = std::move(h);
}

void cpu_core::post_irq(unsigned vec, const sc_time& arrival) {
  auto it = std::upper_bound(irq_q_.begin(), irq_q_.end(), arrival,
                             [](const sc_time& a, const pending_irq& p) { return a < p.arrival; });
  irq_q_.insert(it, {arrival, vec});
  irq_ev_.notify(arrival > sc_time_stamp() ? arrival - sc_time_stamp() : SC_ZERO_TIME);
}

// Hard interrupt entry for every message that has arrived by now (do_IRQ ... irq_exit).
void cpu_core::take_irqs() {
  if (ctx_ == cpu_ctx::hardirq) return;
  while (!irq_q_.empty() && irq_q_.front().arrival <= now()) {
    const unsigned vec = irq_q_.front().vec;
    irq_q_.pop_front();
    const cpu_ctx prev = ctx_;
    set_ctx(cpu_ctx::hardirq);
    ++irqs_taken_;
    spend(k_.cost.irq_entry_ns);
    if (vec < handlers_.size() && handlers_[vec]) handlers_[vec]();
    spend(k_.cost.irq_exit_ns);
    set_ctx(prev);
    // irq_exit: run softirqs unless we interrupted softirq processing itself
    if (prev != cpu_ctx::softirq && softirq_pending_) do_softirq();
  }
}

// __do_softirq: handle pending softirqs, restarting while more are raised, up to
// MAX_SOFTIRQ_RESTART passes and MAX_SOFTIRQ_TIME.
void cpu_core::do_softirq() {
  const cpu_ctx prev = ctx_;
  set_ctx(cpu_ctx::softirq);
  const sc_time start = now();
  int restart = MAX_SOFTIRQ_RESTART;
  while (softirq_pending_) {
    const uint32_t pending = softirq_pending_;
    softirq_pending_ = 0;
    spend(k_.cost.softirq_entry_ns);
    if ((pending & (1u << NET_RX_SOFTIRQ)) && net_rx_action) net_rx_action();
    if (softirq_pending_ && (--restart == 0 || now() - start >= MAX_SOFTIRQ_TIME)) break;
  }
  set_ctx(prev);
}

void cpu_core::spawn(task_struct* t) {
  t->state = task_state::runnable;
  rq_.push_back(t);
  sc_spawn(sc_bind(&cpu_core::task_thread, this, t), sc_gen_unique_name(t->comm.c_str()));
  if (!current_) idle_ev_.notify(SC_ZERO_TIME);
}

void cpu_core::task_thread(task_struct* t) {
  wait(t->run_ev);  // until the scheduler hands us the core
  t->fn();
  t->state = task_state::dead;
  schedule();
}

// Hand the core to `next` (nullptr: the idle thread). The caller then waits to be resumed.
void cpu_core::switch_to(task_struct* next) {
  spend(k_.cost.context_switch_ns);
  ++context_switches_;
  sync();
  current_ = next;
  if (next) {
    rq_.erase(std::remove(rq_.begin(), rq_.end(), next), rq_.end());
    next->state = task_state::running;
    if (next == k_.app_task) k_.probe(sw_sig::task0_state, 0);
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
  if (self == k_.app_task) k_.probe(sw_sig::task0_state, static_cast<uint32_t>(self->state));
  task_struct* next = rq_.empty() ? nullptr : rq_.front();
  switch_to(next);
  if (self->state == task_state::dead) return;
  wait(self->run_ev);
}

void cpu_core::set_current_state(task_state s) {
  current_->state = s;
  if (current_ == k_.app_task) k_.probe(sw_sig::task0_state, static_cast<uint32_t>(s));
}

bool cpu_core::try_to_wake_up(task_struct* t) {
  spend(k_.cost.try_to_wake_up_ns);
  if (t->state != task_state::interruptible) return false;
  ++k_.st.task_wakeups;
  if (t == current_) {
    t->state = task_state::running;  // woken before it got off the CPU
  } else {
    t->state = task_state::runnable;
    rq_.push_back(t);
    if (!current_) idle_ev_.notify(SC_ZERO_TIME);
  }
  if (t == k_.app_task) k_.probe(sw_sig::task0_state, static_cast<uint32_t>(t->state));
  return true;
}

void cpu_core::idle_thread() {
  for (;;) {
    take_irqs();
    if (softirq_pending_) {  // stand-in for ksoftirqd until it is modelled
      do_softirq();
      sync();
      continue;
    }
    sync();
    if (!rq_.empty()) {
      switch_to(rq_.front());
      while (current_) wait(idle_ev_);
      continue;
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
