// SPDX-License-Identifier: Apache-2.0
// The waveform a user opens: the view the save file opens on (window, named markers).
#include <gtest/gtest.h>
#include <fmt/format.h>

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "gtkw.h"

using namespace igbsim;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

std::vector<std::string> starting_with(const std::string& text, const std::string& prefix) {
  std::vector<std::string> out;
  for (const auto& l : lines_of(text))
    if (l.rfind(prefix, 0) == 0) out.push_back(l);
  return out;
}

const char* const kSave =
    "[*] a save file\n[dumpfile] \"/r/waves.fst\"\n[savefile] \"/r/waves.gtkw\"\n"
    "[timestart] 5\n*-24.000000 -1 7 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 "
    "-1 -1 -1 -1 -1\n[markername_long] A old\n[size] 1600 1000\n@28\nnic.clk_i\n";

}  // namespace

// The view replaces the old one whole: one start, one zoom line, the new markers' names; the
// signals stay as they were
TEST(WavesView, ReplacesTheWindowAndTheMarkers) {
  const waves_view v{10'000'000, 30'000'000, {{12'000'000, "write-back"}, {15'500'000, "MSI-X"}}};
  const std::string out = gtkw_with_view(kSave, v);
  EXPECT_EQ(starting_with(out, "[timestart]"), std::vector<std::string>{"[timestart] 10000000"});
  const auto zoom = starting_with(out, "*");
  ASSERT_EQ(zoom.size(), 1u);
  std::istringstream z(zoom[0].substr(1));
  double level = 0;
  long long primary = 0, a = 0, b = 0, c = 0;
  z >> level >> primary >> a >> b >> c;
  EXPECT_EQ(primary, -1);
  EXPECT_EQ(a, 12'000'000);
  EXPECT_EQ(b, 15'500'000);
  EXPECT_EQ(c, -1);
  // zoombase^-zoom time units per 200 pixels: the 20 us span fills the waves pane, so a
  // window twice as long zooms out by exactly one step
  const waves_view twice{10'000'000, 50'000'000, {}};
  std::istringstream z2(starting_with(gtkw_with_view(kSave, twice), "*")[0].substr(1));
  double level2 = 0;
  z2 >> level2;
  EXPECT_NEAR(level - level2, 1.0, 1e-6);
  EXPECT_GT(level, -24.0) << "20 us is closer than GTKWave's default of about 80 us";
  EXPECT_EQ(
      starting_with(out, "[markername"),
      (std::vector<std::string>{"[markername_long] A write-back", "[markername_long] B MSI-X"}));
  EXPECT_EQ(starting_with(out, "nic.clk_i").size(), 1u);
  EXPECT_EQ(starting_with(out, "[size]").size(), 1u);
}

// GTKWave has 26 named markers at distinct times: a second marker at a time already marked,
// and markers past the 26th, are left out rather than making GTKWave drop the file's markers
TEST(WavesView, KeepsAtMost26MarkersAtDistinctTimes) {
  waves_view v{0, 100'000'000, {}};
  v.markers.push_back({1000, "first"});
  v.markers.push_back({1000, "same time"});
  for (int i = 0; i < 40; ++i) v.markers.push_back({2000 + 10u * i, fmt::format("m{}", i)});
  const auto names = starting_with(gtkw_with_view(kSave, v), "[markername_long]");
  ASSERT_EQ(names.size(), kGtkwMaxMarkers);
  EXPECT_EQ(names[0], "[markername_long] A first");
  EXPECT_EQ(names[1], "[markername_long] B m0");
  EXPECT_EQ(names[25], "[markername_long] Z m24");
}
