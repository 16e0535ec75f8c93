// SPDX-License-Identifier: Apache-2.0
#include "metrics/server_metrics.h"

#include <prometheus/text_serializer.h>

#include "version/version.h"

namespace exchange::metrics {
namespace {

const prometheus::Histogram::BucketBoundaries kLatencyBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                                 0.1,    0.25,  0.5,    1,     2.5,  5};

std::string_view HandshakeFailureName(HandshakeFailure reason) {
  switch (reason) {
    case HandshakeFailure::kNoCertificate: return "no_certificate";
    case HandshakeFailure::kUntrustedCertificate: return "untrusted_certificate";
    case HandshakeFailure::kProtocol: return "protocol";
    case HandshakeFailure::kTimeout: return "timeout";
    case HandshakeFailure::kOther: return "other";
  }
  return "other";
}

}  // namespace

ServerMetrics::ServerMetrics(std::string_view version)
    : registry_(std::make_shared<prometheus::Registry>()),
      connections_active_(prometheus::BuildGauge()
                              .Name("exchange_http_connections_active")
                              .Help("Open API connections.")
                              .Register(*registry_)
                              .Add({})),
      connections_refused_(prometheus::BuildCounter()
                               .Name("exchange_http_connections_refused_total")
                               .Help("API connections closed at accept because the connection cap was reached.")
                               .Register(*registry_)
                               .Add({})),
      pool_queue_depth_(prometheus::BuildGauge()
                            .Name("exchange_db_pool_queue_depth")
                            .Help("Database jobs waiting for a worker.")
                            .Register(*registry_)
                            .Add({})),
      pool_in_flight_(prometheus::BuildGauge()
                          .Name("exchange_db_pool_jobs_in_flight")
                          .Help("Database jobs waiting or running.")
                          .Register(*registry_)
                          .Add({})),
      pool_queue_limit_(prometheus::BuildGauge()
                            .Name("exchange_db_pool_queue_limit")
                            .Help("Database jobs that may wait before requests get 503 (--max-queued-jobs).")
                            .Register(*registry_)
                            .Add({})),
      batch_signals_(prometheus::BuildHistogram()
                         .Name("exchange_submit_batch_signals")
                         .Help("Signals per submitted batch.")
                         .Register(*registry_)
                         .Add({}, prometheus::Histogram::BucketBoundaries{1, 10, 100, 1000, 5000, 10000})),
      feed_reads_(prometheus::BuildCounter()
                      .Name("exchange_feed_reads_total")
                      .Help("Feed data reads (entries, tiles, proofs) with --read-database-url set, by the database "
                            "that served them: replica, or primary when the replica lagged or failed.")
                      .Register(*registry_)),
      feed_reads_replica_(feed_reads_.Add({{"database", "replica"}})),
      feed_reads_primary_(feed_reads_.Add({{"database", "primary"}})),
      signals_(prometheus::BuildGauge()
                   .Name("exchange_signals")
                   .Help("Signals held, by collection, kind and status.")
                   .Register(*registry_)),
      log_entries_(prometheus::BuildGauge()
                       .Name("exchange_log_entries")
                       .Help("Committed entries per verifiable log.")
                       .Register(*registry_)),
      checkpoint_timestamp_(prometheus::BuildGauge()
                                .Name("exchange_checkpoint_timestamp_seconds")
                                .Help("Unix time at which each log's newest checkpoint was signed.")
                                .Register(*registry_)),
      sync_lag_(prometheus::BuildGauge()
                    .Name("exchange_member_sync_lag_seconds")
                    .Help("How far behind each member's most recent fetch of entries was.")
                    .Register(*registry_)),
      witness_requests_(prometheus::BuildCounter()
                            .Name("exchange_witness_requests_total")
                            .Help("add-checkpoint requests to each witness, by outcome (cosigned, conflict, refused, "
                                  "unreachable).")
                            .Register(*registry_)),
      witness_lag_(prometheus::BuildGauge()
                       .Name("exchange_witness_lag_entries")
                       .Help("Entries of each log that each witness has not cosigned yet.")
                       .Register(*registry_)),
      witness_cosigned_at_(prometheus::BuildGauge()
                               .Name("exchange_witness_cosigned_timestamp_seconds")
                               .Help("Unix time of each witness's newest cosignature of each log (0: none yet).")
                               .Register(*registry_)) {
  const version::BuildInfo build = version::Get();
  prometheus::BuildGauge()
      .Name("exchange_build_info")
      .Help("Always 1; the labels name the running build, as exchanged --version does.")
      .Register(*registry_)
      .Add({{"version", std::string(version)},
            {"commit", build.commit},
            {"build_date", build.build_date},
            {"openssl", build.openssl},
            {"libpqxx", build.libpqxx}})
      .Set(1);

  auto& failures = prometheus::BuildCounter()
                       .Name("exchange_tls_handshake_failures_total")
                       .Help("TLS handshakes that failed, by reason.")
                       .Register(*registry_);
  for (auto reason : {HandshakeFailure::kNoCertificate, HandshakeFailure::kUntrustedCertificate,
                      HandshakeFailure::kProtocol, HandshakeFailure::kTimeout, HandshakeFailure::kOther}) {
    handshake_failures_[reason] = &failures.Add({{"reason", std::string(HandshakeFailureName(reason))}});
  }
}

