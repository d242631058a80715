// SPDX-License-Identifier: Apache-2.0
// The tests read waveforms with the program's reader (testbench/report/fst_read.h).
#pragma once
#include "fst_read.h"

namespace igbsim::test {
using fst::bits_to_u64;
using fst::change;
using fst::fst_blocks;
using fst::read_fst;
}  // namespace igbsim::test
