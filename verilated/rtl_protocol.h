// SPDX-License-Identifier: Apache-2.0
// The port protocol of the Verilated NIC (rtl/igb_nic.sv): how the C++ around it presents
// inputs, clocks it and samples what it offers, one cycle at a time. The co-simulation
// (nic.cpp) and the bare harness (testbench/harness/rtl_harness.h) both drive the model through
// these functions; what each adds (the clock gates, SystemC time, waveforms, host memory) is its
// own.
//
// A cycle, in this order:
//  1. present: every input of the cycle is set with both clocks low (present_*). The NIC takes
//     each into a boundary register at the rising edge, so an input counts in the cycle it is
//     presented in. Inputs not presented keep their last value on the pins (data lines) or are
//     held invalid (the valid lines).
//  2. settle: eval with both clocks low. The outputs, all registered, now show what the NIC
//     offers in this cycle. The host is always ready (present_host_ready), so each request,
//     write-data beat, interrupt message and frame event shown is a handshake that completes
//     at this edge: sample them now (dma_request_of, collect_wdata, frame_end_of).
//  3. retire: inputs presented in this cycle are taken at the edge; drop them from their queues.
//  4. edge: the rising edge of the clocks opened in this cycle (clock_edge): both, or one
//     (rx_clk_i clocks the receive side, clk_i the rest; rtl/igb_nic.sv).
//  5. after the edge: a register read's completion (mmio_rvalid_o, mmio_rdata_o) shows the
//     cycle after the read has passed the boundary register (await_read_completion).
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <vector>

#include "rtl_ports.h"

