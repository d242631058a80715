// SPDX-License-Identifier: Apache-2.0
// What the igb model adds to the kernel's receive path, kept out of the kernel-named functions
// of igb_main.cpp: the planted driver faults (fault.*), asked through small predicates, and the
// observer through which the journey, the waveform probes and the model's own checks follow
// the path. Neither has a counterpart in igb_main.c.
#pragma once
#include <cstdint>
#include <utility>
#include <vector>

#include "e1000_regs.h"

namespace sc_core {
class sc_time;
}

namespace igbsim {

struct igb_q_vector;
struct igb_ring;
struct sk_buff;
class hal;

// Planted bugs, for testing the checkers (fault.*). Each is a classic driver mistake.
struct igb_fault_hooks {
  uint64_t lose_eims_write =
      0;  // the EIMS write (IMS without MSI-X) of the N-th completed poll is lost (0: none)
  bool eims_before_complete = false;    // unmask, then napi_complete_done
  bool ignore_complete_result = false;  // unmask even when napi_complete_done returned false
  bool budget_complete = false;         // complete NAPI yet return the whole budget
  uint64_t skip_tail_write = 0;         // the RDT write of the N-th refill is forgotten (0: none)
  bool no_dma_rmb = false;              // descriptor fields loaded ahead of the completion check
  bool stale_marker = false;            // refill leaves the old completion marker in place
  bool tail_equals_head =
      false;  // refill counts one descriptor too many: RDT reaches next_to_clean
  bool refill_stack_owned = false;  // a page half is reused while the stack still holds it
  // Transmit
  bool tx_tdt_before_desc = false;  // no wmb: the TDT write overtakes the descriptor stores
  bool tx_no_rs = false;            // RS never set: the NIC never reports a packet done
  bool tx_free_before_dd = false;   // completion frees a packet without looking at its DD
  bool tx_never_wake = false;       // a stopped queue is never woken again
  bool tx_tdt_beyond_ring = false;  // the TDT write at the wrap writes count, not 0

  // igb_poll completes NAPI in a planted way (budget_complete, eims_before_complete,
  // ignore_complete_result)
  bool completion_planted() const {
    return budget_complete || eims_before_complete || ignore_complete_result;
  }
  // igb_ring_irq_enable's unmask of the `completion`-th completed poll is lost (counts from 1)
  bool eims_write_lost(uint64_t completion) const { return completion == lose_eims_write; }
  // igb_alloc_rx_buffers' RDT write of the `refill`-th refill is forgotten (counts from 1)
  bool tail_write_lost(uint64_t refill) const { return refill == skip_tail_write; }
  // igb_alloc_rx_buffers clears the completion marker it refills (not with stale_marker)
  bool refill_clears_marker() const { return !stale_marker; }
  // igb_clean_rx_irq loads the descriptor's fields before its completion check
  bool loads_before_dma_rmb() const { return no_dma_rmb; }
  // descriptors igb_clean_rx_irq counts free beyond igb_desc_unused
  uint16_t unused_overcount() const { return tail_equals_head ? 1 : 0; }
  // igb_can_reuse_rx_page reuses a page whatever references the stack still holds
  bool reuse_ignores_refs() const { return refill_stack_owned; }
  // igb_tx_map's descriptor stores drain to memory only after its TDT write (they become
  // visible when the driver next enters the ring: igb_tx_drain_stores)
  bool tx_stores_after_doorbell() const { return tx_tdt_before_desc; }
  // igb_tx_map marks the EOP descriptor RS
  bool tx_sets_rs() const { return !tx_no_rs; }
  // igb_clean_tx_irq takes a packet whose EOP descriptor has no DD yet
  bool tx_ignores_dd() const { return tx_free_before_dd; }
  // netif_wake_subqueue of igb_clean_tx_irq and __igb_maybe_stop_tx's reprieve are lost
  bool tx_wake_lost() const { return tx_never_wake; }
  // the tail written when next_to_use wrapped to 0 (0, or count with tx_tdt_beyond_ring)
  uint32_t tx_tail_value(uint32_t i, uint32_t count) const {
    return tx_tdt_beyond_ring && i == 0 ? count : i;
  }
};

// The CPU's late descriptor stores of the planted missing-wmb fault (tx_tdt_before_desc):
// igb_xmit_frame_ring notes the descriptors a packet may write (begin), igb_tx_map at its
// doorbell takes back what it wrote and keeps it pending (defer) - the TDT write overtakes the
// stores -, and they land when the driver next enters the ring (drain). Idle without the fault.
class igb_tx_store_buffer {
 public:
  void begin(e1000_adv_tx_desc* ring, unsigned count, unsigned first, unsigned n) {
    for (unsigned j = 0; j < n; ++j) {
      e1000_adv_tx_desc* d = ring + (first + j) % count;
      old_.emplace_back(d, *d);
    }
  }
  void defer() {
    for (auto it = old_.rbegin(); it != old_.rend(); ++it) {
      pending_.emplace_back(it->first, *it->first);
      *it->first = it->second;
    }
    old_.clear();
  }
  void drain() {
    for (auto& [d, v] : pending_) *d = v;
    pending_.clear();
  }

