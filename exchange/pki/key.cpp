// SPDX-License-Identifier: Apache-2.0
#include "pki/key.h"

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>

#include "pki/openssl_support.h"

namespace exchange::pki {
namespace {

using internal::OpenSslError;
using internal::ReadOnlyBio;
using internal::WriteToBio;

// A PEM passphrase callback that supplies none, so an encrypted key fails
// to load instead of prompting on the terminal.
int NoPassphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*userdata*/) { return -1; }

}  // namespace

Result<PublicKey> PublicKey::FromPem(std::string_view pem) {
  ERR_clear_error();
  BioPtr bio = ReadOnlyBio(pem);
  if (!bio) return OpenSslError("public key PEM", ErrorCode::kInvalidArgument);
  EvpPkeyPtr key(PEM_read_bio_PUBKEY(bio.get(), nullptr, NoPassphrase, nullptr));
  if (!key) return OpenSslError("cannot parse public key PEM", ErrorCode::kInvalidArgument);
  return PublicKey(std::move(key));
}

PublicKey PublicKey::FromEvpPkey(EVP_PKEY* key) {
  EVP_PKEY_up_ref(key);
  return PublicKey(EvpPkeyPtr(key));
}

Result<std::string> PublicKey::ToPem() const {
  return WriteToBio([this](BIO* bio) { return PEM_write_bio_PUBKEY(bio, key_.get()); }, "cannot encode public key");
}

std::string PublicKey::Describe() const {
  EVP_PKEY* key = key_.get();
  if (EVP_PKEY_is_a(key, "ED25519")) return "Ed25519";
  if (EVP_PKEY_is_a(key, "ED448")) return "Ed448";
  if (EVP_PKEY_is_a(key, "EC")) {
    int nid = internal::EcCurveNid(key);
    const char* nist = nid == NID_undef ? nullptr : EC_curve_nid2nist(nid);
    if (nist != nullptr) return std::string("EC ") + nist;
    const char* curve = nid == NID_undef ? nullptr : OBJ_nid2sn(nid);
    return std::string("EC ") + (curve != nullptr ? curve : "(unnamed curve)");
  }
  const char* type = EVP_PKEY_get0_type_name(key);
  std::string name = type != nullptr ? type : "unknown";
  int bits = EVP_PKEY_get_bits(key);
  if (bits > 0) name += "-" + std::to_string(bits);
  return name;
}

Result<PrivateKey> PrivateKey::GenerateP256() {
  ERR_clear_error();
  EvpPkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!key) return OpenSslError("cannot generate P-256 key");
  return PrivateKey(std::move(key));
}

Result<PrivateKey> PrivateKey::GenerateEd25519() {
  ERR_clear_error();
  EvpPkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  if (!key) return OpenSslError("cannot generate Ed25519 key");
  return PrivateKey(std::move(key));
}

Result<PrivateKey> PrivateKey::FromPem(std::string_view pem) {
  ERR_clear_error();
  BioPtr bio = ReadOnlyBio(pem);
  if (!bio) return OpenSslError("private key PEM", ErrorCode::kInvalidArgument);
  EvpPkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr));
  if (!key) {
    return OpenSslError("cannot parse private key PEM (encrypted keys are not supported)", ErrorCode::kInvalidArgument);
  }
  return PrivateKey(std::move(key));
}

Result<std::string> PrivateKey::ToPem() const {
  // PEM_write_bio_PrivateKey writes PKCS#8 in OpenSSL 3; no cipher = unencrypted.
  return WriteToBio(
      [this](BIO* bio) { return PEM_write_bio_PrivateKey(bio, key_.get(), nullptr, nullptr, 0, nullptr, nullptr); },
      "cannot encode private key");
}

Result<std::string> PrivateKey::PublicKeyPem() const {
  return WriteToBio([this](BIO* bio) { return PEM_write_bio_PUBKEY(bio, key_.get()); }, "cannot encode public key");
}

Result<PublicKey> PrivateKey::GetPublicKey() const {
  // Round-trip through SubjectPublicKeyInfo DER so the result holds no
  // private material at all.
  unsigned char* der = nullptr;
  int length = i2d_PUBKEY(key_.get(), &der);
  if (length <= 0) return OpenSslError("cannot encode public key");
  const unsigned char* cursor = der;
  EvpPkeyPtr pub(d2i_PUBKEY(nullptr, &cursor, length));
  OPENSSL_free(der);
  if (!pub) return OpenSslError("cannot decode public key");
  return PublicKey::FromEvpPkey(pub.get());
}

}  // namespace exchange::pki
