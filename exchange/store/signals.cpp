#include "store/signals.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <sstream>

#include "store/log_append.h"
#include "store/transaction.h"

namespace exchange::store {
namespace {

constexpr const char* kSelectIdempotency =
    "SELECT request_sha256, response FROM idempotency_keys WHERE org_id = $1 AND key = $2";
constexpr const char* kInsertIdempotency =
    "INSERT INTO idempotency_keys (org_id, key, request_sha256, response) VALUES ($1, $2, $3, $4)";
constexpr const char* kCreateStaging = R"sql(
  CREATE TEMP TABLE signal_staging (
    ord integer, kind text, value text, category text, labels text, reviewed boolean,
    source_ref text, principles text, expires_at text, pdq_quality integer
  ) ON COMMIT DROP)sql";
// New signals: the first occurrence of each (kind, value) in the batch.
constexpr const char* kMergeSignals = R"sql(
  INSERT INTO signals (collection_id, kind, value, pdq_quality)
  SELECT DISTINCT ON (kind, value) $1, kind, value, NULLIF(pdq_quality, -1)
    FROM signal_staging ORDER BY kind, value, ord
  ON CONFLICT (collection_id, kind, value) DO NOTHING
  RETURNING id, kind, value)sql";
// One contribution per organisation; a retracted one is revived.
constexpr const char* kMergeContributions = R"sql(
  INSERT INTO contributions (signal_id, org_id, category, labels, reviewed, source_ref, principles, expires_at)
  SELECT DISTINCT ON (s.id) s.id, $2, st.category, st.labels::text[], st.reviewed, st.source_ref,
         st.principles::integer[], NULLIF(st.expires_at, '')::timestamptz
    FROM signal_staging st
    JOIN signals s ON s.collection_id = $1 AND s.kind = st.kind AND s.value = st.value
   ORDER BY s.id, st.ord
  ON CONFLICT (signal_id, org_id) DO UPDATE
     SET category = EXCLUDED.category, labels = EXCLUDED.labels, reviewed = EXCLUDED.reviewed,
         source_ref = EXCLUDED.source_ref, principles = EXCLUDED.principles, expires_at = EXCLUDED.expires_at,
         retracted_at = NULL, created_at = now()
   WHERE contributions.retracted_at IS NOT NULL
      OR (contributions.expires_at IS NOT NULL AND contributions.expires_at <= now())
  RETURNING signal_id)sql";
// A signal retracted because its contributions were gone is active again.
constexpr const char* kReviveSignals = R"sql(
  UPDATE signals SET status = 'active', updated_at = now()
   WHERE id = ANY($1::bigint[]) AND status = 'retracted')sql";
constexpr const char* kSelectStates = R"sql(
  SELECT id, kind, value, status, first_seen_ms, pdq_quality, categories, labels, principles,
         contributors, confirmations, disputes, reviewed, contributor_orgs
    FROM signal_states WHERE id = ANY($1::bigint[]))sql";
constexpr const char* kSelectAttribution = "SELECT attribution FROM collections WHERE id = $1";

