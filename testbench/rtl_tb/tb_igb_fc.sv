// SPDX-License-Identifier: Apache-2.0
// tb_igb_fc: a directed testbench for igb_fc (802.3x flow control) in plain SystemVerilog, run
// by testbench/rtl_tb/run_unit.sh under Verilator and Icarus Verilog, whose transcripts must be
// identical. Receive side: PAUSE frames built here byte by byte (IEEE 802.3 Annex 31B) go in
// on the receive stream; the pause is measured in cycles of tx_pause_o and must last exactly
// time x 512 ns = time x 64 cycles of 8 ns. Transmit side: the receive buffer's fill is moved
// across the marks and every frame on the fc_* stream is compared byte for byte with one
// built here from the registers. Counter increments are counted from the DUT's pulses.
// +plant corrupts one expected byte of the XOFF frame: the run must then FAIL
// (run_unit.sh checks that it does).
//
// Timing discipline: inputs change at the falling edge and everything is sampled 1 ns later,
// so the order in which a simulator schedules processes cannot show in the transcript.
`timescale 1ns / 1ps
`default_nettype none

module tb_igb_fc;

  localparam int Q = 64;  // cycles per pause quantum: 512 bit times at 1 Gb/s, 8 ns cycles
  localparam int NFrm = 64;

  logic clk = 1'b0, rst_n = 1'b0;
  always #4 clk = ~clk;

  // Registers as Linux igb programs them (igb_setup_link, igb_reset for an I210, MTU 1500)
  logic         rfce = 1'b1, tfce = 1'b1, dpf = 1'b1, xone = 1'b1, rar_valid = 1'b1;
  logic [47:0]  fca = {16'h0100, 32'h00C2_8001};  // FCAH, FCAL: 01-80-C2-00-00-01
  logic [47:0]  rar = 48'hCC_BB_AA_21_1B_00;      // 00-1B-21-AA-BB-CC
  logic [15:0]  fct = 16'h8808, fcttv = 16'hFFFF, fcrtv = 16'd0;
  logic [17:0]  fcrtl = 18'd23536, fcrth = 18'd23552, fill = '0;

  logic         rx_valid = 1'b0, rx_last = 1'b0, rx_drop;
  logic [127:0] rx_data = '0;
  logic [4:0]   rx_bytes = '0;
  logic         tx_pause, fc_valid, fc_ready = 1'b1, fc_last, txoff, idle;
  logic [127:0] fc_data;
  logic [4:0]   fc_bytes;
  logic [31:0]  fcsts;
  logic         xonrxc_inc, xoffrxc_inc, xontxc_inc, xofftxc_inc;
  logic [23:0]  gap = 24'd1, pause_left;

  igb_fc dut (
    .clk_i(clk), .rx_clk_i(clk), .rst_ni(rst_n), .gap_i(gap),
    .rfce_i(rfce), .tfce_i(tfce), .dpf_i(dpf), .fca_i(fca), .fct_i(fct), .rar_i(rar),
    .rar_valid_i(rar_valid), .fcttv_i(fcttv), .fcrtl_i(fcrtl), .xone_i(xone), .fcrth_i(fcrth),
    .fcrtv_i(fcrtv),
    .rx_valid_i(rx_valid), .rx_data_i(rx_data), .rx_last_i(rx_last), .rx_bytes_i(rx_bytes),
    .rx_drop_o(rx_drop), .rxpb_fill_i(fill), .tx_pause_o(tx_pause),
    .pause_left_o(pause_left),
    .fc_valid_o(fc_valid), .fc_ready_i(fc_ready), .fc_data_o(fc_data), .fc_last_o(fc_last),
    .fc_bytes_o(fc_bytes), .txoff_o(txoff), .fcsts_o(fcsts),
    .xonrxc_inc_o(xonrxc_inc), .xoffrxc_inc_o(xoffrxc_inc), .xontxc_inc_o(xontxc_inc),
    .xofftxc_inc_o(xofftxc_inc), .idle_o(idle)
  );

  int errors = 0;
  logic plant = 1'b0;
  task automatic check(input logic ok, input string what);
    if (!ok) begin
      $display("FAIL %s", what);
      errors++;
    end
  endtask

  // --- Pseudo-random fc_ready (xorshift32: the same sequence in every simulator) -----------
  logic [31:0] rng = 32'h1234_5678;
  logic        random_ready = 1'b0;
  logic        force_ready_low = 1'b0;  // holds fc_ready low (the "not cut" case)

  // --- Monitor: 1 ns after each falling edge ----------------------------------------------
  int cyc = 0;
  int n_xonrx = 0, n_xoffrx = 0, n_xontx = 0, n_xofftx = 0;
  logic pause_prev = 1'b0;
  logic idle_after_rx = 1'b1;
  int pause_rise = -1, pause_fall = -1, rx_last_cyc = -1, pause_cycles = 0;
  // The data frames of the MAC model (the "frame in progress" case)
  localparam int MacBeats = 95;  // a 1518-byte frame: 95 beats of 16 bytes
  logic mac_on = 1'b0;
  int   mac_left = 0, mac_start_cyc = -1, mac_end_cyc = -1, mac_left_at_rise = -1;
  // Frames on the fc_* stream
  logic [7:0] cap [NFrm][64];
  int   cap_len [NFrm];
  int   cap_start [NFrm];
  int   cap_n = 0, cap_pos = 0;
  logic cap_bad_beat [NFrm];

  always @(negedge clk) begin
    if (force_ready_low) begin
      fc_ready = 1'b0;
    end else if (random_ready) begin
      rng = rng ^ (rng << 13);
      rng = rng ^ (rng >> 17);
      rng = rng ^ (rng << 5);
      fc_ready = rng[0] | rng[1];
    end else begin
      fc_ready = 1'b1;
    end
    #1;
    cyc++;
    if (rst_n) begin
      if (xonrxc_inc) n_xonrx++;
      if (xoffrxc_inc) n_xoffrx++;
      if (xontxc_inc) n_xontx++;
      if (xofftxc_inc) n_xofftx++;
      if (tx_pause) pause_cycles++;
      if (tx_pause && !pause_prev) pause_rise = cyc;
      if (!tx_pause && pause_prev) pause_fall = cyc;
      pause_prev = tx_pause;
      check(txoff == tx_pause && fcsts[0] == tx_pause, "STATUS.TXOFF/FCSTS0 follow the pause");
      check(tx_pause == (pause_left != '0), "pause_left_o is 0 exactly when not paused");
      if (rx_valid && rx_last) rx_last_cyc = cyc;
      // The cycle after a frame's last beat: clk_i must have work if the frame was a PAUSE
      if (cyc == rx_last_cyc + 1) idle_after_rx = idle;
      // The MAC's contract with tx_pause_o, modelled: a data frame of MacBeats beats starts
      // only at a boundary with tx_pause_o clear, and once started runs to its end.
      if (mac_on) begin
        if (mac_left == 0) begin
          if (!tx_pause) begin
            mac_left = MacBeats;
            mac_start_cyc = cyc;
          end
        end else begin
          mac_left--;
          if (mac_left == 0) mac_end_cyc = cyc;
        end
        if (tx_pause && pause_rise == cyc) mac_left_at_rise = mac_left;
      end
      if (fc_valid && fc_ready && cap_n < NFrm) begin
        if (cap_pos == 0) begin
          cap_start[cap_n] = cyc;
          cap_bad_beat[cap_n] = 1'b0;
        end
        for (int i = 0; i < 16; i++)
          if (i < int'(fc_bytes) && cap_pos + i < 64) cap[cap_n][cap_pos + i] = fc_data[8*i +: 8];
        // Full beats before the last: 16 bytes each
        if (!fc_last && fc_bytes != 5'd16) cap_bad_beat[cap_n] = 1'b1;
        cap_pos += int'(fc_bytes);
        if (fc_last) begin
          cap_len[cap_n] = cap_pos;
          cap_n++;
          cap_pos = 0;
        end
      end
    end
  end

  // --- Receive stream driver --------------------------------------------------------------
  logic [7:0] rxbuf [128];
  logic       first_drop;
  task automatic send_rx(input int len);
    int pos, nb;
    pos = 0;
    while (pos < len) begin
      @(negedge clk);
      nb = len - pos < 16 ? len - pos : 16;
      rx_valid = 1'b1;
      for (int i = 0; i < 16; i++) rx_data[8*i +: 8] = i < nb ? rxbuf[pos + i] : 8'h00;
      rx_bytes = 5'(nb);
      rx_last  = pos + nb >= len;
      if (pos == 0) begin
        #2;
        first_drop = rx_drop;
      end
      pos += nb;
    end
    @(negedge clk);
    rx_valid = 1'b0;
    rx_last  = 1'b0;
    rx_data  = '0;
    rx_bytes = '0;
  endtask

  // A MAC control frame as the wire delivers it, FCS (any 4 bytes here) included: len bytes
  task automatic build_ctl(input logic [47:0] da, input logic [15:0] etype,
                           input logic [15:0] opcode, input logic [15:0] ptime,
                           input int len);
    for (int i = 0; i < 128; i++) rxbuf[i] = 8'h00;
    for (int i = 0; i < 6; i++) rxbuf[i] = da[8*i +: 8];
    for (int i = 0; i < 6; i++) rxbuf[6 + i] = 8'h50 + 8'(i);  // the partner's address
    rxbuf[12] = etype[15:8];
    rxbuf[13] = etype[7:0];
    rxbuf[14] = opcode[15:8];
    rxbuf[15] = opcode[7:0];
    rxbuf[16] = ptime[15:8];
    rxbuf[17] = ptime[7:0];
    for (int i = 0; i < 4; i++) rxbuf[len - 4 + i] = 8'hA5 + 8'(i);  // FCS stand-in
  endtask

  task automatic wait_cycles(input int n);
    repeat (n) @(negedge clk);
  endtask

  // A received PAUSE frame of pause time t, to DA da, must stop transmit for t x Q cycles,
  // starting two edges after its last beat (receiver edge, then the timer's).
  task automatic rx_pause_case(input string name, input logic [47:0] da, input logic [15:0] t);
    int n_before;
    n_before = n_xoffrx;
    pause_cycles = 0;
    build_ctl(da, 16'h8808, 16'h0001, t, 64);
    send_rx(64);
    wait_cycles(int'(t) * Q + 8);
    $display("%s: pause %0d cycles (expect %0d), up %0d cycles after the last beat, XOFFRXC +%0d",
             name, pause_cycles, int'(t) * Q, pause_rise - rx_last_cyc, n_xoffrx - n_before);
    check(pause_cycles == int'(t) * Q, {name, ": pause length"});
    check(pause_fall - pause_rise == int'(t) * Q, {name, ": one pause episode"});
    check(pause_rise - rx_last_cyc == 2, {name, ": pause starts two edges after the frame"});
    check(n_xoffrx - n_before == 1, {name, ": XOFFRXC"});
    check(!idle_after_rx, {name, ": not idle (the host must clock clk_i) after the frame"});
    check(first_drop == dpf, {name, ": RCTL.DPF drop"});
  endtask

  // A frame that must not act: no pause, no counter
  task automatic rx_ignored_case(input string name, input logic [47:0] da,
                                 input logic [15:0] etype, input logic [15:0] opcode,
                                 input int len, input logic expect_drop);
    int n_before;
    n_before = n_xoffrx + n_xonrx;
    pause_cycles = 0;
    build_ctl(da, etype, opcode, 16'd100, len);
    send_rx(len);
    wait_cycles(100 * Q + 8);
    $display("%s: pause %0d cycles, counted %0d, dropped %0d", name, pause_cycles,
             n_xoffrx + n_xonrx - n_before, first_drop);
    check(pause_cycles == 0, {name, ": no pause"});
    check(n_xoffrx + n_xonrx == n_before, {name, ": not counted"});
    check(idle_after_rx, {name, ": idle after the frame"});
    check(first_drop == expect_drop, {name, ": drop flag"});
  endtask

  // The PAUSE frame the part must send, built from the registers
  logic [7:0] ex [64];
  task automatic build_expected(input logic [15:0] t);
    logic [47:0] mc;
    mc = 48'h01_00_00_C2_80_01;
    for (int i = 0; i < 64; i++) ex[i] = 8'h00;
    for (int i = 0; i < 6; i++) ex[i] = mc[8*i +: 8];
    for (int i = 0; i < 6; i++) ex[6 + i] = rar[8*i +: 8];
    ex[12] = 8'h88;
    ex[13] = 8'h08;
    ex[14] = 8'h00;
    ex[15] = 8'h01;
    ex[16] = t[15:8];
    ex[17] = t[7:0];
  endtask

  task automatic check_frame(input string name, input int k, input logic [15:0] t);
    int diffs;
    build_expected(t);
    if (plant && t != 16'd0) ex[17] = ex[17] ^ 8'h01;
    diffs = 0;
    for (int i = 0; i < 60; i++) if (cap[k][i] !== ex[i]) diffs++;
    $display("%s: frame %0d, %0d bytes, time 0x%04h, %0d bytes differ", name, k, cap_len[k],
             {cap[k][16], cap[k][17]}, diffs);
    if (diffs != 0 || cap_len[k] != 60 || cap_bad_beat[k]) begin
      $display("FAIL frame %s %0d: %0d bytes differ, length %0d", name, k, diffs, cap_len[k]);
      errors++;
    end
  endtask

  task automatic set_fill(input int f);
    @(negedge clk);
    fill = 18'(f);
  endtask

  int n0, x0, o0;
  initial begin
    if ($test$plusargs("plant")) plant = 1'b1;
    wait_cycles(3);
    rst_n = 1'b1;
    wait_cycles(3);
    check(idle && !tx_pause && !fc_valid, "idle after reset");

    // ---- Receive side ----
    // XOFF received: exactly t x 512 ns; to the multicast address and to the station address
    rx_pause_case("xoff_rx multicast", fca, 16'd10);
    rx_pause_case("xoff_rx station", rar, 16'd3);
    dpf = 1'b0;
    rx_pause_case("xoff_rx DPF clear", fca, 16'd1);
    dpf = 1'b1;
    // The station address only while RAH0.AV
    rar_valid = 1'b0;
    rx_ignored_case("station address not valid", rar, 16'h8808, 16'h0001, 64, 1'b0);
    rar_valid = 1'b1;
    // A MAC control frame that is not a PAUSE (PFC opcode 0x0101), another type, a runt
    rx_ignored_case("opcode 0x0101", fca, 16'h8808, 16'h0101, 64, 1'b0);
    rx_ignored_case("type 0x0800", fca, 16'h0800, 16'h0001, 64, 1'b0);
    rx_ignored_case("runt of 60 bytes", fca, 16'h8808, 16'h0001, 60, 1'b1);
    // RFCE off: parsed as a regular frame
    rfce = 1'b0;
    rx_ignored_case("RFCE off", fca, 16'h8808, 16'h0001, 64, 1'b0);
    rfce = 1'b1;

    // XON resumes early: XOFF of 1000 quanta, XON 200 cycles later
    n0 = n_xonrx;
    pause_cycles = 0;
    build_ctl(fca, 16'h8808, 16'h0001, 16'd1000, 64);
    send_rx(64);
    wait_cycles(200);
    build_ctl(fca, 16'h8808, 16'h0001, 16'd0, 64);
    send_rx(64);
    wait_cycles(10);
    $display("xon_rx: paused %0d cycles of 64000, resumed %0d cycles after the XON, XONRXC +%0d",
             pause_cycles, pause_fall - rx_last_cyc, n_xonrx - n0);
    check(pause_fall - rx_last_cyc == 2 && !tx_pause, "xon_rx: resumes at once");
    check(n_xonrx - n0 == 1, "xon_rx: XONRXC");
    // A new XOFF overwrites the timer: 50 quanta, then 2 quanta 100 cycles in
    pause_cycles = 0;
    build_ctl(fca, 16'h8808, 16'h0001, 16'd50, 64);
    send_rx(64);
    wait_cycles(100);
    build_ctl(fca, 16'h8808, 16'h0001, 16'd2, 64);
    send_rx(64);
    wait_cycles(3 * Q);
    $display("xoff overwrite: pause ends %0d cycles after the second XOFF (expect %0d)",
             pause_fall - rx_last_cyc, 2 + 2 * Q);
    check(pause_fall - rx_last_cyc == 2 + 2 * Q, "xoff overwrite: timer reloaded");
    // RFCE cleared during a pause ends it
    build_ctl(fca, 16'h8808, 16'h0001, 16'd100, 64);
    send_rx(64);
    wait_cycles(20);
    rfce = 1'b0;
    wait_cycles(2);
    check(!tx_pause, "RFCE cleared: pause ends");
    rfce = 1'b1;
    wait_cycles(2);
    $display("receive counters: XOFFRXC %0d XONRXC %0d", n_xoffrx, n_xonrx);
    // 3 XOFF cases, 1 before the XON, 2 overwriting, 1 cut by RFCE; the ignored frames none
    check(n_xoffrx == 7 && n_xonrx == 1, "receive counters: 7 XOFF, 1 XON");

    // A pause the host does not clock through: an edge after G unclocked cycles (gap_i G)
    // takes G cycles off it, and one past its end ends it (the edge pause_left_o names is
    // where a pause with every cycle clocked ends). XOFF of 20 quanta: 1280 cycles.
    build_ctl(fca, 16'h8808, 16'h0001, 16'd20, 64);
    send_rx(64);
    wait_cycles(3);
    n0 = int'(pause_left);
    check(tx_pause && n0 > 1000 && n0 <= 20 * Q, "gap: the pause runs");
    gap = 24'd300;
    wait_cycles(1);
    gap = 24'd1;
    $display("gap: %0d cycles of pause left, %0d after one edge with gap_i 300", n0, pause_left);
    check(int'(pause_left) == n0 - 300 && tx_pause, "gap: one edge takes 300 cycles off");
    n0 = int'(pause_left);
    gap = 24'(n0);
    wait_cycles(1);
    gap = 24'd1;
    check(!tx_pause && pause_left == '0, "gap: the edge pause_left_o names ends the pause");
    n0 = n_xoffrx;
    build_ctl(fca, 16'h8808, 16'h0001, 16'd2, 64);
    send_rx(64);
    wait_cycles(3);
    gap = 24'hFFFFFF;  // far past its end: saturates at 0
    wait_cycles(1);
    gap = 24'd1;
    check(!tx_pause && pause_left == '0 && n_xoffrx == n0 + 1, "gap: saturates at the end");

    // ---- Transmit side ----
    // Between the marks from below: nothing; reaching FCRTH: one XOFF with FCTTV
    random_ready = 1'b1;
    fcttv = 16'h0680;
    set_fill(23540);
    wait_cycles(50);
    check(cap_n == 0, "below FCRTH: no frame");
    set_fill(23552);
    wait_cycles(50);
    check(cap_n == 1, "FCRTH reached: one frame");
    if (cap_n >= 1) check_frame("xoff_tx", 0, 16'h0680);
    check(n_xofftx == 1 && n_xontx == 0, "XOFFTXC 1");
    // Hysteresis: down between the marks, up again, staying above: nothing more (FCRTV 0)
    set_fill(23545);
    wait_cycles(30);
    set_fill(23600);
    wait_cycles(30);
    set_fill(23536);
    wait_cycles(30);
    set_fill(30000);
    wait_cycles(20 * Q);
    $display("hysteresis: %0d frames after moves between and above the marks", cap_n - 1);
    check(cap_n == 1, "hysteresis: no chatter, no refresh with FCRTV 0");
    // Below FCRTL with XONE: one XON
    set_fill(23535);
    wait_cycles(50);
    check(cap_n == 2, "below FCRTL: one XON frame");
    if (cap_n >= 2) check_frame("xon_tx", 1, 16'd0);
    check(n_xontx == 1 && n_xofftx == 1, "XONTXC 1");
    set_fill(100);
    wait_cycles(50);
    check(cap_n == 2, "staying low: nothing more");

    // Refresh: FCRTV = 4 quanta, fill above for ~4.5 refresh periods; fc_ready always 1
    random_ready = 1'b0;
    fcrtv = 16'd4;
    set_fill(40000);
    wait_cycles(4 * 4 * Q + 2 * Q);
    set_fill(23540);  // between the marks: refresh goes on (not below low)
    wait_cycles(4 * Q);
    set_fill(0);
    wait_cycles(50);
    $display("refresh: %0d frames (XOFF at %0d, then every %0d, %0d, %0d, %0d, %0d cycles)",
             cap_n - 2, cap_start[2], cap_start[3] - cap_start[2], cap_start[4] - cap_start[3],
             cap_start[5] - cap_start[4], cap_start[6] - cap_start[5],
             cap_start[7] - cap_start[6]);
    // 4.5 periods above, then 1 between the marks: the first XOFF and 5 refreshes, then XON
    check(cap_n == 2 + 6 + 1, "refresh: 1 XOFF, 5 refreshes, 1 XON");
    for (int k = 3; k < 8 && k < cap_n; k++)
      check(cap_start[k] - cap_start[k - 1] == 4 * Q, "refresh: every FCRTV x 64 cycles");
    if (cap_n >= 9) begin
      check_frame("refresh", 4, 16'h0680);
      check_frame("xon after refresh", 8, 16'd0);
    end
    fcrtv = 16'd0;

    // XONE clear: XOFF, but no XON
    xone = 1'b0;
    n0 = cap_n;
    set_fill(24000);
    wait_cycles(50);
    set_fill(0);
    wait_cycles(50);
    $display("XONE clear: %0d frames", cap_n - n0);
    check(cap_n == n0 + 1, "XONE clear: the XOFF only");
    xone = 1'b1;

    // TFCE off: nothing
    tfce = 1'b0;
    n0 = cap_n;
    set_fill(60000);
    wait_cycles(50);
    set_fill(0);
    wait_cycles(50);
    $display("TFCE off: %0d frames", cap_n - n0);
    check(cap_n == n0, "TFCE off: no frame");
    tfce = 1'b1;

    // A frame on the stream is not cut: XON requested while the XOFF waits for fc_ready
    n0 = cap_n;
    x0 = n_xofftx;
    o0 = n_xontx;
    @(negedge clk);
    force_ready_low = 1'b1;
    fill = 18'(30000);
    wait_cycles(5);
    fill = 18'(0);
    wait_cycles(5);
    force_ready_low = 1'b0;
    wait_cycles(50);
    $display("request while a frame waits: %0d frames, XOFFTXC +%0d XONTXC +%0d", cap_n - n0,
             n_xofftx - x0, n_xontx - o0);
    check(cap_n == n0 + 2 && n_xofftx - x0 == 1 && n_xontx - o0 == 1,
          "the XOFF on offer is sent whole, then the XON");
    if (cap_n >= n0 + 2) begin
      check_frame("offered xoff", n0, 16'h0680);
      check_frame("then xon", n0 + 1, 16'd0);
    end

    // A frame in progress on the fc_* stream is not cut: fc_ready low in its second beat
    // while TFCE is cleared and the fill drops; it still ends whole, and nothing follows
    fcttv = 16'h1234;
    n0 = cap_n;
    set_fill(30000);
    while (!(fc_valid && dut.beat_q == 2'd1)) @(negedge clk);
    force_ready_low = 1'b1;
    tfce = 1'b0;
    fill = '0;
    wait_cycles(20);
    force_ready_low = 1'b0;
    wait_cycles(20);
    $display("TFCE cleared mid-frame: %0d frames", cap_n - n0);
    check(cap_n == n0 + 1, "TFCE cleared mid-frame: the frame ends whole, nothing follows");
    if (cap_n >= n0 + 1) check_frame("mid-frame", n0, 16'h1234);
    tfce = 1'b1;
    fcttv = 16'h0680;

    // The MAC's side (modelled above): an XOFF of 4 quanta arriving 10 beats into a data
    // frame; the frame runs to its end, the next starts when the pause is over
    mac_on = 1'b1;
    @(negedge clk);
    while (mac_left != MacBeats - 10) @(negedge clk);
    build_ctl(fca, 16'h8808, 16'h0001, 16'd4, 64);
    send_rx(64);
    wait_cycles(MacBeats + 4 * Q);
    mac_on = 1'b0;
    $display("frame in progress: %0d beats left at the pause, ended %0d cycles into it, next %s",
             mac_left_at_rise, mac_end_cyc - pause_rise,
             mac_start_cyc == pause_fall ? "as the pause ended" : "elsewhere");
    check(mac_left_at_rise > 0, "frame in progress: a frame was on the wire at the pause");
    check(mac_end_cyc - pause_rise == mac_left_at_rise, "frame in progress: ran to its end");
    check(mac_start_cyc == pause_fall, "frame in progress: next frame when the pause ended");
    wait_cycles(MacBeats + 2);
    check(idle, "idle at the end");

    $display("frames sent %0d, XOFFTXC %0d, XONTXC %0d", cap_n, n_xofftx, n_xontx);
    check(n_xofftx + n_xontx == cap_n, "every frame counted once");
    if (errors == 0) $display("PASS");
    else $display("FAIL %0d errors", errors);
    $finish;
  end

endmodule
