// SPDX-License-Identifier: Apache-2.0
// End-to-end tests: run the igbsim program as a user does and check what a user would see in
// report.json, journey.csv and the waveform.
#include <gtest/gtest.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <set>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

#include <pcap/pcap.h>
#include <zlib.h>

#include "app.h"
#include "costs.h"
#include "kernel.h"
#include "tx_scoreboard.h"

#include "fst_reader.h"
#include "run_igbsim.h"
#include "traffic.h"
#include "journey.h"
#include "human_time.h"

namespace fs = std::filesystem;
using nlohmann::json;
using namespace igbsim;
using namespace igbsim::test;

namespace {

struct journey_row {
  uint64_t frame;
  std::string fate;
  std::vector<double> t;          // ns; < 0 = step not passed
  std::vector<std::string> task;  // the app task's state at each step (R, r, S, -)
};

std::vector<journey_row> load_journey(const std::string& dir) {
  std::ifstream f(dir + "/journey.csv");
  std::string line;
  std::getline(f, line);
  std::vector<journey_row> rows;
  while (std::getline(f, line)) {
    std::vector<std::string> v;
    std::stringstream ss(line);
    std::string x;
    while (std::getline(ss, x, ',')) v.push_back(x);
    journey_row r;
    r.frame = std::stoull(v[0]);
    r.fate = v[1];
    for (size_t i = 0; i < kSteps; ++i)
      r.t.push_back(2 + i < v.size() && !v[2 + i].empty() ? std::stod(v[2 + i]) : -1);
    for (size_t i = 0; i < kSteps; ++i)
      r.task.push_back(2 + kSteps + i < v.size() ? v[2 + kSteps + i] : "");
    rows.push_back(r);
  }
  return rows;
}

// The first step of a row that comes before the step it follows on its chain (the NIC's port,
// or the host from the wire to read(): stack/journey.h), as "A before B"; empty if none
std::string first_misordered(const journey_row& row) {
  const std::vector<step> nic_side{step::wire_end, step::desc_wb_nic, step::msix_nic};
  std::vector<step> host_side;
  for (size_t i = 0; i < kSteps; ++i)
    if (!on_nic_chain(step(i))) host_side.push_back(step(i));
  for (const std::vector<step>& chain : {nic_side, host_side}) {
    double prev = -1;
    step prev_step = step::wire_end;
    for (step st : chain) {
      const double t = row.t[size_t(st)];
      if (t < 0) continue;
      if (t < prev) return std::string(step_name(st)) + " before " + step_name(prev_step);
      prev = t;
      prev_step = st;
    }
  }
  return "";
}

uint64_t sum_dropped(const json& r) {
  uint64_t n = 0;
  for (const auto& kv : r["checks"]["dropped_by"].items()) n += kv.value().get<uint64_t>();
  return n;
}

}  // namespace

TEST(EndToEnd, LowLoadDeliversEveryFrameWithOrderedJourneys) {
  const std::string dir = fresh_dir("low");
  const result r =
      run_igbsim("run --out " + dir + " --set traffic.rate_pct=2 --set traffic.frames=400");
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  const json rep = load_report(dir);
  EXPECT_EQ(rep["schema"], "igbsim.report/1");
  EXPECT_EQ(rep["checks"]["offered"], 400);
  EXPECT_EQ(rep["checks"]["delivered"], 400) << "at 2 % load nothing may be dropped";
  EXPECT_EQ(rep["checks"]["lost_unaccounted"], 0);
  EXPECT_EQ(rep["app"]["delivered_bytes"], 400 * (64 - 4 - 42));
  EXPECT_EQ(rep["nic"]["gprc"], 400);
  EXPECT_GT(rep["driver"]["irqs"].get<int>(), 1) << "several interrupts";
  EXPECT_EQ(rep["ethtool"]["rx_csum_offload_errors"], 0)
      << "the NIC verified every checksum as good";
  const auto rows = load_journey(dir);
  ASSERT_EQ(rows.size(), 400u);
  const step required[] = {step::wire_end,      step::data_dma,          step::desc_wb,
                           step::drv_read_desc, step::netif_receive_skb, step::ip_rcv,
                           step::udp_rcv,       step::sk_data_ready,     step::ep_poll_callback,
                           step::read_return};
  size_t woken = 0;
  for (const auto& row : rows) {
    ASSERT_EQ(row.fate, "delivered") << "frame " << row.frame;
    for (step s : required)
      EXPECT_GE(row.t[size_t(s)], 0) << "frame " << row.frame << " lacks " << step_name(s);
    EXPECT_EQ(first_misordered(row), "") << "frame " << row.frame;
    woken += row.t[size_t(step::try_to_wake_up)] >= 0;
  }
  EXPECT_GT(woken, 0u) << "at light load the reader sleeps and frames wake it";
}

TEST(EndToEnd, OverloadAccountsForEveryFrame) {
  const std::string dir = fresh_dir("overload");
  const result r = run_igbsim("run --out " + dir +
                              " --set traffic.rate_pct=100 --set traffic.frames=6000 --set "
                              "nic.rx_ring=80 --set nic.pktbuf_kb=16");
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  const json rep = load_report(dir);
  const uint64_t offered = rep["checks"]["offered"], delivered = rep["checks"]["delivered"];
  EXPECT_EQ(offered, 6000u);
  EXPECT_EQ(delivered + sum_dropped(rep), offered)
      << "delivered plus counted drops must equal offered";
  EXPECT_EQ(rep["checks"]["lost_unaccounted"], 0);
  EXPECT_GT(rep["nic"]["rnbc"].get<uint64_t>() + rep["nic"]["mpc"].get<uint64_t>(), 0u)
      << "a small ring at line rate runs out of descriptors";
  EXPECT_LT(delivered, offered);
  EXPECT_GT(rep["driver"]["polls_budget_exhausted"].get<uint64_t>(), 0u);
  // Hardware counters agree with the frames' fates.
  EXPECT_EQ(rep["nic"]["mpc"], rep["checks"]["dropped_by"].value("rx_missed_errors", 0));
  EXPECT_EQ(rep["nic"]["gprc"].get<uint64_t>(), offered - rep["nic"]["mpc"].get<uint64_t>());
}

TEST(EndToEnd, WaveformShowsWritebackBeforeReadAndNoMsixWhileMasked) {
  // Eight flows over the default four queues: each queue's descriptors, write-backs and reads
  // are followed on their own.
  const std::string dir = fresh_dir("waves");
  const result r = run_igbsim("run --out " + dir +
                              " --waves --set traffic.rate_pct=40 --set traffic.frames=1500 --set "
                              "traffic.flows=8 --set nic.queues=4");
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  ASSERT_TRUE(fs::exists(dir + "/waves.gtkw"));
  constexpr unsigned kQ = 4;
  std::vector<std::string> names = {
      "nic.clk_i",          "nic.dma_req_valid_o", "nic.dma_req_write_o",
      "nic.dma_req_tag_o",  "nic.dma_req_addr_o",  "nic.dma_req_len_o",
      "nic.msix_valid_o",   "nic.msix_vec_o",      "nic.igb_nic.u_regs.eims_q",
      "nic.dma_req_ready_i"};
  enum { CLK, VALID, WRITE, TAG, ADDR, LEN, MSIX, MVEC, EIMS, READY, PER_QUEUE };
  enum { RDBA, RD_IDX, RD_STB, NQSIG };  // per queue, from PER_QUEUE + NQSIG * q
  for (unsigned q = 0; q < kQ; ++q) {
    names.push_back("nic.igb_nic.g_queue[" + std::to_string(q) + "].u_rx_dma.rdba_i");
    names.push_back("sw.rx" + std::to_string(q) + "_desc_read_i");
    names.push_back("sw.rx" + std::to_string(q) + "_desc_read_stb_i");
  }
  // Every signal the save file shows must exist in the waveform (GTKWave drops missing ones
  // without a word).
  {
    std::ifstream g(dir + "/waves.gtkw");
    std::string line;
    std::vector<std::string> shown;
    while (std::getline(g, line))
      if (line.rfind("nic.", 0) == 0 || line.rfind("sw.", 0) == 0)
        shown.push_back(line.substr(0, line.find('[', line.find_last_of('.'))));
    EXPECT_GT(shown.size(), 60u);
    EXPECT_NO_THROW(read_fst(dir + "/waves.fst", shown));
  }
  // The writer closes a block every 4,096 dumps: the counts below cross block boundaries.
  EXPECT_GE(fst_blocks(dir + "/waves.fst"), 2u);
  const auto changes = read_fst(dir + "/waves.fst", names);
  std::vector<uint64_t> cur(names.size(), 0);
  std::vector<std::map<uint64_t, uint64_t>> wbs(kQ), reads(kQ);  // per queue, per descriptor index
  std::vector<uint64_t> n_wb(kQ, 0), n_read(kQ, 0), last_stb(kQ, 0);
  uint64_t n_msix = 0, stale_reads = 0, masked_msix = 0;
  for (size_t i = 0; i < changes.size();) {
    const uint64_t t = changes[i].t;
    std::vector<bool> stb_changed(kQ, false);
    bool clk_changed = false;
    for (; i < changes.size() && changes[i].t == t; ++i) {
      cur[changes[i].sig] = bits_to_u64(changes[i].value);
      clk_changed = clk_changed || changes[i].sig == CLK;
      for (unsigned q = 0; q < kQ; ++q)
        stb_changed[q] = stb_changed[q] || changes[i].sig == PER_QUEUE + NQSIG * q + RD_STB;
    }
    for (unsigned q = 0; q < kQ; ++q) {
      const size_t b = PER_QUEUE + NQSIG * q;
      if (stb_changed[q] && cur[b + RD_STB] != last_stb[q]) {  // the driver read a descriptor
        last_stb[q] = cur[b + RD_STB];
        const uint64_t idx = cur[b + RD_IDX];
        ++n_read[q];
        if (wbs[q][idx] <= reads[q][idx]) ++stale_reads;
        ++reads[q][idx];
      }
    }
    // A cycle's sample point: handshakes happen at this edge. Only the edge itself: a software
    // probe changing later in the same cycle (the CPUs' times are not the NIC's) is no new cycle.
    if (clk_changed && cur[CLK] == 0) {
      // a burst of len/16 descriptors, taken when the memory port is ready (a request held over
      // a cycle the port is not ready is still one write-back)
      if (cur[VALID] && cur[READY] && cur[WRITE] && (cur[TAG] & 0xF) == 2) {
        const unsigned q = static_cast<unsigned>(cur[TAG] >> 4);
        ASSERT_LT(q, kQ);
        for (uint64_t d = 0; d < cur[LEN] / 16; ++d)
          ++wbs[q][(cur[ADDR] - cur[PER_QUEUE + NQSIG * q + RDBA]) / 16 + d];
        n_wb[q] += cur[LEN] / 16;
      }
      if (cur[MSIX]) {
        ++n_msix;
        if (!((cur[EIMS] >> cur[MVEC]) & 1)) ++masked_msix;
      }
    }
  }
  uint64_t wb_total = 0, read_total = 0;
  unsigned queues_used = 0;
  for (unsigned q = 0; q < kQ; ++q) {
    EXPECT_EQ(n_wb[q], n_read[q]) << "queue " << q
                                  << ": one driver read per written-back descriptor";
    wb_total += n_wb[q];
    read_total += n_read[q];
    queues_used += n_wb[q] > 0;
  }
  EXPECT_EQ(wb_total, 1500u) << "every frame's descriptor is written back once on the waveform";
  EXPECT_EQ(read_total, 1500u);
  EXPECT_GE(queues_used, 3u) << "RSS spreads eight flows over the queues";
  EXPECT_EQ(stale_reads, 0u) << "every descriptor's write-back precedes the driver's read of it";
  EXPECT_GT(n_msix, 3u);
  EXPECT_EQ(masked_msix, 0u) << "no MSI-X while its EIMS bit is clear";
}

TEST(EndToEnd, MoreLoadMeansFewerInterruptsPerPacket) {
  auto irqs_per_packet = [](const std::string& name, double pct) {
    const std::string dir = fresh_dir(name);
    const result r =
        run_igbsim("run --out " + dir + " --set traffic.rate_pct=" + std::to_string(pct) +
                   " --set traffic.frames=3000 --set kernel.rmem_default=4194304");
    EXPECT_EQ(r.status, 0) << r.err;
    const json rep = load_report(dir);
    return rep["driver"]["irqs"].get<double>() / rep["checks"]["delivered"].get<double>();
  };
  const double light = irqs_per_packet("light", 1), heavy = irqs_per_packet("heavy", 60);
  EXPECT_GT(light, 0.3) << "at 1 % load most frames bring their own interrupt";
  EXPECT_LT(heavy, light / 5) << "NAPI and EITR batch frames per interrupt as load rises";
}

TEST(EndToEnd, JourneyCommandPrintsOneFramesSteps) {
  const std::string dir = fresh_dir("journey");
  ASSERT_EQ(run_igbsim("run --out " + dir + " --set traffic.frames=50").status, 0);
  const result j = run_igbsim("journey " + dir + " --packet 7");
  ASSERT_EQ(j.status, 0) << j.err;
  EXPECT_NE(j.out.find("frame 7: delivered"), std::string::npos) << j.out;
  for (size_t i = 0; i < kSteps; ++i) EXPECT_NE(j.out.find(step_name(step(i))), std::string::npos);
  for (const char* at : {"NIC port", "host", "CPU"})
    EXPECT_NE(j.out.find(at), std::string::npos) << "the time reference " << at;
  EXPECT_EQ(run_igbsim("journey " + dir + " --packet 999999").status, 2);
}

// The summary and `igbsim journey` give times as a person reads them ("4.35 us", "2.70 ms"),
// each the report's or the journey's ns figure in those units, and the journey explains '-'
// and where each delta is taken from in a legend
TEST(EndToEnd, SummaryAndJourneyShowTimesInHumanUnits) {
  const std::string dir = fresh_dir("human-units");
  const result r = run_igbsim("run --quiet --out " + dir + " --set traffic.frames=50");
  ASSERT_EQ(r.status, 0) << r.err;
  const json rep = load_report(dir);
  const json& e2e = rep["latency_ns"]["end_to_end"];
  const auto h = [](const json& ns) { return human_time(ns.get<double>()); };
  EXPECT_NE(r.out.find("  latency    wire->read() p50 " + h(e2e["p50"]) + ", p99 " + h(e2e["p99"]) +
                       ", max " + h(e2e["max"]) + "\n"),
            std::string::npos)
      << r.out;
  for (size_t i = 1; i < kSteps; ++i) {
    const json& st = rep["latency_ns"][step_name(step(i))];
    if (st.value("count", 0) == 0) continue;
    const std::string shown =
        std::string(step_name(step(i))) + " " + h(st["p50"]) + "/" + h(st["p99"]);
    EXPECT_NE(r.out.find(shown), std::string::npos) << shown << " in:\n" << r.out;
  }
  // No figure of four or more digits in ns anywhere in the summary
  for (size_t p = r.out.find(" ns"); p != std::string::npos; p = r.out.find(" ns", p + 1)) {
    size_t digits = 0;
    while (digits < p && std::isdigit(static_cast<unsigned char>(r.out[p - 1 - digits]))) ++digits;
    EXPECT_LT(digits, 4u) << r.out.substr(p - digits, 12) << " in:\n" << r.out;
  }
  // The journey of frame 7: each reached step's time in ms, its delta in human units from the
  // step the journey's own rule names
  const result j = run_igbsim("journey " + dir + " --packet 7");
  ASSERT_EQ(j.status, 0) << j.err;
  std::vector<double> t;
  for (const auto& row : load_journey(dir))
    if (row.frame == 7) t = row.t;
  ASSERT_EQ(t.size(), kSteps);
  size_t unreached = 0;
  for (size_t i = 0; i < kSteps; ++i) {
    const size_t p = j.out.find("\n  " + std::string(step_name(step(i))) + " ");
    ASSERT_NE(p, std::string::npos) << step_name(step(i)) << ":\n" << j.out;
    std::istringstream line(j.out.substr(p + 1, j.out.find('\n', p + 1) - p - 1));
    std::string name, at, time;
    line >> name >> at;
    if (at == "NIC" || at == "NIC port") line >> at;  // "NIC port" is two words
    line >> time;
    if (t[i] < 0) {
      EXPECT_EQ(time, "-") << name;
      ++unreached;
      continue;
    }
    EXPECT_EQ(time, fmt::format("{:.6f}", t[i] / 1e6)) << name;
    const size_t b = delta_base(t, i);
    if (b == kSteps) continue;
    std::string value, unit, from;
    line >> value >> unit >> from;
    EXPECT_EQ(value + " " + unit, human_time(t[i] - t[b])) << name;
    EXPECT_EQ(from, step_name(step(b))) << name;
  }
  EXPECT_NE(j.out.find("  end to end: wire_end -> read_return " +
                       human_time(t[size_t(step::read_return)] - t[size_t(step::wire_end)])),
            std::string::npos)
      << j.out;
  EXPECT_NE(j.out.find("'-': the frame did not pass that step"), std::string::npos) << j.out;
  EXPECT_NE(j.out.find("delta: from the step under 'from'"), std::string::npos) << j.out;
  EXPECT_NE(j.out.find("wire_end begins both chains"), std::string::npos) << j.out;
  (void)unreached;
}

// Every frame whose write-back raised an interrupt (or was held back by EITR until one) has the
// interrupt's steps, on both sides of the link and in order: the write-back leaves the NIC
// before its message does, is visible at the host before the message arrives (posted writes
// stay in order), and the handler runs after that, then the poll that reads the descriptor.
// Here every frame interrupts: sparse traffic, the herd (one socket, many waiters) and C10K.
class InterruptSteps : public ::testing::TestWithParam<std::string> {};

TEST_P(InterruptSteps, EveryFrameAnInterruptCoversHasItsStepsInOrder) {
  const std::string dir = fresh_dir("irqsteps-" + GetParam());
  const std::string args =
      GetParam() == "sparse"
          ? "--set traffic.rate_pps=2000 --set traffic.frames=200"
          : std::string(IGBSIM_SOURCE_DIR) + "/scenarios/" + GetParam() + ".toml";
  const result r = run_igbsim("run " + args + " --out " + dir);
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  const json rep = load_report(dir);
  const auto rows = load_journey(dir);
  uint64_t msix = 0;
  for (const auto& v : rep["nic"]["msix"]) msix += v.get<uint64_t>();
  ASSERT_EQ(rep["checks"]["delivered"].get<uint64_t>(), rows.size());
  EXPECT_EQ(msix, rows.size()) << "a message per frame: each write-back finds its vector unmasked";
  auto at = [](const journey_row& row, step s) { return row.t[size_t(s)]; };
  for (const auto& row : rows) {
    const std::vector<step> nic_side{step::wire_end, step::desc_wb_nic, step::msix_nic};
    const std::vector<step> host_side{step::data_dma,  step::desc_wb,   step::msix,
                                      step::isr_entry, step::napi_poll, step::drv_read_desc};
    for (const std::vector<step>& chain : {nic_side, host_side}) {
      for (size_t i = 0; i < chain.size(); ++i) {
        ASSERT_GE(at(row, chain[i]), 0)
            << "frame " << row.frame << " lacks " << step_name(chain[i]);
        if (i) {
          EXPECT_LE(at(row, chain[i - 1]), at(row, chain[i]))
              << "frame " << row.frame << ": " << step_name(chain[i]) << " before "
              << step_name(chain[i - 1]);
        }
      }
    }
    EXPECT_LT(at(row, step::msix_nic), at(row, step::msix))
        << "frame " << row.frame << ": the link takes time";
    EXPECT_LT(at(row, step::desc_wb_nic), at(row, step::desc_wb)) << "frame " << row.frame;
  }
  for (const char* s : {"desc_wb_nic", "msix_nic", "msix", "isr_entry"})
    EXPECT_EQ(rep["latency_ns"][s]["count"].get<uint64_t>(), rows.size())
        << s << ": a latency sample per frame";
}

INSTANTIATE_TEST_SUITE_P(Journey, InterruptSteps,
                         ::testing::Values("sparse", "thundering_herd", "c10k_select"));

