#include "store/readiness_probe.h"

#include "store/connection.h"
#include "store/migrator.h"

namespace exchange::store {

ReadinessProbe::ReadinessProbe(std::string database_url, std::chrono::milliseconds period)
    : thread_([this, url = std::move(database_url), period] { Run(url, period); }) {}

ReadinessProbe::~ReadinessProbe() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

std::string ReadinessProbe::Reason() const {
  std::lock_guard lock(mu_);
  return reason_;
}

void ReadinessProbe::Run(std::string database_url, std::chrono::milliseconds period) {
  Connection conn(std::move(database_url));
  std::unique_lock lock(mu_);
  while (!stopping_) {
    lock.unlock();
    Status status = CheckSchemaCurrent(conn);
    lock.lock();
    reason_ = status.ok() ? "" : status.message();
    ready_.store(status.ok());
    wake_.wait_for(lock, period, [this] { return stopping_; });
  }
}

}  // namespace exchange::store
