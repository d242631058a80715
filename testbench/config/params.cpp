// SPDX-License-Identifier: Apache-2.0
#include "params.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <toml++/toml.h>

#include "costs.h"
#include "look_at.h"
#include "rtl_ports.h"
#include "run_config.h"

namespace igbsim {

namespace {

// Edits (insert, delete, replace, swap two neighbours) between a and b (optimal string
// alignment): a typing slip is one or two
size_t edits(const std::string& a, const std::string& b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i)
    for (size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min(
          {d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

}  // namespace

std::string printable(const std::string& s) {
  std::string o;
  for (unsigned char c : s) {
    if (c == '\n') o += "\\n";
    else if (c < 0x20 || c == 0x7f) o += fmt::format("\\x{:02x}", c);
    else o += static_cast<char>(c);
  }
  return o;
}

std::string did_you_mean(const std::string& given, const std::vector<std::string>& known) {
  // The nearest, if near enough to be a slip: at most 2 edits, fewer for short words; a tie
  // suggests nothing (which of the two was meant is a guess)
  const size_t limit = std::min<size_t>(2, std::max<size_t>(1, given.size() / 4));
  size_t best = limit + 1;
  std::string pick;
  bool tie = false;
  for (const auto& k : known) {
    const auto lower = [](std::string x) {
      std::transform(x.begin(), x.end(), x.begin(),
                     [](unsigned char c) { return std::tolower(c); });
      return x;
    };
    const size_t e = edits(lower(given), lower(k));
    if (e < best) {
      best = e;
      pick = k;
      tie = false;
    } else if (e == best) {
      tie = true;
    }
  }
  if (best <= limit && !tie) return "; did you mean '" + pick + "'?";
  // A word cut short: the few it begins
  std::vector<std::string> longer;
  for (const auto& k : known)
    if (k.size() > given.size() && k.rfind(given, 0) == 0) longer.push_back(k);
  if (longer.empty() || longer.size() > 3) return "";
  std::string list;
  for (size_t i = 0; i < longer.size(); ++i)
    list += (i == 0 ? "'" : i + 1 == longer.size() ? " or '" : ", '") + longer[i] + "'";
  return "; did you mean " + list + "?";
}

namespace {
param_def make(const std::string& key, param_value def, const std::string& unit, double lo,
               double hi, std::vector<std::string> choices, const std::string& meaning) {
  param_def d;
  d.key = key;
  d.def = std::move(def);
  d.unit = unit;
  d.meaning = meaning;
  d.min = lo;
  d.max = hi;
  d.choices = std::move(choices);
  return d;
}
param_def num(const std::string& key, double def, const std::string& unit, double lo, double hi,
              const std::string& meaning) {
  return make(key, def, unit, lo, hi, {}, meaning);
}
param_def integer(const std::string& key, int64_t def, const std::string& unit, double lo,
                  double hi, const std::string& meaning) {
  return make(key, def, unit, lo, hi, {}, meaning);
}
param_def choice(const std::string& key, const std::string& def, std::vector<std::string> choices,
                 const std::string& meaning) {
  return make(key, def, "", 0, 0, std::move(choices), meaning);
}
param_def multiple_of(param_def d, int64_t m, const std::string& why) {
  d.multiple_of = m;
  d.multiple_why = why;
  return d;
}
// A word from `choices` (the default among them) or a number in [lo, hi]; an integer when
// integer_only (multiple_of 1). p.s() gives the word or the number as written.
param_def word_or_number(const std::string& key, const std::string& def,
                         std::vector<std::string> choices, const std::string& unit, double lo,
                         double hi, bool integer_only, const std::string& meaning) {
  param_def d = make(key, def, unit, lo, hi, std::move(choices), meaning);
  d.number_or_choice = true;
  if (integer_only) d.multiple_of = 1;
  return d;
}
param_def flag(const std::string& key, bool def, const std::string& meaning) {
  return make(key, def, "", 0, 0, {}, meaning);
}
param_def text(const std::string& key, const std::string& def, const std::string& meaning) {
  return make(key, def, "", 0, 0, {}, meaning);
}

// Bindings: a parameter that maps directly onto one field of the run's typed configuration
// takes its default from that struct's member initializer (the one place it is stated; unit
// tests default-construct the same structs) and writes its resolved value there (apply).
using apply_fn = std::function<void(const param_value&, run_config&)>;

// The table's value type for a field of type T: flag, integer, number or text
template <class T>
using value_of = std::conditional_t<
    std::is_same_v<T, bool>, bool,
    std::conditional_t<std::is_integral_v<T>, int64_t,
                       std::conditional_t<std::is_floating_point_v<T>, double, std::string>>>;

template <class V>
struct binding {
  V def;
  apply_fn apply;
};

// Field m of the struct run_config::*s (field(&run_config::kp, &kernel_params::hz))
template <class S, class T>
binding<value_of<T>> field(S run_config::*s, T S::*m) {
  using V = value_of<T>;
  return {static_cast<V>(S{}.*m), [s, m](const param_value& v, run_config& c) {
            (c.*s).*m = static_cast<T>(std::get<V>(v));
          }};
}
// A field of run_config itself (field(&run_config::lockstep))
template <class T>
binding<value_of<T>> field(T run_config::*m) {
  using V = value_of<T>;
  return {static_cast<V>(run_config{}.*m),
          [m](const param_value& v, run_config& c) { c.*m = static_cast<T>(std::get<V>(v)); }};
}

// Field m of the struct in member n of run_config::*s (field(&run_config::ic,
// &igb_config::fault, &igb_fault_hooks::no_dma_rmb))
template <class S, class N, class T>
binding<value_of<T>> field(S run_config::*s, N S::*n, T N::*m) {
  using V = value_of<T>;
  return {static_cast<V>(N{}.*m), [s, n, m](const param_value& v, run_config& c) {
            ((c.*s).*n).*m = static_cast<T>(std::get<V>(v));
          }};
}

// sim.journey's rule (run_config.h journey_every)
std::string journey_check(const std::string& v) {
  std::string why;
  return journey_every(v, why) ? std::string() : why;
}

param_def checked(param_def d, std::function<std::string(const std::string&)> check) {
  d.check = std::move(check);
  return d;
}

param_def bound(param_def d, apply_fn apply) {
  d.apply = std::move(apply);
  return d;
}
param_def num(const std::string& key, binding<double> f, const std::string& unit, double lo,
              double hi, const std::string& meaning) {
  return bound(num(key, f.def, unit, lo, hi, meaning), std::move(f.apply));
}
param_def integer(const std::string& key, binding<int64_t> f, const std::string& unit, double lo,
                  double hi, const std::string& meaning) {
  return bound(integer(key, f.def, unit, lo, hi, meaning), std::move(f.apply));
}
param_def flag(const std::string& key, binding<bool> f, const std::string& meaning) {
  return bound(flag(key, f.def, meaning), std::move(f.apply));
}
param_def text(const std::string& key, binding<std::string> f, const std::string& meaning) {
  return bound(text(key, f.def, meaning), std::move(f.apply));
}

// A choice of words, each naming a value of field m of run_config::*s (an enum, a bool, a
// mode); the default is the word of the default-constructed struct's value.
template <class S, class T>
param_def choice(const std::string& key, S run_config::*s, T S::*m,
                 std::vector<std::pair<std::string, T>> words, const std::string& meaning) {
  std::vector<std::string> choices;
  std::string def;
  for (const auto& [word, value] : words) {
    choices.push_back(word);
    if (def.empty() && value == S{}.*m) def = word;
  }
  if (def.empty())
    throw std::logic_error(key + ": the default of its field is none of its choices");
  return bound(choice(key, def, std::move(choices), meaning),
               [s, m, words](const param_value& v, run_config& c) {
    for (const auto& [word, value] : words)
      if (word == std::get<std::string>(v)) (c.*s).*m = value;
  });
}

// A flag that is one bit of the integer field m (a mask of planted faults)
template <class S, class T>
param_def flag_bit(const std::string& key, S run_config::*s, T S::*m, unsigned bit,
                   const std::string& meaning) {
  return bound(flag(key, (S{}.*m & bit) != 0, meaning),
               [s, m, bit](const param_value& v, run_config& c) {
    T& f = (c.*s).*m;
    f = static_cast<T>(std::get<bool>(v) ? f | bit : f & ~bit);
  });
}

// "auto" (field m holds auto_value, its default) or an integer in [lo, hi]
template <class S, class T>
param_def auto_or_integer(const std::string& key, S run_config::*s, T S::*m, T auto_value,
                          const std::string& unit, double lo, double hi,
                          const std::string& meaning) {
  if (!(S{}.*m == auto_value))
    throw std::logic_error(key + ": the default of its field is not auto");
  return bound(word_or_number(key, "auto", {"auto"}, unit, lo, hi, true, meaning),
               [s, m, auto_value](const param_value& v, run_config& c) {
    const std::string& w = std::get<std::string>(v);
    (c.*s).*m = w == "auto" ? auto_value : static_cast<T>(std::stol(w));
  });
}

param_def hidden(param_def d) {
  d.hidden = true;
  return d;
}

std::string type_name(const param_value& v) {
  switch (v.index()) {
    case 0: return "a boolean";
    case 1: return "an integer";
    case 2: return "a number";
    default: return "a string";
  }
}

// A key's words, and "or a number" when it takes one too: "none, echo"
std::string choice_list(const param_def& d) {
  std::string list;
  for (const auto& c : d.choices) list += (list.empty() ? "" : ", ") + c;
  return list + (d.number_or_choice ? ", or a number" : "");
}

std::string show(const param_value& v) {
  switch (v.index()) {
    case 0: return std::get<bool>(v) ? "true" : "false";
    case 1: return std::to_string(std::get<int64_t>(v));
    case 2: {
      std::string s = fmt::format("{}", std::get<double>(v));
      if (std::isfinite(std::get<double>(v)) && s.find_first_of(".eE") == std::string::npos)
        s += ".0";
      return s;
    }
    default: {  // quoted and escaped by the TOML library, so any path reads back as written
      std::ostringstream o;
      o << toml::value<std::string>(std::get<std::string>(v));
      return o.str();
    }
  }
}
}  // namespace

// fn_length: data table
params::params() {
  using rc = run_config;
  // The parameters, in listing order. Those bound to a field (field(), a choice of its values,
  // auto_or_integer) take their default from its struct; the others state theirs here, and
  // configure_run (testbench/run_config.cpp) derives their settings by code.
  defs_ = {
      choice("traffic.protocol", &rc::tc, &traffic_config::tcp, {{"udp", false}, {"tcp", true}},
             "transport: udp flows, or tcp: one established connection per flow"),
      integer("traffic.flows", field(&rc::tc, &traffic_config::flows), "", 1, 100000,
              "number of flows: UDP sources or TCP connections, each from its own peer address"),
      num("traffic.tcp_reorder_pct", field(&rc::tc, &traffic_config::reorder_pct), "%", 0, 50,
          "TCP: share of segments overtaken by their connection's next segment"),
      num("traffic.tcp_loss_pct", field(&rc::tc, &traffic_config::loss_pct), "%", 0, 50,
          "TCP: share of segments lost and retransmitted 8 frames later"),
      num("traffic.tcp_dup_pct", field(&rc::tc, &traffic_config::dup_pct), "%", 0, 50,
          "TCP: share of segments sent twice (spurious retransmission)"),
      integer("traffic.frame_bytes", field(&rc::tc, &traffic_config::frame_bytes), "bytes", 64,
              9018, "Ethernet frame size including FCS (above 1518: jumbo, RCTL.LPE)"),
      num("traffic.rate_pct", 30, "%", 0.001, 100,
          "offered load as percent of 1 Gb/s line rate (used when rate_pps is 0)"),
      num("traffic.rate_pps", 0, "frames/s", 0, 1488095,
          "offered load in frames per second; 0 = use rate_mbps or rate_pct. Above line rate for "
          "the frame size (81274 frames/s at 1518 bytes) is refused; so is a rate whose run would "
          "outlast 100 days of simulated time"),
      num("traffic.rate_mbps", 0, "Mb/s", 0, 1000,
          "offered load in Mb/s of Ethernet frames (FCS included, preamble and gap not); 0 = use "
          "rate_pct. Above line rate with preamble and gap (761.9 Mb/s of 64-byte frames) is "
          "refused"),
      choice("traffic.pattern", "cbr", {"cbr", "poisson", "onoff"},
             "arrival process: constant rate, Poisson, or on/off bursts (on_us at the rate, then "
             "off_us silent)"),
      num("traffic.on_us", 100, "us", 0.1, 1e7, "onoff: length of a burst"),
      num("traffic.off_us", 900, "us", 0.1, 1e7, "onoff: silence between bursts"),
      text("traffic.pcap", field(&rc::tc, &traffic_config::pcap),
           "replay this capture (Ethernet pcap) instead of generating frames; relative to the "
           "working directory. Frames closer than the wire carries queue at the sender; a capture "
           "spanning more than 100 days is refused"),
      flag("traffic.pcap_rescale", field(&rc::tc, &traffic_config::pcap_rescale),
           "replay at the configured rate (rate_pps, rate_mbps or rate_pct) instead of the "
           "capture's own timing"),
      flag("traffic.live", field(&rc::tc, &traffic_config::live),
           "take real UDP datagrams from clients on live_addr:live_port instead of generating "
           "frames; the run follows the wall clock"),
      text("traffic.live_addr", field(&rc::live_addr), "live: the loopback address to listen on"),
      integer("traffic.live_port", field(&rc::live_port), "", 1, 65535,
              "live: the UDP port to listen on"),
      num("traffic.live_idle_us", field(&rc::tc, &traffic_config::live_idle_us), "us", 0, 3.6e9,
          "live: end the run after this long (wall clock) without a datagram; 0 = never "
          "(traffic.frames still ends it)"),
      choice("traffic.size", &rc::tc, &traffic_config::size,
             {{"fixed", traffic_config::sizes::fixed},
              {"uniform", traffic_config::sizes::uniform},
              {"imix", traffic_config::sizes::imix}},
             "frame sizes: fixed (frame_bytes), uniform in [size_min, size_max], or IMIX "
             "(64/594/1518 bytes, 7:4:1)"),
      integer("traffic.size_min", field(&rc::tc, &traffic_config::size_min), "bytes", 64, 9018,
              "uniform sizes: smallest frame"),
      integer("traffic.size_max", field(&rc::tc, &traffic_config::size_max), "bytes", 64, 9018,
              "uniform sizes: largest frame"),
      integer("traffic.frames", 3000, "frames", 0, 100000000,
              "frames to offer (used when duration_us is 0)"),
      num("traffic.duration_us", field(&rc::tc, &traffic_config::duration_us), "us", 0, 60e6,
          "offer frames for this long instead of a count: the frames whose times fall in [0, "
          "duration_us); 0 = use frames"),
      choice("nic.part", "i350", {"i350", "82576", "i210"},
             "the igb part: its receive queues (8, 8, 4) and MSI-X vectors (10, 25, 5), IVAR "
             "layout (82576: column-major), the RX WTHRESH igb programs (82576 with MSI-X: 1, else "
             "4) and its packet buffer (64, 64, 34 KB)"),
      auto_or_integer(
          "nic.queues", &rc::want, &igb_setup::queues, 0, "", 1, 8,
          "receive queues, each on its own MSI-X vector; RSS spreads flows over them. auto: as "
          "igb_init_queue_configuration, min(kernel.cores, the part's maximum); MSI and INTx: 1"),
      multiple_of(integer("nic.rx_ring", field(&rc::ic, &igb_config::rx_ring), "descriptors", 80,
                          4096, "receive ring size (multiple of 8, igb limits 80..4096)"),
                  8, ""),
      multiple_of(
          integer("nic.tx_ring", field(&rc::ic, &igb_config::tx_ring), "descriptors", 80, 4096,
                  "transmit ring size per queue (ethtool -G tx; multiple of 8, igb limits "
                  "80..4096)"),
          8, ""),
      auto_or_integer(
          "nic.pktbuf_kb", &rc::want, &igb_setup::pktbuf_kb, 0, "KB", 2, 64,
          "receive packet buffer size (RXPBS). auto: the part's (i350 64, 82576 64, i210 34 KB)"),
      multiple_of(integer("nic.rx_burst_bytes", kRxBeatBytes * nic_params{}.rx_burst_beats, "bytes",
                          16, 512,
                          "the MAC hands received data to the packet buffer in bursts of this many "
                          "bytes (multiple of 16): 16-byte beats on consecutive cycles, the last "
                          "in the cycle its last byte is off the wire, so frames end at their wire "
                          "times; 16 = each beat as it arrives (larger bursts tick fewer cycles)"),
                  kRxBeatBytes, " (the MAC's beat)"),
      integer("nic.tx_data_reads", field(&rc::np, &nic_params::tx_data_reads), "reads", 1, 16,
              "transmit data reads the NIC keeps out at once, across descriptors, packets and "
              "queues (reads of at most 512 bytes; the 82599/X540/X550 datasheets give 16, none "
              "was found for the 82576/I350): with 1, each waits for the one before"),
      integer("nic.pthresh", field(&rc::ic, &igb_config::pthresh), "descriptors", 0, 31,
              "RXDCTL.PTHRESH: prefetch when fewer are cached (0: fetch on demand only); the cache "
              "holds 16"),
      integer("nic.hthresh", field(&rc::ic, &igb_config::hthresh), "descriptors", 0, 31,
              "RXDCTL.HTHRESH: prefetch only when at least this many are in host memory"),
      auto_or_integer(
          "nic.wthresh", &rc::want, &igb_setup::wthresh, -1, "descriptors", 0, 31,
          "RXDCTL.WTHRESH: write back completions in groups of this many (0 and 1: each; at most "
          "16 wait). auto: what igb programs (IGB_RX_WTHRESH: 1 on the 82576 with MSI-X, else 4)"),
      choice("nic.drop_en", &rc::want, &igb_setup::drop_en,
             {{"auto", -1}, {"true", 1}, {"false", 0}},
             "SRRCTL.DROP_EN: drop a frame that finds no descriptor (RQDPC) instead of holding it. "
             "auto: igb's rule (igb_setup_srrctl): on with more than one queue when "
             "driver.flow_control does not receive PAUSE"),
      flag("nic.promisc", field(&rc::ic, &igb_config::promisc),
           "promiscuous mode (ip link set promisc on: RCTL.UPE and MPE): the NIC's address filter "
           "lets frames for other stations and every multicast frame in; off, it drops them "
           "(counted by no NIC register: checks.dropped_by.address_filtered)"),
      num("nic.msix_latency_ns", field(&rc::np, &nic_params::msix_latency_ns), "ns", 0, 1e6,
          "interrupt message from the root complex to interrupt entry on the CPU (the message "
          "first crosses the PCIe link behind the NIC's earlier writes)"),
      num("pcie.read_latency_ns", field(&rc::pp, &pcie_params::read_latency_ns), "ns", 1, 1e6,
          "round trip of a non-posted read (DMA or MMIO)"),
      num("pcie.write_latency_ns", field(&rc::pp, &pcie_params::write_latency_ns), "ns", 1, 1e6,
          "posted write: issue to visibility at the far side"),
      num("pcie.gbps", field(&rc::pp, &pcie_params::gbps), "Gb/s", 0.1, 1000,
          "link data rate after line coding (Gen2 x4 = 16)"),
      choice("driver.mode", &rc::ic, &igb_config::napi, {{"napi", true}, {"legacy", false}},
             "receive mode: napi, or legacy (no NAPI: the interrupt handler cleans the ring and "
             "queues each frame to the backlog; the receive-livelock baseline)"),
      choice(
          "driver.irq_mode", &rc::want, &igb_setup::irq_mode,
          {{"msix", igb_irq_mode::msix}, {"msi", igb_irq_mode::msi}, {"intx", igb_irq_mode::intx}},
          "interrupt mode: MSI-X (a vector per queue), MSI or INTx (one interrupt, ICR read; igb "
          "then uses one queue)"),
      word_or_number("driver.itr", "dynamic", {"dynamic", "off"}, "us", 10, 10000, false,
                     "interrupt throttle: dynamic (igb default, conservative), off, or a fixed "
                     "interval in us (10..10000)"),
      choice("driver.flow_control", &rc::want, &igb_setup::fc,
             {{"full", igb_fc_mode::full},
              {"rx_pause", igb_fc_mode::rx_pause},
              {"tx_pause", igb_fc_mode::tx_pause},
              {"none", igb_fc_mode::none}},
             "the flow control igb requests (ethtool -A ethX rx/tx; full is the NVM's usual "
             "default). It decides DROP_EN (nic.drop_en = auto) and the receive marks "
             "(FCRTH/FCRTL, with tx_pause); resolved with wire.partner_fc at link-up it sets "
             "CTRL.RFCE/TFCE: whether the NIC honours and sends 802.3x PAUSE frames"),
      choice("wire.partner_fc", &rc::want, &igb_setup::partner_fc,
             {{"none", igb_fc_mode::none},
              {"rx_pause", igb_fc_mode::rx_pause},
              {"tx_pause", igb_fc_mode::tx_pause},
              {"full", igb_fc_mode::full}},
             "the flow control the link partner advertises (802.3 Annex 28B; most test set-ups: "
             "none). When the resolved mode lets the NIC send PAUSE, the partner honours it: it "
             "starts no frame for the pause time (its frames wait, none is lost). When it lets "
             "the NIC honour PAUSE (rx_pause or full resolved), the partner sends PAUSE frames "
             "as its receive buffer fills (wire.partner_rx_rate_pct, wire.partner_rx_buffer)"),
      integer("wire.partner_rx_rate_pct", field(&rc::wire, &wire_params::partner_rx_rate_pct), "%",
              1, 100,
              "the rate at which the link partner absorbs the NIC's frames, in % of line rate "
              "(100: it keeps up, never pauses). Slower, its receive buffer fills: with flow "
              "control resolved to rx_pause or full it sends 802.3x PAUSE (XOFF at igb's high "
              "mark, XON below the low mark), else it drops what does not fit"),
      integer("wire.partner_rx_buffer", field(&rc::wire, &wire_params::partner_rx_buffer), "bytes",
              16384, 16777216,
              "the link partner's receive buffer; its PAUSE marks are igb_setup_fc's: high = "
              "(buffer - (max frame + 9728)) & ~15, low = high - 16 (max frame: driver.mtu + "
              "22)"),
      choice("driver.completion", &rc::ic, &igb_config::completion_dd,
             {{"length", false}, {"dd", true}},
             "how igb_clean_rx_irq sees a completed descriptor: non-zero length (current igb) or "
             "the DD bit (older igb, which clears hdr_addr on refill)"),
      choice("driver.rx_path", &rc::ic, &igb_config::construct_skb,
             {{"build_skb", false}, {"construct_skb", true}},
             "skb construction: build_skb around the buffer (default) or construct_skb copying the "
             "headers (legacy-rx private flag)"),
      integer("driver.napi_weight", field(&rc::ic, &igb_config::napi_weight), "packets", 1, 4096,
              "NAPI weight: budget of one igb_poll"),
      integer("driver.mtu", field(&rc::ic, &igb_config::mtu), "bytes", 68, 9216,
              "interface MTU. Up to 1514 igb limits received frames to 1536 bytes (RLPML; FCS "
              "included, +4 per VLAN tag) so each fits one 2 KB buffer; above, it uses 3 KB "
              "buffers in 8 KB pages and takes frames up to 9728 bytes over several buffers. "
              "Longer frames are dropped by the NIC and counted in ROC (rx_length_errors)"),
      integer("kernel.cores", field(&rc::kp, &kernel_params::cores), "", 1, 8, "CPU cores"),
      choice("kernel.irq_affinity", &rc::kp, &kernel_params::irq_spread,
             {{"spread", true}, {"core0", false}},
             "where interrupts go: spread (queue n's vector on core n mod cores, as irqbalance "
             "places them) or all on core 0"),
      integer("kernel.netdev_budget", field(&rc::kp, &kernel_params::netdev_budget), "packets", 1,
              100000, "net.core.netdev_budget: packets per net_rx_action"),
      integer(
          "kernel.netdev_budget_usecs", field(&rc::kp, &kernel_params::netdev_budget_usecs), "us",
          1, 1000000,
          "net.core.netdev_budget_usecs: time limit of one net_rx_action, counted in jiffies "
          "(usecs_to_jiffies, rounded up); the kernel's default is 2 jiffies, 2000000 / kernel.hz"),
      integer("kernel.hz", field(&rc::kp, &kernel_params::hz), "Hz", 100, 1000,
              "CONFIG_HZ: 100, 250, 300 or 1000; jiffies tick every 1/hz s, and net_rx_action's "
              "netdev_budget_usecs and __do_softirq's 2 ms limit are counted in them"),
      integer("kernel.netdev_max_backlog", field(&rc::kp, &kernel_params::netdev_max_backlog),
              "packets", 1, 1000000,
              "net.core.netdev_max_backlog: per-CPU backlog of netif_rx (legacy mode)"),
      num("kernel.gro_flush_timeout_ns", field(&rc::kp, &kernel_params::gro_flush_timeout_ns), "ns",
          0, 1e9,
          "gro_flush_timeout (sysfs): a completion that did work with packets held by GRO keeps "
          "those of the current jiffy and polls again after this long; with napi_defer_hard_irqs, "
          "every such completion does, interrupt masked"),
      integer("kernel.napi_defer_hard_irqs", field(&rc::kp, &kernel_params::napi_defer_hard_irqs),
              "polls", 0, 1000000,
              "napi_defer_hard_irqs (sysfs): completions that keep the interrupt masked and poll "
              "again after gro_flush_timeout"),
      integer("kernel.rmem_default", field(&rc::kp, &kernel_params::rmem_default), "bytes", 2304,
              1 << 30,
              "socket receive buffer (net.core.rmem_default; the sysctl takes no less than "
              "SOCK_MIN_RCVBUF, 2304 bytes on x86_64)"),
      integer("kernel.wmem_default", field(&rc::kp, &kernel_params::wmem_default), "bytes", 4608,
              1 << 30,
              "socket send buffer (net.core.wmem_default; the sysctl takes no less than "
              "SOCK_MIN_SNDBUF, 4608 bytes on x86_64)"),
      choice("kernel.default_qdisc", &rc::kp, &kernel_params::default_qdisc,
             {{"pfifo_fast", std::string("pfifo_fast")}, {"fq_codel", std::string("fq_codel")}},
             "net.core.default_qdisc: each transmit queue's qdisc under mq"),
      choice("app.kind", &rc::ac, &app_config::kind,
             {{"epoll", app_kind::epoll},
              {"select", app_kind::select},
              {"poll", app_kind::poll},
              {"blocking", app_kind::blocking}},
             "application model: an epoll, select or poll server over the sockets, or blocking "
             "readers"),
      integer("app.threads", field(&rc::ac, &app_config::threads), "", 1, 256,
              "application threads: each its own epoll instance / select / poll over all sockets; "
              "blocking: reader threads, at least one per socket (max(threads, sockets) threads, "
              "thread t on socket t mod sockets; at most 4096)"),
      flag("app.exclusive", field(&rc::ac, &app_config::exclusive),
           "EPOLLEXCLUSIVE on the epoll items: one waiting thread per event instead of all"),
      choice("app.reply", &rc::ac, &app_config::reply,
             {{"none", app_reply::none}, {"echo", app_reply::echo}},
             "what the application answers: none, or echo (a UDP echo server: each datagram read "
             "with recvfrom is sent back whole with sendto to its sender, through the qdisc, igb's "
             "transmit ring and the wire; latency_ns.rr and tx.echo report the round trips). "
             "Blocking readers' sendto sleeps on a full send buffer; epoll, select and poll "
             "servers send with MSG_DONTWAIT and count EAGAIN. UDP only"),
      num("app.service_ns", field(&rc::ac, &app_config::service_ns), "ns", 0, 1e7,
          "CPU work per request (each read that returned data), in user mode on the reading "
          "thread's core, before any reply: 0 to 10 ms"),
      integer("app.cpu", field(&rc::kp, &kernel_params::app_cpu), "", 0, 7,
              "the core the application task runs on (taskset)"),
      multiple_of(
          integer(
              "app.fd_setsize", field(&rc::fd_setsize), "fds", 64, 1048576,
              "select: bits in the application's fd_set (FD_SETSIZE, 1024 in glibc; the kernel's "
              "select has no limit). Select with sockets whose fds reach it is refused"),
          64, "an fd_set is an array of 64-bit longs (__NFDBITS)"),
      integer("app.sockets", field(&rc::tc, &traffic_config::sockets), "", 1, 100000,
              "UDP sockets the application reads, on consecutive ports (flow n goes to socket n "
              "mod sockets); TCP: one per connection"),
      integer("app.rcvlowat", field(&rc::rcvlowat), "bytes", 1, 1 << 30,
              "SO_RCVLOWAT of TCP sockets: bytes queued before the reader is woken"),
      integer("send.frames", field(&rc::sc, &send_config::frames), "datagrams", 0, 100000000,
              "UDP datagrams the host's sender application sends out of the NIC (sendto on its "
              "sockets, through the qdisc, BQL and igb's transmit rings); 0 = no sender, a "
              "receive-only run"),
      integer("send.flows", field(&rc::sc, &send_config::flows), "", 1, 4096,
              "sender sockets, one flow each (source port 20000 + n to 10.0.0.2:9000 + n); "
              "datagram i goes out on flow i mod flows"),
      integer("send.threads", field(&rc::sc, &send_config::threads), "", 1, 256,
              "sender threads; thread t sends the flows n with n mod threads = t (at most "
              "send.flows: more is refused)"),
      integer("send.frame_bytes", field(&rc::sc, &send_config::frame_bytes), "bytes", 64, 65553,
              "sent datagram's size as one frame on the wire, FCS included (UDP payload = "
              "frame_bytes - 46); above driver.mtu + 18 it leaves as IPv4 fragments"),
      num("send.rate_pct", 10, "%", 0.001, 100,
          "send rate as percent of 1 Gb/s line rate for send.frame_bytes (its fragments' frames "
          "when it fragments; used when rate_pps is 0): datagram i is due i / rate after the "
          "start"),
      num("send.rate_pps", 0, "frames/s", 0, 1488095,
          "send rate in datagrams per second, all flows together; 0 = use rate_pct. Above line "
          "rate for the frame size is refused"),
      integer("send.gso_segments", field(&rc::sc, &send_config::gso_segments), "datagrams", 1, 128,
              "datagrams per sendto: above 1 the sender sets UDP_SEGMENT to the datagram's "
              "payload and each call carries this many datagrams of one flow as one GSO skb, "
              "which the NIC cuts apart (UDP segmentation offload); the datagram must fit "
              "driver.mtu, and a call 65,507 bytes of payload"),
      flag("send.blocking", field(&rc::sc, &send_config::blocking),
           "blocking sockets: sendto sleeps while the send buffer is full (sock_wait_for_wmem); "
           "false: MSG_DONTWAIT, a full send buffer returns EAGAIN and the datagram is counted, "
           "not sent"),
      integer("sim.seed", field(&rc::tc, &traffic_config::seed), "", 0, 4294967295.0,
              "random seed (Poisson arrivals)"),
      num("sim.stranded_us", field(&rc::stranded_us), "us", 10, 1e7,
          "stranded-packet checker: a written-back frame may wait this long with its NAPI idle and "
          "its vector masked"),
      num("sim.tx_timeout_us", field(&rc::tx_timeout_us), "us", 50000, 1e7,
          "transmit watchdog (dev_watchdog's watchdog_timeo, 5 s in igb; shorter here so a "
          "simulated run can see one): a transmit queue stopped whose last transmit is older is "
          "reported as tx_timeout. At least 50 ms, beyond the longest wait a correct system has "
          "for a completion (an EITR interval, 8.2 ms; a PAUSE, 33.6 ms)"),
      integer("fault.lose_eims_write",
              field(&rc::ic, &igb_config::fault, &igb_fault_hooks::lose_eims_write), "", 0,
              1000000000,
              "planted driver bug: the EIMS write (IMS without MSI-X) of the N-th completed poll "
              "is lost (0: none)"),
      flag("fault.eims_before_complete",
           field(&rc::ic, &igb_config::fault, &igb_fault_hooks::eims_before_complete),
           "planted driver bug: igb_poll unmasks the vector before napi_complete_done"),
      flag("fault.budget_complete",
           field(&rc::ic, &igb_config::fault, &igb_fault_hooks::budget_complete),
           "planted driver bug: igb_poll completes NAPI yet returns its whole budget"),
      integer("fault.skip_tail_write",
              field(&rc::ic, &igb_config::fault, &igb_fault_hooks::skip_tail_write), "", 0,
              1000000000,
              "planted driver bug: the RDT write of the N-th refill is forgotten (0: none)"),
      flag("fault.ignore_complete_result",
           field(&rc::ic, &igb_config::fault, &igb_fault_hooks::ignore_complete_result),
           "planted driver bug: igb_poll unmasks the vector even when napi_complete_done returned "
           "false"),
      flag("fault.no_dma_rmb", field(&rc::ic, &igb_config::fault, &igb_fault_hooks::no_dma_rmb),
           "planted driver bug: descriptor fields are loaded before the completion check (no "
           "dma_rmb)"),
      flag("fault.stale_marker", field(&rc::ic, &igb_config::fault, &igb_fault_hooks::stale_marker),
           "planted driver bug: refill leaves the old completion marker (length, or DD) in the "
           "descriptor"),
      flag("fault.tail_equals_head",
           field(&rc::ic, &igb_config::fault, &igb_fault_hooks::tail_equals_head),
           "planted driver bug: refill counts one free descriptor too many, so RDT can reach RDH"),
      flag("fault.refill_stack_owned",
           field(&rc::ic, &igb_config::fault, &igb_fault_hooks::refill_stack_owned),
           "planted driver bug: a buffer is given back to the NIC while the stack still holds it"),
      flag("fault.tx_tdt_before_desc",
           field(&rc::ic, &igb_config::fault, &igb_fault_hooks::tx_tdt_before_desc),
           "planted driver bug: no wmb before the TDT write, which overtakes the descriptor "
           "stores"),
      flag("fault.tx_no_rs", field(&rc::ic, &igb_config::fault, &igb_fault_hooks::tx_no_rs),
           "planted driver bug: RS is never set, so the NIC never reports a packet done"),
      flag("fault.tx_free_before_dd",
           field(&rc::ic, &igb_config::fault, &igb_fault_hooks::tx_free_before_dd),
           "planted driver bug: transmit completion frees a packet without looking at its DD"),
      flag("fault.tx_never_wake",
           field(&rc::ic, &igb_config::fault, &igb_fault_hooks::tx_never_wake),
           "planted driver bug: a stopped transmit queue is never woken again"),
      flag("fault.tx_tdt_beyond_ring",
           field(&rc::ic, &igb_config::fault, &igb_fault_hooks::tx_tdt_beyond_ring),
           "planted driver bug: the TDT write at the ring's wrap writes the ring's count, not 0"),
      flag_bit("fault.msix_while_masked", &rc::np, &nic_params::fault_bits, 1,
               "planted hardware bug: the RTL sends MSI-X whatever EIMS says"),
      flag_bit(
          "fault.dd_before_data", &rc::np, &nic_params::fault_bits, 2,
          "planted hardware bug: a frame's last descriptor is written back (DD) before its data"),
      flag_bit("fault.rdt_inclusive", &rc::np, &nic_params::fault_bits, 4,
               "planted hardware bug: the RTL reads RDT as inclusive and uses the descriptor at "
               "RDT (outside [RDH, RDT))"),
      flag_bit("fault.eitr_ignored", &rc::np, &nic_params::fault_bits, 8,
               "planted hardware bug: EITR never throttles interrupt messages"),
      flag_bit("fault.tx_dd_before_data", &rc::np, &nic_params::fault_bits, 16,
               "planted hardware bug: a transmit data descriptor is written back (DD) before its "
               "data is read"),
      flag_bit("fault.tx_bad_csum", &rc::np, &nic_params::fault_bits, 32,
               "planted hardware bug: the inserted transmit TCP/UDP checksum is off by one"),
      hidden(flag("fault.nic_spin", field(&rc::np, &nic_params::fault_spin),
                  "planted model bug: once a frame is in the packet buffer the NIC's run loop "
                  "spins in zero time (the progress watchdog must end the run)")),
      flag("sim.lockstep", field(&rc::lockstep),
           "tick the RTL every cycle instead of skipping idle ones (for checking run-ahead)"),
      choice("sim.rtl_queues", "auto", {"auto", "8"},
             "Verilated NIC model: auto (the 4-queue build when igb uses at most 4 queues, faster) "
             "or 8 (always the full 8-queue build)"),
      checked(text("sim.journey", "all",
                   "per-frame journeys: all (journey.csv, and tx_journey.csv when the host "
                   "sends: a row per frame and per datagram), off (neither file), or sample=N "
                   "(the rows of frames 0, N, 2N ... and datagrams 1, N+1, 2N+1 ...); latencies "
                   "in report.json cover every frame whatever it is. Also --journey"),
              journey_check),
      num("sim.drain_us", 1e6, "us", 0, 1e7,
          "the drain's bound: after the last frame's wire end the run goes on until every frame "
          "has its fate (delivered or counted), at most this long; frames still without one are "
          "reported as checks.in_flight (per place in in_flight_at), not lost"),
      checked(text("summary.look_at", field(&rc::look_at),
                   "report.json figures the summary prints on its `look at` line, each labelled "
                   "with its path and times in human units: paths joined by commas, keys by '.', "
                   "[N] or [*] for an array's elements, * in a key for every key that matches "
                   "(cpu[0].hardirq_ns, tx.bql[*].limit, tx.ethtool.tx_queue_*_packets). Each "
                   "shipped scenario names those its header says to look at"),
              look_at_check),
  };
  for (const auto& [name, member] : cost_table::fields()) {
    defs_.push_back(num("cost." + name, field(&rc::costs, member),
                        name.size() > 3 && name.substr(name.size() - 3) == "_ns" ? "ns" : "ns/byte",
                        0, 1e9, "CPU cost (see stack/costs.h for its basis)"));
  }
  for (size_t n = 0; n < defs_.size(); ++n) {
    index_[defs_[n].key] = n;
    values_[defs_[n].key] = defs_[n].def;
  }
}

std::string params::unknown_key(const std::string& key, const std::string& where) const {
  std::vector<std::string> keys;
  for (const auto& d : defs_)
    if (!d.hidden) keys.push_back(d.key);
  const std::string hint = did_you_mean(key, keys);
  return where + ": unknown key '" + key + "'" +
         (hint.empty() ? " (igbsim params lists them)" : hint);
}

const param_def& params::def(const std::string& key) const {
  auto it = index_.find(key);
  if (it == index_.end()) throw input_error("unknown key '" + key + "'");
  return defs_[it->second];
}

void params::assign(const std::string& key, const param_value& raw, const std::string& where) {
  auto it = index_.find(key);
  if (it == index_.end()) throw input_error(unknown_key(key, where));
  const param_def& d = defs_[it->second];
  param_value v = raw;
  auto bad = [&](const std::string& why) { return input_error(where + ": " + key + ": " + why); };
  // Numbers: integers are accepted where a real is expected.
  if (d.def.index() == 2 && v.index() == 1) v = static_cast<double>(std::get<int64_t>(v));
  if (d.number_or_choice && (v.index() == 1 || v.index() == 2)) {
    const double x = v.index() == 1 ? double(std::get<int64_t>(v)) : std::get<double>(v);
    if (!std::isfinite(x)) throw bad(show(v) + " is not a finite number");
    if (x < d.min || x > d.max)
      throw bad(fmt::format("{} is out of range [{}, {}]", show(v), d.min, d.max));
    if (d.multiple_of == 1 && x != std::floor(x)) throw bad("expected an integer, got " + show(v));
    values_[key] = fmt::format("{}", x);
    return;
  }
  // A choice of "true" / "false" (besides other words) takes a boolean as that word
  if (v.index() == 0 && d.def.index() == 3 &&
      std::find(d.choices.begin(), d.choices.end(), "true") != d.choices.end())
    v = std::string(std::get<bool>(v) ? "true" : "false");
  if (v.index() != d.def.index()) {
    if (d.def.index() == 1 && v.index() == 2) {  // a real where an integer is expected
      const double x = std::get<double>(v);
      if (!std::isfinite(x)) throw bad(show(v) + " is not a finite number");
      if (d.min < d.max && (x < d.min || x > d.max))
        throw bad(fmt::format("{} is out of range [{}, {}]", show(v), d.min, d.max));
      throw bad("expected an integer, got " + show(v));
    }
    if (d.number_or_choice) {
      std::string words;
      for (const auto& c : d.choices) words += c + ", ";
      throw bad(fmt::format("expected {}or a number in [{}, {}], got {}", words, d.min, d.max,
                            type_name(v)));
    }
    // A boolean typed as a word with a slip in it: "ture" for true
    const std::string hint = d.def.index() == 0 && v.index() == 3
                                 ? did_you_mean(std::get<std::string>(v), {"true", "false"})
                                 : "";
    throw bad("expected " + type_name(d.def) + ", got " + type_name(v) + hint);
  }
  if (v.index() == 1 || v.index() == 2) {
    const double x = v.index() == 1 ? double(std::get<int64_t>(v)) : std::get<double>(v);
    if (!std::isfinite(x)) throw bad(show(v) + " is not a finite number");
    if (d.min < d.max && (x < d.min || x > d.max))
      throw bad(fmt::format("{} is out of range [{}, {}]", show(v), d.min, d.max));
  }
  if (v.index() == 3 && d.check)
    if (const std::string why = d.check(std::get<std::string>(v)); !why.empty()) throw bad(why);
  if (v.index() == 3 && !d.choices.empty()) {
    const std::string& s = std::get<std::string>(v);
    bool ok = false;
    for (const auto& c : d.choices) ok |= (c == s);
    if (!ok && d.number_or_choice) {  // a plain decimal number (no hex, no spaces)
      double x = 0;
      const auto [end, ec] =
          std::from_chars(s.data(), s.data() + s.size(), x, std::chars_format::general);
      if (!s.empty() && ec == std::errc() && end == s.data() + s.size())
        return assign(key, x, where);
    }
    if (!ok) throw bad("'" + s + "' is not one of: " + choice_list(d) + did_you_mean(s, d.choices));
  }
  if (d.multiple_of > 0 && v.index() == 1 && std::get<int64_t>(v) % d.multiple_of != 0)
    throw bad("must be a multiple of " + std::to_string(d.multiple_of) + d.multiple_why + ", got " +
              show(v));
  values_[key] = v;
}

toml::table parse_toml(const std::string& text, const std::string& source) {
  try {
    return toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    const auto line = e.source().begin.line;
    std::string why(e.description());
    // toml++ garbles a quoted key in its "cannot redefine" message; name it from the line.
    if (why.find("cannot redefine") != std::string::npos) {
      std::istringstream in(text);
      std::string l;
      for (uint32_t n = 0; n < line && std::getline(in, l);) ++n;
      std::string key = l.substr(0, l.find('='));
      key.erase(0, key.find_first_not_of(" \t"));
      key.erase(key.find_last_not_of(" \t") + 1);
      if (!key.empty()) why = "duplicate key " + key + " (each key may appear once)";
    }
    throw input_error(fmt::format("{}:{}: {}", source, line, why));
  }
}

void params::load_string(const std::string& text, const std::string& source) {
  toml::table tbl = parse_toml(text, source);
  for (auto&& [tkey, node] : tbl) {
    const std::string table(tkey.str());
    const auto line = node.source().begin.line;
    auto* sub = node.as_table();
    if (!sub)
      throw input_error(
          fmt::format("{}:{}: '{}' must be a table such as [{}]", source, line, table, table));
    for (auto&& [k, n] : *sub) {
      const std::string key = table + "." + std::string(k.str());
      const std::string where = fmt::format("{}:{}", source, n.source().begin.line);
      if (auto b = n.value_exact<bool>()) assign(key, *b, where);
      else if (auto i = n.value_exact<int64_t>()) assign(key, *i, where);
      else if (auto d = n.value_exact<double>()) assign(key, *d, where);
      else if (auto s = n.value_exact<std::string>()) assign(key, *s, where);
      else if (!index_.count(key))  // [send.sub], info = { ... }: no such parameter
        throw input_error(unknown_key(key, where));
      else {  // an array, a table, a date: no parameter takes one
        const param_def& d = defs_[index_.at(key)];
        const char* got = n.is_array() ? "an array" : n.is_table() ? "a table" : "a date or time";
        throw input_error(fmt::format("{}: {}: expected {}, got {}", where, key,
                                      d.number_or_choice ? "a number or a word" : type_name(d.def),
                                      got));
      }
    }
  }
}

std::string read_scenario_text(const std::string& path, const char* what) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw input_error(path + ": is a folder, not a " + what + " file");
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw input_error(path + ": cannot read the " + std::string(what) + " file");
  std::string text;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) {
    text.append(buf, n);
    if (text.size() > kMaxScenarioBytes) {
      std::fclose(f);
      throw input_error(fmt::format("{}: larger than {} KiB, the limit for a {} file", path,
                                    kMaxScenarioBytes >> 10, what));
    }
  }
  const bool failed = std::ferror(f);
  std::fclose(f);
  if (failed) throw input_error(path + ": cannot read the " + std::string(what) + " file");
  return text;
}

void params::load_file(const std::string& path) {
  load_string(read_scenario_text(path, "scenario"), path);
}

void params::set(const std::string& a) {
  const auto eq = a.find('=');
  if (eq == std::string::npos || eq == 0) throw input_error("--set " + a + ": expected KEY=VALUE");
  const std::string key = a.substr(0, eq), val = a.substr(eq + 1);
  const std::string where = "--set " + a;
  const param_def& d = [&]() -> const param_def& {
    try {
      return def(key);
    } catch (const input_error&) {
      throw input_error(unknown_key(key, where));
    }
  }();
  // Nothing after '=' (a shell variable that was empty) where a string will not do (a number,
  // a boolean, one of some words): say so, and what the key takes
  if (val.find_first_not_of(" \t") == std::string::npos &&
      (d.def.index() != 3 || !d.choices.empty())) {
    const std::string takes = d.choices.empty() ? type_name(d.def) : "one of: " + choice_list(d);
    throw input_error(fmt::format("{}: {}: no value given (expected {})", where, key, takes));
  }
  // Parse the value as TOML so types are checked the same way as in files.
  param_value v;
  if (d.def.index() == 3 && !d.number_or_choice) {
    v = val;
  } else {
    try {
      auto t = toml::parse("v = " + val);
      auto& n = *t.get("v");
      if (auto b = n.value_exact<bool>()) v = *b;
      else if (auto i = n.value_exact<int64_t>()) v = *i;
      else if (auto x = n.value_exact<double>()) v = *x;
      else if (auto s = n.value_exact<std::string>()) v = *s;
      else v = val;
    } catch (const toml::parse_error&) {
      // A decimal number TOML cannot hold (an integer beyond 64 bits): a number, so its range
      // is what the message names; else a bare word, a string
      double x = 0;
      const auto [end, ec] =
          std::from_chars(val.data(), val.data() + val.size(), x, std::chars_format::general);
      const bool whole = !val.empty() && end == val.data() + val.size();
      if (whole && ec == std::errc()) v = x;
      // beyond a double: a number all the same, which strtod gives as +-HUGE_VAL past the
      // largest (1e309: refused as not finite) and as 0 below the smallest (1e-400), as any
      // reader of decimal numbers rounds it
      else if (whole && ec == std::errc::result_out_of_range) v = std::strtod(val.c_str(), nullptr);
      else v = val;
    }
  }
  assign(key, v, where);
}

bool params::b(const std::string& key) const { return std::get<bool>(values_.at(key)); }
int64_t params::i(const std::string& key) const { return std::get<int64_t>(values_.at(key)); }
double params::d(const std::string& key) const { return std::get<double>(values_.at(key)); }
std::string params::s(const std::string& key) const {
  return std::get<std::string>(values_.at(key));
}

std::string params::to_toml() const {
  std::ostringstream o;
  o << "# igbsim resolved scenario: every parameter, defaults included. `igbsim run` on this\n"
       "# file reproduces the run.\n";
  // Tables in the order they first appear, each written once with all its keys
  std::vector<std::string> tables;
  for (const auto& d : defs_) {
    const std::string t = d.key.substr(0, d.key.find('.'));
    if (std::find(tables.begin(), tables.end(), t) == tables.end()) tables.push_back(t);
  }
  for (const auto& table : tables) {
    // The sender's table only when there is a sender: a receive-only run's resolved scenario
    // reads as it did before the sender existed (and reproduces the run all the same)
    if (table == "send" && values_.at("send.frames") == param_value(int64_t{0})) continue;
    o << "\n[" << table << "]\n";
    for (const auto& d : defs_) {
      const auto dot = d.key.find('.');
      const std::string t = d.key.substr(0, dot), name = d.key.substr(dot + 1);
      if (t != table) continue;
      const param_value& v = values_.at(d.key);
      if (d.hidden && v == d.def) continue;
      std::string text = show(v);
      if (d.number_or_choice) {
        const std::string& s = std::get<std::string>(v);
        bool word = false;
        for (const auto& c : d.choices) word |= (c == s);
        text = word ? show(v) : s;
      }
      o << name << " = " << text << "  # " << (d.unit.empty() ? "" : "[" + d.unit + "] ")
        << d.meaning << "\n";
    }
  }
  return o.str();
}

}  // namespace igbsim
