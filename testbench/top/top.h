// SPDX-License-Identifier: Apache-2.0
// The simulated system as one SystemC module, as the TLM examples' lt_top: the wire, the NIC,
// the PCIe link, host memory, the HAL, the kernel model with its driver and the application,
// built from a run_config and bound together. run() simulates to the run's end and accounts
// for every frame; the report (testbench/report.h) reads the parts afterwards.
#pragma once
#include <systemc>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "app.h"
#include "checkers.h"
#include "tx_checkers.h"
#include "eth_wire.h"
#include "hal.h"
#include "host_mem.h"
#include "igb.h"
#include "kernel.h"
#include "live.h"
#include "nic.h"
#include "pcie_link.h"
#include "run_config.h"
#include "scoreboard.h"
#include "tx_scoreboard.h"
#include "sim.h"
#include "sim_time.h"
#include "traffic.h"

struct pcap;
struct pcap_dumper;

namespace igbsim {

// rx.pcap: the frames that reached a socket, as captured on the host (no FCS), stamped with
// the time read() returned them
class rx_capture {
 public:
  rx_capture(bool enabled, const std::string& path);  // throws when the file cannot be made
  ~rx_capture() { close(); }
  bool enabled() const { return dump_ != nullptr; }
  void keep(uint64_t id, std::vector<uint8_t> body) { frames_.emplace(id, std::move(body)); }
  void forget(uint64_t id) { frames_.erase(id); }
  void write(uint64_t id, const sc_core::sc_time& t);  // the frame's body, then forgotten
  void close();

 private:
  std::unordered_map<uint64_t, std::vector<uint8_t>> frames_;
  pcap* pcap_ = nullptr;
  pcap_dumper* dump_ = nullptr;
};

class igbsim_top : public sc_core::sc_module {
 public:
  // Builds and binds every part; throws input_error or runtime_error (nothing has run then)
  igbsim_top(sc_core::sc_module_name name, const run_config& c, const run_options& o);
  // Simulates until run control stops it, then accounts for every frame. Returns the error
  // that kept the run from finishing, or "".
  std::string run();

  const run_config& cfg;
  const run_options& opt;
  kernel k;
  scoreboard sb;
  rx_capture rx;
  traffic_source src;
  std::unique_ptr<live_listener> live;
  eth_wire wire;
  host_mem mem;
  pcie_link link;
  nic dev;
  hal hw;
  std::vector<std::unique_ptr<sock>> socks;
  std::vector<sock*> sockp;
  igb_adapter adapter;
  std::unique_ptr<server_app> app;
  // The sender application (send.*; none when send.frames is 0), its sockets, and the
  // transmit scoreboard that judges what the NIC put on its wire
  std::vector<std::unique_ptr<sock>> send_socks;
  std::unique_ptr<udp_sender> sender;
  tx_scoreboard txsb;
  size_t tx_seen = 0;           // the NIC's wire frames handed to txsb so far
  uint64_t tx_mac_control = 0;  // of them, MAC control (PAUSE) frames, not handed to txsb
  uint64_t sender_done_ps = 0;  // when the last sender thread finished (0: not yet)
  bool tx_drained = true;       // every sent datagram on the wire or dropped by the drain's end
  // Echo requests without an answer at the end, by why (report tx.echo.unanswered_by)
  struct echo_census_t {
    uint64_t rx_in_flight = 0, being_served = 0, not_on_wire = 0;
  } echo_census;
  uint64_t echo_in_sendto = 0;  // echo replies whose sendto has been called and not returned
  // Sent datagrams without a fate at the end, by where they are: the qdiscs' backlog, the
  // transmit rings (handed to the NIC, not cleaned), cleaned by the driver but not on the wire
  // (in the NIC's FIFO); lost: none of these (a violation)
  struct tx_census_t {
    uint64_t qdisc = 0, tx_ring = 0, nic = 0, lost = 0;
    uint64_t in_flight() const { return qdisc + tx_ring + nic; }
  } tx_census;
  // First occurrence of the events --waves-trigger can select (simulated ns)
  std::map<std::string, double> first_event;
  driver_checkers checkers;
  tx_checkers txcheck;
  run_tallies tallies;

  uint64_t first_frame_ps = UINT64_MAX;  // when the first frame started arriving
  bool drained = false;                  // every frame had its fate before the drain's bound
  int interrupted_by = 0;                // the stop signal that ended the run early, or 0
  uint64_t end_ps = 0;                   // simulated time at the end
  in_flight_census census;               // frames without a fate at the end

 private:
  void connect_nic_events();
  void connect_host_events();
  void open_sockets();
  void open_sender();
  void open_tx_journey();
  void start_transmit();
  // The host sends (a sender application, or an echo server's replies)
  bool transmits() const { return sender || txsb.echo(); }
  // Every sender thread finished, and every delivered request's reply was attempted
  bool senders_done() const;
  // A reply on the NIC's wire to a live client goes to that client over the live socket
  void forward_to_live(const uint8_t* ip);
  void tx_drain();
  bool tx_settled();
  bool driver_waits_for_completion() const;
  void take_tx_census();
  void take_echo_census();
  // The NIC's wire frames not yet judged go to the transmit scoreboard
  void collect_tx();
  // The qdiscs' drops, all TX queues together (0 without a sender)
  uint64_t tx_dropped_packets();
  void start_tasks();
  void spawn_run_control();
  void progress();
  double fraction_done() const;
  // The earliest of each kind: a CPU stamps its events with its local time, which runs ahead of
  // SystemC's, so a later call can carry an earlier time
  void note_event(const std::string& ev, const sc_core::sc_time& t) {
    const double ns = static_cast<double>(ps_of(t)) / 1000.0;
    const auto [it, first] = first_event.emplace(ev, ns);
    if (!first) it->second = std::min(it->second, ns);
  }
  // nic_time: the NIC's time of a drop at the NIC (else the CPU's now)
  void drop(uint64_t id, const std::string& counter, const sc_core::sc_time* nic_time = nullptr);
  void take_tally(run_tallies::tally& t);

  sc_core::sc_event run_ev_;         // run control's wake-ups (see spawn_run_control)
  std::function<void()> fate_hook_;  // after every frame's fate
  task_struct bringup_;
  task_struct stats_task_;
  bool stats_read_ = false;
  enum class progress_mode { off, terminal, log };
  progress_mode progress_ = progress_mode::off;
  bool progress_shown_ = false;
  size_t progress_width_ = 0;  // the longest progress line yet (terminal)
  double next_progress_s_ = 2.0;
  std::chrono::steady_clock::time_point wall0_;
};

}  // namespace igbsim
