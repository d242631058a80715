// SPDX-License-Identifier: Apache-2.0
// Checkers of the driver against the NIC, outside the driver they judge, beside the scoreboard
// that judges delivery (README "Checks"): while the run goes, an unmasked vector whose NAPI is
// still scheduled, a forgotten tail write, a stranded packet; at its end, the counters against
// the fates the scoreboard saw, and where each frame without a fate is.
#pragma once
#include <systemc>

#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "hal.h"
#include "igb.h"
#include "kernel.h"
#include "nic.h"

namespace igbsim {

class igbsim_top;

class driver_checkers {
 public:
  // msix: igb uses MSI-X (else one interrupt); stranded_us: how long a written-back frame may
  // wait (sim.stranded_us); first_event tells whether the NIC has found no descriptor (rnbc)
  driver_checkers(kernel& k, nic& dev, hal& hw, igb_adapter& adapter, bool msix, double stranded_us,
                  const std::map<std::string, double>& first_event);
  // 1. No vector unmasked while its NAPI is still scheduled (EIMS before napi_complete_done);
  //    and the tail writes, for 3.
  void on_writel(uint32_t reg, uint32_t val);
  // 2 and 3: the checker's thread, which looks at the rings while the run goes
  void spawn();
  // 2. One look at the frames written back and not yet taken: reports those stranded now, and
  //    says whether it excused any that waited longer than the bound (something can still help)
  bool judge_stranded();
  // Wakes the checker from its sleep when nothing was pending
  sc_core::sc_event wake;

 private:
  void watch();
  bool check_tails(std::map<uint32_t, int>& tail_lag, bool& tail_reported);

  kernel& k_;
  nic& dev_;
  hal& hw_;
  igb_adapter& adapter_;
  const std::map<std::string, double>& first_event_;
  const bool msix_;
  const sc_core::sc_time stranded_bound_;
  std::map<unsigned, napi_struct*> napi_of_vector_;
  // Refilled descriptors given to the NIC: RDT follows next_to_use. A ring whose tail lags
  // behind the driver's refills while the NIC finds no descriptor is a forgotten tail write.
  std::map<uint32_t, uint32_t> rdt_written_;  // tail register -> last value written
  std::set<uint64_t> stranded_reported_;
};

// The counters as the scoreboard saw them, just before and just after the driver read the
// NIC's: a frame that moves while the registers are read is on either side.
struct run_tallies {
  struct tally {
    std::map<std::string, uint64_t> fates;
    uint64_t written_back = 0, out_of_pktbuf = 0;
  };
  tally before, after;
  uint64_t runt_drops = 0, oversize_drops = 0;  // the NIC's size filter: RUC, ROC
  uint64_t frames_written_back = 0;             // frames whose EOP descriptor is written back
};

// Frames without a fate when the run ended, by the place that holds them
struct in_flight_census {
  std::map<std::string, uint64_t> at;
  uint64_t in_flight = 0;  // no Linux name: frames on their way when the run ends (not drops)
  uint64_t lost = 0;       // held by nothing: lost_unaccounted
};

// /proc/net/softnet_stat summed over the cores
softnet_data softnet_total(kernel& k);
// Where each frame without a fate is (a violation when the places count more than there are)
in_flight_census take_census(igbsim_top& t);
// The counters against the fates the scoreboard saw (violations)
void check_counters(igbsim_top& t);
// Every delivered frame's journey steps in order along their chains (journey::misordered), and
// every sent datagram's (tx_journey::misordered)
void check_journey_order(igbsim_top& t);

}  // namespace igbsim
