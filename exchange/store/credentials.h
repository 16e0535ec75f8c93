// Organisations and their credentials (client certificates).
//
// Typed rows in, typed rows out; every statement is a named constant in
// credentials.cpp. Thread-safety: functions are stateless; the Connection
// belongs to the calling worker.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/status.h"
#include "store/connection.h"

namespace exchange::store {

// A credential joined with its organisation: what the server knows of a caller.
struct CredentialRow {
  int64_t credential_id = 0;
  int64_t org_id = 0;
  std::string org_slug;
  std::string org_name;
  std::string org_status;         // "active", "suspended", "revoked"
  std::string role;               // "member", "admin", "auditor"
  std::string credential_status;  // "active", "revoked"
  std::string fingerprint;        // lowercase hex SHA-256 of the DER
  std::string not_after;          // RFC 3339 UTC
  int64_t not_after_unix = 0;
};

// std::nullopt when no credential has this fingerprint.
Result<std::optional<CredentialRow>> FindCredential(Connection& conn, const std::string& fingerprint);

struct NewCredential {
  std::string org_slug;
  std::string org_name;  // used when the organisation does not exist yet
  std::string role;
  std::string fingerprint;
  std::string serial_hex;
  std::string not_after;  // RFC 3339
  std::string certificate_pem;
};

// Registers a certificate for an organisation, creating the organisation when
// its slug is new. AlreadyExists when the fingerprint is registered.
Result<CredentialRow> RegisterCredential(Connection& conn, const NewCredential& credential);

}  // namespace exchange::store
