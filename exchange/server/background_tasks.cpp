// SPDX-License-Identifier: Apache-2.0
#include "server/background_tasks.h"

#include <vector>

#include "common/logger.h"
#include "metrics/server_metrics.h"
#include "server/witness_submitter.h"
#include "services/checkpoints.h"
#include "services/pdq_lookup.h"
#include "store/logs.h"
#include "store/metrics_figures.h"
#include "store/signals.h"

namespace exchange::server {

void RefreshCheckpoints(const services::CheckpointPublisher& publisher, store::Connection& conn) {
  auto heads = store::ListLogs(conn);
  if (!heads.ok()) return;
  for (const auto& head : *heads) (void)publisher.Current(conn, head);
}

void ReadDatabaseGauges(metrics::ServerMetrics& metrics, store::Connection& conn) {
  auto figures = store::ReadMetricsFigures(conn);
  if (figures.ok()) metrics.SetDatabaseFigures(*figures);
}

void FollowPdqLogs(services::PdqLookup& pdq, store::Connection& conn, store::Connection* replica) {
  pdq.CatchUp(conn, replica);
}

void ExpireAndPurge(store::Connection& conn) {
  auto changed = store::ApplyExpiries(conn);
  if (!changed.ok()) logging::Error("expiry failed", {{"error", changed.status().ToString()}});
  auto purged = store::PurgeIdempotencyRecords(conn);
  if (!purged.ok()) logging::Error("idempotency purge failed", {{"error", purged.status().ToString()}});
}

BackgroundTasks::BackgroundTasks(const std::string& database_url, const BackgroundPeriods& periods,
                                 const services::CheckpointPublisher& publisher, metrics::ServerMetrics& metrics,
                                 services::PdqLookup& pdq, const std::vector<WitnessEndpoint>& witnesses)
    : checkpoint_refresher_(database_url, periods.checkpoint_refresh,
                            [&publisher](store::Connection& conn) { RefreshCheckpoints(publisher, conn); }),
      gauge_reader_(database_url, periods.metrics,
                    [&metrics](store::Connection& conn) { ReadDatabaseGauges(metrics, conn); }),
      pdq_replica_(periods.pdq_read_url.empty() ? nullptr : std::make_unique<store::Connection>(periods.pdq_read_url)),
      pdq_follower_(
          database_url, periods.pdq_follow,
          [&pdq, replica = pdq_replica_.get()](store::Connection& conn) { FollowPdqLogs(pdq, conn, replica); }),
      expiry_(database_url, periods.expiry, ExpireAndPurge) {
  std::vector<std::string> names;
  for (const auto& w : witnesses) names.push_back(w.key.name());
  metrics.AddWitnesses(names);
  for (const auto& w : witnesses) {
    auto& submitter = witness_submitters_.emplace_back(
        std::make_unique<WitnessSubmitter>(w, publisher, metrics, periods.witness_timeout));
    witness_tasks_.push_back(std::make_unique<store::PeriodicTask>(
        database_url, periods.witness, [s = submitter.get()](store::Connection& conn) { s->RunOnce(conn); }));
  }
}

}  // namespace exchange::server