// A run that stops moving ends with exit 1 and one line saying what was pending, never spins:
// the hidden planted bug fault.nic_spin makes the NIC's run loop spin in zero time once a
// frame is in its packet buffer (what a register read presented behind SystemC time did).
TEST(Watchdog, AZeroTimeSpinEndsWithExitOneAndADiagnosisOfWhatWasPending) {
  const std::string dir = fresh_dir("spin");
  const result r =
      run_igbsim("run --out " + dir + " --set traffic.frames=5 --set fault.nic_spin=true");
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one line: " << r.err;
  EXPECT_NE(r.err.find("neither simulated time nor the RTL moved"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("frames in the packet buffer"), std::string::npos)
      << "what was pending: " << r.err;
  EXPECT_FALSE(fs::exists(dir)) << "no output for a run that did not finish";
  // Hidden: not among the parameters a user is shown
  EXPECT_EQ(run_igbsim("params").out.find("fault.nic_spin"), std::string::npos);
}

// Register reads with a PCIe latency shorter than the NIC's clock period or its lag behind
// the CPU (pcie.read_latency_ns = 1-16) once hung the run; every such run ends clean now.
class ShortReadLatency : public ::testing::TestWithParam<std::string> {};
TEST_P(ShortReadLatency, RunEndsCleanWithEveryFrameDelivered) {
  const std::string dir = fresh_dir("short-read-latency");
  const result r = run_igbsim("run --out " + dir + " " + GetParam());
  ASSERT_EQ(r.status, 0) << r.err;
  const json rep = load_report(dir);
  EXPECT_EQ(rep["checks"]["delivered"], rep["checks"]["offered"]);
  EXPECT_EQ(rep["checks"]["lost_unaccounted"], 0);
}
INSTANTIATE_TEST_SUITE_P(
    Hang, ShortReadLatency,
    ::testing::Values(
        "--set traffic.frames=1 --set pcie.read_latency_ns=1",
        "--set traffic.frames=1 --set pcie.read_latency_ns=16",
        "--set traffic.frames=50 --set pcie.read_latency_ns=12 --set driver.irq_mode=msi",
        "--set traffic.frames=50 --set pcie.read_latency_ns=4 --set driver.irq_mode=intx",
        "--set traffic.frames=20 --set pcie.read_latency_ns=8 --set sim.lockstep=true"));

// Without MSI-X (one vector; igb programs WTHRESH 4 there) every frame is written back and
// delivered: the receive cause comes with the write-back (ICR.RXDW), and completions held
// back by WTHRESH are flushed when EITR(0)'s interval is not running. The fourth of four
// frames was once DMA'd, never written back, and lost.
class SingleVector : public ::testing::TestWithParam<std::string> {};
TEST_P(SingleVector, EveryFrameIsWrittenBackAndDelivered) {
  for (const char* frames : {"4", "5", "301"}) {
    const std::string dir = fresh_dir(std::string("single-vector-") + frames);
    const result r =
        run_igbsim("run --out " + dir + " --set traffic.frames=" + frames +
                   " --set driver.irq_mode=" + GetParam() + " --set sim.drain_us=2000");
    ASSERT_EQ(r.status, 0) << frames << " frames: " << r.out;
    const json rep = load_report(dir);
    EXPECT_EQ(rep["checks"]["lost_unaccounted"], 0) << frames << " frames";
    EXPECT_EQ(rep["checks"]["delivered"].get<uint64_t>() + rep["checks"]["dropped"].get<uint64_t>(),
              rep["checks"]["offered"].get<uint64_t>())
        << frames << " frames: each delivered or counted";
    if (std::string(frames) != "301") {
      EXPECT_EQ(rep["checks"]["delivered"], rep["checks"]["offered"]);
    }
    EXPECT_EQ(rep["nic"]["desc_writebacks"], rep["checks"]["offered"])
        << "one descriptor per frame, each written back";
    EXPECT_LE(rep["driver"]["irqs"].get<uint64_t>(), rep["checks"]["offered"].get<uint64_t>());
  }
}

// PCIe ordering: the ICR read's completion does not pass the NIC's earlier posted writes, so
// the write-backs whose cause (RXDW) the read clears are in memory when igb_intr polls. With
// slow posted writes the completion once overtook them and the last frame was lost.
TEST_P(SingleVector, TheIcrReadWaitsForTheWriteBacksItAcknowledges) {
  const std::string dir = fresh_dir("icr-ordering");
  const result r = run_igbsim("run --out " + dir +
                              " --set traffic.frames=7 --set driver.irq_mode=" + GetParam() +
                              " --set pcie.write_latency_ns=10000 --set nic.msix_latency_ns=10000"
                              " --set driver.itr=off --set nic.wthresh=0");
  ASSERT_EQ(r.status, 0) << r.out;
  const json rep = load_report(dir);
  EXPECT_EQ(rep["checks"]["delivered"], rep["checks"]["offered"]);
}
INSTANTIATE_TEST_SUITE_P(IrqMode, SingleVector, ::testing::Values("msi", "intx"));

// The stranded-packet checker covers MSI and INTx too (the one vector, its receive cause in
// IMS): the IMS write of a completed poll that is lost leaves frames nobody will pick up.
class StrandedSingleVector : public ::testing::TestWithParam<std::string> {};
TEST_P(StrandedSingleVector, ALostImsWriteIsCaughtAsAStrandedPacket) {
  const std::string args = " --set traffic.frames=2000 --set driver.irq_mode=" + GetParam();
  const std::string clean = fresh_dir("stranded-clean-" + GetParam());
  ASSERT_EQ(run_igbsim("run --out " + clean + args).status, 0)
      << "without the fault the run has no violation";
  const std::string dir = fresh_dir("stranded-" + GetParam());
  const result r = run_igbsim("run --out " + dir + args + " --set fault.lose_eims_write=5");
  EXPECT_EQ(r.status, 3) << r.out;
  const json rep = load_report(dir);
  ASSERT_FALSE(rep["checks"]["violations"].empty());
  const json& v = rep["checks"]["violations"][0];
  EXPECT_EQ(v["kind"], "stranded_packet") << v.dump();
  EXPECT_NE(v["detail"].get<std::string>().find("IMS"), std::string::npos) << v.dump();
}
INSTANTIATE_TEST_SUITE_P(IrqMode, StrandedSingleVector, ::testing::Values("msi", "intx"));

// A slow system is not a stranded packet: a frame counts as stranded only when nothing
// pending can pick it up (NAPI idle, vector masked with no unmasking write on its way, no
// interrupt in flight, waiting or being handled). Huge in-range costs keep the CPU from
// taking its interrupt or delay its EIMS write by seconds; the ICR read of igb_intr masks
// IMS before NAPI is scheduled. None of these fired falsely once sim.stranded_us had passed.
class SlowSystem : public ::testing::TestWithParam<std::string> {};
TEST_P(SlowSystem, RaisesNoStrandedPacket) {
  const std::string dir = fresh_dir("slow-system");
  const result r = run_igbsim("run --out " + dir + " " + GetParam());
  EXPECT_EQ(r.status, 0) << r.out;
  const json rep = load_report(dir);
  for (const json& v : rep["checks"]["violations"]) ADD_FAILURE() << v.dump();
  EXPECT_EQ(rep["checks"]["lost_unaccounted"], 0);
}
INSTANTIATE_TEST_SUITE_P(
    Stranded, SlowSystem,
    ::testing::Values(
        "--set traffic.frames=20 --set cost.context_switch_ns=1e9",
        "--set traffic.frames=20 --set cost.try_to_wake_up_ns=1e9",
        "--set traffic.frames=20 --set cost.try_to_wake_up_ns=1e9 --set driver.irq_mode=msi",
        "--set traffic.frames=300 --set sim.stranded_us=10 --set driver.irq_mode=msi",
        "--set traffic.frames=300 --set sim.stranded_us=10 --set driver.irq_mode=intx "
        "--set pcie.read_latency_ns=1e5"));

TEST(EndToEnd, BadInputGetsOneLineExitTwoAndNoOutput) {
  const std::string dir = fresh_dir("bad");
  const std::string scen = dir + "-scenario.toml";
  std::ofstream(scen) << "[traffic]\nframes = 10\nrate_pcnt = 5\n";
  result r = run_igbsim("run " + scen + " --out " + dir);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find(scen + ":3"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("traffic.rate_pcnt"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_FALSE(fs::exists(dir)) << "nothing is written for bad input";
  r = run_igbsim("run --out " + dir + " --set traffic.frame_bytes=9100");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("out of range"), std::string::npos) << r.err;
  r = run_igbsim("run --out " + dir + " --set nic.drop_en=maybe");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("'maybe' is not one of: auto, true, false"), std::string::npos) << r.err;
  r = run_igbsim("run --out " + dir + " --set driver.itr=5");
  EXPECT_EQ(r.status, 2) << r.err;
  r = run_igbsim("run " + dir + "-missing.toml --out " + dir);
  EXPECT_EQ(r.status, 2);
  EXPECT_FALSE(fs::exists(dir));
  fs::remove(scen);
}

TEST(EndToEnd, ResolvedScenarioReproducesTheRun) {
  const std::string a = fresh_dir("repro-a"), b = fresh_dir("repro-b");
  ASSERT_EQ(run_igbsim("run --out " + a +
                       " --set traffic.pattern=\"poisson\" --set traffic.frames=500 --seed 7")
                .status,
            0);
  ASSERT_EQ(run_igbsim("run " + a + "/scenario.toml --out " + b).status, 0);
  json ra = load_report(a), rb = load_report(b);
  ra["sim"].erase("wall_s");
  rb["sim"].erase("wall_s");
  EXPECT_EQ(ra, rb);
}

// The runs in folders a and b agree on everything but the listed sim fields: the same
// report.json and a byte-identical journey.csv (every frame's step times).
static void expect_same_run(const std::string& a, const std::string& b,
                            std::initializer_list<const char*> sim_fields) {
  json ra = load_report(a), rb = load_report(b);
  for (json* r : {&ra, &rb})
    for (const char* k : sim_fields) (*r)["sim"].erase(k);
  EXPECT_EQ(ra, rb) << "same counters, fates and latencies";
  std::ifstream ja(a + "/journey.csv"), jb(b + "/journey.csv");
  std::stringstream sa, sb;
  sa << ja.rdbuf();
  sb << jb.rdbuf();
  EXPECT_EQ(sa.str(), sb.str()) << "every frame's step times are the same";
}

// Run a scenario with run-ahead skipping and in lockstep (every cycle ticked): same report,
// same journey. The run-ahead report goes to *runahead when asked for.
static void expect_skipping_changes_nothing(const std::string& common, json* runahead = nullptr) {
  const std::string a = fresh_dir("runahead"), b = fresh_dir("lockstep");
  ASSERT_EQ(run_igbsim("run --out " + a + common).status, 0);
  ASSERT_EQ(run_igbsim("run --out " + b + common + " --set sim.lockstep=true").status, 0);
  const json ra = load_report(a), rb = load_report(b);
  EXPECT_GT(ra["sim"]["rtl_cycles_skipped"].get<uint64_t>(), 0u);
  EXPECT_EQ(rb["sim"]["rtl_cycles_skipped"], 0);
  EXPECT_EQ(
      ra["sim"]["rtl_cycles"].get<uint64_t>() + ra["sim"]["rtl_cycles_skipped"].get<uint64_t>(),
      rb["sim"]["rtl_cycles"].get<uint64_t>())
      << "both cover the same cycles";
  // The NIC's two clock gates (rtl/igb_nic.sv): lockstep opens both every cycle; run-ahead
  // clocks the receive side alone in some (wire beats in the middle of a frame).
  EXPECT_EQ(rb["sim"]["rtl_cycles_core_clocked"], rb["sim"]["rtl_cycles"]);
  EXPECT_LT(ra["sim"]["rtl_cycles_core_clocked"].get<uint64_t>(),
            ra["sim"]["rtl_cycles"].get<uint64_t>());
  expect_same_run(a, b, {"wall_s", "rtl_cycles", "rtl_cycles_skipped", "rtl_cycles_core_clocked"});
  if (runahead) *runahead = ra;
}

TEST(EndToEnd, SkippingIdleCyclesChangesNothingButSpeed) {
  expect_skipping_changes_nothing(" --set traffic.frames=800 --set traffic.rate_pct=20");
}

// Transmit beats waiting for the wire are not work (the MAC's busy_o): the host skips those
// cycles and clocks clk_i at the edge the wire takes the next beat. Both directions busy, and
// full-size frames, whose beats wait longest.
TEST(EndToEnd, SkippingCyclesWhileTransmitBeatsWaitForTheWireChangesNothing) {
  json r;
  expect_skipping_changes_nothing(" --set traffic.frames=600 --set traffic.rate_pct=30 --set "
                                  "send.frames=1500 --set send.rate_pct=100 --set send.flows=2",
                                  &r);
  ASSERT_TRUE(r.is_object());
  EXPECT_EQ(r["tx"]["nic"]["gptc"], 1500) << "every datagram went out";
  expect_skipping_changes_nothing(" --set traffic.frames=100 --set send.frames=300 --set "
                                  "send.frame_bytes=1518 --set send.rate_pct=100");
}

// A partner that holds the NIC paused for most of the run: igb_fc counts the pause down by the
// cycles between clk_i edges (core_gap_i) and the transmit DMA waiting for room in the packet
// buffer is not work, so the paused stretches are skipped (before, every cycle of a pause was
// clocked: 200 x 1000 B into a 1 % partner ticked 14.5 M cycles, 16 s; now 63 k, 0.1 s)
TEST(EndToEnd, SkippingCyclesWhileAPartnerPausesTheNicChangesNothing) {
  json r;
  expect_skipping_changes_nothing(" --set traffic.frames=0 --set send.frames=60 --set "
                                  "send.frame_bytes=1000 --set send.rate_pct=100 --set "
                                  "wire.partner_fc=full --set wire.partner_rx_rate_pct=5 --set "
                                  "wire.partner_rx_buffer=16384",
                                  &r);
  ASSERT_TRUE(r.is_object());
  EXPECT_GT(r["wire"]["partner_xoff_sent"].get<uint64_t>(), 0u) << "the partner paused the NIC";
  const double sim_ns = r["sim"]["sim_time_ns"], paused_ns = r["wire"]["nic_paused_ns"];
  EXPECT_GT(paused_ns, sim_ns / 2) << "paused for most of the run";
  const uint64_t clocked = r["sim"]["rtl_cycles_core_clocked"],
                 covered = r["sim"]["rtl_cycles"].get<uint64_t>() +
                           r["sim"]["rtl_cycles_skipped"].get<uint64_t>();
  EXPECT_LT(clocked * 10, covered) << "the pauses were not clocked through";
  EXPECT_EQ(r["wire"]["partner_rx_frames"], 60);
}

// An echo server: requests in, replies out, service work between; every round trip the same
// with the idle cycles skipped as with every cycle ticked
TEST(EndToEnd, SkippingCyclesChangesNoEchoRoundTrip) {
  json r;
  expect_skipping_changes_nothing(" --set traffic.frames=300 --set traffic.rate_pct=10 --set "
                                  "app.reply=echo --set app.service_ns=3000",
                                  &r);
  ASSERT_TRUE(r.is_object());
  EXPECT_EQ(r["latency_ns"]["rr"]["count"], 300) << "every request answered";
}

// Sparse frames behind a fixed 100 us EITR interval: the NIC skips the microsecond ticks of
// running timers and presents them together at the tick where a timer ends, where a held
// interrupt then fires. The interrupt times must be those of ticking every cycle.
TEST(EndToEnd, SkippingTimerTicksChangesNoInterruptTime) {
  expect_skipping_changes_nothing(" --set traffic.frames=300 --set traffic.rate_pct=3 --set "
                                  "traffic.pattern=poisson --set driver.itr=100");
}

// The receive side clocked alone for mid-frame beats (rtl/igb_nic.sv): 64-byte frames at line
// rate into a 16 KB packet buffer and 80-descriptor rings, so frames end, overflow (MPC) and
// wait for descriptors (RNBC) while the rest of the NIC is clocked only when it has work; and
// mixed sizes over four queues.
TEST(EndToEnd, GatingTheReceiveSidesClockChangesNothingUnderOverflow) {
  json r;
  expect_skipping_changes_nothing(" --set traffic.frames=3000 --set traffic.rate_pct=100 --set "
                                  "traffic.flows=8 --set nic.pktbuf_kb=16"
                                  " --set nic.rx_ring=80",
                                  &r);
  ASSERT_TRUE(r.is_object());
  EXPECT_GT(r["nic"]["mpc"].get<uint64_t>(), 0u) << "the comparison covers packet-buffer overflow";
  EXPECT_GT(r["nic"]["rnbc"].get<uint64_t>(), 0u) << "and frames waiting for descriptors";
  expect_skipping_changes_nothing(" --set traffic.frames=2000 --set traffic.rate_pct=100 --set "
                                  "traffic.size=imix --set traffic.flows=8");
}

// 802.3x flow control: XOFF/XON from the packet buffer's marks, the partner holding frames
// back, the pause counted at clk_i edges the gates must not miss (igb_fc's idle_o)
TEST(EndToEnd, SkippingCyclesChangesNothingWithFlowControl) {
  json r;
  expect_skipping_changes_nothing(" " + std::string(IGBSIM_SOURCE_DIR) +
                                      "/scenarios/flow_control.toml"
                                      " --set traffic.duration_us=1500",
                                  &r);
  ASSERT_TRUE(r.is_object());
  EXPECT_GT(r["ethtool"]["tx_flow_control_xoff"].get<uint64_t>(), 0u)
      << "the comparison covers PAUSE frames";
}

// The resolved mode decides who pauses (igb_config_fc_after_link_up): a partner that only
// sends PAUSE (tx_pause) leaves igb, asking for full, with rx_pause: TFCE off, no XOFF, and the
// buffer overflows as with no flow control
TEST(EndToEnd, ThePartnersAdvertisementDecidesWhetherTheNicSendsPause) {
  const std::string dir = fresh_dir("fc-partner-tx");
  ASSERT_EQ(
      run_igbsim("run " + std::string(IGBSIM_SOURCE_DIR) + "/scenarios/flow_control.toml --out " +
                 dir + " --set wire.partner_fc=tx_pause --set traffic.duration_us=1500")
          .status,
      0);
  const json r = load_report(dir);
  EXPECT_EQ(r["wire"]["flow_control"], "rx_pause");
  EXPECT_EQ(r["ethtool"]["tx_flow_control_xoff"].get<uint64_t>(), 0u);
  EXPECT_GT(r["nic"]["mpc"].get<uint64_t>(), 0u);
}

// The partner as a receiver (wire.partner_rx_*): a sender at line rate into a partner that
// absorbs half of it. With flow control full the partner's buffer reaches its high mark, it
// sends XOFF and XON, the NIC honours each one (XOFFRXC/XONRXC count exactly what was sent),
// stops between them, and nothing is lost: every datagram reaches the wire byte-exact and
// the partner. Without flow control the same load overflows the partner's buffer.
static const char* const kSlowPartner =
    " --set traffic.frames=0 --set send.frames=400 --set send.frame_bytes=1518"
    " --set send.rate_pct=100 --set wire.partner_rx_rate_pct=50";

TEST(FlowControl, ASlowPartnerPausesTheNicAndLosesNothing) {
  const std::string dir = fresh_dir("fc-slow-partner");
  const result res = run_igbsim("run --out " + dir + kSlowPartner + " --set wire.partner_fc=full");
  ASSERT_EQ(res.status, 0) << res.err;
  const json r = load_report(dir);
  EXPECT_TRUE(r["checks"]["passed"].get<bool>()) << r["checks"]["violations"].dump();
  const json& w = r["wire"];
  EXPECT_EQ(w["flow_control"], "full");
  const uint64_t xoff = w["partner_xoff_sent"], xon = w["partner_xon_sent"];
  EXPECT_GT(xoff, 0u) << "the partner's buffer reached its high mark";
  EXPECT_EQ(r["nic"]["xoffrxc"].get<uint64_t>(), xoff) << "the NIC counted every XOFF sent";
  EXPECT_EQ(r["nic"]["xonrxc"].get<uint64_t>(), xon);
  EXPECT_EQ(r["ethtool"]["rx_flow_control_xoff"].get<uint64_t>(), xoff);
  EXPECT_GE(xon + 1, xoff) << "each pause ended by an XON (the last may still run)";
  EXPECT_GT(w["nic_paused_ns"].get<double>(), 0.0) << "the NIC stopped (STATUS.TXOFF)";
  EXPECT_EQ(w["partner_rx_dropped"], 0) << "paused in time: nothing lost at the partner";
  EXPECT_EQ(w["partner_rx_frames"], 400);
  // The buffer reached igb's high mark for it (64 KB, MTU 1500: max frame 1522)
  const uint64_t high = (65536 - (1500 + 22 + 9728)) & ~uint64_t{15};
  EXPECT_GE(w["partner_rx_peak_bytes"].get<uint64_t>(), high);
  EXPECT_EQ(r["tx"]["checks"]["on_wire"], 400) << "every datagram on the wire";
  EXPECT_EQ(r["tx"]["checks"]["lost_unaccounted"], 0);
  EXPECT_EQ(r["tx"]["nic"]["gptc"], 400);
  // The partner's PAUSE frames are not datagrams: the receive side saw none
  EXPECT_EQ(w["frames_offered"], 0);
  EXPECT_EQ(r["nic"]["gprc"], 0) << "PAUSE frames go to the MAC, not the host";
}

// Jumbo frames both ways: the partner sends its own 9018-byte frames, so its XOFF may wait
// behind one, and the NIC may start another 9018-byte frame before the XOFF is in. igb's margin
// above the high mark (max frame + 9728) covers that only if the XOFF goes when the fill
// reaches the mark, mid-frame: judged at the FCS, 1 of these 60 frames was lost.
TEST(FlowControl, JumboFramesIntoASlowPartnerAreNotLost) {
  const std::string dir = fresh_dir("fc-jumbo");
  const result res = run_igbsim(
      "run --quiet --out " + dir +
      " --set driver.mtu=9000 --set traffic.frames=60 --set traffic.frame_bytes=9018 --set "
      "traffic.rate_pct=50 --set send.frames=60 --set send.frame_bytes=9018 --set "
      "send.rate_pct=100 --set wire.partner_fc=full --set wire.partner_rx_rate_pct=3");
  ASSERT_EQ(res.status, 0) << res.err;
  const json r = load_report(dir);
  EXPECT_TRUE(r["checks"]["passed"].get<bool>()) << r["checks"]["violations"].dump();
  const json& w = r["wire"];
  EXPECT_GT(w["partner_xoff_sent"].get<uint64_t>(), 0u);
  EXPECT_EQ(w["partner_rx_frames"], 60);
  EXPECT_EQ(w["partner_rx_dropped"], 0) << "the XOFF left the margin for the frames in flight";
  EXPECT_EQ(r["tx"]["checks"]["on_wire"], 60);
}

// The run drains until the partner has sent its last PAUSE: each pause ends with an XON, and
// the NIC counted every one before the driver's last statistics read (an echo server and a
// sender: the run ended between the partner's last XON and the NIC's count, 150 against 149)
TEST(FlowControl, EveryPartnerXonIsCountedByTheNic) {
  const std::string dir = fresh_dir("fc-last-xon");
  const result res =
      run_igbsim("run --quiet --out " + dir +
                 " --set app.reply=echo --set traffic.frames=50 --set traffic.rate_pps=50000 --set "
                 "send.frames=300 --set send.frame_bytes=1518 --set send.rate_pct=100 --set "
                 "wire.partner_rx_rate_pct=50 --set wire.partner_fc=full --set send.flows=2");
  ASSERT_EQ(res.status, 0) << res.err;
  const json r = load_report(dir);
  EXPECT_TRUE(r["checks"]["passed"].get<bool>()) << r["checks"]["violations"].dump();
  const uint64_t xoff = r["wire"]["partner_xoff_sent"], xon = r["wire"]["partner_xon_sent"];
  EXPECT_GT(xoff, 0u);
  EXPECT_EQ(xon, xoff) << "the last pause ended too";
  EXPECT_EQ(r["nic"]["xonrxc"].get<uint64_t>(), xon);
  EXPECT_EQ(r["nic"]["xoffrxc"].get<uint64_t>(), xoff);
}

TEST(FlowControl, ASlowPartnerWithoutFlowControlDrops) {
  const std::string dir = fresh_dir("fc-slow-partner-none");
  const result res = run_igbsim("run --out " + dir + kSlowPartner + " --set wire.partner_fc=none");
  ASSERT_EQ(res.status, 0) << res.err;
  const json r = load_report(dir);
  EXPECT_TRUE(r["checks"]["passed"].get<bool>()) << r["checks"]["violations"].dump();
  const json& w = r["wire"];
  EXPECT_EQ(w["flow_control"], "none");
  EXPECT_EQ(w["partner_xoff_sent"], 0);
  EXPECT_EQ(r["nic"]["xoffrxc"], 0);
  EXPECT_GT(w["partner_rx_dropped"].get<uint64_t>(), 0u) << "the partner could not keep up";
  EXPECT_EQ(w["partner_rx_frames"], 400);
  EXPECT_EQ(r["tx"]["checks"]["on_wire"], 400) << "the NIC sent everything, unpaused";
  EXPECT_EQ(w["nic_paused_ns"].get<double>(), 0.0);
}

// Who may pause whom follows igb_resolve_fc (the partner's transmit side mirrors the NIC's
// CTRL.RFCE): igb asking tx_pause of a full partner resolves to tx_pause, RFCE clear, so the
// partner sends no PAUSE and drops; a partner advertising tx_pause leaves igb (asking full)
// with rx_pause: RFCE set, the partner pauses the NIC and loses nothing
TEST(FlowControl, TheResolvedModeDecidesWhetherThePartnerPausesTheNic) {
  const auto run = [](const std::string& sets) {
    const std::string dir = fresh_dir("fc-resolved");
    const result res = run_igbsim("run --out " + dir + kSlowPartner + sets);
    EXPECT_EQ(res.status, 0) << res.err;
    return load_report(dir);
  };
  const json tx = run(" --set driver.flow_control=tx_pause --set wire.partner_fc=full");
  EXPECT_EQ(tx["wire"]["flow_control"], "tx_pause");
  EXPECT_EQ(tx["wire"]["partner_xoff_sent"], 0);
  EXPECT_GT(tx["wire"]["partner_rx_dropped"].get<uint64_t>(), 0u);
  const json rx = run(" --set wire.partner_fc=tx_pause");
  EXPECT_EQ(rx["wire"]["flow_control"], "rx_pause");
  EXPECT_GT(rx["wire"]["partner_xoff_sent"].get<uint64_t>(), 0u);
  EXPECT_EQ(rx["nic"]["xoffrxc"], rx["wire"]["partner_xoff_sent"]);
  EXPECT_EQ(rx["wire"]["partner_rx_dropped"], 0);
}

// The partner's PAUSE frames are wire input as any other: skipping idle cycles changes no
// report figure and no journey
TEST(FlowControl, SkippingCyclesChangesNothingWhenThePartnerPauses) {
  json r;
  expect_skipping_changes_nothing(
      " --set traffic.frames=0 --set send.frames=200 --set send.frame_bytes=1518"
      " --set send.rate_pct=100 --set wire.partner_rx_rate_pct=50 --set wire.partner_fc=full"
      " --set wire.partner_rx_buffer=32768",
      &r);
  ASSERT_TRUE(r.is_object());
  EXPECT_GT(r["wire"]["partner_xoff_sent"].get<uint64_t>(), 0u)
      << "the comparison covers PAUSE frames from the partner";
  // With receive traffic too, PAUSE frames go between the source's frames
  json both;
  expect_skipping_changes_nothing(
      " --set traffic.frames=600 --set traffic.rate_pct=30 --set send.frames=300"
      " --set send.frame_bytes=1518 --set send.rate_pct=100 --set wire.partner_rx_rate_pct=40"
      " --set wire.partner_fc=full --set wire.partner_rx_buffer=32768",
      &both);
  ASSERT_TRUE(both.is_object());
  EXPECT_GT(both["wire"]["partner_xoff_sent"].get<uint64_t>(), 0u);
  EXPECT_TRUE(both["checks"]["passed"].get<bool>()) << both["checks"]["violations"].dump();
  // PAUSE both ways: the NIC's packet buffer pauses the partner (flow_control's bursts) while
  // the partner's pauses the NIC; the partner's PAUSE frames go out while it is paused
  json two_way;
  expect_skipping_changes_nothing(" " + std::string(IGBSIM_SOURCE_DIR) +
                                      "/scenarios/flow_control.toml"
                                      " --set traffic.duration_us=1500 --set send.frames=300"
                                      " --set send.frame_bytes=1518 --set send.rate_pct=100"
                                      " --set wire.partner_rx_rate_pct=40"
                                      " --set wire.partner_rx_buffer=32768",
                                  &two_way);
  ASSERT_TRUE(two_way.is_object());
  EXPECT_GT(two_way["nic"]["xofftxc"].get<uint64_t>(), 0u) << "the NIC paused the partner";
  EXPECT_GT(two_way["nic"]["xoffrxc"].get<uint64_t>(), 0u) << "and the partner the NIC";
  EXPECT_EQ(two_way["nic"]["xoffrxc"], two_way["wire"]["partner_xoff_sent"]);
  EXPECT_EQ(two_way["nic"]["mpc"], 0);
  EXPECT_EQ(two_way["wire"]["partner_rx_dropped"], 0);
}

// The waveform shows the NIC honouring the partner's PAUSE: an XOFFRXC pulse per XOFF the
// partner sent, and tx_pause_o (STATUS.TXOFF) up while no data frame starts
TEST(FlowControl, TheWaveformShowsTheNicPausedByThePartner) {
  const std::string dir = fresh_dir("fc-waves");
  const result res = run_igbsim(
      "run --out " + dir +
      " --waves --set traffic.frames=0 --set send.frames=200 --set send.frame_bytes=1518"
      " --set send.rate_pct=100 --set wire.partner_rx_rate_pct=50 --set wire.partner_fc=full"
      " --set wire.partner_rx_buffer=32768");
  ASSERT_EQ(res.status, 0) << res.err;
  const json r = load_report(dir);
  const std::string fc = "nic.igb_nic.u_fc.";
  std::ifstream g(dir + "/waves.gtkw");
  const std::string save((std::istreambuf_iterator<char>(g)), std::istreambuf_iterator<char>());
  EXPECT_NE(save.find(fc + "xoffrxc_inc_o"), std::string::npos) << "in the flow control group";
  EXPECT_NE(save.find(fc + "tx_pause_o"), std::string::npos);
  const auto changes = read_fst(dir + "/waves.fst", {fc + "xoffrxc_inc_o", fc + "tx_pause_o"});
  uint64_t pulses = 0, pauses = 0;
  for (const auto& c : changes)
    if (bits_to_u64(c.value) == 1) ++(c.sig == 0 ? pulses : pauses);
  const uint64_t xoff = r["wire"]["partner_xoff_sent"];
  EXPECT_GT(xoff, 0u);
  EXPECT_EQ(pulses, xoff) << "one XOFFRXC pulse per XOFF";
  EXPECT_GT(pauses, 0u);
  EXPECT_LE(pauses, xoff) << "each pause started by an XOFF";
}

TEST(FlowControl, BadPartnerSettingsAreRefused) {
  for (const char* args :
       {"--set wire.partner_rx_rate_pct=0", "--set wire.partner_rx_rate_pct=101",
        "--set wire.partner_rx_buffer=1000",
        "--set wire.partner_rx_rate_pct=50 --set wire.partner_fc=full --set nic.promisc=true",
        "--set wire.partner_rx_rate_pct=50 --set wire.partner_fc=full --set traffic.live=true",
        "--set wire.partner_rx_rate_pct=50 --set wire.partner_fc=full --set driver.mtu=9000"
        " --set wire.partner_rx_buffer=16384"}) {
    const std::string dir = fresh_dir("fc-bad");
    const result r = run_igbsim(std::string("run --out ") + dir + " " + args);
    EXPECT_EQ(r.status, 2) << args << ": " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << args << ": " << r.err;
    EXPECT_FALSE(fs::exists(dir)) << args;
  }
}

// INTx is a level the host samples when it clocks the NIC: the cycle after the level changes
// must be clocked, or the interrupt reaches the CPU late (it did, by up to hundreds of ns,
// before the INTx level counted as pending work). Line rate, so the receive side is often
// clocked alone.
TEST(EndToEnd, SkippingCyclesChangesNoIntxInterruptTime) {
  expect_skipping_changes_nothing(" --set traffic.frames=2000 --set traffic.rate_pct=100 --set "
                                  "driver.irq_mode=intx --set nic.wthresh=0"
                                  " --set nic.drop_en=true");
}

// The MAC's 64-byte bursts into the packet buffer (nic.rx_burst_bytes, default) against beats
// presented one by one as they arrive: without packet-buffer overflow, every frame's fate and
// step times are the same, with fewer cycles ticked. Line-rate 64-byte frames on 4 queues, and
// mixed sizes up to 1518 bytes.
TEST(EndToEnd, MacBurstsChangeNoFrameTimeOnlyTheCyclesTicked) {
  for (const std::string traffic :
       {" --set traffic.rate_pct=100 --set traffic.flows=4",
        " --set traffic.rate_pct=60 --set traffic.size=imix --set traffic.flows=8"}) {
    const std::string a = fresh_dir("burst64"), b = fresh_dir("beat16");
    const std::string common =
        " --set traffic.frames=3000 --set nic.queues=4 --set nic.pktbuf_kb=64" + traffic;
    ASSERT_EQ(run_igbsim("run --out " + a + common).status, 0);
    ASSERT_EQ(run_igbsim("run --out " + b + common + " --set nic.rx_burst_bytes=16").status, 0);
    const json ra = load_report(a), rb = load_report(b);
    EXPECT_EQ(
        ra["sim"]["rtl_cycles"].get<uint64_t>() + ra["sim"]["rtl_cycles_skipped"].get<uint64_t>(),
        rb["sim"]["rtl_cycles"].get<uint64_t>() + rb["sim"]["rtl_cycles_skipped"].get<uint64_t>())
        << "both cover the same cycles";
    EXPECT_LT(ra["sim"]["rtl_cycles"].get<uint64_t>() * 10,
              rb["sim"]["rtl_cycles"].get<uint64_t>() * 9)
        << "bursts tick at least a tenth fewer cycles" << traffic;
    EXPECT_EQ(ra["nic"]["mpc"], 0) << "no overflow: the comparison is exact";
    expect_same_run(a, b,
                    {"wall_s", "rtl_cycles", "rtl_cycles_skipped", "rtl_cycles_core_clocked"});
  }
}

// With at most 4 queues a run uses the RTL Verilated with NumQ=4 (faster). It must behave as
// the full 8-queue build does for the queues it has: same counters, fates and step times, under
// load with drops (a short ring at line rate with DROP_EN: RNBC and RQDPC), with 3 queues.
TEST(EndToEnd, TheFourQueueModelMatchesTheFullOne) {
  const std::string a = fresh_dir("rtl4"), b = fresh_dir("rtl8");
  const std::string common =
      " --set traffic.frames=8000 --set traffic.rate_pct=100 --set traffic.flows=16"
      " --set nic.rx_ring=80 --set nic.drop_en=true --set nic.queues=3";
  ASSERT_EQ(run_igbsim("run --out " + a + common).status, 0);
  ASSERT_EQ(run_igbsim("run --out " + b + common + " --set sim.rtl_queues=8").status, 0);
  const json ra = load_report(a), rb = load_report(b);
  EXPECT_EQ(ra["sim"]["rtl_queues"], 4);
  EXPECT_EQ(rb["sim"]["rtl_queues"], 8);
  EXPECT_GT(ra["nic"]["rqdpc"][0].get<uint64_t>() + ra["nic"]["rqdpc"][1].get<uint64_t>() +
                ra["nic"]["rqdpc"][2].get<uint64_t>(),
            0u)
      << "the comparison covers drops";
  expect_same_run(a, b, {"wall_s", "rtl_queues"});
}

TEST(EndToEnd, JumboFramesSpanSeveralBuffersAndArriveByteExact) {
  const std::string dir = fresh_dir("jumbo");
  const result r = run_igbsim(
      "run --out " + dir +
      " --set traffic.frame_bytes=9018 --set driver.mtu=9000 --set traffic.rate_pct=50"
      " --set traffic.frames=300 --set kernel.rmem_default=4194304 --set traffic.flows=4");
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  const json rep = load_report(dir);
  EXPECT_EQ(rep["checks"]["delivered"], 300)
      << "every jumbo frame delivered (the scoreboard compares every byte)";
  EXPECT_EQ(rep["app"]["delivered_bytes"], 300 * (9018 - 4 - 42));
  EXPECT_EQ(rep["nic"]["desc_writebacks"], 300 * 3)
      << "MTU 9000: 3 KB buffers, 9014 bytes take 3 each";
  EXPECT_EQ(rep["nic"]["gprc"], 300) << "GPRC counts frames, not buffers";
  EXPECT_EQ(rep["ethtool"]["rx_packets"], 300);
  EXPECT_EQ(rep["ethtool"]["rx_csum_offload_errors"], 0)
      << "a 9000-byte datagram's checksum is checked right";
}

// The NIC's size filter as igb programs it from the MTU (issue 19): up to MTU 1514 RLPML is
// 1536 bytes (the most a 2 KB build_skb buffer holds), above it 9728 over several 3 KB
// buffers. Longer frames are dropped by the NIC, counted in ROC and rx_length_errors, and
// never crash the driver (they used to reach build_skb: skb_over_panic).
TEST(Filters, FramesLongerThanTheMtuAllowsAreDroppedByTheNicAndCountedInRoc) {
  const std::string dir = fresh_dir("oversize");
  for (const int bytes : {1537, 2000, 9018}) {
    const result r = run_igbsim(fmt::format(
        "run --out {} --quiet --set traffic.frames=40 --set traffic.frame_bytes={}", dir, bytes));
    ASSERT_EQ(r.status, 0) << bytes << " bytes at MTU 1500: " << r.err << r.out;
    const json rep = load_report(dir);
    EXPECT_EQ(rep["checks"]["delivered"], 0);
    EXPECT_EQ(rep["nic"]["roc"], rep["wire"]["frames_offered"]) << bytes;
    EXPECT_EQ(rep["ethtool"]["rx_length_errors"], rep["wire"]["frames_offered"]);
    EXPECT_EQ(rep["checks"]["dropped_by"]["rx_length_errors"], rep["wire"]["frames_offered"]);
    EXPECT_EQ(rep["nic"]["gprc"], 0) << "none reached host memory";
    EXPECT_EQ(rep["checks"]["lost_unaccounted"], 0);
  }
  // At the limit every frame is received; a size mix across it splits at the limit
  result r = run_igbsim("run --out " + dir +
                        " --quiet --set traffic.frames=40 --set traffic.frame_bytes=1536");
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  EXPECT_EQ(load_report(dir)["checks"]["delivered"], 40)
      << "RLPML is 1536 for MTU 1500, as igb sets it";
  r = run_igbsim(
      "run --out " + dir +
      " --quiet --set traffic.frames=400 --set traffic.size=uniform"
      " --set traffic.size_min=1400 --set traffic.size_max=1700 --set traffic.rate_pct=50");
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  json rep = load_report(dir);
  EXPECT_GT(rep["checks"]["delivered"].get<int>(), 0);
  EXPECT_GT(rep["nic"]["roc"].get<int>(), 0);
  EXPECT_EQ(rep["checks"]["delivered"].get<int>() + rep["nic"]["roc"].get<int>(), 400);
  // A larger MTU: 9728-byte RLPML, frames over several buffers
  r = run_igbsim(
      "run --out " + dir +
      " --quiet --set traffic.frames=40 --set traffic.frame_bytes=9018 --set driver.mtu=1600");
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  rep = load_report(dir);
  EXPECT_EQ(rep["checks"]["delivered"], 40);
  EXPECT_EQ(rep["nic"]["desc_writebacks"], 40 * 3) << "9014 bytes in 3 KB buffers";
}

// The NIC's address filter (RAR[0], RCTL.UPE/MPE/BAM): frames for another station and
// multicast frames are dropped by the NIC unless promiscuous; the part counts them nowhere,
// the scoreboard under address_filtered. Promiscuous, the stack drops the other station's
// frame (rx_otherhost_dropped) and takes the multicast-addressed one for its own IP.
TEST(Filters, TheAddressFilterDropsFramesForOtherStationsUnlessPromiscuous) {
  const std::string dir = fresh_dir("addrfilter");
  fs::create_directories(dir);
  pcap_t* p = pcap_open_dead(DLT_EN10MB, 65535);
  pcap_dumper_t* d = pcap_dump_open(p, (dir + "/in.pcap").c_str());
  ASSERT_NE(d, nullptr);
  traffic_config c, big;
  c.frame_bytes = 200;
  big.frame_bytes = 1600;
  for (uint32_t i = 0; i < 12; ++i) {
    std::vector<uint8_t> f;
    traffic_source::build_frame(i == 9 ? big : c, i, 0, i, f);
    if (i == 3) f[5] = 0x99;  // 02:00:00:00:00:99, another station
    if (i == 6) {             // 01:00:5e:00:00:fb, a multicast group
      const uint8_t mc[6] = {0x01, 0x00, 0x5E, 0x00, 0x00, 0xFB};
      std::copy(mc, mc + 6, f.begin());
    }
    pcap_pkthdr h{};
    h.ts.tv_sec = 1700000000;
    h.ts.tv_usec = 100 * i;
    h.len = h.caplen = static_cast<bpf_u_int32>(f.size());
    pcap_dump(reinterpret_cast<u_char*>(d), &h, f.data());
  }
  pcap_dump_close(d);
  pcap_close(p);
  for (const bool promisc : {false, true}) {
    const result r = run_igbsim(
        fmt::format("run --out {}/out --quiet --set traffic.pcap={}/in.pcap --set nic.promisc={}",
                    dir, dir, promisc));
    ASSERT_EQ(r.status, 0) << r.err << r.out;
    const json rep = load_report(dir + "/out");
    const json& by = rep["checks"]["dropped_by"];
    EXPECT_EQ(by.value("rx_length_errors", 0), 1) << "the 1600-byte frame, either way";
    EXPECT_EQ(rep["nic"]["roc"], 1);
    EXPECT_EQ(rep["checks"]["lost_unaccounted"], 0);
    if (!promisc) {
      EXPECT_EQ(by.value("address_filtered", 0), 2)
          << "the other station's frame and the multicast one";
      EXPECT_EQ(rep["nic"]["address_filtered"], 2);
      EXPECT_EQ(rep["checks"]["delivered"], 9);
    } else {
      EXPECT_EQ(by.value("address_filtered", 0), 0);
      EXPECT_EQ(by.value("rx_otherhost_dropped", 0), 1);
      EXPECT_EQ(rep["stack"]["rx_otherhost_dropped"], 1);
      EXPECT_EQ(rep["checks"]["delivered"], 10)
          << "the multicast-addressed datagram to this host's IP is taken";
    }
  }
}

TEST(EndToEnd, RssSpreadsFlowsOverQueuesEachOnItsOwnVector) {
  const std::string dir = fresh_dir("rss");
  const result r = run_igbsim(
      "run --out " + dir + " --set traffic.flows=16 --set traffic.frames=4000 --set nic.queues=4");
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  const json rep = load_report(dir);
  const json& et = rep["ethtool"];
  const auto& msix = rep["nic"]["msix"];
  uint64_t sum = 0;
  unsigned used = 0;
  for (unsigned q = 0; q < 4; ++q) {
    const uint64_t n = et["rx_queue_" + std::to_string(q) + "_packets"];
    sum += n;
    used += n > 0;
    EXPECT_EQ(n > 0, msix[q + 1].get<uint64_t>() > 0)
        << "queue " << q << " interrupts on vector " << q + 1 << " only";
  }
  EXPECT_EQ(sum, et["rx_packets"].get<uint64_t>()) << "per-queue packets add up to rx_packets";
  EXPECT_EQ(sum, rep["nic"]["gprc"].get<uint64_t>());
  EXPECT_GE(used, 3u) << "sixteen flows from different hosts spread over the four queues";
  EXPECT_EQ(msix[0], 0) << "vector 0 is the 'other' vector";
  for (size_t v = 5; v < msix.size(); ++v) EXPECT_EQ(msix[v], 0) << "no queue behind vector " << v;
  EXPECT_EQ(rep["checks"]["delivered"].get<uint64_t>() + sum_dropped(rep), 4000u);
}

TEST(EndToEnd, DropEnCountsOverflowPerQueue) {
  // A small ring per queue at line rate with DROP_EN: drops land in RQDPC of the queue whose
  // ring ran dry, and every drop counter agrees with the frames' fates.
  const std::string dir = fresh_dir("dropen");
  const result r =
      run_igbsim("run --out " + dir +
                 " --set traffic.flows=16 --set traffic.rate_pct=100 --set traffic.frames=8000"
                 " --set nic.rx_ring=80 --set nic.drop_en=true --set nic.queues=4");
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  const json rep = load_report(dir);
  uint64_t rqdpc = 0;
  unsigned queues_dropping = 0;
  for (unsigned q = 0; q < 4; ++q) {
    const uint64_t d = rep["nic"]["rqdpc"][q];
    EXPECT_EQ(d, rep["ethtool"]["rx_queue_" + std::to_string(q) + "_drops"].get<uint64_t>());
    EXPECT_EQ(d, rep["checks"]["dropped_by"].value("rx_queue_" + std::to_string(q) + "_drops", 0u));
    rqdpc += d;
    queues_dropping += d > 0;
  }
  EXPECT_GT(queues_dropping, 0u);
  EXPECT_EQ(rep["nic"]["rnbc"].get<uint64_t>(), rqdpc)
      << "with DROP_EN every frame without a descriptor is dropped";
  EXPECT_EQ(rep["checks"]["delivered"].get<uint64_t>() + sum_dropped(rep), 8000u);
  EXPECT_EQ(rep["checks"]["lost_unaccounted"], 0);
}

// driver.mode = legacy cleans the ring in the interrupt handler under MSI and INTx too (their
// handlers scheduled NAPI regardless: a hybrid with polls)
TEST(EndToEnd, LegacyModeNeverPollsWhateverTheInterrupt) {
  for (const std::string mode : {"msix", "msi", "intx"}) {
    const std::string dir = fresh_dir("legacy-" + mode);
    const result r = run_igbsim(
        "run --out " + dir +
        " --set driver.mode=legacy --set traffic.frames=300 --set driver.irq_mode=" + mode);
    ASSERT_EQ(r.status, 0) << r.err;
    const json rep = load_report(dir);
    EXPECT_EQ(rep["driver"]["polls"], 0) << mode;
    EXPECT_GT(rep["driver"]["irqs"].get<uint64_t>(), 0u) << mode;
    EXPECT_GT(rep["softnet"]["processed"].get<uint64_t>(), 0u)
        << mode << ": frames go through the backlog";
    for (const auto& row : load_journey(dir))
      EXPECT_LT(row.t[size_t(step::napi_poll)], 0) << mode << " frame " << row.frame;
  }
}

TEST(EndToEnd, MsiAndIntxReadIcrOnEveryInterruptMsixNever) {
  auto run = [](const std::string& mode, int frames) {
    const std::string dir = fresh_dir("irq-" + mode + std::to_string(frames));
    const result r = run_igbsim("run --out " + dir + " --set driver.irq_mode=" + mode +
                                " --set traffic.frames=" + std::to_string(frames));
    EXPECT_EQ(r.status, 0) << r.err << r.out;
    return load_report(dir);
  };
  for (const std::string mode : {"msi", "intx"}) {
    const json rep = run(mode, 2000);
    EXPECT_EQ(rep["driver"]["rx_queues"], 1) << mode << ": igb falls back to one queue";
    EXPECT_EQ(rep["checks"]["delivered"].get<uint64_t>() + sum_dropped(rep), 2000u);
    const uint64_t irqs = rep["driver"]["irqs"];
    EXPECT_GT(irqs, 5u);
    EXPECT_GE(rep["driver"]["mmio_reads"].get<uint64_t>(), irqs)
        << mode << ": one ICR read per interrupt";
    EXPECT_EQ(rep["driver"]["ims_writes"].get<uint64_t>(), irqs + 1)
        << "IMS re-enabled after each completed poll";
    EXPECT_EQ(rep["driver"]["eims_writes"], 0);
    EXPECT_EQ(rep["driver"]["irqs_none"], 0) << "the line is never raised for nothing";
  }
  // MSI-X: the hot path has no MMIO read, so reads do not grow with interrupts.
  const json a = run("msix", 1000), b = run("msix", 3000);
  EXPECT_GT(b["driver"]["irqs"].get<uint64_t>(), a["driver"]["irqs"].get<uint64_t>());
  EXPECT_EQ(a["driver"]["mmio_reads"], b["driver"]["mmio_reads"]);
}

// ---- Driver, NAPI and the CPU ------------------------------------------------------------

namespace {
json run_report(const std::string& name, const std::string& sets) {
  const std::string dir = fresh_dir(name);
  const result r = run_igbsim("run --out " + dir + " " + sets);
  EXPECT_EQ(r.status, 0) << name << ": " << r.err << r.out;
  return load_report(dir);
}
double irqs_per_delivered(const json& r) {
  return r["driver"]["irqs"].get<double>() / std::max(1.0, r["checks"]["delivered"].get<double>());
}
}  // namespace

TEST(Napi, InterruptsPerPacketFallFromOneAtLightLoadToFarBelowAHundredthAtLineRate) {
  const json light = run_report("ipp-light", "--set traffic.rate_pct=1 --set traffic.frames=400");
  const json mid = run_report("ipp-mid", "--set traffic.rate_pct=20 --set traffic.frames=4000");
  const json full =
      run_report("ipp-full", "--set traffic.rate_pct=100 --set traffic.duration_us=8000");
  EXPECT_GT(irqs_per_delivered(light), 0.9) << "frames 67 us apart each get their own interrupt";
  EXPECT_LT(irqs_per_delivered(mid), irqs_per_delivered(light));
  EXPECT_LT(irqs_per_delivered(full), irqs_per_delivered(mid));
  EXPECT_LT(irqs_per_delivered(full), 0.01)
      << "at 64-byte line rate NAPI keeps polling with the vector masked";
  EXPECT_GT(full["checks"]["delivered"].get<uint64_t>(), 1000u)
      << "and the application still gets frames";
}

TEST(Napi, WithoutNapiDeliveriesCollapseAsLoadRisesWithNapiTheyHoldAPlateau) {
  // Receive livelock (Mogul and Ramakrishnan; the NAPI measurements of Salim et al.): one core,
  // 64-byte frames, 20 ms of offered load at each rate.
  auto delivered = [](const std::string& mode, int pct) {
    const json r = run_report(
        "livelock-" + mode + std::to_string(pct),
        "--set driver.mode=" + mode + (mode == "legacy" ? " --set driver.itr=off" : "") +
            " --set traffic.rate_pct=" + std::to_string(pct) + " --set traffic.duration_us=20000");
    EXPECT_EQ(r["checks"]["lost_unaccounted"], 0);
    return r["checks"]["delivered"].get<double>();
  };
  const double legacy_peak = std::max(delivered("legacy", 15), delivered("legacy", 25));
  const double legacy_60 = delivered("legacy", 60), legacy_100 = delivered("legacy", 100);
  // Past saturation the interrupt handler and the backlog it feeds (run inline at each
  // irq_exit, v6.5+) eat the CPU: the reader gets a sliver, how much depends on where its few
  // slices fall (a rcvbuf's worth, 92 datagrams, to about a thousand), never near the peak.
  EXPECT_LT(legacy_60, 0.35 * legacy_peak) << "past saturation the interrupt handler eats the CPU";
  EXPECT_LT(legacy_100, 0.35 * legacy_peak) << "and more load delivers no more";
  const double napi_80 = delivered("napi", 80), napi_100 = delivered("napi", 100);
  EXPECT_GT(napi_100, 0.9 * napi_80) << "NAPI holds its delivery rate as load keeps rising";
  EXPECT_GT(napi_100, 2 * legacy_100);
}

TEST(Napi, DynamicItrGoesToBulkUnderLargeFramesAndToLowLatencyUnderSparseSmallOnes) {
  for (const std::string mode : {"msix", "msi"}) {  // igb_update_ring_itr and igb_set_itr
    const json bulk = run_report("itr-bulk-" + mode,
                                 "--set driver.irq_mode=" + mode +
                                     " --set traffic.frame_bytes=1518 --set traffic.rate_pct=100"
                                     " --set traffic.frames=2000");
    const json sparse = run_report(
        "itr-sparse-" + mode,
        "--set driver.irq_mode=" + mode + " --set traffic.rate_pct=0.5 --set traffic.frames=200");
    // The interval of the vector whose queue carried the flow (the others keep IGB_START_ITR).
    auto busy_itr = [](const json& r) {
      size_t busiest = 0;
      for (size_t q = 0; q < r["driver"]["itr_us"].size(); ++q)
        if (r["ethtool"]["rx_queue_" + std::to_string(q) + "_packets"].get<uint64_t>() >
            r["ethtool"]["rx_queue_" + std::to_string(busiest) + "_packets"].get<uint64_t>())
          busiest = q;
      return r["driver"]["itr_us"][busiest].get<double>();
    };
    const double bulk_us = busy_itr(bulk), sparse_us = busy_itr(sparse);
    EXPECT_GE(bulk_us, 150.0)
        << mode << ": line-rate 1500-byte frames move to the bulk interval (~4-5 K/s)";
    EXPECT_EQ(sparse_us, 49.0)
        << mode << ": sparse small frames get the low-latency interval (20 K/s, conservative mode)";
    EXPECT_GT(bulk["driver"]["eitr_writes"].get<uint64_t>(), 1u)
        << "the new interval is written at a later interrupt";
  }
}

TEST(Napi, WaveformShowsEimsWrittenOnlyAfterNapiCompletedAndNeverAfterAFullBudgetPoll) {
  // One flow (queue 1, vector 2) at a load where some polls use their whole budget.
  const std::string dir = fresh_dir("napi-waves");
  const result r =
      run_igbsim("run --out " + dir +
                 " --waves --set traffic.rate_pct=50 --set traffic.frames=6000 --set nic.queues=4");
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  const json rep = load_report(dir);
  ASSERT_GT(rep["ethtool"]["rx_queue_1_packets"].get<uint64_t>(), 0u);
  ASSERT_GT(rep["driver"]["polls_budget_exhausted"].get<uint64_t>(), 0u);
  const std::vector<std::string> names = {"nic.igb_nic.u_regs.eims_q", "sw.napi1_state_i",
                                          "sw.napi1_work_done_i"};
  enum { EIMS, STATE, WORK };
  const auto changes = read_fst(dir + "/waves.fst", names);
  uint64_t eims = 0, state = 0, rises = 0, rises_while_polling = 0, full_polls = 0,
           full_poll_completed = 0;
  for (const auto& c : changes) {
    const uint64_t v = bits_to_u64(c.value);
    if (c.sig == EIMS) {
      if ((v >> 2 & 1) && !(eims >> 2 & 1)) {
        ++rises;
        if (state != 0)
          ++rises_while_polling;  // NAPI not idle: napi_complete_done has not returned true
      }
      eims = v;
    } else if (c.sig == STATE) {
      state = v;
    } else if (c.sig == WORK && v == 64) {
      ++full_polls;
      if (state == 0) ++full_poll_completed;  // a full poll must leave NAPI scheduled
    }
  }
  EXPECT_GT(rises, 10u);
  EXPECT_GT(full_polls, 0u);
  EXPECT_EQ(rises_while_polling, 0u)
      << "EIMS is written only after napi_complete_done returned true";
  EXPECT_EQ(full_poll_completed, 0u) << "a poll that used its whole budget leaves NAPI scheduled";
}

TEST(Cores, InterruptsGoWhereTheirAffinitySendsThemAndMoreCoresDeliverMore) {
  const std::string load =
      " --set traffic.flows=16 --set traffic.rate_pct=100 --set traffic.duration_us=6000";
  const json one = run_report("cores1", "--set kernel.cores=1" + load);
  const json spread = run_report("cores4", "--set kernel.cores=4" + load);
  const json core0 =
      run_report("cores4-core0", "--set kernel.cores=4 --set kernel.irq_affinity=core0" + load);
  ASSERT_EQ(spread["cpu"].size(), 4u);
  for (unsigned c = 0; c < 4; ++c) {
    EXPECT_GT(spread["cpu"][c]["irqs"].get<uint64_t>(), 0u)
        << "queue " << c << "'s vector lands on core " << c;
    EXPECT_GT(spread["cpu"][c]["softirq_ns"].get<double>(), 0.0) << "and its NAPI polls there";
    EXPECT_GT(spread["softnet"]["per_cpu"][c]["processed"].get<uint64_t>(), 0u);
    if (c > 0) {
      EXPECT_EQ(core0["cpu"][c]["irqs"], 0) << "irq_affinity=core0 keeps core " << c << " out";
    }
  }
  EXPECT_GT(spread["checks"]["delivered"].get<uint64_t>(),
            one["checks"]["delivered"].get<uint64_t>())
      << "four cores share the receive work";
  for (const json* r : {&one, &spread, &core0}) EXPECT_EQ((*r)["checks"]["lost_unaccounted"], 0);
}

TEST(Driver, EveryReceivePathVariantDeliversByteExact) {
  // The scoreboard compares every delivered byte; any mix-up is a violation (exit 3).
  struct variant {
    std::string name, sets;
  };
  const std::vector<variant> variants = {
      {"dd-64", "--set driver.completion=dd"},
      {"dd-jumbo",
       "--set driver.completion=dd --set driver.mtu=9000 --set traffic.frame_bytes=9018"},
      {"copy-64", "--set driver.rx_path=construct_skb"},
      {"copy-300", "--set driver.rx_path=construct_skb --set traffic.frame_bytes=300"},
      {"copy-1518", "--set driver.rx_path=construct_skb --set traffic.frame_bytes=1518"},
      {"copy-jumbo",
       "--set driver.rx_path=construct_skb --set driver.mtu=9000 --set traffic.frame_bytes=9018"},
      {"legacy-copy",
       "--set driver.mode=legacy --set driver.rx_path=construct_skb --set traffic.frame_bytes=300"},
  };
  for (const auto& v : variants) {
    const json r =
        run_report("variant-" + v.name, v.sets + " --set traffic.frames=600 --set traffic.flows=4");
    EXPECT_TRUE(r["checks"]["passed"].get<bool>())
        << v.name << ": " << r["checks"]["violations"].dump();
    EXPECT_EQ(r["checks"]["delivered"].get<uint64_t>() + sum_dropped(r), 600u) << v.name;
    EXPECT_GT(r["checks"]["delivered"].get<uint64_t>(), 500u) << v.name;
  }
}

TEST(Napi, GroMergesTcpSegmentsByteExactOnEveryReceivePath) {
  // A merged segment's payload is wherever its frame put it: after the headers in the linear
  // part (build_skb, or all of a short frame), in page fragments (construct_skb copies only the
  // headers), or both (a jumbo frame over several buffers).
  struct variant {
    std::string name, sets;
  };
  const std::vector<variant> variants = {
      {"build-1518", "--set traffic.frame_bytes=1518"},
      {"copy-300", "--set driver.rx_path=construct_skb --set traffic.frame_bytes=300"},
      {"copy-1518", "--set driver.rx_path=construct_skb --set traffic.frame_bytes=1518"},
      {"build-jumbo", "--set driver.mtu=9000 --set traffic.frame_bytes=9018"},
      {"copy-jumbo",
       "--set driver.rx_path=construct_skb --set driver.mtu=9000 --set traffic.frame_bytes=9018"},
  };
  for (const auto& v : variants) {
    const json r = run_report("gro-path-" + v.name,
                              v.sets + " --set traffic.protocol=tcp --set traffic.frames=600"
                                       " --set traffic.flows=2 --set traffic.rate_pct=60");
    EXPECT_TRUE(r["checks"]["passed"].get<bool>())
        << v.name << ": " << r["checks"]["violations"].dump();
    EXPECT_GT(r["stack"]["gro_merged"].get<uint64_t>(), 100u) << v.name << ": GRO merged segments";
    EXPECT_EQ(r["checks"]["delivered"], 600) << v.name;
  }
}

TEST(App, SeveralReaderThreadsOnSeveralCoresReadEveryDatagramIntactAndInSocketOrder) {
  // Readers of one socket return in any order, but each returns its own datagram, intact, and
  // the socket hands a flow's datagrams out in order (the scoreboard judges both).
  for (const std::string kind : {"epoll", "select", "poll", "blocking"}) {
    for (const std::string sockets : {"1", "16"}) {
      if (kind == "blocking" && sockets != "1") continue;  // a blocking reader per socket
      const std::string name = "threads-" + kind + "-" + sockets;
      const json r = run_report(
          name, "--set traffic.flows=2 --set kernel.cores=2 --set app.threads=2 --set app.kind=" +
                    kind + " --set app.sockets=" + sockets + " --set traffic.frames=1500");
      EXPECT_TRUE(r["checks"]["passed"].get<bool>())
          << name << ": " << r["checks"]["violations"].dump();
      EXPECT_EQ(r["checks"]["delivered"].get<uint64_t>() + sum_dropped(r), 1500u) << name;
      EXPECT_EQ(r["checks"]["lost_unaccounted"], 0) << name;
    }
  }
}

TEST(Napi, DeferredHardIrqsTradeInterruptsForLatency) {
  const std::string base =
      "--set driver.itr=off --set traffic.rate_pct=15 --set traffic.frames=4000";
  const json plain = run_report("defer0", base);
  const json deferred = run_report(
      "defer2",
      base + " --set kernel.napi_defer_hard_irqs=2 --set kernel.gro_flush_timeout_ns=50000");
  for (const json* r : {&plain, &deferred}) {
    EXPECT_EQ((*r)["checks"]["delivered"], 4000)
        << "deferral strands nothing: the watchdog polls until the queue is empty";
  }
  EXPECT_LT(irqs_per_delivered(deferred), 0.1 * irqs_per_delivered(plain))
      << "completions that keep the interrupt masked; the hrtimer polls instead";
  EXPECT_GT(deferred["latency_ns"]["end_to_end"]["p50"].get<double>(),
            plain["latency_ns"]["end_to_end"]["p50"].get<double>())
      << "frames wait up to gro_flush_timeout for the next poll";
}

TEST(Tcp, ImpairedStreamsArriveByteExactInOrderWithEveryCopyAccounted) {
  const json r = run_report(
      "tcp-impaired", "--set traffic.protocol=tcp --set traffic.flows=8 --set traffic.frames=3000"
                      " --set traffic.rate_pct=40 --set traffic.tcp_reorder_pct=5"
                      " --set traffic.tcp_loss_pct=3 --set traffic.tcp_dup_pct=3");
  EXPECT_TRUE(r["checks"]["passed"].get<bool>()) << r["checks"]["violations"].dump();
  EXPECT_EQ(r["checks"]["delivered"], 3000)
      << "every segment of every stream reaches read(), in order";
  const json& st = r["stack"];
  EXPECT_GT(st["tcp_ofo_queue"].get<uint64_t>(), 0u) << "reordered and lost segments leave holes";
  const uint64_t old = r["checks"]["dropped_by"].value("delayed_ack_lost", 0u) +
                       r["checks"]["dropped_by"].value("tcp_ofo_merge", 0u);
  EXPECT_GT(old, 0u) << "spurious retransmissions";
  EXPECT_EQ(r["checks"]["offered"].get<uint64_t>(), 3000u + old)
      << "every extra copy on the wire is dropped as a duplicate";
  EXPECT_EQ(st["delayed_ack_lost"], r["checks"]["dropped_by"].value("delayed_ack_lost", 0u));
  EXPECT_EQ(st["tcp_in_segs"], r["checks"]["offered"]);
}

TEST(Napi, GroMergesTcpSegmentsOfAConnectionButNotUdp) {
  const std::string load =
      " --set traffic.flows=4 --set traffic.frames=3000 --set traffic.rate_pct=40";
  const json tcp = run_report("gro-tcp", "--set traffic.protocol=tcp" + load);
  const json udp = run_report("gro-udp", "--set traffic.protocol=udp --set app.sockets=4" + load);
  EXPECT_GT(tcp["stack"]["gro_merged"].get<uint64_t>(), 1000u);
  EXPECT_EQ(udp["stack"]["gro_merged"], 0);
  EXPECT_EQ(tcp["checks"]["delivered"], 3000);
  EXPECT_LT(tcp["wakeup"]["sk_data_ready"].get<uint64_t>(),
            udp["wakeup"]["sk_data_ready"].get<uint64_t>() / 2)
      << "a merged packet is one socket enqueue and one wake-up";
}

// ---- The wake-up path: select, poll, epoll ------------------------------------------------

namespace {
// One datagram at a time to N sockets (one ready fd per call), 100 datagrams.
json c10k(const std::string& kind, int n) {
  return run_report("c10k-" + kind + std::to_string(n),
                    "--set app.kind=" + kind + " --set app.sockets=" + std::to_string(n) +
                        " --set traffic.flows=" + std::to_string(n) +
                        " --set traffic.rate_pps=500 --set traffic.frames=100");
}
double per_call(const json& r, const char* what) {
  return r["app"]["per_call"][what].get<double>();
}
}  // namespace

TEST(Wakeup, C10kSelectAndPollCostGrowWithSocketsEpollStaysFlat) {
  const json e10 = c10k("epoll", 10), e10k = c10k("epoll", 10000);
  const json p10 = c10k("poll", 10), p1k = c10k("poll", 1000), p10k = c10k("poll", 10000);
  const json s10 = c10k("select", 10), s1k = c10k("select", 1000);
  for (const json* r : {&e10, &e10k, &p10, &p1k, &p10k, &s10, &s1k})
    EXPECT_EQ((*r)["checks"]["delivered"], 100);
  // poll and select touch every fd on every call: the per-call work is linear in N
  EXPECT_NEAR(per_call(p1k, "vfs_poll_calls") / per_call(p10, "vfs_poll_calls"), 100.0, 10.0);
  EXPECT_NEAR(per_call(p10k, "wq_entries_added") / per_call(p1k, "wq_entries_added"), 10.0, 1.0);
  EXPECT_EQ(per_call(p10k, "wq_entries_added"), per_call(p10k, "wq_entries_removed"))
      << "poll_freewait removes them all";
  EXPECT_GT(per_call(p1k, "cpu_ns"), 50 * per_call(p10, "cpu_ns"));
  EXPECT_GT(per_call(s1k, "cpu_ns"), 50 * per_call(s10, "cpu_ns"));
  EXPECT_GT(per_call(p1k, "user_copy_bytes"), per_call(s1k, "user_copy_bytes"))
      << "pollfd arrays outweigh fd_set bitmaps";
  // epoll: the same work per call whatever N
  EXPECT_EQ(per_call(e10k, "vfs_poll_calls"), per_call(e10, "vfs_poll_calls"));
  EXPECT_LT(per_call(e10k, "cpu_ns"), 1.2 * per_call(e10, "cpu_ns"));
  EXPECT_EQ(per_call(e10k, "wq_entries_added"), 0.0) << "epoll registers once, at EPOLL_CTL_ADD";
  EXPECT_GT(per_call(p10k, "cpu_ns"), 1000 * per_call(e10k, "cpu_ns"))
      << "at 10,000 sockets one ready fd";
}

// Registering 100,000 sockets is 4 ms of EPOLL_CTL_ADD work; interrupts must still be taken
// during it (each epoll_ctl returns through a boundary), or the first frames wait, stranded,
// behind a masked vector. Found by the C10K benchmark at N = 100,000.
TEST(Wakeup, InterruptsAreTakenWhileAHundredThousandSocketsAreRegistered) {
  const std::string dir = fresh_dir("c100k");
  const result r = run_igbsim(
      "run --out " + dir + " " + std::string(IGBSIM_SOURCE_DIR) +
      "/scenarios/c10k_select.toml --set app.kind=epoll --set app.sockets=100000"
      " --set traffic.flows=100000 --set traffic.frames=300 --set traffic.rate_pps=20000");
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  const json rep = load_report(dir);
  EXPECT_EQ(rep["checks"]["delivered"], 300);
  EXPECT_EQ(rep["checks"]["violations"].size(), 0u);
  uint64_t msix = 0;
  for (const auto& v : rep["nic"]["msix"]) msix += v.get<uint64_t>();
  EXPECT_GE(msix, 4u) << "each of the 4 queue vectors fired";
}

TEST(Wakeup, WithoutEpollExclusiveEveryEventWakesAllThreadsWithItOne) {
  const std::string base =
      "--set app.threads=4 --set traffic.rate_pps=5000 --set traffic.frames=200";
  const json herd = run_report("herd", base);
  const json excl = run_report("herd-excl", base + " --set app.exclusive=true");
  for (const json* r : {&herd, &excl}) EXPECT_EQ((*r)["checks"]["delivered"], 200);
  EXPECT_EQ(herd["wakeup"]["task_wakeups"], 4 * 200)
      << "each event wakes all four epoll_wait sleepers";
  EXPECT_EQ(herd["wakeup"]["empty_wakeups"], 3 * 200) << "and three of them find nothing";
  EXPECT_EQ(excl["wakeup"]["task_wakeups"], 200) << "EPOLLEXCLUSIVE: one waiter per event";
  EXPECT_EQ(excl["wakeup"]["empty_wakeups"], 0);
}

TEST(Wakeup, SelectBeyondFdSetsizeIsBadInput) {
  const std::string dir = fresh_dir("select-limit");
  const result r = run_igbsim("run --out " + dir + " --set app.kind=select --set app.sockets=1022");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("app.fd_setsize"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one line: " << r.err;
  EXPECT_FALSE(fs::exists(dir)) << "nothing written for bad input";
}

TEST(Wakeup, SelectOverTenThousandSocketsRunsWithAnFdSetThatLarge) {
  // The kernel's select has no FD_SETSIZE limit; the application's fd_set has (glibc: 1024).
  const std::string args = " --set app.kind=select --set app.sockets=10000 --set traffic.flows=100 "
                           "--set traffic.frames=200 --set traffic.rate_pps=20000 --quiet";
  const std::string dir = fresh_dir("select-10k");
  const result r = run_igbsim("run --out " + dir + args + " --set app.fd_setsize=10240");
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  const json rep = load_report(dir);
  EXPECT_EQ(rep["checks"]["delivered"].get<uint64_t>() + sum_dropped(rep), 200u);
  EXPECT_GT(rep["app"]["select_calls"].get<uint64_t>(), 0u);
  EXPECT_GT(rep["app"]["per_call"]["vfs_poll_calls"].get<double>(), 1024.0)
      << "each call polls beyond fd 1024";
  const std::string dir2 = fresh_dir("select-10k-default");
  const result refused = run_igbsim("run --out " + dir2 + args);
  EXPECT_EQ(refused.status, 2);
  EXPECT_NE(refused.err.find("app.fd_setsize"), std::string::npos) << refused.err;
  EXPECT_FALSE(fs::exists(dir2));
}

// Several reader threads on two cores: a frame's wake-up may wake a thread that does not read
// it, and one core's local time runs ahead of the other's. Each row keeps the reader's own
// wake-up path in order, and every delivered frame counts in every step it passed. Before:
// with two epoll threads, 1888 of 3000 rows out of order and read_return counted 2475 times
// (the rest silently left out); a blocking reader read a datagram before it was queued.
// A row's app task is its reader: running at its own return from the wait and the read
// (before, the first thread's state: 'sleeping' at read_return in 1075 of 2000 rows with four
// blocking threads).
TEST(Wakeup, SeveralThreadsOnTwoCoresKeepEachRowInOrderAndInTheLatencies) {
  // (and with a free skb_free and a costly sk_data_ready, a reader on the other core that
  // takes a datagram as soon as it is queued still reads it after sk_data_ready)
  for (const std::string args :
       {"--set app.threads=2", "--set app.kind=blocking --set app.threads=4 --set app.sockets=2",
        "--set app.kind=poll --set app.threads=3 --set app.sockets=3",
        "--set app.kind=select --set app.threads=2 --set app.sockets=2",
        "--set app.threads=2 --set traffic.protocol=tcp",
        "--set app.kind=blocking --set app.threads=4 --set app.sockets=2 --set "
        "cost.skb_free_ns=0 --set cost.sk_data_ready_ns=300",
        // a thundering herd long enough that each thread's state log is pruned several times
        "--set app.threads=4 --set traffic.rate_pps=50000 --set traffic.frames=20000"}) {
    const std::string dir = fresh_dir("wake-threads");
    const result r = run_igbsim("run --quiet --out " + dir + " --set traffic.frames=1500 " + args +
                                " --set kernel.cores=2 --set traffic.flows=4");
    ASSERT_EQ(r.status, 0) << args << ": " << r.err << r.out;
    const json rep = load_report(dir);
    EXPECT_TRUE(rep["checks"]["passed"].get<bool>()) << args << rep["checks"]["violations"].dump();
    const auto rows = load_journey(dir);
    size_t delivered = 0, woken = 0;
    for (const auto& row : rows) {
      if (row.fate != "delivered") continue;
      ++delivered;
      EXPECT_EQ(first_misordered(row), "") << args << ": frame " << row.frame;
      woken += row.t[size_t(step::try_to_wake_up)] >= 0;
      EXPECT_EQ(row.task[size_t(step::read_return)], "R") << args << ": frame " << row.frame;
      for (size_t i = 0; i < kSteps; ++i)
        if (row.t[i] >= 0) {
          EXPECT_NE(row.task[i], "-") << args << ": frame " << row.frame << " " << i;
        }
      if (row.t[size_t(step::epoll_wait_return)] >= 0) {
        EXPECT_EQ(row.task[size_t(step::epoll_wait_return)], "R")
            << args << ": frame " << row.frame;
      }
    }
    EXPECT_EQ(delivered, rep["checks"]["delivered"].get<size_t>());
    EXPECT_GT(woken, 0u) << args;
    EXPECT_EQ(rep["latency_ns"]["read_return"]["count"].get<size_t>(), delivered)
        << args << ": every delivered frame's read in the latencies";
    EXPECT_EQ(rep["latency_ns"]["try_to_wake_up"]["count"].get<size_t>(), woken) << args;
  }
}

TEST(Wakeup, EveryKindOfReaderShowsTheWakeUpPathInTheJourneyAndOnTheWaveform) {
  for (const std::string kind : {"epoll", "select", "poll", "blocking"}) {
    const std::string dir = fresh_dir("wakepath-" + kind);
    const result r = run_igbsim("run --out " + dir + " --waves --set app.kind=" + kind +
                                " --set traffic.rate_pct=1 --set traffic.frames=200");
    ASSERT_EQ(r.status, 0) << kind << ": " << r.err << r.out;
    const auto rows = load_journey(dir);
    std::vector<double> wake_times;
    for (const auto& row : rows) {
      ASSERT_EQ(row.fate, "delivered") << kind;
      const double ready = row.t[size_t(step::sk_data_ready)],
                   cb = row.t[size_t(step::ep_poll_callback)],
                   wake = row.t[size_t(step::try_to_wake_up)],
                   ret = row.t[size_t(step::epoll_wait_return)],
                   read = row.t[size_t(step::read_return)];
      if (wake < 0) continue;
      wake_times.push_back(wake);
      if (kind != "blocking") {
        EXPECT_LE(ready, cb) << kind << " frame " << row.frame
                             << ": callback (ep_poll_callback or pollwake)";
        EXPECT_LE(cb, wake) << kind << " frame " << row.frame;
      }
      EXPECT_LE(ready, wake);
      if (ret >= 0) {
        EXPECT_LE(wake, ret) << kind << " frame " << row.frame
                             << ": the wait call returns after the wake-up";
      }
      EXPECT_LE(wake, read);
    }
    EXPECT_GT(wake_times.size(), 150u)
        << kind << ": at 1 % load nearly every frame wakes the sleeping reader";
    // On the waveform the task leaves TASK_INTERRUPTIBLE exactly at each wake-up
    const auto changes = read_fst(dir + "/waves.fst", {"sw.task0_state_i"});
    std::vector<double> leave_sleep;
    uint64_t state = 0;
    for (const auto& c : changes) {
      const uint64_t v = bits_to_u64(c.value);
      if (state == 2 && v != 2) leave_sleep.push_back(static_cast<double>(c.t) / 1000.0);
      state = v;
    }
    // The journey stamps entry to try_to_wake_up; the state flips inside it
    // (cost.try_to_wake_up_ns)
    size_t matched = 0;
    for (double w : wake_times)
      for (double t : leave_sleep)
        if (t >= w && t - w <= 1000.0) {
          ++matched;
          break;
        }
    EXPECT_EQ(matched, wake_times.size())
        << kind << ": interruptible -> runnable/running at try_to_wake_up";
  }
}

// ---- igb's own configuration (driver/igb_part.h) -------------------------------------------

// Queues and vectors as igb counts them: rss_queues = min(online cores, the part's maximum)
// unless nic.queues says otherwise; a vector per RX queue, one per TX queue unless the queues
// are paired (more than half the part's maximum), plus the "other" vector. The expected
// values below are that rule worked out by hand for each case.
TEST(IgbConfiguration, QueuesAndVectorsAreCountedAsIgbCountsThem) {
  struct expect {
    std::string part;
    int cores;
    std::string queues;
    int rx;
    bool pairs;
    int q_vectors;
  };
  const expect cases[] = {
      {"i350", 1, "auto", 1, false, 2},   // 1 <= 8/2: 1 rx + 1 tx
      {"i350", 2, "auto", 2, false, 4},   // 2 rx + 2 tx
      {"i350", 8, "auto", 8, true, 8},    // 8 > 8/2: paired
      {"i350", 8, "3", 3, false, 6},      // nic.queues overrides the cores
      {"i210", 8, "auto", 4, true, 4},    // the I210 has 4 queues; 4 > 4/2: paired
      {"i210", 2, "auto", 2, false, 4},   // 2 <= 4/2
      {"82576", 4, "auto", 4, false, 8},  // 4 <= 8/2
      {"82576", 8, "auto", 8, true, 8},   // 8 > 8/2
      {"i210", 3, "auto", 3, true, 3},    // 3 > 4/2: paired
      {"i350", 1, "5", 5, true, 5},       // nic.queues 5 > 8/2: paired
  };
  for (const expect& e : cases) {
    const std::string what = e.part + " cores=" + std::to_string(e.cores) + " queues=" + e.queues;
    const std::string dir = fresh_dir("igbcfg");
    const result r = run_igbsim(
        "run --out " + dir +
        " --set traffic.frames=400 --set traffic.flows=32 --set nic.part=" + e.part +
        " --set kernel.cores=" + std::to_string(e.cores) + " --set nic.queues=" + e.queues);
    ASSERT_EQ(r.status, 0) << what << r.err << r.out;
    const json rep = load_report(dir);
    const json& d = rep["driver"];
    EXPECT_EQ(d["part"], e.part);
    EXPECT_EQ(d["rx_queues"], e.rx) << what;
    EXPECT_EQ(d["queue_pairs"], e.pairs) << what;
    EXPECT_EQ(d["q_vectors"], e.q_vectors) << what;
    EXPECT_EQ(d["msix_vectors"], e.q_vectors + 1) << what;
    EXPECT_EQ(d["itr_algorithm"], "igb_update_ring_itr") << what << ": several q_vectors";
    EXPECT_TRUE(rep["checks"]["passed"].get<bool>()) << what << rep["checks"]["violations"].dump();
    // Each receive queue interrupts on its own vector 1..rx; TX vectors (and vector 0) never fire
    const json& msix = rep["nic"]["msix"];
    for (size_t v = 0; v < msix.size(); ++v) {
      const bool rx_vector = v >= 1 && v <= static_cast<size_t>(e.rx);
      if (!rx_vector) EXPECT_EQ(msix[v], 0) << what << ": vector " << v << " has no receive queue";
      else
        EXPECT_EQ(
            msix[v].get<uint64_t>() > 0,
            rep["ethtool"]["rx_queue_" + std::to_string(v - 1) + "_packets"].get<uint64_t>() > 0)
            << what << ": queue " << v - 1 << " interrupts on vector " << v;
    }
    EXPECT_NE(r.out.find("igb        " + e.part + ": " + std::to_string(e.rx) + " queue"),
              std::string::npos)
        << "the summary says what igb decided: " << r.out;
  }
  // Without MSI-X igb uses one queue and one q_vector, whatever was asked: igb_set_itr
  for (const std::string mode : {"msi", "intx"}) {
    const std::string dir = fresh_dir("igbcfg-" + mode);
    const result r = run_igbsim("run --out " + dir +
                                " --set traffic.frames=200 --set nic.queues=4 --set kernel.cores=4 "
                                "--set driver.irq_mode=" +
                                mode);
    ASSERT_EQ(r.status, 0) << r.err;
    const json d = load_report(dir)["driver"];
    EXPECT_EQ(d["rx_queues"], 1) << mode;
    EXPECT_EQ(d["q_vectors"], 1) << mode;
    EXPECT_EQ(d["msix_vectors"], 0) << mode;
    EXPECT_EQ(d["itr_algorithm"], "igb_set_itr") << mode;
  }
  // More queues than the part has is bad input
  const result bad = run_igbsim("run --out " + fresh_dir("igbcfg-bad") +
                                " --set nic.part=i210 --set nic.queues=5");
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.err.find("the i210 has 4 receive queues"), std::string::npos) << bad.err;
}

// One queue under MSI-X is two q_vectors (RX and TX), so igb_ring_irq_enable runs
// igb_update_ring_itr: for 1518-byte frames the average wire size 1514 + 24 gives
// 1538 / 2 = 769, an interval of 769 / 4 = 192.25 us. MSI has one q_vector and igb_set_itr,
// whose bulk-latency state allows 4,000 interrupts/s and low latency 20,000: many more.
TEST(IgbConfiguration, OneQueueUnderMsixUsesTheRingItrOfItsTwoVectors) {
  auto run = [](const std::string& mode) {
    const std::string dir = fresh_dir("itr1q-" + mode);
    const result r =
        run_igbsim("run --out " + dir +
                   " --set nic.queues=1 --set traffic.frame_bytes=1518 "
                   "--set traffic.rate_pct=50 --set traffic.frames=3000 --set driver.irq_mode=" +
                   mode);
    EXPECT_EQ(r.status, 0) << r.err;
    return load_report(dir);
  };
  const json msix = run("msix"), msi = run("msi");
  EXPECT_EQ(msix["driver"]["q_vectors"], 2);
  EXPECT_EQ(msix["driver"]["itr_algorithm"], "igb_update_ring_itr");
  EXPECT_EQ(msix["driver"]["itr_us"][0].get<double>(), 192.25);
  EXPECT_EQ(msi["driver"]["q_vectors"], 1);
  EXPECT_EQ(msi["driver"]["itr_algorithm"], "igb_set_itr");
  EXPECT_GT(msi["driver"]["irqs"].get<uint64_t>(), 2 * msix["driver"]["irqs"].get<uint64_t>());
  const json fixed = load_report([&] {
    const std::string dir = fresh_dir("itr1q-fixed");
    EXPECT_EQ(
        run_igbsim("run --out " + dir + " --set traffic.frames=100 --set driver.itr=100").status,
        0);
    return dir;
  }());
  EXPECT_EQ(fixed["driver"]["itr_algorithm"], "none") << "a fixed interval runs neither algorithm";
}

// The parts differ where the receive path sees it: the 82576 gets WTHRESH 1 with MSI-X (each
// completion written back at once: a shorter wire-to-write-back time than the I350's batches
// of 4), 4 without; its IVAR is column-major, which the NIC decodes by its strap, so every
// queue still interrupts on its own vector; each part has its own packet buffer.
TEST(IgbConfiguration, PartsDifferInWthreshIvarLayoutAndPacketBuffer) {
  auto run = [](const std::string& part, const std::string& extra) {
    const std::string dir = fresh_dir("part-" + part);
    const result r =
        run_igbsim("run --out " + dir +
                   " --set traffic.frames=2000 --set traffic.flows=16 --set nic.queues=4 "
                   "--set nic.part=" +
                   part + extra);
    EXPECT_EQ(r.status, 0) << r.err;
    return load_report(dir);
  };
  const json i350 = run("i350", ""), e82576 = run("82576", ""),
             msi = run("82576", " --set driver.irq_mode=msi"), i210 = run("i210", "");
  EXPECT_EQ(i350["driver"]["wthresh"], 4);
  EXPECT_EQ(e82576["driver"]["wthresh"], 1);
  EXPECT_EQ(msi["driver"]["wthresh"], 4) << "IGB_RX_WTHRESH is 1 on the 82576 only with MSI-X";
  EXPECT_LT(e82576["latency_ns"]["desc_wb_nic"]["p50"].get<double>(),
            i350["latency_ns"]["desc_wb_nic"]["p50"].get<double>())
      << "no batching: each descriptor leaves as soon as it completes";
  for (const json* rep : {&i350, &e82576, &i210}) {
    EXPECT_TRUE((*rep)["checks"]["passed"].get<bool>()) << (*rep)["checks"]["violations"].dump();
    EXPECT_EQ((*rep)["checks"]["delivered"].get<uint64_t>() + sum_dropped(*rep), 2000u);
    unsigned vectors = 0;
    for (unsigned q = 0; q < 4; ++q) {
      const bool traffic =
          (*rep)["ethtool"]["rx_queue_" + std::to_string(q) + "_packets"].get<uint64_t>() > 0;
      EXPECT_EQ(traffic, (*rep)["nic"]["msix"][q + 1].get<uint64_t>() > 0)
          << (*rep)["driver"]["part"] << " queue " << q;
      vectors += traffic;
    }
    EXPECT_GE(vectors, 3u) << "sixteen flows reach most of the four queues";
  }
}

// The I210's packet buffer (34 KB as igb programs it) overflows where the I350's (64 KB) holds:
// the same bursts into a short ring, the parts alike otherwise (WTHRESH 4, row-major IVAR).
TEST(IgbConfiguration, TheI210sSmallerPacketBufferOverflowsFirst) {
  auto mpc = [](const std::string& part, int on_us) {
    const std::string dir = fresh_dir("pktbuf-" + part);
    const result r = run_igbsim(
        "run " + std::string(IGBSIM_SOURCE_DIR) + "/scenarios/ring_starvation.toml --out " + dir +
        " --set nic.pktbuf_kb=auto --set traffic.off_us=3000 --set traffic.on_us=" +
        std::to_string(on_us) + " --set nic.part=" + part);
    EXPECT_EQ(r.status, 0) << r.err;
    return load_report(dir)["nic"]["mpc"].get<uint64_t>();
  };
  for (int on_us : {1500, 2000}) {  // bursts of about 2,200 and 3,000 frames
    const uint64_t i210 = mpc("i210", on_us), i350 = mpc("i350", on_us);
    EXPECT_GT(i210, 0u) << on_us;
    EXPECT_GT(i210, i350) << on_us << " us bursts";
  }
}

// DROP_EN by igb_setup_srrctl's rule: on with several queues when the flow control igb
// requests does not receive PAUSE (ethtool -A rx off); a queue without descriptors then drops
// its frames (RQDPC). With igb's default (full) or one queue, frames wait in the packet buffer
// and overflow it (MPC). nic.drop_en overrides.
TEST(IgbConfiguration, DropEnFollowsIgbsRuleUnlessSet) {
  auto run = [](const std::string& extra) {
    const std::string dir = fresh_dir("dropen-rule");
    const result r = run_igbsim("run " + std::string(IGBSIM_SOURCE_DIR) +
                                "/scenarios/ring_starvation.toml --out " + dir +
                                " --set traffic.flows=4" + extra);
    EXPECT_EQ(r.status, 0) << r.err;
    return load_report(dir);
  };
  auto rqdpc = [](const json& rep) {
    uint64_t n = 0;
    for (const auto& v : rep["nic"]["rqdpc"]) n += v.get<uint64_t>();
    return n;
  };
  const json one = run(" --set nic.queues=1 --set driver.flow_control=none"),
             two = run(" --set nic.queues=2 --set driver.flow_control=none"),
             two_fc = run(" --set nic.queues=2"),
             two_off =
                 run(" --set nic.queues=2 --set driver.flow_control=none --set nic.drop_en=false");
  for (const json* held : {&one, &two_fc, &two_off}) {
    EXPECT_GT((*held)["nic"]["mpc"].get<uint64_t>(), 0u);
    EXPECT_EQ(rqdpc(*held), 0u);
  }
  EXPECT_GT(rqdpc(two), 0u);
  EXPECT_EQ(two["nic"]["mpc"], 0);
}

// ---- What each scenario claims (its header's "shows" and "look at") --------------------------

namespace {
json run_scenario(const std::string& name, const std::string& extra = "") {
  const std::string dir = fresh_dir("claim-" + name);
  const result r = run_igbsim("run " + std::string(IGBSIM_SOURCE_DIR) + "/scenarios/" + name +
                              ".toml --out " + dir + extra);
  EXPECT_EQ(r.status, 0) << name << extra << r.err << r.out;
  return load_report(dir);
}
uint64_t u(const json& j) { return j.get<uint64_t>(); }
}  // namespace

// default: interrupts coalesced by dynamic ITR, NAPI polls, the epoll wake-up
TEST(ScenarioClaim, DefaultCoalescesInterruptsPollsAndWakesTheReader) {
  const json r = run_scenario("default");
  EXPECT_LT(u(r["driver"]["irqs"]) * 5, u(r["checks"]["delivered"]))
      << "several frames per interrupt";
  EXPECT_GE(u(r["driver"]["polls"]), u(r["driver"]["irqs"]));
  EXPECT_GT(u(r["wakeup"]["task_wakeups"]), 0u);
  EXPECT_GT(u(r["app"]["epoll_wait_calls"]), 0u);
}

// itr_tradeoff: a fixed 100 us interval gives fewer interrupts per frame than none, and each
// frame waits longer
TEST(ScenarioClaim, ItrTradesInterruptsForLatency) {
  const json fixed = run_scenario("itr_tradeoff"),
             off = run_scenario("itr_tradeoff", " --set driver.itr=off");
  EXPECT_LT(u(fixed["driver"]["irqs"]) * 3, u(off["driver"]["irqs"]));
  EXPECT_GT(fixed["latency_ns"]["end_to_end"]["p50"].get<double>(),
            off["latency_ns"]["end_to_end"]["p50"].get<double>());
  EXPECT_EQ(fixed["checks"]["delivered"], fixed["checks"]["offered"]);
}

// livelock: without NAPI, hard interrupts take the core, the backlog overflows (softnet
// dropped) and the application gets almost nothing; with NAPI delivery holds up
TEST(ScenarioClaim, LivelockHardInterruptsTakeTheCoreAndNapiHoldsUp) {
  const json legacy = run_scenario("livelock"),
             napi = run_scenario("livelock", " --set driver.mode=napi");
  const json& cpu = legacy["cpu"][0];
  const double busy = cpu["hardirq_ns"].get<double>() + cpu["softirq_ns"].get<double>() +
                      cpu["process_ns"].get<double>();
  EXPECT_GT(cpu["hardirq_ns"].get<double>(), 0.5 * busy) << "hard interrupts take most of the core";
  EXPECT_GT(u(legacy["softnet"]["dropped"]), 0u);
  EXPECT_LT(u(legacy["checks"]["delivered"]) * 5, u(legacy["checks"]["offered"]))
      << "the application gets little";
  EXPECT_GT(u(napi["checks"]["delivered"]), 2 * u(legacy["checks"]["delivered"]));
}

// ring_starvation: the ring runs dry (RNBC), frames wait in the packet buffer and overflow it
// (MPC); with DROP_EN they are dropped per queue at once and the buffer never overflows
TEST(ScenarioClaim, RingStarvationCountsRnbcThenMpcOrRqdpcWithDropEn) {
  const json held = run_scenario("ring_starvation"),
             dropped = run_scenario("ring_starvation", " --set nic.drop_en=true");
  EXPECT_GT(u(held["nic"]["rnbc"]), 0u);
  EXPECT_GT(u(held["nic"]["mpc"]), 0u);
  EXPECT_EQ(held["checks"]["dropped_by"]["rx_missed_errors"], held["nic"]["mpc"]);
  EXPECT_EQ(dropped["nic"]["mpc"], 0);
  EXPECT_GT(u(dropped["nic"]["rqdpc"][0]), 0u);
}

// flow_control: the load that overflows the packet buffer (MPC) when the link partner ignores
// flow control gives PAUSE frames instead when it honours them: nothing dropped, the partner
// paused and its frames held back; every PAUSE frame the NIC counted is one the partner got
TEST(ScenarioClaim, FlowControlPausesThePartnerInsteadOfDropping) {
  const json fc = run_scenario("flow_control"),
             none = run_scenario("flow_control", " --set wire.partner_fc=none");
  ASSERT_EQ(fc["checks"]["offered"], none["checks"]["offered"]) << "the same load";
  // Without flow control: drops in MPC, no PAUSE frame, the partner never paused
  EXPECT_EQ(none["wire"]["flow_control"], "none");
  EXPECT_GT(u(none["nic"]["mpc"]), 0u);
  EXPECT_EQ(none["checks"]["dropped_by"]["rx_missed_errors"], none["nic"]["mpc"]);
  EXPECT_EQ(u(none["ethtool"]["tx_flow_control_xoff"]), 0u);
  EXPECT_EQ(u(none["wire"]["nic_pause_frames_sent"]), 0u);
  EXPECT_EQ(none["wire"]["partner_paused_ns"].get<double>(), 0.0);
  // With it: PAUSE frames, the partner paused, every frame delivered
  EXPECT_EQ(fc["wire"]["flow_control"], "full");
  EXPECT_EQ(u(fc["nic"]["mpc"]), 0u);
  EXPECT_EQ(fc["checks"]["delivered"], fc["checks"]["offered"]) << fc["checks"].dump();
  const uint64_t xoff = u(fc["ethtool"]["tx_flow_control_xoff"]),
                 xon = u(fc["ethtool"]["tx_flow_control_xon"]);
  EXPECT_GT(xoff, 0u);
  EXPECT_EQ(u(fc["wire"]["partner_xoff"]), xoff) << "each XOFF sent reached the partner";
  EXPECT_EQ(u(fc["wire"]["partner_xon"]), xon);
  EXPECT_EQ(u(fc["wire"]["nic_pause_frames_sent"]), xoff + xon);
  EXPECT_GT(fc["wire"]["partner_paused_ns"].get<double>(), 0.0);
  EXPECT_GT(u(fc["wire"]["partner_frames_paused"]), 0u);
  EXPECT_EQ(u(fc["ethtool"]["rx_flow_control_xoff"]), 0u) << "the partner sends no PAUSE";
  // Holding frames back delays them: the run's last frame leaves the partner later
  EXPECT_GT(fc["latency_ns"]["end_to_end"]["max"].get<double>(),
            none["latency_ns"]["end_to_end"]["max"].get<double>());
}

// tcp_reorder: out-of-order segments queue (TCPOFOQueue), duplicates count DelayedACKLost, GRO
// merges in-sequence segments, and every byte arrives
TEST(ScenarioClaim, TcpReorderQueuesOutOfOrderDropsDuplicatesAndMerges) {
  const json r = run_scenario("tcp_reorder");
  EXPECT_GT(u(r["stack"]["tcp_ofo_queue"]), 0u);
  EXPECT_GT(u(r["stack"]["delayed_ack_lost"]), 0u);
  EXPECT_GT(u(r["stack"]["gro_merged"]), 0u);
  EXPECT_EQ(r["app"]["delivered_bytes"], 4000 * (1518 - 4 - 14 - 20 - 20));
  EXPECT_TRUE(r["checks"]["passed"].get<bool>());
}

// thundering_herd: every datagram wakes all four waiters and three find nothing; with
// EPOLLEXCLUSIVE one wake-up per datagram
TEST(ScenarioClaim, ThunderingHerdWakesEveryWaiterUnlessExclusive) {
  const json herd = run_scenario("thundering_herd"),
             excl = run_scenario("thundering_herd", " --set app.exclusive=true");
  const uint64_t n = u(herd["checks"]["delivered"]);
  EXPECT_EQ(u(herd["wakeup"]["task_wakeups"]), 4 * n);
  EXPECT_EQ(u(herd["wakeup"]["empty_wakeups"]), 3 * n);
  EXPECT_EQ(u(excl["wakeup"]["task_wakeups"]), u(excl["checks"]["delivered"]));
  EXPECT_EQ(u(excl["wakeup"]["empty_wakeups"]), 0u);
}

// c10k_select: select scans all 1000 fds twice per call and adds and removes a wait-queue
// entry for each; epoll's cost per call does not depend on the number of sockets
TEST(ScenarioClaim, SelectCostsPerSocketEpollDoesNot) {
  const json sel = run_scenario("c10k_select"),
             ep = run_scenario("c10k_select", " --set app.kind=epoll"),
             ep10k = run_scenario(
                 "c10k_select",
                 " --set app.kind=epoll --set app.sockets=10000 --set traffic.flows=10000");
  const json& pc = sel["app"]["per_call"];
  EXPECT_GT(pc["vfs_poll_calls"].get<double>(), 1900.0) << "two scans of 1000 fds";
  EXPECT_GT(pc["wq_entries_added"].get<double>(), 900.0);
  const double e1 = ep["app"]["per_call"]["cpu_ns"].get<double>(),
               e10 = ep10k["app"]["per_call"]["cpu_ns"].get<double>();
  EXPECT_LT(e1 * 20, pc["cpu_ns"].get<double>());
  EXPECT_LT(std::abs(e10 - e1), 0.25 * e1)
      << "epoll per call: " << e1 << " ns with 1000 sockets, " << e10 << " with 10000";
}

// napi_budget: several busy NAPI instances on one core run net_rx_action out of its budget
// (time_squeeze), polls use their whole weight, and ksoftirqd takes work over; with one queue
// (one instance) a pass ends with its list empty instead: no time_squeeze
TEST(ScenarioClaim, NapiBudgetSqueezesWithSeveralInstancesAndKsoftirqdTakesOver) {
  const json r = run_scenario("napi_budget"),
             one = run_scenario("napi_budget", " --set nic.queues=1");
  EXPECT_GT(u(r["driver"]["polls_budget_exhausted"]), 0u);
  EXPECT_GT(u(r["softnet"]["time_squeeze"]), 0u);
  EXPECT_GT(u(r["softnet"]["softirq_ksoftirqd_passes"]), 0u);
  EXPECT_GT(u(r["softnet"]["packets_ksoftirqd"]), 0u);
  EXPECT_EQ(u(r["softnet"]["packets_irq_exit"]) + u(r["softnet"]["packets_ksoftirqd"]),
            u(r["softnet"]["processed"]));
  EXPECT_GT(u(one["driver"]["polls_budget_exhausted"]), 0u);
  EXPECT_EQ(u(one["softnet"]["time_squeeze"]), 0u)
      << "one instance: the pass ends with an empty list";
}

// softirq_starvation: below about 75 % every softirq pass runs at irq_exit, none in ksoftirqd,
// and delivery falls as load rises; at 80 % ksoftirqd takes over and delivery recovers
TEST(ScenarioClaim, SoftirqAtIrqExitStarvesTheReaderUntilKsoftirqdTakesOver) {
  const json at30 = run_scenario("softirq_starvation", " --set traffic.rate_pct=30"),
             at60 = run_scenario("softirq_starvation"),
             at80 = run_scenario("softirq_starvation", " --set traffic.rate_pct=80");
  for (const json* r : {&at30, &at60}) {
    EXPECT_EQ(u((*r)["softnet"]["softirq_ksoftirqd_passes"]), 0u);
    EXPECT_EQ(u((*r)["softnet"]["softirq_irq_exit_passes"]), u((*r)["driver"]["irqs"]))
        << "one pass per interrupt";
  }
  EXPECT_EQ(at30["checks"]["delivered"], at30["checks"]["offered"]);
  EXPECT_LT(u(at60["checks"]["delivered"]), u(at30["checks"]["delivered"]))
      << "more load, less delivered";
  EXPECT_GT(u(at60["checks"]["dropped_by"]["udp_rcvbuf_errors"]), 0u)
      << "the reader's socket overflows";
  EXPECT_GT(at60["cpu"][0]["softirq_ns"].get<double>(),
            5 * at60["cpu"][0]["process_ns"].get<double>());
  EXPECT_GT(u(at80["softnet"]["packets_ksoftirqd"]), u(at80["softnet"]["packets_irq_exit"]));
  EXPECT_LT(u(at80["driver"]["irqs"]), 10u)
      << "the vector stays masked while polls fill their weight";
  EXPECT_GT(u(at80["checks"]["delivered"]), 2 * u(at60["checks"]["delivered"]))
      << "delivery recovers";
}

// ---- The transmit half: a sender's datagrams on the NIC's wire -------------------------------

namespace {

uint16_t be16_at(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
// RFC 1071 sum, folded (the test's own, not the simulator's)
uint32_t ones_fold(const uint8_t* p, size_t n, uint32_t sum) {
  for (size_t i = 0; i + 1 < n; i += 2) sum += be16_at(p + i);
  if (n & 1) sum += uint32_t(p[n - 1]) << 8;
  while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
  return sum;
}

struct tx_frame {
  std::vector<uint8_t> b;
  double t_s;
};

std::vector<tx_frame> read_pcap(const std::string& path) {
  std::vector<tx_frame> v;
  char err[PCAP_ERRBUF_SIZE];
  pcap_t* p = pcap_open_offline(path.c_str(), err);
  if (!p) return v;
  pcap_pkthdr* h;
  const u_char* d;
  while (pcap_next_ex(p, &h, &d) == 1)
    v.push_back({std::vector<uint8_t>(d, d + h->caplen), h->ts.tv_sec + h->ts.tv_usec * 1e-6});
  pcap_close(p);
  return v;
}

}  // namespace

// 200 datagrams on 2 flows at 10 % of line rate: each reaches the wire once, byte-exact, in
// order per flow; the counters of every layer add up; tx.pcap holds the same frames.
TEST(Transmit, ShortSendReachesTheWireByteExactAndTheCountersAddUp) {
  const std::string dir = fresh_dir("tx-short");
  const result r = run_igbsim("run --out " + dir +
                              " --tx-pcap --set traffic.frames=0 --set send.frames=200 "
                              "--set send.flows=2 --set send.rate_pct=10");
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  const json rep = load_report(dir);
  EXPECT_TRUE(rep["checks"]["passed"].get<bool>()) << rep["checks"]["violations"].dump();
  ASSERT_TRUE(rep.contains("tx"));
  const json& tx = rep["tx"];
  const uint64_t sent = tx["app"]["sent"];
  EXPECT_EQ(sent + tx["app"]["eagain"].get<uint64_t>(), 200u) << "every sendto counted once";
  EXPECT_EQ(sent, 200u) << "blocking sockets with room: nothing refused";
  EXPECT_NEAR(tx["app"]["sendto_pps"].get<double>(), tx["app"]["rate_pps"].get<double>(),
              1e-6 * tx["app"]["rate_pps"].get<double>())
      << "a sender with time to spare makes its calls at the rate asked";
  // The summary counts interrupts per frame sent: nothing was read
  const uint64_t irqs = rep["driver"]["irqs"];
  EXPECT_NE(r.out.find(fmt::format("  interrupts {} ({:.3f} per frame sent)", irqs,
                                   static_cast<double>(irqs) / 200)),
            std::string::npos)
      << r.out;
  // tc -s: what the application sent went out of the qdisc, was dropped or is still queued
  const json& q = tx["qdisc"];
  EXPECT_EQ(q["sent_packets"].get<uint64_t>() + q["dropped"].get<uint64_t>() +
                q["backlog_packets"].get<uint64_t>(),
            sent);
  EXPECT_EQ(q["sent_bytes"], 200 * (64 - 4)) << "qdisc_pkt_len: the frame without FCS";
  EXPECT_EQ(q["dropped"], 0) << "200 datagrams fit a pfifo_fast band of 1000";
  EXPECT_EQ(tx["stack"]["udp_out_datagrams"], 200);
  // The NIC counted what the wire carried, and the wire what the stack sent
  EXPECT_EQ(tx["nic"]["gptc"], 200);
  EXPECT_EQ(tx["nic"]["gotc"], 200 * 64) << "GOTC counts the FCS";
  EXPECT_EQ(tx["checks"]["wire_frames"], 200);
  EXPECT_EQ(tx["checks"]["on_wire"], 200);
  EXPECT_EQ(tx["checks"]["lost_unaccounted"], 0);
  EXPECT_TRUE(tx["checks"]["drained"].get<bool>());
  EXPECT_EQ(tx["ethtool"]["tx_queue_0_packets"].get<uint64_t>() +
                tx["ethtool"].value("tx_queue_1_packets", uint64_t{0}),
            200u)
      << "igb_clean_tx_irq cleaned every packet";
  uint64_t inflight = 0;
  for (const auto& b : tx["bql"]) inflight += b["inflight"].get<uint64_t>();
  EXPECT_EQ(inflight, 0u) << "BQL: every byte queued was completed";
  // The capture, read back and checked here byte by byte
  const auto frames = read_pcap(dir + "/tx.pcap");
  ASSERT_EQ(frames.size(), 200u);
  std::map<uint16_t, uint64_t> next;
  double prev_t = 0;
  for (const auto& f : frames) {
    ASSERT_EQ(f.b.size(), 60u) << "64 bytes on the wire, the FCS not captured";
    const uint8_t* ip = f.b.data() + 14;
    EXPECT_EQ(be16_at(f.b.data() + 12), 0x0800);
    EXPECT_EQ(ones_fold(ip, 20, 0), 0xFFFFu) << "IPv4 header checksum";
    EXPECT_EQ(ip[9], 17);
    const uint8_t* udp = ip + 20;
    const uint16_t ulen = be16_at(udp + 4);
    ASSERT_EQ(ulen, 60 - 34);
    EXPECT_NE(be16_at(udp + 6), 0) << "a UDP checksum was computed";
    EXPECT_EQ(ones_fold(udp, ulen, ones_fold(ip + 12, 8, 17u + ulen)), 0xFFFFu) << "UDP checksum";
    const uint16_t sport = be16_at(udp), flow = static_cast<uint16_t>(sport - 20000);
    EXPECT_LT(flow, 2);
    EXPECT_EQ(be16_at(udp + 2), 9000 + flow);
    const uint8_t* pay = udp + 8;
    uint64_t seq = 0;
    for (int i = 0; i < 8; ++i) seq = seq << 8 | pay[4 + i];
    EXPECT_EQ(seq, next[flow]++) << "in order per flow, none missing";
    for (size_t i = 12; i < ulen - 8u; ++i)
      ASSERT_EQ(pay[i], static_cast<uint8_t>(seq * 31 + flow * 7 + i * 13)) << "payload byte " << i;
    EXPECT_GE(f.t_s, prev_t);
    prev_t = f.t_s;
  }
  EXPECT_EQ(next.size(), 2u);
  // tshark reads the capture as 200 UDP datagrams to the two ports, checksums good
  if (std::system("command -v tshark >/dev/null 2>&1") == 0) {
    const std::string out = dir + "/tshark.txt";
    ASSERT_EQ(std::system(("tshark -r " + dir +
                           "/tx.pcap -o ip.check_checksum:TRUE -o udp.check_checksum:TRUE "
                           "-T fields -e udp.dstport -e ip.checksum.status "
                           "-e udp.checksum.status >" +
                           out + " 2>/dev/null")
                              .c_str()),
              0);
    std::ifstream t(out);
    std::string port, ipst, udpst;
    std::map<std::string, int> by_port;
    while (t >> port >> ipst >> udpst) {
      ++by_port[port];
      // (PROTO_CHECKSUM_E_GOOD is 1; 0 bad, 2 unverified)
      EXPECT_TRUE(ipst == "1" || ipst == "Good") << "tshark: IPv4 checksum " << ipst;
      EXPECT_TRUE(udpst == "1" || udpst == "Good") << "tshark: UDP checksum " << udpst;
    }
    EXPECT_EQ(by_port["9000"], 100);
    EXPECT_EQ(by_port["9001"], 100);
  }
}

// UDP segmentation offload (send.gso_segments): 405 datagrams of 1472 bytes on 2 flows (203
// and 202), sent one by one and then 10 to a sendto (each flow's last call 3 and 2). The wire
// carries the same UDP datagrams byte for byte (ports, lengths, checksums, payloads; tx.pcap
// read back here), and the counters of both runs agree frame for frame, while the stack made
// 42 calls: one GSO skb each, whose segments carry consecutive IPv4 IDs and no DF (the skb
// was longer than the MTU). Both senders keep the rate asked.
TEST(Transmit, UdpSegmentationSendsTheSameDatagramsInATenthOfTheCalls) {
  json rep[2];
  std::vector<tx_frame> frames[2];
  size_t rows[2] = {0, 0};
  for (int g = 0; g < 2; ++g) {
    const std::string dir = fresh_dir(g ? "tx-uso" : "tx-uso-base");
    const result r = run_igbsim("run --out " + dir +
                                " --tx-pcap --set traffic.frames=0 --set send.frames=405 "
                                "--set send.flows=2 --set send.frame_bytes=1518 "
                                "--set send.rate_pct=50 --set send.gso_segments=" +
                                (g ? "10" : "1"));
    ASSERT_EQ(r.status, 0) << r.err << r.out;
    rep[g] = load_report(dir);
    EXPECT_TRUE(rep[g]["checks"]["passed"].get<bool>()) << rep[g]["checks"]["violations"].dump();
    frames[g] = read_pcap(dir + "/tx.pcap");
    std::ifstream j(dir + "/tx_journey.csv");
    for (std::string line; std::getline(j, line);) ++rows[g];
  }
  for (const json& x : rep) {
    const json& tx = x["tx"];
    EXPECT_EQ(tx["app"]["sent"], 405);
    EXPECT_NEAR(tx["app"]["sendto_pps"].get<double>(), tx["app"]["rate_pps"].get<double>(),
                1e-6 * tx["app"]["rate_pps"].get<double>());
    EXPECT_EQ(tx["checks"]["on_wire"], 405) << "every datagram byte-exact on the wire";
    EXPECT_EQ(tx["checks"]["lost_unaccounted"], 0);
    EXPECT_TRUE(tx["checks"]["drained"].get<bool>());
    EXPECT_EQ(tx["nic"]["gptc"], 405);
    EXPECT_EQ(tx["nic"]["gotc"], 405 * 1518);
    EXPECT_EQ(tx["qdisc"]["sent_packets"], 405) << "a GSO skb counts its segments";
    EXPECT_EQ(tx["qdisc"]["sent_bytes"], 405 * 1514) << "and their replicated headers";
    EXPECT_EQ(tx["ethtool"]["tx_queue_0_packets"].get<uint64_t>() +
                  tx["ethtool"].value("tx_queue_1_packets", uint64_t{0}),
              405u);
  }
  EXPECT_EQ(rep[1]["tx"]["app"]["gso_segments"], 10);
  EXPECT_EQ(rep[0]["tx"]["stack"]["udp_out_datagrams"], 405);
  EXPECT_EQ(rep[1]["tx"]["stack"]["udp_out_datagrams"], 42) << "one per sendmsg";
  EXPECT_EQ(rows[0], 1u + 405u);
  EXPECT_EQ(rows[1], 1u + 42u) << "one journey row per sendto";
  ASSERT_EQ(frames[0].size(), 405u);
  ASSERT_EQ(frames[1].size(), 405u);
  // Per flow, the n-th frame of one run is the n-th of the other from the UDP header on
  std::map<uint16_t, std::vector<const tx_frame*>> by_flow[2];
  for (int g = 0; g < 2; ++g)
    for (const tx_frame& f : frames[g]) by_flow[g][be16_at(f.b.data() + 34)].push_back(&f);
  ASSERT_EQ(by_flow[0].size(), 2u);
  for (const auto& [port, v] : by_flow[0]) {
    const auto& w = by_flow[1][port];
    ASSERT_EQ(w.size(), v.size()) << port;
    for (size_t i = 0; i < v.size(); ++i) {
      ASSERT_EQ(v[i]->b.size(), 1514u);
      ASSERT_EQ(w[i]->b.size(), 1514u);
      EXPECT_TRUE(std::equal(v[i]->b.begin() + 34, v[i]->b.end(), w[i]->b.begin() + 34))
          << "flow port " << port << " datagram " << i;
      const uint8_t* ip = w[i]->b.data() + 14;
      EXPECT_EQ(ones_fold(ip, 20, 0), 0xFFFFu) << "IPv4 header checksum";
      EXPECT_EQ(be16_at(ip + 2), 1500);
      EXPECT_EQ(be16_at(ip + 6), 0) << "no DF on a segment of a GSO skb over the MTU";
      EXPECT_EQ(be16_at(v[i]->b.data() + 20), 0x4000) << "DF on a datagram sent alone";
      if (i % 10 != 0) {
        EXPECT_EQ(be16_at(ip + 4), static_cast<uint16_t>(be16_at(w[i - 1]->b.data() + 18) + 1))
            << "the segments' IDs count up";
      }
    }
  }
}

// A GSO skb the qdisc drops, or one still in flight, is its datagrams in the run's census: a
// sender of 64 KB calls (44 datagrams each, every one larger than the 20 KB transmit packet
// buffer, which it passes as it comes) behind a link partner that pauses the NIC, with an
// fq_codel that drops, accounts for every datagram, and the census in IP packets agrees with
// the per-datagram fates (tc's dropped counts each skb once).
TEST(Transmit, UdpSegmentationUnderCongestionAccountsForEveryDatagram) {
  const std::string dir = fresh_dir("tx-uso-congested");
  const result r =
      run_igbsim("run --out " + dir +
                 " --set traffic.frames=0 --set send.frames=8800 --set send.frame_bytes=1518 "
                 "--set send.gso_segments=44 --set send.rate_pct=100 --set send.blocking=false "
                 "--set kernel.wmem_default=4000000 --set kernel.default_qdisc=fq_codel "
                 "--set wire.partner_fc=full --set wire.partner_rx_rate_pct=20");
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  const json rep = load_report(dir);
  EXPECT_TRUE(rep["checks"]["passed"].get<bool>()) << rep["checks"]["violations"].dump();
  const json& c = rep["tx"]["checks"];
  const json& by = c["by_source"]["sender"];
  const uint64_t dropped = c["dropped_by"]["qdisc_dropped"];
  EXPECT_GT(dropped, 0u) << "the qdisc dropped";
  EXPECT_EQ(dropped, by["dropped_by"]["qdisc_dropped"].get<uint64_t>()) << "in datagrams both";
  EXPECT_EQ(dropped % 44, 0u) << "whole calls";
  EXPECT_EQ(rep["tx"]["qdisc"]["dropped"].get<uint64_t>() * 44, dropped) << "tc: skbs";
  EXPECT_EQ(c["lost_unaccounted"], 0);
  EXPECT_EQ(c["sent"].get<uint64_t>(),
            c["on_wire"].get<uint64_t>() + dropped + c["in_flight"].get<uint64_t>());
  EXPECT_EQ(c["on_wire"].get<uint64_t>(), rep["tx"]["nic"]["gptc"].get<uint64_t>());
}

// sendto_pps is never above the rate asked: 33 flows of 127-datagram calls (one call each, all
// within 115 us), the first woken 2.4 us late and the later ones less, read 2.1 % high
// (found by the new-user pass); no call is made before it is due
TEST(Transmit, TheSendtoRateIsNeverAboveTheOneAsked) {
  const std::string dir = fresh_dir("tx-rate-cap");
  const result r = run_igbsim(
      "run --out " + dir +
      " --quiet --set traffic.frames=0 --set send.frame_bytes=243 --set send.gso_segments=127 "
      "--set send.frames=332 --set send.flows=33 --set send.rate_pct=60 --set send.blocking=false "
      "--set nic.part=82576");
  ASSERT_EQ(r.status, 0) << r.err;
  const json app = load_report(dir)["tx"]["app"];
  EXPECT_LE(app["sendto_pps"].get<double>(), app["rate_pps"].get<double>());
  EXPECT_GT(app["sendto_pps"].get<double>(), 0.9 * app["rate_pps"].get<double>());
}

// One sender on one core asked for 64-byte line rate cannot keep it: each sendto costs more CPU
// time than a frame's 672 ns on the wire. The report and the summary's sent line give the rate
// its calls were made at beside the one asked, and it is the rate tx_journey.csv's sendmsg
// steps show.
TEST(Transmit, TheSentLineGivesTheRateTheCallsKeptBesideTheOneAsked) {
  const std::string dir = fresh_dir("tx-rate-kept");
  const result r = run_igbsim("run --out " + dir +
                              " --set traffic.frames=0 --set send.frames=2000 "
                              "--set send.rate_pct=100");
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  const json rep = load_report(dir);
  const double asked = rep["tx"]["app"]["rate_pps"], kept = rep["tx"]["app"]["sendto_pps"];
  EXPECT_LT(kept, 0.9 * asked);
  EXPECT_NE(
      r.out.find(fmt::format("(64 B frames, {:.0f} datagrams/s of the {:.0f} asked)", kept, asked)),
      std::string::npos)
      << r.out;
  const auto rows = load_csv(dir + "/tx_journey.csv");
  ASSERT_EQ(rows.size(), 2001u) << "a header and a row per datagram";
  const size_t col = static_cast<size_t>(std::find(rows[0].begin(), rows[0].end(), "sendmsg_ns") -
                                         rows[0].begin());
  ASSERT_LT(col, rows[0].size());
  double first = 1e300, last = 0;
  for (size_t i = 1; i < rows.size(); ++i) {
    ASSERT_LT(col, rows[i].size());
    first = std::min(first, std::stod(rows[i][col]));
    last = std::max(last, std::stod(rows[i][col]));
  }
  EXPECT_NEAR(kept, 1999 / ((last - first) * 1e-9), 1e-4 * kept);
  // One datagram has no rate of its own: none in the report, the one asked on the line
  const std::string one = fresh_dir("tx-rate-one");
  const result r1 = run_igbsim("run --out " + one +
                               " --set traffic.frames=0 --set send.frames=1 --set "
                               "send.rate_pct=100");
  ASSERT_EQ(r1.status, 0) << r1.err << r1.out;
  EXPECT_TRUE(load_report(one)["tx"]["app"]["sendto_pps"].is_null());
  EXPECT_NE(r1.out.find(fmt::format("(64 B frames, {:.0f} datagrams/s)", asked)), std::string::npos)
      << r1.out;
  fs::remove_all(one);
  fs::remove_all(dir);
}

// The NIC keeps several transmit data reads out at once (nic.tx_data_reads, 8): a 64-byte
// stream from four senders on four cores leaves at line rate with the default 900 ns PCIe round
// trip; with one read at a time, never more than one frame a round trip. With a 20 us round
// trip the reads bound it: never more than 8 frames a round trip, and more than 4; with 16
// reads more than with 8. Rates are taken from the 500th frame on the wire, past BQL's first
// limits and the threads' start.
TEST(Transmit, SeveralDataReadsOutKeepSmallFramesAtLineRate) {
  const auto wire_rate = [](const std::string& name, const std::string& extra) {
    const std::string dir = fresh_dir(name);
    const result r = run_igbsim("run --out " + dir +
                                " --set traffic.frames=0 --set send.frames=6000 "
                                "--set send.rate_pct=100 --set send.threads=4 --set send.flows=4 "
                                "--set kernel.cores=4" +
                                extra);
    EXPECT_EQ(r.status, 0) << r.err << r.out;
    EXPECT_TRUE(load_report(dir)["checks"]["passed"].get<bool>()) << r.out;
    const auto rows = load_csv(dir + "/tx_journey.csv");
    EXPECT_EQ(rows.size(), 6001u);
    const size_t col =
        rows.empty()
            ? 0
            : static_cast<size_t>(std::find(rows[0].begin(), rows[0].end(), "wire_end_ns") -
                                  rows[0].begin());
    std::vector<double> ends;
    for (size_t i = 1; i < rows.size() && col < rows[i].size(); ++i)
      ends.push_back(std::stod(rows[i][col]));
    std::sort(ends.begin(), ends.end());
    fs::remove_all(dir);
    if (ends.size() < 1000) {  // no rate: every comparison with NaN fails
      ADD_FAILURE() << name << ": " << ends.size() << " wire_end times";
      return std::nan("");
    }
    return static_cast<double>(ends.size() - 1 - 500) / ((ends.back() - ends[500]) * 1e-9);
  };
  const double line = 1e9 / 672;  // 64 bytes + preamble + gap at 1 Gb/s
  EXPECT_GT(wire_rate("tx-reads-900", ""), 0.99 * line);
  EXPECT_LE(wire_rate("tx-reads-one", " --set nic.tx_data_reads=1"), 1e9 / 900);
  const double bound = 8 / 20e-6,
               slow = wire_rate("tx-reads-20us", " --set pcie.read_latency_ns=20000");
  EXPECT_LE(slow, bound);
  EXPECT_GT(slow, bound / 2);
  EXPECT_GT(
      wire_rate("tx-reads-20us-16", " --set pcie.read_latency_ns=20000 --set nic.tx_data_reads=16"),
      slow);
}

// The transmit scoreboard alone: a good frame passes; a repeat, a corrupted payload, a bad FCS
// and a flow's datagrams swapped are each named
TEST(Transmit, TxScoreboardNamesEachKindOfBadFrame) {
  kernel_params kp;
  cost_table costs;
  kernel k(kp, costs);
  tx_flow_addr a{{0x02, 0, 0, 0, 0, 2}, {0x02, 0, 0, 0, 0, 1}, kHostIp, kPeerIp, 20000, 9000};
  tx_scoreboard sb(k, a);
  std::vector<uint8_t> pay;
  auto frame = [&](uint32_t flow, uint64_t seq) {
    udp_sender::payload(flow, seq, 18, pay);
    std::vector<uint8_t> f(a.dst_mac, a.dst_mac + 6);
    f.insert(f.end(), a.src_mac, a.src_mac + 6);
    const uint8_t ip[20] = {0x45, 0, 0, 46, 0, 0, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2};
    f.insert(f.end(), {0x08, 0x00});
    f.insert(f.end(), ip, ip + 20);
    const uint16_t ic = static_cast<uint16_t>(~ones_fold(&f[14], 20, 0));
    f[24] = static_cast<uint8_t>(ic >> 8);
    f[25] = static_cast<uint8_t>(ic);
    const uint16_t sp = static_cast<uint16_t>(20000 + flow),
                   dp = static_cast<uint16_t>(9000 + flow);
    f.insert(f.end(), {static_cast<uint8_t>(sp >> 8), static_cast<uint8_t>(sp),
                       static_cast<uint8_t>(dp >> 8), static_cast<uint8_t>(dp), 0, 26, 0, 0});
    f.insert(f.end(), pay.begin(), pay.end());
    const uint16_t uc =
        static_cast<uint16_t>(~ones_fold(&f[34], 26, ones_fold(&f[26], 8, 17 + 26)));
    f[40] = static_cast<uint8_t>(uc >> 8);
    f[41] = static_cast<uint8_t>(uc);
    const uint32_t fcs = static_cast<uint32_t>(crc32(0, f.data(), static_cast<uInt>(f.size())));
    for (int i = 0; i < 4; ++i) f.push_back(static_cast<uint8_t>(fcs >> (8 * i)));
    return f;
  };
  auto kinds = [&] {
    std::vector<std::string> v;
    for (const auto& x : k.violations()) v.push_back(x.kind);
    return v;
  };
  const sc_core::sc_time t = sc_core::SC_ZERO_TIME;
  for (uint64_t seq = 0; seq < 4; ++seq) {
    udp_sender::payload(0, seq, 18, pay);
    sb.sending(0, seq, pay.data(), pay.size());
    sb.sent(pay.size());
  }
  sb.on_wire(frame(0, 0), t);
  EXPECT_TRUE(kinds().empty()) << "a good frame";
  EXPECT_EQ(sb.matched_count(), 1u);
  sb.on_wire(frame(0, 0), t);
  EXPECT_EQ(kinds(), std::vector<std::string>{"tx_unexpected_frame"}) << "the same frame again";
  auto f = frame(0, 1);
  f[50] ^= 0x10;  // a payload bit, FCS recomputed: only the UDP checksum can tell
  const uint32_t fcs = static_cast<uint32_t>(crc32(0, f.data(), 60));
  for (int i = 0; i < 4; ++i) f[60 + i] = static_cast<uint8_t>(fcs >> (8 * i));
  sb.on_wire(f, t);
  EXPECT_EQ(kinds().back(), "tx_bad_checksum");
  f = frame(0, 1);
  f[63] ^= 1;
  sb.on_wire(f, t);
  EXPECT_EQ(kinds().back(), "tx_bad_fcs");
  sb.on_wire(frame(0, 3), t);
  sb.on_wire(frame(0, 2), t);
  EXPECT_EQ(kinds().back(), "tx_out_of_order");
  EXPECT_EQ(kinds().size(), 4u);
  EXPECT_EQ(sb.outstanding(0), 1u) << "datagram 1 never made it whole";
  // A sendto's datagram is expected from the call: its frame may leave before the call
  // returns (then it counts as sent); a call that fails withdraws it, and one whose frame is
  // on the wire all the same is named
  EXPECT_EQ(sb.in_sendto_packets(), 0u);
  udp_sender::payload(0, 4, 18, pay);
  sb.sending(0, 4, pay.data(), pay.size());
  EXPECT_EQ(sb.in_sendto_packets(), 1u);
  sb.on_wire(frame(0, 4), t);
  EXPECT_EQ(kinds().size(), 4u) << "on the wire before its sendto returned: fine";
  EXPECT_EQ(sb.sent_count(), 4u) << "not sent until it returns";
  sb.sent(pay.size());
  EXPECT_EQ(sb.sent_count(), 5u);
  EXPECT_EQ(sb.in_sendto_packets(), 0u);
  udp_sender::payload(0, 5, 18, pay);
  sb.sending(0, 5, pay.data(), pay.size());
  sb.not_sent(0, 5, pay.size(), t);
  EXPECT_EQ(kinds().size(), 4u) << "a failed sendto withdraws its datagram";
  sb.on_wire(frame(0, 5), t);
  EXPECT_EQ(kinds().back(), "tx_unexpected_frame") << "withdrawn: not expected any more";
  udp_sender::payload(0, 6, 18, pay);
  sb.sending(0, 6, pay.data(), pay.size());
  sb.on_wire(frame(0, 6), t);
  sb.not_sent(0, 6, pay.size(), t);
  ASSERT_EQ(kinds().size(), 6u);
  EXPECT_EQ(kinds().back(), "tx_unexpected_frame") << "on the wire, but its sendto failed";
  EXPECT_NE(k.violations().back().detail.find("its sendto failed"), std::string::npos);
  EXPECT_EQ(sb.in_sendto_packets(), 0u);
}

// The transmit scoreboard with fragments: a datagram cut in three is matched once its last
// fragment is in (in any order); a fragment that overlaps another, one with more to follow
// whose length is not a multiple of 8, one with DF set, and one whose header differs from its
// datagram's others are each named; the packets are counted one by one
TEST(Transmit, TxScoreboardPutsFragmentsBackTogetherAndNamesBadOnes) {
  kernel_params kp;
  cost_table costs;
  kernel k(kp, costs);
  tx_flow_addr a{{0x02, 0, 0, 0, 0, 2}, {0x02, 0, 0, 0, 0, 1}, kHostIp, kPeerIp, 20000, 9000};
  tx_scoreboard sb(k, a);
  sb.set_mtu(1500);
  std::vector<uint8_t> pay;
  // The datagram: UDP header and 3000 payload bytes, its checksum right
  auto datagram = [&](uint64_t seq) {
    udp_sender::payload(0, seq, 3000, pay);
    std::vector<uint8_t> d = {0x4e, 0x20, 0x23, 0x28, 0x0b, 0xc0, 0, 0};  // 20000 -> 9000, 3008
    d.insert(d.end(), pay.begin(), pay.end());
    const uint8_t addrs[8] = {10, 0, 0, 1, 10, 0, 0, 2};
    const uint16_t c =
        static_cast<uint16_t>(~ones_fold(d.data(), d.size(), ones_fold(addrs, 8, 17u + 3008)));
    d[6] = static_cast<uint8_t>(c >> 8);
    d[7] = static_cast<uint8_t>(c);
    return d;
  };
  // One fragment's frame: bytes [off, off + n) of d, with MF and flags as given
  auto frag = [&](const std::vector<uint8_t>& d, size_t off, size_t n, uint16_t flags, uint16_t id,
                  uint8_t ttl = 64) {
    std::vector<uint8_t> f(a.dst_mac, a.dst_mac + 6);
    f.insert(f.end(), a.src_mac, a.src_mac + 6);
    f.insert(f.end(), {0x08, 0x00});
    const uint16_t tot = static_cast<uint16_t>(20 + n), fo = static_cast<uint16_t>(flags | off / 8);
    const uint8_t ip[20] = {0x45,
                            0,
                            static_cast<uint8_t>(tot >> 8),
                            static_cast<uint8_t>(tot),
                            static_cast<uint8_t>(id >> 8),
                            static_cast<uint8_t>(id),
                            static_cast<uint8_t>(fo >> 8),
                            static_cast<uint8_t>(fo),
                            ttl,
                            17,
                            0,
                            0,
                            10,
                            0,
                            0,
                            1,
                            10,
                            0,
                            0,
                            2};
    f.insert(f.end(), ip, ip + 20);
    const uint16_t ic = static_cast<uint16_t>(~ones_fold(&f[14], 20, 0));
    f[24] = static_cast<uint8_t>(ic >> 8);
    f[25] = static_cast<uint8_t>(ic);
    f.insert(f.end(), d.begin() + static_cast<long>(off), d.begin() + static_cast<long>(off + n));
    while (f.size() < 60) f.push_back(0);
    const uint32_t fcs = static_cast<uint32_t>(crc32(0, f.data(), static_cast<uInt>(f.size())));
    for (int i = 0; i < 4; ++i) f.push_back(static_cast<uint8_t>(fcs >> (8 * i)));
    return f;
  };
  auto kinds = [&] {
    std::vector<std::string> v;
    for (const auto& x : k.violations()) v.push_back(x.kind);
    return v;
  };
  const sc_core::sc_time t = sc_core::SC_ZERO_TIME;
  constexpr uint16_t MF = 0x2000, DF = 0x4000;
  for (uint64_t seq = 0; seq < 2; ++seq) {
    udp_sender::payload(0, seq, 3000, pay);
    sb.sending(0, seq, pay.data(), pay.size());
    sb.sent(pay.size());
  }
  EXPECT_EQ(sb.sent_packets(), 6u) << "3008 UDP bytes at MTU 1500: three fragments each";
  const auto d0 = datagram(0);
  sb.on_wire(frag(d0, 2960, 48, 0, 7), t);  // the last first
  sb.on_wire(frag(d0, 0, 1480, MF, 7), t);
  EXPECT_EQ(sb.matched_count(), 0u) << "not whole yet";
  sb.on_wire(frag(d0, 1480, 1480, MF, 7), t);
  EXPECT_TRUE(kinds().empty());
  EXPECT_EQ(sb.matched_count(), 1u);
  EXPECT_EQ(sb.wire_packets(), 3u);
  const auto d1 = datagram(1);
  sb.on_wire(frag(d1, 0, 1480, MF, 8), t);
  sb.on_wire(frag(d1, 1472, 16, MF, 8), t);
  EXPECT_EQ(kinds(), std::vector<std::string>{"tx_corrupted_frame"}) << "overlapping";
  sb.on_wire(frag(d1, 1480, 1476, MF, 8), t);
  EXPECT_EQ(kinds().size(), 2u) << "MF and 1476 bytes, not a multiple of 8";
  sb.on_wire(frag(d1, 1480, 1480, MF | DF, 8), t);
  EXPECT_EQ(kinds().size(), 3u) << "a fragment with DF";
  sb.on_wire(frag(d1, 1480, 1480, MF, 8, 63), t);
  EXPECT_EQ(kinds().size(), 4u) << "a header other than its first fragment's (TTL)";
  sb.on_wire(frag(d1, 2960, 48, MF, 8), t);  // (taken: a middle part as far as it knows)
  sb.on_wire(frag(d1, 1480, 8, 0, 8), t);
  EXPECT_EQ(kinds().size(), 5u) << "a last fragment ending before a part already in";
  for (const auto& kind : kinds()) EXPECT_EQ(kind, "tx_corrupted_frame");
  EXPECT_EQ(sb.matched_count(), 1u);
  EXPECT_EQ(sb.outstanding(0), 1u) << "datagram 1: one of its three packets not on the wire";
  // ID 8 again, its first fragment: datagram 1 (its later fragments lost) is given up, and the
  // new datagram with that ID completes
  udp_sender::payload(0, 2, 3000, pay);
  sb.sending(0, 2, pay.data(), pay.size());
  sb.sent(pay.size());
  const auto d2 = datagram(2);
  sb.on_wire(frag(d2, 0, 1480, MF, 8), t);
  sb.on_wire(frag(d2, 1480, 1480, MF, 8), t);
  sb.on_wire(frag(d2, 2960, 48, 0, 8), t);
  EXPECT_EQ(kinds().size(), 5u) << "nothing new";
  EXPECT_EQ(sb.matched_count(), 2u);
  EXPECT_EQ(sb.outstanding(0), 1u) << "still datagram 1's missing packet";
}

// Without a sender the report and the resolved scenario are as they were before the transmit
// half existed: no tx object, no [send] table
TEST(Transmit, ReceiveOnlyRunHasNoTxObjectNorSendTable) {
  const std::string dir = fresh_dir("tx-none");
  const result r = run_igbsim("run --out " + dir + " --set traffic.frames=200");
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  const json rep = load_report(dir);
  EXPECT_FALSE(rep.contains("tx"));
  std::ifstream f(dir + "/scenario.toml");
  std::stringstream ss;
  ss << f.rdbuf();
  EXPECT_EQ(ss.str().find("[send]"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir + "/tx.pcap"));
}

// --tx-pcap where nothing can send (no sender, no echo server, no PAUSE frames) would write an
// empty capture: bad input, one line naming it, nothing written. An echo server, or flow
// control that sends PAUSE frames, is something to capture.
TEST(Transmit, TxPcapWithNothingToSendIsRefused) {
  const std::string dir = fresh_dir("tx-pcap-nothing");
  const result r = run_igbsim("run --out " + dir + " --tx-pcap --set traffic.frames=200");
  EXPECT_EQ(r.status, 2) << r.err << r.out;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find("--tx-pcap"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir));
  const std::string echo = fresh_dir("tx-pcap-echo");
  const result e = run_igbsim("run --out " + echo +
                              " --quiet --tx-pcap --set traffic.frames=200 --set app.reply=echo");
  EXPECT_EQ(e.status, 0) << e.err;
  const uint64_t answered = load_report(echo)["tx"]["echo"]["answered"].get<uint64_t>();
  EXPECT_GT(answered, 0u);
  EXPECT_EQ(read_pcap(echo + "/tx.pcap").size(), answered) << "the replies on the wire";
  const std::string fc = fresh_dir("tx-pcap-pause");
  const result p = run_igbsim("run " + std::string(IGBSIM_SOURCE_DIR) +
                              "/scenarios/flow_control.toml --out " + fc + " --quiet --tx-pcap");
  EXPECT_EQ(p.status, 0) << p.err;
  EXPECT_GT(read_pcap(fc + "/tx.pcap").size(), 0u) << "the NIC's PAUSE frames";
}

// igb stops a transmit queue when fewer than DESC_NEEDED descriptors are free
// (igb_maybe_stop_tx) and igb_clean_tx_irq wakes it once TX_WAKE_THRESHOLD are (counted in
// tx_restart_queue). A 64-byte stream at line rate into an 80-descriptor ring stops and wakes
// the queue; nothing is lost, and the default 256-descriptor ring (BQL keeps it from filling)
// restarts it less often.
TEST(Transmit, ASmallRingStopsAndWakesTheQueueAndLosesNothing) {
  std::map<int, uint64_t> restarts;
  for (int ring : {80, 256}) {
    const std::string dir = fresh_dir("tx-ring-" + std::to_string(ring));
    const result r = run_igbsim("run --out " + dir +
                                " --set traffic.frames=0 --set send.frames=3000 --set "
                                "send.rate_pct=100 --set nic.tx_ring=" +
                                std::to_string(ring));
    ASSERT_EQ(r.status, 0) << r.err << r.out;
    const json rep = load_report(dir);
    EXPECT_TRUE(rep["checks"]["passed"].get<bool>()) << rep["checks"]["violations"].dump();
    const json& tx = rep["tx"];
    EXPECT_EQ(tx["app"]["sent"], 3000);
    EXPECT_EQ(tx["nic"]["gptc"], 3000) << "every datagram on the wire";
    EXPECT_EQ(tx["checks"]["on_wire"], 3000);
    EXPECT_EQ(tx["ethtool"]["tx_busy"], 0) << "igb stops its queue in time: never TX_BUSY";
    restarts[ring] = tx["ethtool"]["tx_restart_queue"].get<uint64_t>();
  }
  EXPECT_GT(restarts[80], 0u) << "the small ring stopped and was woken";
  EXPECT_GT(restarts[80], restarts[256]);
}

// BQL (netdev_tx_sent_queue): the queue stops (STACK_XOFF) as soon as the bytes in flight
// exceed the dql limit, so in flight never exceeds the limit by more than the packet that
// crossed it. Read from the waveform's software probe at every change, full-size frames at
// line rate; the stop must have happened for the bound to mean anything.
TEST(Transmit, BqlBoundsTheBytesInFlight) {
  const std::string dir = fresh_dir("tx-bql");
  const result r = run_igbsim("run --out " + dir +
                              " --waves --set traffic.frames=0 --set send.frames=1500 --set "
                              "send.frame_bytes=1518 --set send.rate_pct=100");
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  const std::vector<std::string> names = {"sw.txq0_bql_inflight_i", "sw.txq0_bql_limit_i",
                                          "sw.txq0_state_i"};
  enum { INFL, LIMIT, STATE };
  const auto changes = read_fst(dir + "/waves.fst", names);
  uint64_t inflight = 0, limit = 0, max_over = 0, stack_stops = 0, samples = 0, peak = 0;
  for (size_t i = 0; i < changes.size();) {
    const uint64_t t = changes[i].t;
    for (; i < changes.size() && changes[i].t == t; ++i) {  // every change at one time first
      const uint64_t v = bits_to_u64(changes[i].value);
      if (changes[i].sig == INFL) inflight = v;
      if (changes[i].sig == LIMIT) limit = v;
      if (changes[i].sig == STATE && (v & 2)) ++stack_stops;  // STACK_XOFF
    }
    ++samples;
    peak = std::max(peak, inflight);
    if (inflight > limit) max_over = std::max(max_over, inflight - limit);
  }
  EXPECT_GT(samples, 1000u);
  EXPECT_GT(stack_stops, 0u) << "BQL stopped the queue";
  EXPECT_GT(peak, 1514u * 2) << "more than one packet was in flight";
  EXPECT_LE(max_over, 1514u) << "in flight beyond the limit by at most the packet that crossed it";
}

TEST(Transmit, BadSenderSettingsAreRefused) {
  for (const char* args :
       {"--set traffic.frames=0",
        "--set send.frames=10 --set send.frame_bytes=1518 --set send.rate_pps=90000",
        // (over the MTU it fragments: 65554 is over the largest UDP datagram)
        "--set send.frames=10 --set send.frame_bytes=65554",
        "--set send.frames=10 --set send.frame_bytes=9000 --set send.rate_pps=13344",
        "--set send.frames=10 --set send.rate_pct=nan",
        "--set send.frames=10 --set send.flows=2 --set send.threads=4",
        // UDP_SEGMENT: datagrams over the MTU, a call over 65,507 bytes, 0 and 129
        "--set send.frames=10 --set send.frame_bytes=1519 --set send.gso_segments=2",
        "--set send.frames=10 --set send.frame_bytes=1518 --set send.gso_segments=45",
        "--set send.frames=10 --set send.gso_segments=0",
        "--set send.frames=10 --set send.gso_segments=129"}) {
    const std::string dir = fresh_dir("tx-bad");
    const result r = run_igbsim(std::string("run --out ") + dir + " " + args);
    EXPECT_EQ(r.status, 2) << args << ": " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << args << ": " << r.err;
    EXPECT_FALSE(fs::exists(dir)) << args;
    if (std::string(args).find("gso_segments") != std::string::npos) {
      EXPECT_NE(r.err.find("send.gso_segments"), std::string::npos) << args << ": " << r.err;
    }
  }
  // More threads than flows would leave threads with nothing to send: the line says so
  const std::string dir = fresh_dir("tx-bad-threads");
  const result r = run_igbsim("run --out " + dir +
                              " --set send.frames=10 --set send.flows=2 --set send.threads=4");
  EXPECT_NE(r.err.find("send.threads = 4 is more than send.flows = 2"), std::string::npos) << r.err;
  // As many threads as flows is fine
  const result ok = run_igbsim("run --out " + dir +
                               " --quiet --set send.frames=10 --set send.flows=2 --set "
                               "send.threads=2");
  EXPECT_EQ(ok.status, 0) << ok.err;
  EXPECT_EQ(load_report(dir)["tx"]["app"]["threads"], 2);
}

// ---- Shipped scenarios ----------------------------------------------------------------------

// The scenarios' `look at` lines (summary.look_at)
namespace {
// A scenario's header text after "# Look at:", up to its "# Vary:" line or the header's end
std::string look_at_header(const std::string& file) {
  std::ifstream f(file);
  std::string text, line;
  bool in = false;
  while (std::getline(f, line)) {
    if (line.rfind("# Look at:", 0) == 0) in = true;
    else if (in && (line.rfind("# Vary:", 0) == 0 || line.rfind("#", 0) != 0)) break;
    if (in) text += line.substr(1) + "\n";
  }
  return text;
}
// The scenario's summary.look_at paths
std::vector<std::string> look_at_paths(const std::string& file) {
  std::ifstream f(file);
  std::string line, value;
  while (std::getline(f, line))
    if (line.rfind("look_at = \"", 0) == 0) value = line.substr(11, line.rfind('"') - 11);
  std::vector<std::string> v;
  std::stringstream ss(value);
  for (std::string p; std::getline(ss, p, ',');) v.push_back(p.substr(p.find_first_not_of(' ')));
  return v;
}
bool starts(const std::string& s, const std::string& with) { return s.rfind(with, 0) == 0; }
// The figure at a plain path (no [*], no * in a key) as the summary must show it, computed
// from report.json here; "" for paths that expand, which are checked for presence only
std::string expected_figure(const json& rep, const std::string& path) {
  if (path.find('*') != std::string::npos) return "";
  std::string ptr = "/";
  for (char c : path) {
    if (c == '.' || c == '[') ptr += '/';
    else if (c != ']') ptr += c;
  }
  ptr.erase(
      std::unique(ptr.begin(), ptr.end(), [](char a, char b) { return a == '/' && b == '/'; }),
      ptr.end());
  const json::json_pointer jp(ptr);
  if (!rep.contains(jp)) return starts(path, "checks.dropped_by.") ? "0" : "-";
  const json& v = rep.at(jp);
  if (!v.is_number()) return "";
  const std::string leaf = path.substr(path.rfind('.') + 1);
  const bool time = (leaf.size() > 3 && leaf.substr(leaf.size() - 3) == "_ns") ||
                    (starts(path, "latency_ns.") && leaf != "count");
  if (time && v.get<double>() != 0) return human_time(v.get<double>());
  if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
  const double x = v.get<double>();
  return x == std::floor(x) ? fmt::format("{:.0f}", x) : "";
}
}  // namespace

class Scenario : public ::testing::TestWithParam<std::string> {};

TEST_P(Scenario, RunsWithZeroViolationsAndEveryFrameAccounted) {
  const std::string file = std::string(IGBSIM_SOURCE_DIR) + "/scenarios/" + GetParam() + ".toml";
  const std::string dir = fresh_dir("scenario-" + GetParam());
  const result r = run_igbsim("run " + file + " --out " + dir);
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  const json rep = load_report(dir);
  EXPECT_TRUE(rep["checks"]["passed"].get<bool>()) << rep["checks"]["violations"].dump();
  EXPECT_EQ(rep["checks"]["lost_unaccounted"], 0);
  EXPECT_EQ(rep["checks"]["delivered"].get<uint64_t>() + sum_dropped(rep),
            rep["checks"]["offered"].get<uint64_t>());
  // The summary's `look at` line: each figure the scenario's header names, with its value
  const std::vector<std::string> paths = look_at_paths(file);
  if (paths.empty()) return;
  const size_t at = r.out.find("\n  look at    ");
  ASSERT_NE(at, std::string::npos) << r.out;
  const std::string line = r.out.substr(at + 1, r.out.find('\n', at + 1) - at - 1);
  for (const auto& p : paths) {
    const std::string figure = expected_figure(rep, p);
    EXPECT_NE(figure, "-") << p << " is not in the report";
    EXPECT_NE(line.find(p + " " + figure), std::string::npos) << p << " " << figure << ": " << line;
    EXPECT_EQ(line.find(p + " -"), std::string::npos) << line;
  }
}

INSTANTIATE_TEST_SUITE_P(Shipped, Scenario,
                         ::testing::Values("default", "napi_budget", "ring_starvation",
                                           "itr_tradeoff", "livelock", "c10k_select",
                                           "thundering_herd", "tcp_reorder", "softirq_starvation",
                                           "udp_send", "echo_rr", "flow_control"));

// scenarios/udp_send: the stream goes out whole at its rate, completed by the TX vector's
// interrupts, with BQL sizing its limit
TEST(ScenarioClaim, UdpSendGoesOutWholeWithCompletionInterruptsAndBql) {
  const std::string dir = fresh_dir("claim-udp-send");
  const result r =
      run_igbsim("run " + std::string(IGBSIM_SOURCE_DIR) + "/scenarios/udp_send.toml --out " + dir);
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  const json rep = load_report(dir);
  const json& tx = rep["tx"];
  EXPECT_EQ(tx["app"]["sent"], 4000);
  EXPECT_EQ(tx["checks"]["on_wire"], 4000) << "30 % of line rate: nothing dropped";
  EXPECT_EQ(tx["nic"]["gptc"], 4000);
  // The sender keeps its rate: 4000 datagrams at 446429/s take 8.96 ms; the run ends soon after
  EXPECT_LT(rep["sim"]["sim_time_ns"].get<double>(), 8.96e6 + 1e6);
  // Completions come by interrupt on the TX ring's vector (1 queue, unpaired: vector 2)
  EXPECT_EQ(rep["driver"]["irq_mode"], "msix");
  EXPECT_GT(rep["nic"]["msix"][2].get<uint64_t>(), 10u) << "TX completion interrupts";
  EXPECT_LT(rep["nic"]["msix"][2].get<uint64_t>(), 4000u) << "moderated: many packets each";
  // BQL grew its limit from 0 as completions came, and everything queued was completed
  EXPECT_GT(tx["bql"][0]["limit"].get<uint64_t>(), 0u);
  EXPECT_EQ(tx["bql"][0]["inflight"], 0);
}

// scenarios/echo_rr: every request is answered; a fixed 100 us interval holds each request
// back for its receive interrupt, so the round trip's median is longer than with dynamic ITR
// (low latency at this sparse load) for fewer interrupts; with ITR off the tail is shortest
TEST(ScenarioClaim, EchoRoundTripGrowsWithAFixedInterruptInterval) {
  const json dyn = run_scenario("echo_rr"),
             fixed = run_scenario("echo_rr", " --set driver.itr=100"),
             off = run_scenario("echo_rr", " --set driver.itr=off");
  auto rr = [](const json& r, const char* p) { return r["latency_ns"]["rr"][p].get<double>(); };
  for (const json* r : {&dyn, &fixed, &off}) {
    EXPECT_TRUE((*r)["checks"]["passed"].get<bool>()) << (*r)["checks"]["violations"].dump();
    EXPECT_EQ(u((*r)["tx"]["echo"]["answered"]), u((*r)["tx"]["echo"]["requests"]));
    EXPECT_GT(rr(*r, "p50"), (*r)["latency_ns"]["end_to_end"]["p50"].get<double>())
        << "the round trip holds the way in";
  }
  EXPECT_GT(rr(fixed, "p50"), 2 * rr(dyn, "p50"));
  EXPECT_LT(u(fixed["driver"]["irqs"]), u(off["driver"]["irqs"]));
  EXPECT_LE(rr(off, "p99"), rr(dyn, "p99"));
}

TEST(Scenario, EveryFileInScenariosIsTested) {
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(std::string(IGBSIM_SOURCE_DIR) + "/scenarios"))
    if (e.path().extension() == ".toml") files.push_back(e.path().stem().string());
  std::sort(files.begin(), files.end());
  EXPECT_EQ(files, (std::vector<std::string>{"c10k_select", "default", "echo_rr", "flow_control",
                                             "itr_tradeoff", "livelock", "napi_budget",
                                             "ring_starvation", "softirq_starvation", "tcp_reorder",
                                             "thundering_herd", "udp_send"}))
      << "a new scenario file needs its entry in INSTANTIATE_TEST_SUITE_P(Shipped, ...)";
}

