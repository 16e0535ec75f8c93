// SPDX-License-Identifier: Apache-2.0
#include "pki/csr.h"

#include <openssl/err.h>
#include <openssl/pem.h>

#include "pki/issue.h"
#include "pki/openssl_support.h"

namespace exchange::pki {
namespace {

using internal::AppendSubjectName;
using internal::EcCurveNid;
using internal::OpenSslError;
using internal::ReadOnlyBio;
using internal::SignatureDigestFor;
using internal::WriteToBio;

constexpr int kMinRsaBits = 3072;
constexpr std::string_view kWhitespace = " \t\r\n";

bool IsBlank(std::string_view text) { return text.find_first_not_of(kWhitespace) == std::string_view::npos; }

}  // namespace

Result<CertificateRequest> CertificateRequest::Create(const PrivateKey& key, const SubjectName& subject) {
  ERR_clear_error();
  X509ReqPtr req(X509_REQ_new());
  if (!req || X509_REQ_set_version(req.get(), X509_REQ_VERSION_1) != 1) {
    return OpenSslError("cannot create CSR");
  }
  if (Status s = AppendSubjectName(X509_REQ_get_subject_name(req.get()), subject); !s.ok()) {
    return s;
  }
  if (X509_REQ_set_pubkey(req.get(), key.get()) != 1) {
    return OpenSslError("cannot set CSR public key");
  }
  if (X509_REQ_sign(req.get(), key.get(), SignatureDigestFor(key.get())) <= 0) {
    return OpenSslError("cannot sign CSR");
  }
  return CertificateRequest(std::move(req));
}

Result<CertificateRequest> CertificateRequest::FromPem(std::string_view pem) {
  ERR_clear_error();
  if (pem.size() > kMaxCsrPemBytes) {
    return Status::PayloadTooLarge("CSR PEM exceeds " + std::to_string(kMaxCsrPemBytes) + " bytes");
  }
  // PEM_read_bio_* would skip arbitrary text before the block and ignore
  // whatever follows; a CSR is accepted only as a lone block.
  std::size_t start = pem.find_first_not_of(kWhitespace);
  if (start == std::string_view::npos || !pem.substr(start).starts_with("-----BEGIN CERTIFICATE REQUEST-----")) {
    return Status::InvalidArgument("CSR PEM must start with -----BEGIN CERTIFICATE REQUEST-----");
  }
  BioPtr bio = ReadOnlyBio(pem);
  if (!bio) return OpenSslError("CSR PEM", ErrorCode::kInvalidArgument);
  X509ReqPtr req(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
  if (!req) return OpenSslError("cannot parse CSR PEM", ErrorCode::kInvalidArgument);
  char* rest = nullptr;
  long rest_length = BIO_get_mem_data(bio.get(), &rest);
  if (rest_length > 0 && !IsBlank(std::string_view(rest, static_cast<std::size_t>(rest_length)))) {
    return Status::InvalidArgument("unexpected data after the CSR PEM block");
  }
  if (X509_REQ_get0_pubkey(req.get()) == nullptr) {
    return OpenSslError("CSR public key does not parse", ErrorCode::kInvalidArgument);
  }
  return CertificateRequest(std::move(req));
}

Result<std::string> CertificateRequest::ToPem() const {
  return WriteToBio([this](BIO* bio) { return PEM_write_bio_X509_REQ(bio, req_.get()); }, "cannot encode CSR");
}

Status CertificateRequest::VerifySelfSignature() const {
  ERR_clear_error();
  EVP_PKEY* key = X509_REQ_get0_pubkey(req_.get());
  if (key == nullptr) return OpenSslError("CSR has no usable public key", ErrorCode::kInvalidArgument);
  if (X509_REQ_verify(req_.get(), key) != 1) {
    return OpenSslError("CSR self-signature does not verify", ErrorCode::kInvalidArgument);
  }
  return Status::Ok();
}

Status CertificateRequest::CheckKeyPolicy() const {
  EVP_PKEY* key = X509_REQ_get0_pubkey(req_.get());
  if (key == nullptr) return OpenSslError("CSR has no usable public key", ErrorCode::kInvalidArgument);
  bool accepted = false;
  if (EVP_PKEY_is_a(key, "ED25519")) {
    accepted = true;
  } else if (EVP_PKEY_is_a(key, "EC")) {
    int nid = EcCurveNid(key);
    accepted = nid == NID_X9_62_prime256v1 || nid == NID_secp384r1;
  } else if (EVP_PKEY_is_a(key, "RSA")) {
    accepted = EVP_PKEY_get_bits(key) >= kMinRsaBits;
  }
  if (accepted) return Status::Ok();
  return Status::InvalidArgument("CSR key " + PublicKey::FromEvpPkey(key).Describe() +
                                 " is not accepted; use EC P-256, EC P-384, Ed25519 or RSA of at "
                                 "least 3072 bits");
}

Result<PublicKey> CertificateRequest::GetPublicKey() const {
  EVP_PKEY* key = X509_REQ_get0_pubkey(req_.get());
  if (key == nullptr) return OpenSslError("CSR has no usable public key", ErrorCode::kInvalidArgument);
  return PublicKey::FromEvpPkey(key);
}

Result<Certificate> IssueClientCertFromCsr(const Certificate& issuer, const PrivateKey& issuer_key,
                                           const CertificateRequest& csr, const SubjectName& subject,
                                           std::chrono::seconds validity) {
  if (Status s = csr.VerifySelfSignature(); !s.ok()) return s;
  if (Status s = csr.CheckKeyPolicy(); !s.ok()) return s;
  Result<PublicKey> key = csr.GetPublicKey();
  if (!key.ok()) return key.status();
  // Only the key comes from the CSR; `subject` replaces whatever it asked for.
  return IssueClientCert(issuer, issuer_key, *key, subject, validity);
}

}  // namespace exchange::pki
