// SPDX-License-Identifier: Apache-2.0
// The server's TLS configuration: TLS 1.2 minimum (1.3 preferred), forward-
// secret AEAD ciphers only, and a client certificate required and verified
// against the coalition's CA bundle on every connection.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>

#include "common/status.h"

namespace exchange::net {

struct TlsFiles {
  std::string certificate_chain;  // PEM: server certificate, then intermediates
  std::string private_key;        // PEM
  std::string client_ca;          // PEM bundle that client certificates must chain to
};

// `require_client_certificate` is false only for the enrollment listener.
Result<std::shared_ptr<boost::asio::ssl::context>> MakeServerTlsContext(const TlsFiles& files,
                                                                        bool require_client_certificate = true);

}  // namespace exchange::net
