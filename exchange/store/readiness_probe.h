// SPDX-License-Identifier: Apache-2.0
// ReadinessProbe: checks, once per `period` and on a connection of its own,
// that PostgreSQL answers and the schema is current. /readyz reads the last
// answer without waiting on the database.
//
// Thread-safety: Ready()/Reason() from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "store/periodic_task.h"

namespace exchange::store {

class ReadinessProbe {
 public:
  ReadinessProbe(std::string database_url, std::chrono::milliseconds period);

  bool Ready() const { return ready_.load(); }
  std::string Reason() const;  // why not ready; empty when ready

 private:
  std::atomic<bool> ready_{false};
  mutable std::mutex mu_;
  std::string reason_ = "not checked yet";  // guarded by mu_
  std::unique_ptr<PeriodicTask> task_;      // last: stops before the fields above go
};

}  // namespace exchange::store
