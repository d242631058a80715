// SPDX-License-Identifier: Apache-2.0
// The request/response server (app.reply = echo): what a client at the wire's far end would
// see - every request answered once, byte-exact, headers swapped, in order per flow - checked
// here from the run's own captures (rx.pcap: the requests the host read; tx.pcap: what the NIC
// sent), and the round-trip figures (latency_ns.rr) against the run's other figures.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pcap/pcap.h>
#include <zlib.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "kernel.h"
#include "run_igbsim.h"
#include "traffic.h"
#include "tx_scoreboard.h"

namespace fs = std::filesystem;
using nlohmann::json;
using namespace igbsim;
using namespace igbsim::test;

namespace {

uint16_t be16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
uint32_t be32(const uint8_t* p) { return uint32_t(be16(p)) << 16 | be16(p + 2); }

// RFC 1071 sum, folded (the test's own, not the simulator's)
uint32_t ones_fold(const uint8_t* p, size_t n, uint32_t sum) {
  for (size_t i = 0; i + 1 < n; i += 2) sum += be16(p + i);
  if (n & 1) sum += uint32_t(p[n - 1]) << 8;
  while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
  return sum;
}

// A UDP datagram of a capture: addresses, ports, payload; checksums verified
struct datagram {
  uint32_t saddr, daddr;
  uint16_t sport, dport;
  std::vector<uint8_t> payload;
  bool ip_csum_ok, udp_csum_ok;
};

std::vector<datagram> read_udp_pcap(const std::string& path) {
  std::vector<datagram> v;
  char err[PCAP_ERRBUF_SIZE];
  pcap_t* p = pcap_open_offline(path.c_str(), err);
  if (!p) return v;
  pcap_pkthdr* h;
  const u_char* d;
  while (pcap_next_ex(p, &h, &d) == 1) {
    if (h->caplen < 42 || be16(d + 12) != 0x0800 || d[23] != 17) continue;
    const uint8_t* ip = d + 14;
    const uint8_t* udp = ip + (ip[0] & 0xF) * 4;
    const uint16_t ulen = be16(udp + 4);
    datagram g{
        be32(ip + 12),
        be32(ip + 16),
        be16(udp),
        be16(udp + 2),
        std::vector<uint8_t>(udp + 8, udp + ulen),
        ones_fold(ip, 20, 0) == 0xFFFF,
        be16(udp + 6) == 0 || ones_fold(udp, ulen, ones_fold(ip + 12, 8, 17u + ulen)) == 0xFFFF};
    v.push_back(std::move(g));
  }
  pcap_close(p);
  return v;
}

uint64_t u(const json& j) { return j.get<uint64_t>(); }
double d(const json& j) { return j.get<double>(); }

json run_ok(const std::string& name, const std::string& args) {
  const std::string dir = fresh_dir(name);
  const result r = run_igbsim("run --out " + dir + " " + args);
  EXPECT_EQ(r.status, 0) << args << "\n" << r.err << r.out;
  if (r.status != 0) return json::object();
  json rep = load_report(dir);
  rep["dir"] = dir;
  return rep;
}

// Sum of an object's counters
uint64_t sum_of(const json& o) {
  uint64_t n = 0;
  for (const auto& kv : o.items()) n += kv.value().is_object() ? sum_of(kv.value()) : u(kv.value());
  return n;
}

}  // namespace

// Every reader model answers every request once: each reply on the wire is a request the host
// read, sent back with the addresses and ports swapped, the payload byte for byte, checksums
// right, and each flow's replies in the order of its requests. Three flows over two sockets.
class EchoReader : public ::testing::TestWithParam<std::string> {};

