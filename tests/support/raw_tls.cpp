// SPDX-License-Identifier: Apache-2.0
#include "raw_tls.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>

namespace exchange::testing {
namespace asio = boost::asio;
namespace beast = boost::beast;

struct RawTlsConnection::Impl {
  asio::io_context ioc;
  asio::ssl::context tls{asio::ssl::context::tls_client};
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> stream;
};

RawTlsConnection::RawTlsConnection(const std::string& host_port, const client::ClientOptions& credentials)
    : impl_(std::make_unique<Impl>()) {
  impl_->tls.set_verify_mode(asio::ssl::verify_peer);
  impl_->tls.load_verify_file(credentials.ca_file);
  impl_->tls.use_certificate_chain_file(credentials.cert_file);
  impl_->tls.use_private_key_file(credentials.key_file, asio::ssl::context::pem);
  impl_->stream = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(impl_->ioc, impl_->tls);
  auto colon = host_port.rfind(':');
  asio::ip::tcp::endpoint endpoint(asio::ip::make_address(host_port.substr(0, colon)),
                                   static_cast<unsigned short>(std::stoi(host_port.substr(colon + 1))));
  beast::get_lowest_layer(*impl_->stream).connect(endpoint);
  impl_->stream->handshake(asio::ssl::stream_base::client);
}

RawTlsConnection::~RawTlsConnection() = default;

void RawTlsConnection::Write(const std::string& bytes) { asio::write(*impl_->stream, asio::buffer(bytes)); }

std::string RawTlsConnection::ReadUntilClose(std::chrono::milliseconds timeout, bool* closed) {
  std::string out;
  *closed = false;
  char buffer[4096];
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto& stream = *impl_->stream;
  for (;;) {
    auto remaining = deadline - std::chrono::steady_clock::now();
    if (remaining <= std::chrono::steady_clock::duration::zero()) return out;
    bool done = false, eof = false;
    std::size_t got = 0;
    beast::get_lowest_layer(stream).expires_after(remaining);
    stream.async_read_some(asio::buffer(buffer), [&](beast::error_code ec, std::size_t n) {
      done = true;
      got = n;
      eof = ec && ec != beast::error::timeout;
    });
    impl_->ioc.restart();
    impl_->ioc.run();
    out.append(buffer, got);
    if (eof) {
      *closed = true;
      return out;
    }
    if (!done || got == 0) return out;  // timed out
  }
}

}  // namespace exchange::testing
