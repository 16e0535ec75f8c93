// SPDX-License-Identifier: Apache-2.0
#include "store/signals.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

#include "signals/feed_entry.h"
#include "signals/state.h"
#include "store/grants.h"
#include "store/log_append.h"
#include "store/pg_arrays.h"
#include "store/transaction.h"
#include "store/typed_fields.h"

namespace exchange::store {
namespace {

// A record older than the retention is forgotten at lookup (and purged in the background).
constexpr const char* kForgetExpiredIdempotency = R"sql(
  DELETE FROM idempotency_keys
   WHERE org_id = $1 AND key = $2 AND created_at <= now() - make_interval(secs => $3))sql";
constexpr const char* kSelectIdempotency =
    "SELECT request_sha256, response FROM idempotency_keys WHERE org_id = $1 AND key = $2";
constexpr const char* kPurgeIdempotency =
    "DELETE FROM idempotency_keys WHERE created_at <= now() - make_interval(secs => $1)";
constexpr const char* kInsertIdempotency =
    "INSERT INTO idempotency_keys (org_id, key, request_sha256, response) VALUES ($1, $2, $3, $4)";
constexpr const char* kCreateStaging = R"sql(
  CREATE TEMP TABLE signal_staging (
    ord integer, kind text, value text, category text, labels text, reviewed boolean,
    source_ref text, principles text, expires_at text, pdq_quality integer, skeleton text
  ) ON COMMIT DROP)sql";
// New signals: the first occurrence of each (kind, value) in the batch.
constexpr const char* kMergeSignals = R"sql(
  INSERT INTO signals (collection_id, kind, value, pdq_quality, skeleton, canon_version)
  SELECT DISTINCT ON (kind, value) $1, kind, value, NULLIF(pdq_quality, -1), NULLIF(skeleton, ''), $2
    FROM signal_staging ORDER BY kind, value, ord
  ON CONFLICT (collection_id, kind, value_key) DO NOTHING
  RETURNING id, kind, value, (extract(epoch FROM first_seen) * 1000)::bigint AS first_seen_ms)sql";
// A pdq signal keeps the best quality of its contributions (changed ones only,
// so every change of state comes with its feed entry).
constexpr const char* kRaisePdqQuality = R"sql(
  UPDATE signals s SET pdq_quality = st.quality
    FROM (SELECT kind, value, max(pdq_quality) AS quality FROM signal_staging GROUP BY kind, value) st
   WHERE s.id = ANY($2::bigint[]) AND s.collection_id = $1 AND s.kind = st.kind AND s.value = st.value
     AND st.quality > coalesce(s.pdq_quality, -1))sql";
// One contribution per organisation; a retracted or expired one is revived.
constexpr const char* kMergeContributions = R"sql(
  INSERT INTO contributions (signal_id, org_id, category, labels, reviewed, source_ref, principles, expires_at)
  SELECT DISTINCT ON (s.id) s.id, $2, st.category, st.labels::text[], st.reviewed, st.source_ref,
         st.principles::integer[], NULLIF(st.expires_at, '')::timestamptz
    FROM signal_staging st
    JOIN signals s ON s.collection_id = $1 AND s.kind = st.kind AND s.value_key = signal_value_key(st.value)
                  AND s.value = st.value
   ORDER BY s.id, st.ord
  ON CONFLICT (signal_id, org_id) DO UPDATE
     SET category = EXCLUDED.category, labels = EXCLUDED.labels, reviewed = EXCLUDED.reviewed,
         source_ref = EXCLUDED.source_ref, principles = EXCLUDED.principles, expires_at = EXCLUDED.expires_at,
         retracted_at = NULL, expiry_applied = false, created_at = now()
   WHERE contributions.retracted_at IS NOT NULL
      OR (contributions.expires_at IS NOT NULL AND contributions.expires_at <= now())
  RETURNING signal_id)sql";
// The collection's rule, applied to the signals given; returns those whose status moved.
// Each move is also recorded in signal_status_changes (for the reports).
constexpr const char* kApplyStatusRule = R"sql(
  WITH wanted AS (
    SELECT st.id, st.status AS old_status,
           CASE WHEN st.contributors = 0 THEN 'retracted'
                WHEN st.disputes >= $2 AND (NOT $3 OR st.disputes > st.confirmations) THEN 'disputed'
                ELSE 'active' END AS status
      FROM signal_states st WHERE st.id = ANY($1::bigint[])),
  moved AS (
    UPDATE signals s SET status = w.status, updated_at = now()
      FROM wanted w WHERE s.id = w.id AND s.status <> w.status
    RETURNING s.id, w.old_status, w.status),
  recorded AS (
    INSERT INTO signal_status_changes (signal_id, from_status, to_status)
    SELECT id, old_status, status FROM moved)
  SELECT id FROM moved)sql";
