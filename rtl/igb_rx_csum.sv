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
    // Only on a beat that reaches into bytes 12..33 (the loop is skipped otherwise).
    if (rx_valid_i && pos_q < 16'd34) for (int unsigned i = 0; i < RxW / 8; i++) begin
      if (32'(i) < 32'(rx_bytes_i)) begin
        unique case (pos_q + 16'(i))
          16'd26: saddr[31:24] = rx_data_i[8*i +: 8];
          16'd27: saddr[23:16] = rx_data_i[8*i +: 8];
          16'd28: saddr[15:8]  = rx_data_i[8*i +: 8];
          16'd29: saddr[7:0]   = rx_data_i[8*i +: 8];
          16'd30: daddr[31:24] = rx_data_i[8*i +: 8];
          16'd31: daddr[23:16] = rx_data_i[8*i +: 8];
          16'd32: daddr[15:8]  = rx_data_i[8*i +: 8];
          16'd33: daddr[7:0]   = rx_data_i[8*i +: 8];
          16'd12: etype[15:8]  = rx_data_i[8*i +: 8];
          16'd13: etype[7:0]   = rx_data_i[8*i +: 8];
          16'd14: verihl       = rx_data_i[8*i +: 8];
          16'd16: totlen[15:8] = rx_data_i[8*i +: 8];
          16'd17: totlen[7:0]  = rx_data_i[8*i +: 8];
          16'd20: frag[15:8]   = rx_data_i[8*i +: 8];
          16'd21: frag[7:0]    = rx_data_i[8*i +: 8];
          16'd23: proto        = rx_data_i[8*i +: 8];
          default: ;
        endcase
      end
    end
  end

  // Ones'-complement sums including this beat. The IP header spans at least bytes 14..33 and
  // the transport header starts at 34 or later, so every byte is classified with fields
  // captured in an earlier beat (or, for bytes 14..33, needs none).
  // The ranges, once per beat: IP header [14, ip_hi), pseudo-header addresses [26, 34),
  // transport [ip_hi, ip_end), where ip_hi = max(34, l4_start).
  logic [15:0] l4_start, ip_end, ip_hi;
  logic [31:0] ipsum, l4sum;
  logic [15:0] p, off;  // position of byte i of the beat, and its offset from l4_start
  logic [31:0] w;       // byte i as a 16-bit-aligned value
  assign l4_start = 16'd14 + {10'h0, verihl[3:0], 2'b00};
  assign ip_end   = 16'd14 + totlen;
  assign ip_hi    = (l4_start > 16'd34) ? l4_start : 16'd34;
  always_comb begin
    ipsum = ipsum_q;
    l4sum = l4sum_q;
    l4ck  = l4ck_q;
    sport = sport_q;
    dport = dport_q;
    p   = '0;
    off = '0;
    w   = '0;
    if (rx_valid_i) for (int unsigned i = 0; i < RxW / 8; i++) begin
      p   = pos_q + 16'(i);
      off = p - l4_start;
      w   = p[0] ? 32'(rx_data_i[8*i +: 8]) : {16'h0, rx_data_i[8*i +: 8], 8'h0};
      if (32'(i) < 32'(rx_bytes_i)) begin
        if (p >= 16'd14 && p < ip_hi) ipsum = ipsum + w;
        // pseudo-header addresses, then the transport header and data
        if ((p >= 16'd26 && p < 16'd34) || (p >= ip_hi && p < ip_end)) l4sum = l4sum + w;
        if (off < 16'd8) begin
          unique case (off[2:0])
            3'd0: if (p >= 16'd34) sport[15:8] = rx_data_i[8*i +: 8];
            3'd1: if (p >= 16'd34) sport[7:0]  = rx_data_i[8*i +: 8];
            3'd2: if (p >= 16'd34) dport[15:8] = rx_data_i[8*i +: 8];
            3'd3: if (p >= 16'd34) dport[7:0]  = rx_data_i[8*i +: 8];
            3'd6: l4ck[15:8] = rx_data_i[8*i +: 8];
            3'd7: l4ck[7:0]  = rx_data_i[8*i +: 8];
            default: ;
          endcase
        end
      end
    end
  end

  // Verdict for the frame whose last beat this is.
  logic [15:0] frame_len, l4_len, ip_fold, l4_fold;
  logic [16:0] ip_fold1, l4_fold1;
  logic [31:0] l4_total;
  logic        ipv4, is_tcp, is_udp, fragment, fits, l4_checked;
  always_comb begin
    frame_len  = pos_q + 16'(rx_bytes_i);
    ipv4       = (etype == 16'h0800) && (verihl[7:4] == 4'd4) && (verihl[3:0] >= 4'd5);
    is_tcp     = proto == 8'd6;
    is_udp     = proto == 8'd17;
    fragment   = (frag & 16'h3FFF) != 16'h0;  // MF or a fragment offset
    fits       = (16'd14 + totlen + 16'd4) <= frame_len;  // datagram and FCS inside the frame
    l4_len     = totlen - {10'h0, verihl[3:0], 2'b00};
    l4_total   = l4sum + {24'h0, proto} + {16'h0, l4_len};
    ip_fold1   = {1'b0, ipsum[15:0]} + {1'b0, ipsum[31:16]};
    ip_fold    = ip_fold1[15:0] + {15'h0, ip_fold1[16]};
    l4_fold1   = {1'b0, l4_total[15:0]} + {1'b0, l4_total[31:16]};
    l4_fold    = l4_fold1[15:0] + {15'h0, l4_fold1[16]};
    l4_checked = tuofl_i && ipv4 && !fragment && fits && (is_tcp || (is_udp && l4ck != 16'h0));
    status_o = '0;
    if (ipofl_i && ipv4) begin
      status_o = status_o | StatIpcs;
      if (ip_fold != 16'hFFFF) status_o = status_o | ErrIpe;
    end
    if (l4_checked) begin
      status_o = status_o | StatL4cs | (is_udp ? StatUdpcs : 32'h0);
      if (l4_fold != 16'hFFFF) status_o = status_o | ErrL4e;
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

  logic frame_end;
  assign frame_end = rx_valid_i && rx_last_i;
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
      ipsum_q  <= frame_end ? '0 : ipsum;
      l4sum_q  <= frame_end ? '0 : l4sum;
    end
  end

endmodule
