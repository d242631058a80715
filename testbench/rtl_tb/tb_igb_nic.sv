// SPDX-License-Identifier: Apache-2.0
// tb_igb_nic: a directed testbench for the NIC RTL in plain SystemVerilog, for any simulator
// (run by testbench/rtl_tb/run.sh under Verilator and Icarus Verilog, whose transcripts must
// be identical). It is its own host: a 2 MiB memory answering DMA reads after a fixed latency,
// MMIO tasks, a wire sending frames in 16-byte beats, and a wire taking the transmitted frames
// at 1 Gb/s (a byte a cycle; 8 of preamble, then the MAC's gap, tx_ipg_o: 12 at reset).
// Every DMA write, MSI-X message and register read goes to the transcript with its cycle;
// the checks print FAIL lines, and the last line is PASS or FAIL.
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
  logic [23:0] pause_left;
  // Outputs this testbench does not check (the C++ tests do)
  logic unused_outputs;
  assign unused_outputs = ^{mmio_ready, rx_ready, intx, ev_ok, ev_rqdpc, ev_dma, idle, rx_idle,
                            core_idle, timers_armed, timer_next, pause_left, eims, ims_rx};
  logic [2:0]  ev_queue;
  logic [9:0]  eims;
  logic        ims_rx;
  logic        tx_valid, tx_ready, tx_last;
  logic [RxW-1:0] tx_data;
  logic [4:0]  tx_bytes;
  logic [10:0] tx_ipg;
  logic [4:0]  tx_reads_max = 5'd8;  // the strap: the model's default (nic.tx_data_reads)

  igb_nic dut (
    .clk_i(clk), .rx_clk_i(clk), .rst_ni(rst_n), .ticks_1us_i({15'h0, tick_1us}),
    .mmio_valid_i(mmio_valid), .mmio_ready_o(mmio_ready), .mmio_we_i(mmio_we),
    .mmio_addr_i(mmio_addr), .mmio_wdata_i(mmio_wdata), .mmio_rvalid_o(mmio_rvalid),
    .mmio_rdata_o(mmio_rdata),
    .rx_valid_i(rx_valid), .rx_ready_o(rx_ready), .rx_data_i(rx_data), .rx_last_i(rx_last),
    .rx_bytes_i(rx_bytes),
    .tx_valid_o(tx_valid), .tx_ready_i(tx_ready), .tx_data_o(tx_data), .tx_last_o(tx_last),
    .tx_bytes_o(tx_bytes), .tx_ipg_o(tx_ipg),
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
    .timer_next_o(timer_next), .pause_left_o(pause_left), .core_gap_i(24'd1),
    .eims_o(eims), .ims_rx_o(ims_rx),
    .fault_i(8'h0), .ivar_82576_i(1'b0), .tx_reads_max_i(tx_reads_max)
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
  // Transmit data reads asked for and not yet completed, and the most there were at once
  int unsigned txrd_out = 0, txrd_max = 0;

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
        if (req_tag[3:0] == TagTxDataRd) begin
          txrd_out++;
          if (txrd_out > txrd_max) txrd_max = txrd_out;
        end
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
    tx_wire_step();
    // Drive the read completion due now
    if (rq_head != rq_tail && rq_due[rq_head % RqDepth] <= cycle) begin
      rresp_valid <= 1'b1;
      rresp_data  <= rq_data[rq_head % RqDepth];
      rresp_tag   <= rq_tag[rq_head % RqDepth];
      rresp_last  <= rq_last[rq_head % RqDepth];
      if (rq_last[rq_head % RqDepth] && rq_tag[rq_head % RqDepth][3:0] == TagTxDataRd) txrd_out--;
      rq_head++;
    end else begin
      rresp_valid <= 1'b0;
    end
    tick_1us <= (cycle % 125) == 0;
  end
  always @(posedge clk) cycle <= cycle + 1;

  // ---- Transmit wire: takes a beat when the wire is free (a byte a cycle at 1 Gb/s and
  // 125 MHz; after a frame's last beat, 8 bytes of preamble and the MAC's gap, tx_ipg),
  // records the frames
  localparam int TxfBytes = 65536;
  logic [7:0]  txf [TxfBytes];
  int unsigned txf_start [256];
  int unsigned txf_len [256];
  int unsigned txf_n = 0, txf_pos = 0, tx_free_at = 0;
  // Called from the host's falling-edge block, so its lines keep their place in the transcript
  task automatic tx_wire_step();
    logic rdy;
    int unsigned n;
    rdy = rst_n && cycle >= tx_free_at;
    if (rdy && tx_valid) begin  // taken at the next rising edge
      n = tx_last ? int'(tx_bytes) : RxBeat;
      for (int i = 0; i < RxBeat; i++)
        if (i < n) txf[(txf_pos + i) % TxfBytes] = tx_data[8*i +: 8];
      txf_pos += n;
      tx_free_at = cycle + n + (tx_last ? 8 + int'(tx_ipg) : 0);
      if (tx_last) begin
        txf_len[txf_n % 256] = txf_pos - txf_start[txf_n % 256];
        $display("%0d: tx frame %0d len=%0d", cycle, txf_n, txf_len[txf_n % 256]);
        txf_n++;
        txf_start[txf_n % 256] = txf_pos;
      end
    end
    tx_ready <= rdy;
  endtask

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

  // An 802.3x PAUSE frame, 64 bytes: DA 01-80-C2-00-00-01, type 0x8808, opcode 1, `quanta`
  task automatic send_pause(input logic [15:0] quanta);
    logic [7:0] f [64];
    for (int i = 0; i < 64; i++) f[i] = 8'h00;
    {f[0], f[1], f[2], f[3], f[4], f[5]} = 48'h0180_C200_0001;
    {f[6], f[7], f[8], f[9], f[10], f[11]} = 48'h0200_0000_0002;
    {f[12], f[13], f[14], f[15], f[16], f[17]} = {16'h8808, 16'h0001, quanta};
    for (int b = 0; b < 4; b++) begin
      @(negedge clk);
      rx_valid <= 1'b1;
      for (int i = 0; i < RxBeat; i++) rx_data[8*i +: 8] <= f[RxBeat * b + i];
      rx_bytes <= 5'(RxBeat);
      rx_last  <= b == 3;
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

  // ---- Transmit descriptors and the frames they must give -------------------------------------
  localparam int TxRing0 = 32'h4000, TxRing1 = 32'h5000, TxBuf = 32'h40000, TxCount = 16;
  localparam logic [16:0] TDBAL0 = 17'h03800, TDBAH0 = 17'h03804, TDLEN0 = 17'h03808;
  localparam logic [16:0] TDH0 = 17'h03810, TDT0 = 17'h03818, TXDCTL0 = 17'h03828;
  localparam logic [16:0] TDBAL1 = 17'h03900, TDLEN1 = 17'h03908, TDH1 = 17'h03910;
  localparam logic [16:0] TDT1 = 17'h03918, TXDCTL1 = 17'h03928;
  localparam logic [16:0] PQGPTC1 = 17'h10114;

  // A buffer's bytes: a pattern of its own seed
  task automatic fill_buf(input int addr, input int len, input int seed);
    for (int i = 0; i < len; i++) mem[addr + i] = 8'((seed * 13 + i * 3 + 1) & 32'hFF);
  endtask
  task automatic put_tx_desc(input int ring, input int i, input int addr,
                             input logic [31:0] cmd_type_len, input logic [31:0] olinfo);
    logic [63:0] a;
    a = {32'h0, 32'(addr)};
    for (int b = 0; b < 8; b++) mem[ring + 16 * i + b] = a[8*b +: 8];
    for (int b = 0; b < 4; b++) mem[ring + 16 * i + 8 + b] = cmd_type_len[8*b +: 8];
    for (int b = 0; b < 4; b++) mem[ring + 16 * i + 12 + b] = olinfo[8*b +: 8];
  endtask
  // A data descriptor's cmd_type_len: DTYP data, DEXT, EOP/RS/IFCS as asked, DTALEN
  function automatic logic [31:0] data_cmd(input int len, input bit eop, input bit rs,
                                           input bit ifcs);
    return AdvtxdDtypData | (32'h1 << AdvtxdDcmdDext) | (32'(eop) << AdvtxdDcmdEop) |
           (32'(rs) << AdvtxdDcmdRs) | (32'(ifcs) << AdvtxdDcmdIfcs) | 32'(len);
  endfunction
  // One packet in one descriptor, EOP|RS|IFCS, its buffer filled with seed
  task automatic tx_single(input int ring, input int i, input int addr, input int len,
                           input int seed);
    fill_buf(addr, len, seed);
    put_tx_desc(ring, i, addr, data_cmd(len, 1, 1, 1), 32'(len) << AdvtxdPaylenShift);
  endtask
  function automatic bit tx_dd(input int ring, input int i);
    return mem[ring + 16 * i + 12][0];
  endfunction
  task automatic expect_dd(input int ring, input int i, input bit want, input string what);
    if (tx_dd(ring, i) !== want) begin
      $display("FAIL %s: descriptor %0d DD is %0d, expected %0d", what, i, tx_dd(ring, i), want);
      failures++;
    end
  endtask

  // The expected frame: bytes appended from memory, then padded and given its FCS
  logic [7:0] expf [16384];
  int unsigned exp_len = 0;
  task automatic exp_clear;
    exp_len = 0;
  endtask
  task automatic exp_append(input int addr, input int len);
    for (int i = 0; i < len; i++) expf[exp_len + i] = mem[addr + i];
    exp_len += len;
  endtask
  // Ethernet CRC-32 of expf[0, n): reflected 0xEDB88320, initial and final complement
  function automatic logic [31:0] crc32_of(input int n);
    logic [31:0] c;
    c = 32'hFFFF_FFFF;
    for (int i = 0; i < n; i++) begin
      c = c ^ {24'h0, expf[i]};
      for (int k = 0; k < 8; k++) c = c[0] ? ((c >> 1) ^ 32'hEDB8_8320) : (c >> 1);
    end
    return ~c;
  endfunction
  // Frame k on the wire is the expected bytes, padded to 60 when pad, with the FCS when fcs
  task automatic expect_tx_frame(input int k, input bit pad, input bit fcs, input string what);
    int unsigned n, bad;
    logic [31:0] crc;
    n = exp_len;
    if (pad && n < 60) begin
      for (int i = n; i < 60; i++) expf[i] = 8'h00;
      n = 60;
    end
    if (fcs) begin
      crc = crc32_of(n);
      for (int b = 0; b < 4; b++) expf[n + b] = crc[8*b +: 8];
      n += 4;
    end
    bad = 0;
    for (int i = 0; i < n; i++)
      if (txf[(txf_start[k % 256] + i) % TxfBytes] !== expf[i]) bad++;
    if (txf_n <= k) begin
      $display("FAIL %s: frame %0d never went out (%0d frames)", what, k, txf_n);
      failures++;
    end else if (txf_len[k % 256] != n || bad != 0) begin
      $display("FAIL %s: frame %0d is %0d bytes (%0d differ), expected %0d", what, k,
               txf_len[k % 256], bad, n);
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

    $display("-- CRC-32 of the testbench is the standard one: \"123456789\" gives cbf43926");
    for (int i = 0; i < 9; i++) expf[i] = 8'h31 + 8'(i);
    if (crc32_of(9) !== 32'hCBF4_3926) begin
      $display("FAIL testbench CRC-32 %h", crc32_of(9));
      failures++;
    end

    $display("-- transmit bring-up: queue 0, 16 descriptors, TX cause on vector 1 with RX");
    mmio_write(TCTL, 32'h0103_F0FA);             // EN | PSP | CT 15 | COLD 63 | RTLC (igb)
    mmio_write(TXDCTL0, 32'h0);
    mmio_write(TDBAL0, TxRing0);
    mmio_write(TDBAH0, 32'h0);
    mmio_write(TDLEN0, TxCount * 16);
    mmio_write(TDH0, 32'h0);
    mmio_write(TDT0, 32'h0);
    mmio_write(TXDCTL0, 32'h0200_0108);          // enable, HTHRESH 1, PTHRESH 8, WTHRESH 0
    mmio_write(IVAR0, 32'h0000_8181);            // queue 0: RX and TX -> vector 1
    expect_reg(TDLEN0, TxCount * 16, "TDLEN reads back");
    expect_reg(17'h0E008, TxCount * 16, "TDLEN(0) in the 0xE000 block is the same register");
    expect_reg(TCTL, 32'h0103_F0FA, "TCTL reads back");
    // TIPG: the gap after a frame is IPGT + 4 byte times (12 at reset); IPGR1/IPGR are half
    // duplex only
    expect_reg(TIPG, TipgReset, "TIPG at reset");
    if (tx_ipg !== 11'd12) begin
      $display("FAIL tx_ipg %0d at reset, want 12", tx_ipg);
      failures++;
    end
    mmio_write(TIPG, 32'h0060_1014);             // IPGT 20
    wait_cycles(2);
    if (tx_ipg !== 11'd24) begin
      $display("FAIL tx_ipg %0d after IPGT 20, want 24", tx_ipg);
      failures++;
    end
    mmio_write(TIPG, TipgReset);

    $display("-- one descriptor, 100 bytes: FCS appended, DD, TDH, MSI-X on vector 1");
    begin
      int unsigned m;
      mmio_write(EICR, 32'hFFFF_FFFF);           // no cause left from the receive tests
      m = msix_count[1];
      mmio_write(EIMS, 32'h2);
      tx_single(TxRing0, 0, TxBuf, 100, 1);
      mmio_write(TDT0, 1);
      wait_cycles(600);
      exp_clear();
      exp_append(TxBuf, 100);
      expect_tx_frame(0, 1, 1, "single-descriptor frame");
      expect_dd(TxRing0, 0, 1, "the RS descriptor");
      expect_reg(TDH0, 1, "TDH past the packet");
      if (msix_count[1] != m + 1) begin
        $display("FAIL TX cause: %0d MSI-X on vector 1, expected 1", msix_count[1] - m);
        failures++;
      end
    end

    $display("-- context + three data descriptors (14, 50, 1000 bytes, unaligned), RS on EOP");
    put_tx_desc(TxRing0, 1, 0, 32'(14) << AdvtxdMaclenShift | 32'd20, 32'h0);
    begin
      logic [31:0] ctx_type;
      ctx_type = AdvtxdDtypCtxt | (32'h1 << AdvtxdDcmdDext) | AdvtxdTucmdIpv4 | AdvtxdTucmdL4tTcp;
      for (int b = 0; b < 4; b++) mem[TxRing0 + 16 + 8 + b] = ctx_type[8*b +: 8];
    end
    fill_buf(TxBuf + 32'h1000, 14, 2);
    fill_buf(TxBuf + 32'h2003, 50, 3);
    fill_buf(TxBuf + 32'h3007, 1000, 4);
    put_tx_desc(TxRing0, 2, TxBuf + 32'h1000, data_cmd(14, 0, 0, 1),
                32'(1064) << AdvtxdPaylenShift);
    put_tx_desc(TxRing0, 3, TxBuf + 32'h2003, data_cmd(50, 0, 0, 1), 32'h0);
    put_tx_desc(TxRing0, 4, TxBuf + 32'h3007, data_cmd(1000, 1, 1, 1), 32'h0);
    mmio_write(TDT0, 5);
    wait_cycles(1500);
    exp_clear();
    exp_append(TxBuf + 32'h1000, 14);
    exp_append(TxBuf + 32'h2003, 50);
    exp_append(TxBuf + 32'h3007, 1000);
    expect_tx_frame(1, 1, 1, "multi-descriptor frame");
    expect_dd(TxRing0, 1, 0, "context descriptor without RS");
    expect_dd(TxRing0, 2, 0, "head descriptor without RS");
    expect_dd(TxRing0, 3, 0, "fragment without RS");
    expect_dd(TxRing0, 4, 1, "EOP descriptor with RS");
    expect_reg(TDH0, 5, "TDH past the packet");

    $display("-- a 30-byte frame padded to 60 + FCS; a 70-byte one without IFCS goes as given");
    tx_single(TxRing0, 5, TxBuf + 32'h4000, 30, 5);
    fill_buf(TxBuf + 32'h5000, 70, 6);
    put_tx_desc(TxRing0, 6, TxBuf + 32'h5000, data_cmd(70, 1, 1, 0),
                32'(70) << AdvtxdPaylenShift);
    mmio_write(TDT0, 7);
    wait_cycles(800);
    exp_clear();
    exp_append(TxBuf + 32'h4000, 30);
    expect_tx_frame(2, 1, 1, "padded short frame");
    if (txf_len[2] != 64) begin
      $display("FAIL padded frame is %0d bytes on the wire, expected 64", txf_len[2]);
      failures++;
    end
    exp_clear();
    exp_append(TxBuf + 32'h5000, 70);
    expect_tx_frame(3, 1, 0, "frame without IFCS");

    $display("-- WTHRESH 4 with EITR 40 us running: DD in a burst of four, the rest at expiry");
    mmio_write(EITR0 + 4, 32'h8000_00A0);        // 40 us, CNT_IGNR
    mmio_write(EIMS, 32'h2);
    tx_single(TxRing0, 7, TxBuf + 32'h6700, 64, 7);
    mmio_write(TDT0, 8);                         // its message arms the 40 us interval
    wait_cycles(400);
    expect_dd(TxRing0, 7, 1, "WTHRESH 0: at once");
    mmio_write(TXDCTL0, 32'h0204_0108);          // WTHRESH 4
    mmio_write(EIMS, 32'h2);
    for (int i = 8; i < 11; i++) tx_single(TxRing0, i, TxBuf + 32'h6000 + 32'h100 * i, 80, i);
    mmio_write(TDT0, 11);
    wait_cycles(800);
    for (int i = 8; i < 11; i++) expect_dd(TxRing0, i, 0, "three done, WTHRESH 4 holds them");
    expect_reg(TDH0, 11, "TDH runs ahead of the write-backs");
    tx_single(TxRing0, 11, TxBuf + 32'h6000 + 32'h100 * 11, 80, 11);
    mmio_write(TDT0, 12);
    wait_cycles(500);
    for (int i = 8; i < 12; i++) expect_dd(TxRing0, i, 1, "the fourth writes all four back");
    tx_single(TxRing0, 12, TxBuf + 32'h6000 + 32'h100 * 12, 80, 12);
    mmio_write(TDT0, 13);
    wait_cycles(400);
    expect_dd(TxRing0, 12, 0, "one done, held while the interval runs");
    wait_cycles(5000);
    expect_dd(TxRing0, 12, 1, "written back when the EITR interval ends");
    for (int k = 4; k < 10; k++) begin
      exp_clear();
      exp_append(TxBuf + 32'h6000 + 32'h100 * (k + 3), k == 4 ? 64 : 80);
      expect_tx_frame(k, 1, 1, "WTHRESH frames");
    end

    $display("-- ring wrap: descriptors 13, 14, 15, 0, 1; a burst of four across the end");
    for (int i = 13; i < 18; i++)
      tx_single(TxRing0, i % 16, TxBuf + 32'h8000 + 32'h100 * i, 60 + i, i);
    mmio_write(TDT0, 2);
    wait_cycles(3000);
    expect_reg(TDH0, 2, "TDH wrapped");
    for (int i = 13; i < 17; i++) expect_dd(TxRing0, i % 16, 1, "burst across the ring end");
    wait_cycles(5000);
    expect_dd(TxRing0, 1, 1, "the fifth at the interval's end");
    for (int k = 10; k < 15; k++) begin
      exp_clear();
      exp_append(TxBuf + 32'h8000 + 32'h100 * (k + 3), 60 + k + 3);
      expect_tx_frame(k, 1, 1, "wrapped frames");
    end

    $display("-- two queues: queue 1 (TX cause on vector 2) interleaves with queue 0");
    mmio_write(TXDCTL0, 32'h0200_0108);          // WTHRESH 0 again
    mmio_write(TXDCTL1, 32'h0);
    mmio_write(TDBAL1, TxRing1);
    mmio_write(TDLEN1, TxCount * 16);
    mmio_write(TDH1, 32'h0);
    mmio_write(TDT1, 32'h0);
    mmio_write(TXDCTL1, 32'h0200_0108);
    mmio_write(IVAR0, 32'h8200_8181);            // queue 1 TX -> vector 2 (I350 layout)
    mmio_write(EIAC, 32'h6);
    mmio_write(EIAM, 32'h6);
    mmio_write(EIMS, 32'h6);
    begin
      int unsigned m2, q0n, q1n;
      m2 = msix_count[2];
      for (int i = 0; i < 3; i++) begin
        tx_single(TxRing0, 2 + i, TxBuf + 32'hA000 + 32'h100 * i, 100 + i, 40 + i);
        tx_single(TxRing1, i, TxBuf + 32'hB000 + 32'h100 * i, 200 + i, 50 + i);
      end
      mmio_write(TDT1, 3);
      mmio_write(TDT0, 5);
      wait_cycles(3000);
      // Round robin: the six frames alternate between the queues (told apart by length)
      q0n = 0;
      q1n = 0;
      for (int k = 15; k < 21; k++) begin
        exp_clear();
        if (txf_len[k] < 150) begin
          exp_append(TxBuf + 32'hA000 + 32'h100 * q0n, 100 + q0n);
          q0n++;
        end else begin
          exp_append(TxBuf + 32'hB000 + 32'h100 * q1n, 200 + q1n);
          q1n++;
        end
        expect_tx_frame(k, 1, 1, "two-queue frames");
        if (k > 15 && (txf_len[k] < 150) == (txf_len[k - 1] < 150)) begin
          $display("FAIL frames %0d and %0d come from one queue: no round robin", k - 1, k);
          failures++;
        end
      end
      expect_reg(TDH1, 3, "queue 1 TDH");
      expect_reg(TDH0, 5, "queue 0 TDH");
      if (msix_count[2] == m2) begin
        $display("FAIL no MSI-X on vector 2 for queue 1's write-backs");
        failures++;
      end
      expect_reg(PQGPTC1, 3, "PQGPTC(1) counts queue 1's frames");
    end

    $display("-- transmit statistics: every frame above, bytes with FCS, read-to-clear");
    begin
      int unsigned bytes;
      bytes = 0;
      for (int k = 0; k < txf_n; k++) bytes += txf_len[k % 256];
      expect_reg(GPTC, txf_n, "GPTC counts the frames on the wire");
      expect_reg(GOTCL, bytes, "GOTC counts their bytes");
      expect_reg(GOTCH, 0, "GOTC high half");
      expect_reg(TPT, txf_n, "TPT counts them too");
      expect_reg(TOTL, bytes, "TOT counts their bytes");
      expect_reg(TOTH, 0, "TOT high half");
      expect_reg(GPTC, 0, "GPTC is read-to-clear");
    end

    $display("-- flow control: a PAUSE frame received with CTRL.RFCE holds transmission back");
    begin
      int unsigned n0;
      mmio_write(FCAL, 32'h00C2_8001);
      mmio_write(FCAH, 32'h0000_0100);
      mmio_write(FCT, 32'h0000_8808);
      mmio_write(CTRL, 32'h1 << CtrlRfce);
      n0 = txf_n;
      send_pause(16'd64);                        // 64 quanta: 4096 cycles of 8 ns
      expect_reg(STATUS, 32'h1 << StatusTxoff, "STATUS.TXOFF while paused");
      tx_single(TxRing0, 5, TxBuf + 32'hC000, 90, 60);
      mmio_write(TDT0, 6);
      wait_cycles(3000);
      if (txf_n != n0) begin
        $display("FAIL a frame went out while transmission was paused");
        failures++;
      end
      wait_cycles(3000);
      exp_clear();
      exp_append(TxBuf + 32'hC000, 90);
      expect_tx_frame(n0, 1, 1, "the frame held back by the pause");
      expect_reg(STATUS, 32'h0, "TXOFF clear once the pause ended");
      expect_reg(XOFFRXC, 1, "XOFFRXC counts the PAUSE frame");
      expect_reg(XONRXC, 0, "no XON received");
      expect_reg(XOFFTXC, 0, "TFCE clear: no PAUSE frame sent");
      mmio_write(CTRL, 32'h0);
    end

    $display("-- twelve packets at once: data reads overlap, eight out at most, frames in order");
    begin
      int unsigned n0;
      n0 = txf_n;
      txrd_max = 0;
      for (int k = 0; k < 12; k++)
        tx_single(TxRing0, (6 + k) % 16, TxBuf + 32'hD000 + 32'h100 * k, 60 + 3 * k, 70 + k);
      mmio_write(TDT0, 2);
      wait_cycles(3000);
      if (txrd_max != 8) begin
        $display("FAIL %0d transmit data reads out at most, expected the strap's 8", txrd_max);
        failures++;
      end
      for (int k = 0; k < 12; k++) begin
        exp_clear();
        exp_append(TxBuf + 32'hD000 + 32'h100 * k, 60 + 3 * k);
        expect_tx_frame(n0 + k, 1, 1, "overlapped frames");
        expect_dd(TxRing0, (6 + k) % 16, 1, "overlapped frames' descriptors");
      end
      expect_reg(TDH0, 2, "TDH past the twelve");
      // The strap at 2 (the queue idle): two reads out at most, the frames the same
      n0 = txf_n;
      txrd_max = 0;
      tx_reads_max = 5'd2;
      for (int k = 0; k < 6; k++)
        tx_single(TxRing0, 2 + k, TxBuf + 32'hD000 + 32'h100 * k, 60 + 3 * k, 80 + k);
      mmio_write(TDT0, 8);
      wait_cycles(2000);
      if (txrd_max != 2) begin
        $display("FAIL %0d transmit data reads out at most, expected the strap's 2", txrd_max);
        failures++;
      end
      for (int k = 0; k < 6; k++) begin
        exp_clear();
        exp_append(TxBuf + 32'hD000 + 32'h100 * k, 60 + 3 * k);
        expect_tx_frame(n0 + k, 1, 1, "frames with two reads out");
      end
      tx_reads_max = 5'd8;
    end

    $display("-- zero-length descriptors inside and at the end of a packet, then 9000 bytes");
    begin
      int unsigned n0;
      logic [31:0] ctx_type;
      n0 = txf_n;
      tx_single(TxRing0, 8, TxBuf + 32'h10000, 100, 90);
      put_tx_desc(TxRing0, 9, 0, 32'(14) << AdvtxdMaclenShift | 32'd20, 32'h0);
      ctx_type = AdvtxdDtypCtxt | (32'h1 << AdvtxdDcmdDext) | AdvtxdTucmdIpv4 | AdvtxdTucmdL4tTcp;
      for (int b = 0; b < 4; b++) mem[TxRing0 + 16 * 9 + 8 + b] = ctx_type[8*b +: 8];
      fill_buf(TxBuf + 32'h11001, 14, 91);
      fill_buf(TxBuf + 32'h12005, 50, 92);
      put_tx_desc(TxRing0, 10, TxBuf + 32'h11001, data_cmd(14, 0, 0, 1),
                  32'(64) << AdvtxdPaylenShift);
      put_tx_desc(TxRing0, 11, TxBuf + 32'h11100, data_cmd(0, 0, 0, 1), 32'h0);
      put_tx_desc(TxRing0, 12, TxBuf + 32'h12005, data_cmd(50, 0, 0, 1), 32'h0);
      put_tx_desc(TxRing0, 13, TxBuf + 32'h12100, data_cmd(0, 1, 1, 1), 32'h0);
      tx_single(TxRing0, 14, TxBuf + 32'h13000, 9000, 93);
      tx_single(TxRing0, 15, TxBuf + 32'h16000, 70, 94);
      mmio_write(TDT0, 0);
      wait_cycles(12000);
      exp_clear();
      exp_append(TxBuf + 32'h10000, 100);
      expect_tx_frame(n0, 1, 1, "the frame before");
      exp_clear();
      exp_append(TxBuf + 32'h11001, 14);
      exp_append(TxBuf + 32'h12005, 50);
      expect_tx_frame(n0 + 1, 1, 1, "the frame with zero-length descriptors");
      exp_clear();
      exp_append(TxBuf + 32'h13000, 9000);
      expect_tx_frame(n0 + 2, 1, 1, "9000 bytes in eighteen reads");
      exp_clear();
      exp_append(TxBuf + 32'h16000, 70);
      expect_tx_frame(n0 + 3, 1, 1, "the frame after");
      for (int i = 9; i < 13; i++) expect_dd(TxRing0, i, 0, "descriptors without RS");
      for (int i = 13; i < 16; i++) expect_dd(TxRing0, i, 1, "RS descriptors");
      expect_reg(TDH0, 0, "TDH past the zero-length descriptors");
    end

    $display("-- a queue disabled inside a packet: the packet is dropped, the next one is whole");
    begin
      int unsigned n0;
      n0 = txf_n;
      tx_single(TxRing0, 0, TxBuf + 32'h17000, 200, 95);
      fill_buf(TxBuf + 32'h18000, 300, 96);
      put_tx_desc(TxRing0, 1, TxBuf + 32'h18000, data_cmd(300, 0, 0, 1),
                  32'(600) << AdvtxdPaylenShift);
      mmio_write(TDT0, 2);
      wait_cycles(600);
      mmio_write(TXDCTL0, 32'h0);
      wait_cycles(50);
      mmio_write(TDH0, 32'h0);
      mmio_write(TDT0, 32'h0);
      mmio_write(TXDCTL0, 32'h0200_0108);
      tx_single(TxRing0, 0, TxBuf + 32'h19000, 120, 97);
      mmio_write(TDT0, 1);
      wait_cycles(800);
      exp_clear();
      exp_append(TxBuf + 32'h17000, 200);
      expect_tx_frame(n0, 1, 1, "the packet before the disable");
      exp_clear();
      exp_append(TxBuf + 32'h19000, 120);
      expect_tx_frame(n0 + 1, 1, 1, "the packet after the enable, nothing of the dropped one");
      if (txf_n != n0 + 2) begin
        $display("FAIL %0d frames after the disable, expected 2", txf_n - n0);
        failures++;
      end
      expect_dd(TxRing0, 1, 0, "the dropped packet's descriptor");
      expect_reg(TDH0, 1, "TDH after the enable");
    end

    $display("-- a queue disabled and enabled again at once while its reads are out");
    for (int w = 30; w <= 90; w += 30) begin
      int unsigned n0;
      mmio_write(TXDCTL0, 32'h0);
      wait_cycles(50);
      mmio_write(TDH0, 32'h0);
      mmio_write(TDT0, 32'h0);
      mmio_write(TXDCTL0, 32'h0200_0108);
      wait_cycles(200);
      n0 = txf_n;
      for (int k = 0; k < 6; k++)
        tx_single(TxRing0, k, TxBuf + 32'h1A000 + 32'h100 * k, 100 + k, 110 + k + w);
      mmio_write(TDT0, 6);
      wait_cycles(w);
      mmio_write(TXDCTL0, 32'h0);
      mmio_write(TXDCTL0, 32'h0200_0108);
      wait_cycles(4000);
      // What was in flight is dropped and not done; the ring goes on from TDH: each frame once
      if (txf_n - n0 != 6) begin
        $display("FAIL disable blip after %0d cycles: %0d frames, expected 6", w, txf_n - n0);
        failures++;
      end
      for (int k = 0; k < 6; k++) begin
        exp_clear();
        exp_append(TxBuf + 32'h1A000 + 32'h100 * k, 100 + k);
        expect_tx_frame(n0 + k, 1, 1, "frames around a disable blip");
      end
      expect_reg(TDH0, 6, "TDH after the blip");
    end

    $display("-- a ring reset at once while reads are out: nothing of the old ring is done after");
    for (int w = 24; w <= 40; w += 8) begin
      int unsigned n0;
      mmio_write(TXDCTL0, 32'h0);
      wait_cycles(50);
      mmio_write(TDH0, 32'h0);
      mmio_write(TDT0, 32'h0);
      mmio_write(TXDCTL0, 32'h0200_0108);
      wait_cycles(200);
      for (int k = 0; k < 6; k++)
        tx_single(TxRing0, k, TxBuf + 32'h1A000 + 32'h100 * k, 100 + k, 130 + k + w);
      mmio_write(TDT0, 6);
      wait_cycles(w);
      mmio_write(TXDCTL0, 32'h0);
      mmio_write(TDH0, 32'h0);
      mmio_write(TDT0, 32'h0);
      mmio_write(TXDCTL0, 32'h0200_0108);
      wait_cycles(2000);
      expect_reg(TDH0, 0, "TDH stays at the reset ring's start");
      n0 = txf_n;
      for (int k = 0; k < 2; k++)
        tx_single(TxRing0, k, TxBuf + 32'h1B000 + 32'h100 * k, 200 + k, 140 + k + w);
      mmio_write(TDT0, 2);
      wait_cycles(2000);
      expect_reg(TDH0, 2, "TDH past the new ring's two");
      if (txf_n - n0 != 2) begin
        $display("FAIL ring reset after %0d cycles: %0d frames after it, expected 2", w,
                 txf_n - n0);
        failures++;
      end
      for (int k = 0; k < 2; k++) begin
        exp_clear();
        exp_append(TxBuf + 32'h1B000 + 32'h100 * k, 200 + k);
        expect_tx_frame(n0 + k, 1, 1, "the new ring's frames");
      end
    end

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
