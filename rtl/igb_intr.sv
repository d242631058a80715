// SPDX-License-Identifier: Apache-2.0
// igb_intr: EITR throttling and MSI-X message generation.
//
// A vector sends a message when its cause is pending in EICR, enabled in EIMS, and its EITR
// timer is not running. Sending arms the timer with the vector's interval (EITR bits 14:2,
// 1 us units, counted by ticks_i); while it runs, further causes wait. So the first event
// after idle fires at once and later ones at most once per interval. A cause that arrives
// while the vector is masked stays in EICR and fires when EIMS enables it again.
// Without GPIE.MSIX_MODE the NIC has one interrupt: it asserts when a cause is pending in
// ICR and enabled in IMS, at most once per EITR(0) interval, and stays asserted until the
// causes are cleared (or masked); in MSI mode that assertion is one message on vector 0, in
// INTx mode it is the level on intx_o.
`default_nettype none

module igb_intr
  import igb_pkg::*;
#(
  parameter int NumQ   = NumQueues,
  parameter int NumVec = NumVectors
) (
  input  wire logic                      clk_i,
  input  wire logic                      rst_ni,
  // 1 us ticks elapsed at this cycle (usually 0 or 1)
  input  wire logic [15:0]               ticks_i,
  input  wire logic                      msix_mode_i,
  input  wire logic [NumVec-1:0]         eicr_i,
  input  wire logic [NumVec-1:0]         eims_i,
  // EIMS itself (eims_i differs only under fault injection)
  input  wire logic [NumVec-1:0]         eims_real_i,
  // Planted bug: sending never arms the timer
  input  wire logic                      fault_ignore_eitr_i,
  input  wire logic [NumVec-1:0][12:0]   interval_i,
  input  wire logic [NumVec-1:0]         timer_reset_i,
  input  wire logic                      legacy_pending_i,  // ICR & IMS != 0
  // Receive write-backs still pending for a queue: the message of the queue's vector (of the
  // single interrupt without MSI-X) waits while flush_o asks that queue's DMA engine to write
  // them back, so a message never overtakes the write-backs it announces. Without MSI-X the
  // receive cause comes from the write-back itself (ICR.RXDW, igb_regs), so completions held
  // back by WTHRESH are flushed whenever EITR(0)'s interval is not running: at once after
  // idle, else when the interval ends ("the receive timer expires", datasheet write-back
  // conditions). The frame's cause then follows, whatever the mask, and fires once IMS allows.
  input  wire logic [NumQ-1:0]           wb_pending_i,
  input  wire logic [NumQ-1:0]           rxq_vec_valid_i,
  input  wire logic [NumQ-1:0][$clog2(NumVec)-1:0] rxq_vec_i,
  output      logic [NumQ-1:0]           flush_o,
  // Transmit write-backs held back by WTHRESH: flushed whenever the queue's TX vector's EITR
  // interval is not running (the single interrupt's without MSI-X), so at once after idle and
  // else when the interval ends (reference B.3: EITR expiry flushes them). The transmit cause
  // follows the write-back, so no message is held for them.
  input  wire logic [NumQ-1:0]           tx_wb_pending_i,
  input  wire logic [NumQ-1:0]           txq_vec_valid_i,
  input  wire logic [NumQ-1:0][$clog2(NumVec)-1:0] txq_vec_i,
  output      logic [NumQ-1:0]           tx_flush_o,

  output      logic                      msix_valid_o,
  output      logic [$clog2(NumVec)-1:0] msix_vec_o,
  output      logic [NumVec-1:0]         armed_o,
  // Ticks left on the running timer that ends first
  output      logic [12:0]               next_expiry_o,
  output      logic                      intx_o,
  output      logic                      busy_o
);

  localparam int VecW = $clog2(NumVec);

  logic [NumVec-1:0]       armed_q, armed_d;
  logic [NumVec-1:0][12:0] count_q, count_d;
  logic [NumVec-1:0]       ready;
  logic                    asserted_q, asserted_d, legacy_fire, legacy_due;
  logic [NumVec-1:0]       due, hold;

  assign due         = eicr_i & eims_i & ~armed_q & {NumVec{msix_mode_i}};
  assign legacy_due  = !msix_mode_i && legacy_pending_i && !asserted_q && !armed_q[0];
  always_comb begin
    hold = '0;
    for (int unsigned q = 0; q < NumQ; q++) begin
      if (wb_pending_i[q] && rxq_vec_valid_i[q]) hold[rxq_vec_i[q]] = 1'b1;
      flush_o[q] = wb_pending_i[q] &&
                   ((msix_mode_i && rxq_vec_valid_i[q] && due[rxq_vec_i[q]]) ||
                    (!msix_mode_i && !armed_q[0]));
    end
  end
  // (a generate loop: a loop in a process would renumber the unnamed blocks on the waveform)
  for (genvar q = 0; q < NumQ; q++) begin : g_tx_flush
    assign tx_flush_o[q] = tx_wb_pending_i[q] &&
                           ((msix_mode_i && txq_vec_valid_i[q] && !armed_q[txq_vec_i[q]]) ||
                            (!msix_mode_i && !armed_q[0]));
  end
  assign ready       = due & ~hold;
  assign legacy_fire = legacy_due && !(|wb_pending_i);
  assign asserted_d = legacy_pending_i ? (asserted_q | legacy_fire) : 1'b0;

  always_comb begin
    msix_valid_o = legacy_fire;
    msix_vec_o   = '0;
    for (int v = NumVec - 1; v >= 0; v--) begin  // lowest vector first
      if (ready[v]) begin
        msix_valid_o = 1'b1;
        msix_vec_o   = VecW'(v);
      end
    end
  end

  always_comb begin
    armed_d = armed_q;
    count_d = count_q;
    // Timers change only on a tick, an EITR write or a message (the test spares a simulator
    // the per-vector work in every other cycle).
    if (ticks_i != 16'd0 || timer_reset_i != '0 || msix_valid_o) begin
      for (int unsigned v = 0; v < NumVec; v++) begin
        // Several ticks at once count as that many single ticks would (the host presents them
        // together only when no timer ends among them but possibly the last).
        if (armed_q[v] && ticks_i != 16'd0) begin
          if (16'(count_q[v]) <= ticks_i) begin
            count_d[v] = '0;
            armed_d[v] = 1'b0;
          end else begin
            count_d[v] = count_q[v] - 13'(ticks_i);
          end
        end
        if (timer_reset_i[v]) armed_d[v] = 1'b0;
        if (msix_valid_o && msix_vec_o == VecW'(v) && interval_i[v] != 13'd0 &&
            !fault_ignore_eitr_i) begin
          armed_d[v] = 1'b1;
          count_d[v] = interval_i[v];
        end
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      armed_q    <= '0;
      count_q    <= '0;
      asserted_q <= 1'b0;
    end else begin
      armed_q    <= armed_d;
      count_q    <= count_d;
      asserted_q <= asserted_d;
    end
  end

  assign armed_o = armed_q;

`ifndef SYNTHESIS
  // For the waveform: the vector of the last message, held (msix_vec_o is valid only in the
  // message's one cycle, and reads 0 between messages)
  /* verilator lint_off UNUSEDSIGNAL */
  logic [$clog2(NumVec)-1:0] last_vec_q;
  /* verilator lint_on UNUSEDSIGNAL */
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) last_vec_q <= '0;
    else if (msix_valid_o) last_vec_q <= msix_vec_o;
  end
