// SPDX-License-Identifier: Apache-2.0
// GTKWave save file for a run's waves.fst: groups in the order a frame travels (wire, packet
// buffer, a descriptor ring per queue, DMA, interrupts, driver/NAPI, softirq, sockets/epoll,
// tasks), then with a sender the order a sent packet travels (qdisc/BQL/driver per queue, a
// transmit ring per queue, transmit DMA, MAC transmit). FSM, context
// and task states are SystemVerilog enums whose names Verilator writes into the FST: shown
// without a number base, GTKWave prints those names. The DMA tag, not an enum, reads through a
// translate filter (waves/dma_tag.txt).
#include "gtkw.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "sim.h"

namespace igbsim {

namespace {
struct sig {
  std::string name;
  const char* fmt;     // gtkw flags: 28 = bit, 22 = hex, 24 = decimal (a filtered signal
                       // is shown in hex: GTKWave matches translate-filter keys in hex)
  std::string filter;  // translate filter file in waves/, "enum" for the FST's enum
                       // names, or ""
};
struct group {
  std::string title;
  std::vector<sig> sigs;
};

// The window's geometry (the [size] and pane widths write_gtkw sets), for the zoom that fits a
// time span into the waves pane: GTKWave shows zoombase^-zoom time units per 200 pixels
// (calczoom; zoombase 2), and the waves pane is what the window leaves beside the signal
// search tree and the signal names (20 pixels of borders, measured with GTKWave 3.3.118).
constexpr int kWindowWidth = 1600, kWindowHeight = 1000, kSstWidth = 200, kSignalsWidth = 330;
constexpr int kWavesPaneWidth = kWindowWidth - kSstWidth - kSignalsWidth - 20;

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
void add_transmit_groups(std::vector<group>& groups, unsigned tx_queues) {
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
    groups.push_back({fmt::format("transmit ring q{}", q),
                      {{g + "tdt_i[15:0]", "24", ""},
                       {g + "tdh_i[15:0]", "24", ""},
                       {g + "fetch_ptr_q[15:0]", "24", ""},
                       {g + "used[4:0]", "24", ""},
                       {g + "desc_valid_o", "28", ""}}});
  }
  const std::string d = "nic.igb_nic.u_tx_dma.", pb = "nic.igb_nic.u_tx_pktbuf.";
  groups.push_back({"transmit DMA",
                    {{d + "state_q[2:0]", "24", "enum"},
                     {d + "rd_valid_o", "28", ""},
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
}  // namespace

void write_gtkw(const std::string& path, const std::string& save_path, const std::string& fst_path,
                const std::string& waves_dir, const waves_view& view, unsigned queues,
                unsigned cores, unsigned tx_queues) {
  std::vector<group> groups = {
      {"wire",
       {{"nic.clk_i", "28", ""},
        {"nic.rx_clk_i", "28", ""},
        {"nic.rx_valid_i", "28", ""},
        {"nic.rx_last_i", "28", ""},
        {"nic.rx_bytes_i[4:0]", "24", ""},
        {"nic.rx_data_i[127:0]", "22", ""},
        {"nic.ev_frame_ok_o", "28", ""},
        {"nic.ev_frame_mpc_o", "28", ""}}},
      {"packet buffer",
       {{"nic.igb_nic.u_pktbuf.frm_valid_o", "28", ""},
        {"nic.igb_nic.u_pktbuf.used_words[13:0]", "24", ""},
        {"nic.igb_nic.u_pktbuf.used_slots[10:0]", "24", ""},
        {"nic.ev_frame_queue_o[2:0]", "24", ""}}},
  };
  // One descriptor-ring group per enabled queue: RDH/RDT, the cache, the DMA engine's state.
  for (unsigned q = 0; q < queues; ++q) {
    const std::string g = fmt::format("nic.igb_nic.g_queue[{}].", q);
    groups.push_back({fmt::format("descriptor ring q{}", q),
                      {{g + "u_rx_dma.rdh_q[15:0]", "24", ""},
                       {g + "u_rx_dma.rdt_i[15:0]", "24", ""},
                       {g + "u_desc_cache.fetch_ptr_q[15:0]", "24", ""},
                       {g + "u_desc_cache.used[4:0]", "24", ""},
                       {g + "u_rx_dma.state_q[2:0]", "24", "enum"},
                       {g + "u_rx_dma.rnbc_inc_o", "28", ""},
                       {g + "u_rx_dma.rqdpc_inc_o", "28", ""}}});
  }
  groups.push_back({"DMA",
                    {{"nic.dma_req_valid_o", "28", ""},
                     {"nic.dma_req_write_o", "28", ""},
                     {"nic.dma_req_tag_o[7:0]", "24", "dma_tag.txt"},
                     {"nic.dma_req_addr_o[63:0]", "22", ""},
                     {"nic.dma_req_len_o[15:0]", "24", ""},
                     {"nic.dma_wdata_valid_o", "28", ""},
                     {"nic.dma_wdata_last_o", "28", ""},
                     {"nic.dma_rresp_valid_i", "28", ""}}});
  groups.push_back({"interrupts",
                    {{"nic.igb_nic.u_regs.eicr_q[9:0]", "22", ""},
                     {"nic.igb_nic.u_regs.eims_q[9:0]", "22", ""},
                     {"nic.igb_nic.u_intr.armed_q[9:0]", "22", ""},
                     {"nic.msix_valid_o", "28", ""},
                     {"nic.msix_vec_o[3:0]", "24", ""}}});
  group drv{"driver/NAPI", {}};
  for (unsigned q = 0; q < queues; ++q) {
    const std::string n = std::to_string(q);
    drv.sigs.insert(drv.sigs.end(), {{"sw.igb_sw_probe.napi" + n + "_state[1:0]", "24", "enum"},
                                     {"sw.napi" + n + "_missed_i", "28", ""},
                                     {"sw.napi" + n + "_budget_left_i[15:0]", "24", ""},
                                     {"sw.napi" + n + "_work_done_i[15:0]", "24", ""},
                                     {"sw.rx" + n + "_next_to_clean_i[15:0]", "24", ""},
                                     {"sw.rx" + n + "_next_to_use_i[15:0]", "24", ""},
                                     {"sw.rx" + n + "_desc_read_i[15:0]", "24", ""}});
  }
  groups.push_back(drv);
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
  add_transmit_groups(groups, tx_queues);
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
    out += fmt::format("@800200\n-{}\n", g.title);
    for (const auto& s : g.sigs) {
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
    out += fmt::format("@1000200\n-{}\n", g.title);
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
