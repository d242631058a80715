// SPDX-License-Identifier: Apache-2.0
#include "nic.h"

// verilated.h sees SystemC and calls sc_time_stamp() unqualified.
#include <systemc>
using sc_core::sc_time_stamp;
#include <verilated.h>

#include <verilated_fst_c.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>

#include "Vigb_nic.h"
#include "Vigb_nic4.h"
#include "dma_memory.h"
#include "mmio_issue.h"
#include "rtl_assert.h"
#include "sim_time.h"

namespace igbsim {

using namespace sc_core;

template <class F>
decltype(auto) nic::with_rtl(F&& f) const {
  return rtl4_ ? f(*rtl4_) : f(*rtl_);
}

nic::nic(sc_module_name name, const nic_params& p, eth_wire* wire, bool lockstep)
    : sc_module(name),
      dma_init_socket("dma_init_socket"),
      mmio_tgt_socket("mmio_tgt_socket"),
      p_(p),
      wire_(wire),
      lockstep_(lockstep),
      monitor_(kNumQueues, kNumVectors, static_cast<uint64_t>(std::llround(p.clock_mhz))),
      ctx_(std::make_unique<VerilatedContext>()) {
  ctx_->threads(1);
  ctx_->traceEverOn(true);
  ctx_->assertOn(true);
  if (p_.rtl_queues == 4) rtl4_ = std::make_unique<Vigb_nic4>(ctx_.get(), "nic");
  else rtl_ = std::make_unique<Vigb_nic>(ctx_.get(), "nic");
  tracer_ = std::make_unique<wave_tracer>(
      ctx_.get(), [this](VerilatedFstC* fst) { with_rtl([fst](auto& m) { m.trace(fst, 99); }); });
  period_ps_ = static_cast<uint64_t>(std::llround(1e6 / p_.clock_mhz));
  cycles_per_us_ = static_cast<uint64_t>(std::llround(p_.clock_mhz));
  msix_count_.assign(kNumVectors, 0);
  awaiting_wb_.resize(kNumQueues);
  monitor_.on_violation = [this](const char* kind, const std::string& detail, uint64_t cycle) {
    if (on_violation) on_violation(kind, detail, time_of(cycle));
  };
  mmio_tgt_socket.register_b_transport(this, &nic::mmio_b_transport);

  with_rtl([](auto& m) { rtl::power_on_reset(m); });

  SC_HAS_PROCESS(nic);
  SC_THREAD(run);
}

nic::~nic() {
  with_rtl([](auto& m) { m.final(); });
}

uint32_t nic::eims() const {
  return with_rtl([](auto& m) { return static_cast<uint32_t>(m.eims_o); });
}

bool nic::ims_rx() const {
  return with_rtl([](auto& m) { return m.ims_rx_o != 0; });
}

bool nic::write_queued(uint32_t reg, uint32_t bits) const {
  for (const mmio_write& w : mmio_q_)
    if (w.addr == reg && (w.data & bits)) return true;
  return false;
}

uint64_t nic::cycle_at(const sc_time& t) const { return (ps_of(t) + period_ps_ - 1) / period_ps_; }

sc_time nic::time_of(uint64_t cycle) const { return time_of_ps(cycle * period_ps_); }

bool nic::quiet() const {
  return with_rtl([](auto& m) { return m.idle_o != 0; }) && !wr_active_ && !mmio_read_ &&
         !intx_unseen();
}

// A transmit beat waits for the wire (the MAC's busy_o does not count it: the wire's pace is
// input); the wire takes it at the first edge at or after tx_free_ps_.
bool nic::tx_beat_waits() const {
  return with_rtl([](auto& m) { return m.tx_valid_o != 0; });
}

uint64_t nic::tx_free_cycle() const { return (tx_free_ps_ + period_ps_ - 1) / period_ps_; }

// A pause a received PAUSE frame started: igb_fc counts it down by the cycles between clk_i
// edges (core_gap_i), so clk_i need not be clocked through it, only at the edge that ends it
// (as with every cycle clocked; the MAC starts its next frame at the edge after).
uint64_t nic::pause_end_cycle() const {
  const uint64_t left = with_rtl([](auto& m) { return static_cast<uint64_t>(m.pause_left_o); });
  return left ? last_core_ + left : UINT64_MAX;
}

bool nic::intx_unseen() const {
  // The INTx level changed at the last clock edge and the host has not looked at it: it does
  // so in the next cycle clk_i is clocked, which must be the next one (as when every cycle is).
  return p_.intx && with_rtl([this](auto& m) { return (m.intx_o != 0) != intx_prev_; });
}

void nic::set_beat(size_t beat) {
  beat_ = beat;
  if (!cur_) return;
  const size_t n = cur_->bytes.size();
  const size_t beats = std::max<size_t>(1, (n + kRxBeatBytes - 1) / kRxBeatBytes);
  // The cycle each beat's last byte is in, worked out once per frame (each beat needs its own
  // and its burst's last).
  if (beat == 0) {
    beat_in_cycle_.resize(beats);
    for (size_t b = 0; b < beats; ++b)
      beat_in_cycle_[b] = cycle_at(cur_->byte_done(std::min<size_t>(kRxBeatBytes * (b + 1), n)));
  }
  // (set_beat is also called one past the last beat: its bytes are the frame's last ones.)
  const auto in_at = [&](size_t b) { return beat_in_cycle_[std::min(b, beats - 1)]; };
  // The burst of beat: p_.rx_burst_beats beats back to back, the last one in the cycle its
  // last byte is in; never before a beat's own bytes are (a wire faster than a beat a cycle).
  const size_t last = std::min(beats - 1, (beat / p_.rx_burst_beats + 1) * p_.rx_burst_beats - 1);
  const uint64_t burst_end = in_at(last);
  beat_at_ = std::max(in_at(beat), burst_end - std::min<uint64_t>(burst_end, last - beat));
}

uint64_t nic::timer_end_cycle() const {
  // A running EITR timer: the cycle of the tick at which the first one ends. The ticks before
  // it only count down, so they may be presented together then (present_inputs).
  const auto [armed, left] = with_rtl(
      [](auto& m) { return std::pair<bool, uint64_t>(m.timers_armed_o != 0, m.timer_next_o); });
  if (!armed) return UINT64_MAX;
  return next_tick_ + (std::max<uint64_t>(left, 1) - 1) * cycles_per_us_;
}

uint64_t nic::next_event_cycle() const {
  uint64_t next = UINT64_MAX;
  if (cur_) next = std::min(next, std::max(cycle_, beat_at_));
  if (!mmio_q_.empty()) next = std::min(next, std::max(cycle_, mmio_q_.front().cycle));
  if (!rresp_.empty()) next = std::min(next, std::max(cycle_, rresp_.front().cycle));
  const uint64_t ends = timer_end_cycle();
  if (ends != UINT64_MAX) next = std::min(next, std::max(cycle_, ends));
  if (tx_beat_waits()) next = std::min(next, std::max(cycle_, tx_free_cycle()));
  const uint64_t resumes = pause_end_cycle();
  if (resumes != UINT64_MAX) next = std::min(next, std::max(cycle_, resumes));
  return next;
}

bool nic::advance(uint64_t target) {
  horizon_ = target;
  bool idle = false;
  while (cycle_ < horizon_ && stalled_.empty()) {
    if (!cur_) {
      cur_ = wire_->peek();
      set_beat(0);
    }
    if (quiet()) {
      busy_cycles_ = 0;
      const uint64_t next = next_event_cycle();
      if (next == UINT64_MAX) {
        // Nothing will ever happen without software. The RTL holds its state over the
        // cycles up to the target all the same: a later input (an MMIO read above all) is
        // presented at its own cycle, never at the one the NIC went quiet in.
        idle = true;
        if (horizon_ == UINT64_MAX) return true;
      }
      if (lockstep_ && stop_flag_ && *stop_flag_) lockstep_ = false;  // stopped: skip them
      if (lockstep_) {
        // Lockstep: tick the idle cycles one by one (to check that skipping them is exact).
      } else if (next >= horizon_) {
        skipped_ += horizon_ - cycle_;
        cycle_ = horizon_;
        return idle;
      } else {
        skipped_ += next - cycle_;
        cycle_ = next;
      }
    }
    tick();
    if (busy_cycles_ >= kBusyCycleLimit)
      stall(fmt::format("the RTL was busy for {} cycles with nothing crossing its ports",
                        busy_cycles_));
  }
  return idle;
}

sc_time nic::delay_to(uint64_t cycle) const {
  const sc_time t = time_of(cycle), now = sc_time_stamp();
  // The NIC never acts behind SystemC time (advance): were it to, this delay would wrap
  // around and a process would wait into the past, where the SystemC kernel never goes.
  if (t < now)
    throw std::logic_error(
        fmt::format("nic: cycle {} ({:.3f} us) is behind simulated time {:.3f} us", cycle,
                    t.to_seconds() * 1e6, now.to_seconds() * 1e6));
  return t - now;
}

void nic::stall(const std::string& what) {
  if (!stalled_.empty()) return;
  stalled_ = fmt::format("simulation stalled at {:.3f} us: {}; pending: {}",
                         sc_time_stamp().to_seconds() * 1e6, what, pending());
  sc_stop();
}

std::string nic::pending() const {
  std::string s;
  const auto add = [&s](const std::string& item) { s += (s.empty() ? "" : ", ") + item; };
  const auto us = [this](uint64_t cycle) { return time_of(cycle).to_seconds() * 1e6; };
  const sc_time now = sc_time_stamp();
  add(fmt::format("NIC at cycle {} ({:.3f} us)", cycle_, us(cycle_)));
  if (sc_pending_activity_at_current_time()) {
    add("SystemC activity at this instant");
  } else if (sc_pending_activity_at_future_time()) {
    const sc_time next = now + sc_time_to_pending_activity();  // wraps for an event in the past
    add(next < now ? fmt::format("a SystemC event behind simulated time (at {:.3f} us)",
                                 next.to_seconds() * 1e6)
                   : fmt::format("next SystemC event at {:.3f} us", next.to_seconds() * 1e6));
  } else {
    add("no SystemC event scheduled");
  }
  with_rtl([&](auto& m) {
    add(fmt::format("RTL receive side {}, rest {}", m.rx_idle_o ? "idle" : "busy",
                    m.core_idle_o ? "idle" : "busy"));
    if (m.dma_req_valid_o)
      add(fmt::format("memory port offers a {} request (0x{:x}, {} bytes, queue {} tag {})",
                      m.dma_req_write_o ? "write" : "read", static_cast<uint64_t>(m.dma_req_addr_o),
                      static_cast<unsigned>(m.dma_req_len_o), rtl::tag_queue(m.dma_req_tag_o),
                      rtl::tag_class(m.dma_req_tag_o)));
    if (m.dma_wdata_valid_o) add("memory port offers write data");
    if (m.mmio_rvalid_o) add("a register read completion");
    if (m.timers_armed_o) add(fmt::format("an EITR timer ending at cycle {}", timer_end_cycle()));
    if (m.pause_left_o) add(fmt::format("a received PAUSE ending at cycle {}", pause_end_cycle()));
  });
  if (wr_active_)
    add(fmt::format("DMA write to 0x{:x} open ({} of {} bytes, queue {})", wr_.addr,
                    wr_.data.size(), wr_.len, rtl::tag_queue(wr_.tag)));
  if (!rresp_.empty())
    add(fmt::format("{} read-completion beats queued (queue {} tag {} due at cycle {})",
                    rresp_.size(), rtl::tag_queue(rresp_.front().tag),
                    rtl::tag_class(rresp_.front().tag), rresp_.front().cycle));
  if (!mmio_q_.empty())
    add(fmt::format("{} register writes queued (0x{:05x} due at cycle {})", mmio_q_.size(),
                    mmio_q_.front().addr, mmio_q_.front().cycle));
  if (mmio_read_) add(fmt::format("a register read of 0x{:05x} open", mmio_read_addr_));
  if (intx_unseen()) add("an INTx level change unseen");
  if (cur_)
    add(fmt::format("wire frame {} at beat {} (due at cycle {})", cur_->id, beat_, beat_at_));
  if (!arriving_.empty())
    add(fmt::format("{} frames arriving at the packet buffer", arriving_.size()));
  if (!pktbuf_ids_.empty()) add(fmt::format("{} frames in the packet buffer", pktbuf_ids_.size()));
  for (size_t q = 0; q < awaiting_wb_.size(); ++q)
    if (!awaiting_wb_[q].empty())
      add(fmt::format("queue {}: {} frames in host memory awaiting write-back", q,
                      awaiting_wb_[q].size()));
  return s;
}

void nic::tick() {
  with_rtl([this](auto& m) { tick_on(m); });
}

template <class M>
void nic::tick_on(M& m) {
  const edge_plan e = plan_edge(m);
  if (!e.rx_on &&
      !e.core_on) {  // e.g. a DMA write the host still waits on while both wait for input
    ++cycle_;
    ++skipped_;
    ++busy_cycles_;
    return;
  }
  const presented in = present_inputs(m, e);
  rtl::settle(m);
  tracer_->dump_rtl(cycle_ * period_ps_);
  const sampled out = sample_outputs(m);
  retire_inputs(e, in);
  note_progress(m, e, in, out);
  edge(m, e);
}

// The two clock gates (rtl/igb_nic.sv): the receive side is clocked when a wire beat comes in
// or its register still holds one; the rest when it has work (which includes a frame the packet
// buffer takes now), an input for it is due, an EITR timer ends at this cycle's ticks, or an
// INTx level change is unseen, or a received PAUSE ends. Lockstep clocks both every cycle.
template <class M>
nic::edge_plan nic::plan_edge(const M& m) const {
  const uint64_t c = cycle_;
  edge_plan e;
  e.beat_in = cur_ && beat_at_ <= c;
  e.mmio_wr = !mmio_read_ && !mmio_q_.empty() && mmio_q_.front().cycle <= c;
  e.resp = rtl::rresp_due(rresp_, c);
  e.rx_on = lockstep_ || e.beat_in || !m.rx_idle_o;
  e.core_on = lockstep_ || !m.core_idle_o || mmio_read_ || e.mmio_wr || e.resp || intx_unseen() ||
              c >= timer_end_cycle() || (m.tx_valid_o && c >= tx_free_cycle()) ||
              (m.pause_left_o && c >= last_core_ + m.pause_left_o);
  return e;
}

template <class M>
nic::presented nic::present_inputs(M& m, edge_plan e) {
  const uint64_t c = cycle_;
  presented in{0, false};
  // Software changes from the skipped cycles before this one go on the waveform first, with
  // the NIC as it was then (its inputs change now).
  tracer_->catch_up(c * period_ps_);
  // The 1 us ticks due by this cycle and not yet presented: 1 at each microsecond when every
  // cycle is clocked, more after cycles in which clk_i was not (saturating). Ticks of those
  // earlier cycles count only on timers that were running then, and nothing changed while
  // clk_i was not clocked: with no timer running now they are dropped, and only a tick of this
  // very cycle can matter (to a timer this edge starts). Presenting them anyway would cost a
  // cycle of clk_i after every quiet stretch.
  if (e.core_on && c >= next_tick_) {
    const uint64_t due = (c - next_tick_) / cycles_per_us_ + 1;
    next_tick_ += due * cycles_per_us_;
    in.ticks = m.timers_armed_o ? due : (next_tick_ - cycles_per_us_ == c ? 1 : 0);
  }
  rtl::present_ticks(m, in.ticks);
  rtl::present_core_gap(m, c - last_core_);
  // Wire beat whose bytes have all arrived by this cycle
  if (e.beat_in)
    in.beat_last = rtl::present_rx_beat(m, cur_->bytes.data(), cur_->bytes.size(), beat_);
  else rtl::present_no_rx_beat(m);
  // MMIO: a read issued by software, else the oldest due posted write
  if (mmio_read_) {
    rtl::present_mmio_read(m, mmio_read_addr_);
  } else if (e.mmio_wr) {
    rtl::present_mmio_write(m, mmio_q_.front().addr, mmio_q_.front().data);
    monitor_.mmio_write(c, mmio_q_.front().addr, mmio_q_.front().data);
  } else {
    rtl::present_no_mmio(m);
  }
  rtl::present_rresp(m, e.resp ? &rresp_.front() : nullptr);
  rtl::present_host_ready(m);
  // The transmit wire takes a beat at this edge if it is free (and the core is clocked)
  tx_ready_ = e.core_on && c * period_ps_ >= tx_free_ps_;
  rtl::present_tx_ready(m, tx_ready_);
  rtl::present_straps(m, p_.fault_bits, p_.ivar_82576, p_.tx_data_reads);
  return in;
}

// Handshakes that complete at this edge (each is work that kept its side's gate open), the
// interrupt sent, frame fates.
template <class M>
nic::sampled nic::sample_outputs(const M& m) {
  const uint64_t c = cycle_;
  sampled out;
  if (m.dma_req_valid_o) on_dma_request(rtl::dma_request_of(m));
  if (m.dma_wdata_valid_o) on_dma_wdata(m);
  out.tx_beat = tx_ready_ && m.tx_valid_o;
  if (out.tx_beat) {
    const size_t before = tx_cur_.size();
    on_tx_beat(c, rtl::collect_tx_beat(m, tx_cur_), before, m.tx_ipg_o);
  }
  out.intx_edge = p_.intx && m.intx_o && !intx_prev_;
  intx_prev_ = m.intx_o;
  if ((m.msix_valid_o && !p_.intx) || out.intx_edge) {
    const unsigned v = p_.intx ? 0 : m.msix_vec_o;
    if (v >= msix_count_.size()) msix_count_.resize(v + 1, 0);
    ++msix_count_[v];
    if (!p_.intx) monitor_.message(c, v);
    const sc_time arrival = send_interrupt(v);
    if (msix_sink) msix_sink(v, time_of(c), arrival);
    horizon_ = std::min(horizon_, cycle_at(arrival));
  }
  if (m.ev_frame_dma_o && !pktbuf_ids_.empty()) pktbuf_ids_.pop_front();
  if (m.ev_frame_rnbc_o && on_frame && !pktbuf_ids_.empty())
    on_frame(pktbuf_ids_.front(), nic_event::no_descriptor, m.ev_frame_queue_o, time_of(c));
  if (m.ev_frame_rqdpc_o) {
    if (on_frame && !pktbuf_ids_.empty())
      on_frame(pktbuf_ids_.front(), nic_event::rqdpc_drop, m.ev_frame_queue_o, time_of(c));
    if (!pktbuf_ids_.empty()) pktbuf_ids_.pop_front();
  }
  const rtl::frame_end fate = rtl::frame_end_of(m);
  out.frame_ended = fate != rtl::frame_end::none;
  if (out.frame_ended && !arriving_.empty()) {
    const uint64_t id = arriving_.front();
    arriving_.pop_front();
    if (fate == rtl::frame_end::taken) pktbuf_ids_.push_back(id);
    else if (on_frame)
      on_frame(id,
               fate == rtl::frame_end::runt       ? nic_event::runt_drop
               : fate == rtl::frame_end::oversize ? nic_event::oversize_drop
               : fate == rtl::frame_end::filtered ? nic_event::addr_filtered
                                                  : nic_event::mpc_drop,
               0, time_of(c));
  }
  return out;
}

// The inputs presented are taken at this edge.
void nic::retire_inputs(edge_plan e, presented in) {
  if (e.beat_in) {
    set_beat(beat_ + 1);
    if (in.beat_last) {
      if (on_frame) on_frame(cur_->id, nic_event::wire_end, 0, cur_->end());
      arriving_.push_back(cur_->id);
      wire_->pop();
      cur_ = nullptr;
    }
  }
  if (e.mmio_wr) mmio_q_.pop_front();
  if (e.resp) rresp_.pop_front();
}

// Progress (the watchdog): something crossed a port (an input taken, a request, data, an
// interrupt, a frame fate) or a timer tick was presented.
template <class M>
void nic::note_progress(const M& m, edge_plan e, presented in, sampled out) {
  const bool moved = e.beat_in || e.mmio_wr || mmio_read_ || e.resp || in.ticks ||
                     m.dma_req_valid_o || m.dma_wdata_valid_o || m.msix_valid_o || out.intx_edge ||
                     out.frame_ended || m.ev_frame_rqdpc_o || m.ev_frame_rnbc_o ||
                     m.ev_frame_dma_o || out.tx_beat;
  busy_cycles_ = moved ? 0 : busy_cycles_ + 1;
}

// The rising edge of the clocks opened; what the RTL asserted in it.
template <class M>
void nic::edge(M& m, edge_plan e) {
  const uint64_t c = cycle_;
  tracer_->catch_up(c * period_ps_ + period_ps_ / 2);  // software changes before the edge
  rtl::clock_edge(m, e.core_on, e.rx_on);
  tracer_->dump_rtl(c * period_ps_ + period_ps_ / 2);
  if (!rtl_assertions().empty()) {
    for (const auto& a : rtl_assertions())
      if (on_rtl_assertion) on_rtl_assertion(a.where, time_of(c));
    rtl_assertions().clear();
  }
  ++cycle_;
  ++ticked_;
  if (e.core_on) {
    ++core_clocked_;
    last_core_ = c;
  }
}

// A transmit beat taken at cycle's edge: the wire is busy with its bytes (after the preamble,
// for a frame's first beat) and, after a frame's last, with the MAC's gap, ipg_bytes.
void nic::on_tx_beat(uint64_t cycle, bool last, size_t bytes_before, uint32_t ipg_bytes) {
  const double ps_per_byte = p_.tx_ns_per_byte * 1000.0;
  uint64_t start = std::max(cycle * period_ps_, tx_free_ps_);
  if (bytes_before == 0)
    start += static_cast<uint64_t>(std::llround(p_.tx_preamble_bytes * ps_per_byte));
  const size_t n = tx_cur_.size() - bytes_before;
  tx_free_ps_ = start + static_cast<uint64_t>(std::llround(static_cast<double>(n) * ps_per_byte));
  if (!last) {
    // A partner that sends PAUSE counts the bytes as they come: its XOFF may go mid-frame
    if (wire_->partner_receiving(tx_cur_, time_of_ps(tx_free_ps_))) repeek_wire();
    return;
  }
  tx_frames_.push_back({std::move(tx_cur_), time_of_ps(tx_free_ps_)});
  tx_cur_.clear();
  // The link partner has the frame: a PAUSE it honours may hold back the frame it has not
  // started yet (eth_wire), whose beats are then due later, and a PAUSE it sends may go before
  // that frame. Either way no beat of the frame held has been presented (its start is after
  // this frame's end): take the one the wire holds now and work out its beats.
  if (wire_->partner_receive(tx_frames_.back().bytes, tx_frames_.back().end)) repeek_wire();
  tx_free_ps_ += static_cast<uint64_t>(std::llround(ipg_bytes * ps_per_byte));
}

void nic::repeek_wire() {
  if (cur_ && beat_ != 0)
    throw std::logic_error(fmt::format("nic: wire frame {} changed after its first beat",
                                       static_cast<int64_t>(cur_->id)));
  cur_ = wire_->peek();
  set_beat(0);
}

void nic::on_dma_request(const rtl::dma_request& r) {
  if (r.write) {
    wr_ = dma_write{};
    wr_.addr = r.addr;
    wr_.len = r.len;
    wr_.tag = r.tag;
    // A buffer of the frame at the head of the packet buffer. Taken at the request: the
    // engine may let the frame go (ev_frame_dma_o) before the last beat is out of the port.
    if (rtl::tag_class(wr_.tag) == rtl::kTagDataWr && !pktbuf_ids_.empty())
      wr_.frame = pktbuf_ids_.front();
    wr_active_ = true;
    return;
  }
  // Non-posted read: the link model annotates the round trip; data is sampled now. Reads are
  // descriptor fetches (receive or transmit) and transmit data reads.
  if (!rtl::tag_tx_desc_read(r.tag) && !rtl::tag_tx_data_read(r.tag))
    monitor_.desc_read(cycle_, rtl::tag_queue(r.tag), r.addr, r.len);
  std::vector<uint8_t> buf(r.len);
  tlm::tlm_generic_payload gp;
  gp.set_command(tlm::TLM_READ_COMMAND);
  gp.set_address(r.addr);
  gp.set_data_ptr(buf.data());
  gp.set_data_length(r.len);
  gp.set_streaming_width(r.len);
  gp.set_byte_enable_ptr(nullptr);
  gp.set_dmi_allowed(false);
  gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  sc_time delay = delay_to(cycle_);
  dma_init_socket->b_transport(gp, delay);
  if (gp.is_response_error()) {  // an unsupported request: the completion carries zeros
    monitor_.dma_error(cycle_, false, r.addr, r.len);
    std::fill(buf.begin(), buf.end(), 0);
  }
  const uint64_t done = cycle_at(sc_time_stamp() + delay);
  rtl::queue_read_completion(rresp_, done, buf.data(), r.len, r.tag);
  if (on_tx_port && (rtl::tag_tx_desc_read(r.tag) || rtl::tag_tx_data_read(r.tag)))
    on_tx_port(rtl::tag_tx_desc_read(r.tag) ? tx_port::desc_read : tx_port::data_read,
               rtl::tag_queue(r.tag), r.addr, r.len, time_of(done));
  // Transmit reads: the monitor sees the descriptors fetched and when each data read's
  // completion's last beat arrives; so do the host's checkers (on_tx_read)
  const bool tx_desc = rtl::tag_tx_desc_read(r.tag), tx_data = rtl::tag_tx_data_read(r.tag);
  if (tx_desc) monitor_.tx_desc_read(cycle_, rtl::tag_queue(r.tag), r.addr, buf.data(), r.len);
  if (tx_data) monitor_.tx_data_read(rtl::tag_queue(r.tag), r.len, rresp_.back().cycle);
  if ((tx_desc || tx_data) && on_tx_read)
    on_tx_read(rtl::tag_queue(r.tag), tx_desc, r.addr, buf.data(), r.len,
               time_of(rresp_.back().cycle));
}

template <class M>
void nic::on_dma_wdata(const M& m) {
  if (!rtl::collect_wdata(m, wr_.data, wr_.len)) return;
  dma_tag_ext ext;
  ext.tag = rtl::tag_class(wr_.tag);
  ext.queue = rtl::tag_queue(wr_.tag);
  std::deque<uint64_t>& awaiting = awaiting_wb_.at(ext.queue);
  if (ext.tag == rtl::kTagDataWr) {
    // A buffer of the frame named at the request is in host memory; its descriptor now
    // waits for write-back.
    ext.frames.push_back(wr_.frame);
    awaiting.push_back(wr_.frame);
    monitor_.data_write(ext.queue);
  } else if (ext.tag == rtl::kTagWbWr) {
    // A burst of consecutive descriptors of one queue, oldest completions first.
    for (uint32_t i = 0; i < wr_.len / 16; ++i) {
      ext.frames.push_back(awaiting.empty() ? UINT64_MAX : awaiting.front());
      if (!awaiting.empty()) awaiting.pop_front();
      if (on_frame && ext.frames.back() != UINT64_MAX)
        on_frame(ext.frames.back(), nic_event::desc_writeback, ext.queue, time_of(cycle_));
    }
    writebacks_ += wr_.len / 16;
    monitor_.writeback(cycle_, ext.queue, wr_.addr, wr_.len);
  } else if (ext.tag == rtl::kTagTxWbWr) {
    monitor_.tx_writeback(cycle_, ext.queue, wr_.addr, wr_.len);  // transmit descriptors, DD
    if (on_tx_port) on_tx_port(tx_port::writeback, ext.queue, wr_.addr, wr_.len, time_of(cycle_));
  }
  const sc_time visible = posted_write(wr_.addr, wr_.data.data(), wr_.len, ext);
  // The waveform: the burst's last descriptor has its DD in host memory from `visible` on
  const int64_t first = ext.tag == rtl::kTagWbWr ? monitor_.rx_index(ext.queue, wr_.addr) : -1;
  if (first >= 0 && tracer_->enabled())
    tracer_->sw_set(ps_of(visible), sw_sig::rx_dd_visible,
                    static_cast<uint32_t>(first + wr_.len / 16 - 1), ext.queue);
  if (ext.tag == rtl::kTagTxWbWr && on_tx_writeback)
    on_tx_writeback(ext.queue, wr_.addr, wr_.len, visible);
  wr_active_ = false;
}

// A posted write upstream, leaving now; returns when it becomes visible at the host.
sc_time nic::posted_write(uint64_t addr, uint8_t* data, uint32_t len, dma_tag_ext& ext) {
  tlm::tlm_generic_payload gp;
  gp.set_command(tlm::TLM_WRITE_COMMAND);
  gp.set_address(addr);
  gp.set_data_ptr(data);
  gp.set_data_length(len);
  gp.set_streaming_width(len);
  gp.set_byte_enable_ptr(nullptr);
  gp.set_extension(&ext);
  gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  sc_time delay = delay_to(cycle_);
  dma_init_socket->b_transport(gp, delay);
  gp.clear_extension(&ext);
  if (gp.is_response_error()) monitor_.dma_error(cycle_, true, addr, len);  // the write is dropped
  return sc_time_stamp() + delay;
}

sc_time nic::send_interrupt(unsigned vec) {
  constexpr uint64_t kMsiAddress = 0xFEE00000;  // x86 local APIC message address
  uint32_t data = vec;
  dma_tag_ext ext;
  ext.interrupt = true;
  return posted_write(kMsiAddress, reinterpret_cast<uint8_t*>(&data), 4, ext) +
         sc_time(p_.msix_latency_ns, SC_NS);
}

void nic::mmio_b_transport(tlm::tlm_generic_payload& gp, sc_time& delay) {
  const uint32_t addr = static_cast<uint32_t>(gp.get_address());
  if (gp.get_data_length() != 4) {
    gp.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
    return;
  }
  const mmio_issue_ext* issue = gp.get_extension<mmio_issue_ext>();
  if (gp.is_write()) {
    uint32_t v;
    std::memcpy(&v, gp.get_data_ptr(), 4);
    const sc_time arrival = sc_time_stamp() + delay;
    const sc_time issued = issue ? issue->issued : arrival;
    // Posted writes land in the order they left the CPUs (pcie_link.h): one that left before
    // writes already queued (another CPU, further behind in its local time) goes before them
    auto pos = mmio_q_.end();
    while (pos != mmio_q_.begin() && std::prev(pos)->issued > issued) --pos;
    uint64_t at = cycle_at(arrival);
    if (pos != mmio_q_.begin()) at = std::max(at, std::prev(pos)->cycle);
    pos = mmio_q_.insert(pos, {at, addr, v, issued});
    for (++pos; pos != mmio_q_.end() && pos->cycle < at; ++pos) pos->cycle = at;
    wakeup_.notify(SC_ZERO_TIME);
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
    return;
  }
  // Non-posted read: wait for the request to arrive, bring the RTL to that time (also when it
  // is quiet: the read is presented at its own cycle, never at the one the NIC went quiet in),
  // let every posted write that left before it land first (PCIe: a read does not pass posted
  // writes; one that another CPU issues later in its local time stays queued), then read.
  const sc_time read_issued = issue ? issue->issued : sc_time_stamp() + delay;
  wait(delay);
  delay = SC_ZERO_TIME;
  advance(cycle_at(sc_time_stamp()));
  while (!mmio_q_.empty() && mmio_q_.front().issued <= read_issued) {
    if (mmio_q_.front().cycle > cycle_) mmio_q_.front().cycle = cycle_;
    tick();
  }
  mmio_read_ = true;
  mmio_read_addr_ = addr;
  tick();
  mmio_read_ = false;
  // The request passes the boundary register first. A read the NIC never completes ends as a
  // PCIe completion timeout does: all ones, and a violation.
  const bool done =
      with_rtl([this](auto& m) { return rtl::await_read_completion(m, [&] { tick_on(m); }); });
  uint32_t v = with_rtl([](auto& m) { return static_cast<uint32_t>(m.mmio_rdata_o); });
  if (!done) {
    v = 0xFFFFFFFF;
    char what[64];
    std::snprintf(what, sizeof what, "register read of 0x%05x never completed", addr);
    if (on_violation) on_violation("mmio_read_timeout", what, time_of(cycle_));
  }
  std::memcpy(gp.get_data_ptr(), &v, 4);
  // The read took the RTL forward; the completion leaves now.
  delay = delay_to(cycle_);
  wakeup_.notify(SC_ZERO_TIME);
  gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

void nic::run() {
  for (;;) {
    const sc_time now = sc_time_stamp();
    // Watchdog: every pass either moves the RTL (cycle_) or waits; a pass that finds neither
    // simulated time nor the RTL moved since the last one is a zero-time spin.
    if (run_wd_.stalled(ps_of(now), cycle_)) {
      stall(
          fmt::format("neither simulated time nor the RTL moved in {} passes of the NIC's run loop",
                      run_wd_.iterations()));
      return;
    }
    if (p_.fault_spin && !pktbuf_ids_.empty()) {  // planted model bug (nic_params::fault_spin)
      wait(SC_ZERO_TIME);
      continue;
    }
    advance(cycle_at(now));
    if (!stalled_.empty()) return;
    if (sc_pending_activity_at_current_time()) {
      wait(SC_ZERO_TIME);  // let this instant's other processes act first
      continue;
    }
    const bool bounded = sc_pending_activity_at_future_time();
    const uint64_t target = bounded ? cycle_at(now + sc_time_to_pending_activity()) : UINT64_MAX;
    const bool idle = advance(target);
    if (!stalled_.empty()) return;
    if (!idle && cycle_ >= horizon_) {
      // Reached the next activity (or an MSI-X delivery that pulled it in): meet it there.
      const sc_time t = time_of(cycle_);
      if (t > now) wait(t - now, wakeup_);
      else wait(SC_ZERO_TIME);
    } else {
      wait(wakeup_);  // quiet with nothing scheduled: only software can start it again
    }
  }
}

}  // namespace igbsim
