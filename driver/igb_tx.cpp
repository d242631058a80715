// SPDX-License-Identifier: Apache-2.0
// The igb transmit path (drivers/net/ethernet/intel/igb/igb_main.c, v6.x): bring-up of the
// TX unit and rings, ndo_start_xmit (igb_xmit_frame -> igb_xmit_frame_ring -> igb_tso /
// igb_tx_csum -> igb_tx_map), the ring-full stop and wake, and completion (igb_clean_tx_irq)
// with igb's hang check. Left out: XDP and AF_XDP rings, VLAN insertion, hardware timestamps,
// launch time (Qav), the 82575's per-ring context index, SCTP CRC offload.
//
// CPU time: the cost table has no transmit rows of the driver's yet; a descriptor written (by
// igb_tx_map or igb_tx_ctxtdesc) or a packet cleaned costs desc_ns, as a receive descriptor.
#include <cstring>

#include "igb.h"
#include "kernel.h"
#include "net.h"
#include "sw_signals.h"

namespace igbsim {

namespace {

hal& hw_of(igb_ring* ring) { return *ring->q_vector->adapter->hw; }
igb_adapter* adapter_of(igb_ring* ring) { return ring->q_vector->adapter; }

// The transmit journey (stack/tx_journey.h): the descriptors [first's slot, eop] and the
// buffers the packet of skb took, so the NIC's reads and write-back name it
void igb_tx_journey_queued(kernel& k, const igb_ring* ring, const igb_tx_buffer* first,
                           unsigned eop, const sk_buff* skb) {
  const unsigned count = ring->count;
  const unsigned from = static_cast<unsigned>(first - ring->tx_buffer_info.data());
  const unsigned n = (eop + count - from) % count + 1;
  std::vector<std::pair<uint64_t, uint32_t>> bufs;
  for (unsigned j = 0; j < n; ++j) {
    const igb_tx_buffer& b = ring->tx_buffer_info[(from + j) % count];
    if (b.len) bufs.emplace_back(b.dma, b.len);
  }
  k.txjr.queued(ring->reg_idx, skb->frame_id, ring->dma, count, from, n, eop, bufs,
                std::max<unsigned>(skb->gso_segs, 1));
}

// The waveform's sw.txN_next_to_use_i / _clean_i, after each change
void igb_tx_probe(kernel& k, const igb_ring* ring) {
  k.probe(sw_sig::tx_next_to_use, ring->next_to_use, ring->reg_idx);
  k.probe(sw_sig::tx_next_to_clean, ring->next_to_clean, ring->reg_idx);
}

void put_be16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
uint16_t get_be16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }

// csum_replace_by_diff(sum, htonl(diff)): take `diff` out of the (uncomplemented) partial sum
// the field holds: igb_tso removes the L4 length from the pseudo-header seed, since the NIC
// adds each segment's own length.
void csum_replace_by_diff(uint8_t* field, uint32_t diff) {
  const uint32_t d = (diff >> 16) + (diff & 0xFFFF);
  const uint16_t sum = csum_fold(d + static_cast<uint16_t>(~get_be16(field)));
  put_be16(field, static_cast<uint16_t>(~sum));
}

// skb_checksum_help (net/core/dev.c): a checksum the device cannot offload is done here:
// sum from csum_start to the end, complemented, stored at csum_offset.
void igb_skb_checksum_help(sk_buff* skb) {
  const uint32_t start = static_cast<uint32_t>(skb->checksum_start_offset());
  std::vector<uint8_t> bytes(skb->len - start);
  skb->copy_bits(start, bytes.data(), static_cast<uint32_t>(bytes.size()));
  const uint16_t sum =
      static_cast<uint16_t>(~csum_fold(csum_partial(bytes.data(), bytes.size(), 0)));
  put_be16(skb->data + start + skb->csum_offset, sum);
  skb->ip_summed = CHECKSUM_NONE;
}

// IGB_TX_WTHRESH (igb.h): 1 on the 82576 with MSI-X, else 16 (i354: 4, not modelled)
uint32_t igb_tx_wthresh(const igb_adapter* a) {
  const bool e82576 = a->cfg.part && a->cfg.part->mac == igb_mac::e82576;
  return e82576 && a->cfg.irq_mode == igb_irq_mode::msix ? 1 : 16;
}

}  // namespace

