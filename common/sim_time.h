// SPDX-License-Identifier: Apache-2.0
// Conversions between sc_time and integer picoseconds, for the paths that run per frame or
// per cycle. sc_time's (double, unit) constructor costs about 35 instructions, so the number
// of time-resolution units in a picosecond is read once (the resolution is fixed by then).
#pragma once

#include <systemc>

#include <cstdint>

namespace igbsim {

inline uint64_t units_per_ps() {
  static const uint64_t units = sc_core::sc_time(1, sc_core::SC_PS).value();
  return units;
}

inline uint64_t ps_of(const sc_core::sc_time& t) { return t.value() / units_per_ps(); }

inline sc_core::sc_time time_of_ps(uint64_t ps) {
  return sc_core::sc_time::from_value(ps * units_per_ps());
}

// The same value as sc_time(ns, SC_NS), which rounds ns times the units per ns to nearest.
inline sc_core::sc_time time_of_ns(double ns) {
  static const double units_per_ns = 1000.0 * static_cast<double>(units_per_ps());
  return sc_core::sc_time::from_value(
      static_cast<sc_core::sc_time::value_type>(static_cast<int64_t>(ns * units_per_ns + 0.5)));
}

}  // namespace igbsim
