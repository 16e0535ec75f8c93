// SPDX-License-Identifier: Apache-2.0
// WorkerPool: the fixed set of threads that do all database work.
//
// I/O threads never block: they Submit() a job and the job posts its result
// back to the connection's executor. Each worker owns one Connection for its
// whole life (reconnecting after PostgreSQL restarts, see connection.h), so
// there is no connection checkout and no lock around libpqxx.
//
// Read replicas (serve --read-database-url): each worker also owns a connection
// to one of them, workers spread round-robin over the URLs. A job gets both;
// only the feed's data reads use the replica (api/replica_reads.h), and only
// for what the replica is known to hold. Everything else, and every write,
// stays on the primary.
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

// What a job runs on: the primary, and this worker's read replica (null
// when the server has none).
struct WorkerConnections {
  Connection& primary;
  Connection* replica = nullptr;
};

class WorkerPool {
 public:
  using Job = std::function<void(WorkerConnections)>;

  // `replica_urls` may be empty: no read replica.
  WorkerPool(std::string database_url, std::vector<std::string> replica_urls, std::size_t workers,
             std::size_t max_queue);
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
  void Run(WorkerConnections conns);

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
