// SPDX-License-Identifier: Apache-2.0
#include "top.h"

#include <fmt/format.h>
#include <pcap/pcap.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <thread>
#include <unordered_set>

#include "select.h"
#include "sim_time.h"

namespace igbsim {

using namespace sc_core;

rx_capture::rx_capture(bool enabled, const std::string& path) {
  if (!enabled) return;
  pcap_ = pcap_open_dead(DLT_EN10MB, 65535);
  dump_ = pcap_dump_open(pcap_, path.c_str());
  if (!dump_) throw std::runtime_error("cannot create rx.pcap");
}

void rx_capture::write(uint64_t id, const sc_time& t) {
  if (!dump_) return;
  auto it = frames_.find(id);
  if (it == frames_.end()) return;
  pcap_pkthdr h{};
  const uint64_t ns = ps_of(t) / 1000;
  h.ts.tv_sec = static_cast<time_t>(ns / 1000000000ull);
  h.ts.tv_usec = static_cast<suseconds_t>(ns % 1000000000ull / 1000);
  h.caplen = h.len = static_cast<bpf_u_int32>(it->second.size());
  pcap_dump(reinterpret_cast<u_char*>(dump_), &h, it->second.data());
  frames_.erase(it);
}

void rx_capture::close() {
  if (dump_) pcap_dump_close(dump_);
  if (pcap_) pcap_close(pcap_);
  dump_ = nullptr;
  pcap_ = nullptr;
}

namespace {

// The sender's flows: from the host's sockets (source port kSendSportBase + n) to the peer
// (kPeerIp, port kSendDportBase + n), through the route to the peer's MAC
constexpr uint8_t kPeerMac[6] = {0x02, 0, 0, 0, 0, 0x02};
tx_flow_addr send_flow_addr() {
  tx_flow_addr a{};
  std::memcpy(a.dst_mac, kPeerMac, 6);
  a.saddr = kHostIp;
  a.daddr = kPeerIp;
  a.sport_base = kSendSportBase;
  a.dport_base = kSendDportBase;
  return a;
}

// Bound now, so a taken port is bad input before anything runs
std::unique_ptr<live_listener> open_live(const run_config& c) {
  if (!c.tc.live) return nullptr;
  return std::make_unique<live_listener>(c.live_addr, c.live_port);
}

}  // namespace

igbsim_top::igbsim_top(sc_module_name name, const run_config& c, const run_options& o)
    : sc_module(name),
      cfg(c),
      opt(o),
      k(c.kp, c.costs),
      sb(k),
      rx(o.rx_pcap, o.outdir + "/rx.pcap"),
      src(c.tc),  // a capture is read (and checked) here
      live(open_live(c)),
      wire(
          c.wire,  // the link partner (configure_partner)
          [this](uint64_t id, sc_time& t, std::vector<uint8_t>& b) {
  if (src.next(id, t, b)) return true;
  if (src.exhausted()) run_ev_.notify(SC_ZERO_TIME);
  return false;
          }),
mem("host_mem", c.layout), link("pcie", c.pp), dev("nic", c.np, &wire, c.lockstep),
hw("hal", k, mem), txsb(k, send_flow_addr()),
checkers(k, dev, hw, adapter, c.ic.irq_mode == igb_irq_mode::msix, c.stranded_us, first_event),
txcheck(k, adapter, c.tx_timeout_us), wall0_(std::chrono::steady_clock::now()) {
  k.local_addr = kHostIp;
  k.ip_id_secret = static_cast<uint64_t>(c.seed) * 0x9E3779B97F4A7C15ull + 1;  // ip_id_key
  txsb.set_mtu(c.ic.mtu);
  if (live) {
    src.set_live(live.get());
    txsb.on_whole = [this](const uint8_t* ip) { forward_to_live(ip); };
  }
  if (c.ac.reply == app_reply::echo) {
    // Each flow's replies keep its requests' order when each socket has one reader
    const bool one_reader = c.ac.kind == app_kind::blocking
                                ? static_cast<uint32_t>(c.ac.threads) <= c.nsocks
                                : c.ac.threads == 1;
    txsb.enable_echo(c.sc.frames ? c.sc.flows : 0, one_reader);
  }
  wire.on_offer = [this](const wire_frame& f) {
    if (first_frame_ps == UINT64_MAX) first_frame_ps = ps_of(f.start);
    std::vector<uint8_t> body(f.bytes.begin(), f.bytes.end() - 4);
    sb.offered(f.id, body);
    if (txsb.echo()) txsb.request(f.id, body);
    if (opt.rx_pcap) rx.keep(f.id, std::move(body));
  };
  // A request's round trip starts at its first bit, known once the frame is on the wire whole
  if (txsb.echo())
    wire.on_received = [this](const wire_frame& f) { txsb.request_started(f.id, f.start); };
  dev.dma_init_socket.bind(link.dma_tgt_socket);
  link.mem_init_socket.bind(mem.tgt_socket);
  hw.mmio_init_socket.bind(link.mmio_tgt_socket);
  link.mmio_init_socket.bind(dev.mmio_tgt_socket);
  if (o.waves) {
    if (!dev.open_waves(o.outdir + "/waves.fst"))
      throw std::runtime_error("cannot create waves.fst");
    dev.tracer().set_window(
        static_cast<uint64_t>(o.waves_start_us * 1e6),
        o.waves_end_us < 0 ? UINT64_MAX : static_cast<uint64_t>(o.waves_end_us * 1e6));
    k.set_tracer(&dev.tracer());
  }
  // sim.journey: every frame's row, every N-th's, or no journey files at all
  k.jr.keep_every(cfg.journey_every);
  k.txjr.keep_every(cfg.journey_every);
  if (cfg.journey_every && !k.jr.open(o.outdir + "/journey.csv"))
    throw std::runtime_error("cannot create journey.csv");
  connect_nic_events();
  connect_host_events();
  open_sockets();
  open_sender();
  if (sender || txsb.echo()) open_tx_journey();
  start_tasks();
  spawn_run_control();
  k.on_event = [this](const char* ev) { note_event(ev, k.this_cpu().now()); };
  hw.on_writel = [this](uint32_t reg, uint32_t val) { checkers.on_writel(reg, val); };
  checkers.spawn();
  // The transmit checkers see each packet the driver queues (its observer), the NIC's reads
  // and write-backs and the driver's unmapping
  adapter.observer = std::make_unique<tx_check_observer>(hw, txcheck);
  dev.watch_stop(&stop_signal);  // a stopped lockstep run skips idle cycles
  dev.on_tx_read = [this](unsigned q, bool desc, uint64_t addr, const uint8_t* data, uint32_t len,
                          const sc_time& done) {
    txcheck.nic_read(q, desc, addr, data, len, done);
  };
  dev.on_tx_writeback = [this](unsigned q, uint64_t addr, uint32_t len, const sc_time& visible) {
    txcheck.written_back(q, addr, len, visible);
  };
  hw.on_dma_unmap = [this](uint64_t dma, uint32_t) { txcheck.unmapped(dma); };
  if (sender) txcheck.spawn();
}

void igbsim_top::drop(uint64_t id, const std::string& counter, const sc_time* nic_time) {
  // A drop at the NIC happens at the NIC's time (it runs ahead of SystemC's), one in the
  // kernel at the CPU's
  const sc_time at = nic_time ? *nic_time : k.this_cpu().now();
  note_event("drop", at);
  if (counter == "rx_missed_errors") note_event("mpc", at);
  if (counter.rfind("rx_queue_", 0) == 0) note_event("rqdpc", at);
  rx.forget(id);
  sb.dropped(id, counter);
  txsb.request_dropped(id, counter);
  k.jr.finish(id, counter);
  if (fate_hook_) fate_hook_();
}

// What the NIC reports: interrupt messages, violations its bus monitor sees, RTL assertions,
// and each frame's steps and drops
void igbsim_top::connect_nic_events() {
  dev.msix_sink = [this](unsigned vec, const sc_time& sent, const sc_time& arrival) {
    hw.note_msix(vec, sent, arrival);
    k.cpu(k.irq_cpu(vec)).post_irq(vec, arrival);
  };
  dev.on_violation = [this](const char* kind, const std::string& detail, const sc_time& t) {
    k.violate_at(t, kind, detail);
  };
  dev.on_rtl_assertion = [this](const std::string& where, const sc_time&) {
    k.violate("rtl_assertion", "assertion failed at " + where);
  };
  dev.on_frame = [this](uint64_t id, nic_event ev, unsigned queue, const sc_time& t) {
    // The partner's PAUSE frames are the NIC's MAC's, not datagrams: no journey, no drop
    if (id & eth_wire::kPartnerFrame) return;
    switch (ev) {
      case nic_event::wire_end: k.jr.record(id, step::wire_end, t); break;
      case nic_event::no_descriptor:
        note_event("rnbc", t);
        checkers.wake.notify(SC_ZERO_TIME);
        break;
      case nic_event::mpc_drop: drop(id, "rx_missed_errors", &t); break;
      case nic_event::runt_drop:
        ++tallies.runt_drops;
        drop(id, "rx_length_errors", &t);
        break;
      case nic_event::oversize_drop:
        ++tallies.oversize_drops;
        drop(id, "rx_length_errors", &t);
        break;
      // No Linux name: a NIC counts no frame its address filter drops (README)
      case nic_event::addr_filtered: drop(id, "address_filtered", &t); break;
      case nic_event::rqdpc_drop: drop(id, fmt::format("rx_queue_{}_drops", queue), &t); break;
      case nic_event::desc_writeback: k.jr.record(id, step::desc_wb_nic, t); break;
    }
  };
}

// What host memory sees arrive (data and write-backs), and the kernel's fates of frames
void igbsim_top::connect_host_events() {
  mem.on_visible = [this](uint64_t addr, uint32_t len, uint32_t tag,
                          const std::vector<uint64_t>& frames, const sc_time& t) {
    if (tag == 1 && !frames.empty()) {
      k.jr.record(frames[0], step::data_dma, t);
      uint64_t holder = 0;
      if (hw.held_by_stack(addr, len, &holder))
        k.violate_at(
            t, "dma_into_stack_owned_buffer",
            fmt::format("frame {} written at 0x{:x}, into the buffer of frame {} that the stack "
                        "still holds",
                        static_cast<int64_t>(frames[0]), addr, static_cast<int64_t>(holder)),
            static_cast<int64_t>(frames[0]));
    }
    if (tag == 2) {
      for (size_t i = 0; i < frames.size(); ++i) {
        uint32_t
            staterr;  // the frame's last descriptor (EOP) is written back: it is in host memory
        std::memcpy(&staterr, mem.ptr(addr + 16 * i + 8), 4);
        if (staterr & E1000_RXD_STAT_EOP) ++tallies.frames_written_back;
        k.jr.record(frames[i], step::desc_wb, t);
        hw.note_writeback(addr + 16 * i, frames[i], t);
        checkers.wake.notify(SC_ZERO_TIME);
      }
    }
  };
  k.on_drop = [this](uint64_t id, const std::string& counter) {
    note_event("drop", k.this_cpu().now());
    rx.forget(id);
    sb.dropped(id, counter);
    txsb.request_dropped(id, counter);
    if (fate_hook_) fate_hook_();
  };
  k.on_dequeue = [this](uint64_t id, uint32_t seq, size_t n) { sb.dequeued(id, seq, n); };
  k.on_deliver = [this](uint64_t id, const uint8_t* d, size_t n, const sc_time& t) {
    sb.delivered(id, d, n);
    txsb.request_read(id);
    if (fate_hook_) fate_hook_();
    rx.write(id, t);
  };
}

// Sockets: UDP, app.sockets sockets bound to consecutive ports; TCP, one established
// connection per flow
void igbsim_top::open_sockets() {
  for (uint32_t i = 0; i < cfg.nsocks; ++i) {
    socks.push_back(std::make_unique<sock>());
    sock* sk = socks.back().get();
    sock_init_data(k, sk);
    sk->index = static_cast<int>(i);
    sk->rcv_saddr = kHostIp;
    if (cfg.tc.tcp) {
      sk->tcp = true;
      sk->num = kDstPort;
      sk->daddr = peer_ip(i);
      sk->dport = static_cast<uint16_t>(kSrcPortBase + i);
      sk->rcv_nxt = kTcpIsn + 1;
      sk->sk_rcvlowat = cfg.rcvlowat;
      k.tcp_hash.insert(sk);
    } else {
      sk->num = static_cast<uint16_t>(kDstPort + i);
      k.udp.bind(sk);
    }
    sockp.push_back(sk);
  }
}

// The sender application's sockets (send.frames > 0): one per flow, each bound to its own
// source port on the host's address
// The transmit journey: one row per sendto (stack/tx_journey.h), the sender's and the echo
// server's; the NIC's memory port names the descriptors and buffers it reads and writes back.
void igbsim_top::open_tx_journey() {
  if (!k.txjr.open(cfg.journey_every ? opt.outdir + "/tx_journey.csv" : std::string()))
    throw std::runtime_error("cannot create tx_journey.csv");
  // The sender's sockets are its own; every other socket that sends is the echo server's
  std::unordered_set<const sock*> mine;
  for (const auto& sk : send_socks) mine.insert(sk.get());
  k.txjr.source_of = [mine](const sock* sk) {
    return mine.count(sk) ? tx_source::sender : tx_source::echo;
  };
  dev.on_tx_port =
      [this](nic::tx_port ev, unsigned q, uint64_t addr, uint32_t len, const sc_time& t) {
    if (ev == nic::tx_port::desc_read) k.txjr.desc_read(q, addr, len, t);
    else if (ev == nic::tx_port::data_read) k.txjr.data_read(addr, len, t);
    else k.txjr.writeback(q, addr, len, t);
  };
}

void igbsim_top::open_sender() {
  if (cfg.sc.frames == 0) return;
  std::vector<sock*> v;
  for (uint32_t f = 0; f < cfg.sc.flows; ++f) {
    send_socks.push_back(std::make_unique<sock>());
    sock* sk = send_socks.back().get();
    sock_init_data(k, sk);
    sk->rcv_saddr = kHostIp;
    sk->num = static_cast<uint16_t>(kSendSportBase + f);
    sk->nonblock = !cfg.sc.blocking;
    v.push_back(sk);
  }
  sender = std::make_unique<udp_sender>(k, v, cfg.sc, kPeerIp, kSendDportBase);
  sender->on_sending = [this](uint32_t flow, uint64_t seq, const uint8_t* p, size_t n) {
    txsb.sending(flow, seq, p, n);
  };
  sender->on_sent = [this](uint32_t, uint64_t, size_t n) { txsb.sent(n); };
  sender->on_not_sent = [this](uint32_t flow, uint64_t seq, size_t n) {
    txsb.not_sent(flow, seq, n, k.this_cpu().now());
  };
  sender->on_done = [this] {
    sender_done_ps = ps_of(k.this_cpu().now());
    run_ev_.notify(SC_ZERO_TIME);
  };
}

// With a sender or an echo server, after igb_open: the kernel takes the driver's net_device
// (dev_open: the qdiscs) as the route's device; the sender threads start 10 us later, as the
// peer does
void igbsim_top::start_transmit() {
  if (!transmits()) return;
  dev_open(adapter.netdev);
  k.route_dev = adapter.netdev;
  std::memcpy(k.route_neigh_ha, kPeerMac, 6);
  std::memcpy(txsb.addr().src_mac, adapter.netdev->dev_addr, 6);
  if (!sender) return;
  k.this_cpu().sync();
  sender->start_at(k.this_cpu().now() + sc_time(10, SC_US));
  for (size_t t = 0; t < sender->tasks.size(); ++t)
    k.cpu((cfg.kp.app_cpu + static_cast<int>(t)) % k.cores()).spawn(sender->tasks[t].get());
}

void igbsim_top::collect_tx() {
  const auto& frames = dev.tx_frames();
  for (; tx_seen < frames.size(); ++tx_seen) {
    const auto& f = frames[tx_seen].bytes;
    // MAC control frames (802.3x PAUSE, EtherType 0x8808) are the MAC's, not the sender's
    if (f.size() >= 14 && f[12] == 0x88 && f[13] == 0x08) {
      ++tx_mac_control;
      continue;
    }
    txsb.on_wire(f, frames[tx_seen].end);
    k.txjr.wire_frame(frames[tx_seen].end);
  }
}

// A UDP datagram to a loopback address (a live client's: live traffic comes from 127.0.0.0/8)
// is sent to that address and port from the live socket, the port the client sent to. ip: the
// datagram whole, as the transmit scoreboard has it (a reply over the MTU put back together
// from its fragments, as the client's stack would)
void igbsim_top::forward_to_live(const uint8_t* ip) {
  const size_t ihl = (ip[0] & 0xFu) * 4u, tot = static_cast<size_t>(ip[2] << 8 | ip[3]);
  if (ip[9] != IPPROTO_UDP || ihl < 20 || tot < ihl + 8) return;
  const uint32_t daddr = iphdr_view{ip}.daddr();
  if (daddr >> 24 != 127) return;
  const uint8_t* udp = ip + ihl;
  const size_t ulen = static_cast<size_t>(udp[4] << 8 | udp[5]);
  if (ulen < 8 || ihl + ulen > tot) return;
  live->send_to(daddr, static_cast<uint16_t>(udp[2] << 8 | udp[3]),
                std::vector<uint8_t>(udp + 8, udp + ulen));
}

bool igbsim_top::senders_done() const {
  if (sender && !sender->done()) return false;
  return !txsb.echo() || app->reply_attempts() >= sb.delivered_count();
}

// IP packets dropped on the way to the driver: by the qdiscs, and fragments freed unsent when
// their datagram's fragmentation failed
uint64_t igbsim_top::tx_dropped_packets() {
  if (!adapter.netdev) return 0;
  std::vector<tx_queue_stats> v;
  read_tx_queue_stats(adapter.netdev, v);
  uint64_t n = k.tx_st.ip_frag_unsent;
  for (const auto& q : v) n += q.dropped_ip_packets;
  return n;
}

// A packet given to the NIC that the driver has not cleaned yet
bool igbsim_top::driver_waits_for_completion() const {
  for (const auto& ring : adapter.tx_ring)
    for (const auto& b : ring->tx_buffer_info)
      if (b.next_to_watch >= 0) return true;
  return false;
}

// Every sent datagram is on the wire or dropped, the driver has cleaned every packet it gave
// the NIC (its skb freed, BQL completed), and the link partner has sent its last PAUSE
bool igbsim_top::tx_settled() {
  if (!senders_done() || txsb.outstanding(tx_dropped_packets()) != 0) return false;
  // The partner's last XON reaches the NIC before the driver's last statistics read: its
  // count and the NIC's XONRXC agree (before, a run could end between them: 150 against 149)
  return wire.partner_quiet() && !driver_waits_for_completion();
}

// The transmit drain: until tx_settled, looking every 10 us of simulated time; bounded by
// sim.drain_us after the last progress (a datagram sent, a frame on the wire, a packet
// cleaned), so a sender or NIC that stopped for good cannot hold the run. A sender that has
// not yet handed every datagram to sendto, or a packet not yet cleaned, is waited for as long
// as the transmit checkers take to judge it (tx_checkers::verdict_within: sim.tx_timeout_us or
// the completion bound, beyond any wait a correct system has), even when sim.drain_us is
// shorter: with drain_us = 0, a sender blocked a few us on a full send buffer ended the run
// with 818 of its 1000 datagrams never sent, and with the default 2 ms a driver that never
// sets RS ended its run before tx_completion_missing could see it.
void igbsim_top::tx_drain() {
  if (!transmits()) return;
  uint64_t progress = 0;
  sc_time last = sc_time_stamp();
  for (;;) {
    collect_tx();
    if (tx_settled()) break;
    uint64_t p = (sender ? sender->sent + sender->eagain + sender->errors : 0) +
                 app->reply_attempts() + tx_seen;
    for (const auto& ring : adapter.tx_ring) p += ring->packets;
    if (p != progress) {
      progress = p;
      last = sc_time_stamp();
    }
    // A sender asleep until its next sendto is due has not stopped: the bound runs from then.
    // A sender that has not finished, or a packet the driver still waits for, is given until
    // the transmit checkers have judged it (a stopped queue or a missing completion), so a
    // planted bug is caught at any sim.drain_us
    sc_time bound = cfg.drain;
    if (sender && !sender->done()) last = std::max(last, sender->next_due());
    if ((sender && !sender->done()) || driver_waits_for_completion())
      bound = std::max(bound, txcheck.verdict_within());
    if (stop_signal || sc_time_stamp() >= last + bound) break;
    wait(sc_time(10, SC_US));
  }
  tx_drained = tx_settled();
}

// Where each sent IP packet (a datagram, or a fragment of one over the MTU) without a fate is
// at the end: every one must be somewhere
void igbsim_top::take_tx_census() {
  if (!transmits()) return;
  std::vector<tx_queue_stats> qs;
  read_tx_queue_stats(adapter.netdev, qs);
  uint64_t cleaned = 0, in_ring = 0;
  for (const auto& q : qs) tx_census.qdisc += q.backlog_ip_packets;
  for (const auto& ring : adapter.tx_ring) {
    cleaned += ring->packets;
    for (const auto& b : ring->tx_buffer_info)
      if (b.next_to_watch >= 0) in_ring += b.gso_segs;  // a GSO skb's segments each
  }
  const uint64_t wire = txsb.wire_packets();
  tx_census.nic = cleaned > wire ? cleaned - wire : 0;
  // A packet on the wire whose completion igb has not cleaned yet is still in its ring: it
  // counts once, on the wire (the part writes DD back before the frame is out)
  const uint64_t out_uncleaned = wire > cleaned ? wire - cleaned : 0;
  tx_census.tx_ring = in_ring - std::min(in_ring, out_uncleaned);
  const uint64_t accounted = wire + tx_dropped_packets() + tx_census.in_flight();
  const uint64_t sent = txsb.sent_packets();
  tx_census.lost = sent > accounted ? sent - accounted : 0;
  if (tx_census.lost)
    k.violate_at(sc_time_stamp(), "tx_lost_unaccounted",
                 fmt::format("{} sent IP packets are neither on the wire, nor dropped, nor held "
                             "by the qdisc, a transmit ring or the NIC",
                             tx_census.lost));
  // (a sendto not returned at the end may have its packets anywhere, the wire included)
  else if (sent + txsb.in_sendto_packets() < accounted && tx_census.in_flight() == 0)
    k.violate_at(sc_time_stamp(), "tx_double_fate",
                 fmt::format("{} IP packets sent, but {} on the wire, dropped or in flight", sent,
                             accounted));
}

// Why each echo request has no answer at the end, counted from the two ends: dropped on
// receive (the scoreboard's fates of the request frames); neither read nor dropped (then it
// must be among the receive side's frames in flight); read and its sendto not yet called (its
// service work outlasted the drain) or not yet returned with its reply not on the wire; its
// sendto refused (EAGAIN, errors); sent and not on the wire (the qdisc dropped it or it is in
// flight: tx.checks). A reply may be on the wire before its sendto returns (the receive
// softirq's work runs in the caller's context): answered, though not yet counted as sent.
// These add up by construction; what is checked is that no count is negative and the
// in-flight requests are in the census.
void igbsim_top::take_echo_census() {
  if (!txsb.echo()) return;
  const tx_scoreboard::echo_counts e = txsb.echo_stats();
  const uint64_t settled = e.read + e.dropped(), attempts = app->reply_attempts();
  auto bad = [this](const std::string& why) {
    k.violate_at(sc_time_stamp(), "rr_unaccounted", why);
  };
  if (settled > e.requests)
    bad(fmt::format("{} requests offered, but {} read or dropped", e.requests, settled));
  if (attempts > e.read)
    bad(fmt::format("{} replies attempted for {} requests read", attempts, e.read));
  // Replies on the wire beyond those sent: their sendto calls have not returned
  const uint64_t answered_in_call = e.answered > e.replies_sent ? e.answered - e.replies_sent : 0;
  if (answered_in_call > echo_in_sendto || app->replies != e.replies_sent)
    bad(fmt::format("{} replies on the wire, {} sent by the transmit scoreboard's count ({} "
                    "sendto calls not returned), {} by the application's",
                    e.answered, e.replies_sent, echo_in_sendto, app->replies));
  echo_census.rx_in_flight = e.requests > settled ? e.requests - settled : 0;
  const uint64_t served = attempts + answered_in_call;
  echo_census.being_served = e.read > served ? e.read - served : 0;
  echo_census.not_on_wire = e.replies_sent > e.answered ? e.replies_sent - e.answered : 0;
  if (echo_census.rx_in_flight > census.in_flight)
    bad(fmt::format("{} requests neither read nor dropped, but only {} frames in flight",
                    echo_census.rx_in_flight, census.in_flight));
}

// Tasks: bring-up (ip link up), then the application's
void igbsim_top::start_tasks() {
  bringup_.comm = "ip_link_up";
  bringup_.fn = [this] {
    igb_open(&adapter, &hw, cfg.ic);
    start_transmit();
    k.this_cpu().sync();
    src.start_at(sc_time_stamp() + sc_time(10, SC_US));  // link up, then the peer sends
    if (live) live->start();
    dev.kick();
  };
  // An fd_set holds fds below FD_SETSIZE: glibc's FD_SET beyond it writes past the set (or
  // aborts under _FORTIFY_SOURCE, __fdelt_chk); the kernel itself takes any nfds.
  const int64_t fd_setsize = cfg.fd_setsize;
  const uint32_t nsocks = cfg.nsocks;
  if (cfg.ac.kind == app_kind::select && 3 + static_cast<int64_t>(nsocks) > fd_setsize)
    throw input_error(fmt::format(
        "app.fd_setsize: select() takes fds below the fd_set size (FD_SETSIZE) {}; {} sockets "
        "need fds up to {}: raise app.fd_setsize to at least {}",
        fd_setsize, nsocks, 2 + nsocks, (3 + static_cast<int64_t>(nsocks) + 63) / 64 * 64));
  app = std::make_unique<server_app>(k, sockp, cfg.ac);
  app->on_reply = [this](uint64_t, const sock*, const msg_name&, const uint8_t*, size_t len) {
    txsb.reply_sent(len);
  };
  app->on_reply_sendto = [this](size_t len, bool begin) {
    if (begin) txsb.sendto_begin(len);
    else txsb.sendto_end(len);
    echo_in_sendto += begin ? 1 : uint64_t(-1);
  };
  task_struct& main_task = *app->tasks.front();
  k.app_task = &main_task;
  k.jr.task_state = [&main_task] { return task_state_char(main_task.state); };
  // Several threads: a row shows the state of the one that read its frame
  if (app->tasks.size() > 1)
    for (const auto& task : app->tasks) k.jr.follow(task.get(), task_state_char(task->state));
  for (int c = 0; c < k.cores(); ++c) k.cpu(c).net_rx_action = [this] { net_rx_action(k); };
  k.cpu(0).spawn(&bringup_);
  for (size_t t = 0; t < app->tasks.size(); ++t)
    k.cpu((cfg.kp.app_cpu + static_cast<int>(t)) % k.cores()).spawn(app->tasks[t].get());
}

// A wall-clock span as a person reads it: "42 s", "3 min 05 s", "2 h 07 min"
static std::string human_span(double s) {
  const auto n = static_cast<long long>(std::llround(std::max(0.0, s)));
  if (n < 60) return fmt::format("{} s", n);
  if (n < 3600) return fmt::format("{} min {:02} s", n / 60, n % 60);
  return fmt::format("{} h {:02} min", n / 3600, n % 3600 / 60);
}

// The fraction of the run done: of the offered frames (traffic.frames, a capture's), else of
// traffic.duration_us, else of the sender's datagrams; < 0 when it cannot be told (live).
double igbsim_top::fraction_done() const {
  const traffic_config& tc = cfg.tc;
  const uint64_t frames = tc.pcap.empty() ? tc.frames : cfg.pcap_count;
  double done = -1;
  if (live) return done;
  if (frames) done = static_cast<double>(sb.offered_count()) / static_cast<double>(frames);
  else if (tc.duration_us > 0)
    done = first_frame_ps == UINT64_MAX
               ? 0.0
               : std::max(0.0, sc_time_stamp().to_seconds() -
                                   static_cast<double>(first_frame_ps) * 1e-12) /
                     (tc.duration_us * 1e-6);
  else if (sender && cfg.sc.frames)
    done = static_cast<double>(txsb.sent_count(tx_source::sender)) /
           static_cast<double>(cfg.sc.frames);
  return std::min(done, 1.0);
}

// Progress on stderr while the run goes on (README, "Long runs"). On a terminal, one line
// rewritten in place twice a second once the run has taken two seconds; elsewhere (a Slurm
// log, a pipe) a plain line every opt.progress_every_s seconds of wall time, so a log holds
// no carriage returns or escape codes.
void igbsim_top::progress() {
  if (progress_ == progress_mode::off) return;
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0_).count();
  if (wall < next_progress_s_) return;
  const bool tty = progress_ == progress_mode::terminal;
  next_progress_s_ = wall + (tty ? 0.5 : opt.progress_every_s);
  const double sim_s = sc_time_stamp().to_seconds();
  const double done = fraction_done();
  std::string pct = "?% done", left = "time left unknown";
  if (done >= 0) {
    // floor: 100 % only once everything is offered (the drain is then all that is left)
    pct = fmt::format("{}% done", static_cast<int>(std::floor(done * 100)));
    if (done >= 1) left = "draining";
    else if (done >= 0.01) left = "about " + human_span(wall * (1 - done) / done) + " left";
  }
  // (a sender's datagrams too: a send-only run offers no frames)
  const std::string line = fmt::format(
      "{}, {:.3f} ms simulated, {} frames offered{}, {} elapsed, {}", pct, sim_s * 1e3,
      sb.offered_count(), sender ? fmt::format(", {} datagrams sent", sender->sent) : std::string(),
      human_span(wall), left);
  if (tty) {
    // Padded over the previous line, which may have been longer
    std::fprintf(stderr, "\r  %-*s", static_cast<int>(progress_width_), line.c_str());
    progress_width_ = std::max(progress_width_, line.size());
  } else {
    std::fprintf(stderr, "igbsim: progress: %s\n", line.c_str());
  }
  std::fflush(stderr);
  progress_shown_ = true;
}

