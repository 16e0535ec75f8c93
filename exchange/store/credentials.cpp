#include "store/credentials.h"

#include "store/transaction.h"

namespace exchange::store {
namespace {

constexpr const char* kSelectCredential = R"sql(
  SELECT c.id, o.id, o.slug, o.name, o.status, c.role, c.status, c.fingerprint,
         to_char(c.not_after AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
         extract(epoch FROM c.not_after)::bigint
    FROM credentials c JOIN organisations o ON o.id = c.org_id
   WHERE c.fingerprint = $1)sql";

constexpr const char* kUpsertOrganisation = R"sql(
  INSERT INTO organisations (slug, name) VALUES ($1, $2)
  ON CONFLICT (slug) DO UPDATE SET slug = EXCLUDED.slug
  RETURNING id)sql";

constexpr const char* kInsertCredential = R"sql(
  INSERT INTO credentials (org_id, role, fingerprint, serial_hex, not_after, certificate_pem)
  VALUES ($1, $2, $3, $4, $5::timestamptz, $6)
  ON CONFLICT (fingerprint) DO NOTHING
  RETURNING id)sql";

CredentialRow ToCredentialRow(const pqxx::row& row) {
  CredentialRow c;
  c.credential_id = row[0].as<int64_t>();
  c.org_id = row[1].as<int64_t>();
  c.org_slug = row[2].as<std::string>();
  c.org_name = row[3].as<std::string>();
  c.org_status = row[4].as<std::string>();
  c.role = row[5].as<std::string>();
  c.credential_status = row[6].as<std::string>();
  c.fingerprint = row[7].as<std::string>();
  c.not_after = row[8].as<std::string>();
  c.not_after_unix = row[9].as<int64_t>();
  return c;
}

Result<std::optional<CredentialRow>> SelectCredential(pqxx::work& tx, const std::string& fingerprint) {
  auto rows = tx.exec_params(kSelectCredential, fingerprint);
  if (rows.empty()) return std::optional<CredentialRow>();
  return std::optional<CredentialRow>(ToCredentialRow(rows[0]));
}

}  // namespace

Result<std::optional<CredentialRow>> FindCredential(Connection& conn, const std::string& fingerprint) {
  return RunTransaction(conn, [&](pqxx::work& tx) { return SelectCredential(tx, fingerprint); });
}

Result<CredentialRow> RegisterCredential(Connection& conn, const NewCredential& c) {
  return RunTransaction(conn, [&](pqxx::work& tx) -> Result<CredentialRow> {
    auto org_id = tx.exec_params1(kUpsertOrganisation, c.org_slug, c.org_name)[0].as<int64_t>();
    auto inserted = tx.exec_params(kInsertCredential, org_id, c.role, c.fingerprint, c.serial_hex, c.not_after,
                                   c.certificate_pem);
    if (inserted.empty()) return Status::AlreadyExists("a credential with fingerprint " + c.fingerprint + " exists");
    auto row = SelectCredential(tx, c.fingerprint);
    return **row;
  });
}

}  // namespace exchange::store
