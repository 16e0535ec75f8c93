// SPDX-License-Identifier: Apache-2.0
// RawTlsConnection: an mTLS connection that sends exactly the bytes a test
// gives it, for malformed, slow or oversized requests.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "transport/api_client.h"

namespace exchange::testing {

class RawTlsConnection {
 public:
  // Throws on connect or handshake failure.
  RawTlsConnection(const std::string& host_port, const client::ClientOptions& credentials);
  ~RawTlsConnection();

  void Write(const std::string& bytes);
  // Reads until the peer closes or `timeout` passes. `closed` tells which.
  std::string ReadUntilClose(std::chrono::milliseconds timeout, bool* closed);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace exchange::testing
