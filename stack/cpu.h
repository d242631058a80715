// SPDX-License-Identifier: Apache-2.0
// cpu_core: one CPU with hardirq > softirq > process contexts, and the tasks that run on it.
//
// Time: the code running on the core charges simulated time with spend(); the charge
// accumulates as a local offset ahead of SystemC time (LT temporal decoupling) and is paid
// with sync() (a SystemC wait). boundary() = sync + take interrupts that have arrived: the
// model takes interrupts at function boundaries, never in the middle of one. Interrupt and
// softirq handlers run inline on whichever thread owns the core, as they run on the
// interrupted task's stack in Linux.
//
// Tasks: each task is a SystemC thread; only the one the scheduler hands the core to runs.
// A task blocks by setting its state and calling schedule(); try_to_wake_up() makes it
// runnable. Scheduling is CFS-like (kernel/sched/fair.c): each task accrues vruntime while it
// runs (equal weights, nice 0); the runnable task with the least vruntime runs next; a woken
// task is placed no earlier than min_vruntime - sched_latency / 2 (GENTLE_FAIR_SLEEPERS) and
// preempts the current one when it is ahead by more than the wake-up granularity; the
// current one is preempted when it has run a slice, max(sched_latency / nr_running,
// min_granularity). Preemption happens at the model's preemption points (boundary() in
// process context, cond_resched()), as with a kernel built without full preemption.
// Defaults are the kernel's for one CPU (factor 1 + ilog2(ncpus) for more, up to 8 CPUs).
// When nothing is runnable the core's idle thread waits for the next interrupt.
//
// Softirqs run at irq_exit (invoke_softirq) whenever they are pending and the interrupt did
// not interrupt softirq processing, even with this core's ksoftirqd runnable (v6.5+: commit
// d15121be7485 reverted 4.9's "softirq: Let ksoftirqd do its job", 4cd13c21b207). __do_softirq
// restarts while softirqs stay pending, up to 10 passes and MAX_SOFTIRQ_TIME (2 ms in jiffies:
// msecs_to_jiffies(2), kernel.hz); then it wakes ksoftirqd, a task that competes with
// the applications under the scheduler.
#pragma once
#include <systemc>

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "costs.h"
#include "dev.h"

namespace igbsim {

class kernel;

enum class cpu_ctx : uint8_t { idle = 0, process = 1, softirq = 2, hardirq = 3 };
enum class task_state : uint8_t { running = 0, runnable = 1, interruptible = 2, dead = 3 };
// As the journey writes it: R running, r runnable, S interruptible (asleep), X dead
constexpr char task_state_char(task_state s) {
  return s == task_state::running         ? 'R'
         : s == task_state::runnable      ? 'r'
         : s == task_state::interruptible ? 'S'
                                          : 'X';
}

struct task_struct {
  std::string comm;
  int cpu = 0;  // the core it runs on (tasks do not migrate)
  task_state state = task_state::runnable;
  std::function<void()> fn;
  sc_core::sc_event run_ev;
  uint64_t nvcsw = 0, nivcsw = 0;  // voluntary and involuntary (preempted) context switches
  uint64_t vruntime_ps = 0;        // CFS virtual runtime (nice 0: equal to runtime)
  uint64_t sum_exec_ps = 0;        // time on the CPU
  uint64_t charged_ps = 0;         // CPU time charged while it ran in process context
};

// CFS tunables (kernel/sched/fair.c defaults for one CPU)
struct sched_params {
  double latency_ns = 6e6;             // sysctl_sched_latency
  double min_granularity_ns = 0.75e6;  // sysctl_sched_min_granularity
  double wakeup_granularity_ns = 1e6;  // sysctl_sched_wakeup_granularity
};

enum softirq_nr : uint32_t { NET_TX_SOFTIRQ = 2, NET_RX_SOFTIRQ = 3 };

struct Qdisc;

// softnet_data (per CPU): the NAPI poll list, netif_rx's backlog and /proc/net/softnet_stat.
struct softnet_data {
  std::deque<napi_struct*> poll_list;
  std::deque<sk_buff*> input_pkt_queue;  // netif_rx's backlog (drivers without NAPI)
  napi_struct backlog;                   // its NAPI, polled by process_backlog
  bool in_net_rx_action = false;         // ____napi_schedule raises no NET_RX_SOFTIRQ then
  // Transmit: the qdiscs __netif_schedule queued for net_tx_action (output_queue), and
  // softnet_data.xmit: more is netdev_xmit_more(), recursion dev_xmit_recursion
  std::deque<Qdisc*> output_queue;
  struct {
    bool more = false;
    int recursion = 0;
  } xmit;
  uint64_t processed = 0, dropped = 0, time_squeeze = 0;
  // Not in softnet_stat: __do_softirq passes (rounds of the pending softirqs) run at irq_exit
  // and in ksoftirqd, and the packets (processed) each took
  uint64_t softirq_irq_exit_passes = 0, softirq_ksoftirqd_passes = 0, packets_irq_exit = 0,
           packets_ksoftirqd = 0;
};

class cpu_core {
 public:
  cpu_core(kernel& k, int id);
  int id() const { return id_; }