TEST_P(EchoReader, AnswersEveryRequestOnceByteExactInOrderPerFlow) {
  const json rep = run_ok("echo-" + GetParam(),
                          "--rx-pcap --tx-pcap --set app.reply=echo --set app.kind=" + GetParam() +
                              " --set traffic.frames=300 --set traffic.rate_pps=50000 "
                              "--set traffic.flows=3 --set app.sockets=2");
  ASSERT_TRUE(rep.contains("tx"));
  EXPECT_TRUE(rep["checks"]["passed"].get<bool>()) << rep["checks"]["violations"].dump();
  const std::string dir = rep["dir"];
  const auto requests = read_udp_pcap(dir + "/rx.pcap"), replies = read_udp_pcap(dir + "/tx.pcap");
  ASSERT_EQ(requests.size(), 300u) << "every request read";
  ASSERT_EQ(replies.size(), requests.size()) << "one reply per request";
  // Per flow (client address and port, host port): the requests in the order they were read,
  // the replies in the order they left
  using flow = std::tuple<uint32_t, uint16_t, uint16_t>;
  std::map<flow, std::vector<std::vector<uint8_t>>> asked, answered;
  for (const auto& q : requests) {
    EXPECT_EQ(q.daddr, kHostIp);
    asked[{q.saddr, q.sport, q.dport}].push_back(q.payload);
  }
  for (const auto& r : replies) {
    EXPECT_EQ(r.saddr, kHostIp) << "from the host";
    EXPECT_TRUE(r.ip_csum_ok && r.udp_csum_ok) << "checksums";
    answered[{r.daddr, r.dport, r.sport}].push_back(r.payload);
  }
  EXPECT_EQ(asked.size(), 3u);
  EXPECT_EQ(answered, asked) << "each flow answered byte for byte, in its order";
  // The counters of both ends add up
  const json& e = rep["tx"]["echo"];
  EXPECT_EQ(u(e["requests"]), u(rep["checks"]["offered"]));
  EXPECT_EQ(u(e["answered"]), u(e["requests"]));
  EXPECT_EQ(u(e["unanswered"]), 0u);
  EXPECT_EQ(u(e["replies_sent"]), u(rep["app"]["delivered_packets"]));
  EXPECT_EQ(u(rep["tx"]["stack"]["udp_out_datagrams"]), u(e["replies_sent"]));
  EXPECT_EQ(u(rep["tx"]["nic"]["gptc"]), u(e["answered"])) << "the NIC counted every reply";
  EXPECT_EQ(u(rep["tx"]["checks"]["on_wire"]), u(e["answered"]));
  EXPECT_FALSE(rep["tx"].contains("app")) << "no sender application";
}

INSTANTIATE_TEST_SUITE_P(Kinds, EchoReader,
                         ::testing::Values("epoll", "select", "poll", "blocking"));

// latency_ns.rr: one round trip per answered request, ordered percentiles, and each one longer
// than the same request's wire -> read() (it holds that, the request's own serialisation and
// the reply's way out)
TEST(Echo, RoundTripsAreCountedOrderedAndLongerThanTheWayIn) {
  const json rep = run_ok("echo-rr", "--set app.reply=echo --set traffic.frames=400 "
                                     "--set traffic.rate_pps=20000 --set traffic.pattern=poisson");
  ASSERT_TRUE(rep["latency_ns"].contains("rr"));
  const json& rr = rep["latency_ns"]["rr"];
  const json& e2e = rep["latency_ns"]["end_to_end"];
  EXPECT_EQ(u(rr["count"]), u(rep["tx"]["echo"]["answered"]));
  EXPECT_EQ(u(rr["count"]), 400u);
  EXPECT_LE(d(rr["p50"]), d(rr["p99"]));
  EXPECT_LE(d(rr["p99"]), d(rr["p999"]));
  EXPECT_LE(d(rr["p999"]), d(rr["max"]));
  EXPECT_GT(d(rr["p50"]), d(e2e["p50"]));
  EXPECT_GT(d(rr["max"]), d(e2e["max"]));
  // 64-byte frames take 672 ns on the wire with preamble and gap: at least the request's
  // 576 ns (preamble to FCS) and the reply's are in every round trip
  EXPECT_GT(d(rr["p50"]) - d(e2e["p50"]), 576.0);
}

// With the NIC sending PAUSE (flow_control's scenario), the partner holds back requests it had
// not started and lets them go when the XON comes, sooner than a held frame was first placed.
// A round trip starts at the request's final first bit: before, 82 of 2233 were measured from
// a stale, later start and wrapped round (p99 18446744 s).
TEST(Echo, RoundTripsOfRequestsTheLinkPartnerHeldBackStartWhereTheyWent) {
  const json rep = run_ok("echo-pause", std::string(IGBSIM_SOURCE_DIR) +
                                            "/scenarios/flow_control.toml --set app.reply=echo");
  ASSERT_TRUE(rep["latency_ns"].contains("rr"));
  EXPECT_GT(u(rep["wire"]["partner_frames_paused"]), 0u) << "requests were held back";
  const json& rr = rep["latency_ns"]["rr"];
  EXPECT_EQ(u(rr["count"]), u(rep["tx"]["echo"]["answered"]));
  EXPECT_LE(d(rr["p99"]), d(rr["max"]));
  EXPECT_LT(d(rr["max"]), d(rep["sim"]["sim_time_ns"])) << "a round trip within the run";
  EXPECT_GT(d(rr["p50"]) - d(rep["latency_ns"]["end_to_end"]["p50"]), 576.0);
}