// ---- Sweeps ---------------------------------------------------------------------------------

namespace {
size_t col(const std::vector<std::string>& header, const std::string& name) {
  return static_cast<size_t>(std::find(header.begin(), header.end(), name) - header.begin());
}
}  // namespace

TEST(Sweep, RunsEveryPointInParallelAndMergesTheirReports) {
  const std::string dir = fresh_dir("sweep-itr");
  const result r = run_igbsim("sweep " + std::string(IGBSIM_SOURCE_DIR) +
                              "/sweeps/itr.toml --jobs 2 --out " + dir);
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  const auto rows = load_csv(dir + "/sweep.csv");
  ASSERT_EQ(rows.size(), 7u) << "a header and six points";
  const auto& h = rows[0];
  std::map<std::string, double> ipp, p50;
  for (size_t i = 1; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i][col(h, "status")], "ok");
    ipp[rows[i][col(h, "driver.itr")]] = std::stod(rows[i][col(h, "irqs_per_delivered")]);
    p50[rows[i][col(h, "driver.itr")]] = std::stod(rows[i][col(h, "latency_p50_ns")]);
    EXPECT_TRUE(fs::exists(fmt::format("{}/point-{:03}/report.json", dir, i - 1)));
  }
  // The sweep's claim: irqs_per_delivered falls and latency_p50_ns rises as driver.itr grows
  const char* order[] = {"off", "10", "50", "100", "250"};
  // (10 us is shorter than the 13.4 us between frames at 5 %: the same as off)
  EXPECT_EQ(ipp["off"], ipp["10"]);
  EXPECT_EQ(p50["off"], p50["10"]);
  for (size_t i = 2; i < std::size(order); ++i) {
    EXPECT_GT(ipp[order[i - 1]], ipp[order[i]])
        << "a longer interval, fewer interrupts per frame: " << order[i];
    EXPECT_LT(p50[order[i - 1]], p50[order[i]]) << "a longer interval, a longer wait: " << order[i];
  }
}

