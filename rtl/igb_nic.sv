// SPDX-License-Identifier: Apache-2.0
// igb_nic: top of the igb-class receive NIC (parameters NumQ receive queues, NumVec MSI-X
// vectors, PktbufWords of packet buffer). It holds:
//   - the boundary registers: every input is taken into a register first (below);
//   - the software reset (CTRL.RST) counter, which holds the core in reset for SwResetCycles;
//   - the blocks: igb_regs (BAR0 registers), igb_rx_csum and igb_rss (on the receive stream),
//     igb_rx_pktbuf (the packet buffer), per queue igb_rx_desc_cache and igb_rx_dma,
//     igb_dma_arb (the memory port, through igb_skid buffers) and igb_intr (EITR, MSI-X, INTx);
//   - the queue select (RETA) and the head frame's size in its queue's buffers.
// Ports: clocks and reset; the 1 us tick; the MMIO target port (BAR0); the receive stream from
// the MAC; the memory-master port (requests, write data, read completions); MSI-X and INTx;
// the IVAR-layout strap. Clock and reset: clk_i and rx_clk_i (one clock, two gates, below);
// rst_ni, asynchronous, active low, resets everything; the software reset resets all but the
// boundary registers and its counter, through a register (rst_core_n = rst_ni & ~sw_rst_q).
// Simulation only, left out of synthesis (`ifndef SYNTHESIS): the frame-fate events and the
// idle, timer and mask outputs the host model reads (its clock gates and checkers), the planted
// hardware faults (fault_i) and the assertions.
// Transmit path (issue 22):
//   igb_tx_desc_cache, one per queue (descriptor reads) -> igb_tx_dma (round robin over the
//     queues; context latch, data reads, write-backs, TDH) -> igb_tx_pktbuf (store-and-
//     forward; a TSO packet cuts through) -> igb_tx_offload (checksums, TSO)
//     -> igb_tx_mac (padding, FCS, statistics) -> tx stream
//   the transmit reads and write-backs share igb_dma_arb with the receive side.
// Flow control (IEEE 802.3x): igb_fc watches the receive stream for PAUSE frames (the pause
//   timer stops igb_tx_mac starting data frames; a consumed PAUSE frame is dropped by the
//   packet buffer's filter, RCTL.DPF) and the packet buffer's fill against FCRTH/FCRTL (its
//   XOFF/XON frames go out through igb_tx_mac at a frame boundary).
// Data path:
//   wire stream -> igb_rx_csum/igb_rss -> igb_rx_pktbuf (one buffer, frames in arrival order)
//     -> queue select (RETA[hash & 0x7F] when RSS hashed the frame, else queue 0)
//     -> igb_rx_dma of that queue -> igb_dma_arb -> memory-master port
//   igb_rx_desc_cache, one per queue (descriptor reads) ---^
//   igb_regs (BAR0) <-> all blocks;  igb_intr -> MSI-X message port
// The packet buffer is shared and in order, as on the part: a frame at its head waits for its
// own queue's descriptors (SRRCTL.DROP_EN=0) and holds back the frames behind it, whatever
// their queue - the reason igb sets DROP_EN with several queues when flow control is off.
// Every input is registered at the boundary (wire beats, MMIO requests, read completions, the
// 1 us tick: one cycle each) and the memory port leaves through skid buffers, so no logic
// inside depends combinationally on a pin: the part behaves like a synchronous block, and the
// Verilated model evaluates its logic once per clock edge.
// Two clock inputs, one frequency: rx_clk_i clocks the MAC's receive side (its boundary
// register, the checksum logic and the packet buffer's write side), clk_i everything else.
// They are one clock with two gates: the host clocks each side only in cycles in which it has
// work (rx_idle_o, core_idle_o), both in a cycle in which the packet buffer takes a frame;
// clocking both in every cycle is the same design as with one clock (sim.lockstep=true does
// that, and the tests compare). The gates exist for simulation speed: a wire beat then costs
// the receive side's logic, not the whole NIC's.
`default_nettype none

module igb_nic
  import igb_pkg::*;
#(
  parameter int NumQ   = NumQueues,
  parameter int NumVec = NumVectors,
  parameter int PktbufWords = 8192   // 64 KiB physical packet buffer
) (
  input  wire logic              clk_i,
  input  wire logic              rx_clk_i,   // the receive side's clock (see above)
  input  wire logic              rst_ni,
  // 1 us ticks of the EITR prescaler that elapse at this cycle: 1 once per microsecond. The
  // host may skip cycles in which nothing but the EITR timers would count and then present the
  // skipped ticks at once; it never skips past timer_next_o ticks (see timer_next_o).
  input  wire logic [15:0]       ticks_1us_i,

  // MMIO target port (BAR0)
  input  wire logic              mmio_valid_i,
  output      logic              mmio_ready_o,
  input  wire logic              mmio_we_i,
  input  wire logic [MmioAw-1:0] mmio_addr_i,
  input  wire logic [31:0]       mmio_wdata_i,
  output      logic              mmio_rvalid_o,
  output      logic [31:0]       mmio_rdata_o,

  // Receive stream from the wire (MAC side)
  input  wire logic              rx_valid_i,
  output      logic              rx_ready_o,
  input  wire logic [RxW-1:0]    rx_data_i,
  input  wire logic              rx_last_i,
  input  wire logic [4:0]        rx_bytes_i,

  // Transmit stream to the wire (MAC side), frames from the destination address through the
  // FCS; tx_bytes_o: valid bytes of the last beat, 1..16. The host paces tx_ready_i.
  // tx_ipg_o: the gap the MAC keeps after a frame, in byte times: TIPG.IPGT + 4 (82575EB SDM
  // 14.3.66, "an offset of 4 byte times is added to the programmed value"; 12 at reset, 96
  // bit times). The wire applies it after each frame's last byte (igb never writes TIPG).
  output      logic              tx_valid_o,
  input  wire logic              tx_ready_i,
  output      logic [RxW-1:0]    tx_data_o,
  output      logic              tx_last_o,
  output      logic [4:0]        tx_bytes_o,
  output      logic [10:0]       tx_ipg_o,

  // Memory-master port: requests, write data, read completions
  output      logic              dma_req_valid_o,
  input  wire logic              dma_req_ready_i,
  output      logic              dma_req_write_o,
  output      logic [63:0]       dma_req_addr_o,
  output      logic [15:0]       dma_req_len_o,
  output      logic [DmaTagW-1:0] dma_req_tag_o,      // {queue, tag}
  output      logic              dma_wdata_valid_o,
  input  wire logic              dma_wdata_ready_i,
  output      logic [DmaW-1:0]   dma_wdata_o,       // 16 bytes a beat (igb_pkg DmaW)
  output      logic              dma_wdata_last_o,
  input  wire logic              dma_rresp_valid_i,
  input  wire logic [DmaW-1:0]   dma_rresp_data_i,
  input  wire logic [DmaTagW-1:0] dma_rresp_tag_i,
  input  wire logic              dma_rresp_last_i,

  // MSI-X message out
  output      logic              msix_valid_o,
  output      logic [$clog2(NumVec)-1:0] msix_vec_o,   // 0 for the single MSI message
  output      logic              intx_o,               // INTx level (neither MSI-X nor MSI)

`ifndef SYNTHESIS
  // Simulation only: under SYNTHESIS they are local signals (after the ports) instead.
  // Observability for the host model: frame fates and activity
  output      logic              ev_frame_ok_o,
  output      logic              ev_frame_mpc_o,
  output      logic              ev_frame_runt_o,     // dropped: shorter than 64 bytes (RUC)
  output      logic              ev_frame_long_o,     // dropped: longer than RLPML allows (ROC)
  output      logic              ev_frame_filt_o,     // dropped by the address filter (no counter)
  output      logic              ev_frame_rqdpc_o,
  output      logic              ev_frame_rnbc_o,     // the head frame found no descriptor (RNBC)
  output      logic              ev_frame_dma_o,     // a frame's last buffer is written
  // Queue of the head frame (of the events above); 3 bits whatever NumQ
  output      logic [2:0]        ev_frame_queue_o,
  output      logic              idle_o,
  output      logic              rx_idle_o,         // nothing for the receive side at rx_clk_i
  output      logic              core_idle_o,       // nothing for the rest at clk_i (see idle_o)
  output      logic              timers_armed_o,
  // Ticks until the first running EITR timer expires
  output      logic [12:0]       timer_next_o,
  // clk_i cycles until a pause a received PAUSE frame started ends (0: none): the host may
  // leave clk_i unclocked until then, and gives the cycles since the last edge in core_gap_i
  output      logic [23:0]       pause_left_o,
  input  wire logic [23:0]       core_gap_i,
  output      logic [NumVec-1:0] eims_o,            // the interrupt mask, for the host's checkers
  // IMS.RXT0: the single interrupt's receive cause enabled (for the host's checkers)
  output      logic              ims_rx_o,

  // Fault injection (tests of the checkers), planted hardware bugs: bit 0 - MSI-X ignores
  // EIMS; 1 - a frame's last descriptor is written back before its data; 2 - RDT read as
  // inclusive (hardware uses the descriptor at RDT too); 3 - EITR throttling ignored; 4 - a
  // transmit descriptor is written back (DD) before its data is read; 5 - the inserted
  // transmit TCP/UDP checksum is off by one
  input  wire logic [7:0]        fault_i,
