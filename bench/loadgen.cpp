// SPDX-License-Identifier: Apache-2.0
// loadgen: a closed-loop HTTPS/1.1 load generator for the benchmarks in bench/.
//
//   loadgen --url https://HOST:PORT/PATH --ca FILE --cert FILE --key FILE
//           [--connections N] [--threads T] [--duration SECONDS] [--warmup SECONDS]
//           [--header 'Name: value']...
//
// N keep-alive mutual-TLS connections each send a GET, read the whole
// response, and send the next one at once (no pipelining), so the offered
// load is whatever the server can take. Connections are spread over T
// threads, each running its own io_context: a connection and its tally are
// only ever touched by that one thread, and the tallies are merged after the
// threads have joined, so nothing is shared while the load runs.
//
// A request counts if it was started after the warm-up and its response was
// complete before the end of the run; its latency runs from the start of the
// write to the last byte of the response. Non-2xx responses count as
// requests and are also counted apart; transport failures (connect,
// handshake, read, write) are errors, and the connection is then re-opened.
// Stops by itself after warmup + duration (plus at most kGrace for stragglers)
// and prints one JSON object on stdout, with the CPU time loadgen itself used
// (the load generator shares the machine with the server) and the TLS version
// and cipher the server chose, and a count of the responses by status. Exit status: 0 when it measured at
// least one request, 1 otherwise, 2 on bad usage.
#include <openssl/ssl.h>
#include <sys/resource.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr auto kOperationTimeout = std::chrono::seconds(5);  // per connect, handshake, write or read
constexpr auto kReconnectDelay = std::chrono::milliseconds(20);
constexpr auto kGrace = std::chrono::seconds(3);     // after the end, before in-flight work is abandoned
constexpr std::uint64_t kMaxResponseBody = 1 << 20;  // bytes; this tool measures small responses

constexpr const char* kUsage =
    "usage: loadgen --url https://HOST:PORT/PATH --ca FILE --cert FILE --key FILE\n"
    "               [--connections N] [--threads T] [--duration SECONDS] [--warmup SECONDS]\n"
    "               [--header 'Name: value']...\n";

struct Options {
  std::string url;
  std::string ca_file, cert_file, key_file;
  int connections = 64;
  int threads = 2;
  double duration_s = 10;
  double warmup_s = 3;
  std::vector<std::pair<std::string, std::string>> headers;
};

struct Target {
  std::string host, port, path;
};

bool ParsePositive(std::string_view text, int& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && out > 0;
}

bool ParseSeconds(std::string_view text, double& out) {
  try {
    std::size_t used = 0;
    out = std::stod(std::string(text), &used);
    return used == text.size() && out >= 0 && out < 3600;
  } catch (const std::exception&) {
    return false;
  }
}

// Returns an error message, or nothing when the options are usable.
std::optional<std::string> ParseOptions(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    std::string_view flag = argv[i];
    if (i + 1 >= argc) return "missing value for " + std::string(flag);
    std::string_view value = argv[++i];
    bool ok = true;
    if (flag == "--url") {
      o.url = value;
    } else if (flag == "--ca") {
      o.ca_file = value;
    } else if (flag == "--cert") {
      o.cert_file = value;
    } else if (flag == "--key") {
      o.key_file = value;
    } else if (flag == "--connections") {
      ok = ParsePositive(value, o.connections);
    } else if (flag == "--threads") {
      ok = ParsePositive(value, o.threads);
    } else if (flag == "--duration") {
      ok = ParseSeconds(value, o.duration_s) && o.duration_s > 0;
    } else if (flag == "--warmup") {
      ok = ParseSeconds(value, o.warmup_s);
    } else if (flag == "--header") {
      auto colon = value.find(':');
      if (colon == std::string_view::npos || colon == 0)
        return "--header wants 'Name: value', got '" + std::string(value) + "'";
      auto field = value.substr(colon + 1);
      while (!field.empty() && field.front() == ' ') field.remove_prefix(1);
      o.headers.emplace_back(std::string(value.substr(0, colon)), std::string(field));
    } else {
      return "unknown flag " + std::string(flag);
    }
    if (!ok) return "bad value for " + std::string(flag) + ": '" + std::string(value) + "'";
  }
  if (o.url.empty() || o.ca_file.empty() || o.cert_file.empty() || o.key_file.empty()) {
    return "--url, --ca, --cert and --key are required";
  }
  return std::nullopt;
}

std::optional<Target> ParseUrl(std::string_view url) {
  constexpr std::string_view kScheme = "https://";
  if (url.substr(0, kScheme.size()) != kScheme) return std::nullopt;
  url.remove_prefix(kScheme.size());
  Target t;
  auto slash = url.find('/');
  std::string_view authority = url.substr(0, slash);
  t.path = slash == std::string_view::npos ? "/" : std::string(url.substr(slash));
  auto colon = authority.rfind(':');
  if (colon == std::string_view::npos || authority.back() == ']') {
    t.host = authority;
    t.port = "443";
  } else {
    t.host = authority.substr(0, colon);
    t.port = authority.substr(colon + 1);
  }
  if (t.host.size() > 2 && t.host.front() == '[') t.host = t.host.substr(1, t.host.size() - 2);
  if (t.host.empty()) return std::nullopt;
  return t;
}

