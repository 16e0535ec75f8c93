// SPDX-License-Identifier: Apache-2.0
// BackgroundTasks: the work every exchanged process does on its own, apart
// from requests, each on a PeriodicTask (store/periodic_task.h) with its own
// database connection:
//   RefreshCheckpoints  keeps every log's published checkpoint signed and
//                       fresh even when nobody asks;
//   ReadDatabaseGauges  the gauges that mirror the database (signals, log
//                       sizes, checkpoint times, sync lag);
//   FollowPdqLogs       each process's PDQ indexes follow the logs, so a
//                       change applies within a second;
//   ExpireAndPurge      contributions past their expires_at leave the feed by
//                       themselves; idempotency records past their retention
//                       are deleted.
//
// Lifetime: the services passed in must outlive the BackgroundTasks; its
// destructor waits for a running task to finish. Each task runs on its own
// thread only.
#pragma once

#include <chrono>
#include <string>

#include "store/connection.h"
#include "store/periodic_task.h"

namespace exchange::metrics {
class ServerMetrics;
}
namespace exchange::services {
class CheckpointPublisher;
class PdqLookup;
}  // namespace exchange::services

namespace exchange::server {

// How often each task runs.
struct BackgroundPeriods {
  std::chrono::milliseconds checkpoint_refresh;
  std::chrono::milliseconds metrics;
  std::chrono::milliseconds pdq_follow;
  std::chrono::milliseconds expiry;
};

void RefreshCheckpoints(const services::CheckpointPublisher& publisher, store::Connection& conn);
void ReadDatabaseGauges(metrics::ServerMetrics& metrics, store::Connection& conn);
void FollowPdqLogs(services::PdqLookup& pdq, store::Connection& conn);
void ExpireAndPurge(store::Connection& conn);

class BackgroundTasks {
 public:
  // Starts the four tasks; each runs at once, then every period.
  BackgroundTasks(const std::string& database_url, const BackgroundPeriods& periods,
                  const services::CheckpointPublisher& publisher, metrics::ServerMetrics& metrics,
                  services::PdqLookup& pdq);

 private:
  store::PeriodicTask checkpoint_refresher_;
  store::PeriodicTask gauge_reader_;
  store::PeriodicTask pdq_follower_;
  store::PeriodicTask expiry_;
};

}  // namespace exchange::server
