// SPDX-License-Identifier: Apache-2.0
// Listener: accepts TCP connections on one endpoint and hands each socket,
// bound to the next context of the pool, to `on_accept`. Stop() closes the acceptor; connections
// already accepted are not touched (see ConnectionTracker for those).
//
// Thread-safety: Start()/Stop() from any thread; the accept loop runs on the
// listener's strand.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <functional>
#include <memory>
#include <string>

#include "common/status.h"
#include "net/io_context_pool.h"

namespace exchange::net {

// An accepted socket, bound to the io_context that runs its connection. The
// executor is the context's own, not a strand nor the polymorphic
// any_io_executor: each context runs on one thread (IoContextPool), so its
// handlers never run concurrently, and a concrete executor costs no
// type-erased copy per operation.
using Socket = boost::asio::basic_stream_socket<boost::asio::ip::tcp, boost::asio::io_context::executor_type>;

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  using OnAccept = std::function<void(Socket)>;

  // Binds and listens; InvalidArgument when the address cannot be used.
  // The acceptor runs on pool.First(); each accepted socket goes to pool.Next().
  static Result<std::shared_ptr<Listener>> Bind(IoContextPool& pool, const std::string& host_port, OnAccept on_accept);

  void Start();
  void Stop();
  boost::asio::ip::tcp::endpoint local_endpoint() const { return local_; }

  Listener(IoContextPool& pool, OnAccept on_accept);

 private:
  void DoAccept();

  IoContextPool& pool_;
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::ip::tcp::endpoint local_;
  OnAccept on_accept_;
};

// "127.0.0.1:9464", "[::1]:8443", "0.0.0.0:8443" → endpoint.
Result<boost::asio::ip::tcp::endpoint> ParseEndpoint(const std::string& host_port);

}  // namespace exchange::net
