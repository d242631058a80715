// SPDX-License-Identifier: Apache-2.0
// kernel: the shared state of the modelled Linux kernel: its sysctls, the CPU cost table,
// the cores, per-CPU softnet data, the SNMP/softnet/driver counters that report.json shows,
// and the hooks that connect tracepoints to the waveform, the journey and the checkers.
#pragma once
#include <systemc>

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "costs.h"
#include "cpu.h"
#include "journey.h"
#include "tx_journey.h"
#include "dev.h"
#include "net.h"

namespace igbsim {

class sw_signal_sink;
struct net_device;
enum class sw_sig;
struct napi_struct;

struct kernel_params {
  int cores = 1;
  bool irq_spread =
      true;         // the driver's queue vector n on core n % cores (irqbalance); else core 0
  int app_cpu = 0;  // the core the application task runs on
  int netdev_budget = 300;          // net.core.netdev_budget
  int netdev_budget_usecs = 2000;   // net.core.netdev_budget_usecs (2 jiffies at HZ=1000)
  int hz = 1000;                    // CONFIG_HZ: jiffies tick every 1/hz s
  int netdev_max_backlog = 1000;    // net.core.netdev_max_backlog
  double gro_flush_timeout_ns = 0;  // /sys/class/net/<dev>/gro_flush_timeout
  int napi_defer_hard_irqs = 0;     // /sys/class/net/<dev>/napi_defer_hard_irqs
  int rmem_default = 212992;        // net.core.rmem_default: socket receive buffer, bytes
  int wmem_default = 212992;        // net.core.wmem_default: socket send buffer, bytes
  int wmem_max = 212992;            // net.core.wmem_max: SO_SNDBUF's cap (before doubling)
  // net.core.default_qdisc: each TX queue's qdisc under mq, "pfifo_fast" (the kernel's
  // default) or "fq_codel" (what systemd's 50-default.conf sets)
  std::string default_qdisc = "pfifo_fast";
};

// Transmit counters under the names Linux gives them; the qdisc and BQL figures are per
// device queue (tx_queue_stats, read with read_tx_queue_stats).
struct kernel_tx_stats {
  // SNMP (nstat names): Udp OutDatagrams, SndbufErrors; Ip OutRequests, OutDiscards
  uint64_t udp_out_datagrams = 0, udp_sndbuf_errors = 0, ip_out_requests = 0, ip_out_discards = 0;
  // Ip FragOKs, FragFails (datagrams), FragCreates (fragments sent); and the model's count of
  // fragments freed unsent when a datagram's fragmentation failed (Linux has no counter)
  uint64_t ip_frag_oks = 0, ip_frag_fails = 0, ip_frag_creates = 0, ip_frag_unsent = 0;
  // socket send memory: sendmsg calls that slept in sock_wait_for_wmem, that returned EAGAIN,
  // and sock_def_write_space wake-ups that found a sleeper
  uint64_t sndbuf_waits = 0, sndbuf_eagain = 0, write_space_wakeups = 0;
  // the qdisc path: dev_queue_xmit calls, packets sent by the TCQ_F_CAN_BYPASS shortcut,
  // ndo_start_xmit calls and those with xmit_more set, net_tx_action runs, and
  // sch_direct_xmit's requeues (tx_busy: the driver's NETDEV_TX_BUSY, or a list that met a
  // stopped queue)
  uint64_t dev_queue_xmit = 0, qdisc_bypass = 0, start_xmit = 0, start_xmit_more = 0,
           net_tx_action = 0, tx_busy = 0;
};

// One TX queue as `tc -s qdisc show` (its pfifo_fast child of mq) and
// /sys/class/net/<dev>/queues/tx-N/byte_queue_limits show it.
struct tx_queue_stats {
  uint64_t sent_bytes = 0, sent_packets = 0;  // "Sent B bytes P pkt"
  uint64_t dropped = 0, overlimits = 0, requeues = 0;
  uint64_t backlog_bytes = 0, backlog_packets = 0;  // "backlog Xb Yp"
  // The same drops and backlog in IP packets (a GSO skb's segments each), for the run's census
  uint64_t dropped_ip_packets = 0, backlog_ip_packets = 0;
  uint64_t bql_limit = 0, bql_inflight = 0;         // byte_queue_limits/limit, inflight
  bool stopped_drv = false, stopped_stack = false;  // DRV_XOFF, STACK_XOFF now
};
// One entry per TX queue of dev (dev_xmit.cpp)
void read_tx_queue_stats(net_device* dev, std::vector<tx_queue_stats>& out);

// Counters under the names Linux gives them.
struct kernel_stats {
  // SNMP (nstat names)
  uint64_t ip_in_receives = 0, ip_in_hdr_errors = 0, ip_in_csum_errors = 0,
           ip_in_truncated_pkts = 0, ip_in_delivers = 0, ip_in_unknown_protos = 0,
           ip_in_addr_errors = 0, ip_reasm_fails = 0;
  // dev core stats: frames for another station that promiscuous mode let in (ip_rcv_core)
  uint64_t rx_otherhost_dropped = 0;
  uint64_t udp_in_datagrams = 0, udp_rcvbuf_errors = 0, udp_no_ports = 0, udp_in_errors = 0,
           udp_in_csum_errors = 0;
  uint64_t tcp_in_segs = 0, tcp_out_rsts = 0, gro_merged = 0, tcp_in_errs = 0,
           tcp_in_csum_errors = 0, tcp_out_segs = 0 /* ACKs: the receiver sends nothing else */,
           tcp_ofo_queue = 0, tcp_ofo_merge = 0, tcp_ofo_drop = 0, delayed_ack_lost = 0,
           tcp_rcvq_drop = 0, tcp_in_gro_segs = 0;
  // wake-up path
  uint64_t sk_data_ready = 0, wq_entries_visited = 0, pollwake_calls = 0,
           ep_poll_callback_calls = 0, vfs_poll_calls = 0, poll_table_entries_added = 0,
           wq_entries_removed = 0, task_wakeups = 0,
           empty_wakeups = 0;  // a waiter woken that then found nothing (another took it)
  // inside the wait calls (select, poll, epoll_wait) only, for their per-call figures
  uint64_t call_vfs_polls = 0, call_wq_added = 0, call_wq_removed = 0;
  // application
  uint64_t delivered_packets = 0, delivered_bytes = 0, reads = 0, empty_reads = 0,
           epoll_wait_calls = 0, select_calls = 0, poll_calls = 0, user_copy_bytes = 0,
           select_ns = 0, poll_ns = 0, epoll_wait_ns = 0;  // CPU time inside those calls
  // NAPI
  uint64_t napi_schedules = 0, polls = 0, polls_budget_exhausted = 0;
};

// Counts what one wait call (select, poll, epoll_wait) did, from its start to its return.
struct call_scope {
  kernel_stats& st;
  task_struct* const self;  // the caller; its charged_ps delta is the call's CPU time
  uint64_t& ns;             // which per-call time counter (select_ns, poll_ns, epoll_wait_ns)
  uint64_t v0, a0, r0, c0;
  call_scope(kernel_stats& s, task_struct* t, uint64_t& ns_counter)
      : st(s),
        self(t),
        ns(ns_counter),
        v0(s.vfs_poll_calls),
        a0(s.poll_table_entries_added),
        r0(s.wq_entries_removed),
        c0(t ? t->charged_ps : 0) {}
  ~call_scope() {
    st.call_vfs_polls += st.vfs_poll_calls - v0;
    st.call_wq_added += st.poll_table_entries_added - a0;
    st.call_wq_removed += st.wq_entries_removed - r0;
    ns += (self ? self->charged_ps - c0 : 0) / 1000;
  }
};

struct violation {
  uint64_t t_ps;
  std::string kind;
  std::string detail;
  int64_t frame = -1;
};

class kernel {
 public:
  kernel(const kernel_params& p, const cost_table& c);
  ~kernel();
  kernel_params params;
  cost_table cost;
  kernel_stats st;
  kernel_tx_stats tx_st;
  journey jr;
  tx_journey txjr;                  // the transmit path's (on only with a sender)
  task_struct* app_task = nullptr;  // the task whose state the waveform and journey show
  udp_table udp;
  tcp_ehash tcp_hash;
  uint32_t local_addr = 0;  // the host's IPv4 address (0: accept any)
  // Transmit: the host's one route (every destination, out of route_dev to the neighbour
  // route_neigh_ha), its source address local_addr; ip_default_ttl the sysctl
  net_device* route_dev = nullptr;
  uint8_t route_neigh_ha[6] = {};
  int ip_default_ttl = 64;  // net.ipv4.ip_default_ttl
  // ip_idents: the IPv4 ID generator of datagrams without DF (ip_output.cpp ip_select_ident),
  // per hashed destination; its key, from the run's seed
  struct ip_ident {
    uint32_t id = 0;
    uint64_t stamp = 0;  // jiffies of the last use
    bool used = false;
  };
  std::unordered_map<uint64_t, ip_ident> ip_idents;
  uint64_t ip_id_secret = 0;
  uint64_t cur_frame = UINT64_MAX;  // frame whose sk_data_ready is running (journey)
  class journey_wake_site;
  const journey_wake_site* wake_site_ = nullptr;  // the one in force (journey)