// sweeps/livelock: legacy rises, peaks and collapses; NAPI delivers more than legacy from 40 %,
// dips at 60 % (softirq_starvation) and levels off from 80 %
TEST(ScenarioClaim, LivelockSweepLegacyPeaksAndCollapsesNapiLevelsOff) {
  const std::string dir = fresh_dir("claim-livelock-sweep");
  const result r = run_igbsim("sweep " + std::string(IGBSIM_SOURCE_DIR) +
                              "/sweeps/livelock.toml --jobs 2 --out " + dir);
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  const auto rows = load_csv(dir + "/sweep.csv");
  const auto& h = rows[0];
  std::map<std::string, std::map<int, double>> got;
  for (size_t i = 1; i < rows.size(); ++i)
    got[rows[i][col(h, "driver.mode")]][std::stoi(rows[i][col(h, "traffic.rate_pct")])] =
        std::stod(rows[i][col(h, "delivered")]);
  auto& legacy = got["legacy"];
  auto& napi = got["napi"];
  EXPECT_LT(legacy[10], legacy[20]) << "rises";
  EXPECT_GT(legacy[20], legacy[40]) << "peaks";
  for (int pct : {60, 80, 100})
    EXPECT_LT(legacy[pct] * 10, legacy[20] * 3) << pct << " %: collapsed";
  for (int pct : {40, 60, 80, 100}) EXPECT_GT(napi[pct], legacy[pct]) << pct << " %";
  EXPECT_LT(napi[60], napi[40]) << "the softirq-starvation dip";
  EXPECT_GT(napi[80], napi[60]);
  EXPECT_NEAR(napi[100], napi[80], 0.02 * napi[80]) << "levels off";
}

