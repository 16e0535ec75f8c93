// SPDX-License-Identifier: Apache-2.0
#include "pki/issue.h"

#include <openssl/err.h>
#include <openssl/rand.h>

#include <ctime>

#include "pki/openssl_support.h"

namespace exchange::pki {
namespace {

using internal::AppendSubjectName;
using internal::OpenSslError;
using internal::SignatureDigestFor;

constexpr long kClockSkewSeconds = 5 * 60;
constexpr int kSerialBytes = 16;
constexpr std::size_t kMaxDnsNameLength = 253;

enum class Profile { kRootCa, kIntermediateCa, kServer, kClient };

struct ExtensionSpec {
  int nid;
  const char* value;  // X509V3 config syntax
};

// What each profile puts in the certificate, besides the subjectAltName.
std::vector<ExtensionSpec> ExtensionsFor(Profile profile) {
  switch (profile) {
    case Profile::kRootCa:
      return {{NID_basic_constraints, "critical,CA:TRUE"},
              {NID_key_usage, "critical,keyCertSign,cRLSign"},
              {NID_subject_key_identifier, "hash"}};
    case Profile::kIntermediateCa:
      return {{NID_basic_constraints, "critical,CA:TRUE,pathlen:0"},
              {NID_key_usage, "critical,keyCertSign,cRLSign"},
              {NID_subject_key_identifier, "hash"},
              {NID_authority_key_identifier, "keyid:always"}};
    case Profile::kServer:
      return {{NID_basic_constraints, "critical,CA:FALSE"},
              {NID_key_usage, "critical,digitalSignature"},
              {NID_ext_key_usage, "serverAuth"},
              {NID_subject_key_identifier, "hash"},
              {NID_authority_key_identifier, "keyid:always"}};
    case Profile::kClient:
      return {{NID_basic_constraints, "critical,CA:FALSE"},
              {NID_key_usage, "critical,digitalSignature"},
              {NID_ext_key_usage, "clientAuth"},
              {NID_subject_key_identifier, "hash"},
              {NID_authority_key_identifier, "keyid:always"}};
  }
  return {};
}

Status CheckValidity(std::chrono::seconds validity) {
  if (validity <= std::chrono::seconds::zero() || validity > kMaxValidity) {
    return Status::InvalidArgument("validity must be positive and at most 50 years");
  }
  return Status::Ok();
}

Status SetRandomSerial(X509* x509) {
  unsigned char bytes[kSerialBytes];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) return OpenSslError("cannot draw a serial number");
  // Clear the top bit so the INTEGER is positive without a pad byte, and set
  // the next one so it always takes all 16 bytes (126 random bits remain).
  bytes[0] = static_cast<unsigned char>((bytes[0] & 0x7f) | 0x40);
  BigNumPtr bn(BN_bin2bn(bytes, sizeof(bytes), nullptr));
  if (!bn || BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(x509)) == nullptr) {
    return OpenSslError("cannot set serial number");
  }
  return Status::Ok();
}

Status SetValidity(X509* x509, const X509* issuer, std::chrono::seconds validity) {
  std::time_t now = std::time(nullptr);
  long long total = validity.count();
  if (ASN1_TIME_adj(X509_getm_notBefore(x509), now, 0, -kClockSkewSeconds) == nullptr ||
      ASN1_TIME_adj(X509_getm_notAfter(x509), now, static_cast<int>(total / 86400), static_cast<long>(total % 86400)) ==
          nullptr) {
    return OpenSslError("cannot set validity");
  }
  if (issuer != nullptr && ASN1_TIME_compare(X509_get0_notAfter(x509), X509_get0_notAfter(issuer)) > 0 &&
      X509_set1_notAfter(x509, X509_get0_notAfter(issuer)) != 1) {
    return OpenSslError("cannot clamp validity to the issuer's");
  }
  return Status::Ok();
}

