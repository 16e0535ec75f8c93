// SPDX-License-Identifier: Apache-2.0
// Offering checkpoints to a witness (see witness_submitter.h).
#include "server/witness_submitter.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <ctime>
#include <set>

#include "common/logger.h"
#include "log/checkpoint.h"
#include "log/cosignature.h"
#include "log/encoding.h"
#include "log/merkle.h"
#include "log/witness.h"
#include "metrics/server_metrics.h"
#include "services/checkpoints.h"
#include "store/logs.h"

namespace exchange::server {
namespace beast = boost::beast;
namespace asio = boost::asio;

namespace {

constexpr size_t kMaxAnswerBytes = 64 * 1024;

Result<WitnessEndpoint> ParseOne(std::string_view item) {
  const size_t eq = item.find('=');
  if (eq == std::string_view::npos)
    return Status::InvalidArgument("--witness wants URL=VKEY, not " + std::string(item));
  const std::string url(item.substr(0, eq));
  auto key = log::Verifier::Parse(item.substr(eq + 1));
  if (!key.ok()) return Status::InvalidArgument("--witness " + url + ": " + key.status().message());
  if (key->type() != log::KeyType::kCosignatureV1) {
    return Status::InvalidArgument("--witness " + url + ": a witness key must be a cosignature/v1 key");
  }
  WitnessEndpoint w{url, *key, {}, {}, {}};
  std::string_view rest = w.url;
  if (!rest.starts_with("http://")) {
    return Status::InvalidArgument("--witness " + w.url +
                                   ": the URL must be http://host:port[/prefix] (cosignatures verify by themselves; "
                                   "see docs/feed.md)");
  }
  rest.remove_prefix(7);
  const size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  w.prefix = slash == std::string_view::npos ? "" : std::string(rest.substr(slash));
  while (!w.prefix.empty() && w.prefix.back() == '/') w.prefix.pop_back();
  const size_t colon = authority.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == authority.size()) {
    return Status::InvalidArgument("--witness " + w.url + ": the URL needs a host and a port");
  }
  w.host = std::string(authority.substr(0, colon));
  w.port = std::string(authority.substr(colon + 1));
  if (w.port.find_first_not_of("0123456789") != std::string::npos) {
    return Status::InvalidArgument("--witness " + w.url + ": bad port " + w.port);
  }
  return w;
}

struct Answer {
  int status = 0;
  std::string content_type;
  std::string body;
};

Result<Answer> Post(const WitnessEndpoint& w, const std::string& body, std::chrono::milliseconds timeout) {
  namespace http = beast::http;
  asio::io_context io;
  beast::tcp_stream stream(io);
  beast::error_code ec;
  asio::ip::tcp::resolver resolver(io);
  auto endpoints = resolver.resolve(w.host, w.port, ec);
  if (ec) return Status::Unavailable("cannot resolve " + w.host + ": " + ec.message());
  stream.expires_after(timeout);
  stream.connect(endpoints, ec);
  if (ec) return Status::Unavailable("cannot connect to " + w.url + ": " + ec.message());
  http::request<http::string_body> request(http::verb::post, w.prefix + "/add-checkpoint", 11);
  request.set(http::field::host, w.host + ":" + w.port);
  request.set(http::field::content_type, "text/plain; charset=utf-8");
  request.set(http::field::user_agent, "exchanged");
  request.body() = body;
  request.prepare_payload();
  stream.expires_after(timeout);
  http::write(stream, request, ec);
  if (ec) return Status::Unavailable("sending to " + w.url + ": " + ec.message());
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxAnswerBytes);
  stream.expires_after(timeout);
  http::read(stream, buffer, parser, ec);
  if (ec) return Status::Unavailable("reading the answer of " + w.url + ": " + ec.message());
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  const auto& response = parser.get();
  return Answer{static_cast<int>(response.result_int()), std::string(response[http::field::content_type]),
                response.body()};
}

}  // namespace

Result<std::vector<WitnessEndpoint>> ParseWitnessEndpoints(std::string_view text) {
  std::vector<WitnessEndpoint> out;
  std::set<std::string> keys;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    std::string_view item = text.substr(start, comma - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) {
      auto w = ParseOne(item);
      if (!w.ok()) return w.status();
      if (!keys.insert(w->key.VerifierKey()).second) {
        return Status::InvalidArgument("--witness: the key of " + w->url + " is given twice");
      }
      out.push_back(std::move(w).value());
    }
    start = comma + 1;
  }
  return out;
}

WitnessSubmitter::WitnessSubmitter(WitnessEndpoint witness, const services::CheckpointPublisher& publisher,
                                   metrics::ServerMetrics& metrics, std::chrono::milliseconds timeout,
                                   std::chrono::seconds refresh_after)
    : witness_(std::move(witness)),
      publisher_(publisher),
      metrics_(metrics),
      timeout_(timeout),
      refresh_after_(refresh_after) {}

