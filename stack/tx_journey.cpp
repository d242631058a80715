// SPDX-License-Identifier: Apache-2.0
#include "tx_journey.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "sim_time.h"

namespace igbsim {

namespace {
int64_t ps(const sc_core::sc_time& t) { return static_cast<int64_t>(ps_of(t)); }
}  // namespace

const char* tx_step_name(tx_step s) {
  static const char* const names[kTxSteps] = {"sendmsg",   "qdisc_enqueue", "xmit",
                                              "tdt_write", "desc_fetch",    "data_read",
                                              "wire_end",  "dd_writeback",  "clean"};
  return names[static_cast<size_t>(s)];
}

const char* tx_step_at(tx_step s) {
  switch (s) {
    case tx_step::desc_fetch:
    case tx_step::data_read:
    case tx_step::dd_writeback: return "NIC port";
    case tx_step::wire_end: return "wire";
    default: return "CPU";
  }
}

const char* tx_source_name(tx_source s) { return s == tx_source::echo ? "echo" : "sender"; }

bool tx_journey::open(const std::string& path) {
  on_ = true;
  if (path.empty()) return true;
  csv_ = std::fopen(path.c_str(), "w");
  if (!csv_) return false;
  std::fprintf(csv_, "datagram,source,fate,queue");
  for (size_t i = 0; i < kTxSteps; ++i) std::fprintf(csv_, ",%s_ns", tx_step_name(tx_step(i)));
  std::fprintf(csv_, "\n");
  return true;
}

bool tx_journey::close() {
  if (!csv_) return true;
  const bool ok = std::ferror(csv_) == 0;
  return std::fclose(csv_) == 0 && ok;
}

tx_journey::live* tx_journey::find(uint64_t id) {
  auto it = live_.find(id);
  return it == live_.end() ? nullptr : &it->second;
}

uint64_t tx_journey::begin(const sc_core::sc_time& t, const sock* sk) {
  if (!on_) return 0;
  const uint64_t id = next_id_++;
  live& l = live_[id];
  l.r.id = id;
  l.r.source = source_of ? source_of(sk) : tx_source::sender;
  l.r.t.fill(-1);
  l.r.t[size_t(tx_step::sendmsg)] = ps(t);
  return id;
}

void tx_journey::record(uint64_t id, tx_step s, const sc_core::sc_time& t) {
  live* l = find(id);
  if (!l) return;
  int64_t& v = l->r.t[size_t(s)];
  const bool latest = s == tx_step::data_read || s == tx_step::wire_end ||
                      s == tx_step::dd_writeback || s == tx_step::clean;
  if (v < 0 || latest) v = ps(t);
}

void tx_journey::unrecord(uint64_t id, tx_step s) {
  // (a later fragment's refusal leaves the first fragment's time)
  if (live* l = find(id); l && l->pkts.empty()) l->r.t[size_t(s)] = -1;
}

void tx_journey::refused(uint64_t id, const std::string& fate) {
  live* l = find(id);
  if (l && l->r.t[size_t(tx_step::qdisc_enqueue)] < 0) finish(id, fate);
}

void tx_journey::packets(uint64_t id, unsigned n) {
  if (live* l = find(id)) l->packets = n;
}

void tx_journey::datagrams(uint64_t id, unsigned n) {
  if (live* l = find(id)) l->datagrams = n;
}
void tx_journey::abandon(uint64_t id, unsigned unsent, const std::string& fate) {
  live* l = find(id);
  if (!l) return;
  l->packets -= std::min(unsent, l->packets);
  if (l->worst.empty()) l->worst = fate;
  settle(id, *l);
}

void tx_journey::picked_queue(uint64_t id, unsigned q) {
  if (live* l = find(id)) l->r.queue = static_cast<int>(q);
}

void tx_journey::queued(unsigned q, uint64_t id, uint64_t ring_dma, unsigned count, unsigned first,
                        unsigned n, unsigned eop,
                        const std::vector<std::pair<uint64_t, uint32_t>>& bufs, unsigned segs) {
  live* l = find(id);
  if (!l || count == 0) return;
  l->r.queue = static_cast<int>(q);
  const uint32_t p = static_cast<uint32_t>(l->pkts.size());
  l->pkts.push_back({0, 0, std::max(segs, 1u)});
  ring& r = rings_[q];
  if (r.dma != ring_dma || r.count != count) {
    r.dma = ring_dma;
    r.count = count;
    r.id_at.assign(count, 0);
    r.eop_at.assign(count, 0);
  }
  // Every slot of the packet is its own now: a slot that was another packet's EOP in an
  // earlier lap must not take this lap's write-back for that packet (whose row may still be
  // open, its frames not yet seen on the wire)
  for (unsigned j = 0; j < n; ++j) {
    r.id_at[(first + j) % count] = id;
    r.eop_at[(first + j) % count] = 0;
  }
  r.eop_at[eop % count] = id;
  r.unrung.push_back(id);
  for (const auto& [addr, len] : bufs) {
    if (len == 0) continue;
    by_addr_[addr] = {addr + len, id, p};
    l->bufs.push_back(addr);
    l->pkts[p].bytes += len;
  }
}

void tx_journey::doorbell(unsigned q, const sc_core::sc_time& t) {
  auto it = rings_.find(q);
  if (it == rings_.end()) return;
  for (uint64_t id : it->second.unrung) record(id, tx_step::tdt_write, t);
  it->second.unrung.clear();
}

template <class F>
void tx_journey::for_descriptors(unsigned q, uint64_t addr, uint32_t len, F&& f) {
  auto it = rings_.find(q);
  if (it == rings_.end() || addr < it->second.dma) return;
  ring& r = it->second;
  const uint64_t first = (addr - r.dma) / 16;
  for (uint64_t i = first; i < first + len / 16 && i < r.count; ++i) f(r, i);
}

void tx_journey::desc_read(unsigned q, uint64_t addr, uint32_t len, const sc_core::sc_time& t) {
  for_descriptors(q, addr, len, [&](ring& r, uint64_t i) {
    if (r.id_at[i]) record(r.id_at[i], tx_step::desc_fetch, t);
  });
}

void tx_journey::data_read(uint64_t addr, uint32_t len, const sc_core::sc_time& t) {
  auto it = by_addr_.upper_bound(addr);
  if (it == by_addr_.begin()) return;
  --it;
  if (addr >= it->second.end) return;
  const uint64_t id = it->second.id;
  live* l = find(id);
  if (!l || it->second.pkt >= l->pkts.size()) return;
  record(id, tx_step::data_read, t);
  pkt& p = l->pkts[it->second.pkt];
  const bool first = p.read == 0;
  p.read += len;
  // All its data is in: the packet is committed to the packet buffer, and leaves after the
  // packets committed before it. A segmentation packet (several frames) leaves as it comes
  // (igb_tx_pktbuf): its frames may start before its last byte is in, so it takes its place
  // at its first byte (the packets before it are in by then: completions come in order).
  if (p.segs > 1 ? first : p.read == p.bytes) {
    wire_order_.emplace_back(id, p.segs);
    ++l->wire_pending;
  }
}

void tx_journey::wire_frame(const sc_core::sc_time& end) {
  if (wire_order_.empty()) return;
  auto& [id, left] = wire_order_.front();
  record(id, tx_step::wire_end, end);
  if (--left > 0) return;
  const uint64_t done = id;
  wire_order_.pop_front();
  live* l = find(done);
  if (!l) return;
  --l->wire_pending;
  // Its last packet out: the datagram is on the wire (whole: not one that lost fragments)
  const int64_t a = l->r.t[size_t(tx_step::sendmsg)], b = l->r.t[size_t(tx_step::wire_end)];
  if (++l->wired == l->packets && l->worst.empty() && a >= 0 && b >= a) {
    s2w_.add(static_cast<uint64_t>(b - a));
    s2w_by_[size_t(l->r.source)].add(static_cast<uint64_t>(b - a));
  }
  settle(done, *l);  // freed already: the driver's clean came first
}

void tx_journey::writeback(unsigned q, uint64_t addr, uint32_t len, const sc_core::sc_time& t) {
  for_descriptors(q, addr, len, [&](ring& r, uint64_t i) {
    if (r.eop_at[i]) record(r.eop_at[i], tx_step::dd_writeback, t);
    r.eop_at[i] = 0;  // a descriptor is written back once
  });
}

void tx_journey::finish(uint64_t id, const std::string& fate) {
  live* l = find(id);
  if (!l || !l->r.fate.empty()) return;
  ++l->finished;
  if (fate != "sent" && l->worst.empty()) l->worst = fate;
  settle(id, *l);
}

// Every packet's fate known: the datagram's is the first that was not "sent"; its row is
// written once its frames are out too (igb frees a packet once the NIC has written its DD
// back, which the part does when its data is in the packet buffer: a large frame may still
// be going out on the wire then)
void tx_journey::settle(uint64_t id, live& l) {
  if (l.r.fate.empty() && l.finished >= l.packets) {
    l.r.fate = l.worst.empty() ? "sent" : l.worst;
    source_tally& n = tally_[size_t(l.r.source)];
    if (l.r.fate == "qdisc_drop") n.qdisc_dropped += l.datagrams;
    if (l.r.fate == "frag_unsent") n.frag_unsent += l.datagrams;
  }
  if (!l.r.fate.empty() && l.wire_pending == 0) emit(id);
}

void tx_journey::emit(uint64_t id) {
  auto it = live_.find(id);
  if (it == live_.end()) return;
  live& l = it->second;
  const std::string& fate = l.r.fate;
  if (fate == "sent") {
    const auto [b, i] = first_step_before_its_base(
        l.r.t, [](const auto& t, size_t j) { return tx_delta_base(t, j); });
    if (i < kTxSteps) misordered_.note(id, b, i);
  }
  if (!keep_every_ || (id - 1) % keep_every_ != 0) {
    // not in the sample (sim.journey): no row
  } else if (csv_) {
    if (fate.size() > 64) throw std::logic_error("tx_journey: fate name too long: " + fate);
    char line[20 + 1 + 6 + 1 + 64 + 1 + 11 + kTxSteps * 26 + 2];
    char* p = fmt::format_to(line, "{},{},{},", id, tx_source_name(l.r.source), fate);
    if (l.r.queue >= 0) p = fmt::format_to(p, "{}", l.r.queue);
    for (size_t i = 0; i < kTxSteps; ++i) {
      *p++ = ',';
      if (l.r.t[i] >= 0) p = format_ns(p, l.r.t[i]);
    }
    *p++ = '\n';
    std::fwrite(line, 1, static_cast<size_t>(p - line), csv_);
  } else {
    rows_.push_back(l.r);
  }
  live_.erase(it);
}

void tx_journey::finish_all_in_flight() {
  std::vector<uint64_t> ids;
  for (const auto& kv : live_) ids.push_back(kv.first);
  // A UDP_SEGMENT row's segments still to leave: those of its packet waiting for the wire
  // (all, when none of its data is in yet); the segments out are on the wire, not in flight
  std::unordered_map<uint64_t, unsigned> left;
  for (const auto& w : wire_order_) left[w.first] += w.second;
  auto segments_in = [&left](uint64_t id, const live& l) {
    if (l.datagrams == 1) return 1u;
    const auto it = left.find(id);
    return it == left.end() ? l.datagrams : it->second;
  };
  std::sort(ids.begin(), ids.end());
  for (uint64_t id : ids) {
    live& l = live_[id];
    source_tally& n = tally_[size_t(l.r.source)];
    const bool out = l.wired == l.packets && l.wire_pending == 0 && l.worst.empty();
    // Where it is, as the run's census counts it: freed by igb and not out (the NIC's FIFO);
    // handed to igb and not out (its ring); enqueued and not handed over (the qdisc). A
    // datagram whose sendto has not returned (asleep for send buffer) is not sent yet.
    if (l.r.fate == "sent") {
      n.in_nic += segments_in(id, l);
    } else if (!l.r.fate.empty()) {
      // dropped (counted so), a packet of it still going out: nowhere else
    } else if (!out) {
      if (l.r.t[size_t(tx_step::xmit)] >= 0) n.in_tx_ring += segments_in(id, l);
      else if (l.r.t[size_t(tx_step::qdisc_enqueue)] >= 0) n.in_qdisc += l.datagrams;
    }
    // Not freed by the end: "on_wire" if its frames went out (its completion not cleaned
    // yet), else "in_flight" (in the qdisc, the ring or the NIC); freed and not out: in the
    // NIC, "in_flight" too; its sendto not returned (asleep for send buffer): "not_sent"
    if (l.r.fate.empty())
      l.r.fate = out                                          ? "on_wire"
                 : l.r.t[size_t(tx_step::qdisc_enqueue)] >= 0 ? "in_flight"
                                                              : "not_sent";
    else if (l.r.fate == "sent" && !out) l.r.fate = "in_flight";
    emit(id);
  }
}

}  // namespace igbsim
