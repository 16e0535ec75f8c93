// What the Prometheus gauges read from the database, in three small queries.
#pragma once

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
    double checkpoint_age_seconds;  // -1 when never signed
  };
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
