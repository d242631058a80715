// SPDX-License-Identifier: Apache-2.0
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
#include "rtl_protocol.h"  // verilated/

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
  static constexpr uint32_t kReadLatency = 20;     // cycles
  static constexpr uint64_t kTxPreambleBytes = 8;  // preamble + SFD

  rtl_harness_t() : ctx_(std::make_unique<VerilatedContext>()), mem(2 << 20, 0) {
    ctx_->threads(1);
    ctx_->assertOn(true);
    m = std::make_unique<M>(ctx_.get(), "nic");
    rtl::power_on_reset(*m);
  }
  ~rtl_harness_t() { m->final(); }

  // One cycle, both clocks open (verilated/rtl_protocol.h). A register access set by write() or
  // read() is presented in it.
  void tick() {
    // Inputs: the 1 us tick, the wire's next beat, a due read-completion beat
    rtl::present_ticks(*m, cycle % kCyclesPerUs == 0 ? 1 : 0);
    const bool beat_in = !wire_.empty();
    bool beat_last = false;
    if (beat_in)
      beat_last = rtl::present_rx_beat(*m, wire_.front().data(), wire_.front().size(), beat_);
    else rtl::present_no_rx_beat(*m);
    const bool resp = rtl::rresp_due(rresp_, cycle);
    rtl::present_rresp(*m, resp ? &rresp_.front() : nullptr);
    rtl::present_host_ready(*m);
    // The transmit wire: free again a byte a cycle after each beat (1 Gb/s at 125 MHz), and
    // preamble and the MAC's gap (tx_ipg_o, from TIPG) after a frame's last
    const bool tx_ready = cycle >= tx_free_at_;
    rtl::present_tx_ready(*m, tx_ready);
    rtl::settle(*m);
    if (tx_ready && m->tx_valid_o) {
      const size_t before = tx_cur_.size();
      const bool last = rtl::collect_tx_beat(*m, tx_cur_);
      tx_free_at_ = cycle + (tx_cur_.size() - before) + (last ? kTxPreambleBytes + m->tx_ipg_o : 0);
      if (last) {
        tx_frame_last_cycle.push_back(cycle);
        tx_frames.push_back(std::move(tx_cur_));
        tx_cur_.clear();
      }
    }
    // Handshakes that complete at this edge
    if (m->dma_req_valid_o) on_dma_request(rtl::dma_request_of(*m));
    if (m->dma_wdata_valid_o && rtl::collect_wdata(*m, cur_.data, cur_len_)) on_dma_write_done();
    if (m->msix_valid_o) msix.push_back({cycle, m->msix_vec_o});
    switch (rtl::frame_end_of(*m)) {
      case rtl::frame_end::missed: ++mpc_events; break;
      case rtl::frame_end::runt: ++runt_events; break;
      case rtl::frame_end::oversize: ++long_events; break;
      case rtl::frame_end::filtered: ++filt_events; break;
      default: break;
    }
    // The inputs presented are taken at the edge
    if (resp) rresp_.pop_front();
    if (beat_in) {
      ++beat_;
      if (beat_last) {
        wire_.pop_front();
        beat_ = 0;
      }
    }
    rtl::clock_edge(*m, true, true);
    rtl::present_no_mmio(*m);
    ++cycle;
  }
  void run(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) tick();
  }
  void write(uint32_t addr, uint32_t v) {
    rtl::present_mmio_write(*m, addr, v);
    tick();
  }
  uint32_t read(uint32_t addr) {
    rtl::present_mmio_read(*m, addr);
    tick();
    // One cycle in the boundary register, one to read; a read that never completes is the
    // NIC's bug, reported as all ones (a PCIe completion timeout) and counted.
    if (!rtl::await_read_completion(*m, [this] { tick(); })) {
      ++read_timeouts;
      return 0xFFFFFFFF;
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
    write(E1000_SRRCTL(0),
          2 | E1000_SRRCTL_DESCTYPE_ADV_ONEBUF | (drop_en ? E1000_SRRCTL_DROP_EN : 0));
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
  static uint64_t queue_buf(unsigned q, unsigned i) {
    return 0x100000 + 0x10000ull * q + 0x1000ull * i;
  }
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
    write(E1000_SRRCTL(q),
          2 | E1000_SRRCTL_DESCTYPE_ADV_ONEBUF | (drop_en ? E1000_SRRCTL_DROP_EN : 0));
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
  std::vector<std::vector<uint8_t>> tx_frames;  // frames the transmit wire took, DA .. FCS
  std::vector<uint64_t> tx_frame_last_cycle;    // ... and the cycle each one's last beat went
  uint64_t dma_errors = 0;                      // DMA outside `mem` (dropped writes, zero reads)
  uint64_t read_timeouts = 0;                   // register reads the NIC never completed
  uint64_t mpc_events = 0;
  uint64_t runt_events = 0;  // frames dropped as shorter than 64 bytes (RUC)
  uint64_t long_events = 0;  // frames dropped as longer than the size filter allows (ROC)
  uint64_t filt_events = 0;  // frames dropped by the address filter (counted nowhere)

 private:
  void on_dma_request(const rtl::dma_request& r) {
    if (r.write) {
      cur_ = dma_wr{cycle, r.addr, r.tag, {}};
      cur_len_ = r.len;
      return;
    }
    reads.push_back({cycle, r.addr, r.len, r.tag});
    const bool inside = r.addr < mem.size() && r.len + kDmaBeatBytes <= mem.size() - r.addr;
    if (!inside) ++dma_errors;  // outside host memory: the completion carries zeros
    rtl::queue_read_completion(rresp_, cycle + kReadLatency, inside ? &mem[r.addr] : nullptr, r.len,
                               r.tag);
  }
  void on_dma_write_done() {
    if (cur_.addr < mem.size() && cur_len_ <= mem.size() - cur_.addr)
      std::memcpy(&mem[cur_.addr], cur_.data.data(), cur_len_);
    else ++dma_errors;  // outside host memory: dropped
    writes.push_back(cur_);
  }

  std::deque<std::vector<uint8_t>> wire_;
  size_t beat_ = 0;
  std::deque<rtl::rresp_beat> rresp_;
  dma_wr cur_;
  uint32_t cur_len_ = 0;
  uint64_t tx_free_at_ = 0;  // the cycle the transmit wire takes a beat again
  std::vector<uint8_t> tx_cur_;
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
