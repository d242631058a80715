// igb_rx_pktbuf: the on-chip receive packet buffer between the MAC and the DMA engine.
//
// Frames arrive on a 16-byte stream from the MAC (valid/ready, last, bytes valid in the last
// beat) and are stored as 64-bit words, two a beat (one for a last beat of up to 8 bytes).
// The MAC cannot stall the wire, so ready is always high: a frame that does not fit (data
// space or frame slots) is dropped whole and counted once (MPC). A frame shorter than
// the Ethernet minimum of 64 bytes (FCS included) is dropped and counted in RUC (receive
// undersize count; Linux adds it to rx_length_errors). Accepted frames queue in order; the
// DMA side takes up to two data words a cycle (a 16-byte memory-port beat) and then the frame.
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
  // The same two events counted since reset, on rx_clk_i: the register file adds them to MPC
  // and RUC at clk_i (igb_regs), so a dropped frame needs no clk_i edge of its own.
  output      logic [31:0] drops_o,
  output      logic [31:0] runts_o
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
  logic [31:0] drops_q, runts_q;
  logic        ev_ok, ev_drop, ev_runt, mem_we;
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
    ev_ok      = 1'b0;
    ev_drop    = 1'b0;
    ev_runt    = 1'b0;
    mem_we     = 1'b0;

    if (rx_valid_i) begin
      in_frame_d = ~rx_last_i;
      if (!in_frame_q) begin
        cur_len_d  = 16'(rx_bytes_i);
        dropping_d = ~enable_i;
      end else begin
        cur_len_d  = cur_len_q + 16'(rx_bytes_i);
      end
      if ((in_frame_q && dropping_q) || (!in_frame_q && !enable_i)) begin
        mem_we = 1'b0;  // discarding the rest of this frame
      end else if ((32'(used_words) + 32'(beat_words) > Words) ||
                   (32'(used_words) + 32'(beat_words) > 32'(size_kb_i) * 128)) begin
        dropping_d = 1'b1;
      end else begin
        mem_we   = 1'b1;
        wr_ptr_d = wr_ptr_q + (Aw+1)'(beat_words);
      end
      if (rx_last_i) begin
        if (cur_len_d < 16'd64 && !dropping_d) begin
          wr_ptr_d = commit_q;  // a runt: the whole frame goes
          ev_runt  = 1'b1;
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
      drops_q    <= '0;
      runts_q    <= '0;
    end else begin
      wr_ptr_q   <= wr_ptr_d;
      commit_q   <= commit_d;
      fw_q       <= fw_d;
      cur_len_q  <= cur_len_d;
      dropping_q <= dropping_d;
      in_frame_q <= in_frame_d;
      drops_q    <= drops_q + 32'(ev_drop);
      runts_q    <= runts_q + 32'(ev_runt);
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
  assign drops_o         = drops_q;
  assign runts_o         = runts_q;

`ifndef SYNTHESIS
  // The DMA side never reads past what was committed.
  always_ff @(posedge clk_i) begin
    if (rst_ni && word_pop_i != 2'd0) begin
      a_no_underflow: assert (word_pop_i <= 2'd2 && (Aw+1)'(word_pop_i) <= commit_q - rd_ptr_q)
        else $error("pktbuf: word popped from an empty buffer");
    end
  end
`endif

endmodule
