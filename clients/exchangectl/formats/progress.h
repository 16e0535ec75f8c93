// SPDX-License-Identifier: Apache-2.0
// Progress: a one-line progress bar on stderr for long operations (entries
// done, entries per second, time left), drawn only when stderr is a
// terminal; otherwise it stays silent and the command prints its own summary.
//
// Thread-safety: none; one Progress per operation, used from one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace exchange::client {

class Progress {
 public:
  // `enabled` false draws nothing; ForTerminal() enables it when stderr is a
  // tty and `quiet` (e.g. --output json) is false.
  explicit Progress(bool enabled) : enabled_(enabled) {}
  static Progress ForTerminal(bool quiet = false);
  ~Progress() { Finish(); }

  // Starts an operation over `total` items, called `unit` on the bar.
  void Start(std::string label, uint64_t total, std::string unit = "entries");
  // `done` items of the total so far. Redraws at most ten times a second.
  void Update(uint64_t done);
  // Draws the final state and ends the line. Idempotent.
  void Finish();
  // Erases the bar so that other lines can go to stderr; the next Update draws it again.
  void Clear();

  bool enabled() const { return enabled_; }

 private:
  void Draw(bool final);

  bool enabled_;
  bool active_ = false;
  std::string label_;
  std::string unit_;
  uint64_t total_ = 0;
  uint64_t done_ = 0;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point drawn_;
};

}  // namespace exchange::client
