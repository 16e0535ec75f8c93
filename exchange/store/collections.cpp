// SPDX-License-Identifier: Apache-2.0
#include "store/collections.h"

#include <chrono>
#include <stdexcept>

#include "log/hash.h"
#include "store/audit_append.h"
#include "store/grants.h"
#include "store/log_append.h"
#include "store/pg_arrays.h"
#include "store/statements.h"
#include "store/transaction.h"
#include "store/typed_fields.h"

namespace exchange::store {
namespace {

constexpr const char* kInsertLog = "INSERT INTO logs (name, kind, root) VALUES ($1, 'collection', $2) RETURNING id";
constexpr const char* kInsertCollection = R"sql(
  INSERT INTO collections (name, description, allowed_kinds, required_fields, attribution,
                           dispute_min_orgs, dispute_needs_majority, log_id, allowed_categories, label_vocabulary,
                           vpdq_stored_percent, vpdq_query_percent)
  VALUES ($1, $2, $3::text[], $4::text[], $5, $6, $7, $8, $9::text[], $10::text[], $11, $12)
  RETURNING id)sql";
// The columns ToCollection() reads by name; every collection query selects them.
constexpr const char* kCollectionColumns = R"sql(
  SELECT c.id, c.name, c.description, c.allowed_kinds, c.required_fields, c.attribution, c.dispute_min_orgs,
         c.dispute_needs_majority, c.log_id, l.size AS log_size, c.allowed_categories, c.label_vocabulary,
         c.vpdq_stored_percent, c.vpdq_query_percent)sql";
constexpr const char* kFromCollections = " FROM collections c JOIN logs l ON l.id = c.log_id";
const std::string kSelectCollectionByName = std::string(kCollectionColumns) + kFromCollections + " WHERE c.name = $1";
const std::string kSelectCollections = std::string(kCollectionColumns) + kFromCollections + " ORDER BY c.name";
const std::string kSelectGrantedCollections = std::string(kCollectionColumns) + kFromCollections + R"sql(
   WHERE EXISTS (SELECT 1 FROM collection_grants g WHERE g.collection_id = c.id AND g.org_id = $1)
   ORDER BY c.name)sql";
// The collection, the organisation's grant on it and its log's head in one
// query (a prepared statement: every feed read starts with it), so an
// existing and a missing collection cost the same (one round trip) when the
// answer is a refusal: timing tells nobody which names exist.
const Statement kSelectCollectionAccess{"collection_access",
                                        std::string(kCollectionColumns) +
                                            ", g.access, l.name AS log_name, l.kind AS log_kind, l.root AS log_root" +
                                            kFromCollections + R"sql(
    LEFT JOIN collection_grants g ON g.collection_id = c.id AND g.org_id = $2
   WHERE c.name = $1)sql"};
// NULL keeps a setting as it is.
constexpr const char* kUpdateCollection = R"sql(
  UPDATE collections SET vpdq_stored_percent = COALESCE($2::integer, vpdq_stored_percent),
                         vpdq_query_percent = COALESCE($3::integer, vpdq_query_percent)
   WHERE name = $1 RETURNING id)sql";
constexpr const char* kSelectGrants = R"sql(
  SELECT o.slug, g.access FROM collection_grants g JOIN organisations o ON o.id = g.org_id
   WHERE g.collection_id = $1 ORDER BY o.slug)sql";
// A write's grant, held until its transaction ends (RequireGrant).
constexpr const char* kSelectGrantForShare =
    "SELECT access FROM collection_grants WHERE collection_id = $1 AND org_id = $2 FOR SHARE";
constexpr const char* kSelectCollectionName = "SELECT name FROM collections WHERE id = $1";
constexpr const char* kSelectOrgId = "SELECT id FROM organisations WHERE slug = $1";
constexpr const char* kUpsertGrant = R"sql(
  INSERT INTO collection_grants (collection_id, org_id, access) VALUES ($1, $2, $3)
  ON CONFLICT (collection_id, org_id) DO UPDATE SET access = EXCLUDED.access, granted_at = now())sql";