 private:
  std::vector<std::pair<e1000_adv_tx_desc*, e1000_adv_tx_desc>> old_, pending_;
};

// The driver's tracepoints: the journey (when each frame reached each step), the waveform's
// software signals and the model's own consistency checks listen here. The calls come in the
// order the driver reaches them; none changes what the driver does (irq_entry only notes the
// interrupt's times in the napi_struct, for the journey).
class igb_rx_observer {
 public:
  virtual ~igb_rx_observer() = default;
  // An interrupt handler of q_vector started, raised on MSI-X `vector` (0 without MSI-X).
  virtual void irq_entry(igb_q_vector* q_vector, unsigned vector) = 0;
  // igb_clean_rx_irq consumed the completed descriptor at next_to_clean, whose fields it
  // loaded as rx_desc (at *fields_loaded, when that was before the completion check).
  // Returns the frame's id, or UINT64_MAX when no write-back was visible.
  virtual uint64_t rx_desc_read(igb_ring* rx_ring, const e1000_adv_rx_desc& rx_desc,
                                const sc_core::sc_time* fields_loaded) = 0;
  // A completed descriptor had no buffer behind it.
  virtual void rx_buffer_missing(igb_ring* rx_ring, uint64_t frame) = 0;
  // A later buffer of `frame` joined skb as a page fragment.
  virtual void rx_frag_added(igb_ring* rx_ring, const sk_buff* skb, uint64_t frame) = 0;
  // next_to_clean moved on.
  virtual void rx_cleaned(igb_ring* rx_ring) = 0;
  // A frame went up the stack; budget_left of the poll's budget remain.
  virtual void rx_frame_passed(igb_ring* rx_ring, int budget_left) = 0;
  // igb_alloc_rx_buffers moved next_to_use.
  virtual void rx_refilled(igb_ring* rx_ring) = 0;

  // Transmit (no-ops unless an observer follows them)
  // igb_tx_map wrote the descriptors of skb, [first, next_to_use) of tx_ring
  virtual void tx_queued(igb_ring* /*tx_ring*/, const sk_buff* /*skb*/, uint16_t /*first*/) {}
  // igb_tx_map rang the doorbell: TDT := tail
  virtual void tx_doorbell(igb_ring* /*tx_ring*/, uint32_t /*tail*/) {}
  // igb_clean_tx_irq freed skb, whose EOP descriptor it found done (or not: a planted fault)
  virtual void tx_completed(igb_ring* /*tx_ring*/, const sk_buff* /*skb*/) {}
  // igb_clean_tx_irq finished: `packets` cleaned, `complete` false when it hit its work limit
  virtual void tx_cleaned(igb_ring* /*tx_ring*/, unsigned /*packets*/, bool /*complete*/) {}
  // The queue was stopped (ring full) or woken again
  virtual void tx_queue_stopped(igb_ring* /*tx_ring*/) {}
  virtual void tx_queue_woken(igb_ring* /*tx_ring*/) {}
  // igb_clean_tx_irq's hang check fired ("Detected Tx Unit Hang"): what igb logs
  struct tx_hang_report {
    unsigned queue;
    uint32_t tdh, tdt;
    uint16_t next_to_use, next_to_clean;
    uint64_t time_stamp, jiffies;
    uint32_t desc_status;  // wb.status of the watched EOP descriptor
  };
  virtual void tx_unit_hang(igb_ring* /*tx_ring*/, const tx_hang_report& /*r*/) {}
};

// The observer igb_open installs when the adapter has none: the hal's tracepoint, the
// kernel's journey, waveform probes and violations.
class igb_trace_observer final : public igb_rx_observer {
 public:
  explicit igb_trace_observer(hal& hw) : hw_(hw) {}
  void irq_entry(igb_q_vector* q_vector, unsigned vector) override;
  uint64_t rx_desc_read(igb_ring* rx_ring, const e1000_adv_rx_desc& rx_desc,
                        const sc_core::sc_time* fields_loaded) override;
  void rx_buffer_missing(igb_ring* rx_ring, uint64_t frame) override;
  void rx_frag_added(igb_ring* rx_ring, const sk_buff* skb, uint64_t frame) override;
  void rx_cleaned(igb_ring* rx_ring) override;
  void rx_frame_passed(igb_ring* rx_ring, int budget_left) override;
  void rx_refilled(igb_ring* rx_ring) override;
  void tx_unit_hang(igb_ring* tx_ring, const tx_hang_report& r) override;

 private:
  hal& hw_;
};

}  // namespace igbsim
