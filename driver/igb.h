// SPDX-License-Identifier: Apache-2.0
// The igb driver model (drivers/net/ethernet/intel/igb): structures and constants keep the
// kernel's names so the model reads beside igb.h and igb_main.c. Up to 8 receive queues, each
// on its own MSI-X vector (vector 0 is "other", queue n on vector n + 1), spread by RSS; as
// many transmit rings (igb_config::tx_rings), each sharing its RX ring's vector
// (IGB_FLAG_QUEUE_PAIRS) or on a vector of its own. No XDP, no VLAN/timestamp handling.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "dev.h"
#include "netdevice.h"
#include "e1000_regs.h"
#include "hal.h"
#include "igb_hooks.h"
#include "igb_part.h"

namespace igbsim {

constexpr int IGB_DEFAULT_RXD = 256;
constexpr int IGB_MAX_RX_QUEUES = 8;  // 82576 / I350
constexpr int IGB_RETA_SIZE = 128;
constexpr int IGB_RX_BUFFER_WRITE = 16;  // refill batch: one RDT write per 16 buffers
constexpr uint32_t IGB_RXBUFFER_2048 = 2048;
constexpr uint32_t IGB_RXBUFFER_3072 = 3072;
constexpr uint32_t IGB_RXBUFFER_1536 = 1536;
constexpr uint32_t IGB_MAX_FRAME_BUILD_SKB = IGB_RXBUFFER_1536;  // - NET_IP_ALIGN (0 on x86)
constexpr uint32_t IGB_SKB_PAD = 64;      // NET_SKB_PAD + NET_IP_ALIGN (x86: 64 + 0)
constexpr uint32_t IGB_RX_HDR_LEN = 256;  // header copy size of igb_construct_skb
constexpr uint32_t SKB_SHARED_INFO_SIZE = SKB_DATA_ALIGN(SKB_SHARED_INFO_BYTES);  // skbuff.h
constexpr uint32_t IGB_RX_PTHRESH = 8, IGB_RX_HTHRESH = 8;  // IGB_RX_WTHRESH: igb_plan (1 or 4)
constexpr uint16_t USHRT_MAX_ = 0xFFFF;
// ITR values (igb.h): interval in 0.25 us units as written to EITR bits 14:2 after << 2.
constexpr uint32_t IGB_START_ITR = 648, IGB_4K_ITR = 980, IGB_20K_ITR = 196, IGB_70K_ITR = 56;
enum latency_range { lowest_latency = 0, low_latency = 1, bulk_latency = 2 };

// Transmit (igb.h, igb_main.c)
constexpr int IGB_DEFAULT_TXD = 256;
constexpr int IGB_MAX_TX_QUEUES = 8;           // 82576 / I350 (alloc_etherdev_mq's count)
constexpr unsigned IGB_DEFAULT_TX_WORK = 128;  // q_vector->tx.work_limit: packets per clean
constexpr uint32_t IGB_MAX_TXD_PWR = 15;
constexpr uint32_t IGB_MAX_DATA_PER_TXD = 1u << IGB_MAX_TXD_PWR;  // 32 KB per data descriptor
// TXD_USE_COUNT: data descriptors a buffer of S bytes takes
constexpr uint16_t TXD_USE_COUNT(uint32_t S) {
  return static_cast<uint16_t>((S + IGB_MAX_DATA_PER_TXD - 1) >> IGB_MAX_TXD_PWR);
}
constexpr uint16_t MAX_SKB_FRAGS = 17;  // 4 KiB pages
// DESC_NEEDED: the worst case of one skb: a descriptor per fragment and the head, a context
// descriptor and a gap of 2 so the tail never touches the head
constexpr uint16_t DESC_NEEDED = MAX_SKB_FRAGS + 4;
constexpr uint16_t TX_WAKE_THRESHOLD = DESC_NEEDED * 2;
constexpr uint32_t IGB_TX_PTHRESH = 8, IGB_TX_HTHRESH = 1;  // i354 (not modelled): PTHRESH 20
// igb_tx_flags
enum : uint32_t {
  IGB_TX_FLAGS_VLAN = 0x01,
  IGB_TX_FLAGS_TSO = 0x02,
  IGB_TX_FLAGS_TSTAMP = 0x04,
  IGB_TX_FLAGS_IPV4 = 0x10,
  IGB_TX_FLAGS_CSUM = 0x20,
};
// IGB_TXD_DCMD: the last data descriptor of a packet ends it and asks for its status (DD)
constexpr uint32_t IGB_TXD_DCMD = E1000_ADVTXD_DCMD_EOP | E1000_ADVTXD_DCMD_RS;

// struct igb_tx_buffer: what the driver keeps per TX descriptor. The first buffer of a
// packet holds the skb and next_to_watch (its EOP descriptor's index here, -1 for NULL);
// every buffer that maps memory holds its mapping (dma, len).
struct igb_tx_buffer {
  int next_to_watch = -1;
  uint64_t time_stamp = 0;  // jiffies when the packet was queued
  sk_buff* skb = nullptr;
  unsigned bytecount = 0;  // bytes on the wire (with the replicated TSO headers), no FCS
  uint16_t gso_segs = 0;
  uint16_t protocol = 0;
  uint64_t dma = 0;  // dma_unmap_addr
  uint32_t len = 0;  // dma_unmap_len; 0: nothing mapped here
  uint32_t tx_flags = 0;
};

struct igb_rx_buffer {
  uint64_t dma = 0;
  page* pg = nullptr;
  uint32_t page_offset = 0;
  uint16_t pagecnt_bias = 0;
};

struct igb_q_vector;

// IGB_RING_FLAG_TX_DETECT_HANG (igb.h enum e1000_ring_flags_t), a bit in igb_ring::flags
constexpr unsigned long IGB_RING_FLAG_TX_DETECT_HANG = 1ul << 0;

struct igb_ring {
  igb_q_vector* q_vector = nullptr;
  uint64_t dma = 0;                   // descriptor ring bus address
  e1000_adv_rx_desc* desc = nullptr;  // a TX ring's: IGB_TX_DESC
  uint16_t count = IGB_DEFAULT_RXD;
  bool large_buffer = false;  // ring_uses_large_buffer: 3 KB buffers in order-1 pages
  uint16_t next_to_clean = 0, next_to_use = 0, next_to_alloc = 0;
  uint32_t tail = 0;  // RDT register
  uint8_t reg_idx = 0;
  std::vector<igb_rx_buffer> rx_buffer_info;
  sk_buff* skb = nullptr;  // a frame whose later buffers are still to come
  // rx_stats and ring totals (ethtool)
  uint64_t packets = 0, bytes = 0, alloc_failed = 0, csum_err = 0, frame_errors = 0;
  // Transmit rings: the device and its queue, the buffers, tx_stats, flags
  net_device* netdev = nullptr;
  uint16_t queue_index = 0;
  std::vector<igb_tx_buffer> tx_buffer_info;
  uint64_t restart_queue = 0, restart_queue2 = 0, tx_busy = 0;  // tx_busy: the model's
  unsigned long flags = 0;
};

// IGB_TX_DESC / IGB_TX_CTXTDESC: descriptor i of a transmit ring
inline e1000_adv_tx_desc* IGB_TX_DESC(igb_ring* r, unsigned i) {
  return reinterpret_cast<e1000_adv_tx_desc*>(r->desc) + i;
}
inline e1000_adv_tx_context_desc* IGB_TX_CTXTDESC(igb_ring* r, unsigned i) {
  return reinterpret_cast<e1000_adv_tx_context_desc*>(r->desc) + i;
}
// txring_txq: the device queue a transmit ring serves
inline netdev_queue* txring_txq(const igb_ring* r) {
  return netdev_get_tx_queue(r->netdev, r->queue_index);
}

struct igb_ring_container {
  uint64_t total_bytes = 0, total_packets = 0;
  uint8_t itr = lowest_latency;
  unsigned work_limit = 0;  // tx: packets igb_clean_tx_irq cleans at most per call
};

struct igb_adapter;

struct igb_q_vector {
  igb_adapter* adapter = nullptr;
  napi_struct napi;
  igb_ring* rx_ring = nullptr;  // q_vector->rx.ring
  igb_ring* tx_ring = nullptr;  // q_vector->tx.ring
  igb_ring_container rx, tx;
  unsigned vector = 0;
  uint32_t eims_value = 0;
  uint32_t itr_register = 0;
  uint32_t itr_val = 0;
  bool set_itr = false;
};

struct igb_config {
  igb_irq_mode irq_mode = igb_irq_mode::msix;  // = plan.irq_mode
  bool napi = true;  // false: the "no NAPI" receive of drivers before NAPI
  // Completion test: current igb reads a non-zero wb.upper.length (refill zeroes the next
  // slot's length); older igb (3.x, out-of-tree) zeroed read.hdr_addr on refill and tested DD.
  bool completion_dd = false;
  // igb_construct_skb (the legacy-rx private flag) instead of igb_build_skb: copy the headers
  // (all of a frame of at most IGB_RX_HDR_LEN) into a fresh skb, the rest as a page fragment.
  bool construct_skb = false;
  igb_fault_hooks fault;  // planted bugs, for testing the checkers (fault.*)
  // The part, and the queues, vectors, DROP_EN, WTHRESH and packet buffer igb decided for it
  // (igb_part.h: igb_plan_configuration; irq_mode is the plan's)
  const igb_part* part = nullptr;
  igb_plan plan;
  uint16_t rx_ring = IGB_DEFAULT_RXD;
  // Transmit rings (one per RX queue): igb_open sets up the net_device, the TX rings, their
  // q_vectors and registers (igb_setup_tctl, igb_configure_tx). Off: the receive-only model
  // igb_open was before, whose bring-up has none of those register accesses (TX-only vectors
  // then get their IVAR entries and EIMS bits but no q_vector).
  bool tx_rings = false;
  uint16_t tx_ring = IGB_DEFAULT_TXD;
  uint32_t tx_itr_setting = 3;  // as rx_itr_setting, for TX-only q_vectors
  unsigned tx_work_limit = IGB_DEFAULT_TX_WORK;
  int napi_weight = NAPI_POLL_WEIGHT;
  // rx_itr_setting as igb keeps it: 0 off, 1 dynamic, 3 dynamic conservative, else us << 2
  uint32_t rx_itr_setting = 3;
  uint32_t pthresh = IGB_RX_PTHRESH, hthresh = IGB_RX_HTHRESH;
  uint32_t mtu = 1500;
  bool promisc = false;  // IFF_PROMISC (ip link set promisc on): RCTL.UPE | MPE
};

struct igb_stats {  // driver counters for report.json, and the hardware counters it reads
  uint64_t irqs = 0, irqs_none = 0, rdt_writes = 0, eims_writes = 0, ims_writes = 0,
           eitr_writes = 0;
  uint64_t gprc = 0, gorc = 0, mpc = 0, rnbc = 0, ruc = 0, roc = 0;
  std::vector<uint64_t> rqdpc;           // per queue (ethtool rx_queue_N_drops)
  uint64_t gptc = 0, gotc = 0, tpt = 0;  // transmit (GPTC, GOTCL/H, TPT)
  // 802.3x flow control frames (ethtool rx/tx_flow_control_xon/xoff)
  uint64_t xonrxc = 0, xontxc = 0, xoffrxc = 0, xofftxc = 0;
  uint64_t tdt_writes = 0;
  uint64_t tx_timeout_count = 0;  // igb_tx_timeout (ethtool tx_timeout_count)
  uint64_t tx_hang_detected = 0;  // the model's: "Detected Tx Unit Hang" reports
};

struct igb_adapter {
  hal* hw = nullptr;
  igb_config cfg;
  // Rings and vectors live at stable addresses (the kernel allocates them one by one).
  std::vector<std::unique_ptr<igb_ring>> rx_ring;
  std::vector<std::unique_ptr<igb_ring>> tx_ring;
  std::vector<std::unique_ptr<igb_q_vector>> q_vector;
  // The net_device igb_probe registers (alloc_etherdev_mq); with cfg.tx_rings only
  std::unique_ptr<net_device> netdev_storage;
  net_device* netdev = nullptr;
  uint8_t rss_indir_tbl[IGB_RETA_SIZE] = {};
  uint8_t dev_addr[6] = {};     // netdev->dev_addr: the address the part's NVM holds
  uint32_t max_frame_size = 0;  // MTU + Ethernet header, FCS and one VLAN tag
  uint32_t eims_enable_mask = 0, eims_other = 0;
  int num_rx_queues = 1, num_tx_queues = 0, num_q_vectors = 1;
  unsigned tx_timeout_factor = 1;  // 1 at 1000 and 100 Mb/s, 14 at 10 Mb/s
  bool down = true;
  uint64_t completions = 0;  // polls that completed and re-enabled their vector
  uint64_t refills = 0;      // igb_alloc_rx_buffers calls that moved next_to_use
  igb_stats stats;
  // Journey, probes and checks (igb_hooks.h); igb_open installs igb_trace_observer if unset
  std::unique_ptr<igb_rx_observer> observer;
  igb_tx_store_buffer tx_stores;  // fault.tx_tdt_before_desc only
};

// Entry points
void igb_open(igb_adapter* adapter, hal* hw, const igb_config& cfg);
void igb_update_stats(igb_adapter* adapter);  // reads the read-to-clear statistics
int igb_poll(napi_struct* napi, int budget);
int igb_clean_rx_irq(igb_q_vector* q_vector, int budget);
void igb_msix_ring_legacy(igb_q_vector* q_vector);
void igb_alloc_rx_buffers(igb_ring* rx_ring, uint16_t cleaned_count);
void igb_msix_ring(igb_q_vector* q_vector);
bool igb_intr(igb_adapter* adapter);  // INTx: false is IRQ_NONE (not this device's)
void igb_intr_msi(igb_adapter* adapter);
void igb_ring_irq_enable(igb_q_vector* q_vector);
// The transmit half (igb_tx.cpp). Bring-up: the net_device and TX rings with their
// q_vectors (igb_open calls it after the RX q_vectors exist), then TCTL and the rings.
void igb_alloc_tx_rings(igb_adapter* adapter);
void igb_setup_tctl(igb_adapter* adapter);
void igb_configure_tx(igb_adapter* adapter);
void igb_configure_tx_ring(igb_adapter* adapter, igb_ring* ring);
netdev_tx_t igb_xmit_frame(sk_buff* skb, net_device* netdev);
netdev_tx_t igb_xmit_frame_ring(sk_buff* skb, igb_ring* tx_ring);
bool igb_clean_tx_irq(igb_q_vector* q_vector, int napi_budget);
// igb_watchdog_task's transmit part: arm the hang check of every ring, and (MSI-X) raise every
// queue vector through EICS so each ring is cleaned - and checked - soon
void igb_watchdog_tx(igb_adapter* adapter);
// igb_tx_timeout (ndo_tx_timeout, which dev_watchdog calls when a stopped queue's trans_start
// is older than watchdog_timeo): count it and raise the queue vectors (EICS). The reset task
// it schedules is left out.
void igb_tx_timeout(net_device* netdev, unsigned txqueue);
// ethtool -S names and values of the transmit counters: igb's own (tx_queue_N_packets, ...),
// then the model's extras (tx_busy, tx_restart_queue, tx_hang_detected)
std::vector<std::pair<std::string, uint64_t>> igb_get_ethtool_tx_stats(igb_adapter* adapter);
// The receive path's per-frame helpers (also driven directly by the receive-path fuzzer)
void igb_rx_checksum(igb_ring* ring, uint32_t staterr, sk_buff* skb);
uint32_t eth_get_headlen(const uint8_t* d, uint32_t size, uint32_t max);
void eth_type_trans(sk_buff* skb, const uint8_t dev_addr[6]);

// igb_rx_pg_order / igb_rx_pg_size: 3 KB buffers take order-1 pages, 2 KB ones single pages
inline unsigned igb_rx_pg_order(const igb_ring* ring) { return ring->large_buffer ? 1 : 0; }
inline uint32_t igb_rx_pg_size(const igb_ring* ring) { return 4096u << igb_rx_pg_order(ring); }

// igb_desc_unused: descriptors software may refill; one slot always stays empty.
inline uint16_t igb_desc_unused(const igb_ring* ring) {
  if (ring->next_to_clean > ring->next_to_use)
    return static_cast<uint16_t>(ring->next_to_clean - ring->next_to_use - 1);
  return static_cast<uint16_t>(ring->count + ring->next_to_clean - ring->next_to_use - 1);
}

}  // namespace igbsim
