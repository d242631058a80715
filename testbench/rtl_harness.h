// A bare harness around the Verilated NIC for directed RTL tests: clock, MMIO, a flat host
// memory answering DMA reads after a fixed latency, a log of DMA writes and MSI-X messages,
// and a wire that streams frames in 16-byte beats, back to back. No SystemC.
#pragma once
#include <verilated.h>

#include <cstdint>
#include <cstring>
#include <deque>
#include <memory>
#include <vector>

#include "Vigb_nic.h"
#include "Vigb_nic4.h"
#include "e1000_regs.h"
#include "rtl_ports.h"

namespace igbsim::test {

struct dma_wr {
  uint64_t cycle;
  uint64_t addr;
  uint32_t tag;
  std::vector<uint8_t> data;
};
struct dma_rd {
  uint64_t cycle;
  uint64_t addr;
  uint32_t len;
  uint32_t tag;
};
struct msix_msg {
  uint64_t cycle;
  unsigned vec;
};

// M: the Verilated model, Vigb_nic (8 queues) or Vigb_nic4 (4 queues).
template <class M>
class rtl_harness_t {
 public:
  static constexpr uint64_t kCyclesPerUs = 125;
  static constexpr uint32_t kReadLatency = 20;  // cycles

  rtl_harness_t() : ctx_(std::make_unique<VerilatedContext>()), mem(2 << 20, 0) {
    ctx_->threads(1);
    ctx_->assertOn(true);
    m = std::make_unique<M>(ctx_.get(), "nic");
    m->clk_i = 0;
    m->rx_clk_i = 0;
    m->rst_ni = 1;
    m->eval();
    m->rst_ni = 0;
    m->eval();
    m->rst_ni = 1;
    m->eval();
  }
  ~rtl_harness_t() { m->final(); }

  void tick() {
    m->ticks_1us_i = (cycle % kCyclesPerUs) == 0;
    // wire
    m->rx_valid_i = 0;
    if (!wire_.empty()) {
      auto& f = wire_.front();
      const size_t lo = kRxBeat * beat_, hi = std::min(f.size(), lo + kRxBeat);
      m->rx_valid_i = 1;
      load_beat<kRxBeat>(m->rx_data_i, f.data() + lo, hi - lo);
      m->rx_bytes_i = static_cast<uint8_t>(hi - lo);
      m->rx_last_i = hi == f.size();
    }
    m->dma_rresp_valid_i = 0;
    if (!rresp_.empty() && rresp_.front().cycle <= cycle) {
      m->dma_rresp_valid_i = 1;
      load_beat<kBeat>(m->dma_rresp_data_i, rresp_.front().data, kBeat);
      m->dma_rresp_tag_i = rresp_.front().tag;
      m->dma_rresp_last_i = rresp_.front().last;
    }
    m->dma_req_ready_i = 1;
    m->dma_wdata_ready_i = 1;
    m->clk_i = 0;
    m->rx_clk_i = 0;
    m->eval();
    if (m->dma_req_valid_o) {
      if (m->dma_req_write_o) {
        cur_ = dma_wr{cycle, m->dma_req_addr_o, m->dma_req_tag_o, {}};
        cur_len_ = m->dma_req_len_o;
      } else {
        const uint64_t a = m->dma_req_addr_o;
        const uint32_t len = m->dma_req_len_o;
        const uint8_t tag = m->dma_req_tag_o;
        reads.push_back({cycle, a, len, tag});
        uint64_t at = cycle + kReadLatency;
        if (!rresp_.empty()) at = std::max(at, rresp_.back().cycle + 1);
        const bool inside = a < mem.size() && len + kBeat <= mem.size() - a;
        if (!inside) ++dma_errors;  // outside host memory: the completion carries zeros
        for (uint32_t i = 0; i < len; i += kBeat) {
          rresp b{at + i / kBeat, {}, tag, i + kBeat >= len};
          if (inside) std::memcpy(b.data, &mem[a + i], kBeat);
          rresp_.push_back(b);
        }
      }
    }
    if (m->dma_wdata_valid_o) {
      const size_t off = cur_.data.size();
      cur_.data.resize(off + kBeat);
      store_beat<kBeat>(m->dma_wdata_o, cur_.data.data() + off);
      if (m->dma_wdata_last_o) {
        cur_.data.resize(cur_len_);
        if (cur_.addr < mem.size() && cur_len_ <= mem.size() - cur_.addr)
          std::memcpy(&mem[cur_.addr], cur_.data.data(), cur_len_);
        else
          ++dma_errors;  // outside host memory: dropped
        writes.push_back(cur_);
      }
    }
    if (m->msix_valid_o) msix.push_back({cycle, m->msix_vec_o});
    if (m->ev_frame_mpc_o) ++mpc_events;
    if (m->ev_frame_runt_o) ++runt_events;
    if (m->ev_frame_long_o) ++long_events;
    if (m->ev_frame_filt_o) ++filt_events;
    if (m->dma_rresp_valid_i) rresp_.pop_front();
    if (m->rx_valid_i) {
      ++beat_;
      if (m->rx_last_i) {
        wire_.pop_front();
        beat_ = 0;
      }
    }
    m->clk_i = 1;
    m->rx_clk_i = 1;
    m->eval();
    m->mmio_valid_i = 0;
    ++cycle;
  }
  void run(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) tick();
  }
  void write(uint32_t addr, uint32_t v) {
    m->mmio_valid_i = 1;
    m->mmio_we_i = 1;
    m->mmio_addr_i = addr;
    m->mmio_wdata_i = v;
    tick();
  }
  uint32_t read(uint32_t addr) {
    m->mmio_valid_i = 1;
    m->mmio_we_i = 0;
    m->mmio_addr_i = addr;
    tick();
    // One cycle in the boundary register, one to read; a read that never completes is the
    // NIC's bug, reported as all ones (a PCIe completion timeout) and counted.
    for (int i = 0; !m->mmio_rvalid_o; ++i) {
      if (i == 1000) {
        ++read_timeouts;
        return 0xFFFFFFFF;
      }
      tick();
    }
    return m->mmio_rdata_o;
  }
  void send(const std::vector<uint8_t>& frame_with_fcs) { wire_.push_back(frame_with_fcs); }
  bool wire_busy() const { return !wire_.empty(); }

