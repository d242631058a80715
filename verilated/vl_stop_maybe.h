// SPDX-License-Identifier: Apache-2.0
// Declares the Verilator runtime hook that rtl_assert.cpp defines: verilated.cpp, built with
// VL_USER_STOP_MAYBE, calls it without declaring it. Force-included into the runtime's build.
#pragma once
void vl_stop_maybe(const char* filename, int linenum, const char* hier, bool maybe);
