// SPDX-License-Identifier: Apache-2.0
// Vetting: invitations, applications, the two-admin rule, and issuing the
// credential of an approved applicant — each step with its audit event in
// the same transaction.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "exchange/v1/audit.pb.h"
#include "store/connection.h"
#include "store/credentials.h"

namespace exchange::store {

struct NewInvitation {
  std::string token_sha256;  // raw 32 bytes; the token itself is never stored
  std::string org_slug;
  std::string org_name;
  std::string contact;
  int64_t created_by = 0;  // credential id of the inviting admin
  int64_t expires_at = 0;  // Unix seconds
};
// AlreadyExists when the slug belongs to an organisation or to a pending invitation.
Status CreateInvitation(Connection& conn, const NewInvitation& invitation, const v1::AuditEvent& event);

struct ApplicationRow {
  std::string id;  // public id
  std::string org_slug;
  std::string org_name;
  std::string legal_name;
  std::string domain;
  std::string contact;
  std::string legal_basis;
  std::string status;  // pending, approved, rejected
  std::string created_at;
  std::string decided_at;
  std::vector<std::string> approved_by;  // holders
  std::vector<std::string> rejected_by;
  std::string csr_pem;
  std::string certificate_pem;  // once approved
};

struct NewApplication {
  std::string public_id;
  std::string token_sha256;
  std::string org_name;  // the applicant's proposal; the application keeps the invited name
  std::string legal_name;
  std::string domain;
  std::string contact;
  std::string legal_basis;
  std::string csr_pem;
};
// Uses up the invitation. Unauthenticated for an unknown, used or expired token
// (one message for all three, so tokens cannot be probed).
Result<ApplicationRow> SubmitApplication(Connection& conn, const NewApplication& application,
                                         const v1::AuditEvent& event);

Result<std::vector<ApplicationRow>> ListApplications(Connection& conn, const std::string& status_filter);
Result<std::optional<ApplicationRow>> FindApplication(Connection& conn, const std::string& public_id);

// The credential an approval issues: made by the caller (pki/) from the
// application and the id the credential will have, inside the deciding transaction.
using IssueCredential = std::function<Result<NewCredential>(const ApplicationRow&, int64_t credential_id)>;

struct Decision {
  std::string application_id;
  int64_t credential_id = 0;  // the deciding admin's
  std::string holder;
  std::string admin_org;  // an admin may not decide for its own organisation
  bool approve = false;
  std::string reason;
};
// Records the decision. A second approval by a different holder issues the
// credential, creates the organisation and makes it a member; the same holder
// approving again counts once; any rejection ends the application.
// FailedPrecondition when the application is already decided.
Result<ApplicationRow> DecideApplication(Connection& conn, const Decision& decision, const IssueCredential& issue,
                                         const v1::AuditEvent& event);

}  // namespace exchange::store
