// SPDX-License-Identifier: Apache-2.0
// Sending batches to the exchange's batch endpoints (signals, opinions,
// retractions, sightings) the way a bulk client must: retries with backoff
// on transport failures and on 429/503 (honouring Retry-After), with the very
// same bytes and headers each time, and a per-item report of what was refused.
//
// Thread-safety: none; one sender per thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "transport/api_client.h"

namespace google::protobuf {
class Message;
}

namespace exchange::client {

struct RetryPolicy {
  int max_attempts = 8;
  std::chrono::milliseconds first_backoff{500};  // doubled each attempt, with jitter
  std::chrono::milliseconds max_backoff{30'000};
  // Whether a request whose fate is unknown (the connection failed) may be
  // sent again. True for idempotent requests; false for sightings, which the
  // exchange does not deduplicate.
  bool retry_transport_errors = true;
  // Called (when set) just before a retry message is written to stderr, so
  // that a command drawing a progress bar there can erase it first.
  std::function<void()> before_message;
};

// POSTs `request` as Protobuf to `target` and parses a 2xx answer into
// `response`. Retries per `policy`, saying so on stderr at each retry. A
// non-2xx final answer is the server's error as a Status.
Status PostBatch(HttpsClient& http, const std::string& target, const google::protobuf::Message& request,
                 google::protobuf::Message* response, const std::vector<std::pair<std::string, std::string>>& headers,
                 const RetryPolicy& policy);

// Per-item problems as they are found: "line N: VALUE: REASON" on stderr
// ("VALUE: REASON" for line 0, an item from the command line), or CSV rows
// `line,value,reason` (with a header) in a file.
class ItemErrors {
 public:
  // `path` empty: stderr.
  static Result<std::unique_ptr<ItemErrors>> Open(const std::string& path);
  ~ItemErrors();
  ItemErrors(const ItemErrors&) = delete;
  ItemErrors& operator=(const ItemErrors&) = delete;

  void Add(std::size_t line, std::string_view value, std::string_view reason);
  uint64_t count() const { return count_; }
  // The distinct input lines reported so far, ascending (0: no line).
  std::vector<std::size_t> lines() const { return {lines_.begin(), lines_.end()}; }
  // "3, 7, 12" (at most 50 numbers, then ", ... (N more)"): for summaries.
  std::string LinesText() const;

 private:
  ItemErrors(std::FILE* out, bool csv) : out_(out), csv_(csv) {}

  std::FILE* out_;
  bool csv_;
  uint64_t count_ = 0;
  std::set<std::size_t> lines_;
};

// Reads FILE, or stdin for "-". InvalidArgument when unreadable.
Result<std::string> ReadInputFile(const std::string& path);

}  // namespace exchange::client
