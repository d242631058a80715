// SPDX-License-Identifier: Apache-2.0
// A run's journey files read back: one received frame's row of journey.csv, one sent
// datagram's row of tx_journey.csv. `igbsim journey` prints a row as a table; `igbsim waves`
// puts a marker at each of its steps. A damaged or foreign file is an input_error naming the
// file, the line and what is wrong with it.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "journey.h"
#include "tx_journey.h"

namespace igbsim {

// All of text a finite decimal number, or nothing.
// (from_chars: no leading space or '+', no hexadecimal, whatever the locale)
std::optional<double> finite_number(const std::string& text);
// A whole decimal integer, or nothing.
std::optional<uint64_t> parse_u64(const std::string& text);

// A received frame's row: its fate, and per step its time in ns (-1: not reached) and the
// application task's state then ("R", "r", "S" or "")
struct rx_journey_row {
  uint64_t frame = 0;
  std::string fate;
  std::array<double, kSteps> ns{};
  std::array<std::string, kSteps> task;
};

// A sent datagram's row: its source ("sender", "echo"; empty in a journey without the
// column), fate, transmit queue ("" when it has none) and per step its time in ns (-1: not
// reached)
struct tx_journey_row {
  uint64_t datagram = 0;
  std::string source, fate, queue;
  std::array<double, kTxSteps> ns{};
};

// The row of frame `packet_arg` (--packet's text) in DIR/journey.csv
rx_journey_row read_rx_journey(const std::string& dir, const std::string& packet_arg);
// The row of datagram `datagram_arg` (--datagram's text) in DIR/tx_journey.csv
tx_journey_row read_tx_journey(const std::string& dir, const std::string& datagram_arg);

}  // namespace igbsim
