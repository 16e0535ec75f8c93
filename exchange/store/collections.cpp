// SPDX-License-Identifier: Apache-2.0
#include "store/collections.h"

#include <chrono>

#include "common/split.h"
#include "log/hash.h"
#include "store/audit_append.h"
#include "store/log_append.h"
#include "store/transaction.h"

namespace exchange::store {
namespace {

constexpr const char* kInsertLog = "INSERT INTO logs (name, kind, root) VALUES ($1, 'collection', $2) RETURNING id";
constexpr const char* kInsertCollection = R"sql(
  INSERT INTO collections (name, description, allowed_kinds, required_fields, attribution,
                           dispute_min_orgs, dispute_needs_majority, log_id, allowed_categories, label_vocabulary)
  VALUES ($1, $2, $3::text[], $4::text[], $5, $6, $7, $8, $9::text[], $10::text[])
  RETURNING id)sql";
// The columns ToCollection() reads, in its order. The access query below
// appends the grant after them (at kCollectionColumnCount), so both selects
// share this one list and neither can read a shifted column.
constexpr const char* kCollectionColumns = R"sql(
  SELECT c.id, c.name, c.description, array_to_string(c.allowed_kinds, ','), array_to_string(c.required_fields, ','),
         c.attribution, c.dispute_min_orgs, c.dispute_needs_majority, c.log_id, l.size,
         array_to_string(c.allowed_categories, ','), array_to_string(c.label_vocabulary, ','))sql";
constexpr int kCollectionColumnCount = 12;
const std::string kSelectCollectionColumns =
    std::string(kCollectionColumns) + " FROM collections c JOIN logs l ON l.id = c.log_id";
constexpr const char* kSelectGrants = R"sql(
  SELECT o.slug, g.access FROM collection_grants g JOIN organisations o ON o.id = g.org_id
   WHERE g.collection_id = $1 ORDER BY o.slug)sql";
// The collection and the organisation's grant on it in one query, so an
// existing and a missing collection cost the same (one round trip) when the
// answer is a refusal: timing tells nobody which names exist.
const std::string kSelectCollectionAccess = std::string(kCollectionColumns) + R"sql(, g.access
    FROM collections c JOIN logs l ON l.id = c.log_id
    LEFT JOIN collection_grants g ON g.collection_id = c.id AND g.org_id = $2
   WHERE c.name = $1)sql";
constexpr const char* kSelectOrgId = "SELECT id FROM organisations WHERE slug = $1";
constexpr const char* kUpsertGrant = R"sql(
  INSERT INTO collection_grants (collection_id, org_id, access) VALUES ($1, $2, $3)
  ON CONFLICT (collection_id, org_id) DO UPDATE SET access = EXCLUDED.access, granted_at = now())sql";
constexpr const char* kDeleteGrant = "DELETE FROM collection_grants WHERE collection_id = $1 AND org_id = $2";
constexpr const char* kSelectLogIdByName = "SELECT id FROM logs WHERE name = $1";
constexpr const char* kSelectActorCredential = "SELECT id, holder FROM credentials WHERE fingerprint = $1";

CollectionRow ToCollection(const pqxx::row& row) {
  CollectionRow c;
  c.id = row[0].as<int64_t>();
  c.name = row[1].as<std::string>();
  c.description = row[2].as<std::string>();
  c.allowed_kinds = SplitNonEmpty(row[3].as<std::string>(), ',');
  c.required_fields = SplitNonEmpty(row[4].as<std::string>(), ',');
  c.attribution = row[5].as<std::string>();
  c.dispute_min_orgs = row[6].as<int>();
  c.dispute_needs_majority = row[7].as<bool>();
  c.log_id = row[8].as<int64_t>();
  c.log_size = row[9].as<uint64_t>();
  c.allowed_categories = SplitNonEmpty(row[10].as<std::string>(), ',');
  c.label_vocabulary = SplitNonEmpty(row[11].as<std::string>(), ',');
  return c;
}

void LoadGrants(pqxx::work& tx, CollectionRow& c) {
  c.grants.clear();
  for (const auto& row : tx.exec_params(kSelectGrants, c.id)) {
    c.grants.emplace_back(row[0].as<std::string>(), *ParseGrantAccess(row[1].as<std::string>()));
  }
}

}  // namespace

std::string_view GrantAccessName(GrantAccess access) {
  switch (access) {
    case GrantAccess::kNone:
      return "none";
    case GrantAccess::kRead:
      return "read";
    case GrantAccess::kWrite:
      return "write";
  }
  return "none";
}

std::optional<GrantAccess> ParseGrantAccess(std::string_view name) {
  if (name == "none") return GrantAccess::kNone;
  if (name == "read") return GrantAccess::kRead;
  if (name == "write") return GrantAccess::kWrite;
  return std::nullopt;
}

