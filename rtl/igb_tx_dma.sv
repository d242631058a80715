// SPDX-License-Identifier: Apache-2.0
// igb_tx_dma: the transmit engine, shared by the NumQ transmit queues.
//
// It takes descriptors from the head of each queue's descriptor cache (igb_tx_desc_cache) and
// serves the queues round robin, one whole packet at a time (reference C.1):
//   - a context descriptor (DTYP 0010) is latched for its queue: IPLEN, MACLEN, TUCMD (IPV4,
//     L4T), L4LEN, MSS (reference B.1); the one context slot a queue uses (IDX 0, as igb);
//   - a data descriptor (DTYP 0011; a legacy one is read by the same bit positions) has its
//     buffer read from host memory, DTALEN bytes in reads of at most MaxReadReq bytes, each
//     asked for only when the packet buffer has room for it and for everything still on its
//     way. The first data descriptor of a packet gives the packet's fields (IFCS, TSE, POPTS,
//     PAYLEN; reference B.2: only the first descriptor's count); EOP ends the packet, which is
//     then committed to the packet buffer, so it leaves only when wholly buffered
//     (store-and-forward; a segmentation packet, TSE, may leave as it comes: igb_tx_pktbuf).
// Several data reads are out at once, up to the strap reads_max_i (1 to Reads, 16), across
// descriptors, packets and queues: the engine takes the next descriptor as soon as the last
// read of the one before is asked for. (The 82599, X540 and X550 datasheets give 16
// outstanding requests for transmit data; no figure was found for the 82576 or I350. The
// model's default, nic.tx_data_reads = 8, keeps a 64-byte stream at line rate with the default
// 900 ns read round trip; the engine before, one read at a time, capped it at 0.93 Mpps, and
// this one with the strap at 1 at 0.99.)
// Completions come back in order (the host returns them so), so three stages keep the order
// without tags of their own:
//   - the fetcher (state_q) takes descriptors and asks for the reads; each read goes into the
//     reads FIFO, each descriptor into the retire FIFO;
//   - the receiver takes each read's completion beats as they come (they cannot wait), aligns
//     them into 16-byte words for the packet buffer and commits a packet at its last beat. A
//     packet's last beat may leave two words; the second waits in a spill register and goes
//     next cycle (a packet that ends in two words had a beat that gave none, so the spill is
//     free again before the next packet ends: a_spill_room);
//   - the retirer finishes descriptors in ring order: a context descriptor at once, a data
//     descriptor when its last read's last beat is in. That is when it is done.
// A zero-length data descriptor has no read. With EOP it ends its packet: a marker goes into
// the reads FIFO, and the fetcher asks for nothing more until the marker was taken (so no
// beat can come while the receiver takes it). A queue disabled (TXDCTL.ENABLE or TCTL.EN
// clear) while it has descriptors taken and not retired is killed until none is left, even if
// enabled again meanwhile (killed_o: its descriptor cache waits too, then fetches again from
// TDH): the packet the fetcher is in ends with an abort marker, the receiver drops each of
// its packets not yet committed (the words in the packet buffer go), and the retirer retires
// its descriptors without doing them. Left as the engine was before (igb always rewrites TDH
// after a disable, so its driver meets neither): descriptors are done one by one as their
// data comes in, so a disable inside a packet of several leaves TDH inside it (its context and
// first buffers done, the packet dropped); and a packet is committed at its last beat while
// its descriptors retire a cycle or more later, so a disable in between sends it without
// doing it, and a queue enabled again without its TDH rewritten sends it twice. Deciding the
// done when the data comes in (a FIFO of committed or dropped) would close both.
// A descriptor is done when it was latched (context) or its data is in the packet buffer
// (data): then TDH moves past it (TDH may run ahead of the write-backs, reference A.1) and it
// counts for write-back (reference B.3):
//   - WTHRESH = 0: each done descriptor with RS is written back on its own, DD set;
//   - WTHRESH > 0: done descriptors accumulate; when WTHRESH have, they are all written back
//     in one burst, RS or not, provided one of them has RS (choice for "counting from an RS
//     descriptor": without RS among them nothing is written, as with WTHRESH = 0); the
//     interrupt logic flushes what has accumulated when the queue's vector's EITR interval is
//     not running (flush_i: at once after idle, else when the interval ends: "EITR expiry
//     flushes accumulated descriptors").
// A write-back writes the whole 16-byte descriptor in its write-back format: qword 0 and
// NXTSEQ_SEED 0, STA with DD (reference B.3); a burst crossing the ring end is two writes.
// The queue's transmit cause (tx_cause_o) is raised when a write-back's last beat is handed
// to the memory port, so it never announces a descriptor that is not on its way.
// Disabling a queue also drops its held-back write-backs; a TDH write moves TDH (igb writes 0
// at bring-up).
// Planted bug (fault_dd_before_data_i, simulation only): a descriptor is done when it is
// taken, before its data is read, so its write-back (DD) can overtake the reads.
`default_nettype none

module igb_tx_dma
  import igb_pkg::*;
#(
  parameter int NumQ       = NumQueues,
  parameter int MaxReadReq = 512,  // bytes a data read asks for at most (PCIe MRRS 512)
  parameter int Jobs       = 8,    // write-back jobs waiting for the memory port
  parameter int Reads      = 16,   // data reads out at most (a power of two; see the header)
  parameter int MetaW      = 67
) (
  input  wire logic                   clk_i,
  input  wire logic                   rst_ni,

  // Per queue configuration and state
  input  wire logic [NumQ-1:0]        enable_i,
  input  wire logic [NumQ-1:0][63:0]  tdba_i,
  input  wire logic [NumQ-1:0][15:0]  ring_count_i,  // TDLEN / 16
  input  wire logic [NumQ-1:0][4:0]   wthresh_i,
  input  wire logic [NumQ-1:0]        tdh_we_i,
  input  wire logic [15:0]            tdh_wdata_i,
  output      logic [NumQ-1:0][15:0]  tdh_o,
  input  wire logic [NumQ-1:0]        flush_i,       // write back what has accumulated
  output      logic [NumQ-1:0]        wb_pending_o,  // done descriptors held back (WTHRESH)
  output      logic [NumQ-1:0]        tx_cause_o,    // descriptors written back (DD)

  // The descriptor caches' heads
  input  wire logic [NumQ-1:0]        desc_valid_i,
  input  wire logic [NumQ-1:0][127:0] desc_i,
  input  wire logic [NumQ-1:0][15:0]  desc_idx_i,
  output      logic [NumQ-1:0]        desc_pop_o,

  // Data reads (tag {queue, TagTxDataRd}) and their completions, in order
  output      logic                   rd_valid_o,
  input  wire logic                   rd_ready_i,
  output      logic [63:0]            rd_addr_o,
  output      logic [15:0]            rd_len_o,
  output      logic [DmaTagW-1:0]     rd_tag_o,
  output      logic [15:0]            rd_idx_o,  // the descriptor of the read granted last
  input  wire logic                   rsp_valid_i,
  /*verilator tracing_off*/  // the NIC's dma_rresp_data_i a cycle later
  input  wire logic [DmaW-1:0]        rsp_data_i,
  /*verilator tracing_on*/
  input  wire logic                   rsp_last_i,

  // Descriptor write-backs (tag {queue, TagTxWbWr}) and their data
  output      logic                   wr_valid_o,
  input  wire logic                   wr_ready_i,
  output      logic [63:0]            wr_addr_o,
  output      logic [15:0]            wr_len_o,
  output      logic [DmaTagW-1:0]     wr_tag_o,
  output      logic                   wdata_valid_o,
  input  wire logic                   wdata_ready_i,
  output      logic [DmaW-1:0]        wdata_o,
  output      logic                   wdata_last_o,

  // Packet buffer write side
  input  wire logic [15:0]            pb_free_i,     // words free
  input  wire logic [15:0]            pb_meta_free_i, // packets it can still take
  output      logic                   pb_we_o,
  output      logic [127:0]           pb_wdata_o,
  output      logic                   pb_commit_o,
  output      logic [18:0]            pb_len_o,      // (a TSO packet: PAYLEN 18 bits + header)
  // {queue[2:0], ifcs, tse, ixsm, txsm, l4t_tcp, ipv4, maclen[6:0], iplen[8:0], l4len[7:0],
  //  mss[15:0], paylen[17:0]}
  output      logic [MetaW-1:0]       pb_meta_o,
  output      logic                   pb_abort_o,

  output      logic [NumQ-1:0]        killed_o,  // queues disabled with work in flight
  output      logic                   busy_o,
  // Strap: data reads out at most, 1 to Reads (0, or more than Reads: Reads)
  input  wire logic [4:0]             reads_max_i,
  // Planted bug: data descriptors written back before their data is read (see the header)
  input  wire logic                   fault_dd_before_data_i
);
  localparam int QW    = $clog2(NumQ);
  localparam int Jw    = $clog2(Jobs);
  localparam int CtxW  = 42;  // {ipv4, l4t_tcp, maclen[6:0], iplen[8:0], l4len[7:0], mss[15:0]}
  localparam int Rw    = $clog2(Reads);
  localparam int Ops   = 2 * Reads;  // descriptors taken and not retired, at most
  localparam int Ow    = $clog2(Ops);
  // The FIFOs' entries. (The FIFOs hold them as plain vectors of their width: Icarus Verilog 11,
  // the RTL testbench's second simulator, takes packed structs but not arrays of them.)
  // A read out, or a marker between reads that ends a packet without one
  typedef struct packed {
    logic [15:0] len;        // bytes asked for (a marker: 0)
    logic        desc_last;  // its descriptor's last read (a marker: the one it ends is done)
    logic        eop;        // its packet's last read (a marker: a zero-length EOP descriptor)
    logic        marker;     // no read: the packet ends here
    logic        drop;       // a marker that drops the packet (its queue was disabled)
  } read_t;
  localparam int ReadW = 16 + 4;  // its width (Yosys takes no $bits of a type; lint checks it)
  // A descriptor taken and not retired
  typedef struct packed {
    logic [QW-1:0] q;
    logic [15:0]   idx;
    logic          rs;
    logic          data;  // a data descriptor with bytes: retired once they are all in
  } op_t;
  localparam int OpW = QW + 16 + 2;  // its width (see ReadW)

  // ---- The fetcher: descriptors taken, reads asked for
  typedef enum logic [2:0] {StIdle, StDesc, StRead, StDrain} state_e;
  state_e        state_q, state_d;
  logic [QW-1:0] cur_q, cur_d, rr_q, rr_d;
  logic          in_pkt_q, in_pkt_d;   // inside a packet (its first data descriptor taken)
  // The data descriptor being read: bytes still to ask for, next address, EOP
  logic [15:0]   left_q, left_d;
  logic [63:0]   addr_q, addr_d;
  logic          eop_q, eop_d;
  logic [15:0]   beats_q, beats_d;    // completion beats asked for and not yet in
  logic [15:0]   ridx_q, ridx_d;      // the descriptor being read
  logic [15:0]   gidx_q;              // that of the read granted last (rd_idx_o)
  // Per queue: the latched context
  logic [NumQ-1:0][CtxW-1:0] ctx_q, ctx_d;

  // The reads out (and the markers between them), in order
  logic [ReadW-1:0] rds_q [Reads];
  logic [Rw:0]      rwr_q, rrd_q;
  logic             rd_push, rd_pop, reads_full, reads_empty;
  read_t            rd_new;
  logic [Rw:0]      reads_out;  // how many (the waveform shows it)
  assign reads_out   = rwr_q - rrd_q;
  logic [Rw:0]      reads_cap;  // the strap's limit
  assign reads_cap   = (reads_max_i == 5'd0 || 32'(reads_max_i) > Reads) ? (Rw + 1)'(Reads)
                                                                           : (Rw + 1)'(reads_max_i);
  assign reads_full  = reads_out >= reads_cap;
  assign reads_empty = rwr_q == rrd_q;
  // The packets begun and not yet committed: their metadata, in order
  logic [MetaW-1:0] mts_q [Reads];
  logic [Rw:0]      mwr_q, mrd_q, mcount;
  logic             mt_push, mt_pop;
  logic [MetaW-1:0] mt_new;
  assign mcount = mwr_q - mrd_q;
  // The descriptors taken and not retired, in ring order
  logic [OpW-1:0]   ops_q [Ops];
  logic [Ow:0]      owr_q, ord_q;
  logic             op_push, op_pop, ops_full, ops_empty;
  op_t              op_new;
  assign ops_full  = (owr_q - ord_q) == (Ow + 1)'(Ops);
  assign ops_empty = owr_q == ord_q;
  logic [Ow:0]      ddone_q, ddone_d;  // data descriptors whose data is all in, not retired
  // Per queue: descriptors taken and not retired. A queue disabled with some is killed until
  // none remain, even if enabled again meanwhile: none of them is done, its packets not yet
  // committed are dropped, and its descriptor cache starts again from TDH only then.
  logic [NumQ-1:0][Ow:0] qops_q, qops_d;
  logic [NumQ-1:0]       kill_q, kill_d, en;
  assign en       = enable_i & ~kill_q;
  assign killed_o = kill_q;

  // ---- The receiver: the head read's beats, the aligner, the spill register
  logic [15:0]   got_q, got_d;    // bytes of the head read in
  logic [18:0]   plen_q, plen_d;  // bytes of the packet in
  logic [127:0]  acc_q, acc_d;    // fill_q bytes of the packet not yet written as a word
  logic [4:0]    fill_q, fill_d;
  logic          sp_we_q, sp_we_d, sp_commit_q, sp_commit_d;  // the spill: a word, a commit
  logic [127:0]  sp_word_q, sp_word_d;
  logic [18:0]   sp_len_q, sp_len_d;

  // Write-back jobs, in order: a run of descriptors of one queue
  typedef struct packed {
    logic [QW-1:0] q;
    logic [15:0]   first;
    logic [5:0]    count;
  } job_t;
  localparam int JobW = QW + 16 + 6;  // its width (see ReadW)
  logic [JobW-1:0] jobs_q [Jobs];
  logic [Jw:0]     jwr_q, jrd_q;
  logic            job_push, job_pop, jobs_full, jobs_empty;
  job_t            job_new;
  assign jobs_full  = (jwr_q - jrd_q) == (Jw + 1)'(Jobs);
  assign jobs_empty = jwr_q == jrd_q;
  // Per queue: TDH, the descriptors done and not written back
  logic [NumQ-1:0][15:0]     tdh_q, tdh_d;
  logic [NumQ-1:0][15:0]     wbs_q, wbs_d;   // first of them
  logic [NumQ-1:0][5:0]      wbn_q, wbn_d;   // how many
  logic [NumQ-1:0]           wbrs_q, wbrs_d; // one of them has RS

  // The head descriptor of the current queue, decoded
  logic [127:0] d;
  logic         d_ctx, d_eop, d_rs, d_ifcs, d_tse, d_dext;
  logic [15:0]  d_len;
  assign d      = desc_i[cur_q];
  // The current queue's context, whole (Icarus cannot part-select a variable-indexed element)
  logic [CtxW-1:0] cur_ctx;
  assign cur_ctx = ctx_q[cur_q];
  assign d_ctx  = d[87:84] == AdvtxdDtypCtxt[23:20] && d[64 + AdvtxdDcmdDext];
  assign d_dext = d[64 + AdvtxdDcmdDext];
  assign d_eop  = d[64 + AdvtxdDcmdEop];
  assign d_rs   = d[64 + AdvtxdDcmdRs];
  assign d_ifcs = d[64 + AdvtxdDcmdIfcs];
  assign d_tse  = d[64 + AdvtxdDcmdTse] && d_dext;
  assign d_len  = d[79:64];

  // Round robin: the first queue at or after rr_q with a descriptor ready
  logic          pick_any;
  logic [QW-1:0] pick;
  always_comb begin
    pick_any = 1'b0;
    pick     = '0;
    // (the loops run only when there is something to find: they are evaluated every cycle)
    if ((en & desc_valid_i) != '0) for (int unsigned i = 0; i < NumQ; i++) begin
      if (!pick_any && en[QW'(32'(rr_q) + i)] && desc_valid_i[QW'(32'(rr_q) + i)]) begin
        pick_any = 1'b1;
        pick     = QW'(32'(rr_q) + i);
      end
    end
  end
  // A queue whose held-back write-backs are to be flushed now
  logic          fl_any;
  logic [QW-1:0] fl_q;
  logic [NumQ-1:0] wb_nonzero;
  logic            wb_held;  // some queue holds done descriptors
  for (genvar q = 0; q < NumQ; q++) begin : g_pending
    assign wb_nonzero[q]   = wbn_q[q] != 6'd0;
    assign wb_pending_o[q] = wb_nonzero[q] && wbrs_q[q];
  end
  assign wb_held = wb_nonzero != '0;
  always_comb begin
    fl_any = 1'b0;
    fl_q   = '0;
    if ((flush_i & wb_pending_o) != '0) for (int unsigned q = 0; q < NumQ; q++) begin
      if (!fl_any && flush_i[q] && wb_pending_o[q]) begin
        fl_any = 1'b1;
        fl_q   = QW'(q);
      end
    end
  end

  // ---- The fetcher
  logic [15:0] rd_len, rd_beats;
  logic        pb_room, meta_room, take_ok, take;
  always_comb begin
    rd_len   = (left_q > 16'(MaxReadReq)) ? 16'(MaxReadReq) : left_q;
    rd_beats = (rd_len + 16'd15) >> 4;
    // Room for everything still to come: the beats out and this read's, one word for the bytes
    // the aligner may hold, and the spilled word (see the header)
    pb_room  = 17'(pb_free_i) >= 17'(beats_q) + 17'(rd_beats) + 17'd1 + 17'(sp_we_q);
    // A packet begun needs a place in the packet buffer's list, kept for it until it commits
    meta_room = mcount != (Rw + 1)'(Reads) && pb_meta_free_i > 16'(mcount);
    // A descriptor taken needs its place in the retire FIFO (its done, when planted)
    take_ok   = fault_dd_before_data_i ? !jobs_full : !ops_full;
    take      = state_q == StDesc && en[cur_q] && desc_valid_i[cur_q] && take_ok &&
                (d_ctx || ((in_pkt_q || meta_room) && (d_len != 16'd0 || !d_eop || !reads_full)));
  end

  logic          f_done;  // planted: a descriptor done when taken
  always_comb begin
    state_d    = state_q;
    cur_d      = cur_q;
    rr_d       = rr_q;
    in_pkt_d   = in_pkt_q;
    left_d     = left_q;
    addr_d     = addr_q;
    eop_d      = eop_q;
    ridx_d     = ridx_q;
    ctx_d      = ctx_q;
    desc_pop_o = '0;
    rd_valid_o = 1'b0;
    rd_push    = 1'b0;
    rd_new     = '0;
    mt_push    = 1'b0;
    mt_new     = '0;
    op_push    = 1'b0;
    op_new     = '0;
    f_done     = 1'b0;

    unique case (state_q)
      StIdle: begin
        if (pick_any) begin
          cur_d   = pick;
          state_d = StDesc;
        end
      end
      StDesc: begin
        if (!en[cur_q]) begin
          if (!in_pkt_q) begin
            state_d = StIdle;
          end else if (!reads_full) begin  // the packet ends here, dropped
            rd_push  = 1'b1;
            rd_new.marker = 1'b1;
            rd_new.drop   = 1'b1;
            in_pkt_d = 1'b0;
            state_d  = StDrain;
          end
        end else if (!desc_valid_i[cur_q]) begin
          // Between packets: let the next queue have its turn; inside one: wait for the rest
          if (!in_pkt_q) state_d = StIdle;
        end else if (take) begin
          desc_pop_o[cur_q] = 1'b1;
          f_done  = fault_dd_before_data_i;
          op_push = !fault_dd_before_data_i;
          op_new.q    = cur_q;
          op_new.idx  = desc_idx_i[cur_q];
          op_new.rs   = d_rs;
          op_new.data = !d_ctx && d_len != 16'd0;
          if (d_ctx) begin
            ctx_d[cur_q] = {d[64 + 10], d[64 + 11], d[15:9], d[8:0], d[111:104], d[127:112]};
          end else begin
            if (!in_pkt_q) begin
              // The packet's first data descriptor: its fields and the queue's context
              mt_push = 1'b1;
              mt_new  = {3'(cur_q), d_ifcs, d_tse, d[96 + AdvtxdPoptsIxsm] && d_dext,
                         d[96 + AdvtxdPoptsTxsm] && d_dext, cur_ctx[CtxW-2], cur_ctx[CtxW-1],
                         cur_ctx[CtxW-3:0], d_dext ? d[127:110] : 18'h0};
            end
            in_pkt_d = 1'b1;
            ridx_d   = desc_idx_i[cur_q];
            left_d   = d_len;
            addr_d   = d[63:0];
            eop_d    = d_eop;
            if (d_len != 16'd0) begin
              state_d = StRead;
            end else if (d_eop) begin  // nothing to read, the packet ends: a marker
              rd_push  = 1'b1;
              rd_new.eop    = 1'b1;
              rd_new.marker = 1'b1;
              in_pkt_d = 1'b0;
              rr_d     = cur_q + 1'b1;
              state_d  = StDrain;
            end
          end
        end
      end
      StRead: begin
        if (!en[cur_q]) begin
          if (!reads_full) begin  // the packet ends here, dropped; its descriptor too
            rd_push  = 1'b1;
            rd_new.desc_last = 1'b1;
            rd_new.marker    = 1'b1;
            rd_new.drop      = 1'b1;
            in_pkt_d = 1'b0;
            state_d  = StDrain;
          end
        end else if (!reads_full && pb_room) begin
          rd_valid_o = 1'b1;
          if (rd_ready_i) begin
            rd_push = 1'b1;
            rd_new.len       = rd_len;
            rd_new.desc_last = left_q == rd_len;
            rd_new.eop       = left_q == rd_len && eop_q;
            addr_d  = addr_q + 64'(rd_len);
            left_d  = left_q - rd_len;
            if (left_q == rd_len && eop_q) begin
              in_pkt_d = 1'b0;
              rr_d     = cur_q + 1'b1;
              state_d  = StIdle;
            end else if (left_q == rd_len) begin
              state_d  = StDesc;
            end
          end
        end
      end
      StDrain: begin
        // Until the marker is taken: no beat may come while the receiver takes it
        if (reads_empty) state_d = StIdle;
      end
      default: state_d = StIdle;
    endcase
  end

  // ---- The receiver
  read_t        head;
  logic [15:0]  h_len;
  logic         h_dlast, h_eop, h_marker, h_abort;
  assign head     = rds_q[rrd_q[Rw-1:0]];
  assign h_len    = head.len;
  assign h_dlast  = head.desc_last;
  assign h_eop    = head.eop;
  assign h_marker = head.marker;
  assign h_abort  = head.drop;
  // This beat's valid bytes, shifted in behind the aligner's
  logic [255:0] merged;
  logic [4:0]   nb;
  logic [15:0]  chunk_rest;
  logic [127:0] beat_masked;
  always_comb begin
    chunk_rest  = h_len - got_q;
    nb          = (chunk_rest >= 16'd16) ? 5'd16 : chunk_rest[4:0];
    beat_masked = '0;
    merged      = '0;
    if (rsp_valid_i) begin  // only with a beat: the shift is an evaluation's costly part
      beat_masked = rsp_data_i;
      for (int unsigned b = 0; b < 16; b++)
        if (5'(b) >= nb) beat_masked[8 * b +: 8] = 8'h0;
      merged = {128'h0, acc_q} | ({128'h0, beat_masked} << {fill_q, 3'b000});
    end
  end

  // What the receiver gives the packet buffer this cycle: up to two steps, each a word
  // and/or a commit (with the packet's length)
  logic         w0_we, w0_commit, w1_we, w1_commit, mk_go, mk_abort, ddone_inc, mt_drop;
  logic [127:0] w0_word, w1_word;
  logic [18:0]  w_len;
  always_comb begin
    got_d     = got_q;
    plen_d    = plen_q;
    acc_d     = acc_q;
    fill_d    = fill_q;
    rd_pop    = 1'b0;
    ddone_inc = 1'b0;
    mt_drop   = 1'b0;
    mk_go     = 1'b0;
    mk_abort  = 1'b0;
    w0_we     = 1'b0;
    w0_commit = 1'b0;
    w0_word   = merged[127:0];
    w1_we     = 1'b0;
    w1_commit = 1'b0;
    w1_word   = merged[255:128];
    w_len     = plen_q + 19'(nb);
    if (rsp_valid_i) begin
      got_d  = got_q + 16'(nb);
      plen_d = plen_q + 19'(nb);
      if (rsp_last_i) begin
        rd_pop    = 1'b1;
        got_d     = '0;
        ddone_inc = h_dlast && !fault_dd_before_data_i;
      end
      if (rsp_last_i && h_eop) begin
        // The packet's last beat: all of it to the packet buffer, committed with its last word
        w0_we     = 1'b1;
        w0_commit = fill_q + nb <= 5'd16;
        w1_we     = fill_q + nb > 5'd16;
        w1_commit = w1_we;
        acc_d     = '0;
        fill_d    = '0;
        plen_d    = '0;
      end else if (fill_q + nb >= 5'd16) begin
        w0_we  = 1'b1;
        acc_d  = merged[255:128];
        fill_d = fill_q + nb - 5'd16;
      end else begin
        acc_d  = merged[127:0];
        fill_d = fill_q + nb;
      end
    end else if (!reads_empty && h_marker && !sp_we_q && !sp_commit_q) begin
      // A marker: no beat can come now (the fetcher waits for it to be taken)
      mk_go  = 1'b1;
      rd_pop = 1'b1;
      ddone_inc = h_dlast && !fault_dd_before_data_i;
      w0_word = acc_q;
      w_len   = plen_q;
      if (h_abort) begin
        mk_abort   = 1'b1;
        mt_drop    = 1'b1;
      end else if (plen_q == '0) begin  // zero-length descriptors only: nothing to send
        mt_drop    = 1'b1;
      end else begin
        w0_we     = fill_q != 5'd0;
        w0_commit = 1'b1;
      end
      acc_d  = '0;
      fill_d = '0;
      plen_d = '0;
    end
  end

  // The packet buffer's port: the spilled step first, then the receiver's
  always_comb begin
    sp_we_d     = 1'b0;
    sp_commit_d = 1'b0;
    sp_word_d   = w1_word;
    sp_len_d    = w_len;
    if (sp_we_q || sp_commit_q) begin
      pb_we_o     = sp_we_q;
      pb_wdata_o  = sp_word_q;
      pb_commit_o = sp_commit_q;
      pb_len_o    = sp_len_q;
      sp_we_d     = w0_we;
      sp_commit_d = w0_commit;
      sp_word_d   = w0_word;
    end else begin
      pb_we_o     = w0_we;
      pb_wdata_o  = w0_word;
      pb_commit_o = w0_commit;
      pb_len_o    = w_len;
      sp_we_d     = w1_we;
      sp_commit_d = w1_commit;
    end
    // A packet of a queue disabled (or killed) while it came in: dropped, not committed (with
    // the word written beside it)
    pb_abort_o = mk_abort;
    if (pb_commit_o && !en[pb_meta_o[MetaW-3 +: QW]]) begin  // {queue[2:0], ...}
      pb_commit_o = 1'b0;
      pb_abort_o  = 1'b1;
    end
    mt_pop = pb_commit_o || pb_abort_o || mt_drop;
  end
  assign pb_meta_o = mts_q[mrd_q[Rw-1:0]];

  // ---- The retirer: the oldest descriptor taken, once its data is in
  op_t            op_head;
  logic [QW-1:0]  o_q;
  logic [15:0]    o_idx;
  logic           o_rs, o_data, r_go;
  assign op_head = ops_q[ord_q[Ow-1:0]];
  assign o_q     = op_head.q;
  assign o_idx   = op_head.idx;
  assign o_rs    = op_head.rs;
  assign o_data  = op_head.data;
  assign r_go    = !ops_empty && (!o_data || ddone_q != '0) && !jobs_full;
  assign op_pop  = r_go;
  always_comb begin
    qops_d = qops_q;
    if (op_push) qops_d[cur_q] = qops_d[cur_q] + 1'b1;
    if (op_pop)  qops_d[o_q]   = qops_d[o_q] - 1'b1;
    for (int unsigned q = 0; q < NumQ; q++)
      kill_d[q] = (kill_q[q] || !enable_i[q]) && qops_d[q] != '0;
  end
  always_comb begin
    ddone_d = ddone_q;
    if (ddone_inc) ddone_d = ddone_d + 1'b1;
    if (r_go && o_data) ddone_d = ddone_d - 1'b1;
  end

  // A descriptor done: TDH past it, and its write-back (see the header)
  logic          done;
  logic [QW-1:0] done_q;
  logic [15:0]   done_idx, done_next;
  logic          done_rs;
  always_comb begin
    tdh_d    = tdh_q;
    wbs_d    = wbs_q;
    wbn_d    = wbn_q;
    wbrs_d   = wbrs_q;
    job_push = 1'b0;
    job_new  = '0;
    // Retired with its queue enabled, or (planted) taken
    done     = f_done || (r_go && en[o_q]);
    done_q   = f_done ? cur_q : o_q;
    done_idx = f_done ? desc_idx_i[cur_q] : o_idx;
    done_rs  = f_done ? d_rs : o_rs;
    done_next = '0;
    if (done) begin
      done_next     = (done_idx + 16'd1 == ring_count_i[done_q]) ? 16'd0 : done_idx + 16'd1;
      tdh_d[done_q] = done_next;
      if (wthresh_i[done_q] == 5'd0) begin
        if (done_rs) begin
          job_push = 1'b1;
          job_new.q     = done_q;
          job_new.first = done_idx;
          job_new.count = 6'd1;
        end
      end else begin
        if (wbn_q[done_q] == 6'd0) wbs_d[done_q] = done_idx;
        wbn_d[done_q]  = wbn_q[done_q] + 6'd1;
        wbrs_d[done_q] = wbrs_q[done_q] | done_rs;
        if (wbn_d[done_q] >= {1'b0, wthresh_i[done_q]}) begin
          job_push       = wbrs_d[done_q];
          job_new.q      = done_q;
          job_new.first  = wbs_d[done_q];
          job_new.count  = wbn_d[done_q];
          wbn_d[done_q]  = '0;
          wbrs_d[done_q] = 1'b0;
        end
      end
    end else if (fl_any && !jobs_full) begin
      // A flush of held-back write-backs (in a cycle without a descriptor done)
      job_push      = 1'b1;
      job_new.q     = fl_q;
      job_new.first = wbs_q[fl_q];
      job_new.count = wbn_q[fl_q];
      wbn_d[fl_q]   = '0;
      wbrs_d[fl_q]  = 1'b0;
    end

    if (tdh_we_i != '0 || wb_held) for (int unsigned q = 0; q < NumQ; q++) begin
      if (tdh_we_i[q]) tdh_d[q] = tdh_wdata_i;
      if (!enable_i[q] || tdh_we_i[q]) begin
        wbn_d[q]  = '0;
        wbrs_d[q] = 1'b0;
      end
    end
  end

  assign rd_addr_o  = addr_q;
  assign rd_len_o   = rd_len;
  assign rd_tag_o   = {(DmaTagW - 4)'(cur_q), TagTxDataRd};
  assign rd_idx_o   = gidx_q;
  assign tdh_o      = tdh_q;

  // Write-back engine: one job at a time, a write per ring segment
  typedef enum logic [1:0] {WbIdle, WbReq, WbData} wb_state_e;
  wb_state_e     wst_q, wst_d;
  logic [QW-1:0] wq_q, wq_d;
  logic [15:0]   wfirst_q, wfirst_d;
  logic [5:0]    wleft_q, wleft_d, wn_q, wn_d, wbeat_q, wbeat_d;
  job_t          job_head;
  logic [15:0]   w_to_end;
  logic [5:0]    w_n;
  assign job_head = jobs_q[jrd_q[Jw-1:0]];
  always_comb begin
    w_to_end = ring_count_i[wq_q] - wfirst_q;
    w_n      = (w_to_end < 16'(wleft_q)) ? w_to_end[5:0] : wleft_q;
  end
  always_comb begin
    wst_d    = wst_q;
    wq_d     = wq_q;
    wfirst_d = wfirst_q;
    wleft_d  = wleft_q;
    wn_d     = wn_q;
    wbeat_d  = wbeat_q;
    job_pop  = 1'b0;
    wr_valid_o    = 1'b0;
    wdata_valid_o = 1'b0;
    wdata_last_o  = 1'b0;
    tx_cause_o    = '0;
    unique case (wst_q)
      WbIdle: begin
        if (!jobs_empty) begin
          job_pop  = 1'b1;
          wq_d     = job_head.q;
          wfirst_d = job_head.first;
          wleft_d  = job_head.count;
          wst_d    = WbReq;
        end
      end
      WbReq: begin
        wr_valid_o = 1'b1;
        if (wr_ready_i) begin
          wn_d    = w_n;
          wbeat_d = '0;
          wst_d   = WbData;
        end
      end
      WbData: begin
        wdata_valid_o = 1'b1;
        wdata_last_o  = wbeat_q == wn_q - 6'd1;
        if (wdata_ready_i) begin
          wbeat_d = wbeat_q + 6'd1;
          if (wdata_last_o) begin
            wleft_d  = wleft_q - wn_q;
            wfirst_d = 16'd0;  // a second write, if any, starts at the ring's start
            if (wleft_q == wn_q) begin
              tx_cause_o[wq_q] = 1'b1;
              wst_d = WbIdle;
            end else begin
              wst_d = WbReq;
            end
          end
        end
      end
      default: wst_d = WbIdle;
    endcase
  end
  assign wr_addr_o = tdba_i[wq_q] + {44'h0, wfirst_q, 4'h0};
  assign wr_len_o  = {6'h0, w_n, 4'h0};
  assign wr_tag_o  = {(DmaTagW - 4)'(wq_q), TagTxWbWr};
  // Write-back format: qword 0 reserved (0), NXTSEQ_SEED 0, STA.DD
  assign wdata_o   = {TxdStatDd, 32'h0, 64'h0};

  always_ff @(posedge clk_i) begin
    if (job_push) jobs_q[jwr_q[Jw-1:0]] <= job_new;
    if (rd_push)  rds_q[rwr_q[Rw-1:0]]  <= rd_new;
    if (mt_push)  mts_q[mwr_q[Rw-1:0]]  <= mt_new;
    if (op_push)  ops_q[owr_q[Ow-1:0]]  <= op_new;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q     <= StIdle;
      cur_q       <= '0;
      rr_q        <= '0;
      in_pkt_q    <= 1'b0;
      left_q      <= '0;
      addr_q      <= '0;
      eop_q       <= 1'b0;
      beats_q     <= '0;
      ridx_q      <= '0;
      gidx_q      <= '0;
      ctx_q       <= '0;
      rwr_q       <= '0;
      rrd_q       <= '0;
      mwr_q       <= '0;
      mrd_q       <= '0;
      owr_q       <= '0;
      ord_q       <= '0;
      ddone_q     <= '0;
      qops_q      <= '0;
      kill_q      <= '0;
      got_q       <= '0;
      plen_q      <= '0;
      acc_q       <= '0;
      fill_q      <= '0;
      sp_we_q     <= 1'b0;
      sp_commit_q <= 1'b0;
      sp_word_q   <= '0;
      sp_len_q    <= '0;
      tdh_q       <= '0;
      wbs_q       <= '0;
      wbn_q       <= '0;
      wbrs_q      <= '0;
      jwr_q       <= '0;
      jrd_q       <= '0;
      wst_q       <= WbIdle;
      wq_q        <= '0;
      wfirst_q    <= '0;
      wleft_q     <= '0;
      wn_q        <= '0;
      wbeat_q     <= '0;
    end else begin
      state_q     <= state_d;
      cur_q       <= cur_d;
      rr_q        <= rr_d;
      in_pkt_q    <= in_pkt_d;
      left_q      <= left_d;
      addr_q      <= addr_d;
      eop_q       <= eop_d;
      beats_q     <= beats_d;
      ridx_q      <= ridx_d;
      if (rd_valid_o && rd_ready_i) gidx_q <= ridx_q;
      ctx_q       <= ctx_d;
      if (rd_push) rwr_q <= rwr_q + 1'b1;
      if (rd_pop)  rrd_q <= rrd_q + 1'b1;
      if (mt_push) mwr_q <= mwr_q + 1'b1;
      if (mt_pop)  mrd_q <= mrd_q + 1'b1;
      if (op_push) owr_q <= owr_q + 1'b1;
      if (op_pop)  ord_q <= ord_q + 1'b1;
      ddone_q     <= ddone_d;
      qops_q      <= qops_d;
      kill_q      <= kill_d;
      got_q       <= got_d;
      plen_q      <= plen_d;
      acc_q       <= acc_d;
      fill_q      <= fill_d;
      sp_we_q     <= sp_we_d;
      sp_commit_q <= sp_commit_d;
      sp_word_q   <= sp_word_d;
      sp_len_q    <= sp_len_d;
      tdh_q       <= tdh_d;
      wbs_q       <= wbs_d;
      wbn_q       <= wbn_d;
      wbrs_q      <= wbrs_d;
      if (job_push) jwr_q <= jwr_q + 1'b1;
      if (job_pop)  jrd_q <= jrd_q + 1'b1;
      wst_q       <= wst_d;
      wq_q        <= wq_d;
      wfirst_q    <= wfirst_d;
      wleft_q     <= wleft_d;
      wn_q        <= wn_d;
      wbeat_q     <= wbeat_d;
    end
  end

  // Completion beats asked for and not yet in
  always_comb begin
    beats_d = beats_q;
    if (rd_valid_o && rd_ready_i) beats_d = beats_d + rd_beats;
    if (rsp_valid_i)              beats_d = beats_d - 16'd1;
  end

  // Busy: a step to take without outside input. A data read waiting for its completion is not
  // (the host knows when it comes), nor a packet waiting for its queue's next descriptor, nor
  // a read or a packet waiting for room in the packet buffer: room comes only when the MAC
  // takes data out of it, at an edge the back end is busy in, and the next edge sees it. Room
  // in the fetcher's FIFOs comes from the receiver (beats: outside input) or the retirer.
  assign busy_o = (state_q == StIdle && pick_any) || take || rd_valid_o ||
                  (state_q == StDesc && !en[cur_q] && (!in_pkt_q || !reads_full)) ||
                  (state_q == StDesc && en[cur_q] && !desc_valid_i[cur_q] && !in_pkt_q) ||
                  (state_q == StRead && !en[cur_q] && !reads_full) ||
                  (state_q == StDrain && reads_empty) ||
                  mk_go || sp_we_q || sp_commit_q || r_go || kill_d != kill_q ||
                  (fl_any && !jobs_full) || !jobs_empty || wst_q != WbIdle;

`ifndef SYNTHESIS
`ifndef IGB_NO_ASSERTIONS  // Icarus Verilog 11 parses none (testbench/rtl_tb/run.sh)
  always_ff @(posedge clk_i) begin
    if (rst_ni) begin
      a_job_room: assert (!job_push || !jobs_full)
        else $error("tx_dma: write-back job pushed into a full queue");
      a_fifo_room: assert ((!rd_push || !reads_full) && (!op_push || !ops_full) &&
                           (!mt_push || mcount != (Rw + 1)'(Reads)))
        else $error("tx_dma: a read, descriptor or packet pushed into a full FIFO");
      a_meta_there: assert (!mt_pop || mcount != '0)
        else $error("tx_dma: a packet committed or dropped that was never begun");
      // Completions come only for a read out, never more bytes than it asked for
      a_rsp_expected: assert (!rsp_valid_i || (!reads_empty && !h_marker && got_q < h_len))
        else $error("tx_dma: data completion with no read waiting for it");
      // The spill register is free whenever the receiver leaves two steps (see the header)
      a_spill_room: assert (!((sp_we_q || sp_commit_q) && (w1_we || w1_commit)))
        else $error("tx_dma: two words for the packet buffer with the spill register full");
      // A packet fits the packet buffer (the largest the part sends, 9728 bytes, does); a
      // segmentation packet leaves as it comes (igb_tx_pktbuf) and only fits its length field
      a_pkt_fits: assert (!rsp_valid_i || plen_q < (pb_meta_o[MetaW-5] ? 19'h7FE00 : 19'd16384))
        else $error("tx_dma: packet of %0d bytes and more does not fit", plen_q);
      // Only one of a planted done and a retired one: the strap does not change
      a_one_done: assert (!(f_done && r_go))
        else $error("tx_dma: a descriptor taken and one retired done together");
      // A write-back job writes at least one descriptor
      a_wb_done: assert (!(wst_q == WbReq && wr_valid_o) || wleft_q != 6'd0)
        else $error("tx_dma: empty write-back");
    end
  end
`endif
`endif
endmodule
