// Submitting signals:
//   POST /v1/collections/{c}/signals   (write grant; Idempotency-Key)
#include <algorithm>
#include <cctype>
#include <ctime>
#include <set>

#include "api/access.h"
#include "api/routes.h"
#include "common/time_format.h"
#include "exchange/v1/signals.pb.h"
#include "http/wire.h"
#include "log/encoding.h"
#include "log/hash.h"
#include "signals/canonical.h"
#include "signals/kind.h"
#include "store/signals.h"

namespace exchange::api {
namespace {

inline constexpr std::size_t kMaxBatchSignals = 10000;
inline constexpr std::size_t kMaxBatchBytes = 32 * 1024 * 1024;
inline constexpr std::size_t kMaxLabels = 32;
inline constexpr std::size_t kMaxTokenBytes = 64;
inline constexpr std::size_t kMaxSourceRefBytes = 256;
inline constexpr std::size_t kMaxIdempotencyKeyBytes = 200;

// Categories and labels: short tokens, so feed entries and reports stay clean.
bool ValidToken(const std::string& s) {
  if (s.empty() || s.size() > kMaxTokenBytes) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' || c == ':';
  });
}

bool ValidSourceRef(const std::string& s) {
  if (s.size() > kMaxSourceRefBytes) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x20 && c != 0x7f; });
}

bool Required(const store::CollectionRow& c, const std::string& field) {
  return std::find(c.required_fields.begin(), c.required_fields.end(), field) != c.required_fields.end();
}

// The canonical item, or the reason it is rejected.
Result<store::SignalItem> Validate(const v1::SignalSubmission& in, const store::CollectionRow& collection,
                                   int64_t now) {
  auto kind = signals::ParseKind(in.kind());
  if (!kind) return Status::InvalidArgument("unknown kind '" + in.kind().substr(0, 32) + "'");
  if (!collection.allowed_kinds.empty() &&
      std::find(collection.allowed_kinds.begin(), collection.allowed_kinds.end(), in.kind()) ==
          collection.allowed_kinds.end()) {
    return Status::InvalidArgument("collection " + collection.name + " does not accept kind " + in.kind());
  }
  auto value = signals::Canonicalize(*kind, in.value());
  if (!value.ok()) return value.status();

  store::SignalItem item;
  item.kind = in.kind();
  item.value = *value;
  if (!in.category().empty() && !ValidToken(in.category())) {
    return Status::InvalidArgument("category must be 1-64 letters, digits or _ - . :");
  }
  item.category = in.category();
  if (static_cast<std::size_t>(in.labels_size()) > kMaxLabels) return Status::InvalidArgument("more than 32 labels");
  std::set<std::string> labels;
  for (const auto& label : in.labels()) {
    if (!ValidToken(label)) return Status::InvalidArgument("label '" + label.substr(0, 64) + "' must be 1-64 letters, digits or _ - . :");
    labels.insert(label);
  }
  item.labels.assign(labels.begin(), labels.end());
  item.reviewed = in.reviewed();
  if (!ValidSourceRef(in.source_ref())) return Status::InvalidArgument("source_ref must be at most 256 printable bytes");
  item.source_ref = in.source_ref();
  std::set<uint32_t> principles;
  for (uint32_t p : in.principles()) {
    if (p < 1 || p > 11) return Status::InvalidArgument("principles are numbered 1 to 11, got " + std::to_string(p));
    principles.insert(p);
  }
  item.principles.assign(principles.begin(), principles.end());
  if (!in.expires_at().empty()) {
    auto expires = ParseRfc3339(in.expires_at());
    if (!expires.ok()) return Status::InvalidArgument("expires_at: " + expires.status().message());
    if (*expires <= now) return Status::InvalidArgument("expires_at is in the past");
    item.expires_at = FormatRfc3339(*expires);
  }
  if (*kind == signals::Kind::kPdq) {
    if (in.pdq_quality() > 100) return Status::InvalidArgument("pdq_quality must be 0-100");
    item.pdq_quality = static_cast<int>(in.pdq_quality());
  } else if (in.pdq_quality() != 0) {
    return Status::InvalidArgument("pdq_quality applies to pdq signals only");
  }

  if (Required(collection, "category") && item.category.empty()) return Status::InvalidArgument("category is required in " + collection.name);
  if (Required(collection, "labels") && item.labels.empty()) return Status::InvalidArgument("labels are required in " + collection.name);
  if (Required(collection, "reviewed") && !item.reviewed) return Status::InvalidArgument("collection " + collection.name + " accepts human-reviewed signals only");
  if (Required(collection, "source_ref") && item.source_ref.empty()) return Status::InvalidArgument("source_ref is required in " + collection.name);
  if (Required(collection, "principles") && item.principles.empty()) return Status::InvalidArgument("principles are required in " + collection.name);
  if (Required(collection, "expires_at") && item.expires_at.empty()) return Status::InvalidArgument("expires_at is required in " + collection.name);
  return item;
}