// app.service_ns is CPU work per request before the reply: at a load without queueing, the
// round trip's median grows by at least the work
TEST(Echo, ServiceTimeShiftsTheRoundTripByAtLeastItself) {
  const std::string base =
      "--set app.reply=echo --set traffic.frames=300 --set traffic.rate_pps=5000 ";
  const double work = 25000;
  const json none = run_ok("echo-svc0", base);
  const json busy = run_ok("echo-svc", base + "--set app.service_ns=" + std::to_string(work));
  const double p50_0 = d(none["latency_ns"]["rr"]["p50"]),
               p50_1 = d(busy["latency_ns"]["rr"]["p50"]);
  EXPECT_GE(p50_1 - p50_0, work);
  EXPECT_LT(p50_1 - p50_0, 2 * work) << "the work, not a stall behind it";
  EXPECT_EQ(u(busy["tx"]["echo"]["answered"]), 300u);
  // The work is the application's process time
  EXPECT_GT(d(busy["cpu"][0]["process_ns"]) - d(none["cpu"][0]["process_ns"]), 300 * work * 0.99);
}

// Requests the host could not answer (line rate on one core: the receive path takes the
// core) are each counted by why, and the reasons add up to the requests unanswered
TEST(Echo, UnansweredRequestsAreCountedByWhy) {
  const std::string dir = fresh_dir("echo-overload");
  const result r = run_igbsim("run --out " + dir +
                              " --set app.reply=echo --set traffic.frames=4000 --set "
                              "traffic.rate_pct=100");
  ASSERT_EQ(r.status, 0) << r.err;
  const json rep = load_report(dir);
  EXPECT_TRUE(rep["checks"]["passed"].get<bool>()) << rep["checks"]["violations"].dump();
  const json& e = rep["tx"]["echo"];
  EXPECT_GT(u(e["unanswered"]), 0u) << "overload: some go unanswered";
  EXPECT_GT(u(e["answered"]), 0u);
  EXPECT_EQ(u(e["answered"]) + u(e["unanswered"]), u(e["requests"]));
  EXPECT_EQ(sum_of(e["unanswered_by"]), u(e["unanswered"])) << e.dump();
  EXPECT_EQ(sum_of(e["unanswered_by"]["rx_dropped"]), sum_of(rep["checks"]["dropped_by"]))
      << "every receive drop was a request's";
  EXPECT_EQ(u(rep["latency_ns"]["rr"]["count"]), u(e["answered"]));
  // The summary's echo line says why, with the report's counts
  std::string why;
  for (const auto& [reason, n] : e["unanswered_by"].items()) {
    const uint64_t k = n.is_object() ? sum_of(n) : u(n);
    if (k) why += (why.empty() ? "" : ", ") + std::to_string(k) + " " + reason;
  }
  EXPECT_NE(r.out.find(std::to_string(u(e["unanswered"])) + " unanswered (" + why + ")"),
            std::string::npos)
      << r.out;
}

