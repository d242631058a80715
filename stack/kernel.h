// kernel: the shared state of the modelled Linux kernel: its sysctls, the CPU cost table,
// the cores, per-CPU softnet data, the SNMP/softnet/driver counters that report.json shows,
// and the hooks that connect tracepoints to the waveform, the journey and the checkers.
#pragma once
#include <systemc>

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "costs.h"
#include "cpu.h"
#include "journey.h"
#include "dev.h"
#include "net.h"

namespace igbsim {

class wave_tracer;
enum class sw_sig;
struct napi_struct;

struct kernel_params {
  int cores = 1;
  int netdev_budget = 300;           // net.core.netdev_budget
  int netdev_budget_usecs = 2000;    // net.core.netdev_budget_usecs (2 jiffies at HZ=1000)
  int netdev_max_backlog = 1000;     // net.core.netdev_max_backlog
  int rmem_default = 212992;         // net.core.rmem_default: socket receive buffer, bytes
};

// softnet_data (per CPU): the NAPI poll list and /proc/net/softnet_stat counters.
struct softnet_data {
  std::deque<napi_struct*> poll_list;
  std::deque<sk_buff*> input_pkt_queue;  // netif_rx's backlog (drivers without NAPI)
  napi_struct backlog;                   // its NAPI, polled by process_backlog
  uint64_t processed = 0, dropped = 0, time_squeeze = 0;
};

// Counters under the names Linux gives them.
struct kernel_stats {
  // SNMP (nstat names)
  uint64_t ip_in_receives = 0, ip_in_hdr_errors = 0, ip_in_csum_errors = 0,
           ip_in_truncated_pkts = 0, ip_in_delivers = 0, ip_in_unknown_protos = 0,
           ip_in_addr_errors = 0, ip_frags_dropped = 0;
  uint64_t udp_in_datagrams = 0, udp_rcvbuf_errors = 0, udp_no_ports = 0,
           udp_in_errors = 0, udp_in_csum_errors = 0;
  uint64_t tcp_in_segs = 0, tcp_out_rsts = 0, gro_merged = 0;
  // wake-up path
  uint64_t sk_data_ready = 0, wq_entries_visited = 0, pollwake_calls = 0,
           ep_poll_callback_calls = 0, vfs_poll_calls = 0, poll_table_entries_added = 0,
           task_wakeups = 0;
  // application
  uint64_t delivered_packets = 0, delivered_bytes = 0, reads = 0, epoll_wait_calls = 0,
           select_calls = 0;
  // NAPI
  uint64_t napi_schedules = 0, polls = 0, polls_budget_exhausted = 0;
};

struct violation {
  uint64_t t_ps;
  std::string kind;
  std::string detail;
  int64_t frame = -1;
};

class kernel {
 public:
  kernel(const kernel_params& p, const cost_table& c);
  ~kernel();
  kernel_params params;
  cost_table cost;
  kernel_stats st;
  softnet_data sd;
  journey jr;
  task_struct* app_task = nullptr;
  udp_table udp;
  uint32_t local_addr = 0;          // the host's IPv4 address (0: accept any)
  uint64_t cur_frame = UINT64_MAX;   // frame whose sk_data_ready is running (journey)  // the task whose state the waveform and journey show

  cpu_core& cpu(int i = 0) { return *cores_.at(i); }
  cpu_core& this_cpu() { return *cores_.at(0); }

  // Waveform probe (no-op without a tracer)
  void probe(sw_sig s, uint32_t v, unsigned queue = 0);  // queue: for the per-queue signals
  void set_tracer(wave_tracer* t) { tracer_ = t; }

  // Checker verdicts
  void violate(const std::string& kind, const std::string& detail, int64_t frame = -1);
  const std::vector<violation>& violations() const { return violations_; }
  // Frame fates reported by any layer: the scoreboard listens.
  std::function<void(uint64_t id, const std::string& counter)> on_drop;
  std::function<void(uint64_t id, const uint8_t* data, size_t len, const sc_core::sc_time& t)>
      on_deliver;

 private:
  std::vector<std::unique_ptr<cpu_core>> cores_;
  wave_tracer* tracer_ = nullptr;
  std::vector<violation> violations_;
};

}  // namespace igbsim