// The view aggregates its lists as comma-joined text (migration 0003, never
// edited); they leave the database as arrays, so ToAggregate() reads one format.
constexpr const char* kSelectStates = R"sql(
  SELECT id, kind, value, status, first_seen_ms, pdq_quality,
         string_to_array(categories, ',') AS categories, string_to_array(labels, ',') AS labels,
         string_to_array(principles, ',')::integer[] AS principles,
         contributors, confirmations, disputes, reviewed, string_to_array(contributor_orgs, ',') AS contributor_orgs
    FROM signal_states WHERE id = ANY($1::bigint[]))sql";
// Re-canonicalisation (RecanonicalizeSignals).
constexpr const char* kSelectCollectionsToRecanonicalize = R"sql(
  SELECT DISTINCT c.id, c.log_id, c.name, c.attribution = 'anonymous' AS anonymous, c.dispute_min_orgs,
         c.dispute_needs_majority
    FROM collections c JOIN signals s ON s.collection_id = c.id
   WHERE s.canon_version < $1 ORDER BY c.id)sql";
constexpr const char* kSelectOldSignals = R"sql(
  SELECT id, kind, value, status FROM signals
   WHERE collection_id = $1 AND canon_version < $2 ORDER BY id)sql";
constexpr const char* kSetSignalVersion =
    "UPDATE signals SET canon_version = $2, skeleton = NULLIF($3, '') WHERE id = $1";
constexpr const char* kInsertRespelled = R"sql(
  INSERT INTO signals (collection_id, kind, value, pdq_quality, first_seen, skeleton, canon_version)
  SELECT collection_id, kind, $2, pdq_quality, first_seen, NULLIF($3, ''), $4 FROM signals WHERE id = $1
  RETURNING id)sql";
// A live contribution of the old spelling replaces a dead one of the same
// organisation on the new spelling; other organisations' contributions move.
constexpr const char* kReviveFromOld = R"sql(
  UPDATE contributions t
     SET category = o.category, labels = o.labels, reviewed = o.reviewed, source_ref = o.source_ref,
         principles = o.principles, expires_at = o.expires_at, retracted_at = NULL, expiry_applied = false
    FROM contributions o
   WHERE t.signal_id = $2 AND o.signal_id = $1 AND o.org_id = t.org_id
     AND o.retracted_at IS NULL AND (o.expires_at IS NULL OR o.expires_at > now())
     AND NOT (t.retracted_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now())))sql";
constexpr const char* kMoveContributions = R"sql(
  UPDATE contributions SET signal_id = $2
   WHERE signal_id = $1 AND org_id NOT IN (SELECT org_id FROM contributions WHERE signal_id = $2))sql";
constexpr const char* kMoveOpinions = R"sql(
  UPDATE opinions SET signal_id = $2
   WHERE signal_id = $1 AND org_id NOT IN (SELECT org_id FROM opinions WHERE signal_id = $2))sql";
constexpr const char* kMoveSightings = "UPDATE sightings SET signal_id = $2 WHERE signal_id = $1";
// What is left on the old spelling is retracted: it becomes a tombstone.
constexpr const char* kRetractAllLive = R"sql(
  UPDATE contributions SET retracted_at = now()
   WHERE signal_id = $1 AND retracted_at IS NULL AND (expires_at IS NULL OR expires_at > now()))sql";

// Look-alikes: a bounded answer, however many signals share a skeleton.
constexpr const char* kSelectValuesBySkeleton = R"sql(
  SELECT skeleton, value FROM (
    SELECT skeleton, value, row_number() OVER (PARTITION BY skeleton ORDER BY value) AS n
      FROM signals WHERE collection_id = $1 AND kind = $2 AND skeleton = ANY($3::text[])) t
   WHERE n <= $4 ORDER BY skeleton, value)sql";
// By value: value_key (the unique index, migrations/0009) finds the row, the value confirms it.
constexpr const char* kSelectExistingValues = R"sql(
  SELECT value FROM signals
   WHERE collection_id = $1 AND kind = $2 AND value = ANY($3::text[])
     AND value_key = ANY(ARRAY(SELECT signal_value_key(v) FROM unnest($3::text[]) AS v)))sql";
