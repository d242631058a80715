// SPDX-License-Identifier: Apache-2.0
// igb_rx_pktbuf: the on-chip receive packet buffer between the MAC and the DMA engine.
//
// Frames arrive on a 16-byte stream from the MAC (valid/ready, last, bytes valid in the last
// beat) and are stored as 64-bit words, two a beat (one for a last beat of up to 8 bytes).
// The MAC cannot stall the wire, so ready is always high: a frame that does not fit (data
// space or frame slots) is dropped whole and counted once (MPC). Before that, the MAC's
// receive filters, in the part's order (82576/I350/I210 datasheets, 7.1.1):
// - the address filter, from the first beat: a unicast frame passes if its destination is
//   RAR[0] (with AV set) or RCTL.UPE is set; a broadcast frame with RCTL.BAM (or MPE); any
//   other multicast frame with RCTL.MPE (the multicast table, MTA, is not modelled: no
//   group is joined). A frame that fails is dropped; the part counts it in no statistic
//   (ev_frame_filt_o tells the host, which accounts for it). A PAUSE frame the part consumes
//   (fc_drop_i, from igb_fc: CTRL.RFCE and RCTL.DPF) goes the same way: it is not for the host;
// - the size filter, on frames that passed the address filter: shorter than the Ethernet
//   minimum of 64 bytes (FCS included): dropped and counted in RUC (receive undersize count);
//   longer than 1518 bytes, or RLPML with RCTL.LPE set, plus 4 bytes per VLAN tag (up to
//   two): dropped and counted in ROC (receive oversize count). Linux adds both to
//   rx_length_errors. The part's MAC discards these frames before its FIFO, so neither
//   depends on the room left in the buffer; a frame is not written once it is known to go.
// Accepted frames queue in order; the DMA side takes up to two data words a cycle (a 16-byte
// memory-port beat) and then the frame.
//
// Two clocks: the write side (the MAC's stream, drop decisions, committing a frame) runs on
// rx_clk_i, the read side (the head frame, its words, the pops) on clk_i. Both are the NIC's
// one clock; the host gates either when its side has nothing to do (systemc/nic.cpp), and
// clocks both in a cycle that commits a frame. So the read side holds its own copy of what
// the write side changes - the frame count, the head frame's metadata and the two words at
// the read pointer - loaded at its clock edge from the write side's next state, and the DMA
// logic behind it depends on clk_i's registers only (the Verilated model then evaluates it
// only at clk_i edges, not at every wire beat). The copies hold the same values the shared
// registers would: a cycle's timing is the same as with one clock.
`default_nettype none

module igb_rx_pktbuf
  import igb_pkg::*;
#(
  parameter int Words = 8192  // 64 KiB of 64-bit words (RXPBS)
) (
  input  wire logic        clk_i,      // read side (DMA)
  input  wire logic        rx_clk_i,   // write side (MAC); clocked with clk_i when a frame ends
  input  wire logic        rst_ni,
  // RCTL.EN. Real parts do not receive while disabled; the model drops such a frame and
  // counts it in MPC so that no offered frame disappears without a counter.
  input  wire logic        enable_i,
  input  wire logic [6:0]  size_kb_i,      // RXPBS: usable part of the buffer, 1 KB = 128 words
  // Receive filters (see the header): RCTL.UPE, MPE, BAM, LPE, RLPML and RAR[0]
  input  wire logic        upe_i,
  input  wire logic        mpe_i,
  input  wire logic        bam_i,
  input  wire logic        lpe_i,
  input  wire logic [13:0] rlpml_i,
  input  wire logic [47:0] rar_i,          // destination address byte 0 in bits 7:0
  input  wire logic        rar_valid_i,
  input  wire logic        fc_drop_i,      // with a first beat: a PAUSE frame the part consumes

  // Stream from the wire
  input  wire logic        rx_valid_i,
  output      logic        rx_ready_o,
  /*verilator tracing_off*/  // the NIC's rx_data_i a cycle later (its boundary register)
  input  wire logic [RxW-1:0] rx_data_i,
  /*verilator tracing_on*/
  input  wire logic        rx_last_i,
  input  wire logic [4:0]  rx_bytes_i,     // bytes valid in this beat, 1..16
  // Per-frame metadata from the checksum logic, valid with the last beat
  input  wire logic [31:0] meta_status_i,
  input  wire logic [15:0] meta_pkt_info_i,
  input  wire logic [31:0] meta_hash_i,

  // Frame queue towards DMA
  output      logic        frm_valid_o,
  output      logic [15:0] frm_len_o,      // bytes, including FCS
  output      logic [31:0] frm_status_o,
  output      logic [15:0] frm_pkt_info_o,
  output      logic [31:0] frm_hash_o,
  input  wire logic [1:0]  word_pop_i,   // words taken this cycle: 0, 1 or 2
  /*verilator tracing_off*/  // the bytes the DMA writes; the NIC's dma_wdata_o shows them
  output      logic [127:0] word_o,      // the next two words, the first in bits 63:0
  /*verilator tracing_on*/
  input  wire logic        frm_pop_i,

  // Events
  output      logic        ev_frame_ok_o,    // a frame was queued
  output      logic        ev_frame_drop_o,  // a frame overflowed the buffer (MPC)
  output      logic        ev_frame_runt_o,  // a frame shorter than 64 bytes (RUC)
  output      logic        ev_frame_long_o,  // a frame longer than the size filter allows (ROC)
  output      logic        ev_frame_filt_o,  // a frame the address filter dropped (no counter)
  // The MPC, RUC and ROC events counted since reset, on rx_clk_i: the register file adds them
  // to MPC, RUC and ROC at clk_i (igb_regs), so a dropped frame needs no clk_i edge of its own.
  output      logic [31:0] drops_o,
  output      logic [31:0] runts_o,
  output      logic [31:0] longs_o,
  // Bytes of committed frames the buffer holds (igb_fc's marks FCRTH/FCRTL). Committed frames
  // only: the count changes at edges that clock both sides (a commit) or at clk_i (the DMA
  // taking words), never at a wire beat alone, so the gated clocks see it as one clock would.
  output      logic [17:0] fill_o
);

  localparam int Aw = $clog2(Words);
  localparam int Slots = Words / 8;  // a minimum frame is 8 words
  localparam int Sw = $clog2(Slots);

  logic [63:0] mem_q [Words];
  logic [15:0] len_q [Slots];
  logic [31:0] status_q [Slots];
  logic [15:0] pinfo_q [Slots];
  logic [31:0] hash_q [Slots];

  logic [Aw:0] wr_ptr_q, wr_ptr_d, commit_q, commit_d, rd_ptr_q, rd_ptr_d;
  logic [Sw:0] fw_q, fw_d, fr_q, fr_d;
  logic [15:0] cur_len_q, cur_len_d;
  logic        dropping_q, dropping_d, in_frame_q, in_frame_d;
  logic        off_q, off_d;        // the frame began while the receiver was off (RCTL.EN)
  logic        filt_q, filt_d;      // the frame failed the address filter
  logic        tagged_q, tagged_d;  // the frame has a VLAN tag at byte 12
  logic [15:0] limit_q, limit_d;    // the frame's size limit, bytes with FCS
  logic        long_d;              // the frame has passed its limit
  logic [31:0] drops_q, runts_q, longs_q;
  logic        ev_ok, ev_drop, ev_runt, ev_long, ev_filt, mem_we;
  logic [1:0]  beat_words;  // words this beat fills
  assign beat_words = (rx_bytes_i > 5'd8) ? 2'd2 : 2'd1;
  logic [Aw-1:0] wr_next;  // the word after the write pointer's
  assign wr_next = wr_ptr_q[Aw-1:0] + 1'b1;
  // Read side's copies (see the header)
  logic [Sw:0]   fw_seen_q;
  logic [15:0]   head_len_q, head_pinfo_q;
  logic [31:0]   head_status_q, head_hash_q;
  /*verilator tracing_off*/
  logic [127:0]  word_q;
  /*verilator tracing_on*/

  assign rx_ready_o = 1'b1;

  // Receive filters. The destination address is the first beat's bytes 0-5; a VLAN tag's
  // TPID 0x8100 (big-endian on the wire) is at bytes 12-13, a second one at 16-17 (the second
  // beat's bytes 0-1).
  logic [47:0] dst_addr;
  logic        addr_pass, tpid_at_12, tpid_at_16;
  logic [15:0] size_limit;  // without VLAN tags
  assign dst_addr   = rx_data_i[47:0];
  assign tpid_at_12 = rx_bytes_i >= 5'd14 &&
                      {rx_data_i[8 * 12 +: 8], rx_data_i[8 * 13 +: 8]} == 16'h8100;
  assign tpid_at_16 = rx_bytes_i >= 5'd2 && {rx_data_i[7:0], rx_data_i[15:8]} == 16'h8100;
  assign size_limit = lpe_i ? {2'b0, rlpml_i} : MaxFrameNoLpe;
  always_comb begin
    if (!dst_addr[0])       addr_pass = upe_i || (rar_valid_i && dst_addr == rar_i);  // unicast
    else if (&dst_addr)     addr_pass = bam_i || mpe_i;                               // broadcast
    else                    addr_pass = mpe_i;                                        // multicast
  end

  logic [Aw:0] used_words;
  logic [Sw:0] used_slots;
  assign used_words = wr_ptr_q - rd_ptr_q;
  assign used_slots = fw_q - fr_q;

  always_comb begin
    wr_ptr_d   = wr_ptr_q;
    commit_d   = commit_q;
    fw_d       = fw_q;
    cur_len_d  = cur_len_q;
    dropping_d = dropping_q;
    in_frame_d = in_frame_q;
    off_d      = off_q;
    filt_d     = filt_q;
    tagged_d   = tagged_q;
    limit_d    = limit_q;
    long_d     = 1'b0;
    ev_ok      = 1'b0;
    ev_drop    = 1'b0;
    ev_runt    = 1'b0;
    ev_long    = 1'b0;
    ev_filt    = 1'b0;
    mem_we     = 1'b0;

    if (rx_valid_i) begin
      in_frame_d = ~rx_last_i;
      if (!in_frame_q) begin
        cur_len_d  = 16'(rx_bytes_i);
        dropping_d = 1'b0;  // (already clear: every frame's last beat clears it)
        off_d      = ~enable_i;
        filt_d     = (rx_bytes_i >= 5'd6 && !addr_pass) ||  // a shorter frame is a runt
                     fc_drop_i;
        tagged_d   = tpid_at_12;
        limit_d    = size_limit + (tpid_at_12 ? 16'd4 : 16'd0);
      end else begin
        cur_len_d  = cur_len_q + 16'(rx_bytes_i);
        if (cur_len_q == 16'(RxW / 8) && tagged_q && tpid_at_16) limit_d = limit_q + 16'd4;
      end
      long_d = cur_len_d > limit_d;
      if (off_d || filt_d || long_d || (in_frame_q && dropping_q)) begin
        mem_we = 1'b0;  // discarding the rest of this frame
      end else if ((32'(used_words) + 32'(beat_words) > Words) ||
                   (32'(used_words) + 32'(beat_words) > 32'(size_kb_i) * 128)) begin
        dropping_d = 1'b1;
      end else begin
        mem_we   = 1'b1;
        wr_ptr_d = wr_ptr_q + (Aw+1)'(beat_words);
      end
      if (rx_last_i) begin
        if (off_d) begin
          wr_ptr_d = commit_q;  // received while off: the whole frame goes (MPC)
          ev_drop  = 1'b1;
        end else if (filt_d) begin
          wr_ptr_d = commit_q;  // not for this station
          ev_filt  = 1'b1;
        end else if (cur_len_d < 16'd64) begin
          wr_ptr_d = commit_q;  // a runt
          ev_runt  = 1'b1;
        end else if (long_d) begin
          wr_ptr_d = commit_q;  // oversize
          ev_long  = 1'b1;
        end else if (dropping_d || (32'(used_slots) >= Slots)) begin
          wr_ptr_d = commit_q;  // rewind: the whole frame goes
          ev_drop  = 1'b1;
        end else begin
          commit_d = wr_ptr_d;
          fw_d     = fw_q + 1'b1;
          ev_ok    = 1'b1;
        end
        dropping_d = 1'b0;
      end
    end
  end

  assign rd_ptr_d = rd_ptr_q + (Aw+1)'(word_pop_i);  // at most what is committed (asserted)
  assign fr_d     = fr_q + (Sw+1)'(frm_pop_i);

  always_ff @(posedge rx_clk_i) begin
    if (mem_we) begin
      mem_q[wr_ptr_q[Aw-1:0]] <= rx_data_i[63:0];
      if (beat_words == 2'd2) mem_q[wr_next] <= rx_data_i[127:64];
    end
    if (ev_ok) begin
      len_q[fw_q[Sw-1:0]]    <= cur_len_d;
      status_q[fw_q[Sw-1:0]] <= meta_status_i;
      pinfo_q[fw_q[Sw-1:0]]  <= meta_pkt_info_i;
      hash_q[fw_q[Sw-1:0]]   <= meta_hash_i;
    end
  end

  always_ff @(posedge rx_clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      wr_ptr_q   <= '0;
      commit_q   <= '0;
      fw_q       <= '0;
      cur_len_q  <= '0;
      dropping_q <= 1'b0;
      in_frame_q <= 1'b0;
      off_q      <= 1'b0;
      filt_q     <= 1'b0;
      tagged_q   <= 1'b0;
      limit_q    <= MaxFrameNoLpe;
      drops_q    <= '0;
      runts_q    <= '0;
      longs_q    <= '0;
    end else begin
      wr_ptr_q   <= wr_ptr_d;
      commit_q   <= commit_d;
      fw_q       <= fw_d;
      cur_len_q  <= cur_len_d;
      dropping_q <= dropping_d;
      in_frame_q <= in_frame_d;
      off_q      <= off_d;
      filt_q     <= filt_d;
      tagged_q   <= tagged_d;
      limit_q    <= limit_d;
      drops_q    <= drops_q + 32'(ev_drop);
      runts_q    <= runts_q + 32'(ev_runt);
      longs_q    <= longs_q + 32'(ev_long);
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      rd_ptr_q  <= '0;
      fr_q      <= '0;
      fw_seen_q <= '0;
    end else begin
      rd_ptr_q  <= rd_ptr_d;
      fr_q      <= fr_d;
      fw_seen_q <= fw_d;
    end
  end

  // The head frame's metadata and the words at the read pointer, as the write side's memories
  // hold them after this edge. A frame committed at this edge that becomes the head comes from
  // the write side's next state, since its slot is written at this same edge. The words need
  // no such path: a committed frame has at least 4 beats, so the words the read pointer can
  // point at in a committing edge were written at an earlier one.
  /*verilator tracing_off*/  // the next state's read addresses (rd_ptr_q, fr_q a clock edge later)
  logic [Aw-1:0] rd_at, rd_at_next;
  logic [Sw-1:0] fr_at;
  /*verilator tracing_on*/
  logic          head_from_rx;
  assign rd_at        = rd_ptr_d[Aw-1:0];
  assign rd_at_next   = rd_at + 1'b1;
  assign fr_at        = fr_d[Sw-1:0];
  assign head_from_rx = ev_ok && fw_q[Sw-1:0] == fr_at;
  always_ff @(posedge clk_i) begin
    word_q        <= {mem_q[rd_at_next], mem_q[rd_at]};
    head_len_q    <= head_from_rx ? cur_len_d       : len_q[fr_at];
    head_status_q <= head_from_rx ? meta_status_i   : status_q[fr_at];
    head_pinfo_q  <= head_from_rx ? meta_pkt_info_i : pinfo_q[fr_at];
    head_hash_q   <= head_from_rx ? meta_hash_i     : hash_q[fr_at];
  end

  assign frm_valid_o     = (fw_seen_q != fr_q);
  assign frm_len_o       = head_len_q;
  assign frm_status_o    = head_status_q;
  assign frm_pkt_info_o  = head_pinfo_q;
  assign frm_hash_o      = head_hash_q;
  assign word_o          = word_q;
  assign ev_frame_ok_o   = ev_ok;
  assign ev_frame_drop_o = ev_drop;
  assign ev_frame_runt_o = ev_runt;
  assign ev_frame_long_o = ev_long;
  assign ev_frame_filt_o = ev_filt;
  assign drops_o         = drops_q;
  assign runts_o         = runts_q;
  assign longs_o         = longs_q;
  logic [Aw:0] held_words;
  assign held_words = commit_q - rd_ptr_q;
  assign fill_o     = 18'(held_words) << 3;

`ifndef SYNTHESIS
`ifndef IGB_NO_ASSERTIONS  // Icarus Verilog 11 parses none (testbench/rtl_tb/run.sh)
  // The DMA side never reads past what was committed.
  always_ff @(posedge clk_i) begin
    if (rst_ni && word_pop_i != 2'd0) begin
      a_no_underflow: assert (word_pop_i <= 2'd2 && (Aw+1)'(word_pop_i) <= commit_q - rd_ptr_q)
        else $error("pktbuf: word popped from an empty buffer");
    end
  end
  // A frame ends in exactly one fate, and only a frame that passed every receive filter is
  // queued for DMA: never one the host's buffers were not sized for (RLPML), nor one for
  // another station.
  always_ff @(posedge rx_clk_i) begin
    if (rst_ni && rx_valid_i && rx_last_i) begin
      a_one_fate: assert ($onehot({ev_ok, ev_drop, ev_runt, ev_long, ev_filt}))
        else $error("pktbuf: a frame ended without exactly one fate");
      a_filtered_ok: assert (!ev_ok || (!filt_d && cur_len_d >= 16'd64 && cur_len_d <= limit_d))
        else $error("pktbuf: a frame the receive filters reject was queued");
    end
  end
`endif
`endif

endmodule
