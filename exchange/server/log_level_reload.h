// SPDX-License-Identifier: Apache-2.0
// LogLevelReload: SIGHUP re-reads the log level, from the same places and
// with the same precedence as at start (so a --log-level flag still wins over
// the file); nothing else is reloaded. A file that no longer parses changes
// nothing, and says so in the log.
//
// The read (a file of a few lines) runs on the I/O thread of `io`: rare and
// short. Thread-safety: Start and Stop from the thread that wires the server,
// or from a handler running on `io`.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <functional>

#include "common/status.h"
#include "server/serve.h"

namespace exchange::server {

class LogLevelReload {
 public:
  // `reread` parses the configuration again (may be empty: nothing to re-read).
  LogLevelReload(boost::asio::io_context& io, std::function<Result<ServeConfig>()> reread);

  // Waits for SIGHUP, and again after each.
  void Start();
  // Stops waiting (at shutdown).
  void Stop();

 private:
  void OnHangup();

  boost::asio::signal_set hangups_;
  std::function<Result<ServeConfig>()> reread_;
};

}  // namespace exchange::server
