// SPDX-License-Identifier: Apache-2.0
// The witness's HTTP/1.1 server and state directory (witness_server.h).
// One io_context on one thread: a connection is read, answered and closed or
// kept alive, one request at a time; the mutex makes Decide / persist /
// Record / answer one step even if a caller ever runs more threads.
#include "transport/witness_server.h"

#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdio>
#include <ctime>
#include <memory>
#include <mutex>
#include <thread>

#include "common/files.h"
#include "log/checkpoint.h"

namespace exchange::client {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr std::size_t kMaxStateFileBytes = 1 << 20;

struct Server {
  log::Witness& witness;
  const WitnessServerOptions& options;
  std::mutex mu;
};

http::response<http::string_body> Answer(http::status status, std::string_view content_type, std::string body,
                                         bool keep_alive) {
  http::response<http::string_body> res{status, 11};
  res.set(http::field::content_type, content_type);
  res.body() = std::move(body);
  res.keep_alive(keep_alive);
  res.prepare_payload();
  return res;
}

http::response<http::string_body> Handle(Server& server, const http::request<http::string_body>& req) {
  const bool keep_alive = req.keep_alive();
  const std::string_view target = req.target();
  if (target != "/add-checkpoint") {
    return Answer(http::status::not_found, "text/plain; charset=utf-8", "not found\n", keep_alive);
  }
  if (req.method() != http::verb::post) {
    auto res = Answer(http::status::method_not_allowed, "text/plain; charset=utf-8", "use POST\n", keep_alive);
    res.set(http::field::allow, "POST");
    return res;
  }
  std::lock_guard lock(server.mu);
  log::WitnessDecision d = server.witness.Decide(req.body(), static_cast<uint64_t>(std::time(nullptr)));
  if (d.http_status == 200 && d.to_persist) {
    const auto path = server.options.state_dir / WitnessStateFileName(d.to_persist->origin);
    if (Status s = WritePublicFile(path, d.checkpoint_note); !s.ok()) {
      std::fprintf(stderr, "exchangectl witness: cannot persist %s: %s\n", path.c_str(), s.message().c_str());
      return Answer(http::status::internal_server_error, "text/plain; charset=utf-8", "cannot persist the checkpoint\n",
                    false);
    }
    if (server.options.pause_after_persist.count() > 0) std::this_thread::sleep_for(server.options.pause_after_persist);
    if (Status s = server.witness.Record(*d.to_persist); !s.ok()) {
      return Answer(http::status::internal_server_error, "text/plain; charset=utf-8", s.message() + "\n", false);
    }
  }
  std::string body = std::move(d.body);
  if (d.http_status != 200 && d.http_status != 409 && !body.empty() && body.back() != '\n') body += '\n';
  return Answer(static_cast<http::status>(d.http_status), d.content_type, std::move(body), keep_alive);
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Server& server, tcp::socket socket) : server_(server), stream_(std::move(socket)) {}

  void Read() {
    parser_.emplace();
    parser_->body_limit(server_.options.body_limit);
    parser_->header_limit(16 * 1024);
    stream_.expires_after(server_.options.read_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnRead(ec); });
  }

 private:
  void OnRead(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout) return Close();
    if (ec == http::error::body_limit) {
      return Write(
          Answer(http::status::payload_too_large, "text/plain; charset=utf-8", "the body is too large\n", false));
    }
    if (ec) {
      return Write(Answer(http::status::bad_request, "text/plain; charset=utf-8", "bad request\n", false));
    }
    Write(Handle(server_, parser_->get()));
  }

  void Write(http::response<http::string_body> res) {
    response_ = std::move(res);
    stream_.expires_after(server_.options.read_timeout);
    http::async_write(stream_, response_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec || !self->response_.keep_alive()) return self->Close();
      self->Read();
    });
  }

  // A lingering close: stop sending, then read and discard what the client
  // still sends (a body over the limit) until it closes, for a bounded
  // amount and time, so that closing with unread data (a TCP reset) does
  // not destroy the answer before the client has read it.
  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    Drain();
  }
  void Drain() {
    if (drained_ > kMaxDrainBytes) return;
    stream_.expires_after(std::chrono::seconds(2));
    stream_.async_read_some(asio::buffer(discard_), [self = shared_from_this()](beast::error_code ec, std::size_t n) {
      if (ec) return;
      self->drained_ += n;
      self->Drain();
    });
  }

  static constexpr std::size_t kMaxDrainBytes = 1 << 20;
  std::array<char, 4096> discard_{};
  std::size_t drained_ = 0;

  Server& server_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
};