constexpr const char* kSelectSignalId = R"sql(
  SELECT id FROM signals
   WHERE collection_id = $1 AND kind = $2 AND value_key = signal_value_key($3::text) AND value = $3)sql";
constexpr const char* kUpsertOpinion = R"sql(
  INSERT INTO opinions (signal_id, org_id, opinion, reason) VALUES ($1, $2, $3, $4)
  ON CONFLICT (signal_id, org_id) DO UPDATE SET opinion = EXCLUDED.opinion, reason = EXCLUDED.reason, created_at = now()
   WHERE opinions.opinion <> EXCLUDED.opinion OR opinions.reason <> EXCLUDED.reason
  RETURNING signal_id)sql";
constexpr const char* kRetract = R"sql(
  UPDATE contributions SET retracted_at = now()
   WHERE signal_id = $1 AND org_id = $2 AND retracted_at IS NULL AND (expires_at IS NULL OR expires_at > now())
  RETURNING signal_id)sql";
constexpr const char* kSelectContributions = R"sql(
  SELECT o.slug, c.org_id = $2 AS own, c.category, c.labels, c.reviewed, c.principles,
         to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS created_at,
         coalesce(to_char(c.expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), '') AS expires_at,
         coalesce(to_char(c.retracted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), '') AS retracted_at
    FROM contributions c JOIN organisations o ON o.id = c.org_id
   WHERE c.signal_id = $1 ORDER BY c.created_at, o.slug)sql";
// One organisation's contributions to one collection (contributions_org_idx), newest first.
constexpr const char* kSelectOwnContributions = R"sql(
  SELECT s.kind, s.value, s.status, c.category, c.labels,
         (SELECT count(*) FROM opinions o WHERE o.signal_id = s.id AND o.opinion = 'confirm') AS confirmations,
         (SELECT count(*) FROM opinions o WHERE o.signal_id = s.id AND o.opinion = 'dispute') AS disputes,
         to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS created_at,
         coalesce(to_char(c.expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), '') AS expires_at,
         coalesce(to_char(c.retracted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), '') AS retracted_at
    FROM contributions c JOIN signals s ON s.id = c.signal_id
   WHERE c.org_id = $1 AND s.collection_id = $2
   ORDER BY c.created_at DESC, c.id DESC OFFSET $3 LIMIT $4)sql";
constexpr const char* kCountOwnContributions = R"sql(
  SELECT count(*) AS total FROM contributions c JOIN signals s ON s.id = c.signal_id
   WHERE c.org_id = $1 AND s.collection_id = $2)sql";
constexpr const char* kInsertSighting = R"sql(
  INSERT INTO sightings (signal_id, org_id, observed_at, action, seconds_to_action)
  VALUES ($1, $2, to_timestamp($3), $4, NULLIF($5, -1)))sql";
// Expired contributions not yet published, grouped by collection.
constexpr const char* kSelectExpired = R"sql(
  SELECT DISTINCT s.collection_id FROM contributions c JOIN signals s ON s.id = c.signal_id
   WHERE c.expires_at <= now() AND c.retracted_at IS NULL AND NOT c.expiry_applied)sql";
constexpr const char* kMarkExpired = R"sql(
  UPDATE contributions c SET expiry_applied = true
    FROM signals s
   WHERE s.id = c.signal_id AND s.collection_id = $1
     AND c.expires_at <= now() AND c.retracted_at IS NULL AND NOT c.expiry_applied
  RETURNING c.signal_id)sql";
constexpr const char* kSelectCollectionRef = R"sql(
  SELECT c.id, c.log_id, c.name, c.attribution = 'anonymous' AS anonymous, c.dispute_min_orgs, c.dispute_needs_majority
    FROM collections c WHERE c.id = $1)sql";
// The signals a batch contributed to, by id, and the ids of values by kind.
constexpr const char* kSelectSignalKeys = "SELECT id, kind, value FROM signals WHERE id = ANY($1::bigint[])";
constexpr const char* kSelectSignalIds = R"sql(
  SELECT id FROM signals
   WHERE collection_id = $1 AND kind = $2 AND value = ANY($3::text[])
     AND value_key = ANY(ARRAY(SELECT signal_value_key(v) FROM unnest($3::text[]) AS v)))sql";

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A row of kSelectStates.
signals::AggregateState ToAggregate(const pqxx::row& row) {
  signals::AggregateState a;
  a.kind = KindOf(row["kind"]);
  a.value = row["value"].as<std::string>();
  a.status = SignalStatusOf(row["status"]);
  a.first_seen_ms = row["first_seen_ms"].as<int64_t>();
  a.pdq_quality = row["pdq_quality"].as<uint32_t>();
  a.categories = TextsOf(row["categories"]);
  a.labels = TextsOf(row["labels"]);
  a.principles = IntsOf<uint32_t>(row["principles"]);
  a.contributors = row["contributors"].as<uint32_t>();
  a.confirmations = row["confirmations"].as<uint32_t>();
  a.disputes = row["disputes"].as<uint32_t>();
  a.reviewed = row["reviewed"].as<bool>();
  a.contributor_orgs = TextsOf(row["contributor_orgs"]);
  return a;
}

