// SPDX-License-Identifier: Apache-2.0
// ApiDispatcher: routes a request, authenticates the caller, and runs the
// handler on the database worker pool (or inline, for handlers that need no
// database once the caller is cached). Records every answer in the metrics,
// and names its route template and caller in the Response for the request log.
//
// Thread-safety: Dispatch() may be called from any I/O thread; the objects
// it refers to must outlive every in-flight request (the server joins the
// worker pool before destroying them).
#pragma once

#include <set>
#include <string>

#include "http/caller_cache.h"
#include "http/dispatcher.h"
#include "http/rate_limiter.h"
#include "http/router.h"

namespace exchange::metrics {
class ServerMetrics;
}
namespace exchange::store {
class WorkerPool;
}

namespace exchange::server {

class ApiDispatcher final : public http::Dispatcher {
 public:
  // `limiter` (may be null) is keyed by the caller's organisation, or by the
  // remote address on public routes. `refused_per_certificate` and
  // `refused_per_address` (may be null) count refused certificate lookups;
  // when either is over its rate, a certificate not accepted recently gets
  // 429 before any database query. `tile_proxies`: fingerprints of the
  // client certificates of HTTP caches whose X-Exchange-Member-Cert is
  // believed, on GET requests for tlog routes only (http::Peer::vouches).
  ApiDispatcher(const http::Router& router, store::WorkerPool& pool, http::CallerCache& callers,
                metrics::ServerMetrics& metrics, http::RateLimiter* limiter,
                http::RateLimiter* refused_per_certificate = nullptr, http::RateLimiter* refused_per_address = nullptr,
                std::string own_origin = "", std::set<std::string> tile_proxies = {});

  std::size_t BodyLimit(std::string_view method, std::string_view target) const override;
  void Dispatch(http::Request request, const http::Peer& peer, Done done) override;

 private:
  const http::Router& router_;
  store::WorkerPool& pool_;
  http::CallerCache& callers_;
  metrics::ServerMetrics& metrics_;
  http::RateLimiter* limiter_;
  http::RateLimiter* refused_per_certificate_;
  http::RateLimiter* refused_per_address_;
  // Non-empty: state-changing requests pass http::CheckRequestOrigin against it.
  std::string own_origin_;
  std::set<std::string> tile_proxies_;
};

// Body limit for requests that match no route, so they still get their 404.
inline constexpr std::size_t kUnmatchedBodyLimit = 64 * 1024;

}  // namespace exchange::server
