// SPDX-License-Identifier: Apache-2.0
// igb_tx_mac: the MAC's transmit side. It takes finished frames from igb_tx_offload (16-byte
// beats, no FCS) and puts them on the transmit stream as they go on the wire, from the
// destination address to the FCS (reference C.5):
//   - a frame shorter than 60 bytes is padded with zeros to 60 when TCTL.PSP is set (64 with
//     the FCS);
//   - the FCS, CRC-32 of the frame (padding included) in Ethernet order (the complement of the
//     reflected CRC, least significant byte first), is appended when the packet's first data
//     descriptor had IFCS; without IFCS the frame goes as software gave it.
// The packet's attributes (IFCS, queue) come from a small FIFO filled as each packet enters
// the offload block (frame_push_i): the offload stores whole frames, so the MAC cannot read
// them off the packet buffer's head. A packet with TSE may leave as several frames (segments);
// its entry goes with the frame the offload block marks as its packet's last (in_pkt_last_i),
// however many frames its data made (a TSO packet whose data missed PAYLEN included). A TSO
// packet the offload block drops whole (its data ended inside its header: only a malformed
// descriptor chain gives one) makes no frame: a token comes in its place (in_drop_i, one beat
// between frames, in order with them), and its entry goes with it, so the packets after it
// keep their own IFCS and queue.
// Statistics (reference A.5): every frame sent counts in TPT/TOT; a data frame (there are no
// transmit errors in the model) in GPTC/GOTC and its queue's PQGPTC too, a PAUSE frame not:
// GPTC "does not include transmitted flow control packets" (8254x SDM 13.7, DS-I210 8.19), TPT
// "counts all packets" (XONTXC/XOFFTXC count PAUSE frames). Octets are the frame's bytes on the
// wire from the destination address through the FCS.
// Flow control (igb_fc): while tx_pause_i is set no data frame starts (the frame in progress
// finishes); PAUSE frames from the fc_* stream go at the next frame boundary, ahead of data
// and even while paused (IEEE 802.3 Annex 31B), with the FCS appended.
// Output: a skid buffer, so the host's ready (the wire's pace) reaches no logic here.
`default_nettype none

module igb_tx_mac #(
  parameter int NumQ = 8
) (
  input  wire logic            clk_i,
  input  wire logic            rst_ni,
  input  wire logic            psp_i,          // TCTL.PSP

  // Packet attributes, pushed as the packet's first beat enters the offload block
  input  wire logic            frame_push_i,
  input  wire logic            frame_ifcs_i,
  input  wire logic [2:0]      frame_queue_i,
  output      logic            frame_full_o,

  // Frames in (from igb_tx_offload): in_bytes_i valid bytes of the last beat, 0 meaning 16
  input  wire logic            in_valid_i,
  output      logic            in_ready_o,
  input  wire logic [127:0]    in_data_i,
  input  wire logic            in_last_i,
  input  wire logic            in_pkt_last_i,  // with in_last_i: the packet's last frame
  input  wire logic            in_drop_i,      // a dropped packet's token: no bytes
  input  wire logic [4:0]      in_bytes_i,

  // Flow control (igb_fc): start no data frame while tx_pause_i; PAUSE frames to send (60
  // bytes without FCS; fc_bytes_i 16, or 12 in the last beat)
  input  wire logic            tx_pause_i,
  input  wire logic            fc_valid_i,
  output      logic            fc_ready_o,
  input  wire logic [127:0]    fc_data_i,
  input  wire logic            fc_last_i,
  input  wire logic [4:0]      fc_bytes_i,

  // Transmit stream (the wire): tx_bytes_o valid bytes of the last beat, 1..16
  output      logic            tx_valid_o,
  input  wire logic            tx_ready_i,
  output      logic [127:0]    tx_data_o,
  output      logic            tx_last_o,
  output      logic [4:0]      tx_bytes_o,

  // Statistics events: a frame went (TPT, TOT), good (GPTC, GOTC, PQGPTC), its bytes
  output      logic            tpt_inc_o,
  output      logic            gptc_inc_o,
  output      logic [15:0]     frame_bytes_o,
  output      logic [NumQ-1:0] pqgptc_inc_o,

  output      logic            busy_o
);
  localparam int Fd = 4;  // packet attribute entries
  localparam int FmW = 1 + 3;
  localparam logic [15:0] MinFrame = 16'd60;  // without FCS

  // Packet attributes
  logic [FmW-1:0] fm_q [Fd];
  logic [2:0]     fwr_q, frd_q;
  logic           fm_valid, fm_pop;
  logic           h_ifcs;
  logic [2:0]     h_queue;
  assign fm_valid     = fwr_q != frd_q;
  assign frame_full_o = (fwr_q - frd_q) == 3'(Fd);
  assign {h_ifcs, h_queue} = fm_q[frd_q[1:0]];

  // Ethernet CRC-32 (reflected 0xEDB88320) over the first n bytes of a beat
  function automatic logic [31:0] crc_bytes(input logic [31:0] crc_in, input logic [127:0] data,
                                            input logic [4:0] n);
    logic [31:0] c;
    c = crc_in;
    for (int i = 0; i < 16; i++) begin
      if (5'(i) < n) begin
        c = c ^ {24'h0, data[8 * i +: 8]};
        for (int k = 0; k < 8; k++) c = c[0] ? ((c >> 1) ^ 32'hEDB8_8320) : (c >> 1);
      end
    end
    crc_bytes = c;
  endfunction

  // Frame state: bytes put out so far, the CRC so far; once the frame's data is all in, its
  // padded length and end (with the FCS), and the FCS once known
  logic        tail_q, tail_d;
  logic [15:0] pos_q, pos_d, padded_q, padded_d, end_q, end_d;
  logic [31:0] crc_q, crc_d, fcs_q, fcs_d;
  logic        fcs_known_q, fcs_known_d;
  logic        plast_q, plast_d;  // the frame whose tail goes out is its packet's last

  logic          sk_ready, sk_valid, act, beat_go, in_take;
  logic [127:0]  beat;
  logic          beat_last;
  logic [4:0]    beat_bytes;
  logic [4:0]    k_in, n_crc;
  logic [15:0]   total, padded, endb;
  logic [31:0]   crc_after, fcs;
  logic [127:0]  src;
  logic [15:0]   boff;

  // The source of the frame: at a frame boundary a waiting PAUSE frame first, else a data frame
  // unless paused; within a frame the one it started with (fc_sel_q)
  logic        fc_sel_q, fc_sel_d, boundary, src_fc, data_ok;
  logic        m_valid, m_last, m_ifcs;
  logic [127:0] m_data;
  logic [4:0]  m_bytes;
  assign boundary = !tail_q && pos_q == '0;
  assign src_fc   = boundary ? fc_valid_i : fc_sel_q;
  assign data_ok  = in_valid_i && fm_valid && !(boundary && tx_pause_i);
  assign m_valid  = src_fc ? fc_valid_i : data_ok;
  assign m_data   = src_fc ? fc_data_i : in_data_i;
  assign m_last   = src_fc ? fc_last_i : in_last_i;
  assign m_bytes  = src_fc ? fc_bytes_i : in_bytes_i;
  assign m_ifcs   = src_fc || h_ifcs;  // a PAUSE frame gets its FCS
  assign act = tail_q || m_valid;
  // A dropped packet's token, taken as a beat is (in_ready_o, so exactly when the offload sees
  // it go): its entry goes, nothing goes out
  logic drop_tok;
  assign drop_tok = in_valid_i && in_ready_o && in_drop_i;
  always_comb begin
    tail_d      = tail_q;
    pos_d       = pos_q;
    padded_d    = padded_q;
    end_d       = end_q;
    crc_d       = crc_q;
    fcs_d       = fcs_q;
    fcs_known_d = fcs_known_q;
    plast_d     = plast_q;
    fc_sel_d    = fc_sel_q;
    beat        = '0;
    beat_last   = 1'b0;
    beat_bytes  = 5'd16;
    beat_go     = 1'b0;
    in_take     = 1'b0;
    fm_pop      = 1'b0;
    tpt_inc_o   = 1'b0;
    gptc_inc_o  = 1'b0;
    frame_bytes_o = '0;
    pqgptc_inc_o  = '0;
    k_in      = '0;
    n_crc     = '0;
    total     = '0;
    padded    = '0;
    endb      = '0;
    crc_after = crc_q;
    fcs       = fcs_q;
    src       = '0;
    boff      = '0;
    if (drop_tok) begin
      fm_pop = 1'b1;
    end else if (act && sk_ready) begin  // only then: the CRC is the costly part
      beat_go = 1'b1;
      if (!tail_q) begin
        in_take = 1'b1;
        k_in    = (m_last && m_bytes != 5'd0) ? m_bytes : 5'd16;
        src     = m_data;
        for (int unsigned b = 0; b < 16; b++)
          if (5'(b) >= k_in) src[8 * b +: 8] = 8'h0;
      end
      if (tail_q) begin
        padded = padded_q;
        endb   = end_q;
      end else if (m_last) begin
        total  = pos_q + 16'(k_in);
        padded = (psp_i && total < MinFrame) ? MinFrame : total;
        endb   = padded + (m_ifcs ? 16'd4 : 16'd0);
      end
      // Bytes of this beat the CRC covers: data and padding
      if (!tail_q && !m_last)      n_crc = 5'd16;
      else if (padded <= pos_q)    n_crc = 5'd0;
      else if (padded - pos_q >= 16'd16) n_crc = 5'd16;
      else                         n_crc = 5'(padded - pos_q);
      crc_after = crc_bytes(crc_q, src, n_crc);
      fcs       = fcs_known_q ? fcs_q : ~crc_after;
      beat      = src;
      if (tail_q || m_last) begin
        for (int unsigned b = 0; b < 16; b++) begin
          boff = pos_q + 16'(b) - padded;  // which FCS byte, when it is one
          if (pos_q + 16'(b) >= padded && pos_q + 16'(b) < endb)
            beat[8 * b +: 8] = fcs[{boff[1:0], 3'b000} +: 8];
        end
        beat_last  = endb <= pos_q + 16'd16;
        beat_bytes = beat_last ? 5'(endb - pos_q) : 5'd16;
      end
      crc_d = crc_after;
      pos_d = pos_q + 16'd16;
      if (boundary) fc_sel_d = src_fc;
      if (!tail_q && m_last && !beat_last) begin
        tail_d   = 1'b1;
        padded_d = padded;
        end_d    = endb;
        plast_d  = in_pkt_last_i;
      end
      if (padded <= pos_q + 16'd16 && (tail_q || m_last)) begin
        fcs_d       = fcs;
        fcs_known_d = 1'b1;
      end
      if (beat_last) begin
        // The frame is out: count it; the packet's entry goes with its last frame
        tail_d        = 1'b0;
        pos_d         = '0;
        crc_d         = 32'hFFFF_FFFF;
        fcs_known_d   = 1'b0;
        fc_sel_d      = 1'b0;
        tpt_inc_o     = 1'b1;
        frame_bytes_o = endb;
        if (!src_fc) begin  // a data frame: its packet's accounting
          gptc_inc_o = 1'b1;
          for (int unsigned q = 0; q < NumQ; q++) pqgptc_inc_o[q] = h_queue == 3'(q);
          fm_pop = tail_q ? plast_q : in_pkt_last_i;
        end
      end
    end
  end
  assign in_ready_o = !tail_q && !src_fc && fm_valid && !(boundary && tx_pause_i) && sk_ready;
  assign fc_ready_o = !tail_q && src_fc && sk_ready;

  igb_skid #(.W(128 + 1 + 5)) u_out_skid (
    .clk_i, .rst_ni, .in_valid_i(beat_go), .in_ready_o(sk_ready),
    .in_data_i({beat_last, beat_bytes, beat}),
    .out_valid_o(sk_valid), .out_ready_i(tx_ready_i),
    .out_data_o({tx_last_o, tx_bytes_o, tx_data_o})
  );
  assign tx_valid_o = sk_valid;

  always_ff @(posedge clk_i) begin
    if (frame_push_i)
      fm_q[fwr_q[1:0]] <= {frame_ifcs_i, frame_queue_i};
  end
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      fwr_q       <= '0;
      frd_q       <= '0;
      tail_q      <= 1'b0;
      pos_q       <= '0;
      padded_q    <= '0;
      end_q       <= '0;
      crc_q       <= 32'hFFFF_FFFF;
      fcs_q       <= '0;
      fcs_known_q <= 1'b0;
      plast_q     <= 1'b0;
      fc_sel_q    <= 1'b0;
    end else begin
      if (frame_push_i) fwr_q <= fwr_q + 3'd1;
      if (fm_pop)       frd_q <= frd_q + 3'd1;
      tail_q      <= tail_d;
      pos_q       <= pos_d;
      padded_q    <= padded_d;
      end_q       <= end_d;
      crc_q       <= crc_d;
      fcs_q       <= fcs_d;
      fcs_known_q <= fcs_known_d;
      plast_q     <= plast_d;
      fc_sel_q    <= fc_sel_d;
    end
  end

  // Busy: a beat goes into the skid buffer this edge, or a token is taken. Beats waiting there
  // for the wire are not: the host knows when the wire takes the next (tx_ready_i) and clocks
  // clk_i then.
  assign busy_o = beat_go || drop_tok;

  logic unused;
  assign unused = ^{in_take, boff[15:2]};

`ifndef SYNTHESIS
`ifndef IGB_NO_ASSERTIONS  // Icarus Verilog 11 parses none (testbench/rtl_tb/run.sh)
  always_ff @(posedge clk_i) begin
    if (rst_ni) begin
      a_attr_room: assert (!frame_push_i || !frame_full_o)
        else $error("tx_mac: packet attributes pushed into a full FIFO");
      // A token is taken between frames, never inside one (it may be offered while a frame's
      // FCS tail or a PAUSE frame still goes out)
      a_drop_between: assert (!drop_tok || boundary)
        else $error("tx_mac: a dropped packet's token taken inside a frame");
      // A frame on the wire is at least 60 bytes plus FCS when PSP pads it
      // No data frame starts while paused (a PAUSE frame may)
      a_no_start_paused: assert (!(beat_go && boundary && tx_pause_i && !src_fc))
        else $error("tx_mac: a data frame started while transmission is paused");
      a_padded: assert (!(beat_go && beat_last && psp_i && m_ifcs) || endb >= 16'd64)
        else $error("tx_mac: padded frame of %0d bytes", endb);
    end
  end
`endif
`endif
endmodule
