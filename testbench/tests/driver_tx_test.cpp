// SPDX-License-Identifier: Apache-2.0
// The igb transmit path (driver/igb_tx.cpp) against a test double of the NIC's transmit
// engine: no RTL. The double decodes the driver's register writes; on a TDT write it walks the
// ring from its head as the datasheet describes (context descriptors load the offload context,
// data descriptors are gathered until EOP from host memory - the memory the HAL maps), applies
// checksum insertion and TSO, writes DD into the RS descriptors and raises the cause of the
// queue's vector from its IVAR entry. The tests check what a user of the driver would notice:
// the descriptors igb writes, the frames on the wire byte for byte, every skb freed once, BQL,
// the stop/wake accounting, the doorbell batching, igb_poll's order and its hang check; and
// that each planted transmit fault shows.
#include <gtest/gtest.h>

#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "host_mem.h"
#include "igb.h"
#include "kernel.h"
#include "net.h"

using namespace igbsim;
using namespace sc_core;

namespace {

void run_in_thread(std::function<void()> fn) {
  sc_spawn(fn, "test_body");
  sc_start();
}

uint16_t be16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
void put16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
uint32_t be32(const uint8_t* p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3];
}
void put32(uint8_t* p, uint32_t v) {
  put16(p, static_cast<uint16_t>(v >> 16));
  put16(p + 2, static_cast<uint16_t>(v));
}
// one's complement sum of the IPv4 pseudo header (addresses, protocol, L4 length)
uint32_t pseudo_sum(const uint8_t* ip, uint8_t proto, uint32_t l4_len) {
  return csum_partial(ip + 12, 8, 0) + proto + l4_len;
}
uint16_t complement(uint32_t sum) { return static_cast<uint16_t>(~csum_fold(sum)); }

// ---- the NIC's transmit engine (test double) ------------------------------------------------

struct tx_desc_seen {  // a data descriptor as the engine read it
  uint32_t cmd_type_len, olinfo_status;
};
struct tx_packet_seen {  // one packet's descriptors: the context in force, its data descriptors
  bool has_ctx = false;
  e1000_adv_tx_context_desc ctx{};
  std::vector<tx_desc_seen> data;
};

class tx_double : public sc_module {
 public:
  tlm_utils::simple_target_socket<tx_double> tgt;
  // host memory's DMA port, bound as the NIC's is; the double reaches the memory directly
  tlm_utils::simple_initiator_socket<tx_double> dma_init_socket;
  std::map<uint32_t, uint32_t> regs;
  std::vector<std::vector<uint8_t>> wire;  // frames as the MAC sends them (no FCS)
  std::vector<tx_packet_seen> packets;
  std::vector<std::string> errors;  // what a datasheet-following engine could not do
  std::vector<unsigned> causes;     // vector raised per ring walk (EICR bit)
  unsigned tdt_writes = 0;
  bool completing = true;                   // false: DD is held back (a stuck engine)
  std::vector<e1000_adv_tx_desc*> held_dd;  // RS descriptors done but not written back

  tx_double(sc_module_name n, dma_memory& mem)
      : sc_module(n), tgt("tgt"), dma_init_socket("dma_init_socket"), mem_(mem) {
    tgt.register_b_transport(this, &tx_double::b_transport);
    regs[E1000_RAL(0)] = 0x33221100;  // the NVM's station address 00:11:22:33:44:55
    regs[E1000_RAH(0)] = 0x5544 | E1000_RAH_AV;
  }
  void write_back_held() {
    for (e1000_adv_tx_desc* d : held_dd) d->wb.status |= E1000_TXD_STAT_DD;
    held_dd.clear();
  }
  // The vector queue q's transmit cause goes to, from its IVAR entry (both layouts)
  int tx_vector(unsigned q, bool ivar_82576) const {
    const uint32_t index = ivar_82576 ? (q & 7) : q >> 1;
    const uint32_t shift = (ivar_82576 ? (q & 8) << 1 : (q & 1) << 4) + 8;
    const uint32_t byte = reg(E1000_IVAR0 + 4 * index) >> shift & 0xFF;
    return byte & E1000_IVAR_VALID ? static_cast<int>(byte & 0x1F) : -1;
  }
  uint32_t reg(uint32_t r) const {
    auto it = regs.find(r);
    return it == regs.end() ? 0 : it->second;
  }

 private:
  dma_memory& mem_;
  struct queue {
    uint16_t tdh = 0;
    bool in_packet = false;
    tx_packet_seen cur;
    std::vector<uint8_t> data;
    e1000_adv_tx_context_desc ctx{};
    bool ctx_valid = false;
  };
  queue q_[IGB_MAX_TX_QUEUES];

  void b_transport(tlm::tlm_generic_payload& gp, sc_time&) {
    const uint32_t r = static_cast<uint32_t>(gp.get_address());
    uint32_t* v = reinterpret_cast<uint32_t*>(gp.get_data_ptr());
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
    if (gp.is_read()) {
      *v = reg(r);
      if (r == E1000_EICR) regs[r] = 0;  // read to clear
      return;
    }
    regs[r] = *v;
    for (unsigned n = 0; n < IGB_MAX_TX_QUEUES; ++n) {
      if (r == E1000_TDT(n)) tdt(n, *v);
      if (r == E1000_TDH(n)) q_[n].tdh = static_cast<uint16_t>(*v);
    }
  }

  void tdt(unsigned n, uint32_t tail) {
    ++tdt_writes;
    queue& q = q_[n];
    const uint32_t count = reg(E1000_TDLEN(n)) / 16;
    if (tail >= count) {
      errors.push_back("TDT " + std::to_string(tail) + " beyond a ring of " +
                       std::to_string(count));
      return;
    }
    if (!(reg(E1000_TCTL) & E1000_TCTL_EN) || !(reg(E1000_TXDCTL(n)) & E1000_TXDCTL_QUEUE_ENABLE)) {
      --tdt_writes;  // ring set-up (TDT = 0 before the enable): nothing to send
      if (tail != q.tdh) errors.push_back("TDT moved with the queue or the transmitter off");
      return;
    }
    const uint64_t base = reg(E1000_TDBAL(n)) | uint64_t(reg(E1000_TDBAH(n))) << 32;
    written_back_ = false;
    while (q.tdh != tail) {
      auto* d = reinterpret_cast<e1000_adv_tx_desc*>(mem_.ptr(base + 16ull * q.tdh));
      if (!step(q, d)) break;
      q.tdh = static_cast<uint16_t>((q.tdh + 1) % count);
    }
    regs[E1000_TDH(n)] = q.tdh;
    if (!written_back_) return;
    const int vec = tx_vector(n, ivar_82576);  // the write-back's cause, on the IVAR's vector
    causes.push_back(static_cast<unsigned>(vec));
    if (vec >= 0) regs[E1000_EICR] |= 1u << vec;
  }
  bool written_back_ = false;

