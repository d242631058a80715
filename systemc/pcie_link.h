// SPDX-License-Identifier: Apache-2.0
// pcie_link: the PCIe link between the NIC and the host, as a TLM-2.0 interconnect.
//
// Upstream (device DMA -> host memory): non-posted reads take read_latency_ns for the round
// trip plus serialisation; posted writes become visible write_latency_ns after they leave,
// plus serialisation. Serialisation counts TLP overhead per max_payload_bytes chunk at `gbps`,
// and each direction is one shared lane group: a transfer waits for the one before it.
// Downstream (CPU MMIO -> device BAR0): a read costs the round trip (half out, half back), and
// its completion does not pass the device's earlier posted writes; a write is posted and
// arrives write_latency_ns later. DMI requests are forwarded to memory.
// Downstream order: each MMIO request carries the time it left the CPU (mmio_issue_ext). With
// several CPUs, each running ahead of SystemC time by its own unpaid cost (LT temporal
// decoupling), requests reach the link in SystemC's order, not the order they left in; the
// NIC orders its posted writes by that time, and a read waits only for the writes that left
// before it (PCIe: a read does not pass earlier posted writes; a later write is not earlier).
#pragma once
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "hw_params.h"
#include "mmio_issue.h"

namespace igbsim {

class pcie_link : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<pcie_link> dma_tgt_socket;       // from the NIC
  tlm_utils::simple_initiator_socket<pcie_link> mem_init_socket;   // to host memory
  tlm_utils::simple_target_socket<pcie_link> mmio_tgt_socket;      // from the CPU
  tlm_utils::simple_initiator_socket<pcie_link> mmio_init_socket;  // to the NIC's BAR0

  pcie_link(sc_core::sc_module_name name, const pcie_params& p);

  sc_core::sc_time serialisation(uint32_t bytes) const;
  uint64_t upstream_bytes() const { return up_bytes_; }

 private:
  void dma_b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
  bool dma_get_dmi(tlm::tlm_generic_payload& gp, tlm::tlm_dmi& dmi);
  void mmio_b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
  void mmio_forward(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);

  pcie_params p_;
  sc_core::sc_time up_free_ = sc_core::SC_ZERO_TIME;  // upstream link busy until
  sc_core::sc_time up_visible_ =
      sc_core::SC_ZERO_TIME;  // the last upstream posted write visible at
  uint64_t up_bytes_ = 0;
};

}  // namespace igbsim
