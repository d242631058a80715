// SPDX-License-Identifier: Apache-2.0
// nic: the SystemC side of the NIC. Owns the Verilated RTL (Vigb_nic) and its TLM-2.0 sockets:
// dma_init_socket (bus master towards host memory) and mmio_tgt_socket (BAR0).
//
// Time: the RTL is ticked in a plain C++ loop, never one SystemC process switch per clock. The
// loop runs ahead of SystemC time up to the next pending SystemC activity (nothing else can
// act before then, so nothing can observe the hardware from the future) and stops earlier when
// the RTL sends an MSI-X whose delivery is due sooner. When the RTL is idle (idle_o: no frame,
// no DMA, no pending interrupt; waiting for input counts as idle) it jumps over empty cycles to
// the next external event: a wire beat, an MMIO write, a read completion, or the 1 us tick at
// which a running EITR timer ends (the ticks skipped before it are presented together).
// Within a ticked cycle it opens the RTL's two clock gates separately (rtl/igb_nic.sv):
// rx_clk_i when a wire beat comes in or the receive side still has one (rx_idle_o), clk_i when
// the rest has work (core_idle_o, which counts a frame the packet buffer takes), an input for
// it is due, a timer ends, or an INTx level change is not yet seen. Mid-frame beats and
// dropped frames then cost the receive side's logic only. sim.lockstep opens both every cycle.
//
// The transmit wire (a sink): it takes a transmit beat (tx_ready_i) when the wire is free, at a
// byte per nic_params::tx_ns_per_byte, with preamble + SFD before each frame and the MAC's gap
// after it (tx_ipg_o, TIPG.IPGT + 4 bytes), and keeps every frame it received (tx_frames()). The
// RTL's core is clocked while it has transmit work (core_idle_o counts a step a transmit block
// takes at the edge); a beat that waits in the MAC for the wire is no work: the host clocks clk_i
// at the first edge at which the wire is free again (an external event, as a read completion is),
// and skips the cycles between when nothing else moves. A NIC with transmit off gates as before.
// The frames the NIC sends reach the link partner (eth_wire::partner_receive): a PAUSE frame it
// honours may hold back the receive frame it has not started yet, whose beats are then re-timed,
// and a PAUSE frame it sends (its buffer filling) may go before that frame: the NIC takes the
// frame the wire holds again. A PAUSE arrival is a wire frame as any other: its beats are
// input events for the skipping scheduler.
// The wire side (the MAC, outside the RTL): received bytes reach the RTL as 16-byte beats, in
// bursts of nic_params::rx_burst_beats beats on consecutive cycles, the last beat of a burst in
// the cycle its last byte is off the wire; no beat before its own bytes are. A frame's last beat
// is therefore presented exactly when it would be beat by beat (rx_burst_beats = 1), and every
// frame end, DMA and write-back keeps its time; a beat that finds the NIC idle costs two ticks
// (present, then process), so a burst of 4 costs 5 instead of 8. Choice: the reference says
// nothing of the MAC-to-packet-buffer path; a MAC that started a burst only once its last beat
// had arrived would add up to 3 cycles per frame, so the model starts it early and keeps wire
// times (for the last burst of a frame that presumes the MAC knows where the frame ends).
#pragma once
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include <algorithm>
#include <csignal>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "bus_monitor.h"
#include "eth_wire.h"
#include "hw_params.h"
#include "progress_watchdog.h"
#include "rtl_protocol.h"
#include "wave_tracer.h"

class VerilatedContext;
class Vigb_nic;
class Vigb_nic4;

namespace igbsim {

struct dma_tag_ext;
// Frame fates the NIC reports: runt_drop (RUC), oversize_drop (ROC), addr_filtered (the
// address filter: the part counts these nowhere)
// desc_writeback: the frame's descriptor write-back leaves the NIC's memory port (one event per
// descriptor; the last is the frame's EOP descriptor).
enum class nic_event {
  wire_end,
  mpc_drop,
  runt_drop,
  oversize_drop,
  addr_filtered,
  rqdpc_drop,
  no_descriptor,
  desc_writeback
};

// What the Verilated NIC was built with (rtl/igb_pkg.sv: NumQueues, NumVectors). The RTL is
// Verilated twice: with all 8 queues (Vigb_nic) and with 4 (Vigb_nic4, NumQ=4). A run that
// enables at most 4 queues uses the 4-queue model unless nic_params::rtl_queues asks for 8: the
// two behave identically for queues 0-3 (tested), and the smaller one does not evaluate the
// logic of queues 4-7 on every cycle. Register offsets of queues the model lacks read as 0 and
// ignore writes.
constexpr unsigned kNumQueues = 8;
constexpr unsigned kNumVectors = 10;

class nic : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<nic> dma_init_socket;
  tlm_utils::simple_target_socket<nic> mmio_tgt_socket;

