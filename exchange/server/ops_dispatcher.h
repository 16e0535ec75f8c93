// SPDX-License-Identifier: Apache-2.0
// OpsDispatcher: the plain-HTTP operations listener (/healthz, /readyz,
// /metrics). Answers inline: nothing here waits on the database.
#pragma once

#include <functional>

#include "http/dispatcher.h"

namespace exchange::metrics {
class ServerMetrics;
}
namespace exchange::store {
class ReadinessProbe;
}

namespace exchange::server {

class OpsDispatcher final : public http::Dispatcher {
 public:
  // `refresh` runs before each scrape to update gauges mirrored from other objects.
  OpsDispatcher(metrics::ServerMetrics& metrics, const store::ReadinessProbe& readiness, std::function<void()> refresh);

  std::size_t BodyLimit(std::string_view, std::string_view) const override { return 0; }
  void Dispatch(http::Request request, const http::Peer& peer, Done done) override;

 private:
  metrics::ServerMetrics& metrics_;
  const store::ReadinessProbe& readiness_;
  std::function<void()> refresh_;
};

}  // namespace exchange::server
