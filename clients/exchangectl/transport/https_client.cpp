// SPDX-License-Identifier: Apache-2.0
#include "transport/https_client.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <poll.h>
#include <strings.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <optional>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace exchange::client {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr std::string_view kCertificateRefused = "the server refused our client certificate";
constexpr std::string_view kOutcomeUnknown = "the answer was lost after the request was sent";

// InvalidArgument naming the flag and the file when `path` cannot be read.
Status CheckReadable(const char* flag, const std::string& path) {
  std::ifstream in(path);
  if (in) return Status::Ok();
  return Status::InvalidArgument(std::string("cannot read the ") + flag + " file " + path + ": " +
                                 std::strerror(errno));
}

// Repeating these cannot apply anything twice (RFC 9110 §9.2.2), nor can a
// request the exchange deduplicates by its Idempotency-Key.
bool SafeToResend(const std::string& method, const std::vector<std::pair<std::string, std::string>>& headers) {
  for (const char* m : {"GET", "HEAD", "PUT", "DELETE", "OPTIONS"}) {
    if (method == m) return true;
  }
  for (const auto& [name, value] : headers) {
    if (strcasecmp(name.c_str(), "Idempotency-Key") == 0 && !value.empty()) return true;
  }
  return false;
}

}  // namespace

bool IsCertificateRefusal(const Status& status) {
  return status.code() == ErrorCode::kUnauthenticated && status.message().rfind(kCertificateRefused, 0) == 0;
}

