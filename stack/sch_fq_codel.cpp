// SPDX-License-Identifier: Apache-2.0
// fq_codel: net/sched/sch_fq_codel.c, with CoDel from include/net/codel_impl.h.
#include <cmath>

#include "kernel.h"
#include "sch_generic.h"
#include "sim_time.h"

namespace igbsim {

uint64_t fq_codel::now_ns() const { return ps_of(dev->k->this_cpu().now()) / 1000; }

// fq_codel_enqueue: classify by the flow hash, queue at the flow's tail stamped with the time
// (codel_set_enqueue_time), put an idle flow on new_flows with a full quantum. Over the
// packet limit or the memory limit, fq_codel_drop takes a batch from the fattest flow; if
// that was this packet's flow, NET_XMIT_CN.
int fq_codel::enqueue(sk_buff* skb) {
  kernel& k = *dev->k;
  if (flows.empty()) {
    flows.resize(flows_cnt);
    backlogs.assign(flows_cnt, 0);
  }
  const unsigned idx = static_cast<unsigned>(
      (static_cast<uint64_t>(skb_get_hash(skb)) * flows_cnt) >> 32);  // fq_codel_hash
  skb->qdisc_enqueue_ns = now_ns();
  flow* f = &flows[idx];
  f->q.push_back(skb);
  const unsigned len = pkt_len(skb);
  backlogs[idx] += len;
  qstats.add(skb, len);
  if (!f->listed) {
    new_flows.push_back(f);
    f->listed = true;
    ++new_flow_count;
    f->deficit = static_cast<int>(quantum);
  }
  memory_usage += skb->truesize;
  const bool memory_limited = memory_usage > memory_limit;
  if (qstats.qlen <= limit && !memory_limited) return NET_XMIT_SUCCESS;
  const uint32_t prev_qlen = qstats.qlen;
  const unsigned ret = drop_fattest();
  const uint32_t dropped = prev_qlen - qstats.qlen;
  drop_overlimit += dropped;
  if (memory_limited) drop_overmemory += dropped;
  k.this_cpu().spend(k.cost.skb_free_ns * dropped);
  return ret == idx ? NET_XMIT_CN : NET_XMIT_SUCCESS;
}

// fq_codel_drop: the flow with the largest backlog loses packets from its head until half its
// backlog is gone or max_packets (drop_batch_size) are
unsigned fq_codel::drop_fattest() {
  unsigned idx = 0;
  uint32_t maxbacklog = 0;
  for (unsigned i = 0; i < flows_cnt; ++i) {
    if (backlogs[i] > maxbacklog) {
      maxbacklog = backlogs[i];
      idx = i;
    }
  }
  const uint32_t threshold = maxbacklog >> 1;
  flow* f = &flows[idx];
  uint32_t len = 0;
  unsigned i = 0;
  do {
    sk_buff* skb = f->q.front();
    f->q.pop_front();
    const unsigned skb_len = pkt_len(skb);
    len += skb_len;
    qstats.remove(skb, skb_len);
    qstats.drop(skb);
    memory_usage -= skb->truesize;
    dev->k->txjr.finish(skb->frame_id, "qdisc_drop");
    if (dev->k->on_event) dev->k->on_event("drop");
    kfree_skb(skb);
  } while (++i < drop_batch_size && len < threshold && !f->q.empty());
  backlogs[idx] -= len;
  return idx;
}

// fq_codel's dequeue_func: the flow's head, out of the qdisc's counts
sk_buff* fq_codel::dequeue_head(flow* f) {
  if (f->q.empty()) return nullptr;
  sk_buff* skb = f->q.front();
  f->q.pop_front();
  const unsigned len = pkt_len(skb);
  backlogs[static_cast<size_t>(f - flows.data())] -= len;
  memory_usage -= skb->truesize;
  qstats.remove(skb, len);
  return skb;
}

// codel_should_drop: the packet waited at least target, with more than one MTU queued, and
// has for a whole interval since it first did
bool fq_codel::should_drop(sk_buff* skb, flow* f, uint64_t now) {
  if (!skb) {
    f->first_above_time = 0;
    return false;
  }
  f->ldelay = now - skb->qdisc_enqueue_ns;
  if (f->ldelay < target_ns || qstats.backlog <= mtu) {
    f->first_above_time = 0;  // went below: stay below for at least interval
    return false;
  }
  if (f->first_above_time == 0) {
    f->first_above_time = now + interval_ns;
    return false;
  }
  return now > f->first_above_time;
}

namespace {
// codel_control_law: the next drop after t, interval / sqrt(count) later
uint64_t control_law(uint64_t t, uint64_t interval, uint32_t count) {
  return t + static_cast<uint64_t>(static_cast<double>(interval) / std::sqrt(count));
}
}  // namespace

// codel_dequeue: the dropping state machine of CoDel, on one flow
sk_buff* fq_codel::codel_dequeue(flow* f) {
  sk_buff* skb = dequeue_head(f);
  if (!skb) {
    f->dropping = false;
    return nullptr;
  }
  const uint64_t now = now_ns();
  bool drop = should_drop(skb, f, now);
  auto drop_one = [&] {
    dev->k->txjr.finish(skb->frame_id, "qdisc_drop");
    if (dev->k->on_event) dev->k->on_event("drop");
    qstats.drop(skb);  // drop_func: qdisc_qstats_drop
    kfree_skb(skb);
    ++codel_drops;
    skb = dequeue_head(f);
  };
  if (f->dropping) {
    if (!drop) {
      f->dropping = false;
    } else {
      while (f->dropping && now >= f->drop_next) {
        ++f->count;
        drop_one();
        if (!should_drop(skb, f, now)) f->dropping = false;
        else f->drop_next = control_law(f->drop_next, interval_ns, f->count);
      }
    }
  } else if (drop) {
    drop_one();
    should_drop(skb, f, now);
    f->dropping = true;
    // If we were dropping recently (within 16 intervals), start near the last rate
    const uint32_t delta = f->count - f->lastcount;
    if (delta > 1 && static_cast<int64_t>(now - f->drop_next) <
                         static_cast<int64_t>(16 * interval_ns))  // codel_time_before
      f->count = delta;
    else f->count = 1;
    f->lastcount = f->count;
    f->drop_next = control_law(now, interval_ns, f->count);
  }
  return skb;
}

// fq_codel_dequeue: the first flow of new_flows (else old_flows); a flow out of deficit gets
// another quantum and goes to the tail of old_flows; an empty flow leaves the lists (a new
// one passes through old_flows first, so it cannot starve them)
sk_buff* fq_codel::dequeue() {
  kernel& k = *dev->k;
  for (;;) {
    std::deque<flow*>* head = &new_flows;
    if (head->empty()) {
      head = &old_flows;
      if (head->empty()) return nullptr;
    }
    flow* f = head->front();
    if (f->deficit <= 0) {
      f->deficit += static_cast<int>(quantum);
      head->pop_front();
      old_flows.push_back(f);
      continue;
    }
    k.this_cpu().spend(k.cost.qdisc_dequeue_ns);
    sk_buff* skb = codel_dequeue(f);
    if (!skb) {
      head->pop_front();
      if (head == &new_flows && !old_flows.empty()) old_flows.push_back(f);
      else f->listed = false;
      continue;
    }
    const unsigned len = pkt_len(skb);
    bstats.bytes += len;
    bstats.packets += skb->gso_segs;
    f->deficit -= static_cast<int>(len);
    return skb;
  }
}

// fq_codel has no peek of its own (qdisc_peek_dequeued would dequeue); only a qdisc feeding
// several TX queues peeks (try_bulk_dequeue_skb_slow), which never holds an fq_codel here
sk_buff* fq_codel::peek() { return nullptr; }

}  // namespace igbsim
