// SPDX-License-Identifier: Apache-2.0
// TamperingProxy: an HTTPS server on loopback that stands between a client
// and a real exchanged, for tests of what a client does with a feed that lies.
//
// It presents the exchange's own server certificate (from the test PKI), so
// the client cannot tell it from the exchange, and forwards every request to
// the real exchanged as a member (with that member's client certificate,
// through exchange_client's HttpsClient). A test-supplied Rewrite sees each
// answer before it goes back and may change it: flip a byte of an entry,
// replay an old checkpoint, break a proof, re-sign a note with another key.
//
// Thread-safety: one thread accepts, one thread serves each connection; the
// rewrite is guarded by a mutex and may be replaced while clients are
// connected. The destructor stops everything and joins.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "transport/api_client.h"

namespace exchange::testing {

class TamperingProxy {
 public:
  // May change `answer` (status, content type, body) for the request `method
  // target`. Status 0: the request was forwarded (and applied upstream), but
  // the connection is closed without an answer, as when a network fails.
  using Rewrite = std::function<void(const std::string& method, const std::string& target, client::HttpResult& answer)>;

  // Serves TLS with `server_cert` / `server_key` on a free loopback port and
  // forwards to `upstream`. Throws when it cannot listen or load the files.
  TamperingProxy(const std::string& server_cert, const std::string& server_key, client::ClientOptions upstream);
  ~TamperingProxy();
  TamperingProxy(const TamperingProxy&) = delete;
  TamperingProxy& operator=(const TamperingProxy&) = delete;

  // "https://localhost:PORT": the name the server certificate is issued for.
  std::string url() const { return "https://localhost:" + std::to_string(port_); }
  // Empty: forward answers unchanged.
  void SetRewrite(Rewrite rewrite);
  // Requests forwarded so far.
  int requests() const { return requests_.load(); }

 private:
  struct Impl;
  void AcceptLoop();
  void Serve(int fd);

  std::unique_ptr<Impl> impl_;
  client::ClientOptions upstream_;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> requests_{0};
  std::thread acceptor_thread_;

  std::mutex mu_;  // guards everything below
  Rewrite rewrite_;
  std::set<int> open_fds_;
  std::vector<std::thread> connections_;
};

}  // namespace exchange::testing
