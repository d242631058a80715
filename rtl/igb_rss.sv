// SPDX-License-Identifier: Apache-2.0
// igb_rss: the receive-side-scaling hash of a parsed frame.
//
// Toeplitz hash (Microsoft RSS) over source address, destination address, then - for the
// 4-tuple types - source and destination port, all in network byte order, with the 40-byte
// key in RSSRK(0..9) (key byte i is RSSRK[i/4] bits 8*(i%4)+7 .. 8*(i%4)). The type follows
// MRQC's field enables as QEMU's igb_rss_get_hash_type does for IPv4: TCP (unfragmented) with
// TCPIPV4 -> type 1; UDP (unfragmented) with UDPIPV4 -> type 7; otherwise IPV4 -> type 2;
// else no hash (type 0). RSS runs when MRQC.MRQE (bits 2:0) selects RSS (igb_pkg::mrqc_rss_on).
// Combinational: the inputs are stable when the frame's last beat arrives, and the packet
// buffer stores the hash in that cycle only. The hash is computed only when calc_i says it is
// that cycle (hash_o is 0 otherwise): the 96-step Toeplitz loop is the simulator's largest
// single expression, and its result is wanted in one cycle per frame, not on every clock.
`default_nettype none

module igb_rss
  import igb_pkg::*;
(
  input  wire logic             calc_i,    // the frame's last beat: the hash is taken now
  input  wire logic [31:0]      mrqc_i,
  input  wire logic [319:0]     key_i,     // RSSRK(9..0), RSSRK(0) in bits 31:0
  input  wire logic             ipv4_i,
  input  wire logic             tcp_i,
  input  wire logic             udp_i,
  input  wire logic             fragment_i,
  input  wire logic [31:0]      saddr_i,
  input  wire logic [31:0]      daddr_i,
  input  wire logic [15:0]      sport_i,
  input  wire logic [15:0]      dport_i,
  output      logic [31:0]      hash_o,
  output      logic [3:0]       type_o
);
  localparam logic [31:0] FieldTcpIpv4 = 32'h0001_0000;
  localparam logic [31:0] FieldIpv4    = 32'h0002_0000;
  localparam logic [31:0] FieldUdpIpv4 = 32'h0040_0000;

  // The key as one big-endian bit string: key byte 0 first (built only when a hash is taken)
  /*verilator tracing_off*/  // RSSRK reordered; the register file's rssrk_q shows the key
  logic [319:0] kbits;
  /*verilator tracing_on*/

  logic        rss_on, four;
  /*verilator tracing_off*/  // the addresses and ports it hashes, concatenated
  logic [95:0] input_bits;
  /*verilator tracing_on*/
  always_comb begin
    rss_on = mrqc_rss_on(mrqc_i[2:0]);
    type_o = 4'd0;
    if (rss_on && ipv4_i) begin
      if (tcp_i && !fragment_i && (mrqc_i & FieldTcpIpv4) != 0)      type_o = 4'd1;
      else if (udp_i && !fragment_i && (mrqc_i & FieldUdpIpv4) != 0) type_o = 4'd7;
      else if ((mrqc_i & FieldIpv4) != 0)                            type_o = 4'd2;
    end
    four       = (type_o == 4'd1) || (type_o == 4'd7);
    input_bits = {saddr_i, daddr_i, four ? {sport_i, dport_i} : 32'h0};
    hash_o     = '0;
    kbits      = '0;
    // For every set input bit k (MSB first), XOR in the 32 key bits starting at bit k.
    if (calc_i && type_o != 4'd0) begin
      for (int unsigned i = 0; i < 40; i++) kbits[319 - 8*i -: 8] = key_i[8*i +: 8];
      for (int unsigned k = 0; k < 96; k++) begin
        if (input_bits[95 - k]) hash_o = hash_o ^ kbits[319 - k -: 32];
      end
    end
  end
endmodule
