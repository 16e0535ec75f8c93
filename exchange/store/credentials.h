// SPDX-License-Identifier: Apache-2.0
// Organisations and their credentials (client certificates): lookup for
// authentication, registration, rotation, suspension and revocation, and
// what the CRL must list.
//
// Every change made by an admin or a member writes its audit event in the
// same transaction. Thread-safety: stateless functions; the Connection
// belongs to the calling worker.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/membership.h"
#include "common/status.h"
#include "exchange/v1/audit.pb.h"
#include "store/connection.h"

namespace exchange::store {

// A credential joined with its organisation: what the server knows of a caller.
struct CredentialRow : CredentialIdentity {
  OrgStatus org_status = OrgStatus::kActive;
  CredentialStatus credential_status = CredentialStatus::kActive;
  std::string serial_hex;
  int64_t not_after_unix = 0;
  std::string holder;      // who holds it (see migrations/0004_vetting.sql)
  std::string created_at;  // RFC 3339 UTC
};

// std::nullopt when no credential has this fingerprint.
Result<std::optional<CredentialRow>> FindCredential(Connection& conn, const std::string& fingerprint);

struct NewCredential {
  int64_t id = 0;  // 0: the next free id; else one from ReserveCredentialId
  std::string org_slug;
  std::string org_name;  // used when the organisation does not exist yet
  Role role = Role::kMember;
  std::string holder;
  std::string fingerprint;
  std::string serial_hex;
  std::string not_after;  // RFC 3339
  std::string certificate_pem;
  // > 0: Conflict when the organisation already holds this many active,
  // unexpired credentials (counted under the organisation's row lock, so two
  // concurrent registrations cannot both slip under the cap).
  int max_active_in_org = 0;
};

// Registers a certificate for an organisation, creating the organisation when
// its slug is new. AlreadyExists when the fingerprint is registered. With an
// `event`, appends it to the audit log in the same transaction.
Result<CredentialRow> RegisterCredential(Connection& conn, const NewCredential& credential,
                                         const std::optional<v1::AuditEvent>& event = std::nullopt);

// An id for a credential about to be issued (its certificate names it).
Result<int64_t> ReserveCredentialId(Connection& conn);

// The credentials of an organisation, newest first.
Result<std::vector<CredentialRow>> ListCredentials(Connection& conn, int64_t org_id);

struct OrganisationRow {
  int64_t id = 0;
  std::string slug;
  std::string name;
  OrgStatus status = OrgStatus::kActive;
  std::string status_reason;
  int active_credentials = 0;
  std::string created_at;
};
Result<std::vector<OrganisationRow>> ListOrganisations(Connection& conn);

// Moves an organisation to `status`.
// NotFound for an unknown slug; FailedPrecondition for a move not allowed
// (a revoked organisation stays revoked). Returns the organisation's id.
Result<int64_t> SetOrganisationStatus(Connection& conn, const std::string& slug, OrgStatus status,
                                      const std::string& reason, const v1::AuditEvent& event);

// Revokes one credential. When `only_org_id` is set the credential must
// belong to that organisation (members revoking their own); when
// `except_org_id` is set it must not (admins cannot revoke staff). NotFound otherwise.
Status RevokeCredential(Connection& conn, int64_t credential_id, std::optional<int64_t> only_org_id,
                        std::optional<int64_t> except_org_id, const std::string& reason, const v1::AuditEvent& event);

// What the CRL lists: revoked credentials (reason "revoked") and every
// credential of a suspended ("hold") or revoked organisation.
struct RevokedSerial {
  std::string serial_hex;
  int64_t revoked_at = 0;  // Unix seconds
  bool hold = false;       // suspension: certificateHold, lifted on reinstatement
};
Result<std::vector<RevokedSerial>> ListRevokedSerials(Connection& conn);

}  // namespace exchange::store
