// SPDX-License-Identifier: Apache-2.0
// DatabaseFigures: what the Prometheus gauges show of the database, as
// store::ReadMetricsFigures reads it and metrics::ServerMetrics sets it
// (server/background_tasks.cpp passes one to the other). Each read is the
// whole current state: a row that is absent (a status with no signals left, a
// log never signed, an organisation no longer active) is a series the gauges
// drop. Label values are bounded by what the exchange holds: collections, the
// kinds, three statuses, member organisations. A plain value type.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace exchange {

struct DatabaseFigures {
  struct Signals {
    std::string collection, kind, status;
    double count;
  };
  struct Log {
    std::string name;
    double size;
    // Unix time of the newest signed checkpoint; empty when none was ever signed (no series).
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

}  // namespace exchange
