// SPDX-License-Identifier: Apache-2.0
#include "net/session.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <array>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>
#include <cstddef>
#include <limits>
#include <memory>
#include <memory_resource>
#include <optional>
#include <random>
#include <tuple>
#include <type_traits>

#include "common/hex.h"
#include "http/dispatcher.h"
#include "http/wire.h"
#include "metrics/server_metrics.h"
#include "net/connection_tracker.h"

namespace exchange::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

// On the socket's own io_context executor (net/listener.h says why).
using PlainStream = beast::basic_stream<tcp, asio::io_context::executor_type>;
using TlsStream = beast::ssl_stream<PlainStream>;

// The header fields of a request and of its response are allocated in the
// connection's arena (Session::fields_), which is reset between requests:
// Beast's basic_fields allocates each field apart, otherwise a malloc and a
// free per header per request.
using FieldAllocator = std::pmr::polymorphic_allocator<char>;
using Fields = bhttp::basic_fields<FieldAllocator>;
using RequestParser = bhttp::request_parser<bhttp::string_body, FieldAllocator>;
using RequestMessage = bhttp::request<bhttp::string_body, Fields>;
using ResponseMessage = bhttp::response<bhttp::string_body, Fields>;
// The arena's own buffer, in each session: enough for the fields of a usual
// request and its response; bigger headers take more from the heap until the
// arena is reset.
constexpr std::size_t kFieldArenaBytes = 1024;

constexpr std::size_t kReadChunk = 16 * 1024;
constexpr auto kShutdownTimeout = std::chrono::seconds(1);
// After refusing an oversized body we read and drop up to this much of it, so
// a client still sending sees our 413 instead of a connection reset.
constexpr std::uint64_t kMaxDiscardBytes = 16 * 1024 * 1024;

// 128 bits from the CSPRNG: unguessable, so an id says nothing about other requests.
std::string NewRequestId() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    std::random_device device;
    for (auto& b : bytes) b = static_cast<unsigned char>(device());
  }
  return HexEncode(std::span<const uint8_t>(bytes, sizeof bytes));
}

// A client's own request id, logged only when it looks like one: 1-64
// characters of letters, digits and "-_.:". Anything else is not logged.
bool WellFormedClientRequestId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.' && c != ':') return false;
  }
  return true;
}

