// SPDX-License-Identifier: Apache-2.0
// IoContextPool: one io_context per I/O thread. Each accepted connection is
// given to the next context in turn and stays on it, so a connection's
// handlers never cross threads and contexts share no scheduler (one shared
// io_context run by several threads spends much of its time in hand-offs).
//
// Thread-safety: Next() from any thread; Run() once, from the main thread;
// Stop() from any thread.
#pragma once

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <memory>
#include <vector>

namespace exchange::net {

class IoContextPool {
 public:
  explicit IoContextPool(std::size_t threads);

  boost::asio::io_context& First() { return *contexts_.front(); }
  boost::asio::io_context& Next();
  // Runs every context, one thread each (the caller's is the first), until Stop().
  void Run();
  void Stop();

 private:
  using Guard = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;
  std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;
  std::vector<Guard> guards_;  // keep idle contexts running until Stop()
  std::atomic<std::size_t> next_{0};
};

}  // namespace exchange::net
