// SPDX-License-Identifier: Apache-2.0
#include "dev.h"

#include "kernel.h"
#include "net.h"
#include "sim_time.h"
#include "sw_signals.h"

namespace igbsim {

using namespace sc_core;

void netif_napi_add(kernel& k, napi_struct* n, std::function<int(napi_struct*, int)> poll,
                    int weight) {
  n->k = &k;
  n->poll = std::move(poll);
  n->weight = weight;
}

// napi_schedule_prep: claim SCHED; if it was already set, note MISSED so the owner repolls.
bool napi_schedule_prep(napi_struct* n) {
  const uint32_t val = n->state;
  if (val & NAPI_STATE_DISABLE) return false;
  uint32_t nv = val | NAPI_STATE_SCHED;
  if (val & NAPI_STATE_SCHED) nv |= NAPI_STATE_MISSED;
  n->state = nv;
  if ((nv & NAPI_STATE_MISSED) && !(val & NAPI_STATE_MISSED))
    n->k->probe(sw_sig::napi_missed, 1, n->index);
  return !(val & NAPI_STATE_SCHED);
}

// ____napi_schedule: onto this CPU's poll list; raise NET_RX_SOFTIRQ unless net_rx_action is
// running on this CPU (sd->in_net_rx_action, v6.4+: it will find the NAPI on its poll list).
void __napi_schedule(napi_struct* n) {
  kernel& k = *n->k;
  softnet_data& sd = k.this_cpu().sd;
  if (!n->on_poll_list) {
    sd.poll_list.push_back(n);
    n->on_poll_list = true;
  }
  ++k.st.napi_schedules;
  if (!sd.in_net_rx_action) k.this_cpu().raise_softirq(NET_RX_SOFTIRQ);
  k.probe(sw_sig::napi_state, NAPI_PROBE_SCHEDULED, n->index);
}

bool napi_schedule(napi_struct* n) {
  n->k->this_cpu().spend(n->k->cost.napi_schedule_ns);
  if (!napi_schedule_prep(n)) return false;
  __napi_schedule(n);
  return true;
}

static void gro_normal_list(napi_struct* n) {
  if (n->rx_list.empty()) return;
  std::vector<sk_buff*> list;
  list.swap(n->rx_list);
  for (sk_buff* skb : list) netif_receive_skb(*n->k, skb);  // netif_receive_skb_list_internal
}

static void gro_normal_one(napi_struct* n, sk_buff* skb) {
  n->rx_list.push_back(skb);
  if (static_cast<int>(n->rx_list.size()) >= gro_normal_batch) gro_normal_list(n);
}

namespace {
struct tcp4_view {  // the headers GRO compares, read at skb->data (the IPv4 header)
  bool ok = false;
  uint32_t saddr = 0, daddr = 0, seq = 0, payload = 0;
  uint16_t sport = 0, dport = 0;
  bool padded = false;  // the IP total length is not the packet's length (Ethernet padding)
  uint8_t flags = 0;
};
tcp4_view parse_tcp4(const sk_buff* skb) {
  tcp4_view v;
  if (skb->protocol != ETH_P_IP || skb->headlen() < 40) return v;
  const uint8_t* ip = skb->data;
  const uint32_t ihl = (ip[0] & 0xF) * 4u;
  if ((ip[0] >> 4) != 4 || ihl < 20 || ip[9] != IPPROTO_TCP || (ip[6] & 0x3F) || ip[7])
    return v;  // fragments
  const uint32_t tot = static_cast<uint32_t>(ip[2] << 8 | ip[3]);
  if (skb->headlen() < ihl + 20 || tot > skb->len) return v;
  const uint8_t* th = ip + ihl;
  const uint32_t doff = (th[12] >> 4) * 4u;
  if (doff < 20 || tot < ihl + doff) return v;
  iphdr_view iph{ip};
  v.saddr = iph.saddr();
  v.daddr = iph.daddr();
  v.sport = static_cast<uint16_t>(th[0] << 8 | th[1]);
  v.dport = static_cast<uint16_t>(th[2] << 8 | th[3]);
  v.seq = uint32_t(th[4]) << 24 | uint32_t(th[5]) << 16 | uint32_t(th[6]) << 8 | th[7];
  v.flags = th[13];
  v.payload = tot - ihl - doff;
  v.padded = tot != skb->len;
  v.ok = true;
  return v;
}

// napi_gro_complete -> inet_gro_complete: the merged packet's IP total length and checksum
void gro_complete(sk_buff* skb) {
  if (skb->frag_list.empty()) return;
  uint8_t* ip = skb->data;
  ip[2] = static_cast<uint8_t>(skb->len >> 8);
  ip[3] = static_cast<uint8_t>(skb->len);
  ip[10] = ip[11] = 0;
  const uint16_t c = static_cast<uint16_t>(~csum_fold(csum_partial(ip, (ip[0] & 0xF) * 4u, 0)));
  ip[10] = static_cast<uint8_t>(c >> 8);
  ip[11] = static_cast<uint8_t>(c);
}
}  // namespace

// napi_gro_flush: hand held packets on; with flush_old only those that came in an earlier
// jiffy (__napi_gro_flush_chain: NAPI_GRO_CB(skb)->age == jiffies stays)
static void napi_gro_flush(napi_struct* n, bool flush_old) {
  kernel& k = *n->k;
  const uint64_t now_j = k.jiffies();
  std::vector<sk_buff*> keep;
  for (sk_buff* p : n->gro_hash) {
    if (flush_old && k.jiffies_at(time_of_ps(p->gro_age_ps)) == now_j) {
      keep.push_back(p);
      continue;
    }
    gro_complete(p);
    gro_normal_one(n, p);
  }
  n->gro_hash.swap(keep);
}

// napi_gro_receive -> dev_gro_receive -> inet_gro_receive -> tcp4_gro_receive: a TCP segment
// that continues a held packet of its connection joins it (its payload as fragments);
// PSH/URG/RST/SYN/FIN end a merge. A segment that cannot join anything (no payload,
// FIN/SYN/RST, an IP total length other than the packet's length: inet_gro_receive's flush)
// sends the held packet of its connection up first, then goes up itself. Packets GRO cannot
// parse take gro_normal_one.
// skb_gro_receive's truesize: with the payload wholly in page fragments the merged skb's head
// is freed (delta = truesize - SKB_TRUESIZE(skb_end_offset)); else its head, a page fragment
// here (napi_build_skb, napi_alloc_skb's 1 KB fragment), is stolen and only the struct sk_buff
// goes (delta = truesize - SKB_DATA_ALIGN(sizeof(struct sk_buff))). Both give 2048 for igb's
// 2 KB buffers. (Linux's frag_list fallback past MAX_SKB_FRAGS, which charges the whole
// truesize, is not modelled.)
uint32_t gro_truesize_delta(const sk_buff* skb) {
  if (skb->headlen() == 0)
    return skb->truesize - SKB_TRUESIZE(static_cast<uint32_t>(skb->end - skb->head));
  return skb->truesize - SKB_DATA_ALIGN(SK_BUFF_BYTES);
}

void napi_gro_receive(napi_struct* n, sk_buff* skb) {
  kernel& k = *n->k;
  k.this_cpu().spend(k.cost.gro_ns);
  const tcp4_view v = parse_tcp4(skb);
  if (!v.ok || skb->ip_summed != CHECKSUM_UNNECESSARY) {
    gro_normal_one(n, skb);
    return;
  }
  const bool flush = v.payload == 0 || (v.flags & 0x07 /*FIN SYN RST*/) || v.padded;
  for (size_t i = 0; i < n->gro_hash.size(); ++i) {
    sk_buff* p = n->gro_hash[i];
    const tcp4_view h = parse_tcp4(p);
    if (h.saddr != v.saddr || h.daddr != v.daddr || h.sport != v.sport || h.dport != v.dport)
      continue;
    // The held packet's payload: its own (h.payload, from its IP header) and the merged ones
    const uint32_t held_end = h.seq + h.payload + p->merged_len();
    if (!flush && held_end == v.seq && p->len + v.payload <= GRO_MAX_SIZE &&
        !(h.flags & 0x28 /*URG PSH*/)) {
      // skb_gro_receive: the new segment joins the frag_list; its payload - what follows its
      // headers in the linear part, then its page fragments (igb_construct_skb leaves only the
      // headers linear) - shows as fragments of the held packet
      if (p->frag_list.empty()) p->own_frags = p->frags.size();
      skb->pull(skb->len - v.payload);  // to its payload (headers are in the linear part)
      skb->tcp_seq = v.seq;
      if (skb->headlen()) p->add_rx_frag(skb->data, skb->headlen(), 0);
      for (const skb_frag& f : skb->frags) p->add_rx_frag(f.data, f.len, 0);
      p->truesize += gro_truesize_delta(skb);
      p->frag_list.push_back(skb);
      ++k.st.gro_merged;
      if (v.flags & 0x08 /*PSH*/) {  // the sender pushed: this packet goes up now
        n->gro_hash.erase(n->gro_hash.begin() + static_cast<long>(i));
        gro_complete(p);
        gro_normal_one(n, p);
      }
      return;
    }
    // Not the continuation: the held packet goes up, the new one is held in its place
    n->gro_hash.erase(n->gro_hash.begin() + static_cast<long>(i));
    gro_complete(p);
    gro_normal_one(n, p);
    break;
  }
  if (flush) {
    gro_normal_one(n, skb);
    return;
  }
  if (n->gro_hash.size() >= MAX_GRO_SKBS) {  // gro_flush_oldest
    sk_buff* old = n->gro_hash.front();
    n->gro_hash.erase(n->gro_hash.begin());
    gro_complete(old);
    gro_normal_one(n, old);
  }
  skb->gro_age_ps = ps_of(k.this_cpu().now());
  n->gro_hash.push_back(skb);
}

// napi_complete_done (net/core/dev.c, v6.6-6.8 form): when the poll did work and GRO holds
// packets (n->gro_bitmask), the timeout is gro_flush_timeout: GRO keeps what came in this
// jiffy and the NAPI's hrtimer is armed, whose napi_watchdog polls again after the timeout
// (the interrupt is unmasked as usual). With napi_defer_hard_irqs too, while the deferral
// count lasts (it restarts whenever a poll did work) the timeout is taken even with GRO empty
// and the completion returns false: the interrupt stays masked and the timer polls.
// MISSED set: keep SCHED, reschedule and return false (the driver must not unmask).
bool napi_complete_done(napi_struct* n, int work_done) {
  kernel& k = *n->k;
  bool ret = true;
  double timeout_ns = 0;
  const bool gro_bitmask = !n->gro_hash.empty();
  if (work_done) {
    if (gro_bitmask) timeout_ns = k.params.gro_flush_timeout_ns;
    n->defer_hard_irqs_count = k.params.napi_defer_hard_irqs;
  }
  if (n->defer_hard_irqs_count > 0) {
    --n->defer_hard_irqs_count;
    timeout_ns = k.params.gro_flush_timeout_ns;
    if (timeout_ns > 0) ret = false;
  }
  if (gro_bitmask) napi_gro_flush(n, timeout_ns > 0);  // with a timer armed only the old packets
  gro_normal_list(n);
  const uint32_t val = n->state;
  if (val & NAPI_STATE_MISSED) {
    n->state = (val & ~NAPI_STATE_MISSED) | NAPI_STATE_SCHED;
    n->k->probe(sw_sig::napi_missed, 0, n->index);
    __napi_schedule(n);
    n->complete_refused = true;
    return false;
  }
  n->state = val & ~(NAPI_STATE_SCHED | NAPI_STATE_MISSED);
  n->k->probe(sw_sig::napi_state, NAPI_PROBE_IDLE, n->index);
  if (timeout_ns > 0) {
    cpu_core& cpu = k.this_cpu();
    const sc_time expires = cpu.now() + sc_time(timeout_ns, SC_NS);
    n->timer_expires = expires;
    cpu.add_timer(expires, [n, expires] {
      if (n->timer_expires != expires) return;  // restarted since: the later expiry fires
      n->timer_expires = SC_ZERO_TIME;
      // napi_watchdog: poll again unless someone already scheduled it
      if (!(n->state & NAPI_STATE_SCHED)) {
        n->state |= NAPI_STATE_SCHED;
        __napi_schedule(n);
      }
    });
  }
  n->complete_refused = !ret;
  return ret;
}

// napi_poll/__napi_poll: run the driver's poll with the NAPI weight; a poll that used its
// whole weight stays scheduled and goes to the tail of the repoll list (round robin).
static int napi_poll(kernel& k, napi_struct* n, std::deque<napi_struct*>& repoll) {
  n->on_poll_list = false;
  cpu_core& cpu = k.this_cpu();
  cpu.spend(k.cost.napi_poll_ns);
  int work = 0;
  if (n->state & NAPI_STATE_SCHED) {
    n->complete_refused = false;
    n->poll_start = cpu.now();
    k.probe(sw_sig::napi_state, NAPI_PROBE_POLLING, n->index);
    k.probe(sw_sig::napi_budget_left, static_cast<uint32_t>(n->weight), n->index);
    k.probe(sw_sig::napi_work_done, 0, n->index);
    if (n->index != kNoQueue) ++k.st.polls;  // igb_poll calls (not the backlog's)
    work = n->poll(n, n->weight);
    k.probe(sw_sig::napi_work_done, static_cast<uint32_t>(work), n->index);
  }
  if (work > n->weight) k.violate("napi_poll_overrun", "poll returned more than its weight");
  if (work < n->weight) return work;
  if (!(n->state & NAPI_STATE_SCHED)) {
    // __napi_poll: a driver must not complete when it returns the whole weight
    k.violate("napi_completed_with_full_budget",
              "poll returned its whole weight after completing NAPI");
    return work;
  }
  if (n->index != kNoQueue) {
    ++k.st.polls_budget_exhausted;
    if (k.on_event) k.on_event("budget_exhausted");
  }
  napi_gro_flush(n, k.params.hz >= 1000);  // flush too old packets; if HZ < 1000, all
  gro_normal_list(n);  // and the normal list before yielding the CPU to the next NAPI
  k.probe(sw_sig::napi_state, NAPI_PROBE_SCHEDULED, n->index);
  repoll.push_back(n);
  n->on_poll_list = true;
  return work;
}

// net_rx_action (net/core/dev.c, v6.6+): netdev_budget packets or until time_after_eq(jiffies,
// time_limit), time_limit = jiffies + usecs_to_jiffies(netdev_budget_usecs), both checked after
// each napi_poll. While it runs (sd->in_net_rx_action) ____napi_schedule raises no softirq;
// NAPIs scheduled meanwhile are taken by starting over when the list runs out, or go back on
// the poll list with the leftovers, and NET_RX_SOFTIRQ is raised again if that is not empty.
void net_rx_action(kernel& k) {
  cpu_core& cpu = k.this_cpu();
  softnet_data& sd = k.this_cpu().sd;
  const uint64_t time_limit =
      k.jiffies() + k.usecs_to_jiffies(static_cast<uint64_t>(k.params.netdev_budget_usecs));
  int budget = k.params.netdev_budget;
  std::deque<napi_struct*> list, repoll;
  sd.in_net_rx_action = true;
  list.swap(sd.poll_list);
  k.probe(sw_sig::softirq_budget_left, static_cast<uint32_t>(budget));
  for (;;) {
    if (list.empty()) {
      if (repoll.empty()) {
        sd.in_net_rx_action = false;
        // ____napi_schedule may have refilled poll_list while in_net_rx_action was true
        if (!sd.poll_list.empty()) {  // goto start
          sd.in_net_rx_action = true;
          list.swap(sd.poll_list);
          continue;
        }
        return;  // goto end
      }
      break;
    }
    napi_struct* n = list.front();
    list.pop_front();
    budget -= napi_poll(k, n, repoll);
    k.probe(sw_sig::softirq_budget_left, static_cast<uint32_t>(budget < 0 ? 0 : budget));
    cpu.boundary();                                  // interrupts are taken between polls
    if (budget <= 0 || k.jiffies() >= time_limit) {  // time_after_eq(jiffies, time_limit)
      ++sd.time_squeeze;
      break;
    }
  }
  // Leftovers first, then NAPIs scheduled meanwhile, then the repoll list.
  for (napi_struct* n : sd.poll_list) list.push_back(n);
  for (napi_struct* n : repoll) list.push_back(n);
  sd.poll_list.swap(list);
  for (napi_struct* n : sd.poll_list) n->on_poll_list = true;
  if (!sd.poll_list.empty()) cpu.raise_softirq(NET_RX_SOFTIRQ);
  else sd.in_net_rx_action = false;
}

void drop_skb(kernel& k, sk_buff* skb, const char* counter) {
  skb->for_each_frame([&](uint64_t id) {  // a GRO packet takes all its frames with it
    if (k.on_drop) k.on_drop(id, counter);
    k.jr.finish(id, counter);
  });
  k.this_cpu().spend(k.cost.skb_free_ns);
  kfree_skb(skb);
}

int netif_rx(kernel& k, sk_buff* skb) {
  cpu_core& cpu = k.this_cpu();
  cpu.spend(k.cost.netif_rx_ns);
  softnet_data& sd = k.this_cpu().sd;
  const size_t qlen = sd.input_pkt_queue.size();
  if (qlen <= static_cast<size_t>(k.params.netdev_max_backlog)) {
    if (qlen == 0 && !(sd.backlog.state & NAPI_STATE_SCHED)) {
      sd.backlog.state |= NAPI_STATE_SCHED;
      __napi_schedule(&sd.backlog);
    }
    sd.input_pkt_queue.push_back(skb);
    return 0;
  }
  ++sd.dropped;
  // /proc/net/softnet_stat's second column (softnet_data.dropped), which has no name of its
  // own there: "softnet_" says which file's "dropped" it is
  drop_skb(k, skb, "softnet_dropped");
  return 1;
}

int process_backlog(napi_struct* napi, int quota) {
  kernel& k = *napi->k;
  softnet_data& sd = k.this_cpu().sd;
  int work = 0;
  while (work < quota) {
    if (sd.input_pkt_queue.empty()) {
      napi->state = 0;  // the queue is empty: done, no repoll (napi->state = 0 in process_backlog)
      break;
    }
    sk_buff* skb = sd.input_pkt_queue.front();
    sd.input_pkt_queue.pop_front();
    netif_receive_skb(k, skb);
    ++work;
  }
  return work;
}

// __netif_receive_skb_core: deliver by ethertype.
int netif_receive_skb(kernel& k, sk_buff* skb) {
  cpu_core& cpu = k.this_cpu();
  cpu.boundary();
  cpu.spend(k.cost.netif_receive_skb_ns);
  skb->for_each_frame([&](uint64_t id) { k.jr.record(id, step::netif_receive_skb, cpu.now()); });
  ++k.this_cpu().sd.processed;
  if (skb->protocol == ETH_P_IP) return ip_rcv(k, skb);
  drop_skb(k, skb, "rx_nohandler");
  return -1;
}

}  // namespace igbsim
