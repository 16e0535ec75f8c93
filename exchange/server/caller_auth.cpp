// SPDX-License-Identifier: Apache-2.0
#include "server/caller_auth.h"

#include <ctime>

#include "store/credentials.h"

namespace exchange::server {

Result<http::Caller> LoadCaller(store::Connection& conn, const std::string& fingerprint) {
  auto found = store::FindCredential(conn, fingerprint);
  if (!found.ok()) return found.status();
  if (!found->has_value()) {
    return Status::PermissionDenied("client certificate " + fingerprint +
                                    " is not registered with this exchange; ask a coalition admin to enroll it");
  }
  const store::CredentialRow& row = **found;
  if (row.credential_status != CredentialStatus::kActive) {
    return Status::PermissionDenied("this credential has been revoked");
  }
  if (row.org_status != OrgStatus::kActive) {
    return Status::PermissionDenied("organisation " + row.org_slug + " is " +
                                    std::string(OrgStatusName(row.org_status)));
  }
  if (row.not_after_unix <= std::time(nullptr))
    return Status::PermissionDenied("this certificate expired at " + row.not_after);

  return http::Caller(row);
}

}  // namespace exchange::server