void igbsim_top::take_tally(run_tallies::tally& t) {
  t.fates = sb.dropped_by();
  t.written_back = tallies.frames_written_back;
  // Frames that left the packet buffer for host memory or a drop: all but those on the wire or
  // buffered
  t.out_of_pktbuf = sb.offered_count() - (wire.holding() ? 1 : 0) - dev.frames_buffered();
}

// Run control (README "The end of a run"): the traffic runs out, then the drain lasts until
// every offered frame has its fate, or until sim.drain_us after the last frame's wire end;
// then the driver reads the statistics and the run stops. Frames without a fate then are in
// flight (or lost), accounted for after the run. Its wake-ups: the source ran out, every frame
// has its fate, the statistics were read. Nothing wakes it otherwise, so idle time costs nothing.
void igbsim_top::spawn_run_control() {
  stats_task_.comm = "igb_update_stats";
  stats_task_.fn = [this] {
    igb_update_stats(&adapter);
    stats_read_ = true;
    run_ev_.notify(SC_ZERO_TIME);
  };
  progress_ = opt.quiet                 ? progress_mode::off
              : ::isatty(STDERR_FILENO) ? progress_mode::terminal
                                        : progress_mode::log;
  if (progress_ == progress_mode::log) next_progress_s_ = opt.progress_every_s;
  fate_hook_ = [this] {
    progress();
    if (stop_signal || (src.exhausted() && sb.outstanding() == 0)) run_ev_.notify(SC_ZERO_TIME);
  };
  sc_spawn(
      [this] {
    while (!stop_signal && (!src.started() || !src.exhausted())) {
      if (!live) {
        wait(run_ev_);
        continue;
      }
      // Live traffic: simulated time must not run ahead of the wall clock, or a datagram
      // would land in the simulated past; then let the wire look for new datagrams.
      wait(sc_time(50, SC_US));
      progress();
      if (!src.started()) continue;
      // (in doubles: the first frame may start a few ns after now, and sc_time is unsigned)
      const double ahead_ns =
          (sc_time_stamp().to_seconds() - src.start_time().to_seconds()) * 1e9 - live->elapsed_ns();
      // (at most 50 ms a pass, so a stop signal is seen promptly whatever the clocks say)
      if (ahead_ns > 0)
        std::this_thread::sleep_for(
            std::chrono::nanoseconds(static_cast<int64_t>(std::min(ahead_ns, 5e7))));
      dev.kick();
      if (transmits()) collect_tx();  // replies to live clients leave as they reach the wire
    }
    // The drain: from the last frame's wire end (a source faster than the wire queues its
    // frames at the sender, so its nominal times end earlier)
    const sc_time bound = std::max(wire.last_end(), src.last_offered()) + cfg.drain;
    while (!stop_signal && sb.outstanding() > 0 && sc_time_stamp() < bound)
      wait(bound - sc_time_stamp(), run_ev_);
    drained = sb.outstanding() == 0;
    tx_drain();
    take_tally(tallies.before);
    k.cpu(0).spawn(&stats_task_);
    while (!stats_read_) wait(run_ev_);
    take_tally(tallies.after);
    sc_stop();
      },
      "run_control");

  // A stop signal is seen at the next frame's fate; a stretch without one (a core busy for
  // simulated hours, lockstep over an idle gap) is covered by this watch: it looks every
  // 50 us of simulated time at first, doubling up to every 10 ms (a fixed schedule, so runs
  // repeat exactly; about a second of wall time between looks in lockstep). It only reads.
  sc_spawn(
      [this] {
    sc_time period(50, SC_US);
    while (!stop_signal) {
      wait(period);
      progress();  // a stretch without a frame's fate (a sender-only run)
      if (period < sc_time(10, SC_MS)) period = period * 2.0;
    }
    run_ev_.notify(SC_ZERO_TIME);
      },
      "stop_watch");
}

