// SPDX-License-Identifier: Apache-2.0
// Asymmetric keys: PrivateKey (generate, load, save) and PublicKey (the half
// that goes into certificates and CSRs).
//
// Each object owns one EVP_PKEY. PrivateKey is move-only so key material is
// not duplicated by accident; PublicKey is copyable (copies share the same
// reference-counted, immutable EVP_PKEY). The raw EVP_PKEY* from get() is
// borrowed: valid while the owning object lives, never to be freed.
//
// A moved-from object may only be destroyed or assigned to.
//
// Thread-safety: const methods may be called concurrently on one object;
// anything else needs external synchronisation.
#pragma once

#include <openssl/evp.h>

#include <string>
#include <string_view>

#include "common/status.h"
#include "pki/openssl_ptr.h"

namespace exchange::pki {

class PublicKey {
 public:
  // Parses a SubjectPublicKeyInfo PEM ("-----BEGIN PUBLIC KEY-----").
  static Result<PublicKey> FromPem(std::string_view pem);
  // Shares `key` (up-refs it); `key` must be non-null. Any private half
  // `key` carries is never serialised by this class.
  static PublicKey FromEvpPkey(EVP_PKEY* key);

  // Copies share the EVP_PKEY (SharedOpenSslPtr).
  PublicKey(const PublicKey&) = default;
  PublicKey& operator=(const PublicKey&) = default;
  PublicKey(PublicKey&&) noexcept = default;
  PublicKey& operator=(PublicKey&&) noexcept = default;

  // SubjectPublicKeyInfo PEM.
  Result<std::string> ToPem() const;
  // A short human description for messages: "EC P-256", "Ed25519", "RSA-3072".
  std::string Describe() const;

  EVP_PKEY* get() const { return key_.get(); }

 private:
  explicit PublicKey(EvpPkeyPtr key) : key_(std::move(key)) {}

  SharedEvpPkeyPtr key_;  // never null, except when moved from
};

class PrivateKey {
 public:
  // A fresh key on NIST P-256 (prime256v1): the default for every credential.
  static Result<PrivateKey> GenerateP256();
  static Result<PrivateKey> GenerateEd25519();
  // Parses an unencrypted private key PEM (PKCS#8 "PRIVATE KEY", or the
  // traditional "EC PRIVATE KEY" / "RSA PRIVATE KEY"). Encrypted keys are
  // refused with InvalidArgument; nothing ever prompts for a passphrase.
  static Result<PrivateKey> FromPem(std::string_view pem);

  PrivateKey(PrivateKey&&) noexcept = default;
  PrivateKey& operator=(PrivateKey&&) noexcept = default;
  PrivateKey(const PrivateKey&) = delete;
  PrivateKey& operator=(const PrivateKey&) = delete;

  // Unencrypted PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----"). The caller
  // writes it only through common/files.h WritePrivateFile (mode 0600).
  Result<std::string> ToPem() const;
  // The public half as SubjectPublicKeyInfo PEM.
  Result<std::string> PublicKeyPem() const;
  // The public half as a PublicKey holding no private material.
  Result<PublicKey> GetPublicKey() const;

  EVP_PKEY* get() const { return key_.get(); }

 private:
  explicit PrivateKey(EvpPkeyPtr key) : key_(std::move(key)) {}

  EvpPkeyPtr key_;  // never null
};

}  // namespace exchange::pki
