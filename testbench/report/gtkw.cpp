// SPDX-License-Identifier: Apache-2.0
// GTKWave save file for a run's waves.fst, ordered by the story a study reads: the interrupts
// (per vector, named by the queues it serves: mask, cause, auto-clear, auto-mask, the EITR
// countdown in us) and driver/NAPI first, then the path a received frame takes (the busiest
// queue's descriptor ring, DMA, the wire, the packet buffer, the other rings), the kernel
// (softirq, sockets/epoll, tasks), then with a sender the path a sent packet takes
// (qdisc/BQL/driver per queue, a transmit ring per queue, transmit DMA, MAC transmit) and flow
// control. Groups of queues and vectors that carried nothing open folded. FSM, context and task
// states are SystemVerilog enums whose names Verilator writes into the FST: shown without a
// number base, GTKWave prints those names. The DMA tag, not an enum, reads through a translate
// filter (waves/dma_tag.txt).
// The view it opens on (gtkw.h) is found in the waveform itself: the first complete interrupt
// cycle of the busiest queue, with a named marker at each of its events.
#include "gtkw.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "fst_read.h"
#include "human_time.h"
#include "sim.h"

namespace igbsim {

namespace {
struct sig {
  std::string name;    // a signal, or (filter "line") a whole trace line: an alias or bits
  const char* fmt;     // gtkw flags: 28 = bit, 22 = hex, 24 = decimal (a filtered signal
                       // is shown in hex: GTKWave matches translate-filter keys in hex)
  std::string filter;  // translate filter file in waves/, "enum" for the FST's enum
                       // names, "line" for a trace line written as is, or ""
};
struct group {
  std::string title;
  std::vector<sig> sigs;
  bool folded = false;  // opens closed: a queue or vector that carried nothing
};

// The NIC's interrupt vectors (rtl/igb_pkg.sv NumVectors): EIMS, EICR, EIAC and EIAM are this
// wide, and igb_intr's EITR countdowns (13 bits, us) are packed in one vector of 13 bits each
constexpr unsigned kNicVectors = 10, kEitrBits = 13;

// Bit b of a vector signal of `width` bits, as GTKWave's save file names it: (i) counts from
// the most significant bit
std::string bit_of(const std::string& name, unsigned width, unsigned b) {
  return fmt::format("({}){}", width - 1 - b, name);
}

// The window's geometry (the [size] and pane widths write_gtkw sets), for the zoom that fits a
// time span into the waves pane: GTKWave shows zoombase^-zoom time units per 200 pixels
// (calczoom; zoombase 2), and the waves pane is what the window leaves beside the signal
// search tree and the signal names (20 pixels of borders, measured with GTKWave 3.3.118).
constexpr int kWindowWidth = 1600, kWindowHeight = 1000, kSstWidth = 200, kSignalsWidth = 330;
constexpr int kWavesPaneWidth = kWindowWidth - kSstWidth - kSignalsWidth - 20;
static_assert(kWavesPaneWidth == kGtkwWavesPane);

// The view's lines: the start, the zoom with the marker times (primary marker unset, then A..Z),
// and the markers' names
std::string view_lines(const waves_view& v) {
  std::string out = fmt::format("[timestart] {}\n", v.start_ps);
  const double span = v.end_ps > v.start_ps ? static_cast<double>(v.end_ps - v.start_ps) : 0;
  // Without an end: GTKWave's zoom of -24, about 80 us across the pane
  const double zoom = span > 0 ? -std::log2(200.0 * span / kWavesPaneWidth) : -24.0;
  std::vector<waves_marker> kept;
  std::set<uint64_t> times;
  for (const waves_marker& m : v.markers)
    if (kept.size() < kGtkwMaxMarkers && times.insert(m.ps).second) kept.push_back(m);
  out += fmt::format("*{:.6f} -1", zoom);
  for (size_t i = 0; i < kGtkwMaxMarkers; ++i)
    out += i < kept.size() ? fmt::format(" {}", kept[i].ps) : std::string(" -1");
  out += "\n";
  for (size_t i = 0; i < kept.size(); ++i)
    out += fmt::format("[markername_long] {} {}\n", static_cast<char>('A' + i), kept[i].name);
  return out;
}

// The transmit path: the kernel's and igb's view per queue (qdisc backlog, BQL, the queue's
// stop state, next_to_use / next_to_clean), the NIC's transmit ring per queue (TDT, TDH, the
// descriptor cache), the transmit DMA engine and packet buffer, the MAC and the wire.
void add_transmit_groups(std::vector<group>& groups, const waves_layout& l) {
  const unsigned tx_queues = l.tx_queues;
  if (tx_queues == 0) return;
  group sw{"transmit: qdisc, BQL, igb", {}};
  for (unsigned q = 0; q < tx_queues; ++q) {
    const std::string n = std::to_string(q);
    sw.sigs.insert(sw.sigs.end(), {{"sw.txq" + n + "_backlog_i[15:0]", "24", ""},
                                   {"sw.txq" + n + "_bql_inflight_i[31:0]", "24", ""},
                                   {"sw.txq" + n + "_bql_limit_i[31:0]", "24", ""},
                                   {"sw.igb_sw_probe.txq" + n + "_state[1:0]", "24", "enum"},
                                   {"sw.tx" + n + "_next_to_use_i[15:0]", "24", ""},
                                   {"sw.tx" + n + "_next_to_clean_i[15:0]", "24", ""}});
  }
  groups.push_back(sw);
  for (unsigned q = 0; q < tx_queues; ++q) {
    const std::string g = fmt::format("nic.igb_nic.g_txq[{}].u_tx_desc_cache.", q);
    const bool idle = q < l.tx_packets.size() && l.tx_packets[q] == 0;
    groups.push_back({fmt::format("transmit ring q{}{}", q, idle ? " (no packets)" : ""),
                      {{g + "tdt_i[15:0]", "24", ""},
                       {g + "tdh_i[15:0]", "24", ""},
                       {g + "fetch_ptr_q[15:0]", "24", ""},
                       {g + "used[4:0]", "24", ""},
                       {g + "desc_valid_o", "28", ""}},
                      idle});
  }
  const std::string d = "nic.igb_nic.u_tx_dma.", pb = "nic.igb_nic.u_tx_pktbuf.";
  groups.push_back({"transmit DMA",
                    {{d + "state_q[2:0]", "24", "enum"},
                     {d + "rd_valid_o", "28", ""},
                     {d + "reads_out[4:0]", "24", ""},
                     {d + "rsp_valid_i", "28", ""},
                     {d + "pb_commit_o", "28", ""},
                     {d + "wst_q[1:0]", "24", "enum"},
                     {pb + "used[12:0]", "24", ""}}});
  groups.push_back({"MAC transmit",
                    {{"nic.igb_nic.u_tx_offload.state_q[1:0]", "24", "enum"},
                     {"nic.tx_valid_o", "28", ""},
                     {"nic.tx_ready_i", "28", ""},
                     {"nic.tx_last_o", "28", ""},
                     {"nic.tx_bytes_o[4:0]", "24", ""},
                     {"nic.tx_data_o[127:0]", "22", ""},
                     {"nic.igb_nic.u_tx_mac.gptc_inc_o", "28", ""}}});
}

// The interrupts: the message port and, per vector, its EIMS / EICR / EIAC / EIAM bits and
// EITR countdown (us left of the interval; it counts only while armed), named by the queues
// its q_vector serves. Without MSI-X the one interrupt: IMS / ICR, and the INTx level.
void add_interrupt_groups(std::vector<group>& groups, const waves_layout& l) {
  const std::string r = "nic.igb_nic.u_regs.";
  // The message port (MSI-X, or MSI's one message); INTx is a level instead
  group top{"interrupts", {}};
  if (!l.intx)
    top.sigs.insert(top.sigs.end(), {{"nic.msix_valid_o", "28", ""},
                                     {"nic.igb_nic.u_intr.last_vec_q[3:0]", "24", ""}});
  if (l.intx) top.sigs.push_back({"nic.intx_o", "28", ""});
  if (!l.msix)
    top.sigs.insert(top.sigs.end(), {{r + "icr_q[31:0]", "22", ""}, {r + "ims_q[31:0]", "22", ""}});
  groups.push_back(top);
  if (!l.msix) return;
  const std::string count =
      fmt::format("nic.igb_nic.u_intr.count_q[{}:0]", kNicVectors * kEitrBits - 1);
  for (const waves_vector& v : l.vectors) {
    const std::string label = vector_label(v);
    group g{fmt::format("vector {} ({}){}", v.index, label.substr(label.find('_') + 1),
                        v.messages ? "" : ": no messages"),
            {},
            v.messages == 0};
    for (const char* reg : {"eims", "eicr", "eiac", "eiam"})
      g.sigs.push_back({fmt::format("+{{{}_{}}} {}", reg, label,
                                    bit_of(fmt::format("{}{}_q[{}:0]", r, reg, kNicVectors - 1),
                                           kNicVectors, v.index)),
                        "28", "line"});
    std::string bits = fmt::format("#{{eitr_us_{}}}", label);
    for (unsigned b = kEitrBits; b-- > 0;)
      bits += " " + bit_of(count, kNicVectors * kEitrBits, v.index * kEitrBits + b);
    g.sigs.push_back({bits, "24", "line"});
    groups.push_back(g);
  }
}

uint64_t busiest(const std::vector<uint64_t>& counts, size_t* at) {
  uint64_t best = 0;
  for (size_t i = 0; i < counts.size(); ++i)
    if (counts[i] > best) {
      best = counts[i];
      *at = i;
    }
  return best;
}
// The driver's side of what moved: the NAPI of each vector that sent messages, the receive
// rings that took frames and the transmit rings that sent packets (all receive rings in a
// run with neither)
group driver_group(const waves_layout& l) {
  const auto carried = [](const std::vector<uint64_t>& n, unsigned q) {
    return q < n.size() && n[q] > 0;
  };
  const bool any_traffic =
      std::any_of(l.rx_frames.begin(), l.rx_frames.end(), [](uint64_t n) { return n > 0; }) ||
      std::any_of(l.tx_packets.begin(), l.tx_packets.end(), [](uint64_t n) { return n > 0; });
  group drv{"driver/NAPI", {}};
  for (const waves_vector& v : l.vectors) {
    if (v.napi < 0 || (v.messages == 0 && any_traffic)) continue;
    const std::string n = std::to_string(v.napi);
    drv.sigs.insert(drv.sigs.end(), {{"sw.igb_sw_probe.napi" + n + "_state[1:0]", "24", "enum"},
                                     {"sw.napi" + n + "_missed_i", "28", ""},
                                     {"sw.napi" + n + "_budget_left_i[15:0]", "24", ""},
                                     {"sw.napi" + n + "_work_done_i[15:0]", "24", ""}});
  }
  for (unsigned q = 0; q < l.rx_queues; ++q) {
    if (any_traffic && !carried(l.rx_frames, q)) continue;
    const std::string n = std::to_string(q);
    drv.sigs.insert(drv.sigs.end(), {{"sw.rx" + n + "_next_to_clean_i[15:0]", "24", ""},
                                     {"sw.rx" + n + "_next_to_use_i[15:0]", "24", ""},
                                     {"sw.rx" + n + "_desc_read_i[15:0]", "24", ""}});
  }
  for (unsigned t = 0; t < l.tx_queues; ++t) {
    if (!carried(l.tx_packets, t)) continue;
    const std::string n = std::to_string(t);
    drv.sigs.insert(drv.sigs.end(), {{"sw.tx" + n + "_next_to_use_i[15:0]", "24", ""},
                                     {"sw.tx" + n + "_next_to_clean_i[15:0]", "24", ""}});
  }
  return drv;
}

// A run that only sends: its transmit path comes right after the driver, in place of the
// receive path's
void put_transmit_path_first(std::vector<group>& groups, const waves_layout& l) {
  size_t top_q = 0, top_t = 0;
  if (busiest(l.rx_frames, &top_q) == 0 && busiest(l.tx_packets, &top_t) > 0) {
    const std::string ring = fmt::format("transmit ring q{}", top_t);
    const auto tx_path = [&](const group& g) {
      return g.title == ring || g.title == "transmit DMA" || g.title == "MAC transmit";
    };
    std::vector<group> moved;
    std::copy_if(groups.begin(), groups.end(), std::back_inserter(moved), tx_path);
    groups.erase(std::remove_if(groups.begin(), groups.end(), tx_path), groups.end());
    const auto after = std::find_if(groups.begin(), groups.end(),
                                    [](const group& g) { return g.title == "driver/NAPI"; });
    groups.insert(after == groups.end() ? after : after + 1, moved.begin(), moved.end());
  }
}

}  // namespace

std::string vector_label(const waves_vector& v) {
  const std::string n = fmt::format("v{}_", v.index);
  if (v.rx_queue >= 0 && v.tx_queue == v.rx_queue) return n + fmt::format("q{}", v.rx_queue);
  if (v.rx_queue >= 0 && v.tx_queue >= 0)
    return n + fmt::format("rx{}_tx{}", v.rx_queue, v.tx_queue);
  if (v.rx_queue >= 0) return n + fmt::format("rx{}", v.rx_queue);
  if (v.tx_queue >= 0) return n + fmt::format("tx{}", v.tx_queue);
  return n + "other";
}

std::vector<waves_marker> first_interrupt_cycle(const std::string& fst_path,
                                                const waves_layout& l) {
  // The busiest queue: receive if any frame came in, else transmit; its vector
  size_t q = 0;
  const bool rx = busiest(l.rx_frames, &q) > 0;
  if (!rx && busiest(l.tx_packets, &q) == 0) return {};
  const auto serves = [&](const waves_vector& v) {
    return static_cast<size_t>(rx ? v.rx_queue : v.tx_queue) == q;
  };
  const auto vec = std::find_if(l.vectors.begin(), l.vectors.end(), serves);
  if (vec == l.vectors.end()) return {};
  // A transmit-only q_vector has no NAPI signals in the waveform (the software probe has them
  // for the receive queues): its poll shows as igb_clean_tx_irq moving next_to_clean
  const bool by_napi = vec->napi >= 0;
  if (!by_napi && rx) return {};
  const unsigned v = vec->index;
  enum { VALID, WRITE, TAG, MSG, MVEC, EIMS, NAPI };
  const std::vector<std::string> names = {"nic.dma_req_valid_o",
                                          "nic.dma_req_write_o",
                                          "nic.dma_req_tag_o",
                                          l.intx ? "nic.intx_o" : "nic.msix_valid_o",
                                          "nic.msix_vec_o",
                                          "nic.igb_nic.u_regs.eims_q",
                                          by_napi ? fmt::format("sw.napi{}_state_i", vec->napi)
                                                  : fmt::format("sw.tx{}_next_to_clean_i", q)};
  // The first few milliseconds after the first frame hold the first cycle of any run that
  // has one; reading no further keeps a long run's waveform from being read whole.
  constexpr uint64_t kLookPs = 5'000'000'000;
  std::vector<fst::change> changes;
  try {
    changes = fst::read_fst(fst_path, names, l.first_frame_ps, l.first_frame_ps + kLookPs);
  } catch (const std::runtime_error&) {
    return {};  // a waveform without these signals: no story to open on
  }
  // The write-back's tag: {queue, class} (rtl/igb_pkg.sv TagWbWr 2, TagTxWbWr 3)
  const uint64_t wb_tag = q << 4 | (rx ? 2u : 3u);
  const uint64_t kIdle = 0, kPolling = 2;  // sw probe napiN_state: NAPI_PROBE_*
  std::vector<uint64_t> cur(names.size(), 0);
  bool wb_now = false, msg_now = false, unmasked = true;
  uint64_t clean_at_msg = 0;  // next_to_clean when the message went (without NAPI signals)
  uint64_t last_wb = UINT64_MAX;
  std::vector<waves_marker> found;
  // Steps of the cycle after the write-back: 1 message, 2 mask (MSI-X), 3 poll start,
  // 4 napi_complete_done, 5 unmask (MSI-X)
  int step = 0;
  const std::string vname = fmt::format("v{}", v);
  for (size_t i = 0; i < changes.size();) {
    const uint64_t t = changes[i].t;
    for (; i < changes.size() && changes[i].t == t; ++i)
      cur[changes[i].sig] = fst::bits_to_u64(changes[i].value);
    const bool wb = cur[VALID] && cur[WRITE] && cur[TAG] == wb_tag;
    const bool msg = cur[MSG] && (l.intx || !l.msix || cur[MVEC] == v);
    const bool eims = (cur[EIMS] >> v) & 1;
    if (wb && !wb_now && step == 0) last_wb = t;
    if (msg && !msg_now) {
      // A message of the vector: a cycle starts if a write-back came since the last one
      if (last_wb != UINT64_MAX) {
        found = {{last_wb, fmt::format("{}write-back q{} (DD)", rx ? "" : "TX ", q)},
                 {t, l.msix ? fmt::format("MSI-X {}", vname)
                            : (l.intx ? "INTx asserted" : "MSI message")}};
        step = 1;
        clean_at_msg = cur[NAPI];
      }
      last_wb = UINT64_MAX;
    }
    if (step == 1 && l.msix && unmasked && !eims) {
      found.push_back({t, fmt::format("EIMS {} masked", vname)});
      step = 2;
    }
    if ((step == 2 || (step == 1 && !l.msix)) && by_napi && cur[NAPI] == kPolling) {
      found.push_back({t, fmt::format("igb_poll (napi {})", vec->napi)});
      step = 3;
    }
    if ((step == 2 || (step == 1 && !l.msix)) && !by_napi && cur[NAPI] != clean_at_msg) {
      found.push_back({t, fmt::format("igb_poll cleans TX q{}", q)});
      step = 4;  // no napi_complete_done to see
      if (!l.msix) return found;
    }
    if (step == 3 && cur[NAPI] == kIdle) {
      found.push_back({t, "napi_complete_done"});
      step = 4;
      if (!l.msix) return found;
    }
    if (step == 4 && eims) {
      found.push_back({t, fmt::format("EIMS {} re-enabled", vname)});
      return found;
    }
    wb_now = wb;
    msg_now = msg;
    unmasked = eims;
  }
  return {};
}

std::vector<waves_marker> readable_markers(std::vector<waves_marker> markers, uint64_t window) {
  std::stable_sort(markers.begin(), markers.end(),
                   [](const waves_marker& x, const waves_marker& y) { return x.ps < y.ps; });
  // A group of events shown as one marker at the first's time; the later ones' names say how
  // much later each is, so nothing is placed where it did not happen
  struct cluster {
    uint64_t ps;
    std::vector<waves_marker> events;
    std::string name() const {
      std::string n = events.front().name;
      for (size_t i = 1; i < events.size(); ++i)
        n += ", " + events[i].name +
             (events[i].ps > ps
                  ? " (+" + human_time(static_cast<double>(events[i].ps - ps) / 1000.0) + ")"
                  : "");
      return n;
    }
  };
  std::vector<cluster> cs;
  for (const waves_marker& m : markers) cs.push_back({m.ps, {m}});
  // GTKWave prints a name centred above its marker: two markers
  // closer than half their names' widths print over each other. Merge such neighbours until
  // none are left (a merged name is longer, and may then reach the next one).
  const double px_per_ps = window ? static_cast<double>(kWavesPaneWidth) / window : 0;
  for (bool merged = true; merged;) {
    merged = false;
    for (size_t i = 1; i < cs.size(); ++i) {
      const double gap = static_cast<double>(cs[i].ps - cs[i - 1].ps) * px_per_ps;
      // (GTKWave's marker font is about 6.5 pixels a character.) A group spans at most an
      // eighth of the window: past that, merging would swallow a whole journey into one
      // marker, and neighbours that still touch are left to touch.
      const double room =
          3.25 * static_cast<double>(cs[i - 1].name().size() + cs[i].name().size()) + 12;
      const bool short_span = cs[i].events.back().ps - cs[i - 1].ps <= window / 8;
      if (cs[i].ps == cs[i - 1].ps || (gap < room && short_span)) {
        cs[i - 1].events.insert(cs[i - 1].events.end(), cs[i].events.begin(), cs[i].events.end());
        cs.erase(cs.begin() + static_cast<std::ptrdiff_t>(i));
        merged = true;
        break;
      }
    }
  }
  std::vector<waves_marker> out;
  for (const cluster& c : cs) out.push_back({c.ps, c.name()});
  return out;
}

waves_view view_around(const std::vector<waves_marker>& markers) {
  if (markers.empty()) return {};
  uint64_t first = UINT64_MAX, last = 0;
  for (const waves_marker& m : markers) {
    first = std::min(first, m.ps);
    last = std::max(last, m.ps);
  }
  const uint64_t span = last - first;
  // 10 to 20 us, and room on both sides of what it shows
  const uint64_t window = std::max<uint64_t>(
      span + span / 10, std::clamp<uint64_t>(span * 3 / 2, 10'000'000, 20'000'000));
  const uint64_t before = (window - span) / 3;
  const uint64_t start = first > before ? first - before : 0;
  return {start, start + window, readable_markers(markers, window)};
}

void write_gtkw(const std::string& path, const std::string& save_path, const std::string& fst_path,
                const std::string& waves_dir, const waves_view& view, const waves_layout& l) {
  const unsigned queues = l.rx_queues, cores = l.cores;
  std::vector<group> groups;
  add_interrupt_groups(groups, l);
  groups.push_back(driver_group(l));
  // One descriptor-ring group per enabled queue: RDH/RDT, the cache, the DMA engine's state.
  // The busiest queue's first, the ones that received nothing folded.
  size_t top_q = 0;
  busiest(l.rx_frames, &top_q);
  std::vector<group> rings;
  for (unsigned q = 0; q < queues; ++q) {
    const std::string g = fmt::format("nic.igb_nic.g_queue[{}].", q);
    const bool idle = q < l.rx_frames.size() && l.rx_frames[q] == 0;
    rings.push_back(
        {fmt::format("descriptor ring q{}{}", q, idle ? " (no frames)" : ""),
         {{g + "u_rx_dma.rdh_q[15:0]", "24", ""},
          {g + "u_rx_dma.rdt_i[15:0]", "24", ""},
          {g + "u_desc_cache.fetch_ptr_q[15:0]", "24", ""},
          {g + "u_desc_cache.used[4:0]", "24", ""},
          {g + "u_rx_dma.state_q[2:0]", "24", "enum"},
          {g + "u_rx_dma.rnbc_inc_o", "28", ""},
          {g + "u_rx_dma.rqdpc_inc_o", "28", ""},
          // The last descriptor written back with DD: leaving the NIC, and
          // visible in host memory (the posted write's arrival)
          {fmt::format("+{{dd_written_nic_q{}}} nic.igb_nic.g_dd[{}].dd_nic_q[15:0]", q, q), "24",
           "line"},
          {fmt::format("+{{dd_visible_host_q{}}} sw.rx{}_dd_visible_i[15:0]", q, q), "24", "line"}},
         idle});
  }
  if (top_q < rings.size()) groups.push_back(rings[top_q]);
  groups.push_back({"DMA",
                    {{"nic.igb_nic.dma_kind[2:0]", "24", "enum"},
                     {"nic.igb_nic.dma_queue[2:0]", "24", ""},
                     {"nic.igb_nic.dma_desc[15:0]", "24", ""},
                     {"nic.dma_req_valid_o", "28", ""},
                     {"nic.dma_req_write_o", "28", ""},
                     {"nic.dma_req_tag_o[7:0]", "24", "dma_tag.txt"},
                     {"nic.dma_req_addr_o[63:0]", "22", ""},
                     {"nic.dma_req_len_o[15:0]", "24", ""},
                     {"nic.dma_wdata_valid_o", "28", ""},
                     {"nic.dma_wdata_last_o", "28", ""},
                     {"nic.dma_rresp_valid_i", "28", ""}}});
  groups.push_back({"wire",
                    {{"nic.clk_i", "28", ""},
                     {"nic.rx_clk_i", "28", ""},
                     {"nic.rx_valid_i", "28", ""},
                     {"nic.rx_last_i", "28", ""},
                     {"nic.rx_bytes_i[4:0]", "24", ""},
                     {"nic.rx_data_i[127:0]", "22", ""},
                     {"nic.ev_frame_ok_o", "28", ""},
                     {"nic.ev_frame_mpc_o", "28", ""}}});
  groups.push_back({"packet buffer",
                    {{"nic.igb_nic.u_pktbuf.frm_valid_o", "28", ""},
                     {"nic.igb_nic.u_pktbuf.used_words[13:0]", "24", ""},
                     {"nic.igb_nic.u_pktbuf.used_slots[10:0]", "24", ""},
                     {"nic.ev_frame_queue_o[2:0]", "24", ""}}});
  for (unsigned q = 0; q < queues; ++q)
    if (q != top_q) groups.push_back(rings[q]);
  group softirq{"softirq", {}};
  for (unsigned c = 0; c < cores; ++c)
    softirq.sigs.push_back(
        {"sw.igb_sw_probe.core" + std::to_string(c) + "_ctx[1:0]", "24", "enum"});
  softirq.sigs.push_back({"sw.softirq_budget_left_i[15:0]", "24", ""});
  groups.push_back(softirq);
  groups.push_back(
      {"sockets/epoll",
       {{"sw.sock0_rxq_len_i[15:0]", "24", ""}, {"sw.ep0_ready_len_i[15:0]", "24", ""}}});
  group tasks{"tasks", {{"sw.igb_sw_probe.task0_state[1:0]", "24", "enum"}}};
  for (unsigned c = 0; c < cores; ++c)
    tasks.sigs.push_back(
        {"sw.igb_sw_probe.ksoftirqd" + std::to_string(c) + "_state[1:0]", "24", "enum"});
  groups.push_back(tasks);
  add_transmit_groups(groups, l);
  put_transmit_path_first(groups, l);
  // 802.3x flow control (rtl/igb_fc.sv): the packet buffer's fill against the marks, the XOFF
  // state, PAUSE frames going out; PAUSE frames from the partner (XOFFRXC/XONRXC pulses) and
  // the pause they start: tx_pause_o is STATUS.TXOFF, the MAC starting no data frame
  const std::string fc = "nic.igb_nic.u_fc.";
  groups.push_back({"flow control",
                    {{fc + "rxpb_fill_i[17:0]", "24", ""},
                     {fc + "xoff_st_q", "28", ""},
                     {fc + "fc_valid_o", "28", ""},
                     {fc + "xofftxc_inc_o", "28", ""},
                     {fc + "xontxc_inc_o", "28", ""},
                     {fc + "xoffrxc_inc_o", "28", ""},
                     {fc + "xonrxc_inc_o", "28", ""},
                     {fc + "tx_pause_o", "28", ""},
                     {fc + "pause_q[22:0]", "24", ""}}});
  std::string out = "[*] igbsim waveform view: a frame's path from the wire to read()\n";
  out += fmt::format("[dumpfile] \"{}\"\n[savefile] \"{}\"\n", fst_path, save_path);
  out += view_lines(view);
  out += fmt::format("[size] {} {}\n[pos] -1 -1\n", kWindowWidth, kWindowHeight);
  out += fmt::format("[sst_width] {}\n[signals_width] {}\n[sst_expanded] 0\n", kSstWidth,
                     kSignalsWidth);
  // GTKWave keeps one translate filter per index: each filter file gets its own.
  std::vector<std::string> filters;
  for (const auto& g : groups) {
    // Group flags: begin 0x800000, end 0x1000000, blank 0x200; a folded group is also closed
    // (0x400000) and its end collapsed (0x1000)
    out += fmt::format("@{}\n-{}\n", g.folded ? "c00200" : "800200", g.title);
    for (const auto& s : g.sigs) {
      if (s.filter == "line") {
        out += fmt::format("@{}\n{}\n", s.fmt, s.name);
        continue;
      }
      if (s.filter == "enum") {
        out += "@20\n";  // right-justified, no number base: GTKWave shows enum names
      } else if (!s.filter.empty()) {
        auto it = std::find(filters.begin(), filters.end(), s.filter);
        if (it == filters.end()) it = filters.insert(filters.end(), s.filter);
        // The filter line goes first: GTKWave attaches the current filter when it reads the flags.
        out += fmt::format("^{} {}/{}\n@2022\n", it - filters.begin() + 1, waves_dir, s.filter);
      } else {
        out += fmt::format("@{}\n", s.fmt);
      }
      out += s.name + "\n";
    }
    out += fmt::format("@{}\n-{}\n", g.folded ? "1401200" : "1000200", g.title);
  }
  std::ofstream f(path);
  f << out;
  f.close();
  if (!f) throw std::runtime_error("cannot write " + path);
}

std::string gtkw_with_view(const std::string& gtkw, const waves_view& view) {
  std::istringstream in(gtkw);
  std::string out, line;
  bool placed = false;
  while (std::getline(in, line)) {
    const bool is_view = line.rfind("[timestart]", 0) == 0 || line.rfind("[markername", 0) == 0 ||
                         (!line.empty() && line[0] == '*');
    if (is_view) continue;
    out += line + "\n";
    if (!placed && line.rfind("[savefile]", 0) == 0) {
      out += view_lines(view);
      placed = true;
    }
  }
  if (!placed) out = view_lines(view) + out;
  return out;
}

}  // namespace igbsim
