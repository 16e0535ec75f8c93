// SPDX-License-Identifier: Apache-2.0
// CertificateRequest: a PKCS#10 CSR, as an applicant sends it at enrollment,
// and issuance of a client certificate from one.
//
// The exchange trusts only the CSR's public key, and only after the
// self-signature verifies (proof the applicant holds the private key) and
// the key passes the policy. The subject is always chosen by the exchange;
// whatever the CSR asks for is ignored.
//
// A CertificateRequest owns one X509_REQ and is move-only. A moved-from
// object may only be destroyed or assigned to.
//
// Thread-safety: const methods may be called concurrently.
#pragma once

#include <openssl/x509.h>

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "common/status.h"
#include "pki/certificate.h"
#include "pki/key.h"
#include "pki/openssl_ptr.h"
#include "pki/subject_name.h"

namespace exchange::pki {

// The largest CSR PEM FromPem reads; a P-256 or RSA-4096 CSR is well under.
inline constexpr std::size_t kMaxCsrPemBytes = 16 * 1024;

class CertificateRequest {
 public:
  // A CSR for `key`'s public half with `subject`, signed by `key`.
  static Result<CertificateRequest> Create(const PrivateKey& key, const SubjectName& subject);
  // Strict: at most kMaxCsrPemBytes (PayloadTooLarge otherwise), exactly one
  // "CERTIFICATE REQUEST" block with only whitespace around it. Does not
  // verify the signature or the key; call VerifySelfSignature and
  // CheckKeyPolicy (IssueClientCertFromCsr calls both).
  static Result<CertificateRequest> FromPem(std::string_view pem);

  CertificateRequest(CertificateRequest&&) noexcept = default;
  CertificateRequest& operator=(CertificateRequest&&) noexcept = default;
  CertificateRequest(const CertificateRequest&) = delete;
  CertificateRequest& operator=(const CertificateRequest&) = delete;

  Result<std::string> ToPem() const;

  // OK when the CSR is signed by the private key matching its public key.
  // InvalidArgument otherwise (e.g. the CSR was altered after signing).
  Status VerifySelfSignature() const;

  // OK for EC P-256 / P-384, Ed25519, and RSA of at least 3072 bits;
  // InvalidArgument naming the key otherwise.
  Status CheckKeyPolicy() const;

  Result<PublicKey> GetPublicKey() const;

  X509_REQ* get() const { return req_.get(); }

 private:
  explicit CertificateRequest(X509ReqPtr req) : req_(std::move(req)) {}

  X509ReqPtr req_;  // never null, except when moved from
};

// Verifies `csr` (self-signature, key policy), then issues a client
// certificate (see IssueClientCert) for its public key with `subject` as
// chosen by the exchange, e.g. {credential id, organisation slug}.
Result<Certificate> IssueClientCertFromCsr(const Certificate& issuer, const PrivateKey& issuer_key,
                                           const CertificateRequest& csr, const SubjectName& subject,
                                           std::chrono::seconds validity);

}  // namespace exchange::pki