Status AddExtensions(X509* x509, X509* issuer, Profile profile) {
  X509V3_CTX ctx{};
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer != nullptr ? issuer : x509, x509, nullptr, nullptr, 0);
  for (const ExtensionSpec& spec : ExtensionsFor(profile)) {
    X509ExtensionPtr ext(X509V3_EXT_nconf_nid(nullptr, &ctx, spec.nid, spec.value));
    if (!ext || X509_add_ext(x509, ext.get(), -1) != 1) {
      return OpenSslError(std::string("cannot add extension ") + OBJ_nid2sn(spec.nid));
    }
  }
  return Status::Ok();
}

// Letters, digits and '-' in labels of 1..63, no leading or trailing '-';
// a leading "*." wildcard label is allowed.
bool IsValidDnsName(std::string_view name) {
  if (name.starts_with("*.")) name.remove_prefix(2);
  if (name.empty() || name.size() > kMaxDnsNameLength) return false;
  std::size_t label_length = 0;
  char previous = '.';
  for (char c : name) {
    if (c == '.') {
      if (label_length == 0 || previous == '-') return false;
      label_length = 0;
    } else {
      bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      if (!alnum && !(c == '-' && label_length > 0)) return false;
      if (++label_length > 63) return false;
    }
    previous = c;
  }
  return label_length > 0 && previous != '-';
}

Result<GeneralNamesPtr> BuildSubjectAltNames(const std::vector<std::string>& dns_names,
                                             const std::vector<std::string>& ip_addresses) {
  GeneralNamesPtr names(sk_GENERAL_NAME_new_null());
  if (!names) return OpenSslError("cannot build subjectAltName");
  for (const std::string& dns : dns_names) {
    if (!IsValidDnsName(dns)) return Status::InvalidArgument("invalid DNS name: " + dns);
    GeneralNamePtr name(GENERAL_NAME_new());
    ASN1_IA5STRING* text = ASN1_IA5STRING_new();
    if (!name || text == nullptr || ASN1_STRING_set(text, dns.data(), static_cast<int>(dns.size())) != 1) {
      ASN1_IA5STRING_free(text);
      return OpenSslError("cannot build subjectAltName");
    }
    GENERAL_NAME_set0_value(name.get(), GEN_DNS, text);
    if (sk_GENERAL_NAME_push(names.get(), name.get()) <= 0) {
      return OpenSslError("cannot build subjectAltName");
    }
    name.release();  // now owned by `names`
  }
  for (const std::string& ip : ip_addresses) {
    Asn1OctetStringPtr address(a2i_IPADDRESS(ip.c_str()));
    if (!address) {
      ERR_clear_error();
      return Status::InvalidArgument("invalid IP address: " + ip);
    }
    GeneralNamePtr name(GENERAL_NAME_new());
    if (!name) return OpenSslError("cannot build subjectAltName");
    GENERAL_NAME_set0_value(name.get(), GEN_IPADD, address.release());
    if (sk_GENERAL_NAME_push(names.get(), name.get()) <= 0) {
      return OpenSslError("cannot build subjectAltName");
    }
    name.release();
  }
  return names;
}

