// ServerMetrics: every metric family exchanged exports, built once at start-up.
//
// Names follow exchange_<noun>_<unit>[_total]; label sets are small and
// bounded (route templates, status classes, a fixed list of reasons) and are
// added up front so a scrape always shows every series, zeros included.
// Gauges that mirror other objects' state (pool queue depth) are refreshed by
// the callback given to Serialize().
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
#include <mutex>
#include <set>
#include <tuple>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

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
  void ObserveBatch(double signals) { batch_signals_.Observe(signals); }

  // Figures read from the database by a background task (see serve.cpp).
  // Label values are bounded by what the exchange holds: collections, the
  // eleven kinds, three statuses, member organisations.
  struct SignalCount {
    std::string collection, kind, status;
    double count;
  };
  struct LogState {
    std::string log;
    double size;
    double checkpoint_age_seconds;
  };
  struct SyncLag {
    std::string org;
    double seconds;
  };
  void SetDatabaseFigures(const std::vector<SignalCount>& signals, const std::vector<LogState>& logs,
                          const std::vector<SyncLag>& lags);

  prometheus::Registry& registry() { return *registry_; }
  // The Prometheus text exposition of every family.
  std::string Serialize() const;

 private:
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
  prometheus::Histogram& batch_signals_;
  prometheus::Family<prometheus::Gauge>& signals_;
  prometheus::Family<prometheus::Gauge>& log_entries_;
  prometheus::Family<prometheus::Gauge>& checkpoint_age_;
  prometheus::Family<prometheus::Gauge>& sync_lag_;
  // Signal series set last time, so one that disappears reads 0, not its old value.
  std::mutex figures_mu_;
  std::set<std::tuple<std::string, std::string, std::string>> signal_series_;  // guarded by figures_mu_
};

}  // namespace exchange::metrics
