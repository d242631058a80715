// SPDX-License-Identifier: Apache-2.0
// The Verilated NIC's data ports as the C++ around it sees them: beat widths (rtl/igb_pkg.sv
// DmaW and RxW) and copies into and out of Verilator's wide port words, checked at compile
// time against the width the RTL was Verilated with. Used by the co-simulation (nic.cpp), the
// bare harness (testbench/harness/rtl_harness.h) and the parameters that count beats.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace igbsim {

constexpr unsigned kDmaBeatBytes = 16;  // memory port, both ways: a descriptor or two buffer words
constexpr unsigned kRxBeatBytes = 16;   // receive stream from the MAC

// The first n bytes of src into a port of Bytes bytes, the rest zero.
template <unsigned Bytes, class Port>
void load_beat(Port& port, const uint8_t* src, size_t n) {
  static_assert(sizeof(Port) == Bytes, "the RTL port is not this wide (rtl/igb_pkg.sv)");
  std::memset(port.data(), 0, Bytes);
  std::memcpy(port.data(), src, n);
}

// A port of Bytes bytes into dst.
template <unsigned Bytes, class Port>
void store_beat(const Port& port, uint8_t* dst) {
  static_assert(sizeof(Port) == Bytes, "the RTL port is not this wide (rtl/igb_pkg.sv)");
  std::memcpy(dst, port.data(), Bytes);
}

}  // namespace igbsim
