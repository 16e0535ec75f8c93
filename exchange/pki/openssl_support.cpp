// SPDX-License-Identifier: Apache-2.0
#include "pki/openssl_support.h"

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/objects.h>

#include <climits>
#include <ctime>

#include "common/hex.h"

namespace exchange::pki::internal {
namespace {

Status AppendEntry(X509_NAME* name, int nid, const std::string& value, const char* label) {
  if (value.empty()) return Status::Ok();
  if (value.size() > static_cast<std::size_t>(INT_MAX) ||
      X509_NAME_add_entry_by_NID(name, nid, MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(value.data()),
                                 static_cast<int>(value.size()), -1, 0) != 1) {
    return OpenSslError(std::string("invalid subject ") + label, ErrorCode::kInvalidArgument);
  }
  return Status::Ok();
}

}  // namespace

Status OpenSslError(std::string_view what, ErrorCode code) {
  std::string message(what);
  char buffer[256];
  bool first = true;
  while (unsigned long err = ERR_get_error()) {
    ERR_error_string_n(err, buffer, sizeof(buffer));
    message += first ? ": " : "; ";
    message += buffer;
    first = false;
  }
  return Status(code == ErrorCode::kOk ? ErrorCode::kInternal : code, std::move(message));
}

BioPtr ReadOnlyBio(std::string_view data) {
  if (data.size() > static_cast<std::size_t>(INT_MAX)) {
    ERR_raise(ERR_LIB_BIO, ERR_R_PASSED_INVALID_ARGUMENT);
    return nullptr;
  }
  return BioPtr(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

Result<std::string> WriteToBio(const std::function<int(BIO*)>& write, std::string_view failure) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || write(bio.get()) != 1) return OpenSslError(failure);
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  if (size <= 0 || data == nullptr) return std::string();
  return std::string(data, static_cast<std::size_t>(size));
}

Status AppendSubjectName(X509_NAME* name, const SubjectName& subject) {
  if (subject.common_name.empty()) return Status::InvalidArgument("subject commonName is empty");
  if (Status s = AppendEntry(name, NID_organizationName, subject.organization, "organization"); !s.ok()) {
    return s;
  }
  if (Status s = AppendEntry(name, NID_organizationalUnitName, subject.organizational_unit, "organizationalUnit");
      !s.ok()) {
    return s;
  }
  return AppendEntry(name, NID_commonName, subject.common_name, "commonName");
}

int EcCurveNid(const EVP_PKEY* key) {
  if (!EVP_PKEY_is_a(key, "EC")) return NID_undef;
  char group[80] = {};
  std::size_t length = 0;
  if (EVP_PKEY_get_group_name(key, group, sizeof(group), &length) != 1) {
    ERR_clear_error();
    return NID_undef;
  }
  int nid = OBJ_txt2nid(group);
  return nid != NID_undef ? nid : EC_curve_nist2nid(group);
}

Result<std::string> NameAttribute(const X509_NAME* name, int nid, std::string_view label) {
  int index = X509_NAME_get_index_by_NID(name, nid, -1);
  if (index < 0) return std::string();
  const ASN1_STRING* value = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
  unsigned char* utf8 = nullptr;
  int length = ASN1_STRING_to_UTF8(&utf8, value);
  if (length < 0) {
    return OpenSslError("cannot decode " + std::string(label), ErrorCode::kInvalidArgument);
  }
  std::string out(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(length));
  OPENSSL_free(utf8);
  return out;
}

Result<std::string> SerialHex(const ASN1_INTEGER* serial) {
  BigNumPtr bn(ASN1_INTEGER_to_BN(serial, nullptr));
  if (!bn) return OpenSslError("cannot decode serial number", ErrorCode::kInvalidArgument);
  std::string bytes(static_cast<std::size_t>(BN_num_bytes(bn.get())), '\0');
  BN_bn2bin(bn.get(), reinterpret_cast<unsigned char*>(bytes.data()));
  if (bytes.empty()) return std::string("00");
  std::string out = BN_is_negative(bn.get()) ? "-" : "";
  out += HexEncode(bytes);
  return out;
}

Result<std::string> Rfc3339(const ASN1_TIME* time, std::string_view label) {
  std::tm tm{};
  if (time == nullptr || ASN1_TIME_to_tm(time, &tm) != 1) {
    return OpenSslError("cannot decode " + std::string(label), ErrorCode::kInvalidArgument);
  }
  char buffer[32];
  std::size_t length = std::strftime(buffer, sizeof(buffer), "%Y-%m-%dT%H:%M:%SZ", &tm);
  if (length == 0) return Status::InvalidArgument(std::string(label) + " out of range");
  return std::string(buffer, length);
}

const EVP_MD* SignatureDigestFor(const EVP_PKEY* key) {
  if (EVP_PKEY_is_a(key, "ED25519") || EVP_PKEY_is_a(key, "ED448")) return nullptr;
  return EVP_sha256();
}

}  // namespace exchange::pki::internal
