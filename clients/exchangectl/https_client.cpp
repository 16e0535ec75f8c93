#include "https_client.h"

#include <openssl/ssl.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <optional>
#include <strings.h>

namespace exchange::client {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

std::string HttpResult::Header(const std::string& name) const {
  for (const auto& [k, v] : headers) {
    if (strcasecmp(k.c_str(), name.c_str()) == 0) return v;
  }
  return {};
}

struct HttpsClient::Impl {
  ClientOptions options;
  std::string host, port;
  asio::io_context ioc;
  asio::ssl::context tls{asio::ssl::context::tls_client};
  std::optional<beast::ssl_stream<beast::tcp_stream>> stream;
  beast::flat_buffer buffer;

  Status Connect() {
    try {
      stream.emplace(ioc, tls);
      buffer.clear();
      if (!SSL_set_tlsext_host_name(stream->native_handle(), host.c_str())) {
        return Status::Internal("cannot set TLS server name");
      }
      stream->set_verify_callback(asio::ssl::host_name_verification(host));
      tcp::resolver resolver(ioc);
      auto& socket = beast::get_lowest_layer(*stream);
      socket.expires_after(options.timeout);
      socket.connect(resolver.resolve(host, port));
      socket.expires_after(options.timeout);
      stream->handshake(asio::ssl::stream_base::client);
      return Status::Ok();
    } catch (const std::exception& e) {
      stream.reset();
      return Status::Unavailable("cannot connect to " + options.server + ": " + e.what());
    }
  }

  Result<HttpResult> RoundTrip(const bhttp::request<bhttp::string_body>& request) {
    auto& socket = beast::get_lowest_layer(*stream);
    socket.expires_after(options.timeout);
    bhttp::write(*stream, request);
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(1ull << 34);
    bhttp::read(*stream, buffer, parser);
    auto response = parser.release();
    HttpResult result;
    result.status = static_cast<int>(response.result_int());
    result.body = std::move(response.body());
    for (const auto& field : response) result.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    result.content_type = result.Header("Content-Type");
    if (!response.keep_alive()) stream.reset();
    return result;
  }
};

HttpsClient::HttpsClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpsClient::~HttpsClient() = default;

Result<std::unique_ptr<HttpsClient>> HttpsClient::Create(const ClientOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  std::string rest = options.server;
  if (rest.rfind("https://", 0) != 0) return Status::InvalidArgument("server URL must start with https://: " + rest);
  rest = rest.substr(8);
  if (auto slash = rest.find('/'); slash != std::string::npos) rest = rest.substr(0, slash);
  auto colon = rest.rfind(':');
  if (colon == std::string::npos || rest.back() == ']') {
    impl->host = rest;
    impl->port = "443";
  } else {
    impl->host = rest.substr(0, colon);
    impl->port = rest.substr(colon + 1);
  }
  if (impl->host.size() > 2 && impl->host.front() == '[') impl->host = impl->host.substr(1, impl->host.size() - 2);
  try {
    SSL_CTX_set_min_proto_version(impl->tls.native_handle(), TLS1_2_VERSION);
    impl->tls.set_verify_mode(asio::ssl::verify_peer);
    if (options.ca_file.empty()) return Status::InvalidArgument("a CA bundle (--ca) is required to verify the server");
    impl->tls.load_verify_file(options.ca_file);
    if (!options.cert_file.empty()) {
      impl->tls.use_certificate_chain_file(options.cert_file);
      impl->tls.use_private_key_file(options.key_file, asio::ssl::context::pem);
    }
  } catch (const std::exception& e) {
    return Status::InvalidArgument(std::string("TLS files (--ca, --cert, --key): ") + e.what());
  }
  return std::unique_ptr<HttpsClient>(new HttpsClient(std::move(impl)));
}

Result<HttpResult> HttpsClient::Send(const std::string& method, const std::string& target, const std::string& body,
                                     const std::vector<std::pair<std::string, std::string>>& headers) {
  bhttp::request<bhttp::string_body> request;
  request.method_string(method);
  request.target(target);
  request.version(11);
  request.set(bhttp::field::host, impl_->host);
  request.set(bhttp::field::user_agent, "exchangectl");
  for (const auto& [name, value] : headers) request.set(name, value);
  request.body() = body;
  request.keep_alive(true);
  request.prepare_payload();

  // A kept-alive connection the server has since closed fails on first use;
  // one fresh connection is then tried.
  for (int attempt = 0; attempt < 2; ++attempt) {
    const bool reused = impl_->stream.has_value();
    if (!reused) {
      if (Status s = impl_->Connect(); !s.ok()) return s;
    }
    try {
      return impl_->RoundTrip(request);
    } catch (const std::exception& e) {
      impl_->stream.reset();
      if (!reused) return Status::Unavailable(method + " " + target + ": " + e.what());
    }
  }
  return Status::Unavailable(method + " " + target + ": connection lost");
}

}  // namespace exchange::client