// The measurement window, fixed before any thread starts; read-only afterwards.
struct Window {
  Clock::time_point from;   // end of the warm-up
  Clock::time_point until;  // end of the run: no request is started after it
};

// What one connection saw. Touched only by the thread that runs the connection
// until that thread has joined.
struct Tally {
  std::vector<std::int64_t> latencies_ns;  // counted requests only
  std::uint64_t non_2xx = 0;
  std::map<unsigned, std::uint64_t> statuses;  // counted requests by HTTP status
  std::uint64_t errors = 0;
  std::uint64_t reconnects = 0;  // re-opened after the server asked to close
  std::string tls;               // "TLSv1.3 TLS_AES_256_GCM_SHA384" after the first handshake
};

// Everything the connections share, all read-only while the load runs.
struct Shared {
  Window window;
  std::string host;
  tcp::resolver::results_type endpoints;
  std::string request;  // the serialized request, written as is every time
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(asio::io_context& ioc, asio::ssl::context& tls, const Shared& shared, Tally& tally)
      : ioc_(ioc), tls_(tls), shared_(shared), tally_(tally), retry_(ioc) {}

  void Start() { DoConnect(); }

 private:
  bool Over() const { return Clock::now() >= shared_.window.until; }

  void DoConnect() {
    if (Over()) return;
    stream_.emplace(ioc_, tls_);
    buffer_.clear();
    if (!SSL_set_tlsext_host_name(stream_->native_handle(), shared_.host.c_str())) return Fail();
    stream_->set_verify_callback(asio::ssl::host_name_verification(shared_.host));
    beast::get_lowest_layer(*stream_).expires_after(kOperationTimeout);
    beast::get_lowest_layer(*stream_).async_connect(
        shared_.endpoints,
        [self = shared_from_this()](beast::error_code ec, const tcp::endpoint&) { self->OnConnect(ec); });
  }

  void OnConnect(beast::error_code ec) {
    if (ec) return Fail();
    beast::get_lowest_layer(*stream_).socket().set_option(tcp::no_delay(true));
    beast::get_lowest_layer(*stream_).expires_after(kOperationTimeout);
    stream_->async_handshake(asio::ssl::stream_base::client,
                             [self = shared_from_this()](beast::error_code e) { self->OnHandshake(e); });
  }

  void OnHandshake(beast::error_code ec) {
    if (ec) return Fail();
    if (tally_.tls.empty()) {
      SSL* ssl = stream_->native_handle();
      tally_.tls = std::string(SSL_get_version(ssl)) + " " + SSL_get_cipher_name(ssl);
    }
    DoWrite();
  }

  void DoWrite() {
    if (Over()) return Close();
    sent_at_ = Clock::now();
    beast::get_lowest_layer(*stream_).expires_after(kOperationTimeout);
    asio::async_write(*stream_, asio::buffer(shared_.request),
                      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnWrite(ec); });
  }

  void OnWrite(beast::error_code ec) {
    if (ec) return Fail();
    parser_.emplace();
    parser_->body_limit(kMaxResponseBody);
    beast::get_lowest_layer(*stream_).expires_after(kOperationTimeout);
    bhttp::async_read(*stream_, buffer_, *parser_,
                      [self = shared_from_this()](beast::error_code e, std::size_t) { self->OnRead(e); });
  }

  void OnRead(beast::error_code ec) {
    if (ec) return Fail();
    const Clock::time_point done = Clock::now();
    const auto& response = parser_->get();
    if (sent_at_ >= shared_.window.from && done <= shared_.window.until) {
      tally_.latencies_ns.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(done - sent_at_).count());
      if (response.result_int() / 100 != 2) ++tally_.non_2xx;
      ++tally_.statuses[response.result_int()];
    }
    if (!response.keep_alive()) {
      ++tally_.reconnects;
      Close();
      return DoConnect();
    }
    DoWrite();
  }

  // A transport failure: counted if it happened while the load was on, then
  // the connection is re-opened after a short pause (no hot loop against a
  // server that refuses).
  void Fail() {
    if (Over()) return Close();
    ++tally_.errors;
    Close();
    retry_.expires_after(kReconnectDelay);
    retry_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->DoConnect();
    });
  }

  // No TLS close_notify: the run is over or the connection is being replaced,
  // and the benchmark should not spend its time on goodbyes.
  void Close() {
    if (!stream_) return;
    beast::error_code ignored;
    beast::get_lowest_layer(*stream_).socket().close(ignored);
  }

  asio::io_context& ioc_;
  asio::ssl::context& tls_;
  const Shared& shared_;
  Tally& tally_;
  std::optional<beast::ssl_stream<beast::tcp_stream>> stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::response_parser<bhttp::string_body>> parser_;
  asio::steady_timer retry_;
  Clock::time_point sent_at_;
};