`endif
  always_comb begin
    next_expiry_o = '1;
    if (armed_q != '0) for (int unsigned v = 0; v < NumVec; v++)
      if (armed_q[v] && count_q[v] < next_expiry_o) next_expiry_o = count_q[v];
  end
  // Busy: a message is due, or the INTx level changes at the next edge (it drops after the
  // clearing ICR read without anything being due).
  assign busy_o  = |due | legacy_due | (asserted_d != asserted_q);
  assign intx_o  = asserted_q;

`ifndef SYNTHESIS
`ifndef IGB_NO_ASSERTIONS  // Icarus Verilog 11 parses none (testbench/rtl_tb/run.sh)
  // Hardware contract: no message for a vector whose EIMS bit is clear, none while throttled.
  always_ff @(posedge clk_i) begin
    if (rst_ni && (msix_mode_i && msix_valid_o)) begin
      a_msix_unmasked: assert (eims_real_i[msix_vec_o])
        else $error("intr: MSI-X on masked vector %0d", msix_vec_o);
    end
  end
  always_ff @(posedge clk_i) begin
    if (rst_ni && msix_valid_o) begin
      a_msix_throttled: assert (!armed_q[msix_vec_o])
        else $error("intr: MSI-X inside EITR interval, vector %0d", msix_vec_o);
    end
  end
`endif
`endif

endmodule
