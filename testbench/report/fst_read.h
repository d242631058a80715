// SPDX-License-Identifier: Apache-2.0
// Reads chosen signals of an FST into value-change lists, with GTKWave's reader API (shipped
// by Verilator and compiled into the Verilated runtime): the waveform's own record, for the
// view a save file opens on (gtkw.cpp) and for the tests.
#pragma once
#include <gtkwave/fstapi.h>

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace igbsim::fst {

struct change {
  uint64_t t;
  size_t sig;         // index into the requested names
  std::string value;  // binary digits, MSB first
};

inline uint64_t bits_to_u64(const std::string& v) {
  uint64_t x = 0;
  for (char c : v) x = x << 1 | (c == '1' ? 1u : 0u);
  return x;
}

// All changes of `names` (full hierarchical names without bit ranges), in time order; with
// `from`/`to`, only those of that span of the file's time (a long run's waveform is large).
inline std::vector<change> read_fst(const std::string& path, const std::vector<std::string>& names,
                                    uint64_t from = 0, uint64_t to = UINT64_MAX) {
  void* ctx = fstReaderOpen(path.c_str());
  if (!ctx) throw std::runtime_error("cannot open " + path);
  std::map<fstHandle, std::vector<size_t>> want;
  std::vector<std::string> scope;
  std::vector<bool> found(names.size(), false);
  while (fstHier* h = fstReaderIterateHier(ctx)) {
    if (h->htyp == FST_HT_SCOPE) {
      scope.emplace_back(h->u.scope.name);
    } else if (h->htyp == FST_HT_UPSCOPE) {
      scope.pop_back();
    } else if (h->htyp == FST_HT_VAR) {
      std::string n;
      for (const auto& s : scope) n += s + ".";
      std::string v = h->u.var.name;
      n += v.substr(0, v.find_first_of(" ["));
      for (size_t i = 0; i < names.size(); ++i) {
        if (names[i] == n) {
          want[h->u.var.handle].push_back(i);
          found[i] = true;
        }
      }
    }
  }
  for (size_t i = 0; i < names.size(); ++i)
    if (!found[i]) {
      fstReaderClose(ctx);
      throw std::runtime_error("signal not in the FST: " + names[i]);
    }
  struct ud {
    std::map<fstHandle, std::vector<size_t>>* want;
    std::vector<change> out;
  } data{&want, {}};
  if (from != 0 || to != UINT64_MAX) fstReaderSetLimitTimeRange(ctx, from, to);
  fstReaderClrFacProcessMaskAll(ctx);
  for (const auto& kv : want) fstReaderSetFacProcessMask(ctx, kv.first);
  fstReaderIterBlocks(
      ctx,
      [](void* u, uint64_t t, fstHandle h, const unsigned char* v) {
    auto* d = static_cast<ud*>(u);
    auto it = d->want->find(h);
    if (it == d->want->end()) return;
    for (size_t i : it->second) d->out.push_back({t, i, reinterpret_cast<const char*>(v)});
      },
      &data, nullptr);
  fstReaderClose(ctx);
  return data.out;
}

// How many value-change blocks the writer cut the file into.
inline uint64_t fst_blocks(const std::string& path) {
  void* ctx = fstReaderOpen(path.c_str());
  if (!ctx) throw std::runtime_error("cannot open " + path);
  const uint64_t n = fstReaderGetValueChangeSectionCount(ctx);
  fstReaderClose(ctx);
  return n;
}

}  // namespace igbsim::fst
