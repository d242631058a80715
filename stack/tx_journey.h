// SPDX-License-Identifier: Apache-2.0
// tx_journey: per-datagram step times of the transmit path, from sendmsg to the completion
// that frees the skb, like journey does for received frames (tracepoints keyed by the skb's
// id, skb->frame_id, which udp_sendmsg assigns). A row is final when igb_clean_tx_irq has
// freed the skb and its frames are on the wire (either may come first), or when the qdisc or
// the driver dropped it, and is streamed to tx_journey.csv then. Steps and where their
// time is taken:
//   sendmsg        CPU: udp_sendmsg entered
//   qdisc_enqueue  CPU: __dev_xmit_skb enqueued it, or found the qdisc empty and bypassed it
//   xmit           CPU: dev_hard_start_xmit handed it to the driver (igb_xmit_frame)
//   tdt_write      CPU: the TDT write that gave its descriptors to the NIC (with xmit_more, a
//                  later packet's)
//   desc_fetch     NIC port: the read completion that brought its first descriptor in
//   data_read      NIC port: the read completion with its last data byte
//   wire_end       wire: the last bit of its (last) frame on the wire
//   dd_writeback   NIC port: the write-back of its EOP descriptor's DD leaving the NIC
//   clean          CPU: igb_clean_tx_irq freed it
// The NIC's events name descriptor and buffer addresses; the driver tells which datagram each
// belongs to when it maps it (queued). Frames leave the wire in the order their packets'
// data reads completed (one transmit packet buffer, FIFO), a TSO packet as gso_segs frames,
// which may start leaving before its last read completes.
// A datagram over the MTU leaves as several packets (IPv4 fragments, ip_do_fragment): its
// steps up to desc_fetch are its first packet's, data_read, wire_end, dd_writeback and clean
// its last's, and its fate is its packets' first that is not "sent".
// Each row names its source: the sender application's datagram or an echo server's reply,
// as the run's classifier (source_of) tells them apart by socket.
#pragma once
#include <systemc>

#include <array>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "journey.h"

namespace igbsim {

struct sock;

// Who called sendto: the sender application (send.*) or the echo server (app.reply = echo)
enum class tx_source : uint8_t { sender, echo, count };
constexpr size_t kTxSources = static_cast<size_t>(tx_source::count);
const char* tx_source_name(tx_source s);

enum class tx_step : uint8_t {
  sendmsg,
  qdisc_enqueue,
  xmit,
  tdt_write,
  desc_fetch,
  data_read,
  wire_end,
  dd_writeback,
  clean,
  count
};
constexpr size_t kTxSteps = static_cast<size_t>(tx_step::count);
const char* tx_step_name(tx_step s);
const char* tx_step_at(tx_step s);  // where its time is taken: "CPU", "NIC port", "wire"
// A row's fates (README "The transmit journey")
inline constexpr const char* kTxFates[] = {"sent",       "on_wire",    "in_flight",
                                           "qdisc_drop", "tx_dropped", "frag_unsent",
                                           "eagain",     "send_error", "not_sent"};
// The step a step's delta is taken from: the one before it that has a time (t < 0: not
// reached), except that wire_end and dd_writeback both follow data_read (the NIC writes DD
// back once the data is buffered, before or after the frame is on the wire) and clean follows
// dd_writeback. kTxSteps: none.
template <class T>  // times in any unit, < 0: not reached
size_t tx_delta_base(const std::array<T, kTxSteps>& t, size_t i) {
  const auto from = [&](tx_step s) {
    const size_t b = static_cast<size_t>(s);
    return t[b] >= 0 ? b : kTxSteps;
  };
  switch (tx_step(i)) {
    case tx_step::wire_end:
    case tx_step::dd_writeback: return from(tx_step::data_read);
    case tx_step::clean: return from(tx_step::dd_writeback);
    default:
      for (size_t b = i; b-- > 0;)
        if (t[b] >= 0) return b;
      return kTxSteps;
  }
}

class tx_journey {
 public:
  // Opens tx_journey.csv for streaming; an empty path keeps rows in memory (tests). Off
  // until opened: every call is then a no-op, and no id is taken.
  bool open(const std::string& path);
  bool close();  // false when a row could not be written
  bool on() const { return on_; }
  // Which rows are written (or kept): datagrams 1, n + 1, 2n + 1 ... (sim.journey sample=N:
  // the first and every N-th after it); 1, the default, every datagram; 0 none. Every
  // datagram is still followed (send_to_wire, tally).
  void keep_every(uint64_t n) { keep_every_ = n; }
  // A datagram enters udp_sendmsg on sk at t: its id (0 when off)
  uint64_t begin(const sc_core::sc_time& t, const sock* sk = nullptr);
  // Which source a socket's datagrams are (unset: all the sender's)
  std::function<tx_source(const sock*)> source_of;
  // The step's first time (data_read, wire_end: the latest, the last byte's)
  void record(uint64_t id, tx_step s, const sc_core::sc_time& t);
  // A step taken back: the driver refused the packet (NETDEV_TX_BUSY) and it is back in the
  // qdisc, so its xmit is the one that succeeds later
  void unrecord(uint64_t id, tx_step s);
  // The TX queue the stack picked for it (netdev_core_pick_tx), before the driver maps it:
  // a datagram the qdisc drops has its queue too
  void picked_queue(uint64_t id, unsigned q);
  // ip_do_fragment: datagram id leaves as n packets (default 1); unsent of them never will
  // (the fragmentation failed), and the datagram's fate is `fate` unless a packet's came first
  void packets(uint64_t id, unsigned n);
  // udp_send_skb: datagram id is a UDP_SEGMENT send of n datagrams (one GSO skb, one row):
  // the tallies count its n
  void datagrams(uint64_t id, unsigned n);
  // sendto failed: the datagram's fate, unless a packet of it reached the qdisc (whose drop,
  // counted there, is why: ENOBUFS with IP_RECVERR)
  void refused(uint64_t id, const std::string& fate);
  void abandon(uint64_t id, unsigned unsent, const std::string& fate);
  // igb_tx_map mapped datagram id onto descriptors [first, first + n) of queue q's ring
  // (ring_dma: its base, count: its size; eop: the EOP descriptor) and buffers bufs
  // (address, length); it leaves the wire as segs frames.
  void queued(unsigned q, uint64_t id, uint64_t ring_dma, unsigned count, unsigned first,
              unsigned n, unsigned eop, const std::vector<std::pair<uint64_t, uint32_t>>& bufs,
              unsigned segs);
  void doorbell(unsigned q, const sc_core::sc_time& t);  // TDT written: queued so far go
  // The NIC's ports: a descriptor read completion, a data read completion, a DD write-back
  void desc_read(unsigned q, uint64_t addr, uint32_t len, const sc_core::sc_time& t);
  void data_read(uint64_t addr, uint32_t len, const sc_core::sc_time& t);
  void writeback(unsigned q, uint64_t addr, uint32_t len, const sc_core::sc_time& t);
  void wire_frame(const sc_core::sc_time& end);  // a frame's last bit left on the wire
  // A packet's fate: "sent" (freed at completion), "qdisc_drop", ...; the row is emitted when
  // every packet of the datagram has one and its frames are out
  void finish(uint64_t id, const std::string& fate);
  void finish_all_in_flight();  // fate "in_flight"
  // sendmsg -> wire_end of the datagrams that reached the wire, in ps; all, or one source's
  const latency_sample& send_to_wire() const { return s2w_; }
  const latency_sample& send_to_wire(tx_source s) const { return s2w_by_[size_t(s)]; }
  // Per source, in datagrams (a UDP_SEGMENT row counts its segments): datagrams the qdisc
  // dropped, and (after finish_all_in_flight) those sent and
  // still on their way at the end, by where: the qdisc (not yet handed to the driver), the
  // transmit ring (handed to igb, not on the wire), the NIC (freed by igb, its frame not out)
  struct source_tally {
    uint64_t qdisc_dropped = 0, frag_unsent = 0, in_qdisc = 0, in_tx_ring = 0, in_nic = 0;
    uint64_t in_flight() const { return in_qdisc + in_tx_ring + in_nic; }
  };
  const source_tally& tally(tx_source s) const { return tally_[size_t(s)]; }
  struct row {
    uint64_t id = 0;
    tx_source source = tx_source::sender;
    int queue = -1;
    std::array<int64_t, kTxSteps> t;  // ps; -1: not reached
    std::string fate;
  };
  const std::vector<row>& rows() const { return rows_; }  // when no file is open
  // Sent datagrams out of order (tx_journey_step_order): until a fragmented datagram's packets
  // are all out and freed, its steps are of the packets that got that far
  using misordering = step_misordering<tx_step>;
  const misordering& misordered() const { return misordered_; }