  // One descriptor at the head; false when it is not a descriptor at all (stale memory)
  bool step(queue& q, e1000_adv_tx_desc* d) {
    const uint32_t cmd = d->read.cmd_type_len;
    const uint32_t dtyp = cmd & 0x00F00000;
    if (!(cmd & E1000_ADVTXD_DCMD_DEXT) ||
        (dtyp != E1000_ADVTXD_DTYP_CTXT && dtyp != E1000_ADVTXD_DTYP_DATA)) {
      errors.push_back("no valid descriptor at the head (" + std::to_string(q.tdh) + ")");
      return false;
    }
    if (dtyp == E1000_ADVTXD_DTYP_CTXT) {
      std::memcpy(&q.ctx, d, sizeof q.ctx);
      q.ctx_valid = true;
      return true;
    }
    if (!q.in_packet) {
      q.cur = tx_packet_seen{};
      q.cur.has_ctx = q.ctx_valid;
      q.cur.ctx = q.ctx;
      q.ctx_valid = false;
      q.data.clear();
      q.in_packet = true;
    }
    q.cur.data.push_back({cmd, d->read.olinfo_status});
    const uint32_t len = cmd & 0xFFFF;
    const uint8_t* p = mem_.ptr(d->read.buffer_addr);
    q.data.insert(q.data.end(), p, p + len);
    if (cmd & E1000_ADVTXD_DCMD_RS) {
      if (completing) d->wb.status |= E1000_TXD_STAT_DD;
      else held_dd.push_back(d);
      written_back_ = written_back_ || completing;
    }
    if (cmd & E1000_ADVTXD_DCMD_EOP) {
      q.in_packet = false;
      packets.push_back(q.cur);
      emit(q.cur, q.data);
    }
    return true;
  }

  // The offloads (DS-I210 7.2.4/7.2.5): TXSM sums from MACLEN + IPLEN to the end, over the
  // seed software left in the field; IXSM sums the IP header; TSE cuts the payload into MSS
  // segments with replicated headers, IPv4 length and ID, TCP sequence and flags per segment.
  void emit(const tx_packet_seen& p, const std::vector<uint8_t>& data) {
    const uint32_t cmd = p.data.front().cmd_type_len, olinfo = p.data.front().olinfo_status;
    const uint32_t maclen = p.ctx.vlan_macip_lens >> E1000_ADVTXD_MACLEN_SHIFT & 0x7F;
    const uint32_t iplen = p.ctx.vlan_macip_lens & 0x1FF;
    const bool tcp = p.ctx.type_tucmd_mlhl & E1000_ADVTXD_TUCMD_L4T_TCP;
    const bool txsm = olinfo & E1000_ADVTXD_POPTS_TXSM, ixsm = olinfo & E1000_ADVTXD_POPTS_IXSM;
    if (!(cmd & E1000_ADVTXD_DCMD_TSE)) {
      std::vector<uint8_t> f = data;
      if ((olinfo >> E1000_ADVTXD_PAYLEN_SHIFT) != f.size()) errors.push_back("PAYLEN != length");
      if (txsm) l4_csum(f, maclen, iplen, tcp, 0);
      if (ixsm) ip_csum(f, maclen, iplen);
      wire.push_back(f);
      return;
    }
    const uint32_t l4len = p.ctx.mss_l4len_idx >> E1000_ADVTXD_L4LEN_SHIFT & 0xFF;
    const uint32_t mss = p.ctx.mss_l4len_idx >> E1000_ADVTXD_MSS_SHIFT;
    const uint32_t hdr = maclen + iplen + l4len;
    const uint32_t paylen = olinfo >> E1000_ADVTXD_PAYLEN_SHIFT;
    if (data.size() != hdr + paylen) errors.push_back("TSO: PAYLEN != payload");
    const uint16_t id0 = be16(&data[maclen + 4]);
    const uint32_t seq0 = tcp ? be32(&data[maclen + iplen + 4]) : 0;
    for (uint32_t off = 0, k = 0; off < paylen; off += mss, ++k) {
      const uint32_t seg = std::min(mss, paylen - off);
      std::vector<uint8_t> f(data.begin(), data.begin() + hdr);
      f.insert(f.end(), data.begin() + hdr + off, data.begin() + hdr + off + seg);
      uint8_t* ip = &f[maclen];
      put16(ip + 2, static_cast<uint16_t>(iplen + l4len + seg));
      put16(ip + 4, static_cast<uint16_t>(id0 + k));
      uint8_t* l4 = ip + iplen;
      if (tcp) {
        put32(l4 + 4, seq0 + off);
        if (off + seg < paylen) l4[13] &= static_cast<uint8_t>(~0x09);  // FIN, PSH: last only
      } else {
        put16(l4 + 4, static_cast<uint16_t>(l4len + seg));
      }
      if (txsm) l4_csum(f, maclen, iplen, tcp, l4len + seg);
      if (ixsm) ip_csum(f, maclen, iplen);
      wire.push_back(f);
    }
  }
  static void l4_csum(std::vector<uint8_t>& f, uint32_t maclen, uint32_t iplen, bool tcp,
                      uint32_t add_len) {
    const uint32_t start = maclen + iplen;
    uint8_t* field = &f[start + (tcp ? 16 : 6)];
    uint16_t c = complement(csum_partial(&f[start], f.size() - start, add_len));
    if (!tcp && c == 0) c = 0xFFFF;
    put16(field, c);
  }
  static void ip_csum(std::vector<uint8_t>& f, uint32_t maclen, uint32_t iplen) {
    put16(&f[maclen + 10], complement(csum_partial(&f[maclen], iplen, 0)));
  }

 public:
  bool ivar_82576 = false;
};

// ---- frames and skbs --------------------------------------------------------------------------

