// Signals and their provenance: batch submission, and the state every feed
// entry carries.
//
// A batch is one transaction: it takes the collection's log lock first, checks
// the idempotency key, stages the items with COPY, merges them set-based into
// signals and contributions, appends one feed entry per change, and records
// the response under the idempotency key. A crash leaves nothing of it; a
// retry returns the recorded response and changes nothing.
//
// Items reach this file already validated and canonical (signals/ and api/).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "exchange/v1/feed.pb.h"
#include "store/connection.h"
#include "store/logs.h"

namespace exchange::store {

struct SignalItem {
  std::string kind;
  std::string value;  // canonical
  std::string category;
  std::vector<std::string> labels;
  bool reviewed = false;
  std::string source_ref;
  std::string expires_at;  // RFC 3339, or empty
  std::vector<uint32_t> principles;
  int pdq_quality = -1;  // -1: not given
};

enum class SubmitOutcome { kCreated, kContributionAdded, kUnchanged };

struct SubmitBatch {
  int64_t collection_id = 0;
  int64_t log_id = 0;
  std::string collection_name;
  int64_t org_id = 0;
  std::string idempotency_key;  // may be empty: no replay protection
  std::string request_sha256;   // of the request as received
  std::vector<SignalItem> items;
};

struct SubmitReply {
  bool replayed = false;
  std::string response;  // the recorded or newly rendered response bytes
  LogHead head;
};

// Renders the response from the outcome of each item (same order as
// batch.items) and the log head after the batch; stored with the key.
using RenderSubmitResponse = std::function<std::string(const std::vector<SubmitOutcome>&, const LogHead&)>;

// Conflict when the idempotency key was used with a different request.
Result<SubmitReply> SubmitSignals(Connection& conn, const SubmitBatch& batch, const RenderSubmitResponse& render);

}  // namespace exchange::store
