// SPDX-License-Identifier: Apache-2.0
#include "store/readiness_probe.h"

#include "store/migrator.h"

namespace exchange::store {

ReadinessProbe::ReadinessProbe(std::string database_url, std::chrono::milliseconds period) {
  task_ = std::make_unique<PeriodicTask>(std::move(database_url), period, [this](Connection& conn) {
    Status status = CheckSchemaCurrent(conn);
    std::lock_guard lock(mu_);
    reason_ = status.ok() ? "" : status.message();
    ready_.store(status.ok());
  });
}

std::string ReadinessProbe::Reason() const {
  std::lock_guard lock(mu_);
  return reason_;
}

}  // namespace exchange::store