LogHead AppendAuditEvent(pqxx::work& tx, v1::AuditEvent event) {
  if (event.at_ms() == 0) {
    event.set_at_ms(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
  }
  // Who acted: the holder of the acting credential, so the log names a person, not only a fingerprint.
  if (!event.actor_fingerprint().empty() && event.actor_credential_id() == 0) {
    auto actor = tx.exec_params(kSelectActorCredential, event.actor_fingerprint());
    if (!actor.empty()) {
      event.set_actor_credential_id(actor[0][0].as<int64_t>());
      event.set_actor_holder(actor[0][1].as<std::string>());
    }
  }
  auto audit_id = tx.exec_params1(kSelectLogIdByName, "audit")[0].as<int64_t>();
  LogHead head = LockLog(tx, audit_id);
  return AppendEntries(tx, head, {event.SerializeAsString()});
}

Result<CollectionRow> CreateCollection(Connection& conn, const CollectionRow& spec, const v1::AuditEvent& event) {
  return RunTransaction(conn, [&](pqxx::work& tx) -> Result<CollectionRow> {
    auto empty_root = log::EmptyRoot();
    pqxx::binarystring root(std::string(empty_root.begin(), empty_root.end()));
    auto exists = tx.exec_params(kSelectLogIdByName, spec.name);
    if (!exists.empty()) return Status::AlreadyExists("a collection or log named " + spec.name + " exists");
    auto log_id = tx.exec_params1(kInsertLog, spec.name, root)[0].as<int64_t>();
    tx.exec_params1(kInsertCollection, spec.name, spec.description, TextArray(spec.allowed_kinds),
                    TextArray(spec.required_fields), spec.attribution, spec.dispute_min_orgs,
                    spec.dispute_needs_majority, log_id, TextArray(spec.allowed_categories),
                    TextArray(spec.label_vocabulary));
    AppendAuditEvent(tx, event);
    auto row = tx.exec_params1(kSelectCollectionColumns + " WHERE c.name = $1", spec.name);
    return ToCollection(row);
  });
}

Result<std::vector<CollectionRow>> ListCollections(Connection& conn, std::optional<int64_t> org_id) {
  return RunTransaction(conn, [&](pqxx::work& tx) -> Result<std::vector<CollectionRow>> {
    std::vector<CollectionRow> out;
    pqxx::result rows =
        org_id ? tx.exec_params(kSelectCollectionColumns +
                                    " WHERE EXISTS (SELECT 1 FROM collection_grants g WHERE g.collection_id = c.id"
                                    " AND g.org_id = $1) ORDER BY c.name",
                                *org_id)
               : tx.exec(kSelectCollectionColumns + " ORDER BY c.name");
    for (const auto& row : rows) {
      out.push_back(ToCollection(row));
      if (!org_id) LoadGrants(tx, out.back());
    }
    return out;
  });
}

Result<std::optional<CollectionAccess>> FindCollectionAccess(Connection& conn, const std::string& name,
                                                             int64_t org_id) {
  return RunTransaction(conn, [&](pqxx::work& tx) -> Result<std::optional<CollectionAccess>> {
    auto rows = tx.exec_params(kSelectCollectionAccess, name, org_id);
    if (rows.empty()) return std::optional<CollectionAccess>();
    CollectionAccess found;
    found.collection = ToCollection(rows[0]);
    const auto& access = rows[0][kCollectionColumnCount];  // g.access, after the collection's columns
    if (!access.is_null()) found.access = *ParseGrantAccess(access.as<std::string>());
    return std::optional<CollectionAccess>(std::move(found));
  });
}

Status SetGrant(Connection& conn, const std::string& collection, const std::string& org_slug, GrantAccess access,
                const v1::AuditEvent& event) {
  return RunTransaction(conn,
                        [&](pqxx::work& tx) -> Result<bool> {
                          auto c = tx.exec_params(kSelectCollectionColumns + " WHERE c.name = $1", collection);
                          if (c.empty()) return Status::NotFound("no collection named " + collection);
                          auto org = tx.exec_params(kSelectOrgId, org_slug);
                          if (org.empty()) return Status::NotFound("no organisation with slug " + org_slug);
                          auto collection_id = c[0][0].as<int64_t>();
                          auto org_id = org[0][0].as<int64_t>();
                          if (access == GrantAccess::kNone) {
                            tx.exec_params(kDeleteGrant, collection_id, org_id);
                          } else {
                            tx.exec_params(kUpsertGrant, collection_id, org_id, std::string(GrantAccessName(access)));
                          }
                          AppendAuditEvent(tx, event);
                          return true;
                        })
      .status();
}

}  // namespace exchange::store