// An Ethernet + IPv4 + UDP/TCP frame with every checksum right: what must reach the wire.
std::vector<uint8_t> make_frame(bool tcp, uint32_t payload, uint16_t ip_id = 0x1234,
                                uint8_t tcp_flags = 0x18) {
  const uint32_t l4 = tcp ? 20 : 8;
  std::vector<uint8_t> f(14 + 20 + l4 + payload);
  const uint8_t mac[12] = {2, 0, 0, 0, 0, 9, 0, 0x11, 0x22, 0x33, 0x44, 0x55};
  std::memcpy(f.data(), mac, 12);
  put16(&f[12], ETH_P_IP);
  uint8_t* ip = &f[14];
  ip[0] = 0x45;
  put16(ip + 2, static_cast<uint16_t>(20 + l4 + payload));
  put16(ip + 4, ip_id);
  ip[6] = 0x40;  // DF
  ip[8] = 64;
  ip[9] = tcp ? IPPROTO_TCP : IPPROTO_UDP;
  put32(ip + 12, 0x0A000001);
  put32(ip + 16, 0x0A000002);
  put16(ip + 10, complement(csum_partial(ip, 20, 0)));
  uint8_t* h = ip + 20;
  put16(h, 40000);
  put16(h + 2, 5001);
  if (tcp) {
    put32(h + 4, 1000);
    put32(h + 8, 77);
    h[12] = 5 << 4;
    h[13] = tcp_flags;
    put16(h + 14, 65535);
  } else {
    put16(h + 4, static_cast<uint16_t>(8 + payload));
  }
  for (uint32_t i = 0; i < payload; ++i) h[l4 + i] = static_cast<uint8_t>(i * 7 + 3);
  const uint32_t l4_len = l4 + payload;
  put16(h + (tcp ? 16 : 6), complement(csum_partial(h, l4_len, pseudo_sum(ip, ip[9], l4_len))));
  return f;
}

int g_destructed = 0;
void count_destructor(sk_buff*) { ++g_destructed; }

// The frame as the stack hands it to ndo_start_xmit with CHECKSUM_PARTIAL: the L4 checksum
// field holds the pseudo-header sum (udp4_hwcsum, __tcp_v4_send_check); `linear` bytes in the
// head, the rest in page fragments of `frag` bytes (kept in `store`).
sk_buff* make_skb(const std::vector<uint8_t>& frame, net_device* dev, uint32_t linear,
                  uint32_t frag, std::vector<std::vector<uint8_t>>& store) {
  std::vector<uint8_t> f = frame;
  uint8_t* ip = &f[14];
  const bool tcp = ip[9] == IPPROTO_TCP;
  const uint32_t l4_len = static_cast<uint32_t>(f.size()) - 34;
  put16(ip + 20 + (tcp ? 16 : 6), csum_fold(pseudo_sum(ip, ip[9], l4_len)));
  sk_buff* skb = sk_buff::alloc(std::max<uint32_t>(linear, 64));
  std::memcpy(skb->put(linear), f.data(), linear);
  skb->reset_mac_header();
  skb->network_header = static_cast<uint16_t>(skb->mac_header + 14);
  skb->transport_header = static_cast<uint16_t>(skb->network_header + 20);
  skb->csum_start = skb->transport_header;
  skb->csum_offset = tcp ? 16 : 6;
  skb->ip_summed = CHECKSUM_PARTIAL;
  skb->protocol = ETH_P_IP;
  skb->dev = dev;
  skb->sk_destructor = count_destructor;
  for (uint32_t off = linear; off < f.size(); off += frag) {
    const uint32_t n = std::min<uint32_t>(frag, static_cast<uint32_t>(f.size()) - off);
    store.emplace_back(f.begin() + off, f.begin() + off + n);
    skb->add_rx_frag(store.back().data(), n, 4096);
  }
  return skb;
}

// ---- the world: kernel, host memory, HAL, the double, the adapter ----------------------------

struct world {
  kernel_params kp;
  cost_table costs;
  std::unique_ptr<kernel> k;
  std::unique_ptr<host_mem> mem;
  std::unique_ptr<hal> hw;
  std::unique_ptr<tx_double> nic;
  igb_adapter a;
  igb_config cfg;
  std::vector<std::vector<uint8_t>> store;  // fragment memory

  explicit world(const char* part = "i350", int cpus = 1) {
    k = std::make_unique<kernel>(kp, costs);
    mem = std::make_unique<host_mem>("host_mem");
    hw = std::make_unique<hal>("hal", *k, *mem);
    nic = std::make_unique<tx_double>("nic", *mem);
    hw->mmio_init_socket.bind(nic->tgt);
    nic->dma_init_socket.bind(mem->tgt_socket);
    igb_setup s;
    s.part = igb_find_part(part);
    s.online_cpus = cpus;
    cfg.part = s.part;
    cfg.plan = igb_plan_configuration(s);
    cfg.irq_mode = cfg.plan.irq_mode;
    cfg.tx_rings = true;
    nic->ivar_82576 = s.part->ivar_82576;
    g_destructed = 0;
  }
  void open() { igb_open(&a, hw.get(), cfg); }
  igb_ring* ring(unsigned q = 0) { return a.tx_ring[q].get(); }
  netdev_queue* txq(unsigned q = 0) { return netdev_get_tx_queue(a.netdev, q); }
  netdev_tx_t xmit(sk_buff* skb, bool more = false) {
    k->this_cpu().sd.xmit.more = more;
    const netdev_tx_t rc = a.netdev->netdev_ops.ndo_start_xmit(skb, a.netdev);
    k->this_cpu().sd.xmit.more = false;
    return rc;
  }
  // igb_poll of the q_vector serving TX ring q, as net_rx_action calls it
  int poll(unsigned q = 0, int budget = NAPI_POLL_WEIGHT) {
    igb_q_vector* qv = ring(q)->q_vector;
    qv->napi.state |= NAPI_STATE_SCHED;
    return igb_poll(&qv->napi, budget);
  }
  // BQL out of the way (sysfs limit_min): the ring, not BQL, is what a test fills
  void unlimit_bql(unsigned q = 0) {
    dql& d = txq(q)->dql;
    d.min_limit = d.limit = 1u << 24;
    d.adj_limit = d.limit + d.num_completed;
  }
  unsigned in_ring(unsigned q = 0) {
    unsigned n = 0;
    for (const igb_tx_buffer& b : ring(q)->tx_buffer_info) n += b.skb != nullptr;
    return n;
  }
};

}  // namespace