 private:
  struct pkt {                     // one packet the driver mapped (queued)
    uint64_t bytes = 0, read = 0;  // data bytes to read, read so far
    unsigned segs = 1;             // frames it leaves as
  };
  struct live {
    row r;
    std::vector<pkt> pkts;
    unsigned packets = 1;        // packets the datagram leaves as
    unsigned datagrams = 1;      // datagrams it is (a UDP_SEGMENT send's segments)
    unsigned finished = 0;       // packets whose fate is known
    unsigned wired = 0;          // packets whose frames are all out
    unsigned wire_pending = 0;   // packets whose data is in and frames not all out yet
    std::string worst;           // the first fate of a packet other than "sent"
    std::vector<uint64_t> bufs;  // buffer addresses (keys of by_addr_)
  };
  struct buf_at {
    uint64_t end, id;
    uint32_t pkt;  // index into live::pkts
  };
  struct ring {
    uint64_t dma = 0;
    unsigned count = 0;
    std::vector<uint64_t> id_at, eop_at;  // per descriptor: its datagram; the EOP's
    std::vector<uint64_t> unrung;         // queued, TDT not yet written
  };
  live* find(uint64_t id);
  void settle(uint64_t id, live& l);
  void emit(uint64_t id);
  template <class F>  // f(ring, index) for each descriptor of queue q in [addr, addr + len)
  void for_descriptors(unsigned q, uint64_t addr, uint32_t len,
                       F&& f);  // writes the row of a datagram whose fate is known, and forgets it
  bool on_ = false;
  uint64_t next_id_ = 1;
  std::unordered_map<uint64_t, live> live_;
  std::map<unsigned, ring> rings_;
  std::map<uint64_t, buf_at> by_addr_;                    // start -> buffer
  std::deque<std::pair<uint64_t, unsigned>> wire_order_;  // (id, frames left)
  latency_sample s2w_;
  std::array<latency_sample, kTxSources> s2w_by_;
  std::array<source_tally, kTxSources> tally_{};
  std::vector<row> rows_;
  misordering misordered_;
  std::FILE* csv_ = nullptr;
  uint64_t keep_every_ = 1;
};

}  // namespace igbsim
