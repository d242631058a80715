// SPDX-License-Identifier: Apache-2.0
// The device transmit interface (include/linux/netdevice.h, the TX half of net/core/dev.c):
// struct net_device with its TX queues (struct netdev_queue: state bits, qdisc, BQL),
// ndo_start_xmit, the queue stop/wake calls, BQL accounting and the skb free calls a driver
// uses on completion.
//
// How a driver plugs in (igb: igb_probe / igb_open / igb_xmit_frame / igb_clean_tx_irq):
//  1. alloc_etherdev_mq(k, txqs) gives the net_device (the kernel's alloc_etherdev_mq; the
//     driver's private struct hangs off dev->priv, netdev_priv). The driver sets
//     netdev_ops.ndo_start_xmit, features (NETIF_F_SG | NETIF_F_HW_CSUM ... what it offloads),
//     dev_addr, mtu, and netif_set_real_num_tx_queues(dev, n) (n <= txqs), then
//     register_netdev(dev).
//  2. dev_open(dev) attaches the qdiscs (dev_activate: mq root, one pfifo_fast per TX queue)
//     and calls the driver's ndo_open if set; the driver's open calls netdev_tx_reset_queue
//     per ring (igb_clean_tx_ring) and netif_tx_start_all_queues(dev).
//  3. The stack calls ndo_start_xmit(skb, dev) from softirq or process context with the
//     queue skb->queue_mapping (0 .. real_num_tx_queues-1) not stopped. The driver maps the
//     skb (skb->data/headlen(), skb->frags; ip_summed == CHECKSUM_PARTIAL: csum_start /
//     csum_offset; is_gso(): gso_size / gso_segs / gso_type; network_offset(),
//     transport_offset()), calls netdev_tx_sent_queue(txq, skb->len) and rings the doorbell
//     unless netdev_xmit_more(k) and the queue is not stopped (netif_xmit_stopped). It
//     returns NETDEV_TX_OK (the skb is the driver's: it frees it at completion, or at once on
//     an error) or NETDEV_TX_BUSY (the skb is still the stack's, which requeues it; the
//     driver must have stopped the queue, netif_tx_stop_queue / netif_stop_subqueue).
//  4. When its ring runs low it stops the queue (netif_stop_subqueue), rechecks after a
//     barrier and wakes it again if room appeared (__igb_maybe_stop_tx).
//  5. On completion (NAPI poll, softirq context): per packet napi_consume_skb(skb, budget) or
//     dev_kfree_skb_any(skb), which runs skb->sk_destructor (sock_wfree: the socket's send
//     memory and POLLOUT wake-up); then once per clean netdev_tx_completed_queue(txq, pkts,
//     bytes) (BQL; may reschedule the qdisc) and, with enough free slots,
//     netif_wake_subqueue / netif_tx_wake_queue, which schedules NET_TX_SOFTIRQ to send what
//     the qdisc holds.
// Left out: netpoll, XDP, VLAN acceleration, the TX watchdog's timer (trans_start is kept for
// a driver's hang check), XPS, the qdisc busylock and defer list.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "dynamic_queue_limits.h"
#include "skbuff.h"

