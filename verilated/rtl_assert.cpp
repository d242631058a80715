// SPDX-License-Identifier: Apache-2.0
#include "rtl_assert.h"

#include <verilated.h>

namespace igbsim {

std::vector<rtl_assertion>& rtl_assertions() {
  static std::vector<rtl_assertion> v;
  return v;
}

}  // namespace igbsim

// The Verilator runtime's hook for $stop/$error (VL_USER_STOP_MAYBE): record and go on.
void vl_stop_maybe(const char* filename, int linenum, const char* hier, bool) VL_MT_UNSAFE {
  Verilated::threadContextp()->errorCountInc();
  igbsim::rtl_assertions().push_back({std::string(filename) + ":" + std::to_string(linenum) +
                                      " in " + (hier && *hier ? hier : "nic")});
}
