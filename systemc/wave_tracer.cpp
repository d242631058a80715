// SPDX-License-Identifier: Apache-2.0
#include "wave_tracer.h"

// verilated.h sees SystemC and calls sc_time_stamp() unqualified.
#include <systemc>
using sc_core::sc_time_stamp;
#include <verilated.h>
#include <verilated_fst_c.h>

#include <algorithm>
#include <cstdio>
#include <malloc.h>

#include "Vigb_sw_probe.h"

namespace igbsim {

wave_tracer::wave_tracer(VerilatedContext* ctx, std::function<void(VerilatedFstC*)> trace_rtl)
    : trace_rtl_(std::move(trace_rtl)), probe_(std::make_unique<Vigb_sw_probe>(ctx, "sw")) {}

wave_tracer::~wave_tracer() = default;

bool wave_tracer::open(const std::string& path) {
  // The FST writer takes a fresh change buffer for each block it writes: a malloc of its block
  // size plus slack (132 MB), freed by its writer thread once the block is compressed. glibc
  // serves such sizes with mmap, so every page of every block's buffer faulted in anew. From the
  // heap, with trimming off, the next block reuses pages already mapped (the faults were most
  // of a full-waves run's time). This holds for the rest of the
  // process; the heap keeps at most the buffers a writer has live at once, and only their
  // written part.
  mallopt(M_MMAP_MAX, 0);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  fst_ = std::make_unique<VerilatedFstC>();
  enabled_ = true;
  // No descriptor's DD visible yet: all ones, as the NIC's side (igb_nic g_dd) starts
  for (unsigned q = 0; q < kProbeQueues; ++q) apply({0, sw_sig::rx_dd_visible, 0xFFFF, q});
  trace_rtl_(fst_.get());
  probe_->trace(fst_.get(), 99);
  fst_->open(path.c_str());
  path_ = path;
  if (!fst_->isOpen()) {
    fst_.reset();
    enabled_ = false;
    return false;
  }
  probe_->eval();
  return true;
}

void wave_tracer::apply(const change& c) {
  Vigb_sw_probe& p = *probe_;
  // The probe's per-queue ports, by queue.
#define IGB_Q(n)                                                                        \
  {                                                                                     \
    &p.napi##n##_state_i, &p.napi##n##_missed_i, &p.napi##n##_budget_left_i,            \
        &p.napi##n##_work_done_i, &p.rx##n##_next_to_clean_i, &p.rx##n##_next_to_use_i, \
        &p.rx##n##_desc_read_i, &p.rx##n##_desc_read_stb_i, &p.rx##n##_dd_visible_i     \
  }
  struct queue_ports {
    CData *napi_state, *napi_missed;
    SData *budget_left, *work_done, *next_to_clean, *next_to_use, *desc_read;
    CData* desc_read_stb;
    SData* dd_visible;
  };
  const queue_ports qp[kProbeQueues] = {IGB_Q(0), IGB_Q(1), IGB_Q(2), IGB_Q(3),
                                        IGB_Q(4), IGB_Q(5), IGB_Q(6), IGB_Q(7)};
#undef IGB_Q
  const queue_ports& q = qp[c.q < kProbeQueues ? c.q : 0];
  switch (c.s) {
    case sw_sig::napi_state: *q.napi_state = c.v; break;
    case sw_sig::napi_missed: *q.napi_missed = c.v; break;
    case sw_sig::napi_budget_left: *q.budget_left = c.v; break;
    case sw_sig::napi_work_done: *q.work_done = c.v; break;
    case sw_sig::rx_next_to_clean: *q.next_to_clean = c.v; break;
    case sw_sig::rx_next_to_use: *q.next_to_use = c.v; break;
    case sw_sig::rx_dd_visible: *q.dd_visible = c.v; break;
    case sw_sig::rx_desc_read:
      *q.desc_read = c.v;
      *q.desc_read_stb = (desc_read_toggle_[c.q % kProbeQueues] ^= 1u);
      break;
    case sw_sig::tx_next_to_use:
    case sw_sig::tx_next_to_clean:
    case sw_sig::txq_state:
    case sw_sig::txq_bql_inflight:
    case sw_sig::txq_bql_limit:
    case sw_sig::txq_qdisc_backlog: apply_txq(c); break;
    case sw_sig::core_ctx: {
      CData* const ctx[kProbeCores] = {&p.core0_ctx_i, &p.core1_ctx_i, &p.core2_ctx_i,
                                       &p.core3_ctx_i, &p.core4_ctx_i, &p.core5_ctx_i,
                                       &p.core6_ctx_i, &p.core7_ctx_i};
      *ctx[c.q] = c.v;
      break;
    }
    case sw_sig::softirq_budget_left: p.softirq_budget_left_i = c.v; break;
    case sw_sig::sock0_rxq_len: p.sock0_rxq_len_i = c.v; break;
    case sw_sig::ep0_ready_len: p.ep0_ready_len_i = c.v; break;
    case sw_sig::task0_state: p.task0_state_i = c.v; break;
    case sw_sig::ksoftirqd_state: {
      CData* const st[kProbeCores] = {&p.ksoftirqd0_state_i, &p.ksoftirqd1_state_i,
                                      &p.ksoftirqd2_state_i, &p.ksoftirqd3_state_i,
                                      &p.ksoftirqd4_state_i, &p.ksoftirqd5_state_i,
                                      &p.ksoftirqd6_state_i, &p.ksoftirqd7_state_i};
      *st[c.q] = c.v;
      break;
    }
  }
}

// The probe's per-transmit-queue ports, by queue.
void wave_tracer::apply_txq(const change& c) {
  Vigb_sw_probe& p = *probe_;
#define IGB_TXQ(n)                                                               \
  {                                                                              \
    &p.tx##n##_next_to_use_i, &p.tx##n##_next_to_clean_i, &p.txq##n##_backlog_i, \
        &p.txq##n##_state_i, &p.txq##n##_bql_inflight_i, &p.txq##n##_bql_limit_i \
  }
  struct txq_ports {
    SData *next_to_use, *next_to_clean, *backlog;
    CData* state;
    IData *inflight, *limit;
  };
  const txq_ports tp[kProbeQueues] = {IGB_TXQ(0), IGB_TXQ(1), IGB_TXQ(2), IGB_TXQ(3),
                                      IGB_TXQ(4), IGB_TXQ(5), IGB_TXQ(6), IGB_TXQ(7)};
#undef IGB_TXQ
  const txq_ports& q = tp[c.q < kProbeQueues ? c.q : 0];
  switch (c.s) {
    case sw_sig::tx_next_to_use: *q.next_to_use = static_cast<SData>(c.v); break;
    case sw_sig::tx_next_to_clean: *q.next_to_clean = static_cast<SData>(c.v); break;
    case sw_sig::txq_state: *q.state = static_cast<CData>(c.v); break;
    case sw_sig::txq_bql_inflight: *q.inflight = c.v; break;
    case sw_sig::txq_bql_limit: *q.limit = c.v; break;
    case sw_sig::txq_qdisc_backlog: *q.backlog = static_cast<SData>(c.v); break;
    default: break;
  }
}

void wave_tracer::apply_at(uint64_t t_ps) {
  bool any = false;
  for (; !pending_.empty() && pending_.front().t == t_ps; any = true) {
    apply(pending_.front());
    pending_.pop_front();
  }
  if (any) probe_->eval();
}

void wave_tracer::dump_pending_before(uint64_t t_ps) {
  while (!pending_.empty() && pending_.front().t < t_ps) {
    const uint64_t t = pending_.front().t;
    apply_at(t);
    if (in_window(t)) dump_at(t);
  }
}

// A second dump at an already dumped time is ignored by the FST writer, and its changes
// would be lost: such a change is written 1 ps later instead.
void wave_tracer::dump_at(uint64_t t_ps) {
  const uint64_t at = (any_dump_ && t_ps <= last_t_) ? last_t_ + 1 : t_ps;
  fst_->dump(at);
  // Left alone, the FST writer closes a block at 128 MB of changes, later at an eighth of
  // physical memory, and writing a block walks each signal's changes back through that whole
  // buffer: a long run would spend most of its time there and hold hundreds of MB. A block
  // every kDumpsPerBlock dumps (about 90 line-rate frames) keeps both small; the commits that
  // chose the size give its timings. The cut points count dumps, so the same run still gives
  // the same bytes.
  if (++dumps_ % kDumpsPerBlock == 0) fst_->flush();
  last_t_ = at;
  any_dump_ = true;
}

void wave_tracer::dump_rtl(uint64_t t_ps) {
  if (!fst_) return;
  apply_at(t_ps);
  if (in_window(t_ps)) dump_at(t_ps);
}

void wave_tracer::sw_set(uint64_t t_ps, sw_sig s, uint32_t v, unsigned queue) {
  if (!fst_) return;
  if (s <= sw_sig::rx_desc_read && queue >= kProbeQueues) return;  // not a device queue (backlog)
  if ((s == sw_sig::core_ctx || s == sw_sig::ksoftirqd_state) && queue >= kProbeCores) return;
  change c{std::max(t_ps, last_t_), s, v, queue};
  // Keep time order; changes almost always arrive in order, so this scans from the back.
  auto it = pending_.end();
  while (it != pending_.begin() && std::prev(it)->t > c.t) --it;
  pending_.insert(it, c);
}

void wave_tracer::close(uint64_t t_end_ps) {
  if (!fst_) return;
  catch_up(UINT64_MAX);
  if (in_window(t_end_ps) || !any_dump_) dump_at(std::min(t_end_ps, win_end_));
  fst_->close();
  fst_.reset();
  enabled_ = false;
  // The FST header carries the wall-clock date of writing (fstapi's FST_HDR_OFFS_DATE, 119
  // bytes at offset 202); a fixed text there keeps the same run's waveform byte-identical.
  if (std::FILE* f = std::fopen(path_.c_str(), "r+b")) {
    char date[119] = "igbsim: deterministic waveform (same scenario and seed, same bytes)";
    if (std::fseek(f, 202, SEEK_SET) == 0) std::fwrite(date, sizeof date, 1, f);
    std::fclose(f);
  }
}

}  // namespace igbsim
