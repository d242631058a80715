// igb_skid: a two-entry skid buffer on a valid/ready channel. Both sides see only registers:
// in_ready_o is "the skid slot is free", out_valid_o/out_data_o come from the output register.
// So no combinational path crosses it, and a block behind it never depends on the far side's
// ready in the same cycle. Throughput is one transfer per cycle; latency one cycle.
`default_nettype none

module igb_skid #(
  parameter int W = 8
) (
  input  wire logic         clk_i,
  input  wire logic         rst_ni,
  input  wire logic         in_valid_i,
  output      logic         in_ready_o,
  /*verilator tracing_off*/  // the sender's own signals, concatenated
  input  wire logic [W-1:0] in_data_i,
  /*verilator tracing_on*/
  output      logic         out_valid_o,
  input  wire logic         out_ready_i,
  /*verilator tracing_off*/  // the receiver's signals, concatenated (igb_dma_arb: the port's)
  output      logic [W-1:0] out_data_o
  /*verilator tracing_on*/
);
  logic         valid_q, valid_d, skid_valid_q, skid_valid_d;
  /*verilator tracing_off*/  // the output register is out_data_o
  logic [W-1:0] data_q;
  /*verilator tracing_on*/
  logic [W-1:0] skid_q;
  /*verilator tracing_off*/  // next-state data: the registers show it a cycle later
  logic [W-1:0] data_d, skid_d;
  /*verilator tracing_on*/
  logic         push, pop;

  assign in_ready_o  = !skid_valid_q;
  assign out_valid_o = valid_q;
  assign out_data_o  = data_q;
  assign push        = in_valid_i && !skid_valid_q;
  assign pop         = valid_q && out_ready_i;

  always_comb begin
    valid_d      = valid_q;
    data_d       = data_q;
    skid_valid_d = skid_valid_q;
    skid_d       = skid_q;
    if (pop) begin  // the output register empties; the skid entry (older) moves up first
      valid_d      = skid_valid_q;
      data_d       = skid_q;
      skid_valid_d = 1'b0;
    end
    if (push) begin
      if (!valid_d) begin
        valid_d = 1'b1;
        data_d  = in_data_i;
      end else begin
        skid_valid_d = 1'b1;
        skid_d       = in_data_i;
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      valid_q      <= 1'b0;
      data_q       <= '0;
      skid_valid_q <= 1'b0;
      skid_q       <= '0;
    end else begin
      valid_q      <= valid_d;
      data_q       <= data_d;
      skid_valid_q <= skid_valid_d;
      skid_q       <= skid_d;
    end
  end
endmodule