  nic(sc_core::sc_module_name name, const nic_params& p, eth_wire* wire, bool lockstep);
  ~nic() override;

  bool open_waves(const std::string& path) { return tracer_->open(path); }
  wave_tracer& tracer() { return *tracer_; }
  void close_waves() { tracer_->close(cycle_ * period_ps_); }
  // Something outside changed (the wire has frames now): re-evaluate.
  void kick() { wakeup_.notify(sc_core::SC_ZERO_TIME); }
  // The run's stop flag (a signal handler sets it): once set, idle cycles are skipped as
  // without sim.lockstep instead of ticked one by one. Both reach the same state; ticked, a
  // long idle stretch (the NIC catching up with a core a simulated second ahead, a core in a
  // 1 s softirq) would hold a stopped run for minutes.
  void watch_stop(const volatile std::sig_atomic_t* flag) { stop_flag_ = flag; }

  // Interrupt delivery: vector, when the NIC sent the message, and when it reaches the CPU: the
  // message is a posted write through the PCIe link, behind every earlier write of the NIC,
  // then nic.msix_latency_ns from the root complex to interrupt entry.
  std::function<void(unsigned vec, const sc_core::sc_time& sent, const sc_core::sc_time& arrival)>
      msix_sink;
  // The bus monitor (systemc/bus_monitor.h) found a protocol violation: kind, detail, when
  std::function<void(const char* kind, const std::string& detail, const sc_core::sc_time& t)>
      on_violation;
  // An RTL assertion failed (where, when)
  std::function<void(const std::string& where, const sc_core::sc_time& t)> on_rtl_assertion;
  // Frame fates and wire times, by wire frame id; queue: the receive queue (rqdpc_drop).
  std::function<void(uint64_t id, nic_event ev, unsigned queue, const sc_core::sc_time& t)>
      on_frame;
  // Transmit traffic on the memory port (the transmit journey): a descriptor read's and a data
  // read's completion reaching the NIC, a DD write-back leaving it; queue, address, length.
  enum class tx_port { desc_read, data_read, writeback };
  std::function<void(tx_port ev, unsigned queue, uint64_t addr, uint32_t len,
                     const sc_core::sc_time& t)>
      on_tx_port;
  // Transmit queue `queue` read host memory: descriptors (desc) or a buffer's data, len bytes
  // at addr as read, the completion's last beat reaching the NIC at `done`
  std::function<void(unsigned queue, bool desc, uint64_t addr, const uint8_t* data, uint32_t len,
                     const sc_core::sc_time& done)>
      on_tx_read;
  // Transmit descriptors [addr, addr + len) written back (DD), visible to the CPU from `visible`
  std::function<void(unsigned queue, uint64_t addr, uint32_t len, const sc_core::sc_time& visible)>
      on_tx_writeback;