std::string JoinArray(const std::vector<std::string>& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    out += '"';
    for (char c : values[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

std::vector<std::string> Split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  std::sort(out.begin(), out.end());
  return out;
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::map<int64_t, v1::SignalState> LoadStates(pqxx::work& tx, const std::vector<int64_t>& ids, bool anonymous) {
  std::map<int64_t, v1::SignalState> states;
  if (ids.empty()) return states;
  for (const auto& row : tx.exec_params(kSelectStates, IntArray(ids))) {
    v1::SignalState s;
    s.set_kind(row[1].as<std::string>());
    s.set_value(row[2].as<std::string>());
    s.set_status(row[3].as<std::string>());
    s.set_first_seen_ms(row[4].as<int64_t>());
    s.set_pdq_quality(row[5].as<uint32_t>());
    for (auto& c : Split(row[6].as<std::string>())) s.add_categories(c);
    for (auto& l : Split(row[7].as<std::string>())) s.add_labels(l);
    std::vector<uint32_t> principles;
    for (auto& p : Split(row[8].as<std::string>())) principles.push_back(static_cast<uint32_t>(std::stoul(p)));
    std::sort(principles.begin(), principles.end());
    for (auto p : principles) s.add_principles(p);
    s.set_contributors(row[9].as<uint32_t>());
    s.set_confirmations(row[10].as<uint32_t>());
    s.set_disputes(row[11].as<uint32_t>());
    s.set_reviewed(row[12].as<bool>());
    if (!anonymous) {
      for (auto& o : Split(row[13].as<std::string>())) s.add_contributor_orgs(o);
    }
    states[row[0].as<int64_t>()] = std::move(s);
  }
  return states;
}

}  // namespace

Result<SubmitReply> SubmitSignals(Connection& conn, const SubmitBatch& batch, const RenderSubmitResponse& render) {
  return RunTransaction(conn, [&](pqxx::work& tx) -> Result<SubmitReply> {
    LogHead head = LockLog(tx, batch.log_id);
    SubmitReply reply;
    if (!batch.idempotency_key.empty()) {
      auto seen = tx.exec_params(kSelectIdempotency, batch.org_id, batch.idempotency_key);
      if (!seen.empty()) {
        if (pqxx::binarystring(seen[0][0]).str() != batch.request_sha256) {
          return Status::Conflict("Idempotency-Key " + batch.idempotency_key +
                                  " was already used for a different request");
        }
        reply.replayed = true;
        reply.response = pqxx::binarystring(seen[0][1]).str();
        reply.head = head;
        return reply;
      }
    }

    tx.exec(kCreateStaging);
    {
      pqxx::stream_to staging(tx, "signal_staging",
                              std::vector<std::string>{"ord", "kind", "value", "category", "labels", "reviewed",
                                                       "source_ref", "principles", "expires_at", "pdq_quality"});
      int ord = 0;
      for (const auto& item : batch.items) {
        std::vector<int64_t> principles(item.principles.begin(), item.principles.end());
        staging << std::make_tuple(ord++, item.kind, item.value, item.category, JoinArray(item.labels),
                                   item.reviewed, item.source_ref, IntArray(principles), item.expires_at,
                                   item.pdq_quality);
      }
      staging.complete();
    }

    using Key = std::pair<std::string, std::string>;
    std::map<Key, int64_t> created;
    for (const auto& row : tx.exec_params(kMergeSignals, batch.collection_id)) {
      created[{row[1].as<std::string>(), row[2].as<std::string>()}] = row[0].as<int64_t>();
    }
    std::set<int64_t> contributed;
    for (const auto& row : tx.exec_params(kMergeContributions, batch.collection_id, batch.org_id)) {
      contributed.insert(row[0].as<int64_t>());
    }
    std::vector<int64_t> changed(contributed.begin(), contributed.end());
    tx.exec_params(kReviveSignals, IntArray(changed));

    const bool anonymous = tx.exec_params1(kSelectAttribution, batch.collection_id)[0].as<std::string>() == "anonymous";
    auto states = LoadStates(tx, changed, anonymous);

    // Outcomes in batch order; each changed signal gets one entry, at its
    // first occurrence in the batch.
    std::map<Key, int64_t> changed_ids;
    for (const auto& [id, state] : states) changed_ids[{state.kind(), state.value()}] = id;
    std::vector<SubmitOutcome> outcomes;
    std::vector<std::string> entries;
    std::set<Key> reported;
    const int64_t now_ms = NowMs();
    for (const auto& item : batch.items) {
      Key key{item.kind, item.value};
      const bool first = reported.insert(key).second;
      auto changed_id = changed_ids.find(key);
      SubmitOutcome outcome = SubmitOutcome::kUnchanged;
      if (first && changed_id != changed_ids.end()) {
        outcome = created.count(key) ? SubmitOutcome::kCreated : SubmitOutcome::kContributionAdded;
      }
      outcomes.push_back(outcome);
      if (outcome == SubmitOutcome::kUnchanged) continue;
      v1::FeedEntry entry;
      entry.set_collection(batch.collection_name);
      entry.set_appended_at_ms(now_ms);
      entry.set_change(outcome == SubmitOutcome::kCreated ? v1::FeedEntry::CREATED : v1::FeedEntry::PROVENANCE);
      *entry.mutable_signal() = states.at(changed_id->second);
      entries.push_back(entry.SerializeAsString());
    }
    reply.head = AppendEntries(tx, head, entries);
    reply.response = render(outcomes, reply.head);
    if (!batch.idempotency_key.empty()) {
      tx.exec_params(kInsertIdempotency, batch.org_id, batch.idempotency_key,
                     pqxx::binarystring(batch.request_sha256), pqxx::binarystring(reply.response));
    }
    return reply;
  });
}

}  // namespace exchange::store
