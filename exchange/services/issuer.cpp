// SPDX-License-Identifier: Apache-2.0
#include "services/issuer.h"

#include "pki/crl.h"
#include "pki/csr.h"

namespace exchange::services {

inline constexpr std::chrono::hours kCrlValidity{24};

CredentialIssuer::CredentialIssuer(pki::Certificate ca, pki::PrivateKey key, std::string chain_pem,
                                   std::string ca_bundle_pem, std::chrono::seconds validity, int max_member_credentials)
    : ca_(std::move(ca)),
      key_(std::move(key)),
      chain_pem_(std::move(chain_pem)),
      ca_bundle_pem_(std::move(ca_bundle_pem)),
      validity_(validity),
      max_member_credentials_(max_member_credentials) {}

Status CredentialIssuer::CheckCsr(const std::string& csr_pem) const {
  auto csr = pki::CertificateRequest::FromPem(csr_pem);
  if (!csr.ok()) return Status::InvalidArgument("csr_pem: " + csr.status().message());
  if (Status s = csr->VerifySelfSignature(); !s.ok()) return Status::InvalidArgument("csr_pem: " + s.message());
  if (Status s = csr->CheckKeyPolicy(); !s.ok()) return Status::InvalidArgument("csr_pem: " + s.message());
  return Status::Ok();
}

Result<store::NewCredential> CredentialIssuer::Issue(const std::string& csr_pem, const std::string& org_slug,
                                                     int64_t credential_id) const {
  auto csr = pki::CertificateRequest::FromPem(csr_pem);
  if (!csr.ok()) return Status::InvalidArgument("csr_pem: " + csr.status().message());
  pki::SubjectName subject{std::to_string(credential_id), org_slug, "member"};
  auto cert = pki::IssueClientCertFromCsr(ca_, key_, *csr, subject, validity_);
  if (!cert.ok()) return cert.status();
  store::NewCredential out;
  out.org_slug = org_slug;
  out.role = Role::kMember;
  out.holder = org_slug;
  for (auto [field, value] :
       {std::pair{&out.fingerprint, cert->Sha256Fingerprint()}, std::pair{&out.serial_hex, cert->SerialHex()},
        std::pair{&out.not_after, cert->NotAfter()}, std::pair{&out.certificate_pem, cert->ToPem()}}) {
    if (!value.ok()) return value.status();
    *field = *value;
  }
  out.certificate_pem += chain_pem_;
  return out;
}

Result<std::string> CredentialIssuer::Crl(const std::vector<store::RevokedSerial>& revoked) const {
  std::vector<pki::RevokedEntry> entries;
  for (const auto& r : revoked) entries.push_back({r.serial_hex, r.revoked_at});
  return pki::MakeCrlPem(ca_, key_, entries, kCrlValidity);
}

}  // namespace exchange::services
