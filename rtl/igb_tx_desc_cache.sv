// SPDX-License-Identifier: Apache-2.0
// igb_tx_desc_cache: fetches transmit descriptors from the host ring into an on-chip cache, one
// per transmit queue (the part keeps a descriptor cache per queue; reference C.1).
//
// Fetch policy (reference C.1 step 2, TXDCTL): prefetch when fewer than PTHRESH descriptors are
// cached (counting those on the way) and at least HTHRESH are available in host memory
// [fetch pointer, TDT); a queue whose cache is empty fetches whatever is available, whatever the
// thresholds (the datasheet's "no complete packet cached, nothing in flight": with the engine
// taking descriptors one by one, an empty cache is that state). Never past TDT; one request
// never crosses the ring end. Depth 16 (choice: the I210 caches 24 transmit descriptors a
// queue, the 82576/I350 figure is UNVERIFIED in the reference; 16 keeps the slot arithmetic a
// power of two and holds igb's PTHRESH 8 twice over).
// Up to MaxReads reads are outstanding, each with its own tag; each reserves its cache slots
// in ring order when issued, so completions fill the cache in order. The transmit engine takes
// descriptors from the head in ring order. Disabling the queue (TXDCTL.ENABLE or TCTL.EN clear)
// flushes the cache and restarts fetching from TDH; completions of reads issued before are
// discarded.
`default_nettype none

module igb_tx_desc_cache
  import igb_pkg::*;
#(
  parameter int Depth    = 16,
  parameter int MaxReads = 4,
  parameter int MaxBurst = 16
) (
  input  wire logic        clk_i,
  input  wire logic        rst_ni,
  input  wire logic        enable_i,
  input  wire logic [63:0] tdba_i,
  input  wire logic [15:0] ring_count_i,   // TDLEN / 16
  input  wire logic [15:0] tdt_i,
  input  wire logic [15:0] tdh_i,
  input  wire logic [4:0]  pthresh_i,
  input  wire logic [4:0]  hthresh_i,

  // Descriptor reads (16 bytes per descriptor) and their completions, a descriptor a beat
  output      logic        req_valid_o,
  input  wire logic        req_ready_i,
  output      logic [63:0] req_addr_o,
  output      logic [15:0] req_len_o,
  output      logic [3:0]  req_tag_o,
  input  wire logic        rsp_valid_i,
  /*verilator tracing_off*/  // the NIC's dma_rresp_data_i a cycle later (its boundary register)
  input  wire logic [DmaW-1:0] rsp_data_i,  // one descriptor, as in host memory
  /*verilator tracing_on*/
  input  wire logic [3:0]  rsp_tag_i,
  input  wire logic        rsp_last_i,

  // Head of the cache
  output      logic        desc_valid_o,
  output      logic [127:0] desc_o,
  output      logic [15:0] desc_idx_o,
  input  wire logic        desc_pop_i,

  output      logic        busy_o          // about to issue a read (reads in flight wait for input)
);

  localparam int Dw = $clog2(Depth);
  localparam int Tw = $clog2(MaxReads);

  logic [127:0] desc_q [Depth];
  logic [15:0] idx_q  [Depth];
  logic [Depth-1:0] filled_q, filled_d;
  logic [Dw:0] alloc_q, alloc_d, rd_q, rd_d;       // slots [rd, alloc) are reserved or filled
  logic [15:0] fetch_ptr_q, fetch_ptr_d;

  // Per read tag: in flight, discard on arrival, first slot, first ring index, beats seen
  logic [MaxReads-1:0] tbusy_q, tbusy_d, tdiscard_q, tdiscard_d;
  logic [Dw:0]  tslot_q [MaxReads];
  logic [15:0]  tidx_q  [MaxReads];
  logic [15:0]  tbeat_q [MaxReads];

  logic [Dw:0]  used;
  logic [16:0]  room, avail, to_end, burst, hthresh_eff, burst_room, burst_end;
  logic         tag_free, prefetch, demand, want;
  logic [Tw-1:0] free_tag;
  assign used        = alloc_q - rd_q;
  assign room        = 17'(Depth) - 17'(used);
  assign avail       = (tdt_i >= ring_count_i) ? 17'h0 :
                       (tdt_i >= fetch_ptr_q)  ? 17'(tdt_i - fetch_ptr_q) :
                                                 17'(tdt_i) + 17'(ring_count_i) - 17'(fetch_ptr_q);
  assign to_end      = 17'(ring_count_i) - 17'(fetch_ptr_q);
  assign hthresh_eff = (hthresh_i == 5'd0) ? 17'd1 : 17'(hthresh_i);

  always_comb begin
    tag_free = 1'b0;
    free_tag = '0;
    for (int t = MaxReads - 1; t >= 0; t--) begin
      if (!tbusy_q[t]) begin
        tag_free = 1'b1;
        free_tag = Tw'(t);
      end
    end
  end
  // The burst: what is available, as far as the cache has room, the ring end and MaxBurst
  // allow. (Continuous assignments: a combinational block that reads back what it wrote
  // retriggers itself forever under Icarus Verilog.)
  assign burst_room = (room < avail) ? room : avail;
  assign burst_end  = (to_end < burst_room) ? to_end : burst_room;
  assign burst      = (17'(MaxBurst) < burst_end) ? 17'(MaxBurst) : burst_end;

  assign prefetch = (17'(used) < 17'(pthresh_i)) && (avail >= hthresh_eff);
  assign demand   = (used == 0);
  assign want     = enable_i && tag_free && (burst != 0) && (prefetch || demand);

  assign req_valid_o = want;
  assign req_addr_o  = tdba_i + {44'h0, fetch_ptr_q, 4'h0};
  assign req_len_o   = {burst[11:0], 4'h0};
  assign req_tag_o   = 4'(free_tag);

  // The slot a completion beat fills: one descriptor per beat.
  logic [Tw-1:0] rtag;
  logic [Dw-1:0] rslot;
  logic [15:0]   ridx, ridx_raw;
  logic          store;
  always_comb begin
    rtag       = rsp_tag_i[Tw-1:0];
    rslot      = tslot_q[rtag][Dw-1:0] + tbeat_q[rtag][Dw-1:0];
    ridx_raw   = tidx_q[rtag] + tbeat_q[rtag];
    store      = rsp_valid_i && !tdiscard_q[rtag] && enable_i;
  end
  assign ridx = (ridx_raw >= ring_count_i) ? ridx_raw - ring_count_i : ridx_raw;

  // Something changes this cycle: a read is issued, a completion arrives, the engine takes a
  // descriptor, or the queue is disabled with something to drop (the cache follows TDH).
  // Otherwise every next state equals its register: the registers keep their value (a clock
  // enable) and the simulator skips this logic - a disabled or idle queue costs nothing.
  logic act;
  assign act = want || rsp_valid_i || desc_pop_i ||
               (!enable_i && (fetch_ptr_q != tdh_i || rd_q != alloc_q ||
                              (tbusy_q & ~tdiscard_q) != '0));

  always_comb begin
    alloc_d     = alloc_q;
    rd_d        = rd_q;
    fetch_ptr_d = fetch_ptr_q;
    filled_d    = filled_q;
    tbusy_d     = tbusy_q;
    tdiscard_d  = tdiscard_q;
    if (act) begin
      if (want && req_ready_i) begin
        tbusy_d[free_tag]    = 1'b1;
        tdiscard_d[free_tag] = 1'b0;
        alloc_d     = alloc_q + burst[Dw:0];
        fetch_ptr_d = (fetch_ptr_q + burst[15:0] == ring_count_i) ? 16'h0 :
                                                                    fetch_ptr_q + burst[15:0];
      end
      if (store) filled_d[rslot] = 1'b1;
      if (rsp_valid_i && rsp_last_i) tbusy_d[rtag] = 1'b0;
      if (desc_pop_i && desc_valid_o) begin
        filled_d[rd_q[Dw-1:0]] = 1'b0;
        rd_d = rd_q + 1'b1;
      end
      if (!enable_i) begin
        fetch_ptr_d = tdh_i;
        rd_d        = alloc_d;
        filled_d    = '0;
        tdiscard_d  = tbusy_d;  // reads still out are thrown away when they return
      end
    end  // act
  end

  always_ff @(posedge clk_i) begin
    if (store) begin
      desc_q[rslot] <= rsp_data_i;
      idx_q[rslot]  <= ridx;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      filled_q    <= '0;
      alloc_q     <= '0;
      rd_q        <= '0;
      fetch_ptr_q <= '0;
      tbusy_q     <= '0;
      tdiscard_q  <= '0;
      for (int t = 0; t < MaxReads; t++) begin
        tslot_q[t] <= '0;
        tidx_q[t]  <= '0;
        tbeat_q[t] <= '0;
      end
    end else if (act) begin
      filled_q    <= filled_d;
      alloc_q     <= alloc_d;
      rd_q        <= rd_d;
      fetch_ptr_q <= fetch_ptr_d;
      tbusy_q     <= tbusy_d;
      tdiscard_q  <= tdiscard_d;
      if (want && req_ready_i) begin
        tslot_q[free_tag] <= alloc_q;
        tidx_q[free_tag]  <= fetch_ptr_q;
        tbeat_q[free_tag] <= '0;
      end
      if (rsp_valid_i) tbeat_q[rtag] <= tbeat_q[rtag] + 16'd1;
    end
  end

  assign desc_valid_o    = (rd_q != alloc_q) && filled_q[rd_q[Dw-1:0]];
  assign desc_o          = desc_q[rd_q[Dw-1:0]];
  assign desc_idx_o      = idx_q[rd_q[Dw-1:0]];
  assign busy_o          = want;

`ifndef SYNTHESIS
`ifndef IGB_NO_ASSERTIONS  // Icarus Verilog 11 parses none (testbench/rtl_tb/run.sh)
  always_ff @(posedge clk_i) begin
    if (rst_ni && rsp_valid_i) begin
      a_rsp_has_read: assert ((32'(rsp_tag_i) < MaxReads) && tbusy_q[rtag])
        else $error("tx_desc_cache: completion with tag %0d that no read is waiting for",
                    rsp_tag_i);
    end
  end
`endif
`endif

endmodule