// Builds, signs and re-parses one certificate. `issuer` null means
// self-signed by `signing_key`, whose public half is then the subject key.
Result<Certificate> Issue(Profile profile, const Certificate* issuer, const PrivateKey& signing_key,
                          EVP_PKEY* subject_key, const SubjectName& subject, std::chrono::seconds validity,
                          const GENERAL_NAMES* subject_alt_names) {
  ERR_clear_error();
  if (Status s = CheckValidity(validity); !s.ok()) return s;
  X509* issuer_x509 = issuer != nullptr ? issuer->get() : nullptr;
  if (issuer_x509 != nullptr) {
    if (X509_check_private_key(issuer_x509, signing_key.get()) != 1) {
      return OpenSslError("issuer key does not match issuer certificate", ErrorCode::kInvalidArgument);
    }
    if (!issuer->IsCa()) {
      return Status::FailedPrecondition("issuer certificate is not a CA");
    }
    if (profile == Profile::kIntermediateCa && X509_get_pathlen(issuer_x509) == 0) {
      return Status::FailedPrecondition("issuer CA has pathlen:0 and may not sign CAs");
    }
    if (X509_cmp_current_time(X509_get0_notAfter(issuer_x509)) <= 0) {
      return Status::FailedPrecondition("issuer certificate has expired");
    }
  }

  X509Ptr x509(X509_new());
  if (!x509 || X509_set_version(x509.get(), X509_VERSION_3) != 1) {
    return OpenSslError("cannot create certificate");
  }
  if (Status s = SetRandomSerial(x509.get()); !s.ok()) return s;
  if (Status s = AppendSubjectName(X509_get_subject_name(x509.get()), subject); !s.ok()) {
    return s;
  }
  const X509_NAME* issuer_name =
      issuer_x509 != nullptr ? X509_get_subject_name(issuer_x509) : X509_get_subject_name(x509.get());
  if (X509_set_issuer_name(x509.get(), issuer_name) != 1) {
    return OpenSslError("cannot set issuer name");
  }
  if (Status s = SetValidity(x509.get(), issuer_x509, validity); !s.ok()) return s;
  if (X509_set_pubkey(x509.get(), subject_key) != 1) {
    return OpenSslError("cannot set subject public key", ErrorCode::kInvalidArgument);
  }
  if (Status s = AddExtensions(x509.get(), issuer_x509, profile); !s.ok()) return s;
  if (subject_alt_names != nullptr &&
      X509_add1_ext_i2d(x509.get(), NID_subject_alt_name, const_cast<GENERAL_NAMES*>(subject_alt_names), 0,
                        X509V3_ADD_DEFAULT) != 1) {
    return OpenSslError("cannot add subjectAltName");
  }
  if (X509_sign(x509.get(), signing_key.get(), SignatureDigestFor(signing_key.get())) <= 0) {
    return OpenSslError("cannot sign certificate");
  }
  // Hand back the certificate as any reader will see it: parsed from its
  // final DER, with no state left over from construction.
  Certificate built = Certificate::FromX509(x509.get());
  Result<std::string> der = built.ToDer();
  if (!der.ok()) return der.status();
  return Certificate::FromDer(*der);
}

}  // namespace

Result<Certificate> MakeRootCa(const PrivateKey& key, const SubjectName& subject, std::chrono::seconds validity) {
  return Issue(Profile::kRootCa, nullptr, key, key.get(), subject, validity, nullptr);
}

Result<Certificate> IssueIntermediateCa(const Certificate& parent, const PrivateKey& parent_key,
                                        const PublicKey& subject_key, const SubjectName& subject,
                                        std::chrono::seconds validity) {
  return Issue(Profile::kIntermediateCa, &parent, parent_key, subject_key.get(), subject, validity, nullptr);
}

Result<Certificate> IssueServerCert(const Certificate& issuer, const PrivateKey& issuer_key,
                                    const PublicKey& subject_key, const SubjectName& subject,
                                    const std::vector<std::string>& dns_names,
                                    const std::vector<std::string>& ip_addresses, std::chrono::seconds validity) {
  if (dns_names.empty() && ip_addresses.empty()) {
    return Status::InvalidArgument("a server certificate needs at least one DNS name or IP");
  }
  Result<GeneralNamesPtr> names = BuildSubjectAltNames(dns_names, ip_addresses);
  if (!names.ok()) return names.status();
  return Issue(Profile::kServer, &issuer, issuer_key, subject_key.get(), subject, validity, names->get());
}

Result<Certificate> IssueClientCert(const Certificate& issuer, const PrivateKey& issuer_key,
                                    const PublicKey& subject_key, const SubjectName& subject,
                                    std::chrono::seconds validity) {
  return Issue(Profile::kClient, &issuer, issuer_key, subject_key.get(), subject, validity, nullptr);
}

}  // namespace exchange::pki