  uint64_t cycles_ticked() const { return ticked_; }
  uint64_t cycles_skipped() const { return skipped_; }
  // Ticked cycles in which clk_i (everything but the receive side) was clocked too
  uint64_t cycles_core_clocked() const { return core_clocked_; }
  // Interrupts sent per vector: MSI-X messages, the MSI message (vector 0) or INTx assertions
  const std::vector<uint64_t>& msix_per_vector() const { return msix_count_; }
  uint64_t desc_writebacks() const { return writebacks_; }
  // Frames the NIC put on its transmit wire, destination address .. FCS, in order, with the
  // time each one's last byte left
  struct tx_wire_frame {
    std::vector<uint8_t> bytes;
    sc_core::sc_time end;
  };
  const std::vector<tx_wire_frame>& tx_frames() const { return tx_frames_; }
  // Frames fully received from the wire that are not yet in host memory or dropped: in the
  // MAC or the packet buffer (the end-of-run accounting of frames in flight)
  // (the source's: the partner's PAUSE frames are not counted)
  uint64_t frames_buffered() const {
    const auto source = [](uint64_t id) { return (id & eth_wire::kPartnerFrame) == 0; };
    return static_cast<uint64_t>(std::count_if(arriving_.begin(), arriving_.end(), source) +
                                 std::count_if(pktbuf_ids_.begin(), pktbuf_ids_.end(), source));
  }
  // Adds to `out` every frame the NIC holds now: in the MAC, the packet buffer, the DMA
  // engine, or in host memory with its descriptor not written back (the end-of-run census)
  template <class Set>
  void frames_held(Set& out) const {
    out.insert(arriving_.begin(), arriving_.end());
    out.insert(pktbuf_ids_.begin(), pktbuf_ids_.end());
    if (wr_active_ && wr_.frame != UINT64_MAX) out.insert(wr_.frame);
    for (const auto& q : awaiting_wb_) out.insert(q.begin(), q.end());
  }
  double period_ns() const { return period_ps_ / 1000.0; }
  uint32_t eims() const;  // the RTL's interrupt mask now
  bool ims_rx() const;    // without MSI-X: the receive cause enabled in IMS now
  // A posted register write setting any of `bits` in `reg` has left the host and not reached
  // the RTL yet (an EIMS or IMS write still on its way)
  bool write_queued(uint32_t reg, uint32_t bits) const;
  unsigned rtl_queues() const { return rtl4_ ? 4 : 8; }  // queues of the Verilated model in use
  // Progress watchdog (systemc/progress_watchdog.h): the run loop iterating without simulated
  // time or the RTL moving, or the RTL busy for kBusyCycleLimit ticked cycles with nothing
  // crossing one of its ports, stops the simulation (sc_stop) and leaves here a one-line
  // diagnosis of what was pending; empty while the run is healthy.
  const std::string& stalled() const { return stalled_; }
  static constexpr uint64_t kRunLoopLimit = 1000000;    // run-loop iterations
  static constexpr uint64_t kBusyCycleLimit = 1000000;  // ticked cycles (8 ms at 125 MHz)

 private:
  struct mmio_write {
    uint64_t cycle;  // due (arrival)
    uint32_t addr;
    uint32_t data;
    sc_core::sc_time issued;  // left the CPU (pcie_link's mmio_issue_ext; else the arrival)
  };
  struct dma_write {
    uint64_t addr = 0;
    uint32_t len = 0;
    uint8_t tag = 0;
    uint64_t frame = UINT64_MAX;  // a data write's frame: the packet buffer's head at the request
    std::vector<uint8_t> data;
  };

  // The steps of a cycle hand these on by value: after inlining they stay in registers.
  // A ticked cycle's decisions, taken before any input is presented (plan_edge)
  struct edge_plan {
    bool beat_in;  // a wire beat is presented
    bool mmio_wr;  // the oldest posted register write is presented
    bool resp;     // a read-completion beat is presented
    bool rx_on;    // rx_clk_i rises at the edge
    bool core_on;  // clk_i rises at the edge
  };
  // What present_inputs presented beyond the plan
  struct presented {
    uint64_t ticks;  // 1 us ticks
    bool beat_last;  // the wire beat is its frame's last
  };
  // What sample_outputs found crossing the ports at this edge, beyond what the RTL shows
  struct sampled {
    bool intx_edge;    // INTx rose
    bool frame_ended;  // the packet buffer took or dropped a frame
    bool tx_beat;      // the transmit wire took a beat
  };

