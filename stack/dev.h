// SPDX-License-Identifier: Apache-2.0
// NAPI and the receive softirq (net/core/dev.c): napi_schedule_prep with MISSED,
// net_rx_action with netdev_budget and netdev_budget_usecs, __napi_poll's round-robin repoll
// when a poll uses its whole weight, napi_complete_done returning false when MISSED was set,
// and GRO: in-sequence TCP segments of one connection merge into one packet (dev_gro_receive,
// tcp4_gro_receive); packets GRO does not hold go out in batches of gro_normal_batch = 8.
#pragma once
#include <systemc>

#include <cstdint>
#include <functional>
#include <vector>

#include "skbuff.h"

namespace igbsim {

class kernel;

enum napi_state_bit : uint32_t {
  NAPI_STATE_SCHED = 1u << 0,
  NAPI_STATE_MISSED = 1u << 1,
  NAPI_STATE_DISABLE = 1u << 2,
};

constexpr int NAPI_POLL_WEIGHT = 64;
constexpr int gro_normal_batch = 8;
constexpr size_t MAX_GRO_SKBS = 8;        // flows GRO holds per NAPI
constexpr uint32_t GRO_MAX_SIZE = 65536;  // a merged packet's limit (gro_max_size)

struct napi_struct {
  kernel* k = nullptr;
  uint32_t state = 0;
  int weight = NAPI_POLL_WEIGHT;
  unsigned index = 0;    // which queue's probe signals it drives
  void* priv = nullptr;  // the driver's container (container_of)
  std::function<int(napi_struct*, int)> poll;
  std::vector<sk_buff*> rx_list;   // GRO normal list
  std::vector<sk_buff*> gro_hash;  // packets GRO holds for merging, oldest first
  // For the journey: the interrupt that scheduled this NAPI, and the current poll's start.
  sc_core::sc_time irq_msix_sent, irq_msix_arrival, irq_entry, poll_start;
  bool irq_valid = false;
  bool on_poll_list = false;
  int defer_hard_irqs_count = 0;  // completions left that keep the IRQ masked
  // napi_complete_done returned false and no poll has run since: the driver must keep the
  // interrupt masked (the NAPI is rescheduled or its deferral timer will poll)
  bool complete_refused = false;
  // The NAPI's hrtimer (napi_watchdog) is armed: its expiry, or zero. Arming it again restarts
  // it (hrtimer_start on an armed timer moves its expiry), so only the latest arming fires.
  sc_core::sc_time timer_expires = sc_core::SC_ZERO_TIME;
};

// NAPI probe states (waveform sw.napi0_state)
enum : uint32_t { NAPI_PROBE_IDLE = 0, NAPI_PROBE_SCHEDULED = 1, NAPI_PROBE_POLLING = 2 };

void netif_napi_add(kernel& k, napi_struct* n, std::function<int(napi_struct*, int)> poll,
                    int weight);
bool napi_schedule_prep(napi_struct* n);
void __napi_schedule(napi_struct* n);
bool napi_schedule(napi_struct* n);
bool napi_complete_done(napi_struct* n, int work_done);
void napi_gro_receive(napi_struct* n, sk_buff* skb);
// What merging skb (pulled to its payload) adds to the held packet's truesize (skb_gro_receive)
uint32_t gro_truesize_delta(const sk_buff* skb);
void net_rx_action(kernel& k);
int netif_receive_skb(kernel& k, sk_buff* skb);
// netif_rx (enqueue_to_backlog): the receive path of drivers without NAPI. The frame joins this
// CPU's input_pkt_queue unless it already holds more than netdev_max_backlog (then it is
// dropped and counted in softnet_stat's dropped column); the backlog NAPI is scheduled when
// the queue was empty. Returns NET_RX_SUCCESS (0) or NET_RX_DROP (1).
int netif_rx(kernel& k, sk_buff* skb);
// process_backlog: the backlog NAPI's poll, draining input_pkt_queue through
// __netif_receive_skb, at most `quota` (dev_weight, 64) frames per call.
int process_backlog(napi_struct* napi, int quota);
constexpr int weight_p = 64;        // net.core.dev_weight
constexpr unsigned kNoQueue = ~0u;  // napi_struct::index of a NAPI that is no device queue's
// Drop with accounting: the frame's fate is `counter`.
void drop_skb(kernel& k, sk_buff* skb, const char* counter);

}  // namespace igbsim