  // jiffies at time t: the tick counter, one per 1/HZ s of simulated time (it starts at 0 here,
  // not at INITIAL_JIFFIES), computed from the time rather than counted by a periodic event
  uint64_t jiffies_at(const sc_core::sc_time& t) const;
  uint64_t jiffies() { return jiffies_at(this_cpu().now()); }
  // usecs_to_jiffies / msecs_to_jiffies (include/linux/jiffies.h): rounded up
  uint64_t usecs_to_jiffies(uint64_t us) const {
    return (us * static_cast<uint64_t>(params.hz) + 999999) / 1000000;
  }
  uint64_t msecs_to_jiffies(uint64_t ms) const {
    return (ms * static_cast<uint64_t>(params.hz) + 999) / 1000;
  }

  cpu_core& cpu(int i = 0) { return *cores_.at(i); }
  int cores() const { return static_cast<int>(cores_.size()); }
  // The core whose code is running now: each core marks itself where its threads resume.
  cpu_core& this_cpu() { return *cur_; }
  void set_this_cpu(cpu_core* c) { cur_ = c; }
  // The driver's interrupt vector layout (struct irq_affinity's pre_vectors, as a driver hands
  // it to pci_alloc_irq_vectors_affinity): its first n vectors (link and other causes) are not
  // spread but stay on core 0; the rest are its queue vectors. Set before its request_irq.
  void set_irq_pre_vectors(unsigned n) { irq_pre_vectors_ = n; }
  // Where a vector's interrupt is delivered (/proc/irq/N/smp_affinity, one core): the queue
  // vectors in turn on the cores with irq_spread (irqbalance), else core 0
  int irq_cpu(unsigned vec) const;
  // try_to_wake_up on the task's own core; the waker (this CPU) pays for it
  bool try_to_wake_up(task_struct* t);
  // A wake-up the journey shows (try_to_wake_up): while one is in force, a task
  // try_to_wake_up wakes is noted as woken for cur_frame at `at` (journey::note_wake), by a
  // callback (ep_poll_callback, pollwake) that found the app task in state cb_task ('\0':
  // none, a blocking reader's wait entry)
  class journey_wake_site {
   public:
    journey_wake_site(kernel& k, const sc_core::sc_time& at, char cb_task)
        : k_(k), prev_(k.wake_site_), at_(at), cb_task_(cb_task) {
      k.wake_site_ = this;
    }
    ~journey_wake_site() { k_.wake_site_ = prev_; }
    journey_wake_site(const journey_wake_site&) = delete;
    journey_wake_site& operator=(const journey_wake_site&) = delete;
    const sc_core::sc_time& at() const { return at_; }
    char cb_task() const { return cb_task_; }

