// SPDX-License-Identifier: Apache-2.0
// tb_igb_nic: a directed testbench for the NIC RTL in plain SystemVerilog, for any simulator
// (run by testbench/rtl_tb/run.sh under Verilator and Icarus Verilog, whose transcripts must
// be identical). It is its own host: a 2 MiB memory answering DMA reads after a fixed latency,
// MMIO tasks, and a wire sending frames in 16-byte beats. Every DMA write, MSI-X message and
// register read goes to the transcript with its cycle; the checks print FAIL lines, and the
// last line is PASS or FAIL.
//
// Timing discipline: inputs change and outputs are sampled only at the falling edge, so the
// order in which a simulator schedules processes cannot show in the transcript.
`timescale 1ns / 1ps
`default_nettype none

module tb_igb_nic;
  import igb_pkg::*;

  localparam int MemBytes    = 2 * 1024 * 1024;
  localparam int ReadLatency = 20;   // cycles from request to the first completion beat
  localparam int Ring        = 32'h1000;
  localparam int BufBase     = 32'h10000;
  localparam int RingCount   = 8;

  logic clk = 1'b0, rst_n = 1'b0;
  always #4 clk = ~clk;  // 125 MHz

  // DUT ports
  logic        tick_1us;
  logic        mmio_valid, mmio_we, mmio_ready, mmio_rvalid;
  logic [16:0] mmio_addr;
  logic [31:0] mmio_wdata, mmio_rdata;
  logic        rx_valid, rx_ready, rx_last;
  logic [RxW-1:0] rx_data;
  logic [4:0]  rx_bytes;
  logic        req_valid, req_write;
  logic [63:0] req_addr;
  logic [15:0] req_len;
  logic [7:0]  req_tag;
  logic        wdata_valid, wdata_last;
  logic [DmaW-1:0] wdata;      // memory-port beats of DmaW / 8 bytes, both ways
  logic        rresp_valid, rresp_last;
  logic [DmaW-1:0] rresp_data;
  logic [7:0]  rresp_tag;
  logic        msix_valid, intx;
  logic [3:0]  msix_vec;
  logic        ev_ok, ev_mpc, ev_runt, ev_long, ev_filt, ev_rqdpc, ev_rnbc, ev_dma;
  logic        idle, rx_idle, core_idle, timers_armed;
  logic [12:0] timer_next;
  // Outputs this testbench does not check (the C++ tests do)
  logic unused_outputs;
  assign unused_outputs = ^{mmio_ready, rx_ready, intx, ev_ok, ev_rqdpc, ev_dma, idle, rx_idle,
                            core_idle, timers_armed, timer_next, eims, ims_rx};
  logic [2:0]  ev_queue;
  logic [9:0]  eims;
  logic        ims_rx;

  igb_nic dut (
    .clk_i(clk), .rx_clk_i(clk), .rst_ni(rst_n), .ticks_1us_i({15'h0, tick_1us}),
    .mmio_valid_i(mmio_valid), .mmio_ready_o(mmio_ready), .mmio_we_i(mmio_we),
    .mmio_addr_i(mmio_addr), .mmio_wdata_i(mmio_wdata), .mmio_rvalid_o(mmio_rvalid),
    .mmio_rdata_o(mmio_rdata),
    .rx_valid_i(rx_valid), .rx_ready_o(rx_ready), .rx_data_i(rx_data), .rx_last_i(rx_last),
    .rx_bytes_i(rx_bytes),
    .dma_req_valid_o(req_valid), .dma_req_ready_i(1'b1), .dma_req_write_o(req_write),
    .dma_req_addr_o(req_addr), .dma_req_len_o(req_len), .dma_req_tag_o(req_tag),
    .dma_wdata_valid_o(wdata_valid), .dma_wdata_ready_i(1'b1), .dma_wdata_o(wdata),
    .dma_wdata_last_o(wdata_last),
    .dma_rresp_valid_i(rresp_valid), .dma_rresp_data_i(rresp_data), .dma_rresp_tag_i(rresp_tag),
    .dma_rresp_last_i(rresp_last),
    .msix_valid_o(msix_valid), .msix_vec_o(msix_vec), .intx_o(intx),
    .ev_frame_ok_o(ev_ok), .ev_frame_mpc_o(ev_mpc), .ev_frame_runt_o(ev_runt),
    .ev_frame_long_o(ev_long),
    .ev_frame_filt_o(ev_filt), .ev_frame_rqdpc_o(ev_rqdpc),
    .ev_frame_rnbc_o(ev_rnbc), .ev_frame_dma_o(ev_dma), .ev_frame_queue_o(ev_queue),
    .idle_o(idle), .rx_idle_o(rx_idle), .core_idle_o(core_idle), .timers_armed_o(timers_armed),
    .timer_next_o(timer_next), .eims_o(eims), .ims_rx_o(ims_rx),
    .fault_i(8'h0), .ivar_82576_i(1'b0)
  );

  // ---- Host: memory, DMA, interrupts -------------------------------------------------------
  logic [7:0] mem [MemBytes];
  int unsigned cycle = 0;
  int failures = 0;

  // Read completions waiting: one entry per beat (cycle due, data, tag, last)
  localparam int RqDepth = 4096;
  int unsigned rq_due [RqDepth];
  logic [DmaW-1:0] rq_data [RqDepth];
  logic [7:0]  rq_tag [RqDepth];
  logic        rq_last [RqDepth];
  int unsigned rq_head = 0, rq_tail = 0, rq_last_due = 0;

  // The write being received
  logic [63:0] wr_addr;
  int unsigned wr_len, wr_off, wr_sum;
  logic [7:0]  wr_tag;
  int unsigned msix_count [10];
  int unsigned last_msix_cycle = 0;

  localparam int Beat = DmaW / 8;
  localparam int RxBeat = RxW / 8;
  function automatic logic [DmaW-1:0] mem_beat(input logic [63:0] a);
    logic [DmaW-1:0] w;
    for (int i = 0; i < Beat; i++) w[8*i +: 8] = mem[int'(a) + i];
    return w;
  endfunction

  always @(negedge clk) begin
    if (rst_n) begin
      // A request the DUT presents is taken at the next rising edge (ready is always 1).
      if (req_valid && req_write) begin
        wr_addr = req_addr;
        wr_len  = int'(req_len);
        wr_tag  = req_tag;
        wr_off  = 0;
        wr_sum  = 0;
      end else if (req_valid) begin
        for (int unsigned b = 0; b < (int'(req_len) + Beat - 1) / Beat; b++) begin
          // beats follow each other, after the latency and after earlier completions
          rq_last_due = (cycle + ReadLatency + b > rq_last_due) ? cycle + ReadLatency + b :
                                                                  rq_last_due + 1;
          rq_due[rq_tail % RqDepth]  = rq_last_due;
          rq_data[rq_tail % RqDepth] = mem_beat(req_addr + 64'(Beat * b));
          rq_tag[rq_tail % RqDepth]  = req_tag;
          rq_last[rq_tail % RqDepth] = (b + 1) * Beat >= int'(req_len);
          rq_tail++;
        end
        $display("%0d: dma_rd addr=%h len=%0d tag=%h", cycle, req_addr, req_len, req_tag);
      end
      if (wdata_valid) begin
        for (int i = 0; i < Beat; i++) begin
          if (wr_off + i < wr_len) begin
            mem[int'(wr_addr) + wr_off + i] = wdata[8*i +: 8];
            wr_sum = wr_sum * 31 + {24'h0, wdata[8*i +: 8]};
          end
        end
        wr_off += Beat;
        if (wdata_last)
          $display("%0d: dma_wr addr=%h len=%0d tag=%h sum=%h", cycle, wr_addr, wr_len, wr_tag,
                   wr_sum);
      end
      if (msix_valid) begin
        msix_count[msix_vec]++;
        last_msix_cycle = cycle;
        $display("%0d: msix vec=%0d", cycle, msix_vec);
      end
      if (ev_rnbc) $display("%0d: event rnbc queue=%0d", cycle, ev_queue);
      if (ev_mpc) $display("%0d: event mpc", cycle);
      if (ev_runt) $display("%0d: event runt", cycle);
      if (ev_long) $display("%0d: event oversize", cycle);
      if (ev_filt) $display("%0d: event address filtered", cycle);
    end
    // Drive the read completion due now
    if (rq_head != rq_tail && rq_due[rq_head % RqDepth] <= cycle) begin
      rresp_valid <= 1'b1;
      rresp_data  <= rq_data[rq_head % RqDepth];
      rresp_tag   <= rq_tag[rq_head % RqDepth];
      rresp_last  <= rq_last[rq_head % RqDepth];
      rq_head++;
    end else begin
      rresp_valid <= 1'b0;
    end
    tick_1us <= (cycle % 125) == 0;
  end
  always @(posedge clk) cycle <= cycle + 1;

  // ---- Software: MMIO ----------------------------------------------------------------------
  task automatic mmio_write(input logic [16:0] a, input logic [31:0] v);
    @(negedge clk);
    mmio_valid <= 1'b1;
    mmio_we    <= 1'b1;
    mmio_addr  <= a;
    mmio_wdata <= v;
    @(negedge clk);
    mmio_valid <= 1'b0;
  endtask

  task automatic mmio_read(input logic [16:0] a, output logic [31:0] v);
    @(negedge clk);
    mmio_valid <= 1'b1;
    mmio_we    <= 1'b0;
    mmio_addr  <= a;
    @(negedge clk);
    mmio_valid <= 1'b0;
    while (!mmio_rvalid) @(negedge clk);
    v = mmio_rdata;
    $display("%0d: read %h = %h", cycle, a, v);
  endtask

  task automatic expect_reg(input logic [16:0] a, input logic [31:0] want, input string what);
    logic [31:0] v;
    mmio_read(a, v);
    if (v !== want) begin
      $display("FAIL %s: register %h is %h, expected %h", what, a, v, want);
      failures++;
    end
  endtask

  task automatic wait_cycles(input int n);
    repeat (n) @(negedge clk);
  endtask

  // ---- Wire ----------------------------------------------------------------------------------
  // Frame n of `len` bytes (FCS included) to destination `dst` (byte 0 in bits 7:0), with
  // `tags` VLAN tags (TPID 0x8100): an EtherType no offload parses, then a pattern.
  task automatic send_frame_to(input int n, input int len, input logic [47:0] dst, input int tags);
    logic [7:0] f [9022];
    for (int i = 0; i < len; i++) f[i] = 8'((n * 31 + i * 7) & 32'hFF);
    for (int i = 0; i < 6; i++) f[i] = dst[8*i +: 8];
    for (int t = 0; t < tags; t++) begin
      f[12 + 4 * t] = 8'h81;
      f[13 + 4 * t] = 8'h00;
    end
    f[12 + 4 * tags] = 8'h88;
    f[13 + 4 * tags] = 8'hB5;
    for (int b = 0; b < (len + RxBeat - 1) / RxBeat; b++) begin
      @(negedge clk);
      rx_valid <= 1'b1;
      for (int i = 0; i < RxBeat; i++) begin
        rx_data[8*i +: 8] <= (RxBeat * b + i < len) ? f[RxBeat * b + i] : 8'h00;
      end
      rx_bytes <= 5'((len - RxBeat * b) >= RxBeat ? RxBeat : len - RxBeat * b);
      rx_last  <= (RxBeat * b + RxBeat >= len);
    end
    @(negedge clk);
    rx_valid <= 1'b0;
    rx_last  <= 1'b0;
  endtask

  // Frame n of `len` bytes to this station (the address the NIC loads at reset), untagged
  task automatic send_frame(input int n, input int len);
    send_frame_to(n, len, NvmMacAddr, 0);
  endtask

  // Descriptor i: buffer address in the read format, upper half cleared
  task automatic give_descriptor(input int i);
    logic [63:0] buf_addr;
    buf_addr = 64'(BufBase) + 64'(32'h1000 * i);
    for (int b = 0; b < 8; b++) mem[Ring + 16 * i + b] = buf_addr[8*b +: 8];
    for (int b = 8; b < 16; b++) mem[Ring + 16 * i + b] = 8'h00;
  endtask

  function automatic logic [31:0] desc_dword(input int i, input int dw);
    logic [31:0] v;
    for (int b = 0; b < 4; b++) v[8*b +: 8] = mem[Ring + 16 * i + 4 * dw + b];
    return v;
  endfunction

  task automatic expect_writeback(input int i, input int len, input string what);
    logic [31:0] st, dw3;
    st  = desc_dword(i, 2);
    dw3 = desc_dword(i, 3);
    if (st[0] !== 1'b1 || st[1] !== 1'b1 || dw3[15:0] !== 16'(len)) begin
      $display("FAIL %s: descriptor %0d status %h length %0d, expected DD|EOP and %0d", what, i, st,
               dw3[15:0], len);
      failures++;
    end
  endtask

  // ---- The test -----------------------------------------------------------------------------
  localparam logic [16:0] RDBAL0 = 17'h0C000, RDBAH0 = 17'h0C004, RDLEN0 = 17'h0C008;
  localparam logic [16:0] SRRCTL0 = 17'h0C00C, RDH0 = 17'h0C010, RDT0 = 17'h0C018;
  localparam logic [16:0] RXDCTL0 = 17'h0C028;

  initial begin
    mmio_valid = 1'b0; mmio_we = 1'b0; mmio_addr = '0; mmio_wdata = '0;
    rx_valid = 1'b0; rx_last = 1'b0; rx_data = '0; rx_bytes = '0;
    rresp_valid = 1'b0; rresp_last = 1'b0; rresp_data = '0; rresp_tag = '0; tick_1us = 1'b0;
    for (int i = 0; i < 10; i++) msix_count[i] = 0;
    for (int i = 0; i < RingCount; i++) give_descriptor(i);
    wait_cycles(3);
    rst_n = 1'b1;
    wait_cycles(2);

    $display("-- bring-up: one queue, 8 descriptors, MSI-X vector 1, EITR off");
    mmio_write(RXDCTL0, 32'h0);
    mmio_write(RCTL, 32'h0400_0002);             // EN | SECRC
    mmio_write(RDBAL0, Ring);
    mmio_write(RDBAH0, 32'h0);
    mmio_write(RDLEN0, RingCount * 16);
    mmio_write(RDH0, 32'h0);
    mmio_write(RDT0, 32'h0);
    mmio_write(SRRCTL0, 32'h0200_0002);          // 2 KB buffers, advanced one-buffer
    mmio_write(RXDCTL0, 32'h0200_0010);          // enable, PTHRESH 16
    mmio_write(GPIE, 32'hC000_0011);             // MSI-X mode, EIAME, NSICR, PBA
    mmio_write(IVAR0, 32'h0000_0081);            // queue 0 -> vector 1, valid
    mmio_write(EIAC, 32'h2);
    mmio_write(EIAM, 32'h2);
    mmio_write(EIMS, 32'h3);
    mmio_write(RDT0, RingCount - 1);
    expect_reg(RDLEN0, RingCount * 16, "RDLEN reads back");

    $display("-- three frames: 64, 300 and 1518 bytes");
    send_frame(0, 64);
    wait_cycles(200);
    expect_writeback(0, 60, "64-byte frame");
    if (msix_count[1] != 1) begin
      $display("FAIL one MSI-X on vector 1, saw %0d", msix_count[1]);
      failures++;
    end
    mmio_write(EIMS, 32'h2);                     // the driver re-enables after its poll
    send_frame(1, 300);
    send_frame(2, 1518);
    wait_cycles(600);
    expect_writeback(1, 296, "300-byte frame");
    expect_writeback(2, 1514, "1518-byte frame");
    expect_reg(RDH0, 3, "RDH after three frames");
    expect_reg(GPRC, 3, "GPRC counts three");
    expect_reg(GORCL, 64 + 300 + 1518, "GORC counts their bytes");
    expect_reg(GORCH, 0, "GORC high half");

    $display("-- a 40-byte runt is dropped and counted, nothing reaches memory");
    send_frame(9, 40);
    wait_cycles(100);
    expect_reg(RUC, 1, "RUC counts the runt");
    expect_reg(RDH0, 3, "no descriptor used for it");

    $display("-- receive filters: RAR[0] holds the NVM address; oversize and foreign frames go");
    expect_reg(RAL0, NvmMacAddr[31:0], "RAL0 as loaded at reset");
    expect_reg(RAH0, {1'b1, 15'h0, NvmMacAddr[47:32]}, "RAH0 as loaded at reset, valid");
    expect_reg(RLPML, 32'(RlpmlReset), "RLPML reset value");
    send_frame(20, 1519);                        // LPE clear: 1518 is the most
    send_frame_to(21, 1523, NvmMacAddr, 1);      // one VLAN tag: 1522
    send_frame_to(22, 1527, NvmMacAddr, 2);      // two: 1526
    send_frame_to(23, 64, 48'h01_00_00_00_00_04, 0);  // unicast to another station
    send_frame_to(24, 64, 48'h01_00_5E_00_00_01, 0);  // multicast, MPE clear
    send_frame_to(25, 40, 48'h01_00_00_00_00_04, 0);  // a foreign runt: the address filter first
    wait_cycles(100);
    expect_reg(ROC, 3, "ROC counts the three oversize frames");
    expect_reg(ROC, 0, "ROC is read-to-clear");
    expect_reg(RUC, 0, "the foreign runt is not counted");
    expect_reg(MPC, 0, "nor missed");
    expect_reg(RDH0, 3, "no descriptor used for them");

    $display("-- EITR 8 us: the second message waits for the interval");
    mmio_write(EITR0 + 4, 32'h8000_0020);        // 8 us, CNT_IGNR
    mmio_write(EIMS, 32'h2);
    send_frame(3, 64);
    wait_cycles(150);
    begin
      int unsigned first;
      first = last_msix_cycle;
      mmio_write(EIMS, 32'h2);
      send_frame(4, 64);
      wait_cycles(1200);
      if (last_msix_cycle - first < 7 * 125) begin
        $display("FAIL messages %0d cycles apart inside the 8 us interval",
                 last_msix_cycle - first);
        failures++;
      end
    end

    $display("-- ring exhausted: RNBC, then frames wait until RDT moves");
    for (int n = 5; n < 9; n++) send_frame(n, 64);
    wait_cycles(400);
    expect_reg(RDH0, 7, "hardware stops at RDT");
    expect_reg(RNBC, 1, "RNBC counts the waiting frame once");
    for (int i = 0; i < 7; i++) give_descriptor(i);
    mmio_write(RDT0, 32'h6);                     // descriptors 7, 0..5
    wait_cycles(800);
    // Descriptors 5 and 6 took two frames; the next two waited and went to 7 and 0.
    expect_reg(RDH0, 1, "the waiting frames are written after RDT moved");
    expect_reg(MPC, 0, "nothing missed: the packet buffer held them");

    $display("-- software reset");
    mmio_write(CTRL, 32'h0400_0000);
    wait_cycles(1100);
    expect_reg(RDLEN0, 0, "RDLEN back to its default");
    expect_reg(RCTL, 0, "RCTL back to its default");
    expect_reg(RAL0, NvmMacAddr[31:0], "RAR[0] reloaded");

    if (failures == 0) $display("PASS");
    else $display("FAIL: %0d check(s)", failures);
    $finish;
  end

  initial begin
    #(8 * 200000);
    $display("FAIL: timeout");
    $finish;
  end
endmodule
