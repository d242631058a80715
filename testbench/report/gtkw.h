// SPDX-License-Identifier: Apache-2.0
// The view a GTKWave save file (waves.gtkw) opens on: the time window and the named markers.
// write_gtkw (sim.h) writes a run's save file with one; `igbsim waves` rewrites a run's save
// file with another (a frame's journey, a time, an event).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace igbsim {

struct waves_marker {
  uint64_t ps = 0;
  std::string name;  // shown above the marker's line in the waves pane
};

struct waves_view {
  uint64_t start_ps = 0;
  uint64_t end_ps = 0;                // 0: GTKWave's zoom of about 80 us from start_ps
  std::vector<waves_marker> markers;  // GTKWave's named markers A, B, ... (at most 26)
};

// GTKWave's named markers: letters A..Z
constexpr size_t kGtkwMaxMarkers = 26;

// `gtkw`, the text of a save file write_gtkw wrote, with its view replaced by `view`: the
// [timestart], the zoom and marker line, and the marker names. Markers past the 26th, or at a
// time another marker has (GTKWave requires distinct times), are left out.
std::string gtkw_with_view(const std::string& gtkw, const waves_view& view);

}  // namespace igbsim
