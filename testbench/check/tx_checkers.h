// SPDX-License-Identifier: Apache-2.0
// tx_checkers: the transmit path's checkers of the driver against the NIC, outside both
// (README "Checkers and planted bugs"). They follow each descriptor the driver writes (its
// tracepoint igb_rx_observer::tx_queued, through tx_check_observer), what the NIC reads and
// writes back (nic::on_tx_read, nic::on_tx_writeback) and the driver's unmapping of buffers
// (hal::on_dma_unmap):
//
//   tx_desc_read_before_written  the NIC's fetch of a descriptor returned bytes other than
//                                those the driver had stored in it before its TDT write (the
//                                doorbell overtook the stores: a missing wmb)
//   tx_buffer_freed_before_dd    the driver unmapped a buffer of a packet whose EOP
//                                descriptor's write-back (DD) was not yet visible to its CPU
//   tx_completion_missing        the NIC read the whole of the oldest packet the driver waits
//                                for kCompletionBound ago and has written nothing back for it
//   tx_timeout                   dev_watchdog (net/sched/sch_generic.c): a transmit queue is
//                                stopped (netif_xmit_stopped) and its last transmit
//                                (trans_start) is older than watchdog_timeo (sim.tx_timeout_us)
#pragma once
#include <systemc>

#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "igb.h"
#include "igb_hooks.h"
#include "kernel.h"

namespace igbsim {

class tx_checkers {
 public:
  // tx_timeout_us: dev->watchdog_timeo (sim.tx_timeout_us)
  tx_checkers(kernel& k, igb_adapter& adapter, double tx_timeout_us);
  // igb_tx_map wrote one packet's descriptors up to ring->next_to_use (igb_tx_ctxtdesc's
  // context descriptor before them included): what the driver stored, in program order
  void queued(igb_ring* ring);
  // The NIC read host memory for transmit queue `queue` (nic::on_tx_read)
  void nic_read(unsigned queue, bool desc, uint64_t addr, const uint8_t* data, uint32_t len,
                const sc_core::sc_time& done);
  // The NIC wrote descriptors back with DD (nic::on_tx_writeback)
  void written_back(unsigned queue, uint64_t addr, uint32_t len, const sc_core::sc_time& visible);
  // The driver unmapped the buffer at bus address dma (hal::on_dma_unmap)
  void unmapped(uint64_t dma);
  // The watchdog thread (tx_completion_missing, tx_timeout)
  void spawn();
  // How long after the transmit path stops moving both checkers have judged what it left:
  // the longer of their bounds and one period of the thread that looks
  sc_core::sc_time verdict_within() const;

  // A packet read whole by the NIC gets its write-back within this: with WTHRESH the part
  // holds done descriptors until the vector's EITR interval ends (at most 8.191 ms: EITR's
  // interval field, bits 14:2, counts microseconds); three times that, nothing will report it
  static constexpr double kCompletionBoundUs = 25000;

 private:
  struct slot {
    uint8_t stored[16] = {};  // the descriptor as the driver wrote it
    bool queued = false;
    uint16_t eop = 0;  // the packet's EOP descriptor
    uint64_t buf = 0;  // a data descriptor's buffer (len > 0)
    uint32_t len = 0, read = 0;
    sc_core::sc_time read_done;  // when the last of its data reads' completions arrived
    bool wb = false;             // written back this lap
    sc_core::sc_time wb_visible;
  };
  struct ring_state {
    std::vector<slot> slots;
    uint16_t recorded = 0;  // next_to_use as of the last packet recorded
    bool fetch_reported = false, missing_reported = false;
  };
  igb_ring* ring_of(unsigned reg_idx) const;
  ring_state& state_of(const igb_ring* ring);
  void check_completions();
  void dev_watchdog();
  sc_core::sc_time watch_period() const;
  void watch();

  kernel& k_;
  igb_adapter& adapter_;
  const double tx_timeout_us_;
  std::map<unsigned, ring_state> rings_;                    // by reg_idx
  std::map<uint64_t, std::pair<unsigned, uint16_t>> bufs_;  // mapped buffer -> ring, index
  bool freed_reported_ = false, timeout_reported_ = false;
};

// The observer the testbench installs in the adapter: the driver's own (igb_trace_observer)
// plus the transmit checkers' view of each packet queued.
class tx_check_observer final : public igb_rx_observer {
 public:
  tx_check_observer(hal& hw, tx_checkers& c) : inner_(hw), c_(c) {}
  void irq_entry(igb_q_vector* q_vector, unsigned vector) override {
    inner_.irq_entry(q_vector, vector);
  }
  uint64_t rx_desc_read(igb_ring* rx_ring, const e1000_adv_rx_desc& rx_desc,
                        const sc_core::sc_time* fields_loaded) override {
    return inner_.rx_desc_read(rx_ring, rx_desc, fields_loaded);
  }
  void rx_buffer_missing(igb_ring* rx_ring, uint64_t frame) override {
    inner_.rx_buffer_missing(rx_ring, frame);
  }
  void rx_frag_added(igb_ring* rx_ring, const sk_buff* skb, uint64_t frame) override {
    inner_.rx_frag_added(rx_ring, skb, frame);
  }
  void rx_cleaned(igb_ring* rx_ring) override { inner_.rx_cleaned(rx_ring); }
  void rx_frame_passed(igb_ring* rx_ring, int budget_left) override {
    inner_.rx_frame_passed(rx_ring, budget_left);
  }
  void rx_refilled(igb_ring* rx_ring) override { inner_.rx_refilled(rx_ring); }
  void tx_queued(igb_ring* tx_ring, const sk_buff* skb, uint16_t first) override {
    inner_.tx_queued(tx_ring, skb, first);
    c_.queued(tx_ring);
  }
  void tx_doorbell(igb_ring* tx_ring, uint32_t tail) override { inner_.tx_doorbell(tx_ring, tail); }
  void tx_completed(igb_ring* tx_ring, const sk_buff* skb) override {
    inner_.tx_completed(tx_ring, skb);
  }
  void tx_cleaned(igb_ring* tx_ring, unsigned packets, bool complete) override {
    inner_.tx_cleaned(tx_ring, packets, complete);
  }
  void tx_queue_stopped(igb_ring* tx_ring) override { inner_.tx_queue_stopped(tx_ring); }
  void tx_queue_woken(igb_ring* tx_ring) override { inner_.tx_queue_woken(tx_ring); }
  void tx_unit_hang(igb_ring* tx_ring, const tx_hang_report& r) override {
    inner_.tx_unit_hang(tx_ring, r);
  }

 private:
  igb_trace_observer inner_;
  tx_checkers& c_;
};

}  // namespace igbsim