namespace {

// Software segmentation of a TCP frame into MSS segments, every checksum computed afresh:
// what TSO must put on the wire.
std::vector<std::vector<uint8_t>> segment(const std::vector<uint8_t>& f, uint32_t mss) {
  const uint32_t hdr = 14 + 20 + 20, paylen = static_cast<uint32_t>(f.size()) - hdr;
  std::vector<std::vector<uint8_t>> out;
  for (uint32_t off = 0, k = 0; off < paylen; off += mss, ++k) {
    const uint32_t seg = std::min(mss, paylen - off);
    std::vector<uint8_t> s(f.begin(), f.begin() + hdr);
    s.insert(s.end(), f.begin() + hdr + off, f.begin() + hdr + off + seg);
    uint8_t* ip = &s[14];
    put16(ip + 2, static_cast<uint16_t>(40 + seg));
    put16(ip + 4, static_cast<uint16_t>(be16(&f[18]) + k));
    put16(ip + 10, 0);
    put16(ip + 10, complement(csum_partial(ip, 20, 0)));
    uint8_t* th = ip + 20;
    put32(th + 4, be32(&f[38]) + off);
    if (off + seg < paylen) th[13] &= static_cast<uint8_t>(~0x09);
    put16(th + 16, 0);
    put16(th + 16, complement(csum_partial(th, 20 + seg, pseudo_sum(ip, IPPROTO_TCP, 20 + seg))));
    out.push_back(s);
  }
  return out;
}

constexpr uint32_t kDataCmd =
    E1000_ADVTXD_DTYP_DATA | E1000_ADVTXD_DCMD_DEXT | E1000_ADVTXD_DCMD_IFCS;

}  // namespace

TEST(IgbTx, LinearUdpWithChecksumOffloadIsOneContextAndOneDataDescriptorAndByteExact) {
  world w;
  run_in_thread([&] {
    w.open();
    const std::vector<uint8_t> frame = make_frame(false, 200);
    const uint32_t len = static_cast<uint32_t>(frame.size());
    ASSERT_EQ(w.xmit(make_skb(frame, w.a.netdev, len, 0, w.store)), NETDEV_TX_OK);
    ASSERT_TRUE(w.nic->errors.empty()) << w.nic->errors.front();
    ASSERT_EQ(w.nic->packets.size(), 1u);
    const tx_packet_seen& p = w.nic->packets[0];
    ASSERT_TRUE(p.has_ctx) << "CHECKSUM_PARTIAL needs a context descriptor";
    EXPECT_EQ(p.ctx.vlan_macip_lens, 20u | 14u << E1000_ADVTXD_MACLEN_SHIFT) << "IPLEN, MACLEN";
    EXPECT_EQ(p.ctx.type_tucmd_mlhl,
              E1000_ADVTXD_DCMD_DEXT | E1000_ADVTXD_DTYP_CTXT | E1000_ADVTXD_TUCMD_L4T_UDP)
        << "UDP, and no IPV4 bit: the IP checksum is the stack's";
    EXPECT_EQ(p.ctx.mss_l4len_idx, 0u);
    ASSERT_EQ(p.data.size(), 1u);
    EXPECT_EQ(p.data[0].cmd_type_len, kDataCmd | IGB_TXD_DCMD | len);
    EXPECT_EQ(p.data[0].olinfo_status, len << E1000_ADVTXD_PAYLEN_SHIFT | E1000_ADVTXD_POPTS_TXSM);
    ASSERT_EQ(w.nic->wire.size(), 1u);
    EXPECT_EQ(w.nic->wire[0], frame) << "the frame on the wire, UDP checksum inserted";
    EXPECT_EQ(w.nic->tdt_writes, 1u);
    EXPECT_EQ(w.nic->reg(E1000_TDT(0)), 2u) << "context + data";
    // completion
    EXPECT_EQ(g_destructed, 0) << "not freed before the NIC reported it done";
    w.poll();
    EXPECT_EQ(g_destructed, 1);
    EXPECT_EQ(w.in_ring(), 0u);
    EXPECT_EQ(w.ring()->packets, 1u);
    EXPECT_EQ(w.ring()->bytes, len);
    EXPECT_EQ(w.txq()->dql.num_queued, len) << "BQL sent";
    EXPECT_EQ(w.txq()->dql.num_completed, len) << "BQL completed = sent";
    EXPECT_EQ(w.hw->dma_bounce_buffers(), 0u) << "every mapping released";
  });
}

TEST(IgbTx, PagedTcpSkbTakesADescriptorPerBufferWithEopAndRsOnlyOnTheLast) {
  world w;
  run_in_thread([&] {
    w.open();
    const std::vector<uint8_t> frame = make_frame(true, 1400);
    const uint32_t len = static_cast<uint32_t>(frame.size());
    // head: the 54 header bytes and 46 of payload; fragments of 600, 600, 154
    ASSERT_EQ(w.xmit(make_skb(frame, w.a.netdev, 100, 600, w.store)), NETDEV_TX_OK);
    ASSERT_TRUE(w.nic->errors.empty()) << w.nic->errors.front();
    ASSERT_EQ(w.nic->packets.size(), 1u);
    const tx_packet_seen& p = w.nic->packets[0];
    EXPECT_EQ(p.ctx.type_tucmd_mlhl,
              E1000_ADVTXD_DCMD_DEXT | E1000_ADVTXD_DTYP_CTXT | E1000_ADVTXD_TUCMD_L4T_TCP);
    const uint32_t sizes[] = {100, 600, 600, 154};
    ASSERT_EQ(p.data.size(), 4u);
    for (size_t i = 0; i < 4; ++i) {
      const uint32_t last = i == 3 ? IGB_TXD_DCMD : 0;
      EXPECT_EQ(p.data[i].cmd_type_len, kDataCmd | last | sizes[i]) << "descriptor " << i;
      EXPECT_EQ(p.data[i].olinfo_status,
                i == 0 ? len << E1000_ADVTXD_PAYLEN_SHIFT | E1000_ADVTXD_POPTS_TXSM : 0u)
          << "only the first carries PAYLEN and POPTS";
    }
    ASSERT_EQ(w.nic->wire.size(), 1u);
    EXPECT_EQ(w.nic->wire[0], frame);
    w.poll();
    EXPECT_EQ(g_destructed, 1);
    EXPECT_EQ(w.hw->dma_bounce_buffers(), 0u) << "the head and all fragments unmapped";
    EXPECT_EQ(w.ring()->next_to_clean, w.ring()->next_to_use);
  });
}

