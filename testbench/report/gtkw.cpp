// SPDX-License-Identifier: Apache-2.0
// GTKWave save file for a run's waves.fst: groups in the order a frame travels (wire, packet
// buffer, a descriptor ring per queue, DMA, interrupts, driver/NAPI, softirq, sockets/epoll,
// tasks), then with a sender the order a sent packet travels (qdisc/BQL/driver per queue, a
// transmit ring per queue, transmit DMA, MAC transmit). FSM, context
// and task states are SystemVerilog enums whose names Verilator writes into the FST: shown
// without a number base, GTKWave prints those names. The DMA tag, not an enum, reads through a
// translate filter (waves/dma_tag.txt).
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
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
                const std::string& waves_dir, uint64_t start_ps, unsigned queues, unsigned cores,
                unsigned tx_queues) {
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
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (!f) throw std::runtime_error("cannot create " + path);
  std::fprintf(f, "[*] igbsim waveform view: a frame's path from the wire to read()\n");
  std::fprintf(
      f, "[dumpfile] \"%s\"\n[savefile] \"%s\"\n[timestart] %llu\n[size] 1600 1000\n[pos] -1 -1\n",
      fst_path.c_str(), save_path.c_str(), static_cast<unsigned long long>(start_ps));
  std::fprintf(
      f, "*-24.000000 0 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1\n");
  std::fprintf(f,
               "[sst_width] 250\n[signals_width] 330\n[sst_expanded] 1\n[sst_vpaned_height] 300\n");
  // GTKWave keeps one translate filter per index: each filter file gets its own.
  std::vector<std::string> filters;
  for (const auto& g : groups) {
    std::fprintf(f, "@800200\n-%s\n", g.title.c_str());
    for (const auto& s : g.sigs) {
      if (s.filter == "enum") {
        std::fprintf(f, "@20\n");  // right-justified, no number base: GTKWave shows enum names
      } else if (!s.filter.empty()) {
        auto it = std::find(filters.begin(), filters.end(), s.filter);
        if (it == filters.end()) it = filters.insert(filters.end(), s.filter);
        // The filter line goes first: GTKWave attaches the current filter when it reads the flags.
        std::fprintf(f, "^%zu %s/%s\n@2022\n", static_cast<size_t>(it - filters.begin()) + 1,
                     waves_dir.c_str(), s.filter.c_str());
      } else {
        std::fprintf(f, "@%s\n", s.fmt);
      }
      std::fprintf(f, "%s\n", s.name.c_str());
    }
    std::fprintf(f, "@1000200\n-%s\n", g.title.c_str());
  }
  std::fclose(f);
}

}  // namespace igbsim
