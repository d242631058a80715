// SPDX-License-Identifier: Apache-2.0
// report.json and the human summary of one run, read from the top's parts once it has run
// (the report's fields: README "report.json").
#pragma once
#include <nlohmann/json.hpp>

#include <string>

namespace igbsim {

class igbsim_top;

nlohmann::json build_report(igbsim_top& t, double wall_s);
std::string build_summary(igbsim_top& t, const nlohmann::json& report, double wall_s);

}  // namespace igbsim
