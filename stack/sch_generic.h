// SPDX-License-Identifier: Apache-2.0
// Queueing disciplines (include/net/sch_generic.h, net/sched/sch_generic.c, sch_mq.c):
// struct Qdisc with its `tc -s qdisc` statistics, pfifo_fast (three bands by priority, each
// holding up to txqueuelen packets) and mq (the root of a multiqueue device: one child per TX
// queue, statistics the children's sum), and the qdisc runner (__qdisc_run, qdisc_restart,
// dequeue_skb, sch_direct_xmit, dev_requeue_skb).
#pragma once
#include <systemc>

#include <cstdint>
#include <deque>
#include <vector>

#include "netdevice.h"
#include "skbuff.h"

namespace igbsim {

// Qdisc::flags (include/net/sch_generic.h)
enum : unsigned {
  TCQ_F_BUILTIN = 1,
  TCQ_F_INGRESS = 2,
  TCQ_F_CAN_BYPASS = 4,
  TCQ_F_MQROOT = 8,
  TCQ_F_ONETXQUEUE = 0x10,
  TCQ_F_NOPARENT = 0x40,
  TCQ_F_NOLOCK = 0x100,
};
// Qdisc::state bits
enum : unsigned { __QDISC_STATE_SCHED = 0, __QDISC_STATE_DEACTIVATED = 1 };

// gnet_stats_basic_sync / gnet_stats_queue: what `tc -s qdisc` prints as
// "Sent <bytes> bytes <packets> pkt (dropped <drops>, overlimits <overlimits> requeues
// <requeues>) backlog <backlog>b <qlen>p requeues <requeues>"
struct gnet_stats_basic {
  uint64_t bytes = 0, packets = 0;
};
struct gnet_stats_queue {
  uint32_t qlen = 0, backlog = 0, drops = 0, requeues = 0, overlimits = 0;
  // Not tc's: qlen and drops in IP packets, a GSO skb counting its gso_segs (the run's census
  // of every packet sent)
  uint64_t qlen_segs = 0, drop_segs = 0;

  // Every change goes through these, so qlen, backlog and drops and their IP-packet twins move
  // together: an skb of len bytes (Qdisc::pkt_len) joins the queue (qdisc_qstats_backlog_inc
  // with the queue's qlen++), leaves it (qdisc_qstats_backlog_dec, qlen--), or is dropped
  // (qdisc_qstats_drop; an skb dropped from the queue leaves it first).
  void add(const sk_buff* skb, unsigned len) {
    backlog += len;
    ++qlen;
    qlen_segs += skb->gso_segs;
  }
  void remove(const sk_buff* skb, unsigned len) {
    backlog -= len;
    --qlen;
    qlen_segs -= skb->gso_segs;
  }
  void drop(const sk_buff* skb) {
    ++drops;
    drop_segs += skb->gso_segs;
  }
};

struct Qdisc {
  virtual ~Qdisc() = default;
  // Qdisc_ops: enqueue takes the skb (NET_XMIT_SUCCESS) or drops it (NET_XMIT_DROP, counted,
  // freed); dequeue and peek give the next skb or nullptr.
  virtual int enqueue(sk_buff* skb) = 0;
  virtual sk_buff* dequeue() = 0;
  virtual sk_buff* peek() = 0;
  virtual const char* id() const = 0;  // Qdisc_ops::id ("pfifo_fast", "mq")
  // Statistics as `tc -s` reports them (mq: the children's sum, mq_dump)
  virtual gnet_stats_basic stats_basic() const { return bstats; }
  virtual gnet_stats_queue stats_queue() const;