  // Ring of `count` descriptors at 0x1000, buffers at 0x10000 + 4 KiB * i, igb's register
  // order, MSI-X with queue 0 on vector 1. RDT is left at `rdt`.
  void bring_up(uint16_t count, uint16_t rdt, bool drop_en = false, uint32_t rxdctl_thresh = 16) {
    ring = 0x1000;
    for (uint16_t i = 0; i < count; ++i) {
      const uint64_t buf = 0x10000 + 0x1000ull * i;
      std::memcpy(&mem[ring + 16 * i], &buf, 8);
      std::memset(&mem[ring + 16 * i + 8], 0, 8);
    }
    write(E1000_RXDCTL(0), 0);
    // as igb_setup_rctl: long packets (RLPML keeps its reset value, 9728), broadcasts
    write(E1000_RCTL, E1000_RCTL_EN | E1000_RCTL_SECRC | E1000_RCTL_LPE | E1000_RCTL_BAM);
    write(E1000_RDBAL(0), static_cast<uint32_t>(ring));
    write(E1000_RDBAH(0), 0);
    write(E1000_RDLEN(0), count * 16u);
    write(E1000_RDH(0), 0);
    write(E1000_RDT(0), 0);
    write(E1000_SRRCTL(0), 2 | E1000_SRRCTL_DESCTYPE_ADV_ONEBUF | (drop_en ? E1000_SRRCTL_DROP_EN : 0));
    write(E1000_RXDCTL(0), E1000_RXDCTL_QUEUE_ENABLE | rxdctl_thresh);  // default PTHRESH 16
    write(E1000_GPIE, E1000_GPIE_MSIX_MODE | E1000_GPIE_EIAME | E1000_GPIE_NSICR | E1000_GPIE_PBA);
    write(E1000_IVAR0, 1 | E1000_IVAR_VALID);
    write(E1000_EIAC, 0x2);
    write(E1000_EIAM, 0x2);
    write(E1000_EIMS, 0x3);
    write(E1000_RDT(0), rdt);
  }