// igb_setup_tctl: queue 0 off first (the 82575 and 82576 enable it at reset), then TCTL: pad
// short packets, retransmit on late collision, collision threshold and distance
// (igb_config_collision_dist writes TCTL itself; igb_setup_tctl's own write, from the value it
// read before, follows), transmit enabled. The register flush (wrfl, a STATUS read) is left
// out: the model's MMIO keeps posted writes in order.
void igb_setup_tctl(igb_adapter* a) {
  hal& hw = *a->hw;
  hw.writel(0, E1000_TXDCTL(0));
  uint32_t tctl = hw.readl(E1000_TCTL);
  tctl &= ~E1000_TCTL_CT;
  tctl |= E1000_TCTL_PSP | E1000_TCTL_RTLC | (E1000_COLLISION_THRESHOLD << E1000_CT_SHIFT);
  // igb_config_collision_dist (e1000_mac.c)
  uint32_t cold = hw.readl(E1000_TCTL);
  cold &= ~E1000_TCTL_COLD;
  cold |= E1000_COLLISION_DISTANCE << E1000_COLD_SHIFT;
  hw.writel(cold, E1000_TCTL);
  tctl |= E1000_TCTL_EN;
  hw.writel(tctl, E1000_TCTL);
}

// igb_configure_tx_ring: ring base and length, head and tail 0, the buffers cleared, then the
// thresholds and enable.
void igb_configure_tx_ring(igb_adapter* a, igb_ring* ring) {
  hal& hw = *a->hw;
  const unsigned n = ring->reg_idx;
  hw.writel(ring->count * static_cast<uint32_t>(sizeof(e1000_adv_tx_desc)), E1000_TDLEN(n));
  hw.writel(static_cast<uint32_t>(ring->dma & 0xFFFFFFFFu), E1000_TDBAL(n));
  hw.writel(static_cast<uint32_t>(ring->dma >> 32), E1000_TDBAH(n));
  ring->tail = E1000_TDT(n);
  hw.writel(0, E1000_TDH(n));
  hw.writel(0, ring->tail);
  uint32_t txdctl = IGB_TX_PTHRESH | IGB_TX_HTHRESH << 8 | igb_tx_wthresh(a) << 16;
  ring->tx_buffer_info.assign(ring->count, igb_tx_buffer{});
  ring->next_to_use = ring->next_to_clean = 0;
  igb_tx_probe(hw.k(), ring);
  txdctl |= E1000_TXDCTL_QUEUE_ENABLE;
  hw.writel(txdctl, E1000_TXDCTL(n));
}

// igb_configure_tx: every queue off, then each ring. igb sleeps 10-20 ms after the disable
// (usleep_range) for the queues to drain; nothing is queued at bring-up, so the model does not.
// The BQL state starts empty (netdev_tx_reset_queue, igb_clean_tx_ring's at the last down).
void igb_configure_tx(igb_adapter* a) {
  for (auto& ring : a->tx_ring) a->hw->writel(0, E1000_TXDCTL(ring->reg_idx));
  for (auto& ring : a->tx_ring) {
    igb_configure_tx_ring(a, ring.get());
    netdev_tx_reset_queue(txring_txq(ring.get()));
  }
}

// igb_probe's net_device (alloc_etherdev_mq, the netdev_ops and features igb sets,
// register_netdev) and igb_alloc_q_vector's TX half: a ring per RX queue, on the RX queue's
// q_vector when paired (IGB_FLAG_QUEUE_PAIRS), else on a q_vector of its own after all the
// RX ones (igb_alloc_q_vectors: with a vector per ring, the RX rings take the first ones);
// igb_setup_tx_resources: the descriptor ring in coherent memory.
void igb_alloc_tx_rings(igb_adapter* a) {
  kernel& k = a->hw->k();
  a->netdev_storage = alloc_etherdev_mq(k, IGB_MAX_TX_QUEUES);
  net_device* dev = a->netdev = a->netdev_storage.get();
  dev->priv = a;
  dev->netdev_ops.ndo_start_xmit = igb_xmit_frame;
  dev->netdev_ops.ndo_tx_timeout = igb_tx_timeout;
  dev->features = NETIF_F_SG | NETIF_F_TSO | NETIF_F_TSO6 | NETIF_F_HW_CSUM | NETIF_F_GSO_UDP_L4;
  std::memcpy(dev->dev_addr, a->dev_addr, sizeof dev->dev_addr);
  dev->mtu = a->cfg.mtu;
  a->num_tx_queues = a->num_rx_queues;
  netif_set_real_num_tx_queues(dev, static_cast<unsigned>(a->num_tx_queues));
  register_netdev(dev);
  for (int t = 0; t < a->num_tx_queues; ++t) {
    a->tx_ring.push_back(std::make_unique<igb_ring>());
    igb_ring* ring = a->tx_ring.back().get();
    igb_q_vector* q = nullptr;
    if (a->cfg.plan.queue_pairs) {
      q = a->q_vector[static_cast<size_t>(t)].get();
    } else {
      a->q_vector.push_back(std::make_unique<igb_q_vector>());
      q = a->q_vector.back().get();
      q->adapter = a;
      netif_napi_add(k, &q->napi, igb_poll, a->cfg.napi_weight);
      q->napi.priv = q;
      // Its polls count as igb_poll calls; the per-queue NAPI signals (kProbeQueues of them)
      // are the RX queues', so a TX-only vector's index lies beyond them.
      q->napi.index = kProbeQueues + static_cast<unsigned>(t);
    }
    q->tx_ring = ring;
    q->tx.work_limit = a->cfg.tx_work_limit;
    ring->q_vector = q;
    ring->netdev = dev;
    ring->count = a->cfg.tx_ring;
    ring->reg_idx = static_cast<uint8_t>(t);
    ring->queue_index = static_cast<uint16_t>(t);
    ring->dma = a->hw->dma_alloc_coherent(ring->count * sizeof(e1000_adv_tx_desc));
    ring->desc = reinterpret_cast<e1000_adv_rx_desc*>(a->hw->phys_to_virt(ring->dma));
    ring->tx_buffer_info.assign(ring->count, igb_tx_buffer{});
  }
}

