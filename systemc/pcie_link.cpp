// SPDX-License-Identifier: Apache-2.0
#include "pcie_link.h"

#include <algorithm>

namespace igbsim {

using namespace sc_core;

pcie_link::pcie_link(sc_module_name name, const pcie_params& p)
    : sc_module(name),
      dma_tgt_socket("dma_tgt_socket"),
      mem_init_socket("mem_init_socket"),
      mmio_tgt_socket("mmio_tgt_socket"),
      mmio_init_socket("mmio_init_socket"),
      p_(p) {
  dma_tgt_socket.register_b_transport(this, &pcie_link::dma_b_transport);
  dma_tgt_socket.register_get_direct_mem_ptr(this, &pcie_link::dma_get_dmi);
  mmio_tgt_socket.register_b_transport(this, &pcie_link::mmio_b_transport);
}

sc_time pcie_link::serialisation(uint32_t bytes) const {
  const uint32_t tlps = std::max(1u, (bytes + p_.max_payload_bytes - 1) / p_.max_payload_bytes);
  const double wire_bytes = bytes + double(tlps) * p_.tlp_overhead_bytes;
  return sc_time(wire_bytes * 8.0 / p_.gbps, SC_NS);
}

void pcie_link::dma_b_transport(tlm::tlm_generic_payload& gp, sc_time& delay) {
  const sc_time issue = sc_time_stamp() + delay;
  // A read request is a header-only TLP upstream; its completion data comes back downstream,
  // which the NIC does not otherwise use, so only writes occupy the upstream direction.
  sc_time ser = gp.is_write() ? serialisation(gp.get_data_length()) : serialisation(0);
  const sc_time start = std::max(issue, up_free_);
  up_free_ = start + ser;
  if (gp.is_write()) up_bytes_ += gp.get_data_length();
  if (gp.is_write()) {
    delay = (start - sc_time_stamp()) + ser + sc_time(p_.write_latency_ns, SC_NS);
  } else {
    delay = (start - sc_time_stamp()) + ser + sc_time(p_.read_latency_ns, SC_NS) +
            serialisation(gp.get_data_length());
  }
  mem_init_socket->b_transport(gp, delay);
  if (gp.is_write()) up_visible_ = std::max(up_visible_, sc_time_stamp() + delay);
}

bool pcie_link::dma_get_dmi(tlm::tlm_generic_payload& gp, tlm::tlm_dmi& dmi) {
  return mem_init_socket->get_direct_mem_ptr(gp, dmi);
}

void pcie_link::mmio_b_transport(tlm::tlm_generic_payload& gp, sc_time& delay) {
  mmio_issue_ext issue;
  issue.issued = sc_time_stamp() + delay;
  gp.set_extension(&issue);
  mmio_forward(gp, delay);
  gp.clear_extension(&issue);
}

void pcie_link::mmio_forward(tlm::tlm_generic_payload& gp, sc_time& delay) {
  if (gp.is_write()) {
    delay += sc_time(p_.write_latency_ns, SC_NS);
    mmio_init_socket->b_transport(gp, delay);
  } else {
    const sc_time half = sc_time(p_.read_latency_ns / 2, SC_NS);
    delay += half;
    mmio_init_socket->b_transport(gp, delay);
    delay += half;
    // PCIe ordering: the read completion travels upstream behind every posted write the
    // device issued before it (a completion must not pass a posted request), so the CPU has
    // the value only once those writes are visible. This is what makes igb_intr's ICR read
    // safe: the descriptors whose cause it clears are in memory when it returns.
    if (sc_time_stamp() + delay < up_visible_) delay = up_visible_ - sc_time_stamp();
  }
}

}  // namespace igbsim