// Replies sent faster than their completions give the send buffer back fill it: the epoll
// server's MSG_DONTWAIT sendto gets EAGAIN and drops those replies, counted by the application
// and the kernel alike; the blocking readers' sendto sleeps instead, and the backlog moves to
// their receive queues. Line rate into four queues, four server threads on their own cores,
// the smallest send buffer the sysctl takes (the transmit path keeps up with line rate, so the
// default one holds what is in flight).
TEST(Echo, AFullSendBufferCostsEpollRepliesAndMakesBlockingReadersWait) {
  const std::string args = "--set app.reply=echo --set traffic.frames=10000 "
                           "--set traffic.rate_pct=100 --set kernel.cores=8 --set nic.queues=4 "
                           "--set kernel.wmem_default=4608 "
                           "--set traffic.flows=16 --set app.threads=4 --set app.sockets=4 "
                           "--set app.cpu=4 --set app.kind=";
  const json ep = run_ok("echo-full-epoll", args + "epoll"),
             bl = run_ok("echo-full-blocking", args + "blocking");
  for (const json* r : {&ep, &bl}) {
    EXPECT_TRUE((*r)["checks"]["passed"].get<bool>()) << (*r)["checks"]["violations"].dump();
    const json& e = (*r)["tx"]["echo"];
    EXPECT_EQ(sum_of(e["unanswered_by"]), u(e["unanswered"])) << e.dump();
    EXPECT_EQ(u(e["answered"]) + u(e["unanswered"]), 10000u);
  }
  const json& e = ep["tx"]["echo"];
  EXPECT_GT(u(e["reply_eagain"]), 0u);
  EXPECT_EQ(u(e["reply_eagain"]), u(ep["tx"]["stack"]["sndbuf_eagain"]));
  EXPECT_EQ(u(e["reply_eagain"]), u(ep["tx"]["stack"]["udp_sndbuf_errors"]));
  EXPECT_EQ(u(e["read"]), u(e["replies_sent"]) + u(e["reply_eagain"]));
  // Each refused reply is a transmit journey row with the fate eagain
  uint64_t eagain_rows = 0;
  std::ifstream tj(ep["dir"].get<std::string>() + "/tx_journey.csv");
  for (std::string line; std::getline(tj, line);) eagain_rows += line.find(",eagain,") != line.npos;
  EXPECT_EQ(eagain_rows, u(e["reply_eagain"]));
  EXPECT_EQ(u(bl["tx"]["echo"]["reply_eagain"]), 0u) << "a blocking sendto never refuses";
  EXPECT_GT(u(bl["tx"]["stack"]["sndbuf_waits"]), 0u) << "it sleeps for room";
  EXPECT_EQ(u(bl["tx"]["echo"]["replies_sent"]), u(bl["tx"]["echo"]["read"]));
}

// Without echo nothing of it appears: a sender's tx object has no echo and latency no rr;
// app.reply = none is the default
TEST(Echo, ReplyNoneChangesNothing) {
  const std::string args = "--set traffic.frames=200 --set send.frames=100 ";
  const json plain = run_ok("echo-none-default", args);
  json none = run_ok("echo-none", args + "--set app.reply=none");
  ASSERT_TRUE(plain.contains("tx"));
  EXPECT_FALSE(plain["tx"].contains("echo"));
  EXPECT_TRUE(plain["tx"].contains("app"));
  EXPECT_FALSE(plain["latency_ns"].contains("rr"));
  json a = plain;
  for (json* j : {&a, &none}) {
    (*j)["sim"].erase("wall_s");
    j->erase("dir");
  }
  EXPECT_EQ(a, none);
}

// A sender and an echo server share the NIC: the scoreboard tells the sender's datagrams from
// the replies by their source ports, and both are complete
TEST(Echo, ASenderAndAnEchoServerShareTheWire) {
  const json rep = run_ok("echo-and-send",
                          "--set app.reply=echo --set traffic.frames=300 --set traffic.rate_pps="
                          "50000 --set send.frames=300 --set send.flows=2 --set send.rate_pct=5");
  EXPECT_TRUE(rep["checks"]["passed"].get<bool>()) << rep["checks"]["violations"].dump();
  EXPECT_EQ(u(rep["tx"]["echo"]["answered"]), 300u);
  EXPECT_EQ(u(rep["tx"]["app"]["sent"]), 300u);
  EXPECT_EQ(u(rep["tx"]["checks"]["on_wire"]), 600u);
  EXPECT_EQ(u(rep["tx"]["nic"]["gptc"]), 600u);
}

