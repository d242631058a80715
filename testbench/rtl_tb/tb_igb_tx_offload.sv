// SPDX-License-Identifier: Apache-2.0
// tb_igb_tx_offload: a directed testbench for igb_tx_offload (transmit checksum insertion and
// TCP/UDP segmentation) in plain SystemVerilog, run by testbench/rtl_tb/run_unit.sh under
// both Verilator and Icarus Verilog, whose transcripts must be identical. Each case
// builds a packet as Linux's igb driver hands it to the part (checksum fields pre-seeded, TSO
// prototype header) and, independently, the frames a receiver must see: every checksum
// computed from scratch over the finished bytes (RFC 791/768/793 with the pseudo-header), TSO
// segments cut and numbered by this testbench, each UDP segment a datagram of its own length.
// The output is compared byte for byte, beat boundaries, last and byte count included. All
// cases run twice: at full speed (which measures cycles per frame), then with gaps on the
// input and a pseudo-random out_ready. +plant corrupts one expected byte: the run must then
// FAIL (run_unit.sh checks that it does).
//
// Timing discipline: inputs change and outputs are sampled only at the falling edge, so the
// order in which a simulator schedules processes cannot show in the transcript.
`timescale 1ns / 1ps
`default_nettype none

module tb_igb_tx_offload;

  localparam int InMax = 262144;  // bytes of the packets of one group
  localparam int ExMax = 262144;  // bytes of the frames expected from one group
  localparam int NPkt  = 64;
  localparam int NFrm  = 1024;
  // The DTXTCPFLGL/H masks the DUT models (its parameters' defaults, documented there)
  localparam logic [11:0] FlgFirst = 12'hFF6, FlgMid = 12'hF76, FlgLast = 12'hF7F;

  logic clk = 1'b0, rst_n = 1'b0;
  always #4 clk = ~clk;

  // DUT ports
  logic         in_valid = 1'b0, in_ready, in_last = 1'b0;
  logic [127:0] in_data = '0;
  logic [4:0]   in_bytes = '0;
  logic         tse = 1'b0, ixsm = 1'b0, txsm = 1'b0, l4t_tcp = 1'b0, ipv4 = 1'b0;
  logic [6:0]   maclen = '0;
  logic [8:0]   iplen = '0;
  logic [7:0]   l4len = '0;
  logic [15:0]  mss = '0;
  logic [17:0]  paylen = '0;
  logic         out_valid, out_ready = 1'b0, out_last, out_pkt_last, out_drop, tso_err, busy;
  logic [127:0] out_data;
  logic [4:0]   out_bytes;

  igb_tx_offload dut (
    .clk_i(clk), .rst_ni(rst_n),
    .in_valid_i(in_valid), .in_ready_o(in_ready), .in_data_i(in_data), .in_last_i(in_last),
    .in_bytes_i(in_bytes), .tse_i(tse), .ixsm_i(ixsm), .txsm_i(txsm), .l4t_tcp_i(l4t_tcp),
    .ipv4_i(ipv4), .maclen_i(maclen), .iplen_i(iplen), .l4len_i(l4len), .mss_i(mss),
    .paylen_i(paylen), .out_valid_o(out_valid), .out_ready_i(out_ready), .out_data_o(out_data),
    .out_last_o(out_last), .out_pkt_last_o(out_pkt_last), .out_drop_o(out_drop),
    .out_bytes_o(out_bytes),
    .tso_err_o(tso_err),
    .busy_o(busy), .fault_bad_csum_i(1'b0)
  );

  // --- Pseudo-random numbers (xorshift32: the same sequence in every simulator) -----------
  logic [31:0] rng = 32'h1234_5678;
  function automatic logic [31:0] next_rand(input logic [31:0] x);
    x = x ^ (x << 13);
    x = x ^ (x >> 17);
    x = x ^ (x << 5);
    return x;
  endfunction

  // --- Queues: packets to send, frames expected --------------------------------------------
  logic [7:0] in_mem [InMax];
  int         in_off [NPkt], in_len [NPkt];
  logic       q_tse [NPkt], q_ixsm [NPkt], q_txsm [NPkt], q_tcp [NPkt], q_ipv4 [NPkt];
  int         q_maclen [NPkt], q_iplen [NPkt], q_l4len [NPkt], q_mss [NPkt], q_paylen [NPkt];
  int         in_wr, in_rd, in_top;
  logic [7:0] ex_mem [ExMax];
  int         ex_off [NFrm], ex_len [NFrm];
  bit         ex_plast [NFrm];  // the frame is its packet's last
  bit         ex_drop [NFrm];   // a dropped packet's token (length 0, its packet's last)
  int         ex_wr, ex_rd, ex_top;
  int         err_want, err_seen;

  // Scratch: the packet being built (pk) and the frame expected (fr)
  logic [7:0] pk [70000];
  logic [7:0] fr [70000];

  int  failures = 0;
  logic plant;
  logic gaps = 1'b0, running = 1'b0;
  int   cycle = 0;

  always @(posedge clk) cycle <= cycle + 1;

  task automatic pk16(input int p, input logic [15:0] v);
    pk[p] = v[15:8];
    pk[p + 1] = v[7:0];
  endtask
  task automatic fr16(input int p, input logic [15:0] v);
    fr[p] = v[15:8];
    fr[p + 1] = v[7:0];
  endtask
  task automatic fr32(input int p, input logic [31:0] v);
    fr16(p, v[31:16]);
    fr16(p + 2, v[15:0]);
  endtask
  function automatic logic [15:0] fr_get16(input int p);
    return {fr[p], fr[p + 1]};
  endfunction

  // Ones'-complement arithmetic, written from RFC 1071 for this testbench
  function automatic logic [15:0] fold(input logic [31:0] s);
    while (s[31:16] != 16'h0) s = {16'h0, s[15:0]} + {16'h0, s[31:16]};
    return s[15:0];
  endfunction
  // The 32-bit sum of fr[lo, hi) as big-endian pairs from lo (an odd end padded with zero)
  function automatic logic [31:0] sum_fr(input int lo, input int hi);
    logic [31:0] s;
    s = 0;
    for (int i = lo; i < hi; i += 2) s = s + {16'h0, fr[i], (i + 1 < hi) ? fr[i + 1] : 8'h0};
    return s;
  endfunction
  function automatic logic [31:0] pseudo(input int ipoff, input logic [7:0] proto,
                                          input int l4bytes);
    return {16'h0, fr_get16(ipoff + 12)} + {16'h0, fr_get16(ipoff + 14)}
         + {16'h0, fr_get16(ipoff + 16)} + {16'h0, fr_get16(ipoff + 18)}
         + {24'h0, proto} + l4bytes;
  endfunction
  // Standard checksums of the expected frame fr (fields set from scratch)
  task automatic fr_ip_csum(input int m, input int ipl);
    fr16(m + 10, 16'h0);
    fr16(m + 10, ~fold(sum_fr(m, m + ipl)));
  endtask
  task automatic fr_l4_csum(input int m, input int l4, input int len, input logic tcp);
    logic [15:0] c;
    int          at;
    at = l4 + (tcp ? 16 : 6);
    fr16(at, 16'h0);
    c = ~fold(pseudo(m, tcp ? 8'd6 : 8'd17, len - l4) + sum_fr(l4, len));
    if (!tcp && c == 16'h0) c = 16'hFFFF;
    fr16(at, c);
  endtask

  // An Ethernet + IPv4 header in pk: MACLEN bytes ending in EtherType 0x0800 (a VLAN tag when
  // MACLEN is 18), then IPLEN bytes of IPv4 with options as NOPs.
  task automatic pk_eth_ip(input int m, input int ipl, input logic [7:0] proto,
                           input logic [15:0] totlen, input logic [15:0] id,
                           input logic [15:0] check);
    for (int i = 0; i < 6; i++) begin
      pk[i] = (i == 0) ? 8'h02 : (i == 5) ? 8'h01 : 8'h00;
      pk[6 + i] = (i == 0) ? 8'h02 : (i == 5) ? 8'h02 : 8'h00;
    end
    for (int i = 12; i < m - 2; i++) pk[i] = 8'h5A;
    if (m == 18) begin
      pk16(12, 16'h8100);
      pk16(14, 16'h0064);
    end
    pk16(m - 2, 16'h0800);
    pk[m] = 8'h40 | 8'(ipl / 4);
    pk[m + 1] = 8'h00;
    pk16(m + 2, totlen);
    pk16(m + 4, id);
    pk16(m + 6, 16'h4000);
    pk[m + 8] = 8'd64;
    pk[m + 9] = proto;
    pk16(m + 10, check);
    pk16(m + 12, 16'h0a00); pk16(m + 14, 16'h0001);  // 10.0.0.1
    pk16(m + 16, 16'hc0a8); pk16(m + 18, 16'h01fe);  // 192.168.1.254
    for (int i = m + 20; i < m + ipl; i++) pk[i] = 8'h01;
  endtask

  // An Ethernet + IPv6 header in pk (40 bytes, next header proto, payload length 0 as igb_tso
  // leaves it), and the IPv6 pseudo-header sum of fr (RFC 8200 8.1)
  task automatic pk_eth_ip6(input int m, input logic [7:0] proto);
    pk_eth_ip(m, 20, proto, 16'h0, 16'h0, 16'h0);  // the MAC header
    pk16(m - 2, 16'h86dd);
    pk16(m, 16'h6000); pk16(m + 2, 16'h0);
    pk16(m + 4, 16'h0);
    pk[m + 6] = proto;
    pk[m + 7] = 8'd64;
    for (int i = 0; i < 32; i++) pk[m + 8 + i] = (i % 16 == 0) ? 8'h20 : (i % 16 == 1) ? 8'h01
                                                : (i % 16 == 15) ? 8'(1 + i / 16) : 8'(i * 7);
  endtask
  function automatic logic [31:0] pseudo6(input int m, input logic [7:0] proto,
                                           input int l4bytes);
    return sum_fr(m + 8, m + 40) + {24'h0, proto} + l4bytes;
  endfunction

  task automatic pk_payload(input int lo, input int hi);
    for (int i = lo; i < hi; i++) begin
      rng   = next_rand(rng);
      pk[i] = rng[7:0];
    end
  endtask

  task automatic enqueue(input int len, input logic t_tse, input logic t_ixsm, input logic t_txsm,
                         input logic t_tcp, input logic t_ipv4, input int t_mac, input int t_ipl,
                         input int t_l4l, input int t_mss, input int t_paylen);
    in_off[in_wr] = in_top;
    in_len[in_wr] = len;
    for (int i = 0; i < len; i++) in_mem[in_top + i] = pk[i];
    q_tse[in_wr] = t_tse; q_ixsm[in_wr] = t_ixsm; q_txsm[in_wr] = t_txsm; q_tcp[in_wr] = t_tcp;
    q_ipv4[in_wr] = t_ipv4; q_maclen[in_wr] = t_mac; q_iplen[in_wr] = t_ipl;
    q_l4len[in_wr] = t_l4l; q_mss[in_wr] = t_mss; q_paylen[in_wr] = t_paylen;
    in_top = in_top + len;
    in_wr++;
  endtask

  task automatic expect_frame(input int len, input bit plast);
    ex_off[ex_wr] = ex_top;
    ex_len[ex_wr] = len;
    ex_plast[ex_wr] = plast;
    ex_drop[ex_wr] = 1'b0;
    for (int i = 0; i < len; i++) ex_mem[ex_top + i] = fr[i];
    ex_top = ex_top + len;
    ex_wr++;
  endtask

  // --- Packet builders ----------------------------------------------------------------------

  // A frame with no offload: any bytes, sent unchanged
  task automatic case_plain(input int len);
    pk_payload(0, len);
    for (int i = 0; i < len; i++) fr[i] = pk[i];
    enqueue(len, 0, 0, 0, 0, 0, 14, 20, 0, 0, len);
    expect_frame(len, 1);
  endtask

  // UDP or TCP over IPv4 with checksum offload (TXSM) and optionally IXSM. The L4 checksum
  // field holds the pseudo-header sum, length included, as Linux leaves it; with IXSM the IP
  // checksum field is 0 (else software's). zero_at: place 2 payload bytes so that the UDP
  // checksum computes to 0 (-1 for none).
  task automatic case_csum(input int m, input int ipl, input logic tcp, input int l4l,
                           input int pay, input logic do_ixsm, input logic do_txsm,
                           input int zero_at);
    int          l4, len;
    logic [15:0] s;
    l4  = m + ipl;
    len = l4 + l4l + pay;
    pk_eth_ip(m, ipl, tcp ? 8'd6 : 8'd17, 16'(len - m), 16'h1c46, 16'h0);
    pk_payload(l4, len);
    if (tcp) begin
      pk[l4 + 12] = 8'(l4l / 4) << 4;
      pk[l4 + 13] = 8'h18;  // PSH ACK
      for (int i = l4 + 20; i < l4 + l4l; i++) pk[i] = 8'h01;
    end else begin
      pk16(l4 + 4, 16'(l4l + pay));
    end
    for (int i = 0; i < len; i++) fr[i] = pk[i];
    fr16(l4 + (tcp ? 16 : 6), 16'h0);
    if (zero_at >= 0) begin  // make ~(pseudo + L4 sum) == 0: the L4 sum must fold to 0xFFFF
      fr16(l4 + zero_at, 16'h0);
      s = fold(pseudo(m, 8'd17, len - l4) + sum_fr(l4, len));
      fr16(l4 + zero_at, ~s);
      pk16(l4 + zero_at, ~s);
      if (fold(pseudo(m, 8'd17, len - l4) + sum_fr(l4, len)) != 16'hFFFF) begin
        $display("FAIL testbench: the zero-checksum datagram does not sum to 0xFFFF");
        failures++;
      end
    end
    // Software's fields in the packet: the seed (non-complemented pseudo-header sum) ...
    pk16(l4 + (tcp ? 16 : 6), do_txsm ? fold(pseudo(m, tcp ? 8'd6 : 8'd17, len - l4)) : 16'h0);
    // ... and without IXSM an IP checksum computed in software
    if (!do_ixsm) begin
      fr_ip_csum(m, ipl);
      pk16(m + 10, fr_get16(m + 10));
    end
    // The frame a receiver must see: every checksum from scratch
    fr_ip_csum(m, ipl);
    if (do_txsm) fr_l4_csum(m, l4, len, tcp);
    else fr16(l4 + (tcp ? 16 : 6), 16'h0);
    enqueue(len, 0, do_ixsm, do_txsm, tcp, 1, m, ipl, l4l, 0, len);
    expect_frame(len, 1);
  endtask

  // TSO of a TCP/IPv4 packet: a prototype header as igb_tso leaves it (IP total length 0, IP
  // checksum ip_check, TCP checksum the pseudo-header sum without length) and pay bytes of
  // payload; paylen is what the descriptor says (pay unless a mismatch is tested).
  task automatic case_tso(input int m, input int ipl, input int l4l, input int pay, input int mss_v,
                          input logic [7:0] flags, input logic [15:0] id0, input logic [31:0] seq0,
                          input logic [15:0] ip_check, input int paylen_v, input logic v6);
    int          l4, h, nseg, p, off;
    logic [11:0] fm;
    logic [15:0] fw;
    l4 = m + ipl;
    h  = l4 + l4l;
    if (v6) pk_eth_ip6(m, 8'd6);
    else pk_eth_ip(m, ipl, 8'd6, 16'h0, id0, ip_check);
    pk16(l4, 16'd40000); pk16(l4 + 2, 16'd5201);
    pk16(l4 + 4, seq0[31:16]); pk16(l4 + 6, seq0[15:0]);
    pk16(l4 + 8, 16'h0bad); pk16(l4 + 10, 16'hcafe);
    pk[l4 + 12] = 8'(l4l / 4) << 4;
    pk[l4 + 13] = flags;
    pk16(l4 + 14, 16'd501);
    pk16(l4 + 18, 16'h0);
    for (int i = l4 + 20; i < h; i++) pk[i] = 8'h01;
    pk_payload(h, h + pay);
    // Seed: saddr + daddr + protocol, no length (DS-I210 Tbl 7-41)
    for (int i = 0; i < h; i++) fr[i] = pk[i];
    pk16(l4 + 16, fold(v6 ? pseudo6(m, 8'd6, 0) : pseudo(m, 8'd6, 0)));
    enqueue(h + pay, 1, !v6, 1, 1, !v6, m, ipl, l4l, mss_v, paylen_v);
    // The segments: header copied, fields as a receiver expects them, checksums from scratch
    nseg = (pay + mss_v - 1) / mss_v;
    if (nseg == 0) nseg = 1;
    for (int k = 0; k < nseg; k++) begin
      p   = (pay - k * mss_v < mss_v) ? pay - k * mss_v : mss_v;
      off = h + k * mss_v;
      for (int i = 0; i < h; i++) fr[i] = pk[i];
      for (int i = 0; i < p; i++) fr[h + i] = pk[off + i];
      if (v6) begin
        fr16(m + 4, 16'(ipl - 40 + l4l + p));
      end else begin
        fr16(m + 2, 16'(ipl + l4l + p));
        fr16(m + 4, id0 + 16'(k));
      end
      fr32(l4 + 4, seq0 + 32'(k * mss_v));
      fm = (nseg == 1) ? (FlgFirst | FlgLast) : (k == 0) ? FlgFirst
         : (k == nseg - 1) ? FlgLast : FlgMid;
      fw = {pk[l4 + 12], pk[l4 + 13]} & {4'hF, fm};
      fr16(l4 + 12, fw);
      if (v6) begin
        fr16(l4 + 16, 16'h0);
        fr16(l4 + 16, ~fold(pseudo6(m, 8'd6, h + p - l4) + sum_fr(l4, h + p)));
      end else begin
        fr_ip_csum(m, ipl);
        fr_l4_csum(m, l4, h + p, 1'b1);
      end
      expect_frame(h + p, k == nseg - 1);
    end
    if (paylen_v != pay) err_want++;
  endtask

  // One expected UDP segment in fr: the prototype's header with the segment's IP fields and UDP
  // length 8 + p, payload pk[off, off + p), both checksums from scratch (a UDP checksum of 0
  // sent as 0xFFFF)
  task automatic fr_uso_seg(input int m, input int ipl, input int k, input int off, input int p,
                            input logic [15:0] id0, input logic v6);
    int          l4, h;
    logic [15:0] c;
    l4 = m + ipl;
    h  = l4 + 8;
    for (int i = 0; i < h; i++) fr[i] = pk[i];
    for (int i = 0; i < p; i++) fr[h + i] = pk[off + i];
    fr16(l4 + 4, 16'(8 + p));
    if (v6) begin
      fr16(m + 4, 16'(ipl - 40 + 8 + p));
      fr16(l4 + 6, 16'h0);
      c = ~fold(pseudo6(m, 8'd17, 8 + p) + sum_fr(l4, h + p));
      fr16(l4 + 6, (c == 16'h0) ? 16'hFFFF : c);
    end else begin
      fr16(m + 2, 16'(ipl + 8 + p));
      fr16(m + 4, id0 + 16'(k));
      fr_ip_csum(m, ipl);
      fr_l4_csum(m, l4, h + p, 1'b0);
    end
  endtask

  // UDP segmentation (USO) of a UDP/IPv4 or UDP/IPv6 packet, as igb_tso hands it over since
  // "igb: Add UDP segmentation offload support" (Linux 5.5): L4T UDP, L4LEN 8, MSS gso_size;
  // IP total length (IPv6 payload length) 0, IPv4 checksum ip_check, the UDP checksum the
  // pseudo-header sum without length, and the UDP length the whole GSO datagram's, as
  // udp_send_skb wrote it. zero_last: two bytes of the last segment's payload chosen so that
  // its UDP checksum computes to 0 (sent as 0xFFFF).
  task automatic case_uso(input int m, input int ipl, input int pay, input int mss_v,
                          input logic [15:0] id0, input logic [15:0] ip_check, input int paylen_v,
                          input logic v6, input logic zero_last);
    int          l4, h, nseg, p, off;
    logic [15:0] s;
    l4 = m + ipl;
    h  = l4 + 8;
    if (v6) pk_eth_ip6(m, 8'd17);
    else pk_eth_ip(m, ipl, 8'd17, 16'h0, id0, ip_check);
    pk16(l4, 16'd40001); pk16(l4 + 2, 16'd4789);
    pk16(l4 + 4, 16'(8 + pay));
    pk_payload(h, h + pay);
    for (int i = 0; i < h; i++) fr[i] = pk[i];
    pk16(l4 + 6, fold(v6 ? pseudo6(m, 8'd17, 0) : pseudo(m, 8'd17, 0)));
    nseg = (pay + mss_v - 1) / mss_v;
    if (nseg == 0) nseg = 1;
    if (zero_last) begin  // make the last segment's sum fold to 0xFFFF: its first two bytes
      p   = pay - (nseg - 1) * mss_v;
      off = h + (nseg - 1) * mss_v;  // an even distance from l4: a pair of the sum
      pk16(off, 16'h0);
      fr_uso_seg(m, ipl, nseg - 1, off, p, id0, v6);
      fr16(l4 + 6, 16'h0);
      s = fold((v6 ? pseudo6(m, 8'd17, 8 + p) : pseudo(m, 8'd17, 8 + p)) + sum_fr(l4, h + p));
      pk16(off, ~s);
      fr16(h, ~s);
      if (fold((v6 ? pseudo6(m, 8'd17, 8 + p) : pseudo(m, 8'd17, 8 + p)) + sum_fr(l4, h + p))
          != 16'hFFFF) begin
        $display("FAIL testbench: the zero-checksum segment does not sum to 0xFFFF");
        failures++;
      end
    end
    enqueue(h + pay, 1, !v6, 1, 0, !v6, m, ipl, 8, mss_v, paylen_v);
    for (int k = 0; k < nseg; k++) begin
      p   = (pay - k * mss_v < mss_v) ? pay - k * mss_v : mss_v;
      off = h + k * mss_v;
      fr_uso_seg(m, ipl, k, off, p, id0, v6);
      expect_frame(h + p, k == nseg - 1);
    end
    if (paylen_v != pay) err_want++;
  endtask

  // A TSO packet that ends inside its header: dropped, counted on tso_err_o; a token goes in
  // its place, in order
  task automatic case_tso_truncated(input int len);
    pk_eth_ip(14, 20, 8'd6, 16'h0, 16'h0, 16'hFFFF);
    pk_payload(34, len);
    enqueue(len, 1, 1, 1, 1, 1, 14, 20, 20, 1448, 1000);
    expect_frame(0, 1);
    ex_drop[ex_wr - 1] = 1'b1;
    err_want++;
  endtask

  // --- Driver and monitor ---------------------------------------------------------------
  int   in_pos = 0;
  logic in_fire = 1'b0;
  int   first_in = -1, last_out = -1, first_out = -1;

  always @(negedge clk) begin
    if (rst_n) begin
      // The beat driven a cycle ago was taken at the rising edge in between
      if (in_fire) begin
        if (first_in < 0) first_in = cycle;
        in_pos = in_pos + 16;
        if (in_pos >= in_len[in_rd]) begin
          in_pos = 0;
          in_rd++;
        end
      end
      rng = next_rand(rng);
      if (running && in_rd < in_wr && !(gaps && rng[1:0] == 2'd0)) begin
        in_valid = 1'b1;
        for (int i = 0; i < 16; i++) begin
          // bytes past the packet's end are noise the DUT must ignore
          in_data[8 * i +: 8] = (in_pos + i < in_len[in_rd]) ? in_mem[in_off[in_rd] + in_pos + i]
                                                              : rng[15:8] ^ 8'(i);
        end
        in_last  = in_pos + 16 >= in_len[in_rd];
        in_bytes = in_last ? 5'((in_len[in_rd] - in_pos) % 16) : 5'd0;
      end else begin
        in_valid = 1'b0;
        in_data  = {4{rng}};
        in_last  = rng[3];
        in_bytes = rng[8:4];
      end
      if (running && in_rd < in_wr) begin  // the request, held for the whole packet
        tse = q_tse[in_rd]; ixsm = q_ixsm[in_rd]; txsm = q_txsm[in_rd]; l4t_tcp = q_tcp[in_rd];
        ipv4 = q_ipv4[in_rd]; maclen = 7'(q_maclen[in_rd]); iplen = 9'(q_iplen[in_rd]);
        l4len = 8'(q_l4len[in_rd]); mss = 16'(q_mss[in_rd]); paylen = 18'(q_paylen[in_rd]);
      end else begin
        {tse, ixsm, txsm, l4t_tcp, ipv4} = rng[4:0];
        {maclen, iplen, l4len} = rng[31:8];
      end
      in_fire = in_valid && in_ready;
    end
  end

  int out_pos = 0, frames_ok = 0;
  logic [7:0] got, want;
  logic       bad;
  always @(negedge clk) begin
    if (rst_n) begin
      rng = next_rand(rng);
      out_ready = !gaps || rng[2:0] >= 3'd3;
      if (tso_err) err_seen++;
      if (out_valid && out_ready) begin
        if (ex_rd >= ex_wr) begin
          $display("FAIL beat with no frame expected");
          failures++;
        end else begin
          bad = 1'b0;
          for (int i = 0; i < 16; i++) begin
            if (out_pos + i < ex_len[ex_rd] && !bad) begin
              got  = out_data[8 * i +: 8];
              want = ex_mem[ex_off[ex_rd] + out_pos + i];
              if (got !== want) begin
                $display("FAIL frame %0d byte %0d: %h, expected %h", ex_rd, out_pos + i, got,
                         want);
                failures++;
                bad = 1'b1;
              end
            end
          end
          if (out_drop !== ex_drop[ex_rd]) begin
            $display("FAIL frame %0d: token %0d, expected %0d", ex_rd, out_drop, ex_drop[ex_rd]);
            failures++;
          end
          if (out_last !== (out_pos + 16 >= ex_len[ex_rd])) begin
            $display("FAIL frame %0d: last at byte %0d of %0d", ex_rd, out_pos, ex_len[ex_rd]);
            failures++;
          end
          if (out_last && out_pkt_last !== ex_plast[ex_rd]) begin
            $display("FAIL frame %0d: packet's last frame flag %0d, expected %0d", ex_rd,
                     out_pkt_last, ex_plast[ex_rd]);
            failures++;
          end
          if (out_last && out_bytes !== 5'(ex_len[ex_rd] % 16)) begin
            $display("FAIL frame %0d: %0d bytes in its last beat", ex_rd, out_bytes);
            failures++;
          end
          out_pos = out_pos + 16;
          if (out_last || out_pos >= ex_len[ex_rd]) begin
            out_pos  = 0;
            last_out = cycle;
            if (first_out < 0) first_out = cycle;
            ex_rd++;
          end
        end
      end
    end
  end

  // busy_o is the host's clock gate: an edge in a cycle without it must change nothing. No
  // beat crosses either side then, and what the block shows after the edge is what it showed
  // before (a frame held for a MAC that takes nothing waits without work).
  logic         held = 1'b0;
  logic [137:0] held_out;
  always @(posedge clk) begin
    held     = rst_n && !busy;
    held_out = {out_valid, out_last, out_pkt_last, out_drop, out_bytes, out_data, tso_err};
    if (held && ((in_valid && in_ready) || (out_valid && out_ready))) begin
      $display("FAIL: a beat crossed while not busy");
      failures++;
    end
  end
  always @(negedge clk)
    if (rst_n && held &&
        {out_valid, out_last, out_pkt_last, out_drop, out_bytes, out_data, tso_err} != held_out)
    begin
      $display("FAIL: the block changed at an edge while not busy");
      failures++;
    end

  // Run the queued group to its end; at full speed, print its cycles per frame
  task automatic run_group(input string name);
    int t0, nfr;
    nfr      = ex_wr;
    first_in  = -1;
    first_out = -1;
    err_seen  = 0;
    running  = 1'b1;
    t0 = cycle;
    while ((in_rd < in_wr || ex_rd < ex_wr) && cycle - t0 < 200000) @(negedge clk);
    repeat (4) @(negedge clk);
    running = 1'b0;
    if (in_rd < in_wr || ex_rd < ex_wr) begin
      $display("FAIL %s: timeout with %0d of %0d frames", name, ex_rd, ex_wr);
      failures++;
    end
    // Every frame is out: nothing may be left in hand (the host gates the clock on busy_o)
    if (busy) begin
      $display("FAIL %s: busy with every frame out", name);
      failures++;
    end
    if (err_seen != err_want) begin
      $display("FAIL %s: tso_err %0d times, expected %0d", name, err_seen, err_want);
      failures++;
    end
    if (!gaps && nfr > 1) begin
      // cycles from the first beat in to the last beat out; then the frame rate once the
      // first frame is out (one frame's store-and-forward latency left out)
      $display("%s: %0d frames (first %0d B), tso_err %0d: %0d cycles, then %0d.%0d a frame",
               name, nfr, ex_len[0], err_seen, last_out - first_in + 1,
               (last_out - first_out) / (nfr - 1), ((last_out - first_out) * 10 / (nfr - 1)) % 10);
    end else if (!gaps) begin
      $display("%s: %0d frame(s) of %0d B, tso_err %0d: %0d cycles", name, nfr, ex_len[0],
               err_seen, last_out - first_in + 1);
    end else begin
      $display("%s with gaps: %0d frame(s), tso_err %0d", name, nfr, err_seen);
    end
    in_wr = 0; in_rd = 0; in_top = 0; ex_wr = 0; ex_rd = 0; ex_top = 0; err_want = 0;
  endtask

  // The cases, as a table run twice (full speed, then with gaps): each case kind is called
  // from one place, which keeps the Verilated testbench small (Verilator inlines tasks).
  localparam int KPlain = 0, KCsum = 1, KTso = 2, KTrunc = 3, KRun = 4, KUso = 5;
  localparam int NStep = 160;
  int    st_kind [NStep];
  int    st_a [NStep][11];
  string st_name [NStep];
  int    nst = 0, plant_step = -1;
  logic [31:0] r;
  int    rm, rl4, rpay;

  task automatic s_plain(input int len);
    st_kind[nst] = KPlain;
    st_a[nst][0] = len;
    nst++;
  endtask
  task automatic s_csum(input int m, input int ipl, input int tcp, input int l4l, input int pay,
                        input int do_ixsm, input int do_txsm, input int zero_at);
    st_kind[nst] = KCsum;
    st_a[nst][0] = m; st_a[nst][1] = ipl; st_a[nst][2] = tcp; st_a[nst][3] = l4l;
    st_a[nst][4] = pay; st_a[nst][5] = do_ixsm; st_a[nst][6] = do_txsm; st_a[nst][7] = zero_at;
    nst++;
  endtask
  task automatic s_tso(input int m, input int ipl, input int l4l, input int pay, input int mss_v,
                       input int flags, input int id0, input int seq0, input int ip_check,
                       input int paylen_v, input int v6);
    st_kind[nst] = KTso;
    st_a[nst][0] = m; st_a[nst][1] = ipl; st_a[nst][2] = l4l; st_a[nst][3] = pay;
    st_a[nst][4] = mss_v; st_a[nst][5] = flags; st_a[nst][6] = id0; st_a[nst][7] = seq0;
    st_a[nst][8] = ip_check; st_a[nst][9] = paylen_v; st_a[nst][10] = v6;
    nst++;
  endtask
  task automatic s_uso(input int m, input int ipl, input int pay, input int mss_v,
                       input int id0, input int ip_check, input int paylen_v, input int v6,
                       input int zero_last);
    st_kind[nst] = KUso;
    st_a[nst][0] = m; st_a[nst][1] = ipl; st_a[nst][2] = pay; st_a[nst][3] = mss_v;
    st_a[nst][4] = id0; st_a[nst][5] = ip_check; st_a[nst][6] = paylen_v; st_a[nst][7] = v6;
    st_a[nst][8] = zero_last;
    nst++;
  endtask
  task automatic s_trunc(input int len);
    st_kind[nst] = KTrunc;
    st_a[nst][0] = len;
    nst++;
  endtask
  task automatic s_run(input string name);
    st_kind[nst] = KRun;
    st_name[nst] = name;
    nst++;
  endtask

  initial begin
    plant = $test$plusargs("plant");
    in_wr = 0; in_rd = 0; in_top = 0; ex_wr = 0; ex_rd = 0; ex_top = 0;
    err_want = 0; err_seen = 0;
    s_plain(101);
    s_plain(16);
    s_run("no offload");
    plant_step = nst;  // +plant: this frame's UDP checksum is expected one off
    s_csum(14, 20, 0, 8, 37, 1, 1, -1);
    s_csum(14, 24, 0, 8, 1001, 0, 1, -1);  // IP options, software IP checksum
    s_run("UDP and IPv4 checksums, odd lengths");
    s_csum(14, 20, 1, 20, 201, 1, 1, -1);
    s_csum(18, 20, 1, 32, 1400, 1, 1, -1);  // VLAN, TCP options
    s_csum(15, 20, 0, 8, 77, 1, 1, -1);     // an odd MACLEN: odd checksum alignment
    s_csum(15, 20, 1, 20, 99, 1, 1, -1);
    s_run("TCP checksums, odd offsets");
    s_csum(14, 20, 0, 8, 64, 1, 1, 8);
    s_run("UDP checksum computing to 0");
    s_csum(14, 20, 0, 8, 0, 1, 1, -1);
    s_csum(14, 20, 0, 8, 18, 1, 1, -1);
    s_csum(14, 20, 1, 20, 9728 - 54, 1, 1, -1);
    s_csum(14, 20, 0, 8, 9728 - 42, 0, 1, -1);
    s_run("minimal and jumbo frames");
    for (int i = 0; i < 20; i++) s_csum(14, 20, 0, 8, 64 - 42, 1, 1, -1);
    s_run("20 frames of 64 B");
    for (int i = 0; i < 10; i++) s_csum(14, 20, 1, 20, 1514 - 54, 1, 1, -1);
    s_run("10 frames of 1514 B");
    // CWR ACK PSH FIN; the IP ID and the sequence number wrap
    s_tso(14, 20, 20, 45 * 1448, 1448, 'h99, 'hfffe, 'hffff_f000, 'hFFFF, 45 * 1448, 0);
    s_run("TSO 64 KB, 45 segments");
    s_tso(18, 24, 32, 5000, 1001, 'h19, 'h0100, 'h1000, 'h0, 5000, 0);
    s_tso(14, 20, 20, 700, 1448, 'h99, 'h0200, 'h1, 'hFFFF, 700, 0);
    s_tso(14, 20, 20, 3000, 1000, 'h10, 'h0300, 'h2, 'hFFFF, 3000, 0);
    s_run("TSO with a short last segment, odd MSS, one segment");
    s_tso(16, 20, 28, 4000, 1448, 'h18, 'h0500, 'h4, 'hFFFF, 4000, 0);
    s_tso(15, 20, 20, 3000, 999, 'h18, 'h0600, 'h5, 'h0, 3000, 0);
    s_tso(14, 20, 20, 0, 1448, 'h11, 'h0700, 'h6, 'hFFFF, 0, 0);
    s_tso(14, 40, 32, 7000, 1440, 'h19, 0, 'h7, 0, 7000, 1);  // IPv6, TCP options
    s_run("TSO with a 64 B header, an odd MACLEN, no payload, IPv6");
    s_tso(14, 20, 20, 2500, 1000, 'h18, 'h0400, 'h3, 'hFFFF, 2600, 0);
    s_plain(60);
    s_trunc(40);
    s_plain(61);
    s_run("TSO whose PAYLEN does not match its data, one that ends in its header");
    // UDP segmentation: each segment its own datagram (UDP length, checksum over it)
    s_uso(14, 20, 44 * 1472, 1472, 'h0100, 'hFFFF, 44 * 1472, 0, 0);
    s_run("USO 64 KB, 44 segments");
    // The IP ID wraps; a payload of exactly one MSS and one under it are one segment
    s_uso(14, 20, 10000, 1472, 'hfffe, 'hFFFF, 10000, 0, 0);
    s_uso(14, 20, 1472, 1472, 'h0200, 'hFFFF, 1472, 0, 0);
    s_uso(14, 20, 333, 1472, 'h0300, 'h0, 333, 0, 0);
    s_run("USO over IPv4 with a short last segment, one segment");
    s_uso(15, 20, 3000, 999, 'h0400, 'hFFFF, 3000, 0, 0);  // odd MACLEN: odd L4 offset
    s_uso(18, 24, 2001, 700, 'h0500, 'h0, 2001, 0, 0);     // VLAN, IP options
    s_uso(14, 20, 0, 1472, 'h0600, 'hFFFF, 0, 0, 0);       // no payload
    s_run("USO with an odd MACLEN, IP options, no payload");
    s_uso(14, 40, 5000, 1232, 0, 0, 5000, 1, 0);
    s_uso(15, 40, 2999, 1000, 0, 0, 2999, 1, 0);
    s_run("USO over IPv6, an odd MACLEN");
    s_uso(14, 20, 2500, 1000, 'h0700, 'hFFFF, 2500, 0, 1);
    s_uso(15, 40, 2500, 1000, 0, 0, 2500, 1, 1);
    s_run("USO, a segment's UDP checksum computing to 0");
    s_uso(14, 20, 2500, 1000, 'h0800, 'hFFFF, 2400, 0, 0);
    s_plain(60);
    s_run("USO whose PAYLEN does not match its data");
    // A random mix: checksum offload of any size up to the jumbo limit and TCP and UDP
    // segmentation with any MSS, odd MACLENs, IP and TCP options, UDP also over IPv6
    for (int i = 0; i < 40; i++) begin
      rng  = next_rand(rng);
      r    = rng;
      rm   = (r[1:0] == 2'd0) ? 18 : (r[1:0] == 2'd1) ? 15 : 14;
      rl4  = r[3] ? 32 : 20;
      rng  = next_rand(rng);
      if (r[7:5] == 3'd0) begin  // TSO, MSS 536..1559, up to 12 KB of payload
        s_tso(rm, r[4] ? 24 : 20, rl4, int'(rng[13:0]) % 12000, 536 + int'(rng[29:20]) % 1024,
              'h18, int'(rng[15:0]), int'(rng), 'hFFFF, int'(rng[13:0]) % 12000, 0);
      end else if (r[7:5] == 3'd1 || r[7:5] == 3'd2) begin  // USO as TSO, over IPv4 or 6
        s_uso(rm, r[12] ? 40 : r[4] ? 24 : 20, int'(rng[13:0]) % 12000,
              536 + int'(rng[29:20]) % 1024, int'(rng[15:0]), 'hFFFF,
              int'(rng[13:0]) % 12000, int'(r[12]), 0);
      end else begin
        rpay = r[8] ? int'(rng[13:0]) % (9728 - 14 - 24 - 32 - 4) : int'(rng[10:0]) % 1500;
        s_csum(rm, r[4] ? 24 : 20, int'(r[9]), r[9] ? rl4 : 8, rpay, int'(r[10]), int'(r[11]), -1);
      end
    end
    s_run("random mix");
    if (nst > NStep) begin
      $display("FAIL testbench: %0d steps, room for %0d", nst, NStep);
      failures++;
    end

    repeat (3) @(negedge clk);
    rst_n = 1'b1;
    repeat (2) @(negedge clk);
    for (int pass = 0; pass < 2; pass++) begin
      gaps = pass == 1;
      for (int i = 0; i < nst; i++) begin
        unique case (st_kind[i])
          KPlain: case_plain(st_a[i][0]);
          KCsum: begin
            case_csum(st_a[i][0], st_a[i][1], st_a[i][2] != 0, st_a[i][3], st_a[i][4],
                      st_a[i][5] != 0, st_a[i][6] != 0, st_a[i][7]);
            if (plant && pass == 0 && i == plant_step) begin
              ex_mem[ex_off[ex_wr - 1] + st_a[i][0] + st_a[i][1] + 7] ^= 8'h01;
            end
          end
          KTso: case_tso(st_a[i][0], st_a[i][1], st_a[i][2], st_a[i][3], st_a[i][4],
                         8'(st_a[i][5]), 16'(st_a[i][6]), 32'(st_a[i][7]), 16'(st_a[i][8]),
                         st_a[i][9], st_a[i][10] != 0);
          KUso: case_uso(st_a[i][0], st_a[i][1], st_a[i][2], st_a[i][3], 16'(st_a[i][4]),
                         16'(st_a[i][5]), st_a[i][6], st_a[i][7] != 0, st_a[i][8] != 0);
          KTrunc: case_tso_truncated(st_a[i][0]);
          default: run_group(st_name[i]);
        endcase
      end
    end
    if (failures == 0) $display("PASS");
    else $display("FAIL: %0d check(s)", failures);
    $finish;
  end

endmodule
