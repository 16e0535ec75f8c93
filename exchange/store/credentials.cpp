// SPDX-License-Identifier: Apache-2.0
#include "store/credentials.h"

#include "store/audit_append.h"
#include "store/statements.h"
#include "store/transaction.h"
#include "store/typed_fields.h"

namespace exchange::store {
namespace {

// The columns ToCredentialRow() reads by name.
constexpr const char* kSelectCredentialColumns = R"sql(
  SELECT c.id AS credential_id, o.id AS org_id, o.slug AS org_slug, o.name AS org_name, o.status AS org_status,
         c.role, c.status AS credential_status, c.fingerprint, c.serial_hex,
         to_char(c.not_after AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS not_after,
         extract(epoch FROM c.not_after)::bigint AS not_after_unix, c.holder,
         to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS created_at
    FROM credentials c JOIN organisations o ON o.id = c.org_id)sql";
// Who is calling: a prepared statement (store/statements.h), run whenever the
// caller cache has no fresh entry.
const Statement kSelectCredentialByFingerprint{"credential_by_fingerprint",
                                               std::string(kSelectCredentialColumns) + " WHERE c.fingerprint = $1"};
const std::string kSelectOrgCredentials = std::string(kSelectCredentialColumns) + " WHERE o.id = $1 ORDER BY c.id DESC";

constexpr const char* kUpsertOrganisation = R"sql(
  INSERT INTO organisations (slug, name) VALUES ($1, $2)
  ON CONFLICT (slug) DO UPDATE SET slug = EXCLUDED.slug
  RETURNING id)sql";

constexpr const char* kInsertCredential = R"sql(
  INSERT INTO credentials (id, org_id, role, fingerprint, serial_hex, not_after, certificate_pem, holder)
  VALUES (CASE WHEN $8 > 0 THEN $8 ELSE nextval(pg_get_serial_sequence('credentials', 'id')) END,
          $1, $2, $3, $4, $5::timestamptz, $6, $7)
  ON CONFLICT (fingerprint) DO NOTHING
  RETURNING id)sql";
constexpr const char* kCountActiveCredentials =
    "SELECT count(*) AS active FROM credentials WHERE org_id = $1 AND status = 'active' AND not_after > now()";
constexpr const char* kNextCredentialId = "SELECT nextval(pg_get_serial_sequence('credentials', 'id')) AS id";

constexpr const char* kSelectOrganisations = R"sql(
  SELECT o.id, o.slug, o.name, o.status, o.status_reason,
         (SELECT count(*) FROM credentials c WHERE c.org_id = o.id AND c.status = 'active' AND c.not_after > now())
           AS active_credentials,
         to_char(o.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS created_at
    FROM organisations o ORDER BY o.slug)sql";

constexpr const char* kSelectOrgForUpdate = "SELECT id, status FROM organisations WHERE slug = $1 FOR UPDATE";
constexpr const char* kUpdateOrgStatus = R"sql(
  WITH changed AS (
    UPDATE organisations SET status = $2, status_reason = $3, status_changed_at = now() WHERE id = $1 RETURNING id)
  INSERT INTO org_status_changes (org_id, status, reason) SELECT id, $2, $3 FROM changed)sql";

constexpr const char* kRevokeCredential = R"sql(
  UPDATE credentials SET status = 'revoked', revoked_at = now(), revocation_reason = $2
   WHERE id = $1 AND status = 'active' AND ($3::bigint IS NULL OR org_id = $3)
     AND ($4::bigint IS NULL OR org_id <> $4)
  RETURNING id)sql";

constexpr const char* kSelectRevoked = R"sql(
  SELECT c.serial_hex, extract(epoch FROM c.revoked_at)::bigint AS revoked_at, false AS hold
    FROM credentials c WHERE c.status = 'revoked'
  UNION ALL
  SELECT c.serial_hex, extract(epoch FROM coalesce(o.status_changed_at, now()))::bigint, o.status = 'suspended'
    FROM credentials c JOIN organisations o ON o.id = c.org_id
   WHERE c.status = 'active' AND o.status IN ('suspended', 'revoked'))sql";

CredentialRow ToCredentialRow(const pqxx::row& row) {
  CredentialRow c;
  c.credential_id = row["credential_id"].as<int64_t>();
  c.org_id = row["org_id"].as<int64_t>();
  c.org_slug = row["org_slug"].as<std::string>();
  c.org_name = row["org_name"].as<std::string>();
  c.org_status = EnumOf(row["org_status"], ParseOrgStatus);
  c.role = EnumOf(row["role"], ParseRole);
  c.credential_status = EnumOf(row["credential_status"], ParseCredentialStatus);
  c.fingerprint = row["fingerprint"].as<std::string>();
  c.serial_hex = row["serial_hex"].as<std::string>();
  c.not_after = row["not_after"].as<std::string>();
  c.not_after_unix = row["not_after_unix"].as<int64_t>();
  c.holder = row["holder"].as<std::string>();
  c.created_at = row["created_at"].as<std::string>();
  return c;
}

OrganisationRow ToOrganisationRow(const pqxx::row& row) {
  OrganisationRow o;
  o.id = row["id"].as<int64_t>();
  o.slug = row["slug"].as<std::string>();
  o.name = row["name"].as<std::string>();
  o.status = EnumOf(row["status"], ParseOrgStatus);
  o.status_reason = row["status_reason"].as<std::string>();
  o.active_credentials = row["active_credentials"].as<int>();
  o.created_at = row["created_at"].as<std::string>();
  return o;
}

