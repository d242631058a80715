// SPDX-License-Identifier: Apache-2.0
#include "journey.h"

#include <fmt/compile.h>
#include <fmt/format.h>

#include <stdexcept>

#include "sim_time.h"

namespace igbsim {

const char* step_name(step s) {
  static const char* names[kSteps] = {"wire_end",          "data_dma",         "desc_wb_nic",
                                      "desc_wb",           "msix_nic",         "msix",
                                      "isr_entry",         "napi_poll",        "drv_read_desc",
                                      "netif_receive_skb", "ip_rcv",           "udp_rcv",
                                      "sk_data_ready",     "ep_poll_callback", "try_to_wake_up",
                                      "epoll_wait_return", "read_return"};
  return names[static_cast<size_t>(s)];
}

const char* step_name(step s, bool tcp) {
  return tcp && s == step::udp_rcv ? "tcp_v4_rcv" : step_name(s);
}

step_ref step_at(step s) {
  switch (s) {
    case step::wire_end:
    case step::desc_wb_nic:
    case step::msix_nic: return step_ref::nic;
    case step::data_dma:
    case step::desc_wb:
    case step::msix: return step_ref::host;
    default: return step_ref::cpu;
  }
}

const char* step_ref_name(step_ref r) {
  switch (r) {
    case step_ref::nic: return "NIC port";
    case step_ref::host: return "host";
    default: return "CPU";
  }
}

bool journey::open(const std::string& path) {
  csv_ = std::fopen(path.c_str(), "w");
  if (!csv_) return false;
  std::fprintf(csv_, "frame,fate");
  for (size_t i = 0; i < kSteps; ++i) std::fprintf(csv_, ",%s_ns", step_name(step(i)));
  for (size_t i = 0; i < kSteps; ++i) std::fprintf(csv_, ",%s_task", step_name(step(i)));
  std::fprintf(csv_, "\n");
  return true;
}

bool journey::close() {
  bool ok = true;
  if (csv_) ok = !std::ferror(csv_) && std::fclose(csv_) == 0;
  csv_ = nullptr;
  return ok;
}

void journey::set_step(frame_record& r, step s, int64_t ps, char task) {
  set_step(r, s, ps, task, ++seq_);
}

void journey::set_step(frame_record& r, step s, int64_t ps, char task, uint64_t seq) {
  r.t[static_cast<size_t>(s)] = ps;
  r.task[static_cast<size_t>(s)] = task;
  r.seq[static_cast<size_t>(s)] = seq;
}

frame_record& journey::row(uint64_t id) {
  frame_record& r = live_[id];
  r.id = id;
  return r;
}

void journey::record(uint64_t id, step s, const sc_core::sc_time& t, char task) {
  if (id == UINT64_MAX) return;  // no frame (a stale descriptor, or no packet in context)
  set_step(row(id), s, static_cast<int64_t>(ps_of(t)), task);
}

void journey::record_first(uint64_t id, step s, const sc_core::sc_time& t, char task) {
  if (id == UINT64_MAX) return;
  frame_record& r = row(id);
  if (r.t[static_cast<size_t>(s)] < 0) set_step(r, s, static_cast<int64_t>(ps_of(t)), task);
}

// The callback and the wake-up are noted once the wake-up has changed the task's state: at
// their time they come before that change (seq 0: before any change at their ps). The
// try_to_wake_up step shows the state the wake-up left the woken task in.
void journey::note_wake(const void* task, char woke_as, uint64_t id, const sc_core::sc_time& at,
                        char cb_task) {
  wake_note& w = wakes_[task];
  w = {id, at, states_.count(task) ? woke_as : task_now(), cb_task};
  frame_record& r = row(id);
  const int64_t ps = static_cast<int64_t>(ps_of(at));
  if (cb_task) set_step(r, step::ep_poll_callback, ps, cb_task, 0);
  set_step(r, step::try_to_wake_up, ps, w.task, 0);
}

void journey::follow(const void* task, char state_now) {
  states_[task].at = {{0, ++seq_, state_now}};
}

namespace {
// The first of a log's changes (in time, then event order) after time ps and event seq
template <class Changes>
auto first_after(Changes& at, int64_t ps, uint64_t seq) {
  return std::upper_bound(at.begin(), at.end(), ps, [seq](int64_t v, const auto& e) {
    return v < e.ps || (v == e.ps && seq < e.seq);
  });
}
}  // namespace

void journey::note_state(const void* task, const sc_core::sc_time& t, char state) {
  auto it = states_.find(task);
  if (it == states_.end()) return;
  auto& at = it->second.at;
  const int64_t ps = static_cast<int64_t>(ps_of(t));
  const uint64_t seq = ++seq_;
  // In time order: the cores' local times interleave, so a change may land before the last
  at.insert(first_after(at, ps, seq), {ps, seq, state});
  if (at.size() > it->second.prune_at) prune(it->second);
}

// The state in force at a step (time ps, event seq): the last change before it
char journey::state_at(const state_log& log, int64_t ps, uint64_t seq) const {
  const auto pos = first_after(log.at, ps, seq);
  return pos == log.at.begin() ? '-' : std::prev(pos)->state;
}

void journey::prune(state_log& log) const {
  // States before the earliest time a step may still be asked for are not needed, but the one
  // in force then is. That time: the earliest step of a row not yet finished, or SystemC's
  // time (a step recorded later is at or after it: the NIC never acts behind it, and a core's
  // local time never is)
  int64_t oldest = static_cast<int64_t>(ps_of(sc_core::sc_time_stamp()));
  for (const auto& kv : live_)
    for (int64_t t : kv.second.t)
      if (t >= 0) oldest = std::min(oldest, t);
  const auto keep = std::lower_bound(  // the first change at or after it
      log.at.begin(), log.at.end(), oldest,
      [](const state_change& e, int64_t v) { return e.ps < v; });
  if (keep - log.at.begin() > 1) log.at.erase(log.at.begin(), std::prev(keep));
  log.prune_at = std::max<size_t>(4096, 2 * log.at.size());
}

void journey::settle_reader(uint64_t id, const sc_core::sc_time* wait_return, const void* reader) {
  auto it = live_.find(id);
  if (it == live_.end()) return;
  const auto note = wakes_.find(reader);
  const wake_note woken = note == wakes_.end() ? wake_note{} : note->second;
  frame_record& r = it->second;
  auto at = [&r](step s) { return r.t[static_cast<size_t>(s)]; };
  const int64_t ready = at(step::sk_data_ready);
  if (wait_return && ready >= 0 && static_cast<int64_t>(ps_of(*wait_return)) >= ready)
    set_step(r, step::epoll_wait_return, static_cast<int64_t>(ps_of(*wait_return)), task_now());
  const int64_t by =
      at(step::epoll_wait_return) >= 0 ? at(step::epoll_wait_return) : at(step::read_return);
  const int64_t woke = static_cast<int64_t>(ps_of(woken.at));
  if (woken.frame == id && woke <= by) {
    if (at(step::ep_poll_callback) >= 0)
      set_step(r, step::ep_poll_callback, woke, woken.cb_task, 0);
    set_step(r, step::try_to_wake_up, woke, woken.task, 0);
  } else {
    set_step(r, step::try_to_wake_up, -1, '-');
    if (at(step::ep_poll_callback) > by) set_step(r, step::ep_poll_callback, -1, '-');
  }
  // Several threads: the row's task states are the reader's at each step (at try_to_wake_up,
  // the state its wake-up left it in), and running at its own (a core's changes are at its
  // local time, which runs ahead of another's: a wake-up from a core further on can be timed
  // after the reader's return from the read it woke it for)
  const auto log = states_.find(reader);
  if (log == states_.end()) return;
  for (size_t i = 0; i < kSteps; ++i)
    if (r.t[i] >= 0 && step(i) != step::try_to_wake_up)
      r.task[i] = state_at(log->second, r.t[i], r.seq[i]);
  for (const step own : {step::epoll_wait_return, step::read_return})
    if (at(own) >= 0) r.task[static_cast<size_t>(own)] = 'R';
}

bool journey::has(uint64_t id, step s) const { return time_ps(id, s) >= 0; }

int64_t journey::time_ps(uint64_t id, step s) const {
  auto it = live_.find(id);
  return it == live_.end() ? -1 : it->second.t[static_cast<size_t>(s)];
}

char* format_ns(char* p, int64_t ps) {
  p = fmt::format_to(p, FMT_COMPILE("{}"), ps / 1000);
  const int frac = static_cast<int>(ps % 1000);
  *p++ = '.';
  *p++ = char('0' + frac / 100);
  *p++ = char('0' + frac / 10 % 10);
  *p++ = char('0' + frac % 10);
  return p;
}

void journey::finish(uint64_t id, const std::string& fate) {
  auto it = live_.find(id);
  frame_record r;
  if (it != live_.end()) r = it->second;
  r.id = id;
  if (fate == "delivered") {
    bool ordered = true;
    for (size_t i = 0; i < kSteps; ++i) {
      if (r.t[i] < 0) continue;
      const size_t b = delta_base(r.t, i);
      if (b >= kSteps) continue;
      if (r.t[i] >= r.t[b]) {
        deltas_[i].add(static_cast<uint64_t>(r.t[i] - r.t[b]));
      } else if (ordered) {
        // A step before the one its delta is taken from: the model's bug, left out of the
        // latencies and reported (misordered)
        ordered = false;
        misordered_.note(id, b, i);
      }
    }
    const int64_t a = r.t[size_t(step::wire_end)], b = r.t[size_t(step::read_return)];
    if (a >= 0 && b >= a) e2e_.add(static_cast<uint64_t>(b - a));
  }
  if (!keep_every_ || id % keep_every_ != 0) {
    // not in the sample (sim.journey): no row
  } else if (csv_) {
    // Times in ns with 3 decimals, formatted from the integer picoseconds (exact, and far
    // cheaper than printf's floating-point path): the whole nanoseconds by fmt's compiled
    // integer format, the three decimals as digits (fmt's zero-padded width takes its slower
    // general path), straight into a buffer on the stack (no growing buffer's bounds checks).
    // Bound: id and fate, then per step 20 digits, a point, 3 decimals and 2 commas.
    if (fate.size() > 64) throw std::logic_error("journey: fate name too long: " + fate);
    char line[20 + 1 + 64 + kSteps * (20 + 1 + 3 + 1) + kSteps * 2 + 2];
    char* p = fmt::format_to(line, FMT_COMPILE("{},{}"), id, fate);
    for (size_t i = 0; i < kSteps; ++i) {
      *p++ = ',';
      if (r.t[i] >= 0) p = format_ns(p, r.t[i]);
    }
    for (size_t i = 0; i < kSteps; ++i) {
      *p++ = ',';
      *p++ = r.task[i];
    }
    *p++ = '\n';
    std::fwrite(line, 1, static_cast<size_t>(p - line), csv_);
  } else {
    rows_.emplace_back(r, fate);
  }
  if (it != live_.end()) live_.erase(it);
}

void journey::finish_all_in_flight() {
  std::vector<uint64_t> ids;
  for (auto& kv : live_) ids.push_back(kv.first);
  std::sort(ids.begin(), ids.end());
  for (uint64_t id : ids) finish(id, "in_flight");
}

}  // namespace igbsim