constexpr const char* kDeleteGrant = "DELETE FROM collection_grants WHERE collection_id = $1 AND org_id = $2";
constexpr const char* kSelectLogIdByName = "SELECT id FROM logs WHERE name = $1";
constexpr const char* kSelectActorCredential = "SELECT id, holder FROM credentials WHERE fingerprint = $1";

std::vector<std::string> KindNames(const std::vector<signals::Kind>& kinds) {
  std::vector<std::string> names;
  for (auto kind : kinds) names.push_back(KindText(kind));
  return names;
}

CollectionRow ToCollection(const pqxx::row& row) {
  CollectionRow c;
  c.id = row["id"].as<int64_t>();
  c.name = row["name"].as<std::string>();
  c.description = row["description"].as<std::string>();
  c.allowed_kinds = KindsOf(row["allowed_kinds"]);
  c.required_fields = TextsOf(row["required_fields"]);
  c.attribution = row["attribution"].as<std::string>();
  c.dispute_min_orgs = row["dispute_min_orgs"].as<int>();
  c.dispute_needs_majority = row["dispute_needs_majority"].as<bool>();
  c.vpdq_stored_percent = row["vpdq_stored_percent"].as<int>();
  c.vpdq_query_percent = row["vpdq_query_percent"].as<int>();
  c.log_id = row["log_id"].as<int64_t>();
  c.log_size = row["log_size"].as<uint64_t>();
  c.allowed_categories = TextsOf(row["allowed_categories"]);
  c.label_vocabulary = TextsOf(row["label_vocabulary"]);
  return c;
}

void LoadGrants(pqxx::work& tx, CollectionRow& c) {
  c.grants.clear();
  for (const auto& row : tx.exec_params(kSelectGrants, c.id)) {
    c.grants.emplace_back(row["slug"].as<std::string>(), *ParseGrantAccess(row["access"].as<std::string>()));
  }
}

}  // namespace

std::string_view GrantAccessName(GrantAccess access) {
  switch (access) {
    case GrantAccess::kNone: return "none";
    case GrantAccess::kRead: return "read";
    case GrantAccess::kWrite: return "write";
  }
  return "none";
}

std::optional<GrantAccess> ParseGrantAccess(std::string_view name) {
  if (name == "none") return GrantAccess::kNone;
  if (name == "read") return GrantAccess::kRead;
  if (name == "write") return GrantAccess::kWrite;
  return std::nullopt;
}

Status RequireGrant(pqxx::work& tx, int64_t collection_id, int64_t org_id, GrantAccess needed) {
  auto grant = tx.exec_params(kSelectGrantForShare, collection_id, org_id);
  const GrantAccess held = grant.empty() ? GrantAccess::kNone : *ParseGrantAccess(grant[0]["access"].as<std::string>());
  if (held == GrantAccess::kWrite || (held == GrantAccess::kRead && needed == GrantAccess::kRead)) return Status::Ok();
  auto named = tx.exec_params(kSelectCollectionName, collection_id);
  const std::string name = named.empty() ? std::to_string(collection_id) : named[0]["name"].as<std::string>();
  if (held == GrantAccess::kRead) {
    return Status::PermissionDenied("your organisation may read but not write collection " + name);
  }
  return Status::PermissionDenied("your organisation has no access to collection " + name);
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
      event.set_actor_credential_id(actor[0]["id"].as<int64_t>());
      event.set_actor_holder(actor[0]["holder"].as<std::string>());
    }
  }
  auto audit_id = tx.exec_params1(kSelectLogIdByName, "audit")["id"].as<int64_t>();
  LogHead head = LockLog(tx, audit_id);
  return AppendEntries(tx, head, {event.SerializeAsString()});
}

