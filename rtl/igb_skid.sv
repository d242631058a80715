// SPDX-License-Identifier: Apache-2.0
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
  logic         valid_q, skid_valid_q;
  /*verilator tracing_off*/  // the output register is out_data_o
  logic [W-1:0] data_q;
  /*verilator tracing_on*/
  logic [W-1:0] skid_q;
  logic         push, pop;

  assign in_ready_o  = !skid_valid_q;
  assign out_valid_o = valid_q;
  assign out_data_o  = data_q;
  assign push        = in_valid_i && !skid_valid_q;
  assign pop         = valid_q && out_ready_i;

  // The registers change in the clocked block only: the receiver's ready can be a pin
  // (igb_dma_arb's memory port), and logic that reads a pin outside a clocked block is
  // evaluated by the simulator at every input change, twice a cycle. A push needs a free skid
  // slot, so when it comes with a pop the skid entry is empty and the new data goes straight
  // to the output register.
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      valid_q      <= 1'b0;
      data_q       <= '0;
      skid_valid_q <= 1'b0;
      skid_q       <= '0;
    end else begin
      if (pop) begin  // the output register empties; the skid entry (older) moves up
        valid_q      <= skid_valid_q;
        data_q       <= skid_q;
        skid_valid_q <= 1'b0;
      end
      if (push) begin
        if (pop || !valid_q) begin
          valid_q <= 1'b1;
          data_q  <= in_data_i;
        end else begin
          skid_valid_q <= 1'b1;
          skid_q       <= in_data_i;
        end
      end
    end
  end
endmodule
