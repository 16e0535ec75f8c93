// SPDX-License-Identifier: Apache-2.0
#include "store/vetting.h"

#include <set>

#include "store/audit_append.h"
#include "store/pg_arrays.h"
#include "store/transaction.h"

namespace exchange::store {
namespace {

constexpr const char* kSlugTaken = R"sql(
  SELECT 1 FROM organisations WHERE slug = $1
  UNION ALL
  SELECT 1 FROM invitations WHERE org_slug = $1 AND used_at IS NULL AND expires_at > now()
  UNION ALL
  SELECT 1 FROM applications WHERE org_slug = $1 AND status = 'pending')sql";
constexpr const char* kInsertInvitation = R"sql(
  INSERT INTO invitations (token_sha256, org_slug, org_name, contact, created_by, expires_at)
  VALUES ($1, $2, $3, $4, $5, to_timestamp($6)))sql";
constexpr const char* kUseInvitation = R"sql(
  UPDATE invitations SET used_at = now()
   WHERE token_sha256 = $1 AND used_at IS NULL AND expires_at > now()
  RETURNING id, org_slug, org_name)sql";
constexpr const char* kInsertApplication = R"sql(
  INSERT INTO applications (public_id, invitation_id, org_slug, org_name, legal_name, domain, contact,
                            legal_basis, accepted_principles, csr_pem)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, true, $9))sql";
// The columns ToApplication() reads by name, and the row's own id.
constexpr const char* kSelectApplicationColumns = R"sql(
  SELECT a.public_id, a.org_slug, a.org_name, a.legal_name, a.domain, a.contact, a.legal_basis, a.status,
         to_char(a.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS created_at,
         coalesce(to_char(a.decided_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), '') AS decided_at,
         ARRAY(SELECT d.holder FROM application_decisions d
                WHERE d.application_id = a.id AND d.decision = 'approve' ORDER BY d.decided_at) AS approved_by,
         ARRAY(SELECT d.holder FROM application_decisions d
                WHERE d.application_id = a.id AND d.decision = 'reject' ORDER BY d.decided_at) AS rejected_by,
         a.csr_pem, a.certificate_pem, a.id
    FROM applications a)sql";
const std::string kSelectApplication = std::string(kSelectApplicationColumns) + " WHERE a.public_id = $1";
const std::string kSelectApplicationForUpdate =
    std::string(kSelectApplicationColumns) + " WHERE a.public_id = $1 FOR UPDATE OF a";
const std::string kSelectApplications =
    std::string(kSelectApplicationColumns) + " WHERE $1 = '' OR a.status = $1 ORDER BY a.created_at";
constexpr const char* kInsertDecision = R"sql(
  INSERT INTO application_decisions (application_id, holder, credential_id, decision, reason)
  VALUES ($1, $2, $3, $4, $5)
  ON CONFLICT (application_id, holder) DO NOTHING
  RETURNING holder)sql";
constexpr const char* kRejectApplication =
    "UPDATE applications SET status = 'rejected', decided_at = now() WHERE id = $1";
constexpr const char* kApproveApplication = R"sql(
  UPDATE applications SET status = 'approved', decided_at = now(), credential_id = $2, certificate_pem = $3
   WHERE id = $1)sql";
constexpr const char* kCountApprovals =
    "SELECT count(DISTINCT holder) AS approvals FROM application_decisions WHERE application_id = $1 AND decision = "
    "'approve'";
constexpr const char* kNextCredentialId = "SELECT nextval(pg_get_serial_sequence('credentials', 'id')) AS id";
constexpr const char* kInsertOrganisation = "INSERT INTO organisations (slug, name) VALUES ($1, $2) RETURNING id";
constexpr const char* kInsertCredential = R"sql(
  INSERT INTO credentials (id, org_id, role, fingerprint, serial_hex, not_after, certificate_pem, holder)
  VALUES ($1, $2, 'member', $3, $4, $5::timestamptz, $6, $7))sql";

ApplicationRow ToApplication(const pqxx::row& row) {
  ApplicationRow a;
  a.id = row["public_id"].as<std::string>();
  a.org_slug = row["org_slug"].as<std::string>();
  a.org_name = row["org_name"].as<std::string>();
  a.legal_name = row["legal_name"].as<std::string>();
  a.domain = row["domain"].as<std::string>();
  a.contact = row["contact"].as<std::string>();
  a.legal_basis = row["legal_basis"].as<std::string>();
  a.status = row["status"].as<std::string>();
  a.created_at = row["created_at"].as<std::string>();
  a.decided_at = row["decided_at"].as<std::string>();
  a.approved_by = TextsOf(row["approved_by"]);
  a.rejected_by = TextsOf(row["rejected_by"]);
  a.csr_pem = row["csr_pem"].as<std::string>();
  a.certificate_pem = row["certificate_pem"].as<std::string>();
  return a;
}

}  // namespace