// A row of kSelectCollectionRef or kSelectCollectionsToRecanonicalize.
CollectionRef ToCollectionRef(const pqxx::row& row) {
  return {row["id"].as<int64_t>(),     row["log_id"].as<int64_t>(),       row["name"].as<std::string>(),
          row["anonymous"].as<bool>(), row["dispute_min_orgs"].as<int>(), row["dispute_needs_majority"].as<bool>()};
}

// A row of kSelectContributions; the organisation is named unless the
// collection is anonymous and the contribution is not the caller's.
ContributionView ToContributionView(const pqxx::row& row, bool anonymous) {
  ContributionView c;
  c.own = row["own"].as<bool>();
  if (!anonymous || c.own) c.org = row["slug"].as<std::string>();
  c.category = row["category"].as<std::string>();
  c.labels = TextsOf(row["labels"]);
  std::sort(c.labels.begin(), c.labels.end());
  c.reviewed = row["reviewed"].as<bool>();
  c.principles = IntsOf<uint32_t>(row["principles"]);
  std::sort(c.principles.begin(), c.principles.end());
  c.created_at = row["created_at"].as<std::string>();
  c.expires_at = row["expires_at"].as<std::string>();
  c.retracted_at = row["retracted_at"].as<std::string>();
  return c;
}

std::map<int64_t, v1::SignalState> LoadStates(pqxx::work& tx, const std::vector<int64_t>& ids, bool anonymous) {
  std::map<int64_t, v1::SignalState> states;
  if (ids.empty()) return states;
  for (const auto& row : tx.exec_params(kSelectStates, IntArray(ids))) {
    states[row["id"].as<int64_t>()] = signals::ToWireState(ToAggregate(row), anonymous);
  }
  return states;
}

// Appends one entry per signal in `ids` (in that order) with its new state.
// `created` holds the states of signals this transaction created, known
// without asking the database (one contribution, no opinions: active); for
// the others the collection's status rule is applied and the state read back,
// and the entry says STATUS where the status moved, `change` otherwise.
// The log must be locked by this transaction.
LogHead PublishChanges(pqxx::work& tx, const CollectionRef& collection, const LogHead& locked,
                       const std::vector<int64_t>& ids, v1::FeedEntry::Change change,
                       const std::map<int64_t, v1::SignalState>& created = {}) {
  if (ids.empty()) return locked;
  std::vector<int64_t> existing;
  for (int64_t id : ids) {
    if (!created.count(id)) existing.push_back(id);
  }
  std::set<int64_t> moved;
  auto states = created;
  if (!existing.empty()) {
    for (const auto& row : tx.exec_params(kApplyStatusRule, IntArray(existing), collection.dispute_min_orgs,
                                          collection.dispute_needs_majority)) {
      moved.insert(row["id"].as<int64_t>());
    }
    states.merge(LoadStates(tx, existing, collection.anonymous));
  }
  const int64_t now_ms = NowMs();
  std::vector<std::string> entries;
  entries.reserve(ids.size());
  for (int64_t id : ids) {
    const auto entry_change = signals::EntryChange(created.count(id) > 0, moved.count(id) > 0, change);
    entries.push_back(
        signals::ComposeFeedEntry(collection.name, now_ms, entry_change, states.at(id)).SerializeAsString());
  }
  return AppendEntries(tx, locked, entries);
}

std::optional<int64_t> FindSignalId(pqxx::work& tx, int64_t collection_id, const SignalKey& key) {
  auto rows = tx.exec_params(kSelectSignalId, collection_id, KindText(key.kind), key.value);
  if (rows.empty()) return std::nullopt;
  return rows[0]["id"].as<int64_t>();
}

Status UnknownSignal(const SignalKey& key) {
  return Status::NotFound("no " + KindText(key.kind) + " signal " + key.value);
}

// A change's verdict for one item, and whether the signal's state changed.
struct SignalChange {
  Status verdict;
  bool changed;
};

