// HttpsClient: a small blocking HTTPS/1.1 client with a client certificate,
// for exchangectl and the end-to-end tests. It verifies the server against
// the given CA bundle and its host name, keeps one connection alive across
// requests, and reconnects once if the server closed it in between.
//
// Thread-safety: none; one client per thread.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

namespace exchange::client {

struct ClientOptions {
  std::string server;  // "https://127.0.0.1:8443"
  std::string ca_file;
  std::string cert_file;  // may be empty: no client certificate (enrollment)
  std::string key_file;
  std::chrono::milliseconds timeout{30'000};
};

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

}  // namespace exchange::client
