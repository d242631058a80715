// SPDX-License-Identifier: Apache-2.0
// journey: per-frame step times from the wire to read(), like a set of tracepoints keyed by
// the wire frame id that every layer passes along (skb->frame_id). A frame's row is final
// when it is delivered or dropped; rows are streamed to journey.csv then, so memory stays
// bounded by the frames in flight.
#pragma once
#include <systemc>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <random>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace igbsim {

// A step's time is taken at one of three places (step_at):
//   nic   at the NIC's port: the frame's last byte off the wire, its descriptor write-back
//         leaving for the host (`desc_wb_nic`), the MSI-X message leaving (`msix_nic`); these
//         are the times the waveform shows;
//   host  when it reaches the host: the data and the write-back visible in host memory (the
//         driver can see DD from then on), the interrupt message at the CPU (`msix`), which
//         PCIe's ordering of posted writes puts after every write the NIC sent before it;
//   cpu   on a CPU, in the kernel or the application.
// The write-back's interrupt leaves the NIC before the write-back is visible at the host (the
// link's latency), so NIC-side and host-side times are not one sequence. Deltas therefore run
// along two chains from wire_end: the NIC's (desc_wb_nic, msix_nic: the NIC's own time, then
// interrupt moderation), and the host's (every other step), whose deltas add up to end to end.
enum class step : uint8_t {
  wire_end,
  data_dma,
  desc_wb_nic,
  desc_wb,
  msix_nic,
  msix,
  isr_entry,
  napi_poll,
  drv_read_desc,
  netif_receive_skb,
  ip_rcv,
  udp_rcv,
  sk_data_ready,
  ep_poll_callback,
  try_to_wake_up,
  epoll_wait_return,
  read_return,
  count
};
constexpr size_t kSteps = static_cast<size_t>(step::count);
const char* step_name(step s);
// The step's name in a run of that transport: the transport step is tcp_v4_rcv in a TCP run
// (journey.csv keeps udp_rcv_ns as its column for both)
const char* step_name(step s, bool tcp);
enum class step_ref : uint8_t { nic, host, cpu };
step_ref step_at(step s);
const char* step_ref_name(step_ref r);  // "NIC port", "host", "CPU"
// On the NIC's chain of deltas (desc_wb_nic, msix_nic) rather than the host's; wire_end
// begins both.
constexpr bool on_nic_chain(step s) { return s == step::desc_wb_nic || s == step::msix_nic; }
// The step a reached step's delta is taken from: the latest earlier reached step of its chain
// (kSteps when there is none). t: the frame's times, -1 where not reached.
template <class T>
size_t delta_base(const T& t, size_t i) {
  for (size_t j = i; j-- > 0;) {
    const step s = step(j);
    if (t[j] >= 0 && (s == step::wire_end || on_nic_chain(s) == on_nic_chain(step(i)))) return j;
  }
  return kSteps;
}

// The first step of a row's times t (< 0: not reached) that is before the step its delta is
// taken from (base(t, i)), as {base, step}; {size, size} when there is none
template <class Times, class Base>
std::pair<size_t, size_t> first_step_before_its_base(const Times& t, Base&& base) {
  for (size_t i = 0; i < t.size(); ++i) {
    const size_t b = base(t, i);
    if (t[i] >= 0 && b < t.size() && t[i] < t[b]) return {b, i};
  }
  return {t.size(), t.size()};
}

// Rows with a step before the step its delta is taken from (none in a correct model: the
// checks journey_step_order and tx_journey_step_order), and the first of them
template <class Step>
struct step_misordering {
  uint64_t rows = 0;
  struct {
    uint64_t id = 0;
    Step base{}, later{};
  } first;
  void note(uint64_t id, size_t base, size_t later) {
    if (!rows++) first = {id, Step(base), Step(later)};
  }
};

// A task's last wake-up for a frame (journey::note_wake): the frame, the time, the app task's
// state at the wake-up and at its callback ('\0': no callback step, a blocking reader's)
struct wake_note {
  uint64_t frame = UINT64_MAX;
  sc_core::sc_time at;
  char task = '-', cb_task = '\0';
};

struct frame_record {
  uint64_t id = 0;
  std::array<int64_t, kSteps> t;  // ps; -1 = the frame did not pass this step
  std::array<char, kSteps> task;  // app task state at the step: R running, r runnable, S sleeping
  // When each step was recorded, in the journey's order of events: of a task state change at
  // the same ps, it tells which came first
  std::array<uint64_t, kSteps> seq;
  frame_record() {
    t.fill(-1);
    task.fill('-');
    seq.fill(0);
  }
};

// Latency samples of one step, in bounded memory: every sample up to kKeep, then a uniform
// reservoir of kKeep (Vitter's algorithm R, fixed seed, so a run repeats exactly). Count,
// sum and max stay exact; percentiles of a run past kKeep frames come from the reservoir.
struct latency_sample {
  static constexpr size_t kKeep = 100000;
  std::vector<uint64_t> kept;
  uint64_t count = 0, max = 0;
  double sum = 0;
  std::mt19937_64 rng{0x1665a5u};
  void add(uint64_t v) {
    ++count;
    sum += static_cast<double>(v);
    max = std::max(max, v);
    if (kept.size() < kKeep) {
      kept.push_back(v);
      return;
    }
    const uint64_t j = std::uniform_int_distribution<uint64_t>(0, count - 1)(rng);
    if (j < kKeep) kept[j] = v;
  }
  bool sampled() const { return count > kept.size(); }
};