void ServerMetrics::AddRoutes(const std::vector<std::string>& routes) {
  auto& requests = prometheus::BuildCounter()
                       .Name("exchange_http_requests_total")
                       .Help("API requests answered, by route template and status class.")
                       .Register(*registry_);
  auto& durations = prometheus::BuildHistogram()
                        .Name("exchange_http_request_duration_seconds")
                        .Help("Time from a request's last byte read to its response handed to the socket.")
                        .Register(*registry_);
  std::vector<std::string> all = routes;
  all.push_back("unmatched");
  for (const auto& route : all) {
    RouteSeries series;
    for (int c = 0; c < 5; ++c) {
      series.by_class[c] = &requests.Add({{"route", route}, {"code", std::to_string(c + 1) + "xx"}});
    }
    series.duration = &durations.Add({{"route", route}}, kLatencyBuckets);
    routes_[route] = series;
  }
}

void ServerMetrics::ObserveRequest(const std::string& route, int http_status, double seconds) {
  auto it = routes_.find(route);
  if (it == routes_.end()) it = routes_.find("unmatched");
  int status_class = http_status / 100;
  if (status_class < 1 || status_class > 5) status_class = 5;
  it->second.by_class[status_class - 1]->Increment();
  it->second.duration->Observe(seconds);
}

void ServerMetrics::GaugeSeries::Replace(const std::map<prometheus::Labels, double>& values) {
  std::map<prometheus::Labels, prometheus::Gauge*> next;
  for (const auto& [labels, value] : values) {
    auto& gauge = family_.Add(labels);
    gauge.Set(value);
    next.emplace(labels, &gauge);
  }
  for (const auto& [labels, gauge] : current_) {
    if (!next.count(labels)) family_.Remove(gauge);
  }
  current_ = std::move(next);
}

void ServerMetrics::SetDatabaseFigures(const DatabaseFigures& figures) {
  std::map<prometheus::Labels, double> signal_counts, sizes, timestamps, lag_seconds;
  for (const auto& s : figures.signals) {
    signal_counts[{{"collection", s.collection}, {"kind", s.kind}, {"status", s.status}}] = s.count;
  }
  for (const auto& l : figures.logs) {
    sizes[{{"log", l.name}}] = l.size;
    if (l.checkpoint_timestamp_seconds) timestamps[{{"log", l.name}}] = *l.checkpoint_timestamp_seconds;
  }
  for (const auto& g : figures.lags) lag_seconds[{{"org", g.org}}] = g.seconds;
  std::lock_guard lock(figures_mu_);
  signals_.Replace(signal_counts);
  log_entries_.Replace(sizes);
  checkpoint_timestamp_.Replace(timestamps);
  sync_lag_.Replace(lag_seconds);
}

void ServerMetrics::HandshakeFailed(HandshakeFailure reason) { handshake_failures_.at(reason)->Increment(); }

std::string ServerMetrics::Serialize() const {
  auto families = registry_->Collect();
  for (auto& family : process_.Collect()) families.push_back(std::move(family));
  return prometheus::TextSerializer().Serialize(families);
}

void ServerMetrics::AddWitnesses(const std::vector<std::string>& witnesses) {
  for (const auto& witness : witnesses) {
    for (const char* result : {"cosigned", "conflict", "refused", "unreachable"}) {
      witness_requests_.Add({{"witness", witness}, {"result", result}});
    }
  }
}

void ServerMetrics::WitnessRequest(const std::string& witness, std::string_view result) {
  witness_requests_.Add({{"witness", witness}, {"result", std::string(result)}}).Increment();
}

void ServerMetrics::SetWitnessProgress(const std::string& witness, const std::string& log, double lag_entries,
                                       double cosigned_at_seconds) {
  witness_lag_.Add({{"witness", witness}, {"log", log}}).Set(lag_entries);
  witness_cosigned_at_.Add({{"witness", witness}, {"log", log}}).Set(cosigned_at_seconds);
}

}  // namespace exchange::metrics
