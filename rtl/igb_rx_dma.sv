// SPDX-License-Identifier: Apache-2.0
// igb_rx_dma: moves each buffered frame into the host buffer named by the next cached
// descriptor, and writes completed descriptors back in advanced format.
//
// Per frame: one data write (posted) per buffer it needs (SRRCTL.BSIZEPACKET, 1 KB units; 0
// means 2 KB), each buffer's completion joining the write-back buffer; then the queue's
// receive cause is raised. Only the last descriptor of a frame carries EOP and the frame's
// metadata (checksum status, packet type); all get DD. A frame starts only when hardware owns
// enough descriptors for all its buffers and the write-back buffer has room for them.
// Completions are written back in ring order, in one burst of consecutive descriptors (never
// across the ring end), when RXDCTL.WTHRESH of them have accumulated (0 counts as 1), when the
// buffer is full, or when the interrupt logic asks for a flush because the queue's vector is
// about to interrupt - so a message never overtakes the write-backs it announces. Posted
// writes stay ordered, so data is visible before its DD.
// Back to back: a frame whose first descriptor is already cached is taken up together with
// it and its data requested in the same cycle (StIdle straight to StData when the request is
// taken), and a frame whose last data beat leaves no FCS-only words in the packet buffer
// completes in that beat (no StSkip cycle): three cycles less per frame.
// Write-back: dword0 pkt_info (packet type) / hdr_info = 0, dword1 RSS hash = 0, status_error =
// DD|EOP plus the checksum status and errors, length = bytes in this buffer (FCS stripped when
// RCTL.SECRC), vlan = 0. RDH advances past the burst.
// Not enough descriptors for the frame at the head: RNBC counts the frame once; with
// SRRCTL.DROP_EN it is dropped and counted in RQDPC, otherwise it waits in the packet buffer
// for RDT to move.
`default_nettype none

module igb_rx_dma
  import igb_pkg::*;
#(
  parameter int WbDepth = 16  // completions waiting for write-back
) (
  input  wire logic        clk_i,
  input  wire logic        rst_ni,
  input  wire logic        enable_i,
  input  wire logic        drop_en_i,
  input  wire logic [63:0] rdba_i,
  input  wire logic [15:0] ring_count_i,
  input  wire logic [15:0] rdt_i,
  input  wire logic [4:0]  rdmts_i,        // SRRCTL.RDMTS: threshold in 16-descriptor units
  input  wire logic [4:0]  wthresh_i,      // RXDCTL.WTHRESH
  input  wire logic [6:0]  bsize_kb_i,     // SRRCTL.BSIZEPACKET
  input  wire logic        flush_i,        // write back everything now (an interrupt is due)
  // Planted bugs (tests of the checkers): the frame's last descriptor is written back before
  // its data; RDT read as inclusive, so the descriptor at RDT is used too
  input  wire logic        fault_wb_before_data_i,
  input  wire logic        fault_rdt_inclusive_i,
  output      logic        wb_pending_o,   // completions not yet written back
  input  wire logic        rdh_we_i,
  input  wire logic [15:0] rdh_wdata_i,
  output      logic [15:0] rdh_o,
  // The descriptor the engine took last: the one whose buffer a data write fills (for the
  // waveform; RDH moves only with write-backs)
  output      logic [15:0] taken_idx_o,

  // Packet buffer
  input  wire logic        frm_valid_i,
  input  wire logic [15:0] frm_len_i,       // bytes on the wire, FCS included (GORC)
  // The head frame's size for this queue, worked out once at the top: bytes placed in host
  // memory (FCS stripped with RCTL.SECRC), 64-bit words it takes in the packet buffer, and
  // buffers of SRRCTL.BSIZEPACKET it needs (at least one).
  input  wire logic [15:0] frm_host_len_i,
  input  wire logic [15:0] frm_words_i,
  input  wire logic [15:0] frm_needed_i,
  input  wire logic [31:0] frm_status_i,    // checksum status and errors
  input  wire logic [15:0] frm_pkt_info_i,  // packet type and RSS type
  input  wire logic [31:0] frm_hash_i,      // RSS hash
  input  wire logic        pcsd_i,          // RXCSUM.PCSD: dword 1 carries the RSS hash
  output      logic [1:0]  word_pop_o,     // packet-buffer words taken: 0, 1 or 2
  /*verilator tracing_off*/  // the packet buffer's two words and this engine's write data: the
  // same bytes are on the NIC's dma_wdata_o a cycle later, which the waveform shows
  input  wire logic [127:0] word_i,        // the next two words, the first in bits 63:0
  /*verilator tracing_on*/
  output      logic        frm_pop_o,

  // Descriptor cache
  input  wire logic        desc_valid_i,
  input  wire logic [63:0] desc_pkt_addr_i,
  input  wire logic [15:0] desc_idx_i,
  output      logic        desc_pop_o,

  // DMA write requests and write data
  output      logic        req_valid_o,
  input  wire logic        req_ready_i,
  output      logic [63:0] req_addr_o,
  output      logic [15:0] req_len_o,
  output      logic [3:0]  req_tag_o,
  output      logic        wdata_valid_o,
  input  wire logic        wdata_ready_i,
  /*verilator tracing_off*/
  output      logic [DmaW-1:0] wdata_o,
  /*verilator tracing_on*/
  output      logic        wdata_last_o,

  // Events
  output      logic        rx_cause_o,
  // A write-back burst's last descriptor left (ICR.RXDW without MSI-X)
  output      logic        wb_done_o,
  output      logic        rxdmt_o,         // descriptors left to hardware fell to the threshold
  output      logic        gprc_inc_o,
  output      logic [15:0] gorc_add_o,
  output      logic        rnbc_inc_o,
  output      logic        rqdpc_inc_o,
  output      logic        busy_o
);

  typedef enum logic [2:0] {
    StIdle, StDataReq, StData, StNextDesc, StSkip, StWbReq, StWb, StDrop
  } state_e;

  state_e      state_q, state_d;
  logic [15:0] rdh_q, rdh_d, len_q, len_d, beats_q, beats_d, words_q, words_d;
  logic [15:0] left_q, left_d;          // frame bytes not yet given a buffer
  logic [15:0] next_idx_q, next_idx_d;  // ring index of the next descriptor hardware uses
  logic [63:0] addr_q, addr_d;
  logic [31:0] status_q, status_d;
  logic [15:0] pinfo_q, pinfo_d;
  logic [31:0] hash_q, hash_d;
  logic        counted_q, counted_d;
  logic        early_q, early_d;        // fault: this frame's completion went out before its data
  logic        cmp_early;               // push the completion of the buffer being taken now
  // The frame's last buffer completes (its completion is pushed unless early)
  logic        cmp_last;

  // Write-back buffer: completions in ring order, starting at RDH.
  localparam int Cw = $clog2(WbDepth);
  logic [15:0] cmp_len_q [WbDepth];
  logic [31:0] cmp_status_q [WbDepth];
  logic [15:0] cmp_pinfo_q [WbDepth];
  logic [31:0] cmp_hash_q [WbDepth];
  logic [Cw:0] cmp_wr_q, cmp_wr_d, cmp_rd_q, cmp_rd_d, cmp_count;
  logic        cmp_push;
  logic [15:0] wb_n_q, wb_n_d, wb_beat_q, wb_beat_d;  // burst size, beat (descriptor) within it
  assign cmp_count    = cmp_wr_q - cmp_rd_q;
  assign wb_pending_o = cmp_count != 0;

  // Write back now? And how many: all pending, but not across the ring end.
  logic        wb_due;
  logic [15:0] wb_room, wb_n;
  assign wb_due  = (cmp_count != 0) &&
                   (flush_i || 32'(cmp_count) >= WbDepth ||
                    {11'h0, cmp_count} >= ((wthresh_i == 5'd0) ? 16'd1 : {11'h0, wthresh_i}));
  assign wb_room = ring_count_i - rdh_q;
  assign wb_n    = ({11'h0, cmp_count} < wb_room) ? {11'h0, cmp_count} : wb_room;
  logic [Cw-1:0] wb_entry;
  assign wb_entry = cmp_rd_q[Cw-1:0] + wb_beat_q[Cw-1:0];

  logic [15:0] host_len, frame_words, needed, bufsz, hw_avail, hw_avail_ok, chunk;
  assign host_len    = frm_host_len_i;
  assign frame_words = frm_words_i;
  assign needed      = frm_needed_i;
  assign bufsz       = igb_bufsz(bsize_kb_i);
  // Descriptors hardware owns from the next one it will use up to RDT.
  assign hw_avail_ok = (rdt_i >= next_idx_q) ? rdt_i - next_idx_q :
                                               rdt_i + ring_count_i - next_idx_q;
  assign hw_avail    = (fault_rdt_inclusive_i && hw_avail_ok < ring_count_i) ? hw_avail_ok + 16'd1 :
                                                                              hw_avail_ok;
  // The buffer a descriptor taken now is for: the frame's next one in StNextDesc, its first
  // when StIdle takes the frame up together with a cached descriptor.
  logic [15:0] left_before;
  assign left_before = (state_q == StIdle) ? host_len : left_q;
  assign chunk    = (left_before < bufsz) ? left_before : bufsz;
  logic [1:0]  tail_pop;       // words taken a cycle when skipping or dropping the rest of a frame
  assign tail_pop = (words_q == 16'd1) ? 2'd1 : 2'd2;
  logic        buf_words_odd;  // the buffer being written spans an odd number of words
  logic [15:0] buf_words;
  assign buf_words     = (len_q + 16'd7) >> 3;
  assign buf_words_odd = buf_words[0];
  logic unused_buf_words;
  assign unused_buf_words = ^buf_words[15:1];
  // Descriptors in [RDH, RDT) once the one being written back is done.
  logic [15:0] rdh_next, hw_owned_after;
  assign rdh_next       = (rdh_q + wb_n_q == ring_count_i) ? 16'h0 : rdh_q + wb_n_q;
  assign hw_owned_after = (rdt_i >= rdh_next) ? rdt_i - rdh_next : rdt_i + ring_count_i - rdh_next;

  // The engine has something to do this cycle: a frame is in flight or waits for write-back,
  // the head frame is this queue's, or software writes RDH. Otherwise every next state equals
  // its register and every output its default, which is what the logic below gives then: the
  // registers keep their value (a clock enable, as a queue with no traffic would have), and
  // the simulator skips the engine's logic - three of the four queues at one flow.
  logic act;
  assign act = (state_q != StIdle) || (cmp_count != 0) || frm_valid_i || rdh_we_i;

  always_comb begin
    state_d     = state_q;
    rdh_d       = rdh_q;
    len_d       = len_q;
    beats_d     = beats_q;
    words_d     = words_q;
    addr_d      = addr_q;
    status_d    = status_q;
    pinfo_d     = pinfo_q;
    hash_d      = hash_q;
    counted_d   = counted_q;
    early_d     = early_q;
    cmp_early   = 1'b0;
    cmp_last    = 1'b0;
    left_d      = left_q;
    next_idx_d  = next_idx_q;
    wb_beat_d   = wb_beat_q;
    wb_n_d      = wb_n_q;
    cmp_wr_d    = cmp_wr_q;
    cmp_rd_d    = cmp_rd_q;
    cmp_push    = 1'b0;
    word_pop_o  = 2'd0;
    frm_pop_o   = 1'b0;
    desc_pop_o  = 1'b0;
    req_valid_o = 1'b0;
    req_addr_o  = addr_q;
    req_len_o   = len_q;
    req_tag_o   = TagDataWr;
    wdata_valid_o = 1'b0;
    wdata_o     = '0;      // data only with wdata_valid_o: an idle queue's bus stays still
    wdata_last_o = 1'b0;
    rx_cause_o  = 1'b0;
    wb_done_o   = 1'b0;
    rxdmt_o     = 1'b0;
    gprc_inc_o  = 1'b0;
    gorc_add_o  = frm_len_i;
    rnbc_inc_o  = 1'b0;
    rqdpc_inc_o = 1'b0;

    if (act) begin
      if (rdh_we_i) begin
        rdh_d      = rdh_wdata_i;
        next_idx_d = rdh_wdata_i;
      end

      unique case (state_q)
        StIdle: begin
          if (wb_due) begin
            state_d   = StWbReq;
            wb_n_d    = wb_n;
            wb_beat_d = '0;
          end else if (enable_i && frm_valid_i && 32'(cmp_count) + 32'(needed) <= WbDepth) begin
            if (hw_avail >= needed) begin
              state_d   = StNextDesc;
              left_d    = host_len;
              words_d   = frame_words;
              status_d  = frm_status_i;
              pinfo_d   = frm_pkt_info_i;
              hash_d    = frm_hash_i;
              counted_d = 1'b0;
              // Its first descriptor is already in the cache: take it now (StNextDesc's work,
              // for the first buffer) and request the data in the same cycle (StDataReq's work,
              // which waits on if the request is not taken). Not with the planted
              // write-back-before-data bug, which StNextDesc handles.
              if (desc_valid_i && !fault_wb_before_data_i) begin
                state_d     = StDataReq;
                if (req_ready_i) state_d = StData;
                desc_pop_o  = 1'b1;
                req_valid_o = 1'b1;
                req_addr_o  = desc_pkt_addr_i;
                req_len_o   = chunk;
              end
            end else if (!counted_q) begin
              rnbc_inc_o = 1'b1;
              counted_d  = 1'b1;
              if (drop_en_i) begin
                state_d = StDrop;
                words_d = frame_words;
              end
            end
          end
        end
        StNextDesc: begin  // the frame's next buffer
          if (desc_valid_i) begin
            state_d    = StDataReq;
            desc_pop_o = 1'b1;
            if (fault_wb_before_data_i && left_q <= bufsz) begin
              // Planted bug: the last buffer's completion is written back now, its data after.
              cmp_early = 1'b1;
              cmp_push  = 1'b1;
              cmp_wr_d  = cmp_wr_q + 1'b1;
              early_d   = 1'b1;
              state_d   = StWbReq;
              wb_n_d    = ({11'h0, cmp_count} + 16'd1 < wb_room) ? {11'h0, cmp_count} + 16'd1 :
                                                                    wb_room;
              wb_beat_d = '0;
            end
          end
        end
        StDataReq: begin
          req_valid_o = 1'b1;
          if (req_ready_i) state_d = StData;
        end
        StData: begin
          wdata_valid_o = 1'b1;
          // Two words a beat; the buffer's last beat holds one when its word count is odd (the
          // bus carries zeros above it).
          word_pop_o    = (beats_q == 16'd1 && buf_words_odd) ? 2'd1 : 2'd2;
          wdata_o       = {word_pop_o == 2'd2 ? word_i[127:64] : 64'h0, word_i[63:0]};
          wdata_last_o  = (beats_q == 16'd1);
          if (wdata_ready_i) begin
            words_d    = words_q - 16'(word_pop_o);
            beats_d    = beats_q - 16'd1;
            if (beats_q == 16'd1) begin
              if (left_q != 16'd0) begin  // more buffers: this one completes without EOP
                state_d  = StNextDesc;
                cmp_push = 1'b1;
                cmp_wr_d = cmp_wr_q + 1'b1;
              end else if (words_d != 16'd0) begin
                state_d = StSkip;
              end else begin  // no words of FCS bytes left to skip: the frame is done now
                state_d  = StIdle;
                cmp_last = 1'b1;
              end
            end
          end
        end
        StSkip: begin  // words holding only FCS bytes
          if (words_q != 16'd0) begin
            word_pop_o = tail_pop;
            words_d    = words_q - 16'(tail_pop);
          end else begin
            state_d  = StIdle;
            cmp_last = 1'b1;
          end
        end
        StWbReq: begin
          req_valid_o = 1'b1;
          req_addr_o  = rdba_i + {44'h0, rdh_q, 4'h0};
          req_len_o   = {wb_n_q[11:0], 4'h0};
          req_tag_o   = TagWbWr;
          if (req_ready_i) state_d = StWb;
        end
        StWb: begin
          // One beat per descriptor. Bits 63:0: pkt_info, hdr_info, RSS hash; 127:64:
          // status_error, length, vlan.
          wdata_valid_o = 1'b1;
          wdata_o       = {16'h0, cmp_len_q[wb_entry], cmp_status_q[wb_entry] | StatDD,
                           pcsd_i ? cmp_hash_q[wb_entry] : 32'h0, 16'h0, cmp_pinfo_q[wb_entry]};
          wdata_last_o  = (wb_beat_q == wb_n_q - 16'd1);
          if (wdata_ready_i) begin
            wb_beat_d = wb_beat_q + 16'd1;
            if (wdata_last_o) begin
              if (early_q) state_d = StDataReq;
              else         state_d = StIdle;
              rdh_d    = rdh_next;
              cmp_rd_d = cmp_rd_q + wb_n_q[Cw:0];
              wb_done_o = 1'b1;
              // RXDMT0: after this write-back, hardware owns exactly RDMTS x 16 descriptors.
              if (rdmts_i != 5'd0 && hw_owned_after == {7'h0, rdmts_i, 4'h0}) rxdmt_o = 1'b1;
            end
          end
        end
        StDrop: begin
          if (words_q != 16'd0) begin
            word_pop_o = tail_pop;
            words_d    = words_q - 16'(tail_pop);
          end else begin
            frm_pop_o   = 1'b1;
            rqdpc_inc_o = 1'b1;
            counted_d   = 1'b0;
            state_d     = StIdle;
          end
        end
        default: state_d = StIdle;
      endcase

      // The frame is in host memory (StSkip, or its last data beat): its last buffer's
      // completion, with EOP and the frame's metadata, waits for write-back, and the queue's
      // cause is raised now.
      if (cmp_last) begin
        cmp_push   = !early_q;
        cmp_wr_d   = early_q ? cmp_wr_q : cmp_wr_q + 1'b1;
        early_d    = 1'b0;
        frm_pop_o  = 1'b1;
        rx_cause_o = 1'b1;
        gprc_inc_o = 1'b1;
      end

      // A descriptor taken (StNextDesc, or StIdle's take-up): the buffer it names, for `chunk`
      // more bytes of the frame
      if (desc_pop_o) begin
        addr_d     = desc_pkt_addr_i;
        len_d      = chunk;
        beats_d    = (chunk + 16'd15) >> 4;  // 16-byte beats
        left_d     = left_before - chunk;
        next_idx_d = (desc_idx_i + 16'h1 == ring_count_i) ? 16'h0 : desc_idx_i + 16'h1;
      end
    end  // act
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q   <= StIdle;
      rdh_q     <= '0;
      len_q     <= '0;
      beats_q   <= '0;
      words_q   <= '0;
      addr_q    <= '0;
      status_q  <= '0;
      pinfo_q   <= '0;
      hash_q    <= '0;
      counted_q <= 1'b0;
      early_q   <= 1'b0;
      left_q    <= '0;
      next_idx_q <= '0;
      wb_beat_q <= '0;
      wb_n_q    <= '0;
      cmp_wr_q  <= '0;
      cmp_rd_q  <= '0;
    end else if (act) begin
      state_q   <= state_d;
      rdh_q     <= rdh_d;
      len_q     <= len_d;
      beats_q   <= beats_d;
      words_q   <= words_d;
      addr_q    <= addr_d;
      status_q  <= status_d;
      pinfo_q   <= pinfo_d;
      hash_q    <= hash_d;
      counted_q <= counted_d;
      early_q   <= early_d;
      left_q    <= left_d;
      next_idx_q <= next_idx_d;
      wb_beat_q <= wb_beat_d;
      wb_n_q    <= wb_n_d;
      cmp_wr_q  <= cmp_wr_d;
      cmp_rd_q  <= cmp_rd_d;
    end
  end

  always_ff @(posedge clk_i) begin
    if (cmp_push) begin
      cmp_len_q[cmp_wr_q[Cw-1:0]]    <= cmp_early ? chunk : len_q;
      // Non-last buffers of a frame carry neither EOP nor the frame's metadata.
      cmp_status_q[cmp_wr_q[Cw-1:0]] <= (cmp_last || cmp_early) ? (status_q | StatEOP) : 32'h0;
      cmp_pinfo_q[cmp_wr_q[Cw-1:0]]  <= (cmp_last || cmp_early) ? pinfo_q : 16'h0;
      cmp_hash_q[cmp_wr_q[Cw-1:0]]   <= (cmp_last || cmp_early) ? hash_q : 32'h0;
    end
  end

  assign rdh_o = rdh_q;
  assign taken_idx_o = next_idx_q == 16'h0 ? ring_count_i - 16'h1 : next_idx_q - 16'h1;
  // Idle means nothing changes without outside input: in StIdle, no write-back due and a frame
  // at the head either has no descriptor (already counted) or the queue is disabled; in
  // StNextDesc, the descriptor cache has nothing yet (its read is out: the completion is
  // input). Write-backs and new frames are only taken up in StIdle, so outside it wb_due and a
  // waiting frame are no work (counting them kept the engine busy for the whole ~110 cycles of
  // each descriptor read).
  assign busy_o = (state_q != StIdle && !(state_q == StNextDesc && !desc_valid_i)) ||
                  (state_q == StIdle &&
                   (wb_due || (enable_i && frm_valid_i && 32'(cmp_count) + 32'(needed) <= WbDepth &&
                               (hw_avail >= needed || !counted_q))));

`ifndef SYNTHESIS
`ifndef IGB_NO_ASSERTIONS  // Icarus Verilog 11 parses none (testbench/rtl_tb/run.sh)
  // Hardware contract: descriptors are written back only inside [RDH, RDT): a burst starts
  // at RDH, and the fetch logic took every cached descriptor from below RDT.
  // Completions are taken in ring order, so the oldest pending one is the descriptor at RDH.
  always_ff @(posedge clk_i) begin
    if (rst_ni && desc_pop_o) begin
      a_next_desc_in_order: assert (desc_idx_i == next_idx_q)
        else $error("rx_dma: took descriptor %0d, expected %0d", desc_idx_i, next_idx_q);
    end
  end
  // The burst [RDH, RDH + n) lies inside [RDH, RDT): hardware owns at least n descriptors.
  logic [15:0] hw_owned;
  assign hw_owned = (rdt_i >= rdh_q) ? rdt_i - rdh_q : rdt_i + ring_count_i - rdh_q;
  always_ff @(posedge clk_i) begin
    if (rst_ni && (state_q == StWbReq)) begin
      a_wb_inside_ring: assert (wb_n_q != 16'd0 && wb_n_q <= hw_owned)
        else $error("rx_dma: write-back of %0d descriptors at RDH=%0d outside [RDH, RDT=%0d)",
                    wb_n_q, rdh_q, rdt_i);
    end
  end
  always_ff @(posedge clk_i) begin
    if (rst_ni && (state_q == StIdle && cmp_count == 0)) begin
      a_wb_at_rdh: assert (next_idx_q == rdh_q)
        else $error("rx_dma: RDH=%0d but the next descriptor is %0d with nothing pending",
                    rdh_q, next_idx_q);
    end
  end
`endif
`endif

endmodule
