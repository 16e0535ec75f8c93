// SPDX-License-Identifier: Apache-2.0
#include "net/listener.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/strand.hpp>
#include <charconv>

#include "common/logger.h"

namespace exchange::net {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

Result<tcp::endpoint> ParseEndpoint(const std::string& host_port) {
  auto colon = host_port.rfind(':');
  if (colon == std::string::npos) return Status::InvalidArgument("'" + host_port + "' is not HOST:PORT");
  std::string host = host_port.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  unsigned port = 0;
  auto port_text = std::string_view(host_port).substr(colon + 1);
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535) {
    return Status::InvalidArgument("'" + host_port + "' has no valid port");
  }
  if (host == "localhost") host = "127.0.0.1";
  boost::system::error_code address_error;
  auto address = asio::ip::make_address(host, address_error);
  if (address_error) return Status::InvalidArgument("'" + host + "' is not an IP address");
  return tcp::endpoint(address, static_cast<unsigned short>(port));
}

Listener::Listener(IoContextPool& pool, OnAccept on_accept)
    : pool_(pool), strand_(asio::make_strand(pool.First())), acceptor_(strand_), on_accept_(std::move(on_accept)) {}

Result<std::shared_ptr<Listener>> Listener::Bind(IoContextPool& pool, const std::string& host_port,
                                                 OnAccept on_accept) {
  auto endpoint = ParseEndpoint(host_port);
  if (!endpoint.ok()) return endpoint.status();
  auto listener = std::make_shared<Listener>(pool, std::move(on_accept));
  boost::system::error_code ec;
  auto& acceptor = listener->acceptor_;
  acceptor.open(endpoint->protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(*endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Status::InvalidArgument("cannot listen on " + host_port + ": " + ec.message());
  listener->local_ = acceptor.local_endpoint();
  return listener;
}

void Listener::Start() {
  asio::dispatch(strand_, [self = shared_from_this()] { self->DoAccept(); });
}

void Listener::Stop() {
  asio::dispatch(strand_, [self = shared_from_this()] {
    boost::system::error_code ignored;
    self->acceptor_.close(ignored);
  });
}

void Listener::DoAccept() {
  acceptor_.async_accept(pool_.Next(), [self = shared_from_this()](boost::system::error_code ec, Socket socket) {
    if (ec == asio::error::operation_aborted || !self->acceptor_.is_open()) return;
    if (!ec) {
      // A response is several TLS records; without this, Nagle holds the
      // last one back until the client's delayed ACK (~40 ms a response).
      boost::system::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      self->on_accept_(std::move(socket));
    } else {
      // Out of file descriptors and the like: keep serving the connections we have.
      logging::Error("accept failed", {{"error", ec.message()}});
    }
    self->DoAccept();
  });
}

}  // namespace exchange::net
