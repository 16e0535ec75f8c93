// SPDX-License-Identifier: Apache-2.0
// The verifiable logs, for collections and for the audit log:
//   GET /v1/logs
//   GET /v1/keys
//   GET /v1/collections/{c}/checkpoint | entries | proof/inclusion | proof/consistency
//   GET /v1/audit/checkpoint | entries | proof/inclusion | proof/consistency
#include <algorithm>
#include <limits>

#include "api/access.h"
#include "api/params.h"
#include "api/replica_reads.h"
#include "api/routes.h"
#include "exchange/v1/feed.pb.h"
#include "http/wire.h"
#include "log/merkle.h"
#include "services/checkpoints.h"
#include "services/entry_cache.h"

namespace exchange::api {
namespace {

inline constexpr uint64_t kDefaultEntriesPage = 1000;

std::string Bytes(const log::Hash& hash) { return std::string(hash.begin(), hash.end()); }

http::Response Fail(const http::Request& request, const Status& status) {
  return http::ErrorResponse(&request, status);
}

// Fills `out` with the hashes of `plan`, read from `head`'s log (a replica
// when it holds the tree of out.tree_size(), the larger one a proof is in);
// a plan that failed (sizes out of range) is the answer.
http::Response Prove(metrics::ServerMetrics& metrics, const http::Request& request, http::CallContext& context,
                     const store::LogHead& head, const Result<log::ProofPlan>& planned, v1::ProofResponse& out) {
  if (!planned.ok()) return Fail(request, planned.status());
  const log::ProofPlan& plan = *planned;
  auto nodes = ReadLogData(context, metrics, head.log_id, out.tree_size(),
                           [&](store::Connection& db) { return store::ReadNodes(db, head.log_id, plan.AllNodes()); });
  if (!nodes.ok()) return Fail(request, nodes.status());
  auto hashes = plan.Assemble(*nodes);
  if (!hashes.ok()) return Fail(request, hashes.status());
  for (const auto& h : *hashes) out.add_hashes(Bytes(h));
  return http::Encode(request, out);
}

http::Response Logs(const services::CheckpointPublisher& publisher, const http::Request& request,
                    http::CallContext& context) {
  auto heads = store::ListLogs(*context.db);
  if (!heads.ok()) return Fail(request, heads.status());
  std::optional<std::vector<store::CollectionRow>> granted;
  if (!IsStaff(*context.caller)) {
    auto mine = store::ListCollections(*context.db, context.caller->org_id);
    if (!mine.ok()) return Fail(request, mine.status());
    granted = std::move(mine).value();
  }
  v1::LogsResponse out;
  for (const auto& head : *heads) {
    if (granted) {
      bool visible = false;
      for (const auto& c : *granted) visible = visible || c.log_id == head.log_id;
      if (!visible) continue;
    }
    auto* info = out.add_logs();
    info->set_name(head.name);
    info->set_kind(head.kind);
    info->set_origin(publisher.Origin(head.name));
    info->set_size(head.size);
    info->set_root(Bytes(head.root));
  }
  return http::Encode(request, out);
}

http::Response Keys(const services::CheckpointPublisher& publisher, const std::string& report_public_key_pem,
                    const http::Request& request, http::CallContext&) {
  v1::KeysResponse out;
  for (const auto& vkey : publisher.FeedVerifierKeys()) out.add_feed_vkeys(vkey);
  out.set_freshness_vkey(publisher.FreshnessVerifierKey());
  out.set_report_public_key_pem(report_public_key_pem);
  return http::Encode(request, out);
}

// More witnesses than a note may carry signatures is a malformed question.
constexpr uint64_t kMaxWitnessedQuery = 64;

http::Response Checkpoint(const services::CheckpointPublisher& publisher, const http::Request& request,
                          http::CallContext& context) {
  auto head = ReadableLog(request, context);
  if (!head.ok()) return Fail(request, head.status());
  // ?witnessed=K: the newest tree K witnesses cosigned (a reader with a
  // witness policy asks for it); otherwise the newest tree, with the
  // cosignatures collected for it so far.
  auto witnessed = QueryUint(request, "witnessed", 0);
  if (!witnessed.ok()) return Fail(request, witnessed.status());
  if (*witnessed > kMaxWitnessedQuery) {
    return Fail(request, Status::InvalidArgument("witnessed must be at most " + std::to_string(kMaxWitnessedQuery)));
  }
  auto note =
      *witnessed == 0 ? publisher.Published(*context.db, *head) : publisher.Witnessed(*context.db, *head, *witnessed);
  if (!note.ok()) return Fail(request, note.status());
  return http::TextResponse(*note);
}

http::Response Entries(services::EntryPageCache& cache, metrics::ServerMetrics& metrics, const http::Request& request,
                       http::CallContext& context) {
  auto start = QueryUint(request, "start", 0);
  auto limit = QueryUint(request, "limit", kDefaultEntriesPage);
  if (!start.ok()) return Fail(request, start.status());
  if (!limit.ok()) return Fail(request, limit.status());
  if (*limit == 0 || *limit > store::kMaxEntriesPerRead) {
    return Fail(request,
                Status::InvalidArgument("limit must be between 1 and " + std::to_string(store::kMaxEntriesPerRead)));
  }
  // start + limit must not wrap (it bounds the page and keys the cache).
  if (*start > std::numeric_limits<uint64_t>::max() - *limit) {
    return Fail(request, Status::InvalidArgument("start + limit must be below 2^64; start " + std::to_string(*start) +
                                                 " is too large"));
  }
  auto head = ReadableLog(request, context);
  if (!head.ok()) return Fail(request, head.status());
  const uint64_t end = std::min(head->size, *start + *limit);
  NoteSyncProgress(request, context, *head, std::max(*start, end));
  // A full page below the committed size is immutable: Protobuf answers come
  // from the cache. Serialised messages concatenate, so the current
  // tree_size is appended as a message of its own.
  const bool full_page = *start + *limit <= head->size && !http::WantsJson(request);
  v1::EntryBundle size_only;
  size_only.set_tree_size(head->size);
  auto answer = [&](const std::string& page) {
    http::Response response = http::Encode(request, size_only);
    std::string body;
    body.reserve(page.size() + response.body.size());
    body.append(page).append(response.body);
    response.body = std::move(body);
    return response;
  };
  if (full_page) {
    if (auto page = cache.Find(head->log_id, *start, *limit)) return answer(*page);
  }
  std::vector<std::string> past_the_end;
  auto entries = *start >= head->size ? Result<std::vector<std::string>>(std::move(past_the_end))
                                      : ReadLogData(context, metrics, head->log_id, end, [&](store::Connection& db) {
                                          return store::ReadEntries(db, head->log_id, *start, *limit, head->size);
                                        });
  if (!entries.ok()) return Fail(request, entries.status());
  v1::EntryBundle out;
  out.set_start(*start);
  for (auto& entry : *entries) out.add_entries(std::move(entry));
  if (full_page) {
    auto page = std::make_shared<const std::string>(out.SerializeAsString());
    cache.Remember(head->log_id, *start, *limit, page);
    return answer(*page);
  }
  out.set_tree_size(head->size);
  return http::Encode(request, out);
}

// What a proof route reads before it plans: its two required query numbers
// (`first` and `second`, in that order) and the log the path names.
struct ProofQuery {
  uint64_t first;
  uint64_t second;
  store::LogHead head;
};

Result<ProofQuery> ReadProofQuery(const http::Request& request, http::CallContext& context, const char* first,
                                  const char* second) {
  auto a = QueryUint(request, first, std::nullopt);
  auto b = QueryUint(request, second, std::nullopt);
  if (!a.ok()) return a.status();
  if (!b.ok()) return b.status();
  auto head = ReadableLog(request, context);
  if (!head.ok()) return head.status();
  return ProofQuery{*a, *b, std::move(head).value()};
}

http::Response Inclusion(metrics::ServerMetrics& metrics, const http::Request& request, http::CallContext& context) {
  auto query = ReadProofQuery(request, context, "index", "size");
  if (!query.ok()) return Fail(request, query.status());
  const auto& [index, size, head] = *query;
  if (size == 0 || size > head.size) {
    return Fail(request,
                Status::InvalidArgument("size must be between 1 and the tree size " + std::to_string(head.size)));
  }
  v1::ProofResponse out;
  out.set_index(index);
  out.set_tree_size(size);
  return Prove(metrics, request, context, head, log::PlanInclusionProof(index, size), out);
}

http::Response Consistency(metrics::ServerMetrics& metrics, const http::Request& request, http::CallContext& context) {
  auto query = ReadProofQuery(request, context, "old", "new");
  if (!query.ok()) return Fail(request, query.status());
  const auto& [old_size, new_size, head] = *query;
  if (new_size > head.size) {
    return Fail(request, Status::InvalidArgument("new must not exceed the tree size " + std::to_string(head.size)));
  }
  v1::ProofResponse out;
  out.set_old_size(old_size);
  out.set_tree_size(new_size);
  return Prove(metrics, request, context, head, log::PlanConsistencyProof(old_size, new_size), out);
}

}  // namespace

void AddFeedRoutes(http::Router& router, const services::CheckpointPublisher& publisher,
                   services::EntryPageCache& entry_pages, const std::string& report_public_key_pem,
                   metrics::ServerMetrics& metrics) {
  router.Add({.method = "GET",
              .pattern = "/v1/logs",
              .max_body_bytes = kSmallBodyLimit,
              .handler = [&publisher](const http::Request& r, http::CallContext& c) { return Logs(publisher, r, c); }});
  router.Add({.method = "GET",
              .pattern = "/v1/keys",
              .max_body_bytes = kSmallBodyLimit,
              .handler = [&publisher, report_public_key_pem](const http::Request& r, http::CallContext& c) {
                return Keys(publisher, report_public_key_pem, r, c);
              }});
  // A collection's log and the audit log answer the same four reads.
  for (const std::string prefix : {"/v1/collections/{c}", "/v1/audit"}) {
    router.Add({.method = "GET",
                .pattern = prefix + "/checkpoint",
                .max_body_bytes = kSmallBodyLimit,
                .handler = [&publisher](const http::Request& r, http::CallContext& c) {
                  return Checkpoint(publisher, r, c);
                }});
    router.Add({.method = "GET",
                .pattern = prefix + "/entries",
                .max_body_bytes = kSmallBodyLimit,
                .handler = [&entry_pages, &metrics](const http::Request& r, http::CallContext& c) {
                  return Entries(entry_pages, metrics, r, c);
                }});
    router.Add(
        {.method = "GET",
         .pattern = prefix + "/proof/inclusion",
         .max_body_bytes = kSmallBodyLimit,
         .handler = [&metrics](const http::Request& r, http::CallContext& c) { return Inclusion(metrics, r, c); }});
    router.Add(
        {.method = "GET",
         .pattern = prefix + "/proof/consistency",
         .max_body_bytes = kSmallBodyLimit,
         .handler = [&metrics](const http::Request& r, http::CallContext& c) { return Consistency(metrics, r, c); }});
  }
}

}  // namespace exchange::api
