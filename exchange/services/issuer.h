// SPDX-License-Identifier: Apache-2.0
// CredentialIssuer: the exchange's issuing CA at work — member credentials
// from CSRs (the exchange sets the subject: O = organisation slug,
// CN = credential id) and the CRL.
//
// Thread-safety: immutable after construction; OpenSSL signing with a shared
// key is safe from several threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "pki/certificate.h"
#include "pki/key.h"
#include "store/credentials.h"

namespace exchange::services {

class CredentialIssuer {
 public:
  // `chain_pem` is what issued certificates are followed by (the issuing CA);
  // `ca_bundle_pem` is what clients should trust for the server.
  // `max_member_credentials`: how many active, unexpired credentials a member
  // organisation may hold at once when it mints its own (POST /v1/credentials).
  CredentialIssuer(pki::Certificate ca, pki::PrivateKey key, std::string chain_pem, std::string ca_bundle_pem,
                   std::chrono::seconds validity, int max_member_credentials = kDefaultMaxMemberCredentials);

  static constexpr int kDefaultMaxMemberCredentials = 10;

  // OK when the CSR parses, its self-signature verifies and its key is allowed.
  Status CheckCsr(const std::string& csr_pem) const;
  // A member credential for `org_slug`; certificate_pem holds the leaf and the chain.
  Result<store::NewCredential> Issue(const std::string& csr_pem, const std::string& org_slug,
                                     int64_t credential_id) const;
  Result<std::string> Crl(const std::vector<store::RevokedSerial>& revoked) const;
  const std::string& ca_bundle_pem() const { return ca_bundle_pem_; }
  int max_member_credentials() const { return max_member_credentials_; }

 private:
  pki::Certificate ca_;
  pki::PrivateKey key_;
  std::string chain_pem_;
  std::string ca_bundle_pem_;
  std::chrono::seconds validity_;
  int max_member_credentials_;
};

}  // namespace exchange::services