`endif
  // Straps (constant while running): the part's IVAR layout, 1 for the 82576 (igb_pkg IVAR0);
  // the transmit data reads out at most (igb_tx_dma: 1 to 16, 0 for 16)
  input  wire logic              ivar_82576_i,
  input  wire logic [4:0]        tx_reads_max_i
);

  localparam int QW = $clog2(NumQ);

`ifdef SYNTHESIS
  // The simulation-only ports are local signals here: no fault is planted, and synthesis
  // removes the logic that only the observability outputs read.
  /* verilator lint_off UNUSEDSIGNAL */
  logic              ev_frame_ok_o, ev_frame_mpc_o, ev_frame_runt_o, ev_frame_long_o;
  logic              ev_frame_filt_o, ev_frame_rqdpc_o, ev_frame_rnbc_o, ev_frame_dma_o;
  logic [2:0]        ev_frame_queue_o;
  logic              idle_o, rx_idle_o, core_idle_o, timers_armed_o, ims_rx_o;
  logic [12:0]       timer_next_o;
  logic [23:0]       pause_left_o;
  logic [NumVec-1:0] eims_o;
  /* verilator lint_on UNUSEDSIGNAL */
  logic [7:0]        fault_i;
  assign fault_i = '0;
  logic [23:0]       core_gap_i;  // the part's clk_i runs every cycle
  assign core_gap_i = 24'd1;
