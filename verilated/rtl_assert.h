// SPDX-License-Identifier: Apache-2.0
// RTL assertion failures, collected instead of stopping the simulation. The Verilator runtime
// is built with VL_USER_STOP_MAYBE, so a failing SystemVerilog assertion ($error) calls the
// vl_stop_maybe defined in rtl_assert.cpp, which records where it failed; the nic module turns
// each record into a named violation (exit 3) at the cycle it happened.
#pragma once
#include <string>
#include <vector>

namespace igbsim {

struct rtl_assertion {
  std::string where;  // file:line and the instance
};
std::vector<rtl_assertion>& rtl_assertions();

}  // namespace igbsim