   private:
    kernel& k_;
    const journey_wake_site* prev_;
    sc_core::sc_time at_;
    char cb_task_;
  };

  // Waveform probe (no-op without a tracer, or with one not recording)
  void probe(sw_sig s, uint32_t v, unsigned queue = 0);  // queue: for the per-queue signals
  void set_tracer(sw_signal_sink* t);

  // Checker verdicts
  void violate(const std::string& kind, const std::string& detail, int64_t frame = -1);
  // The same, found by a checker outside the CPUs (the NIC's bus monitor) at time t
  void violate_at(const sc_core::sc_time& t, const std::string& kind, const std::string& detail,
                  int64_t frame = -1);
  const std::vector<violation>& violations() const { return violations_; }
  // Frame fates reported by any layer: the scoreboard listens.
  std::function<void(uint64_t id, const std::string& counter)> on_drop;
  // Notable events ("budget_exhausted", "violation", "drop": a transmit drop, the qdisc's or
  // the driver's): the waveform trigger listens.
  std::function<void(const char* event)> on_event;
  std::function<void(uint64_t id, const uint8_t* data, size_t len, const sc_core::sc_time& t)>
      on_deliver;
  // A reader took `len` bytes of frame `id`'s payload off a socket's receive queue (under the
  // socket lock, so in the socket's order whatever thread took them), starting at TCP sequence
  // number `seq` (UDP: 0). The read() that returns them is on_deliver, possibly after another
  // thread's later read has returned.
  std::function<void(uint64_t id, uint32_t seq, size_t len)> on_dequeue;

 private:
  std::vector<std::unique_ptr<cpu_core>> cores_;
  cpu_core* cur_ = nullptr;
  unsigned irq_pre_vectors_ = 0;  // set_irq_pre_vectors
  sw_signal_sink* tracer_ = nullptr;
  std::vector<violation> violations_;
};

}  // namespace igbsim