// Fragmented replies (1518-byte requests at MTU 1280) and a sender's datagrams on one ring:
// each journey row's steps keep their order. The journey learns a frame is on the wire only
// when the run collects the NIC's frames, so a row stays open meanwhile; a descriptor slot
// that had been an older packet's EOP then gave that row a later lap's write-back (31 of 400
// rows had clean before dd_writeback, by up to 354 ms).
TEST(Echo, JourneyStepsKeepTheirOrderWhenFragmentedRepliesShareARing) {
  const json rep =
      run_ok("echo-frag-send", "--set traffic.frames=200 --set traffic.frame_bytes=1518 --set "
                               "driver.mtu=1280 --set app.reply=echo --set send.frames=200 "
                               "--set send.rate_pct=5");
  ASSERT_TRUE(rep.contains("dir"));
  const auto rows = load_csv(rep["dir"].get<std::string>() + "/tx_journey.csv");
  ASSERT_EQ(rows.size(), 401u);
  const auto col = [&](const std::string& name) {
    return static_cast<size_t>(std::find(rows[0].begin(), rows[0].end(), name) - rows[0].begin());
  };
  const std::vector<std::string> order = {"sendmsg_ns",      "qdisc_enqueue_ns", "xmit_ns",
                                          "tdt_write_ns",    "desc_fetch_ns",    "data_read_ns",
                                          "dd_writeback_ns", "clean_ns"};
  size_t replies = 0;
  for (size_t i = 1; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i][col("fate")], "sent") << "row " << i;
    replies += rows[i][col("source")] == "echo";
    for (size_t k = 1; k < order.size(); ++k)
      EXPECT_LE(std::stod(rows[i][col(order[k - 1])]), std::stod(rows[i][col(order[k])]))
          << "row " << i << ": " << order[k - 1] << " before " << order[k];
    EXPECT_LE(std::stod(rows[i][col("data_read_ns")]), std::stod(rows[i][col("wire_end_ns")]));
  }
  EXPECT_EQ(replies, 200u);
  EXPECT_EQ(u(rep["tx"]["checks"]["sent_packets"]), 200u + 2 * 200u) << "replies in 2 fragments";
}

TEST(Echo, BadSettingsAreRefusedWithOneLine) {
  for (const char* args :
       {"--set app.reply=echo --set traffic.protocol=tcp", "--set app.reply=loud",
        "--set app.service_ns=nan", "--set app.service_ns=inf", "--set app.service_ns=-1",
        "--set app.service_ns=2e7",
        "--set app.reply=echo --set app.sockets=15000 --set send.frames=10"}) {
    const std::string dir = fresh_dir("echo-bad");
    const result r = run_igbsim(std::string("run --out ") + dir + " " + args);
    EXPECT_EQ(r.status, 2) << args << ": " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << args << ": " << r.err;
    EXPECT_FALSE(fs::exists(dir)) << args;
  }
}

// ---- The transmit scoreboard's reply checks, alone ------------------------------------------

