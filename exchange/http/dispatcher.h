// SPDX-License-Identifier: Apache-2.0
// Dispatcher: what a connection hands each parsed request to.
//
// The session (net/) owns sockets and timeouts; a Dispatcher owns what a
// request means. Dispatch() calls `done` exactly once, on any thread; the
// session writes the response on its own thread (at once when `done` runs
// there, else posted back to it).
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "http/message.h"

namespace exchange::http {

// What TLS told us about the peer.
struct Peer {
  std::string fingerprint;  // SHA-256 of the client certificate's DER, lowercase hex; empty without one
  std::string address;      // the remote IP address
  // The X-Exchange-Member-Cert header, by which an HTTP cache in front names
  // the member it serves (docs/operations.md, "A tile cache in front"): sent
  // or not, and the SHA-256 fingerprint (as above) of the certificate it
  // holds, empty when it holds none. The Dispatcher decides whether to believe it.
  bool vouches = false;
  std::string vouched_fingerprint;
};

class Dispatcher {
 public:
  using Done = std::function<void(Response)>;
  virtual ~Dispatcher() = default;

  // The largest body accepted for this request line, known once headers are read.
  virtual std::size_t BodyLimit(std::string_view method, std::string_view target) const = 0;
  virtual void Dispatch(Request request, const Peer& peer, Done done) = 0;
};

}  // namespace exchange::http
