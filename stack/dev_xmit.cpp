// SPDX-License-Identifier: Apache-2.0
// The transmit half of net/core/dev.c and include/linux/netdevice.h: device and TX queue
// set-up, queue stop/wake, BQL accounting, __dev_queue_xmit / __dev_xmit_skb, TX queue
// selection, dev_hard_start_xmit, __netif_schedule and net_tx_action (NET_TX_SOFTIRQ).
#include <cerrno>
#include <cstring>

#include "kernel.h"
#include "net.h"
#include "netdevice.h"
#include "sch_generic.h"
#include "sw_signals.h"

namespace igbsim {

net_device::~net_device() = default;

std::unique_ptr<net_device> alloc_etherdev_mq(kernel& k, unsigned txqs) {
  auto dev = std::make_unique<net_device>();
  dev->k = &k;
  dev->num_tx_queues = dev->real_num_tx_queues = txqs ? txqs : 1;
  dev->_tx.resize(dev->num_tx_queues);
  for (unsigned i = 0; i < dev->num_tx_queues; ++i) {
    netdev_queue& q = dev->_tx[i];
    q.dev = dev.get();
    q.index = i;
    dql_init(&q.dql, static_cast<unsigned>(k.params.hz), 0);  // netdev_init_one_queue: HZ
  }
  return dev;
}

int netif_set_real_num_tx_queues(net_device* dev, unsigned txq) {
  if (txq < 1 || txq > dev->num_tx_queues) return -EINVAL;
  dev->real_num_tx_queues = txq;
  return 0;
}

int register_netdev(net_device* dev) { return dev->k ? 0 : -EINVAL; }

int dev_open(net_device* dev) {
  if (netif_running(dev)) return 0;
  if (dev->netdev_ops.ndo_open) dev->netdev_ops.ndo_open(dev);
  dev->state |= 1ul << __LINK_STATE_START;
  dev_activate(dev);
  return 0;
}

// The waveform's sw.txqN_*: the queue's stop state and BQL, after each change
void netdev_queue_probe(const netdev_queue* q) {
  kernel& k = *q->dev->k;
  const unsigned st =
      (q->state & QUEUE_STATE_DRV_XOFF ? 1u : 0u) | (q->state & QUEUE_STATE_STACK_XOFF ? 2u : 0u);
  k.probe(sw_sig::txq_state, st, q->index);
  k.probe(sw_sig::txq_bql_inflight, q->dql.num_queued - q->dql.num_completed, q->index);
  k.probe(sw_sig::txq_bql_limit, q->dql.limit, q->index);
}

void netif_tx_start_queue(netdev_queue* q) {
  q->state &= ~QUEUE_STATE_DRV_XOFF;
  netdev_queue_probe(q);
}

void netif_tx_stop_queue(netdev_queue* q) {
  q->state |= QUEUE_STATE_DRV_XOFF;
  netdev_queue_probe(q);
}

void netif_tx_start_all_queues(net_device* dev) {
  for (netdev_queue& q : dev->_tx) netif_tx_start_queue(&q);
}

void netif_tx_stop_all_queues(net_device* dev) {
  for (netdev_queue& q : dev->_tx) netif_tx_stop_queue(&q);
}

void netif_tx_wake_queue(netdev_queue* q) {
  const bool was = q->state & QUEUE_STATE_DRV_XOFF;  // test_and_clear_bit
  q->state &= ~QUEUE_STATE_DRV_XOFF;
  netdev_queue_probe(q);
  if (was && q->qdisc) __netif_schedule(q->qdisc);
}

void netif_tx_wake_all_queues(net_device* dev) {
  for (netdev_queue& q : dev->_tx) netif_tx_wake_queue(&q);
}

void txq_trans_update(netdev_queue* q) { q->trans_start = q->dev->k->jiffies(); }

bool netdev_xmit_more(kernel& k) { return k.this_cpu().sd.xmit.more; }

void netdev_tx_sent_queue(netdev_queue* q, unsigned bytes) {
  dql_queued(&q->dql, bytes);
  if (dql_avail(&q->dql) < 0) {
    q->state |= QUEUE_STATE_STACK_XOFF;
    // smp_mb(); then check again in case another CPU has just made room (here nothing can
    // run in between, so the re-check never clears it; kept for the reader beside the kernel)
    if (dql_avail(&q->dql) >= 0) q->state &= ~QUEUE_STATE_STACK_XOFF;
  }
  netdev_queue_probe(q);
}

bool __netdev_tx_sent_queue(netdev_queue* q, unsigned bytes, bool xmit_more) {
  if (xmit_more) {
    dql_queued(&q->dql, bytes);
    netdev_queue_probe(q);
    return netif_tx_queue_stopped(q);
  }
  netdev_tx_sent_queue(q, bytes);
  return true;
}

void netdev_tx_completed_queue(netdev_queue* q, unsigned /*pkts*/, unsigned bytes) {
  if (!bytes) return;
  dql_completed(&q->dql, bytes, q->dev->k->jiffies());
  // smp_mb(): the sender's STACK_XOFF and our check
  const bool room = dql_avail(&q->dql) >= 0;
  const bool restart = room && (q->state & QUEUE_STATE_STACK_XOFF);  // test_and_clear_bit
  if (restart) q->state &= ~QUEUE_STATE_STACK_XOFF;
  netdev_queue_probe(q);
  if (restart) netif_schedule_queue(q);
}

void netdev_tx_reset_queue(netdev_queue* q) {
  q->state &= ~QUEUE_STATE_STACK_XOFF;
  dql_reset(&q->dql, q->dev->k->jiffies());
  netdev_queue_probe(q);
}

namespace {
kernel* skb_kernel(const sk_buff* skb) {
  if (skb->sk) return skb->sk->k;
  return skb->dev ? skb->dev->k : nullptr;
}
// dropped: freed without being sent (kfree_skb: a mapping error, a device not up), the
// packet's fate in the transmit journey; a consumed one's (sent) igb_clean_tx_irq gave
void free_tx_skb(sk_buff* skb, bool dropped) {
  if (!skb) return;
  if (kernel* k = skb_kernel(skb)) {
    k->this_cpu().spend(k->cost.skb_free_ns);
    if (dropped) k->txjr.finish(skb->frame_id, "tx_dropped");
  }
  kfree_skb(skb);  // runs skb->sk_destructor (sock_wfree) first
}
}  // namespace

// A drop (kfree_skb, not consume_skb): the driver's tx_dropped; a drop event for the
// waveform trigger as the receive side's drops are
void dev_kfree_skb_any(sk_buff* skb) {
  if (kernel* k = skb ? skb_kernel(skb) : nullptr; k && k->on_event) k->on_event("drop");
  free_tx_skb(skb, true);
}
void dev_consume_skb_any(sk_buff* skb) { free_tx_skb(skb, false); }
void napi_consume_skb(sk_buff* skb, int /*budget*/) { free_tx_skb(skb, false); }

// __netif_schedule -> __netif_reschedule: onto this CPU's output_queue, NET_TX_SOFTIRQ raised
void __netif_schedule(Qdisc* q) {
  if (q->state & (1ul << __QDISC_STATE_SCHED)) return;  // test_and_set_bit
  q->state |= 1ul << __QDISC_STATE_SCHED;
  cpu_core& cpu = q->dev->k->this_cpu();
  cpu.sd.output_queue.push_back(q);
  cpu.raise_softirq(NET_TX_SOFTIRQ);
}

void netif_schedule_queue(netdev_queue* q) {
  if (!netif_xmit_stopped(q) && q->qdisc) __netif_schedule(q->qdisc);
}

// net_tx_action (net/core/dev.c): take the output_queue, then per qdisc clear SCHED and
// qdisc_run. Left out: the completion_queue (dev_kfree_skb_irq; the model frees at once).
void net_tx_action(kernel& k) {
  cpu_core& cpu = k.this_cpu();
  softnet_data& sd = cpu.sd;
  if (sd.output_queue.empty()) return;
  ++k.tx_st.net_tx_action;
  std::deque<Qdisc*> head;
  head.swap(sd.output_queue);
  for (Qdisc* q : head) {
    cpu.spend(k.cost.net_tx_action_ns);
    if (q->state & (1ul << __QDISC_STATE_DEACTIVATED)) {
      q->state &= ~(1ul << __QDISC_STATE_SCHED);
      continue;
    }
    q->state &= ~(1ul << __QDISC_STATE_SCHED);
    qdisc_run(q);
  }
}

namespace {
// jhash_3words (include/linux/jhash.h, Bob Jenkins' lookup3 final mix), the hash the flow
// dissector's __flow_hash_words ends in for a 3-word key
uint32_t rol32(uint32_t w, unsigned s) { return (w << s) | (w >> (32 - s)); }
uint32_t jhash_3words(uint32_t a, uint32_t b, uint32_t c, uint32_t initval) {
  constexpr uint32_t JHASH_INITVAL = 0xdeadbeef;
  a += JHASH_INITVAL + (3u << 2) + initval;
  b += JHASH_INITVAL + (3u << 2) + initval;
  c += JHASH_INITVAL + (3u << 2) + initval;
  c ^= b;
  c -= rol32(b, 14);
  a ^= c;
  a -= rol32(c, 11);
  b ^= a;
  b -= rol32(a, 25);
  c ^= b;
  c -= rol32(b, 16);
  a ^= c;
  a -= rol32(c, 4);
  b ^= a;
  b -= rol32(a, 14);
  c ^= b;
  c -= rol32(b, 24);
  return c;
}
constexpr uint32_t hashrnd = 0x5eed1e55;  // net_get_random_once(&hashrnd): fixed here

// __skb_get_hash for an IPv4 packet: the flow dissector's keys (addresses, ports, protocol)
// hashed; ports of UDP/TCP make it an L4 hash. The kernel hashes the whole flow_keys struct
// with jhash2; the model hashes the three words that differ between flows. Never 0 (the
// kernel maps 0 to 1). An IPv4 fragment, the first too, is hashed without ports
// (__skb_flow_dissect stops at a fragment unless FLOW_DISSECTOR_F_PARSE_1ST_FRAG, which
// skb_get_hash does not pass), so a datagram's fragments take one TX queue and keep their order.
// has_ports: the keys held ports (flow_keys_have_l4), which makes the hash an L4 hash.
uint32_t skb_flow_hash(const sk_buff* skb, bool& has_ports) {
  const uint8_t* iph = skb->network();
  iphdr_view v{iph};
  uint32_t ports = 0;
  const bool fragment = (v.frag_off() & 0x3FFF) != 0;  // IP_MF | IP_OFFSET
  has_ports = !fragment && (v.protocol() == IPPROTO_UDP || v.protocol() == IPPROTO_TCP);
  if (has_ports) {
    const uint8_t* th = iph + v.ihl() * 4;
    ports = uint32_t(th[0]) << 24 | th[1] << 16 | th[2] << 8 | th[3];
  }
  // flow_keys are ordered (__flow_hash_consistentify) so both directions hash alike
  uint32_t a = v.saddr(), b = v.daddr();
  if (a > b) {
    std::swap(a, b);
    ports = ports << 16 | ports >> 16;
  }
  const uint32_t h = jhash_3words(a, b, ports ^ v.protocol(), hashrnd);
  return h ? h : 1;
}

// reciprocal_scale: val scaled to [0, ep_ro)
uint32_t reciprocal_scale(uint32_t val, uint32_t ep_ro) {
  return static_cast<uint32_t>((static_cast<uint64_t>(val) * ep_ro) >> 32);
}
}  // namespace

// skb_get_hash: an L4 hash or one the stack computed before is kept; else (none, or a NIC's
// L3 hash) __skb_get_hash computes one, sw_hash, and l4_hash only when it covers ports.
uint32_t skb_get_hash(sk_buff* skb) {
  if (!skb->l4_hash && !skb->sw_hash) {
    bool l4 = false;
    skb->hash = skb_flow_hash(skb, l4);
    skb->sw_hash = true;
    skb->l4_hash = l4;
  }
  return skb->hash;
}

uint16_t skb_tx_hash(const net_device* dev, sk_buff* skb) {
  return static_cast<uint16_t>(reciprocal_scale(skb_get_hash(skb), dev->real_num_tx_queues));
}

// netdev_pick_tx (net/core/dev.c): the socket's cached queue (sk_tx_queue_get) if valid,
// else XPS (off here) or skb_tx_hash; a socket with a cached route (a connected one:
// sk_dst_cache) keeps the choice (sk_tx_queue_set). skb->ooo_okay is never set by UDP.
uint16_t netdev_pick_tx(net_device* dev, sk_buff* skb) {
  sock* sk = skb->sk;
  int queue_index = sk ? sk->sk_tx_queue_mapping : -1;
  if (queue_index < 0 || queue_index >= static_cast<int>(dev->real_num_tx_queues)) {
    const int new_index = skb_tx_hash(dev, skb);
    if (queue_index != new_index && sk && sk->daddr) sk->sk_tx_queue_mapping = new_index;
    queue_index = new_index;
  }
  return static_cast<uint16_t>(queue_index);
}

namespace {
// netdev_core_pick_tx
netdev_queue* netdev_core_pick_tx(net_device* dev, sk_buff* skb) {
  uint16_t queue_index = 0;
  if (dev->real_num_tx_queues != 1) queue_index = netdev_pick_tx(dev, skb);
  skb_set_queue_mapping(skb, queue_index);
  return netdev_get_tx_queue(dev, queue_index);
}

bool nolock_qdisc_is_empty(const Qdisc* q) { return q->qstats.qlen == 0; }

// qdisc_run_begin / qdisc_run_end for a TCQ_F_NOLOCK qdisc: the seqlock's trylock; a CPU that
// finds it held sets MISSED, and the holder reschedules the qdisc when it lets go.
// A locked qdisc (fq_codel) has the `running` flag only: the CPU that finds it set leaves
// the packet to the runner.
// Several CPUs: each runs ahead of SystemC time by its own unpaid cost (cpu.h), so a CPU can
// find the qdisc free that another released at a later local time than its own: in real
// time it was still held. The model lets this CPU take it only from that time on (it spins
// until then; Linux's would leave its packet to the holder, who sends it about then), so the
// qdisc, the driver's ring and the doorbell see the CPUs in the order of their local times.
bool qdisc_run_begin(Qdisc* q) {
  if (!q->running) {
    q->running = true;
    q->dev->k->this_cpu().spin_until(q->released_at);
    return true;
  }
  if (q->flags & TCQ_F_NOLOCK) q->missed = true;
  return false;
}

// __dev_xmit_skb (net/core/dev.c): an empty qdisc that may be bypassed (pfifo_fast:
// TCQ_F_CAN_BYPASS) sends the skb straight to the driver (counted in the qdisc's statistics
// as sent), else enqueue and run the qdisc if no other CPU runs it. The NOLOCK branch
// (pfifo_fast) and the locked one (fq_codel; its root lock, busylock and the v6.18 defer
// list left out) differ here only in how a busy runner is told (MISSED or not).
int __dev_xmit_skb(sk_buff* skb, Qdisc* q, net_device* dev, netdev_queue* txq) {
  kernel& k = *dev->k;
  k.txjr.record(skb->frame_id, tx_step::qdisc_enqueue, k.this_cpu().now());
  k.txjr.picked_queue(skb->frame_id, txq->index);
  if ((q->flags & TCQ_F_CAN_BYPASS) && nolock_qdisc_is_empty(q) && qdisc_run_begin(q)) {
    ++k.tx_st.qdisc_bypass;
    q->bstats.bytes += Qdisc::pkt_len(skb);  // qdisc_bstats_cpu_update
    q->bstats.packets += skb->gso_segs;
    std::vector<sk_buff*> one{skb};
    if (sch_direct_xmit(one, q, dev, txq, true) && !nolock_qdisc_is_empty(q)) __qdisc_run(q);
    qdisc_run_end(q);
    return NET_XMIT_SUCCESS;
  }
  k.this_cpu().spend(k.cost.qdisc_enqueue_ns);
  const int rc = q->enqueue(skb);  // dev_qdisc_enqueue (a drop frees the skb)
  qdisc_probe_backlog(q);
  qdisc_run(q);
  return rc;
}
}  // namespace

void qdisc_run_end(Qdisc* q) {
  q->running = false;
  q->released_at = q->dev->k->this_cpu().now();
  if (q->missed) {
    q->missed = false;
    __netif_schedule(q);
  }
}

void qdisc_run(Qdisc* q) {
  if (!qdisc_run_begin(q)) return;
  __qdisc_run(q);
  qdisc_run_end(q);
}

// __dev_queue_xmit (net/core/dev.c): BH off, pick the TX queue, hand the skb to its qdisc;
// BH on again runs what the path raised (NET_TX_SOFTIRQ) on this stack (local_bh_enable).
// Left out: egress hooks (tc, netfilter), the no-queue path of virtual devices, skb priority
// from cgroups.
int dev_queue_xmit(sk_buff* skb) {
  net_device* dev = skb->dev;
  kernel& k = *dev->k;
  cpu_core& cpu = k.this_cpu();
  cpu.spend(k.cost.dev_queue_xmit_ns);
  ++k.tx_st.dev_queue_xmit;
  skb->reset_mac_header();
  netdev_queue* txq = netdev_core_pick_tx(dev, skb);
  Qdisc* q = txq->qdisc;
  int rc = NET_XMIT_DROP;
  if (q) {
    rc = __dev_xmit_skb(skb, q, dev, txq);
  } else {
    ++dev->stats.tx_dropped;  // device not up: dev_core_stats_tx_dropped_inc, -ENETDOWN
    if (k.on_event) k.on_event("drop");
    free_tx_skb(skb, true);
  }
  cpu.local_bh_enable();  // rcu_read_unlock_bh
  return rc;
}

namespace {
// xmit_one -> netdev_start_xmit: softnet_data.xmit.more = more, ndo_start_xmit, and
// txq_trans_update on NETDEV_TX_OK
netdev_tx_t xmit_one(sk_buff* skb, net_device* dev, netdev_queue* txq, bool more) {
  kernel& k = *dev->k;
  const uint64_t id = skb->frame_id;  // the driver may free the skb
  k.txjr.record(id, tx_step::xmit, k.this_cpu().now());
  k.this_cpu().sd.xmit.more = more;
  ++k.tx_st.start_xmit;
  if (more) ++k.tx_st.start_xmit_more;
  const netdev_tx_t rc = dev->netdev_ops.ndo_start_xmit(skb, dev);
  k.this_cpu().sd.xmit.more = false;
  if (rc == NETDEV_TX_OK) txq_trans_update(txq);
  // Refused: requeued to the qdisc (sch_direct_xmit), where the census counts it
  if (rc == NETDEV_TX_BUSY) k.txjr.unrecord(id, tx_step::xmit);
  return rc;
}
bool dev_xmit_complete(int rc) { return rc < 0x0f; }  // NET_XMIT_MASK
}  // namespace

// dev_hard_start_xmit: each skb of the list to the driver, xmit_more set while another
// follows; stop at the first NETDEV_TX_BUSY, or when the driver stopped the queue with skbs
// left (those are returned, and the result is NETDEV_TX_BUSY).
size_t dev_hard_start_xmit(std::vector<sk_buff*>& skbs, net_device* dev, netdev_queue* txq,
                           int* ret) {
  int rc = NETDEV_TX_OK;
  size_t i = 0;
  while (i < skbs.size()) {
    rc = xmit_one(skbs[i], dev, txq, i + 1 < skbs.size());
    if (!dev_xmit_complete(rc)) break;
    ++i;
    if (netif_tx_queue_stopped(txq) && i < skbs.size()) {
      rc = NETDEV_TX_BUSY;
      break;
    }
  }
  *ret = rc;
  return i;  // skbs[i..] were not sent
}

void read_tx_queue_stats(net_device* dev, std::vector<tx_queue_stats>& out) {
  out.clear();
  for (netdev_queue& q : dev->_tx) {
    tx_queue_stats s;
    if (q.qdisc) {
      const gnet_stats_basic b = q.qdisc->stats_basic();
      const gnet_stats_queue qs = q.qdisc->stats_queue();
      s.sent_bytes = b.bytes;
      s.sent_packets = b.packets;
      s.dropped = qs.drops;
      s.overlimits = qs.overlimits;
      s.requeues = qs.requeues;
      s.backlog_bytes = qs.backlog;
      s.backlog_packets = qs.qlen;
      s.dropped_ip_packets = qs.drop_segs;
      s.backlog_ip_packets = qs.qlen_segs;
    }
    s.bql_limit = q.dql.limit;
    s.bql_inflight = dql_inflight(&q.dql);
    s.stopped_drv = q.state & QUEUE_STATE_DRV_XOFF;
    s.stopped_stack = q.state & QUEUE_STATE_STACK_XOFF;
    out.push_back(s);
  }
}

}  // namespace igbsim
