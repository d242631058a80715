// SPDX-License-Identifier: Apache-2.0
#include "tx_checkers.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "netdevice.h"

namespace igbsim {

using namespace sc_core;

tx_checkers::tx_checkers(kernel& k, igb_adapter& adapter, double tx_timeout_us)
    : k_(k), adapter_(adapter), tx_timeout_us_(tx_timeout_us) {}

igb_ring* tx_checkers::ring_of(unsigned reg_idx) const {
  for (const auto& r : adapter_.tx_ring)
    if (r->reg_idx == reg_idx) return r.get();
  return nullptr;
}

tx_checkers::ring_state& tx_checkers::state_of(const igb_ring* ring) {
  ring_state& rs = rings_[ring->reg_idx];
  if (rs.slots.size() != ring->count) rs.slots.assign(ring->count, slot{});
  return rs;
}

void tx_checkers::queued(igb_ring* ring) {
  ring_state& rs = state_of(ring);
  const uint16_t end = ring->next_to_use;
  const uint16_t eop = static_cast<uint16_t>((end + ring->count - 1) % ring->count);
  // From the last packet's end: the context descriptor igb_tx_ctxtdesc wrote comes first
  for (uint16_t i = rs.recorded;; i = static_cast<uint16_t>((i + 1) % ring->count)) {
    const e1000_adv_tx_desc* d = IGB_TX_DESC(ring, i);
    slot& s = rs.slots[i];
    s = slot{};
    std::memcpy(s.stored, d, sizeof s.stored);
    s.queued = true;
    s.eop = eop;
    const uint32_t ctl = d->read.cmd_type_len;
    const bool ctx = (ctl & 0x00F00000) == E1000_ADVTXD_DTYP_CTXT && (ctl & E1000_ADVTXD_DCMD_DEXT);
    if (!ctx && (ctl & 0xFFFF)) {
      s.buf = d->read.buffer_addr;
      s.len = ctl & 0xFFFF;
      bufs_[s.buf] = {ring->reg_idx, i};
    }
    if (i == eop) break;
  }
  rs.recorded = end;
}

void tx_checkers::nic_read(unsigned queue, bool desc, uint64_t addr, const uint8_t* data,
                           uint32_t len, const sc_time& done) {
  if (!desc) {  // a data read: it belongs to the mapped buffer holding addr
    auto it = bufs_.upper_bound(addr);
    if (it == bufs_.begin()) return;
    --it;
    const igb_ring* ring = ring_of(it->second.first);
    if (!ring) return;
    slot& s = state_of(ring).slots[it->second.second];
    if (addr >= s.buf + s.len) return;
    s.read += len;
    s.read_done = std::max(s.read_done, done);
    return;
  }
  const igb_ring* ring = ring_of(queue);
  if (!ring || addr < ring->dma) return;
  ring_state& rs = state_of(ring);
  for (uint32_t j = 0; j < len / 16; ++j) {
    const uint64_t i = (addr - ring->dma) / 16 + j;
    if (i >= ring->count) break;
    const slot& s = rs.slots[i];
    if (!s.queued || !std::memcmp(s.stored, data + 16 * j, 16) || rs.fetch_reported) continue;
    rs.fetch_reported = true;
    uint32_t ctl_read, ctl_stored;
    std::memcpy(&ctl_read, data + 16 * j + 8, 4);
    std::memcpy(&ctl_stored, s.stored + 8, 4);
    k_.violate_at(done, "tx_desc_read_before_written",
                  fmt::format("transmit queue {}: the NIC fetched descriptor {} as cmd_type_len "
                              "0x{:08x}, but the driver had stored 0x{:08x} before its TDT write",
                              queue, i, ctl_read, ctl_stored));
  }
}

void tx_checkers::written_back(unsigned queue, uint64_t addr, uint32_t len,
                               const sc_time& visible) {
  const igb_ring* ring = ring_of(queue);
  if (!ring || addr < ring->dma) return;
  ring_state& rs = state_of(ring);
  for (uint32_t j = 0; j < len / 16; ++j) {
    const uint64_t i = (addr - ring->dma) / 16 + j;
    if (i >= ring->count) break;
    rs.slots[i].wb = true;
    rs.slots[i].wb_visible = visible;
  }
}

void tx_checkers::unmapped(uint64_t dma) {
  auto it = bufs_.find(dma);
  if (it == bufs_.end()) return;  // not a transmitted buffer handed to the NIC
  const auto [reg_idx, i] = it->second;
  bufs_.erase(it);
  const igb_ring* ring = ring_of(reg_idx);
  if (!ring || adapter_.down || freed_reported_) return;  // igb_down may free anything
  const slot& e = state_of(ring).slots[state_of(ring).slots[i].eop];
  const sc_time now = k_.this_cpu().now();
  if (e.wb && e.wb_visible <= now) return;
  freed_reported_ = true;
  k_.violate("tx_buffer_freed_before_dd",
             fmt::format("transmit queue {}: buffer 0x{:x} of descriptor {} unmapped while its "
                         "packet's EOP descriptor {} {}",
                         reg_idx, dma, i, state_of(ring).slots[i].eop,
                         e.wb ? fmt::format("was written back, visible only at {:.3f} us",
                                            e.wb_visible.to_seconds() * 1e6)
                              : std::string("has not been written back (no DD)")));
}

// tx_completion_missing: the oldest packet of each ring the driver waits for (next_to_clean's
// next_to_watch), read whole by the NIC more than kCompletionBoundUs ago, none of its
// descriptors written back
void tx_checkers::check_completions() {
  const sc_time now = sc_time_stamp(), bound(kCompletionBoundUs, SC_US);
  for (const auto& ring : adapter_.tx_ring) {
    ring_state& rs = state_of(ring.get());
    const int eop = ring->tx_buffer_info[ring->next_to_clean].next_to_watch;
    if (eop < 0 || rs.missing_reported) continue;
    sc_time read_done = SC_ZERO_TIME;
    bool whole = true, any_wb = false;
    for (uint16_t i = ring->next_to_clean;; i = static_cast<uint16_t>((i + 1) % ring->count)) {
      const slot& s = rs.slots[i];
      whole = whole && s.queued && s.read >= s.len;
      any_wb = any_wb || s.wb;
      read_done = std::max(read_done, s.read_done);
      if (i == eop) break;
    }
    // (the last completion may still be on its way: the NIC runs ahead of SystemC time)
    if (!whole || any_wb || read_done > now || now - read_done < bound) continue;
    rs.missing_reported = true;
    k_.violate_at(
        now, "tx_completion_missing",
        fmt::format("transmit queue {}: the packet in descriptors {}..{} was read by the "
                    "NIC at {:.3f} us and nothing reports it done (no write-back, DD)",
                    ring->reg_idx, ring->next_to_clean, eop, read_done.to_seconds() * 1e6));
  }
}

// dev_watchdog (net/sched/sch_generic.c): a queue stopped (netif_xmit_stopped: by the driver
// or by BQL) whose last transmit is older than watchdog_timeo; the kernel then WARNs once
// ("NETDEV WATCHDOG: ... transmit queue N timed out") and calls ndo_tx_timeout. Here the
// warning is the violation, and ndo_tx_timeout runs as the kernel's does, from the timer
// softirq (dev_watchdog is a timer), on CPU 0: igb_tx_timeout counts tx_timeout_count and
// raises the queue vectors. The reset task it schedules (igb_reinit_locked) is not modelled;
// the run has failed its checks by then.
// One excuse the kernel does not make, because watchdog_timeo is 100 ms here, not 5 s: a
// queue whose ring still holds a packet waiting for its completion, or whose BQL still counts
// bytes in flight, which will wake it however slow the CPU is (a cost of a second per refill
// is a valid configuration); a completion that never comes for a packet the NIC has read is
// tx_completion_missing's.
void tx_checkers::dev_watchdog() {
  net_device* dev = adapter_.netdev;
  if (timeout_reported_ || !dev || !netif_running(dev) ||
      dev->state & (1ul << __LINK_STATE_NOCARRIER))
    return;
  const uint64_t jiffies = k_.jiffies_at(sc_time_stamp());
  const uint64_t timeo = k_.usecs_to_jiffies(static_cast<uint64_t>(tx_timeout_us_));
  for (unsigned i = 0; i < dev->real_num_tx_queues; ++i) {
    netdev_queue* txq = netdev_get_tx_queue(dev, i);
    if (!netif_xmit_stopped(txq) || jiffies <= txq->trans_start + timeo) continue;
    const auto waiting =
        std::find_if(adapter_.tx_ring.begin(), adapter_.tx_ring.end(), [&](const auto& r) {
          return r->queue_index == i && r->tx_buffer_info[r->next_to_clean].next_to_watch >= 0;
        });
    // (or BQL still counts bytes in flight: the driver is inside its completion loop)
    if (waiting != adapter_.tx_ring.end() || dql_inflight(&txq->dql)) continue;
    ++txq->trans_timeout;
    timeout_reported_ = true;
    k_.violate_at(sc_time_stamp(), "tx_timeout",
                  fmt::format("NETDEV WATCHDOG: {}: transmit queue {} timed out {} ms (stopped by "
                              "{})",
                              dev->name, i, (jiffies - txq->trans_start) * 1000 / k_.params.hz,
                              txq->state & QUEUE_STATE_DRV_XOFF ? "the driver" : "BQL"));
    if (dev->netdev_ops.ndo_tx_timeout)
      k_.cpu(0).add_timer(sc_time_stamp(), [dev, i] { dev->netdev_ops.ndo_tx_timeout(dev, i); });
    return;
  }
}

// dev_watchdog's timer runs every watchdog_timeo; the completion check at a quarter of its
// bound. The finer period serves both.
sc_time tx_checkers::watch_period() const {
  return sc_time(std::min(tx_timeout_us_, kCompletionBoundUs) / 4, SC_US);
}

sc_time tx_checkers::verdict_within() const {
  return sc_time(std::max(tx_timeout_us_, kCompletionBoundUs), SC_US) + watch_period();
}

void tx_checkers::watch() {
  while (adapter_.down) wait(sc_time(100, SC_US));
  const sc_time period = watch_period();
  for (;;) {
    wait(period);
    check_completions();
    dev_watchdog();
  }
}

void tx_checkers::spawn() {
  sc_spawn([this] { watch(); }, "tx_watchdog");
}

}  // namespace igbsim