// A batch that changes existing signals of one collection, in one
// transaction: the log locked, the caller's `access` grant required, each
// item's signal (`key_of(item)`) looked up, an item naming no signal
// answered UnknownSignal, `change(tx, id, item)` run on each found one (its
// verdict, and whether the signal's state changed), and the changed signals
// published to the feed, each once, in the order they first changed.
template <class Item, class KeyOf, class Change>
Result<std::vector<Status>> ChangeSignals(Connection& conn, const CollectionRef& collection, int64_t org_id,
                                          GrantAccess access, const std::vector<Item>& items, KeyOf key_of,
                                          Change change) {
  return RunTransaction(conn, [&](pqxx::work& tx) -> Result<std::vector<Status>> {
    LogHead head = LockLog(tx, collection.log_id);
    if (Status s = RequireGrant(tx, collection.id, org_id, access); !s.ok()) return s;
    std::vector<Status> results;
    std::vector<int64_t> changed;
    for (const auto& item : items) {
      const SignalKey& key = key_of(item);
      auto id = FindSignalId(tx, collection.id, key);
      if (!id) {
        results.push_back(UnknownSignal(key));
        continue;
      }
      SignalChange outcome = change(tx, *id, item);
      results.push_back(std::move(outcome.verdict));
      if (outcome.changed && std::find(changed.begin(), changed.end(), *id) == changed.end()) changed.push_back(*id);
    }
    PublishChanges(tx, collection, head, changed, v1::FeedEntry::PROVENANCE);
    return results;
  });
}

}  // namespace

Result<SubmitReply> SubmitSignals(Connection& conn, const SubmitBatch& batch, const RenderSubmitResponse& render) {
  return RunTransaction(conn, [&](pqxx::work& tx) -> Result<SubmitReply> {
    LogHead head = LockLog(tx, batch.collection.log_id);
    if (Status s = RequireGrant(tx, batch.collection.id, batch.org_id, GrantAccess::kWrite); !s.ok()) {
      return s;
    }
    SubmitReply reply;
    if (!batch.idempotency_key.empty()) {
      tx.exec_params(kForgetExpiredIdempotency, batch.org_id, batch.idempotency_key,
                     static_cast<double>(kIdempotencyRetention.count()));
      auto seen = tx.exec_params(kSelectIdempotency, batch.org_id, batch.idempotency_key);
      if (!seen.empty()) {
        if (pqxx::binarystring(seen[0]["request_sha256"]).str() != batch.request_sha256) {
          return Status::Conflict("Idempotency-Key " + batch.idempotency_key +
                                  " was already used for a different request");
        }
        reply.replayed = true;
        reply.response = pqxx::binarystring(seen[0]["response"]).str();
        reply.head = head;
        return reply;
      }
    }

    tx.exec(kCreateStaging);
    {
      pqxx::stream_to staging(
          tx, "signal_staging",
          std::vector<std::string>{"ord", "kind", "value", "category", "labels", "reviewed", "source_ref", "principles",
                                   "expires_at", "pdq_quality", "skeleton"});
      int ord = 0;
      for (const auto& item : batch.items) {
        std::vector<int64_t> principles(item.principles.begin(), item.principles.end());
        staging << std::make_tuple(ord++, KindText(item.kind), item.value, item.category, TextArray(item.labels),
                                   item.reviewed, item.source_ref, IntArray(principles), item.expires_at,
                                   item.pdq_quality, item.skeleton);
      }
      staging.complete();
    }

    using Key = std::pair<signals::Kind, std::string>;
    std::map<Key, const SignalItem*> first_item;
    std::map<Key, int> best_quality;
    for (const auto& item : batch.items) {
      Key key{item.kind, item.value};
      first_item.emplace(key, &item);
      auto [q, fresh] = best_quality.emplace(key, item.pdq_quality);
      if (!fresh) q->second = std::max(q->second, item.pdq_quality);
    }
    std::set<Key> created;
    std::map<int64_t, v1::SignalState> created_states;
    for (const auto& row : tx.exec_params(kMergeSignals, batch.collection.id, batch.canon_version)) {
      Key key{KindOf(row["kind"]), row["value"].as<std::string>()};
      created.insert(key);
      const SignalItem& first = *first_item.at(key);
      const signals::FirstContribution contribution{first.kind,   first.value,    first.category,
                                                    first.labels, first.reviewed, first.principles};
      created_states[row["id"].as<int64_t>()] = signals::ToWireState(
          signals::CreatedState(contribution, best_quality.at(key), row["first_seen_ms"].as<int64_t>(), batch.org_slug),
          batch.collection.anonymous);
    }
    std::set<int64_t> contributed;
    for (const auto& row : tx.exec_params(kMergeContributions, batch.collection.id, batch.org_id)) {
      contributed.insert(row["signal_id"].as<int64_t>());
    }

    tx.exec_params(kRaisePdqQuality, batch.collection.id,
                   IntArray(std::vector<int64_t>(contributed.begin(), contributed.end())));

    // Outcomes and entries in batch order: a changed signal is reported (and
    // gets its entry) at its first occurrence in the batch.
    std::map<Key, int64_t> ids_by_key;
    if (!contributed.empty()) {
      for (const auto& row :
           tx.exec_params(kSelectSignalKeys, IntArray(std::vector<int64_t>(contributed.begin(), contributed.end())))) {
        ids_by_key[{KindOf(row["kind"]), row["value"].as<std::string>()}] = row["id"].as<int64_t>();
      }
    }
    std::vector<SubmitOutcome> outcomes;
    std::vector<int64_t> changed;
    std::set<Key> reported;
    for (const auto& item : batch.items) {
      Key key{item.kind, item.value};
      auto id = ids_by_key.find(key);
      if (!reported.insert(key).second || id == ids_by_key.end()) {
        outcomes.push_back(SubmitOutcome::kUnchanged);
        continue;
      }
      outcomes.push_back(created.count(key) ? SubmitOutcome::kCreated : SubmitOutcome::kContributionAdded);
      changed.push_back(id->second);
    }
    reply.head = PublishChanges(tx, batch.collection, head, changed, v1::FeedEntry::PROVENANCE, created_states);
    reply.response = render(outcomes, reply.head);
    if (!batch.idempotency_key.empty()) {
      tx.exec_params(kInsertIdempotency, batch.org_id, batch.idempotency_key, pqxx::binarystring(batch.request_sha256),
                     pqxx::binarystring(reply.response));
    }
    return reply;
  });
}