namespace {

// igb_tx_ctxtdesc: a context descriptor at next_to_use (IDX 0, no launch time)
void igb_tx_ctxtdesc(igb_ring* tx_ring, uint32_t vlan_macip_lens, uint32_t type_tucmd,
                     uint32_t mss_l4len_idx) {
  uint16_t i = tx_ring->next_to_use;
  e1000_adv_tx_context_desc* context_desc = IGB_TX_CTXTDESC(tx_ring, i);
  ++i;
  tx_ring->next_to_use = i < tx_ring->count ? i : 0;
  // set bits to identify this as an advanced context descriptor
  type_tucmd |= E1000_ADVTXD_DCMD_DEXT | E1000_ADVTXD_DTYP_CTXT;  // E1000_TXD_CMD_DEXT
  context_desc->vlan_macip_lens = vlan_macip_lens;
  context_desc->type_tucmd_mlhl = type_tucmd;
  context_desc->mss_l4len_idx = mss_l4len_idx;
  context_desc->seqnum_seed = 0;
  kernel& k = hw_of(tx_ring).k();
  k.this_cpu().spend(k.cost.desc_ns);
}

// igb_tso: a GSO skb with CHECKSUM_PARTIAL becomes one context descriptor for the NIC to cut
// it into gso_segs packets. The IPv4 header's total length is cleared and its checksum set
// to the complement of what lies between it and the L4 header (0xFFFF: nothing), the NIC
// fills both in per segment; the L4 checksum field loses the length from its pseudo-header
// seed, since the NIC adds each segment's. Returns 1 (context written) or 0 (not TSO).
int igb_tso(igb_ring* tx_ring, igb_tx_buffer* first, uint8_t* hdr_len) {
  sk_buff* skb = first->skb;
  if (skb->ip_summed != CHECKSUM_PARTIAL) return 0;
  if (!skb->is_gso()) return 0;
  // skb_cow_head: the model's skb heads are never shared
  uint8_t* ip = skb->network();
  uint8_t* l4 = skb->head + skb->csum_start;  // skb_checksum_start
  uint32_t type_tucmd =
      (skb->gso_type & SKB_GSO_UDP_L4) ? E1000_ADVTXD_TUCMD_L4T_UDP : E1000_ADVTXD_TUCMD_L4T_TCP;
  if ((ip[0] >> 4) == 4) {
    uint8_t* trans_start = ip + (ip[0] & 0xF) * 4;
    // ip.v4->check = csum_fold(csum_partial(trans_start, csum_start - trans_start, 0))
    put_be16(ip + 10, static_cast<uint16_t>(~csum_fold(
                          csum_partial(trans_start, static_cast<size_t>(l4 - trans_start), 0))));
    type_tucmd |= E1000_ADVTXD_TUCMD_IPV4;
    put_be16(ip + 2, 0);  // tot_len
    first->tx_flags |= IGB_TX_FLAGS_TSO | IGB_TX_FLAGS_CSUM | IGB_TX_FLAGS_IPV4;
  } else {
    put_be16(ip + 4, 0);  // payload_len
    first->tx_flags |= IGB_TX_FLAGS_TSO | IGB_TX_FLAGS_CSUM;
  }
  const uint32_t l4_offset = static_cast<uint32_t>(l4 - skb->data);
  const uint32_t paylen = skb->len - l4_offset;  // remove payload length from inner checksum
  if (type_tucmd & E1000_ADVTXD_TUCMD_L4T_TCP) {
    *hdr_len = static_cast<uint8_t>((l4[12] >> 4) * 4 + l4_offset);
    csum_replace_by_diff(l4 + 16, paylen);
  } else {
    *hdr_len = static_cast<uint8_t>(8 + l4_offset);
    csum_replace_by_diff(l4 + 6, paylen);
  }
  // update gso size and bytecount with header size
  first->gso_segs = skb->gso_segs;
  first->bytecount += (first->gso_segs - 1u) * *hdr_len;
  uint32_t mss_l4len_idx = (*hdr_len - l4_offset) << E1000_ADVTXD_L4LEN_SHIFT;
  mss_l4len_idx |= static_cast<uint32_t>(skb->gso_size) << E1000_ADVTXD_MSS_SHIFT;
  uint32_t vlan_macip_lens = static_cast<uint32_t>(l4 - ip);
  vlan_macip_lens |= static_cast<uint32_t>(ip - skb->data) << E1000_ADVTXD_MACLEN_SHIFT;
  igb_tx_ctxtdesc(tx_ring, vlan_macip_lens, type_tucmd, mss_l4len_idx);
  return 1;
}

// igb_tx_csum: CHECKSUM_PARTIAL for TCP (csum_offset 16) or UDP (6) gets a context descriptor
// with the MAC and IP header lengths and the L4 type; anything else is summed in software
// (skb_checksum_help). Without offload, VLAN or launch time no context is written.
void igb_tx_csum(igb_ring* tx_ring, igb_tx_buffer* first) {
  sk_buff* skb = first->skb;
  uint32_t type_tucmd = 0;
  if (skb->ip_summed != CHECKSUM_PARTIAL) return;  // no VLAN, no launch time
  switch (skb->csum_offset) {
    case 16: type_tucmd = E1000_ADVTXD_TUCMD_L4T_TCP; break;  // offsetof(struct tcphdr, check)
    case 6: break;                                            // offsetof(struct udphdr, check)
    default: igb_skb_checksum_help(skb); return;              // SCTP is not modelled
  }
  first->tx_flags |= IGB_TX_FLAGS_CSUM;
  uint32_t vlan_macip_lens =
      static_cast<uint32_t>(skb->checksum_start_offset() - skb->network_offset());
  vlan_macip_lens |= static_cast<uint32_t>(skb->network_offset()) << E1000_ADVTXD_MACLEN_SHIFT;
  igb_tx_ctxtdesc(tx_ring, vlan_macip_lens, type_tucmd, 0);
}

// igb_tx_cmd_type: advanced data descriptor with FCS insertion, TSE for TSO (VLE and the
// timestamp bit are never set here; skb->no_fcs is not modelled)
uint32_t igb_tx_cmd_type(uint32_t tx_flags) {
  uint32_t cmd_type = E1000_ADVTXD_DTYP_DATA | E1000_ADVTXD_DCMD_DEXT | E1000_ADVTXD_DCMD_IFCS;
  if (tx_flags & IGB_TX_FLAGS_TSO) cmd_type |= E1000_ADVTXD_DCMD_TSE;
  return cmd_type;
}

// igb_tx_olinfo_status: PAYLEN and the checksums to insert, in the first data descriptor
void igb_tx_olinfo_status(e1000_adv_tx_desc* tx_desc, uint32_t tx_flags, unsigned paylen) {
  uint32_t olinfo_status = paylen << E1000_ADVTXD_PAYLEN_SHIFT;
  if (tx_flags & IGB_TX_FLAGS_CSUM) olinfo_status |= E1000_ADVTXD_POPTS_TXSM;
  if (tx_flags & IGB_TX_FLAGS_IPV4) olinfo_status |= E1000_ADVTXD_POPTS_IXSM;
  tx_desc->read.olinfo_status = olinfo_status;
}

// __igb_maybe_stop_tx: stop the queue, then look again (smp_mb): a completion on another CPU
// may have made room meanwhile; if so, wake it again (restart_queue2).
int __igb_maybe_stop_tx(igb_ring* tx_ring, uint16_t size) {
  igb_adapter* a = adapter_of(tx_ring);
  netif_stop_subqueue(tx_ring->netdev, tx_ring->queue_index);
  a->observer->tx_queue_stopped(tx_ring);
  // smp_mb(): the model runs one CPU's code at a time; the order is kept
  if (igb_desc_unused(tx_ring) < size) return -EBUSY;
  if (a->cfg.fault.tx_wake_lost()) return 0;  // fault: the reprieve is lost, stopped for good
  netif_wake_subqueue(tx_ring->netdev, tx_ring->queue_index);  // a reprieve
  ++tx_ring->restart_queue2;
  a->observer->tx_queue_woken(tx_ring);
  return 0;
}

int igb_maybe_stop_tx(igb_ring* tx_ring, uint16_t size) {
  if (igb_desc_unused(tx_ring) >= size) return 0;
  return __igb_maybe_stop_tx(tx_ring, size);
}

// igb_tx_map's unwinding after a failed mapping: unmap every buffer from the failed one back
// to first, free the skb, give the descriptors back (next_to_use = first's).
void igb_tx_map_unwind(igb_ring* tx_ring, igb_tx_buffer* first, uint16_t i) {
  hal& hw = hw_of(tx_ring);
  igb_tx_buffer* tx_buffer = &tx_ring->tx_buffer_info[i];
  while (tx_buffer != first) {
    if (tx_buffer->len) hw.dma_unmap_single(tx_buffer->dma, tx_buffer->len);
    tx_buffer->len = 0;
    if (i-- == 0) i = static_cast<uint16_t>(i + tx_ring->count);
    tx_buffer = &tx_ring->tx_buffer_info[i];
  }
  if (tx_buffer->len) hw.dma_unmap_single(tx_buffer->dma, tx_buffer->len);
  tx_buffer->len = 0;
  dev_kfree_skb_any(tx_buffer->skb);
  tx_buffer->skb = nullptr;
  tx_ring->next_to_use = i;
  igb_tx_probe(hw.k(), tx_ring);
}

// igb_tx_map: a data descriptor per mapped buffer (the head, then each page fragment; a
// buffer over 32 KB takes several), PAYLEN and the offloads in the first, EOP and RS in the
// last; BQL accounting; dma_wmb before next_to_watch is set; the proactive stop; and the
// doorbell (TDT) unless the stack has more packets coming (netdev_xmit_more) and the queue
// still runs. igb tests netif_xmit_stopped || !netdev_xmit_more after netdev_tx_sent_queue,
// which is what __netdev_tx_sent_queue (ixgbe's form) returns; igb's own form is kept so the
// ring-full stop just before it also rings the doorbell.
int igb_tx_map(igb_ring* tx_ring, igb_tx_buffer* first, uint8_t hdr_len) {
  igb_adapter* a = adapter_of(tx_ring);
  hal& hw = *a->hw;
  kernel& k = hw.k();
  sk_buff* skb = first->skb;
  const uint32_t tx_flags = first->tx_flags;
  uint32_t cmd_type = igb_tx_cmd_type(tx_flags);
  uint16_t i = tx_ring->next_to_use;
  const uint16_t first_desc = i;
  e1000_adv_tx_desc* tx_desc = IGB_TX_DESC(tx_ring, i);
  igb_tx_olinfo_status(tx_desc, tx_flags, skb->len - hdr_len);
  uint32_t size = skb->headlen();
  uint32_t data_len = skb->data_len;
  uint64_t dma = hw.dma_map_single(skb->data, size);
  igb_tx_buffer* tx_buffer = first;
  for (size_t f = 0;; ++f) {
    if (hal::dma_mapping_error(dma)) {
      igb_tx_map_unwind(tx_ring, first, i);
      return -1;
    }
    tx_buffer->len = size;  // record length, and DMA address
    tx_buffer->dma = dma;
    tx_desc->read.buffer_addr = dma;
    while (size > IGB_MAX_DATA_PER_TXD) {
      tx_desc->read.cmd_type_len = cmd_type ^ IGB_MAX_DATA_PER_TXD;
      k.this_cpu().spend(k.cost.desc_ns);
      if (++i == tx_ring->count) i = 0;
      tx_desc = IGB_TX_DESC(tx_ring, i);
      tx_desc->read.olinfo_status = 0;
      dma += IGB_MAX_DATA_PER_TXD;
      size -= IGB_MAX_DATA_PER_TXD;
      tx_desc->read.buffer_addr = dma;
    }
    if (!data_len) break;
    tx_desc->read.cmd_type_len = cmd_type ^ size;
    k.this_cpu().spend(k.cost.desc_ns);
    if (++i == tx_ring->count) i = 0;
    tx_desc = IGB_TX_DESC(tx_ring, i);
    tx_desc->read.olinfo_status = 0;
    size = skb->frags[f].len;
    data_len -= size;
    dma = hw.dma_map_single(skb->frags[f].data, size);  // skb_frag_dma_map
    tx_buffer = &tx_ring->tx_buffer_info[i];
  }
  // write last descriptor with RS and EOP bits (fault: no RS)
  cmd_type |= size | (a->cfg.fault.tx_sets_rs() ? IGB_TXD_DCMD : E1000_ADVTXD_DCMD_EOP);
  tx_desc->read.cmd_type_len = cmd_type;
  k.this_cpu().spend(k.cost.desc_ns);
  netdev_queue* txq = txring_txq(tx_ring);
  netdev_tx_sent_queue(txq, first->bytecount);
  first->time_stamp = k.jiffies();  // set the timestamp
  // Force memory writes to complete before letting h/w know there are new descriptors to
  // fetch, and before next_to_watch is written
  hw.dma_wmb();
  first->next_to_watch = i;  // set next_to_watch value indicating a packet is present
  if (k.txjr.on()) igb_tx_journey_queued(k, tx_ring, first, i, skb);
  if (++i == tx_ring->count) i = 0;
  tx_ring->next_to_use = i;
  igb_tx_probe(k, tx_ring);
  a->observer->tx_queued(tx_ring, skb, first_desc);
  // Make sure there is space in the ring for the next send.
  igb_maybe_stop_tx(tx_ring, DESC_NEEDED);
  if (netif_xmit_stopped(txq) || !netdev_xmit_more(k)) {
    // fault (no wmb): the descriptor stores of this packet reach memory after the doorbell
    if (a->cfg.fault.tx_stores_after_doorbell()) a->tx_stores.defer();
    const uint32_t tail = a->cfg.fault.tx_tail_value(i, tx_ring->count);
    hw.writel(tail, tx_ring->tail);
    k.txjr.doorbell(tx_ring->reg_idx, k.this_cpu().now());
    ++a->stats.tdt_writes;
    a->observer->tx_doorbell(tx_ring, tail);
  }
  return 0;
}

}  // namespace

