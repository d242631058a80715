// SPDX-License-Identifier: Apache-2.0
// Parameters of the hardware side (NIC, PCIe, wire, host memory). Every latency is named and
// carries its unit; the defaults a run uses, with their basis, are in the scenario parameter
// registry (testbench/config/params.cpp).
#pragma once
#include <cstdint>

namespace igbsim {

struct pcie_params {
  double read_latency_ns = 900;      // round trip of a non-posted read (DMA read or MMIO read)
  double write_latency_ns = 400;     // posted write: issue to visibility at the far side
  double gbps = 16;                  // link data rate after 8b/10b (Gen2 x4)
  uint32_t tlp_overhead_bytes = 24;  // per TLP: header, sequence number, LCRC, framing
  uint32_t max_payload_bytes = 256;  // a longer transfer is split into TLPs of this size
};

struct nic_params {
  double clock_mhz = 125;        // core clock: 8 ns per cycle
  double msix_latency_ns = 500;  // interrupt message at the root complex to interrupt entry
  // How interrupts reach the CPU: messages (MSI-X, or MSI on vector 0), or the INTx level,
  // delivered on each rising edge (with the same latency).
  bool intx = false;
  uint8_t fault_bits = 0;       // RTL fault injection (igb_nic fault_i)
  bool ivar_82576 = false;      // the part's strap: the 82576's IVAR layout (igb_nic ivar_82576_i)
  uint8_t tx_data_reads = 8;    // strap: transmit data reads out at most, 1..16 (tx_reads_max_i)
  uint32_t rtl_queues = 8;      // the Verilated model: 8 queues, or 4 (systemc/nic.h)
  uint32_t rx_burst_beats = 4;  // the MAC's 16-byte beats per burst into the packet buffer (nic.h)
  // The transmit wire the NIC's MAC sends on (eth_wire's figures): a byte every tx_ns_per_byte
  // (1 Gb/s), preamble + SFD before each frame; the gap after it is the MAC's (tx_ipg_o, from
  // TIPG)
  double tx_ns_per_byte = 8;
  uint32_t tx_preamble_bytes = 8;
  // Planted model bug (hidden fault.nic_spin): once a frame is in the packet buffer the NIC's
  // run loop stops advancing and spins in zero time, for the progress watchdog's test.
  bool fault_spin = false;
};

struct wire_params {
  double gbps = 1.0;
  uint32_t preamble_bytes = 8;  // preamble + SFD
  uint32_t ifg_bytes = 12;      // inter-frame gap
  uint32_t fcs_bytes = 4;
  // The link partner honours the NIC's PAUSE frames (802.3x flow control resolved with it to
  // include the NIC's transmit side): after an XOFF it starts no frame for its pause time x
  // 512 bit times, after an XON it resumes (eth_wire::partner_receive)
  bool honour_pause = false;
  // The link partner as a receiver (eth_wire::partner_receive): a buffer of partner_rx_buffer
  // bytes that frees each of the NIC's frames (MAC control frames aside) once it has absorbed
  // it at partner_rx_rate_pct of line rate, one after another; a frame that does not fit is lost
  // (partner_rx_dropped). With send_pause (flow control resolved with it to include the NIC's
  // receive side) it sends 802.3x PAUSE frames onto the NIC's receive wire by the buffer's
  // marks, computed as igb_setup_fc does for the NIC's own packet buffer from
  // partner_max_frame (the largest frame the NIC sends: MTU + 22).
  uint32_t partner_rx_rate_pct = 100;
  uint32_t partner_rx_buffer = 65536;
  uint32_t partner_max_frame = 1522;
  bool send_pause = false;
};

}  // namespace igbsim