namespace {

// A frame from the host (kHostIp:hport) to client:cport carrying payload, with good
// checksums and FCS, between the MACs of `a`
std::vector<uint8_t> reply_frame(const tx_flow_addr& a, uint32_t client, uint16_t cport,
                                 uint16_t hport, const std::vector<uint8_t>& payload) {
  std::vector<uint8_t> f(a.dst_mac, a.dst_mac + 6);
  f.insert(f.end(), a.src_mac, a.src_mac + 6);
  f.insert(f.end(), {0x08, 0x00});
  const uint16_t tot = static_cast<uint16_t>(28 + payload.size());
  const uint8_t ip[20] = {0x45,
                          0,
                          static_cast<uint8_t>(tot >> 8),
                          static_cast<uint8_t>(tot),
                          0,
                          0,
                          0x40,
                          0,
                          64,
                          17,
                          0,
                          0,
                          10,
                          0,
                          0,
                          1,
                          static_cast<uint8_t>(client >> 24),
                          static_cast<uint8_t>(client >> 16),
                          static_cast<uint8_t>(client >> 8),
                          static_cast<uint8_t>(client)};
  f.insert(f.end(), ip, ip + 20);
  const uint16_t ic = static_cast<uint16_t>(~ones_fold(&f[14], 20, 0));
  f[24] = static_cast<uint8_t>(ic >> 8);
  f[25] = static_cast<uint8_t>(ic);
  const uint16_t ulen = static_cast<uint16_t>(8 + payload.size());
  f.insert(f.end(), {static_cast<uint8_t>(hport >> 8), static_cast<uint8_t>(hport),
                     static_cast<uint8_t>(cport >> 8), static_cast<uint8_t>(cport),
                     static_cast<uint8_t>(ulen >> 8), static_cast<uint8_t>(ulen), 0, 0});
  f.insert(f.end(), payload.begin(), payload.end());
  const uint16_t uc =
      static_cast<uint16_t>(~ones_fold(&f[34], ulen, ones_fold(&f[26], 8, 17u + ulen)));
  f[40] = static_cast<uint8_t>(uc >> 8);
  f[41] = static_cast<uint8_t>(uc);
  while (f.size() < 60) f.push_back(0);
  const uint32_t fcs = static_cast<uint32_t>(crc32(0, f.data(), static_cast<uInt>(f.size())));
  for (int i = 0; i < 4; ++i) f.push_back(static_cast<uint8_t>(fcs >> (8 * i)));
  return f;
}

// A whole frame (as reply_frame makes it) cut into IPv4 fragments of at most mtu bytes: DF
// clear, MF and offsets, each with its header checksum and FCS
std::vector<std::vector<uint8_t>> fragment_frames(const std::vector<uint8_t>& whole, size_t mtu,
                                                  uint16_t id) {
  const size_t tot = size_t(whole[16]) << 8 | whole[17];
  const std::vector<uint8_t> body(whole.begin() + 34, whole.begin() + 14 + static_cast<long>(tot));
  const size_t step = (mtu - 20) & ~size_t{7};
  std::vector<std::vector<uint8_t>> out;
  for (size_t off = 0; off < body.size(); off += step) {
    const size_t n = std::min(step, body.size() - off);
    std::vector<uint8_t> f(whole.begin(), whole.begin() + 34);
    const uint16_t len = static_cast<uint16_t>(20 + n);
    const uint16_t fo = static_cast<uint16_t>((off + n < body.size() ? 0x2000 : 0) | off / 8);
    f[16] = static_cast<uint8_t>(len >> 8), f[17] = static_cast<uint8_t>(len);
    f[18] = static_cast<uint8_t>(id >> 8), f[19] = static_cast<uint8_t>(id);
    f[20] = static_cast<uint8_t>(fo >> 8), f[21] = static_cast<uint8_t>(fo);
    f[24] = f[25] = 0;
    const uint16_t ic = static_cast<uint16_t>(~ones_fold(&f[14], 20, 0));
    f[24] = static_cast<uint8_t>(ic >> 8), f[25] = static_cast<uint8_t>(ic);
    f.insert(f.end(), body.begin() + static_cast<long>(off),
             body.begin() + static_cast<long>(off + n));
    while (f.size() < 60) f.push_back(0);
    const uint32_t fcs = static_cast<uint32_t>(crc32(0, f.data(), static_cast<uInt>(f.size())));
    for (int i = 0; i < 4; ++i) f.push_back(static_cast<uint8_t>(fcs >> (8 * i)));
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace

// A request over the MTU that the NIC took (the receive side does not check the MTU) has a
// reply that fragments, and its fragments are hashed without ports: onto another transmit
// queue than the flow's whole replies, which may overtake it or be overtaken. Order is judged
// within each kind only (fuzz-config seed 2027, draw 2565172715: a fragmented reply on queue
// 4 left a second before two earlier requests' replies held on queue 6).
TEST(Echo, AFragmentedReplyAndAWholeOneOfAFlowMayPassEachOther) {
  kernel_params kp;
  cost_table costs;
  kernel k(kp, costs);
  tx_flow_addr a{{0x02, 0, 0, 0, 0, 2}, {0x02, 0, 0, 0, 0, 1}, kHostIp, kPeerIp, 20000, 9000};
  tx_scoreboard sb(k, a);
  sb.set_mtu(576);
  sb.enable_echo(0, true);
  traffic_config tc;
  std::vector<std::vector<uint8_t>> req(6);
  for (uint64_t s = 0; s < req.size(); ++s) {
    tc.frame_bytes = s == 0 || s == 3 ? 1000 : 80;  // 0 and 3 are over the MTU
    traffic_source::build_frame(tc, s, 0, s, req[s]);
    sb.request(s, req[s]);
    sb.request_started(s, sc_core::SC_ZERO_TIME);
    sb.request_read(s);
  }
  auto answer = [&](uint64_t s) {
    return reply_frame(a, kPeerIp, kSrcPortBase, kDstPort,
                       std::vector<uint8_t>(req[s].begin() + 42, req[s].end()));
  };
  const sc_core::sc_time t(10, sc_core::SC_US);
  sb.on_wire(answer(1), t);                                                   // whole: 1
  for (const auto& f : fragment_frames(answer(0), 576, 7)) sb.on_wire(f, t);  // fragments: 0
  sb.on_wire(answer(2), t);                                                   // whole: 2
  for (const auto& f : fragment_frames(answer(3), 576, 8)) sb.on_wire(f, t);  // fragments: 3
  EXPECT_TRUE(k.violations().empty()) << k.violations().front().detail;
  EXPECT_EQ(sb.echo_stats().answered, 4u);
  sb.on_wire(answer(5), t);
  sb.on_wire(answer(4), t);
  ASSERT_EQ(k.violations().size(), 1u) << "two whole replies of a flow still keep order";
  EXPECT_EQ(k.violations().front().kind, "tx_out_of_order");
}

// A reply to nothing, a second reply, a reply before its request was read and a flow's replies
// swapped are each named; a reply to a request dropped on receive cannot match
TEST(Echo, TxScoreboardNamesEachKindOfBadReply) {
  kernel_params kp;
  cost_table costs;
  kernel k(kp, costs);
  tx_flow_addr a{{0x02, 0, 0, 0, 0, 2}, {0x02, 0, 0, 0, 0, 1}, kHostIp, kPeerIp, 20000, 9000};
  tx_scoreboard sb(k, a);
  sb.enable_echo(0, true);
  traffic_config tc;
  tc.frame_bytes = 80;
  std::vector<std::vector<uint8_t>> req(5);
  for (uint64_t s = 0; s < 5; ++s) {
    traffic_source::build_frame(tc, s, 0, s, req[s]);
    sb.request(s, req[s]);
    sb.request_started(s, sc_core::SC_ZERO_TIME);
  }
  auto payload = [&](uint64_t s) {
    return std::vector<uint8_t>(req[s].begin() + 42, req[s].end());
  };
  auto answer = [&](uint64_t s) {
    return reply_frame(a, kPeerIp, kSrcPortBase, kDstPort, payload(s));
  };
  auto kinds = [&] {
    std::vector<std::string> v;
    for (const auto& x : k.violations()) v.push_back(x.kind);
    return v;
  };
  const sc_core::sc_time t(10, sc_core::SC_US);
  for (uint64_t s : {0, 2, 3, 4}) sb.request_read(s);
  sb.request_dropped(1, "udp_rcvbuf_errors");
  sb.on_wire(answer(0), t);
  EXPECT_TRUE(kinds().empty()) << "a good reply";
  EXPECT_EQ(sb.rr().count, 1u);
  EXPECT_EQ(sb.rr().max, 10000000u) << "the round trip, ps";
  sb.on_wire(answer(0), t);
  EXPECT_EQ(kinds().back(), "tx_unexpected_frame") << "answered twice";
  sb.on_wire(answer(1), t);
  EXPECT_EQ(kinds().back(), "tx_unexpected_frame") << "its request was dropped on receive";
  sb.on_wire(reply_frame(a, kPeerIp, kSrcPortBase + 1, kDstPort, payload(2)), t);
  EXPECT_EQ(kinds().back(), "tx_unexpected_frame") << "to the wrong port";
  sb.on_wire(answer(3), t);
  sb.on_wire(answer(2), t);
  EXPECT_EQ(kinds().back(), "tx_out_of_order");
  traffic_source::build_frame(tc, 9, 0, 9, req[0]);
  sb.request(9, req[0]);
  sb.request_started(9, sc_core::SC_ZERO_TIME);
  sb.on_wire(answer(0), t);
  EXPECT_EQ(kinds().back(), "tx_reply_before_read");
  // A reply whose last bit is before its request's first (a request the link partner held
  // back and then let go sooner than first placed: the start that counts is the final one)
  traffic_source::build_frame(tc, 10, 0, 10, req[0]);
  sb.request(10, req[0]);
  sb.request_started(10, sc_core::sc_time(50, sc_core::SC_US));
  sb.request_started(10, sc_core::sc_time(20, sc_core::SC_US));
  sb.request_read(10);
  sb.on_wire(answer(0), sc_core::sc_time(15, sc_core::SC_US));
  EXPECT_EQ(kinds().back(), "tx_reply_before_request");
  EXPECT_EQ(kinds().size(), 6u);
  EXPECT_EQ(sb.rr().count, 4u) << "the impossible round trip is not a sample";
  const tx_scoreboard::echo_counts e = sb.echo_stats();
  EXPECT_EQ(e.requests, 7u);
  EXPECT_EQ(e.dropped(), 1u);
  EXPECT_EQ(e.read, 5u);
  EXPECT_EQ(e.answered, 5u);
}
