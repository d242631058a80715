// igb_dma_arb: shares the one memory-master request channel between descriptor reads and the
// receive DMA's writes. Reads carry their own tag (the descriptor cache's read slot);
// writes carry their transaction class. A write request owns the write-data channel until its last beat, so
// requests are granted in order and write data follows its request. Receive writes win ties:
// draining the packet buffer comes first. Read completions go back to the descriptor cache.
`default_nettype none

module igb_dma_arb (
  input  wire logic        rd_valid_i,
  output      logic        rd_ready_o,
  input  wire logic [63:0] rd_addr_i,
  input  wire logic [15:0] rd_len_i,
  input  wire logic [3:0]  rd_tag_i,

  input  wire logic        wr_valid_i,
  output      logic        wr_ready_o,
  input  wire logic [63:0] wr_addr_i,
  input  wire logic [15:0] wr_len_i,
  input  wire logic [3:0]  wr_tag_i,

  output      logic        req_valid_o,
  input  wire logic        req_ready_i,
  output      logic        req_write_o,
  output      logic [63:0] req_addr_o,
  output      logic [15:0] req_len_o,
  output      logic [3:0]  req_tag_o
);
  logic grant_wr;
  assign grant_wr    = wr_valid_i;
  assign req_valid_o = rd_valid_i | wr_valid_i;
  assign req_write_o = grant_wr;
  assign req_addr_o  = grant_wr ? wr_addr_i : rd_addr_i;
  assign req_len_o   = grant_wr ? wr_len_i : rd_len_i;
  assign req_tag_o   = grant_wr ? wr_tag_i : rd_tag_i;
  assign wr_ready_o  = grant_wr & req_ready_i;
  assign rd_ready_o  = ~grant_wr & req_ready_i;
endmodule