std::string_view OutcomeName(store::SubmitOutcome outcome) {
  switch (outcome) {
    case store::SubmitOutcome::kCreated: return "created";
    case store::SubmitOutcome::kContributionAdded: return "contribution_added";
    case store::SubmitOutcome::kUnchanged: return "unchanged";
  }
  return "unchanged";
}

http::Response Submit(const http::Request& request, http::CallContext& context) {
  auto fail = [&](const Status& s) { return http::ErrorResponse(&request, s); };
  if (request.idempotency_key.size() > kMaxIdempotencyKeyBytes) return fail(Status::InvalidArgument("Idempotency-Key is longer than 200 bytes"));
  auto collection = WritableCollection(context, request.params.at("c"));
  if (!collection.ok()) return fail(collection.status());
  v1::SubmitSignalsRequest body;
  if (Status s = http::DecodeBody(request, body); !s.ok()) return fail(s);
  if (body.signals_size() == 0) return fail(Status::InvalidArgument("the batch holds no signals"));
  if (static_cast<std::size_t>(body.signals_size()) > kMaxBatchSignals) {
    return fail(Status::PayloadTooLarge("a batch holds at most " + std::to_string(kMaxBatchSignals) + " signals"));
  }

  // Validate every item; bad ones are answered here and never reach the database.
  const int64_t now = std::time(nullptr);
  v1::SubmitSignalsResponse response;
  store::SubmitBatch batch;
  std::vector<int> positions;  // response index of each batch item
  for (int i = 0; i < body.signals_size(); ++i) {
    auto* result = response.add_results();
    auto item = Validate(body.signals(i), collection->collection, now);
    if (!item.ok()) {
      result->set_status("rejected");
      result->set_error(item.status().message());
      continue;
    }
    result->set_value(item->value);
    positions.push_back(i);
    batch.items.push_back(std::move(item).value());
  }
  response.set_log_size(collection->collection.log_size);
  if (batch.items.empty()) return http::Encode(request, response);

  batch.collection_id = collection->collection.id;
  batch.log_id = collection->collection.log_id;
  batch.collection_name = collection->collection.name;
  batch.org_id = context.caller->org_id;
  batch.idempotency_key = request.idempotency_key;
  auto digest = log::Sha256(batch.collection_name + "\n" + request.content_type + "\n" + request.body);
  batch.request_sha256.assign(digest.begin(), digest.end());

  auto reply = store::SubmitSignals(*context.db, batch, [&](const std::vector<store::SubmitOutcome>& outcomes,
                                                            const store::LogHead& head) {
    for (std::size_t k = 0; k < outcomes.size(); ++k) {
      response.mutable_results(positions[k])->set_status(std::string(OutcomeName(outcomes[k])));
    }
    response.set_log_size(head.size);
    return response.SerializeAsString();
  });
  if (!reply.ok()) return fail(reply.status());
  v1::SubmitSignalsResponse recorded;
  if (!recorded.ParseFromString(reply->response)) return fail(Status::Internal("recorded response is unreadable"));
  return http::Encode(request, recorded);
}

}  // namespace

void AddSignalRoutes(http::Router& router) {
  router.Add({.method = "POST",
              .pattern = "/v1/collections/{c}/signals",
              .max_body_bytes = kMaxBatchBytes,
              .handler = Submit});
}

}  // namespace exchange::api