// sweeps/echo_rr: the echo server's round trips in sweep.csv against ITR: the tail grows with
// the interval, the median once the interval reaches the requests' spacing, and interrupts
// per request fall
TEST(Sweep, EchoRoundTripsAgainstItrAreInTheSweepTable) {
  const std::string dir = fresh_dir("sweep-echo");
  const result r = run_igbsim("sweep " + std::string(IGBSIM_SOURCE_DIR) +
                              "/sweeps/echo_rr.toml --jobs 2 --out " + dir);
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  const auto rows = load_csv(dir + "/sweep.csv");
  ASSERT_EQ(rows.size(), 6u) << "a header and five points";
  const auto& h = rows[0];
  std::map<std::string, double> ipp, p50, p99;
  for (size_t i = 1; i < rows.size(); ++i) {
    ASSERT_EQ(rows[i].size(), h.size());
    EXPECT_EQ(rows[i][col(h, "status")], "ok");
    const std::string itr = rows[i][col(h, "driver.itr")];
    ipp[itr] = std::stod(rows[i][col(h, "irqs_per_delivered")]);
    p50[itr] = std::stod(rows[i][col(h, "rr_p50_ns")]);
    p99[itr] = std::stod(rows[i][col(h, "rr_p99_ns")]);
    EXPECT_GT(p50[itr], std::stod(rows[i][col(h, "latency_p50_ns")])) << "holds the way in";
  }
  const char* order[] = {"off", "20", "50", "100"};
  for (size_t i = 1; i < std::size(order); ++i) {
    EXPECT_LT(p99[order[i - 1]], p99[order[i]]) << order[i];
    EXPECT_GE(ipp[order[i - 1]], ipp[order[i]]) << order[i];
  }
  EXPECT_GT(p50["100"], 2 * p50["off"]);
  EXPECT_LT(ipp["100"], ipp["off"]);
}

