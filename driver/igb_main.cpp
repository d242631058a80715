// SPDX-License-Identifier: Apache-2.0
// The igb receive path (drivers/net/ethernet/intel/igb/igb_main.c), as the current driver
// does it with build_skb and half-page buffers. See driver/igb.h for what is left out.
#include <algorithm>
#include <cstring>

#include "igb.h"
#include "kernel.h"
#include "net.h"
#include "sim_time.h"
#include "sw_signals.h"

namespace igbsim {

using namespace sc_core;

namespace {

// igb_alloc_mapped_page: a buffer that still holds its page (reused) needs nothing.
bool igb_alloc_mapped_page(igb_ring* ring, igb_rx_buffer* bi) {
  if (bi->pg) return true;
  hal& hw = *ring->q_vector->adapter->hw;
  hw.k().this_cpu().spend(hw.k().cost.page_alloc_ns);
  page* p = hw.alloc_page(igb_rx_pg_order(ring));
  if (!p) {
    ++ring->alloc_failed;
    return false;
  }
  bi->dma = p->phys;
  bi->pg = p;
  bi->page_offset = IGB_SKB_PAD;       // igb_rx_offset with build_skb
  hw.page_ref_add(p, USHRT_MAX_ - 1);  // the driver holds a large bias
  bi->pagecnt_bias = USHRT_MAX_;
  return true;
}

// igb_reuse_rx_page: hand the other half of the page to the slot at next_to_alloc.
void igb_reuse_rx_page(igb_ring* ring, igb_rx_buffer* old_buff) {
  uint16_t nta = ring->next_to_alloc;
  igb_rx_buffer* new_buff = &ring->rx_buffer_info[nta];
  ++nta;
  ring->next_to_alloc = nta < ring->count ? nta : 0;
  *new_buff = *old_buff;
}

// igb_can_reuse_rx_page (PAGE_SIZE < 8192): reusable only if nobody but the skb just built
// holds the page, i.e. the other half is free again.
// (fault.refill_stack_owned: whatever the stack holds.)
bool igb_can_reuse_rx_page(igb_rx_buffer* bi, int rx_buf_pgcnt, hal& hw,
                           const igb_fault_hooks& fault) {
  if (rx_buf_pgcnt - bi->pagecnt_bias > 1 && !fault.reuse_ignores_refs()) return false;
  if (bi->pagecnt_bias == 1) {
    hw.page_ref_add(bi->pg, USHRT_MAX_ - 1);
    bi->pagecnt_bias = USHRT_MAX_;
  }
  return true;
}

// igb_put_rx_buffer: the page half goes back to the ring, or the driver lets go of the page.
void igb_put_rx_buffer(igb_ring* ring, igb_rx_buffer* bi, int rx_buf_pgcnt) {
  hal& hw = *ring->q_vector->adapter->hw;
  if (igb_can_reuse_rx_page(bi, rx_buf_pgcnt, hw, ring->q_vector->adapter->cfg.fault)) {
    igb_reuse_rx_page(ring, bi);
  } else {
    hw.put_page(bi->pg, bi->pagecnt_bias);  // __page_frag_cache_drain; skbs keep their refs
  }
  bi->pg = nullptr;
}

// The skb holds [phys, phys + len) of page pg until it is freed: one page reference, and
// the device must not write there meanwhile (the hal tracks the hold for its checker).
void skb_hold_page(hal& hw, sk_buff* skb, page* pg, uint64_t phys, uint32_t len) {
  hw.stack_hold(phys, len, skb->frame_id);
  skb->destructor = [prev = std::move(skb->destructor), &hw, pg, phys] {
    if (prev) prev();
    hw.stack_release(phys);
    hw.put_page(pg, 1);
  };
}

}  // namespace

// eth_get_headlen: the length of the Ethernet, IPv4 and TCP/UDP headers at the start of a
// frame (the flow dissector's answer for these protocols), at most `max`.
uint32_t eth_get_headlen(const uint8_t* d, uint32_t size, uint32_t max) {
  uint32_t n = ETH_HLEN;
  if (size >= ETH_HLEN + 20 && (d[12] << 8 | d[13]) == ETH_P_IP && (d[14] >> 4) == 4) {
    const uint32_t ihl = (d[14] & 0xF) * 4u;
    const bool first_fragment = ((d[20] & 0x1F) << 8 | d[21]) == 0;
    n += ihl;
    if (first_fragment && d[23] == IPPROTO_UDP) n += 8;
    if (first_fragment && d[23] == IPPROTO_TCP && size >= n + 13) n += (d[n + 12] >> 4) * 4u;
  }
  return std::min({n, size, max});
}

// eth_type_trans (net/ethernet/eth.c): the packet type from the destination address against
// the device's, the EtherType; the Ethernet header is pulled. VLAN and 802.3 frames are left out.
void eth_type_trans(sk_buff* skb, const uint8_t dev_addr[6]) {
  const uint8_t* dst = skb->data;
  if (dst[0] & 1) {
    const bool bcast = std::all_of(dst, dst + 6, [](uint8_t b) { return b == 0xFF; });
    skb->pkt_type = bcast ? PACKET_BROADCAST : PACKET_MULTICAST;
  } else {
    skb->pkt_type = std::equal(dst, dst + 6, dev_addr) ? PACKET_HOST : PACKET_OTHERHOST;
  }
  skb->protocol = static_cast<uint16_t>(skb->data[12] << 8 | skb->data[13]);
  skb->pull(ETH_HLEN);
}

// igb_rx_checksum: trust the hardware's verdict. An error leaves CHECKSUM_NONE so the stack
// verifies (and counts) it itself; the SCTP 60-byte errata workaround is not needed (no SCTP).
void igb_rx_checksum(igb_ring* ring, uint32_t staterr, sk_buff* skb) {
  skb->ip_summed = CHECKSUM_NONE;
  if (staterr & E1000_RXD_STAT_IXSM) return;
  if (staterr & (E1000_RXDEXT_STATERR_TCPE | E1000_RXDEXT_STATERR_IPE)) {
    ++ring->csum_err;
    return;
  }
  if (staterr & (E1000_RXD_STAT_TCPCS | E1000_RXD_STAT_UDPCS))
    skb->ip_summed = CHECKSUM_UNNECESSARY;
}

namespace {

// igb_write_itr: a new interval is written at the start of the next interrupt, because
// writing EITR restarts the hardware's throttle timer.
void igb_write_itr(igb_q_vector* q) {
  if (!q->set_itr) return;
  uint32_t itr_val = q->itr_val & 0x7FFC;
  if (!itr_val) itr_val = 0x4;
  itr_val |= E1000_EITR_CNT_IGNR;  // 82576 and later
  q->adapter->hw->writel(itr_val, q->itr_register);
  ++q->adapter->stats.eitr_writes;
  q->set_itr = false;
}

// igb_update_itr + igb_set_itr: the three-state latency machine (single vector).
void igb_update_itr(igb_ring_container* rc) {
  const uint64_t packets = rc->total_packets, bytes = rc->total_bytes;
  uint8_t itrval = rc->itr;
  if (packets == 0) return;
  switch (itrval) {
    case lowest_latency:
      if (bytes / packets > 8000) itrval = bulk_latency;
      else if (packets < 5 && bytes > 512) itrval = low_latency;
      break;
    case low_latency:
      if (bytes > 10000) {
        if (bytes / packets > 8000) itrval = bulk_latency;
        else if (packets < 10 || bytes / packets > 1200) itrval = bulk_latency;
        else if (packets > 35) itrval = lowest_latency;
      } else if (bytes / packets > 2000) {
        itrval = bulk_latency;
      } else if (packets <= 2 && bytes < 512) {
        itrval = lowest_latency;
      }
      break;
    case bulk_latency:
      if (bytes > 25000) {
        if (packets > 35) itrval = low_latency;
      } else if (bytes < 1500) {
        itrval = low_latency;
      }
      break;
    default: break;
  }
  rc->total_bytes = 0;
  rc->total_packets = 0;
  rc->itr = itrval;
}

void igb_set_itr(igb_q_vector* q) {
  igb_update_itr(&q->tx);
  igb_update_itr(&q->rx);
  uint8_t current_itr = std::max(q->rx.itr, q->tx.itr);
  // conservative mode (itr 3) eliminates the lowest_latency setting
  const igb_config& cfg = q->adapter->cfg;
  if (current_itr == lowest_latency &&
      ((q->rx_ring && cfg.rx_itr_setting == 3) || (!q->rx_ring && cfg.tx_itr_setting == 3)))
    current_itr = low_latency;
  uint32_t new_itr = q->itr_val;
  switch (current_itr) {
    case lowest_latency: new_itr = IGB_70K_ITR; break;
    case low_latency: new_itr = IGB_20K_ITR; break;
    case bulk_latency: new_itr = IGB_4K_ITR; break;
    default: break;
  }
  if (new_itr != q->itr_val) {
    // Bias towards bulk by stepping when the rate rises (the kernel's max() makes it a no-op).
    if (new_itr > q->itr_val)
      new_itr = std::max((new_itr * q->itr_val) / (new_itr + (q->itr_val >> 2)), new_itr);
    q->itr_val = new_itr;
    q->set_itr = true;
  }
}

// igb_update_ring_itr: average-wire-size rule for multi-vector operation; a paired vector
// takes the larger of its RX and TX averages.
void igb_update_ring_itr(igb_q_vector* q) {
  uint32_t new_val = q->itr_val;
  uint64_t avg = 0;
  if (q->rx.total_packets) avg = q->rx.total_bytes / q->rx.total_packets;
  if (q->tx.total_packets) avg = std::max(avg, q->tx.total_bytes / q->tx.total_packets);
  if (!avg) return;  // clear_counts: there is nothing to clear
  avg += 24;         // CRC, preamble, inter-frame gap
  avg = std::min<uint64_t>(avg, 3000);
  new_val = static_cast<uint32_t>((avg > 300 && avg < 1200) ? avg / 3 : avg / 2);
  const igb_config& cfg = q->adapter->cfg;
  if (new_val < IGB_20K_ITR &&
      ((q->rx_ring && cfg.rx_itr_setting == 3) || (!q->rx_ring && cfg.tx_itr_setting == 3)))
    new_val = IGB_20K_ITR;
  if (new_val != q->itr_val) {
    q->itr_val = new_val;
    q->set_itr = true;
  }
  q->rx.total_bytes = 0;
  q->rx.total_packets = 0;
  q->tx.total_bytes = 0;
  q->tx.total_packets = 0;
}

void igb_configure_rx_ring(igb_adapter* a, igb_ring* ring) {
  hal& hw = *a->hw;
  const unsigned n = ring->reg_idx;
  hw.writel(0, E1000_RXDCTL(n));  // disable the queue while it is set up
  hw.writel(static_cast<uint32_t>(ring->dma & 0xFFFFFFFFu), E1000_RDBAL(n));
  hw.writel(static_cast<uint32_t>(ring->dma >> 32), E1000_RDBAH(n));
  hw.writel(ring->count * static_cast<uint32_t>(sizeof(e1000_adv_rx_desc)), E1000_RDLEN(n));
  ring->tail = E1000_RDT(n);
  hw.writel(0, E1000_RDH(n));
  hw.writel(0, ring->tail);
  // igb_setup_srrctl
  uint32_t srrctl = (256u << E1000_SRRCTL_BSIZEHDRSIZE_SHIFT);  // IGB_RX_HDR_LEN
  srrctl |=
      (ring->large_buffer ? IGB_RXBUFFER_3072 : IGB_RXBUFFER_2048) >> E1000_SRRCTL_BSIZEPKT_SHIFT;
  srrctl |= E1000_SRRCTL_DESCTYPE_ADV_ONEBUF;
  if (a->cfg.plan.drop_en) srrctl |= E1000_SRRCTL_DROP_EN;
  hw.writel(srrctl, E1000_SRRCTL(n));
  ring->rx_buffer_info.assign(ring->count, igb_rx_buffer{});
  ring->desc[0].wb.upper.length = 0;  // the first descriptor must not look complete
  ring->next_to_clean = ring->next_to_use = ring->next_to_alloc = 0;
  const uint32_t rxdctl =
      a->cfg.pthresh | a->cfg.hthresh << 8 | a->cfg.plan.wthresh << 16 | E1000_RXDCTL_QUEUE_ENABLE;
  hw.writel(rxdctl, E1000_RXDCTL(n));
}

// igb_write_rss_indir_tbl: four one-byte entries per RETA register, entry i in byte i % 4
// (shift 0: 82576 without VFs, 82580, I350, I210).
void igb_write_rss_indir_tbl(igb_adapter* a) {
  for (unsigned i = 0; i < IGB_RETA_SIZE; i += 4) {
    uint32_t val = 0;
    for (int j = 3; j >= 0; --j) val = val << 8 | a->rss_indir_tbl[i + j];
    a->hw->writel(val, E1000_RETA(i / 4));
  }
}

// igb_setup_mrqc: RSS on even with one queue, so every frame gets a hash; UDP ports are left
// out of the hash as Linux does by default (ethtool enables them), so UDP flows spread by
// address pair only. Linux fills the key from netdev_rss_key_fill (random per boot); the model
// uses the Microsoft verification-suite key so runs are reproducible. The indirection table is
// ethtool_rxfh_indir_default: entry j -> queue j % num_rx_queues.
void igb_setup_mrqc(igb_adapter* a) {
  static const uint8_t key[40] = {0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67,
                                  0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb,
                                  0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30,
                                  0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa};
  hal& hw = *a->hw;
  for (unsigned j = 0; j < 10; ++j) {
    const uint32_t w = uint32_t(key[4 * j]) | uint32_t(key[4 * j + 1]) << 8 |
                       uint32_t(key[4 * j + 2]) << 16 | uint32_t(key[4 * j + 3]) << 24;
    hw.writel(w, E1000_RSSRK(j));
  }
  uint32_t rxcsum = hw.readl(E1000_RXCSUM);
  rxcsum |= E1000_RXCSUM_PCSD | E1000_RXCSUM_CRCOFL;  // IPOFL/TUOFL default to 1
  hw.writel(rxcsum, E1000_RXCSUM);
  for (unsigned j = 0; j < IGB_RETA_SIZE; ++j)
    a->rss_indir_tbl[j] = static_cast<uint8_t>(j % static_cast<unsigned>(a->num_rx_queues));
  igb_write_rss_indir_tbl(a);
  const uint32_t mrqc = E1000_MRQC_ENABLE_RSS_MQ | E1000_MRQC_RSS_FIELD_IPV4 |
                        E1000_MRQC_RSS_FIELD_IPV4_TCP | E1000_MRQC_RSS_FIELD_IPV6 |
                        E1000_MRQC_RSS_FIELD_IPV6_TCP | E1000_MRQC_RSS_FIELD_IPV6_TCP_EX;
  hw.writel(mrqc, E1000_MRQC);
}

// igb_irq_enable. MSI-X: auto-clear and auto-mask for the queue vectors, then unmask all.
// Otherwise: enable igb's causes in IMS and let an ICR read auto-mask them (IAM).
void igb_irq_enable(igb_adapter* a) {
  hal& hw = *a->hw;
  if (a->cfg.irq_mode == igb_irq_mode::msix) {
    const uint32_t ims = a->eims_enable_mask & ~a->eims_other;
    hw.writel(hw.readl(E1000_EIAC) | ims, E1000_EIAC);
    hw.writel(hw.readl(E1000_EIAM) | ims, E1000_EIAM);
    hw.writel(a->eims_enable_mask, E1000_EIMS);
    ++a->stats.eims_writes;
  } else {
    hw.writel(IMS_ENABLE_MASK | E1000_ICR_DRSTA, E1000_IMS);
    hw.writel(IMS_ENABLE_MASK | E1000_ICR_DRSTA, E1000_IAM);
    ++a->stats.ims_writes;
  }
}

}  // namespace

// igb_assign_vector's IVAR layouts: queue q's receive (tx: transmit) cause goes to
// `msix_vector`. 82576 (column-major): IVAR0(q & 7), byte 2 * (q >> 3) (+1 for TX);
// 82580/I350/I210 (row-major): IVAR0(q >> 1), byte 2 * (q & 1) (+1 for TX). igb_write_ivar.
static void igb_write_ivar(igb_adapter* a, unsigned msix_vector, unsigned queue, bool tx) {
  hal& hw = *a->hw;
  const bool col_major = a->cfg.part && a->cfg.part->ivar_82576;
  const uint32_t index = col_major ? (queue & 0x7) : queue >> 1;
  const uint32_t offset = (col_major ? (queue & 0x8) << 1 : (queue & 1) << 4) + (tx ? 8 : 0);
  uint32_t ivar = hw.readl(E1000_IVAR0 + 4 * index);  // array_rd32(E1000_IVAR0, index)
  ivar &= ~(0xFFu << offset);
  ivar |= (msix_vector | E1000_IVAR_VALID) << offset;
  hw.writel(ivar, E1000_IVAR0 + 4 * index);
}

// igb_assign_vector: the causes of the q_vector's rings go to msix_vector: its RX ring's and
// its TX ring's. Without TX rings (cfg.tx_rings off), a paired vector still takes the TX
// entry of its RX ring's index, as igb would program it (it causes nothing then).
void igb_assign_vector(igb_q_vector* q, unsigned msix_vector) {
  igb_adapter* a = q->adapter;
  if (q->rx_ring) igb_write_ivar(a, msix_vector, q->rx_ring->reg_idx, false);
  if (q->tx_ring) igb_write_ivar(a, msix_vector, q->tx_ring->reg_idx, true);
  else if (!a->cfg.tx_rings && a->cfg.plan.queue_pairs)
    igb_write_ivar(a, msix_vector, q->rx_ring->reg_idx, true);
  q->vector = msix_vector;
  q->eims_value = 1u << msix_vector;
  q->itr_register = E1000_EITR(msix_vector);
}

namespace {

// igb_set_rx_mode: unicast and multicast promiscuous mode from IFF_PROMISC (the model has
// no multicast list or further unicast addresses to program, and no VLAN filter), then the
// long-packet limit: with 4 KB pages and no VFs, a frame that fits a 2 KB build_skb buffer
// limits RLPML to IGB_MAX_FRAME_BUILD_SKB, so the part never writes a frame past what the
// skb can hold; otherwise MAX_JUMBO_FRAME_SIZE, and larger frames span several buffers.
void igb_set_rx_mode(igb_adapter* a) {
  hal& hw = *a->hw;
  uint32_t rctl = a->cfg.promisc ? E1000_RCTL_UPE | E1000_RCTL_MPE : 0;
  rctl |= hw.readl(E1000_RCTL) & ~(E1000_RCTL_UPE | E1000_RCTL_MPE);
  hw.writel(rctl, E1000_RCTL);
  uint32_t rlpml = MAX_JUMBO_FRAME_SIZE;
  if (a->max_frame_size <= IGB_MAX_FRAME_BUILD_SKB) rlpml = IGB_MAX_FRAME_BUILD_SKB;
  hw.writel(rlpml, E1000_RLPML);
}

// igb_setup_rctl: enable the receiver, broadcasts, long packets (RLPML limits them) and CRC
// stripping, keeping the promiscuous bits igb_set_rx_mode set.
void igb_setup_rctl(igb_adapter* a) {
  hal& hw = *a->hw;
  uint32_t rctl = hw.readl(E1000_RCTL);
  rctl |= E1000_RCTL_EN | E1000_RCTL_BAM | E1000_RCTL_SECRC | E1000_RCTL_LPE;
  hw.writel(0, E1000_RXDCTL(0));  // queue 0 off, to prevent a tail write without re-config
  hw.writel(rctl, E1000_RCTL);
}

// igb_reset's flow control settings and e1000_setup_link_generic's registers: the PAUSE
// address, type and time always; the receive marks only when the requested mode sends PAUSE
// (igb_set_fc_watermarks). hwm leaves room for a full frame and a 9728-byte jumbo frame above
// it (igb_reset: pba * 1024 - (max_frame_size + MAX_JUMBO_FRAME_SIZE)), 16-byte granular; XON
// 16 bytes below (fc->low_water), send_xon on, pause_time 0xFFFF.
void igb_setup_fc(igb_adapter* a) {
  hal& hw = *a->hw;
  // In u32 as igb computes it: a packet buffer smaller than the margin (nic.pktbuf_kb of a few
  // KB) wraps hwm around to a mark no fill reaches (the register keeps bits 17:4), so such a
  // part never sends XOFF
  const uint32_t pba = a->cfg.plan.pktbuf_kb << 10;
  const uint32_t hwm = pba - (a->max_frame_size + MAX_JUMBO_FRAME_SIZE);
  const uint32_t high = hwm & 0xFFFFFFF0u, low = high - 16;
  constexpr uint32_t kPauseTime = 0xFFFF;
  hw.writel(FLOW_CONTROL_TYPE, E1000_FCT);
  hw.writel(FLOW_CONTROL_ADDRESS_HIGH, E1000_FCAH);
  hw.writel(FLOW_CONTROL_ADDRESS_LOW, E1000_FCAL);
  hw.writel(kPauseTime, E1000_FCTTV);
  uint32_t fcrtl = 0, fcrth = 0;
  if (fc_tx_pause(a->cfg.plan.fc_requested)) {
    fcrtl = low | E1000_FCRTL_XONE;
    fcrth = high;
  }
  hw.writel(fcrtl, E1000_FCRTL);
  hw.writel(fcrth, E1000_FCRTH);
}

// igb_config_fc_after_link_up -> igb_force_mac_fc: CTRL.RFCE and TFCE by the mode resolved
// with the link partner (igb_part.cpp: igb_resolve_fc; the model's link is up at open)
void igb_force_mac_fc(igb_adapter* a) {
  hal& hw = *a->hw;
  const igb_fc_mode m = a->cfg.plan.fc_mode;
  uint32_t ctrl = hw.readl(E1000_CTRL) & ~(E1000_CTRL_TFCE | E1000_CTRL_RFCE);
  if (fc_rx_pause(m)) ctrl |= E1000_CTRL_RFCE;
  if (fc_tx_pause(m)) ctrl |= E1000_CTRL_TFCE;
  hw.writel(ctrl, E1000_CTRL);
}

}  // namespace

// Bring-up in the order of igb_probe -> igb_open -> __igb_open -> igb_configure ->
// igb_configure_msix -> igb_irq_enable: the station address, packet buffer size, receive
// filters, RSS, receive control, the rings, buffers, vectors, unmask.
void igb_open(igb_adapter* a, hal* hw, const igb_config& cfg) {
  a->hw = hw;
  a->cfg = cfg;
  if (!a->observer) a->observer = std::make_unique<igb_trace_observer>(*hw);
  kernel& k = hw->k();
  // igb_probe -> e1000_read_mac_addr: the address the part loaded from its NVM into RAR[0]
  const uint32_t ral = hw->readl(E1000_RAL(0)), rah = hw->readl(E1000_RAH(0));
  for (int i = 0; i < 4; ++i) a->dev_addr[i] = static_cast<uint8_t>(ral >> (8 * i));
  for (int i = 0; i < 2; ++i) a->dev_addr[4 + i] = static_cast<uint8_t>(rah >> (8 * i));
  // igb_change_mtu / igb_sw_init: max_frame_size = MTU + ETH_HLEN + ETH_FCS_LEN + VLAN_HLEN
  a->max_frame_size = cfg.mtu + 14 + 4 + 4;
  const bool msix = cfg.irq_mode == igb_irq_mode::msix;
  // igb_init_queue_configuration, igb_set_interrupt_capability (igb_part.cpp). The model has
  // no TX rings yet; unpaired, igb's TX-only q_vectors still get their vectors (after the RX
  // ones, igb_alloc_q_vectors), IVAR entries and EIMS bits, and count in num_q_vectors, which
  // picks the ITR algorithm. They never fire.
  a->num_rx_queues = cfg.plan.rss_queues;
  a->num_q_vectors = cfg.plan.num_q_vectors;
  a->stats.rqdpc.assign(static_cast<size_t>(a->num_rx_queues), 0);
  // igb_alloc_q_vectors / igb_setup_rx_resources
  for (int i = 0; i < a->num_rx_queues; ++i) {
    a->rx_ring.push_back(std::make_unique<igb_ring>());
    a->q_vector.push_back(std::make_unique<igb_q_vector>());
    igb_ring* ring = a->rx_ring.back().get();
    igb_q_vector* q = a->q_vector.back().get();
    q->adapter = a;
    q->rx_ring = ring;
    ring->q_vector = q;
    ring->count = cfg.rx_ring;
    ring->reg_idx = static_cast<uint8_t>(i);
    // igb_set_rx_buffer_len: frames that do not fit a 2 KB build_skb buffer get 3 KB buffers
    // in order-1 pages (max_frame_size = MTU + Ethernet header, FCS and a VLAN tag).
    ring->large_buffer = a->max_frame_size > IGB_MAX_FRAME_BUILD_SKB;
    ring->dma = hw->dma_alloc_coherent(ring->count * sizeof(e1000_adv_rx_desc));
    ring->desc = reinterpret_cast<e1000_adv_rx_desc*>(hw->phys_to_virt(ring->dma));
    netif_napi_add(k, &q->napi, igb_poll, cfg.napi_weight);
    q->napi.priv = q;
    q->napi.index = i;
  }
  if (cfg.tx_rings) igb_alloc_tx_rings(a);  // the net_device, TX rings and TX-only q_vectors
  // igb_reset: receive packet buffer size; e1000_init_rx_addrs: the station address in RAR[0]
  hw->writel(cfg.plan.pktbuf_kb, E1000_RXPBS);
  hw->writel(uint32_t(a->dev_addr[0]) | uint32_t(a->dev_addr[1]) << 8 |
                 uint32_t(a->dev_addr[2]) << 16 | uint32_t(a->dev_addr[3]) << 24,
             E1000_RAL(0));
  hw->writel(uint32_t(a->dev_addr[4]) | uint32_t(a->dev_addr[5]) << 8 | E1000_RAH_AV, E1000_RAH(0));
  igb_setup_fc(a);  // igb_reset -> e1000_setup_link
  // igb_configure -> igb_set_rx_mode, igb_setup_mrqc, igb_setup_rctl
  igb_set_rx_mode(a);
  if (cfg.tx_rings) igb_setup_tctl(a);
  igb_setup_mrqc(a);
  igb_setup_rctl(a);
  // igb_configure_tx, igb_configure_rx, then buffers for every RX ring
  if (cfg.tx_rings) igb_configure_tx(a);
  for (auto& ring : a->rx_ring) igb_configure_rx_ring(a, ring.get());
  for (auto& ring : a->rx_ring) igb_alloc_rx_buffers(ring.get(), igb_desc_unused(ring.get()));
  // __igb_open -> igb_request_irq: igb_configure_msix, or one vector for MSI / INTx. With
  // MSI-X, vector 0 (link and other causes) comes before the queue vectors.
  k.set_irq_pre_vectors(msix ? 1 : 0);
  if (msix) {
    hw->writel(E1000_GPIE_MSIX_MODE | E1000_GPIE_PBA | E1000_GPIE_EIAME | E1000_GPIE_NSICR,
               E1000_GPIE);
    a->eims_other = 1u << 0;  // vector 0: link and other causes
    hw->writel((0u | E1000_IVAR_VALID) << 8, E1000_IVAR_MISC);
    a->eims_enable_mask = a->eims_other;
    unsigned vector = 1;
    for (auto& qv : a->q_vector) {
      igb_q_vector* q = qv.get();
      igb_assign_vector(q, vector++);
      a->eims_enable_mask |= q->eims_value;
      if (cfg.napi) hw->request_irq(q->vector, [q] { igb_msix_ring(q); });
      else hw->request_irq(q->vector, [q] { igb_msix_ring_legacy(q); });
    }
    // Unpaired without TX rings: TX queue t's vector still takes the next vector (IVAR TX
    // entry, EIMS bit), with no q_vector behind it
    if (!cfg.plan.queue_pairs && !cfg.tx_rings)
      for (int t = 0; t < a->num_rx_queues; ++t) {
        igb_write_ivar(a, vector, static_cast<unsigned>(t), true);
        a->eims_enable_mask |= 1u << vector++;
      }
  } else {
    igb_q_vector* q = a->q_vector[0].get();
    igb_assign_vector(q, 0);  // EITR(0) throttles the single interrupt
    if (cfg.irq_mode == igb_irq_mode::msi) {
      hw->request_irq(0, [a] { igb_intr_msi(a); });
    } else {
      hw->request_irq(0, [a] { igb_intr(a); });
    }
  }
  for (auto& qv : a->q_vector) {
    // igb_alloc_q_vector: off (0) and fixed values (> 3) are taken as they are, the dynamic
    // modes start at IGB_START_ITR; igb_write_itr turns 0 into its 1 us minimum.
    // (a TX-only q_vector: tx_itr_setting)
    const uint32_t setting = qv->rx_ring ? cfg.rx_itr_setting : cfg.tx_itr_setting;
    qv->itr_val = (setting == 0 || setting > 3) ? setting : IGB_START_ITR;
    qv->set_itr = true;  // the interval is written on the first interrupt
  }
  igb_force_mac_fc(a);  // the link is up: flow control as resolved with the partner
  a->down = false;
  hw->readl(msix ? E1000_EICR : E1000_ICR);  // clear anything pending from before
  igb_irq_enable(a);
  if (a->netdev) netif_tx_start_all_queues(a->netdev);
}

void igb_update_stats(igb_adapter* a) {
  hal& hw = *a->hw;
  a->stats.gprc += hw.readl(E1000_GPRC);
  const uint64_t lo = hw.readl(E1000_GORCL);
  a->stats.gorc += lo | static_cast<uint64_t>(hw.readl(E1000_GORCH)) << 32;
  a->stats.mpc += hw.readl(E1000_MPC);
  a->stats.ruc += hw.readl(E1000_RUC);
  a->stats.roc += hw.readl(E1000_ROC);
  a->stats.rnbc += hw.readl(E1000_RNBC);
  for (int i = 0; i < a->num_rx_queues; ++i) a->stats.rqdpc[i] += hw.readl(E1000_RQDPC(i));
  a->stats.xonrxc += hw.readl(E1000_XONRXC);
  a->stats.xontxc += hw.readl(E1000_XONTXC);
  a->stats.xoffrxc += hw.readl(E1000_XOFFRXC);
  a->stats.xofftxc += hw.readl(E1000_XOFFTXC);
  if (!a->cfg.tx_rings) return;
  a->stats.gptc += hw.readl(E1000_GPTC);
  const uint64_t tlo = hw.readl(E1000_GOTCL);
  a->stats.gotc += tlo | static_cast<uint64_t>(hw.readl(E1000_GOTCH)) << 32;
  a->stats.tpt += hw.readl(E1000_TPT);
}

// The start every igb interrupt handler shares: count it, note for the journey which message
// led here and when the handler ran, charge the handler, write a pending ITR change.
static void igb_irq_entry(igb_q_vector* q, unsigned vector) {
  kernel& k = q->adapter->hw->k();
  ++q->adapter->stats.irqs;
  q->adapter->observer->irq_entry(q, vector);
  k.this_cpu().spend(k.cost.igb_msix_ring_ns);
  igb_write_itr(q);
}

// igb_msix_ring: write a pending ITR change, schedule NAPI. No MMIO read on this path.
void igb_msix_ring(igb_q_vector* q) {
  igb_irq_entry(q, q->vector);
  napi_schedule(&q->napi);
}

// igb_intr_msi / igb_intr: read ICR (which auto-masks through IAM), write a pending ITR
// change, schedule NAPI. Link, reset and timestamp causes are not modelled. INTx is shared:
// without INT_ASSERTED the interrupt was not this device's (IRQ_NONE).
// Without NAPI (driver.mode = legacy) the handler cleans the ring itself and re-enables the
// interrupt (IMS), as igb_msix_ring_legacy does for a vector.
static void igb_intr_common(igb_adapter* a) {
  igb_q_vector* q = a->q_vector[0].get();
  igb_irq_entry(q, 0);
  if (!a->cfg.napi) {
    if (q->tx_ring) igb_clean_tx_irq(q, 0);
    igb_clean_rx_irq(q, q->rx_ring->count);
    igb_ring_irq_enable(q);
    return;
  }
  napi_schedule(&q->napi);
}

// Receive without NAPI, as drivers did before it (e1000_intr cleaned the ring in the interrupt
// handler): the hard interrupt takes every completed descriptor, hands each frame to netif_rx
// (the per-CPU backlog) and unmasks the vector again before it returns. Each frame then costs
// a hard-interrupt share that preempts all softirq and process work - the receive livelock of
// Mogul and Ramakrishnan. ITR works as in NAPI mode; with driver.itr=off every frame interrupts.
void igb_msix_ring_legacy(igb_q_vector* q) {
  igb_irq_entry(q, q->vector);
  if (q->tx_ring) igb_clean_tx_irq(q, 0);
  if (!q->rx_ring) return igb_ring_irq_enable(q);
  igb_clean_rx_irq(q, q->rx_ring->count);
  igb_ring_irq_enable(q);
}

void igb_intr_msi(igb_adapter* a) {
  a->hw->readl(E1000_ICR);  // read ICR disables interrupts using IAM
  igb_intr_common(a);
}

bool igb_intr(igb_adapter* a) {
  const uint32_t icr = a->hw->readl(E1000_ICR);
  if (!(icr & E1000_ICR_INT_ASSERTED)) {
    ++a->stats.irqs_none;
    return false;
  }
  igb_intr_common(a);
  return true;
}

void igb_ring_irq_enable(igb_q_vector* q) {
  igb_adapter* a = q->adapter;
  if ((q->rx_ring && (a->cfg.rx_itr_setting & 3)) || (!q->rx_ring && (a->cfg.tx_itr_setting & 3))) {
    if (a->num_q_vectors == 1) igb_set_itr(q);
    else igb_update_ring_itr(q);
  }
  if (a->down) return;
  if (a->cfg.fault.eims_write_lost(++a->completions))
    return;  // fault: the EIMS (IMS) write is lost
  if (a->cfg.irq_mode == igb_irq_mode::msix) {
    a->hw->writel(q->eims_value, E1000_EIMS);
    ++a->stats.eims_writes;
  } else {
    igb_irq_enable(a);
  }
}

// The end of igb_poll with a planted completion bug (fault.budget_complete,
// eims_before_complete, ignore_complete_result) in place of its napi_complete_done.
static int igb_poll_planted_completion(igb_q_vector* q, int budget, int work_done,
                                       bool clean_complete) {
  napi_struct* napi = &q->napi;
  const igb_fault_hooks& fault = q->adapter->cfg.fault;
  if (!clean_complete) {
    if (fault.budget_complete && napi_complete_done(napi, work_done))  // complete, yet keep polling
      igb_ring_irq_enable(q);
    return budget;
  }
  if (fault.eims_before_complete) {  // unmask, then complete
    igb_ring_irq_enable(q);
    napi_complete_done(napi, work_done);
  } else if (fault.ignore_complete_result) {  // unmask whatever it returned
    napi_complete_done(napi, work_done);
    igb_ring_irq_enable(q);
  } else if (napi_complete_done(napi, work_done)) {
    igb_ring_irq_enable(q);
  }
  return std::min(work_done, budget - 1);
}

// igb_poll (igb_main.c): clean the TX ring first (its work does not count against the
// budget, but hitting its work limit keeps NAPI scheduled), then the RX ring; then leave
// polling mode and unmask the vector if all work was done.
int igb_poll(napi_struct* napi, int budget) {
  igb_q_vector* q_vector = static_cast<igb_q_vector*>(napi->priv);  // container_of(napi, ...)
  bool clean_complete = true;
  int work_done = 0;
  if (q_vector->tx_ring) clean_complete = igb_clean_tx_irq(q_vector, budget);
  if (q_vector->rx_ring) {
    const int cleaned = igb_clean_rx_irq(q_vector, budget);
    work_done += cleaned;
    if (cleaned >= budget) clean_complete = false;
  }
  if (q_vector->adapter->cfg.fault.completion_planted())
    return igb_poll_planted_completion(q_vector, budget, work_done, clean_complete);
  if (!clean_complete) return budget;  // stay on the poll list, interrupt stays masked
  if (napi_complete_done(napi, work_done)) igb_ring_irq_enable(q_vector);
  return std::min(work_done, budget - 1);
}

void igb_alloc_rx_buffers(igb_ring* ring, uint16_t cleaned_count) {
  if (!cleaned_count) return;
  hal& hw = *ring->q_vector->adapter->hw;
  kernel& k = hw.k();
  const bool dd = ring->q_vector->adapter->cfg.completion_dd;
  const bool clear_marker = ring->q_vector->adapter->cfg.fault.refill_clears_marker();
  uint16_t i = ring->next_to_use;
  do {
    igb_rx_buffer* bi = &ring->rx_buffer_info[i];
    if (!igb_alloc_mapped_page(ring, bi)) break;
    k.this_cpu().spend(k.cost.refill_ns);
    ring->desc[i].read.pkt_addr = bi->dma + bi->page_offset;
    if (dd && clear_marker)
      ring->desc[i].read.hdr_addr = 0;  // older igb: clears DD (bit 0 of the same 8 bytes)
    if (++i == ring->count) i = 0;
    if (!dd && clear_marker)
      ring->desc[i].wb.upper.length = 0;  // clear the completion marker of the next slot
  } while (--cleaned_count);
  if (ring->next_to_use != i) {
    ring->next_to_use = i;
    ring->next_to_alloc = i;
    hw.dma_wmb();
    igb_adapter* a = ring->q_vector->adapter;
    if (!a->cfg.fault.tail_write_lost(++a->refills)) {  // fault: this tail write is forgotten
      hw.writel(i, ring->tail);
      ++a->stats.rdt_writes;
    }
    a->observer->rx_refilled(ring);
  }
}

namespace {

// igb_add_rx_frag: a later buffer of the same frame joins as a page fragment, with the half
// page as its truesize (skb_add_rx_frag(..., truesize)).
void igb_add_rx_frag(igb_ring* rx_ring, igb_rx_buffer* rx_buffer, sk_buff* skb, unsigned int size,
                     uint64_t frame) {
  hal& hw = *rx_ring->q_vector->adapter->hw;
  kernel& k = hw.k();
  const uint32_t truesize = igb_rx_pg_size(rx_ring) / 2;
  const uint64_t phys = rx_buffer->dma + rx_buffer->page_offset;
  k.this_cpu().spend(k.cost.refill_ns);
  skb->add_rx_frag(hw.phys_to_virt(phys), size, truesize);
  rx_ring->q_vector->adapter->observer->rx_frag_added(rx_ring, skb, frame);
  skb_hold_page(hw, skb, rx_buffer->pg, phys, size);
  rx_buffer->page_offset ^= truesize;
}

// igb_construct_skb (legacy-rx): the headers are copied into a fresh skb, the page keeps only
// what follows them as a fragment (truesize: the half page, as igb_add_rx_frag).
sk_buff* igb_construct_skb(igb_ring* rx_ring, igb_rx_buffer* rx_buffer, unsigned int size,
                           uint64_t frame) {
  hal& hw = *rx_ring->q_vector->adapter->hw;
  kernel& k = hw.k();
  const uint32_t truesize = igb_rx_pg_size(rx_ring) / 2;
  const uint64_t phys = rx_buffer->dma + rx_buffer->page_offset;
  uint8_t* va = hw.phys_to_virt(phys);
  k.this_cpu().spend(k.cost.build_skb_ns);
  sk_buff* skb = sk_buff::alloc(IGB_RX_HDR_LEN);
  const uint32_t headlen = size > IGB_RX_HDR_LEN ? eth_get_headlen(va, size, IGB_RX_HDR_LEN) : size;
  std::memcpy(skb->put(headlen), va, headlen);
  k.this_cpu().spend(k.cost.copy_ns_per_byte * headlen);
  skb->frame_id = frame;
  if (size > headlen) {
    skb->add_rx_frag(va + headlen, size - headlen, truesize);
    skb_hold_page(hw, skb, rx_buffer->pg, phys, size);
    rx_buffer->page_offset ^= truesize;
  } else {
    ++rx_buffer->pagecnt_bias;  // all copied: the buffer goes straight back to the ring
  }
  return skb;
}

// igb_build_skb: napi_build_skb(xdp->data_hard_start, truesize) around the half page the
// buffer owns (igb_rx_pg_size / 2, PAGE_SIZE < 8192): skb truesize
// SKB_TRUESIZE(2048 - SKB_DATA_ALIGN(sizeof(skb_shared_info))) = 1728 + 256 + 320 = 2304 for
// 2 KB buffers, 4352 for 3 KB ones.
sk_buff* igb_build_skb(igb_ring* rx_ring, igb_rx_buffer* rx_buffer, unsigned int size,
                       uint64_t frame) {
  hal& hw = *rx_ring->q_vector->adapter->hw;
  kernel& k = hw.k();
  const uint32_t truesize = igb_rx_pg_size(rx_ring) / 2;
  const uint64_t phys = rx_buffer->dma + rx_buffer->page_offset;
  k.this_cpu().spend(k.cost.build_skb_ns);
  sk_buff* skb = sk_buff::napi_build_skb(hw.phys_to_virt(phys) - IGB_SKB_PAD, truesize);
  skb->reserve(IGB_SKB_PAD);
  skb->put(size);
  skb->frame_id = frame;
  skb_hold_page(hw, skb, rx_buffer->pg, phys, size);
  rx_buffer->page_offset ^= truesize;
  return skb;
}

// igb_rx_hash: the RSS hash from the descriptor (NETIF_F_RXHASH is on).
void igb_rx_hash(igb_ring*, const e1000_adv_rx_desc* rx_desc, sk_buff* skb) {
  skb->hash = rx_desc->wb.lower.rss;
}

// igb_is_non_eop: next_to_clean moves on; true when more buffers of this frame follow.
bool igb_is_non_eop(igb_ring* rx_ring, const e1000_adv_rx_desc* rx_desc) {
  const uint32_t ntc = rx_ring->next_to_clean + 1u;
  rx_ring->next_to_clean = static_cast<uint16_t>(ntc < rx_ring->count ? ntc : 0);
  rx_ring->q_vector->adapter->observer->rx_cleaned(rx_ring);
  return !(rx_desc->wb.upper.status_error & E1000_RXD_STAT_EOP);
}

// igb_cleanup_headers: a frame with an error is freed (true: nothing to pass up); short
// frames are padded to 60 bytes (eth_skb_pad). No NETIF_F_RXALL, no XDP.
bool igb_cleanup_headers(igb_ring* rx_ring, const e1000_adv_rx_desc* rx_desc, sk_buff* skb) {
  if (rx_desc->wb.upper.status_error & E1000_RXDEXT_ERR_FRAME_ERR_MASK) {
    // igb_cleanup_headers frees it and counts nothing itself; the NIC counted the error
    // (CRCERRS, ALGNERRC, RXERRC), which igb_update_stats sums into rx_errors (ethtool -S)
    ++rx_ring->frame_errors;
    drop_skb(rx_ring->q_vector->adapter->hw->k(), skb, "rx_errors");
    return true;
  }
  if (skb->len < 60) skb->put(60 - skb->len);  // eth_skb_pad
  return false;
}

// igb_process_skb_fields: RSS hash, checksum status, eth_type_trans. No timestamp, no VLAN.
void igb_process_skb_fields(igb_ring* rx_ring, const e1000_adv_rx_desc* rx_desc, sk_buff* skb) {
  igb_rx_hash(rx_ring, rx_desc, skb);
  igb_rx_checksum(rx_ring, rx_desc->wb.upper.status_error, skb);
  eth_type_trans(skb, rx_ring->q_vector->adapter->dev_addr);
}

// igb_get_rx_buffer: the buffer at next_to_clean, with its page's reference count for
// igb_can_reuse_rx_page (*rx_buf_pgcnt) and one bias reference taken for the skb. No DMA sync
// (coherent memory). nullptr (a model check) when the slot holds no page.
igb_rx_buffer* igb_get_rx_buffer(igb_ring* rx_ring, int* rx_buf_pgcnt) {
  igb_rx_buffer* rx_buffer = &rx_ring->rx_buffer_info[rx_ring->next_to_clean];
  if (!rx_buffer->pg) return nullptr;
  *rx_buf_pgcnt = rx_buffer->pg->refcount;
  --rx_buffer->pagecnt_bias;
  return rx_buffer;
}

// The model's part of igb_clean_rx_irq's descriptor read: the completion check, then the loads
// behind dma_rmb. False when the descriptor at next_to_clean is not complete yet; else
// *rx_desc holds its fields as the CPU loaded them and *frame the frame's id (the observer's
// tracepoint). Completion: a non-zero length (current igb), or DD (older igb, completion_dd).
bool igb_load_rx_desc(igb_ring* rx_ring, e1000_adv_rx_desc* rx_desc, uint64_t* frame) {
  igb_adapter* adapter = rx_ring->q_vector->adapter;
  hal& hw = *adapter->hw;
  const igb_config& cfg = adapter->cfg;
  const e1000_adv_rx_desc* desc = &rx_ring->desc[rx_ring->next_to_clean];
  // fault (no dma_rmb): the CPU loads the other fields before the completion check, from
  // memory as it was then; only the marker itself is loaded after coherent_sync.
  const bool hoist = cfg.fault.loads_before_dma_rmb();
  e1000_adv_rx_desc hoisted{};
  sc_time hoisted_at;
  if (hoist) {
    hoisted = *desc;
    hoisted_at = hw.visible_until();
  }
  hw.coherent_sync();  // the load below sees what the device has made visible by now
  if (cfg.completion_dd) {
    if (!(desc->wb.upper.status_error & E1000_RXD_STAT_DD)) return false;
  } else if (!desc->wb.upper.length) {
    return false;
  }
  hw.dma_rmb();  // no other descriptor field is read before the completion marker
  *rx_desc = *desc;
  if (hoist) {
    const e1000_adv_rx_desc marker = *rx_desc;
    *rx_desc = hoisted;
    if (cfg.completion_dd) rx_desc->wb.upper.status_error = marker.wb.upper.status_error;
    else rx_desc->wb.upper.length = marker.wb.upper.length;
  }
  kernel& k = hw.k();
  k.this_cpu().spend(k.cost.desc_ns);
  *frame = adapter->observer->rx_desc_read(rx_ring, *rx_desc, hoist ? &hoisted_at : nullptr);
  return true;
}

}  // namespace

// igb_clean_rx_irq (igb_main.c) without XDP and timestamps: take completed descriptors up to
// the budget, build an skb per frame (build_skb, or construct_skb for legacy-rx), pass it up
// (netif_rx without NAPI), and give cleaned buffers back to the device 16 at a time. The
// observer sees each descriptor, frame and refill; each frame ends at a preemption point.
int igb_clean_rx_irq(igb_q_vector* q_vector, const int budget) {
  igb_adapter* adapter = q_vector->adapter;
  igb_ring* rx_ring = q_vector->rx_ring;
  kernel& k = adapter->hw->k();
  sk_buff* skb = rx_ring->skb;
  uint64_t total_bytes = 0;
  int total_packets = 0;
  // fault: one descriptor too many counted free, so the refill reaches next_to_clean
  uint16_t cleaned_count =
      static_cast<uint16_t>(igb_desc_unused(rx_ring) + adapter->cfg.fault.unused_overcount());

  while (total_packets < budget) {
    // return some buffers to hardware, one at a time is too slow
    if (cleaned_count >= IGB_RX_BUFFER_WRITE) {
      igb_alloc_rx_buffers(rx_ring, cleaned_count);
      cleaned_count = 0;
    }
    e1000_adv_rx_desc rx_desc;
    uint64_t frame;
    if (!igb_load_rx_desc(rx_ring, &rx_desc, &frame)) break;
    const unsigned int size = rx_desc.wb.upper.length;
    int rx_buf_pgcnt;
    igb_rx_buffer* rx_buffer = igb_get_rx_buffer(rx_ring, &rx_buf_pgcnt);
    if (!rx_buffer) {
      adapter->observer->rx_buffer_missing(rx_ring, frame);
      break;
    }
    // retrieve a buffer from the ring
    if (skb) igb_add_rx_frag(rx_ring, rx_buffer, skb, size, frame);
    else if (!adapter->cfg.construct_skb) skb = igb_build_skb(rx_ring, rx_buffer, size, frame);
    else skb = igb_construct_skb(rx_ring, rx_buffer, size, frame);
    igb_put_rx_buffer(rx_ring, rx_buffer, rx_buf_pgcnt);
    ++cleaned_count;
    // fetch next buffer in frame if non-eop
    if (igb_is_non_eop(rx_ring, &rx_desc)) continue;
    // verify the packet layout is correct
    if (igb_cleanup_headers(rx_ring, &rx_desc, skb)) {
      skb = nullptr;
      continue;
    }
    total_bytes += skb->len;
    // populate checksum, RSS hash and protocol
    igb_process_skb_fields(rx_ring, &rx_desc, skb);
    if (adapter->cfg.napi) napi_gro_receive(&q_vector->napi, skb);
    else netif_rx(k, skb);
    skb = nullptr;
    ++total_packets;
    adapter->observer->rx_frame_passed(rx_ring, budget - total_packets);
    k.this_cpu().boundary();
  }
  // place incomplete frames back on ring for completion
  rx_ring->skb = skb;
  rx_ring->packets += total_packets;
  rx_ring->bytes += total_bytes;
  q_vector->rx.total_packets += total_packets;
  q_vector->rx.total_bytes += total_bytes;
  if (cleaned_count) igb_alloc_rx_buffers(rx_ring, cleaned_count);
  return total_packets;
}

// --- igb_trace_observer ----------------------------------------------------------------------

// Note for the journey which message led to this handler and when it ran.
void igb_trace_observer::irq_entry(igb_q_vector* q, unsigned vector) {
  napi_struct& napi = q->napi;
  napi.irq_entry = hw_.k().this_cpu().now();
  hal::irq_message m;
  napi.irq_valid = hw_.msix_arrived(vector, napi.irq_entry, &m);
  napi.irq_msix_sent = m.sent;
  napi.irq_msix_arrival = m.arrival;
}

uint64_t igb_trace_observer::rx_desc_read(igb_ring* ring, const e1000_adv_rx_desc& rx_desc,
                                          const sc_time* fields_loaded) {
  kernel& k = hw_.k();
  const uint16_t ntc = ring->next_to_clean;
  const napi_struct& napi = ring->q_vector->napi;
  const uint64_t desc_dma = ring->dma + ntc * sizeof(e1000_adv_rx_desc);
  const uint64_t id = hw_.trace_desc_consumed(desc_dma, fields_loaded);
  k.probe(sw_sig::rx_desc_read, ntc, ring->reg_idx);
  const sc_time now = k.this_cpu().now();
  k.jr.record(id, step::drv_read_desc, now);
  // The interrupt that led here covers this frame when the frame's write-back left the NIC
  // before the message did (the write-back raised it, or was held back by EITR until it).
  // Both are NIC-side times: the message leaves before the write-back is visible at the host.
  // With NAPI, an interrupt handled after this poll started did not lead to it (a poll the
  // GRO flush timer started, with the vector unmasked: its napi_schedule finds NAPI
  // scheduled already); without (driver.mode legacy) the handler itself reads the ring.
  // A frame over several descriptors is judged at its last (EOP), whose write-back is the
  // frame's in the journey (each descriptor's write-back overwrites the step).
  const int64_t wb = k.jr.time_ps(id, step::desc_wb);
  const int64_t wb_nic = k.jr.time_ps(id, step::desc_wb_nic);
  if (rx_desc.wb.upper.status_error & E1000_RXD_STAT_EOP) {
    const bool led_here = !ring->q_vector->adapter->cfg.napi || napi.irq_entry <= napi.poll_start;
    if (napi.irq_valid && led_here && wb_nic >= 0 &&
        ps_of(napi.irq_msix_sent) >= static_cast<uint64_t>(wb_nic)) {
      k.jr.record(id, step::msix_nic, napi.irq_msix_sent);
      k.jr.record(id, step::msix, napi.irq_msix_arrival);
      k.jr.record(id, step::isr_entry, napi.irq_entry);
    }
    if (wb >= 0 && ps_of(napi.poll_start) >= static_cast<uint64_t>(wb))
      k.jr.record(id, step::napi_poll, napi.poll_start);
  }
  return id;
}

void igb_trace_observer::rx_buffer_missing(igb_ring*, uint64_t frame) {
  hw_.k().violate("rx_buffer_missing", "descriptor completed without a buffer",
                  static_cast<int64_t>(frame));
}

void igb_trace_observer::rx_frag_added(igb_ring*, const sk_buff* skb, uint64_t frame) {
  if (skb->frame_id != frame)
    hw_.k().violate("frame_mixup", "buffers of different frames joined in one skb",
                    static_cast<int64_t>(frame));
}

void igb_trace_observer::rx_cleaned(igb_ring* ring) {
  hw_.k().probe(sw_sig::rx_next_to_clean, ring->next_to_clean, ring->reg_idx);
}

void igb_trace_observer::rx_frame_passed(igb_ring* ring, int budget_left) {
  hw_.k().probe(sw_sig::napi_budget_left, static_cast<uint32_t>(budget_left), ring->reg_idx);
}

// "Detected Tx Unit Hang": igb's dev_err becomes an event the waveform trigger and logs see
void igb_trace_observer::tx_unit_hang(igb_ring*, const tx_hang_report&) {
  kernel& k = hw_.k();
  if (k.on_event) k.on_event("tx_unit_hang");
}

void igb_trace_observer::rx_refilled(igb_ring* ring) {
  kernel& k = hw_.k();
  k.probe(sw_sig::rx_next_to_clean, ring->next_to_clean, ring->reg_idx);
  k.probe(sw_sig::rx_next_to_use, ring->next_to_use, ring->reg_idx);
}

}  // namespace igbsim
