// SPDX-License-Identifier: Apache-2.0
// wave_tracer: one FST holding the RTL (scope `nic`) and the software state (scope `sw`).
//
// The NIC dumps at RTL clock times; software state changes arrive stamped with the CPU's
// (possibly run-ahead) local time. Changes wait in time order and are written, each at its
// own time, before any later dump, so the file's time only moves forward. With no file open
// every call is a no-op.
#pragma once
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>

#include "sw_signals.h"

class VerilatedContext;
class VerilatedFstC;
class Vigb_sw_probe;

namespace igbsim {

class wave_tracer final : public sw_signal_sink {
 public:
  // trace_rtl adds the NIC model's signals to the FST (Vigb_nic or Vigb_nic4::trace).
  wave_tracer(VerilatedContext* ctx, std::function<void(VerilatedFstC*)> trace_rtl);
  ~wave_tracer();
  bool open(const std::string& path);  // false if the file cannot be created
  // Record only [start_ps, end_ps]: outside it nothing is dumped (the software state is still
  // tracked, so the window opens with the right values).
  void set_window(uint64_t start_ps, uint64_t end_ps) {
    win_start_ = start_ps;
    win_end_ = end_ps;
  }
  // Dumps the software changes from before t_ps, each at its own time. The NIC's host calls it
  // before it evaluates the model for time t_ps: those dumps then show the NIC as it was. Called
  // twice a cycle, so the common case (no waves, or nothing pending) stays inline.
  void catch_up(uint64_t t_ps) {
    if (fst_ && !pending_.empty() && pending_.front().t < t_ps) dump_pending_before(t_ps);
  }
  // The NIC model evaluated for t_ps (after catch_up(t_ps)): dumped together with the software
  // changes at t_ps.
  void dump_rtl(uint64_t t_ps);
  void sw_set(uint64_t t_ps, sw_sig s, uint32_t v, unsigned queue = 0) override;
  void close(uint64_t t_end_ps);

 private:
  struct change {
    uint64_t t;
    sw_sig s;
    uint32_t v;
    unsigned q;
  };
  void apply(const change& c);
  void apply_txq(const change& c);          // the per-transmit-queue signals
  void apply_at(uint64_t t_ps);             // the pending changes at t_ps, into the probe
  void dump_pending_before(uint64_t t_ps);  // catch_up's work
  void dump_at(uint64_t t_ps);
  std::function<void(VerilatedFstC*)> trace_rtl_;
  std::unique_ptr<Vigb_sw_probe> probe_;
  std::unique_ptr<VerilatedFstC> fst_;
  std::string path_;
  std::deque<change> pending_;
  uint64_t last_t_ = 0;
  uint64_t win_start_ = 0, win_end_ = UINT64_MAX;
  bool in_window(uint64_t t) const { return t >= win_start_ && t <= win_end_; }
  bool any_dump_ = false;
  static constexpr uint64_t kDumpsPerBlock = 4096;  // see dump_at
  uint64_t dumps_ = 0;
  uint32_t desc_read_toggle_[kProbeQueues] = {};
};

}  // namespace igbsim
