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
// The waves pane's width in the window the save file opens (pixels): a zoom z shows
// 2^-z x kGtkwWavesPane / 200 time units across it (GTKWave's calczoom)
constexpr int kGtkwWavesPane = 1050;

// An interrupt vector as the save file names and orders it
struct waves_vector {
  unsigned index = 0;  // MSI-X entry (the EIMS / EICR bit); 0 for the single MSI / INTx one
  int napi = -1;       // its q_vector's NAPI index (the software probe's napiN_*), -1: none
  int rx_queue = -1, tx_queue = -1;  // the rings its q_vector holds; neither: other causes
  uint64_t messages = 0;             // messages it sent in the run
};

// "v2_q1" (a q_vector holding receive and transmit queue 1), "v0_rx0", "v1_tx0", "v2_other"
std::string vector_label(const waves_vector& v);

// What the save file shows, from what igb set up and what the run did
struct waves_layout {
  unsigned rx_queues = 1, tx_queues = 0, cores = 1;
  bool msix = true, intx = false;     // the interrupt mode (else MSI)
  std::vector<waves_vector> vectors;  // MSI-X: each q_vector's, then "other"; else the one
  std::vector<uint64_t> rx_frames;    // per receive queue: frames igb received on it
  std::vector<uint64_t> tx_packets;   // per transmit queue: packets igb sent on it
  uint64_t first_frame_ps = 0;        // when the first frame started arriving
};

// The view the save file opens on without a trigger: the first complete interrupt cycle of the
// busiest queue in the waveform (its descriptor write-back, the interrupt, with MSI-X the EIMS
// mask, igb_poll starting, napi_complete_done, with MSI-X the EIMS re-enable), a window of 10
// to 20 us around it and a named marker at each event. Empty when the run has none.
std::vector<waves_marker> first_interrupt_cycle(const std::string& fst_path,
                                                const waves_layout& layout);
waves_view view_around(const std::vector<waves_marker>& markers);
// Markers as GTKWave can print them in a window of `window_ps`: in time order, those whose
// names would print over each other (or at one time) merged into one at the first's time,
// named after all of them with how much later each came ("napi_complete_done, EIMS v1
// re-enabled (+494 ns)")
std::vector<waves_marker> readable_markers(std::vector<waves_marker> markers, uint64_t window_ps);

// `gtkw`, the text of a save file write_gtkw wrote, with its view replaced by `view`: the
// [timestart], the zoom and marker line, and the marker names. Markers past the 26th, or at a
// time another marker has (GTKWave requires distinct times), are left out.
std::string gtkw_with_view(const std::string& gtkw, const waves_view& view);

}  // namespace igbsim
