// SPDX-License-Identifier: Apache-2.0
// igb_regs: the software-visible register file (BAR0): NumQueues receive queues (each decoded
// in both the 0x2800 and the 0xC000 block), RSS (MRQC, RSSRK, RETA), interrupts
// (EICR/EICS/EIMS/EIMC/EIAC/EIAM/EITR/IVAR/GPIE, ICR/ICS/IMS/IMC/IAM), the receive filters
// (RCTL, RLPML, RAL0/RAH0) and receive statistics; NumQ transmit queues (the 0x3800 and the
// 0xE000 block), TCTL, TIPG and transmit statistics; flow control (CTRL.RFCE/TFCE, STATUS.TXOFF,
// FCAL/FCAH/FCT/FCTTV/FCRTL/FCRTH/FCRTV, XONRXC/XONTXC/XOFFRXC/XOFFTXC; igb_fc acts on them).
// CTRL keeps what software writes but RST (self-clearing); the model acts on RFCE and TFCE.
//
// MMIO port: one access per cycle, always ready. A write takes effect at the clock edge; a
// read returns its data one cycle later on mmio_rvalid_o/mmio_rdata_o, and read-to-clear
// registers (EICR, statistics) clear at that same edge. An event arriving in the same cycle
// as the clearing read is kept, so no cause or count is ever lost.
`default_nettype none

module igb_regs
  import igb_pkg::*;
#(
  parameter int NumQ   = NumQueues,
  parameter int NumVec = NumVectors
) (
  input  wire logic              clk_i,
  input  wire logic              rst_ni,
  input  wire logic              ivar_82576_i,   // strap: the 82576's column-major IVAR layout

  // MMIO target port
  input  wire logic              mmio_valid_i,
  output      logic              mmio_ready_o,
  input  wire logic              mmio_we_i,
  input  wire logic [MmioAw-1:0] mmio_addr_i,
  input  wire logic [31:0]       mmio_wdata_i,
  output      logic              mmio_rvalid_o,
  output      logic [31:0]       mmio_rdata_o,

  // Receive configuration
  output      logic              sw_reset_o,      // CTRL.RST written: reset the device
  output      logic [31:0]       rctl_o,
  output      logic [13:0]       rlpml_o,         // RLPML: the long-packet limit
  output      logic [47:0]       rar0_o,          // RAR[0]: the station address
  output      logic              rar0_valid_o,    // RAH0.AV
  output      logic [6:0]        rxpbs_kb_o,
  output      logic [31:0]       rxcsum_o,
  output      logic [31:0]       mrqc_o,
  output      logic [319:0]      rssrk_o,
  output      logic [127:0][7:0] reta_o,
  // Per receive queue
  output      logic [NumQ-1:0][31:0] srrctl_o,
  output      logic [NumQ-1:0][31:0] rxdctl_o,
  output      logic [NumQ-1:0][63:0] rdba_o,
  output      logic [NumQ-1:0][19:0] rdlen_o,
  output      logic [NumQ-1:0][15:0] rdt_o,
  input  wire logic [NumQ-1:0][15:0] rdh_i,
  output      logic [NumQ-1:0]       rdh_we_o,
  output      logic [15:0]       rdh_wdata_o,     // also the value of a TDH write
  // Transmit configuration, per transmit queue
  output      logic [31:0]       tctl_o,
  // The MAC's gap after a frame, byte times: TIPG.IPGT + 4 (82575EB SDM 14.3.66, "an offset
  // of 4 byte times is added to the programmed value"; 12 at reset). IPGR1 and IPGR are half
  // duplex only: kept for software, unused.
  output      logic [10:0]       tx_ipg_o,
  output      logic [NumQ-1:0][31:0] txdctl_o,
  output      logic [NumQ-1:0][63:0] tdba_o,
  output      logic [NumQ-1:0][19:0] tdlen_o,
  output      logic [NumQ-1:0][15:0] tdt_o,
  input  wire logic [NumQ-1:0][15:0] tdh_i,
  output      logic [NumQ-1:0]       tdh_we_o,

  // Interrupt state
  output      logic [31:0]       gpie_o,
  output      logic [NumVec-1:0] eicr_o,
  output      logic [NumVec-1:0] eims_o,
  output      logic [NumVec-1:0][12:0] eitr_interval_o,  // EITR bits 14:2, in 1 us
  output      logic [NumVec-1:0] eitr_reset_o,             // EITR written without CNT_IGNR
  input  wire logic [NumQ-1:0]   rx_cause_i,               // a queue's frame is in host memory
  input  wire logic [NumQ-1:0]   rx_wb_done_i,             // a queue's descriptors are written back
  input  wire logic [NumQ-1:0]   rxdmt_i,                  // a queue fell to its RDMTS threshold
  output      logic [31:0]       icr_o,
  output      logic [NumQ-1:0]   rxq_vec_valid_o,          // the queue has an interrupt vector
  output      logic [NumQ-1:0][$clog2(NumVec)-1:0] rxq_vec_o,
  input  wire logic [NumQ-1:0]   tx_cause_i,               // a queue's descriptors written back
  output      logic [NumQ-1:0]   txq_vec_valid_o,          // its TX IVAR entry
  output      logic [NumQ-1:0][$clog2(NumVec)-1:0] txq_vec_o,
  output      logic [31:0]       ims_o,
  input  wire logic              msix_sent_i,
  input  wire logic [$clog2(NumVec)-1:0] msix_sent_vec_i,

  // Statistics events
  input  wire logic              gprc_inc_i,
  input  wire logic [15:0]       gorc_add_i,
  // Frames the packet buffer dropped (MPC) and found too short (RUC) since reset, counted on
  // its write side's clock: each clk_i edge adds what came since the last one.
  input  wire logic [31:0]       mpc_seen_i,
  input  wire logic [31:0]       ruc_seen_i,
  input  wire logic [31:0]       roc_seen_i,      // and found too long (ROC)
  input  wire logic              rnbc_inc_i,
  input  wire logic [NumQ-1:0]   rqdpc_inc_i,
  // Transmit statistics events: a frame left the MAC (TPT, TOT), good (GPTC, GOTC, PQGPTC of
  // its queue); bytes from the destination address through the FCS
  input  wire logic              tpt_inc_i,
  input  wire logic              gptc_inc_i,
  input  wire logic [15:0]       txs_bytes_i,
  input  wire logic [NumQ-1:0]   pqgptc_inc_i,

  // Flow control (igb_fc): configuration out, status and statistics increments in
  output      logic              rfce_o,          // CTRL.RFCE
  output      logic              tfce_o,          // CTRL.TFCE
  output      logic [47:0]       fca_o,           // {FCAH[15:0], FCAL}
  output      logic [15:0]       fct_o,
  output      logic [15:0]       fcttv_o,
  output      logic [17:0]       fcrtl_o,         // bytes: FCRTL bits 17:4, 3:0 zero
  output      logic              xone_o,          // FCRTL.XONE
  output      logic [17:0]       fcrth_o,
  output      logic [15:0]       fcrtv_o,
  input  wire logic              txoff_i,         // STATUS.TXOFF
  input  wire logic              xonrxc_inc_i,
  input  wire logic              xoffrxc_inc_i,
  input  wire logic              xontxc_inc_i,
  input  wire logic              xofftxc_inc_i
);

  localparam int VecW = $clog2(NumVec);
  localparam int QW   = $clog2(NumQ);

  logic [6:0]  rxpbs_q;
  logic [31:0] rxcsum_q, mrqc_q;
  logic [9:0][31:0] rssrk_q;
  // Which RSSRK register, if any
  logic       rssrk_hit;
  logic [3:0] rssrk_idx;
  always_comb begin
    rssrk_hit = 1'b0;
    rssrk_idx = '0;
    for (int unsigned i = 0; i < 10; i++) begin
      if (mmio_addr_i == RSSRK0 + MmioAw'(4 * i)) begin
        rssrk_hit = 1'b1;
        rssrk_idx = 4'(i);
      end
    end
  end
  // Which RETA register, if any
  logic       reta_hit;
  logic [4:0] reta_idx;
  always_comb begin
    reta_hit = mmio_addr_i[MmioAw-1:7] == RETA0[MmioAw-1:7];
    reta_idx = mmio_addr_i[6:2];
  end
  logic [31:0][31:0] reta_q;
  logic [31:0] rctl_q, ral0_q, rah0_q;
  logic [13:0] rlpml_q;
  logic [NumQ-1:0][31:0] srrctl_q, rxdctl_q, rdbal_q, rdbah_q;
  logic [NumQ-1:0][19:0] rdlen_q;
  logic [NumQ-1:0][15:0] rdt_q;
  logic [NumQ-1:0][31:0] rqdpc_q, rqdpc_d;
  logic [31:0] gpie_q;
  logic [31:0] icr_q, icr_d, ims_q, ims_d, iam_q, iac_q, iac_d, icrxdmtc_q, icrxdmtc_d;
  logic [NumVec-1:0] eicr_q, eicr_d, eims_q, eims_d, eiac_q, eiam_q;
  logic [NumVec-1:0][14:0] eitr_q;
  logic [NumIvar-1:0][31:0] ivar_q;
  logic [31:0] ivar_misc_q;
  logic [31:0] gprc_q, gprc_d, mpc_q, rnbc_q, rnbc_d, ruc_q, roc_q;
  logic        mpc_clr, ruc_clr, roc_clr;  // read-to-clear of MPC, RUC, ROC
  // mpc_seen_i, ruc_seen_i, roc_seen_i as of the last clk_i edge
  logic [31:0] mpc_taken_q, ruc_taken_q, roc_taken_q;
  // A count with what its packet-buffer count gained since the last take-up. A function, used
  // in clocked blocks only: a signal for it would be evaluated at the write side's edges too.
  function automatic logic [31:0] with_new(input logic [31:0] cnt, input logic [31:0] seen,
                                           input logic [31:0] taken);
    with_new = cnt + (seen - taken);
  endfunction
  logic [63:0] gorc_q, gorc_d;
  // Transmit registers and statistics
  logic [31:0] tctl_q, tipg_q;
  logic [NumQ-1:0][31:0] txdctl_q, tdbal_q, tdbah_q;
  logic [NumQ-1:0][19:0] tdlen_q;
  logic [NumQ-1:0][15:0] tdt_q;
  logic [31:0] gptc_q, gptc_d, tpt_q, tpt_d;
  logic [63:0] gotc_q, gotc_d, tot_q, tot_d;
  logic [NumQ-1:0][31:0] pqgptc_q, pqgptc_d;
  // Flow control registers and statistics
  logic [31:0] ctrl_q, fcal_q, fcrtl_q, fcrth_q;
  logic [15:0] fcah_q, fct_q, fcttv_q, fcrtv_q;
  logic [31:0] xonrxc_q, xonrxc_d, xontxc_q, xontxc_d, xoffrxc_q, xoffrxc_d;
  logic [31:0] xofftxc_q, xofftxc_d;
  logic        rvalid_q, rvalid_d;
  logic [31:0] rdata_q, rdata_d;

  logic wr, rd;
  assign wr = mmio_valid_i & mmio_we_i;
  assign rd = mmio_valid_i & ~mmio_we_i;
  assign mmio_ready_o = 1'b1;

  // Queue register decode: the legacy block 0x2800 + 0x100n (n < 4; offsets below 0x40) and
  // the canonical block 0xC000 + 0x40n.
  logic          q_hit;
  logic [QW-1:0] q_idx;
  logic [5:0]    q_off;
  always_comb begin
    q_hit = 1'b0;
    q_idx = '0;
    q_off = mmio_addr_i[5:0];
    if (mmio_addr_i[MmioAw-1:10] == RDBAL_A[MmioAw-1:10] && mmio_addr_i[7:6] == 2'b00 &&
        32'(mmio_addr_i[9:8]) < NumQ) begin
      q_hit = 1'b1;
      q_idx = QW'(mmio_addr_i[9:8]);
    end
    if (mmio_addr_i[MmioAw-1:10] == RDBAL_C[MmioAw-1:10] && 32'(mmio_addr_i[9:6]) < NumQ) begin
      q_hit = 1'b1;
      q_idx = QW'(mmio_addr_i[9:6]);
    end
  end

  // Transmit queue register decode: 0x3800 + 0x100n (n < 4) and 0xE000 + 0x40n
  logic          tq_hit;
  logic [QW-1:0] tq_idx;
  always_comb begin
    tq_hit = 1'b0;
    tq_idx = '0;
    if (mmio_addr_i[MmioAw-1:10] == TDBAL_A[MmioAw-1:10] && mmio_addr_i[7:6] == 2'b00 &&
        32'(mmio_addr_i[9:8]) < NumQ) begin
      tq_hit = 1'b1;
      tq_idx = QW'(mmio_addr_i[9:8]);
    end
    if (mmio_addr_i[MmioAw-1:10] == TDBAL_C[MmioAw-1:10] && 32'(mmio_addr_i[9:6]) < NumQ) begin
      tq_hit = 1'b1;
      tq_idx = QW'(mmio_addr_i[9:6]);
    end
  end
  // PQGPTC(n) = PQGPTC0 + 0x100n
  logic          pq_hit;
  logic [QW-1:0] pq_idx;
  always_comb begin
    pq_hit = mmio_addr_i[MmioAw-1:11] == PQGPTC0[MmioAw-1:11] &&
             mmio_addr_i[7:0] == PQGPTC0[7:0] && 32'(mmio_addr_i[10:8]) < NumQ;
    pq_idx = QW'(mmio_addr_i[10:8]);
  end

  // Which IVAR0 register, if any
  logic       ivar_hit;
  logic [$clog2(NumIvar)-1:0] ivar_idx;
  always_comb begin
    ivar_hit = 1'b0;
    ivar_idx = '0;
    for (int unsigned i = 0; i < NumIvar; i++) begin
      if (mmio_addr_i == IVAR0 + MmioAw'(4 * i)) begin
        ivar_hit = 1'b1;
        ivar_idx = ($clog2(NumIvar))'(i);
      end
    end
  end

  // Each queue's vector: its IVAR entry in MSI-X mode, the single vector 0 otherwise.
  logic [NumQ-1:0][7:0] ivar_entry, ivar_tx_entry;
  // The strap as a register for the entries: read from the pin, it would put the interrupt
  // logic and the DMA engines behind it (through their flushes) among what the simulator
  // evaluates at every input change. The strap is constant and IVAR is 0 until software
  // writes it, so the entries are the same.
  logic ivar_82576_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) ivar_82576_q <= 1'b0;
    else         ivar_82576_q <= ivar_82576_i;
  end
  for (genvar q = 0; q < NumQ; q++) begin : g_ivar_tx
    // The TX entry: the byte above the queue's RX entry in both layouts
    assign ivar_tx_entry[q]   = ivar_82576_q ? ivar_q[q % 8][16 * (q / 8) + 8 +: 8] :
                                                ivar_q[q / 2][16 * (q % 2) + 8 +: 8];
    assign txq_vec_valid_o[q] = !gpie_q[GpieMsixMode] ||
                                (ivar_tx_entry[q][IvarValid] &&
                                 (32'(ivar_tx_entry[q][4:0]) < NumVec));
    assign txq_vec_o[q]       = gpie_q[GpieMsixMode] ? ivar_tx_entry[q][VecW-1:0] : '0;
  end
  for (genvar q = 0; q < NumQ; q++) begin : g_ivar
    assign ivar_entry[q]      = ivar_82576_q ? ivar_q[q % 8][16 * (q / 8) +: 8] :
                                                ivar_q[q / 2][16 * (q % 2) +: 8];
    assign rxq_vec_valid_o[q] = !gpie_q[GpieMsixMode] ||
                                (ivar_entry[q][IvarValid] && (32'(ivar_entry[q][4:0]) < NumVec));
    assign rxq_vec_o[q]       = gpie_q[GpieMsixMode] ? ivar_entry[q][VecW-1:0] : '0;
  end

  // Which EITR register, if any
  logic            eitr_hit;
  logic [VecW-1:0] eitr_idx;
  always_comb begin
    eitr_hit = 1'b0;
    eitr_idx = '0;
    for (int unsigned v = 0; v < NumVec; v++) begin
      if (mmio_addr_i == EITR0 + MmioAw'(4 * v)) begin
        eitr_hit = 1'b1;
        eitr_idx = VecW'(v);
      end
    end
  end

  // EICR bits the receive causes set: the queue's IVAR vector in MSI-X mode. Without MSI-X
  // the causes go to ICR (RXT0) instead and EICR is not used.
  logic [NumVec-1:0] rx_cause_vec;
  always_comb begin
    rx_cause_vec = '0;
    for (int unsigned q = 0; q < NumQ; q++) begin
      if (rx_cause_i[q] && gpie_q[GpieMsixMode] && rxq_vec_valid_o[q]) begin
        rx_cause_vec[rxq_vec_o[q]] = 1'b1;
      end
      if (tx_cause_i[q] && gpie_q[GpieMsixMode] && txq_vec_valid_o[q]) begin
        rx_cause_vec[txq_vec_o[q]] = 1'b1;  // the transmit cause, on its own IVAR vector
      end
    end
  end

  // Legacy/MSI causes this cycle, and the "other" vector they reach in MSI-X mode. Without
  // MSI-X the receive cause is ICR bit 7 as the 82576 names it, RXDW: set when descriptors
  // are written back, not when the frame's data is in host memory. So the ICR read of an
  // interrupt never clears the cause of a frame whose descriptor is still held back (WTHRESH):
  // that frame raises its own cause when it is written back (at the latest when the EITR
  // interval ends, igb_intr).
  logic [31:0] icr_set;
  always_comb begin
    icr_set = '0;
    if (|rx_wb_done_i && !gpie_q[GpieMsixMode]) icr_set = icr_set | IcrRxt0;
    // TXDW: transmit descriptors written back (DD), the single interrupt's transmit cause
    if (|tx_cause_i && !gpie_q[GpieMsixMode]) icr_set = icr_set | IcrTxdw;
    if (|rxdmt_i) icr_set = icr_set | IcrRxdmt0;
  end
  logic [NumVec-1:0] other_vec;
  always_comb begin
    other_vec = '0;
    if (gpie_q[GpieMsixMode] && |(icr_set & ims_q) && ivar_misc_q[8 + IvarValid] &&
        (32'(ivar_misc_q[12:8]) < NumVec)) other_vec[ivar_misc_q[8 +: VecW]] = 1'b1;
  end
  // INT_ASSERTED means this device asserts its interrupt: an enabled cause is pending
  // (ICR & IMS != 0). Choice (reference D.2 marks this UNVERIFIED): QEMU sets it for any
  // pending cause, but igb_intr's shared-INTx test (IRQ_NONE unless INT_ASSERTED) only works
  // if a masked cause does not claim the line, so the model follows the driver.
  logic int_asserted;
  assign int_asserted = (icr_q & ims_q & ~IcrIntAsserted) != 32'h0;

  // Write strobes other blocks act on, decoded from the MMIO port alone.
  always_comb begin
    rdh_we_o     = '0;
    if (wr && q_hit && q_off == OffRDH[5:0]) rdh_we_o[q_idx] = 1'b1;
    tdh_we_o     = '0;
    if (wr && tq_hit && q_off == OffTDH[5:0]) tdh_we_o[tq_idx] = 1'b1;
    rdh_wdata_o  = mmio_wdata_i[15:0];
    sw_reset_o   = wr && mmio_addr_i == CTRL && mmio_wdata_i[CtrlRst];
    eitr_reset_o = '0;
    if (wr && eitr_hit) eitr_reset_o[eitr_idx] = ~mmio_wdata_i[EitrCntIgnr];  // CNT_IGNR keeps it
  end

  logic [NumVec-1:0] sent_bit;
  always_comb begin
    sent_bit = '0;
    if (msix_sent_i) sent_bit[msix_sent_vec_i] = 1'b1;
  end

  always_comb begin
    eims_d      = eims_q;
    eicr_d      = eicr_q;
    icr_d       = icr_q;
    ims_d       = ims_q;
    iac_d       = iac_q;
    icrxdmtc_d  = icrxdmtc_q;

    // Reads: data and read-to-clear side effects
    rvalid_d = rd;
    rdata_d  = 32'h0;
    gprc_d   = gprc_q;
    gorc_d   = gorc_q;
    mpc_clr  = 1'b0;
    ruc_clr  = 1'b0;
    roc_clr  = 1'b0;
    rnbc_d   = rnbc_q;
    rqdpc_d  = rqdpc_q;
    gptc_d   = gptc_q;
    gotc_d   = gotc_q;
    tpt_d    = tpt_q;
    tot_d    = tot_q;
    pqgptc_d = pqgptc_q;
    xonrxc_d  = xonrxc_q;
    xontxc_d  = xontxc_q;
    xoffrxc_d = xoffrxc_q;
    xofftxc_d = xofftxc_q;
    if (rd) begin
      if (tq_hit) begin
        unique case (q_off)
          OffTDBAL[5:0]:  rdata_d = tdbal_q[tq_idx];
          OffTDBAH[5:0]:  rdata_d = tdbah_q[tq_idx];
          OffTDLEN[5:0]:  rdata_d = {12'h0, tdlen_q[tq_idx]};
          OffTDH[5:0]:    rdata_d = {16'h0, tdh_i[tq_idx]};
          OffTDT[5:0]:    rdata_d = {16'h0, tdt_q[tq_idx]};
          OffTXDCTL[5:0]: rdata_d = txdctl_q[tq_idx];
          default:        rdata_d = 32'h0;
        endcase
      end else if (pq_hit) begin
        rdata_d          = pqgptc_q[pq_idx];
        pqgptc_d[pq_idx] = '0;
      end else if (q_hit) begin
        unique case (q_off)
          OffRDBAL[5:0]:  rdata_d = rdbal_q[q_idx];
          OffRDBAH[5:0]:  rdata_d = rdbah_q[q_idx];
          OffRDLEN[5:0]:  rdata_d = {12'h0, rdlen_q[q_idx]};
          OffSRRCTL[5:0]: rdata_d = srrctl_q[q_idx];
          OffRDH[5:0]:    rdata_d = {16'h0, rdh_i[q_idx]};
          OffRDT[5:0]:    rdata_d = {16'h0, rdt_q[q_idx]};
          OffRXDCTL[5:0]: rdata_d = rxdctl_q[q_idx];
          OffRQDPC[5:0]: begin
            rdata_d        = rqdpc_q[q_idx];
            rqdpc_d[q_idx] = '0;
          end
          default:        rdata_d = 32'h0;
        endcase
      end else if (eitr_hit) begin
        rdata_d = {17'h0, eitr_q[eitr_idx]};
      end else if (rssrk_hit) begin
        rdata_d = rssrk_q[rssrk_idx];
      end else if (reta_hit) begin
        rdata_d = reta_q[reta_idx];
      end else if (ivar_hit) begin
        rdata_d = ivar_q[ivar_idx];
      end else begin
        unique case (mmio_addr_i)
          RCTL:      rdata_d = rctl_q;
          CTRL:      rdata_d = ctrl_q;
          STATUS:    rdata_d = 32'(txoff_i) << StatusTxoff;
          FCAL:      rdata_d = fcal_q;
          FCAH:      rdata_d = {16'h0, fcah_q};
          FCT:       rdata_d = {16'h0, fct_q};
          FCTTV:     rdata_d = {16'h0, fcttv_q};
          FCRTL:     rdata_d = fcrtl_q;
          FCRTH:     rdata_d = fcrth_q;
          FCRTV:     rdata_d = {16'h0, fcrtv_q};
          XONRXC: begin
            rdata_d  = xonrxc_q;
            xonrxc_d = '0;
          end
          XONTXC: begin
            rdata_d  = xontxc_q;
            xontxc_d = '0;
          end
          XOFFRXC: begin
            rdata_d   = xoffrxc_q;
            xoffrxc_d = '0;
          end
          XOFFTXC: begin
            rdata_d   = xofftxc_q;
            xofftxc_d = '0;
          end
          RLPML:     rdata_d = {18'h0, rlpml_q};
          RAL0:      rdata_d = ral0_q;
          RAH0:      rdata_d = rah0_q;
          RXPBS:     rdata_d = {25'h0, rxpbs_q};
          RXCSUM:    rdata_d = rxcsum_q;
          MRQC:      rdata_d = mrqc_q;
          GPIE:      rdata_d = gpie_q;
          EIMS:      rdata_d = 32'(eims_q);
          EIAC:      rdata_d = 32'(eiac_q);
          EIAM:      rdata_d = 32'(eiam_q);
          EICR: begin
            rdata_d = 32'(eicr_q);
            eicr_d  = '0;
          end
          ICR: begin
            // Read-to-clear when GPIE.NSICR, or nothing is enabled, or the interrupt was
            // asserted; reading an asserted ICR also auto-masks IAM's bits in IMS.
            rdata_d = icr_q | (int_asserted ? IcrIntAsserted : 32'h0);
            if (gpie_q[GpieNsicr] || ims_q == 32'h0 || int_asserted) icr_d = '0;
            if (gpie_q[GpieNsicr] || int_asserted) ims_d = ims_q & ~iam_q;
          end
          IMS:       rdata_d = ims_q;
          IAM:       rdata_d = iam_q;
          IAC: begin
            rdata_d = iac_q;
            iac_d   = '0;
          end
          ICRXDMTC: begin
            rdata_d    = icrxdmtc_q;
            icrxdmtc_d = '0;
          end
          IVAR_MISC: rdata_d = ivar_misc_q;
          GPRC: begin
            rdata_d = gprc_q;
            gprc_d  = '0;
          end
          GORCL:     rdata_d = gorc_q[31:0];
          GORCH: begin  // the 64-bit octet counter clears when its high half is read
            rdata_d = gorc_q[63:32];
            gorc_d  = '0;
          end
          RUC: begin
            ruc_clr = 1'b1;  // the value is read in the clocked block below
          end
          ROC: begin
            roc_clr = 1'b1;  // likewise
          end
          MPC: begin
            mpc_clr = 1'b1;  // the value is read in the clocked block below
          end
          RNBC: begin
            rdata_d = rnbc_q;
            rnbc_d  = '0;
          end
          TCTL:      rdata_d = tctl_q;
          TIPG:      rdata_d = tipg_q;
          GPTC: begin
            rdata_d = gptc_q;
            gptc_d  = '0;
          end
          GOTCL:     rdata_d = gotc_q[31:0];
          GOTCH: begin  // cleared by the high half's read, as GORC
            rdata_d = gotc_q[63:32];
            gotc_d  = '0;
          end
          TPT: begin
            rdata_d = tpt_q;
            tpt_d   = '0;
          end
          TOTL:      rdata_d = tot_q[31:0];
          TOTH: begin
            rdata_d = tot_q[63:32];
            tot_d   = '0;
          end
          default:   rdata_d = 32'h0;
        endcase
      end
    end

    // Writes to registers that hardware events also change (the configuration registers are
    // written in their own always_ff below)
    if (wr) begin
      unique case (mmio_addr_i)
        EICS:    eicr_d = eicr_d | mmio_wdata_i[NumVec-1:0];
        EIMS:    eims_d = eims_q | mmio_wdata_i[NumVec-1:0];
        EIMC:    eims_d = eims_q & ~mmio_wdata_i[NumVec-1:0];
        EICR:    eicr_d = eicr_q & ~mmio_wdata_i[NumVec-1:0];  // write-1-to-clear
        ICS:     icr_d  = icr_q | (mmio_wdata_i & IcrMask);
        IMS:     ims_d  = ims_q | (mmio_wdata_i & IcrMask);
        IMC:     ims_d  = ims_q & ~mmio_wdata_i;
        ICR:     icr_d  = icr_q & ~mmio_wdata_i;  // write-1-to-clear
        default: ;
      endcase
    end
    // The i210 driver clears RQDPC by writing 0.
    if (wr && q_hit && q_off == OffRQDPC[5:0]) rqdpc_d[q_idx] = '0;

    // Hardware events: causes set after a clearing read so they are never lost
    eicr_d = eicr_d | rx_cause_vec | other_vec;
    icr_d  = icr_d | icr_set;
    icrxdmtc_d = icrxdmtc_d + 32'($countones(rxdmt_i));
    if (msix_sent_i) iac_d = iac_d + 32'd1;  // every interrupt message or assertion
    // On an MSI-X message: EIAC auto-clears the cause, EIAM (with GPIE.EIAME) auto-masks
    // the vector until software writes EIMS again.
    eicr_d = eicr_d & ~(sent_bit & eiac_q);
    if (gpie_q[GpieEiame]) eims_d = eims_d & ~(sent_bit & eiam_q);

    if (gprc_inc_i)  gprc_d  = gprc_d + 32'd1;
    if (gprc_inc_i)  gorc_d  = gorc_d + 64'(gorc_add_i);
    if (rnbc_inc_i)  rnbc_d  = rnbc_d + 32'd1;
    for (int unsigned q = 0; q < NumQ; q++) begin
      if (rqdpc_inc_i[q]) rqdpc_d[q] = rqdpc_d[q] + 32'd1;
      if (pqgptc_inc_i[q]) pqgptc_d[q] = pqgptc_d[q] + 32'd1;
    end
    if (gptc_inc_i) gptc_d = gptc_d + 32'd1;
    if (gptc_inc_i) gotc_d = gotc_d + 64'(txs_bytes_i);
    if (tpt_inc_i)  tpt_d  = tpt_d + 32'd1;
    if (tpt_inc_i)  tot_d  = tot_d + 64'(txs_bytes_i);
    if (xonrxc_inc_i)  xonrxc_d  = xonrxc_d + 32'd1;
    if (xontxc_inc_i)  xontxc_d  = xontxc_d + 32'd1;
    if (xoffrxc_inc_i) xoffrxc_d = xoffrxc_d + 32'd1;
    if (xofftxc_inc_i) xofftxc_d = xofftxc_d + 32'd1;
  end

  // Configuration registers: only software writes them, at the clock edge of the write.
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      rctl_q      <= '0;
      rlpml_q     <= RlpmlReset;
      // RAR[0] as loaded from the NVM at reset, valid
      ral0_q      <= NvmMacAddr[31:0];
      rah0_q      <= {1'b1, 15'h0, NvmMacAddr[47:32]};
      rxpbs_q     <= 7'd64;  // 64 KB, the whole on-chip buffer
      rxcsum_q    <= 32'h0000_0300;  // IPOFL | TUOFL
      mrqc_q      <= '0;
      rssrk_q     <= '0;
      reta_q      <= '0;
      srrctl_q    <= {NumQ{32'h0000_0002}};  // datasheet reset: BSIZEPACKET 2 KB
      rxdctl_q    <= '0;
      rdbal_q     <= '0;
      rdbah_q     <= '0;
      rdlen_q     <= '0;
      rdt_q       <= '0;
      gpie_q      <= '0;
      iam_q       <= '0;
      eiac_q      <= '0;
      eiam_q      <= '0;
      eitr_q      <= '0;
      ivar_q      <= '0;
      ivar_misc_q <= '0;
      // TCTL as the datasheet resets it: PSP set (reference A.3), CT and COLD at 0
      tctl_q      <= 32'h1 << TctlPsp;
      tipg_q      <= TipgReset;
      // TXDCTL resets to 0 for every queue (choice: the 82576 and QEMU reset queue 0 enabled,
      // which is why igb writes TXDCTL(0) = 0 first; an enabled queue with TDLEN 0 is idle, so
      // either reset serves the driver)
      txdctl_q    <= '0;
      tdbal_q     <= '0;
      tdbah_q     <= '0;
      tdlen_q     <= '0;
      tdt_q       <= '0;
      ctrl_q      <= '0;
      fcal_q      <= '0;
      fcah_q      <= '0;
      fct_q       <= '0;
      fcttv_q     <= '0;
      fcrtl_q     <= '0;
      fcrth_q     <= '0;
      fcrtv_q     <= '0;
    end else if (wr) begin
      if (tq_hit) begin
        unique case (q_off)
          OffTDBAL[5:0]:  tdbal_q[tq_idx]  <= {mmio_wdata_i[31:4], 4'h0};  // bits 3:0 ignored
          OffTDBAH[5:0]:  tdbah_q[tq_idx]  <= mmio_wdata_i;
          OffTDLEN[5:0]:  tdlen_q[tq_idx]  <= {mmio_wdata_i[19:7], 7'h0};  // multiple of 128 B
          OffTDT[5:0]:    tdt_q[tq_idx]    <= mmio_wdata_i[15:0];
          OffTXDCTL[5:0]: txdctl_q[tq_idx] <= mmio_wdata_i;
          default: ;
        endcase
      end else if (q_hit) begin
        unique case (q_off)
          OffRDBAL[5:0]:  rdbal_q[q_idx]  <= {mmio_wdata_i[31:7], 7'h0};  // 128-byte aligned
          OffRDBAH[5:0]:  rdbah_q[q_idx]  <= mmio_wdata_i;
          OffRDLEN[5:0]:  rdlen_q[q_idx]  <= {mmio_wdata_i[19:7], 7'h0};  // multiple of 128 B
          OffSRRCTL[5:0]: srrctl_q[q_idx] <= mmio_wdata_i;
          OffRDT[5:0]:    rdt_q[q_idx]    <= mmio_wdata_i[15:0];
          OffRXDCTL[5:0]: rxdctl_q[q_idx] <= mmio_wdata_i;
          default: ;
        endcase
      end else if (rssrk_hit) begin
        rssrk_q[rssrk_idx] <= mmio_wdata_i;
      end else if (reta_hit) begin
        reta_q[reta_idx] <= mmio_wdata_i;
      end else if (ivar_hit) begin
        ivar_q[ivar_idx] <= mmio_wdata_i;
      end else if (eitr_hit) begin
        eitr_q[eitr_idx] <= mmio_wdata_i[14:0];
      end else begin
        unique case (mmio_addr_i)
          RCTL:      rctl_q      <= mmio_wdata_i;
          RLPML:     rlpml_q     <= mmio_wdata_i[13:0];
          RAL0:      ral0_q      <= mmio_wdata_i;
          // No pool select
          RAH0:      rah0_q      <= {mmio_wdata_i[RahAv], 15'h0, mmio_wdata_i[15:0]};
          RXPBS:     rxpbs_q     <= mmio_wdata_i[6:0];
          RXCSUM:    rxcsum_q    <= mmio_wdata_i;
          MRQC:      mrqc_q      <= mmio_wdata_i;
          GPIE:      gpie_q      <= mmio_wdata_i;
          EIAC:      eiac_q      <= mmio_wdata_i[NumVec-1:0];
          EIAM:      eiam_q      <= mmio_wdata_i[NumVec-1:0];
          IAM:       iam_q       <= mmio_wdata_i & IcrMask;
          IVAR_MISC: ivar_misc_q <= mmio_wdata_i;
          TCTL:      tctl_q      <= mmio_wdata_i;
          TIPG:      tipg_q      <= mmio_wdata_i;
          CTRL:      ctrl_q      <= mmio_wdata_i & ~(32'd1 << CtrlRst);
          FCAL:      fcal_q      <= mmio_wdata_i;
          FCAH:      fcah_q      <= mmio_wdata_i[15:0];
          FCT:       fct_q       <= mmio_wdata_i[15:0];
          FCTTV:     fcttv_q     <= mmio_wdata_i[15:0];
          // The marks keep 16-byte granularity (bits 17:4), FCRTL its XONE bit
          FCRTL:     fcrtl_q     <= mmio_wdata_i & 32'h8003_FFF0;
          FCRTH:     fcrth_q     <= mmio_wdata_i & 32'h0003_FFF0;
          FCRTV:     fcrtv_q     <= mmio_wdata_i[15:0];
          default: ;
        endcase
      end
    end
  end

  // Registers that hardware events change as well
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      icr_q       <= '0;
      ims_q       <= '0;
      iac_q       <= '0;
      icrxdmtc_q  <= '0;
      eicr_q      <= '0;
      eims_q      <= '0;
      gprc_q      <= '0;
      gorc_q      <= '0;
      rnbc_q      <= '0;
      rqdpc_q     <= '0;
      gptc_q      <= '0;
      gotc_q      <= '0;
      tpt_q       <= '0;
      tot_q       <= '0;
      pqgptc_q    <= '0;
      xonrxc_q    <= '0;
      xontxc_q    <= '0;
      xoffrxc_q   <= '0;
      xofftxc_q   <= '0;
      rvalid_q    <= 1'b0;
      rdata_q     <= '0;
    end else begin
      icr_q       <= icr_d;
      ims_q       <= ims_d;
      iac_q       <= iac_d;
      icrxdmtc_q  <= icrxdmtc_d;
      eicr_q      <= eicr_d;
      eims_q      <= eims_d;
      gprc_q      <= gprc_d;
      gorc_q      <= gorc_d;
      rnbc_q      <= rnbc_d;
      rqdpc_q     <= rqdpc_d;
      gptc_q      <= gptc_d;
      gotc_q      <= gotc_d;
      tpt_q       <= tpt_d;
      tot_q       <= tot_d;
      pqgptc_q    <= pqgptc_d;
      xonrxc_q    <= xonrxc_d;
      xontxc_q    <= xontxc_d;
      xoffrxc_q   <= xoffrxc_d;
      xofftxc_q   <= xofftxc_d;
      rvalid_q    <= rvalid_d;
      // MPC, RUC and ROC with the drops the packet buffer counted since the last clk_i edge; read
      // here, so that no logic above depends on the write side's clock.
      rdata_q     <= mpc_clr ? with_new(mpc_q, mpc_seen_i, mpc_taken_q) :
                     ruc_clr ? with_new(ruc_q, ruc_seen_i, ruc_taken_q) :
                     roc_clr ? with_new(roc_q, roc_seen_i, roc_taken_q) : rdata_d;
    end
  end

  // MPC, RUC and ROC take up the packet buffer's counts at each clk_i edge (a read clears them with
  // what it returned): the host need not clock clk_i for a dropped frame, and no logic above
  // depends on the write side's clock.
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      mpc_q       <= '0;
      ruc_q       <= '0;
      roc_q       <= '0;
      mpc_taken_q <= '0;
      ruc_taken_q <= '0;
      roc_taken_q <= '0;
    end else begin
      mpc_q       <= mpc_clr ? 32'h0 : with_new(mpc_q, mpc_seen_i, mpc_taken_q);
      ruc_q       <= ruc_clr ? 32'h0 : with_new(ruc_q, ruc_seen_i, ruc_taken_q);
      mpc_taken_q <= mpc_seen_i;
      ruc_taken_q <= ruc_seen_i;
      roc_q       <= roc_clr ? 32'h0 : with_new(roc_q, roc_seen_i, roc_taken_q);
      roc_taken_q <= roc_seen_i;
    end
  end

  assign mmio_rvalid_o = rvalid_q;
  assign mmio_rdata_o  = rdata_q;
  assign rctl_o        = rctl_q;
  assign rlpml_o       = rlpml_q;
  assign rar0_o        = {rah0_q[15:0], ral0_q};
  assign rar0_valid_o  = rah0_q[RahAv];
  assign rxpbs_kb_o    = rxpbs_q;
  assign rxcsum_o      = rxcsum_q;
  assign mrqc_o        = mrqc_q;
  assign rssrk_o       = rssrk_q;
  assign reta_o        = reta_q;
  assign srrctl_o      = srrctl_q;
  assign rxdctl_o      = rxdctl_q;
  always_comb begin
    for (int unsigned q = 0; q < NumQ; q++) rdba_o[q] = {rdbah_q[q], rdbal_q[q]};
  end
  assign rdlen_o       = rdlen_q;
  assign tctl_o        = tctl_q;
  assign tx_ipg_o      = 11'(tipg_q[9:0]) + 11'd4;
  assign txdctl_o      = txdctl_q;
  always_comb begin
    for (int unsigned q = 0; q < NumQ; q++) tdba_o[q] = {tdbah_q[q], tdbal_q[q]};
  end
  assign tdlen_o       = tdlen_q;
  assign tdt_o         = tdt_q;
  logic unused_fc;  // CTRL bits the model does not act on; register bits that read as zero
  assign unused_fc = ^{ctrl_q[31:29], ctrl_q[26:0], fcrtl_q[30:18], fcrth_q[31:18]};
  assign rfce_o        = ctrl_q[CtrlRfce];
  assign tfce_o        = ctrl_q[CtrlTfce];
  assign fca_o         = {fcah_q, fcal_q};
  assign fct_o         = fct_q;
  assign fcttv_o       = fcttv_q;
  assign fcrtl_o       = fcrtl_q[17:0];
  assign xone_o        = fcrtl_q[FcrtlXone];
  assign fcrth_o       = fcrth_q[17:0];
  assign fcrtv_o       = fcrtv_q;
  assign rdt_o         = rdt_q;
  assign gpie_o        = gpie_q;
  assign icr_o         = icr_q;
  assign ims_o         = ims_q;
  assign eicr_o        = eicr_q;
  assign eims_o        = eims_q;
  for (genvar v = 0; v < NumVec; v++) begin : g_eitr
    assign eitr_interval_o[v] = eitr_q[v][14:2];
  end

endmodule
