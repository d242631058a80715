// SPDX-License-Identifier: Apache-2.0
// The layering tests compile this with one layer's include flags: it includes the header
// named by LAYERING_HEADER as a source file of that layer would (CMakeLists.txt here).
#include LAYERING_HEADER
