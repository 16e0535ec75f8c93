// SPDX-License-Identifier: Apache-2.0
#include "server/graceful_shutdown.h"

#include <csignal>

#include "common/logger.h"

namespace exchange::server {

// How often the drain checks whether every connection and job has finished.
inline constexpr std::chrono::milliseconds kDrainPollInterval{20};

GracefulShutdown::GracefulShutdown(net::IoContextPool& contexts, Parts parts, std::chrono::milliseconds drain_timeout,
                                   std::function<void()> on_begin)
    : contexts_(contexts),
      parts_(std::move(parts)),
      drain_timeout_(drain_timeout),
      on_begin_(std::move(on_begin)),
      signals_(contexts.First(), SIGTERM, SIGINT),
      timer_(contexts.First()) {}

void GracefulShutdown::Start() {
  signals_.async_wait([this](boost::system::error_code ec, int signal) {
    if (!ec) Begin(signal);
  });
}

void GracefulShutdown::Begin(int signal) {
  logging::Info("draining", {{"signal", signal}, {"drain_timeout_ms", static_cast<int64_t>(drain_timeout_.count())}});
  if (on_begin_) on_begin_();
  deadline_ = std::chrono::steady_clock::now() + drain_timeout_;
  for (auto* listener : parts_.listeners) listener->Stop();
  for (auto* tracker : parts_.tracked) tracker->BeginShutdown();
  PollDrained();
}

bool GracefulShutdown::Drained() const {
  for (const auto* tracker : parts_.tracked) {
    if (tracker->Count() != 0) return false;
  }
  return !parts_.pool || parts_.pool->InFlight() == 0;
}

void GracefulShutdown::PollDrained() {
  if (Drained() || std::chrono::steady_clock::now() >= deadline_) return contexts_.Stop();
  timer_.expires_after(kDrainPollInterval);
  timer_.async_wait([this](boost::system::error_code) { PollDrained(); });
}

}  // namespace exchange::server