`endif

  // Boundary registers
  logic [15:0]       ticks_1us_q;
  logic              rx_valid_q, rx_last_q, mmio_valid_q, mmio_we_q;
  logic [7:0]        fault_q;
  logic [4:0]        tx_reads_max_q;  // the strap, registered as every other input
  logic              rresp_valid_q, rresp_last_q;
  /*verilator tracing_off*/  // rx_data_i and dma_rresp_data_i a cycle later
  logic [RxW-1:0]    rx_data_q;
  logic [DmaW-1:0]   rresp_data_q;
  /*verilator tracing_on*/
  logic [4:0]        rx_bytes_q;
  logic [MmioAw-1:0] mmio_addr_q;
  logic [31:0]       mmio_wdata_q;
  logic [DmaTagW-1:0] rresp_tag_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      ticks_1us_q   <= '0;
      fault_q       <= '0;
      tx_reads_max_q <= '0;
      mmio_valid_q  <= 1'b0;
      mmio_we_q     <= 1'b0;
      mmio_addr_q   <= '0;
      mmio_wdata_q  <= '0;
      rresp_valid_q <= 1'b0;
      rresp_last_q  <= 1'b0;
      rresp_data_q  <= '0;
      rresp_tag_q   <= '0;
    end else begin
      ticks_1us_q   <= ticks_1us_i;
      fault_q       <= fault_i;
      tx_reads_max_q <= tx_reads_max_i;
      mmio_valid_q  <= mmio_valid_i;
      mmio_we_q     <= mmio_we_i;
      mmio_addr_q   <= mmio_addr_i;
      mmio_wdata_q  <= mmio_wdata_i;
      rresp_valid_q <= dma_rresp_valid_i;
      rresp_last_q  <= dma_rresp_last_i;
      rresp_data_q  <= dma_rresp_data_i;
      rresp_tag_q   <= dma_rresp_tag_i;
    end
  end
  always_ff @(posedge rx_clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      rx_valid_q <= 1'b0;
      rx_last_q  <= 1'b0;
      rx_data_q  <= '0;
      rx_bytes_q <= '0;
    end else begin
      rx_valid_q <= rx_valid_i;
      rx_last_q  <= rx_last_i;
      rx_data_q  <= rx_data_i;
      rx_bytes_q <= rx_bytes_i;
    end
  end
  // Software reset (CTRL.RST): every block but the boundary registers and this counter is held
  // in reset for SwResetCycles, as after power-on; DMA completions still on their way are
  // back by then and find nothing waiting (the read latency is far shorter).
  // The core's reset is the power-on reset or a register: sw_rst_q is high exactly while the
  // counter runs (it takes whether the counter's next value is not zero), so no combinational
  // term of the counter's bits reaches the asynchronous reset, and the timing is the counter's.
  logic        sw_reset;
  logic [10:0] sw_reset_cnt_q;
  logic        rst_core_n;
  // The waveform has sw_reset_cnt_q, and rst_core_n (~sw_rst_q after power-on).
  /*verilator tracing_off*/
  logic [10:0] sw_reset_cnt_d;
  logic        sw_rst_q;
  /*verilator tracing_on*/
  always_comb begin
    sw_reset_cnt_d = sw_reset_cnt_q;
    if (sw_reset)                  sw_reset_cnt_d = 11'(SwResetCycles);
    else if (sw_reset_cnt_q != '0) sw_reset_cnt_d = sw_reset_cnt_q - 11'd1;
  end
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      sw_reset_cnt_q <= '0;
      sw_rst_q       <= 1'b0;
    end else begin
      sw_reset_cnt_q <= sw_reset_cnt_d;
      sw_rst_q       <= sw_reset_cnt_d != '0;
    end
  end
  assign rst_core_n = rst_ni & ~sw_rst_q;
  // A register read that arrives while the core is in software reset still completes, with 0
  // (choice: the reference does not say what BAR reads return during CTRL.RST; a read that
  // never completed would hang the host).
  logic        regs_rvalid, rst_rvalid_q;
  logic [31:0] regs_rdata;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) rst_rvalid_q <= 1'b0;
    else         rst_rvalid_q <= mmio_valid_q && !mmio_we_q && !rst_core_n;
  end
  assign mmio_rvalid_o = regs_rvalid || rst_rvalid_q;
  assign mmio_rdata_o  = rst_rvalid_q ? 32'h0 : regs_rdata;

  assign mmio_ready_o = 1'b1;  // every request is taken into the boundary register
  logic pb_ready, regs_ready;
  assign rx_ready_o = pb_ready;  // the MAC never stalls the wire

  logic [31:0] rctl, gpie;
  logic [13:0] rlpml;
  logic [47:0] rar0;
  logic        rar0_valid;
  logic [6:0]  rxpbs_kb;
  logic [31:0] rxcsum, csum_status, mrqc, rss_hash, p_saddr, p_daddr;
  logic [319:0] rssrk;
  logic [127:0][7:0] reta;
  logic [15:0] p_sport, p_dport;
  logic [3:0]  rss_type;
  logic        p_ipv4, p_tcp, p_udp, p_frag;
  logic [11:0] csum_ptype;
  logic [NumQ-1:0][31:0] srrctl, rxdctl;
  logic [NumQ-1:0][63:0] rdba;
  logic [NumQ-1:0][19:0] rdlen;  // RDLEN is kept in 128-byte units: bits 6:0 read as zero
  logic [NumQ-1:0][15:0] rdt, rdh, ring_count;
  logic [NumQ-1:0][15:0] rx_taken_idx;  // each engine's last descriptor taken (waveform only)
  logic [NumQ-1:0]       rdh_we, q_enable;
  logic [15:0] rdh_wdata;
  logic [NumVec-1:0] eicr, eims, eitr_reset, armed;
  logic [NumVec-1:0][12:0] eitr_interval;
  logic [31:0] icr, ims;
  logic [NumQ-1:0] flush, wb_pending, rxq_vec_valid;
  logic [NumQ-1:0][$clog2(NumVec)-1:0] rxq_vec;
  logic [NumQ-1:0] rxdmt, rx_cause, rx_wb_done, gprc_inc, rnbc_inc, rqdpc_inc;
  logic [NumQ-1:0][15:0] gorc_add;
  logic        mpc_inc, ruc_inc;
  logic [31:0] pb_drops, pb_runts, pb_longs;

  // Transmit side
  logic [31:0] tctl;
  logic [NumQ-1:0][31:0] txdctl;
  logic [NumQ-1:0][63:0] tdba;
  logic [NumQ-1:0][19:0] tdlen;
  logic [NumQ-1:0][15:0] tdt, tdh;
  logic [NumQ-1:0]       tdh_we, pqgptc_inc;
  logic        tpt_inc, gptc_inc;
  logic [15:0] txs_bytes;
  logic [NumQ-1:0]       tx_cause, tx_flush, tx_wb_pending, txq_vec_valid;
  logic [NumQ-1:0][$clog2(NumVec)-1:0] txq_vec;
  // Flow control
  logic        fc_rfce, fc_tfce, fc_xone, fc_txoff, fc_rx_drop, fc_tx_pause, fc_idle;
  logic [47:0] fc_fca;
  logic [15:0] fc_fct, fc_fcttv, fc_fcrtv;
  logic [17:0] fc_fcrtl, fc_fcrth, rxpb_fill;
  logic        fc_valid, fc_ready, fc_last;
  logic [127:0] fc_data;
  logic [4:0]  fc_bytes;
  logic        xonrxc_inc, xoffrxc_inc, xontxc_inc, xofftxc_inc;
  logic [31:0] fc_fcsts;
  logic unused_tx;
  assign unused_tx = ^{tctl[31:4], tctl[2], tctl[0]};

  logic [NumQ-1:0] rdlen_low;  // RDLEN bits 3:0 (always zero: 16-byte descriptors)
  for (genvar q = 0; q < NumQ; q++) begin : g_ring
    assign ring_count[q] = rdlen[q][19:4];
    assign q_enable[q]   = rctl[RctlEn] & rxdctl[q][RxdctlEnable];
    assign rdlen_low[q]  = ^rdlen[q][3:0];
  end
  logic unused_rdlen;
  assign unused_rdlen = ^rdlen_low;

  igb_regs #(.NumQ(NumQ), .NumVec(NumVec)) u_regs (
    .clk_i, .rst_ni(rst_core_n), .ivar_82576_i,
    .mmio_valid_i(mmio_valid_q), .mmio_ready_o(regs_ready), .mmio_we_i(mmio_we_q),
    .mmio_addr_i(mmio_addr_q), .mmio_wdata_i(mmio_wdata_q), .mmio_rvalid_o(regs_rvalid),
    .mmio_rdata_o(regs_rdata),
    .sw_reset_o(sw_reset), .rctl_o(rctl), .rlpml_o(rlpml), .rar0_o(rar0),
    .rar0_valid_o(rar0_valid), .rxpbs_kb_o(rxpbs_kb), .rxcsum_o(rxcsum), .mrqc_o(mrqc),
    .rssrk_o(rssrk),
    .reta_o(reta), .srrctl_o(srrctl), .rxdctl_o(rxdctl), .rdba_o(rdba),
    .rdlen_o(rdlen), .rdt_o(rdt), .rdh_i(rdh), .rdh_we_o(rdh_we), .rdh_wdata_o(rdh_wdata),
    .gpie_o(gpie), .eicr_o(eicr), .eims_o(eims), .eitr_interval_o(eitr_interval),
    .eitr_reset_o(eitr_reset), .rx_cause_i(rx_cause), .rx_wb_done_i(rx_wb_done),
    .rxdmt_i(rxdmt), .icr_o(icr), .ims_o(ims),
    .rxq_vec_valid_o(rxq_vec_valid), .rxq_vec_o(rxq_vec),
    .tx_cause_i(tx_cause), .txq_vec_valid_o(txq_vec_valid), .txq_vec_o(txq_vec),
    .msix_sent_i(msix_valid_o), .msix_sent_vec_i(msix_vec_o),
    .gprc_inc_i(|gprc_inc), .gorc_add_i(gorc_add[0]), .mpc_seen_i(pb_drops), .ruc_seen_i(pb_runts),
    .roc_seen_i(pb_longs),
    .rnbc_inc_i(|rnbc_inc), .rqdpc_inc_i(rqdpc_inc),
    .tctl_o(tctl), .tx_ipg_o, .txdctl_o(txdctl), .tdba_o(tdba), .tdlen_o(tdlen),
    .tdt_o(tdt), .tdh_i(tdh), .tdh_we_o(tdh_we),
    .tpt_inc_i(tpt_inc), .gptc_inc_i(gptc_inc), .txs_bytes_i(txs_bytes),
    .pqgptc_inc_i(pqgptc_inc),
    .rfce_o(fc_rfce), .tfce_o(fc_tfce), .fca_o(fc_fca), .fct_o(fc_fct), .fcttv_o(fc_fcttv),
    .fcrtl_o(fc_fcrtl), .xone_o(fc_xone), .fcrth_o(fc_fcrth), .fcrtv_o(fc_fcrtv),
    .txoff_i(fc_txoff), .xonrxc_inc_i(xonrxc_inc), .xoffrxc_inc_i(xoffrxc_inc),
    .xontxc_inc_i(xontxc_inc), .xofftxc_inc_i(xofftxc_inc)
  );

  logic        frm_valid;
  logic [15:0] frm_len, frm_pkt_info;
  logic [31:0] frm_status, frm_hash;
  logic [NumQ-1:0] frm_pop, word_popping;
  logic [NumQ-1:0][1:0] word_pop;  // packet-buffer words each queue's engine takes (0-2)
  logic [1:0]      word_pop_any;
  always_comb begin
    word_pop_any = '0;
    for (int unsigned q = 0; q < NumQ; q++) begin
      word_popping[q] = word_pop[q] != 2'd0;
      word_pop_any    = word_pop_any | word_pop[q];
    end
  end

  igb_rx_csum u_csum (
    .clk_i(rx_clk_i), .rst_ni(rst_core_n), .ipofl_i(rxcsum[RxcsumIpofl]),
    .tuofl_i(rxcsum[RxcsumTuofl]),
    .rx_valid_i(rx_valid_q), .rx_data_i(rx_data_q), .rx_last_i(rx_last_q), .rx_bytes_i(rx_bytes_q),
    .status_o(csum_status), .ptype_o(csum_ptype),
    .ipv4_o(p_ipv4), .tcp_o(p_tcp), .udp_o(p_udp), .fragment_o(p_frag),
    .saddr_o(p_saddr), .daddr_o(p_daddr), .sport_o(p_sport), .dport_o(p_dport)
  );

  igb_rss u_rss (
    .calc_i(rx_valid_q & rx_last_q), .mrqc_i(mrqc), .key_i(rssrk), .ipv4_i(p_ipv4),
    .tcp_i(p_tcp), .udp_i(p_udp),
    .fragment_i(p_frag), .saddr_i(p_saddr), .daddr_i(p_daddr), .sport_i(p_sport),
    .dport_i(p_dport), .hash_o(rss_hash), .type_o(rss_type)
  );
  /*verilator tracing_off*/  // the packet buffer's read word: the bytes dma_wdata_o carries
  logic [127:0] word;
  /*verilator tracing_on*/

  igb_rx_pktbuf #(.Words(PktbufWords)) u_pktbuf (
    .clk_i, .rx_clk_i, .rst_ni(rst_core_n), .enable_i(rctl[RctlEn]), .size_kb_i(rxpbs_kb),
    .upe_i(rctl[RctlUpe]), .mpe_i(rctl[RctlMpe]), .bam_i(rctl[RctlBam]), .lpe_i(rctl[RctlLpe]),
    .rlpml_i(rlpml), .rar_i(rar0), .rar_valid_i(rar0_valid), .fc_drop_i(fc_rx_drop),
    .rx_valid_i(rx_valid_q), .rx_ready_o(pb_ready), .rx_data_i(rx_data_q), .rx_last_i(rx_last_q),
    .rx_bytes_i(rx_bytes_q), .meta_status_i(csum_status), .meta_pkt_info_i({csum_ptype, rss_type}),
    .meta_hash_i(rss_hash), .frm_hash_o(frm_hash),
    .frm_valid_o(frm_valid), .frm_len_o(frm_len), .frm_status_o(frm_status),
    .frm_pkt_info_o(frm_pkt_info), .word_pop_i(word_pop_any), .word_o(word),
    .frm_pop_i(|frm_pop),
    .ev_frame_ok_o, .ev_frame_drop_o(mpc_inc), .ev_frame_runt_o(ruc_inc),
    .ev_frame_long_o, .ev_frame_filt_o,
    .drops_o(pb_drops), .runts_o(pb_runts), .longs_o(pb_longs), .fill_o(rxpb_fill)
  );

  igb_fc u_fc (
    .clk_i, .rx_clk_i, .rst_ni(rst_core_n), .gap_i(core_gap_i),
    .rfce_i(fc_rfce), .tfce_i(fc_tfce), .dpf_i(rctl[RctlDpf]), .fca_i(fc_fca), .fct_i(fc_fct),
    .rar_i(rar0), .rar_valid_i(rar0_valid), .fcttv_i(fc_fcttv), .fcrtl_i(fc_fcrtl),
    .xone_i(fc_xone), .fcrth_i(fc_fcrth), .fcrtv_i(fc_fcrtv),
    .rx_valid_i(rx_valid_q), .rx_data_i(rx_data_q), .rx_last_i(rx_last_q),
    .rx_bytes_i(rx_bytes_q), .rx_drop_o(fc_rx_drop), .rxpb_fill_i(rxpb_fill),
    .tx_pause_o(fc_tx_pause), .pause_left_o, .fc_valid_o(fc_valid), .fc_ready_i(fc_ready),
    .fc_data_o(fc_data), .fc_last_o(fc_last), .fc_bytes_o(fc_bytes),
    .txoff_o(fc_txoff), .fcsts_o(fc_fcsts),  // FCSTS0: not decoded (not in e1000_regs.h)
    .xonrxc_inc_o(xonrxc_inc), .xoffrxc_inc_o(xoffrxc_inc), .xontxc_inc_o(xontxc_inc),
    .xofftxc_inc_o(xofftxc_inc), .idle_o(fc_idle)
  );
  logic unused_fcsts;
  assign unused_fcsts = ^fc_fcsts;
  assign ev_frame_mpc_o = mpc_inc;
  assign ev_frame_runt_o = ruc_inc;

  // Queue of the frame at the head of the packet buffer: the RETA entry its RSS hash selects
  // (low 7 bits), when RSS is on and hashed it; otherwise queue 0 (choice: the reference
  // names no default queue for unhashed frames; QEMU's igb uses queue 0 too).
  logic [QW-1:0] frm_queue;
  logic [7:0]    reta_entry;  // whole elements: Icarus cannot part-select a variable-indexed one
  assign reta_entry = reta[frm_hash[6:0]];
  always_comb begin
    frm_queue = '0;
    if (mrqc_rss_on(mrqc[2:0]) && frm_pkt_info[3:0] != 4'd0) frm_queue = reta_entry[QW-1:0];
  end

  // The head frame's size in its queue's terms (for that queue's DMA engine only)
  logic [15:0] frm_host_len, frm_words, frm_needed, frm_bufsz;
  logic [31:0] frm_srrctl;
  assign frm_srrctl = srrctl[frm_queue];
  logic unused_selects;
  assign unused_selects = ^{reta_entry[7:QW], frm_srrctl[31:7]};
  always_comb begin
    frm_bufsz    = igb_bufsz(frm_srrctl[6:0]);
    frm_host_len = rctl[RctlSecrc] ? frm_len - 16'd4 : frm_len;
    frm_words    = (frm_len + 16'd7) >> 3;
    frm_needed   = 16'd1;
    for (int unsigned n = 2; n <= 16; n++)  // in 32 bits: 15 buffers of up to 127 KB
      if (32'(frm_host_len) > 32'(frm_bufsz) * (n - 1)) frm_needed = 16'(n);
  end

  // Memory port arbitration: one reader (descriptor cache) and one writer (DMA) per queue.
  logic [NumQ-1:0]       dc_req_valid, dc_req_ready, wr_req_valid, wr_req_ready;
  // The wide per-queue bundles are left off the waveform: each is only the queues' own
  // u_desc_cache/u_rx_dma ports side by side, and every change of one queue's data rewrote the
  // whole bundle in the FST (a quarter of the bits a waves run wrote).
  /*verilator tracing_off*/
  logic [NumQ-1:0][63:0] dc_req_addr, wr_req_addr;
  logic [NumQ-1:0][DmaW-1:0] wr_wdata;
  /*verilator tracing_on*/
  logic [NumQ-1:0][15:0] dc_req_len, wr_req_len;
  logic [NumQ-1:0][3:0]  dc_req_tag, wr_req_tag;
  logic [NumQ-1:0]       wr_wdata_valid, wr_wdata_ready, wr_wdata_last;
  logic [NumQ-1:0]       dc_busy, dma_busy;

  for (genvar q = 0; q < NumQ; q++) begin : g_queue
    logic        desc_valid, desc_pop, mine;
    logic [63:0] desc_pkt_addr;
    logic [15:0] desc_idx;
    assign mine = frm_valid && frm_queue == QW'(q);

    igb_rx_desc_cache u_desc_cache (
      .clk_i, .rst_ni(rst_core_n), .enable_i(q_enable[q]), .rdba_i(rdba[q]),
      .ring_count_i(ring_count[q]), .rdt_i(rdt[q]), .rdh_i(rdh[q]), .pthresh_i(rxdctl[q][4:0]),
      .hthresh_i(rxdctl[q][12:8]),
      .fault_rdt_inclusive_i(fault_q[2]),
      .demand_i(q_enable[q] && mine && !desc_valid),
      .req_valid_o(dc_req_valid[q]), .req_ready_i(dc_req_ready[q]), .req_addr_o(dc_req_addr[q]),
      .req_len_o(dc_req_len[q]), .req_tag_o(dc_req_tag[q]),
      .rsp_valid_i(rresp_valid_q && rresp_tag_q[DmaTagW-1:4] == (DmaTagW - 4)'(q) &&
                   !rresp_tag_q[3]),  // tag bit 3: a transmit read
      .rsp_data_i(rresp_data_q), .rsp_tag_i(rresp_tag_q[3:0]), .rsp_last_i(rresp_last_q),
      .desc_valid_o(desc_valid), .desc_pkt_addr_o(desc_pkt_addr), .desc_idx_o(desc_idx),
      .desc_pop_i(desc_pop), .busy_o(dc_busy[q])
    );

    igb_rx_dma u_rx_dma (
      .clk_i, .rst_ni(rst_core_n), .enable_i(q_enable[q]), .drop_en_i(srrctl[q][SrrctlDropEn]),
      .rdba_i(rdba[q]), .ring_count_i(ring_count[q]),
      .rdt_i(rdt[q]), .rdmts_i(srrctl[q][SrrctlRdmtsLo +: 5]),
      .fault_wb_before_data_i(fault_q[1]), .fault_rdt_inclusive_i(fault_q[2]),
      .wthresh_i(rxdctl[q][20:16]), .bsize_kb_i(srrctl[q][6:0]), .flush_i(flush[q]),
      .wb_pending_o(wb_pending[q]),
      .rdh_we_i(rdh_we[q]), .rdh_wdata_i(rdh_wdata), .rdh_o(rdh[q]),
      .taken_idx_o(rx_taken_idx[q]), .frm_valid_i(mine), .frm_len_i(frm_len),
      .frm_host_len_i(frm_host_len),
      .frm_words_i(frm_words), .frm_needed_i(frm_needed), .frm_status_i(frm_status),
      .frm_hash_i(frm_hash), .pcsd_i(rxcsum[RxcsumPcsd]),
      .frm_pkt_info_i(frm_pkt_info), .word_pop_o(word_pop[q]), .word_i(word),
      .frm_pop_o(frm_pop[q]),
      .desc_valid_i(desc_valid), .desc_pkt_addr_i(desc_pkt_addr), .desc_idx_i(desc_idx),
      .desc_pop_o(desc_pop),
      .req_valid_o(wr_req_valid[q]), .req_ready_i(wr_req_ready[q]), .req_addr_o(wr_req_addr[q]),
      .req_len_o(wr_req_len[q]), .req_tag_o(wr_req_tag[q]),
      .wdata_valid_o(wr_wdata_valid[q]), .wdata_ready_i(wr_wdata_ready[q]),
      .wdata_o(wr_wdata[q]), .wdata_last_o(wr_wdata_last[q]),
      .rx_cause_o(rx_cause[q]), .wb_done_o(rx_wb_done[q]), .rxdmt_o(rxdmt[q]),
      .gprc_inc_o(gprc_inc[q]),
      .gorc_add_o(gorc_add[q]), .rnbc_inc_o(rnbc_inc[q]), .rqdpc_inc_o(rqdpc_inc[q]),
      .busy_o(dma_busy[q])
    );
  end
  // Every engine reports the head frame's length; only the head frame's queue counts it.
  logic unused_gorc;
  always_comb begin
    unused_gorc = 1'b0;
    for (int unsigned q = 1; q < NumQ; q++) unused_gorc ^= ^gorc_add[q];
  end
  assign ev_frame_rqdpc_o = |rqdpc_inc;
  assign ev_frame_rnbc_o  = |rnbc_inc;
  assign ev_frame_queue_o = 3'(frm_queue);
  assign ev_frame_dma_o   = |rx_cause;

  // ---- Transmit side
  logic [NumQ-1:0]          tq_enable, tx_desc_valid, tx_desc_pop, tx_dc_busy, tx_killed;
  logic [15:0]              tx_rd_idx;
  logic [NumQ-1:0][127:0]   tx_desc;
  logic [NumQ-1:0][15:0]    tx_desc_idx, tx_ring_count;
  logic [NumQ:0]            trd_valid, trd_ready;  // the caches' reads and the data reader's
  /*verilator tracing_off*/
  logic [NumQ:0][63:0]      trd_addr;
  /*verilator tracing_on*/
  logic [NumQ:0][15:0]      trd_len;
  logic [NumQ:0][DmaTagW-1:0] trd_tag;
  for (genvar q = 0; q < NumQ; q++) begin : g_txq
    logic [3:0] tdc_tag;
    assign tq_enable[q]     = tctl[TctlEn] & txdctl[q][TxdctlEnable];
    assign tx_ring_count[q] = tdlen[q][19:4];
    assign trd_tag[q]       = {(DmaTagW - 4)'(q), TagTxDescRd | {2'b00, tdc_tag[1:0]}};
    igb_tx_desc_cache #(.MaxReads(4)) u_tx_desc_cache (
      .clk_i, .rst_ni(rst_core_n), .enable_i(tq_enable[q] && !tx_killed[q]), .tdba_i(tdba[q]),
      .ring_count_i(tx_ring_count[q]), .tdt_i(tdt[q]), .tdh_i(tdh[q]),
      .pthresh_i(txdctl[q][4:0]), .hthresh_i(txdctl[q][12:8]),
      .req_valid_o(trd_valid[q]), .req_ready_i(trd_ready[q]), .req_addr_o(trd_addr[q]),
      .req_len_o(trd_len[q]), .req_tag_o(tdc_tag),
      .rsp_valid_i(rresp_valid_q && rresp_tag_q[DmaTagW-1:4] == (DmaTagW - 4)'(q) &&
                   rresp_tag_q[3:2] == TagTxDescRd[3:2]),
      .rsp_data_i(rresp_data_q), .rsp_tag_i({2'b00, rresp_tag_q[1:0]}),
      .rsp_last_i(rresp_last_q),
      .desc_valid_o(tx_desc_valid[q]), .desc_o(tx_desc[q]), .desc_idx_o(tx_desc_idx[q]),
      .desc_pop_i(tx_desc_pop[q]), .busy_o(tx_dc_busy[q])
    );
    logic unused_tdc_tag;
    assign unused_tdc_tag = ^tdc_tag[3:2];
  end

  localparam int TxMetaW = 67;
  logic                twr_valid, twr_ready, twd_valid, twd_ready, twd_last;
  logic [63:0]         twr_addr;
  logic [15:0]         twr_len;
  logic [DmaTagW-1:0]  twr_tag;
  logic [DmaW-1:0]     twd_data;
  logic                tpb_we, tpb_commit, tpb_abort, tx_dma_busy;
  logic [127:0]        tpb_wdata;
  logic [15:0]         tpb_free, tpb_meta_free;
  logic [18:0]         tpb_len;
  logic [TxMetaW-1:0]  tpb_meta, tpo_meta;
  logic                tpo_valid, tpo_ready, tpo_last, tpo_first, tx_pb_busy;
  logic [127:0]        tpo_data;
  logic [4:0]          tpo_bytes;
  igb_tx_dma #(.NumQ(NumQ), .MetaW(TxMetaW)) u_tx_dma (
    .clk_i, .rst_ni(rst_core_n), .enable_i(tq_enable), .tdba_i(tdba),
    .ring_count_i(tx_ring_count), .wthresh_i(txdctl_wthresh), .tdh_we_i(tdh_we),
    .tdh_wdata_i(rdh_wdata), .tdh_o(tdh), .flush_i(tx_flush), .wb_pending_o(tx_wb_pending),
    .tx_cause_o(tx_cause),
    .desc_valid_i(tx_desc_valid), .desc_i(tx_desc), .desc_idx_i(tx_desc_idx),
    .desc_pop_o(tx_desc_pop),
    .rd_valid_o(trd_valid[NumQ]), .rd_ready_i(trd_ready[NumQ]), .rd_addr_o(trd_addr[NumQ]),
    .rd_len_o(trd_len[NumQ]), .rd_tag_o(trd_tag[NumQ]),
    .rsp_valid_i(rresp_valid_q && rresp_tag_q[3:0] == TagTxDataRd),
    .rsp_data_i(rresp_data_q), .rsp_last_i(rresp_last_q),
    .wr_valid_o(twr_valid), .wr_ready_i(twr_ready), .wr_addr_o(twr_addr), .wr_len_o(twr_len),
    .wr_tag_o(twr_tag), .wdata_valid_o(twd_valid), .wdata_ready_i(twd_ready),
    .wdata_o(twd_data), .wdata_last_o(twd_last),
    .pb_free_i(tpb_free), .pb_meta_free_i(tpb_meta_free), .pb_we_o(tpb_we),
    .pb_wdata_o(tpb_wdata), .pb_commit_o(tpb_commit), .pb_len_o(tpb_len),
    .pb_meta_o(tpb_meta), .pb_abort_o(tpb_abort), .busy_o(tx_dma_busy),
    .fault_dd_before_data_i(fault_q[4]), .reads_max_i(tx_reads_max_q), .killed_o(tx_killed),
    .rd_idx_o(tx_rd_idx)
  );
  logic [NumQ-1:0][4:0] txdctl_wthresh;
  for (genvar q = 0; q < NumQ; q++) begin : g_txq_wthresh
    assign txdctl_wthresh[q] = txdctl[q][20:16];
  end

  igb_tx_pktbuf #(.MetaW(TxMetaW)) u_tx_pktbuf (
    .clk_i, .rst_ni(rst_core_n), .we_i(tpb_we), .wdata_i(tpb_wdata), .commit_i(tpb_commit),
    .commit_len_i(tpb_len), .commit_meta_i(tpb_meta), .abort_i(tpb_abort),
    .cut_i(tpb_meta[TxMetaW-5]),  // TSE: a segmentation packet leaves as it comes
    .free_words_o(tpb_free), .meta_free_o(tpb_meta_free),
    .out_valid_o(tpo_valid), .out_ready_i(tpo_ready), .out_data_o(tpo_data),
    .out_last_o(tpo_last), .out_bytes_o(tpo_bytes), .out_first_o(tpo_first),
    .out_meta_o(tpo_meta), .attr_push_o(attr_push), .attr_full_i(mac_frame_full),
    .busy_o(tx_pb_busy)
  );

  // The packet's metadata, {queue, ifcs, tse, ixsm, txsm, l4t_tcp, ipv4, maclen, iplen, l4len,
  // mss, paylen} (igb_tx_dma), to the offload block and the MAC
  logic        tm_ifcs, tm_tse, tm_ixsm, tm_txsm, tm_tcp, tm_ipv4;
  logic [2:0]  tm_queue;
  logic [6:0]  tm_maclen;
  logic [8:0]  tm_iplen;
  logic [7:0]  tm_l4len;
  logic [15:0] tm_mss;
  logic [17:0] tm_paylen;
  assign {tm_queue, tm_ifcs, tm_tse, tm_ixsm, tm_txsm, tm_tcp, tm_ipv4, tm_maclen, tm_iplen,
          tm_l4len, tm_mss, tm_paylen} = tpo_meta;
  logic        toff_in_valid, toff_in_ready, toff_valid, toff_ready, toff_last, mac_frame_full;
  logic        toff_pkt_last, toff_drop;
  logic [127:0] toff_data;
  logic [4:0]  toff_bytes;
  logic        tx_mac_busy, toff_busy;
  logic attr_push;
  assign toff_in_valid = tpo_valid;
  assign tpo_ready     = toff_in_ready;
  logic unused_tpo_first, unused_tso_err;
  assign unused_tpo_first = tpo_first;
  igb_tx_offload u_tx_offload (
    .clk_i, .rst_ni(rst_core_n),
    .in_valid_i(toff_in_valid), .in_ready_o(toff_in_ready), .in_data_i(tpo_data),
    .in_last_i(tpo_last), .in_bytes_i(tpo_bytes),
    .tse_i(tm_tse), .ixsm_i(tm_ixsm), .txsm_i(tm_txsm), .l4t_tcp_i(tm_tcp), .ipv4_i(tm_ipv4),
    .maclen_i(tm_maclen), .iplen_i(tm_iplen), .l4len_i(tm_l4len), .mss_i(tm_mss),
    .paylen_i(tm_paylen),
    .out_valid_o(toff_valid), .out_ready_i(toff_ready), .out_data_o(toff_data),
    .out_last_o(toff_last), .out_pkt_last_o(toff_pkt_last), .out_drop_o(toff_drop),
    .out_bytes_o(toff_bytes),
    .tso_err_o(unused_tso_err),  // TSCTFC: a TSO context whose data missed PAYLEN (not counted)
    .busy_o(toff_busy), .fault_bad_csum_i(fault_q[5])
  );
  igb_tx_mac #(.NumQ(NumQ)) u_tx_mac (
    .clk_i, .rst_ni(rst_core_n), .psp_i(tctl[TctlPsp]),
    .frame_push_i(attr_push), .frame_ifcs_i(tm_ifcs),
    .frame_queue_i(tm_queue), .frame_full_o(mac_frame_full),
    .in_valid_i(toff_valid), .in_ready_o(toff_ready), .in_data_i(toff_data),
    .in_last_i(toff_last), .in_pkt_last_i(toff_pkt_last), .in_drop_i(toff_drop),
    .in_bytes_i(toff_bytes),
    .tx_pause_i(fc_tx_pause), .fc_valid_i(fc_valid), .fc_ready_o(fc_ready),
    .fc_data_i(fc_data), .fc_last_i(fc_last), .fc_bytes_i(fc_bytes),
    .tx_valid_o, .tx_ready_i, .tx_data_o, .tx_last_o, .tx_bytes_o,
    .tpt_inc_o(tpt_inc), .gptc_inc_o(gptc_inc), .frame_bytes_o(txs_bytes),
    .pqgptc_inc_o(pqgptc_inc), .busy_o(tx_mac_busy)
  );
  logic tx_busy;
  assign tx_busy = (|tx_dc_busy) | tx_dma_busy | tx_pb_busy | toff_busy | tx_mac_busy;

  logic arb_busy;
  igb_dma_arb #(.NumQ(NumQ), .NumT(NumQ + 1)) u_arb (
    .clk_i, .rst_ni(rst_core_n),
    .rd_valid_i(dc_req_valid), .rd_ready_o(dc_req_ready), .rd_addr_i(dc_req_addr),
    .rd_len_i(dc_req_len), .rd_tag_i(dc_req_tag),
    .wr_valid_i(wr_req_valid), .wr_ready_o(wr_req_ready), .wr_addr_i(wr_req_addr),
    .wr_len_i(wr_req_len), .wr_tag_i(wr_req_tag),
    .wdata_valid_i(wr_wdata_valid), .wdata_ready_o(wr_wdata_ready), .wdata_i(wr_wdata),
    .wdata_last_i(wr_wdata_last),
    .trd_valid_i(trd_valid), .trd_ready_o(trd_ready), .trd_addr_i(trd_addr),
    .trd_len_i(trd_len), .trd_tag_i(trd_tag),
    .twr_valid_i(twr_valid), .twr_ready_o(twr_ready), .twr_addr_i(twr_addr),
    .twr_len_i(twr_len), .twr_tag_i(twr_tag), .twdata_valid_i(twd_valid),
    .twdata_ready_o(twd_ready), .twdata_i(twd_data), .twdata_last_i(twd_last),
    .req_valid_o(dma_req_valid_o), .req_ready_i(dma_req_ready_i),
    .req_write_o(dma_req_write_o), .req_addr_o(dma_req_addr_o), .req_len_o(dma_req_len_o),
    .req_tag_o(dma_req_tag_o),
    .wdata_valid_o(dma_wdata_valid_o), .wdata_ready_i(dma_wdata_ready_i),
    .wdata_o(dma_wdata_o), .wdata_last_o(dma_wdata_last_o), .busy_o(arb_busy)
  );

  logic intr_busy;
  igb_intr #(.NumQ(NumQ), .NumVec(NumVec)) u_intr (
    .clk_i, .rst_ni(rst_core_n), .ticks_i(ticks_1us_q), .msix_mode_i(gpie[GpieMsixMode]),
    .eicr_i(eicr), .eims_i(eims | {NumVec{fault_q[0]}}), .interval_i(eitr_interval),
    .timer_reset_i(eitr_reset), .eims_real_i(eims), .fault_ignore_eitr_i(fault_q[3]),
    .legacy_pending_i((icr & ims) != 32'h0), .intx_o,
    .wb_pending_i(wb_pending), .rxq_vec_valid_i(rxq_vec_valid), .rxq_vec_i(rxq_vec),
    .flush_o(flush),
    .tx_wb_pending_i(tx_wb_pending), .txq_vec_valid_i(txq_vec_valid), .txq_vec_i(txq_vec),
    .tx_flush_o(tx_flush),
    .msix_valid_o, .msix_vec_o, .armed_o(armed), .next_expiry_o(timer_next_o), .busy_o(intr_busy)
  );

`ifndef SYNTHESIS
  // For the waveform: what the request on the memory port is (the tag alone reads 0, "queue 0
  // read slot 0", between requests), and its queue
  typedef enum logic [2:0] {
    DmaIdle, DmaRxDescRead, DmaRxDataWrite, DmaRxWriteback, DmaTxDescRead, DmaTxDataRead,
    DmaTxWriteback
  } dma_kind_e;
  /* verilator lint_off UNUSEDSIGNAL */
  dma_kind_e  dma_kind;
  logic [2:0] dma_queue;
  /* verilator lint_on UNUSEDSIGNAL */
  assign dma_queue = dma_req_tag_o[6:4];
  always_comb begin
    if (!dma_req_valid_o)                     dma_kind = DmaIdle;
    else if (dma_req_write_o)
      unique case (dma_req_tag_o[3:0])
        TagDataWr:                            dma_kind = DmaRxDataWrite;
        TagWbWr:                              dma_kind = DmaRxWriteback;
        default:                              dma_kind = DmaTxWriteback;  // TagTxWbWr
      endcase
    else if (dma_req_tag_o[3:2] == TagTxDataRd[3:2]) dma_kind = DmaTxDataRead;
    else if (dma_req_tag_o[3])                dma_kind = DmaTxDescRead;  // TagTxDescRd + slot
    else                                      dma_kind = DmaRxDescRead;  // the slot, 0..3
  end
  // The descriptor a request is for (its index in the queue's ring): the first of a descriptor
  // read or write-back, from its address; for a receive data write, the descriptor its engine
  // took last; for a transmit data read, the descriptor of the read the transmit engine was
  // granted last (the port shows a request the cycle after its grant; TDH, with several reads
  // out, is the oldest descriptor not yet done)
  /* verilator lint_off UNUSEDSIGNAL */
  logic [63:0] dma_desc_off;
  logic [15:0] dma_desc;
  /* verilator lint_on UNUSEDSIGNAL */
  always_comb begin
    dma_desc_off = '0;
    unique case (dma_kind)
      DmaRxDescRead, DmaRxWriteback: dma_desc_off = dma_req_addr_o - rdba[QW'(dma_queue)];
      DmaTxDescRead, DmaTxWriteback: dma_desc_off = dma_req_addr_o - tdba[QW'(dma_queue)];
      default: ;
    endcase
    unique case (dma_kind)
      DmaRxDataWrite: dma_desc = rx_taken_idx[QW'(dma_queue)];
      DmaTxDataRead:  dma_desc = tx_rd_idx;  // the read granted last: the port shows it next
      default:        dma_desc = dma_desc_off[19:4];
    endcase
  end
  // Per receive queue: the last descriptor the NIC wrote back with DD (its write-back request
  // taken by the memory port); the host's side is sw.rxN_dd_visible_i
  for (genvar q = 0; q < NumQ; q++) begin : g_dd
    /* verilator lint_off UNUSEDSIGNAL */
    logic [15:0] dd_nic_q;
    /* verilator lint_on UNUSEDSIGNAL */
    always_ff @(posedge clk_i or negedge rst_ni) begin  // (kept over a software reset)
      if (!rst_ni) dd_nic_q <= '1;  // none yet
      else if (dma_req_ready_i && dma_kind == DmaRxWriteback && dma_queue == 3'(q))
        dd_nic_q <= dma_desc + 16'(dma_req_len_o >> 4) - 16'd1;
    end
  end
`endif

  // Idle: nothing in the boundary registers or port buffers, and no block has work it would do
  // without outside input. Waiting for input does not count as work: a frame half received
  // waits for its next beat and a descriptor read for its completion, and the host model
  // knows when both come (so it skips the cycles in between; the lockstep test checks that
  // skipping them changes nothing).
  // The receive side works in the cycle after each wire beat; clk_i's side in the cycle after
  // a frame's last one too if the packet buffer takes the frame (the hand-over). A dropped
  // frame needs no clk_i edge: MPC, RUC and ROC take up its count at the next one.
  assign rx_idle_o      = ~rx_valid_q;
  assign core_idle_o    = ~((|dc_busy) | (|dma_busy) | intr_busy | arb_busy | mmio_rvalid_o |
                            ev_frame_ok_o | mmio_valid_q |
                            rresp_valid_q | (ticks_1us_q != '0) | (sw_reset_cnt_q != '0) |
                            tx_busy | ~fc_idle);
  assign idle_o         = rx_idle_o & core_idle_o;
  logic unused_regs_ready;
  assign unused_regs_ready = regs_ready;
  assign timers_armed_o = |armed;
  assign eims_o         = eims;
  assign ims_rx_o       = (ims & IcrRxt0) != 32'h0;
  logic unused_fault;
  assign unused_fault = ^fault_q[7:6];

`ifndef SYNTHESIS
`ifndef IGB_NO_ASSERTIONS  // Icarus Verilog 11 parses none (testbench/rtl_tb/run.sh)
  // The RTL's assertions are immediate assertions in clocked blocks: checked at the clock edge
  // on the values before it, as a concurrent assertion would be. Verilator keeps a sampled copy
  // of every signal a concurrent assertion reads and refreshes it at every evaluation of the
  // model, both clock edges: work on every evaluation that the immediate form, read only at
  // its clock edge, does not need.
  // The frame at the head of the packet buffer is taken by exactly one queue's engine.
  always_ff @(posedge clk_i) begin
    if (rst_core_n) begin
      a_one_taker: assert ($onehot0(frm_pop) && $onehot0(word_popping))
        else $error("nic: more than one queue took the head frame");
    end
  end
`endif
`endif

endmodule
