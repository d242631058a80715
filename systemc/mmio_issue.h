// SPDX-License-Identifier: Apache-2.0
// mmio_issue_ext: the time a downstream MMIO request left the CPU (its local time then), set by
// pcie_link on every register read and write it carries; the NIC orders posted writes by it and
// lets a read wait only for the writes that left before it (pcie_link.h).
#pragma once
#include <systemc>
#include <tlm>

namespace igbsim {

struct mmio_issue_ext : tlm::tlm_extension<mmio_issue_ext> {
  sc_core::sc_time issued;
  tlm_extension_base* clone() const override { return new mmio_issue_ext(*this); }
  void copy_from(const tlm_extension_base& e) override {
    issued = static_cast<const mmio_issue_ext&>(e).issued;
  }
};

}  // namespace igbsim
