// SPDX-License-Identifier: Apache-2.0
// Signals and what members say about them:
//   POST /v1/collections/{c}/signals                 submit (write grant; Idempotency-Key)
//   GET  /v1/collections/{c}/signals/{kind}/{value}  status, provenance, opinions (read grant)
//   POST /v1/collections/{c}/opinions                confirm / dispute (read grant)
//   POST /v1/collections/{c}/retractions             retract your own contributions (write grant)
//   POST /v1/sightings                               what you did with a match (private)
//   POST /v1/collections/{c}/lookup                  values; PDQ, vPDQ near-duplicates from memory (read grant)
#include <ctime>
#include <map>
#include <set>

#include "api/access.h"
#include "api/params.h"
#include "api/routes.h"
#include "common/hex.h"
#include "common/limits.h"
#include "common/time_format.h"
#include "exchange/v1/signals.pb.h"
#include "http/wire.h"
#include "log/hash.h"
#include "metrics/server_metrics.h"
#include "services/pdq_lookup.h"
#include "signals/canonical.h"
#include "signals/kind.h"
#include "signals/look_alike.h"
#include "signals/match.h"
#include "signals/match_rule.h"
#include "signals/submission.h"
#include "signals/submission_wire.h"
#include "signals/vpdq_value.h"
#include "store/signals.h"