namespace igbsim::rtl {

// DMA tags are {queue, class-or-slot} (rtl/igb_pkg.sv: DmaTagW, TagDataWr, TagWbWr, TagTxWbWr,
// TagTxDescRd, TagTxDataRd). Reads: receive descriptor fetches carry their slot 0-7, transmit
// ones 8 + slot (bit 3 says transmit), transmit data reads 0xC.
constexpr uint8_t kTagDataWr = 1, kTagWbWr = 2, kTagTxWbWr = 3;
constexpr uint8_t kTagTxDescRd = 8, kTagTxDataRd = 0xC;
constexpr unsigned tag_queue(uint32_t tag) { return tag >> 4; }
constexpr unsigned tag_class(uint32_t tag) { return tag & 0xF; }
constexpr bool tag_tx_desc_read(uint32_t tag) { return (tag & 0xC) == kTagTxDescRd; }
constexpr bool tag_tx_data_read(uint32_t tag) { return (tag & 0xF) == kTagTxDataRd; }

// A register read the NIC has not completed this many cycles after the request ends as a PCIe
// completion timeout does: all ones.
constexpr int kReadTimeoutCycles = 1000;

// Power-on reset: rst_ni pulsed low (asynchronous) with both clocks low.
template <class M>
inline void power_on_reset(M& m) {
  m.clk_i = 0;
  m.rx_clk_i = 0;
  m.rst_ni = 1;
  m.eval();
  m.rst_ni = 0;
  m.eval();
  m.rst_ni = 1;
  m.eval();
}

// ---- 1. Inputs

// The 1 us ticks of the EITR prescaler that elapse at this cycle (saturating at the port's
// 16 bits).
template <class M>
inline void present_ticks(M& m, uint64_t ticks) {
  m.ticks_1us_i = static_cast<uint16_t>(std::min<uint64_t>(ticks, 0xFFFF));
}

// The cycles from the last clk_i edge to this one, for igb_fc's pause timer (saturating at the
// port's 24 bits; a pause is at most 0xFFFF x 64 cycles).
template <class M>
inline void present_core_gap(M& m, uint64_t cycles) {
  m.core_gap_i = static_cast<uint32_t>(std::min<uint64_t>(cycles, 0xFFFFFF));
}

// Beat `beat` of a frame of n bytes (FCS included): its bytes [16 beat, 16 beat + 16) up to the
// frame's end. Returns whether it is the frame's last beat.
template <class M>
inline bool present_rx_beat(M& m, const uint8_t* frame, size_t n, size_t beat) {
  const size_t lo = kRxBeatBytes * beat, hi = std::min(n, lo + kRxBeatBytes);
  load_beat<kRxBeatBytes>(m.rx_data_i, frame + lo, hi - lo);
  m.rx_bytes_i = static_cast<uint8_t>(hi - lo);
  m.rx_valid_i = 1;
  m.rx_last_i = hi == n;
  return hi == n;
}

// No wire beat in this cycle.
template <class M>
inline void present_no_rx_beat(M& m) {
  m.rx_valid_i = 0;
  m.rx_last_i = 0;
}

// A register access on BAR0: a posted write, or a read (completed later: step 5).
template <class M>
inline void present_mmio_write(M& m, uint32_t addr, uint32_t data) {
  m.mmio_valid_i = 1;
  m.mmio_we_i = 1;
  m.mmio_addr_i = addr;
  m.mmio_wdata_i = data;
}
template <class M>
inline void present_mmio_read(M& m, uint32_t addr) {
  m.mmio_valid_i = 1;
  m.mmio_we_i = 0;
  m.mmio_addr_i = addr;
}
template <class M>
inline void present_no_mmio(M& m) {
  m.mmio_valid_i = 0;
}

// A beat of a DMA read's completion, due at `cycle`.
struct rresp_beat {
  uint64_t cycle;
  uint8_t data[kDmaBeatBytes];
  uint8_t tag;
  bool last;
};

// A read's completion of len bytes (data, or zeros when null) queued in beats on consecutive
// cycles from `at`, never before the last beat of the completion queued before it (the host
// returns completions in order, one beat a cycle).
inline void queue_read_completion(std::deque<rresp_beat>& q, uint64_t at, const uint8_t* data,
                                  uint32_t len, uint8_t tag) {
  if (!q.empty()) at = std::max(at, q.back().cycle + 1);
  const uint32_t beats = (len + kDmaBeatBytes - 1) / kDmaBeatBytes;
  for (uint32_t i = 0; i < beats; ++i) {
    rresp_beat b{at + i, {}, tag, i + 1 == beats};
    if (data)
      std::memcpy(b.data, data + kDmaBeatBytes * i,
                  std::min<uint32_t>(kDmaBeatBytes, len - kDmaBeatBytes * i));
    q.push_back(b);
  }
}

// Whether the oldest queued completion beat is due by `cycle`.
inline bool rresp_due(const std::deque<rresp_beat>& q, uint64_t cycle) {
  return !q.empty() && q.front().cycle <= cycle;
}

// A completion beat (b), or none (null).
template <class M>
inline void present_rresp(M& m, const rresp_beat* b) {
  if (b) {
    load_beat<kDmaBeatBytes>(m.dma_rresp_data_i, b->data, kDmaBeatBytes);
    m.dma_rresp_tag_i = b->tag;
    m.dma_rresp_last_i = b->last;
  }
  m.dma_rresp_valid_i = b != nullptr;
}

// The host takes every request and write-data beat in the cycle it is offered.
template <class M>
inline void present_host_ready(M& m) {
  m.dma_req_ready_i = 1;
  m.dma_wdata_ready_i = 1;
}

// The transmit wire takes a beat at this cycle's edge (tx_ready_i) or not.
template <class M>
inline void present_tx_ready(M& m, bool ready) {
  m.tx_ready_i = ready;
}

// Constant inputs: planted hardware bugs (fault_i), the IVAR layout strap and the transmit
// data reads out at most.
template <class M>
inline void present_straps(M& m, uint8_t fault_bits, bool ivar_82576, uint8_t tx_reads_max) {
  m.fault_i = fault_bits;
  m.ivar_82576_i = ivar_82576;
  m.tx_reads_max_i = tx_reads_max;
}

// ---- 2. Settle, and what it shows

template <class M>
inline void settle(M& m) {
  m.clk_i = 0;
  m.rx_clk_i = 0;
  m.eval();
}

// A memory request the NIC offers (dma_req_valid_o): a write (its data follows, one beat a
// cycle: collect_wdata) or a read (its completion: queue_read_completion).
struct dma_request {
  bool write;
  uint64_t addr;
  uint32_t len;
  uint8_t tag;
};
template <class M>
inline dma_request dma_request_of(const M& m) {
  return {m.dma_req_write_o != 0, m.dma_req_addr_o, m.dma_req_len_o,
          static_cast<uint8_t>(m.dma_req_tag_o)};
}

// The write-data beat offered (dma_wdata_valid_o) appended to data; at the last beat data is
// cut to the request's len (the beat may carry bytes past it). Returns whether it was the last.
template <class M>
inline bool collect_wdata(const M& m, std::vector<uint8_t>& data, uint32_t len) {
  const size_t off = data.size();
  data.resize(off + kDmaBeatBytes);
  store_beat<kDmaBeatBytes>(m.dma_wdata_o, data.data() + off);
  if (!m.dma_wdata_last_o) return false;
  data.resize(len);
  return true;
}

// A transmit beat the NIC offers (tx_valid_o) while the host presents tx_ready_i: taken at
// this edge. Its bytes are appended to frame (the last beat's tx_bytes_o of them); returns
// whether it ends the frame (destination address .. FCS, as on the wire).
template <class M>
inline bool collect_tx_beat(const M& m, std::vector<uint8_t>& frame) {
  const size_t off = frame.size();
  const size_t n = m.tx_last_o ? std::min<size_t>(m.tx_bytes_o, kRxBeatBytes) : kRxBeatBytes;
  frame.resize(off + kRxBeatBytes);
  store_beat<kRxBeatBytes>(m.tx_data_o, frame.data() + off);
  frame.resize(off + n);
  return m.tx_last_o != 0;
}

// The packet buffer takes or drops a frame the cycle after its last beat (boundary register):
// at most one of these a cycle.
enum class frame_end : uint8_t { none, taken, runt, oversize, filtered, missed };
template <class M>
inline frame_end frame_end_of(const M& m) {
  if (m.ev_frame_ok_o) return frame_end::taken;
  if (m.ev_frame_runt_o) return frame_end::runt;      // shorter than 64 bytes (RUC)
  if (m.ev_frame_long_o) return frame_end::oversize;  // longer than RLPML allows (ROC)
  if (m.ev_frame_filt_o) return frame_end::filtered;  // the address filter (counted nowhere)
  if (m.ev_frame_mpc_o) return frame_end::missed;     // no room, or receive off (MPC)
  return frame_end::none;
}

// ---- 4. The edge

// rx_clk_i and clk_i rise when opened (rx, core); a clock not opened stays low.
template <class M>
inline void clock_edge(M& m, bool core, bool rx) {
  m.clk_i = core;
  m.rx_clk_i = rx;
  m.eval();
}

// ---- 5. After the edge

// Once a read has been presented (and ticked): tick() until its completion shows, at most
// kReadTimeoutCycles times. Returns whether it completed; the data is then mmio_rdata_o.
template <class M, class Tick>
inline bool await_read_completion(const M& m, Tick&& tick) {
  for (int waited = 0; !m.mmio_rvalid_o; ++waited) {
    if (waited == kReadTimeoutCycles) return false;
    tick();
  }
  return true;
}

}  // namespace igbsim::rtl