// tx.pcap: the frames the NIC put on its wire, as a capture on the link sees them (without
// the FCS, which the transmit scoreboard checked), stamped with the time each one's last byte
// left
static std::string write_tx_pcap(const std::string& path,
                                 const std::vector<nic::tx_wire_frame>& frames) {
  pcap_t* p = pcap_open_dead(DLT_EN10MB, 65535);
  pcap_dumper_t* d = pcap_dump_open(p, path.c_str());
  if (!d) {
    pcap_close(p);
    return "cannot create " + path;
  }
  for (const auto& f : frames) {
    pcap_pkthdr h{};
    const uint64_t ns = ps_of(f.end) / 1000;
    h.ts.tv_sec = static_cast<time_t>(ns / 1000000000ull);
    h.ts.tv_usec = static_cast<suseconds_t>(ns % 1000000000ull / 1000);
    h.caplen = h.len = static_cast<bpf_u_int32>(f.bytes.size() - 4);
    pcap_dump(reinterpret_cast<u_char*>(d), &h, f.bytes.data());
  }
  pcap_dump_close(d);
  pcap_close(p);
  return "";
}

std::string igbsim_top::run() {
  if (live && !opt.quiet) {
    // Where to send, before anything else happens (the run waits for the first datagram)
    std::fprintf(stderr,
                 "igbsim: live: listening for UDP datagrams on %s:%u (for example: socat - "
                 "UDP:%s:%u)%s\n",
                 cfg.live_addr.c_str(), static_cast<unsigned>(cfg.live_port), cfg.live_addr.c_str(),
                 static_cast<unsigned>(cfg.live_port),
                 cfg.tc.live_idle_us > 0 ? fmt::format("; the run ends after {:.1f} s without one",
                                                       cfg.tc.live_idle_us / 1e6)
                                               .c_str()
                                         : "");
  }
  sc_start();
  rx.close();
  collect_tx();
  if (live) live->flush();  // the last replies to live clients are out before the report
  take_tx_census();
  if (opt.tx_pcap) {
    const std::string err = write_tx_pcap(opt.outdir + "/tx.pcap", dev.tx_frames());
    if (!err.empty()) return err;
  }
  if (progress_shown_ && progress_ == progress_mode::terminal)
    std::fprintf(stderr, "\r%*s\r", static_cast<int>(progress_width_ + 2), "");
  // The progress watchdog stopped a run that no longer moved (systemc/nic.h): an error (exit
  // 1), with its one-line diagnosis.
  if (!dev.stalled().empty()) return dev.stalled();
  checkers.judge_stranded();  // the checker's last look (it may have been backing off)
  end_ps = ps_of(sc_time_stamp());
  // Segments still waiting for a hole to fill: the sender would retransmit; count them.
  for (sock* sk : sockp) tcp_flush_ofo_at_end(k, sk);
  census = take_census(*this);
  take_echo_census();
  dev.close_waves();
  k.jr.finish_all_in_flight();
  if (!k.jr.close())
    return fmt::format("cannot write {}/journey.csv: {}", opt.outdir, std::strerror(errno));
  k.txjr.finish_all_in_flight();
  if (!k.txjr.close())
    return fmt::format("cannot write {}/tx_journey.csv: {}", opt.outdir, std::strerror(errno));
  // An interrupted run is a partial result; frames still on their way are in flight.
  interrupted_by = stop_signal;
  check_counters(*this);
  check_journey_order(*this);
  return "";
}

}  // namespace igbsim
