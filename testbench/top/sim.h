// SPDX-License-Identifier: Apache-2.0
// One igbsim run: elaborates the system from resolved parameters, simulates, checks, and
// returns the report. One per process (SystemC allows a single elaboration).
#pragma once
#include <nlohmann/json.hpp>

#include <csignal>
#include <string>

#include "gtkw.h"
#include "params.h"

namespace igbsim {

struct run_options {
  std::string outdir;  // where the output files go (already created)
  bool waves = false;
  bool quiet = false;
  // Where stderr is no terminal: seconds of wall time between progress lines (--progress-every)
  double progress_every_s = 10;
  bool rx_pcap = false;  // write rx.pcap: the frames delivered to sockets
  bool tx_pcap = false;  // write tx.pcap: the frames the NIC sent on its wire
  bool plots = false;    // write plots/*.png with gnuplot
  double waves_start_us = 0, waves_end_us = -1;  // --waves-window (end < 0: to the end)
};

// Set to the signal's number by a SIGINT/SIGTERM handler: the run stops at the next frame's
// fate (live traffic: within 50 us of simulated time), finishes its report as a partial
// result ("complete": false) and returns. A second signal ends the process at once.
extern volatile std::sig_atomic_t stop_signal;

struct run_outcome {
  nlohmann::json report;
  std::string summary;  // human summary
  bool violations = false;
  uint64_t first_frame_ps = 0;  // when the first frame started arriving (for the waveform view)
  unsigned rx_queues = 1;       // the receive queues igb set up
  unsigned tx_queues = 0;       // the transmit queues igb set up (0 without a sender)
  waves_layout layout;          // what the waveform's save file shows
  int interrupted_by = 0;       // the signal that stopped the run early, or 0
  // The run could not finish (exit 1), in one line; it has no result then. Returned, not
  // thrown: a throw after the SystemC kernel has switched stacks trips AddressSanitizer's
  // unannotated-stack warning (google/sanitizers#189), which then pollutes standard error.
  std::string error;
};

run_outcome run_simulation(const params& p, const run_options& o);

// Waveform save file for GTKWave: signals grouped by the story (testbench/report/gtkw.cpp),
// enum states named, opening on `view` (testbench/report/gtkw.h).
void write_gtkw(const std::string& path, const std::string& save_path, const std::string& fst_path,
                const std::string& waves_dir, const waves_view& view, const waves_layout& layout);

}  // namespace igbsim
