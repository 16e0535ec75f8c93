// SPDX-License-Identifier: Apache-2.0
// PeriodicTask: a thread with its own database connection that runs `task`
// at once and then every `period` until destroyed. For background work that
// must not take a request worker: readiness checks, checkpoint refreshes,
// expiry.
//
// Thread-safety: construct and destroy from one thread; `task` runs only on
// the task's own thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "store/connection.h"

namespace exchange::store {

class PeriodicTask {
 public:
  PeriodicTask(std::string database_url, std::chrono::milliseconds period, std::function<void(Connection&)> task);
  ~PeriodicTask();  // waits for a running task to finish
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;

  // Runs the task again as soon as possible.
  void Wake();

 private:
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mu_
  bool woken_ = false;     // guarded by mu_
  std::thread thread_;
};

}  // namespace exchange::store
