// SPDX-License-Identifier: Apache-2.0
#include "tampering_proxy.h"

#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <stdexcept>

namespace exchange::testing {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

struct TamperingProxy::Impl {
  asio::io_context ioc;
  asio::ssl::context tls{asio::ssl::context::tls_server};
  tcp::acceptor acceptor{ioc};
};

TamperingProxy::TamperingProxy(const std::string& server_cert, const std::string& server_key,
                               client::ClientOptions upstream)
    : impl_(std::make_unique<Impl>()), upstream_(std::move(upstream)) {
  impl_->tls.use_certificate_chain_file(server_cert);
  impl_->tls.use_private_key_file(server_key, asio::ssl::context::pem);
  // The client presents its certificate; the proxy has no use for it.
  impl_->tls.set_verify_mode(asio::ssl::verify_none);
  tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.set_option(asio::socket_base::reuse_address(true));
  impl_->acceptor.bind(endpoint);
  impl_->acceptor.listen();
  port_ = impl_->acceptor.local_endpoint().port();
  acceptor_thread_ = std::thread([this] { AcceptLoop(); });
}

TamperingProxy::~TamperingProxy() {
  stopping_.store(true);
  // Wake the blocking accept with a connection of our own.
  try {
    asio::io_context ioc;
    tcp::socket wake(ioc);
    wake.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port_)));
  } catch (const std::exception&) {
  }
  acceptor_thread_.join();
  std::vector<std::thread> connections;
  {
    std::lock_guard lock(mu_);
    for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);  // unblocks their reads
    connections.swap(connections_);
  }
  for (auto& t : connections) t.join();
}

void TamperingProxy::SetRewrite(Rewrite rewrite) {
  std::lock_guard lock(mu_);
  rewrite_ = std::move(rewrite);
}

void TamperingProxy::AcceptLoop() {
  while (!stopping_.load()) {
    tcp::socket socket(impl_->ioc);
    beast::error_code ec;
    impl_->acceptor.accept(socket, ec);
    if (ec) continue;
    if (stopping_.load()) break;
    const int fd = socket.release(ec);
    if (ec) continue;
    std::lock_guard lock(mu_);
    open_fds_.insert(fd);
    connections_.emplace_back([this, fd] { Serve(fd); });
  }
}

void TamperingProxy::Serve(int fd) {
  asio::io_context ioc;
  beast::ssl_stream<beast::tcp_stream> stream(ioc, impl_->tls);
  beast::error_code ec;
  beast::get_lowest_layer(stream).socket().assign(tcp::v4(), fd, ec);
  if (ec) ::close(fd);
  auto upstream = client::HttpsClient::Create(upstream_);
  if (!ec && upstream.ok()) {
    stream.handshake(asio::ssl::stream_base::server, ec);
    beast::flat_buffer buffer;
    while (!ec && !stopping_.load()) {
      bhttp::request_parser<bhttp::string_body> parser;
      parser.body_limit(64u << 20);
      bhttp::read(stream, buffer, parser, ec);
      if (ec) break;
      auto request = parser.release();
      std::vector<std::pair<std::string, std::string>> headers;
      for (const auto& field : request) {
        const std::string name(field.name_string());
        if (beast::iequals(name, "Accept") || beast::iequals(name, "Content-Type") ||
            beast::iequals(name, "Idempotency-Key")) {
          headers.emplace_back(name, std::string(field.value()));
        }
      }
      const std::string method(request.method_string());
      const std::string target(request.target());
      auto forwarded = (*upstream)->Send(method, target, request.body(), headers);
      requests_.fetch_add(1);
      client::HttpResult answer;
      if (forwarded.ok()) {
        answer = std::move(forwarded).value();
      } else {
        answer.status = 502;
        answer.content_type = "text/plain";
        answer.body = forwarded.status().ToString();
      }
      Rewrite rewrite;
      {
        std::lock_guard lock(mu_);
        rewrite = rewrite_;
      }
      if (rewrite) rewrite(method, target, answer);
      if (answer.status == 0) break;  // the answer is lost: close without one
      bhttp::response<bhttp::string_body> response{static_cast<bhttp::status>(answer.status), 11};
      if (!answer.content_type.empty()) response.set(bhttp::field::content_type, answer.content_type);
      if (std::string after = answer.Header("Retry-After"); !after.empty())
        response.set(bhttp::field::retry_after, after);
      response.body() = std::move(answer.body);
      response.keep_alive(request.keep_alive());
      response.prepare_payload();
      bhttp::write(stream, response, ec);
      if (!request.keep_alive()) break;
    }
    stream.shutdown(ec);
  }
  std::lock_guard lock(mu_);
  open_fds_.erase(fd);
  // The stream owns the descriptor and closes it when it goes out of scope.
}

}  // namespace exchange::testing
