// ReadinessProbe: a thread that checks, once per `period`, that PostgreSQL
// answers and the schema is current, on a connection of its own. /readyz
// reads the last answer without waiting on the database.
//
// Thread-safety: Ready()/Reason() from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace exchange::store {

class ReadinessProbe {
 public:
  ReadinessProbe(std::string database_url, std::chrono::milliseconds period);
  ~ReadinessProbe();
  ReadinessProbe(const ReadinessProbe&) = delete;
  ReadinessProbe& operator=(const ReadinessProbe&) = delete;

  bool Ready() const { return ready_.load(); }
  std::string Reason() const;  // why not ready; empty when ready

 private:
  void Run(std::string database_url, std::chrono::milliseconds period);

  std::atomic<bool> ready_{false};
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::string reason_ = "not checked yet";  // guarded by mu_
  bool stopping_ = false;                   // guarded by mu_
  std::thread thread_;
};

}  // namespace exchange::store
