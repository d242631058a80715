// SPDX-License-Identifier: Apache-2.0
// igb_tx_pktbuf: the transmit packet buffer (TX FIFO), store-and-forward (a segmentation
// packet cuts through, below).
//
// The transmit engine writes a packet's bytes in 16-byte words as its data reads return and
// commits the packet (its length and metadata) once its last descriptor's data is in: only
// committed packets are read out, so a packet leaves only when wholly buffered (reference C.1
// step 3). An aborted packet (its queue disabled halfway) is discarded by moving the write
// pointer back. Frames leave in the order they were committed (legacy, non-Qav mode: one
// buffer for all queues, reference C.1).
// Size: Words x 16 bytes, 20 KB by default (choice: the reference gives I210 20 KB + 4 KB BMC,
// 82576 40 KB and I350 "about 20 KB a port", UNVERIFIED; a packet of the largest size, 9728
// bytes, fits twice).
// A segmentation packet (TSE) may be larger than the buffer: it is read out as it comes in
// (cut_i, for the packet being written), since the offload block cuts it into frames as its
// bytes arrive (the part, too, never holds a whole TSO packet: DS-I210 7.2.4). When no
// committed packet is ahead of it and it has more than a TSO header's 512 bytes in (so a
// packet cut short below still has its header whole), its words are read as soon as a later
// word is written (its last word's byte count is known only at its commit), its metadata
// meanwhile from the write side (commit_meta_i, the packet being written's); its commit then
// makes it an ordinary head packet whose length tells where it ends. An abort of such a packet
// once its words have started to leave cannot take them back: it commits what was written
// instead (at most commit_len_i bytes), the part ending a TSO context cut short (its frames
// are those the data made, 8254x SDM TDESC.EOP: TSCTFC); igb_tx_dma counts it dropped (no DD,
// TDH not past it), so a queue enabled again without its TDH rewritten sends it again, as
// that engine's header says of a commit it did not retire. Such a packet may be larger than
// the pointers' wrap (2 x Words words): what is known of it is counted in beats loaded
// (beat_q) and words not yet loaded, never by comparing pointers with its start.
// Read side: a registered memory read into the output register; each packet is one stream of
// beats (out_bytes_o: valid bytes of the last beat, 0 meaning 16) with its metadata held from
// its first beat to its last (the packet is popped when its last beat is taken). Before a
// packet's first beat is offered, its attributes go to the MAC (attr_push_o, when the MAC has
// room): the offload block stores whole packets, so the MAC cannot read them off this head.
`default_nettype none

module igb_tx_pktbuf #(
  parameter int Words  = 1280,
  parameter int Frames = 32,     // packets committed and not yet read out, at most
  parameter int MetaW  = 8,
  parameter int LenW   = 19      // packet length bits (a TSO packet: PAYLEN, 18 bits, + header)
) (
  input  wire logic             clk_i,
  input  wire logic             rst_ni,

  // Write side (the transmit engine)
  input  wire logic             we_i,
  input  wire logic [127:0]     wdata_i,
  input  wire logic             commit_i,    // the packet written so far is complete
  input  wire logic [LenW-1:0]  commit_len_i,
  input  wire logic [MetaW-1:0] commit_meta_i,  // the packet being written's (see the header)
  input  wire logic             abort_i,     // discard what was written since the last commit
  input  wire logic             cut_i,       // the packet being written may leave as it comes
  output      logic [15:0]      free_words_o,
  output      logic [15:0]      meta_free_o,  // packets it can still take

  // Read side: one packet at a time
  output      logic             out_valid_o,
  input  wire logic             out_ready_i,
  output      logic [127:0]     out_data_o,
  output      logic             out_last_o,
  output      logic [4:0]       out_bytes_o,
  output      logic             out_first_o,  // the beat is its packet's first
  output      logic [MetaW-1:0] out_meta_o,
  output      logic             attr_push_o,  // the head packet's attributes to the MAC
  input  wire logic             attr_full_i,
  output      logic             busy_o        // a beat loads or leaves, or attributes go
);
  localparam int Aw = $clog2(Words);
  localparam int Fw = $clog2(Frames);

  logic [127:0] mem_q [Words];
  logic [Aw:0]  wr_ptr_q, wr_ptr_d, commit_ptr_q, rd_ptr_q, rd_ptr_d;  // word counters mod 2^(Aw+1)
  logic [Aw-1:0] wr_at, rd_at;

  // Committed packets: length and metadata, in order
  logic [LenW-1:0]  flen_q [Frames];
  logic [MetaW-1:0] fmeta_q [Frames];
  logic [Fw:0]      fwr_q, frd_q;
  logic             have_frame;

  // Word pointers wrap at Words (not necessarily a power of two): pointers count modulo
  // 2 * Words, the address is the pointer modulo Words.
  function automatic logic [Aw:0] ptr_inc(input logic [Aw:0] p);
    ptr_inc = (32'(p) == 2 * Words - 1) ? '0 : p + 1'b1;
  endfunction
  function automatic logic [Aw-1:0] ptr_at(input logic [Aw:0] p);
    ptr_at = (32'(p) >= Words) ? Aw'(32'(p) - Words) : p[Aw-1:0];
  endfunction
  logic [Aw+1:0] used;
  always_comb begin
    wr_at = ptr_at(wr_ptr_q);
    rd_at = ptr_at(rd_ptr_q);
    used  = (wr_ptr_q >= rd_ptr_q) ? (Aw + 2)'(wr_ptr_q - rd_ptr_q)
                                   : (Aw + 2)'(32'(wr_ptr_q) + 2 * Words - 32'(rd_ptr_q));
  end
  assign free_words_o = 16'(32'(Words) - 32'(used));
  logic [Fw:0] meta_used;
  logic        meta_full;
  assign meta_used    = fwr_q - frd_q;
  assign meta_full    = meta_used == (Fw + 1)'(Frames);
  assign meta_free_o  = 16'(32'(Frames) - 32'(meta_used));
  assign have_frame   = fwr_q != frd_q;

  // The packet being written, when it is the next to leave and may leave as it comes: its
  // words are read out before its commit (see the header). streaming: some already were.
  logic            open_head, streaming, conv, commit, open_go;
  logic [Aw:0]     wr_next;
  logic [Aw+1:0]   open_words, open_have;
  logic [LenW-1:0] len, conv_len;
  logic [LenW+3:0] conv_bytes;
  always_comb begin
    // (beat_q counts the head packet's beats loaded, the open one's when none is committed)
    streaming = !have_frame && cut_i && beat_q != '0;
    open_head = streaming || (!have_frame && cut_i && wr_ptr_q != commit_ptr_q);
    // Not started: all it wrote is since its start, within the buffer (no wrap)
    open_have = (wr_ptr_q >= commit_ptr_q)
              ? (Aw + 2)'(wr_ptr_q - commit_ptr_q)
              : (Aw + 2)'(32'(wr_ptr_q) + 2 * Words - 32'(commit_ptr_q));
    // Started, or 33 words written (more than the 512-byte header MACLEN + IPLEN + L4LEN)
    open_go   = streaming || open_have > (Aw + 2)'(32);
    wr_next   = we_i ? ptr_inc(wr_ptr_q) : wr_ptr_q;
    // Words it wrote: those loaded, and those from the read pointer on (at most Words)
    open_words = (wr_next >= rd_ptr_q) ? (Aw + 2)'(wr_next - rd_ptr_q)
                                       : (Aw + 2)'(32'(wr_next) + 2 * Words - 32'(rd_ptr_q));
    conv_bytes = {beat_q + LenW'(open_words), 4'h0};
    // An abort of a streaming packet commits what was written, its last word whole at most
    conv_len = (conv_bytes < (LenW + 4)'(commit_len_i)) ? LenW'(conv_bytes) : commit_len_i;
    conv     = abort_i && streaming;
    commit   = commit_i || conv;
    len      = conv ? conv_len : commit_len_i;
    wr_ptr_d = wr_next;
    if (abort_i && !conv) wr_ptr_d = commit_ptr_q;
  end

  // Read side: the head packet's beats, one output register
  logic         valid_q, last_q, first_q, loaded_all_q, pushed_q, offer;
  logic [4:0]   bytes_q;
  logic [LenW-1:0] beat_q, nbeats;
  logic [LenW-1:0] head_len;
  logic         load, take, take_last, ends;
  assign head_len  = flen_q[frd_q[Fw-1:0]];
  assign nbeats    = (head_len + LenW'(15)) >> 4;
  assign offer       = valid_q && !(first_q && !pushed_q);
  assign attr_push_o = valid_q && first_q && !pushed_q && !attr_full_i;
  assign take        = offer && out_ready_i;
  assign take_last = take && last_q;
  // A committed head packet's next beat; or the open one's, never its last written word (an
  // abort this cycle may take the words back)
  assign load      = !loaded_all_q && (!valid_q || take) &&
                     (have_frame ? beat_q < nbeats : open_head && open_go && !abort_i && used >= 2);
  assign ends      = have_frame && beat_q == nbeats - LenW'(1);
  always_comb begin
    rd_ptr_d = rd_ptr_q;
    if (load) rd_ptr_d = ptr_inc(rd_ptr_q);
  end

  always_ff @(posedge clk_i) begin
    if (we_i) mem_q[wr_at] <= wdata_i;
    if (load) out_data_o <= mem_q[rd_at];
    if (commit) begin
      flen_q[fwr_q[Fw-1:0]]  <= len;
      fmeta_q[fwr_q[Fw-1:0]] <= commit_meta_i;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      wr_ptr_q     <= '0;
      commit_ptr_q <= '0;
      rd_ptr_q     <= '0;
      fwr_q        <= '0;
      frd_q        <= '0;
      valid_q      <= 1'b0;
      last_q       <= 1'b0;
      first_q      <= 1'b0;
      bytes_q      <= '0;
      beat_q       <= '0;
      loaded_all_q <= 1'b0;
      pushed_q     <= 1'b0;
    end else begin
      if (attr_push_o) pushed_q <= 1'b1;
      wr_ptr_q <= wr_ptr_d;
      rd_ptr_q <= rd_ptr_d;
      if (commit) begin
        commit_ptr_q <= wr_ptr_d;
        fwr_q        <= fwr_q + 1'b1;
      end
      if (load) begin
        valid_q <= 1'b1;
        first_q <= beat_q == '0;
        last_q  <= ends;
        bytes_q <= ends ? {1'b0, head_len[3:0]} : 5'd0;
        beat_q  <= beat_q + LenW'(1);
        if (ends) loaded_all_q <= 1'b1;
      end else if (take) begin
        valid_q <= 1'b0;
      end
      if (take_last) begin  // the packet is out: its metadata goes, the next one may load
        frd_q        <= frd_q + 1'b1;
        beat_q       <= '0;
        loaded_all_q <= 1'b0;
        pushed_q     <= 1'b0;
      end
    end
  end

  assign out_valid_o = offer;
  assign out_last_o  = last_q;
  assign out_first_o = first_q;
  assign out_bytes_o = bytes_q;
  assign out_meta_o  = have_frame ? fmeta_q[frd_q[Fw-1:0]] : commit_meta_i;
  // Busy: a step this edge takes; a packet whose beat waits for the offload block is none
  assign busy_o      = load || take || attr_push_o;

`ifndef SYNTHESIS
`ifndef IGB_NO_ASSERTIONS  // Icarus Verilog 11 parses none (testbench/rtl_tb/run.sh)
  always_ff @(posedge clk_i) begin
    if (rst_ni) begin
      a_no_overflow: assert (!we_i || used < (Aw + 2)'(Words))
        else $error("tx_pktbuf: word written into a full buffer");
      a_no_meta_overflow: assert (!commit_i || !meta_full)
        else $error("tx_pktbuf: packet committed with no room for its metadata");
      a_commit_len: assert (!commit || len != '0)
        else $error("tx_pktbuf: empty packet committed");
      a_no_meta_overflow_cut: assert (!conv || !meta_full)
        else $error("tx_pktbuf: aborted streaming packet committed with no room for its metadata");
      // The head packet never has more beats loaded than it has; a streaming packet's commit
      // leaves it at least one to load (its last word is never loaded before its length)
      a_beats: assert (!have_frame || beat_q <= nbeats)
        else $error("tx_pktbuf: %0d beats loaded of a %0d-beat packet", beat_q, nbeats);
      a_stream_commit: assert (!(commit && streaming) || {beat_q, 4'h0} < (LenW + 4)'(len))
        else $error("tx_pktbuf: a streaming packet committed shorter than what already left");
    end
  end
  // A packet leaving before its commit keeps the metadata it started with, and only a
  // segmentation packet does
  logic             open_q;
  logic [MetaW-1:0] open_meta_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      open_q      <= 1'b0;
      open_meta_q <= '0;
    end else begin
      if (!have_frame && beat_q != '0) begin
        a_open_meta: assert (!open_q || commit_meta_i == open_meta_q)
          else $error("tx_pktbuf: a packet leaving as it comes changed its metadata");
        a_open_cut: assert (cut_i)
          else $error("tx_pktbuf: a packet not for segmentation left before its commit");
      end
      open_q <= streaming && !commit;
      if (streaming) open_meta_q <= commit_meta_i;
    end
  end
`endif
`endif
endmodule
