// SPDX-License-Identifier: Apache-2.0
// One run's configuration, typed: what each module of the top takes, derived from the resolved
// parameters (testbench/params.h) and checked as a whole (cross-parameter rules, the run's
// simulated extent, host memory). configure_run throws input_error for a configuration that
// cannot run; nothing has been created then. A parameter bound to a field (testbench/params.cpp)
// takes its default from that field's member initializer, here or in the module's struct.
#pragma once
#include <systemc>

#include <cstdint>
#include <optional>
#include <string>

#include "app.h"
#include "costs.h"
#include "host_mem.h"
#include "igb.h"
#include "kernel.h"
#include "nic.h"
#include "params.h"
#include "pcie_link.h"
#include "traffic.h"

namespace igbsim {

struct run_config {
  pcie_params pp;
  igb_setup want;  // what igb is given at probe (driver/igb_part.h)
  igb_plan plan;   // what it decides
  nic_params np;
  wire_params wire;  // the wire to the link partner (the partner's receive side: wire.partner_rx_*)
  bool lockstep = false;
  kernel_params kp;
  cost_table costs;
  traffic_config tc;
  double mean_bytes = 0;    // mean frame size, FCS included (a capture's own when replayed)
  std::string sizes;        // traffic.size as given
  uint64_t pcap_count = 0;  // frames in a replayed capture
  std::string live_addr = "127.0.0.1";  // traffic.live_addr
  uint16_t live_port = 15001;
  igb_config ic;
  app_config ac;
  send_config sc;             // the sender application (send.frames 0: none)
  std::string app_kind;       // app.kind as given (report)
  int64_t fd_setsize = 1024;  // FD_SETSIZE in glibc
  uint32_t nsocks = 0;        // sockets the application reads
  uint32_t rcvlowat = 1;      // TCP sockets' SO_RCVLOWAT
  host_mem_layout layout;
  sc_core::sc_time drain;
  double stranded_us = 2000;  // the stranded-packet checker's bound
  // dev_watchdog's watchdog_timeo (igb: 5 s); shorter so a simulated run, which lasts
  // milliseconds, can see a stopped queue time out
  double tx_timeout_us = 100000;
  int64_t seed = 0;
  uint32_t send_wire_frames = 1;  // frames each sent datagram leaves as (IPv4 fragments)
  // sim.journey: keep the journey rows of every N-th frame and datagram (1: all; 0: off, no
  // journey.csv / tx_journey.csv)
  uint64_t journey_every = 1;
  // summary.look_at: the report.json paths the summary's `look at` line shows
  std::string look_at;
};

run_config configure_run(const params& p);

// A sim.journey (or --journey) setting: "all" (1), "off" (0) or "sample=N" (N, a whole number
// >= 1). Empty optional and why set when it is none of them.
std::optional<uint64_t> journey_every(const std::string& setting, std::string& why);

}  // namespace igbsim