Result<std::vector<Status>> RecordOpinions(Connection& conn, const CollectionRef& collection, int64_t org_id,
                                           const std::vector<OpinionItem>& items) {
  return ChangeSignals(
      conn, collection, org_id, GrantAccess::kRead, items,
      [](const OpinionItem& item) -> const SignalKey& { return item.signal; },
      [&](pqxx::work& tx, int64_t id, const OpinionItem& item) {
        auto rows = tx.exec_params(kUpsertOpinion, id, org_id, item.dispute ? "dispute" : "confirm", item.reason);
        return SignalChange{Status::Ok(), !rows.empty()};
      });
}

Result<std::vector<Status>> RetractContributions(Connection& conn, const CollectionRef& collection, int64_t org_id,
                                                 const std::vector<SignalKey>& items) {
  return ChangeSignals(
      conn, collection, org_id, GrantAccess::kWrite, items,
      [](const SignalKey& key) -> const SignalKey& { return key; },
      [&](pqxx::work& tx, int64_t id, const SignalKey&) {
        if (tx.exec_params(kRetract, id, org_id).empty()) {
          return SignalChange{Status::FailedPrecondition("your organisation has no live contribution to this signal"),
                              false};
        }
        return SignalChange{Status::Ok(), true};
      });
}

Result<std::optional<SignalView>> LookupSignal(Connection& conn, const CollectionRef& collection, int64_t org_id,
                                               const SignalKey& key) {
  return RunTransaction(conn, [&](pqxx::work& tx) -> Result<std::optional<SignalView>> {
    auto id = FindSignalId(tx, collection.id, key);
    if (!id) return std::optional<SignalView>();
    SignalView view;
    view.state = LoadStates(tx, {*id}, collection.anonymous).at(*id);
    for (const auto& row : tx.exec_params(kSelectContributions, *id, org_id)) {
      view.contributions.push_back(ToContributionView(row, collection.anonymous));
    }
    return std::optional<SignalView>(std::move(view));
  });
}

Result<OwnContributionPage> ListOwnContributions(Connection& conn, int64_t collection_id, int64_t org_id, int64_t start,
                                                 int64_t limit) {
  return RunTransaction(conn, [&](pqxx::work& tx) -> Result<OwnContributionPage> {
    OwnContributionPage page;
    page.total = tx.exec_params1(kCountOwnContributions, org_id, collection_id)["total"].as<int64_t>();
    for (const auto& row : tx.exec_params(kSelectOwnContributions, org_id, collection_id, start, limit)) {
      OwnContributionRow r;
      r.kind = row["kind"].as<std::string>();
      r.value = row["value"].as<std::string>();
      r.signal_status = row["status"].as<std::string>();
      r.category = row["category"].as<std::string>();
      r.labels = TextsOf(row["labels"]);
      r.created_at = row["created_at"].as<std::string>();
      r.expires_at = row["expires_at"].as<std::string>();
      r.retracted_at = row["retracted_at"].as<std::string>();
      r.confirmations = row["confirmations"].as<int>();
      r.disputes = row["disputes"].as<int>();
      page.rows.push_back(std::move(r));
    }
    return page;
  });
}

