// SPDX-License-Identifier: Apache-2.0
// HttpsClient: a small blocking HTTPS/1.1 client with a client certificate,
// for exchangectl and the end-to-end tests. It verifies the server against
// the given CA bundle and its host name and keeps one connection alive across
// requests.
//
// Resending: before reusing an idle connection it checks that the server has
// not closed it. When a reused connection fails anyway, the request is sent
// once more on a fresh connection only if repeating it is harmless: GET, HEAD,
// PUT, DELETE, OPTIONS, or any request with an Idempotency-Key header. Any
// other request (a POST without a key) whose answer was lost after it was
// sent is never resent: the Status says so (IsOutcomeUnknown), because the
// exchange may have applied it.
//
// A TLS alert by which the server refuses our client certificate (none sent,
// an unknown CA, revoked, expired) comes back as IsCertificateRefusal, not as
// a transport failure: retrying cannot help.
//
// Thread-safety: none; one client per thread.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/flags.h"
#include "common/status.h"

namespace exchange::client {

struct ClientOptions {
  std::string server;  // "https://127.0.0.1:8443"
  std::string ca_file;
  std::string cert_file;  // may be empty: no client certificate (enrollment)
  std::string key_file;
  std::chrono::milliseconds timeout{30'000};
};

// Adds --server --ca --cert --key --timeout, each with its EXCHANGECTL_*
// twin: exchangectl's connection flags, for every program that connects
// the way it does.
void AddConnectionFlags(FlagSet& flags, ClientOptions& options);

struct HttpResult {
  int status = 0;
  std::string content_type;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string Header(const std::string& name) const;
};

class HttpsClient {
 public:
  static Result<std::unique_ptr<HttpsClient>> Create(const ClientOptions& options);
  ~HttpsClient();

  // Transport failures (connect, TLS, timeout) are errors; any HTTP status is a result.
  Result<HttpResult> Send(const std::string& method, const std::string& target, const std::string& body = "",
                          const std::vector<std::pair<std::string, std::string>>& headers = {});

 private:
  struct Impl;
  explicit HttpsClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// "the server refused our client certificate: ..." (Unauthenticated).
bool IsCertificateRefusal(const Status& status);
// A request that is not safe to repeat was sent and its answer lost (Unavailable).
bool IsOutcomeUnknown(const Status& status);

}  // namespace exchange::client