// A time of ps >= 0 picoseconds as ns with 3 decimals ("12.345"), written at p (at most 24
// characters); returns the end. Exact and cheap: integer formatting only.
char* format_ns(char* p, int64_t ps);

class journey {
 public:
  // Opens journey.csv for streaming; an empty path keeps rows in memory only (tests).
  bool open(const std::string& path);
  // Which rows are written (or kept): frames whose id is a multiple of n (sim.journey
  // sample=N: frames 0, N, 2N ...); 1, the default, every frame; 0 none. The latency samples
  // (step_deltas, end_to_end) take every frame whatever n is.
  void keep_every(uint64_t n) { keep_every_ = n; }
  bool close();  // false when a row could not be written (a full disk)
  void record(uint64_t id, step s, const sc_core::sc_time& t) { record(id, s, t, task_now()); }
  // With the app task's state taken earlier (task_now); record_first: unless it has the step
  void record(uint64_t id, step s, const sc_core::sc_time& t, char task);
  void record_first(uint64_t id, step s, const sc_core::sc_time& t, char task);
  // `task` woken for frame id at `at` (kernel::journey_wake_site): the frame's callback step
  // (unless cb_task is '\0') and try_to_wake_up, and the task's note
  // (woke_as: the task's state the wake-up left it in)
  void note_wake(const void* task, char woke_as, uint64_t id, const sc_core::sc_time& at,
                 char cb_task);
  // The reader's steps of a delivered frame (server_app::deliver): its wait call's return
  // (wait_return, if any) when that came after the frame was queued; the wake-up callback and
  // try_to_wake_up the reader's own (its note, if for this frame and before the wait returned
  // or, with no return, the read), else no try_to_wake_up and the callback only if it came
  // before then
  void settle_reader(uint64_t id, const sc_core::sc_time* wait_return, const void* reader);
  char task_now() const { return task_state ? task_state() : '-'; }
  // Tasks whose state over time is kept (the application's threads, when it has several): a
  // delivered frame's row then shows, at each step, the state of the thread that read it
  // (settle_reader). note_state: a followed task's state changed at t (R, r, S, X).
  void follow(const void* task, char state_now);
  bool following() const { return !states_.empty(); }
  void note_state(const void* task, const sc_core::sc_time& t, char state);
  bool has(uint64_t id, step s) const;
  int64_t time_ps(uint64_t id, step s) const;
  // Final: the frame's fate ("delivered" or the counter that took it). Emits its row.
  void finish(uint64_t id, const std::string& fate);
  // Rows of frames still in flight at the end get the fate "in_flight".
  void finish_all_in_flight();
  // f(record) for every frame that has a row and no fate yet
  template <class F>
  void for_each_in_flight(F&& f) const {
    for (const auto& kv : live_) f(kv.second);
  }
  std::function<char()> task_state;  // the application task's state now
  // Per-step latency samples of delivered frames: from the previous reached step, and
  // end-to-end (wire_end -> read_return), in ps.
  const std::array<latency_sample, kSteps>& step_deltas() const { return deltas_; }
  const latency_sample& end_to_end() const { return e2e_; }
  // Delivered frames out of order (journey_step_order)
  using misordering = step_misordering<step>;
  const misordering& misordered() const { return misordered_; }
  // Finished rows kept in memory when no file is open.
  const std::vector<std::pair<frame_record, std::string>>& rows() const { return rows_; }

 private:
  frame_record& row(uint64_t id);  // the frame's live row, made if it has none
  std::unordered_map<uint64_t, frame_record> live_;
  std::array<latency_sample, kSteps> deltas_;
  latency_sample e2e_;
  std::unordered_map<const void*, wake_note> wakes_;  // by task (note_wake)
  // A followed task's states, by time, from its first change on; pruned to what the live
  // rows' steps still need when it has grown past prune_at (a thread that reads nothing, woken
  // with others for frames it does not get, still changes state)
  struct state_change {
    int64_t ps;
    uint64_t seq;  // the order of events (frame_record::seq) among changes at the same ps
    char state;
  };
  struct state_log {
    std::vector<state_change> at;
    size_t prune_at = 4096;
  };
  std::unordered_map<const void*, state_log> states_;
  uint64_t seq_ = 0;
  // seq: the step's place among the state changes at its ps (by default: after those so far)
  void set_step(frame_record& r, step s, int64_t ps, char task);
  void set_step(frame_record& r, step s, int64_t ps, char task, uint64_t seq);
  char state_at(const state_log& log, int64_t ps, uint64_t seq) const;
  void prune(state_log& log) const;
  misordering misordered_;
  std::vector<std::pair<frame_record, std::string>> rows_;
  std::FILE* csv_ = nullptr;
  uint64_t keep_every_ = 1;
};

}  // namespace igbsim
