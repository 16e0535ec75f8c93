// SPDX-License-Identifier: Apache-2.0
#include "pki/crl.h"

#include <openssl/err.h>
#include <openssl/pem.h>

#include <ctime>
#include <set>

#include "pki/issue.h"
#include "pki/openssl_support.h"

namespace exchange::pki {
namespace {

using internal::OpenSslError;
using internal::ReadOnlyBio;
using internal::Rfc3339;
using internal::SignatureDigestFor;
using internal::WriteToBio;

constexpr std::size_t kMaxSerialHexDigits = 40;  // RFC 5280: at most 20 octets

// The serial as a canonical lowercase hex string of whole bytes, or "" when
// `hex` is not 1..40 hex digits.
std::string CanonicalSerial(std::string_view hex) {
  if (hex.empty() || hex.size() > kMaxSerialHexDigits) return {};
  std::string out;
  if (hex.size() % 2 == 1) out.push_back('0');
  for (char c : hex) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
    bool digit = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    if (!digit) return {};
    out.push_back(c);
  }
  // Leading zero bytes do not change the number; drop them but keep one byte.
  std::size_t zeros = 0;
  while (zeros + 2 < out.size() && out.compare(zeros, 2, "00") == 0) zeros += 2;
  return out.substr(zeros);
}

Result<Asn1IntegerPtr> SerialToAsn1(const std::string& canonical_hex) {
  BIGNUM* raw = nullptr;
  if (BN_hex2bn(&raw, canonical_hex.c_str()) != static_cast<int>(canonical_hex.size())) {
    BN_free(raw);
    return OpenSslError("cannot parse serial " + canonical_hex, ErrorCode::kInvalidArgument);
  }
  BigNumPtr bn(raw);
  Asn1IntegerPtr serial(BN_to_ASN1_INTEGER(bn.get(), nullptr));
  if (!serial) return OpenSslError("cannot encode serial " + canonical_hex);
  return serial;
}

Status AddRevoked(X509_CRL* crl, const RevokedEntry& entry, const std::string& canonical) {
  Result<Asn1IntegerPtr> serial = SerialToAsn1(canonical);
  if (!serial.ok()) return serial.status();
  X509RevokedPtr revoked(X509_REVOKED_new());
  Asn1TimePtr when(ASN1_TIME_set(nullptr, static_cast<std::time_t>(entry.revoked_at)));
  if (!revoked || !when || X509_REVOKED_set_serialNumber(revoked.get(), serial->get()) != 1 ||
      X509_REVOKED_set_revocationDate(revoked.get(), when.get()) != 1) {
    return OpenSslError("cannot build revoked entry " + entry.serial_hex);
  }
  if (X509_CRL_add0_revoked(crl, revoked.get()) != 1) {
    return OpenSslError("cannot add revoked entry " + entry.serial_hex);
  }
  revoked.release();  // now owned by `crl`
  return Status::Ok();
}

}  // namespace

