// SPDX-License-Identifier: Apache-2.0
#include "pki/certificate.h"

#include <openssl/err.h>
#include <openssl/pem.h>

#include <climits>

#include "common/hex.h"
#include "pki/openssl_support.h"

namespace exchange::pki {
namespace {

using internal::NameAttribute;
using internal::OpenSslError;
using internal::ReadOnlyBio;
using internal::Rfc3339;
using internal::WriteToBio;

}  // namespace

Result<Certificate> Certificate::FromPem(std::string_view pem) {
  ERR_clear_error();
  BioPtr bio = ReadOnlyBio(pem);
  if (!bio) return OpenSslError("certificate PEM", ErrorCode::kInvalidArgument);
  X509Ptr x509(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!x509) return OpenSslError("cannot parse certificate PEM", ErrorCode::kInvalidArgument);
  return Certificate(std::move(x509));
}

Result<Certificate> Certificate::FromDer(std::string_view der) {
  ERR_clear_error();
  if (der.size() > static_cast<std::size_t>(LONG_MAX)) {
    return Status::InvalidArgument("certificate DER too large");
  }
  const auto* begin = reinterpret_cast<const unsigned char*>(der.data());
  const unsigned char* cursor = begin;
  X509Ptr x509(d2i_X509(nullptr, &cursor, static_cast<long>(der.size())));
  if (!x509) return OpenSslError("cannot parse certificate DER", ErrorCode::kInvalidArgument);
  if (cursor != begin + der.size()) {
    return Status::InvalidArgument("certificate DER has trailing bytes");
  }
  return Certificate(std::move(x509));
}

Certificate Certificate::FromX509(X509* x509) {
  X509_up_ref(x509);
  return Certificate(X509Ptr(x509));
}

Result<std::string> Certificate::ToPem() const {
  return WriteToBio([this](BIO* bio) { return PEM_write_bio_X509(bio, x509_.get()); }, "cannot encode certificate");
}

Result<std::string> Certificate::ToDer() const {
  unsigned char* der = nullptr;
  int length = i2d_X509(x509_.get(), &der);
  if (length <= 0) return OpenSslError("cannot encode certificate");
  std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(length));
  OPENSSL_free(der);
  return out;
}

Result<std::string> Certificate::Sha256Fingerprint() const {
  Result<std::string> der = ToDer();
  if (!der.ok()) return der.status();
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(der->data(), der->size(), digest, &length, EVP_sha256(), nullptr) != 1) {
    return OpenSslError("cannot hash certificate");
  }
  return HexEncode(std::span<const uint8_t>(digest, length));
}

Result<std::string> Certificate::SubjectCommonName() const {
  return NameAttribute(X509_get_subject_name(x509_.get()), NID_commonName, "subject commonName");
}

Result<std::string> Certificate::SubjectOrganization() const {
  return NameAttribute(X509_get_subject_name(x509_.get()), NID_organizationName, "subject organizationName");
}

Result<std::string> Certificate::NotBefore() const { return Rfc3339(X509_get0_notBefore(x509_.get()), "notBefore"); }

Result<std::string> Certificate::NotAfter() const { return Rfc3339(X509_get0_notAfter(x509_.get()), "notAfter"); }

Result<std::string> Certificate::SerialHex() const { return internal::SerialHex(X509_get0_serialNumber(x509_.get())); }

bool Certificate::IsCa() const {
  // X509_get_extension_flags computes (and caches, under OpenSSL's lock)
  // the decoded extensions; EXFLAG_CA is basicConstraints cA=TRUE.
  return (X509_get_extension_flags(x509_.get()) & EXFLAG_CA) != 0;
}

Result<PublicKey> Certificate::GetPublicKey() const {
  EVP_PKEY* key = X509_get0_pubkey(x509_.get());
  if (key == nullptr) return OpenSslError("cannot decode certificate public key", ErrorCode::kInvalidArgument);
  return PublicKey::FromEvpPkey(key);
}

Result<std::vector<Certificate>> ParsePemChain(std::string_view pem) {
  ERR_clear_error();
  BioPtr bio = ReadOnlyBio(pem);
  if (!bio) return OpenSslError("certificate chain PEM", ErrorCode::kInvalidArgument);
  std::vector<Certificate> chain;
  while (true) {
    X509Ptr x509(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!x509) {
      // Running out of input is reported as PEM_R_NO_START_LINE; anything
      // else is a block that did not parse.
      unsigned long err = ERR_peek_last_error();
      if (ERR_GET_LIB(err) == ERR_LIB_PEM && ERR_GET_REASON(err) == PEM_R_NO_START_LINE) {
        ERR_clear_error();
        break;
      }
      return OpenSslError("cannot parse certificate " + std::to_string(chain.size() + 1) + " of the chain",
                          ErrorCode::kInvalidArgument);
    }
    chain.push_back(Certificate::FromX509(x509.get()));
  }
  if (chain.empty()) return Status::InvalidArgument("no certificate in PEM");
  return chain;
}

}  // namespace exchange::pki