// The method as logged: a standard one, or "OTHER" (an extension method is
// the client's text).
std::string_view LoggedMethod(std::string_view method) {
  for (std::string_view known : {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"}) {
    if (method == known) return known;
  }
  return method.empty() ? "-" : "OTHER";
}

std::string PeerFingerprint(SSL* ssl) {
  X509* cert = SSL_get0_peer_certificate(ssl);
  if (!cert) return {};
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (X509_digest(cert, EVP_sha256(), md, &len) != 1) return {};
  return HexEncode(std::span<const uint8_t>(md, len));
}

// The fingerprint of the certificate in a URL-escaped PEM (nginx's
// $ssl_client_escaped_cert); empty when it holds none.
std::string EscapedPemFingerprint(std::string_view escaped) {
  std::string pem;
  pem.reserve(escaped.size());
  for (std::size_t i = 0; i < escaped.size(); ++i) {
    if (escaped[i] == '%' && i + 2 < escaped.size() && std::isxdigit(static_cast<unsigned char>(escaped[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(escaped[i + 2]))) {
      pem += static_cast<char>(std::stoi(std::string(escaped.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      pem += escaped[i];
    }
  }
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  if (!bio) return {};
  std::unique_ptr<X509, decltype(&X509_free)> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), X509_free);
  ERR_clear_error();
  if (!cert) return {};
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (X509_digest(cert.get(), EVP_sha256(), md, &len) != 1) return {};
  return HexEncode(std::span<const uint8_t>(md, len));
}

metrics::HandshakeFailure ClassifyHandshakeError(const beast::error_code& ec) {
  if (ec == beast::error::timeout) return metrics::HandshakeFailure::kTimeout;
  if (ec.category() == asio::error::get_ssl_category()) {
    switch (ERR_GET_REASON(static_cast<unsigned long>(ec.value()))) {
      case SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE: return metrics::HandshakeFailure::kNoCertificate;
      case SSL_R_CERTIFICATE_VERIFY_FAILED: return metrics::HandshakeFailure::kUntrustedCertificate;
      default: return metrics::HandshakeFailure::kProtocol;
    }
  }
  return metrics::HandshakeFailure::kOther;
}

std::string_view View(beast::string_view text) { return {text.data(), text.size()}; }

template <typename Field>
std::string HeaderValue(const RequestMessage& message, Field field) {
  auto it = message.find(field);
  return it == message.end() ? std::string() : std::string(it->value());
}

template <typename Stream>
class Session final : public Drainable, public std::enable_shared_from_this<Session<Stream>> {
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

 public:
  template <typename... StreamArgs>
  Session(const SessionEnvironment& env, std::unique_ptr<ConnectionTracker::Registration> registration,
          StreamArgs&&... stream_args)
      : env_(env), stream_(std::forward<StreamArgs>(stream_args)...), registration_(std::move(registration)) {}

  ~Session() override {
    if (env_.metrics) env_.metrics->ConnectionClosed();
  }

  void Start() {
    beast::error_code ignored;
    peer_.address = Socket().socket().remote_endpoint(ignored).address().to_string();
    registration_->Attach(this->weak_from_this());
    if (env_.metrics) env_.metrics->ConnectionOpened();
    asio::dispatch(stream_.get_executor(), [self = this->shared_from_this()] { self->DoHandshake(); });
  }

  void Drain() override {
    asio::post(stream_.get_executor(), [self = this->shared_from_this()] {
      self->draining_ = true;
      if (self->idle_) beast::get_lowest_layer(self->stream_).cancel();
    });
  }

 private:
  auto& Socket() { return beast::get_lowest_layer(stream_); }

  void DoHandshake() {
    if constexpr (kTls) {
      Socket().expires_after(env_.limits.handshake_timeout);
      idle_ = true;  // a drain may cut a handshake short
      stream_.async_handshake(asio::ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) { self->OnHandshake(ec); });
    } else {
      if (!registration_->Establish()) return Refused();
      WaitForRequest();
    }
  }

  // Over the listener's established limit: closed before any request is read.
  void Refused() {
    if (env_.metrics) env_.metrics->ConnectionRefused();
    Close();
  }

  void OnHandshake(beast::error_code ec) {
    idle_ = false;
    if constexpr (kTls) {
      if (ec) {
        if (env_.metrics && !draining_) env_.metrics->HandshakeFailed(ClassifyHandshakeError(ec));
        return;  // the socket closes with the session
      }
      peer_.fingerprint = PeerFingerprint(stream_.native_handle());
      if (!registration_->Establish()) return Refused();
    }
    WaitForRequest();
  }

  // Waits, up to idle_timeout, for the first byte of the next request; the
  // header clock starts only then, so a slow sender cannot hide behind keep-alive.
  void WaitForRequest() {
    if (draining_) return Close();
    if (buffer_.size() > 0) return ReadHeader();
    idle_ = true;
    Socket().expires_after(env_.limits.idle_timeout);
    stream_.async_read_some(buffer_.prepare(kReadChunk),
                            [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->idle_ = false;
                              if (ec) return self->Close();
                              self->buffer_.commit(n);
                              self->ReadHeader();
                            });
  }

  void ReadHeader() {
    current_ = CurrentRequest{};
    // The last request's messages are gone: their fields' memory can be reused.
    out_.reset();
    parser_.reset();
    fields_.release();
    parser_.emplace(std::piecewise_construct, std::make_tuple(), std::make_tuple(FieldAllocator(&fields_)));
    parser_->header_limit(env_.limits.max_header_bytes);
    // The route's limit is applied once the header is read. (Not boost::none:
    // Boost 1.74 compares a Content-Length with an empty optional as "over".)
    parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    Socket().expires_after(env_.limits.header_timeout);
    bhttp::async_read_header(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code ec, std::size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (ec == beast::error::timeout || ec == bhttp::error::end_of_stream || ec == asio::error::operation_aborted) {
      return Close();
    }
    if (ec == bhttp::error::header_limit) return Refuse(431, "request headers are larger than the limit");
    if (ec) return Refuse(400, "malformed HTTP request: " + ec.message());

    const auto& header = parser_->get();
    current_.method = LoggedMethod(View(header.method_string()));
    std::size_t limit = env_.dispatcher->BodyLimit(View(header.method_string()), View(header.target()));
    if (auto length = parser_->content_length(); length && *length > limit) {
      if (*length <= kMaxDiscardBytes) {
        discard_ = *length - std::min<std::uint64_t>(*length, buffer_.size());
        // One deadline for all of it: a byte per read must not renew the time.
        discard_deadline_ = std::chrono::steady_clock::now() + env_.limits.body_timeout;
      }
      return Refuse(413, "request body of " + std::to_string(*length) + " bytes is over this endpoint's limit of " +
                             std::to_string(limit) + " bytes");
    }
    parser_->body_limit(limit);
    Socket().expires_after(env_.limits.body_timeout);
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = this->shared_from_this()](beast::error_code e, std::size_t) { self->OnBody(e); });
  }

  void OnBody(beast::error_code ec) {
    if (ec == beast::error::timeout || ec == asio::error::operation_aborted) return Close();
    if (ec == bhttp::error::body_limit) return Refuse(413, "request body is over this endpoint's limit");
    if (ec) return Refuse(400, "malformed HTTP request body: " + ec.message());

    auto message = parser_->release();
    keep_alive_ = message.keep_alive();
    http::Request request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    request.content_type = HeaderValue(message, bhttp::field::content_type);
    request.accept = HeaderValue(message, bhttp::field::accept);
    request.idempotency_key = HeaderValue(message, std::string_view("Idempotency-Key"));
    request.origin = HeaderValue(message, std::string_view("Origin"));
    request.sec_fetch_site = HeaderValue(message, std::string_view("Sec-Fetch-Site"));
    request.body = std::move(message.body());
    request.id = current_.id;
    if (auto client_id = HeaderValue(message, std::string_view("X-Request-Id")); WellFormedClientRequestId(client_id)) {
      current_.client_id = client_id;
    }

    peer_.vouches = false;
    peer_.vouched_fingerprint.clear();
    if (auto it = message.find(std::string_view("X-Exchange-Member-Cert")); it != message.end()) {
      peer_.vouches = true;
      peer_.vouched_fingerprint = EscapedPemFingerprint(it->value());
    }
    Socket().expires_never();
    env_.dispatcher->Dispatch(std::move(request), peer_, [self = this->shared_from_this()](http::Response response) {
      // Answered on this session's thread (a handler that ran inline): written
      // at once; from a database worker: posted back to it.
      asio::dispatch(self->stream_.get_executor(),
                     [self, response = std::move(response)]() mutable { self->Write(std::move(response)); });
    });
  }

  // Answers a request that could not be parsed, then closes.
  void Refuse(int status, std::string message) {
    http::Response response = http::ErrorResponse(
        nullptr, Status(status == 413 ? ErrorCode::kPayloadTooLarge : ErrorCode::kInvalidArgument, std::move(message)));
    response.status = status;
    response.close = true;
    keep_alive_ = false;
    Write(std::move(response));
  }

  void Write(http::Response response) {
    out_.emplace(std::piecewise_construct, std::make_tuple(), std::make_tuple(FieldAllocator(&fields_)));
    out_->version(11);
    out_->result(static_cast<unsigned>(response.status));
    out_->set(bhttp::field::server, "exchanged");
    if (!response.content_type.empty()) out_->set(bhttp::field::content_type, response.content_type);
    for (auto& [name, value] : response.headers) out_->set(name, value);
    out_->set(std::string_view("X-Request-Id"), current_.id);
    out_->body() = std::move(response.body);
    const bool keep = keep_alive_ && !response.close && !draining_;
    out_->keep_alive(keep);
    out_->prepare_payload();
    current_.status = response.status;
    current_.route = std::move(response.route);
    current_.org = std::move(response.org);
    current_.credential_id = response.credential_id;
    Socket().expires_after(env_.limits.write_timeout);
    bhttp::async_write(stream_, *out_, [self = this->shared_from_this(), keep](beast::error_code ec, std::size_t) {
      self->LogRequest(self->out_->body().size(), ec);
      if (ec || !keep) return self->discard_ > 0 && !ec ? self->Discard() : self->Close();
      self->WaitForRequest();
    });
  }

  void LogRequest(std::size_t body_bytes, const beast::error_code& ec) {
    if (!logging::Enabled(env_.request_log_level)) return;
    const std::chrono::duration<double, std::milli> latency = std::chrono::steady_clock::now() - current_.start;
    auto org = current_.org.empty() ? logging::Field::Null("org") : logging::Field("org", current_.org);
    auto credential = current_.credential_id == 0 ? logging::Field::Null("credential_id")
                                                  : logging::Field("credential_id", current_.credential_id);
    auto client_id = current_.client_id.empty() ? logging::Field::Null("client_request_id")
                                                : logging::Field("client_request_id", current_.client_id);
    auto write_error = ec ? logging::Field("write_error", ec.message()) : logging::Field::Null("write_error");
    logging::Log(env_.request_log_level, "request",
                 {{"request_id", current_.id},
                  client_id,
                  {"listener", env_.listener},
                  {"method", current_.method},
                  {"route", current_.route},
                  {"status", current_.status},
                  {"bytes", body_bytes},
                  {"latency_ms", latency.count()},
                  org,
                  credential,
                  {"remote_addr", peer_.address},
                  write_error});
  }

  // Reads and drops the rest of a refused body (bounded in bytes and time), then closes.
  void Discard() {
    Socket().expires_at(discard_deadline_);
    buffer_.clear();
    stream_.async_read_some(buffer_.prepare(kReadChunk),
                            [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->discard_ -= std::min<std::uint64_t>(self->discard_, n);
                              if (ec || self->discard_ == 0) return self->Close();
                              self->Discard();
                            });
  }

  void Close() {
    if (closing_) return;
    closing_ = true;
    if constexpr (kTls) {
      Socket().expires_after(kShutdownTimeout);
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) { self->Socket().close(); });
    } else {
      beast::error_code ignored;
      Socket().socket().shutdown(tcp::socket::shutdown_send, ignored);
      Socket().close();
    }
  }

  const SessionEnvironment& env_;
  // Everything below is touched only on the session's strand.
  Stream stream_;
  beast::flat_buffer buffer_;
  // Holds the fields of parser_'s and out_'s messages (declared before them,
  // so destroyed after them).
  alignas(std::max_align_t) std::array<std::byte, kFieldArenaBytes> field_buffer_;
  std::pmr::monotonic_buffer_resource fields_{field_buffer_.data(), field_buffer_.size()};
  std::optional<RequestParser> parser_;
  std::optional<ResponseMessage> out_;  // the response being written
  // The client certificate's fingerprint and the address, set once; the
  // X-Exchange-Member-Cert part, per request.
  http::Peer peer_;
  // The request being read or answered, for its log line.
  struct CurrentRequest {
    std::string id = NewRequestId();
    std::string_view method = "-";  // LoggedMethod's: a literal
    std::string client_id;          // a well-formed X-Request-Id the client sent
    std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
    // From the response, once written.
    int status = 0;
    std::string route;
    std::string org;
    int64_t credential_id = 0;
  } current_;
  bool keep_alive_ = false;
  std::uint64_t discard_ = 0;                               // bytes of a refused body still to drop
  std::chrono::steady_clock::time_point discard_deadline_;  // when dropping them stops
  bool idle_ = false;                                       // a read is pending that a drain may cancel
  bool draining_ = false;                                   // finish the current request, then close
  bool closing_ = false;
  std::unique_ptr<ConnectionTracker::Registration> registration_;
};

}  // namespace

void StartTlsSession(Socket socket, asio::ssl::context& tls, const SessionEnvironment& env,
                     std::unique_ptr<ConnectionTracker::Registration> registration) {
  std::make_shared<Session<TlsStream>>(env, std::move(registration), std::move(socket), tls)->Start();
}

void StartPlainSession(Socket socket, const SessionEnvironment& env,
                       std::unique_ptr<ConnectionTracker::Registration> registration) {
  std::make_shared<Session<PlainStream>>(env, std::move(registration), std::move(socket))->Start();
}

}  // namespace exchange::net