  unsigned flags = 0;
  uint32_t limit = 0;
  unsigned long state = 0;
  bool running = false;  // qdisc_run_begin took the seqlock (a runner is active)
  bool missed = false;   // __QDISC_STATE_MISSED: qdisc_run_end reschedules the qdisc
  // The releasing CPU's local time at the last qdisc_run_end (qdisc_run_begin, dev_xmit.cpp)
  sc_core::sc_time released_at;
  net_device* dev = nullptr;
  netdev_queue* dev_queue = nullptr;  // the TX queue it feeds (ONETXQUEUE)
  // Packets requeued after NETDEV_TX_BUSY (q->gso_skb / skb_bad_txq): sent before anything
  // new is dequeued; they count in qlen and backlog.
  std::deque<sk_buff*> gso_skb;
  gnet_stats_basic bstats;
  gnet_stats_queue qstats;
  // qdisc_pkt_len (qdisc_skb_cb(skb)->pkt_len): skb->len, with the headers of the other GSO
  // segments for a GSO skb (qdisc_pkt_len_init)
  static unsigned pkt_len(const sk_buff* skb);
};

// The waveform's sw.txqN_backlog_i: a per-queue qdisc's packets (qlen), after each change
void qdisc_probe_backlog(const Qdisc* q);

// pfifo_fast (net/sched/sch_generic.c): three FIFO bands, band = prio2band[priority & 15];
// dequeue takes band 0 first. Since v4.16 each band is an skb_array ring of tx_queue_len
// entries (lockless, TCQ_F_NOLOCK|TCQ_F_CAN_BYPASS): a full band drops, so the limit is per
// band, not per qdisc.
struct pfifo_fast : Qdisc {
  static constexpr int PFIFO_FAST_BANDS = 3;
  static constexpr uint8_t prio2band[16] = {1, 2, 2, 2, 1, 2, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1};
  std::deque<sk_buff*> band[PFIFO_FAST_BANDS];
  int enqueue(sk_buff* skb) override;
  sk_buff* dequeue() override;
  sk_buff* peek() override;
  const char* id() const override { return "pfifo_fast"; }
};

// mq (net/sched/sch_mq.c): the root of a multiqueue device; it never queues itself
// (dev_queue_xmit enqueues to txq->qdisc, the child), its statistics are the children's.
struct mq_sched : Qdisc {
  std::vector<Qdisc*> children;  // one per TX queue (num_tx_queues)
  int enqueue(sk_buff* skb) override;
  sk_buff* dequeue() override { return nullptr; }
  sk_buff* peek() override { return nullptr; }
  const char* id() const override { return "mq"; }
  gnet_stats_basic stats_basic() const override;
  gnet_stats_queue stats_queue() const override;
};

// fq_codel (net/sched/sch_fq_codel.c with include/net/codel_impl.h): packets hashed into
// `flows` queues (1024) served by deficit round robin (quantum: one MTU-sized frame), new
// flows before old ones; each flow runs CoDel: once a packet waited longer than target
// (5 ms) for a whole interval (100 ms), drop at the head at intervals shrinking with
// 1/sqrt(count). Over `limit` packets (10240) or memory_limit (32 MB of truesize) the
// fattest flow loses up to drop_batch_size (64) packets from its head, down to half its
// backlog. Defaults of fq_codel_init. Left out: ECN marking (ce_threshold), the CoDel
// fixed-point Newton step (the control law uses sqrt), memory accounting by cgroup.
struct fq_codel : Qdisc {
  struct flow {
    std::deque<sk_buff*> q;
    int deficit = 0;
    bool listed = false;  // on new_flows or old_flows (flowchain not empty)
    // struct codel_vars
    uint32_t count = 0, lastcount = 0;
    bool dropping = false;
    uint64_t first_above_time = 0, drop_next = 0, ldelay = 0;
  };
  unsigned flows_cnt = 1024, quantum = 1514, drop_batch_size = 64;
  uint64_t memory_limit = 32u << 20, memory_usage = 0;
  uint64_t target_ns = 5000000, interval_ns = 100000000;
  unsigned mtu = 1514;  // psched_mtu(dev): CoDel keeps a backlog of one MTU
  std::vector<flow> flows;
  std::vector<uint32_t> backlogs;
  std::deque<flow*> new_flows, old_flows;
  // `tc -s` extras: drop_overlimit, drop_overmemory, new_flow_count; CoDel's drops
  uint64_t drop_overlimit = 0, drop_overmemory = 0, new_flow_count = 0, codel_drops = 0;
  int enqueue(sk_buff* skb) override;
  sk_buff* dequeue() override;
  sk_buff* peek() override;
  const char* id() const override { return "fq_codel"; }

 private:
  sk_buff* dequeue_head(flow* f);
  bool should_drop(sk_buff* skb, flow* f, uint64_t now);
  sk_buff* codel_dequeue(flow* f);
  unsigned drop_fattest();
  uint64_t now_ns() const;
};

// dev_activate -> attach_default_qdiscs: mq with pfifo_fast children, or pfifo_fast at the
// root of a single-queue device. Limits from dev->tx_queue_len.
// The child is pfifo_fast or fq_codel by kernel_params::default_qdisc.
void dev_activate(net_device* dev);

// The qdisc runner (net/sched/sch_generic.c)
// __qdisc_run: qdisc_restart until the quota (dev_tx_weight packets) is used or nothing more
// can be sent; with quota exhausted (or need_resched) __netif_schedule for the rest.
void __qdisc_run(Qdisc* q);
// qdisc_run: qdisc_run_begin, __qdisc_run, qdisc_run_end
void qdisc_run(Qdisc* q);
// qdisc_run_end: release the runner; __netif_schedule if MISSED was set meanwhile
void qdisc_run_end(Qdisc* q);
// dev_hard_start_xmit (net/core/dev.c): returns how many of skbs went to the driver; *ret is
// the last ndo_start_xmit result, or NETDEV_TX_BUSY when the driver stopped the queue with
// skbs left.
size_t dev_hard_start_xmit(std::vector<sk_buff*>& skbs, net_device* dev, netdev_queue* txq,
                           int* ret);
// qdisc_restart: dequeue a batch (dequeue_skb) and send it (sch_direct_xmit). Returns whether
// more may be sent; `packets` is what it dequeued.
bool qdisc_restart(Qdisc* q, int* packets);
// sch_direct_xmit: hand the list to the driver (dev_hard_start_xmit) unless the queue is
// stopped; on NETDEV_TX_BUSY requeue the rest. Returns false when the qdisc should stop.
bool sch_direct_xmit(std::vector<sk_buff*>& skbs, Qdisc* q, net_device* dev, netdev_queue* txq,
                     bool validate);
// dev_requeue_skb: put skbs back at the head (gso_skb), requeues++, __netif_schedule
void dev_requeue_skb(std::vector<sk_buff*>& skbs, Qdisc* q);

}  // namespace igbsim