TEST(Sweep, AFailedPointIsReportedAndTheOthersFinish) {
  const std::string dir = fresh_dir("sweep-fail");
  fs::create_directories(dir);
  std::ofstream(dir + "/s.toml")
      << "[set]\n\"traffic.frames\" = 200\n[axes]\n\"fault.nic_spin\" = [false, true, false]\n";
  const result r = run_igbsim("sweep " + dir + "/s.toml --jobs 2 --out " + dir + "/out");
  EXPECT_EQ(r.status, 1) << "a point failed";
  const auto rows = load_csv(dir + "/out/sweep.csv");
  ASSERT_EQ(rows.size(), 4u);
  const auto& h = rows[0];
  EXPECT_EQ(rows[1][col(h, "status")], "ok");
  EXPECT_EQ(rows[2][col(h, "status")], "failed") << "the model stalls (a planted model bug)";
  EXPECT_EQ(rows[3][col(h, "status")], "ok");
  std::ifstream log(dir + "/out/point-001.log");
  std::string why((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  EXPECT_NE(why.find("stalled"), std::string::npos) << "the point's log says why";
  // The failed row has every column of the header, empty
  std::ifstream csv(dir + "/out/sweep.csv");
  std::vector<std::string> lines;
  for (std::string l; std::getline(csv, l);) lines.push_back(l);
  ASSERT_EQ(lines.size(), 4u);
  for (const auto& l : lines)
    EXPECT_EQ(std::count(l.begin(), l.end(), ','),
              std::count(lines[0].begin(), lines[0].end(), ','))
        << l;
  EXPECT_EQ(lines[2].substr(lines[2].size() - 3), ",,,") << "no figure: " << lines[2];
}

// A sweep over the sender's parameters has its figures in sweep.csv: every datagram sent is on
// the wire or dropped by the qdisc, and a 1518-byte frame takes longer from sendmsg to the
// end of its frame on the wire than a 64-byte one (its serialisation alone: 1454 more bytes at
// 8 ns each)
TEST(Sweep, SenderFiguresAreInTheSweepTable) {
  const std::string dir = fresh_dir("sweep-send");
  fs::create_directories(dir);
  std::ofstream(dir + "/s.toml") << "[set]\n\"traffic.frames\" = 0\n\"send.frames\" = 200\n"
                                    "[axes]\n\"send.frame_bytes\" = [64, 1518]\n";
  const result r = run_igbsim("sweep " + dir + "/s.toml --jobs 2 --out " + dir + "/out");
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  const auto rows = load_csv(dir + "/out/sweep.csv");
  ASSERT_EQ(rows.size(), 3u);
  const auto& h = rows[0];
  std::map<std::string, double> p50;
  for (size_t i = 1; i < rows.size(); ++i) {
    ASSERT_EQ(rows[i].size(), h.size()) << "every figure given";
    EXPECT_EQ(rows[i][col(h, "status")], "ok");
    EXPECT_EQ(rows[i][col(h, "tx_sent")], "200");
    EXPECT_EQ(
        std::stoul(rows[i][col(h, "tx_on_wire")]) + std::stoul(rows[i][col(h, "tx_qdisc_dropped")]),
        200u);
    EXPECT_EQ(rows[i][col(h, "tx_eagain")], "0") << "blocking sockets";
    EXPECT_EQ(rows[i][col(h, "latency_p50_ns")], "") << "nothing received: no latency, not 0";
    const double lo = std::stod(rows[i][col(h, "tx_send_to_wire_p50_ns")]);
    EXPECT_LE(lo, std::stod(rows[i][col(h, "tx_send_to_wire_p99_ns")]));
    p50[rows[i][col(h, "send.frame_bytes")]] = lo;
  }
  EXPECT_GT(p50["1518"], p50["64"] + (1518 - 64) * 8.0);
}

TEST(Sweep, BadSweepFilesAreRejectedBeforeAnythingRuns) {
  const std::string dir = fresh_dir("sweep-bad");
  fs::create_directories(dir);
  std::ofstream(dir + "/a.toml") << "[axes]\n\"traffic.rate\" = [1, 2]\n";
  std::ofstream(dir + "/b.toml") << "[axes]\n\"traffic.rate_pct\" = [10, 200]\n";
  for (const char* f : {"a", "b"}) {
    const result r =
        run_igbsim(std::string("sweep ") + dir + "/" + f + ".toml --out " + dir + "/out-" + f);
    EXPECT_EQ(r.status, 2) << f;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one line: " << r.err;
    EXPECT_FALSE(fs::exists(dir + "/out-" + f + "/point-000")) << "no point ran";
  }
}

TEST(Sweep, EmitSlurmWritesAJobArrayWhoseTasksRunAndMerge) {
  const std::string dir = fresh_dir("sweep-slurm");
  fs::create_directories(dir);
  std::ofstream(dir + "/s.toml")
      << "[set]\n\"traffic.frames\" = 200\n[axes]\n\"traffic.rate_pct\" = [5, 10, 20]\n";
  const result r = run_igbsim("sweep " + dir + "/s.toml --emit-slurm --out " + dir + "/out");
  ASSERT_EQ(r.status, 0) << r.err;
  std::ifstream sb(dir + "/out/sweep.sbatch");
  std::string script((std::istreambuf_iterator<char>(sb)), std::istreambuf_iterator<char>());
  EXPECT_NE(script.find("#SBATCH --array=0-2"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir + "/out/point-000")) << "nothing runs here";
  // What a cluster does: each array task, then the merge job
  for (int task = 0; task < 3; ++task) {
    const std::string cmd = "SLURM_ARRAY_TASK_ID=" + std::to_string(task) + " bash " + dir +
                            "/out/sweep.sbatch >/dev/null 2>&1";
    EXPECT_EQ(std::system(cmd.c_str()), 0) << "task " << task;
  }
  EXPECT_EQ(std::system(("bash " + dir + "/out/merge.sbatch >/dev/null 2>&1").c_str()), 0);
  const auto rows = load_csv(dir + "/out/sweep.csv");
  ASSERT_EQ(rows.size(), 4u);
  for (size_t i = 1; i < rows.size(); ++i) EXPECT_EQ(rows[i][col(rows[0], "status")], "ok");
}

// The transmit journey: one row per sendto, every step of a sent datagram reached and in the
// order the path takes it; its wire end is the end of its frame in tx.pcap (one flow, one
// queue: frames leave in the order sent), and the report's send-to-wire latency counts them.
TEST(Journey, EverySentDatagramHasItsTransmitStepsInOrderAndItsWireEnd) {
  const std::string dir = fresh_dir("tx-journey");
  const result r = run_igbsim("run --out " + dir +
                              " --tx-pcap --set traffic.frames=0 --set send.frames=400 --set "
                              "send.rate_pct=50");
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  const auto rows = load_csv(dir + "/tx_journey.csv");
  ASSERT_EQ(rows.size(), 401u) << "a header and a row per datagram";
  const std::vector<std::string> steps = {"sendmsg",   "qdisc_enqueue", "xmit",
                                          "tdt_write", "desc_fetch",    "data_read",
                                          "wire_end",  "dd_writeback",  "clean"};
  std::vector<std::pair<uint64_t, double>> wire;  // (datagram, wire end ns)
  for (size_t i = 1; i < rows.size(); ++i) {
    const auto& row = rows[i];
    ASSERT_EQ(row.size(), 4 + steps.size()) << "every step reached, row " << i;
    EXPECT_EQ(row[col(rows[0], "fate")], "sent");
    EXPECT_EQ(row[col(rows[0], "source")], "sender") << "no echo server: every row the sender's";
    std::map<std::string, double> t;
    for (const auto& s : steps) t[s] = std::stod(row[col(rows[0], s + "_ns")]);
    for (size_t k = 1; k < 7; ++k)  // the host's path to the wire
      EXPECT_LE(t[steps[k - 1]], t[steps[k]]) << steps[k - 1] << " before " << steps[k];
    EXPECT_LE(t["data_read"], t["dd_writeback"]) << "DD only after its data is read";
    EXPECT_LE(t["dd_writeback"], t["clean"]) << "freed only after its DD";
    wire.emplace_back(std::stoull(row[0]), t["wire_end"]);
  }
  std::sort(wire.begin(), wire.end());
  const auto frames = read_pcap(dir + "/tx.pcap");
  ASSERT_EQ(frames.size(), wire.size());
  for (size_t i = 0; i < wire.size(); ++i) {
    // tx.pcap stamps each frame's end, truncated to microseconds
    EXPECT_EQ(static_cast<uint64_t>(wire[i].second / 1000),
              static_cast<uint64_t>(std::llround(frames[i].t_s * 1e6)))
        << "datagram " << wire[i].first;
    if (i) {
      EXPECT_GE(wire[i].second - wire[i - 1].second, 672.0) << "a 64-byte frame's slot";
    }
  }
  const json rep = load_report(dir);
  const json& l = rep["latency_ns"]["tx_send_to_wire"];
  EXPECT_EQ(l["count"], 400);
  EXPECT_LE(l["p50"].get<double>(), l["p99"].get<double>());
}

// Several CPUs sending on one queue (INTx: one vector; four sender threads). Each CPU runs
// ahead of SystemC time by its own unpaid cost; before, a CPU could take the qdisc another had
// released at a later local time, and another CPU's register read made a TDT write land
// before the time it left its CPU: a few rows showed desc_fetch before their own tdt_write or
// xmit before qdisc_enqueue. In these runs every row's host path to the wire is in order now.
TEST(Journey, SeveralCpusSendingOnOneQueueKeepEveryRowInOrder) {
  const std::vector<std::string> steps = {"sendmsg",    "qdisc_enqueue", "xmit",    "tdt_write",
                                          "desc_fetch", "data_read",     "wire_end"};
  const std::string common =
      " --set driver.irq_mode=intx --set kernel.cores=4 --set send.threads=4 --set send.flows=8 "
      "--set send.frames=3000 --set traffic.frames=0";
  for (const std::string& load :
       {std::string(" --set send.frame_bytes=64 --set send.rate_pct=30"),
        std::string(" --set send.frame_bytes=1518 --set send.rate_pct=100")}) {
    const std::string dir = fresh_dir("tx-journey-cpus");
    const result r = run_igbsim("run --quiet --out " + dir + common + load);
    ASSERT_EQ(r.status, 0) << r.err << r.out;
    const auto rows = load_csv(dir + "/tx_journey.csv");
    ASSERT_EQ(rows.size(), 3001u) << load;
    size_t sent = 0;
    for (size_t i = 1; i < rows.size(); ++i) {
      if (rows[i][col(rows[0], "fate")] != "sent") continue;
      ++sent;
      for (size_t k = 1; k < steps.size(); ++k) {
        const double a = std::stod(rows[i][col(rows[0], steps[k - 1] + "_ns")]);
        const double b = std::stod(rows[i][col(rows[0], steps[k] + "_ns")]);
        EXPECT_LE(a, b) << load << ": datagram " << rows[i][0] << ", " << steps[k - 1] << " before "
                        << steps[k];
      }
    }
    EXPECT_GT(sent, 0u) << load;
    const json rep = load_report(dir);
    EXPECT_EQ(rep["tx"]["checks"]["lost_unaccounted"], 0) << load;
  }
}

// A sender and an echo server in one run: each transmit journey row says whose it is, and
// the report's transmit figures and send-to-wire latency are split by source, adding up to
// the combined ones; the summary's sent line counts the sender's datagrams, not the replies
TEST(Journey, EachTransmitRowNamesItsSourceAndTheFiguresAreSplitBySource) {
  const std::string dir = fresh_dir("tx-journey-sources");
  const result r = run_igbsim("run --out " + dir +
                              " --set app.reply=echo --set traffic.frames=300 --set "
                              "traffic.rate_pps=50000 --set send.frames=200 --set send.flows=2 "
                              "--set send.rate_pct=5");
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  const auto rows = load_csv(dir + "/tx_journey.csv");
  ASSERT_EQ(rows.size(), 501u) << "a header, a row per datagram and per reply";
  EXPECT_EQ(rows[0][0], "datagram");
  EXPECT_EQ(rows[0][1], "source") << "right after the datagram's number";
  std::map<std::string, uint64_t> sent_by;
  for (size_t i = 1; i < rows.size(); ++i) {
    const std::string& src = rows[i][col(rows[0], "source")];
    EXPECT_TRUE(src == "sender" || src == "echo") << "row " << i << ": " << src;
    if (rows[i][col(rows[0], "fate")] == "sent") ++sent_by[src];
  }
  EXPECT_EQ(sent_by["sender"], 200u);
  EXPECT_EQ(sent_by["echo"], 300u);

  const json rep = load_report(dir);
  ASSERT_TRUE(rep["checks"]["passed"].get<bool>()) << rep["checks"]["violations"].dump();
  const json& c = rep["tx"]["checks"];
  const json& snd = c["by_source"]["sender"];
  const json& echo = c["by_source"]["echo"];
  EXPECT_EQ(snd["sent"], rep["tx"]["app"]["sent"]);
  EXPECT_EQ(snd["sent"], 200);
  EXPECT_EQ(snd["on_wire"], 200);
  EXPECT_EQ(echo["sent"], rep["tx"]["echo"]["replies_sent"]);
  EXPECT_EQ(echo["on_wire"], rep["tx"]["echo"]["answered"]);
  EXPECT_EQ(echo["on_wire"], 300);
  for (const char* f : {"sent", "on_wire", "wire_frames", "in_flight", "lost_unaccounted"})
    EXPECT_EQ(snd[f].get<uint64_t>() + echo[f].get<uint64_t>(), c[f].get<uint64_t>()) << f;
  EXPECT_EQ(snd["dropped_by"]["qdisc_dropped"].get<uint64_t>() +
                echo["dropped_by"]["qdisc_dropped"].get<uint64_t>(),
            c["dropped_by"]["qdisc_dropped"].get<uint64_t>());
  EXPECT_TRUE(snd["drained"].get<bool>());
  EXPECT_TRUE(echo["drained"].get<bool>());

  const json& lat = rep["latency_ns"];
  EXPECT_EQ(lat["tx_send_to_wire_sender"]["count"], 200);
  EXPECT_EQ(lat["tx_send_to_wire_echo"]["count"], 300);
  EXPECT_EQ(lat["tx_send_to_wire"]["count"], 500) << "the combined figure is kept";

  // The summary's sent line: the sender's 200, none of the 300 replies
  const size_t at = r.out.find("  sent ");
  ASSERT_NE(at, std::string::npos) << r.out;
  const std::string line = r.out.substr(at, r.out.find('\n', at) - at);
  EXPECT_NE(line.find(" 200 datagrams"), std::string::npos) << line;
  EXPECT_NE(line.find(": 200 on the wire"), std::string::npos) << line;
}

// ---- Datagrams over the MTU: IPv4 fragments on output -------------------------------------

namespace {
// The fragments in a capture, grouped by IPv4 ID in wire order: each group's frames
std::map<uint16_t, std::vector<std::vector<uint8_t>>> fragments_by_id(
    const std::vector<tx_frame>& frames) {
  std::map<uint16_t, std::vector<std::vector<uint8_t>>> by;
  for (const auto& f : frames) by[be16_at(f.b.data() + 18)].push_back(f.b);
  return by;
}
}  // namespace

// 100 datagrams of 2954 payload bytes at MTU 1500 leave as 3 fragments each (1480, 1480 and 2
// IP payload bytes): read back from tx.pcap, each fragment has its own good header checksum,
// DF clear, MF on all but the last, offsets 0, 185, 370 (8-byte units), one ID per datagram;
// the datagram put back together here is the sender's, its UDP checksum good. Every layer
// counts 300 packets and 100 datagrams, and the journey has a row per datagram.
TEST(Fragments, ADatagramOverTheMtuLeavesAsIpv4FragmentsThatReassembleByteExact) {
  const std::string dir = fresh_dir("tx-frag");
  const result r = run_igbsim("run --out " + dir +
                              " --tx-pcap --set traffic.frames=0 --set send.frames=100 "
                              "--set send.frame_bytes=3000 --set send.rate_pct=50");
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  EXPECT_NE(r.out.find("3 IPv4 fragments each at MTU 1500"), std::string::npos) << r.out;
  const json rep = load_report(dir);
  EXPECT_TRUE(rep["checks"]["passed"].get<bool>()) << rep["checks"]["violations"].dump();
  const json& tx = rep["tx"];
  EXPECT_EQ(tx["stack"]["ip_frag_oks"].get<uint64_t>(), 100u);
  EXPECT_EQ(tx["stack"]["ip_frag_creates"].get<uint64_t>(), 300u);
  EXPECT_EQ(tx["stack"]["ip_frag_fails"].get<uint64_t>(), 0u);
  EXPECT_EQ(tx["stack"]["udp_out_datagrams"].get<uint64_t>(), 100u);
  EXPECT_EQ(tx["stack"]["dev_queue_xmit"].get<uint64_t>(), 300u);
  EXPECT_EQ(tx["nic"]["gptc"].get<uint64_t>(), 300u) << "GPTC counts frames";
  EXPECT_EQ(tx["checks"]["sent"].get<uint64_t>(), 100u);
  EXPECT_EQ(tx["checks"]["on_wire"].get<uint64_t>(), 100u);
  EXPECT_EQ(tx["checks"]["sent_packets"].get<uint64_t>(), 300u);
  EXPECT_EQ(tx["checks"]["on_wire_packets"].get<uint64_t>(), 300u);
  EXPECT_EQ(tx["checks"]["wire_frames"].get<uint64_t>(), 300u);
  const auto frames = read_pcap(dir + "/tx.pcap");
  ASSERT_EQ(frames.size(), 300u);
  const auto by = fragments_by_id(frames);
  ASSERT_EQ(by.size(), 100u) << "an IPv4 ID per datagram";
  std::set<uint64_t> seqs;
  for (const auto& [id, fr] : by) {
    ASSERT_EQ(fr.size(), 3u) << "ID " << id;
    std::vector<uint8_t> d;  // the IP payload: UDP header and data
    for (size_t k = 0; k < 3; ++k) {
      const uint8_t* ip = fr[k].data() + 14;
      EXPECT_EQ(ones_fold(ip, 20, 0), 0xFFFFu) << "fragment " << k << ": IPv4 header checksum";
      const uint16_t frag = be16_at(ip + 6);
      EXPECT_EQ(frag & 0x4000, 0) << "DF clear";
      EXPECT_EQ((frag & 0x2000) != 0, k < 2) << "MF on all but the last";
      EXPECT_EQ(frag & 0x1FFF, 185 * k) << "offset in 8-byte units";
      const uint16_t tot = be16_at(ip + 2);
      EXPECT_EQ(tot, k < 2 ? 1500 : 22);
      EXPECT_EQ(fr[k].size(), k < 2 ? 1514u : 60u) << "the last padded to 64 bytes on the wire";
      d.insert(d.end(), ip + 20, ip + tot);
    }
    ASSERT_EQ(d.size(), 2962u);
    const uint8_t* ip0 = fr[0].data() + 14;
    const uint16_t ulen = be16_at(d.data() + 4);
    ASSERT_EQ(ulen, 2962);
    EXPECT_EQ(ones_fold(d.data(), ulen, ones_fold(ip0 + 12, 8, 17u + ulen)), 0xFFFFu)
        << "UDP checksum over the whole datagram";
    const uint8_t* pay = d.data() + 8;
    uint64_t seq = 0;
    for (int i = 0; i < 8; ++i) seq = seq << 8 | pay[4 + i];
    for (size_t i = 12; i < ulen - 8u; ++i)
      ASSERT_EQ(pay[i], static_cast<uint8_t>(seq * 31 + i * 13)) << "payload byte " << i;
    seqs.insert(seq);
  }
  EXPECT_EQ(seqs.size(), 100u) << "every datagram once";
  // tshark, reassembling: 100 UDP datagrams of 2962 bytes, checksums good
  if (std::system("command -v tshark >/dev/null 2>&1") == 0) {
    const std::string out = dir + "/tshark.txt";
    ASSERT_EQ(std::system(("tshark -r " + dir +
                           "/tx.pcap -o udp.check_checksum:TRUE -Y udp -T fields -e udp.length "
                           "-e udp.checksum.status >" +
                           out + " 2>/dev/null")
                              .c_str()),
              0);
    std::ifstream t(out);
    std::string len, st;
    int n = 0;
    while (t >> len >> st) {
      ++n;
      EXPECT_EQ(len, "2962");
      EXPECT_TRUE(st == "1" || st == "Good") << "tshark: UDP checksum " << st;
    }
    EXPECT_EQ(n, 100);
  }
  const auto rows = load_csv(dir + "/tx_journey.csv");
  ASSERT_EQ(rows.size(), 101u);
  const auto& h = rows[0];
  for (size_t i = 1; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i][col(h, "fate")], "sent");
    const double fetch = std::stod(rows[i][col(h, "desc_fetch_ns")]);
    const double read = std::stod(rows[i][col(h, "data_read_ns")]);
    const double wire = std::stod(rows[i][col(h, "wire_end_ns")]);
    const double clean = std::stod(rows[i][col(h, "clean_ns")]);
    EXPECT_LT(fetch, read);
    EXPECT_LT(read, wire) << "the last fragment's last bit after its data read";
    EXPECT_LT(std::stod(rows[i][col(h, "sendmsg_ns")]), clean);
  }
}

// The edges of the MTU: a frame of driver.mtu + 18 bytes is one packet with DF; one byte more
// is two fragments, the second holding one byte (its frame padded); the largest datagram,
// 65,507 payload bytes, is 45; one byte more is refused, as udp_sendmsg refuses it. At MTU
// 9000 (8980 bytes of IP payload a packet, 8976 when cut at 8 bytes) 17,956 IP payload bytes
// are two fragments, not three: the last takes up to the MTU
TEST(Fragments, TheMtuEdgesAndTheLargestDatagram) {
  for (const auto& [bytes, frames, mtu] : std::vector<std::tuple<int, size_t, int>>{
           {1518, 1, 1500}, {1519, 2, 1500}, {65553, 45, 1500}, {17994, 2, 9000}}) {
    const std::string dir = fresh_dir("tx-frag-edge-" + std::to_string(bytes));
    const result r = run_igbsim("run --quiet --out " + dir +
                                " --tx-pcap --set traffic.frames=0 --set send.frames=3 "
                                "--set send.frame_bytes=" +
                                std::to_string(bytes) + " --set driver.mtu=" + std::to_string(mtu));
    ASSERT_EQ(r.status, 0) << bytes << r.err;
    const json rep = load_report(dir);
    EXPECT_TRUE(rep["checks"]["passed"].get<bool>()) << rep["checks"]["violations"].dump();
    EXPECT_EQ(rep["tx"]["checks"]["on_wire"].get<uint64_t>(), 3u) << bytes;
    const auto f = read_pcap(dir + "/tx.pcap");
    ASSERT_EQ(f.size(), 3 * frames) << bytes;
    const uint16_t flags = be16_at(f[0].b.data() + 20);
    EXPECT_EQ(flags, frames == 1 ? 0x4000 : 0x2000) << bytes << ": DF alone, or MF at offset 0";
    if (frames == 2) {
      EXPECT_EQ(be16_at(f[1].b.data() + 16), mtu == 1500 ? 21 : 9000)
          << "the rest: one byte, or the MTU's worth";
    }
    EXPECT_EQ(rep["tx"]["checks"]["sent_packets"].get<uint64_t>(), 3 * frames);
  }
  const result big = run_igbsim("run --quiet --out " + fresh_dir("tx-frag-over") +
                                " --set traffic.frames=0 --set send.frames=3 "
                                "--set send.frame_bytes=65554");
  EXPECT_EQ(big.status, 2) << big.err;
  EXPECT_NE(big.err.find("send.frame_bytes"), std::string::npos) << big.err;
}

// Congestion: four threads send 9000-byte datagrams (7 fragments each) without blocking (a send
// buffer of 8 MB), into a partner that takes 10 % of line rate and pauses the NIC: pfifo_fast
// overflows and drops fragments, a datagram whose fragment it dropped loses the rest
// (FragFails, fragments freed unsent), and still every datagram and every packet is accounted
// for: on the wire, dropped, or never sent, as the journey's rows say too
TEST(Fragments, UnderCongestionEveryDatagramAndEveryFragmentIsAccountedFor) {
  const std::string dir = fresh_dir("tx-frag-congested");
  const result r = run_igbsim(
      "run --quiet --out " + dir +
      " --set traffic.frames=0 --set send.frames=600 --set send.frame_bytes=9000 "
      "--set send.rate_pct=100 --set send.blocking=false --set send.flows=4 --set send.threads=4 "
      "--set kernel.cores=2 --set kernel.wmem_default=8388608 "
      "--set driver.flow_control=full --set wire.partner_fc=full "
      "--set wire.partner_rx_rate_pct=10");
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  const json rep = load_report(dir);
  EXPECT_TRUE(rep["checks"]["passed"].get<bool>()) << rep["checks"]["violations"].dump();
  const json& st = rep["tx"]["stack"];
  const json& c = rep["tx"]["checks"];
  EXPECT_GT(c["dropped_by"]["qdisc_dropped"].get<uint64_t>(), 0u) << "the scenario congests";
  EXPECT_GT(st["ip_frag_fails"].get<uint64_t>(), 0u);
  EXPECT_GT(st["ip_frag_unsent"].get<uint64_t>(), 0u);
  EXPECT_EQ(st["ip_frag_oks"].get<uint64_t>() + st["ip_frag_fails"].get<uint64_t>(), 600u)
      << "each datagram fragmented once, ok or failed";
  EXPECT_EQ(c["sent_packets"].get<uint64_t>(), 600u * 7);
  EXPECT_EQ(c["sent_packets"].get<uint64_t>(),
            c["on_wire_packets"].get<uint64_t>() +
                c["dropped_by"]["qdisc_dropped"].get<uint64_t>() +
                c["dropped_by"]["ip_frag_unsent"].get<uint64_t>() + c["in_flight"].get<uint64_t>());
  EXPECT_EQ(st["ip_frag_creates"].get<uint64_t>() + st["ip_frag_unsent"].get<uint64_t>() +
                c["dropped_by"]["qdisc_dropped"].get<uint64_t>(),
            600u * 7)
      << "FragCreates: the fragments pfifo_fast took; the others it dropped or never saw";
  const json& s = c["by_source"]["sender"];
  EXPECT_EQ(s["sent"].get<uint64_t>(), 600u);
  EXPECT_EQ(s["sent"].get<uint64_t>(),
            s["on_wire"].get<uint64_t>() + s["dropped_by"]["qdisc_dropped"].get<uint64_t>() +
                s["dropped_by"]["frag_unsent"].get<uint64_t>() + s["in_flight"].get<uint64_t>());
  EXPECT_EQ(s["lost_unaccounted"].get<uint64_t>(), 0u);
  const auto rows = load_csv(dir + "/tx_journey.csv");
  std::map<std::string, uint64_t> fates;
  for (size_t i = 1; i < rows.size(); ++i) ++fates[rows[i][col(rows[0], "fate")]];
  EXPECT_EQ(fates["sent"], s["on_wire"].get<uint64_t>());
  EXPECT_EQ(fates["qdisc_drop"], s["dropped_by"]["qdisc_dropped"].get<uint64_t>());
  EXPECT_EQ(fates["frag_unsent"], s["dropped_by"]["frag_unsent"].get<uint64_t>());
}

// An echo server answers a request whose datagram is over the MTU (a 1530-byte frame: 1512
// IP bytes, within the NIC's RLPML) with a reply in two fragments; every request is answered,
// and the replies' frames are the echo's
TEST(Fragments, AnEchoReplyOverTheMtuLeavesInFragmentsAndAnswersItsRequest) {
  const std::string dir = fresh_dir("tx-frag-echo");
  const result r = run_igbsim("run --quiet --out " + dir +
                              " --set traffic.frames=200 --set traffic.frame_bytes=1530 "
                              "--set app.reply=echo --set kernel.cores=2");
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  const json rep = load_report(dir);
  EXPECT_TRUE(rep["checks"]["passed"].get<bool>()) << rep["checks"]["violations"].dump();
  EXPECT_EQ(rep["tx"]["echo"]["answered"].get<uint64_t>(), 200u);
  const json& e = rep["tx"]["checks"]["by_source"]["echo"];
  EXPECT_EQ(e["on_wire"].get<uint64_t>(), 200u);
  EXPECT_EQ(e["wire_frames"].get<uint64_t>(), 400u) << "two fragments a reply";
  EXPECT_EQ(rep["tx"]["stack"]["ip_frag_creates"].get<uint64_t>(), 400u);
  EXPECT_EQ(rep["latency_ns"]["rr"]["count"].get<uint64_t>(), 200u);
}

// The run's end and the sender: a short sim.drain_us does not cut a sender that is still
// sending (with 0 it ended after 182 of 1000 datagrams, reported as passed); a sender stopped
// for good (the queue never woken) is waited for until the transmit watchdog's time, and what
// it never sent is reported and printed, not lost.
TEST(Transmit, TheRunWaitsForTheSenderAndSaysWhatItNeverSent) {
  {
    const std::string dir = fresh_dir("tx-drain0");
    const result r = run_igbsim("run --quiet --out " + dir +
                                " --set traffic.frames=0 --set send.frames=1000 --set "
                                "send.rate_pct=30 --set sim.drain_us=0");
    ASSERT_EQ(r.status, 0) << r.err;
    const json rep = load_report(dir);
    EXPECT_EQ(rep["tx"]["app"]["sent"], 1000);
    EXPECT_EQ(rep["tx"]["app"]["not_sent"], 0);
    EXPECT_EQ(rep["tx"]["checks"]["on_wire"], 1000);
  }
  const std::string dir = fresh_dir("tx-never-woken");
  const result r = run_igbsim("run --out " + dir +
                              " --set traffic.frames=0 --set send.frames=600 --set "
                              "send.frame_bytes=1518 --set send.rate_pct=100 --set nic.tx_ring=80 "
                              "--set fault.tx_never_wake=true");
  ASSERT_EQ(r.status, 3) << r.err << r.out;  // the planted fault's violation
  const json rep = load_report(dir);
  // dev_watchdog called ndo_tx_timeout once, as the kernel does after its warning
  EXPECT_EQ(rep["tx"]["ethtool"]["tx_timeout_count"], 1);
  const json& app = rep["tx"]["app"];
  const uint64_t tried =
      app["sent"].get<uint64_t>() + app["eagain"].get<uint64_t>() + app["errors"].get<uint64_t>();
  ASSERT_LT(tried, 600u) << "the queue stopped for good before the sender was done";
  EXPECT_EQ(app["not_sent"].get<uint64_t>(), 600 - tried);
  const uint64_t in_flight = rep["tx"]["checks"]["by_source"]["sender"]["in_flight"];
  EXPECT_GT(in_flight, 0u);
  EXPECT_NE(r.out.find(std::to_string(in_flight) + " in flight at the end; " +
                       std::to_string(600 - tried) + " of 600 not sent by the end of the run"),
            std::string::npos)
      << r.out;
  // The journey's rows say the same: in flight as the checks count them, a sent row always
  // on the wire, and a sendto still asleep for send-buffer room not sent
  const auto rows = load_csv(dir + "/tx_journey.csv");
  std::map<std::string, uint64_t> fates;
  for (size_t i = 1; i < rows.size(); ++i) {
    const std::string& f = rows[i][col(rows[0], "fate")];
    ++fates[f];
    if (f == "sent") {
      EXPECT_FALSE(rows[i][col(rows[0], "wire_end_ns")].empty()) << rows[i][0];
    }
  }
  EXPECT_EQ(fates["in_flight"], in_flight);
  EXPECT_LE(fates["not_sent"], 600 - tried);
  EXPECT_EQ(rows.size() - 1, tried + fates["not_sent"]);
}

TEST(Waves, GtkwaveUnderXvfbLoadsTheSaveFileWithEverySignal) {
  const std::string dir = fresh_dir("gtkwave");
  // A sender too, so the transmit groups are in the save file
  const result r = run_igbsim("run --out " + dir +
                              " --waves --set traffic.frames=300 --set traffic.flows=4 --set "
                              "nic.queues=4 --set send.frames=200 --set send.flows=4");
  ASSERT_EQ(r.status, 0) << r.err;
  // What the save file lists: signals, and group markers (a title line opens and closes each)
  std::ifstream g(dir + "/waves.gtkw");
  std::string line;
  size_t signals = 0, group_lines = 0;
  while (std::getline(g, line)) {
    // A signal, a bit of one under an alias (+{name}), or bits combined under one (#{name})
    if (line.rfind("nic.", 0) == 0 || line.rfind("sw.", 0) == 0 || line.rfind("+{", 0) == 0 ||
        line.rfind("#{", 0) == 0)
      ++signals;
    if (line.rfind("-", 0) == 0) ++group_lines;
  }
  // Real GTKWave, headless: a Tcl script lists the traces it could load, then quits
  std::ofstream(dir + "/list.tcl")
      << "set n [gtkwave::getTotalNumTraces]\nputs \"igbsim-traces $n\"\n"
         "for {set i 0} {$i < $n} {incr i} { puts \"igbsim-trace [gtkwave::getTraceNameFromIndex "
         "$i]\" }\n"
         "gtkwave::/File/Quit\n";
  const std::string out = dir + "/gtkwave.out";
  const std::string cmd = "timeout 120 xvfb-run -a gtkwave -S " + dir + "/list.tcl " + dir +
                          "/waves.gtkw >" + out + " 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << "gtkwave under Xvfb";
  std::ifstream o(out);
  size_t traces = 0;
  std::vector<std::string> names;
  while (std::getline(o, line)) {
    if (line.rfind("igbsim-traces ", 0) == 0) traces = std::stoul(line.substr(14));
    if (line.rfind("igbsim-trace ", 0) == 0) names.push_back(line.substr(13));
  }
  EXPECT_EQ(traces, signals + group_lines)
      << "GTKWave drops signals it cannot find; none may be missing";
  EXPECT_GT(signals, 60u);
  for (const char* want :
       {"state_q[2:0]", "eims_v1_rx0", "eitr_us_v1_rx0", "last_vec_q[3:0]", "dma_kind[2:0]",
        "napi1_state[1:0]", "task0_state[1:0]", "txq0_state[1:0]", "txq0_bql_inflight_i[31:0]",
        "tx0_next_to_clean_i[15:0]", "tdt_i[15:0]", "tx_valid_o", "wst_q[1:0]"})
    EXPECT_NE(std::find(names.begin(), names.end(), want), names.end()) << want;
}

// igb_poll cleans the transmit ring before the receive ring (igb_main.c: igb_clean_tx_irq,
// then igb_clean_rx_irq), seen on the waveform: in each poll of a q_vector that holds both
// rings, igb's transmit next_to_clean moves before its receive next_to_clean. The i210 with 4
// queues pairs each TX ring with an RX ring on one vector (IGB_FLAG_QUEUE_PAIRS).
TEST(Waves, IgbPollCleansTransmitBeforeReceive) {
  const std::string dir = fresh_dir("txrxorder");
  const result r =
      run_igbsim("run --out " + dir +
                 " --waves --set nic.part=i210 --set kernel.cores=4 --set nic.queues=4 --set "
                 "traffic.frames=2000 --set traffic.flows=4 --set traffic.rate_pct=30 --set "
                 "send.frames=2000 --set send.flows=4 --set send.rate_pct=30");
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  // A queue pair both directions use (RSS and the transmit hash spread the flows differently)
  const json rep = load_report(dir);
  std::string q;
  for (int i = 0; i < 4 && q.empty(); ++i) {
    const std::string n = std::to_string(i);
    if (rep["ethtool"]["rx_queue_" + n + "_packets"].get<uint64_t>() > 0 &&
        rep["tx"]["ethtool"]["tx_queue_" + n + "_packets"].get<uint64_t>() > 0)
      q = n;
  }
  ASSERT_FALSE(q.empty()) << "no queue pair carries both directions";
  const std::vector<std::string> names = {"sw.napi" + q + "_state_i",
                                          "sw.tx" + q + "_next_to_clean_i",
                                          "sw.rx" + q + "_next_to_clean_i"};
  enum { STATE, TXC, RXC };
  const auto changes = read_fst(dir + "/waves.fst", names);
  uint64_t polls = 0, both = 0, tx_first = 0, rx_first = 0;
  bool polling = false;
  int64_t tx_t = -1, rx_t = -1;
  for (const auto& c : changes) {
    const uint64_t v = bits_to_u64(c.value);
    if (c.sig == STATE) {
      if (polling && tx_t >= 0 && rx_t >= 0) {
        ++both;
        if (tx_t < rx_t) ++tx_first;
        if (rx_t < tx_t) ++rx_first;
      }
      polling = v == 2;  // NapiPolling
      polls += polling;
      tx_t = rx_t = -1;
    } else if (polling && c.sig == TXC && tx_t < 0) {
      tx_t = static_cast<int64_t>(c.t);
    } else if (polling && c.sig == RXC && rx_t < 0) {
      rx_t = static_cast<int64_t>(c.t);
    }
  }
  EXPECT_GT(polls, 20u);
  EXPECT_GT(both, 10u) << "polls that cleaned both rings";
  EXPECT_EQ(tx_first, both) << "transmit cleaned first in every such poll";
  EXPECT_EQ(rx_first, 0u);
}