void WitnessSubmitter::RunOnce(store::Connection& conn) {
  auto heads = store::ListLogs(conn);
  if (!heads.ok()) return;
  const std::string witness_name = witness_.key.name();
  for (const auto& head : *heads) {
    LogProgress& progress = logs_[head.log_id];
    if (!progress.loaded) {
      auto size = store::CosignedSize(conn, head.log_id, witness_.key.VerifierKey());
      if (!size.ok()) continue;
      progress.witness_size = progress.cosigned_size = *size;
      progress.loaded = true;
    }
    auto note = publisher_.Current(conn, head);
    if (!note.ok()) continue;
    Status s = Submit(conn, head.log_id, head.name, *note, progress);
    const std::string problem = s.ok() ? "" : s.message();
    if (problem != progress.last_problem) {
      if (problem.empty()) {
        logging::Info("witness cosigns again", {{"witness", witness_.url}, {"log", head.name}});
      } else {
        logging::Warn("witness did not cosign", {{"witness", witness_.url}, {"log", head.name}, {"error", problem}});
      }
      progress.last_problem = problem;
    }
    const uint64_t size = std::max(head.size, progress.cosigned_size);
    metrics_.SetWitnessProgress(witness_name, head.name, static_cast<double>(size - progress.cosigned_size),
                                static_cast<double>(progress.cosigned_at));
  }
}

Status WitnessSubmitter::Submit(store::Connection& conn, int64_t log_id, const std::string& log_name,
                                const std::string& note, LogProgress& progress) {
  const std::string text = note.substr(0, note.find("\n\n") + 1);
  auto checkpoint = log::Checkpoint::Parse(text);
  if (!checkpoint.ok()) return checkpoint.status();
  const int64_t now = std::time(nullptr);
  if (checkpoint->size == progress.cosigned_size && progress.cosigned_at != 0 &&
      now - progress.cosigned_at < refresh_after_.count()) {
    return Status::Ok();  // cosigned recently
  }
  for (int attempt = 0; attempt < 2; ++attempt) {
    log::AddCheckpointRequest request;
    request.old_size = std::min(progress.witness_size, checkpoint->size);
    request.note = note;
    if (request.old_size > 0 && request.old_size < checkpoint->size) {
      auto plan = log::PlanConsistencyProof(request.old_size, checkpoint->size);
      if (!plan.ok()) return plan.status();
      auto nodes = store::ReadNodes(conn, log_id, plan->AllNodes());
      if (!nodes.ok()) return nodes.status();
      auto proof = plan->Assemble(*nodes);
      if (!proof.ok()) return proof.status();
      request.proof = std::move(proof).value();
    }
    auto answer = Post(witness_, log::FormatAddCheckpointRequest(request), timeout_);
    if (!answer.ok()) {
      metrics_.WitnessRequest(witness_.key.name(), "unreachable");
      return answer.status();
    }
    if (answer->status == 409 && answer->content_type.starts_with(log::kTlogSizeContentType)) {
      metrics_.WitnessRequest(witness_.key.name(), "conflict");
      std::string_view body = answer->body;
      const auto recorded = log::TakeLine(body);
      const auto size = recorded ? log::ParseCanonicalDecimal(*recorded) : std::nullopt;
      if (!size) return Status::Unavailable("the witness answered 409 without a size");
      if (*size == progress.witness_size || *size > checkpoint->size) {
        // The witness holds a tree this log never extended to: it saw
        // another view of this log, or the database was restored.
        progress.witness_size = *size;
        return Status::FailedPrecondition("the witness recorded a checkpoint of size " + std::to_string(*size) +
                                          " that this log's tree of " + std::to_string(checkpoint->size) +
                                          " does not extend");
      }
      progress.witness_size = *size;
      continue;
    }
    if (answer->status != 200) {
      metrics_.WitnessRequest(witness_.key.name(), "refused");
      std::string reason = answer->body.substr(0, 200);
      while (!reason.empty() && reason.back() == '\n') reason.pop_back();
      return Status::Unavailable("the witness answered " + std::to_string(answer->status) + ": " + reason);
    }
    // One signature line per key; keep the one by the configured key.
    std::string_view lines = answer->body;
    while (auto line = log::TakeLine(lines)) {
      std::string with_newline = std::string(*line) + "\n";
      auto at = log::VerifyCosignature(text, with_newline, witness_.key);
      if (!at.ok()) continue;
      Status saved = store::SaveCosignature(
          conn, log_id, {checkpoint->size, witness_.key.VerifierKey(), with_newline, static_cast<int64_t>(*at)});
      if (!saved.ok()) return saved;
      metrics_.WitnessRequest(witness_.key.name(), "cosigned");
      progress.witness_size = progress.cosigned_size = checkpoint->size;
      progress.cosigned_at = static_cast<int64_t>(*at);
      return Status::Ok();
    }
    metrics_.WitnessRequest(witness_.key.name(), "refused");
    return Status::Unauthenticated("the witness answered 200 without a cosignature that verifies under its key (log " +
                                   log_name + ")");
  }
  return Status::Unavailable("the witness kept answering 409");
}

}  // namespace exchange::server