Result<std::map<std::string, v1::SignalState>> SignalStatesByValue(Connection& conn, const CollectionRef& collection,
                                                                   signals::Kind kind,
                                                                   const std::vector<std::string>& values) {
  return RunTransaction(conn, [&](pqxx::work& tx) -> Result<std::map<std::string, v1::SignalState>> {
    std::map<std::string, v1::SignalState> out;
    if (values.empty()) return out;
    std::vector<int64_t> ids;
    for (const auto& row : tx.exec_params(kSelectSignalIds, collection.id, KindText(kind), TextArray(values))) {
      ids.push_back(row["id"].as<int64_t>());
    }
    for (auto& [id, state] : LoadStates(tx, ids, collection.anonymous)) out[state.value()] = std::move(state);
    return out;
  });
}

Result<std::vector<std::pair<std::string, std::string>>> SignalValuesBySkeleton(
    Connection& conn, const CollectionRef& collection, signals::Kind kind, const std::vector<std::string>& skeletons,
    int per_skeleton) {
  using Pairs = std::vector<std::pair<std::string, std::string>>;
  return RunTransaction(conn, [&](pqxx::work& tx) -> Result<Pairs> {
    Pairs out;
    if (skeletons.empty()) return out;
    for (const auto& row :
         tx.exec_params(kSelectValuesBySkeleton, collection.id, KindText(kind), TextArray(skeletons), per_skeleton)) {
      out.emplace_back(row["skeleton"].as<std::string>(), row["value"].as<std::string>());
    }
    return out;
  });
}

Result<std::vector<std::string>> ExistingSignalValues(Connection& conn, const CollectionRef& collection,
                                                      signals::Kind kind, const std::vector<std::string>& values) {
  return RunTransaction(conn, [&](pqxx::work& tx) -> Result<std::vector<std::string>> {
    std::vector<std::string> out;
    if (values.empty()) return out;
    for (const auto& row : tx.exec_params(kSelectExistingValues, collection.id, KindText(kind), TextArray(values))) {
      out.push_back(row["value"].as<std::string>());
    }
    return out;
  });
}

