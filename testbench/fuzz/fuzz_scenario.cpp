// SPDX-License-Identifier: Apache-2.0
// Fuzz target: the scenario parser. The input is a scenario file (TOML), optionally followed
// by a NUL byte and --set assignments, one per line. Anything may be rejected, but only with
// input_error (which igbsim reports as one line and exit 2); anything accepted must come back
// unchanged through the resolved scenario it writes (scenario.toml in every output folder).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>

#include "params.h"

using namespace igbsim;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string in(reinterpret_cast<const char*>(data), size);
  const size_t nul = in.find('\0');
  const std::string toml = in.substr(0, nul);
  params p;
  try {
    p.load_string(toml, "fuzz.toml");
    if (nul != std::string::npos) {
      std::istringstream sets(in.substr(nul + 1));
      for (std::string line; std::getline(sets, line);) p.set(line);
    }
  } catch (const input_error&) {
    return 0;  // rejected with a message: the contract
  }
  const std::string resolved = p.to_toml();
  params q;
  try {
    q.load_string(resolved, "scenario.toml");
  } catch (const input_error& e) {
    std::fprintf(stderr, "fuzz_scenario: the resolved scenario does not load back: %s\n", e.what());
    std::abort();
  }
  if (q.to_toml() != resolved) {
    std::fprintf(stderr, "fuzz_scenario: the resolved scenario changes when loaded back\n");
    std::abort();
  }
  return 0;
}

// libsystemc, linked with the model, wants an sc_main even where no simulation runs.
extern "C" int sc_main(int, char*[]) { return 0; }
