// SPDX-License-Identifier: Apache-2.0
// WorkerPool: the fixed set of threads that do all database work.
//
// I/O threads never block: they Submit() a job and the job posts its result
// back to the connection's executor. Each worker owns one Connection for its
// whole life (reconnecting after PostgreSQL restarts, see connection.h), so
// there is no connection checkout and no lock around libpqxx.
//
// The queue is bounded: Submit() returns false when `max_queue` jobs wait,
// and the caller answers 503 rather than letting latency grow without bound.
//
// Thread-safety: Submit(), QueueDepth() and Stop() may be called from any thread.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "store/connection.h"

namespace exchange::store {

class WorkerPool {
 public:
  using Job = std::function<void(Connection&)>;

  WorkerPool(std::string database_url, std::size_t workers, std::size_t max_queue);
  ~WorkerPool();  // Stop()s
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues a job; false when the queue is full or the pool is stopping.
  bool Submit(Job job);
  // Jobs waiting, not counting those running.
  std::size_t QueueDepth() const;
  // Jobs waiting or running.
  std::size_t InFlight() const;
  // Runs every queued job, then joins the workers. Idempotent.
  void Stop();

 private:
  void Run(Connection& conn);

  const std::size_t max_queue_;
  mutable std::mutex mu_;
  std::condition_variable ready_;
  // Guarded by mu_:
  std::deque<Job> queue_;
  std::size_t running_ = 0;
  bool stopping_ = false;

  std::vector<std::thread> threads_;  // written only by the constructor and Stop()
};

}  // namespace exchange::store
