// SPDX-License-Identifier: Apache-2.0
// igb_dma_arb: shares the one memory-master port between the descriptor caches' reads and the
// receive DMA engines' writes, one of each per queue.
//
// A granted write owns the write-data channel until its last beat: no other write is granted
// before then, so write data always follows its own request. Writes win over reads when a write
// can be granted (draining the packet buffer comes first); reads go out while a write's data is
// still streaming. Among writers, and among readers, the grant rotates (round robin), so one
// busy queue cannot starve another's write-backs or descriptor fetches.
// The port tag is {queue, requester's 4-bit tag}; read completions are routed back by it.
// The transmit side has its own requesters: NumT readers (the transmit descriptor caches and
// the data reader) and one writer (descriptor write-backs), each with its full tag. Between a
// receive and a transmit requester of one kind the grant alternates when both wait; a receive
// requester alone is granted exactly as without the transmit side.
// Port side: the request and the write-data channel each leave through a skid buffer, so the
// engines never see the host's ready combinationally. A write's data is offered only after the
// host took its request, and the next write request only after the host took all the data of
// the previous one: on the port, write data always follows its own request.
`default_nettype none

module igb_dma_arb
  import igb_pkg::*;
#(
  parameter int NumQ = NumQueues,
  parameter int NumT = NumQueues + 1
) (
  input  wire logic                  clk_i,
  input  wire logic                  rst_ni,

  // Descriptor reads, one requester per queue. The wide bundles are off the waveform: they
  // are the queues' own ports side by side (see igb_nic).
  input  wire logic [NumQ-1:0]        rd_valid_i,
  output      logic [NumQ-1:0]        rd_ready_o,
  /*verilator tracing_off*/
  input  wire logic [NumQ-1:0][63:0]  rd_addr_i,
  /*verilator tracing_on*/
  input  wire logic [NumQ-1:0][15:0]  rd_len_i,
  input  wire logic [NumQ-1:0][3:0]   rd_tag_i,

  // Writes (requests and their data), one requester per queue
  input  wire logic [NumQ-1:0]        wr_valid_i,
  output      logic [NumQ-1:0]        wr_ready_o,
  /*verilator tracing_off*/
  input  wire logic [NumQ-1:0][63:0]  wr_addr_i,
  /*verilator tracing_on*/
  input  wire logic [NumQ-1:0][15:0]  wr_len_i,
  input  wire logic [NumQ-1:0][3:0]   wr_tag_i,
  input  wire logic [NumQ-1:0]        wdata_valid_i,
  output      logic [NumQ-1:0]        wdata_ready_o,
  /*verilator tracing_off*/
  input  wire logic [NumQ-1:0][DmaW-1:0] wdata_i,
  /*verilator tracing_on*/
  input  wire logic [NumQ-1:0]        wdata_last_i,

  // Transmit reads (full tags) and the transmit writer
  input  wire logic [NumT-1:0]        trd_valid_i,
  output      logic [NumT-1:0]        trd_ready_o,
  /*verilator tracing_off*/
  input  wire logic [NumT-1:0][63:0]  trd_addr_i,
  /*verilator tracing_on*/
  input  wire logic [NumT-1:0][15:0]  trd_len_i,
  input  wire logic [NumT-1:0][DmaTagW-1:0] trd_tag_i,
  input  wire logic                   twr_valid_i,
  output      logic                   twr_ready_o,
  input  wire logic [63:0]            twr_addr_i,
  input  wire logic [15:0]            twr_len_i,
  input  wire logic [DmaTagW-1:0]     twr_tag_i,
  input  wire logic                   twdata_valid_i,
  output      logic                   twdata_ready_o,
  input  wire logic [DmaW-1:0]        twdata_i,
  input  wire logic                   twdata_last_i,

  // Memory-master port
  output      logic                  req_valid_o,
  input  wire logic                  req_ready_i,
  output      logic                  req_write_o,
  output      logic [63:0]           req_addr_o,
  output      logic [15:0]           req_len_o,
  output      logic [DmaTagW-1:0]    req_tag_o,
  output      logic                  wdata_valid_o,
  input  wire logic                  wdata_ready_i,
  output      logic [DmaW-1:0]       wdata_o,
  output      logic                  wdata_last_o,
  output      logic                  busy_o          // something waits in the port buffers
);
  localparam int QW = $clog2(NumQ);

  logic          wlock_q, wlock_d;       // a write's data is still to come
  logic [QW-1:0] wown_q, wown_d;         // whose
  logic [QW-1:0] wr_rr_q, wr_rr_d, rd_rr_q, rd_rr_d;  // who goes first next time

  // Round robin: the first requester at or after the pointer.
  logic          wr_any, rd_any;
  logic [QW-1:0] wr_pick, rd_pick;
  always_comb begin
    wr_any  = 1'b0;
    rd_any  = 1'b0;
    wr_pick = '0;
    rd_pick = '0;
    for (int unsigned i = 0; i < NumQ; i++) begin
      if (!wr_any && wr_valid_i[QW'(32'(wr_rr_q) + i)]) begin
        wr_any  = 1'b1;
        wr_pick = QW'(32'(wr_rr_q) + i);
      end
      if (!rd_any && rd_valid_i[QW'(32'(rd_rr_q) + i)]) begin
        rd_any  = 1'b1;
        rd_pick = QW'(32'(rd_rr_q) + i);
      end
    end
  end

  // Transmit readers: round robin among them
  localparam int TW = $clog2(NumT);
  logic          trd_any;
  logic [TW-1:0] trd_pick, trd_rr_q, trd_rr_d;
  always_comb begin
    trd_any  = 1'b0;
    trd_pick = '0;
    if (trd_valid_i != '0) for (int unsigned i = 0; i < NumT; i++) begin
      if (!trd_any && trd_valid_i[TW'((32'(trd_rr_q) + i) % NumT)]) begin
        trd_any  = 1'b1;
        trd_pick = TW'((32'(trd_rr_q) + i) % NumT);
      end
    end
  end
  // Whose turn it is when a receive and a transmit requester both wait
  logic tx_rd_turn_q, tx_rd_turn_d, tx_wr_turn_q, tx_wr_turn_d;
  logic wown_tx_q, wown_tx_d;  // the write-data channel belongs to the transmit writer

  // The granted request, towards the request skid buffer
  localparam int ReqW = 1 + 64 + 16 + DmaTagW;
  logic grant_wr, grant_twr, grant_rd, grant_trd, req_valid, req_ready, req_write;
  /*verilator tracing_off*/  // the granted queue's address, which its own port shows
  logic [63:0] req_addr;
  /*verilator tracing_on*/
  logic [15:0] req_len;
  logic [DmaTagW-1:0] req_tag;
  assign grant_wr  = wr_any && !wlock_q && !(twr_valid_i && tx_wr_turn_q);
  assign grant_twr = twr_valid_i && !wlock_q && !grant_wr;
  assign grant_rd  = !grant_wr && !grant_twr && rd_any && !(trd_any && tx_rd_turn_q);
  assign grant_trd = !grant_wr && !grant_twr && trd_any && !grant_rd;
  assign req_valid = grant_wr || grant_twr || rd_any || trd_any;
  assign req_write = grant_wr || grant_twr;
  always_comb begin
    if (grant_wr) begin
      req_addr = wr_addr_i[wr_pick];
      req_len  = wr_len_i[wr_pick];
      req_tag  = {(DmaTagW - 4)'(wr_pick), wr_tag_i[wr_pick]};
    end else if (grant_twr) begin
      req_addr = twr_addr_i;
      req_len  = twr_len_i;
      req_tag  = twr_tag_i;
    end else if (grant_trd) begin
      req_addr = trd_addr_i[trd_pick];
      req_len  = trd_len_i[trd_pick];
      req_tag  = trd_tag_i[trd_pick];
    end else begin
      req_addr = rd_addr_i[rd_pick];
      req_len  = rd_len_i[rd_pick];
      req_tag  = {(DmaTagW - 4)'(rd_pick), rd_tag_i[rd_pick]};
    end
  end
  always_comb begin
    wr_ready_o  = '0;
    rd_ready_o  = '0;
    trd_ready_o = '0;
    twr_ready_o = grant_twr && req_ready;
    if (grant_wr) wr_ready_o[wr_pick] = req_ready;
    else if (grant_rd) rd_ready_o[rd_pick] = req_ready;
    else if (grant_trd) trd_ready_o[trd_pick] = req_ready;
  end

  // Write data: the owner's, and only while it owns the channel.
  logic        wd_valid, wd_ready, wd_last;
  /*verilator tracing_off*/  // the owner's wdata_o
  logic [DmaW-1:0] wd_data;
  /*verilator tracing_on*/
  assign wd_valid = wlock_q && (wown_tx_q ? twdata_valid_i : wdata_valid_i[wown_q]);
  assign wd_data  = wown_tx_q ? twdata_i : wdata_i[wown_q];
  assign wd_last  = wown_tx_q ? twdata_last_i : wdata_last_i[wown_q];
  always_comb begin
    wdata_ready_o = '0;
    if (wlock_q && !wown_tx_q) wdata_ready_o[wown_q] = wd_ready;
  end
  assign twdata_ready_o = wlock_q && wown_tx_q && wd_ready;

  // Port side: skid buffers, and write data only for the write request the host has taken.
  logic              rq_valid, rq_ready, wq_valid, wq_ready, owed_q;
  /*verilator tracing_off*/  // the port's dma_req_* and dma_wdata_o/_last_o, concatenated
  logic [ReqW-1:0]   rq_data;
  logic [DmaW:0]     wq_data;
  /*verilator tracing_on*/
  igb_skid #(.W(ReqW)) u_req_skid (
    .clk_i, .rst_ni, .in_valid_i(req_valid), .in_ready_o(req_ready),
    .in_data_i({req_write, req_addr, req_len, req_tag}),
    .out_valid_o(rq_valid), .out_ready_i(rq_ready), .out_data_o(rq_data)
  );
  igb_skid #(.W(DmaW + 1)) u_wdata_skid (
    .clk_i, .rst_ni, .in_valid_i(wd_valid), .in_ready_o(wd_ready), .in_data_i({wd_last, wd_data}),
    .out_valid_o(wq_valid), .out_ready_i(wq_ready), .out_data_o(wq_data)
  );
  logic rq_blocked;  // a write request waits until the previous write's data is through
  assign rq_blocked    = rq_data[ReqW-1] && owed_q;
  assign req_valid_o   = rq_valid && !rq_blocked;
  assign rq_ready      = req_ready_i && !rq_blocked;
  assign {req_write_o, req_addr_o, req_len_o, req_tag_o} = rq_data;
  assign wdata_valid_o = wq_valid && owed_q;
  assign wq_ready      = wdata_ready_i && owed_q;
  assign {wdata_last_o, wdata_o} = wq_data;
  always_comb begin
    wlock_d = wlock_q;
    wown_d  = wown_q;
    wr_rr_d = wr_rr_q;
    rd_rr_d = rd_rr_q;
    trd_rr_d     = trd_rr_q;
    wown_tx_d    = wown_tx_q;
    tx_rd_turn_d = tx_rd_turn_q;
    tx_wr_turn_d = tx_wr_turn_q;
    if (wd_valid && wd_ready && wd_last) wlock_d = 1'b0;
    if (grant_wr && req_ready) begin
      wlock_d = 1'b1;
      wown_d  = wr_pick;
      wr_rr_d = wr_pick + 1'b1;
      wown_tx_d    = 1'b0;
      tx_wr_turn_d = 1'b1;
    end else if (grant_twr && req_ready) begin
      wlock_d      = 1'b1;
      wown_tx_d    = 1'b1;
      tx_wr_turn_d = 1'b0;
    end else if (grant_rd && req_ready) begin
      rd_rr_d = rd_pick + 1'b1;
      tx_rd_turn_d = 1'b1;
    end else if (grant_trd && req_ready) begin
      trd_rr_d     = TW'((32'(trd_pick) + 1) % NumT);
      tx_rd_turn_d = 1'b0;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      wlock_q <= 1'b0;
      owed_q  <= 1'b0;
      wown_q  <= '0;
      wr_rr_q <= '0;
      rd_rr_q <= '0;
      trd_rr_q     <= '0;
      wown_tx_q    <= 1'b0;
      tx_rd_turn_q <= 1'b0;
      tx_wr_turn_q <= 1'b0;
    end else begin
      trd_rr_q     <= trd_rr_d;
      wown_tx_q    <= wown_tx_d;
      tx_rd_turn_q <= tx_rd_turn_d;
      tx_wr_turn_q <= tx_wr_turn_d;
      wlock_q <= wlock_d;
      // Write data is owed from the write request the port takes until its last beat; this
      // reads the port's ready pins, so only here (see igb_skid).
      if (wdata_valid_o && wdata_ready_i && wdata_last_o) owed_q <= 1'b0;
      else if (req_valid_o && req_ready_i && req_write_o) owed_q <= 1'b1;
      wown_q  <= wown_d;
      wr_rr_q <= wr_rr_d;
      rd_rr_q <= rd_rr_d;
    end
  end

  assign busy_o = rq_valid || wq_valid;

`ifndef SYNTHESIS
`ifndef IGB_NO_ASSERTIONS  // Icarus Verilog 11 parses none (testbench/rtl_tb/run.sh)
  // Only the owner of the write-data channel may present write data.
  always_ff @(posedge clk_i) begin
    if (rst_ni) begin
      a_wdata_owner: assert ((wdata_valid_i & ~((wlock_q && !wown_tx_q) ? (NumQ'(1) << wown_q)
                                                                        : '0)) == '0 &&
                             (!twdata_valid_i || (wlock_q && wown_tx_q)))
        else $error("dma_arb: write data from a queue that does not own the channel");
    end
  end
`endif
`endif
endmodule