// igb_xmit_frame_ring: room for the packet (a descriptor per 32 KB of each buffer, a context
// and a gap of two) or NETDEV_TX_BUSY with the queue stopped; then the context (TSO or
// checksum) and the data descriptors.
netdev_tx_t igb_xmit_frame_ring(sk_buff* skb, igb_ring* tx_ring) {
  igb_adapter* a = adapter_of(tx_ring);
  a->tx_stores.drain();  // fault (no wmb): the late descriptor stores land by now
  uint16_t count = TXD_USE_COUNT(skb->headlen());
  for (const skb_frag& frag : skb->frags)
    count = static_cast<uint16_t>(count + TXD_USE_COUNT(frag.len));
  if (igb_maybe_stop_tx(tx_ring, static_cast<uint16_t>(count + 3))) {
    ++tx_ring->tx_busy;  // this is a hard error
    return NETDEV_TX_BUSY;
  }
  if (a->cfg.fault.tx_stores_after_doorbell())  // the descriptors it may write: count + context
    a->tx_stores.begin(IGB_TX_DESC(tx_ring, 0), tx_ring->count, tx_ring->next_to_use, count + 1u);
  // record the location of the first descriptor for this packet
  igb_tx_buffer* first = &tx_ring->tx_buffer_info[tx_ring->next_to_use];
  first->skb = skb;
  first->bytecount = skb->len;
  first->gso_segs = 1;
  first->tx_flags = 0;
  first->protocol = skb->protocol;  // vlan_get_protocol
  uint8_t hdr_len = 0;
  const int tso = igb_tso(tx_ring, first, &hdr_len);
  if (tso < 0) {  // out_drop
    dev_kfree_skb_any(first->skb);
    first->skb = nullptr;
    return NETDEV_TX_OK;
  }
  if (!tso) igb_tx_csum(tx_ring, first);
  igb_tx_map(tx_ring, first, hdr_len);
  return NETDEV_TX_OK;
}

