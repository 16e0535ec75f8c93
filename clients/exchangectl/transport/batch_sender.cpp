// SPDX-License-Identifier: Apache-2.0
#include "transport/batch_sender.h"

#include <google/protobuf/message.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <iostream>
#include <optional>
#include <random>
#include <sstream>
#include <thread>

#include "formats/csv.h"

namespace exchange::client {
namespace {

constexpr auto kMaxRetryAfter = std::chrono::seconds(300);

// Retry-After in seconds (the HTTP-date form is not used by the exchange); nullopt when absent or unreadable.
std::optional<std::chrono::milliseconds> RetryAfter(const HttpResult& r) {
  const std::string value = r.Header("Retry-After");
  int64_t seconds = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (value.empty() || ec != std::errc() || end != value.data() + value.size() || seconds < 0) return std::nullopt;
  return std::chrono::milliseconds(std::min<int64_t>(seconds, kMaxRetryAfter.count()) * 1000);
}

}  // namespace

Status PostBatch(HttpsClient& http, const std::string& target, const google::protobuf::Message& request,
                 google::protobuf::Message* response, const std::vector<std::pair<std::string, std::string>>& headers,
                 const RetryPolicy& policy) {
  std::string body;
  request.SerializeToString(&body);
  auto all_headers = headers;
  all_headers.emplace_back("Content-Type", "application/x-protobuf");
  all_headers.emplace_back("Accept", "application/x-protobuf");
  std::mt19937_64 jitter(std::random_device{}());
  auto backoff = policy.first_backoff;
  for (int attempt = 1;; ++attempt) {
    auto result = http.Send("POST", target, body, all_headers);
    std::chrono::milliseconds wait = backoff;
    std::string why;
    if (!result.ok()) {
      if (!policy.retry_transport_errors || attempt >= policy.max_attempts) return result.status();
      why = result.status().message();
    } else if (result->status == 429 || result->status == 503) {
      if (attempt >= policy.max_attempts) return StatusFromErrorResponse(*result);
      if (auto after = RetryAfter(*result)) wait = *after;
      why = "HTTP " + std::to_string(result->status);
    } else if (result->status < 200 || result->status >= 300) {
      return StatusFromErrorResponse(*result);
    } else {
      if (response && !response->ParseFromString(result->body)) {
        return Status::Internal("the server's answer to " + target + " is not a valid " +
                                response->GetDescriptor()->name());
      }
      return Status::Ok();
    }
    // Up to a quarter more, so that many clients refused at once do not come back at once.
    wait += std::chrono::milliseconds(jitter() % static_cast<uint64_t>(wait.count() / 4 + 1));
    if (policy.before_message) policy.before_message();
    std::fprintf(stderr, "exchangectl: %s: %s; retrying in %.1f s (attempt %d of %d)\n", target.c_str(), why.c_str(),
                 static_cast<double>(wait.count()) / 1000, attempt + 1, policy.max_attempts);
    std::this_thread::sleep_for(wait);
    backoff = std::min(backoff * 2, policy.max_backoff);
  }
}

Result<std::unique_ptr<ItemErrors>> ItemErrors::Open(const std::string& path) {
  if (path.empty()) return std::unique_ptr<ItemErrors>(new ItemErrors(stderr, false));
  std::FILE* out = std::fopen(path.c_str(), "w");
  if (!out) return Status::InvalidArgument("cannot write " + path + ": " + std::strerror(errno));
  std::fputs("line,value,reason\n", out);
  return std::unique_ptr<ItemErrors>(new ItemErrors(out, true));
}

ItemErrors::~ItemErrors() {
  if (out_ != stderr) std::fclose(out_);
}

std::string ItemErrors::LinesText() const {
  constexpr std::size_t kShown = 50;
  std::string out;
  std::size_t shown = 0;
  for (std::size_t line : lines_) {
    if (line == 0) continue;
    if (shown == kShown) return out + ", ... (" + std::to_string(lines_.size() - shown) + " more)";
    out += (out.empty() ? "" : ", ") + std::to_string(line);
    ++shown;
  }
  return out;
}

void ItemErrors::Add(std::size_t line, std::string_view value, std::string_view reason) {
  ++count_;
  lines_.insert(line);
  if (csv_) {
    std::fputs(CsvLine({std::to_string(line), std::string(value), std::string(reason)}).c_str(), out_);
  } else {
    const std::string shown = value.size() > 200 ? std::string(value.substr(0, 200)) + "..." : std::string(value);
    const std::string where = line ? "line " + std::to_string(line) + ": " : "";
    std::fprintf(out_, "%s%s: %s\n", where.c_str(), shown.empty() ? "-" : shown.c_str(), std::string(reason).c_str());
  }
}

Result<std::string> ReadInputFile(const std::string& path) {
  std::stringstream buffer;
  if (path == "-") {
    buffer << std::cin.rdbuf();
    return buffer.str();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidArgument("cannot open " + path + ": " + std::strerror(errno));
  buffer << in.rdbuf();
  if (in.bad()) return Status::InvalidArgument("cannot read " + path + ": " + std::strerror(errno));
  return buffer.str();
}

}  // namespace exchange::client
