// SPDX-License-Identifier: Apache-2.0
// igb_tx_offload: the transmit checksum insertion and TCP/UDP segmentation (TSO) of the part,
// between the data reads of the transmit DMA and the MAC. A packet arrives as 16-byte beats
// with its offload request (the context and first data descriptor's fields: TSE, IXSM, TXSM,
// L4T, IPV4, MACLEN, IPLEN, L4LEN, MSS, PAYLEN); finished frames leave, without FCS.
//
// Store-and-forward, as the part (DS-I210 7.2.1): a frame's checksums depend on all its bytes,
// so a frame is written whole into one of two frame stores (9728 bytes each, DTXMXPKTSZ)
// while its sums accumulate, and leaves from there with its fields patched. Two stores let
// the next frame fill while one drains: one 16-byte beat a cycle on both sides.
// - IXSM: the IPv4 header checksum, at MACLEN + 10, the complement of the sum of the IPLEN
//   header bytes including the field as software left it (8254x SDM 3.5.8: "including the
//   checksum field itself"; igb_tso leaves 0xFFFF there, which adds nothing).
// - TXSM: the TCP (L4T 1, field at +16) or UDP (+6) checksum, the complement of the sum from
//   MACLEN + IPLEN to the end of the frame, the field included: software pre-seeds it with
//   the pseudo-header sum (Linux udp4_hwcsum / tcp_v4_send_check), so the part adds no
//   pseudo-header of its own. A UDP checksum that computes to 0 is sent as 0xFFFF (RFC 768:
//   0 means "no checksum"), as QEMU's model does (net_checksum_finish_nozero); the datasheet
//   text we have does not say. A TCP checksum of 0 stays 0.
// - TSE: the MACLEN + IPLEN + L4LEN header bytes go to a header store; the payload after
//   them is cut into segments of MSS bytes (the last one shorter), each sent as the header
//   plus its payload, with (DS-I210 7.2.4.7): IPv4 total length (IPv6 payload length), IP ID
//   the prototype's plus the segment's index, and both checksums. The seeded L4 checksum
//   field then holds the pseudo-header without its length (DS-I210 Tbl 7-41; igb_tso
//   removes the length): the part adds each segment's L4 length.
//   TCP (L4T 1): also the sequence number plus the payload before the segment, and the flags
//   ANDed with a mask for the first, middle or last segment (DTXTCPFLGL/H, parameters here).
//   UDP (L4T 0, L4LEN 8; Linux igb since "igb: Add UDP segmentation offload support", v5.5,
//   NETIF_F_GSO_UDP_L4 from the 82576 on): each segment is a datagram of its own, so its UDP
//   length (+4) is 8 plus its payload, and its checksum covers that length twice (pseudo-
//   header and UDP header). The prototype's length field holds the whole GSO length
//   (udp_send_skb), so it is left out of the sums and rewritten; there is no sequence number
//   or flags. A segment's UDP checksum of 0 is sent as 0xFFFF, as for any UDP checksum.
// Segments are cut by the bytes that arrive; PAYLEN is checked against them at the end. The
// part, on a TSO context whose data does not match PAYLEN, ends the context and counts it in
// TSCTFC (8254x SDM, TDESC.EOP); here tso_err_o pulses once for it, and the frames sent are
// those the data made. A TSO packet that ends inside its header is dropped (tso_err_o too),
// and in its place, in order with the frames before it, goes a one-beat token (out_drop_o, with
// out_last_o and out_pkt_last_o) that carries no bytes: the MAC takes its attributes off with it.
// Planted bug (fault_bad_csum_i, simulation only): the inserted TCP/UDP checksum is one too
// many.
`default_nettype none

module igb_tx_offload #(
  // TCP flag masks of DTXTCPFLGL (first, middle segment) and DTXTCPFLGH (last), 12 bits over
  // the TCP header's bytes 12 (low nibble) and 13. The datasheet text (DS-I210 7.2.4.7)
  // commits only to FIN and PSH: cleared in the first and middle segments, kept in the last.
  // CWR: kept in the first segment only, as Linux's software GSO does (tcp_gso_segment) and
  // RFC 3168 asks; the part's reset values for it are not in the text we have (82599 keeps
  // it in middle segments, 0xFF6). igb never hands the part a CWR segment (no
  // NETIF_F_TSO_ECN), so Linux traffic cannot tell. A one-segment TSO packet is both first
  // and last: it keeps a flag either mask keeps (unchanged with these values).
  parameter logic [11:0] TcpFlgFirst = 12'hFF6,
  parameter logic [11:0] TcpFlgMid   = 12'hF76,
  parameter logic [11:0] TcpFlgLast  = 12'hF7F
) (
  input  wire logic         clk_i,
  input  wire logic         rst_ni,
  // Packet in, from the data reads; bytes valid in the last beat, 0 meaning 16
  input  wire logic         in_valid_i,
  output      logic         in_ready_o,
  input  wire logic [127:0] in_data_i,
  input  wire logic         in_last_i,
  input  wire logic [4:0]   in_bytes_i,
  // Offload request, stable from the packet's first beat to its last
  input  wire logic         tse_i,
  input  wire logic         ixsm_i,
  input  wire logic         txsm_i,
  input  wire logic         l4t_tcp_i,  // 1 TCP, 0 UDP
  input  wire logic         ipv4_i,
  input  wire logic [6:0]   maclen_i,
  input  wire logic [8:0]   iplen_i,
  input  wire logic [7:0]   l4len_i,
  input  wire logic [15:0]  mss_i,
  input  wire logic [17:0]  paylen_i,
  // Frames out, to the MAC (no FCS)
  output      logic         out_valid_o,
  input  wire logic         out_ready_i,
  output      logic [127:0] out_data_o,
  output      logic         out_last_o,
  output      logic         out_pkt_last_o,  // with out_last_o: the packet's last frame
  output      logic         out_drop_o,      // a dropped packet's token (no bytes; see above)
  output      logic [4:0]   out_bytes_o,
  // One cycle per TSO packet whose payload did not add up to PAYLEN (the part's TSCTFC)
  output      logic         tso_err_o,
  // A step this edge: a beat taken, stored, read or leaving (the host's clock gate)
  output      logic         busy_o,
  // Planted bug: the inserted TCP/UDP checksum is off by one (see the header)
  input  wire logic         fault_bad_csum_i
);

  localparam int StoreBytes = 9728;  // DTXMXPKTSZ: the largest frame the part sends
  localparam int StoreWords = StoreBytes / 16;
  localparam int HdrWords   = 32;    // MACLEN + IPLEN + L4LEN <= 512 (DS-I210 7.2.4)

  // ---------------------------------------------------------------------------------------
  // Byte arithmetic on 16-byte words. Positions are bytes from the frame's start (16 bits);
  // a word at position wp holds bytes wp .. wp + 15, byte 0 in bits 7:0.

  // The lanes of the word at wp that hold bytes [lo, hi)
  function automatic logic [15:0] lanes(input logic [15:0] wp, input logic [15:0] lo,
                                        input logic [15:0] hi);
    logic [16:0] a, b;
    logic [15:0] below_a, below_b;
    a = (lo <= wp) ? 17'h0 : (lo - wp >= 16'd16) ? 17'd16 : 17'(lo - wp);
    b = (hi <= wp) ? 17'h0 : (hi - wp >= 16'd16) ? 17'd16 : 17'(hi - wp);
    below_a = (a >= 17'd16) ? 16'hFFFF : (16'h1 << a[3:0]) - 16'h1;
    below_b = (b >= 17'd16) ? 16'hFFFF : (16'h1 << b[3:0]) - 16'h1;
    lanes = below_b & ~below_a;
  endfunction

  // The sum of a word's 16-bit big-endian pairs (bytes 2j, 2j+1), keeping the bytes of keep:
  // a ones'-complement sum in frame alignment, folded later.
  function automatic logic [31:0] word_sum(input logic [127:0] w, input logic [15:0] keep);
    word_sum = '0;
    for (int j = 0; j < 8; j++) begin
      word_sum = word_sum + {16'h0, w[16 * j +: 8] & {8{keep[2 * j]}},
                             w[16 * j + 8 +: 8] & {8{keep[2 * j + 1]}}};
    end
  endfunction

  // Fold a 32-bit sum to 16 bits with end-around carry
  function automatic logic [15:0] fold(input logic [31:0] s);
    logic [16:0] t;
    t = {1'b0, s[15:0]} + {1'b0, s[31:16]};
    fold = t[15:0] + {15'h0, t[16]};
  endfunction

  // A 16-bit field at an even (odd) position, as it adds into a frame-aligned sum: swapped if
  // odd.
  // A region starting at an odd position sums to its frame-aligned sum byte-swapped (RFC 1071,
  // byte-order independence), so odd MACLEN or IPLEN cost one swap at the end.
  function automatic logic [31:0] at(input logic odd, input logic [15:0] v);
    at = {16'h0, odd ? {v[7:0], v[15:8]} : v};
  endfunction

  function automatic logic [15:0] swap_if(input logic c, input logic [15:0] v);
    swap_if = c ? {v[7:0], v[15:8]} : v;
  endfunction

  // The word at wp with the nb-byte big-endian field v written at position p (where it falls)
  function automatic logic [127:0] put(input logic [127:0] w, input logic [15:0] wp,
                                       input logic [15:0] p, input logic [2:0] nb,
                                       input logic [31:0] v);
    logic [15:0] d;
    put = w;
    for (int l = 0; l < 16; l++) begin
      d = wp + 16'(l) - p;
      if (d < 16'(nb)) put[8 * l +: 8] = v[8 * (32'(nb) - 1 - 32'(d)) +: 8];
    end
  endfunction

  // The byte at position p if the word at wp holds it, else old
  function automatic logic [7:0] get(input logic [127:0] w, input logic [15:0] wp,
                                     input logic [15:0] p, input logic [7:0] old);
    logic [15:0] d;
    d = p - wp;
    get = (p >= wp && d < 16'd16) ? w[8 * d[3:0] +: 8] : old;
  endfunction

  // ---------------------------------------------------------------------------------------
  // Fill side: the input through a 32-byte gearbox into a frame store (or the header store)

  typedef enum logic [1:0] {StIdle, StHeader, StFrame} fill_e;

  // What the drain side needs of a stored frame
  typedef struct packed {
    logic [15:0] len;     // frame bytes
    logic        drop;    // no frame: a dropped packet's token, one word read for nothing
    logic        tso;     // a TSO segment: header from the header store, fields patched
    logic        plast;   // its packet's last frame
    logic [15:0] hlen;    // TSO header bytes
    logic [15:0] ipoff;   // MACLEN
    logic [15:0] l4off;   // MACLEN + IPLEN
    logic [15:0] l4len;   // TSO: L4LEN
    logic [15:0] iplen;
    logic        ipv4;
    logic        ixsm;
    logic        txsm;
    logic        tcp;
    logic [31:0] ipsum;   // frame-aligned sums (TSO: without the patched fields)
    logic [31:0] l4sum;
    logic [15:0] pay;     // TSO: segment payload bytes
    logic [15:0] ipid;
    logic [31:0] seq;     // TSO over TCP (over UDP: bytes of the header, unused)
    logic [15:0] flags;   // TSO over TCP: the TCP header's bytes 12..13 with the segment's mask
  } meta_t;

  fill_e       state_q, state_d;
  logic [255:0] gb_q, gb_d;        // gearbox bytes, byte 0 (bits 7:0) first
  logic [5:0]   gb_cnt_q, gb_cnt_d;
  logic         done_q, done_d;    // the packet's last beat is in the gearbox
  logic [15:0]  wpos_q, wpos_d;    // where the next byte goes in the frame (or header)
  logic         wb_q, wb_d;        // frame store being filled
  logic [31:0]  ipa_q, ipa_d, l4a_q, l4a_d;  // sums of the frame being filled
  logic [31:0]  ipb_q, ipb_d, l4b_q, l4b_d;  // TSO: sums of the header alone
  logic         first_q, first_d;  // TSO: filling the first segment
  logic [15:0]  ipid_q, ipid_d, flg_q, flg_d;
  logic [31:0]  seq_q, seq_d;
  logic [17:0]  paysum_q, paysum_d;  // TSO: payload bytes of the segments so far
  logic [1:0]   full_q, full_d;      // frame stores holding a frame to send
  meta_t        meta0_q, meta0_d, meta1_q, meta1_d;  // per frame store
  logic         err_q, err_d;
  // The packet's request, taken with its first beat (the inputs may move on after its last)
  logic         tse_q, ixsm_q, txsm_q, tcp_q, ipv4_q;
  logic [15:0]  ipoff_q, iplen_q, l4len_q, mss_q;
  logic [17:0]  paylen_q;

  // Drain side state the fill side sees: the store being read, and when it is done
  logic         rb_q, rb_d, issue, drain_done, pop, push;
  logic [9:0]   rd_a_q, rd_a_d;

  logic [15:0] l4off, hlen;
  assign l4off = ipoff_q + iplen_q;
  assign hlen  = l4off + l4len_q;

  // This cycle's take from the gearbox: n bytes to lane o of the word at wpos
  logic [15:0] limit, left, wp;
  logic [4:0]  room, want, take_n;
  logic [3:0]  o;
  logic        go, ends, complete, truncated, drop_go, hdr_free, last_seg;
  logic [15:0] wl, ip_keep, l4_keep;
  logic [127:0] wdata;
  logic        fs_we, hs_we;
  logic [4:0]  in_n;
  logic [5:0]  cnt_after;
  logic        accept, pkt_end, start;
  logic [15:0] seg_pay;
  logic [11:0] fmask;
  meta_t       nm;  // the frame the fill side completes
  logic        store;  // nm goes to the free frame store this edge

  always_comb begin
    o        = wpos_q[3:0];
    wp       = {wpos_q[15:4], 4'h0};
    room     = 5'd16 - {1'b0, o};
    limit    = (state_q == StHeader) ? hlen : tse_q ? hlen + mss_q : 16'hFFFF;
    left     = limit - wpos_q;
    want     = (left < 16'(room)) ? left[4:0] : room;
    // The header store is shared by all segments: a new header waits for both stores to drain
    hdr_free = full_q == 2'b00;
    go       = 1'b0;
    take_n   = '0;
    if (state_q == StHeader) begin
      go = hdr_free && (gb_cnt_q >= 6'(want));
    end else if (state_q == StFrame) begin
      go = !full_q[wb_q] && (gb_cnt_q >= 6'(want) || done_q);
    end
    if (go) take_n = (gb_cnt_q >= 6'(want)) ? want : gb_cnt_q[4:0];
    truncated = state_q == StHeader && done_q && gb_cnt_q < 6'(want);
    drop_go   = truncated && !full_q[wb_q];  // its token takes a store
    ends      = done_q && gb_cnt_q == 6'(take_n);  // the take empties the packet
    complete  = go && (ends || wpos_q + 16'(take_n) == limit);
    pkt_end   = state_q == StFrame && complete && ends;  // the packet's last frame is stored
    // The lanes written, the data rotated to them (zero elsewhere)
    wl       = 16'(((17'h1 << take_n) - 17'h1) << o);
    wdata    = (gb_q[127:0] & ~({128{1'b1}} << (8 * take_n))) << (8 * o);
    fs_we    = go && state_q == StFrame && take_n != '0;
    hs_we    = go && state_q == StHeader;
  end

  // The bytes of this take that the sums keep. TSO header: the fields each segment rewrites
  // (IPv4 total length and ID; TCP sequence number and flags, or the UDP length) are left out
  // and added per segment by the drain side; the seeded checksum fields stay in (the UDP one
  // is at +6, next to the length). (The conditions around the range logic only spare the
  // Verilated model work on payload words.)
  always_comb begin
    ip_keep = '0;
    l4_keep = '0;
    if (go && state_q == StHeader) begin
      ip_keep = wl & lanes(wp, ipoff_q, l4off) & ~lanes(wp, ipoff_q + 16'd2, ipoff_q + 16'd6);
      if (tcp_q) begin
        l4_keep = wl & lanes(wp, l4off, hlen) & ~lanes(wp, l4off + 16'd4, l4off + 16'd8)
                  & ~lanes(wp, l4off + 16'd12, l4off + 16'd14);
      end else begin
        l4_keep = wl & lanes(wp, l4off, hlen) & ~lanes(wp, l4off + 16'd4, l4off + 16'd6);
      end
    end else if (go && state_q == StFrame) begin
      if (tse_q || wp >= l4off) begin
        l4_keep = wl;  // a segment's payload; transport bytes
      end else begin
        ip_keep = wl & lanes(wp, ipoff_q, l4off);
        l4_keep = wl & lanes(wp, l4off, 16'hFFFF);
      end
    end
  end

  // The gearbox: a take leaves from the front, an accepted beat joins at the back. It takes a
  // beat when at most 16 bytes stay after this cycle's take, so it never holds more than 32;
  // it holds one packet: the next one's first beat comes in as the last frame is stored.
  always_comb begin
    in_n       = (in_bytes_i == 5'd0) ? 5'd16 : in_bytes_i;
    cnt_after  = gb_cnt_q - 6'(take_n);
    in_ready_o = (!done_q && !truncated && cnt_after <= 6'd16) || pkt_end;
    accept     = in_valid_i && in_ready_o;
    start      = accept && (state_q == StIdle || pkt_end);
    gb_d       = gb_q;
    if (take_n != '0) gb_d = gb_q >> (8 * take_n);
    gb_cnt_d   = cnt_after;
    if (accept) begin
      gb_d     = gb_d | ({128'h0, in_data_i & ~({128{1'b1}} << (8 * in_n))} << (8 * cnt_after));
      gb_cnt_d = cnt_after + 6'(in_n);
    end
    if (drop_go) begin
      gb_d     = '0;
      gb_cnt_d = '0;
    end
  end

  // The fill sequence, per packet: StIdle until its first beat, StHeader for a TSO header,
  // StFrame for each frame (a whole packet, or a segment's payload behind the header).
  always_comb begin
    state_d  = state_q;
    done_d   = done_q || (accept && in_last_i);
    wpos_d   = wpos_q;
    wb_d     = wb_q;
    ipa_d    = ipa_q;
    l4a_d    = l4a_q;
    if (ip_keep != '0) ipa_d = ipa_q + word_sum(wdata, ip_keep);
    if (l4_keep != '0) l4a_d = l4a_q + word_sum(wdata, l4_keep);
    ipb_d    = ipb_q;
    l4b_d    = l4b_q;
    first_d  = first_q;
    ipid_d   = ipid_q;
    seq_d    = seq_q;
    flg_d    = flg_q;
    paysum_d = paysum_q;
    full_d   = full_q;
    meta0_d  = meta0_q;
    meta1_d  = meta1_q;
    nm       = '0;
    store    = 1'b0;
    err_d    = 1'b0;
    seg_pay  = wpos_q + 16'(take_n) - hlen;
    last_seg = ends;
    fmask    = (first_q && last_seg) ? (TcpFlgFirst | TcpFlgLast) : first_q ? TcpFlgFirst
             : last_seg ? TcpFlgLast : TcpFlgMid;
    // Header fields each segment rewrites, from the prototype
    if (hs_we) begin
      ipid_d[15:8] = get(wdata, wp, ipoff_q + 16'd4, ipid_q[15:8]);
      ipid_d[7:0]  = get(wdata, wp, ipoff_q + 16'd5, ipid_q[7:0]);
      for (int k = 0; k < 4; k++) begin
        seq_d[31 - 8 * k -: 8] = get(wdata, wp, l4off + 16'd4 + 16'(k), seq_q[31 - 8 * k -: 8]);
      end
      flg_d[15:8] = get(wdata, wp, l4off + 16'd12, flg_q[15:8]);
      flg_d[7:0]  = get(wdata, wp, l4off + 16'd13, flg_q[7:0]);
    end
    unique case (state_q)
      StIdle: ;
      StHeader: begin
        if (drop_go) begin
          state_d      = StIdle;
          done_d       = 1'b0;
          err_d        = 1'b1;
          nm.drop      = 1'b1;
          nm.plast     = 1'b1;
          store        = 1'b1;
        end else if (truncated) begin
          // the token waits for a store; the frames ahead of it leave first
        end else if (go) begin
          wpos_d = wpos_q + 16'(take_n);
          if (complete) begin
            state_d = StFrame;
            ipb_d   = ipa_d;
            l4b_d   = l4a_d;
          end
        end
      end
      StFrame: begin
        if (go) wpos_d = wpos_q + 16'(take_n);
        if (complete) begin
          nm.len   = wpos_q + 16'(take_n);
          nm.plast = ends;
          nm.tso   = tse_q;
          nm.hlen  = hlen;
          nm.ipoff = ipoff_q;
          nm.l4off = l4off;
          nm.l4len = l4len_q;
          nm.iplen = iplen_q;
          nm.ipv4  = ipv4_q;
          nm.ixsm  = ixsm_q;
          nm.txsm  = txsm_q;
          nm.tcp   = tcp_q;
          nm.ipsum = ipa_d;
          nm.l4sum = l4a_d;
          nm.pay   = seg_pay;
          nm.ipid  = ipid_q;
          nm.seq   = seq_q;
          nm.flags = flg_q & {4'hF, fmask};
          store    = 1'b1;
          if (ends) begin
            state_d = StIdle;
            done_d  = 1'b0;
            err_d   = tse_q && paysum_q + 18'(seg_pay) != paylen_q;
          end else begin  // the next TSO segment
            wpos_d   = hlen;
            first_d  = 1'b0;
            ipid_d   = ipid_q + 16'd1;
            seq_d    = seq_q + 32'(seg_pay);
            paysum_d = paysum_q + 18'(seg_pay);
            ipa_d    = ipb_q;
            l4a_d    = l4b_q;
          end
        end
      end
      default: state_d = StIdle;
    endcase
    // A frame (or a dropped packet's token) completed: into the free store, the next one next
    if (store) begin
      if (wb_q) meta1_d = nm;
      else meta0_d = nm;
      full_d[wb_q] = 1'b1;
      wb_d         = !wb_q;
    end
    // A packet's first beat: from StIdle, or as the previous packet's last frame is stored
    if (start) begin
      if (tse_i) state_d = StHeader;
      else state_d = StFrame;
      done_d   = in_last_i;
      wpos_d   = '0;
      first_d  = 1'b1;
      paysum_d = '0;
      ipa_d    = '0;
      l4a_d    = '0;
    end
    if (drain_done) full_d[rb_q] = 1'b0;
  end

  // ---------------------------------------------------------------------------------------
  // Stores: two frames and a TSO header, written by the fill side, read by the drain side a
  // cycle after the address.

  logic [127:0] fs_mem [2 * StoreWords];
  logic [127:0] hs_mem [HdrWords];
  logic [127:0] fs_rdata_q, hs_rdata_q;
  logic [10:0]  fs_waddr, fs_raddr;
  assign fs_waddr = 11'(wpos_q[15:4]) + (wb_q ? 11'(StoreWords) : 11'd0);
  assign fs_raddr = 11'(rd_a_q) + (rb_q ? 11'(StoreWords) : 11'd0);

  always_ff @(posedge clk_i) begin
    if (fs_we) fs_mem[fs_waddr] <= wdata;
    if (hs_we) hs_mem[wpos_q[8:4]] <= wdata;
    if (issue) begin  // read only for a word in flight: a stalled drain changes nothing
      fs_rdata_q <= fs_mem[fs_raddr];
      hs_rdata_q <= hs_mem[rd_a_q[4:0]];
    end
  end

  // ---------------------------------------------------------------------------------------
  // Drain side: read the full store word by word into a two-beat output queue, patching the
  // fields as the words come out of the store.

  logic         infl_q, infl_d, infl_bank_q, infl_last_q;
  logic [9:0]   infl_a_q;
  logic [9:0]   nwords;
  logic [1:0]   oq_cnt_q, oq_cnt_d;
  logic         oq_rd_q, oq_wr_q;
  logic [127:0] oq_data_q [2];
  logic [1:0]   oq_last_q, oq_plast_q, oq_drop_q;
  logic [4:0]   oq_bytes_q [2];

  assign nwords     = (rb_q ? meta1_q.drop : meta0_q.drop) ? 10'd1
                    : 10'(((rb_q ? meta1_q.len : meta0_q.len) + 16'd15) >> 4);
  assign pop        = out_valid_o && out_ready_i;
  assign issue      = full_q[rb_q] && (2'(oq_cnt_q) + 2'(infl_q) < 2'd2 || pop);
  assign drain_done = issue && rd_a_q == nwords - 10'd1;
  assign push       = infl_q;
  // Busy: a step this edge takes (the host's clock gate, igb_nic). A frame held in a store or
  // the output queue while the MAC takes nothing waits for the wire: no step.
  assign busy_o     = go || drop_go || accept || issue || infl_q || pop || err_q;
  always_comb begin
    rd_a_d   = issue ? (drain_done ? 10'd0 : rd_a_q + 10'd1) : rd_a_q;
    rb_d     = drain_done ? !rb_q : rb_q;
    infl_d   = issue;
    oq_cnt_d = oq_cnt_q + 2'(push) - 2'(pop);
  end

  // The frame the word in flight belongs to, and its finished fields
  meta_t        mr;
  logic [15:0]  rwp, totlen, l4tot, ip_csum, l4_csum, l4_fold;
  logic [31:0]  l4fix;
  logic [127:0] word;
  always_comb begin
    mr      = infl_bank_q ? meta1_q : meta0_q;
    rwp     = {2'b00, infl_a_q, 4'h0};
    word    = fs_rdata_q;
    totlen  = '0;
    l4tot   = '0;
    l4fix   = '0;
    ip_csum = '0;
    l4_fold = '0;
    l4_csum = '0;
    // Only header words change (the condition spares the Verilated model the payload words)
    if (infl_q && rwp < (mr.tso ? mr.hlen : mr.l4off + 16'd18)) begin
      totlen  = mr.iplen + mr.l4len + mr.pay;
      l4tot   = mr.l4len + mr.pay;  // TSO: the segment's L4 bytes (over UDP its UDP length)
      ip_csum = ~swap_if(mr.ipoff[0], fold(mr.ipsum + (mr.tso ? at(mr.ipoff[0], totlen)
                                                     + at(mr.ipoff[0], mr.ipid) : 32'h0)));
      // The header fields a TSO segment rewrites, left out of its sums by the fill side
      if (mr.tso && mr.tcp) begin
        l4fix = at(mr.l4off[0], mr.seq[31:16]) + at(mr.l4off[0], mr.seq[15:0])
              + at(mr.l4off[0], mr.flags);
      end else if (mr.tso) begin
        l4fix = at(mr.l4off[0], l4tot);
      end
      l4_fold = swap_if(mr.l4off[0], fold(mr.l4sum + l4fix));
      // The pseudo-header's length, which the seed lacks
      l4_csum = ~fold({16'h0, l4_fold} + (mr.tso ? {16'h0, l4tot} : 32'h0));
      if (!mr.tcp && l4_csum == 16'h0) l4_csum = 16'hFFFF;
      if (fault_bad_csum_i) l4_csum = l4_csum + 16'd1;
      // A TSO segment's header bytes come from the header store
      if (mr.tso) begin
        for (int l = 0; l < 16; l++) begin
          if (rwp + 16'(l) < mr.hlen) word[8 * l +: 8] = hs_rdata_q[8 * l +: 8];
        end
        if (mr.ipv4) begin
          word = put(word, rwp, mr.ipoff + 16'd2, 3'd2, {16'h0, totlen});
          word = put(word, rwp, mr.ipoff + 16'd4, 3'd2, {16'h0, mr.ipid});
        end else begin  // IPv6 payload length: all after the 40-byte fixed header
          word = put(word, rwp, mr.ipoff + 16'd4, 3'd2, {16'h0, totlen - 16'd40});
        end
        if (mr.tcp) begin
          word = put(word, rwp, mr.l4off + 16'd4, 3'd4, mr.seq);
          word = put(word, rwp, mr.l4off + 16'd12, 3'd2, {16'h0, mr.flags});
        end else begin
          word = put(word, rwp, mr.l4off + 16'd4, 3'd2, {16'h0, l4tot});
        end
      end
      if (mr.ixsm) word = put(word, rwp, mr.ipoff + 16'd10, 3'd2, {16'h0, ip_csum});
      if (mr.txsm || mr.tso) begin
        word = put(word, rwp, mr.l4off + (mr.tcp ? 16'd16 : 16'd6), 3'd2, {16'h0, l4_csum});
      end
    end
  end

  assign out_valid_o = oq_cnt_q != 2'd0;
  assign out_data_o  = oq_data_q[oq_rd_q];
  assign out_last_o  = oq_last_q[oq_rd_q];
  assign out_pkt_last_o = oq_plast_q[oq_rd_q];
  assign out_drop_o  = oq_drop_q[oq_rd_q];
  assign out_bytes_o = oq_bytes_q[oq_rd_q];
  assign tso_err_o   = err_q;

  always_ff @(posedge clk_i) begin
    if (push) begin
      oq_data_q[oq_wr_q]  <= word;
      oq_bytes_q[oq_wr_q] <= infl_last_q ? {1'b0, mr.len[3:0]} : 5'd0;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= StIdle;  gb_q <= '0;     gb_cnt_q <= '0;  done_q <= 1'b0;  wpos_q <= '0;
      wb_q <= 1'b0;       ipa_q <= '0;    l4a_q <= '0;     ipb_q <= '0;     l4b_q <= '0;
      first_q <= 1'b0;    ipid_q <= '0;   seq_q <= '0;     flg_q <= '0;     paysum_q <= '0;
      full_q <= '0;       meta0_q <= '0;  meta1_q <= '0;   err_q <= 1'b0;
      tse_q <= 1'b0;      ixsm_q <= 1'b0; txsm_q <= 1'b0;  tcp_q <= 1'b0;   ipv4_q <= 1'b0;
      ipoff_q <= '0;      iplen_q <= '0;  l4len_q <= '0;   mss_q <= '0;     paylen_q <= '0;
      rd_a_q <= '0;       rb_q <= 1'b0;   infl_q <= 1'b0;  infl_bank_q <= 1'b0;
      infl_a_q <= '0;     infl_last_q <= 1'b0;
      oq_cnt_q <= '0;     oq_rd_q <= 1'b0; oq_wr_q <= 1'b0; oq_last_q <= '0;
      oq_plast_q <= '0;   oq_drop_q <= '0;
    end else begin
      state_q  <= state_d;  gb_q <= gb_d;    gb_cnt_q <= gb_cnt_d;  done_q <= done_d;
      wpos_q   <= wpos_d;   wb_q <= wb_d;    ipa_q <= ipa_d;        l4a_q <= l4a_d;
      ipb_q    <= ipb_d;    l4b_q <= l4b_d;  first_q <= first_d;    ipid_q <= ipid_d;
      seq_q    <= seq_d;    flg_q <= flg_d;  paysum_q <= paysum_d;  full_q <= full_d;
      meta0_q  <= meta0_d;  meta1_q <= meta1_d;  err_q <= err_d;
      if (start) begin
        tse_q   <= tse_i;            ixsm_q  <= ixsm_i;          txsm_q <= txsm_i;
        tcp_q   <= l4t_tcp_i;        ipv4_q  <= ipv4_i;          ipoff_q <= 16'(maclen_i);
        iplen_q <= 16'(iplen_i);     l4len_q <= 16'(l4len_i);    mss_q <= mss_i;
        paylen_q <= paylen_i;
      end
      rd_a_q <= rd_a_d;  rb_q <= rb_d;  infl_q <= infl_d;
      if (issue) begin
        infl_bank_q <= rb_q;
        infl_a_q    <= rd_a_q;
        infl_last_q <= drain_done;
      end
      oq_cnt_q <= oq_cnt_d;
      if (pop) oq_rd_q <= !oq_rd_q;
      if (push) begin
        oq_wr_q <= !oq_wr_q;
        oq_last_q[oq_wr_q] <= infl_last_q;
        oq_plast_q[oq_wr_q] <= infl_last_q && mr.plast;
        oq_drop_q[oq_wr_q]  <= mr.drop;
      end
    end
  end

`ifndef SYNTHESIS
`ifndef IGB_NO_ASSERTIONS  // Icarus Verilog 11 parses none (testbench/rtl_tb/run.sh)
  always_ff @(posedge clk_i) begin
    if (rst_ni) begin
      // A frame fits its store; a TSO header its store; TSO is TCP, or UDP with its 8-byte
      // header, with an MSS
      if (fs_we) begin
        a_frame_fits: assert (wpos_q + 16'(take_n) <= 16'(StoreBytes))
          else $error("tx_offload: frame longer than %0d bytes", StoreBytes);
      end
      if (state_q == StHeader) begin
        a_tso_request: assert ((tcp_q || l4len_q == 16'd8) && mss_q != '0
                               && hlen <= 16'(16 * HdrWords) && hlen + mss_q <= 16'(StoreBytes))
          else $error("tx_offload: TSO needs TCP or UDP (L4LEN 8), MSS > 0, %s",
                      "a header <= 512 B, a segment <= 9728 B");
      end
      // The fill side never writes a store that holds a frame still to be sent
      if (fs_we) a_store_free: assert (!full_q[wb_q]) else $error("tx_offload: store overrun");
      // The output queue never overflows; a beat on offer stays as it is until taken
      a_queue: assert (oq_cnt_q <= 2'd2) else $error("tx_offload: output queue overflow");
    end
  end
  logic         held_q;
  logic [135:0] held_beat_q, beat_now;
  assign beat_now = {out_data_o, out_last_o, out_pkt_last_o, out_drop_o, out_bytes_o};
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      held_q      <= 1'b0;
      held_beat_q <= '0;
    end else begin
      held_q      <= out_valid_o && !out_ready_i;
      held_beat_q <= beat_now;
      if (held_q) begin
        a_out_stable: assert (out_valid_o && held_beat_q == beat_now)
          else $error("tx_offload: output beat changed before it was taken");
      end
      // A token is a whole packet's end, with no bytes
      if (out_valid_o && out_drop_o) begin
        a_drop_token: assert (out_last_o && out_pkt_last_o && out_bytes_o == '0)
          else $error("tx_offload: a dropped packet's token that is not one beat");
      end
    end
  end
`endif
`endif

endmodule
