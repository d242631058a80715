// igb_nic: top of the igb-class receive NIC. Only wires the blocks together:
//   wire stream -> igb_rx_pktbuf -> igb_rx_dma -> (igb_dma_arb) -> memory-master port
//                  igb_rx_desc_cache (descriptor reads) ---^
//   igb_regs (BAR0) <-> all blocks;  igb_intr -> MSI-X message port
`default_nettype none

module igb_nic
  import igb_pkg::*;
#(
  parameter int unsigned NumVec = 4,
  parameter int unsigned PktbufWords = 8192   // 64 KiB physical packet buffer
) (
  input  wire logic              clk_i,
  input  wire logic              rst_ni,
  input  wire logic              tick_1us_i,      // 1 us prescaler strobe for EITR

  // MMIO target port (BAR0)
  input  wire logic              mmio_valid_i,
  output      logic              mmio_ready_o,
  input  wire logic              mmio_we_i,
  input  wire logic [MmioAw-1:0] mmio_addr_i,
  input  wire logic [31:0]       mmio_wdata_i,
  output      logic              mmio_rvalid_o,
  output      logic [31:0]       mmio_rdata_o,

  // Receive stream from the wire (MAC side)
  input  wire logic              rx_valid_i,
  output      logic              rx_ready_o,
  input  wire logic [63:0]       rx_data_i,
  input  wire logic              rx_last_i,
  input  wire logic [3:0]        rx_bytes_i,

  // Memory-master port: requests, write data, read completions
  output      logic              dma_req_valid_o,
  input  wire logic              dma_req_ready_i,
  output      logic              dma_req_write_o,
  output      logic [63:0]       dma_req_addr_o,
  output      logic [15:0]       dma_req_len_o,
  output      logic [3:0]        dma_req_tag_o,
  output      logic              dma_wdata_valid_o,
  input  wire logic              dma_wdata_ready_i,
  output      logic [63:0]       dma_wdata_o,
  output      logic              dma_wdata_last_o,
  input  wire logic              dma_rresp_valid_i,
  input  wire logic [63:0]       dma_rresp_data_i,
  input  wire logic [3:0]        dma_rresp_tag_i,
  input  wire logic              dma_rresp_last_i,

  // MSI-X message out
  output      logic              msix_valid_o,
  output      logic [$clog2(NumVec)-1:0] msix_vec_o,   // 0 for the single MSI message
  output      logic              intx_o,               // INTx level (neither MSI-X nor MSI)

  // Observability for the host model: frame fates and activity
  output      logic              ev_frame_ok_o,
  output      logic              ev_frame_mpc_o,
  output      logic              ev_frame_rqdpc_o,
  output      logic              ev_frame_dma_o,     // a frame's last buffer is written
  output      logic              idle_o,
  output      logic              timers_armed_o
);

  logic [31:0] rctl, srrctl, rxdctl, gpie;
  logic [6:0]  rxpbs_kb;
  logic [31:0] rxcsum, csum_status, mrqc, rss_hash, p_saddr, p_daddr;
  logic [319:0] rssrk;
  logic [15:0] p_sport, p_dport;
  logic [3:0]  rss_type;
  logic        p_ipv4, p_tcp, p_udp, p_frag;
  logic [11:0] csum_ptype;
  logic [63:0] rdba;
  logic [19:0] rdlen;  // RDLEN is kept in 128-byte units: bits 6:0 read as zero
  logic [15:0] rdt, rdh, rdh_wdata, ring_count;
  logic        rdh_we;
  logic [NumVec-1:0] eicr, eims, eitr_reset, armed;
  logic [NumVec-1:0][12:0] eitr_interval;
  logic [31:0] icr, ims;
  logic        flush, wb_pending, rxq_vec_valid;
  logic [$clog2(NumVec)-1:0] rxq_vec;
  logic        rxdmt;
  logic        rx_cause, gprc_inc, mpc_inc, rnbc_inc, rqdpc_inc;
  logic [15:0] gorc_add;
  logic        q_enable;

  assign ring_count = rdlen[19:4];
  logic unused_rdlen;
  assign unused_rdlen = ^rdlen[3:0];
  assign q_enable   = rctl[RctlEn] & rxdctl[RxdctlEnable];

  igb_regs #(.NumVec(NumVec)) u_regs (
    .clk_i, .rst_ni,
    .mmio_valid_i, .mmio_ready_o, .mmio_we_i, .mmio_addr_i, .mmio_wdata_i,
    .mmio_rvalid_o, .mmio_rdata_o,
    .rctl_o(rctl), .rxpbs_kb_o(rxpbs_kb), .rxcsum_o(rxcsum), .mrqc_o(mrqc), .rssrk_o(rssrk), .srrctl_o(srrctl), .rxdctl_o(rxdctl), .rdba_o(rdba),
    .rdlen_o(rdlen), .rdt_o(rdt), .rdh_i(rdh), .rdh_we_o(rdh_we), .rdh_wdata_o(rdh_wdata),
    .gpie_o(gpie), .eicr_o(eicr), .eims_o(eims), .eitr_interval_o(eitr_interval),
    .eitr_reset_o(eitr_reset), .rx_cause_i(rx_cause), .rxdmt_i(rxdmt), .icr_o(icr), .ims_o(ims),
    .rxq_vec_valid_o(rxq_vec_valid), .rxq_vec_o(rxq_vec),
    .msix_sent_i(msix_valid_o), .msix_sent_vec_i(msix_vec_o),
    .gprc_inc_i(gprc_inc), .gorc_add_i(gorc_add), .mpc_inc_i(mpc_inc),
    .rnbc_inc_i(rnbc_inc), .rqdpc_inc_i(rqdpc_inc)
  );

  logic        frm_valid, word_pop, frm_pop, pb_busy;
  logic [15:0] frm_len, frm_pkt_info;
  logic [31:0] frm_status, frm_hash;

  igb_rx_csum u_csum (
    .clk_i, .rst_ni, .ipofl_i(rxcsum[RxcsumIpofl]), .tuofl_i(rxcsum[RxcsumTuofl]),
    .rx_valid_i, .rx_data_i, .rx_last_i, .rx_bytes_i,
    .status_o(csum_status), .ptype_o(csum_ptype),
    .ipv4_o(p_ipv4), .tcp_o(p_tcp), .udp_o(p_udp), .fragment_o(p_frag),
    .saddr_o(p_saddr), .daddr_o(p_daddr), .sport_o(p_sport), .dport_o(p_dport)
  );

  igb_rss u_rss (
    .mrqc_i(mrqc), .key_i(rssrk), .ipv4_i(p_ipv4), .tcp_i(p_tcp), .udp_i(p_udp),
    .fragment_i(p_frag), .saddr_i(p_saddr), .daddr_i(p_daddr), .sport_i(p_sport),
    .dport_i(p_dport), .hash_o(rss_hash), .type_o(rss_type)
  );
  logic [63:0] word;

  igb_rx_pktbuf #(.Words(PktbufWords)) u_pktbuf (
    .clk_i, .rst_ni, .enable_i(rctl[RctlEn]), .size_kb_i(rxpbs_kb),
    .rx_valid_i, .rx_ready_o, .rx_data_i, .rx_last_i, .rx_bytes_i,
    .meta_status_i(csum_status), .meta_pkt_info_i({csum_ptype, rss_type}),
    .meta_hash_i(rss_hash), .frm_hash_o(frm_hash),
    .frm_valid_o(frm_valid), .frm_len_o(frm_len), .frm_status_o(frm_status),
    .frm_pkt_info_o(frm_pkt_info), .word_pop_i(word_pop), .word_o(word),
    .frm_pop_i(frm_pop),
    .ev_frame_ok_o, .ev_frame_drop_o(mpc_inc), .busy_o(pb_busy)
  );
  assign ev_frame_mpc_o = mpc_inc;

  logic        dc_req_valid, dc_req_ready, desc_valid, desc_pop, dc_busy;
  logic [63:0] dc_req_addr, desc_pkt_addr;
  logic [15:0] dc_req_len, desc_idx;
  logic [3:0]  dc_req_tag;

  igb_rx_desc_cache u_desc_cache (
    .clk_i, .rst_ni, .enable_i(q_enable), .rdba_i(rdba), .ring_count_i(ring_count),
    .rdt_i(rdt), .rdh_i(rdh), .pthresh_i(rxdctl[4:0]), .hthresh_i(rxdctl[12:8]),
    .demand_i(q_enable && frm_valid && !desc_valid),
    .req_valid_o(dc_req_valid), .req_ready_i(dc_req_ready), .req_addr_o(dc_req_addr),
    .req_len_o(dc_req_len), .req_tag_o(dc_req_tag),
    .rsp_valid_i(dma_rresp_valid_i), .rsp_data_i(dma_rresp_data_i), .rsp_tag_i(dma_rresp_tag_i),
    .rsp_last_i(dma_rresp_last_i),
    .desc_valid_o(desc_valid), .desc_pkt_addr_o(desc_pkt_addr), .desc_idx_o(desc_idx),
    .desc_pop_i(desc_pop), .busy_o(dc_busy)
  );

  logic        wr_req_valid, wr_req_ready, dma_busy;
  logic [63:0] wr_req_addr;
  logic [15:0] wr_req_len;
  logic [3:0]  wr_req_tag;

  igb_rx_dma u_rx_dma (
    .clk_i, .rst_ni, .enable_i(q_enable), .secrc_i(rctl[RctlSecrc]),
    .drop_en_i(srrctl[SrrctlDropEn]), .rdba_i(rdba), .ring_count_i(ring_count),
    .rdt_i(rdt), .rdmts_i(srrctl[SrrctlRdmtsLo +: 5]),
    .wthresh_i(rxdctl[20:16]), .bsize_kb_i(srrctl[6:0]), .flush_i(flush), .wb_pending_o(wb_pending),
    .rdh_we_i(rdh_we), .rdh_wdata_i(rdh_wdata), .rdh_o(rdh),
    .frm_valid_i(frm_valid), .frm_len_i(frm_len), .frm_status_i(frm_status),
    .frm_hash_i(frm_hash), .pcsd_i(rxcsum[RxcsumPcsd]),
    .frm_pkt_info_i(frm_pkt_info), .word_pop_o(word_pop), .word_i(word),
    .frm_pop_o(frm_pop),
    .desc_valid_i(desc_valid), .desc_pkt_addr_i(desc_pkt_addr), .desc_idx_i(desc_idx),
    .desc_pop_o(desc_pop),
    .req_valid_o(wr_req_valid), .req_ready_i(wr_req_ready), .req_addr_o(wr_req_addr),
    .req_len_o(wr_req_len), .req_tag_o(wr_req_tag),
    .wdata_valid_o(dma_wdata_valid_o), .wdata_ready_i(dma_wdata_ready_i),
    .wdata_o(dma_wdata_o), .wdata_last_o(dma_wdata_last_o),
    .rx_cause_o(rx_cause), .rxdmt_o(rxdmt), .gprc_inc_o(gprc_inc), .gorc_add_o(gorc_add),
    .rnbc_inc_o(rnbc_inc), .rqdpc_inc_o(rqdpc_inc), .busy_o(dma_busy)
  );
  assign ev_frame_rqdpc_o = rqdpc_inc;
  assign ev_frame_dma_o   = rx_cause;

  igb_dma_arb u_arb (
    .rd_valid_i(dc_req_valid), .rd_ready_o(dc_req_ready), .rd_addr_i(dc_req_addr),
    .rd_len_i(dc_req_len), .rd_tag_i(dc_req_tag),
    .wr_valid_i(wr_req_valid), .wr_ready_o(wr_req_ready), .wr_addr_i(wr_req_addr),
    .wr_len_i(wr_req_len), .wr_tag_i(wr_req_tag),
    .req_valid_o(dma_req_valid_o), .req_ready_i(dma_req_ready_i),
    .req_write_o(dma_req_write_o), .req_addr_o(dma_req_addr_o), .req_len_o(dma_req_len_o),
    .req_tag_o(dma_req_tag_o)
  );

  logic intr_busy;
  igb_intr #(.NumVec(NumVec)) u_intr (
    .clk_i, .rst_ni, .tick_1us_i, .msix_mode_i(gpie[GpieMsixMode]),
    .eicr_i(eicr), .eims_i(eims), .interval_i(eitr_interval), .timer_reset_i(eitr_reset),
    .legacy_pending_i((icr & ims) != 32'h0), .intx_o,
    .wb_pending_i(wb_pending), .rxq_vec_valid_i(rxq_vec_valid), .rxq_vec_i(rxq_vec), .flush_o(flush),
    .msix_valid_o, .msix_vec_o, .armed_o(armed), .busy_o(intr_busy)
  );

  assign idle_o         = ~(pb_busy | dc_busy | dma_busy | intr_busy | mmio_rvalid_o);
  assign timers_armed_o = |armed;

endmodule
