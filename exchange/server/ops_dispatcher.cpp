// SPDX-License-Identifier: Apache-2.0
#include "server/ops_dispatcher.h"

#include "http/wire.h"
#include "metrics/server_metrics.h"
#include "store/readiness_probe.h"

namespace exchange::server {

using http::Response;
using http::TextResponse;

OpsDispatcher::OpsDispatcher(metrics::ServerMetrics& metrics, const store::ReadinessProbe& readiness,
                             std::function<void()> refresh)
    : metrics_(metrics), readiness_(readiness), refresh_(std::move(refresh)) {}

void OpsDispatcher::Dispatch(http::Request request, const http::Peer&, Done reply) {
  std::string path = request.target.substr(0, request.target.find('?'));
  // The request log names the route: one of ours, or "unmatched".
  auto done = [&reply, &path](Response response) {
    if (path == "/healthz" || path == "/readyz" || path == "/metrics") response.route = path;
    reply(std::move(response));
  };
  if (request.method != "GET" && request.method != "HEAD") {
    Response response = TextResponse("only GET is served here\n");
    response.status = 405;
    return done(std::move(response));
  }
  if (path == "/healthz") return done(TextResponse("ok\n"));
  if (path == "/readyz") {
    if (readiness_.Ready()) return done(TextResponse("ready\n"));
    Response response = TextResponse("not ready: " + readiness_.Reason() + "\n");
    response.status = 503;
    return done(std::move(response));
  }
  if (path == "/metrics") {
    if (refresh_) refresh_();
    return done(TextResponse(metrics_.Serialize(), "text/plain; version=0.0.4; charset=utf-8"));
  }
  Response response = TextResponse("not found; try /healthz, /readyz or /metrics\n");
  response.status = 404;
  done(std::move(response));
}

}  // namespace exchange::server
