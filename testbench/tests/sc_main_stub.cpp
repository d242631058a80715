// SPDX-License-Identifier: Apache-2.0
// Tests run from GoogleTest's main and drive SystemC themselves (sc_start); libsystemc still
// needs an sc_main symbol to link.
#include <systemc>

int sc_main(int, char*[]) { return 0; }