TEST(IgbTx, TsoWritesTheContextIgbTsoBuildsAndTheSegmentsAreByteExact) {
  world w;
  run_in_thread([&] {
    w.open();
    const uint32_t mss = 1448, payload = 4000;
    const std::vector<uint8_t> frame = make_frame(true, payload, 0x4000, 0x19);  // PSH|FIN
    sk_buff* skb = make_skb(frame, w.a.netdev, 54, 1024, w.store);
    skb->gso_size = mss;
    skb->gso_segs = 3;
    skb->gso_type = SKB_GSO_TCPV4;
    const uint32_t hdr = 54;
    ASSERT_EQ(w.xmit(skb), NETDEV_TX_OK);
    ASSERT_TRUE(w.nic->errors.empty()) << w.nic->errors.front();
    ASSERT_EQ(w.nic->packets.size(), 1u);
    const tx_packet_seen& p = w.nic->packets[0];
    EXPECT_EQ(p.ctx.vlan_macip_lens, 20u | 14u << E1000_ADVTXD_MACLEN_SHIFT);
    EXPECT_EQ(p.ctx.type_tucmd_mlhl, E1000_ADVTXD_DCMD_DEXT | E1000_ADVTXD_DTYP_CTXT |
                                         E1000_ADVTXD_TUCMD_L4T_TCP | E1000_ADVTXD_TUCMD_IPV4);
    EXPECT_EQ(p.ctx.mss_l4len_idx, mss << E1000_ADVTXD_MSS_SHIFT | 20u << E1000_ADVTXD_L4LEN_SHIFT);
    ASSERT_EQ(p.data.size(), 1u + 4u) << "head, then four 1 KB fragments";
    EXPECT_EQ(p.data[0].cmd_type_len, kDataCmd | E1000_ADVTXD_DCMD_TSE | hdr);
    EXPECT_EQ(p.data[0].olinfo_status, payload << E1000_ADVTXD_PAYLEN_SHIFT |
                                           E1000_ADVTXD_POPTS_TXSM | E1000_ADVTXD_POPTS_IXSM)
        << "PAYLEN is the L4 payload; IP and L4 checksums inserted";
    EXPECT_TRUE(p.data.back().cmd_type_len & E1000_ADVTXD_DCMD_TSE) << "TSE in every one";
    const auto expect = segment(frame, mss);
    ASSERT_EQ(w.nic->wire.size(), expect.size());
    for (size_t i = 0; i < expect.size(); ++i) EXPECT_EQ(w.nic->wire[i], expect[i]) << "seg " << i;
    const uint32_t bytecount = static_cast<uint32_t>(frame.size()) + 2 * hdr;
    EXPECT_EQ(w.txq()->dql.num_queued, bytecount) << "BQL counts the replicated headers";
    w.poll();
    EXPECT_EQ(g_destructed, 1);
    EXPECT_EQ(w.ring()->packets, 3u) << "gso_segs";
    EXPECT_EQ(w.ring()->bytes, bytecount);
    EXPECT_EQ(w.txq()->dql.num_completed, bytecount);
  });
}

TEST(IgbTx, ASmallRingUnderABurstStopsTheQueueAndWakesItWithNoSkbLost) {
  world w;
  w.cfg.tx_ring = 64;
  run_in_thread([&] {
    w.open();
    w.unlimit_bql();
    w.nic->completing = false;  // completions come when the test lets them
    const std::vector<uint8_t> frame = make_frame(false, 100);
    const uint32_t len = static_cast<uint32_t>(frame.size());
    unsigned sent = 0, stops = 0, rejected = 0;
    while (sent < 300) {
      if (!netif_tx_queue_stopped(w.txq())) {
        ASSERT_EQ(w.xmit(make_skb(frame, w.a.netdev, len, 0, w.store)), NETDEV_TX_OK);
        ++sent;
        continue;
      }
      ++stops;
      EXPECT_LT(igb_desc_unused(w.ring()), DESC_NEEDED) << "stopped only when it must";
      EXPECT_EQ(static_cast<unsigned>(g_destructed) + w.in_ring(), sent + rejected)
          << "none lost: each freed once (the rejected one by the caller) or in the ring";
      if (stops == 1) {  // a stack that ignores the stop: the ring takes what fits, then BUSY
        sk_buff* skb = nullptr;
        for (;;) {
          skb = make_skb(frame, w.a.netdev, len, 0, w.store);
          if (w.xmit(skb) != NETDEV_TX_OK) break;
          ++sent;
        }
        EXPECT_LT(igb_desc_unused(w.ring()), 1 + 3) << "BUSY: no room for data + context + gap";
        kfree_skb(skb);  // NETDEV_TX_BUSY leaves the skb with the caller
        ++rejected;
      }
      w.nic->write_back_held();
      w.poll();
      EXPECT_FALSE(netif_tx_queue_stopped(w.txq())) << "woken at TX_WAKE_THRESHOLD";
    }
    w.nic->write_back_held();
    w.poll();
    EXPECT_GE(stops, 4u) << "300 packets of 2 descriptors through a 64-descriptor ring";
    EXPECT_EQ(w.ring()->restart_queue + w.ring()->restart_queue2, stops) << "every stop woken";
    EXPECT_EQ(w.ring()->tx_busy, 1u);
    EXPECT_EQ(static_cast<unsigned>(g_destructed), sent + rejected) << "sent = completed";
    EXPECT_EQ(w.in_ring(), 0u);
    EXPECT_EQ(w.ring()->packets, sent);
    EXPECT_EQ(w.txq()->dql.num_completed, w.txq()->dql.num_queued);
    EXPECT_EQ(w.txq()->dql.num_queued, sent * len);
    EXPECT_EQ(w.nic->wire.size(), sent);
    std::map<std::string, uint64_t> st;
    for (auto& [name, v] : igb_get_ethtool_tx_stats(&w.a)) st[name] = v;
    EXPECT_EQ(st["tx_queue_0_packets"], sent);
    EXPECT_EQ(st["tx_queue_0_bytes"], uint64_t(sent) * len);
    EXPECT_EQ(st["tx_queue_0_restart"], stops);
    EXPECT_EQ(st["tx_restart_queue"], stops);
    EXPECT_EQ(st["tx_busy"], 1u);
  });
}

TEST(IgbTx, XmitMoreBatchesTheDoorbellAndAStoppedQueueForcesIt) {
  world w;
  w.cfg.tx_ring = 64;
  run_in_thread([&] {
    w.open();
    w.unlimit_bql();
    const std::vector<uint8_t> frame = make_frame(false, 60);
    const uint32_t len = static_cast<uint32_t>(frame.size());
    for (int i = 0; i < 8; ++i) {
      w.xmit(make_skb(frame, w.a.netdev, len, 0, w.store), i < 7);
      EXPECT_EQ(w.nic->tdt_writes, i < 7 ? 0u : 1u) << "packet " << i;
    }
    EXPECT_EQ(w.nic->wire.size(), 8u) << "one doorbell sends the whole batch";
    EXPECT_EQ(w.nic->reg(E1000_TDT(0)), 16u);
    EXPECT_EQ(w.a.stats.tdt_writes, 1u);
    w.poll();
    // A batch that fills the ring: the stop rings the doorbell although more is coming
    w.nic->completing = false;
    unsigned batch = 0;
    while (!netif_tx_queue_stopped(w.txq())) {
      w.xmit(make_skb(frame, w.a.netdev, len, 0, w.store), true);
      ++batch;
    }
    EXPECT_EQ(w.nic->tdt_writes, 2u) << "xmit_more everywhere, yet the stop forced it";
    EXPECT_EQ(w.nic->wire.size(), 8u + batch) << "nothing left behind the doorbell";
    w.nic->write_back_held();
    w.poll();
  });
}