namespace exchange::api {
namespace {

inline constexpr std::size_t kMaxBatchBytes = 32 * 1024 * 1024;

// The submission rules (signals/submission.h) over the wire and store types.
signals::SubmissionRules RulesOf(const store::CollectionRow& c) {
  return {c.name, c.allowed_kinds, c.allowed_categories, c.label_vocabulary, c.required_fields};
}

store::SignalItem ToItem(signals::CheckedSubmission checked) {
  store::SignalItem item;
  item.kind = checked.kind;
  item.value = std::move(checked.value);
  item.category = std::move(checked.category);
  item.labels = std::move(checked.labels);
  item.reviewed = checked.reviewed;
  item.source_ref = std::move(checked.source_ref);
  item.expires_at = std::move(checked.expires_at);
  item.principles = std::move(checked.principles);
  item.pdq_quality = checked.pdq_quality;
  item.skeleton = std::move(checked.skeleton);
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

http::Response Submit(metrics::ServerMetrics& metrics, const http::Request& request, http::CallContext& context) {
  auto fail = [&](const Status& s) { return http::ErrorResponse(&request, s); };
  if (Status s = signals::CheckIdempotencyKey(request.idempotency_key); !s.ok()) return fail(s);
  auto collection = WritableCollection(context, request.params.at("c"));
  if (!collection.ok()) return fail(collection.status());
  v1::SubmitSignalsRequest body;
  if (Status s = http::DecodeBody(request, body); !s.ok()) return fail(s);
  if (Status s = signals::CheckSubmissionBatchSize(static_cast<std::size_t>(body.signals_size())); !s.ok()) {
    return fail(s);
  }

  metrics.ObserveBatch(static_cast<double>(body.signals_size()));
  // Validate every item; bad ones are answered here and never reach the database.
  const int64_t now = std::time(nullptr);
  v1::SubmitSignalsResponse response;
  store::SubmitBatch batch;
  std::vector<int> positions;  // response index of each batch item
  const signals::SubmissionRules rules = RulesOf(collection->collection);
  for (int i = 0; i < body.signals_size(); ++i) {
    auto* result = response.add_results();
    auto item = signals::CheckSubmission(signals::SubmissionFromWire(body.signals(i)), rules, now);
    if (!item.ok()) {
      result->set_status("rejected");
      result->set_error(item.status().message());
      continue;
    }
    result->set_value(item->value);
    positions.push_back(i);
    batch.items.push_back(ToItem(std::move(item).value()));
  }
  response.set_log_size(collection->collection.log_size);
  if (batch.items.empty()) return http::Encode(request, response);

  batch.collection = RefOf(collection->collection);
  batch.org_id = context.caller->org_id;
  batch.org_slug = context.caller->org_slug;
  batch.idempotency_key = request.idempotency_key;
  batch.canon_version = signals::kCanonicalFormVersion;
  // The collection, the Content-Type exactly as sent, and the exact body bytes
  // (docs/api.md): "application/json; charset=utf-8" is another request.
  auto digest = log::Sha256(batch.collection.name + "\n" + request.content_type + "\n" + request.body);
  batch.request_sha256.assign(digest.begin(), digest.end());

  auto reply = store::SubmitSignals(
      *context.db, batch, [&](const std::vector<store::SubmitOutcome>& outcomes, const store::LogHead& head) {
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

inline constexpr int kMaxBatchItems = 10000;
inline constexpr std::size_t kMaxReasonBytes = 2000;
const std::set<std::string> kActions = {"removed", "reported_to_authority", "account_actioned", "no_action",
                                        "false_positive"};

Result<store::SignalKey> CanonicalKey(const std::string& kind_name, const std::string& raw) {
  auto kind = signals::ParseKind(kind_name);
  if (!kind) return Status::InvalidArgument(signals::UnknownKindMessage(kind_name));
  auto value = signals::Canonicalize(*kind, raw);
  if (!value.ok()) return value.status();
  return store::SignalKey{*kind, *value};
}

// A batch of opinions, retractions or sightings on its way through the
// handler: every item's verdict from the per-item checks, in request order,
// and the items that passed them (with their positions), which go to the
// store together.
template <class Item>
struct CheckedBatch {
  std::vector<Status> precheck;
  std::vector<int> accepted;
  std::vector<Item> items;

  // Records item `i`'s verdict; true when it passed, and the caller then adds
  // its item to `items`.
  bool Check(int i, const Status& s) {
    precheck.push_back(s);
    if (!s.ok()) return false;
    accepted.push_back(i);
    return true;
  }
};

// Hands the items that passed to `decide` (a store call returning one verdict
// per item; not called when none passed) and answers with every item's
// verdict: the precheck's, or the store's for the items it decided.
template <class Item, class Decide>
http::Response DecideAndAnswer(const http::Request& request, const CheckedBatch<Item>& batch, Decide decide) {
  std::vector<Status> all = batch.precheck;
  if (!batch.items.empty()) {
    Result<std::vector<Status>> decided = decide(batch.items);
    if (!decided.ok()) return http::ErrorResponse(&request, decided.status());
    for (std::size_t k = 0; k < batch.accepted.size(); ++k) all[batch.accepted[k]] = (*decided)[k];
  }
  v1::ItemResults out;
  for (const auto& s : all) {
    auto* r = out.add_results();
    r->set_status(s.ok() ? "ok" : "rejected");
    r->set_error(s.ok() ? "" : s.message());
  }
  return http::Encode(request, out);
}

Status CheckBatchSize(int size) {
  if (size == 0) return Status::InvalidArgument("the batch is empty");
  if (size > kMaxBatchItems) return Status::PayloadTooLarge("a batch holds at most 10000 items");
  return Status::Ok();
}

http::Response Lookup(const http::Request& request, http::CallContext& context) {
  auto collection = ReadableCollection(context, request.params.at("c"));
  if (!collection.ok()) return http::ErrorResponse(&request, collection.status());
  auto key = CanonicalKey(request.params.at("kind"), request.params.at("value"));
  if (!key.ok()) return http::ErrorResponse(&request, key.status());
  auto view = store::LookupSignal(*context.db, RefOf(collection->collection), context.caller->org_id, *key);
  if (!view.ok()) return http::ErrorResponse(&request, view.status());
  if (!view->has_value()) {
    return http::ErrorResponse(&request,
                               Status::NotFound("collection " + collection->collection.name + " has no " +
                                                std::string(signals::KindName(key->kind)) + " signal " + key->value));
  }
  v1::SignalInfo out;
  out.set_collection(collection->collection.name);
  *out.mutable_state() = (*view)->state;
  for (const auto& c : (*view)->contributions) {
    auto* w = out.add_contributions();
    w->set_org(c.org);
    w->set_own(c.own);
    w->set_category(c.category);
    for (const auto& l : c.labels) w->add_labels(l);
    w->set_reviewed(c.reviewed);
    for (auto p : c.principles) w->add_principles(p);
    w->set_created_at(c.created_at);
    w->set_expires_at(c.expires_at);
    w->set_retracted_at(c.retracted_at);
  }
  return http::Encode(request, out);
}

// GET /v1/collections/{c}/contributions?start=S&limit=N: the caller's own.
http::Response OwnContributions(const http::Request& request, http::CallContext& context) {
  auto collection = ReadableCollection(context, request.params.at("c"));
  if (!collection.ok()) return http::ErrorResponse(&request, collection.status());
  auto start = QueryUint(request, "start", 0);
  if (!start.ok()) return http::ErrorResponse(&request, start.status());
  auto limit = QueryUint(request, "limit", 100);
  if (!limit.ok()) return http::ErrorResponse(&request, limit.status());
  if (*limit < 1 || *limit > 1000) {
    return http::ErrorResponse(&request, Status::InvalidArgument("limit must be between 1 and 1000"));
  }
  if (*start > (uint64_t{1} << 62)) return http::ErrorResponse(&request, Status::InvalidArgument("start is too large"));
  auto page = store::ListOwnContributions(*context.db, collection->collection.id, context.caller->org_id,
                                          static_cast<int64_t>(*start), static_cast<int64_t>(*limit));
  if (!page.ok()) return http::ErrorResponse(&request, page.status());
  v1::ListContributionsResponse out;
  out.set_start(*start);
  out.set_total(static_cast<uint64_t>(page->total));
  for (const auto& r : page->rows) {
    auto* c = out.add_contributions();
    c->set_kind(r.kind);
    c->set_value(r.value);
    c->set_status(r.signal_status);
    c->set_category(r.category);
    for (const auto& l : r.labels) c->add_labels(l);
    c->set_created_at(r.created_at);
    c->set_expires_at(r.expires_at);
    c->set_retracted_at(r.retracted_at);
    c->set_confirmations(static_cast<uint32_t>(r.confirmations));
    c->set_disputes(static_cast<uint32_t>(r.disputes));
  }
  return http::Encode(request, out);
}

http::Response Opinions(const http::Request& request, http::CallContext& context) {
  auto collection = GrantedCollection(context, request.params.at("c"));
  if (!collection.ok()) return http::ErrorResponse(&request, collection.status());
  v1::OpinionsRequest body;
  if (Status s = http::DecodeBody(request, body); !s.ok()) return http::ErrorResponse(&request, s);
  if (Status s = CheckBatchSize(body.opinions_size()); !s.ok()) return http::ErrorResponse(&request, s);
  CheckedBatch<store::OpinionItem> batch;
  for (int i = 0; i < body.opinions_size(); ++i) {
    const auto& o = body.opinions(i);
    auto key = CanonicalKey(o.kind(), o.value());
    Status s = key.status();
    if (s.ok() && o.opinion() != "confirm" && o.opinion() != "dispute") {
      s = Status::InvalidArgument("opinion must be 'confirm' or 'dispute'");
    }
    if (s.ok() && o.opinion() == "dispute" && o.reason().empty())
      s = Status::InvalidArgument("a dispute needs a reason");
    if (s.ok() && (o.reason().size() > kMaxReasonBytes || !signals::IsPrintableText(o.reason()))) {
      s = Status::InvalidArgument("reason must be at most 2000 printable bytes");
    }
    if (batch.Check(i, s)) batch.items.push_back({*key, o.opinion() == "dispute", o.reason()});
  }
  return DecideAndAnswer(request, batch, [&](const std::vector<store::OpinionItem>& items) {
    return store::RecordOpinions(*context.db, RefOf(collection->collection), context.caller->org_id, items);
  });
}

http::Response Retractions(const http::Request& request, http::CallContext& context) {
  auto collection = WritableCollection(context, request.params.at("c"));
  if (!collection.ok()) return http::ErrorResponse(&request, collection.status());
  v1::RetractionsRequest body;
  if (Status s = http::DecodeBody(request, body); !s.ok()) return http::ErrorResponse(&request, s);
  if (Status s = CheckBatchSize(body.signals_size()); !s.ok()) return http::ErrorResponse(&request, s);
  CheckedBatch<store::SignalKey> batch;
  for (int i = 0; i < body.signals_size(); ++i) {
    auto key = CanonicalKey(body.signals(i).kind(), body.signals(i).value());
    if (batch.Check(i, key.status())) batch.items.push_back(*key);
  }
  return DecideAndAnswer(request, batch, [&](const std::vector<store::SignalKey>& items) {
    return store::RetractContributions(*context.db, RefOf(collection->collection), context.caller->org_id, items);
  });
}

http::Response Sightings(const http::Request& request, http::CallContext& context) {
  if (context.caller->role != http::Role::kMember) {
    return http::ErrorResponse(&request, Status::PermissionDenied("sightings are reported by members"));
  }
  v1::SightingsRequest body;
  if (Status s = http::DecodeBody(request, body); !s.ok()) return http::ErrorResponse(&request, s);
  if (Status s = CheckBatchSize(body.sightings_size()); !s.ok()) return http::ErrorResponse(&request, s);
  const int64_t now = std::time(nullptr);
  std::map<std::string, Result<store::CollectionAccess>> collections;  // each checked once
  CheckedBatch<store::SightingItem> batch;
  for (int i = 0; i < body.sightings_size(); ++i) {
    const auto& in = body.sightings(i);
    auto it = collections.find(in.collection());
    if (it == collections.end())
      it = collections.emplace(in.collection(), GrantedCollection(context, in.collection())).first;
    Status s = it->second.status();
    auto key = s.ok() ? CanonicalKey(in.kind(), in.value()) : Result<store::SignalKey>(s);
    s = key.status();
    auto observed = s.ok() ? ParseRfc3339(in.observed_at()) : Result<int64_t>(s);
    if (s.ok())
      s = observed.ok() ? Status::Ok() : Status::InvalidArgument("observed_at: " + observed.status().message());
    if (s.ok() && *observed > now + 300) s = Status::InvalidArgument("observed_at is in the future");
    if (s.ok() && !kActions.count(in.action())) {
      s = Status::InvalidArgument(
          "action must be removed, reported_to_authority, account_actioned, no_action or false_positive");
    }
    if (s.ok() && in.has_seconds_to_action() && in.seconds_to_action() < 0) {
      s = Status::InvalidArgument("seconds_to_action must not be negative");
    }
    if (batch.Check(i, s)) {
      batch.items.push_back({it->second->collection.id, *key, *observed, in.action(),
                             in.has_seconds_to_action() ? in.seconds_to_action() : -1});
    }
  }
  return DecideAndAnswer(request, batch, [&](const std::vector<store::SightingItem>& items) {
    return store::RecordSightings(*context.db, context.caller->org_id, items);
  });
}

// The collection's signals that a batch of lookups can match, fetched from
// PostgreSQL up front (three queries per kind, whatever the batch size) for
// the keys the match rule will ask for (signals::KeysToMatch).
class PrefetchedSignalIndex final : public signals::SignalIndex {
 public:
  // Fetches what matching `queries` (kind, canonical value) needs.
  Status Load(store::Connection& db, const store::CollectionRef& collection,
              const std::vector<std::pair<signals::Kind, std::string>>& queries) {
    std::map<signals::Kind, std::set<std::string>> values, skeletons;
    for (const auto& [kind, value] : queries) {
      auto keys = signals::KeysToMatch(kind, value);
      values[kind].insert(keys.values.begin(), keys.values.end());
      skeletons[kind].insert(keys.skeletons.begin(), keys.skeletons.end());
    }
    for (const auto& [kind, wanted] : values) {
      auto found = store::ExistingSignalValues(db, collection, kind, {wanted.begin(), wanted.end()});
      if (!found.ok()) return found.status();
      existing_[kind].insert(found->begin(), found->end());
      const auto& keys = skeletons[kind];
      auto similar = store::SignalValuesBySkeleton(db, collection, kind, {keys.begin(), keys.end()},
                                                   static_cast<int>(signals::kMaxLookAlikesPerSkeleton));
      if (!similar.ok()) return similar.status();
      for (auto& [skeleton, value] : *similar) by_skeleton_[kind].emplace(std::move(skeleton), std::move(value));
    }
    return Status::Ok();
  }

  Result<std::vector<std::string>> FindValues(signals::Kind kind, const std::vector<std::string>& values) override {
    std::vector<std::string> out;
    const auto& existing = existing_[kind];
    for (const auto& v : values) {
      if (existing.count(v)) out.push_back(v);
    }
    return out;
  }
  Result<std::vector<std::string>> FindSkeletons(signals::Kind kind,
                                                 const std::vector<std::string>& skeletons) override {
    std::vector<std::string> out;
    const auto& index = by_skeleton_[kind];
    for (const auto& skeleton : skeletons) {
      auto [begin, end] = index.equal_range(skeleton);
      for (auto it = begin; it != end; ++it) out.push_back(it->second);
    }
    return out;
  }

 private:
  std::map<signals::Kind, std::set<std::string>> existing_;
  std::map<signals::Kind, std::multimap<std::string, std::string>> by_skeleton_;
};

inline constexpr int kMaxLookupQueries = 1000;
inline constexpr uint32_t kDefaultLookupLimit = 20;
inline constexpr uint32_t kMaxLookupLimit = 1000;
// Room for one vpdq value of the largest size (signals::kMaxVpdqValueBytes) and the rest of a request.
inline constexpr std::size_t kMaxLookupBodyBytes = signals::kMaxVpdqValueBytes + (1 << 20);

// Sets the state of every match of results [first, first + the kind's
// queries) from the signals of `kind` with the matched `values`.
Status FillStates(store::Connection& db, const store::CollectionRef& ref, signals::Kind kind,
                  const std::vector<std::string>& values, int first, v1::LookupResponse& out) {
  if (values.empty()) return Status::Ok();
  auto states = store::SignalStatesByValue(db, ref, kind, values);
  if (!states.ok()) return states.status();
  for (int i = first; i < out.results_size(); ++i) {
    for (auto& m : *out.mutable_results(i)->mutable_matches()) {
      if (auto it = states->find(m.value()); it != states->end()) *m.mutable_state() = it->second;
    }
  }
  return Status::Ok();
}

// The PDQ/vPDQ index could not answer: while it is still loading (503),
// the client is told when to ask again.
http::Response IndexUnanswered(const http::Request& request, const Status& status) {
  http::Response response = http::ErrorResponse(&request, status);
  if (status.code() == ErrorCode::kUnavailable) response.headers.emplace_back("Retry-After", "1");
  return response;
}

http::Response NearLookup(const services::PdqLookup& index, const http::Request& request, http::CallContext& context) {
  auto collection = ReadableCollection(context, request.params.at("c"));
  if (!collection.ok()) return http::ErrorResponse(&request, collection.status());
  v1::LookupRequest body;
  if (Status s = http::DecodeBody(request, body); !s.ok()) return http::ErrorResponse(&request, s);
  const int query_count = body.pdq_size() + body.values_size() + body.vpdq_size();
  if (query_count == 0) {
    return http::ErrorResponse(&request,
                               Status::InvalidArgument("nothing to look up: give values, pdq hashes or vpdq values"));
  }
  if (query_count > kMaxLookupQueries) {
    return http::ErrorResponse(&request, Status::PayloadTooLarge("at most 1000 values, hashes and videos per lookup"));
  }
  if (body.vpdq_stored_percent() > 100 || body.vpdq_query_percent() > 100) {
    return http::ErrorResponse(&request,
                               Status::InvalidArgument("vpdq_stored_percent and vpdq_query_percent are at most 100"));
  }
  const int max_distance =
      body.max_distance() == 0 ? signals::kDefaultPdqMaxDistance : static_cast<int>(body.max_distance());
  if (max_distance > 63) return http::ErrorResponse(&request, Status::InvalidArgument("max_distance is at most 63"));
  const uint32_t limit = body.limit() == 0 ? kDefaultLookupLimit : body.limit();
  if (limit > kMaxLookupLimit) return http::ErrorResponse(&request, Status::InvalidArgument("limit is at most 1000"));

  v1::LookupResponse out;
  // Values: the one match rule (signals/match_rule.h) over this collection.
  std::vector<std::pair<signals::Kind, std::string>> queries;  // canonical, per result; kind unset on error
  std::vector<int> query_results;
  for (const auto& ref : body.values()) {
    auto* result = out.add_results();
    auto key = CanonicalKey(ref.kind(), ref.value());
    if (!key.ok()) {
      result->set_error(key.status().message());
      continue;
    }
    result->set_query(std::string(signals::KindName(key->kind)) + ":" + key->value);
    queries.emplace_back(key->kind, key->value);
    query_results.push_back(out.results_size() - 1);
  }
  PrefetchedSignalIndex stored;
  const store::CollectionRef ref = RefOf(collection->collection);
  if (Status s = stored.Load(*context.db, ref, queries); !s.ok()) return http::ErrorResponse(&request, s);
  std::vector<std::vector<signals::Match>> matched(queries.size());
  std::map<signals::Kind, std::vector<std::string>> matched_values;
  for (std::size_t q = 0; q < queries.size(); ++q) {
    auto matches = signals::FindMatches(queries[q].first, queries[q].second, stored);
    if (!matches.ok()) return http::ErrorResponse(&request, matches.status());
    for (const auto& m : *matches) matched_values[queries[q].first].push_back(m.value);
    matched[q] = std::move(matches).value();
  }
  std::map<signals::Kind, std::map<std::string, v1::SignalState>> value_states;
  for (const auto& [kind, values] : matched_values) {
    auto found = store::SignalStatesByValue(*context.db, ref, kind, values);
    if (!found.ok()) return http::ErrorResponse(&request, found.status());
    value_states[kind] = std::move(found).value();
  }
  for (std::size_t q = 0; q < queries.size(); ++q) {
    auto* result = out.mutable_results(query_results[q]);
    const auto& by_value = value_states[queries[q].first];
    for (const auto& m : matched[q]) {
      auto it = by_value.find(m.value);
      if (it == by_value.end()) continue;
      auto* match = result->add_matches();
      match->set_value(m.value);
      match->set_match(std::string(signals::MatchTypeName(m.type)));
      *match->mutable_state() = it->second;
    }
  }
  std::vector<std::string> found;
  for (const auto& raw : body.pdq()) {
    auto* result = out.add_results();
    auto canonical = signals::Canonicalize(signals::Kind::kPdq, raw);
    if (!canonical.ok()) {
      result->set_error(canonical.status().message());
      continue;
    }
    result->set_query(*canonical);
    auto answer = index.Query(collection->collection.log_id, *signals::ParsePdq(*canonical), max_distance);
    if (!answer.ok()) return IndexUnanswered(request, answer.status());
    out.set_indexed_through(answer->indexed_through);
    for (const auto& match : answer->matches) {
      if (static_cast<uint32_t>(result->matches_size()) >= limit) break;
      auto* m = result->add_matches();
      m->set_value(HexEncode(std::string_view(reinterpret_cast<const char*>(match.hash.data()), match.hash.size())));
      m->set_distance(static_cast<uint32_t>(match.distance));
      m->set_match(match.distance == 0 ? "exact" : "near");
      found.push_back(m->value());
    }
  }
  if (Status s = FillStates(*context.db, ref, signals::Kind::kPdq, found, body.values_size(), out); !s.ok()) {
    return http::ErrorResponse(&request, s);
  }

  // Videos: the vPDQ rule over the collection's frame index, with the
  // request's thresholds or else the collection's.
  pdq::VpdqMatchRule rule;
  rule.max_distance = max_distance;
  const uint32_t stored_percent = body.vpdq_stored_percent() != 0
                                      ? body.vpdq_stored_percent()
                                      : static_cast<uint32_t>(collection->collection.vpdq_stored_percent);
  const uint32_t query_percent = body.has_vpdq_query_percent()
                                     ? body.vpdq_query_percent()
                                     : static_cast<uint32_t>(collection->collection.vpdq_query_percent);
  rule.stored_percent = stored_percent;
  rule.query_percent = query_percent;
  if (body.vpdq_size() > 0) {
    out.set_vpdq_stored_percent(stored_percent);
    out.set_vpdq_query_percent(query_percent);
  }
  const int first_vpdq = out.results_size();
  std::size_t frames = 0;
  found.clear();
  for (const auto& raw : body.vpdq()) {
    auto* result = out.add_results();
    auto canonical = signals::Canonicalize(signals::Kind::kVpdq, raw);
    if (!canonical.ok()) {
      result->set_error(canonical.status().message());
      continue;
    }
    auto features = signals::ParseVpdqValue(*canonical);
    if (!features.ok()) return http::ErrorResponse(&request, Status::Internal("canonical vpdq value is unreadable"));
    frames += features->size();
    if (frames > signals::kMaxVpdqFeatures) {
      return http::ErrorResponse(&request, Status::PayloadTooLarge("at most 100000 vpdq frames per lookup"));
    }
    auto answer = index.QueryVpdq(collection->collection.log_id, *features, rule);
    if (!answer.ok()) return IndexUnanswered(request, answer.status());
    out.set_indexed_through(answer->indexed_through);
    for (const auto& match : answer->matches) {
      if (static_cast<uint32_t>(result->matches_size()) >= limit) break;
      auto* m = result->add_matches();
      m->set_value(match.key);
      m->set_match(match.key == *canonical ? "exact" : "near");
      m->set_stored_percent(match.comparison.stored_percent);
      m->set_query_percent(match.comparison.query_percent);
      m->set_stored_frames(static_cast<uint32_t>(match.comparison.stored_frames));
      m->set_query_frames(static_cast<uint32_t>(match.comparison.query_frames));
      found.push_back(match.key);
    }
    result->set_query(std::move(canonical).value());
  }
  if (Status s = FillStates(*context.db, ref, signals::Kind::kVpdq, found, first_vpdq, out); !s.ok()) {
    return http::ErrorResponse(&request, s);
  }
  return http::Encode(request, out);
}

}  // namespace

void AddSignalRoutes(http::Router& router, metrics::ServerMetrics& metrics, const services::PdqLookup& pdq) {
  router.Add({.method = "POST",
              .pattern = "/v1/collections/{c}/lookup",
              .max_body_bytes = kMaxLookupBodyBytes,
              .handler = [&pdq](const http::Request& r, http::CallContext& c) { return NearLookup(pdq, r, c); }});
  router.Add({.method = "POST",
              .pattern = "/v1/collections/{c}/signals",
              .max_body_bytes = kMaxBatchBytes,
              .handler = [&metrics](const http::Request& r, http::CallContext& c) { return Submit(metrics, r, c); }});
  router.Add({.method = "GET",
              .pattern = "/v1/collections/{c}/signals/{kind}/{value}",
              .max_body_bytes = kSmallBodyLimit,
              .handler = Lookup});
  router.Add({.method = "GET",
              .pattern = "/v1/collections/{c}/contributions",
              .max_body_bytes = kSmallBodyLimit,
              .handler = OwnContributions});
  router.Add(
      {.method = "POST", .pattern = "/v1/collections/{c}/opinions", .max_body_bytes = 4 << 20, .handler = Opinions});
  router.Add({.method = "POST",
              .pattern = "/v1/collections/{c}/retractions",
              .max_body_bytes = 4 << 20,
              .handler = Retractions});
  router.Add({.method = "POST", .pattern = "/v1/sightings", .max_body_bytes = 4 << 20, .handler = Sightings});
}

}  // namespace exchange::api
