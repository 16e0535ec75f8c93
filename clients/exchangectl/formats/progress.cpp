// SPDX-License-Identifier: Apache-2.0
#include "formats/progress.h"

#include <unistd.h>

#include <cstdio>

namespace exchange::client {
namespace {

// 1234567 -> "1,234,567"
std::string Grouped(uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string Duration(double seconds) {
  if (seconds < 0 || seconds > 99 * 3600) return "--:--";
  const auto s = static_cast<uint64_t>(seconds + 0.5);
  char buffer[32];
  if (s >= 3600) {
    std::snprintf(buffer, sizeof buffer, "%llu:%02llu:%02llu", static_cast<unsigned long long>(s / 3600),
                  static_cast<unsigned long long>(s / 60 % 60), static_cast<unsigned long long>(s % 60));
  } else {
    std::snprintf(buffer, sizeof buffer, "%llu:%02llu", static_cast<unsigned long long>(s / 60),
                  static_cast<unsigned long long>(s % 60));
  }
  return buffer;
}

}  // namespace

Progress Progress::ForTerminal(bool quiet) { return Progress(!quiet && isatty(STDERR_FILENO) == 1); }

void Progress::Start(std::string label, uint64_t total, std::string unit) {
  Finish();
  label_ = std::move(label);
  unit_ = std::move(unit);
  total_ = total;
  done_ = 0;
  started_ = drawn_ = std::chrono::steady_clock::now();
  active_ = true;
  if (enabled_) Draw(false);
}

void Progress::Update(uint64_t done) {
  done_ = done;
  if (!enabled_ || !active_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - drawn_ < std::chrono::milliseconds(100)) return;
  drawn_ = now;
  Draw(false);
}

void Progress::Finish() {
  if (!active_) return;
  active_ = false;
  if (enabled_) {
    Draw(true);
    std::fputc('\n', stderr);
    std::fflush(stderr);
  }
}

void Progress::Clear() {
  if (!enabled_ || !active_) return;
  std::fputs("\r\x1b[K", stderr);
  std::fflush(stderr);
  drawn_ = started_ - std::chrono::seconds(1);  // the next Update redraws at once
}

void Progress::Draw(bool final) {
  constexpr int kWidth = 30;
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  const double rate = elapsed > 0 ? static_cast<double>(done_) / elapsed : 0;
  const double fraction = total_ ? static_cast<double>(done_) / static_cast<double>(total_) : 1.0;
  std::string bar(kWidth, ' ');
  const int filled = static_cast<int>(fraction * kWidth);
  for (int i = 0; i < filled && i < kWidth; ++i) bar[static_cast<std::size_t>(i)] = '=';
  if (filled < kWidth) bar[static_cast<std::size_t>(filled)] = '>';
  const std::string eta =
      final ? Duration(elapsed)
            : (rate > 0 ? Duration(static_cast<double>(total_ - done_) / rate) : std::string("--:--"));
  std::fprintf(stderr, "\r%s [%s] %s/%s %s  %s/s  %s %s\x1b[K", label_.c_str(), bar.c_str(), Grouped(done_).c_str(),
               Grouped(total_).c_str(), unit_.c_str(), Grouped(static_cast<uint64_t>(rate)).c_str(),
               final ? "in" : "ETA", eta.c_str());
  std::fflush(stderr);
}

}  // namespace exchange::client
