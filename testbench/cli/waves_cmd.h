// SPDX-License-Identifier: Apache-2.0
// igbsim waves DIR [--packet N | --datagram N | --at TIME | --event KIND] [--png FILE]: a
// run's waveform opened in GTKWave (or rendered to a PNG under Xvfb) on a frame's journey, a
// sent datagram's, a time or the first event of a kind.
#pragma once

#include <optional>
#include <string>

namespace igbsim {

// The events a run notes the first time of (report.json events_first_ns), which
// `run --waves-trigger` records around and `waves --event` opens at
inline constexpr const char* kWaveEvents[] = {
    "rnbc", "mpc", "rqdpc", "drop", "budget_exhausted", "violation"};
// "rnbc, mpc, ..." for messages
std::string wave_event_list();
// "; did you mean 'K'?" for a kind of event mistyped, else ""
std::string wave_event_hint(const std::string& given);

struct waves_request {
  std::string dir;
  // at most one of these four (the command line makes them exclusive)
  std::optional<std::string> packet, datagram, at, event;
  std::optional<std::string> png;  // render to this PNG instead of opening GTKWave
};

// The save file it writes beside the run's own waves.gtkw when a view is asked for
inline constexpr const char* kWavesViewFile = "waves-view.gtkw";

// Exit status as the program's; bad input throws input_error
int cmd_waves(const waves_request& r);

}  // namespace igbsim