void Accept(Server& server, tcp::acceptor& acceptor) {
  acceptor.async_accept([&server, &acceptor](beast::error_code ec, tcp::socket socket) {
    if (!ec) std::make_shared<Session>(server, std::move(socket))->Read();
    Accept(server, acceptor);
  });
}

}  // namespace

std::string WitnessStateFileName(std::string_view origin) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : origin) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
        c == '-') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  // "." and ".." escape to themselves; a leading dot is escaped so neither occurs.
  if (!out.empty() && out[0] == '.') out.replace(0, 1, "%2E");
  return out + ".checkpoint";
}

Status LoadWitnessState(log::Witness& witness, const std::filesystem::path& dir) {
  std::error_code ec;
  for (const auto& file : std::filesystem::directory_iterator(dir, ec)) {
    const auto& path = file.path();
    if (path.extension() != ".checkpoint" || !file.is_regular_file()) continue;
    auto note = ReadFile(path, kMaxStateFileBytes);
    if (!note.ok()) return note.status();
    auto checkpoint = log::Checkpoint::Parse(std::string_view(*note).substr(0, note->find("\n\n") + 1));
    if (!checkpoint.ok()) {
      return Status::FailedPrecondition(path.string() + " is not a checkpoint: " + checkpoint.status().message());
    }
    if (!witness.Knows(checkpoint->origin)) continue;  // a log no longer configured
    if (path.filename() != WitnessStateFileName(checkpoint->origin)) {
      return Status::FailedPrecondition(path.string() + " holds a checkpoint of " + checkpoint->origin +
                                        ", which belongs in " + WitnessStateFileName(checkpoint->origin));
    }
    auto opened = log::OpenNote(*note, *witness.KeysFor(checkpoint->origin));
    if (!opened.ok()) {
      return Status::FailedPrecondition(path.string() + " does not verify under the keys configured for " +
                                        checkpoint->origin + ": " + opened.status().message());
    }
    if (Status s = witness.Record(*checkpoint); !s.ok()) return s;
  }
  if (ec) return Status::Unavailable("cannot read " + dir.string() + ": " + ec.message());
  return Status::Ok();
}

Status RunWitnessServer(log::Witness& witness, const WitnessServerOptions& options) {
  const size_t colon = options.listen.rfind(':');
  if (colon == std::string::npos) return Status::InvalidArgument("--listen wants HOST:PORT, not " + options.listen);
  std::string host = options.listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const std::string port_text = options.listen.substr(colon + 1);
  unsigned long port = 0;
  try {
    size_t used = 0;
    port = std::stoul(port_text, &used);
    if (used != port_text.size() || port > 65535) throw std::out_of_range("port");
  } catch (const std::exception&) {
    return Status::InvalidArgument("--listen: bad port " + port_text);
  }
  beast::error_code ec;
  const auto address = asio::ip::make_address(host.empty() ? "0.0.0.0" : host, ec);
  if (ec) return Status::InvalidArgument("--listen: bad address " + host + " (an IP address is expected)");

  asio::io_context io;
  tcp::acceptor acceptor(io);
  const tcp::endpoint endpoint(address, static_cast<unsigned short>(port));
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Status::Unavailable("cannot listen on " + options.listen + ": " + ec.message());

  Server server{witness, options, {}};
  const auto bound = acceptor.local_endpoint();
  const std::string bound_text =
      (bound.address().is_v6() ? "[" + bound.address().to_string() + "]" : bound.address().to_string()) + ":" +
      std::to_string(bound.port());
  if (options.on_listening) options.on_listening(bound_text);
  Accept(server, acceptor);
  io.run();
  return Status::Internal("the witness server stopped");
}

}  // namespace exchange::client
