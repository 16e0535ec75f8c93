// SPDX-License-Identifier: Apache-2.0
// HTTP/1.1 sessions over TLS (the API listener) and over plain TCP (the
// operations listener), with keep-alive and a time limit on every step:
//
//   TLS handshake ─ handshake_timeout
//   waiting for the next request on a kept-alive connection ─ idle_timeout
//   from a request's first byte to the end of its headers ─ header_timeout
//   reading the body ─ body_timeout      writing the response ─ write_timeout
//   dropping the rest of a refused (413) body ─ body_timeout, one deadline in all
//
// A session holds its listener's ConnectionTracker registration: pending until
// the TLS handshake succeeds, then established (or closed when the listener's
// established limit is reached).
//
// Each request gets a fresh parser with a header limit and the body limit of
// its route (from the Dispatcher). Malformed HTTP gets a 400, oversized
// headers a 431, an oversized body a 413; then the connection closes.
// Every answered request gets an unpredictable id (X-Request-Id) and one
// request log line (docs/operations.md, "The request log"), written once the
// response is written: id, method, route template, status, body bytes,
// latency from the request's first byte, organisation and credential id.
// Never the target (its path and query may hold values), a header value or
// the body. A well-formed X-Request-Id the client sent is logged as
// client_request_id; the response always carries the server's own id.
// Each session runs on the one thread of its socket's io_context (no strand
// needed); the Dispatcher may answer from any thread: an answer given on that
// thread is written at once, one from another thread (the database workers) is
// posted back.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <cstdint>
#include <memory>

#include "common/logger.h"
#include "net/connection_tracker.h"
#include "net/listener.h"

namespace exchange::http {
class Dispatcher;
}
namespace exchange::metrics {
class ServerMetrics;
}

namespace exchange::net {

struct SessionLimits {
  std::chrono::milliseconds handshake_timeout{10'000};
  std::chrono::milliseconds idle_timeout{60'000};
  std::chrono::milliseconds header_timeout{10'000};
  std::chrono::milliseconds body_timeout{60'000};
  std::chrono::milliseconds write_timeout{60'000};
  std::uint32_t max_header_bytes = 16 * 1024;
};

// Everything a session refers to; must outlive every session.
struct SessionEnvironment {
  SessionLimits limits;
  http::Dispatcher* dispatcher = nullptr;
  metrics::ServerMetrics* metrics = nullptr;  // null on the ops listener
  const char* listener = "api";               // the request log's `listener` field
  logging::Level request_log_level = logging::Level::kInfo;
};

// `registration` is the connection's admission by its listener's tracker.
void StartTlsSession(Socket socket, boost::asio::ssl::context& tls, const SessionEnvironment& env,
                     std::unique_ptr<ConnectionTracker::Registration> registration);
void StartPlainSession(Socket socket, const SessionEnvironment& env,
                       std::unique_ptr<ConnectionTracker::Registration> registration);

}  // namespace exchange::net
