// SPDX-License-Identifier: Apache-2.0
// The register map is written down three times: the RTL's package (rtl/igb_pkg.sv), the
// driver's header (driver/e1000_regs.h) and the bus monitor's decode table
// (systemc/bus_monitor.cpp). This test reads the three source files and requires them to agree:
//   - every register offset of the package has the driver's constant of the same name and value,
//     and every register offset the driver names has the package's (both directions);
//   - the receive- and transmit-queue registers: the package's block bases and offsets give the
//     driver's E1000_<REG>(n) for every queue n;
//   - every register constant of the bus monitor is the package's (and so the driver's);
//   - every bit field of the package has the driver's E1000_<REG>_<FIELD> of the same value,
//     unless the list below names it as one the driver does not program; a package constant
//     named ...Shift is a field's position and equals the driver's ..._SHIFT.
// A planted mismatch in each file must be caught (the checker is not vacuous).
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "e1000_regs.h"  // driver/

namespace {

std::string slurp(const std::string& rel) {
  std::ifstream f(std::string(IGBSIM_SOURCE_DIR) + "/" + rel);
  EXPECT_TRUE(f.good()) << "cannot read " << rel;
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

uint64_t num(const std::string& s) { return std::stoull(s, nullptr, 0); }

// CamelCase -> UPPER_SNAKE: DropEn -> DROP_EN, Rxdmt0 -> RXDMT0, RdbalA -> RDBAL_A
std::string upper_snake(const std::string& camel) {
  std::string out;
  for (size_t i = 0; i < camel.size(); ++i) {
    const char c = camel[i];
    if (std::isupper(static_cast<unsigned char>(c)) && i > 0) out += '_';
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

struct pkg_map {
  std::map<std::string, uint64_t> regs;   // CTRL, RAL0, RDBAL_A, ...
  std::map<std::string, uint64_t> qoffs;  // RDBAL, RDT, RQDPC, ... (from OffRDBAL, ...)
  std::map<std::string, uint64_t> ints;   // localparam int: bit positions and sizes
  std::map<std::string, uint64_t> masks;  // localparam logic [31:0]: IcrRxt0, StatDD, ...
};

pkg_map parse_pkg(const std::string& sv) {
  pkg_map m;
  const std::regex reg(R"(localparam\s+logic\s*\[MmioAw-1:0\]\s*(\w+)\s*=\s*\d+'h([0-9A-Fa-f_]+))");
  const std::regex qoff(R"(localparam\s+logic\s*\[7:0\]\s*Off(\w+)\s*=\s*\d+'h([0-9A-Fa-f_]+))");
  const std::regex ints(R"(localparam\s+int\s+(\w+)\s*=\s*(\d+)\s*;)");
  const std::regex mask(R"(localparam\s+logic\s*\[31:0\]\s*(\w+)\s*=\s*32'h([0-9A-Fa-f_]+))");
  auto hex = [](std::string h) {
    h.erase(std::remove(h.begin(), h.end(), '_'), h.end());
    return std::stoull(h, nullptr, 16);
  };
  for (std::sregex_iterator i(sv.begin(), sv.end(), reg), e; i != e; ++i)
    m.regs[(*i)[1]] = hex((*i)[2]);
  for (std::sregex_iterator i(sv.begin(), sv.end(), qoff), e; i != e; ++i)
    m.qoffs[(*i)[1]] = hex((*i)[2]);
  for (std::sregex_iterator i(sv.begin(), sv.end(), ints), e; i != e; ++i)
    m.ints[(*i)[1]] = num((*i)[2]);
  for (std::sregex_iterator i(sv.begin(), sv.end(), mask), e; i != e; ++i)
    m.masks[(*i)[1]] = hex((*i)[2]);
  return m;
}

struct drv_map {
  std::map<std::string, uint64_t> scalars;  // E1000_X = value (name without E1000_)
  struct fn {
    bool queue = false;  // rx_reg(n, off) or tx_reg(n, off): a queue register
    bool tx = false;     // tx_reg: a transmit-queue register
    uint64_t base = 0, stride = 0;
  };
  std::map<std::string, fn> fns;  // E1000_X(unsigned n)
};

drv_map parse_driver(const std::string& h) {
  drv_map m;
  const std::regex scalar(R"(constexpr\s+uint32_t\s+E1000_(\w+)\s*=\s*)"
                          R"((0x[0-9A-Fa-f]+|\d+)(u?)\s*(<<\s*(\d+))?\s*[;,])");
  const std::regex queue(R"(constexpr\s+uint32_t\s+E1000_(\w+)\(unsigned n\)\s*\{\s*)"
                         R"(return (rx|tx)_reg\(n,\s*(0x[0-9A-Fa-f]+)\);)");
  const std::regex lin(R"(constexpr\s+uint32_t\s+E1000_(\w+)\(unsigned n\)\s*\{\s*)"
                       R"(return\s+(0x[0-9A-Fa-f]+)\s*\+\s*(?:(\w+)\s*\*\s*n|n\s*\*\s*(\w+))\s*;)");
  for (std::sregex_iterator i(h.begin(), h.end(), scalar), e; i != e; ++i) {
    uint64_t v = num((*i)[2]);
    if ((*i)[5].matched) v <<= num((*i)[5]);
    m.scalars[(*i)[1]] = v;
  }
  // a second constant on one line: "E1000_A = 1, E1000_B = 2;"
  const std::regex more(R"(,\s*E1000_(\w+)\s*=\s*(0x[0-9A-Fa-f]+|\d+)\s*;)");
  for (std::sregex_iterator i(h.begin(), h.end(), more), e; i != e; ++i)
    m.scalars[(*i)[1]] = num((*i)[2]);
  for (std::sregex_iterator i(h.begin(), h.end(), queue), e; i != e; ++i) {
    drv_map::fn f;
    f.queue = true;
    f.tx = (*i)[2] == "tx";
    f.base = num((*i)[3]);
    m.fns[(*i)[1]] = f;
  }
  for (std::sregex_iterator i(h.begin(), h.end(), lin), e; i != e; ++i) {
    drv_map::fn f;
    f.base = num((*i)[2]);
    f.stride = num((*i)[3].matched ? (*i)[3].str() : (*i)[4].str());
    m.fns[(*i)[1]] = f;
  }
  return m;
}

// The bus monitor's decode table: the constexpr uint32_t constants of its anonymous namespace
std::map<std::string, uint64_t> parse_monitor(const std::string& cpp) {
  std::map<std::string, uint64_t> m;
  const std::regex decl(R"(constexpr\s+uint32_t\s+([^;]*);)");
  const std::regex item(R"(k(\w+)\s*=\s*(0x[0-9A-Fa-f]+|\d+))");
  for (std::sregex_iterator i(cpp.begin(), cpp.end(), decl), e; i != e; ++i) {
    const std::string list = (*i)[1];
    for (std::sregex_iterator j(list.begin(), list.end(), item), f; j != f; ++j)
      m[(*j)[1]] = num((*j)[2]);
  }
  return m;
}

// Package bit fields the driver does not name (hardware-side only), each with its reason
const std::set<std::string> kPkgOnlyFields = {
    "RxcsumIpofl",   "RxcsumTuofl",  // igb leaves them at reset (on): the driver names neither
    "SrrctlRdmtsLo",                 // a field's low bit, not a flag; the driver writes 0 there
    "IcrMask",                       // which causes ICR holds: hardware's, no register field
    "TipgReset",                     // TIPG's reset value: igb never writes TIPG (reference A.3)
};
// Package fields whose driver constant has another name than E1000_<UPPER_SNAKE>
const std::map<std::string, std::string> kFieldAlias = {{"RxdctlEnable", "RXDCTL_QUEUE_ENABLE"},
                                                        {"TxdctlEnable", "TXDCTL_QUEUE_ENABLE"}};
// Driver constants that are values written into a field, not registers or fields (e1000_defines.h
// names them so; igb_setup_tctl writes them into TCTL.CT and TCTL.COLD)
const std::set<std::string> kDrvValues = {"CT_SHIFT", "COLD_SHIFT", "COLLISION_THRESHOLD",
                                          "COLLISION_DISTANCE"};

// Package constants that are no register fields (sizes, counts, cycles)
const std::set<std::string> kPkgSizes = {"MmioAw", "NumQueues", "NumVectors", "DmaTagW",
                                         "DmaW",   "RxW",       "NumIvar",    "SwResetCycles"};

// The receive-queue register blocks (igb_pkg's comment, as the hardware decodes them)
constexpr uint64_t kBlockAStride = 0x100, kBlockCStride = 0x40, kBlockAQueues = 4, kQueues = 8;

std::vector<std::string> compare(const std::string& sv, const std::string& hdr,
                                 const std::string& mon) {
  std::vector<std::string> bad;
  const pkg_map p = parse_pkg(sv);
  const drv_map d = parse_driver(hdr);
  const auto bus = parse_monitor(mon);
  auto hexs = [](uint64_t v) {
    std::ostringstream s;
    s << "0x" << std::hex << v;
    return s.str();
  };
  if (p.regs.size() < 30 || p.qoffs.size() < 7 || d.fns.size() < 10 || bus.size() < 5)
    bad.push_back("parser found too little: " + std::to_string(p.regs.size()) +
                  " package registers, " + std::to_string(p.qoffs.size()) + " queue offsets, " +
                  std::to_string(d.fns.size()) + " driver functions, " +
                  std::to_string(bus.size()) + " bus monitor constants");

  // The queue-register block bases (the driver's rx_reg and tx_reg; checked on their compiled
  // values)
  auto reg_or_none = [&](const char* name) { return p.regs.count(name) ? p.regs.at(name) : ~0ull; };
  const uint64_t block_a = reg_or_none("RDBAL_A"), block_c = reg_or_none("RDBAL_C");
  const uint64_t tblock_a = reg_or_none("TDBAL_A"), tblock_c = reg_or_none("TDBAL_C");
  auto queue_addr = [&](unsigned n, uint64_t off, bool tx = false) {
    return n < kBlockAQueues ? (tx ? tblock_a : block_a) + n * kBlockAStride + off
                             : (tx ? tblock_c : block_c) + n * kBlockCStride + off;
  };
  for (unsigned n = 0; n < kQueues; ++n) {
    if (igbsim::rx_reg(n, 0) != queue_addr(n, 0))
      bad.push_back("queue " + std::to_string(n) + ": driver rx_reg " + hexs(igbsim::rx_reg(n, 0)) +
                    ", package block " + hexs(queue_addr(n, 0)));
    if (igbsim::tx_reg(n, 0) != queue_addr(n, 0, true))
      bad.push_back("queue " + std::to_string(n) + ": driver tx_reg " + hexs(igbsim::tx_reg(n, 0)) +
                    ", package block " + hexs(queue_addr(n, 0, true)));
  }

  // Package registers -> driver
  std::set<std::string> matched_drv;
  for (const auto& [name, off] : p.regs) {
    if (name == "RDBAL_A" || name == "RDBAL_C" || name == "TDBAL_A" || name == "TDBAL_C")
      continue;  // rx_reg and tx_reg, above
    if (d.scalars.count(name)) {
      matched_drv.insert(name);
      if (d.scalars.at(name) != off)
        bad.push_back(name + ": package " + hexs(off) + ", driver " + hexs(d.scalars.at(name)));
      continue;
    }
    // RAL0 <-> E1000_RAL(n) at n = 0
    const std::string stem = name.back() == '0' ? name.substr(0, name.size() - 1) : name;
    if (d.fns.count(stem) && !d.fns.at(stem).queue) {
      matched_drv.insert(stem);
      if (d.fns.at(stem).base != off)
        bad.push_back(name + ": package " + hexs(off) + ", driver " + stem + "(0) " +
                      hexs(d.fns.at(stem).base));
      continue;
    }
    bad.push_back(name + ": a package register the driver does not name");
  }
  // Package queue offsets -> driver queue registers, for every queue
  for (const auto& [name, off] : p.qoffs) {
    if (!d.fns.count(name)) {
      bad.push_back("Off" + name + ": a package queue register the driver does not name");
      continue;
    }
    matched_drv.insert(name);
    const auto& f = d.fns.at(name);
    for (unsigned n = 0; n < kQueues; ++n) {
      // RQDPC is decoded in the canonical block only (the driver's 0xC030 + 0x40n)
      const uint64_t want = f.queue ? queue_addr(n, off, f.tx) : block_c + n * kBlockCStride + off;
      const auto at = static_cast<uint32_t>(f.base);
      const uint64_t got = !f.queue ? f.base + n * f.stride
                           : f.tx   ? igbsim::tx_reg(n, at)
                                    : igbsim::rx_reg(n, at);
      if (want != got) {
        bad.push_back(name + "(" + std::to_string(n) + "): package " + hexs(want) + ", driver " +
                      hexs(got));
        break;
      }
    }
  }
  // Driver registers -> package. A driver constant the package does not match is a register
  // unless it is a field of one, E1000_<REG>_<FIELD> with <REG> a register (IVAR for IVAR0) or
  // a descriptor (RXD, RXDEXT, TXD, ADVTXD).
  std::set<std::string> reg_names;
  for (const auto& [name, f] : d.fns) reg_names.insert(name);
  for (const auto& [name, v] : d.scalars) reg_names.insert(name);
  auto is_field = [&](const std::string& name) {
    for (size_t u = name.find('_'); u != std::string::npos; u = name.find('_', u + 1)) {
      const std::string reg = name.substr(0, u);
      if (reg == "RXD" || reg == "RXDEXT" || reg == "TXD" || reg == "ADVTXD" ||
          reg_names.count(reg) || reg_names.count(reg + "0"))
        return true;
    }
    return false;
  };
  for (const auto& [name, f] : d.fns)
    if (!matched_drv.count(name))
      bad.push_back("E1000_" + name + "(n): a driver register the package does not name");
  for (const auto& [name, v] : d.scalars)
    if (!matched_drv.count(name) && !is_field(name) && !kDrvValues.count(name))
      bad.push_back("E1000_" + name + ": a driver register the package does not name");

  // Package fields -> driver
  for (const auto& [name, bit] : p.ints) {
    if (kPkgSizes.count(name)) continue;
    const std::string drv = kFieldAlias.count(name) ? kFieldAlias.at(name) : upper_snake(name);
    if (!d.scalars.count(drv)) {
      if (!kPkgOnlyFields.count(name))
        bad.push_back(name + ": a package field the driver does not name (E1000_" + drv + ")");
      continue;
    }
    const bool shift = name.size() > 5 && name.compare(name.size() - 5, 5, "Shift") == 0;
    if (shift ? d.scalars.at(drv) != bit : d.scalars.at(drv) != (1ull << bit))
      bad.push_back(name + ": package bit " + std::to_string(bit) + ", driver E1000_" + drv + " " +
                    hexs(d.scalars.at(drv)));
  }
  for (const auto& [name, v] : p.masks) {
    std::string drv = upper_snake(name);
    if (name.rfind("Stat", 0) == 0)
      drv = "RXD_STAT_" + name.substr(4);  // StatDD: E1000_RXD_STAT_DD
    if (!d.scalars.count(drv)) {
      if (!kPkgOnlyFields.count(name))
        bad.push_back(name + ": a package field the driver does not name (E1000_" + drv + ")");
      continue;
    }
    if (d.scalars.at(drv) != v)
      bad.push_back(name + ": package " + hexs(v) + ", driver E1000_" + drv + " " +
                    hexs(d.scalars.at(drv)));
  }

  // Bus monitor -> package (and so the driver): kRdt is a queue offset, kEitr0 a register,
  // kEitrCntIgnr a field, kRdbalA a queue block
  for (const auto& [name, v] : bus) {
    const std::string up = upper_snake(name);
    uint64_t want;
    if (p.regs.count(up)) {
      want = p.regs.at(up);
    } else if (p.qoffs.count(up)) {
      want = p.qoffs.at(up);
    } else if (p.ints.count(name) && !kPkgSizes.count(name)) {  // a bit: kEitrCntIgnr
      want = 1ull << p.ints.at(name);
    } else {
      bad.push_back("bus monitor k" + name + ": the package names no " + up);
      continue;
    }
    if (want != v)
      bad.push_back("bus monitor k" + name + ": " + hexs(v) + ", package " + up + " " + hexs(want));
  }
  return bad;
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += "  " + x + "\n";
  return s;
}

struct RegMap : ::testing::Test {
  std::string sv = slurp("rtl/igb_pkg.sv"), hdr = slurp("driver/e1000_regs.h"),
              mon = slurp("systemc/bus_monitor.cpp");
  // The text with one occurrence of `from` replaced, which must exist
  static std::string plant(std::string text, const std::string& from, const std::string& to) {
    const size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos) << "nothing to plant at: " << from;
    if (at != std::string::npos) text.replace(at, from.size(), to);
    return text;
  }
  static bool names(const std::vector<std::string>& bad, const std::string& what) {
    for (const auto& b : bad)
      if (b.find(what) != std::string::npos) return true;
    return false;
  }
};

TEST_F(RegMap, PackageDriverAndBusMonitorAgree) {
  const auto bad = compare(sv, hdr, mon);
  EXPECT_TRUE(bad.empty()) << "register map differences:\n" << joined(bad);
  // What the parsers found (today's counts: the test fails if a parser stops matching)
  const pkg_map p = parse_pkg(sv);
  EXPECT_GE(p.regs.size(), 47u);
  EXPECT_GE(p.qoffs.size(), 14u);
  EXPECT_GE(p.ints.size() - kPkgSizes.size(), 34u);  // bit positions
  EXPECT_GE(p.masks.size(), 16u);
  const drv_map d = parse_driver(hdr);
  EXPECT_GE(d.fns.size(), 20u);
  EXPECT_GE(d.scalars.size(), 115u);
  EXPECT_GE(parse_monitor(mon).size(), 16u);
}

TEST_F(RegMap, PlantedMismatchesAreCaught) {
  // A package offset differs
  auto bad = compare(plant(sv, "RCTL      = 17'h00100", "RCTL      = 17'h00104"), hdr, mon);
  EXPECT_TRUE(names(bad, "RCTL: package 0x104, driver 0x100")) << joined(bad);
  // A queue offset differs
  bad = compare(plant(sv, "OffRDT    = 8'h18", "OffRDT    = 8'h1C"), hdr, mon);
  EXPECT_TRUE(names(bad, "RDT(0)")) << joined(bad);
  EXPECT_TRUE(names(bad, "bus monitor kRdt")) << joined(bad);
  // A transmit-queue offset differs, and a transmit block base
  bad = compare(plant(sv, "OffTDT    = 8'h18", "OffTDT    = 8'h1C"), hdr, mon);
  EXPECT_TRUE(names(bad, "TDT(0)")) << joined(bad);
  EXPECT_TRUE(names(bad, "bus monitor kTdt")) << joined(bad);
  bad = compare(plant(sv, "TDBAL_C  = 17'h0E000", "TDBAL_C  = 17'h0D000"), hdr, mon);
  EXPECT_TRUE(names(bad, "queue 4: driver tx_reg")) << joined(bad);
  // A descriptor field and a field position differ
  bad = compare(
      sv, plant(hdr, "E1000_ADVTXD_DCMD_RS = 0x08000000", "E1000_ADVTXD_DCMD_RS = 0x04000000"),
      mon);
  EXPECT_TRUE(names(bad, "AdvtxdDcmdRs: package bit 27")) << joined(bad);
  bad = compare(sv, plant(hdr, "E1000_ADVTXD_PAYLEN_SHIFT = 14", "E1000_ADVTXD_PAYLEN_SHIFT = 13"),
                mon);
  EXPECT_TRUE(names(bad, "AdvtxdPaylenShift")) << joined(bad);
  // The driver names a register the package does not, and lacks one the package has
  bad = compare(sv,
                plant(hdr, "constexpr uint32_t E1000_MPC = 0x04010;",
                      "constexpr uint32_t E1000_MPCX = 0x04010;"),
                mon);
  EXPECT_TRUE(names(bad, "E1000_MPCX: a driver register the package does not name")) << joined(bad);
  EXPECT_TRUE(names(bad, "MPC: a package register the driver does not name")) << joined(bad);
  // A driver function's base differs
  bad = compare(sv, plant(hdr, "return 0x01680 + 4 * n;", "return 0x01684 + 4 * n;"), mon);
  EXPECT_TRUE(names(bad, "EITR0: package 0x1680, driver EITR(0) 0x1684")) << joined(bad);
  // A field differs
  bad = compare(sv, plant(hdr, "E1000_RCTL_LPE = 0x00000020", "E1000_RCTL_LPE = 0x00000040"), mon);
  EXPECT_TRUE(names(bad, "RctlLpe: package bit 5")) << joined(bad);
  // The bus monitor's table differs
  bad = compare(sv, hdr, plant(mon, "kRdh = 0x10", "kRdh = 0x14"));
  EXPECT_TRUE(names(bad, "bus monitor kRdh: 0x14, package RDH 0x10")) << joined(bad);
  bad = compare(sv, hdr, plant(mon, "kEitr0 = 0x01680", "kEitr0 = 0x01690"));
  EXPECT_TRUE(names(bad, "bus monitor kEitr0")) << joined(bad);
}

}  // namespace