std::string SerializeRequest(const Target& target, const Options& options) {
  std::string out = "GET " + target.path + " HTTP/1.1\r\nHost: " + target.host;
  if (target.port != "443") out += ":" + target.port;
  out += "\r\nUser-Agent: exchange-loadgen\r\n";
  for (const auto& [name, value] : options.headers) out += name + ": " + value + "\r\n";
  out += "\r\n";
  return out;
}

double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// Nearest-rank percentile of sorted values, in milliseconds.
double PercentileMs(const std::vector<std::int64_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(sorted.size())));
  return static_cast<double>(sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1]) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (auto error = ParseOptions(argc, argv, options)) {
    std::fprintf(stderr, "loadgen: %s\n%s", error->c_str(), kUsage);
    return 2;
  }
  auto target = ParseUrl(options.url);
  if (!target) {
    std::fprintf(stderr, "loadgen: --url must look like https://HOST:PORT/PATH, got '%s'\n", options.url.c_str());
    return 2;
  }

  asio::ssl::context tls(asio::ssl::context::tls_client);
  Shared shared;
  try {
    SSL_CTX_set_min_proto_version(tls.native_handle(), TLS1_2_VERSION);
    tls.set_verify_mode(asio::ssl::verify_peer);
    tls.load_verify_file(options.ca_file);
    tls.use_certificate_chain_file(options.cert_file);
    tls.use_private_key_file(options.key_file, asio::ssl::context::pem);
    asio::io_context resolver_context;
    shared.endpoints = tcp::resolver(resolver_context).resolve(target->host, target->port);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "loadgen: %s\n", e.what());
    return 2;
  }
  shared.host = target->host;
  shared.request = SerializeRequest(*target, options);

  const auto start = Clock::now();
  const auto warmup = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options.warmup_s));
  const auto duration = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options.duration_s));
  shared.window = {start + warmup, start + warmup + duration};

  std::vector<std::unique_ptr<asio::io_context>> contexts;
  for (int t = 0; t < options.threads; ++t) contexts.push_back(std::make_unique<asio::io_context>(1));
  std::vector<Tally> tallies(static_cast<std::size_t>(options.connections));
  for (int c = 0; c < options.connections; ++c) {
    auto& ioc = *contexts[static_cast<std::size_t>(c % options.threads)];
    std::make_shared<Connection>(ioc, tls, shared, tallies[static_cast<std::size_t>(c)])->Start();
  }
  std::vector<std::thread> threads;
  for (auto& ioc : contexts) {
    threads.emplace_back([&ioc, deadline = shared.window.until + kGrace] { ioc->run_until(deadline); });
  }
  for (auto& thread : threads) thread.join();
  contexts.clear();  // abandons whatever was still in flight after the grace period

  std::vector<std::int64_t> latencies;
  std::uint64_t non_2xx = 0, errors = 0, reconnects = 0;
  std::string negotiated;
  std::map<unsigned, std::uint64_t> statuses;
  for (auto& tally : tallies) {
    if (negotiated.empty()) negotiated = tally.tls;
    for (const auto& [status, count] : tally.statuses) statuses[status] += count;
    latencies.insert(latencies.end(), tally.latencies_ns.begin(), tally.latencies_ns.end());
    non_2xx += tally.non_2xx;
    errors += tally.errors;
    reconnects += tally.reconnects;
  }
  std::sort(latencies.begin(), latencies.end());
  std::string by_status;
  for (const auto& [status, count] : statuses) {
    by_status += (by_status.empty() ? "\"" : ",\"") + std::to_string(status) + "\":" + std::to_string(count);
  }
  const double seconds = options.duration_s;
  std::printf(
      "{\"requests\":%zu,\"errors\":%llu,\"non_2xx\":%llu,\"reconnects\":%llu,\"seconds\":%.3f,\"rps\":%.1f,"
      "\"p50_ms\":%.3f,\"p90_ms\":%.3f,\"p99_ms\":%.3f,\"connections\":%d,\"threads\":%d,\"cpu_s\":%.2f,"
      "\"tls\":\"%s\",\"statuses\":{%s}}\n",
      latencies.size(), static_cast<unsigned long long>(errors), static_cast<unsigned long long>(non_2xx),
      static_cast<unsigned long long>(reconnects), seconds, static_cast<double>(latencies.size()) / seconds,
      PercentileMs(latencies, 0.50), PercentileMs(latencies, 0.90), PercentileMs(latencies, 0.99), options.connections,
      options.threads, CpuSeconds(), negotiated.c_str(), by_status.c_str());
  return latencies.empty() ? 1 : 0;
}