  void run();
  void tick();
  // f(model) on whichever Verilated model this run uses
  template <class F>
  decltype(auto) with_rtl(F&& f) const;
  // One cycle (rtl_protocol.h): plan_edge decides which clocks open; a cycle with neither is
  // skipped. Else present_inputs, settle, sample_outputs, retire_inputs, note_progress, edge.
  template <class M>
  void tick_on(M& m);
  template <class M>
  [[gnu::always_inline]] inline edge_plan plan_edge(const M& m) const;
  template <class M>
  [[gnu::always_inline]] inline presented present_inputs(M& m, edge_plan e);
  template <class M>
  [[gnu::always_inline]] inline sampled sample_outputs(const M& m);
  [[gnu::always_inline]] inline void retire_inputs(edge_plan e, presented in);
  template <class M>
  [[gnu::always_inline]] inline void note_progress(const M& m, edge_plan e, presented in,
                                                   sampled out);
  template <class M>
  [[gnu::always_inline]] inline void edge(M& m, edge_plan e);
  // Tick/skip until cycle_ == target. Returns true when the RTL went quiet with nothing that
  // could wake it but software; cycle_ is target then too unless target is UINT64_MAX.
  bool advance(uint64_t target);
  sc_core::sc_time delay_to(uint64_t cycle) const;  // from SystemC time to the cycle (not behind)
  bool quiet() const;                               // nothing changes without an external event
  void set_beat(size_t beat);         // the wire beat of cur_ to present next, and its cycle
  uint64_t next_event_cycle() const;  // first cycle with an external input, or UINT64_MAX
  bool intx_unseen() const;           // INTx level changed, the host has not sampled it
  uint64_t timer_end_cycle() const;   // cycle whose ticks end the first EITR timer, or UINT64_MAX
  bool tx_beat_waits() const;         // the MAC offers a transmit beat (tx_valid_o)
  uint64_t tx_free_cycle() const;     // first cycle whose edge the transmit wire is free at
  uint64_t pause_end_cycle() const;   // cycle whose clk_i edge ends a received PAUSE, or UINT64_MAX
  uint64_t cycle_at(const sc_core::sc_time& t) const;  // first cycle at or after t
  sc_core::sc_time time_of(uint64_t cycle) const;
  void mmio_b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
  void on_dma_request(const rtl::dma_request& r);
  template <class M>
  void on_dma_wdata(const M& m);
  sc_core::sc_time send_interrupt(unsigned vec);  // the message write; returns its arrival
  sc_core::sc_time posted_write(uint64_t addr, uint8_t* data, uint32_t len, dma_tag_ext& ext);
  void stall(const std::string& what);  // the watchdog fired: diagnose, stop the simulation
  std::string pending() const;          // what the NIC and SystemC still have pending

  nic_params p_;
  eth_wire* wire_;
  bool lockstep_;
  const volatile std::sig_atomic_t* stop_flag_ = nullptr;
  bus_monitor monitor_;
  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<Vigb_nic> rtl_;    // 8 queues, or
  std::unique_ptr<Vigb_nic4> rtl4_;  // 4 queues
  std::unique_ptr<wave_tracer> tracer_;
  uint64_t period_ps_;
  uint64_t cycles_per_us_;

  uint64_t cycle_ = 0;      // next cycle to tick; the RTL holds the state before it
  uint64_t next_tick_ = 0;  // first 1 us tick cycle not yet presented to the RTL
  uint64_t last_core_ = 0;  // the cycle of the last clk_i edge (igb_nic core_gap_i)
  uint64_t horizon_ = 0;    // the run-ahead bound of the current advance()
  uint64_t ticked_ = 0, skipped_ = 0, core_clocked_ = 0, writebacks_ = 0;
  bool intx_prev_ = false;  // INTx level at the last tick (interrupts on rising edges)
  std::vector<uint64_t> msix_count_;

  // Wire input
  const wire_frame* cur_ = nullptr;
  size_t beat_ = 0;
  uint64_t beat_at_ = 0;  // the cycle beat_ of cur_ is presented: its burst's (set_beat)
  std::vector<uint64_t> beat_in_cycle_;  // per beat of cur_, the cycle its last byte is in
  // MMIO
  std::deque<mmio_write> mmio_q_;
  bool mmio_read_ = false;
  uint32_t mmio_read_addr_ = 0;
  // DMA
  std::deque<rtl::rresp_beat> rresp_;
  dma_write wr_;
  bool wr_active_ = false;
  std::deque<uint64_t> arriving_;    // frames whose last beat is on the wire, not yet taken
  std::deque<uint64_t> pktbuf_ids_;  // frames in the packet buffer, in order
  // Per queue: frames in host memory whose descriptor is not written back yet
  std::vector<std::deque<uint64_t>> awaiting_wb_;
  // The transmit wire: when it is free again (ps), whether tx_ready_i is presented in this
  // cycle, the frame being received, the frames received
  uint64_t tx_free_ps_ = 0;
  bool tx_ready_ = false;
  std::vector<uint8_t> tx_cur_;
  std::vector<tx_wire_frame> tx_frames_;
  void on_tx_beat(uint64_t cycle, bool last, size_t bytes_before, uint32_t ipg_bytes);
  // The link partner changed the frame it holds for the NIC (which has not started): take it
  void repeek_wire();
  sc_core::sc_event wakeup_;
  // Progress watchdog
  progress_watchdog run_wd_{kRunLoopLimit};
  uint64_t busy_cycles_ =
      0;  // ticked cycles in a row, with the RTL not quiet, in which no port moved
  std::string stalled_;
};

}  // namespace igbsim
