// SPDX-License-Identifier: Apache-2.0
// Certificate revocation lists: signing one for the issuing CA, and reading
// one back (used by tests and diagnostics).
//
// MakeCrlPem writes a v2 CRL: thisUpdate = now, nextUpdate = now +
// next_update, the revoked serials sorted, an authorityKeyIdentifier, and a
// cRLNumber equal to thisUpdate in Unix seconds (so later CRLs carry larger
// numbers without the exchange storing a counter). SHA-256 signature, or no
// separate digest for an Ed25519/Ed448 issuer key.
//
// Stateless functions; they own nothing past the call. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "pki/certificate.h"
#include "pki/key.h"

namespace exchange::pki {

struct RevokedEntry {
  std::string serial_hex;       // as Certificate::SerialHex(): hex, either case, 1..40 digits
  std::int64_t revoked_at = 0;  // Unix seconds (UTC)
};

// A PEM "X509 CRL" signed by `issuer_key`, listing `revoked` (may be empty).
// InvalidArgument for a malformed or duplicate serial, a key that does not
// match `issuer`, or next_update not in (0, 50 years]; FailedPrecondition
// when `issuer` is not a CA allowed to sign CRLs.
Result<std::string> MakeCrlPem(const Certificate& issuer, const PrivateKey& issuer_key,
                               const std::vector<RevokedEntry>& revoked, std::chrono::seconds next_update);

struct CrlInfo {
  std::string issuer_common_name;
  std::string this_update;            // RFC 3339 UTC
  std::string next_update;            // RFC 3339 UTC; "" when absent
  std::vector<RevokedEntry> revoked;  // in CRL order; serial_hex lowercase
};

// Parses one PEM CRL. Does not verify its signature: a reader that relies
// on the contents verifies it (TLS stacks do) against the issuing CA.
Result<CrlInfo> ParseCrl(std::string_view pem);

}  // namespace exchange::pki
