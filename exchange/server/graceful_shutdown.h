// SPDX-License-Identifier: Apache-2.0
// GracefulShutdown: on SIGTERM or SIGINT, stop accepting, let in-flight
// requests finish, close idle connections, then stop the I/O contexts;
// whatever is left after `drain_timeout` is cut.
//
// Lifetime: the listeners, trackers and pool passed in must outlive it.
// Thread-safety: Start() from the thread that wires the server; everything
// else runs on the first I/O context (its signal set and timer), so
// `deadline_` needs no lock.
#pragma once

#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <vector>

#include "net/connection_tracker.h"
#include "net/io_context_pool.h"
#include "net/listener.h"
#include "store/worker_pool.h"

namespace exchange::server {

class GracefulShutdown {
 public:
  struct Parts {
    std::vector<net::Listener*> listeners;         // stopped first
    std::vector<net::ConnectionTracker*> tracked;  // asked to finish, then waited for
    const store::WorkerPool* pool = nullptr;       // its in-flight jobs are waited for
  };
  // `on_begin` runs when the signal arrives (e.g. to stop waiting for SIGHUP).
  GracefulShutdown(net::IoContextPool& contexts, Parts parts, std::chrono::milliseconds drain_timeout,
                   std::function<void()> on_begin);

  // Waits for the signal.
  void Start();

 private:
  void Begin(int signal);
  bool Drained() const;
  void PollDrained();

  net::IoContextPool& contexts_;
  const Parts parts_;
  const std::chrono::milliseconds drain_timeout_;
  std::function<void()> on_begin_;
  boost::asio::signal_set signals_;
  boost::asio::steady_timer timer_;
  std::chrono::steady_clock::time_point deadline_;
};

}  // namespace exchange::server