// igb_xmit_frame (ndo_start_xmit): pad to the 17 bytes TCTL.PSP needs, pick the ring by
// skb->queue_mapping (igb_tx_queue_mapping).
netdev_tx_t igb_xmit_frame(sk_buff* skb, net_device* netdev) {
  igb_adapter* a = static_cast<igb_adapter*>(netdev->priv);
  if (skb->len < 17) std::memset(skb->put(17 - skb->len), 0, 17 - skb->len);  // skb_put_padto
  unsigned r_idx = skb->queue_mapping;
  if (r_idx >= static_cast<unsigned>(a->num_tx_queues))
    r_idx %= static_cast<unsigned>(a->num_tx_queues);
  return igb_xmit_frame_ring(skb, a->tx_ring[r_idx].get());
}

namespace {

// igb_clean_tx_irq's hang check (armed by the watchdog every 2 s): the packet at
// next_to_clean still waits, it was queued more than tx_timeout_factor seconds ago, and the
// MAC is not paused (STATUS.TXOFF; the model has no STATUS register: taken as clear). igb
// logs "Detected Tx Unit Hang" with the ring's state and stops the queue; the reset comes from
// dev_watchdog's igb_tx_timeout. True when it fired.
bool igb_check_tx_hang(igb_ring* tx_ring, uint16_t ntc) {
  igb_adapter* a = adapter_of(tx_ring);
  if (!(tx_ring->flags & IGB_RING_FLAG_TX_DETECT_HANG)) return false;
  tx_ring->flags &= ~IGB_RING_FLAG_TX_DETECT_HANG;
  const igb_tx_buffer* tx_buffer = &tx_ring->tx_buffer_info[ntc];
  kernel& k = a->hw->k();
  const uint64_t jiffies = k.jiffies();
  const uint64_t limit =
      tx_buffer->time_stamp + a->tx_timeout_factor * static_cast<uint64_t>(k.params.hz);
  if (tx_buffer->next_to_watch < 0 || jiffies <= limit) return false;
  igb_rx_observer::tx_hang_report r{};
  r.queue = tx_ring->queue_index;
  r.tdh = a->hw->readl(E1000_TDH(tx_ring->reg_idx));
  r.tdt = a->hw->readl(tx_ring->tail);
  r.next_to_use = tx_ring->next_to_use;
  r.next_to_clean = tx_ring->next_to_clean;
  r.time_stamp = tx_buffer->time_stamp;
  r.jiffies = jiffies;
  r.desc_status = IGB_TX_DESC(tx_ring, static_cast<unsigned>(tx_buffer->next_to_watch))->wb.status;
  ++a->stats.tx_hang_detected;
  a->observer->tx_unit_hang(tx_ring, r);
  netif_stop_subqueue(tx_ring->netdev, tx_ring->queue_index);
  return true;
}

}  // namespace

