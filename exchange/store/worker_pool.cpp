// SPDX-License-Identifier: Apache-2.0
#include "store/worker_pool.h"

#include <exception>
#include <optional>

#include "common/logger.h"

namespace exchange::store {

WorkerPool::WorkerPool(std::string database_url, std::vector<std::string> replica_urls, std::size_t workers,
                       std::size_t max_queue)
    : max_queue_(max_queue) {
  threads_.reserve(workers);
  for (std::size_t i = 0; i < workers; ++i) {
    std::string replica_url = replica_urls.empty() ? "" : replica_urls[i % replica_urls.size()];
    threads_.emplace_back([this, database_url, replica_url] {
      Connection conn(database_url);
      std::optional<Connection> replica;
      if (!replica_url.empty()) replica.emplace(replica_url);
      Run({conn, replica ? &*replica : nullptr});
    });
  }
}

WorkerPool::~WorkerPool() { Stop(); }

bool WorkerPool::Submit(Job job) {
  {
    std::lock_guard lock(mu_);
    if (stopping_ || queue_.size() >= max_queue_) return false;
    queue_.push_back(std::move(job));
  }
  ready_.notify_one();
  return true;
}

std::size_t WorkerPool::QueueDepth() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

std::size_t WorkerPool::InFlight() const {
  std::lock_guard lock(mu_);
  return queue_.size() + running_;
}

void WorkerPool::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  ready_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

void WorkerPool::Run(WorkerConnections conns) {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mu_);
      ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      job = std::move(queue_.front());
      queue_.pop_front();
      ++running_;
    }
    try {
      job(conns);
    } catch (const std::exception& e) {
      // Jobs answer their own errors; reaching here is a bug, but it must not
      // take the worker (and its connection) down with it.
      logging::Error("worker job threw", {{"error", e.what()}});
    }
    std::lock_guard lock(mu_);
    --running_;
  }
}

}  // namespace exchange::store
