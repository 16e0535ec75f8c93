// SPDX-License-Identifier: Apache-2.0
#include "store/metrics_figures.h"

#include "store/transaction.h"

namespace exchange::store {
namespace {

// The counts the triggers of signals keep (migrations/0011): counting the
// signals themselves took seconds at millions of them. A count of 0 is a
// combination whose signals all went: it has no series.
constexpr const char* kSignals = R"sql(
  SELECT c.name AS collection, n.kind, n.status, n.count::float8 AS count
    FROM signal_counts n JOIN collections c ON c.id = n.collection_id
   WHERE n.count > 0)sql";
constexpr const char* kLogs = R"sql(
  SELECT l.name, l.size::float8 AS size,
         extract(epoch FROM (SELECT max(signed_at) FROM log_checkpoints k WHERE k.log_id = l.id))::float8
           AS last_checkpoint
    FROM logs l)sql";
// Each member's most recent observation per log, worst log first.
constexpr const char* kLags = R"sql(
  SELECT o.slug, max(latest.lag_seconds) AS lag_seconds
    FROM (SELECT DISTINCT ON (org_id, log_id) org_id, lag_seconds FROM sync_observations
           ORDER BY org_id, log_id, observed_at DESC) latest
    JOIN organisations o ON o.id = latest.org_id
   WHERE o.status = 'active'
   GROUP BY o.slug)sql";

}  // namespace

Result<MetricsFigures> ReadMetricsFigures(Connection& conn) {
  return RunTransaction(conn, [](pqxx::work& tx) -> Result<MetricsFigures> {
    MetricsFigures f;
    for (const auto& r : tx.exec(kSignals)) {
      f.signals.push_back({r["collection"].as<std::string>(), r["kind"].as<std::string>(),
                           r["status"].as<std::string>(), r["count"].as<double>()});
    }
    for (const auto& r : tx.exec(kLogs)) {
      const auto& checkpoint = r["last_checkpoint"];
      f.logs.push_back({r["name"].as<std::string>(), r["size"].as<double>(),
                        checkpoint.is_null() ? std::nullopt : std::optional<double>(checkpoint.as<double>())});
    }
    for (const auto& r : tx.exec(kLags)) f.lags.push_back({r["slug"].as<std::string>(), r["lag_seconds"].as<double>()});
    return f;
  });
}

}  // namespace exchange::store