// igb_clean_tx_irq: from next_to_clean, each packet whose EOP descriptor (next_to_watch) has
// DD: free the skb (napi_consume_skb), unmap its buffers; at most tx.work_limit packets.
// Then BQL completion, the ring's counters, the hang check and the wake-up of a stopped queue
// with TX_WAKE_THRESHOLD free descriptors. Returns false when the work limit stopped it.
bool igb_clean_tx_irq(igb_q_vector* q_vector, int napi_budget) {
  igb_adapter* a = q_vector->adapter;
  igb_ring* tx_ring = q_vector->tx_ring;
  hal& hw = *a->hw;
  kernel& k = hw.k();
  unsigned total_bytes = 0, total_packets = 0;
  unsigned budget = q_vector->tx.work_limit;
  uint16_t i = tx_ring->next_to_clean;
  if (a->down) return true;
  a->tx_stores.drain();  // fault (no wmb): the late descriptor stores land by now
  do {
    igb_tx_buffer* tx_buffer = &tx_ring->tx_buffer_info[i];
    const int eop = tx_buffer->next_to_watch;
    if (eop < 0) break;  // if next_to_watch is not set then there is no work pending
    hw.coherent_sync();  // the load below sees the device's write-backs visible by now
    hw.dma_rmb();        // smp_rmb: prevent any other reads prior to eop_desc
    // if DD is not set pending work has not been completed (fault: freed all the same)
    const e1000_adv_tx_desc* eop_desc = IGB_TX_DESC(tx_ring, static_cast<unsigned>(eop));
    if (!(eop_desc->wb.status & E1000_TXD_STAT_DD) && !a->cfg.fault.tx_ignores_dd()) break;
    tx_buffer->next_to_watch = -1;  // clear next_to_watch to prevent false hangs
    total_bytes += tx_buffer->bytecount;
    total_packets += tx_buffer->gso_segs;
    a->observer->tx_completed(tx_ring, tx_buffer->skb);
    k.txjr.record(tx_buffer->skb->frame_id, tx_step::clean, k.this_cpu().now());
    k.txjr.finish(tx_buffer->skb->frame_id, "sent");
    napi_consume_skb(tx_buffer->skb, napi_budget);
    tx_buffer->skb = nullptr;
    hw.dma_unmap_single(tx_buffer->dma, tx_buffer->len);  // unmap skb header data
    tx_buffer->len = 0;
    while (i != eop) {  // unmap remaining buffers
      if (++i == tx_ring->count) i = 0;
      tx_buffer = &tx_ring->tx_buffer_info[i];
      if (tx_buffer->len) hw.dma_unmap_single(tx_buffer->dma, tx_buffer->len);
      tx_buffer->len = 0;
    }
    if (++i == tx_ring->count) i = 0;  // one more past the eop_desc for the next packet
    k.this_cpu().spend(k.cost.desc_ns);
  } while (--budget);
  netdev_tx_completed_queue(txring_txq(tx_ring), total_packets, total_bytes);
  tx_ring->next_to_clean = i;
  igb_tx_probe(k, tx_ring);
  tx_ring->bytes += total_bytes;
  tx_ring->packets += total_packets;
  q_vector->tx.total_bytes += total_bytes;
  q_vector->tx.total_packets += total_packets;
  if (igb_check_tx_hang(tx_ring, i)) return true;  // we are about to reset
  const bool carrier_ok = !(tx_ring->netdev->state & (1ul << __LINK_STATE_NOCARRIER));
  if (total_packets && carrier_ok && igb_desc_unused(tx_ring) >= TX_WAKE_THRESHOLD) {
    // smp_mb(): anybody stopping the queue after this sees the new next_to_clean
    if (__netif_subqueue_stopped(tx_ring->netdev, tx_ring->queue_index) && !a->down &&
        !a->cfg.fault.tx_wake_lost()) {
      netif_wake_subqueue(tx_ring->netdev, tx_ring->queue_index);
      ++tx_ring->restart_queue;
      a->observer->tx_queue_woken(tx_ring);
    }
  }
  a->observer->tx_cleaned(tx_ring, total_packets, budget != 0);
  return budget != 0;
}