bool IsOutcomeUnknown(const Status& status) {
  return status.code() == ErrorCode::kUnavailable && status.message().find(kOutcomeUnknown) != std::string::npos;
}

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
    } catch (const boost::system::system_error& e) {
      stream.reset();
      if (auto refused = CertificateRefusal(e.code())) return *refused;
      return Status::Unavailable("cannot connect to " + options.server + ": " + e.code().message());
    } catch (const std::exception& e) {
      stream.reset();
      return Status::Unavailable("cannot connect to " + options.server + ": " + e.what());
    }
  }

  // The Status for a TLS alert by which the server refuses our certificate;
  // nullopt for any other error. (TLS 1.2 sends the alert during the
  // handshake; TLS 1.3 after it, so it shows on the first read.)
  std::optional<Status> CertificateRefusal(const boost::system::error_code& ec) const {
    if (ec.category() != asio::error::get_ssl_category()) return std::nullopt;
    const int alert = ERR_GET_REASON(static_cast<unsigned long>(ec.value())) - SSL_AD_REASON_OFFSET;
    switch (alert) {
      case SSL_AD_BAD_CERTIFICATE:
      case SSL_AD_UNSUPPORTED_CERTIFICATE:
      case SSL_AD_CERTIFICATE_REVOKED:
      case SSL_AD_CERTIFICATE_EXPIRED:
      case SSL_AD_CERTIFICATE_UNKNOWN:
      case SSL_AD_UNKNOWN_CA:
      case SSL_AD_ACCESS_DENIED:
      case SSL_AD_CERTIFICATE_REQUIRED: break;
      default: return std::nullopt;
    }
    std::string why = std::string(kCertificateRefused) + ": " + options.server + " answered the TLS handshake with \"" +
                      ec.message() + "\"; ";
    if (options.cert_file.empty()) {
      why += "no client certificate was given (--cert and --key, or EXCHANGECTL_CERT and EXCHANGECTL_KEY)";
    } else {
      why += options.cert_file +
             " is not accepted: is it issued by the coalition's CA, current, and the one "
             "the exchange registered for you?";
    }
    return Status::Unauthenticated(why);
  }

  // Whether the idle kept-alive connection was closed by the server (or has
  // unexpected bytes waiting): then it must not be used for the next request.
  bool IdleConnectionClosed() {
    if (buffer.size() > 0) return true;
    pollfd p{beast::get_lowest_layer(*stream).socket().native_handle(), POLLIN, 0};
    return ::poll(&p, 1, 0) != 0;
  }

  // Sends `request` and reads the answer. `*sent` tells whether the whole
  // request was written before a failure.
  Result<HttpResult> RoundTrip(const bhttp::request<bhttp::string_body>& request, bool* sent) {
    *sent = false;
    auto& socket = beast::get_lowest_layer(*stream);
    socket.expires_after(options.timeout);
    bhttp::write(*stream, request);
    *sent = true;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(1ull << 34);
    bhttp::read(*stream, buffer, parser);
    auto response = parser.release();
    HttpResult result;
    result.status = static_cast<int>(response.result_int());
    result.body = std::move(response.body());
    for (const auto& field : response)
      result.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
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
  if (options.ca_file.empty())
    return Status::InvalidArgument("a CA bundle (--ca or EXCHANGECTL_CA) is required to verify the server");
  if (Status s = CheckReadable("--ca", options.ca_file); !s.ok()) return s;
  if (!options.cert_file.empty()) {
    if (options.key_file.empty()) return Status::InvalidArgument("--cert " + options.cert_file + " needs its --key");
    if (Status s = CheckReadable("--cert", options.cert_file); !s.ok()) return s;
    if (Status s = CheckReadable("--key", options.key_file); !s.ok()) return s;
  }
  const char* loading = "--ca";
  try {
    SSL_CTX_set_min_proto_version(impl->tls.native_handle(), TLS1_2_VERSION);
    impl->tls.set_verify_mode(asio::ssl::verify_peer);
    impl->tls.load_verify_file(options.ca_file);
    if (!options.cert_file.empty()) {
      loading = "--cert";
      impl->tls.use_certificate_chain_file(options.cert_file);
      loading = "--key";
      impl->tls.use_private_key_file(options.key_file, asio::ssl::context::pem);
    }
  } catch (const boost::system::system_error& e) {
    const std::string& file = loading == std::string_view("--ca")     ? options.ca_file
                              : loading == std::string_view("--cert") ? options.cert_file
                                                                      : options.key_file;
    return Status::InvalidArgument(std::string("the ") + loading + " file " + file +
                                   " is not usable: " + e.code().message());
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

  const bool resendable = SafeToResend(method, headers);
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (impl_->stream && impl_->IdleConnectionClosed()) impl_->stream.reset();
    const bool reused = impl_->stream.has_value();
    if (!reused) {
      if (Status s = impl_->Connect(); !s.ok()) return s;
    }
    bool sent = false;
    try {
      return impl_->RoundTrip(request, &sent);
    } catch (const boost::system::system_error& e) {
      impl_->stream.reset();
      if (auto refused = impl_->CertificateRefusal(e.code())) return *refused;
      const std::string what = method + " " + target + ": " + e.code().message();
      if (sent && !resendable) {
        return Status::Unavailable(what + "; " + std::string(kOutcomeUnknown) +
                                   ", and it was not sent again: without an Idempotency-Key the exchange may have "
                                   "applied it already; check before repeating it");
      }
      if (!reused) return Status::Unavailable(what);
    } catch (const std::exception& e) {
      impl_->stream.reset();
      return Status::Unavailable(method + " " + target + ": " + e.what());
    }
  }
  return Status::Unavailable(method + " " + target + ": connection lost");
}

void AddConnectionFlags(FlagSet& flags, ClientOptions& options) {
  flags.String("server", "EXCHANGECTL_SERVER", &options.server, "exchange URL, e.g. https://127.0.0.1:8443");
  flags.String("ca", "EXCHANGECTL_CA", &options.ca_file, "CA bundle that the server's certificate chains to");
  flags.String("cert", "EXCHANGECTL_CERT", &options.cert_file, "your client certificate (PEM)");
  flags.String("key", "EXCHANGECTL_KEY", &options.key_file, "your private key (PEM)");
  flags.Millis("timeout", "EXCHANGECTL_TIMEOUT_MS", &options.timeout, "time allowed for each request");
}

}  // namespace exchange::client