namespace {
// Follows the order igb_poll works in: "tx" for each igb_clean_tx_irq, "rx" for each
// descriptor igb_clean_rx_irq consumes.
struct order_observer final : igb_rx_observer {
  std::vector<std::string> log;
  void irq_entry(igb_q_vector*, unsigned) override {}
  uint64_t rx_desc_read(igb_ring*, const e1000_adv_rx_desc&, const sc_time*) override {
    log.push_back("rx");
    return log.size();
  }
  void rx_buffer_missing(igb_ring*, uint64_t) override {}
  void rx_frag_added(igb_ring*, const sk_buff*, uint64_t) override {}
  void rx_cleaned(igb_ring*) override {}
  void rx_frame_passed(igb_ring*, int) override {}
  void rx_refilled(igb_ring*) override {}
  void tx_cleaned(igb_ring*, unsigned packets, bool) override {
    log.push_back("tx" + std::to_string(packets));
  }
  std::vector<tx_hang_report> hangs;
  void tx_unit_hang(igb_ring*, const tx_hang_report& r) override { hangs.push_back(r); }
};

// A received frame written back to RX ring q's next descriptor, with a frame error so the
// driver drops it after reading it (rx_errors): RX work without a stack behind it.
void rx_frame_arrives(world& w, unsigned q = 0) {
  igb_ring* rx = w.a.rx_ring[q].get();
  const uint16_t i = rx->next_to_clean;
  e1000_adv_rx_desc* d = &rx->desc[i];
  std::memset(w.hw->phys_to_virt(d->read.pkt_addr), 0xAB, 64);
  d->wb.upper.status_error = E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP | E1000_RXDEXT_STATERR_RXE;
  d->wb.upper.length = 64;
}
}  // namespace

TEST(IgbTx, IgbPollCleansTxBeforeRxAndStaysScheduledWhenTxHitsItsWorkLimit) {
  world w("i350", 8);  // 8 queues on 8 vectors: paired, each vector has a TX and an RX ring
  w.cfg.tx_ring = 512;
  auto* obs = new order_observer;
  w.a.observer.reset(obs);
  run_in_thread([&] {
    w.open();
    ASSERT_TRUE(w.cfg.plan.queue_pairs);
    ASSERT_EQ(w.ring()->q_vector, w.a.rx_ring[0]->q_vector);
    w.unlimit_bql();
    const std::vector<uint8_t> frame = make_frame(false, 60);
    const uint32_t len = static_cast<uint32_t>(frame.size());
    for (unsigned i = 0; i < IGB_DEFAULT_TX_WORK + 2; ++i)
      w.xmit(make_skb(frame, w.a.netdev, len, 0, w.store));
    rx_frame_arrives(w);
    napi_struct& napi = w.ring()->q_vector->napi;
    const int first = w.poll();
    ASSERT_GE(obs->log.size(), 2u);
    EXPECT_EQ(obs->log[0], "tx128") << "TX first, up to its work limit of 128";
    EXPECT_EQ(obs->log[1], "rx");
    EXPECT_EQ(first, NAPI_POLL_WEIGHT) << "TX not done: the whole budget, stay scheduled";
    EXPECT_TRUE(napi.state & NAPI_STATE_SCHED);
    EXPECT_EQ(g_destructed, 128);
    obs->log.clear();
    const int second = w.poll();
    EXPECT_EQ(obs->log, std::vector<std::string>{"tx2"});
    EXPECT_LT(second, NAPI_POLL_WEIGHT) << "all done: NAPI completes";
    EXPECT_FALSE(napi.state & NAPI_STATE_SCHED);
    EXPECT_EQ(g_destructed, 130);
  });
}

TEST(IgbTx, HangDetectionFiresWhenTheNicStopsCompletingAndNotOtherwise) {
  world w;
  auto* obs = new order_observer;
  w.a.observer.reset(obs);
  run_in_thread([&] {
    w.open();
    const std::vector<uint8_t> frame = make_frame(false, 60);
    const uint32_t len = static_cast<uint32_t>(frame.size());
    // A completing NIC: idle for 1.5 s, then the watchdog arms the check: nothing to report
    w.xmit(make_skb(frame, w.a.netdev, len, 0, w.store));
    wait(sc_time(1.5, SC_SEC));
    igb_watchdog_tx(&w.a);
    w.poll();
    EXPECT_EQ(w.a.stats.tx_hang_detected, 0u);
    // A stuck NIC: within tx_timeout_factor * HZ nothing either
    w.nic->completing = false;
    w.xmit(make_skb(frame, w.a.netdev, len, 0, w.store));
    wait(sc_time(0.5, SC_SEC));
    igb_watchdog_tx(&w.a);
    w.poll();
    EXPECT_EQ(w.a.stats.tx_hang_detected, 0u) << "0.5 s is not a hang";
    EXPECT_EQ(w.nic->reg(E1000_EICS) & w.ring()->q_vector->eims_value,
              w.ring()->q_vector->eims_value)
        << "the watchdog raises the queue vectors";
    wait(sc_time(0.6, SC_SEC));
    w.poll();
    EXPECT_EQ(w.a.stats.tx_hang_detected, 0u) << "only a check the watchdog armed reports";
    igb_watchdog_tx(&w.a);
    w.poll();
    EXPECT_EQ(w.a.stats.tx_hang_detected, 1u) << "1.1 s without completion";
    ASSERT_EQ(obs->hangs.size(), 1u);
    const auto& r = obs->hangs[0];
    EXPECT_EQ(r.tdt, 4u);
    EXPECT_EQ(r.tdh, 4u) << "the engine fetched it all, it just never reports";
    EXPECT_EQ(r.next_to_clean, 2u);
    EXPECT_EQ(r.next_to_use, 4u);
    EXPECT_EQ(r.desc_status & E1000_TXD_STAT_DD, 0u);
    EXPECT_TRUE(netif_tx_queue_stopped(w.txq())) << "igb stops the queue for the reset";
    std::map<std::string, uint64_t> st;
    for (auto& [name, v] : igb_get_ethtool_tx_stats(&w.a)) st[name] = v;
    EXPECT_EQ(st["tx_hang_detected"], 1u);
    igb_tx_timeout(w.a.netdev, 0);
    EXPECT_EQ(igb_get_ethtool_tx_stats(&w.a)[2].second, 1u);  // tx_timeout_count
  });
}

// ---- the planted transmit faults: each must show ----------------------------------------------

