// SPDX-License-Identifier: Apache-2.0
#include "sch_generic.h"

#include <memory>

#include "kernel.h"
#include "net.h"
#include "sw_signals.h"

namespace igbsim {

constexpr uint8_t pfifo_fast::prio2band[16];

unsigned Qdisc::pkt_len(const sk_buff* skb) {
  // qdisc_pkt_len_init: a GSO skb counts the headers of each segment it will become
  if (!skb->is_gso()) return skb->len;
  unsigned hdr_len = static_cast<unsigned>(skb->transport_offset());
  if (skb->gso_type & (SKB_GSO_TCPV4 | SKB_GSO_TCPV6))
    hdr_len += (skb->transport()[12] >> 4) * 4u;  // tcp_hdrlen
  else hdr_len += 8;                              // UDP (SKB_GSO_UDP_L4)
  return skb->len + (skb->gso_segs - 1u) * hdr_len;
}

gnet_stats_queue Qdisc::stats_queue() const { return qstats; }

namespace {
void qdisc_drop(sk_buff* skb, Qdisc* q) {
  q->qstats.drop(skb);
  kernel& k = *q->dev->k;
  k.this_cpu().spend(k.cost.skb_free_ns);
  k.txjr.finish(skb->frame_id, "qdisc_drop");
  if (k.on_event) k.on_event("drop");
  kfree_skb(skb);  // __qdisc_drop -> to_free list, freed by the caller (sock_wfree runs)
}
}  // namespace

// pfifo_fast_enqueue: the band's skb_array full -> qdisc_drop (NET_XMIT_DROP)
int pfifo_fast::enqueue(sk_buff* skb) {
  std::deque<sk_buff*>& b = band[prio2band[skb->priority & 15]];
  if (b.size() >= limit) {
    qdisc_drop(skb, this);
    return NET_XMIT_DROP;
  }
  b.push_back(skb);
  qstats.add(skb, pkt_len(skb));  // qdisc_update_stats_at_enqueue
  return NET_XMIT_SUCCESS;
}

// pfifo_fast_dequeue: the first skb of the lowest non-empty band; counted as sent here
// (qdisc_update_stats_at_dequeue + qdisc_bstats_cpu_update)
sk_buff* pfifo_fast::dequeue() {
  for (auto& b : band) {
    if (b.empty()) continue;
    sk_buff* skb = b.front();
    b.pop_front();
    kernel& k = *dev->k;
    k.this_cpu().spend(k.cost.qdisc_dequeue_ns);
    const unsigned len = pkt_len(skb);
    qstats.remove(skb, len);
    bstats.bytes += len;
    bstats.packets += skb->gso_segs;
    return skb;
  }
  return nullptr;
}

sk_buff* pfifo_fast::peek() {
  for (auto& b : band)
    if (!b.empty()) return b.front();
  return nullptr;
}

// mq never sees an skb: dev_queue_xmit enqueues to the TX queue's child
int mq_sched::enqueue(sk_buff* skb) {
  qdisc_drop(skb, this);
  return NET_XMIT_DROP;
}

// mq_dump: the root's statistics are the sum of its children's
gnet_stats_basic mq_sched::stats_basic() const {
  gnet_stats_basic s;
  for (const Qdisc* c : children) {
    const gnet_stats_basic b = c->stats_basic();
    s.bytes += b.bytes;
    s.packets += b.packets;
  }
  return s;
}

gnet_stats_queue mq_sched::stats_queue() const {
  gnet_stats_queue s;
  for (const Qdisc* c : children) {
    const gnet_stats_queue q = c->stats_queue();
    s.qlen += q.qlen;
    s.backlog += q.backlog;
    s.drops += q.drops;
    s.requeues += q.requeues;
    s.overlimits += q.overlimits;
    s.qlen_segs += q.qlen_segs;
    s.drop_segs += q.drop_segs;
  }
  return s;
}

namespace {
// qdisc_create_dflt with fq_codel_ops (fq_codel_init: limit 10240 packets, quantum and
// CoDel's mtu psched_mtu(dev) = mtu + the Ethernet header; a locked qdisc, no bypass)
Qdisc* create_fq_codel(net_device* dev, netdev_queue* txq) {
  auto q = std::make_unique<fq_codel>();
  q->dev = dev;
  q->dev_queue = txq;
  q->limit = 10 * 1024;
  q->quantum = q->mtu = dev->mtu + ETH_HLEN;
  Qdisc* raw = q.get();
  dev->qdiscs.push_back(std::move(q));
  return raw;
}

// qdisc_create_dflt with pfifo_fast_ops (pfifo_fast_init: each band an skb_array of
// tx_queue_len entries; TCQ_F_CAN_BYPASS; lockless: TCQ_F_NOLOCK)
Qdisc* create_pfifo_fast(net_device* dev, netdev_queue* txq) {
  auto q = std::make_unique<pfifo_fast>();
  q->dev = dev;
  q->dev_queue = txq;
  q->limit = dev->tx_queue_len;
  q->flags = TCQ_F_CAN_BYPASS | TCQ_F_NOLOCK;
  Qdisc* raw = q.get();
  dev->qdiscs.push_back(std::move(q));
  return raw;
}
}  // namespace

// dev_activate -> attach_default_qdiscs (net/sched/sch_generic.c) + mq_init / mq_attach
// (net/sched/sch_mq.c). Each TX queue's qdisc feeds that queue only: TCQ_F_ONETXQUEUE, which
// lets dequeue bulk up to BQL's available bytes.
void dev_activate(net_device* dev) {
  if (dev->qdisc) return;
  // get_default_qdisc_ops: net.core.default_qdisc
  const bool fq = dev->k->params.default_qdisc == "fq_codel";
  auto create_default = [fq](net_device* d, netdev_queue* txq) {
    return fq ? create_fq_codel(d, txq) : create_pfifo_fast(d, txq);
  };
  if (dev->num_tx_queues <= 1) {  // !netif_is_multiqueue: attach_one_default_qdisc
    Qdisc* q = create_default(dev, &dev->_tx[0]);
    q->flags |= TCQ_F_ONETXQUEUE | TCQ_F_NOPARENT;
    dev->_tx[0].qdisc = q;
    dev->qdisc = q;
    return;
  }
  auto root = std::make_unique<mq_sched>();
  root->dev = dev;
  root->flags = TCQ_F_MQROOT;
  for (netdev_queue& txq : dev->_tx) {
    Qdisc* c = create_default(dev, &txq);
    c->flags |= TCQ_F_ONETXQUEUE | TCQ_F_NOPARENT;
    txq.qdisc = c;  // mq_attach: dev_graft_qdisc
    root->children.push_back(c);
  }
  dev->qdisc = root.get();
  dev->qdiscs.push_back(std::move(root));
}

void dev_requeue_skb(std::vector<sk_buff*>& skbs, Qdisc* q) {
  // The skbs go to gso_skb's tail (__skb_queue_tail), as the kernel does. When the skb a
  // driver refused had itself come from gso_skb with others still there, it goes behind
  // them: a driver that returns NETDEV_TX_BUSY instead of stopping its queue in time can
  // reorder packets (igb stops early, igb_maybe_stop_tx, so it does not).
  for (sk_buff* skb : skbs) {
    q->gso_skb.push_back(skb);
    ++q->qstats.requeues;  // still part of the queue
    q->qstats.add(skb, Qdisc::pkt_len(skb));
  }
  skbs.clear();
  qdisc_probe_backlog(q);
  if (q->flags & TCQ_F_NOLOCK)
    q->missed = true;  // set_bit(__QDISC_STATE_MISSED): qdisc_run_end reschedules
  else __netif_schedule(q);
}

namespace {
// qdisc_maybe_clear_missed: with the queue stopped, nothing reschedules the qdisc but the
// queue's wake-up
void qdisc_maybe_clear_missed(Qdisc* q, const netdev_queue* txq) {
  q->missed = false;
  if (!netif_xmit_frozen_or_stopped(txq)) q->missed = true;
}

// try_bulk_dequeue_skb: more skbs while BQL's available bytes (dql_avail) last
void try_bulk_dequeue_skb(Qdisc* q, std::vector<sk_buff*>& skbs, const netdev_queue* txq) {
  int bytelimit = dql_avail(&txq->dql) - static_cast<int>(skbs.front()->len);
  while (bytelimit > 0) {
    sk_buff* nskb = q->dequeue();
    if (!nskb) break;
    bytelimit -= static_cast<int>(nskb->len);
    skbs.push_back(nskb);
  }
}

// try_bulk_dequeue_skb_slow: a qdisc feeding several queues takes up to 8 skbs of the
// first one's queue (the others go to skb_bad_txq; not modelled: only mq's children or a
// single-queue root exist here, both ONETXQUEUE)
void try_bulk_dequeue_skb_slow(Qdisc* q, std::vector<sk_buff*>& skbs) {
  while (skbs.size() < 8) {
    sk_buff* nskb = q->peek();
    if (!nskb || nskb->queue_mapping != skbs.front()->queue_mapping) break;
    skbs.push_back(q->dequeue());
  }
}

// dequeue_skb (net/sched/sch_generic.c): a requeued skb first, one at a time and only if its
// queue runs; an ONETXQUEUE qdisc with its queue stopped gives nothing; else dequeue and bulk.
void dequeue_skb(Qdisc* q, std::vector<sk_buff*>& skbs, bool* validate) {
  const netdev_queue* txq = q->dev_queue;
  if (!q->gso_skb.empty()) {
    sk_buff* skb = q->gso_skb.front();
    *validate = false;  // already validated
    txq = netdev_get_tx_queue(q->dev, skb->queue_mapping);
    if (!netif_xmit_frozen_or_stopped(txq)) {
      q->gso_skb.pop_front();
      q->qstats.remove(skb, Qdisc::pkt_len(skb));
      skbs.push_back(skb);
    } else {
      qdisc_maybe_clear_missed(q, txq);
    }
    return;
  }
  *validate = true;
  if ((q->flags & TCQ_F_ONETXQUEUE) && netif_xmit_frozen_or_stopped(txq)) {
    qdisc_maybe_clear_missed(q, txq);
    return;
  }
  sk_buff* skb = q->dequeue();
  if (!skb) return;
  skbs.push_back(skb);
  if (q->flags & TCQ_F_ONETXQUEUE)  // qdisc_may_bulk
    try_bulk_dequeue_skb(q, skbs, txq);
  else try_bulk_dequeue_skb_slow(q, skbs);
}

// skb_checksum_help: the device cannot checksum this skb, so sum from csum_start to the end
// and store the folded complement at csum_start + csum_offset
void skb_checksum_help(sk_buff* skb) {
  const int start = skb->checksum_start_offset();
  const uint32_t n = skb->len - static_cast<uint32_t>(start);
  std::vector<uint8_t> bytes(n);
  skb->copy_bits(static_cast<uint32_t>(start), bytes.data(), n);
  uint16_t c = static_cast<uint16_t>(~csum_fold(csum_partial(bytes.data(), n, 0)));
  if (c == 0) c = 0xFFFF;  // UDP: a computed 0 goes out as 0xFFFF (CSUM_MANGLED_0)
  uint8_t* at = skb->data + start + skb->csum_offset;
  at[0] = static_cast<uint8_t>(c >> 8);
  at[1] = static_cast<uint8_t>(c);
  skb->ip_summed = CHECKSUM_NONE;
}

// validate_xmit_skb: software checksum when the device does not offload it. (Software GSO
// is left out: the only GSO skbs are UDP_SEGMENT sends, and every modelled part offloads
// them, NETIF_F_GSO_UDP_L4 on the 82576 and later.)
void validate_xmit_skb(sk_buff* skb, net_device* dev) {
  if (skb->ip_summed == CHECKSUM_PARTIAL &&
      !(dev->features & (NETIF_F_HW_CSUM | NETIF_F_IP_CSUM))) {
    kernel& k = *dev->k;
    k.this_cpu().spend(k.cost.csum_ns_per_byte * skb->len);
    skb_checksum_help(skb);
  }
}
}  // namespace

bool sch_direct_xmit(std::vector<sk_buff*>& skbs, Qdisc* q, net_device* dev, netdev_queue* txq,
                     bool validate) {
  kernel& k = *dev->k;
  k.this_cpu().spend(k.cost.qdisc_restart_ns);
  if (validate)
    for (sk_buff* skb : skbs) validate_xmit_skb(skb, dev);
  int ret = NETDEV_TX_BUSY;
  size_t sent = 0;
  if (!netif_xmit_frozen_or_stopped(txq)) sent = dev_hard_start_xmit(skbs, dev, txq, &ret);
  else qdisc_maybe_clear_missed(q, txq);
  if (ret >= 0x0f) {  // !dev_xmit_complete: the driver returned NETDEV_TX_BUSY - requeue
    ++k.tx_st.tx_busy;
    std::vector<sk_buff*> rest(skbs.begin() + static_cast<long>(sent), skbs.end());
    dev_requeue_skb(rest, q);
    return false;
  }
  return true;
}

void qdisc_probe_backlog(const Qdisc* q) {
  if (q->dev_queue && q->dev)
    q->dev->k->probe(sw_sig::txq_qdisc_backlog, q->stats_queue().qlen, q->dev_queue->index);
}

bool qdisc_restart(Qdisc* q, int* packets) {
  std::vector<sk_buff*> skbs;
  bool validate = true;
  dequeue_skb(q, skbs, &validate);
  if (!skbs.empty()) qdisc_probe_backlog(q);
  *packets = static_cast<int>(skbs.size());
  if (skbs.empty()) return false;
  net_device* dev = q->dev;
  netdev_queue* txq = netdev_get_tx_queue(dev, skbs.front()->queue_mapping);
  return sch_direct_xmit(skbs, q, dev, txq, validate);
}

void __qdisc_run(Qdisc* q) {
  int quota = dev_tx_weight;
  int packets = 0;
  while (qdisc_restart(q, &packets)) {
    quota -= packets;
    if (quota <= 0) {
      if (q->flags & TCQ_F_NOLOCK) q->missed = true;
      else __netif_schedule(q);
      break;
    }
  }
}

}  // namespace igbsim