// ---- Traffic in and out: pcap ---------------------------------------------------------------

TEST(Pcap, DeliveredFramesAreWrittenToRxPcapThatTsharkReads) {
  const std::string dir = fresh_dir("rxpcap");
  const result r =
      run_igbsim("run --out " + dir + " --rx-pcap --set traffic.flows=3 --set traffic.frames=300");
  ASSERT_EQ(r.status, 0) << r.err;
  const json rep = load_report(dir);
  const std::string out = dir + "/tshark.txt";
  ASSERT_EQ(std::system(("tshark -r " + dir +
                         "/rx.pcap -T fields -e ip.src -e udp.dstport -e udp.length >" + out +
                         " 2>/dev/null")
                            .c_str()),
            0);
  std::ifstream t(out);
  std::string line;
  std::map<std::string, int> by_src;
  size_t n = 0;
  while (std::getline(t, line)) {
    ++n;
    std::stringstream ss(line);
    std::string src, port, len;
    ss >> src >> port >> len;
    EXPECT_EQ(port, "5001");
    EXPECT_EQ(len, std::to_string(64 - 4 - 34)) << "UDP length of a 64-byte frame";
    ++by_src[src];
  }
  EXPECT_EQ(n, rep["checks"]["delivered"].get<size_t>())
      << "one captured frame per delivered datagram";
  EXPECT_EQ(by_src.size(), 3u) << "three flows, three senders";
}

TEST(Pcap, ReplayedCaptureFramesAreDeliveredOrCountedNeverFatal) {
  const std::string dir = fresh_dir("replay");
  fs::create_directories(dir);
  // A capture with good UDP frames of two flows, an ARP frame, a runt and a truncated frame
  pcap_t* p = pcap_open_dead(DLT_EN10MB, 65535);
  pcap_dumper_t* d = pcap_dump_open(p, (dir + "/in.pcap").c_str());
  ASSERT_NE(d, nullptr);
  auto put = [&](const std::vector<uint8_t>& f, uint32_t usec, uint32_t caplen = 0) {
    pcap_pkthdr h{};
    h.ts.tv_sec = 1700000000;
    h.ts.tv_usec = usec;
    h.len = static_cast<bpf_u_int32>(f.size());
    h.caplen = caplen ? caplen : h.len;
    pcap_dump(reinterpret_cast<u_char*>(d), &h, f.data());
  };
  traffic_config c;
  c.flows = 2;
  c.frame_bytes = 200;
  int good = 0;
  for (uint32_t i = 0; i < 40; ++i) {
    std::vector<uint8_t> f;
    traffic_source::build_frame(c, i, i % 2, i / 2, f);
    put(f, 100 * i);
    ++good;
  }
  std::vector<uint8_t> arp(42, 0);
  std::fill(arp.begin(), arp.begin() + 6, 0xFF);  // an ARP request: broadcast
  arp[12] = 0x08;
  arp[13] = 0x06;
  put(arp, 5000);  // not IP: padded to 60 bytes, counted by the stack
  std::vector<uint8_t> big(300, 0xAB);
  put(big, 6000, 100);  // truncated capture: skipped
  pcap_dump_close(d);
  pcap_close(p);
  const result r = run_igbsim("run --out " + dir + "/out --set traffic.pcap=" + dir + "/in.pcap");
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  const json rep = load_report(dir + "/out");
  EXPECT_EQ(rep["wire"]["pcap"]["frames"], good + 1);
  EXPECT_EQ(rep["wire"]["pcap"]["skipped_truncated"], 1);
  EXPECT_EQ(rep["wire"]["pcap"]["padded_runts"], 1);
  EXPECT_EQ(rep["checks"]["delivered"], good)
      << "the capture's datagrams reach the socket, byte-exact";
  EXPECT_EQ(rep["checks"]["dropped_by"].value("rx_nohandler", 0), 1)
      << "the ARP frame is counted, not fatal";
  EXPECT_EQ(rep["checks"]["lost_unaccounted"], 0);
}

TEST(Pcap, ReSegmentedTcpRetransmissionsAreReadAsOneIntactStream) {
  // A sender that re-segments its retransmissions: segments overlapping bytes already received
  // and each other in the out-of-order queue. read() returns the stream once, in order, on
  // either receive path (construct_skb leaves the payload of the x7 capture's large segments
  // in page fragments, from which the receiver trims what it has).
  const std::string src = std::string(IGBSIM_SOURCE_DIR) + "/testbench/fuzz/regressions/config";
  for (const std::string name : {"tcp_overlap", "tcp_overlap_construct_skb"}) {
    const std::string dir = fresh_dir(name);
    const std::string pcap =
        src + (name == "tcp_overlap" ? "/tcp_overlap.pcap" : "/tcp_overlap_x7.pcap");
    const result r = run_igbsim("run " + src + "/" + name + ".toml --out " + dir +
                                " --set traffic.pcap=" + pcap);
    ASSERT_EQ(r.status, 0) << name << ": " << r.err << r.out;
    const json rep = load_report(dir);
    // The stream the capture carries: from its lowest sequence number to its highest end
    char err[PCAP_ERRBUF_SIZE];
    pcap_t* p = pcap_open_offline(pcap.c_str(), err);
    ASSERT_NE(p, nullptr) << err;
    uint32_t lo = UINT32_MAX, hi = 0, segments = 0;
    pcap_pkthdr* h;
    const u_char* b;
    while (pcap_next_ex(p, &h, &b) == 1) {
      const uint32_t seq =
          uint32_t(b[38]) << 24 | uint32_t(b[39]) << 16 | uint32_t(b[40]) << 8 | b[41];
      const uint32_t len = (uint32_t(b[16]) << 8 | b[17]) - 40;
      lo = std::min(lo, seq);
      hi = std::max(hi, seq + len);
      ++segments;
    }
    pcap_close(p);
    EXPECT_EQ(rep["checks"]["offered"], segments) << name;
    EXPECT_EQ(rep["app"]["delivered_bytes"], hi - lo) << name << ": every byte of the stream once";
    EXPECT_EQ(rep["checks"]["delivered"].get<uint64_t>() + sum_dropped(rep), segments) << name;
    EXPECT_GT(rep["checks"]["dropped_by"].value("delayed_ack_lost", 0u), 0u)
        << name << ": a segment with nothing new";
    EXPECT_GT(rep["checks"]["dropped_by"].value("tcp_ofo_merge", 0u), 0u)
        << name << ": held bytes sent again";
  }
}

TEST(Waves, NicInputsChangeOnlyInTheCyclesTheHostTicks) {
  // Light load: the host skips the idle cycles between frames, and software changes (NAPI,
  // socket, task state) fall in those gaps. The NIC's inputs are set at a ticked cycle's low
  // phase (t % 8 ns == 0 at 125 MHz), a clock rises half a period later, and the waveform must
  // show them there, not at the time of the last software change before that cycle.
  const std::string dir = fresh_dir("waves-inputs");
  const result r =
      run_igbsim("run --out " + dir + " --waves --set traffic.rate_pct=5 --set traffic.frames=300");
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  const std::vector<std::string> names = {"nic.clk_i", "nic.rx_clk_i", "nic.rx_valid_i",
                                          "nic.mmio_valid_i", "nic.dma_rresp_valid_i"};
  const auto changes = read_fst(dir + "/waves.fst", names);
  constexpr uint64_t kPeriodPs = 8000;
  std::set<uint64_t> clock_rises;
  for (const auto& c : changes)
    if (c.sig <= 1 && c.value == "1") clock_rises.insert(c.t);
  uint64_t inputs = 0, off_phase = 0, no_edge = 0;
  std::string first;                            // the first few offenders, for the failure message
  std::vector<bool> seen(names.size(), false);  // a signal's first value opens the file
  for (const auto& c : changes) {
    if (c.sig < 2 || !seen[c.sig]) {
      seen[c.sig] = true;
      continue;
    }
    ++inputs;
    const bool off = c.t % kPeriodPs != 0, alone = !clock_rises.count(c.t + kPeriodPs / 2);
    off_phase += off;
    no_edge += alone;
    if ((off || alone) && first.size() < 200)
      first += fmt::format(" {}={}@{}ps", names[c.sig], c.value, c.t);
  }
  EXPECT_GT(inputs, 600u) << "frames, register accesses and descriptor reads";
  EXPECT_EQ(off_phase, 0u) << "input changes between cycle boundaries:" << first;
  EXPECT_EQ(no_edge, 0u) << "input changes with no clock edge half a cycle later:" << first;
}

// ---- Waveform windows -----------------------------------------------------------------------

TEST(Waves, TriggerRecordsOnlyTheWindowAroundTheFirstEvent) {
  const std::string scen = std::string(IGBSIM_SOURCE_DIR) + "/scenarios/ring_starvation.toml";
  const std::string dir = fresh_dir("trigger");
  const result r = run_igbsim("run " + scen + " --out " + dir +
                              " --waves-trigger mpc --waves-pre 20 --waves-post 50");
  ASSERT_EQ(r.status, 0) << r.err;
  const json rep = load_report(dir);
  const double t_mpc_ps = rep["events_first_ns"]["mpc"].get<double>() * 1000.0;
  const auto changes = read_fst(dir + "/waves.fst", {"nic.clk_i", "nic.ev_frame_mpc_o"});
  ASSERT_FALSE(changes.empty());
  uint64_t lo = UINT64_MAX, hi = 0;
  bool mpc_seen = false;
  for (const auto& c : changes) {
    lo = std::min(lo, c.t);
    hi = std::max(hi, c.t);
    mpc_seen |= c.sig == 1 && c.value == "1";
  }
  EXPECT_GE(static_cast<double>(lo), t_mpc_ps - 20e6 - 1) << "nothing before the window";
  EXPECT_LE(static_cast<double>(hi), t_mpc_ps + 50e6 + 1) << "nothing after it";
  EXPECT_TRUE(mpc_seen) << "the triggering drop is on the waveform";
  EXPECT_NE(r.out.find("mpc at"), std::string::npos);
  // The same run recorded whole is much larger
  const std::string full = fresh_dir("trigger-full");
  ASSERT_EQ(run_igbsim("run " + scen + " --out " + full + " --waves").status, 0);
  EXPECT_LT(fs::file_size(dir + "/waves.fst") * 20, fs::file_size(full + "/waves.fst"));
}

// A transmit drop is a drop too: a sender at line rate and an echo server answering line-rate
// requests overflow the qdisc (txqueuelen 1000) with nothing dropped on receive, and
// --waves-trigger drop records the window around the qdisc's first drop
TEST(Waves, AQdiscDropTriggersTheDropWindow) {
  const std::string dir = fresh_dir("trigger-tx-drop");
  const result r = run_igbsim(
      "run --out " + dir +
      " --waves-trigger drop --waves-pre 20 --waves-post 50 --set app.reply=echo --set "
      "traffic.frames=1500 --set traffic.frame_bytes=1518 --set traffic.rate_pct=100 --set "
      "send.frames=1500 --set send.flows=8 --set send.frame_bytes=1518 --set send.rate_pct=100 "
      "--set kernel.wmem_default=4000000");
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  const json rep = load_report(dir);
  EXPECT_EQ(rep["checks"]["dropped"], 0) << "no receive drop: the trigger is the transmit one";
  EXPECT_GT(rep["tx"]["checks"]["dropped_by"]["qdisc_dropped"].get<uint64_t>(), 0u);
  ASSERT_TRUE(rep["events_first_ns"].contains("drop")) << rep["events_first_ns"].dump();
  EXPECT_NE(r.out.find("drop at"), std::string::npos) << r.out;
  ASSERT_TRUE(fs::exists(dir + "/waves.fst")) << r.out;
  const double t_drop_ps = rep["events_first_ns"]["drop"].get<double>() * 1000.0;
  const auto changes = read_fst(dir + "/waves.fst", {"nic.clk_i"});
  ASSERT_FALSE(changes.empty());
  uint64_t lo = UINT64_MAX, hi = 0;
  for (const auto& c : changes) {
    lo = std::min(lo, c.t);
    hi = std::max(hi, c.t);
  }
  EXPECT_GE(static_cast<double>(lo), t_drop_ps - 20e6 - 1) << "nothing before the window";
  EXPECT_LE(static_cast<double>(hi), t_drop_ps + 50e6 + 1) << "nothing after it";
  // Each qdisc drop is a row of the transmit journey, with the queue whose qdisc dropped it
  const auto rows = load_csv(dir + "/tx_journey.csv");
  uint64_t drops = 0;
  for (size_t i = 1; i < rows.size(); ++i) {
    if (rows[i][col(rows[0], "fate")] != "qdisc_drop") continue;
    ++drops;
    EXPECT_FALSE(rows[i][col(rows[0], "queue")].empty()) << "datagram " << rows[i][0];
  }
  EXPECT_EQ(drops, rep["tx"]["checks"]["dropped_by"]["qdisc_dropped"].get<uint64_t>());
}

TEST(Waves, TriggerThatNeverHappensWritesNoWaveformAndWindowsAreChecked) {
  const std::string dir = fresh_dir("trigger-none");
  const result r =
      run_igbsim("run --out " + dir +
                 " --set traffic.rate_pct=1 --set traffic.frames=100 --waves-trigger mpc");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_FALSE(fs::exists(dir + "/waves.fst"));
  EXPECT_NE(r.out.find("no mpc event"), std::string::npos) << r.out;
  for (const char* bad :
       {"--waves-window 5", "--waves-window 50:10", "--waves-trigger rnbc_soon"}) {
    const std::string d = fresh_dir("badwin");
    const result b = run_igbsim("run --out " + d + " " + bad);
    EXPECT_EQ(b.status, 2) << bad;
    EXPECT_EQ(std::count(b.err.begin(), b.err.end(), '\n'), 1) << b.err;
    EXPECT_FALSE(fs::exists(d));
  }
}

// ---- Live traffic -----------------------------------------------------------------------------

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

// Whether a UDP socket is bound to `port` on this host (/proc/net/udp's local_address column
// ends in the port in hex), polled every 20 ms for up to `seconds`.
bool wait_udp_bound(uint16_t port, int seconds) {
  char tail[8];
  std::snprintf(tail, sizeof tail, ":%04X", port);
  for (int i = 0; i < seconds * 50; ++i) {
    std::ifstream f("/proc/net/udp");
    std::string line;
    std::getline(f, line);  // the header
    while (std::getline(f, line)) {
      std::istringstream fields(line);
      std::string slot, local;
      fields >> slot >> local;
      if (local.size() > 5 && local.compare(local.size() - 5, 5, tail) == 0) return true;
    }
    ::usleep(20000);
  }
  return false;
}

// igbsim in live mode on a loopback port, in a child process (its output in dir.out); returns
// once the port is bound (a datagram sent before that is refused and lost), or -1.
static pid_t start_live(const std::string& dir, int port, int frames, const std::string& extra) {
  const std::string cmd = std::string(IGBSIM_BINARY) + " run --out " + dir +
                          " --quiet --set traffic.live=true" + extra +
                          " --set traffic.live_port=" + std::to_string(port) +
                          " --set traffic.frames=" + std::to_string(frames) +
                          " --set traffic.live_idle_us=20000000 > " + dir + ".out 2>&1";
  const pid_t child = ::fork();
  if (child == 0) {
    ::execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
    std::_Exit(127);
  }
  // The simulator binds its port during elaboration, which a loaded machine (or a sanitizer
  // build) may take seconds to reach: wait until /proc/net/udp lists the port bound
  if (child <= 0 || !wait_udp_bound(static_cast<uint16_t>(port), 60)) return -1;
  return child;
}

// The live child's end: exit status 0, then its report
static json finish_live(pid_t child, const std::string& dir) {
  int st = 0;
  EXPECT_EQ(::waitpid(child, &st, 0), child);
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << std::ifstream(dir + ".out").rdbuf();
  return load_report(dir);
}

// A live run says where to send before it waits, and a run no client sent to says so on its
// checks line rather than a bare "passed"
TEST(Live, ARunSaysWhereItListensAndThatNothingCame) {
  const std::string dir = fresh_dir("live-nothing");
  const int port = 20000 + (::getpid() + 7) % 20000;
  const result r = run_igbsim("run --out " + dir + " --set traffic.live=true --set " +
                              "traffic.live_port=" + std::to_string(port) +
                              " --set traffic.live_idle_us=200000");
  ASSERT_EQ(r.status, 0) << r.err;
  const std::string at = "127.0.0.1:" + std::to_string(port);
  EXPECT_EQ(r.err.rfind("igbsim: live: listening for UDP datagrams on " + at +
                            " (for example: socat - UDP:" + at +
                            "); the run ends after 0.2 s without one\n",
                        0),
            0u)
      << r.err;
  EXPECT_NE(
      r.out.find("  checks     passed, but no frame was offered: no datagram came to " + at + "\n"),
      std::string::npos)
      << r.out;
}

// A capture of TCP replayed to the UDP sockets of the default application: every segment is
// answered with a RST, nothing is delivered, and the summary names the setting that is missing
TEST(Pcap, ATcpCaptureReplayedToUdpSocketsNamesTheMissingSetting) {
  const std::string rec = fresh_dir("pcap-tcp-rec"), dir = fresh_dir("pcap-tcp-as-udp");
  ASSERT_EQ(run_igbsim("run --quiet --rx-pcap --out " + rec +
                       " --set traffic.protocol=tcp --set traffic.frames=150")
                .status,
            0);
  const result r = run_igbsim("run --out " + dir + " --set traffic.pcap=" + rec + "/rx.pcap");
  ASSERT_EQ(r.status, 0) << r.err;
  const json rep = load_report(dir);
  const uint64_t offered = rep["checks"]["offered"];
  EXPECT_EQ(rep["checks"]["delivered"], 0);
  EXPECT_NE(r.out.find(fmt::format("  hint       {0} of {0} frames were TCP segments no socket "
                                   "took (tcp_out_rsts): the capture carries TCP, but "
                                   "traffic.protocol is \"udp\"",
                                   offered)),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("set traffic.protocol = \"tcp\"\n"), std::string::npos);
  EXPECT_NE(r.out.find(fmt::format("  checks     passed, but none of the {} frames offered was "
                                   "delivered to read()",
                                   offered)),
            std::string::npos)
      << r.out;
  // With the protocol set, the same capture is delivered and no hint is printed
  const std::string ok = fresh_dir("pcap-tcp-as-tcp");
  const result r2 = run_igbsim("run --out " + ok + " --set traffic.pcap=" + rec +
                               "/rx.pcap --set traffic.protocol=tcp");
  ASSERT_EQ(r2.status, 0) << r2.err;
  EXPECT_EQ(load_report(ok)["checks"]["delivered"], offered);
  EXPECT_EQ(r2.out.find("hint"), std::string::npos) << r2.out;
}

TEST(Live, DatagramsFromARealClientAreDeliveredByteExact) {
  const std::string dir = fresh_dir("live");
  const int port = 20000 + ::getpid() % 20000;
  const int n = 40;
  const pid_t child = start_live(dir, port, n, "");
  ASSERT_GT(child, 0) << "port never bound";
  const int s = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<uint16_t>(port));
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  size_t bytes = 0;
  for (int i = 0; i < n; ++i) {
    std::vector<uint8_t> d(20 + 7 * i);
    for (size_t j = 0; j < d.size(); ++j) d[j] = static_cast<uint8_t>(i * 31 + j);
    bytes += d.size();
    ASSERT_EQ(::sendto(s, d.data(), d.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to),
              static_cast<ssize_t>(d.size()));
    ::usleep(3000);
  }
  ::close(s);
  const json rep = finish_live(child, dir);
  EXPECT_EQ(rep["checks"]["delivered"], n)
      << "every datagram reached the simulated socket (the scoreboard compares bytes)";
  EXPECT_EQ(rep["app"]["delivered_bytes"], bytes);
  EXPECT_TRUE(rep["checks"]["passed"].get<bool>());
}

// The simulated host as an echo server for a real client: each datagram comes back from the
// port it was sent to, byte for byte, before the client sends the next (request/response)
TEST(Live, ARealClientGetsItsEchoFromTheSimulatedServer) {
  const std::string dir = fresh_dir("live-echo");
  const int port = 20000 + (::getpid() + 7919) % 20000;
  const int n = 12;
  const pid_t child = start_live(dir, port, n, " --set app.reply=echo");
  ASSERT_GT(child, 0) << "port never bound";
  const int s = ::socket(AF_INET, SOCK_DGRAM, 0);
  timeval tv{20, 0};  // a loaded machine (or a sanitizer build) may be slow
  ::setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<uint16_t>(port));
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int echoed = 0;
  for (int i = 0; i < n; ++i) {
    // the last over the MTU (1508 IP bytes): its reply leaves in two fragments, and reaches
    // the client whole
    std::vector<uint8_t> d(i == n - 1 ? 1480 : 1 + 37 * i);
    for (size_t j = 0; j < d.size(); ++j) d[j] = static_cast<uint8_t>(i * 17 + j * 3);
    ASSERT_EQ(::sendto(s, d.data(), d.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to),
              static_cast<ssize_t>(d.size()));
    std::vector<uint8_t> back(2048);
    sockaddr_in from{};
    socklen_t fl = sizeof from;
    const ssize_t got =
        ::recvfrom(s, back.data(), back.size(), 0, reinterpret_cast<sockaddr*>(&from), &fl);
    ASSERT_EQ(got, static_cast<ssize_t>(d.size())) << "datagram " << i << ": no echo in time";
    back.resize(static_cast<size_t>(got));
    EXPECT_EQ(back, d) << "datagram " << i;
    EXPECT_EQ(ntohs(from.sin_port), port) << "from the port the client sent to";
    ++echoed;
  }
  ::close(s);
  const json rep = finish_live(child, dir);
  EXPECT_EQ(echoed, n);
  EXPECT_EQ(rep["tx"]["echo"]["answered"], n) << "the tx scoreboard matched every reply";
  EXPECT_EQ(rep["wire"]["live"]["sent_back"], n);
  EXPECT_EQ(rep["wire"]["live"]["send_errors"], 0);
  EXPECT_EQ(rep["latency_ns"]["rr"]["count"], n);
  EXPECT_EQ(rep["tx"]["stack"]["ip_frag_oks"], 1);
  EXPECT_TRUE(rep["checks"]["passed"].get<bool>());
}

TEST(Live, OnlyLoopbackAddressesAreListenedOn) {
  const std::string dir = fresh_dir("live-bad");
  const result r = run_igbsim("run --out " + dir +
                              " --set traffic.live=true --set traffic.live_addr=192.168.1.10");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("loopback"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir));
}

TEST(Plots, RunAndSweepPlotsArePngFilesDrawnByGnuplot) {
  auto is_png = [](const std::string& f) {
    std::ifstream in(f, std::ios::binary);
    char magic[8] = {};
    in.read(magic, 8);
    return fs::exists(f) && fs::file_size(f) > 5000 && std::string(magic + 1, 3) == "PNG";
  };
  const std::string dir = fresh_dir("plots");
  ASSERT_EQ(run_igbsim("run --out " + dir + " --plots --set traffic.frames=500").status, 0);
  EXPECT_TRUE(is_png(dir + "/plots/latency_cdf.png"));
  EXPECT_TRUE(is_png(dir + "/plots/latency_breakdown.png"));
  const std::string sw = fresh_dir("plots-sweep");
  fs::create_directories(sw);
  std::ofstream(sw + "/s.toml")
      << "[set]\n\"traffic.frames\" = 300\n[axes]\n\"traffic.rate_pct\" = [5, 20, 40]\n"
         "\"driver.itr\" = [\"off\", \"dynamic\"]\n";
  ASSERT_EQ(run_igbsim("sweep " + sw + "/s.toml --out " + sw + "/out").status, 0);
  for (const char* m : {"delivered", "dropped", "irqs_per_delivered", "latency_p50", "latency_p99"})
    EXPECT_TRUE(is_png(sw + "/out/plots/sweep_" + std::string(m) + ".png")) << m;
}

// What the run's plots say: the CDF is of the end-to-end time alone (a step's own time is not
// on its scale); the breakdown is one linear bar whose segments are the steps' means as
// report.json has them, named as the protocol names them, beside the mean end to end
TEST(Plots, TheBreakdownStacksEachStepsMeanAndNamesTheTcpStep) {
  const std::string dir = fresh_dir("plots-tcp");
  ASSERT_EQ(run_igbsim("run --out " + dir +
                       " --plots --set traffic.protocol=tcp --set traffic.frames=400")
                .status,
            0);
  const json rep = load_report(dir);
  std::ifstream cdf(dir + "/plots/latency_cdf.gp");
  const std::string gp((std::istreambuf_iterator<char>(cdf)), std::istreambuf_iterator<char>());
  size_t curves = 0;
  for (size_t at = 0; (at = gp.find("using 1:2", at)) != std::string::npos; ++at) ++curves;
  EXPECT_EQ(curves, 1u) << gp;
  std::ifstream bar(dir + "/plots/latency_breakdown.gp");
  const std::string bgp((std::istreambuf_iterator<char>(bar)), std::istreambuf_iterator<char>());
  EXPECT_EQ(bgp.find("logscale"), std::string::npos) << "a linear scale";
  EXPECT_NE(bgp.find("rowstacked"), std::string::npos);
  std::ifstream dat(dir + "/plots/latency_breakdown.dat");
  std::string head, steps_row, e2e_row;
  std::getline(dat, head);
  std::getline(dat, steps_row);
  std::getline(dat, e2e_row);
  std::vector<std::string> names;
  std::istringstream h(head);
  for (std::string n; h >> n;) names.push_back(n);
  ASSERT_GT(names.size(), 5u);
  EXPECT_NE(std::find(names.begin(), names.end(), "tcp_v4_rcv"), names.end()) << head;
  EXPECT_EQ(std::find(names.begin(), names.end(), "udp_rcv"), names.end()) << head;
  EXPECT_EQ(names.back(), "end_to_end");
  const auto values = [](const std::string& row) {
    std::vector<double> v;
    std::istringstream in(row.substr(row.rfind('"') + 1));
    for (double x; in >> x;) v.push_back(x);
    return v;
  };
  const std::vector<double> step_us = values(steps_row), e2e_us = values(e2e_row);
  ASSERT_EQ(step_us.size(), names.size() - 1);
  ASSERT_EQ(e2e_us.size(), names.size() - 1);
  const json& lat = rep["latency_ns"];
  for (size_t i = 1; i + 1 < names.size(); ++i) {
    const std::string key = names[i] == "tcp_v4_rcv" ? "udp_rcv" : names[i];
    const double want = lat[key]["mean"].get<double>() / 1000.0;
    EXPECT_NEAR(step_us[i - 1], want, 1e-3 * want + 1e-6) << names[i];
    EXPECT_EQ(e2e_us[i - 1], 0.0);
  }
  EXPECT_NEAR(e2e_us.back(), lat["end_to_end"]["mean"].get<double>() / 1000.0,
              1e-3 * lat["end_to_end"]["mean"].get<double>() / 1000.0);
}

// ---- Planted bugs and the checkers that catch them ----------------------------------------

struct planted_bug {
  std::string fault;  // the fault.* switch
  std::string
      setting;  // what the scenario needs to expose it (the same run without the fault is clean)
  std::string checker;  // the violation that names it first
};
void PrintTo(const planted_bug& b, std::ostream* os) { *os << b.fault; }

class PlantedBug : public ::testing::TestWithParam<planted_bug> {};

TEST_P(PlantedBug, IsCaughtByItsNamedCheckerAndTheSameRunWithoutItIsClean) {
  const planted_bug& bug = GetParam();
  const std::string args = " --set traffic.frames=2000" + bug.setting;
  const std::string clean = fresh_dir("clean-" + bug.checker);
  ASSERT_EQ(run_igbsim("run --out " + clean + args).status, 0)
      << "without the fault the run has no violation";
  const std::string dir = fresh_dir("fault-" + bug.checker);
  const result r = run_igbsim("run --out " + dir + args + " --set " + bug.fault);
  EXPECT_EQ(r.status, 3) << "a violation ends the run with exit 3: " << r.out;
  const json rep = load_report(dir);
  ASSERT_FALSE(rep["checks"]["violations"].empty());
  const json& v = rep["checks"]["violations"][0];
  EXPECT_EQ(v["kind"], bug.checker) << v.dump();
  EXPECT_GT(v["time_ns"].get<double>(), 0.0);
  EXPECT_FALSE(v["detail"].get<std::string>().empty());
  EXPECT_FALSE(rep["checks"]["passed"].get<bool>());
}

INSTANTIATE_TEST_SUITE_P(
    Checkers, PlantedBug,
    ::testing::Values(
        // driver bugs
        planted_bug{"fault.lose_eims_write=5", "", "stranded_packet"},
        planted_bug{"fault.eims_before_complete=true", "", "irq_enabled_while_napi_scheduled"},
        planted_bug{"fault.ignore_complete_result=true",
                    " --set kernel.napi_defer_hard_irqs=2 --set kernel.gro_flush_timeout_ns=20000",
                    "irq_enabled_after_napi_complete_false"},
        planted_bug{"fault.budget_complete=true", " --set traffic.rate_pct=80",
                    "napi_completed_with_full_budget"},
        planted_bug{"fault.skip_tail_write=3", " --set nic.rx_ring=80 --set nic.queues=4",
                    "tail_not_written"},
        planted_bug{"fault.no_dma_rmb=true", "", "desc_read_before_completion"},
        planted_bug{"fault.stale_marker=true", "", "desc_before_writeback"},
        planted_bug{"fault.tail_equals_head=true", "", "tail_equals_head"},
        planted_bug{
            "fault.refill_stack_owned=true",
            " --set traffic.rate_pct=100 --set nic.rx_ring=80 --set kernel.rmem_default=4194304",
            "dma_into_stack_owned_buffer"},
        // hardware bugs in the RTL
        planted_bug{"fault.msix_while_masked=true", "", "rtl_assertion"},
        planted_bug{"fault.dd_before_data=true", "", "writeback_before_data"},
        planted_bug{"fault.rdt_inclusive=true", " --set traffic.rate_pct=100 --set nic.rx_ring=80",
                    "descriptor_outside_ring"},
        planted_bug{"fault.eitr_ignored=true", "", "msix_inside_eitr_interval"}),
    [](const ::testing::TestParamInfo<planted_bug>& i) {
  std::string n = i.param.fault.substr(6, i.param.fault.find('=') - 6);
  return n;
    });

// The transmit half: a sender (send.*) and nothing received. Each planted bug is named by its
// checker first; the same run without it is clean.
class PlantedTxBug : public ::testing::TestWithParam<planted_bug> {};

TEST_P(PlantedTxBug, IsCaughtByItsNamedCheckerAndTheSameRunWithoutItIsClean) {
  const planted_bug& bug = GetParam();
  const std::string args =
      " --set traffic.frames=0 --set send.frames=300 --set send.flows=2" + bug.setting;
  const std::string clean = fresh_dir("clean-" + bug.checker);
  const result c = run_igbsim("run --out " + clean + args);
  ASSERT_EQ(c.status, 0) << "without the fault the run has no violation: " << c.out;
  const json crep = load_report(clean);
  EXPECT_TRUE(crep["checks"]["violations"].empty()) << crep["checks"]["violations"].dump();
  EXPECT_GT(crep["tx"]["nic"]["gptc"].get<uint64_t>(), 0u) << "the clean run sent frames";
  const std::string dir = fresh_dir("fault-" + bug.checker);
  const result r = run_igbsim("run --out " + dir + args + " --set " + bug.fault);
  EXPECT_EQ(r.status, 3) << "a violation ends the run with exit 3: " << r.out;
  const json rep = load_report(dir);
  ASSERT_FALSE(rep["checks"]["violations"].empty());
  const json& v = rep["checks"]["violations"][0];
  EXPECT_EQ(v["kind"], bug.checker) << v.dump();
  EXPECT_GT(v["time_ns"].get<double>(), 0.0);
  EXPECT_FALSE(v["detail"].get<std::string>().empty());
  EXPECT_FALSE(rep["checks"]["passed"].get<bool>());
}

INSTANTIATE_TEST_SUITE_P(
    Checkers, PlantedTxBug,
    ::testing::Values(
        // driver bugs. The late descriptor stores land when the driver next enters the ring:
        // a slow sender leaves the NIC time to fetch before that
        planted_bug{"fault.tx_tdt_before_desc=true", " --set send.rate_pct=1",
                    "tx_desc_read_before_written"},
        // (at the default sim.drain_us: the drain waits for the checkers' verdict)
        planted_bug{"fault.tx_no_rs=true", "", "tx_completion_missing"},
        planted_bug{"fault.tx_free_before_dd=true", "", "tx_buffer_freed_before_dd"},
        // the smallest ring at line rate fills, and the driver stops the queue
        planted_bug{"fault.tx_never_wake=true", " --set nic.tx_ring=80 --set send.rate_pct=100",
                    "tx_timeout"},
        planted_bug{"fault.tx_tdt_beyond_ring=true", "", "tdt_outside_ring"},
        // hardware bugs in the RTL
        planted_bug{"fault.tx_dd_before_data=true", "", "tx_writeback_before_data"},
        planted_bug{"fault.tx_bad_csum=true", "", "tx_bad_checksum"}),
    [](const ::testing::TestParamInfo<planted_bug>& i) {
  std::string n = i.param.fault.substr(6, i.param.fault.find('=') - 6);
  return n;
    });

// A few random valid sender configurations (a fixed seed: the same ones every run) run clean:
// the transmit checkers see nothing in a correct driver and NIC, whatever the frame size,
// flows, threads, rate, blocking, ring size and watchdog timeout
TEST(TxCheckers, RandomValidSenderConfigurationsRunClean) {
  std::mt19937 rng(22);
  auto pick = [&](std::initializer_list<const char*> v) {
    return *(v.begin() + std::uniform_int_distribution<size_t>(0, v.size() - 1)(rng));
  };
  for (int n = 0; n < 3; ++n) {
    const std::string rx_frames = pick({"0", "200"}), frames = pick({"50", "400"});
    const std::string flows = pick({"1", "3", "8"});
    // At most a thread per flow (more is refused)
    const std::string drawn = pick({"1", "2"}), threads = flows == "1" ? "1" : drawn;
    const std::string args = " --set traffic.frames=" + rx_frames + " --set send.frames=" + frames +
                             " --set send.flows=" + flows + " --set send.threads=" + threads +
                             " --set kernel.cores=" + pick({"1", "2"}) +
                             " --set send.frame_bytes=" + pick({"64", "333", "1518"}) +
                             " --set send.rate_pct=" + pick({"5", "50", "100"}) +
                             " --set send.blocking=" + pick({"true", "false"}) +
                             " --set nic.tx_ring=" + pick({"80", "256", "1024"}) +
                             " --set sim.tx_timeout_us=" + pick({"50000", "100000"});
    const std::string dir = fresh_dir("tx-random-" + std::to_string(n));
    const result r = run_igbsim("run --out " + dir + args);
    ASSERT_EQ(r.status, 0) << args << "\n" << r.out << r.err;
    const json rep = load_report(dir);
    EXPECT_TRUE(rep["checks"]["violations"].empty()) << args << rep["checks"]["violations"].dump();
  }
}