  // Queue q (q > 0; queue 0 is bring_up's) on MSI-X vector q + 1: a ring of `count`
  // descriptors at queue_ring(q), buffers at queue_buf(q, i); RDT left at `rdt`. The global
  // set-up (RCTL, GPIE, EIAC/EIAM) is bring_up's, which must come first.
  static uint64_t queue_ring(unsigned q) { return 0x1000 + 0x1000ull * q; }
  static uint64_t queue_buf(unsigned q, unsigned i) { return 0x100000 + 0x10000ull * q + 0x1000ull * i; }
  void bring_up_queue(unsigned q, uint16_t count, uint16_t rdt, bool drop_en = false) {
    for (uint16_t i = 0; i < count; ++i) {
      const uint64_t buf = queue_buf(q, i);
      std::memcpy(&mem[queue_ring(q) + 16 * i], &buf, 8);
      std::memset(&mem[queue_ring(q) + 16 * i + 8], 0, 8);
    }
    write(E1000_RXDCTL(q), 0);
    write(E1000_RDBAL(q), static_cast<uint32_t>(queue_ring(q)));
    write(E1000_RDBAH(q), 0);
    write(E1000_RDLEN(q), count * 16u);
    write(E1000_RDH(q), 0);
    write(E1000_RDT(q), 0);
    write(E1000_SRRCTL(q), 2 | E1000_SRRCTL_DESCTYPE_ADV_ONEBUF | (drop_en ? E1000_SRRCTL_DROP_EN : 0));
    write(E1000_RXDCTL(q), E1000_RXDCTL_QUEUE_ENABLE | 16);
    // IVAR0(q/2), byte 2*(q%2): vector q + 1 (the 82580/I350 layout)
    const uint32_t reg = E1000_IVAR0 + 4 * (q / 2), shift = 16 * (q % 2);
    uint32_t ivar = read(reg);
    ivar = (ivar & ~(0xFFu << shift)) | ((q + 1) | E1000_IVAR_VALID) << shift;
    write(reg, ivar);
    const uint32_t bit = 1u << (q + 1);
    write(E1000_EIAC, read(E1000_EIAC) | bit);
    write(E1000_EIAM, read(E1000_EIAM) | bit);
    write(E1000_EIMS, bit);
    write(E1000_RDT(q), rdt);
  }

  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<M> m;
  std::vector<uint8_t> mem;
  uint64_t ring = 0;
  uint64_t cycle = 0;
  std::vector<dma_wr> writes;
  std::vector<dma_rd> reads;
  std::vector<msix_msg> msix;
  uint64_t dma_errors = 0;     // DMA outside `mem` (dropped writes, zero reads)
  uint64_t read_timeouts = 0;  // register reads the NIC never completed
  uint64_t mpc_events = 0;
  uint64_t runt_events = 0;  // frames dropped as shorter than 64 bytes (RUC)
  uint64_t long_events = 0;  // frames dropped as longer than the size filter allows (ROC)
  uint64_t filt_events = 0;  // frames dropped by the address filter (counted nowhere)

 private:
  static constexpr uint32_t kBeat = kDmaBeatBytes;
  static constexpr uint32_t kRxBeat = kRxBeatBytes;
  struct rresp { uint64_t cycle; uint8_t data[kBeat]; uint8_t tag; bool last; };
  std::deque<std::vector<uint8_t>> wire_;
  size_t beat_ = 0;
  std::deque<rresp> rresp_;
  dma_wr cur_;
  uint32_t cur_len_ = 0;
};
using rtl_harness = rtl_harness_t<Vigb_nic>;

// A frame of `len` bytes (FCS included; the FCS bytes here are a marker, not a CRC: the
// RTL strips them without checking).
// The station address the NIC loads into RAR[0] at reset (rtl/igb_pkg.sv NvmMacAddr): frames
// sent to it pass the address filter.
constexpr uint8_t kNvmMac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};

// A frame of len bytes (FCS included) for this station: the destination address is kNvmMac
// (as far as the frame reaches), the rest a pattern of the seed.
inline std::vector<uint8_t> test_frame(size_t len, uint8_t seed) {
  std::vector<uint8_t> f(len);
  for (size_t i = 0; i < len; ++i) f[i] = i < 6 ? kNvmMac[i] : static_cast<uint8_t>(seed + i * 13);
  return f;
}

}  // namespace igbsim::test
