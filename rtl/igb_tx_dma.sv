// SPDX-License-Identifier: Apache-2.0
// igb_tx_dma: the transmit engine, shared by the NumQ transmit queues.
//
// It takes descriptors from the head of each queue's descriptor cache (igb_tx_desc_cache) and
// serves the queues round robin, one whole packet at a time (reference C.1):
//   - a context descriptor (DTYP 0010) is latched for its queue: IPLEN, MACLEN, TUCMD (IPV4,
//     L4T), L4LEN, MSS (reference B.1); the one context slot a queue uses (IDX 0, as igb);
//   - a data descriptor (DTYP 0011; a legacy one is read by the same bit positions) has its
//     buffer read from host memory, DTALEN bytes in reads of at most MaxReadReq bytes, one read
//     out at a time, each only when the packet buffer has room for it. The first data
//     descriptor of a packet gives the packet's fields (IFCS, TSE, POPTS, PAYLEN; reference
//     B.2: only the first descriptor's count); EOP ends the packet, which is then committed to
//     the packet buffer, so it leaves only when wholly buffered (store-and-forward).
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
// Disabling a queue (TXDCTL.ENABLE or TCTL.EN clear) drops the packet it was fetching from the
// packet buffer and its held-back write-backs; a TDH write moves TDH (igb writes 0 at bring-up).
// Planted bug (fault_dd_before_data_i, simulation only): a data descriptor is done when it is
// taken, before its data is read, so its write-back (DD) can overtake the reads.
`default_nettype none

module igb_tx_dma
  import igb_pkg::*;
#(
  parameter int NumQ       = NumQueues,
  parameter int MaxReadReq = 512,  // bytes a data read asks for at most (PCIe MRRS 512)
  parameter int Jobs       = 8,    // write-back jobs waiting for the memory port
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
  input  wire logic                   pb_meta_full_i,
  output      logic                   pb_we_o,
  output      logic [127:0]           pb_wdata_o,
  output      logic                   pb_commit_o,
  output      logic [15:0]            pb_len_o,
  // {queue[2:0], ifcs, tse, ixsm, txsm, l4t_tcp, ipv4, maclen[6:0], iplen[8:0], l4len[7:0],
  //  mss[15:0], paylen[17:0]}
  output      logic [MetaW-1:0]       pb_meta_o,
  output      logic                   pb_abort_o,

  output      logic                   busy_o,
  // Planted bug: data descriptors written back before their data is read (see the header)
  input  wire logic                   fault_dd_before_data_i
);
  localparam int QW = $clog2(NumQ);
  localparam int Jw = $clog2(Jobs);
  localparam int CtxW = 42;  // {ipv4, l4t_tcp, maclen[6:0], iplen[8:0], l4len[7:0], mss[15:0]}

  typedef enum logic [2:0] {StIdle, StDesc, StRead, StData, StDone, StEop} state_e;
  state_e        state_q, state_d;
  logic [QW-1:0] cur_q, cur_d, rr_q, rr_d;
  logic          in_pkt_q, in_pkt_d;
  // The packet: its fields, length so far
  logic [MetaW-4:0] pmeta_q, pmeta_d;
  logic [15:0]   plen_q, plen_d;
  // The data descriptor being read: bytes still to ask for, next address, EOP/RS, the read
  // out (bytes asked, bytes back)
  logic [15:0]   left_q, left_d, chunk_q, chunk_d, got_q, got_d;
  logic [63:0]   addr_q, addr_d;
  logic          eop_q, eop_d, rs_q, rs_d;
  logic [15:0]   idx_q, idx_d;
  // Byte aligner: fill_q bytes of the packet not yet written as a word
  logic [127:0]  acc_q, acc_d;
  logic [4:0]    fill_q, fill_d;
  // Per queue: TDH, the latched context, the descriptors done and not written back
  logic [NumQ-1:0][15:0]     tdh_q, tdh_d;
  logic [NumQ-1:0][CtxW-1:0] ctx_q, ctx_d;
  logic [NumQ-1:0][15:0]     wbs_q, wbs_d;   // first of them
  logic [NumQ-1:0][5:0]      wbn_q, wbn_d;   // how many
  logic [NumQ-1:0]           wbrs_q, wbrs_d; // one of them has RS

  // Write-back jobs {queue, first descriptor, count}, in order
  localparam int JobW = QW + 16 + 6;
  logic [JobW-1:0] jobs_q [Jobs];
  logic [Jw:0]     jwr_q, jrd_q;
  logic            job_push, job_pop, jobs_full, jobs_empty;
  logic [JobW-1:0] job_new;
  assign jobs_full  = (jwr_q - jrd_q) == (Jw + 1)'(Jobs);
  assign jobs_empty = jwr_q == jrd_q;

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
    if ((enable_i & desc_valid_i) != '0) for (int unsigned i = 0; i < NumQ; i++) begin
      if (!pick_any && enable_i[QW'(32'(rr_q) + i)] && desc_valid_i[QW'(32'(rr_q) + i)]) begin
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

  // This beat's valid bytes, shifted in behind the aligner's
  logic [255:0] merged;
  logic [4:0]   nb;
  logic [15:0]  chunk_rest;
  logic [127:0] beat_masked;
  always_comb begin
    chunk_rest  = chunk_q - got_q;
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

  // A descriptor done: TDH past it, and its write-back (see the header)
  logic          done;
  logic [15:0]   done_idx, done_next;
  logic          done_rs;
  logic [15:0]   rd_len;
  logic [15:0]   need_words;
  always_comb begin
    rd_len     = (left_q > 16'(MaxReadReq)) ? 16'(MaxReadReq) : left_q;
    // The read's words, and one for the bytes the aligner may hold
    need_words = ((rd_len + 16'd15) >> 4) + 16'd1;
  end

  always_comb begin
    state_d   = state_q;
    cur_d     = cur_q;
    rr_d      = rr_q;
    in_pkt_d  = in_pkt_q;
    pmeta_d   = pmeta_q;
    plen_d    = plen_q;
    left_d    = left_q;
    chunk_d   = chunk_q;
    got_d     = got_q;
    addr_d    = addr_q;
    eop_d     = eop_q;
    rs_d      = rs_q;
    idx_d     = idx_q;
    acc_d     = acc_q;
    fill_d    = fill_q;
    tdh_d     = tdh_q;
    ctx_d     = ctx_q;
    wbs_d     = wbs_q;
    wbn_d     = wbn_q;
    wbrs_d    = wbrs_q;
    desc_pop_o  = '0;
    rd_valid_o  = 1'b0;
    pb_we_o     = 1'b0;
    pb_wdata_o  = acc_q;
    pb_commit_o = 1'b0;
    pb_abort_o  = 1'b0;
    done        = 1'b0;
    done_idx    = idx_q;
    done_rs     = rs_q;
    done_next   = '0;
    job_push    = 1'b0;
    job_new     = '0;

    unique case (state_q)
      StIdle: begin
        if (pick_any) begin
          cur_d   = pick;
          state_d = StDesc;
        end
      end
      StDesc: begin
        if (!enable_i[cur_q]) begin
          pb_abort_o = in_pkt_q;
          in_pkt_d   = 1'b0;
          fill_d     = '0;
          state_d    = StIdle;
        end else if (!desc_valid_i[cur_q]) begin
          // Between packets: let the next queue have its turn; inside one: wait for the rest
          if (!in_pkt_q) state_d = StIdle;
        end else if (d_ctx) begin
          if (!jobs_full) begin
            ctx_d[cur_q] = {d[64 + 10], d[64 + 11], d[15:9], d[8:0], d[111:104], d[127:112]};
            desc_pop_o[cur_q] = 1'b1;
            done     = 1'b1;
            done_idx = desc_idx_i[cur_q];
            done_rs  = d_rs;
          end
        end else if (!fault_dd_before_data_i || !jobs_full) begin
          if (fault_dd_before_data_i) begin  // planted: done now, its data still unread
            desc_pop_o[cur_q] = 1'b1;
            done     = 1'b1;
            done_idx = desc_idx_i[cur_q];
            done_rs  = d_rs;
          end
          if (!in_pkt_q) begin
            // The packet's first data descriptor: its fields and the queue's context
            pmeta_d = {d_ifcs, d_tse, d[96 + AdvtxdPoptsIxsm] && d_dext,
                       d[96 + AdvtxdPoptsTxsm] && d_dext, cur_ctx[CtxW-2],
                       cur_ctx[CtxW-1], cur_ctx[CtxW-3:0], d_dext ? d[127:110] : 18'h0};
            plen_d  = '0;
            fill_d  = '0;
            acc_d   = '0;
          end
          in_pkt_d = 1'b1;
          left_d   = d_len;
          addr_d   = d[63:0];
          eop_d    = d_eop;
          rs_d     = d_rs;
          idx_d    = desc_idx_i[cur_q];
          if (d_len == 16'd0) state_d = StDone;
          else                state_d = StRead;
        end
      end
      StRead: begin
        if (!enable_i[cur_q]) begin
          pb_abort_o = 1'b1;
          in_pkt_d   = 1'b0;
          fill_d     = '0;
          state_d    = StIdle;
        end else if (pb_free_i >= need_words) begin
          rd_valid_o = 1'b1;
          if (rd_ready_i) begin
            chunk_d = rd_len;
            got_d   = '0;
            addr_d  = addr_q + 64'(rd_len);
            left_d  = left_q - rd_len;
            state_d = StData;
          end
        end
      end
      StData: begin
        if (rsp_valid_i) begin
          got_d  = got_q + 16'(nb);
          plen_d = plen_q + 16'(nb);
          if (fill_q + nb >= 5'd16) begin
            pb_we_o    = 1'b1;
            pb_wdata_o = merged[127:0];
            acc_d      = merged[255:128];
            fill_d     = fill_q + nb - 5'd16;
          end else begin
            acc_d      = merged[127:0];
            fill_d     = fill_q + nb;
          end
          if (rsp_last_i && left_q == 16'd0) state_d = StDone;
          else if (rsp_last_i)               state_d = StRead;
        end
      end
      StDone: begin
        if (!enable_i[cur_q]) begin
          pb_abort_o = 1'b1;
          in_pkt_d   = 1'b0;
          fill_d     = '0;
          state_d    = StIdle;
        end else if (fault_dd_before_data_i) begin  // done when taken (planted)
          if (eop_q) state_d = StEop;
          else       state_d = StDesc;
        end else if (!jobs_full) begin
          desc_pop_o[cur_q] = 1'b1;
          done     = 1'b1;
          done_idx = idx_q;
          done_rs  = rs_q;
          if (eop_q) state_d = StEop;
          else       state_d = StDesc;
        end
      end
      StEop: begin
        // The packet's last bytes, and the packet itself, into the packet buffer
        if (plen_q == 16'd0) begin  // zero-length descriptors only: nothing to send
          in_pkt_d = 1'b0;
          rr_d     = cur_q + 1'b1;
          state_d  = StIdle;
        end else if (!pb_meta_full_i) begin
          pb_we_o     = fill_q != 5'd0;
          pb_wdata_o  = acc_q;
          pb_commit_o = 1'b1;
          fill_d      = '0;
          in_pkt_d    = 1'b0;
          rr_d        = cur_q + 1'b1;
          state_d     = StIdle;
        end
      end
      default: state_d = StIdle;
    endcase

    // The descriptor done: TDH, and write-back
    if (done) begin
      done_next    = (done_idx + 16'd1 == ring_count_i[cur_q]) ? 16'd0 : done_idx + 16'd1;
      tdh_d[cur_q] = done_next;
      if (wthresh_i[cur_q] == 5'd0) begin
        if (done_rs) begin
          job_push = 1'b1;
          job_new  = {cur_q, done_idx, 6'd1};
        end
      end else begin
        if (wbn_q[cur_q] == 6'd0) wbs_d[cur_q] = done_idx;
        wbn_d[cur_q]  = wbn_q[cur_q] + 6'd1;
        wbrs_d[cur_q] = wbrs_q[cur_q] | done_rs;
        if (wbn_d[cur_q] >= {1'b0, wthresh_i[cur_q]}) begin
          job_push      = wbrs_d[cur_q];
          job_new       = {cur_q, wbs_d[cur_q], wbn_d[cur_q]};
          wbn_d[cur_q]  = '0;
          wbrs_d[cur_q] = 1'b0;
        end
      end
    end else if (fl_any && !jobs_full) begin
      // A flush of held-back write-backs (in a cycle without a descriptor done)
      job_push     = 1'b1;
      job_new      = {fl_q, wbs_q[fl_q], wbn_q[fl_q]};
      wbn_d[fl_q]  = '0;
      wbrs_d[fl_q] = 1'b0;
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
  assign pb_len_o   = plen_q;
  assign pb_meta_o  = {3'(cur_q), pmeta_q};
  assign tdh_o      = tdh_q;

  // Write-back engine: one job at a time, a write per ring segment
  typedef enum logic [1:0] {WbIdle, WbReq, WbData} wb_state_e;
  wb_state_e     wst_q, wst_d;
  logic [QW-1:0] wq_q, wq_d;
  logic [15:0]   wfirst_q, wfirst_d;
  logic [5:0]    wleft_q, wleft_d, wn_q, wn_d, wbeat_q, wbeat_d;
  logic [JobW-1:0] job_head;
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
          {wq_d, wfirst_d, wleft_d} = job_head;
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
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q  <= StIdle;
      cur_q    <= '0;
      rr_q     <= '0;
      in_pkt_q <= 1'b0;
      pmeta_q  <= '0;
      plen_q   <= '0;
      left_q   <= '0;
      chunk_q  <= '0;
      got_q    <= '0;
      addr_q   <= '0;
      eop_q    <= 1'b0;
      rs_q     <= 1'b0;
      idx_q    <= '0;
      acc_q    <= '0;
      fill_q   <= '0;
      tdh_q    <= '0;
      ctx_q    <= '0;
      wbs_q    <= '0;
      wbn_q    <= '0;
      wbrs_q   <= '0;
      jwr_q    <= '0;
      jrd_q    <= '0;
      wst_q    <= WbIdle;
      wq_q     <= '0;
      wfirst_q <= '0;
      wleft_q  <= '0;
      wn_q     <= '0;
      wbeat_q  <= '0;
    end else begin
      state_q  <= state_d;
      cur_q    <= cur_d;
      rr_q     <= rr_d;
      in_pkt_q <= in_pkt_d;
      pmeta_q  <= pmeta_d;
      plen_q   <= plen_d;
      left_q   <= left_d;
      chunk_q  <= chunk_d;
      got_q    <= got_d;
      addr_q   <= addr_d;
      eop_q    <= eop_d;
      rs_q     <= rs_d;
      idx_q    <= idx_d;
      acc_q    <= acc_d;
      fill_q   <= fill_d;
      tdh_q    <= tdh_d;
      ctx_q    <= ctx_d;
      wbs_q    <= wbs_d;
      wbn_q    <= wbn_d;
      wbrs_q   <= wbrs_d;
      if (job_push) jwr_q <= jwr_q + 1'b1;
      if (job_pop)  jrd_q <= jrd_q + 1'b1;
      wst_q    <= wst_d;
      wq_q     <= wq_d;
      wfirst_q <= wfirst_d;
      wleft_q  <= wleft_d;
      wn_q     <= wn_d;
      wbeat_q  <= wbeat_d;
    end
  end

  // Busy: a step to take without outside input. A data read waiting for its completion is not
  // (the host knows when it comes), nor a packet waiting for its queue's next descriptor, nor
  // a read or a commit waiting for room in the packet buffer: room comes only when the MAC
  // takes data out of it, at an edge the back end is busy in, and the next edge sees it.
  assign busy_o = (state_q == StIdle && (pick_any || fl_any)) ||
                  (state_q == StDesc && (desc_valid_i[cur_q] || !in_pkt_q ||
                                         !enable_i[cur_q])) ||
                  (state_q == StRead && (pb_free_i >= need_words || !enable_i[cur_q])) ||
                  (state_q == StEop && (plen_q == 16'd0 || !pb_meta_full_i)) ||
                  state_q == StDone ||
                  (fl_any && !jobs_full) || !jobs_empty || wst_q != WbIdle;

`ifndef SYNTHESIS
`ifndef IGB_NO_ASSERTIONS  // Icarus Verilog 11 parses none (testbench/rtl_tb/run.sh)
  always_ff @(posedge clk_i) begin
    if (rst_ni) begin
      a_job_room: assert (!job_push || !jobs_full)
        else $error("tx_dma: write-back job pushed into a full queue");
      // Completions come only for the read out, never more bytes than it asked for
      a_rsp_expected: assert (!rsp_valid_i || (state_q == StData && got_q < chunk_q))
        else $error("tx_dma: data completion with no read waiting for it");
      // A packet fits the packet buffer (the largest the part sends, 9728 bytes, does)
      a_pkt_fits: assert (!(state_q == StRead && rd_valid_o) || plen_q < 16'd16384)
        else $error("tx_dma: packet of %0d bytes and more does not fit", plen_q);
      // A write-back job writes at least one descriptor
      a_wb_done: assert (!(wst_q == WbReq && wr_valid_o) || wleft_q != 6'd0)
        else $error("tx_dma: empty write-back");
    end
  end
`endif
`endif
endmodule