TEST(Repeatable, SameScenarioAndSeedGiveAnIdenticalReportAndAByteIdenticalWaveform) {
  const std::string a = fresh_dir("same-a"), b = fresh_dir("same-b");
  const std::string args = " --waves --seed 11 --set traffic.pattern=poisson --set traffic.flows=8 "
                           "--set traffic.frames=800"
                           " --set kernel.cores=2";
  ASSERT_EQ(run_igbsim("run --out " + a + args).status, 0);
  ASSERT_EQ(run_igbsim("run --out " + b + args).status, 0);
  json ra = load_report(a), rb = load_report(b);
  ra["sim"].erase("wall_s");
  rb["sim"].erase("wall_s");
  EXPECT_EQ(ra, rb) << "apart from the wall-clock time";
  auto bytes = [](const std::string& f) {
    std::ifstream in(f, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  };
  const std::string wa = bytes(a + "/waves.fst"), wb = bytes(b + "/waves.fst");
  EXPECT_GT(wa.size(), 10000u);
  EXPECT_TRUE(wa == wb) << "waves.fst differs between two identical runs";
  EXPECT_TRUE(bytes(a + "/journey.csv") == bytes(b + "/journey.csv"));
}

TEST(Repeatable, WaveformsWrittenSideBySideAreReadableAndIdentical) {
  // Three runs at once on two cores: the FST writer's block threads then start late, which
  // Verilator's writer did not wait for (verilated/fst_writer_fix.cmake): most such files were
  // unreadable. 3,000 frames make several blocks.
  const std::string args =
      " --waves --set traffic.rate_pct=30 --set traffic.frames=3000 >/dev/null 2>&1";
  std::vector<std::string> dirs;
  std::string cmd;
  for (const char* n : {"side-a", "side-b", "side-c"}) {
    dirs.push_back(fresh_dir(n));
    cmd += std::string(IGBSIM_BINARY) + " run --out " + dirs.back() + args + " & ";
  }
  ASSERT_EQ(std::system((cmd + "wait").c_str()), 0);
  auto bytes = [](const std::string& f) {
    std::ifstream in(f, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  };
  EXPECT_GE(fst_blocks(dirs[0] + "/waves.fst"), 3u);
  for (const auto& d : dirs) {
    ASSERT_EQ(load_report(d)["checks"]["lost_unaccounted"], 0) << d;
    size_t n = 0;
    EXPECT_NO_THROW(n = read_fst(d + "/waves.fst", {"nic.clk_i", "nic.dma_wdata_valid_o"}).size())
        << d;
    EXPECT_GT(n, 1000u) << d;
    EXPECT_TRUE(bytes(d + "/waves.fst") == bytes(dirs[0] + "/waves.fst")) << d;
  }
}

TEST(Waves, TriggerOnTheFirstFrameWithoutADescriptor) {
  const std::string dir = fresh_dir("trigger-rnbc");
  const result r = run_igbsim("run " + std::string(IGBSIM_SOURCE_DIR) +
                              "/scenarios/ring_starvation.toml --out " + dir +
                              " --waves-trigger rnbc --waves-pre 5 --waves-post 30");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("rnbc at"), std::string::npos) << r.out;
  EXPECT_TRUE(fs::exists(dir + "/waves.fst"));
  const json rep = load_report(dir);
  EXPECT_LE(rep["events_first_ns"]["rnbc"].get<double>(),
            rep["events_first_ns"]["mpc"].get<double>())
      << "a frame waits for a descriptor before the buffer overflows";
  EXPECT_GT(rep["nic"]["rnbc"].get<uint64_t>(), 0u);
}

// --- The end of a run, host memory and the limits of a run (issue 19) -------------------------

// A capture of `n` frames of `c`, frame i at second `sec(i)` (microseconds 0).
static void write_capture(const std::string& path, const traffic_config& c, int n,
                          const std::function<uint32_t(int)>& sec) {
  pcap_t* p = pcap_open_dead(DLT_EN10MB, 65535);
  pcap_dumper_t* d = pcap_dump_open(p, path.c_str());
  ASSERT_NE(d, nullptr);
  for (int i = 0; i < n; ++i) {
    std::vector<uint8_t> f;
    traffic_source::build_frame(c, static_cast<uint64_t>(i), static_cast<uint32_t>(i) % c.flows,
                                static_cast<uint64_t>(i) / c.flows, f);
    pcap_pkthdr h{};
    h.ts.tv_sec = sec(i);
    h.len = h.caplen = static_cast<bpf_u_int32>(f.size());
    pcap_dump(reinterpret_cast<u_char*>(d), &h, f.data());
  }
  pcap_dump_close(d);
  pcap_close(p);
}

TEST(Drain, ASlowSystemDrainsToTheEndAndWhatABoundCutsOffIsInFlightNotLost) {
  // 32 threads: ksoftirqd gets a thirty-third of the core, the last frames take tens of ms.
  const std::string a = fresh_dir("drain-full"), b = fresh_dir("drain-cut");
  ASSERT_EQ(run_igbsim("run --out " + a + " --set app.threads=32").status, 0);
  const json full = load_report(a);
  EXPECT_TRUE(full["checks"]["drained"].get<bool>());
  EXPECT_EQ(full["checks"]["in_flight"], 0);
  EXPECT_EQ(full["checks"]["lost_unaccounted"], 0);
  EXPECT_EQ(full["checks"]["delivered"].get<uint64_t>() + sum_dropped(full),
            full["checks"]["offered"].get<uint64_t>());
  // The same run cut off 1 ms after its last frame: frames are still in the NIC and the ring.
  const result r = run_igbsim("run --out " + b + " --set app.threads=32 --set sim.drain_us=1000");
  ASSERT_EQ(r.status, 0) << r.out
                         << "frames in flight are no violation; the NIC counters account for them";
  const json cut = load_report(b);
  EXPECT_FALSE(cut["checks"]["drained"].get<bool>());
  const uint64_t in_flight = cut["checks"]["in_flight"].get<uint64_t>();
  EXPECT_GT(in_flight, 0u);
  uint64_t placed = 0;
  for (const auto& kv : cut["checks"]["in_flight_at"].items()) placed += kv.value().get<uint64_t>();
  EXPECT_EQ(placed, in_flight) << "every frame in flight has its place";
  EXPECT_EQ(cut["checks"]["lost_unaccounted"], 0);
  EXPECT_EQ(cut["checks"]["delivered"].get<uint64_t>() + sum_dropped(cut) + in_flight,
            cut["checks"]["offered"].get<uint64_t>());
  EXPECT_LT(cut["sim"]["sim_time_ns"].get<double>(), full["sim"]["sim_time_ns"].get<double>());
  EXPECT_NE(r.out.find("in flight"), std::string::npos) << r.out;
  // Every journey row without a fate says so
  size_t rows_in_flight = 0;
  for (const auto& row : load_journey(b)) rows_in_flight += row.fate == "in_flight";
  EXPECT_EQ(rows_in_flight, in_flight);
}

TEST(Drain, AFrameStrandedByADriverBugIsInItsRingAndCaughtNotLost) {
  const std::string dir = fresh_dir("drain-stranded");
  const result r =
      run_igbsim("run --out " + dir + " --set traffic.frames=2000 --set fault.lose_eims_write=5");
  EXPECT_EQ(r.status, 3);
  const json rep = load_report(dir);
  EXPECT_EQ(rep["checks"]["violations"][0]["kind"], "stranded_packet");
  EXPECT_GT(rep["checks"]["in_flight_at"].value("ring", 0), 0) << rep["checks"].dump();
  EXPECT_EQ(rep["checks"]["lost_unaccounted"], 0);
}

TEST(Drain, FramesQueuedAtTheSenderAreTimedFromTheWireNotFromTheirTimestamps) {
  // 1,000 frames with one timestamp: 672 us on the wire, more than the 300 us drain after it.
  const std::string dir = fresh_dir("drain-queued");
  fs::create_directories(dir);
  traffic_config c;
  write_capture(dir + "/same.pcap", c, 1000, [](int) { return 1700000000u; });
  const result r =
      run_igbsim("run --out " + dir + "/out --set traffic.pcap=" + dir +
                 "/same.pcap --set sim.drain_us=300 --set kernel.rmem_default=4194304");
  ASSERT_EQ(r.status, 0) << r.out;
  const json rep = load_report(dir + "/out");
  EXPECT_EQ(rep["checks"]["lost_unaccounted"], 0);
  EXPECT_GT(rep["sim"]["sim_time_ns"].get<double>(), 672e3 + 300e3)
      << "the drain began at the last frame's wire end";
}

TEST(Traffic, ADurationOffersTheFramesWhoseTimesFallInsideIt) {
  const std::string dir = fresh_dir("duration");
  ASSERT_EQ(run_igbsim("run --out " + dir +
                       " --set traffic.duration_us=1000 --set traffic.rate_pps=100000")
                .status,
            0);
  EXPECT_EQ(load_report(dir)["wire"]["frames_offered"], 100)
      << "frames at 0, 10, ..., 990 us; none at 1000 us";
}

TEST(Traffic, RatesTheWireCannotCarryAndRunsPastTheLongestAreRefusedBeforeRunning) {
  const std::string dir = fresh_dir("limits");
  for (const std::string& args :
       {std::string(" --set traffic.rate_pps=1488095 --set traffic.frame_bytes=1518"),
        std::string(" --set traffic.rate_mbps=1000"),
        std::string(" --set traffic.rate_pps=1e-300")}) {
    const result r = run_igbsim("run --out " + dir + args);
    EXPECT_EQ(r.status, 2) << args;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find("traffic.rate_"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(dir));
  }
  EXPECT_EQ(run_igbsim("run --out " + dir + " --set traffic.rate_pct=100 --set traffic.frames=100")
                .status,
            0)
      << "line rate itself is fine";
}

TEST(Traffic, AnIdleHourCostsMillisecondsAndACaptureSpanningCenturiesIsRefused) {
  const std::string dir = fresh_dir("idle");
  fs::create_directories(dir);
  traffic_config c;
  write_capture(dir + "/hour.pcap", c, 4,
                [](int i) { return 1700000000u + (i >= 2 ? 3600u : 0u); });
  write_capture(dir + "/far.pcap", c, 4, [](int i) { return i >= 2 ? 4000000000u : 0u; });
  // The hour is skipped, not ticked (its wall time is a figure of make bench: idle_hour)
  const result r =
      run_igbsim("run --out " + dir + "/hour --set traffic.pcap=" + dir + "/hour.pcap");
  ASSERT_EQ(r.status, 0) << r.err;
  const json rep = load_report(dir + "/hour");
  EXPECT_GT(rep["sim"]["sim_time_ns"].get<double>(), 3600e9);
  EXPECT_EQ(rep["checks"]["delivered"], 4);
  EXPECT_GT(rep["sim"]["rtl_cycles_skipped"].get<double>(),
            1e6 * rep["sim"]["rtl_cycles"].get<double>());
  const result far =
      run_igbsim("run --out " + dir + "/far --set traffic.pcap=" + dir + "/far.pcap");
  EXPECT_EQ(far.status, 2) << "4e9 s apart: never wrapped into the past";
  EXPECT_NE(far.err.find("traffic.pcap"), std::string::npos) << far.err;
}

TEST(HostMemory, IsSizedForLargeRingsAndRefusedBeyondItsLimit) {
  const std::string dir = fresh_dir("hostmem");
  ASSERT_EQ(run_igbsim("run --out " + dir + " --set nic.rx_ring=4096 --set traffic.flows=3").status,
            0);
  const json rep = load_report(dir);
  EXPECT_EQ(rep["checks"]["lost_unaccounted"], 0);
  for (const auto& kv : rep["ethtool"].items()) {
    if (kv.key().find("alloc_failed") != std::string::npos) {
      EXPECT_EQ(kv.value(), 0) << kv.key();
    }
  }
  const result r = run_igbsim("run --out " + dir +
                              "-big --set app.sockets=100000 --set kernel.rmem_default=1073741824"
                              " --set traffic.frames=100000000");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("host memory"), std::string::npos) << r.err;
}

TEST(Wakeup, EveryBlockingSocketHasAReader) {
  const std::string dir = fresh_dir("blocking-all");
  ASSERT_EQ(run_igbsim("run --out " + dir +
                       " --set app.kind=blocking --set app.sockets=8 --set traffic.flows=8")
                .status,
            0);
  const json rep = load_report(dir);
  EXPECT_EQ(rep["app"]["threads"], 8) << "one reader per socket";
  EXPECT_EQ(rep["checks"]["delivered"], rep["checks"]["offered"]);
  const result r =
      run_igbsim("run --out " + dir + "-many --set app.kind=blocking --set app.sockets=5000");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("app.sockets"), std::string::npos) << r.err;
}

// A socket whose reader takes 1 ms per read holds what a burst brings until its receive buffer
// is full; the count it takes steps at multiples of the skbs' truesize (the rcvbuf test of
// __udp_enqueue_schedule_skb compares truesize sums with sk_rcvbuf). Delivered datagrams are
// those the socket took, so one byte less of rcvbuf costs one datagram exactly where rcvbuf
// crosses a multiple of truesize, and nothing elsewhere.
namespace {
uint64_t delivered_with_rcvbuf(const std::string& name, uint32_t rcvbuf, const std::string& extra) {
  const std::string dir = fresh_dir(name + std::to_string(rcvbuf));
  const result r = run_igbsim(
      "run --quiet --out " + dir + " --set traffic.frames=60 --set traffic.rate_pct=100 " +
      "--set kernel.cores=2 --set app.cpu=1 --set kernel.irq_affinity=core0 " +
      "--set cost.recvmsg_ns=1000000 --set kernel.rmem_default=" + std::to_string(rcvbuf) + " " +
      extra);
  EXPECT_EQ(r.status, 0) << r.err << r.out;
  const json rep = load_report(dir);
  EXPECT_GT(rep["stack"]["udp_rcvbuf_errors"].get<uint64_t>(), 0u)
      << "the burst overflows the socket";
  EXPECT_EQ(rep["checks"]["delivered"].get<uint64_t>() +
                rep["stack"]["udp_rcvbuf_errors"].get<uint64_t>(),
            60u);
  return rep["checks"]["delivered"].get<uint64_t>();
}
}  // namespace

TEST(Truesize, BuildSkbChargesSkbTruesizeOfTwoKilobytesLessSharedInfo) {
  // igb_build_skb: napi_build_skb(page half of 2048 bytes) -> SKB_TRUESIZE(2048 - 320) =
  // 1728 + SKB_DATA_ALIGN(sizeof(sk_buff)) 256 + SKB_DATA_ALIGN(sizeof(skb_shared_info)) 320
  constexpr uint32_t truesize = (2048 - 320) + 256 + 320;
  EXPECT_EQ(delivered_with_rcvbuf("ts-build", 10 * truesize, ""),
            delivered_with_rcvbuf("ts-build", 10 * truesize - 1, "") + 1)
      << "a step where rcvbuf crosses 10 x " << truesize;
  EXPECT_EQ(delivered_with_rcvbuf("ts-build", 11 * 2048, ""),
            delivered_with_rcvbuf("ts-build", 11 * 2048 - 1, ""))
      << "no step at a multiple of 2048, the half page alone";
}

TEST(Truesize, ConstructSkbChargesTheOneKilobyteHeadItCopiesInto) {
  // igb_construct_skb copies a 64-byte frame whole into napi_alloc_skb(256): its 320 bytes with
  // NET_SKB_PAD fit SKB_WITH_OVERHEAD(1024), a 1 KB head: SKB_TRUESIZE(1024 - 320) = 704 + 256 +
  // 320
  constexpr uint32_t truesize = (1024 - 320) + 256 + 320;
  const std::string construct = "--set driver.rx_path=construct_skb";
  EXPECT_EQ(delivered_with_rcvbuf("ts-construct", 10 * truesize, construct),
            delivered_with_rcvbuf("ts-construct", 10 * truesize - 1, construct) + 1)
      << "a step where rcvbuf crosses 10 x " << truesize;
}

TEST(Napi, GroFlushTimeoutAloneKeepsGroPacketsOfTheCurrentJiffyUntilItsTimerPolls) {
  // napi_complete_done: a completion that did work while GRO holds packets takes
  // gro_flush_timeout as its timeout even without napi_defer_hard_irqs: napi_gro_flush(n, true)
  // keeps the packets that came in this jiffy and the hrtimer polls again after the timeout.
  // Segments of a stream so merge across completions, and wait for the timer.
  auto run = [](const std::string& timeout) {
    const std::string dir = fresh_dir("gro-timeout-" + timeout);
    const result r = run_igbsim("run --quiet --out " + dir +
                                " --set traffic.protocol=tcp --set traffic.frames=3000 " +
                                "--set traffic.frame_bytes=1518 --set traffic.rate_pct=50 --set "
                                "kernel.gro_flush_timeout_ns=" +
                                timeout);
    EXPECT_EQ(r.status, 0) << r.err << r.out;
    return load_report(dir);
  };
  const json off = run("0"), on = run("200000");
  EXPECT_EQ(on["checks"]["delivered"], 3000);
  EXPECT_GT(on["stack"]["gro_merged"].get<uint64_t>(), off["stack"]["gro_merged"].get<uint64_t>())
      << "held over completions, more segments merge";
  EXPECT_GT(on["latency_ns"]["end_to_end"]["p50"].get<double>(),
            off["latency_ns"]["end_to_end"]["p50"].get<double>() + 100000)
      << "a held segment waits for the 200 us timer";
}

TEST(Napi, NetRxActionsTimeLimitIsCountedInJiffies) {
  // time_limit = jiffies + usecs_to_jiffies(netdev_budget_usecs), rounded up: at HZ=1000 a
  // budget of 1 us and one of 1000 us are both one jiffy, so net_rx_action stops (time_squeeze)
  // at the same tick boundaries; at HZ=100 a jiffy is 10 ms and the 13 ms run crosses fewer.
  auto squeezes = [](const std::string& usecs, const std::string& hz) {
    const std::string dir = fresh_dir("jiffies-" + usecs + "-" + hz);
    const result r = run_igbsim(
        "run " + std::string(IGBSIM_SOURCE_DIR) + "/scenarios/napi_budget.toml --quiet --out " +
        dir + " --set kernel.netdev_budget=100000 --set kernel.netdev_budget_usecs=" + usecs +
        " --set kernel.hz=" + hz);
    EXPECT_EQ(r.status, 0) << r.err << r.out;
    return load_report(dir)["softnet"]["time_squeeze"].get<uint64_t>();
  };
  const uint64_t one_us = squeezes("1", "1000");
  EXPECT_GT(one_us, 0u);
  EXPECT_EQ(one_us, squeezes("1000", "1000"));
  EXPECT_LT(squeezes("1", "100"), one_us);
  const result bad = run_igbsim("run --out " + fresh_dir("hz-bad") + " --set kernel.hz=500");
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.err.find("kernel.hz"), std::string::npos) << bad.err;
}

TEST(Softirq, KsoftirqdsPassesAndPacketsAreReportedAndItRunsOnTheWaveform) {
  // napi_budget: one core at 80 % of line rate with 64-byte frames. __do_softirq runs out of
  // restarts and wakes ksoftirqd, which then takes most of the packets.
  auto run = [](const std::string& name, const std::string& args) {
    const std::string dir = fresh_dir(name);
    const result r = run_igbsim("run --quiet --waves --out " + dir + " " + args);
    EXPECT_EQ(r.status, 0) << r.err << r.out;
    EXPECT_NE(r.out.find("  softirq    "), std::string::npos) << "a summary line: " << r.out;
    return dir;
  };
  auto ksoftirqd_ran = [](const std::string& dir) {  // sw.ksoftirqd0_state: 0 = running
    uint64_t running = 0;
    bool first = true;
    for (const auto& c : read_fst(dir + "/waves.fst", {"sw.ksoftirqd0_state_i"})) {
      const uint64_t v = bits_to_u64(c.value);
      if (first) {
        EXPECT_EQ(v, 2u) << "ksoftirqd starts asleep (TASK_INTERRUPTIBLE)";
      }
      first = false;
      running += v == 0;
    }
    return running;
  };
  const std::string busy =
      run("ksoftirqd-busy", std::string(IGBSIM_SOURCE_DIR) + "/scenarios/napi_budget.toml");
  const json b = load_report(busy)["softnet"];
  for (const json& c : b["per_cpu"]) {
    EXPECT_EQ(c["packets_irq_exit"].get<uint64_t>() + c["packets_ksoftirqd"].get<uint64_t>(),
              c["processed"].get<uint64_t>())
        << "every packet is taken by a softirq pass at irq_exit or in ksoftirqd";
  }
  EXPECT_GT(b["softirq_ksoftirqd_passes"].get<uint64_t>(), 0u);
  EXPECT_GT(b["packets_ksoftirqd"].get<uint64_t>(), b["packets_irq_exit"].get<uint64_t>())
      << "ksoftirqd does most of the work";
  EXPECT_GT(ksoftirqd_ran(busy), 0u) << "ksoftirqd runs on the waveform";

  const std::string light =
      run("ksoftirqd-light", "--set traffic.rate_pct=1 --set traffic.frames=200");
  const json l = load_report(light)["softnet"];
  EXPECT_EQ(l["softirq_ksoftirqd_passes"], 0u);
  EXPECT_EQ(l["packets_ksoftirqd"], 0u);
  EXPECT_EQ(l["packets_irq_exit"], l["processed"]);
  EXPECT_GT(l["softirq_irq_exit_passes"].get<uint64_t>(), 0u);
  EXPECT_EQ(ksoftirqd_ran(light), 0u) << "a light load never wakes ksoftirqd";
}

// ---- --journey all | off | sample=N -------------------------------------------------------

namespace {
std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream f(path);
  std::vector<std::string> v;
  for (std::string l; std::getline(f, l);) v.push_back(l);
  return v;
}
// The rows of a journey file (header first) whose id (first column) keep() keeps
std::vector<std::string> kept_rows(const std::vector<std::string>& all,
                                   const std::function<bool(uint64_t)>& keep) {
  std::vector<std::string> v{all.at(0)};
  for (size_t i = 1; i < all.size(); ++i)
    if (keep(std::stoull(all[i].substr(0, all[i].find(','))))) v.push_back(all[i]);
  return v;
}
// report.json without what differs between runs of one scenario: wall time and sim.journey
json comparable(json r) {
  r["sim"].erase("wall_s");
  r["sim"].erase("journey");
  return r;
}
}  // namespace

// A run that receives and sends, three ways: every journey row (the default), one in 7 (set in a
// scenario file: frames 0, 7, 14 ..., datagrams 1, 8, 15 ...), and none. The sampled files hold
// exactly the `all` run's rows of those ids, in the same order; the off run writes neither
// file and `igbsim journey` says why in one line; the reports agree, latencies included.
TEST(EndToEnd, JourneyAllOffAndSampleKeepTheSameRows) {
  const std::string base = fresh_dir("journey-modes");
  fs::create_directories(base);
  const std::string traffic =
      " --quiet --set traffic.frames=400 --set send.frames=300 --set send.rate_pct=10";
  const std::string all = base + "/all", sampled = base + "/sample", off = base + "/off";
  ASSERT_EQ(run_igbsim("run --out " + all + traffic).status, 0);
  std::ofstream(base + "/sample.toml") << "[sim]\njourney = \"sample=7\"\n";
  ASSERT_EQ(run_igbsim("run " + base + "/sample.toml --out " + sampled + traffic).status, 0);
  ASSERT_EQ(run_igbsim("run --journey off --out " + off + traffic).status, 0);

  const auto rx_all = lines_of(all + "/journey.csv"), tx_all = lines_of(all + "/tx_journey.csv");
  ASSERT_EQ(rx_all.size(), 401u) << "a row per frame";
  ASSERT_EQ(tx_all.size(), 301u) << "a row per datagram";
  const auto rx_kept = kept_rows(rx_all, [](uint64_t id) { return id % 7 == 0; });
  const auto tx_kept = kept_rows(tx_all, [](uint64_t id) { return (id - 1) % 7 == 0; });
  EXPECT_EQ(lines_of(sampled + "/journey.csv"), rx_kept);
  EXPECT_EQ(lines_of(sampled + "/tx_journey.csv"), tx_kept);
  EXPECT_EQ(rx_kept.size(), 1 + (400 + 6) / 7u) << "frames 0, 7, ... 399";
  EXPECT_EQ(tx_kept.size(), 1 + (300 + 6) / 7u) << "datagrams 1, 8, ... 295";
  EXPECT_FALSE(fs::exists(off + "/journey.csv"));
  EXPECT_FALSE(fs::exists(off + "/tx_journey.csv"));

  const json ra = load_report(all), rs = load_report(sampled), ro = load_report(off);
  EXPECT_EQ(ra["sim"]["journey"], "all");
  EXPECT_EQ(rs["sim"]["journey"], "sample=7");
  EXPECT_EQ(ro["sim"]["journey"], "off");
  EXPECT_EQ(comparable(ra), comparable(rs)) << "every frame's latency, whatever is written";
  EXPECT_EQ(comparable(ra), comparable(ro));
  std::ifstream resolved(sampled + "/scenario.toml");
  std::stringstream ss;
  ss << resolved.rdbuf();
  EXPECT_NE(ss.str().find("journey = 'sample=7'"), std::string::npos) << "it reproduces the run";

  // igbsim journey on each
  EXPECT_EQ(run_igbsim("journey " + sampled + " --packet 14").status, 0);
  EXPECT_EQ(run_igbsim("journey " + sampled + " --datagram 15").status, 0);
  for (const auto& [args, says] : std::vector<std::pair<std::string, std::string>>{
           {sampled + " --packet 3", "kept one frame's row in 7"},
           {sampled + " --datagram 2", "kept one datagram's row in 7"},
           {off + " --packet 3", "--journey off"},
           {off + " --datagram 2", "--journey off"}}) {
    const result j = run_igbsim("journey " + args);
    EXPECT_EQ(j.status, 2) << args;
    EXPECT_EQ(std::count(j.err.begin(), j.err.end(), '\n'), 1) << j.err;
    EXPECT_NE(j.err.find(says), std::string::npos) << args << ": " << j.err;
  }
  fs::remove_all(base);
}

// A sweep passes sim.journey to its points like any parameter
TEST(Sweep, JourneyOffReachesEveryPoint) {
  const std::string dir = fresh_dir("sweep-journey");
  fs::create_directories(dir);
  std::ofstream(dir + "/s.toml") << "[set]\n\"sim.journey\" = \"off\"\n\"traffic.frames\" = 50\n"
                                    "[axes]\n\"driver.itr\" = [\"off\", \"dynamic\"]\n";
  const result r = run_igbsim("sweep " + dir + "/s.toml --jobs 2 --out " + dir + "/out");
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  for (int i = 0; i < 2; ++i) {
    const std::string p = fmt::format("{}/out/point-{:03}", dir, i);
    EXPECT_TRUE(fs::exists(p + "/report.json")) << p;
    EXPECT_FALSE(fs::exists(p + "/journey.csv")) << p;
    EXPECT_EQ(load_report(p)["sim"]["journey"], "off");
  }
  fs::remove_all(dir);
}

// ---- Labelled arrays in report.json --------------------------------------------------------

// Beside the per-vector and per-queue arrays (kept for the scripts that index them), each
// figure again under the name of what it belongs to: MSI-X vectors and their ITR by what they
// serve (vector 0 "other", then the receive queues' vectors, then the transmit queues', as igb
// assigns them: "rx-N" and "tx-N", or "TxRx-N" when paired), RQDPC by queue, and every element
// of the arrays of objects (cpu, softnet.per_cpu, tx.qdisc.queues, tx.bql) carries its index
TEST(EndToEnd, ReportArraysAreLabelled) {
  for (const std::string queues : {"2", "8"}) {  // unpaired (2 <= 8/2) and paired (8 > 8/2)
    const std::string dir = fresh_dir("labelled-" + queues);
    const result r =
        run_igbsim("run --quiet --out " + dir + " --set kernel.cores=2 --set nic.queues=" + queues +
                   " --set traffic.flows=16 --set traffic.frames=300 "
                   "--set send.frames=100 --set send.flows=4");
    ASSERT_EQ(r.status, 0) << r.err << r.out;
    const json rep = load_report(dir);
    const json& nic = rep["nic"];
    const json& drv = rep["driver"];
    const size_t n = drv["rx_queues"].get<size_t>();
    ASSERT_EQ(n, std::stoul(queues));
    std::vector<std::string> names{"other"};
    if (drv["queue_pairs"].get<bool>()) {
      for (size_t q = 0; q < n; ++q) names.push_back(fmt::format("TxRx-{}", q));
    } else {
      for (size_t q = 0; q < n; ++q) names.push_back(fmt::format("rx-{}", q));
      for (size_t q = 0; q < n; ++q) names.push_back(fmt::format("tx-{}", q));
    }
    ASSERT_EQ(names.size(), drv["msix_vectors"].get<size_t>());
    EXPECT_EQ(nic["msix_by_vector"].size(), names.size()) << nic["msix_by_vector"].dump();
    uint64_t total = 0;
    for (size_t v = 0; v < names.size(); ++v) {
      EXPECT_EQ(nic["msix_by_vector"][names[v]], nic["msix"][v]) << names[v];
      total += nic["msix"][v].get<uint64_t>();
    }
    EXPECT_GT(total, 0u);
    // itr_us is per q_vector: every vector but "other", in the same order
    ASSERT_EQ(drv["itr_us"].size(), names.size() - 1);
    EXPECT_EQ(drv["itr_us_by_vector"].size(), names.size() - 1);
    for (size_t i = 0; i + 1 < names.size(); ++i)
      EXPECT_EQ(drv["itr_us_by_vector"][names[i + 1]], drv["itr_us"][i]) << names[i + 1];
    EXPECT_EQ(nic["rqdpc_by_queue"].size(), n);
    for (size_t q = 0; q < n; ++q)
      EXPECT_EQ(nic["rqdpc_by_queue"][fmt::format("rx-{}", q)], nic["rqdpc"][q]);
    for (size_t c = 0; c < rep["cpu"].size(); ++c) {
      EXPECT_EQ(rep["cpu"][c]["cpu"], c);
      EXPECT_EQ(rep["softnet"]["per_cpu"][c]["cpu"], c);
    }
    ASSERT_GT(rep["tx"]["bql"].size(), 0u);
    for (size_t q = 0; q < rep["tx"]["bql"].size(); ++q) {
      EXPECT_EQ(rep["tx"]["bql"][q]["queue"], q);
      EXPECT_EQ(rep["tx"]["qdisc"]["queues"][q]["queue"], q);
    }
    fs::remove_all(dir);
  }
  // Without MSI-X there is no MSI-X vector to name; the one interrupt's ITR keeps its queue's
  const std::string dir = fresh_dir("labelled-msi");
  ASSERT_EQ(
      run_igbsim("run --quiet --out " + dir + " --set driver.irq_mode=msi --set traffic.frames=100")
          .status,
      0);
  const json rep = load_report(dir);
  EXPECT_EQ(rep["nic"]["msix_by_vector"], json::object());
  EXPECT_EQ(rep["driver"]["itr_us_by_vector"].size(), rep["driver"]["itr_us"].size());
  fs::remove_all(dir);
}

// ---- The summary's `look at` line ----------------------------------------------------------

// Every shipped scenario whose header says what to look at names exactly that in
// summary.look_at: each report path the header names is printed (itself, or the figures
// under it), and each printed path is one the header names or elaborates
TEST(Scenario, LookAtNamesWhatTheHeaderSays) {
  const std::regex token(R"([a-z_]+(\[[0-9]+\])?(\.[a-z_0-9]+)+|[a-z_]+\[[0-9]+\])");
  size_t scenarios = 0;
  for (const auto& e : fs::directory_iterator(std::string(IGBSIM_SOURCE_DIR) + "/scenarios")) {
    if (e.path().extension() != ".toml") continue;
    const std::string header = look_at_header(e.path().string());
    const std::vector<std::string> paths = look_at_paths(e.path().string());
    EXPECT_EQ(header.empty(), paths.empty()) << e.path() << ": a header's Look at and look_at";
    if (header.empty()) continue;
    ++scenarios;
    for (std::sregex_iterator m(header.begin(), header.end(), token), end; m != end; ++m) {
      const std::string t = m->str();
      bool printed = false;
      for (const auto& p : paths) printed |= p == t || starts(p, t + ".") || starts(p, t + "[");
      EXPECT_TRUE(printed) << e.path() << ": the header names " << t;
    }
    for (const auto& p : paths) {
      bool named = false;
      for (std::sregex_iterator m(header.begin(), header.end(), token), end; m != end; ++m)
        named |= starts(p, m->str());
      const std::string leaf = p.substr(p.rfind('.') + 1);
      named |= std::regex_search(header, std::regex("\\b" + leaf + "\\b"));
      EXPECT_TRUE(named) << e.path() << ": " << p << " is not in its header";
    }
  }
  EXPECT_GE(scenarios, 11u);
}

// --set summary.look_at: the summary's `look at` line shows those figures, labelled with their
// paths, times in human units; a path the report lacks shows "-"
TEST(EndToEnd, LookAtLineShowsTheFiguresNamed) {
  const std::string dir = fresh_dir("look-at");
  const std::string paths =
      "nic.mpc, driver.irqs, cpu[0].softirq_ns, latency_ns.end_to_end.p99, nic.msix_by_vector, "
      "checks.dropped_by.rx_missed_errors, no.such.figure";
  const result r = run_igbsim("run --quiet --out " + dir + " --set traffic.frames=200 --set '" +
                              "summary.look_at=" + paths + "'");
  ASSERT_EQ(r.status, 0) << r.err;
  const json rep = load_report(dir);
  const json& m = rep["nic"]["msix_by_vector"];
  const std::string msix =
      fmt::format("{{other {}, rx-0 {}, tx-0 {}}}", u(m["other"]), u(m["rx-0"]), u(m["tx-0"]));
  const std::string expected = fmt::format(
      "  look at    nic.mpc {}, driver.irqs {}, cpu[0].softirq_ns {}, latency_ns.end_to_end.p99 "
      "{}, nic.msix_by_vector {}, checks.dropped_by.rx_missed_errors 0, no.such.figure -\n",
      u(rep["nic"]["mpc"]), u(rep["driver"]["irqs"]),
      human_time(rep["cpu"][0]["softirq_ns"].get<double>()),
      human_time(rep["latency_ns"]["end_to_end"]["p99"].get<double>()), msix);
  EXPECT_NE(r.out.find(expected), std::string::npos) << expected << "in:\n" << r.out;
  // None set (the embedded default): no such line
  const result plain = run_igbsim("run --quiet --out " + dir + " --set traffic.frames=20");
  EXPECT_EQ(plain.out.find("look at"), std::string::npos) << plain.out;
  fs::remove_all(dir);
}
