// SPDX-License-Identifier: Apache-2.0
// ServerMetrics: every metric family exchanged exports, built once at start-up.
//
// Names follow exchange_<noun>_<unit>[_total]; label sets are small and
// bounded (route templates, status classes, a fixed list of reasons) and are
// added up front so a scrape always shows every series, zeros included.
// Gauges that mirror other objects' state (pool queue depth) are refreshed by
// the callback given to Serialize(). The gauges that mirror the database are
// replaced whole on each read: a label set the read no longer has is removed
// (Family::Remove), so a scrape never shows a figure that is gone. The
// process_* families are read from /proc/self at each scrape
// (ProcessCollector).
//
// Thread-safety: prometheus-cpp metrics are atomic; every method may be
// called from any thread after construction.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <array>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/database_figures.h"
#include "metrics/process_collector.h"

namespace exchange::metrics {

// Why a TLS handshake failed, as a bounded label value.
enum class HandshakeFailure { kNoCertificate, kUntrustedCertificate, kProtocol, kTimeout, kOther };

class ServerMetrics {
 public:
  explicit ServerMetrics(std::string_view version);
  // Adds the series of every route template ("unmatched" too). Call once,
  // before serving: the route series are not guarded for later changes.
  void AddRoutes(const std::vector<std::string>& routes);

  void ObserveRequest(const std::string& route, int http_status, double seconds);
  void HandshakeFailed(HandshakeFailure reason);
  void ConnectionOpened() { connections_active_.Increment(); }
  void ConnectionClosed() { connections_active_.Decrement(); }
  void ConnectionRefused() { connections_refused_.Increment(); }
  void SetPoolState(double queue_depth, double in_flight) {
    pool_queue_depth_.Set(queue_depth);
    pool_in_flight_.Set(in_flight);
  }
  // --max-queued-jobs, so an alert compares the queue with the real limit.
  void SetPoolQueueLimit(double jobs) { pool_queue_limit_.Set(jobs); }
  void ObserveBatch(double signals) { batch_signals_.Observe(signals); }
  // A feed data read (entries, tile, proof) with a read replica configured:
  // served by the replica, or by the primary because the replica did not yet
  // hold the tree the answer needs (or failed).
  void FeedReadServed(bool by_replica) { (by_replica ? feed_reads_replica_ : feed_reads_primary_).Increment(); }

  // Replaces every database gauge (server/background_tasks.cpp reads the
  // figures): series absent from `figures` are removed.
  void SetDatabaseFigures(const DatabaseFigures& figures);

  // The witnesses (by key name) exchanged submits checkpoints to: adds their
  // request series, zeros included. Call once, before the submitters start.
  void AddWitnesses(const std::vector<std::string>& witnesses);
  // One add-checkpoint request's outcome: cosigned, conflict, refused or unreachable.
  void WitnessRequest(const std::string& witness, std::string_view result);
  // How many of `log`'s entries `witness` has not cosigned yet, and when it last did.
  void SetWitnessProgress(const std::string& witness, const std::string& log, double lag_entries,
                          double cosigned_at_seconds);

  prometheus::Registry& registry() { return *registry_; }
  // The Prometheus text exposition of every family.
  std::string Serialize() const;

 private:
  // The label sets of one gauge family that the last SetDatabaseFigures set.
  class GaugeSeries {
   public:
    explicit GaugeSeries(prometheus::Family<prometheus::Gauge>& family) : family_(family) {}
    // Sets each value; removes the label sets of the previous call that are not in `values`.
    void Replace(const std::map<prometheus::Labels, double>& values);

   private:
    prometheus::Family<prometheus::Gauge>& family_;
    std::map<prometheus::Labels, prometheus::Gauge*> current_;
  };

  struct RouteSeries {
    std::array<prometheus::Counter*, 5> by_class{};  // 1xx..5xx
    prometheus::Histogram* duration = nullptr;
  };

  std::shared_ptr<prometheus::Registry> registry_;
  std::map<std::string, RouteSeries> routes_;  // fixed after construction
  std::map<HandshakeFailure, prometheus::Counter*> handshake_failures_;
  prometheus::Gauge& connections_active_;
  prometheus::Counter& connections_refused_;
  prometheus::Gauge& pool_queue_depth_;
  prometheus::Gauge& pool_in_flight_;
  prometheus::Gauge& pool_queue_limit_;
  prometheus::Histogram& batch_signals_;
  prometheus::Family<prometheus::Counter>& feed_reads_;
  prometheus::Counter& feed_reads_replica_;
  prometheus::Counter& feed_reads_primary_;
  ProcessCollector process_;
  // The database gauges, replaced by SetDatabaseFigures; guarded by figures_mu_
  // (prometheus-cpp guards each family's own map; the mutex keeps two
  // replacements from interleaving).
  std::mutex figures_mu_;
  GaugeSeries signals_;
  GaugeSeries log_entries_;
  GaugeSeries checkpoint_timestamp_;
  GaugeSeries sync_lag_;
  prometheus::Family<prometheus::Counter>& witness_requests_;
  prometheus::Family<prometheus::Gauge>& witness_lag_;
  prometheus::Family<prometheus::Gauge>& witness_cosigned_at_;
};

}  // namespace exchange::metrics
