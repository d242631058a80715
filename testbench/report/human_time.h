// SPDX-License-Identifier: Apache-2.0
// Times as a person reads them, for the human-facing outputs (the run's summary, `igbsim
// journey`): three significant figures in ns, us, ms or s ("128 ns", "4.35 us", "2.70 ms").
// Machine outputs (report.json, the CSV files) keep their ns fields.
#pragma once
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string>

namespace igbsim {

inline std::string human_time(double ns) {
  if (!std::isfinite(ns)) return "-";
  if (ns == 0) return "0 ns";
  static const char* const kUnits[] = {"ns", "us", "ms", "s"};
  const double mag = std::fabs(ns);
  size_t u = 0;
  double v = mag;
  while (u < 3 && v >= 999.5) {  // 999.6 ns rounds to "1.00 us", not "1000 ns"
    v /= 1000.0;
    ++u;
  }
  // Three significant figures; a value that rounds up into the next decade drops a decimal
  const int decimals = v >= 99.95 ? 0 : v >= 9.995 ? 1 : 2;
  // Below 100 ns one decimal is enough (a tenth of a ns)
  const int d = u == 0 ? std::min(decimals, 1) : decimals;
  return fmt::format("{}{:.{}f} {}", ns < 0 ? "-" : "", v, d, kUnits[u]);
}

}  // namespace igbsim