TEST(IgbTxFault, TdtBeforeTheDescriptorsAreVisibleSendsTheNicToStaleDescriptors) {
  world w;
  w.cfg.fault.tx_tdt_before_desc = true;
  run_in_thread([&] {
    w.open();
    const std::vector<uint8_t> frame = make_frame(false, 60);
    w.xmit(make_skb(frame, w.a.netdev, static_cast<uint32_t>(frame.size()), 0, w.store));
    ASSERT_FALSE(w.nic->errors.empty()) << "the engine found no descriptor at its head";
    EXPECT_TRUE(w.nic->wire.empty()) << "nothing sent: the doorbell came before the data";
    w.poll();
    EXPECT_EQ(g_destructed, 0) << "and nothing completes";
  });
}

TEST(IgbTxFault, RsNeverSetMeansNoCompletionEverAlthoughTheFrameWasSent) {
  world w;
  w.cfg.fault.tx_no_rs = true;
  run_in_thread([&] {
    w.open();
    const std::vector<uint8_t> frame = make_frame(false, 60);
    w.xmit(make_skb(frame, w.a.netdev, static_cast<uint32_t>(frame.size()), 0, w.store));
    ASSERT_EQ(w.nic->packets.size(), 1u);
    EXPECT_FALSE(w.nic->packets[0].data.back().cmd_type_len & E1000_ADVTXD_DCMD_RS);
    EXPECT_EQ(w.nic->wire.size(), 1u);
    EXPECT_TRUE(w.nic->causes.empty()) << "no write-back, no TX cause";
    w.poll();
    EXPECT_EQ(g_destructed, 0);
    EXPECT_EQ(w.in_ring(), 1u) << "the skb stays in the ring for good";
    EXPECT_GT(dql_inflight(&w.txq()->dql), 0u) << "and BQL counts it in flight";
  });
}

TEST(IgbTxFault, FreeingBeforeDdReleasesTheSkbTheNicHasNotReportedDone) {
  world w;
  w.cfg.fault.tx_free_before_dd = true;
  run_in_thread([&] {
    w.open();
    w.nic->completing = false;
    const std::vector<uint8_t> frame = make_frame(false, 60);
    w.xmit(make_skb(frame, w.a.netdev, static_cast<uint32_t>(frame.size()), 0, w.store));
    w.poll();
    EXPECT_EQ(w.nic->held_dd.size(), 1u) << "the NIC has not written DD";
    EXPECT_EQ(g_destructed, 1) << "yet the skb is freed";
    EXPECT_EQ(w.hw->dma_bounce_buffers(), 0u) << "and its buffer unmapped";
  });
}

TEST(IgbTxFault, AQueueNeverWokenStaysStoppedWithAnEmptyRing) {
  world w;
  w.cfg.tx_ring = 64;
  w.cfg.fault.tx_never_wake = true;
  run_in_thread([&] {
    w.open();
    w.unlimit_bql();
    w.nic->completing = false;
    const std::vector<uint8_t> frame = make_frame(false, 60);
    const uint32_t len = static_cast<uint32_t>(frame.size());
    unsigned sent = 0;
    while (!netif_tx_queue_stopped(w.txq())) {
      w.xmit(make_skb(frame, w.a.netdev, len, 0, w.store));
      ++sent;
    }
    w.nic->write_back_held();
    w.poll();
    EXPECT_EQ(static_cast<unsigned>(g_destructed), sent) << "everything completed";
    EXPECT_GE(igb_desc_unused(w.ring()), TX_WAKE_THRESHOLD);
    EXPECT_TRUE(netif_tx_queue_stopped(w.txq())) << "yet the queue stays stopped";
    EXPECT_EQ(w.ring()->restart_queue + w.ring()->restart_queue2, 0u);
  });
}

TEST(IgbTxFault, TdtBeyondTheRingAtTheWrap) {
  world w;
  w.cfg.tx_ring = 64;
  w.cfg.fault.tx_tdt_beyond_ring = true;
  run_in_thread([&] {
    w.open();
    w.unlimit_bql();
    const std::vector<uint8_t> frame = make_frame(false, 60);
    const uint32_t len = static_cast<uint32_t>(frame.size());
    for (int i = 0; i < 31; ++i) {  // 62 descriptors: no wrap yet
      w.xmit(make_skb(frame, w.a.netdev, len, 0, w.store));
      w.poll();
    }
    EXPECT_TRUE(w.nic->errors.empty());
    w.xmit(make_skb(frame, w.a.netdev, len, 0, w.store));  // next_to_use wraps to 0
    ASSERT_FALSE(w.nic->errors.empty());
    EXPECT_EQ(w.nic->errors.back(), "TDT 64 beyond a ring of 64");
    EXPECT_EQ(w.nic->wire.size(), 31u) << "the packet behind it never goes";
  });
}

// ---- vectors: paired or not, IVAR TX entries in both layouts, EIMS ---------------------------

class IgbTxVectors : public ::testing::TestWithParam<std::tuple<const char*, int>> {};

TEST_P(IgbTxVectors, EachTxRingCausesOnItsQVectorsVectorAsIgbAssignsIt) {
  const auto [part, cpus] = GetParam();
  world w(part, cpus);
  run_in_thread([&] {
    w.open();
    const igb_plan& plan = w.cfg.plan;
    const int queues = plan.rss_queues;
    ASSERT_EQ(w.a.num_tx_queues, queues);
    // igb_set_flag_queue_pairs: pairs when rss_queues > max_rss_queues / 2
    EXPECT_EQ(plan.queue_pairs, queues > w.cfg.part->max_rss_queues / 2);
    EXPECT_EQ(static_cast<int>(w.a.q_vector.size()), plan.num_q_vectors);
    EXPECT_EQ(plan.num_q_vectors, plan.queue_pairs ? queues : 2 * queues);
    for (int q = 0; q < queues; ++q) {
      igb_q_vector* tv = w.ring(static_cast<unsigned>(q))->q_vector;
      igb_q_vector* rv = w.a.rx_ring[static_cast<size_t>(q)]->q_vector;
      EXPECT_EQ(tv == rv, plan.queue_pairs) << "queue " << q;
      // RX vectors first (1..n), then the TX-only ones (n+1..2n); vector 0 is "other"
      const unsigned expect = plan.queue_pairs ? q + 1u : queues + q + 1u;
      EXPECT_EQ(tv->vector, expect);
      EXPECT_EQ(w.nic->tx_vector(static_cast<unsigned>(q), w.cfg.part->ivar_82576),
                static_cast<int>(expect))
          << "IVAR TX entry of queue " << q;
      EXPECT_TRUE(w.nic->reg(E1000_EIMS) & tv->eims_value) << "its vector unmasked";
      if (!plan.queue_pairs) {
        EXPECT_EQ(tv->rx_ring, nullptr);
      }
    }
    // a packet on the last queue raises the cause of its vector
    const std::vector<uint8_t> frame = make_frame(false, 60);
    sk_buff* skb = make_skb(frame, w.a.netdev, static_cast<uint32_t>(frame.size()), 0, w.store);
    skb->queue_mapping = static_cast<uint16_t>(queues - 1);
    w.xmit(skb);
    ASSERT_EQ(w.nic->causes.size(), 1u);
    EXPECT_EQ(w.nic->causes[0], w.ring(static_cast<unsigned>(queues - 1))->q_vector->vector);
    EXPECT_EQ(w.poll(static_cast<unsigned>(queues - 1)), 0);
    EXPECT_EQ(g_destructed, 1);
  });
}

