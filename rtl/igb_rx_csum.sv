// SPDX-License-Identifier: Apache-2.0
// igb_rx_csum: receive checksum offload, computed on the wire stream as bytes arrive, so it
// adds no latency. For an untagged IPv4 frame (EtherType 0x0800, version 4, IHL >= 5) it checks
// the header checksum (status IPCS, error IPE); for an unfragmented TCP or UDP datagram that
// fits in the frame it checks the transport checksum over the pseudo-header (status L4CS, plus
// UDPCS for UDP; error L4E). A UDP datagram with checksum 0 carries none and is not checked.
// RXCSUM.IPOFL / TUOFL enable the two checks. The packet type (IPv4, TCP, UDP) goes into the
// write-back's pkt_info. Status bits per Linux e1000_defines.h / e1000_82575.h.
`default_nettype none

module igb_rx_csum
  import igb_pkg::*;
(
  input  wire logic        clk_i,
  input  wire logic        rst_ni,
  input  wire logic        ipofl_i,
  input  wire logic        tuofl_i,
  input  wire logic        rx_valid_i,
  /*verilator tracing_off*/  // the NIC's rx_data_i a cycle later (its boundary register)
  input  wire logic [RxW-1:0] rx_data_i,
  /*verilator tracing_on*/
  input  wire logic        rx_last_i,
  input  wire logic [4:0]  rx_bytes_i,
  // Valid with the frame's last beat
  output      logic [31:0] status_o,    // status and error bits for the write-back
  output      logic [11:0] ptype_o,     // packet type (pkt_info bits 15:4)
  // Parse results for RSS, also valid with the last beat
  output      logic        ipv4_o,
  output      logic        tcp_o,
  output      logic        udp_o,
  output      logic        fragment_o,
  output      logic [31:0] saddr_o,
  output      logic [31:0] daddr_o,
  output      logic [15:0] sport_o,
  output      logic [15:0] dport_o
);

  localparam logic [31:0] StatUdpcs = 32'h10, StatL4cs = 32'h20, StatIpcs = 32'h40;
  localparam logic [31:0] ErrL4e = 32'h2000_0000, ErrIpe = 32'h4000_0000;

  logic [15:0] pos_q, etype_q, totlen_q, frag_q, l4ck_q, sport_q, dport_q;
  logic [31:0] saddr_q, daddr_q;
  logic [7:0]  verihl_q, proto_q;
  // Ones'-complement sums, folded at the end: 32 bits hold a 9 KB jumbo frame's 4.5 K words
  // (16 + 13 bits) with room to spare.
  logic [31:0] ipsum_q, l4sum_q;

  // Beats carry RxB bytes each, a frame's last beat 1..RxB, so a frame's byte p is in lane
  // p % RxB of the beat that starts at p - p % RxB: a header field's lane is a constant.
  localparam int RxB = RxW / 8;
  localparam int LaneW = $clog2(RxB);
  function automatic logic has(input logic [15:0] pos, input logic [4:0] nbytes,
                               input logic [15:0] p);
    has = pos == p - p % 16'(RxB) && p % 16'(RxB) < 16'(nbytes);
  endfunction

  // Header fields captured so far, including this beat.
  logic [15:0] etype, totlen, frag, l4ck, sport, dport;
  logic [31:0] saddr, daddr;
  logic [7:0]  verihl, proto;
  always_comb begin
    etype  = etype_q;
    totlen = totlen_q;
    frag   = frag_q;
    verihl = verihl_q;
    proto  = proto_q;
    saddr  = saddr_q;
    daddr  = daddr_q;
    // Only on a beat that reaches into bytes 12..33.
    if (rx_valid_i && pos_q < 16'd34) begin
      if (has(pos_q, rx_bytes_i, 16'd12)) etype[15:8]  = rx_data_i[8 * (12 % RxB) +: 8];
      if (has(pos_q, rx_bytes_i, 16'd13)) etype[7:0]   = rx_data_i[8 * (13 % RxB) +: 8];
      if (has(pos_q, rx_bytes_i, 16'd14)) verihl       = rx_data_i[8 * (14 % RxB) +: 8];
      if (has(pos_q, rx_bytes_i, 16'd16)) totlen[15:8] = rx_data_i[8 * (16 % RxB) +: 8];
      if (has(pos_q, rx_bytes_i, 16'd17)) totlen[7:0]  = rx_data_i[8 * (17 % RxB) +: 8];
      if (has(pos_q, rx_bytes_i, 16'd20)) frag[15:8]   = rx_data_i[8 * (20 % RxB) +: 8];
      if (has(pos_q, rx_bytes_i, 16'd21)) frag[7:0]    = rx_data_i[8 * (21 % RxB) +: 8];
      if (has(pos_q, rx_bytes_i, 16'd23)) proto        = rx_data_i[8 * (23 % RxB) +: 8];
      for (int unsigned b = 0; b < 4; b++) begin
        if (has(pos_q, rx_bytes_i, 16'(26 + b))) begin
          saddr[31 - 8 * b -: 8] = rx_data_i[8 * ((26 + b) % RxB) +: 8];
        end
        if (has(pos_q, rx_bytes_i, 16'(30 + b))) begin
          daddr[31 - 8 * b -: 8] = rx_data_i[8 * ((30 + b) % RxB) +: 8];
        end
      end
    end
  end

  // Ones'-complement sums including this beat, over byte ranges computed once per beat:
  // IP header [14, ip_hi), pseudo-header addresses [26, 34), transport [ip_hi, ip_end), where
  // ip_hi = max(34, l4_start). The IP header spans at least bytes 14..33 and the transport
  // header starts at 34 or later, so a range's bounds come from fields of earlier beats, or
  // (bytes 14..33) need none. Beats start even, so byte lane i is the high byte of a 16-bit
  // word when i is even.
  logic [15:0] l4_start, ip_end, ip_hi;
  logic [31:0] ipsum_d, l4sum_d;  // the sums including this beat (next state)
  logic [RxB-1:0] ip_lanes, l4_lanes;
  assign l4_start = 16'd14 + {10'h0, verihl[3:0], 2'b00};
  assign ip_end   = 16'd14 + totlen;
  assign ip_hi    = (l4_start > 16'd34) ? l4_start : 16'd34;

  // The lanes of this beat that hold frame bytes [lo, hi).
  function automatic logic [RxB-1:0] lanes(input logic [15:0] pos, input logic [4:0] nbytes,
                                           input logic [15:0] lo, input logic [15:0] hi);
    logic [16:0] a, b;  // lane bounds, clamped to [0, nbytes]
    logic [RxB-1:0] below_a, below_b;  // lanes under each bound
    a = (lo <= pos) ? 17'h0 : (lo - pos >= 16'(nbytes)) ? 17'(nbytes) : 17'(lo - pos);
    b = (hi <= pos) ? 17'h0 : (hi - pos >= 16'(nbytes)) ? 17'(nbytes) : 17'(hi - pos);
    below_a = (a >= 17'(RxB)) ? '1 : ({{(RxB - 1){1'b0}}, 1'b1} << a) - 1'b1;
    below_b = (b >= 17'(RxB)) ? '1 : ({{(RxB - 1){1'b0}}, 1'b1} << b) - 1'b1;
    lanes = below_b & ~below_a;
  endfunction

  // The sum of the beat's 16-bit words, keeping only the bytes of `keep`
  function automatic logic [31:0] word_sum(input logic [RxW-1:0] data, input logic [RxB-1:0] keep);
    word_sum = '0;
    for (int j = 0; j < RxB / 2; j++) begin
      word_sum = word_sum + {16'h0, data[16 * j +: 8] & {8{keep[2 * j]}},
                             data[16 * j + 8 +: 8] & {8{keep[2 * j + 1]}}};
    end
  endfunction

  always_comb begin
    ipsum_d  = ipsum_q;
    l4sum_d  = l4sum_q;
    ip_lanes = '0;
    l4_lanes = '0;
    if (rx_valid_i) begin
      ip_lanes = lanes(pos_q, rx_bytes_i, 16'd14, ip_hi);
      l4_lanes = lanes(pos_q, rx_bytes_i, 16'd26, 16'd34) | lanes(pos_q, rx_bytes_i, ip_hi, ip_end);
      if (ip_lanes != '0) ipsum_d = ipsum_d + word_sum(rx_data_i, ip_lanes);
      if (l4_lanes != '0) l4sum_d = l4sum_d + word_sum(rx_data_i, l4_lanes);
    end
  end

  // The transport header's ports (bytes l4_start + 0..3, at 34 or later) and the UDP
  // checksum (l4_start + 6..7), from the beat that holds them.
  logic [15:0] f_pos, f_off;  // a field byte's position in the frame, and its lane
  always_comb begin
    l4ck  = l4ck_q;
    sport = sport_q;
    dport = dport_q;
    f_pos = '0;
    f_off = '0;
    if (rx_valid_i && l4_start < pos_q + 16'(RxB) && l4_start + 16'd8 > pos_q) begin
      for (int unsigned k = 0; k < 8; k++) begin
        f_pos = l4_start + 16'(k);
        f_off = f_pos - pos_q;
        if (f_pos >= pos_q && f_off < 16'(rx_bytes_i)) begin
          unique case (k)
            0: if (f_pos >= 16'd34) sport[15:8] = rx_data_i[8 * f_off[LaneW-1:0] +: 8];
            1: if (f_pos >= 16'd34) sport[7:0]  = rx_data_i[8 * f_off[LaneW-1:0] +: 8];
            2: if (f_pos >= 16'd34) dport[15:8] = rx_data_i[8 * f_off[LaneW-1:0] +: 8];
            3: if (f_pos >= 16'd34) dport[7:0]  = rx_data_i[8 * f_off[LaneW-1:0] +: 8];
            6: l4ck[15:8] = rx_data_i[8 * f_off[LaneW-1:0] +: 8];
            7: l4ck[7:0]  = rx_data_i[8 * f_off[LaneW-1:0] +: 8];
            default: ;
          endcase
        end
      end
    end
  end

  logic frame_end;
  assign frame_end = rx_valid_i && rx_last_i;

  // Verdict for the frame whose last beat this is, worked out in that beat only (zeros in the
  // others: nobody takes them, and the waveform stays still between frames).
  logic [15:0] frame_len, l4_len, ip_fold, l4_fold;
  logic [16:0] ip_fold1, l4_fold1;
  logic [31:0] l4_total;
  logic        ipv4, is_tcp, is_udp, fragment, fits, l4_checked;
  always_comb begin
    frame_len  = '0;
    ipv4       = 1'b0;
    is_tcp     = 1'b0;
    is_udp     = 1'b0;
    fragment   = 1'b0;
    fits       = 1'b0;
    l4_len     = '0;
    l4_total   = '0;
    ip_fold1   = '0;
    ip_fold    = '0;
    l4_fold1   = '0;
    l4_fold    = '0;
    l4_checked = 1'b0;
    status_o   = '0;
    if (frame_end) begin
      frame_len  = pos_q + 16'(rx_bytes_i);
      ipv4       = (etype == 16'h0800) && (verihl[7:4] == 4'd4) && (verihl[3:0] >= 4'd5);
      is_tcp     = proto == 8'd6;
      is_udp     = proto == 8'd17;
      fragment   = (frag & 16'h3FFF) != 16'h0;  // MF or a fragment offset
      fits       = (16'd14 + totlen + 16'd4) <= frame_len;  // datagram and FCS inside the frame
      l4_len     = totlen - {10'h0, verihl[3:0], 2'b00};
      l4_total   = l4sum_d + {24'h0, proto} + {16'h0, l4_len};
      ip_fold1   = {1'b0, ipsum_d[15:0]} + {1'b0, ipsum_d[31:16]};
      ip_fold    = ip_fold1[15:0] + {15'h0, ip_fold1[16]};
      l4_fold1   = {1'b0, l4_total[15:0]} + {1'b0, l4_total[31:16]};
      l4_fold    = l4_fold1[15:0] + {15'h0, l4_fold1[16]};
      l4_checked = tuofl_i && ipv4 && !fragment && fits && (is_tcp || (is_udp && l4ck != 16'h0));
      if (ipofl_i && ipv4) begin
        status_o = status_o | StatIpcs;
        if (ip_fold != 16'hFFFF) status_o = status_o | ErrIpe;
      end
      if (l4_checked) begin
        status_o = status_o | StatL4cs | (is_udp ? StatUdpcs : 32'h0);
        if (l4_fold != 16'hFFFF) status_o = status_o | ErrL4e;
      end
    end
    ptype_o    = {6'h0, ipv4 && is_udp, ipv4 && is_tcp, 3'h0, ipv4};
  end
  assign ipv4_o     = ipv4;
  assign tcp_o      = is_tcp;
  assign udp_o      = is_udp;
  assign fragment_o = fragment;
  assign saddr_o    = saddr;
  assign daddr_o    = daddr;
  assign sport_o    = sport;
  assign dport_o    = dport;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      pos_q <= '0; etype_q <= '0; totlen_q <= '0; frag_q <= '0; l4ck_q <= '0;
      sport_q <= '0; dport_q <= '0; saddr_q <= '0; daddr_q <= '0;
      verihl_q <= '0; proto_q <= '0; ipsum_q <= '0; l4sum_q <= '0;
    end else if (rx_valid_i) begin
      pos_q    <= frame_end ? 16'h0 : pos_q + 16'(RxW / 8);
      etype_q  <= frame_end ? '0 : etype;
      totlen_q <= frame_end ? '0 : totlen;
      frag_q   <= frame_end ? '0 : frag;
      l4ck_q   <= frame_end ? '0 : l4ck;
      sport_q  <= frame_end ? '0 : sport;
      dport_q  <= frame_end ? '0 : dport;
      saddr_q  <= frame_end ? '0 : saddr;
      daddr_q  <= frame_end ? '0 : daddr;
      verihl_q <= frame_end ? '0 : verihl;
      proto_q  <= frame_end ? '0 : proto;
      ipsum_q  <= frame_end ? '0 : ipsum_d;
      l4sum_q  <= frame_end ? '0 : l4sum_d;
    end
  end

endmodule
