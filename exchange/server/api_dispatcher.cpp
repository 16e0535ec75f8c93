// SPDX-License-Identifier: Apache-2.0
#include "server/api_dispatcher.h"

#include <algorithm>
#include <chrono>
#include <exception>

#include "common/logger.h"
#include "http/request_origin.h"
#include "http/wire.h"
#include "metrics/server_metrics.h"
#include "server/caller_auth.h"
#include "store/worker_pool.h"

namespace exchange::server {
namespace {

using http::CallContext;
using http::Caller;
using http::ErrorResponse;
using http::Request;
using http::Response;
using http::Route;

// Handlers report expected failures as Responses; an exception is a bug.
// It becomes a 500 here, and the process keeps serving.
Response Invoke(const Route& route, const Request& request, CallContext& context) {
  try {
    return route.handler(request, context);
  } catch (const std::exception& e) {
    logging::Error(
        "handler threw",
        {{"request_id", request.id}, {"method", route.method}, {"route", route.pattern}, {"error", e.what()}});
    return ErrorResponse(&request, Status::Internal("the server failed to handle this request"));
  }
}

// The routes a tile proxy may name a member on (GET only): the tlog-tiles
// routes and the checkpoint that `exchangectl sync` reads beside them.
bool SpeaksForMembers(const std::string& pattern) {
  return pattern.find("/tlog/") != std::string::npos || pattern == "/v1/collections/{c}/checkpoint" ||
         pattern == "/v1/audit/checkpoint";
}

}  // namespace

ApiDispatcher::ApiDispatcher(const http::Router& router, store::WorkerPool& pool, http::CallerCache& callers,
                             metrics::ServerMetrics& metrics, http::RateLimiter* limiter,
                             http::RateLimiter* refused_per_certificate, http::RateLimiter* refused_per_address,
                             std::string own_origin, std::set<std::string> tile_proxies)
    : router_(router),
      pool_(pool),
      callers_(callers),
      metrics_(metrics),
      limiter_(limiter),
      refused_per_certificate_(refused_per_certificate),
      refused_per_address_(refused_per_address),
      own_origin_(std::move(own_origin)),
      tile_proxies_(std::move(tile_proxies)) {}

std::size_t ApiDispatcher::BodyLimit(std::string_view method, std::string_view target) const {
  std::string_view path = target.substr(0, target.find('?'));
  std::size_t limit = router_.BodyLimit(method, path);
  return limit ? limit : kUnmatchedBodyLimit;
}

void ApiDispatcher::Dispatch(Request request, const http::Peer& peer, Done done) {
  const auto start = std::chrono::steady_clock::now();
  // `caller`: who asked, once known (for the request log).
  auto finish = [this, start, done = std::move(done)](const std::string& route, Response response,
                                                      const Caller* caller = nullptr) {
    std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    metrics_.ObserveRequest(route, response.status, elapsed.count());
    response.route = route;
    if (caller) {
      response.org = caller->org_slug;
      response.credential_id = caller->credential_id;
    }
    done(std::move(response));
  };

  if (!http::ParseTarget(request.target, request.path, request.query)) {
    return finish(
        "unmatched",
        ErrorResponse(
            &request,
            Status::InvalidArgument(
                "malformed request target: bad percent-encoding, an encoded NUL, or bytes that are not UTF-8")));
  }
  http::RouteMatch match = router_.Match(request);
  if (!match.route && match.path_known) {
    Response response = ErrorResponse(
        &request, Status::InvalidArgument("method " + request.method + " is not allowed on " + request.path));
    response.status = 405;
    return finish("unmatched", std::move(response));
  }
  if (!match.route)
    return finish("unmatched", ErrorResponse(&request, Status::NotFound("no such endpoint: " + request.path)));
  const Route& route = *match.route;
  // Cross-site protection, before the caller is looked up or any handler runs.
  if (!own_origin_.empty()) {
    http::OriginDecision decision = http::CheckRequestOrigin(
        {request.method, request.content_type, request.origin, request.sec_fetch_site, own_origin_, {}});
    if (decision.verdict == http::OriginVerdict::kForbidden) {
      return finish(route.pattern, ErrorResponse(&request, Status::PermissionDenied(decision.reason)));
    }
    if (decision.verdict == http::OriginVerdict::kUnsupportedMediaType) {
      Response response = ErrorResponse(&request, Status::InvalidArgument(decision.reason));
      response.status = 415;
      return finish(route.pattern, std::move(response));
    }
  }
  const bool needs_caller = route.access == http::Access::kAuthenticated;
  if (needs_caller && peer.fingerprint.empty()) {
    return finish(route.pattern, ErrorResponse(&request, Status::Unauthenticated("a client certificate is required")));
  }
  // A tile cache in front names the member it serves; the member is then the caller.
  if (peer.vouches) {
    if (!tile_proxies_.contains(peer.fingerprint)) {
      return finish(route.pattern, ErrorResponse(&request, Status::PermissionDenied(
                                                               "X-Exchange-Member-Cert is accepted only from a tile "
                                                               "proxy (exchanged serve --tile-proxy-cert)")));
    }
    if (request.method != "GET" || !SpeaksForMembers(route.pattern)) {
      return finish(
          route.pattern,
          ErrorResponse(&request,
                        Status::PermissionDenied(
                            "a tile proxy speaks for members only on GET requests for tlog routes and checkpoints")));
    }
    if (peer.vouched_fingerprint.empty()) {
      return finish(route.pattern,
                    ErrorResponse(&request, Status::InvalidArgument(
                                                "X-Exchange-Member-Cert holds no URL-escaped PEM certificate")));
    }
  }
  const std::string& fingerprint = peer.vouches ? peer.vouched_fingerprint : peer.fingerprint;
  // The proxy's own credential must still be good (revocation, suspension):
  // from the caller cache, or looked up with the member below.
  std::string unchecked_proxy;
  if (peer.vouches && !callers_.Find(peer.fingerprint)) {
    if (auto refusal = callers_.FindRefusal(peer.fingerprint)) {
      return finish(route.pattern, ErrorResponse(&request, *refusal));
    }
    unchecked_proxy = peer.fingerprint;
  }

  // 429 with Retry-After when `key` is over its rate; nullopt to go on.
  auto limited = [this](const Request& req, const std::string& key) -> std::optional<Response> {
    int wait = limiter_ ? limiter_->Take(key) : 0;
    if (wait == 0) return std::nullopt;
    Response r =
        ErrorResponse(&req, Status::ResourceExhausted("too many requests; retry in " + std::to_string(wait) + " s"));
    r.headers.emplace_back("Retry-After", std::to_string(wait));
    return r;
  };
  if (!needs_caller) {
    if (auto r = limited(request, "address:" + peer.address)) return finish(route.pattern, std::move(*r));
  }

  std::optional<Caller> cached = needs_caller ? callers_.Find(fingerprint) : std::nullopt;
  if (cached) {
    if (auto r = limited(request, "org:" + cached->org_slug)) return finish(route.pattern, std::move(*r), &*cached);
  }
  // Refused certificates: answered from memory within the cache TTL, and
  // limited per certificate and per address, so repeating them costs no query.
  // (The keys are built only on this path: a cached caller needs neither.)
  auto refused_cert_key = [](const std::string& fp) { return "cert:" + fp; };
  auto refused_address_key = [](const std::string& address) { return "address:" + address; };
  if (needs_caller && !cached) {
    if (auto refusal = callers_.FindRefusal(fingerprint)) {
      return finish(route.pattern, ErrorResponse(&request, *refusal));
    }
    if (!callers_.RecentlyAccepted(fingerprint)) {
      int wait = std::max(refused_per_certificate_ ? refused_per_certificate_->Peek(refused_cert_key(fingerprint)) : 0,
                          refused_per_address_ ? refused_per_address_->Peek(refused_address_key(peer.address)) : 0);
      if (wait > 0) {
        Response r = ErrorResponse(&request, Status::ResourceExhausted("too many requests with refused client "
                                                                       "certificates; retry in " +
                                                                       std::to_string(wait) + " s"));
        r.headers.emplace_back("Retry-After", std::to_string(wait));
        return finish(route.pattern, std::move(r));
      }
    }
  }
  if (!route.uses_database && (!needs_caller || cached) && unchecked_proxy.empty()) {
    CallContext context{cached ? &*cached : nullptr, nullptr};
    return finish(route.pattern, Invoke(route, request, context), context.caller);
  }

  auto job = [this, &route, request, fingerprint, address = peer.address, unchecked_proxy, cached, needs_caller, finish,
              limited, refused_cert_key, refused_address_key](store::WorkerConnections conns) mutable {
    // Callers (credentials, suspensions) are read from the primary only.
    store::Connection& conn = conns.primary;
    if (!unchecked_proxy.empty()) {
      auto proxy = LoadCaller(conn, unchecked_proxy);
      if (!proxy.ok()) {
        if (proxy.status().code() == ErrorCode::kPermissionDenied) {
          callers_.RememberRefusal(unchecked_proxy, proxy.status());
        }
        return finish(route.pattern, ErrorResponse(&request, proxy.status()));
      }
      callers_.Remember(*proxy);
    }
    std::optional<Caller> caller = cached;
    if (needs_caller && !caller) {
      auto loaded = LoadCaller(conn, fingerprint);
      if (!loaded.ok()) {
        if (loaded.status().code() == ErrorCode::kPermissionDenied) {
          callers_.RememberRefusal(fingerprint, loaded.status());
          if (refused_per_certificate_) refused_per_certificate_->Take(refused_cert_key(fingerprint));
          if (refused_per_address_) refused_per_address_->Take(refused_address_key(address));
        }
        return finish(route.pattern, ErrorResponse(&request, loaded.status()));
      }
      caller = std::move(loaded).value();
      callers_.Remember(*caller);
      if (auto r = limited(request, "org:" + caller->org_slug)) return finish(route.pattern, std::move(*r), &*caller);
    }
    CallContext context{caller ? &*caller : nullptr, &conn, conns.replica};
    finish(route.pattern, Invoke(route, request, context), context.caller);
  };
  if (!pool_.Submit(job)) {
    Response busy = ErrorResponse(&request, Status::Unavailable("the server is busy; retry shortly"));
    busy.headers.emplace_back("Retry-After", "1");
    finish(route.pattern, std::move(busy), cached ? &*cached : nullptr);
  }
}

}  // namespace exchange::server