INSTANTIATE_TEST_SUITE_P(Parts, IgbTxVectors,
                         ::testing::Values(std::make_tuple("i350", 2), std::make_tuple("i350", 8),
                                           std::make_tuple("82576", 3), std::make_tuple("82576", 8),
                                           std::make_tuple("i210", 4)),
                         [](const ::testing::TestParamInfo<std::tuple<const char*, int>>& i) {
  return "part" + std::string(std::get<0>(i.param)) + "_cpus" +
         std::to_string(std::get<1>(i.param));
});

// 802.3x flow control at open: the mode resolved with the partner (IEEE 802.3 Annex 28B, as
// igb_config_fc_after_link_up) and what igb programs from it
TEST(IgbFlowControl, ResolutionFollowsAnnex28B) {
  using m = igb_fc_mode;
  const m modes[] = {m::none, m::rx_pause, m::tx_pause, m::full};
  for (m local : modes)
    for (m partner : modes) {
      const m r = igb_resolve_fc(local, partner);
      // A side sends PAUSE only if the other honours it, and honours only what it asked for
      // or accepted by advertising symmetric PAUSE
      const std::string pair =
          std::string(igb_fc_mode_name(local)) + "/" + igb_fc_mode_name(partner);
      if (fc_tx_pause(r)) {
        EXPECT_TRUE(fc_rx_pause(partner)) << pair;
      }
      if (fc_rx_pause(r)) {
        EXPECT_TRUE(fc_rx_pause(local)) << pair;
      }
      if (local == m::none || partner == m::none) {
        EXPECT_EQ(r, m::none) << pair;
      }
    }
  EXPECT_EQ(igb_resolve_fc(m::full, m::full), m::full);
  EXPECT_EQ(igb_resolve_fc(m::full, m::rx_pause), m::full);  // both PAUSE bits: symmetric
  EXPECT_EQ(igb_resolve_fc(m::rx_pause, m::full), m::rx_pause);
  EXPECT_EQ(igb_resolve_fc(m::tx_pause, m::full), m::tx_pause);
  EXPECT_EQ(igb_resolve_fc(m::full, m::tx_pause), m::rx_pause);
  EXPECT_EQ(igb_resolve_fc(m::tx_pause, m::tx_pause), m::none);
}

namespace {
// igb_open with igb asking for `fc` and the partner advertising `partner`: the registers after
struct fc_open {
  std::map<uint32_t, uint32_t> regs;
  uint32_t pba = 0, max_frame = 0;
};
fc_open open_with_fc(igb_fc_mode fc, igb_fc_mode partner) {
  world w;
  igb_setup s;
  s.part = w.cfg.part;
  s.fc = fc;
  s.partner_fc = partner;
  w.cfg.plan = igb_plan_configuration(s);
  run_in_thread([&] { w.open(); });
  return {w.nic->regs, w.cfg.plan.pktbuf_kb * 1024, w.a.max_frame_size};
}
// The marks igb programs when it asks to send PAUSE: the high one leaves a full frame and a
// jumbo frame of room, 16-byte granular; XON 16 bytes below it
void expect_marks(const fc_open& o) {
  auto r = o.regs;
  const uint32_t high = r[E1000_FCRTH];
  EXPECT_EQ(r[E1000_FCT], FLOW_CONTROL_TYPE);
  EXPECT_EQ(r[E1000_FCAL], FLOW_CONTROL_ADDRESS_LOW);
  EXPECT_EQ(r[E1000_FCAH], FLOW_CONTROL_ADDRESS_HIGH);
  EXPECT_EQ(r[E1000_FCTTV], 0xFFFFu);
  EXPECT_GT(high, 0u);
  EXPECT_EQ(high % 16, 0u);
  EXPECT_LE(high + o.max_frame + MAX_JUMBO_FRAME_SIZE, o.pba);
  EXPECT_GT(high + 16 + o.max_frame + MAX_JUMBO_FRAME_SIZE, o.pba);
  EXPECT_EQ(r[E1000_FCRTL], (high - 16) | E1000_FCRTL_XONE);
}
}  // namespace

// Both ends full: the marks, and CTRL.RFCE and TFCE
TEST(IgbFlowControl, FullOnBothEndsSetsTheMarksRfceAndTfce) {
  const fc_open o = open_with_fc(igb_fc_mode::full, igb_fc_mode::full);
  expect_marks(o);
  EXPECT_EQ(o.regs.at(E1000_CTRL) & (E1000_CTRL_TFCE | E1000_CTRL_RFCE),
            E1000_CTRL_TFCE | E1000_CTRL_RFCE);
}

// A partner without flow control: igb still programs the marks of its requested mode (as
// e1000_setup_link does before the link is up), but resolves to none: CTRL has neither bit
TEST(IgbFlowControl, APartnerWithoutFlowControlLeavesRfceAndTfceClear) {
  const fc_open o = open_with_fc(igb_fc_mode::full, igb_fc_mode::none);
  expect_marks(o);
  EXPECT_EQ(o.regs.at(E1000_CTRL) & (E1000_CTRL_TFCE | E1000_CTRL_RFCE), 0u);
}

// Asking for rx_pause only: no marks (the part never sends PAUSE) and RFCE alone
TEST(IgbFlowControl, RxPauseOnlyProgramsNoMarksAndRfceAlone) {
  const fc_open o = open_with_fc(igb_fc_mode::rx_pause, igb_fc_mode::full);
  EXPECT_EQ(o.regs.at(E1000_FCRTH), 0u);
  EXPECT_EQ(o.regs.at(E1000_FCRTL), 0u);
  EXPECT_EQ(o.regs.at(E1000_CTRL) & (E1000_CTRL_TFCE | E1000_CTRL_RFCE), E1000_CTRL_RFCE);
}