Result<std::string> MakeCrlPem(const Certificate& issuer, const PrivateKey& issuer_key,
                               const std::vector<RevokedEntry>& revoked, std::chrono::seconds next_update) {
  ERR_clear_error();
  if (next_update <= std::chrono::seconds::zero() || next_update > kMaxValidity) {
    return Status::InvalidArgument("next_update must be positive and at most 50 years");
  }
  if (X509_check_private_key(issuer.get(), issuer_key.get()) != 1) {
    return OpenSslError("issuer key does not match issuer certificate", ErrorCode::kInvalidArgument);
  }
  if (!issuer.IsCa() || (X509_get_key_usage(issuer.get()) & KU_CRL_SIGN) == 0) {
    return Status::FailedPrecondition("issuer certificate may not sign CRLs");
  }

  X509CrlPtr crl(X509_CRL_new());
  if (!crl || X509_CRL_set_version(crl.get(), X509_CRL_VERSION_2) != 1 ||
      X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(issuer.get())) != 1) {
    return OpenSslError("cannot create CRL");
  }
  std::time_t now = std::time(nullptr);
  long long ahead = next_update.count();
  Asn1TimePtr this_update(ASN1_TIME_set(nullptr, now));
  Asn1TimePtr next(ASN1_TIME_adj(nullptr, now, static_cast<int>(ahead / 86400), static_cast<long>(ahead % 86400)));
  if (!this_update || !next || X509_CRL_set1_lastUpdate(crl.get(), this_update.get()) != 1 ||
      X509_CRL_set1_nextUpdate(crl.get(), next.get()) != 1) {
    return OpenSslError("cannot set CRL validity");
  }

  std::set<std::string> seen;
  for (const RevokedEntry& entry : revoked) {
    std::string canonical = CanonicalSerial(entry.serial_hex);
    if (canonical.empty()) {
      return Status::InvalidArgument("malformed serial: \"" + entry.serial_hex + "\"");
    }
    if (!seen.insert(canonical).second) {
      return Status::InvalidArgument("serial listed twice: " + entry.serial_hex);
    }
    if (Status s = AddRevoked(crl.get(), entry, canonical); !s.ok()) return s;
  }
  if (X509_CRL_sort(crl.get()) != 1) return OpenSslError("cannot sort CRL");

  X509V3_CTX ctx{};
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer.get(), nullptr, nullptr, crl.get(), 0);
  X509ExtensionPtr aki(X509V3_EXT_nconf_nid(nullptr, &ctx, NID_authority_key_identifier, "keyid:always"));
  if (!aki || X509_CRL_add_ext(crl.get(), aki.get(), -1) != 1) {
    return OpenSslError("cannot add authorityKeyIdentifier to CRL");
  }
  Asn1IntegerPtr number(ASN1_INTEGER_new());
  if (!number || ASN1_INTEGER_set_int64(number.get(), static_cast<std::int64_t>(now)) != 1 ||
      X509_CRL_add1_ext_i2d(crl.get(), NID_crl_number, number.get(), 0, X509V3_ADD_DEFAULT) != 1) {
    return OpenSslError("cannot add cRLNumber to CRL");
  }

  if (X509_CRL_sign(crl.get(), issuer_key.get(), SignatureDigestFor(issuer_key.get())) <= 0) {
    return OpenSslError("cannot sign CRL");
  }
  return WriteToBio([&crl](BIO* bio) { return PEM_write_bio_X509_CRL(bio, crl.get()); }, "cannot encode CRL");
}

Result<CrlInfo> ParseCrl(std::string_view pem) {
  ERR_clear_error();
  BioPtr bio = ReadOnlyBio(pem);
  if (!bio) return OpenSslError("CRL PEM", ErrorCode::kInvalidArgument);
  X509CrlPtr crl(PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr));
  if (!crl) return OpenSslError("cannot parse CRL PEM", ErrorCode::kInvalidArgument);

  CrlInfo info;
  Result<std::string> issuer = internal::NameAttribute(X509_CRL_get_issuer(crl.get()), NID_commonName, "CRL issuer");
  if (!issuer.ok()) return issuer.status();
  info.issuer_common_name = std::move(issuer).value();
  Result<std::string> this_update = Rfc3339(X509_CRL_get0_lastUpdate(crl.get()), "thisUpdate");
  if (!this_update.ok()) return this_update.status();
  info.this_update = std::move(this_update).value();
  if (const ASN1_TIME* next = X509_CRL_get0_nextUpdate(crl.get()); next != nullptr) {
    Result<std::string> next_update = Rfc3339(next, "nextUpdate");
    if (!next_update.ok()) return next_update.status();
    info.next_update = std::move(next_update).value();
  }

  STACK_OF(X509_REVOKED)* entries = X509_CRL_get_REVOKED(crl.get());
  for (int i = 0; i < sk_X509_REVOKED_num(entries); ++i) {
    const X509_REVOKED* entry = sk_X509_REVOKED_value(entries, i);
    Result<std::string> serial = internal::SerialHex(X509_REVOKED_get0_serialNumber(entry));
    if (!serial.ok()) return serial.status();
    std::tm tm{};
    if (ASN1_TIME_to_tm(X509_REVOKED_get0_revocationDate(entry), &tm) != 1) {
      return OpenSslError("cannot decode revocation date", ErrorCode::kInvalidArgument);
    }
    info.revoked.push_back({std::move(serial).value(), static_cast<std::int64_t>(timegm(&tm))});
  }
  return info;
}

}  // namespace exchange::pki
