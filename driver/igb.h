// SPDX-License-Identifier: Apache-2.0
// The igb driver model (drivers/net/ethernet/intel/igb): structures and constants keep the
// kernel's names so the model reads beside igb.h and igb_main.c. Up to 8 receive queues, each
// on its own MSI-X vector (vector 0 is "other", queue n on vector n + 1), spread by RSS; no TX
// ring, no XDP, no VLAN/timestamp handling.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "dev.h"
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

struct igb_rx_buffer {
  uint64_t dma = 0;
  page* pg = nullptr;
  uint32_t page_offset = 0;
  uint16_t pagecnt_bias = 0;
};

struct igb_q_vector;

struct igb_ring {
  igb_q_vector* q_vector = nullptr;
  uint64_t dma = 0;  // descriptor ring bus address
  e1000_adv_rx_desc* desc = nullptr;
  uint16_t count = IGB_DEFAULT_RXD;
  bool large_buffer = false;  // ring_uses_large_buffer: 3 KB buffers in order-1 pages
  uint16_t next_to_clean = 0, next_to_use = 0, next_to_alloc = 0;
  uint32_t tail = 0;  // RDT register
  uint8_t reg_idx = 0;
  std::vector<igb_rx_buffer> rx_buffer_info;
  sk_buff* skb = nullptr;  // a frame whose later buffers are still to come
  // rx_stats and ring totals (ethtool)
  uint64_t packets = 0, bytes = 0, alloc_failed = 0, csum_err = 0, frame_errors = 0;
};

struct igb_ring_container {
  uint64_t total_bytes = 0, total_packets = 0;
  uint8_t itr = lowest_latency;
};

struct igb_adapter;

struct igb_q_vector {
  igb_adapter* adapter = nullptr;
  napi_struct napi;
  igb_ring* rx_ring = nullptr;
  igb_ring_container rx;
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
  std::vector<uint64_t> rqdpc;  // per queue (ethtool rx_queue_N_drops)
};

struct igb_adapter {
  hal* hw = nullptr;
  igb_config cfg;
  // Rings and vectors live at stable addresses (the kernel allocates them one by one).
  std::vector<std::unique_ptr<igb_ring>> rx_ring;
  std::vector<std::unique_ptr<igb_q_vector>> q_vector;
  uint8_t rss_indir_tbl[IGB_RETA_SIZE] = {};
  uint8_t dev_addr[6] = {};     // netdev->dev_addr: the address the part's NVM holds
  uint32_t max_frame_size = 0;  // MTU + Ethernet header, FCS and one VLAN tag
  uint32_t eims_enable_mask = 0, eims_other = 0;
  int num_rx_queues = 1, num_q_vectors = 1;
  bool down = true;
  uint64_t completions = 0;  // polls that completed and re-enabled their vector
  uint64_t refills = 0;      // igb_alloc_rx_buffers calls that moved next_to_use
  igb_stats stats;
  // Journey, probes and checks (igb_hooks.h); igb_open installs igb_trace_observer if unset
  std::unique_ptr<igb_rx_observer> observer;
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