  // Time
  sc_core::sc_time now() const { return sc_core::sc_time_stamp() + offset_; }
  void spend(double ns);
  // Spend until the local time is at least t (spinning on something another CPU, further
  // ahead in its own local time, holds until t)
  void spin_until(const sc_core::sc_time& t);
  // Time that passed while the CPU stalled (an MMIO read): charged to the running context.
  void account_stall(const sc_core::sc_time& t);
  void sync();
  void boundary();
  // The running task computes in user mode for ns of CPU time (an application's own work per
  // request, app.service_ns). User code runs with interrupts enabled: one that arrives
  // meanwhile is taken at its arrival (its handler's time is not the task's work, which goes
  // on after it), and the scheduler may preempt the task at each return to user mode and at
  // every tick (1/HZ), as the timer interrupt's scheduler_tick would.
  void user_work(double ns);

  // Interrupts
  using irq_handler = std::function<void()>;
  void request_irq(unsigned vec, irq_handler h);
  void post_irq(unsigned vec, const sc_core::sc_time& arrival);  // from the MSI-X controller
  // An interrupt for vec was posted and not yet handled: still on its way to this core, or
  // arrived and waiting for the core to take it (a hardirq, or a stretch it cannot interrupt)
  bool irq_pending(unsigned vec) const;
  // This core is in vec's hardirq handler (which may wait, e.g. on the ICR read of igb_intr)
  bool in_irq_handler(unsigned vec) const { return handling_ == static_cast<int>(vec); }
  // hrtimer (HRTIMER_MODE_REL_PINNED): fn runs in hardirq context on this core at `expires`
  void add_timer(const sc_core::sc_time& expires, std::function<void()> fn);
  void raise_softirq(softirq_nr nr) { softirq_pending_ |= 1u << nr; }
  bool softirq_pending() const { return softirq_pending_ != 0; }
  std::function<void()> net_rx_action;  // NET_RX_SOFTIRQ handler
  std::function<void()> net_tx_action;  // NET_TX_SOFTIRQ handler
  // local_bh_enable from process context: run the softirqs raised while BH was off (the
  // transmit path's __netif_schedule) on this task's stack (do_softirq), as __local_bh_enable_ip
  // does; in softirq or hardirq context they run at the end of that context instead.
  void local_bh_enable();

  // Tasks
  void spawn(task_struct* t);
  task_struct* current() const { return current_; }
  softnet_data sd;
  void schedule();
  void cond_resched();  // a preemption point in process context
  // try_to_wake_up for a task of this core; `waker_now` is the waking CPU's local time
  bool try_to_wake_up(task_struct* t, const sc_core::sc_time& waker_now);
  task_struct& ksoftirqd() { return ksoftirqd_; }
  void set_current_state(task_state s);
  cpu_ctx ctx() const { return ctx_; }
  bool in_interrupt() const { return ctx_ == cpu_ctx::softirq || ctx_ == cpu_ctx::hardirq; }

  // Accounting, ps per context (idle is the rest of the run)
  const std::array<uint64_t, 4>& ctx_ps() const { return ctx_ps_; }
  uint64_t context_switches() const { return context_switches_; }
  uint64_t irqs_taken() const { return irqs_taken_; }

 private:
  void charge(const sc_core::sc_time& d);  // CPU time of the running context
  struct pending_irq {
    sc_core::sc_time arrival;
    unsigned vec;
    std::function<void()> timer_fn;  // set for an hrtimer expiry instead of a vector
  };
  void idle_thread();
  void task_thread(task_struct* t);
  void take_irqs();
  void invoke_softirq();
  void do_softirq(bool ksirqd);  // __do_softirq; ksirqd: from ksoftirqd, else irq_exit
  void trace_state(const task_struct* t);
  void run_ksoftirqd();
  void set_ctx(cpu_ctx c);
  void resumed();  // this core's thread runs again: it is this_cpu()
  void switch_to(task_struct* next);
  task_struct* pick_next_task() const;
  void update_curr();
  void check_preempt_tick();
  void preempt();
  size_t nr_running() const { return rq_.size() + (current_ ? 1 : 0); }

  kernel& k_;
  int id_;
  sc_core::sc_time offset_ = sc_core::SC_ZERO_TIME;
  cpu_ctx ctx_ = cpu_ctx::idle;
  std::vector<irq_handler> handlers_;
  std::deque<pending_irq> irq_q_;  // by arrival time
  uint32_t softirq_pending_ = 0;
  int handling_ = -1;  // the vector whose handler runs now, or -1
  task_struct* current_ = nullptr;
  std::deque<task_struct*> rq_;  // runnable tasks other than current_
  sched_params sp_;
  uint64_t min_vruntime_ps_ = 0;
  sc_core::sc_time exec_start_, slice_start_;
  bool need_resched_ = false;
  task_struct ksoftirqd_;
  sc_core::sc_event irq_ev_, idle_ev_;
  std::array<uint64_t, 4> ctx_ps_{};
  uint64_t context_switches_ = 0, irqs_taken_ = 0;
};

}  // namespace igbsim
