// SPDX-License-Identifier: Apache-2.0
#include "store/periodic_task.h"

namespace exchange::store {

PeriodicTask::PeriodicTask(std::string database_url, std::chrono::milliseconds period,
                           std::function<void(Connection&)> task)
    : thread_([this, url = std::move(database_url), period, task = std::move(task)] {
        Connection conn(url);
        std::unique_lock lock(mu_);
        while (!stopping_) {
          woken_ = false;
          lock.unlock();
          task(conn);
          lock.lock();
          wake_.wait_for(lock, period, [this] { return stopping_ || woken_; });
        }
      }) {}

PeriodicTask::~PeriodicTask() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void PeriodicTask::Wake() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  wake_.notify_all();
}

}  // namespace exchange::store
