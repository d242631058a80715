// SPDX-License-Identifier: Apache-2.0
// igb_fc: IEEE 802.3x link flow control of the part (DS-I210 3.7.5, 8.5; 82575 SDM 9.3.5).
// It holds:
//   - the PAUSE receiver (rx_clk_i): recognises a MAC control PAUSE frame on the receive
//     stream - destination FCAH:FCAL (01-80-C2-00-00-01) or the station address RAR[0],
//     EtherType FCT (0x8808), opcode 0x0001, pause time at bytes 16-17, 64 bytes or more
//     with the FCS - while CTRL.RFCE is set (RFCE clear: "flow control packets are not
//     recognized and are parsed as regular packets", DS-I210 3.7.5.2);
//   - the pause timer (clk_i): loaded (overwritten) with time x 512 bit times by each PAUSE
//     frame, 0 (XON) ending it at once; while it runs tx_pause_o tells the MAC to start no
//     new frame (the frame in progress finishes) and STATUS.TXOFF / FCSTS0 bit 0 read 1;
//   - the PAUSE sender (clk_i), with CTRL.TFCE: the receive packet buffer's fill reaching
//     FCRTH (>=) requests an XOFF frame carrying FCTTV; while the buffer stays out of the
//     "below low" state, an XOFF again each FCRTV quanta (0: no refresh); falling below
//     FCRTL, with FCRTL.XONE, an XON frame (time 0). Between the two marks nothing is sent
//     (hysteresis). The frame goes out on the fc_* stream, 60 bytes without FCS. The MAC
//     sends it even while tx_pause_o is set: a pause inhibits data frames, not MAC control
//     frames (IEEE 802.3 Annex 31B);
//   - the statistics increments XONRXC, XOFFRXC, XONTXC, XOFFTXC (one-cycle pulses at clk_i,
//     as igb_regs takes the other counters).
// Ports: clocks and reset; the registers; the receive stream (rx_clk_i: the NIC's boundary
// registers, as igb_rx_csum and igb_rx_pktbuf take it) and rx_drop_o beside it; the packet
// buffer's fill (clk_i); tx_pause_o and the PAUSE frame stream to the MAC; status, counters
// and idle_o for the host's clock gate.
//
// Choices where the sources are silent or the model differs (the reasons beside the logic):
// - Time base: the parameter QuantumCycles, clock cycles per pause quantum. The core clock is
//   125 MHz (systemc/hw_params.h clock_mhz: 8 ns) and a quantum is 512 bit times = 512 ns at
//   1 Gb/s: 64 cycles, an integer, so a cycle count is exact. The NIC's 1 us ticks
//   (ticks_1us_i) cannot be: a quantum is 0.512 of a tick. The pause timer counts down by
//   gap_i at each clk_i edge, the cycles since the previous one: the host may leave clk_i
//   unclocked through a pause (a slow partner holds the NIC paused for most of a run) and
//   clocks it again by the cycle pause_left_o says it ends. While the refresh counter runs
//   (FCRTV not 0; Linux igb never sets it) idle_o is 0 and every cycle must be clocked.
// - Two clocks, as igb_rx_pktbuf: the receiver runs on rx_clk_i (clocked only with wire
//   beats), everything else on clk_i. They are one clock with two gates (igb_nic), so no
//   synchroniser: a recognised PAUSE frame flips rx_evt_q at the edge that takes its last
//   beat; clk_i sees the flip at the next edge (idle_o is 0 from then on, so the host
//   clocks it) and loads the timer. tx_pause_o rises two edges after the last beat's and
//   stays up for exactly time x QuantumCycles cycles.
// - RCTL.DPF (DS-I210 Table 3-26, 82575 SDM 9.3.5): with RFCE set, a recognised PAUSE frame
//   is not passed to the host when DPF is set; "this bit has no effect on PAUSE operation,
//   only the DMA function". So rx_drop_o = RFCE & DPF & recognised, and the part does not
//   always discard: DPF clear passes it (if the address filter does; the flow control
//   multicast address is not part of the L2 filters). The header is all in the first beat
//   (bytes 0-15), so rx_drop_o is valid with the first beat, when igb_rx_pktbuf takes its
//   address-filter decision. Non-PAUSE MAC control frames (RCTL.PMCF) are not handled here.
// - FCRTV (DS-I210 8.5.7, 0x2460): "the threshold value of the flow control shadow counter
//   ... When the counter reaches this value, and the conditions for PAUSE state are still
//   valid (buffer fullness above low threshold value), a PAUSE (XOFF) frame is sent. If this
//   field contains zero value, the flow control refresh is disabled". The counter's unit is
//   taken as the pause quantum ("the same as other flow control timers", 8257x SDM); it
//   restarts when an XOFF is requested, and counts only while FCRTV is not 0 (so FCSTS0 shows
//   0 there: with nothing to time, clk_i may be gated through a long XOFF state). Linux igb
//   never writes FCRTV: no refresh there.
// - Marks (DS-I210 8.5.x): XOFF when the fill is >= FCRTH ("bigger or equal"); "below low"
//   is fill < FCRTL. The fill counts bytes; FCRTL/FCRTH keep 16-byte granularity.
// - TFCE cleared while in the XOFF state leaves it without an XON; RFCE cleared ends a pause.
// - The PAUSE frame's DA is the 802.3 constant 01-80-C2-00-00-01, its type the FCT register
//   (0x8808 as Linux programs it), its SA RAR[0]. A request that comes while one waits
//   replaces it (the newer state is what the partner must learn); a frame once started is
//   sent whole. The counters count frames whose last beat the MAC took.
// - RCTL.EN / TCTL.EN do not gate the counters here (the datasheet: "only increments if
//   receives / transmits are enabled"): a frame neither arrives nor leaves while they are off.
`default_nettype none

module igb_fc #(
  parameter int QuantumCycles = 64  // clk_i cycles per pause quantum: 512 ns / 8 ns
) (
  input  wire logic         clk_i,
  input  wire logic         rx_clk_i,  // the receive side's clock (igb_nic): the receiver
  input  wire logic         rst_ni,
  // clk_i cycles from the previous clk_i edge to this one: 1 with every cycle clocked (0 is
  // taken as 1); more after cycles the host left unclocked (saturating)
  input  wire logic [23:0]  gap_i,

  // Registers
  input  wire logic         rfce_i,    // CTRL.RFCE: honour received PAUSE frames
  input  wire logic         tfce_i,    // CTRL.TFCE: send PAUSE frames
  input  wire logic         dpf_i,     // RCTL.DPF: discard PAUSE frames (rx_drop_o)
  input  wire logic [47:0]  fca_i,     // {FCAH[15:0], FCAL}: byte 0 of the address in 7:0
  input  wire logic [15:0]  fct_i,     // FCT: the MAC control EtherType
  input  wire logic [47:0]  rar_i,     // RAR[0] {RAH0[15:0], RAL0}: the station address
  input  wire logic         rar_valid_i,  // RAH0.AV
  input  wire logic [15:0]  fcttv_i,   // FCTTV: the pause time sent in an XOFF
  input  wire logic [17:0]  fcrtl_i,   // FCRTL.RTL, bytes (register bits 17:0, 3:0 zero)
  input  wire logic         xone_i,    // FCRTL.XONE
  input  wire logic [17:0]  fcrth_i,   // FCRTH.RTH, bytes
  input  wire logic [15:0]  fcrtv_i,   // FCRTV: refresh after this many quanta, 0 = never

  // Receive stream from the MAC at rx_clk_i (always ready: this block only watches it)
  input  wire logic         rx_valid_i,
  /*verilator tracing_off*/
  input  wire logic [127:0] rx_data_i,
  /*verilator tracing_on*/
  input  wire logic         rx_last_i,
  input  wire logic [4:0]   rx_bytes_i,
  // With a frame's first beat: the frame is a PAUSE frame the part consumes (RFCE & DPF)
  output      logic         rx_drop_o,

  // Receive packet buffer: bytes it holds now (clk_i)
  input  wire logic [17:0]  rxpb_fill_i,

  // To the MAC: start no new frame while set
  output      logic         tx_pause_o,
  // clk_i cycles of pause left after this edge: the pause ends at the edge this many cycles
  // on (0: not paused)
  output      logic [23:0]  pause_left_o,
  // PAUSE frames to send (60 bytes, no FCS; the MAC pads nothing and appends the FCS) at the
  // next frame boundary. Beat format as the NIC's streams: byte 0 in bits 7:0.
  output      logic         fc_valid_o,
  input  wire logic         fc_ready_i,
  output      logic [127:0] fc_data_o,
  output      logic         fc_last_o,
  output      logic [4:0]   fc_bytes_o,

  // Status
  output      logic         txoff_o,   // STATUS.TXOFF (bit 4): paused by the partner
  output      logic [31:0]  fcsts_o,   // FCSTS0: {refresh counter, 13'b0, below low,
                                       //  above high, XOFF state}
  // Statistics increments (clk_i)
  output      logic         xonrxc_inc_o,
  output      logic         xoffrxc_inc_o,
  output      logic         xontxc_inc_o,
  output      logic         xofftxc_inc_o,
  // Nothing for clk_i to do (the host may gate it); the receiver needs only rx_clk_i
  output      logic         idle_o
);

  localparam int QcW = QuantumCycles > 1 ? $clog2(QuantumCycles) : 1;
  // Up to 0xFFFF x QuantumCycles cycles (23 bits at 64; gap_i and pause_left_o carry 24)
  localparam int PauseW = 16 + QcW + 1;
  localparam logic [47:0] PauseDa = 48'h01_00_00_C2_80_01;  // 01-80-C2-00-00-01, byte 0 low

  // ---------------------------------------------------------------- receiver (rx_clk_i) ---
  logic        rx_in_frame_q, rx_in_frame_d;  // a frame's first beat has been taken
  logic        rx_cand_q, rx_cand_d;          // header matched: DA, type, opcode, RFCE
  logic [15:0] rx_len_q, rx_len_d;            // bytes of the frame so far
  logic [15:0] rx_time_q, rx_time_d;          // pause time of the frame being received
  logic        rx_evt_q, rx_evt_d;            // flips with each recognised PAUSE frame
  logic [15:0] rx_evt_time_q, rx_evt_time_d;  // its pause time

  // The header of the first beat: DA bytes 0-5, type 12-13 (big-endian), opcode 14-15.
  logic [47:0] hdr_da;
  logic [15:0] hdr_type, hdr_op;
  logic        hdr_match;
  logic        unused_sa;  // the source address (bytes 6-11) plays no part
  assign unused_sa = ^rx_data_i[95:48];
  always_comb begin
    hdr_da    = rx_data_i[47:0];
    hdr_type  = {rx_data_i[103:96], rx_data_i[111:104]};
    hdr_op    = {rx_data_i[119:112], rx_data_i[127:120]};
    hdr_match = rx_bytes_i == 5'd16 && (hdr_da == fca_i || (rar_valid_i && hdr_da == rar_i)) &&
                hdr_type == fct_i && hdr_op == 16'h0001;
  end

  always_comb begin
    rx_in_frame_d = rx_in_frame_q;
    rx_cand_d     = rx_cand_q;
    rx_len_d      = rx_len_q;
    rx_time_d     = rx_time_q;
    rx_evt_d      = rx_evt_q;
    rx_evt_time_d = rx_evt_time_q;
    rx_drop_o     = 1'b0;
    if (rx_valid_i) begin
      rx_in_frame_d = ~rx_last_i;
      if (!rx_in_frame_q) begin
        rx_cand_d = rfce_i && hdr_match;
        rx_drop_o = rfce_i && dpf_i && hdr_match;
        rx_len_d  = 16'(rx_bytes_i);
      end else begin
        // The pause time, bytes 16-17: lanes 0 and 1 of the second beat
        if (rx_len_q == 16'd16) begin
          rx_time_d = {rx_data_i[7:0], rx_data_i[15:8]};
          if (rx_bytes_i < 5'd2) rx_cand_d = 1'b0;
        end
        rx_len_d = rx_len_q + 16'(rx_bytes_i);
      end
      // A valid PAUSE frame is at least the Ethernet minimum, 64 bytes with the FCS
      if (rx_last_i && rx_cand_d && rx_len_d >= 16'd64) begin
        rx_evt_d      = ~rx_evt_q;
        rx_evt_time_d = rx_time_d;
      end
    end
  end

  always_ff @(posedge rx_clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      rx_in_frame_q <= 1'b0;
      rx_cand_q     <= 1'b0;
      rx_len_q      <= '0;
      rx_time_q     <= '0;
      rx_evt_q      <= 1'b0;
      rx_evt_time_q <= '0;
    end else begin
      rx_in_frame_q <= rx_in_frame_d;
      rx_cand_q     <= rx_cand_d;
      rx_len_q      <= rx_len_d;
      rx_time_q     <= rx_time_d;
      rx_evt_q      <= rx_evt_d;
      rx_evt_time_q <= rx_evt_time_d;
    end
  end

  // ----------------------------------------------------------------- pause timer (clk_i) ---
  logic              evt_seen_q, evt_seen_d;  // rx_evt_q as clk_i last took it
  logic [PauseW-1:0] pause_q, pause_d;        // cycles of pause left
  logic              evt;
  logic [23:0]       gap;
  always_comb begin
    evt           = rx_evt_q != evt_seen_q;
    evt_seen_d    = rx_evt_q;
    xonrxc_inc_o  = evt && rx_evt_time_q == '0;
    xoffrxc_inc_o = evt && rx_evt_time_q != '0;
  end
  // gap_i is a pin: only the timer's next value reads it, in a block of its own, so the
  // simulator's evaluation at each input change stays this small (see igb_nic's boundary).
  always_comb begin
    gap     = gap_i == '0 ? 24'd1 : gap_i;
    pause_d = 24'(pause_q) > gap ? PauseW'(24'(pause_q) - gap) : '0;
    // Overwrites any current timer (DS-I210 3.7.5.1.2); 0 is XON and resumes at once
    if (evt) pause_d = PauseW'(rx_evt_time_q) * PauseW'(QuantumCycles);
    if (!rfce_i) pause_d = '0;
  end
  assign tx_pause_o   = pause_q != '0;
  assign pause_left_o = 24'(pause_q);
  assign txoff_o    = tx_pause_o;

  // ---------------------------------------------------------------- PAUSE sender (clk_i) ---
  logic        xoff_st_q, xoff_st_d;    // XOFF sent, the fill not yet below low
  logic [15:0] refresh_q, refresh_d;    // quanta since the last XOFF request
  logic [QcW-1:0] qc_q, qc_d;           // cycles into the current quantum
  logic        req_q, req_d;            // a PAUSE frame waits to start
  logic [15:0] req_time_q, req_time_d;  // its pause time (0: XON)
  logic        send_q, send_d;          // a PAUSE frame is on the fc_* stream
  logic [1:0]  beat_q, beat_d;          // its beat on offer
  logic [15:0] send_time_q, send_time_d;
  logic        above, below, new_req, cancel;
  logic [15:0] new_time;

  assign above = rxpb_fill_i >= fcrth_i;
  assign below = rxpb_fill_i < fcrtl_i;

  always_comb begin
    xoff_st_d     = xoff_st_q;
    refresh_d     = refresh_q;
    qc_d          = qc_q;
    req_d         = req_q;
    req_time_d    = req_time_q;
    send_d        = send_q;
    beat_d        = beat_q;
    send_time_d   = send_time_q;
    xontxc_inc_o  = 1'b0;
    xofftxc_inc_o = 1'b0;

    // The refresh counter counts quanta while in the XOFF state with refresh on (FCRTV not 0:
    // with no refresh it has nothing to time, and the host need not clock clk_i for it)
    if (xoff_st_q && fcrtv_i != '0) begin
      if (qc_q == QcW'(QuantumCycles - 1)) begin
        qc_d = '0;
        if (refresh_q != 16'hFFFF) refresh_d = refresh_q + 16'd1;
      end else begin
        qc_d = qc_q + QcW'(1);
      end
    end

    // The state machine: new requests (the newer replaces one still waiting)
    new_req  = 1'b0;
    new_time = fcttv_i;
    cancel   = 1'b0;
    if (!tfce_i) begin
      xoff_st_d = 1'b0;
      cancel    = 1'b1;
    end else if (!xoff_st_q && above) begin
      xoff_st_d = 1'b1;
      new_req   = 1'b1;
    end else if (xoff_st_q && below) begin
      xoff_st_d = 1'b0;
      new_req   = xone_i;
      new_time  = '0;
      cancel    = !xone_i;  // an XOFF still waiting is stale
    end else if (xoff_st_q && fcrtv_i != '0 && qc_q == QcW'(QuantumCycles - 1) &&
                 refresh_q + 16'd1 >= fcrtv_i) begin
      // The counter reaches FCRTV with this edge, FCRTV x QuantumCycles cycles after the
      // last XOFF request; "buffer fullness above low threshold": xoff_st_q and not below.
      new_req = 1'b1;
    end
    if ((new_req && new_time != '0) || !xoff_st_d) begin
      refresh_d = '0;  // the shadow counter restarts with each XOFF
      qc_d      = '0;
    end

    // The stream: a waiting request starts when no frame is on it
    if (send_q && fc_ready_i) begin
      beat_d = beat_q + 2'd1;
      if (beat_q == 2'd3) begin
        send_d        = 1'b0;
        xontxc_inc_o  = send_time_q == '0;
        xofftxc_inc_o = send_time_q != '0;
      end
    end
    if (!send_q && req_q) begin
      send_d      = 1'b1;
      beat_d      = '0;
      send_time_d = req_time_q;
      req_d       = 1'b0;
    end
    if (new_req) begin
      req_d      = 1'b1;
      req_time_d = new_time;
    end
    if (cancel) req_d = 1'b0;
  end

  // The frame: DA, SA, type, opcode 1, time, zero padding to 60 bytes
  always_comb begin
    fc_valid_o = send_q;
    fc_last_o  = beat_q == 2'd3;
    fc_bytes_o = beat_q == 2'd3 ? 5'd12 : 5'd16;
    unique case (beat_q)
      2'd0:    fc_data_o = {8'h01, 8'h00, fct_i[7:0], fct_i[15:8], rar_i, PauseDa};
      2'd1:    fc_data_o = {112'b0, send_time_q[7:0], send_time_q[15:8]};
      default: fc_data_o = '0;
    endcase
  end

  assign fcsts_o = {refresh_q, 13'b0, below, above, tx_pause_o};
  // Idle unless the refresh counter runs, a PAUSE frame arrived, waits or goes, or the fill
  // crosses a mark: the fill changes at clk_i edges (or at a commit, which clocks clk_i too),
  // so the edge after it takes the crossing as it would with every cycle clocked (FCRTH
  // above, FCRTL below). A running pause timer is not work: the host clocks clk_i by its end
  // (pause_left_o), and the edge then takes all the cycles since the last one (gap_i).
  assign idle_o  = !evt && !req_q && !send_q &&
                   !(xoff_st_q ? (!tfce_i || below || fcrtv_i != '0) : (tfce_i && above));

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      evt_seen_q  <= 1'b0;
      pause_q     <= '0;
      xoff_st_q   <= 1'b0;
      refresh_q   <= '0;
      qc_q        <= '0;
      req_q       <= 1'b0;
      req_time_q  <= '0;
      send_q      <= 1'b0;
      beat_q      <= '0;
      send_time_q <= '0;
    end else begin
      evt_seen_q  <= evt_seen_d;
      pause_q     <= pause_d;
      xoff_st_q   <= xoff_st_d;
      refresh_q   <= refresh_d;
      qc_q        <= qc_d;
      req_q       <= req_d;
      req_time_q  <= req_time_d;
      send_q      <= send_d;
      beat_q      <= beat_d;
      send_time_q <= send_time_d;
    end
  end

`ifndef SYNTHESIS
`ifndef IGB_NO_ASSERTIONS  // Icarus Verilog 11 parses none (testbench/rtl_tb/run.sh)
  logic         held_q;
  logic [133:0] held_beat_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      held_q      <= 1'b0;
      held_beat_q <= '0;
    end else begin
      held_q      <= fc_valid_o && !fc_ready_i;
      held_beat_q <= {fc_data_o, fc_last_o, fc_bytes_o};
      // A beat on offer stays as it is until taken
      if (held_q) begin
        a_fc_stable: assert (fc_valid_o && held_beat_q == {fc_data_o, fc_last_o, fc_bytes_o})
          else $error("fc: PAUSE frame beat changed before it was taken");
      end
      // The pause timer only rises with a received PAUSE frame, and only with RFCE
      if (pause_q == '0 && pause_d != '0) begin
        a_pause_cause: assert (evt && rfce_i && rx_evt_time_q != '0)
          else $error("fc: pause timer started without a PAUSE frame");
      end
      // Nothing is sent with TFCE clear once a frame in progress ends
      if (!tfce_i) begin
        a_no_req: assert (!req_d) else $error("fc: PAUSE request with TFCE clear");
      end
      // At most one counter increment a cycle on each side
      a_one_inc: assert (!(xonrxc_inc_o && xoffrxc_inc_o) && !(xontxc_inc_o && xofftxc_inc_o))
        else $error("fc: XON and XOFF counted together");
    end
  end
`endif
`endif

endmodule