Status CreateInvitation(Connection& conn, const NewInvitation& inv, const v1::AuditEvent& event) {
  return RunTransaction(
             conn,
             [&](pqxx::work& tx) -> Result<bool> {
               if (!tx.exec_params(kSlugTaken, inv.org_slug).empty()) {
                 return Status::AlreadyExists("organisation slug " + inv.org_slug + " is taken or already invited");
               }
               tx.exec_params(kInsertInvitation, pqxx::binarystring(inv.token_sha256), inv.org_slug, inv.org_name,
                              inv.contact, inv.created_by, inv.expires_at);
               AppendAuditEvent(tx, event);
               return true;
             })
      .status();
}

Result<ApplicationRow> SubmitApplication(Connection& conn, const NewApplication& app, const v1::AuditEvent& event) {
  return RunTransaction(conn, [&](pqxx::work& tx) -> Result<ApplicationRow> {
    auto invitation = tx.exec_params(kUseInvitation, pqxx::binarystring(app.token_sha256));
    if (invitation.empty()) return Status::Unauthenticated("the invitation token is unknown, used or expired");
    const auto invitation_id = invitation[0]["id"].as<int64_t>();
    const auto slug = invitation[0]["org_slug"].as<std::string>();
    // The name the admin invited stands (the applicant's proposal is in the audit event).
    const auto name = invitation[0]["org_name"].as<std::string>();
    tx.exec_params(kInsertApplication, app.public_id, invitation_id, slug, name, app.legal_name, app.domain,
                   app.contact, app.legal_basis, app.csr_pem);
    v1::AuditEvent stamped = event;
    stamped.set_actor_org(slug);
    stamped.set_subject("application:" + app.public_id);
    AppendAuditEvent(tx, stamped);
    return ToApplication(tx.exec_params1(kSelectApplication, app.public_id));
  });
}

Result<std::vector<ApplicationRow>> ListApplications(Connection& conn, const std::string& status_filter) {
  return RunTransaction(conn, [&](pqxx::work& tx) -> Result<std::vector<ApplicationRow>> {
    std::vector<ApplicationRow> out;
    for (const auto& row : tx.exec_params(kSelectApplications, status_filter)) {
      out.push_back(ToApplication(row));
    }
    return out;
  });
}

Result<std::optional<ApplicationRow>> FindApplication(Connection& conn, const std::string& public_id) {
  return RunTransaction(conn, [&](pqxx::work& tx) -> Result<std::optional<ApplicationRow>> {
    auto rows = tx.exec_params(kSelectApplication, public_id);
    if (rows.empty()) return std::optional<ApplicationRow>();
    return std::optional<ApplicationRow>(ToApplication(rows[0]));
  });
}

Result<ApplicationRow> DecideApplication(Connection& conn, const Decision& d, const IssueCredential& issue,
                                         const v1::AuditEvent& event) {
  return RunTransaction(conn, [&](pqxx::work& tx) -> Result<ApplicationRow> {
    auto rows = tx.exec_params(kSelectApplicationForUpdate, d.application_id);
    if (rows.empty()) return Status::NotFound("no application " + d.application_id);
    const int64_t id = rows[0]["id"].as<int64_t>();
    ApplicationRow app = ToApplication(rows[0]);
    if (app.status != "pending")
      return Status::FailedPrecondition("application " + app.id + " is already " + app.status);
    if (app.org_slug == d.admin_org) {
      return Status::PermissionDenied("an admin may not decide an application for its own organisation");
    }
    if (tx.exec_params(kInsertDecision, id, d.holder, d.credential_id, d.approve ? "approve" : "reject", d.reason)
            .empty()) {
      return Status::AlreadyExists(d.holder + " has already decided application " + app.id +
                                   "; a second approval must come from a different admin");
    }
    AppendAuditEvent(tx, event);
    if (!d.approve) {
      tx.exec_params(kRejectApplication, id);
    } else if (tx.exec_params1(kCountApprovals, id)["approvals"].as<int>() >= 2) {
      const auto credential_id = tx.exec1(kNextCredentialId)["id"].as<int64_t>();
      auto credential = issue(app, credential_id);
      if (!credential.ok()) return credential.status();
      auto org_id = tx.exec_params1(kInsertOrganisation, app.org_slug, app.org_name)["id"].as<int64_t>();
      tx.exec_params(kInsertCredential, credential_id, org_id, credential->fingerprint, credential->serial_hex,
                     credential->not_after, credential->certificate_pem, app.org_slug);
      tx.exec_params(kApproveApplication, id, credential_id, credential->certificate_pem);
      v1::AuditEvent issued = event;
      issued.set_action("credential.issue");
      issued.set_subject("org:" + app.org_slug + "/credential:" + std::to_string(credential_id));
      (*issued.mutable_details())["fingerprint"] = credential->fingerprint;
      (*issued.mutable_details())["serial"] = credential->serial_hex;
      AppendAuditEvent(tx, issued);
    }
    return ToApplication(tx.exec_params1(kSelectApplication, app.id));
  });
}

}  // namespace exchange::store
