// SPDX-License-Identifier: Apache-2.0
// What the Prometheus gauges read from the database, in three small queries.
// Each read is the whole current state: a row that is absent (a status with
// no signals left, a log never signed, an organisation no longer active) is
// a series the gauges drop.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "store/connection.h"

namespace exchange::store {

struct MetricsFigures {
  struct Signals {
    std::string collection, kind, status;
    double count;
  };
  struct Log {
    std::string name;
    double size;
    // Unix time of the newest signed checkpoint; empty when none was ever signed.
    std::optional<double> checkpoint_timestamp_seconds;
  };
  // Active organisations only: a suspended or revoked one cannot fetch, so
  // its last lag would otherwise stay (and alert) for ever.
  struct Lag {
    std::string org;
    double seconds;
  };
  std::vector<Signals> signals;
  std::vector<Log> logs;
  std::vector<Lag> lags;
};

Result<MetricsFigures> ReadMetricsFigures(Connection& conn);

}  // namespace exchange::store