namespace igbsim {

class kernel;
struct Qdisc;
struct net_device;

// netdev_tx_t (include/linux/netdevice.h)
enum netdev_tx_t : int { NETDEV_TX_OK = 0x00, NETDEV_TX_BUSY = 0x10 };
// dev_queue_xmit's returns (NET_XMIT_*), as the qdisc's enqueue gives them
enum : int { NET_XMIT_SUCCESS = 0x00, NET_XMIT_DROP = 0x01, NET_XMIT_CN = 0x02 };

// enum netdev_queue_state_t: bit numbers in netdev_queue::state
enum : unsigned {
  __QUEUE_STATE_DRV_XOFF = 0,    // the driver stopped the queue (ring full)
  __QUEUE_STATE_STACK_XOFF = 1,  // BQL stopped it (dql_avail < 0)
  __QUEUE_STATE_FROZEN = 2,
};
constexpr unsigned long QUEUE_STATE_DRV_XOFF = 1ul << __QUEUE_STATE_DRV_XOFF;
constexpr unsigned long QUEUE_STATE_STACK_XOFF = 1ul << __QUEUE_STATE_STACK_XOFF;
constexpr unsigned long QUEUE_STATE_FROZEN = 1ul << __QUEUE_STATE_FROZEN;
constexpr unsigned long QUEUE_STATE_ANY_XOFF = QUEUE_STATE_DRV_XOFF | QUEUE_STATE_STACK_XOFF;
constexpr unsigned long QUEUE_STATE_ANY_XOFF_OR_FROZEN = QUEUE_STATE_ANY_XOFF | QUEUE_STATE_FROZEN;

// Device features (include/linux/netdev_features.h); names as the kernel's, bit values the
// model's own.
using netdev_features_t = uint64_t;
constexpr netdev_features_t NETIF_F_SG = 1u << 0;         // scatter-gather (paged skbs)
constexpr netdev_features_t NETIF_F_IP_CSUM = 1u << 1;    // TCP/UDP over IPv4 checksum
constexpr netdev_features_t NETIF_F_HW_CSUM = 1u << 3;    // any checksum (csum_start/offset)
constexpr netdev_features_t NETIF_F_IPV6_CSUM = 1u << 4;  // TCP/UDP over IPv6 checksum
constexpr netdev_features_t NETIF_F_TSO = 1u << 16;
constexpr netdev_features_t NETIF_F_TSO6 = 1u << 20;
constexpr netdev_features_t NETIF_F_GSO_UDP_L4 = 1u << 23;

constexpr unsigned DEFAULT_TX_QUEUE_LEN = 1000;  // txqueuelen (ether_setup)
constexpr int dev_tx_weight = 64;                // net.core.dev_weight_tx_bias * dev_weight

// struct netdev_queue: one TX queue of a device.
struct netdev_queue {
  net_device* dev = nullptr;
  Qdisc* qdisc = nullptr;  // where dev_queue_xmit enqueues (the mq root's child for it)
  unsigned long state = 0;
  uint64_t trans_start = 0;  // jiffies of the last NETDEV_TX_OK (txq_trans_update)
  unsigned index = 0;        // queue number (netdev_get_tx_queue(dev, index) == this)
  struct dql dql;            // BQL
  // sysfs queues/tx-N/tx_timeout, and counters for the report: restarts after a stop
  uint64_t trans_timeout = 0;
};

struct net_device_ops {
  std::function<void(net_device*)> ndo_open;  // optional
  std::function<netdev_tx_t(sk_buff*, net_device*)> ndo_start_xmit;
  std::function<void(net_device*, unsigned)> ndo_tx_timeout;  // optional: dev_watchdog calls it
};

// net_device_stats (the part the TX path counts: rtnl_link_stats64 / `ip -s link`)
struct net_device_stats {
  uint64_t tx_packets = 0, tx_bytes = 0, tx_dropped = 0, tx_errors = 0;
};

// __LINK_STATE_* bits in net_device::state
enum : unsigned { __LINK_STATE_START = 0, __LINK_STATE_NOCARRIER = 2 };

struct net_device {
  kernel* k = nullptr;
  std::string name = "eth0";
  uint8_t dev_addr[6] = {};
  unsigned mtu = 1500;
  unsigned tx_queue_len = DEFAULT_TX_QUEUE_LEN;
  netdev_features_t features = 0;
  net_device_ops netdev_ops;
  void* priv = nullptr;  // netdev_priv
  unsigned long state = 0;
  unsigned num_tx_queues = 1, real_num_tx_queues = 1;
  std::vector<netdev_queue> _tx;  // num_tx_queues entries; never reallocated after alloc
  Qdisc* qdisc = nullptr;         // the root (mq on a multiqueue device)
  net_device_stats stats;
  // The qdiscs dev_activate built (the root and its children), owned by the device
  std::vector<std::unique_ptr<Qdisc>> qdiscs;
  ~net_device();
};

// alloc_etherdev_mq: a device with `txqs` TX queues (real_num_tx_queues = txqs until
// netif_set_real_num_tx_queues), each with its BQL initialised (hold time HZ).
std::unique_ptr<net_device> alloc_etherdev_mq(kernel& k, unsigned txqs);
int netif_set_real_num_tx_queues(net_device* dev, unsigned txq);
int register_netdev(net_device* dev);
// dev_open -> __dev_open: ndo_open, set __LINK_STATE_START, dev_activate (attach the
// default qdiscs: mq + one pfifo_fast of tx_queue_len per TX queue on a multiqueue device,
// pfifo_fast at the root on a single-queue one).
int dev_open(net_device* dev);
inline bool netif_running(const net_device* dev) {
  return dev->state & (1ul << __LINK_STATE_START);
}

inline netdev_queue* netdev_get_tx_queue(net_device* dev, unsigned index) {
  return &dev->_tx[index];
}
inline uint16_t skb_get_queue_mapping(const sk_buff* skb) { return skb->queue_mapping; }
inline void skb_set_queue_mapping(sk_buff* skb, uint16_t q) { skb->queue_mapping = q; }

// Queue stop/wake. The _subqueue forms take the queue number.
void netif_tx_start_queue(netdev_queue* q);
void netif_tx_start_all_queues(net_device* dev);
void netif_tx_stop_queue(netdev_queue* q);
void netif_tx_stop_all_queues(net_device* dev);
// netif_tx_wake_queue: clear DRV_XOFF; if it was set, __netif_schedule the queue's qdisc
void netif_tx_wake_queue(netdev_queue* q);
void netif_tx_wake_all_queues(net_device* dev);
inline bool netif_tx_queue_stopped(const netdev_queue* q) {
  return q->state & QUEUE_STATE_DRV_XOFF;
}
inline bool netif_xmit_stopped(const netdev_queue* q) { return q->state & QUEUE_STATE_ANY_XOFF; }
inline bool netif_xmit_frozen_or_stopped(const netdev_queue* q) {
  return q->state & QUEUE_STATE_ANY_XOFF_OR_FROZEN;
}
inline bool netif_xmit_frozen_or_drv_stopped(const netdev_queue* q) {
  return q->state & (QUEUE_STATE_DRV_XOFF | QUEUE_STATE_FROZEN);
}
inline void netif_stop_subqueue(net_device* dev, uint16_t i) {
  netif_tx_stop_queue(netdev_get_tx_queue(dev, i));
}
inline void netif_wake_subqueue(net_device* dev, uint16_t i) {
  netif_tx_wake_queue(netdev_get_tx_queue(dev, i));
}
inline bool __netif_subqueue_stopped(net_device* dev, uint16_t i) {
  return netif_tx_queue_stopped(netdev_get_tx_queue(dev, i));
}
// txq_trans_update: the driver (or netdev_start_xmit on NETDEV_TX_OK) notes the time
void txq_trans_update(netdev_queue* q);

// xmit_more (netdev_xmit_more, v5.2+: per-CPU softnet_data.xmit.more): true while
// ndo_start_xmit runs for an skb that the same dev_hard_start_xmit call follows with another.
// A driver may then leave the doorbell (TDT write) for the last one.
bool netdev_xmit_more(kernel& k);

// BQL (include/linux/netdevice.h): bytes handed to the hardware and bytes completed.
// netdev_tx_sent_queue: dql_queued; if dql_avail < 0 set STACK_XOFF (re-checked after the
// barrier, as the kernel does, so a completion in between cannot leave it stopped).
void netdev_tx_sent_queue(netdev_queue* q, unsigned bytes);
// __netdev_tx_sent_queue(q, bytes, xmit_more) (v4.20+): the same; returns whether the driver
// must ring the doorbell now (!xmit_more or the queue stopped).
bool __netdev_tx_sent_queue(netdev_queue* q, unsigned bytes, bool xmit_more);
// netdev_tx_completed_queue: dql_completed; if dql_avail >= 0 and STACK_XOFF was set, clear
// it and netif_schedule_queue. bytes == 0: nothing (as the kernel).
void netdev_tx_completed_queue(netdev_queue* q, unsigned pkts, unsigned bytes);
// netdev_tx_reset_queue: clear STACK_XOFF, dql_reset (the driver's ring clean at down/open)
void netdev_tx_reset_queue(netdev_queue* q);
inline void netdev_sent_queue(net_device* dev, unsigned bytes) {
  netdev_tx_sent_queue(netdev_get_tx_queue(dev, 0), bytes);
}
inline void netdev_completed_queue(net_device* dev, unsigned pkts, unsigned bytes) {
  netdev_tx_completed_queue(netdev_get_tx_queue(dev, 0), pkts, bytes);
}

// Freeing transmitted skbs. Both run skb->sk_destructor (sock_wfree) and free the skb and its
// buffers; the CPU time (cost.skb_free_ns, plus what sock_wfree spends) is charged to the
// running context. dev_kfree_skb_any: from any context (the kernel defers to the per-CPU
// completion_queue in hard IRQ context; the model frees at once). napi_consume_skb: from NAPI
// (budget 0 = netpoll, treated the same).
void dev_kfree_skb_any(sk_buff* skb);
void dev_consume_skb_any(sk_buff* skb);
void napi_consume_skb(sk_buff* skb, int budget);

// The stack's side
// dev_queue_xmit (net/core/dev.c __dev_queue_xmit): skb->dev set, data at the MAC header.
// Returns NET_XMIT_SUCCESS or NET_XMIT_DROP (the skb is consumed either way).
int dev_queue_xmit(sk_buff* skb);
// netdev_pick_tx: the TX queue by the flow hash (skb_tx_hash; no XPS, no socket cache)
uint16_t netdev_pick_tx(net_device* dev, sk_buff* skb);
// skb_get_hash: the flow hash (computed once by the flow dissector, then kept in skb->hash)
uint32_t skb_get_hash(sk_buff* skb);
// skb_tx_hash: reciprocal_scale(skb_get_hash(skb), real_num_tx_queues)
uint16_t skb_tx_hash(const net_device* dev, sk_buff* skb);
// __netif_schedule: put the qdisc on this CPU's output_queue and raise NET_TX_SOFTIRQ, unless
// it is already scheduled (__QDISC_STATE_SCHED)
void __netif_schedule(Qdisc* q);
// netif_schedule_queue: __netif_schedule(txq->qdisc) unless the queue is stopped
void netif_schedule_queue(netdev_queue* q);
// net_tx_action: NET_TX_SOFTIRQ's handler: run the qdiscs this CPU's output_queue holds
void net_tx_action(kernel& k);

}  // namespace igbsim