RevokedSerial ToRevokedSerial(const pqxx::row& row) {
  return {row["serial_hex"].as<std::string>(), row["revoked_at"].as<int64_t>(), row["hold"].as<bool>()};
}

std::optional<CredentialRow> SelectCredential(pqxx::transaction_base& tx, const std::string& fingerprint) {
  auto rows = tx.exec_prepared(kSelectCredentialByFingerprint.name(), fingerprint);
  if (rows.empty()) return std::nullopt;
  return ToCredentialRow(rows[0]);
}

}  // namespace

Result<std::optional<CredentialRow>> FindCredential(Connection& conn, const std::string& fingerprint) {
  return RunRead(conn, [&](pqxx::nontransaction& tx) -> Result<std::optional<CredentialRow>> {
    return SelectCredential(tx, fingerprint);
  });
}

Result<CredentialRow> RegisterCredential(Connection& conn, const NewCredential& c,
                                         const std::optional<v1::AuditEvent>& event) {
  return RunTransaction(conn, [&](pqxx::work& tx) -> Result<CredentialRow> {
    // The upsert locks the organisation's row until commit.
    auto org_id = tx.exec_params1(kUpsertOrganisation, c.org_slug, c.org_name)["id"].as<int64_t>();
    if (c.max_active_in_org > 0) {
      const auto active = tx.exec_params1(kCountActiveCredentials, org_id)["active"].as<int64_t>();
      if (active >= c.max_active_in_org) {
        return Status::Conflict("organisation " + c.org_slug + " holds " + std::to_string(active) +
                                " active credentials, the most it may hold; revoke one first "
                                "(exchangectl credentials revoke ID)");
      }
    }
    auto inserted = tx.exec_params(kInsertCredential, org_id, std::string(RoleName(c.role)), c.fingerprint,
                                   c.serial_hex, c.not_after, c.certificate_pem, c.holder, c.id);
    if (inserted.empty()) return Status::AlreadyExists("a credential with fingerprint " + c.fingerprint + " exists");
    if (event) AppendAuditEvent(tx, *event);
    return *SelectCredential(tx, c.fingerprint);
  });
}

Result<int64_t> ReserveCredentialId(Connection& conn) {
  return RunTransaction(
      conn, [](pqxx::work& tx) -> Result<int64_t> { return tx.exec1(kNextCredentialId)["id"].as<int64_t>(); });
}

Result<std::vector<CredentialRow>> ListCredentials(Connection& conn, int64_t org_id) {
  return RunTransaction(conn, [&](pqxx::work& tx) -> Result<std::vector<CredentialRow>> {
    std::vector<CredentialRow> out;
    for (const auto& row : tx.exec_params(kSelectOrgCredentials, org_id)) {
      out.push_back(ToCredentialRow(row));
    }
    return out;
  });
}

Result<std::vector<OrganisationRow>> ListOrganisations(Connection& conn) {
  return RunTransaction(conn, [&](pqxx::work& tx) -> Result<std::vector<OrganisationRow>> {
    std::vector<OrganisationRow> out;
    for (const auto& row : tx.exec(kSelectOrganisations)) out.push_back(ToOrganisationRow(row));
    return out;
  });
}

Result<int64_t> SetOrganisationStatus(Connection& conn, const std::string& slug, OrgStatus status,
                                      const std::string& reason, const v1::AuditEvent& event) {
  return RunTransaction(conn, [&](pqxx::work& tx) -> Result<int64_t> {
    auto rows = tx.exec_params(kSelectOrgForUpdate, slug);
    if (rows.empty()) return Status::NotFound("no organisation with slug " + slug);
    auto id = rows[0]["id"].as<int64_t>();
    const OrgStatus current = EnumOf(rows[0]["status"], ParseOrgStatus);
    const std::string name(OrgStatusName(status));
    if (current == OrgStatus::kRevoked) {
      return Status::FailedPrecondition("organisation " + slug + " is revoked for good");
    }
    if (current == status) return Status::FailedPrecondition("organisation " + slug + " is already " + name);
    tx.exec_params(kUpdateOrgStatus, id, name, reason);
    AppendAuditEvent(tx, event);
    return id;
  });
}

Status RevokeCredential(Connection& conn, int64_t credential_id, std::optional<int64_t> only_org_id,
                        std::optional<int64_t> except_org_id, const std::string& reason, const v1::AuditEvent& event) {
  return RunTransaction(conn,
                        [&](pqxx::work& tx) -> Result<bool> {
                          auto revoked =
                              tx.exec_params(kRevokeCredential, credential_id, reason, only_org_id, except_org_id);
                          if (revoked.empty())
                            return Status::NotFound("no active credential " + std::to_string(credential_id));
                          AppendAuditEvent(tx, event);
                          return true;
                        })
      .status();
}

Result<std::vector<RevokedSerial>> ListRevokedSerials(Connection& conn) {
  return RunTransaction(conn, [&](pqxx::work& tx) -> Result<std::vector<RevokedSerial>> {
    std::vector<RevokedSerial> out;
    for (const auto& row : tx.exec(kSelectRevoked)) out.push_back(ToRevokedSerial(row));
    return out;
  });
}

}  // namespace exchange::store