Result<RecanonicalizeReport> RecanonicalizeSignals(Connection& conn, int target_version,
                                                   const Recanonicalizer& recanonicalize,
                                                   const Skeletonizer& skeleton_of, bool dry_run) {
  RecanonicalizeReport report;
  std::vector<CollectionRef> collections;
  auto listed = RunTransaction(conn, [&](pqxx::work& tx) -> Result<bool> {
    for (const auto& row : tx.exec_params(kSelectCollectionsToRecanonicalize, target_version)) {
      collections.push_back(ToCollectionRef(row));
    }
    return true;
  });
  if (!listed.ok()) return listed.status();
  const Status kRolledBack = Status::FailedPrecondition("dry run: rolled back");
  for (const auto& collection : collections) {
    RecanonicalizeReport part;
    auto done = RunTransaction(conn, [&](pqxx::work& tx) -> Result<bool> {
      part = RecanonicalizeReport();
      LogHead head = LockLog(tx, collection.log_id);
      std::vector<int64_t> created, changed;
      for (const auto& row : tx.exec_params(kSelectOldSignals, collection.id, target_version)) {
        const int64_t id = row["id"].as<int64_t>();
        const signals::Kind kind = KindOf(row["kind"]);
        const std::string value = row["value"].as<std::string>();
        const bool live = SignalStatusOf(row["status"]) != signals::SignalStatus::kRetracted;
        ++part.examined;
        auto now = recanonicalize(kind, value);
        RecanonicalizeChange change{collection.name, kind, value, "", ""};
        if (!now.ok()) {
          tx.exec_params(kSetSignalVersion, id, target_version, skeleton_of(kind, value));
          if (!live) continue;
          tx.exec_params(kRetractAllLive, id);
          changed.push_back(id);
          ++part.refused;
          change.reason = now.status().message();
          part.changes.push_back(std::move(change));
          continue;
        }
        if (now->value == value) {
          tx.exec_params(kSetSignalVersion, id, target_version, now->skeleton);
          ++part.unchanged;
          continue;
        }
        tx.exec_params(kSetSignalVersion, id, target_version, skeleton_of(kind, value));
        if (!live) continue;  // a tombstone stays as it is
        change.new_value = now->value;
        std::optional<int64_t> target = FindSignalId(tx, collection.id, {kind, now->value});
        if (target) {
          ++part.merged;
        } else {
          target = tx.exec_params1(kInsertRespelled, id, now->value, now->skeleton, target_version)["id"].as<int64_t>();
          created.push_back(*target);
        }
        tx.exec_params(kReviveFromOld, id, *target);
        tx.exec_params(kMoveContributions, id, *target);
        tx.exec_params(kMoveOpinions, id, *target);
        tx.exec_params(kMoveSightings, id, *target);
        tx.exec_params(kRetractAllLive, id);
        ++part.respelled;
        if (std::find(changed.begin(), changed.end(), *target) == changed.end() &&
            std::find(created.begin(), created.end(), *target) == created.end()) {
          changed.push_back(*target);
        }
        changed.push_back(id);
        part.changes.push_back(std::move(change));
      }
      // New spellings first (CREATED), then merged ones and tombstones; the
      // status rule turns each old spelling into a retracted STATUS entry.
      LogHead after = PublishChanges(tx, collection, head, created, v1::FeedEntry::CREATED);
      after = PublishChanges(tx, collection, after, changed, v1::FeedEntry::PROVENANCE);
      part.entries = after.size - head.size;
      if (dry_run) return kRolledBack;
      return true;
    });
    if (!done.ok() && !(dry_run && done.status().message() == kRolledBack.message())) return done.status();
    report.examined += part.examined;
    report.unchanged += part.unchanged;
    report.respelled += part.respelled;
    report.merged += part.merged;
    report.refused += part.refused;
    report.entries += part.entries;
    for (auto& c : part.changes) report.changes.push_back(std::move(c));
    ++report.collections;
  }
  return report;
}

Result<std::vector<Status>> RecordSightings(Connection& conn, int64_t org_id, const std::vector<SightingItem>& items) {
  return RunTransaction(conn, [&](pqxx::work& tx) -> Result<std::vector<Status>> {
    std::vector<Status> results;
    std::map<int64_t, Status> granted;  // per collection, checked once
    for (const auto& item : items) {
      auto grant = granted.find(item.collection_id);
      if (grant == granted.end()) {
        grant =
            granted.emplace(item.collection_id, RequireGrant(tx, item.collection_id, org_id, GrantAccess::kRead)).first;
      }
      if (!grant->second.ok()) {
        results.push_back(grant->second);
        continue;
      }
      auto id = FindSignalId(tx, item.collection_id, item.signal);
      if (!id) {
        results.push_back(UnknownSignal(item.signal));
        continue;
      }
      tx.exec_params(kInsertSighting, *id, org_id, item.observed_at, item.action, item.seconds_to_action);
      results.push_back(Status::Ok());
    }
    return results;
  });
}

Result<int> ApplyExpiries(Connection& conn) {
  std::vector<int64_t> collections;
  auto found = RunTransaction(conn, [&](pqxx::work& tx) -> Result<bool> {
    for (const auto& row : tx.exec(kSelectExpired)) collections.push_back(row["collection_id"].as<int64_t>());
    return true;
  });
  if (!found.ok()) return found.status();
  int changed_total = 0;
  for (int64_t collection_id : collections) {
    auto changed = RunTransaction(conn, [&](pqxx::work& tx) -> Result<int> {
      const CollectionRef ref = ToCollectionRef(tx.exec_params1(kSelectCollectionRef, collection_id));
      LogHead head = LockLog(tx, ref.log_id);
      std::set<int64_t> ids;
      for (const auto& row : tx.exec_params(kMarkExpired, collection_id)) ids.insert(row["signal_id"].as<int64_t>());
      PublishChanges(tx, ref, head, {ids.begin(), ids.end()}, v1::FeedEntry::PROVENANCE);
      return static_cast<int>(ids.size());
    });
    if (!changed.ok()) return changed.status();
    changed_total += *changed;
  }
  return changed_total;
}

Result<int64_t> PurgeIdempotencyRecords(Connection& conn) {
  return RunTransaction(conn, [&](pqxx::work& tx) -> Result<int64_t> {
    return static_cast<int64_t>(
        tx.exec_params(kPurgeIdempotency, static_cast<double>(kIdempotencyRetention.count())).affected_rows());
  });
}

}  // namespace exchange::store
