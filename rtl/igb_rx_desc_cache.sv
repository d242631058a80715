// igb_rx_desc_cache: fetches receive descriptors from the host ring into an on-chip cache.
//
// While the queue is enabled it reads descriptors from [fetch pointer, RDT) in bursts of up to
// MaxBurst, one read outstanding, never across the ring end, as long as the cache has room.
// The DMA engine takes descriptors from the head of the cache in ring order.
// (PTHRESH/HTHRESH-driven prefetch is a later refinement; here the cache refills whenever it
// has room, which is what PTHRESH = cache depth would do.)
`default_nettype none

module igb_rx_desc_cache #(
  parameter int unsigned Depth    = 16,
  parameter int unsigned MaxBurst = 8
) (
  input  wire logic        clk_i,
  input  wire logic        rst_ni,
  input  wire logic        enable_i,
  input  wire logic [63:0] rdba_i,
  input  wire logic [15:0] ring_count_i,   // RDLEN / 16
  input  wire logic [15:0] rdt_i,
  input  wire logic [15:0] rdh_i,

  // Descriptor read requests (16 bytes per descriptor) and their completions
  output      logic        req_valid_o,
  input  wire logic        req_ready_i,
  output      logic [63:0] req_addr_o,
  output      logic [15:0] req_len_o,
  input  wire logic        rsp_valid_i,
  input  wire logic [63:0] rsp_data_i,
  input  wire logic        rsp_last_i,

  // Head of the cache
  output      logic        desc_valid_o,
  output      logic [63:0] desc_pkt_addr_o,
  output      logic [15:0] desc_idx_o,
  input  wire logic        desc_pop_i,

  output      logic        ring_empty_o,   // nothing cached, nothing in flight, RDT reached
  output      logic        busy_o
);

  localparam int unsigned Dw = $clog2(Depth);

  logic [63:0] addr_q [Depth];
  logic [15:0] idx_q  [Depth];
  logic [Dw:0] wr_q, wr_d, rd_q, rd_d;
  logic [15:0] fetch_ptr_q, fetch_ptr_d, rsp_idx_q, rsp_idx_d;
  logic        inflight_q, inflight_d, discard_q, discard_d, beat_odd_q, beat_odd_d;
  logic [Dw:0] reserved_q, reserved_d;   // slots promised to the read in flight
  logic        store;

  logic [Dw:0]  used;
  logic [16:0]  room, avail, to_end, burst;
  assign used   = wr_q - rd_q;
  assign room   = 17'(Depth) - 17'(used) - 17'(reserved_q);
  assign avail  = (rdt_i >= ring_count_i) ? 17'h0 :
                  (rdt_i >= fetch_ptr_q)  ? 17'(rdt_i - fetch_ptr_q) :
                                            17'(rdt_i) + 17'(ring_count_i) - 17'(fetch_ptr_q);
  assign to_end = 17'(ring_count_i) - 17'(fetch_ptr_q);

  always_comb begin
    burst = avail;
    if (room < burst)            burst = room;
    if (to_end < burst)          burst = to_end;
    if (17'(MaxBurst) < burst)   burst = 17'(MaxBurst);
  end

  assign req_valid_o = enable_i && !inflight_q && (burst != 0);
  assign req_addr_o  = rdba_i + {44'h0, fetch_ptr_q, 4'h0};
  assign req_len_o   = {burst[11:0], 4'h0};

  always_comb begin
    fetch_ptr_d = fetch_ptr_q;
    rsp_idx_d   = rsp_idx_q;
    inflight_d  = inflight_q;
    discard_d   = discard_q;
    beat_odd_d  = beat_odd_q;
    reserved_d  = reserved_q;
    wr_d        = wr_q;
    rd_d        = rd_q + (Dw+1)'(desc_pop_i && desc_valid_o);
    store       = 1'b0;

    if (req_valid_o && req_ready_i) begin
      inflight_d  = 1'b1;
      reserved_d  = burst[Dw:0];
      rsp_idx_d   = fetch_ptr_q;
      fetch_ptr_d = (fetch_ptr_q + burst[15:0] == ring_count_i) ? 16'h0
                                                                : fetch_ptr_q + burst[15:0];
      beat_odd_d  = 1'b0;
    end
    if (rsp_valid_i) begin
      beat_odd_d = ~beat_odd_q;
      if (!beat_odd_q && !discard_q) begin  // even beat: pkt_addr; odd beat: hdr_addr
        store      = 1'b1;
        wr_d       = wr_q + 1'b1;
        reserved_d = reserved_q - 1'b1;
        rsp_idx_d  = (rsp_idx_q + 16'h1 == ring_count_i) ? 16'h0 : rsp_idx_q + 16'h1;
      end
      if (rsp_last_i) begin
        inflight_d = 1'b0;
        discard_d  = 1'b0;
        reserved_d = '0;
      end
    end
    if (!enable_i) begin  // queue disabled: flush, restart from RDH when re-enabled
      fetch_ptr_d = rdh_i;
      rd_d        = wr_d;
      if (inflight_q && !(rsp_valid_i && rsp_last_i)) discard_d = 1'b1;
    end
  end

  always_ff @(posedge clk_i) begin
    if (store) begin
      addr_q[wr_q[Dw-1:0]] <= rsp_data_i;
      idx_q[wr_q[Dw-1:0]]  <= rsp_idx_q;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      wr_q        <= '0;
      rd_q        <= '0;
      fetch_ptr_q <= '0;
      rsp_idx_q   <= '0;
      inflight_q  <= 1'b0;
      discard_q   <= 1'b0;
      beat_odd_q  <= 1'b0;
      reserved_q  <= '0;
    end else begin
      wr_q        <= wr_d;
      rd_q        <= rd_d;
      fetch_ptr_q <= fetch_ptr_d;
      rsp_idx_q   <= rsp_idx_d;
      inflight_q  <= inflight_d;
      discard_q   <= discard_d;
      beat_odd_q  <= beat_odd_d;
      reserved_q  <= reserved_d;
    end
  end

  assign desc_valid_o    = (wr_q != rd_q);
  assign desc_pkt_addr_o = addr_q[rd_q[Dw-1:0]];
  assign desc_idx_o      = idx_q[rd_q[Dw-1:0]];
  assign ring_empty_o    = !desc_valid_o && !inflight_q && (avail == 0);
  assign busy_o          = inflight_q || req_valid_o;

endmodule