Result<CollectionRow> CreateCollection(Connection& conn, const CollectionRow& spec, const v1::AuditEvent& event) {
  return RunTransaction(conn, [&](pqxx::work& tx) -> Result<CollectionRow> {
    auto empty_root = log::EmptyRoot();
    pqxx::binarystring root(std::string(empty_root.begin(), empty_root.end()));
    auto exists = tx.exec_params(kSelectLogIdByName, spec.name);
    if (!exists.empty()) return Status::AlreadyExists("a collection or log named " + spec.name + " exists");
    auto log_id = tx.exec_params1(kInsertLog, spec.name, root)["id"].as<int64_t>();
    tx.exec_params1(kInsertCollection, spec.name, spec.description, TextArray(KindNames(spec.allowed_kinds)),
                    TextArray(spec.required_fields), spec.attribution, spec.dispute_min_orgs,
                    spec.dispute_needs_majority, log_id, TextArray(spec.allowed_categories),
                    TextArray(spec.label_vocabulary), spec.vpdq_stored_percent, spec.vpdq_query_percent);
    AppendAuditEvent(tx, event);
    return ToCollection(tx.exec_params1(kSelectCollectionByName, spec.name));
  });
}

Result<std::vector<CollectionRow>> ListCollections(Connection& conn, std::optional<int64_t> org_id) {
  return RunTransaction(conn, [&](pqxx::work& tx) -> Result<std::vector<CollectionRow>> {
    std::vector<CollectionRow> out;
    pqxx::result rows = org_id ? tx.exec_params(kSelectGrantedCollections, *org_id) : tx.exec(kSelectCollections);
    for (const auto& row : rows) {
      out.push_back(ToCollection(row));
      if (!org_id) LoadGrants(tx, out.back());
    }
    return out;
  });
}

Result<std::optional<CollectionAccess>> FindCollectionAccess(Connection& conn, const std::string& name,
                                                             int64_t org_id) {
  return RunRead(conn, [&](pqxx::nontransaction& tx) -> Result<std::optional<CollectionAccess>> {
    auto rows = tx.exec_prepared(kSelectCollectionAccess.name(), name, org_id);
    if (rows.empty()) return std::optional<CollectionAccess>();
    CollectionAccess found;
    found.collection = ToCollection(rows[0]);
    const auto& access = rows[0]["access"];
    if (!access.is_null()) found.access = *ParseGrantAccess(access.as<std::string>());
    auto root = log::HashFromBytes(pqxx::binarystring(rows[0]["log_root"]).str());
    if (!root.ok()) throw std::runtime_error("stored log root is not 32 bytes");
    found.log = LogHead{found.collection.log_id, rows[0]["log_name"].as<std::string>(),
                        rows[0]["log_kind"].as<std::string>(), found.collection.log_size, *root};
    return std::optional<CollectionAccess>(std::move(found));
  });
}

Result<CollectionRow> UpdateCollection(Connection& conn, const std::string& name, const CollectionUpdate& update,
                                       const v1::AuditEvent& event) {
  return RunTransaction(conn, [&](pqxx::work& tx) -> Result<CollectionRow> {
    auto updated = tx.exec_params(kUpdateCollection, name, update.vpdq_stored_percent, update.vpdq_query_percent);
    if (updated.empty()) return Status::NotFound("no collection named " + name);
    AppendAuditEvent(tx, event);
    CollectionRow row = ToCollection(tx.exec_params1(kSelectCollectionByName, name));
    LoadGrants(tx, row);
    return row;
  });
}

Status SetGrant(Connection& conn, const std::string& collection, const std::string& org_slug, GrantAccess access,
                const v1::AuditEvent& event) {
  return RunTransaction(conn,
                        [&](pqxx::work& tx) -> Result<bool> {
                          auto c = tx.exec_params(kSelectCollectionByName, collection);
                          if (c.empty()) return Status::NotFound("no collection named " + collection);
                          auto org = tx.exec_params(kSelectOrgId, org_slug);
                          if (org.empty()) return Status::NotFound("no organisation with slug " + org_slug);
                          auto collection_id = c[0]["id"].as<int64_t>();
                          auto org_id = org[0]["id"].as<int64_t>();
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
