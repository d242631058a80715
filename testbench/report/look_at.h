// SPDX-License-Identifier: Apache-2.0
// The summary's `look at` line: the report.json figures a scenario says to look at
// (summary.look_at: paths such as `nic.mpc`, `cpu[0].hardirq_ns`, `tx.bql[*].limit`), each
// labelled with its path, times in human units.
#pragma once
#include <nlohmann/json.hpp>

#include <string>

namespace igbsim {

// "" when every path of a summary.look_at setting is well formed, else why not
std::string look_at_check(const std::string& paths);
// The value at a report.json path ([*]: each element of an array, as an array); null when
// the report has none there. A drop counter that never counted (checks.dropped_by.X) is 0.
nlohmann::json look_at_value(const nlohmann::json& report, const std::string& path);
// A value as the summary shows it: times (a key ending in _ns or _us, a latency figure under
// latency_ns) in human units, whole numbers whole, others to three figures; "-" for null
std::string look_at_shown(const nlohmann::json& v, const std::string& path);
// "  look at    PATH VALUE, PATH VALUE ...\n", or "" without paths
std::string look_at_line(const nlohmann::json& report, const std::string& paths);

}  // namespace igbsim
