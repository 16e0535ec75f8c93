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
//                       are deleted;
//   WitnessSubmitter    one per configured witness: every log's newest
//                       checkpoint is offered to it and its cosignature kept.
//
// Lifetime: the services passed in must outlive the BackgroundTasks; its
// destructor waits for a running task to finish. Each task runs on its own
// thread only.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

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

class WitnessSubmitter;
struct WitnessEndpoint;

// How often each task runs.
struct BackgroundPeriods {
  std::chrono::milliseconds checkpoint_refresh;
  std::chrono::milliseconds metrics;
  std::chrono::milliseconds pdq_follow;
  std::chrono::milliseconds expiry;
  std::chrono::milliseconds witness;
  std::chrono::milliseconds witness_timeout;
  // Non-empty: a read replica (serve --read-database-url) the PDQ indexes load
  // their entries from when it holds them (PdqLookup::CatchUp).
  std::string pdq_read_url;
};

void RefreshCheckpoints(const services::CheckpointPublisher& publisher, store::Connection& conn);
void ReadDatabaseGauges(metrics::ServerMetrics& metrics, store::Connection& conn);
// `replica` (may be null): where the entries are read when it holds them.
void FollowPdqLogs(services::PdqLookup& pdq, store::Connection& conn, store::Connection* replica = nullptr);
void ExpireAndPurge(store::Connection& conn);

class BackgroundTasks {
 public:
  // Starts the tasks; each runs at once, then every period.
  BackgroundTasks(const std::string& database_url, const BackgroundPeriods& periods,
                  const services::CheckpointPublisher& publisher, metrics::ServerMetrics& metrics,
                  services::PdqLookup& pdq, const std::vector<WitnessEndpoint>& witnesses);

 private:
  store::PeriodicTask checkpoint_refresher_;
  store::PeriodicTask gauge_reader_;
  std::unique_ptr<store::Connection> pdq_replica_;  // used only by pdq_follower_'s thread; may be null
  store::PeriodicTask pdq_follower_;
  store::PeriodicTask expiry_;
  // Declared after the submitters they call, so they stop first.
  std::vector<std::unique_ptr<WitnessSubmitter>> witness_submitters_;
  std::vector<std::unique_ptr<store::PeriodicTask>> witness_tasks_;
};

}  // namespace exchange::server