void igb_watchdog_tx(igb_adapter* a) {
  if (a->down) return;
  for (auto& ring : a->tx_ring) ring->flags |= IGB_RING_FLAG_TX_DETECT_HANG;
  if (a->cfg.irq_mode != igb_irq_mode::msix) return;  // igb writes ICS RXDMT0 then: not modelled
  uint32_t eics = 0;
  for (auto& q : a->q_vector) eics |= q->eims_value;
  a->hw->writel(eics, E1000_EICS);
}

void igb_tx_timeout(net_device* netdev, unsigned) {
  igb_adapter* a = static_cast<igb_adapter*>(netdev->priv);
  ++a->stats.tx_timeout_count;
  if (a->cfg.irq_mode == igb_irq_mode::msix)
    a->hw->writel(a->eims_enable_mask & ~a->eims_other, E1000_EICS);
}

// igb_get_ethtool_stats' transmit rows (igb_ethtool.c): tx_packets / tx_bytes are the
// hardware's GPTC / GOTC (igb_update_stats must have read them), tx_timeout_count, and per
// queue tx_queue_N_packets, _bytes and _restart (restart_queue + restart_queue2). Then the
// model's own: tx_busy (NETDEV_TX_BUSY returns, ixgbe's name), tx_restart_queue (every
// ring's restarts, e1000e's name) and tx_hang_detected ("Detected Tx Unit Hang" reports).
std::vector<std::pair<std::string, uint64_t>> igb_get_ethtool_tx_stats(igb_adapter* a) {
  std::vector<std::pair<std::string, uint64_t>> s = {
      {"tx_packets", a->stats.gptc},
      {"tx_bytes", a->stats.gotc},
      {"tx_timeout_count", a->stats.tx_timeout_count},
  };
  uint64_t busy = 0, restarts = 0;
  for (auto& ring : a->tx_ring) {
    const std::string q = "tx_queue_" + std::to_string(ring->queue_index);
    s.emplace_back(q + "_packets", ring->packets);
    s.emplace_back(q + "_bytes", ring->bytes);
    s.emplace_back(q + "_restart", ring->restart_queue + ring->restart_queue2);
    busy += ring->tx_busy;
    restarts += ring->restart_queue + ring->restart_queue2;
  }
  s.emplace_back("tx_busy", busy);
  s.emplace_back("tx_restart_queue", restarts);
  s.emplace_back("tx_hang_detected", a->stats.tx_hang_detected);
  return s;
}

}  // namespace igbsim
