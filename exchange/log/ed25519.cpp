// SPDX-License-Identifier: Apache-2.0
#include "log/ed25519.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <memory>

#include "log/encoding.h"

namespace exchange::log {
namespace {

struct PkeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

PkeyPtr PrivateKey(const Ed25519Seed& seed) {
  return PkeyPtr(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size()));
}

}  // namespace

Result<Ed25519Seed> GenerateEd25519Seed() {
  Ed25519Seed seed;
  if (RAND_bytes(seed.data(), static_cast<int>(seed.size())) != 1) {
    return Status::Internal("RAND_bytes failed");
  }
  return seed;
}

Result<Ed25519PublicKey> Ed25519PublicKeyFromSeed(const Ed25519Seed& seed) {
  PkeyPtr key = PrivateKey(seed);
  Ed25519PublicKey public_key;
  size_t length = public_key.size();
  if (!key || EVP_PKEY_get_raw_public_key(key.get(), public_key.data(), &length) != 1 || length != public_key.size()) {
    return Status::Internal("cannot derive the Ed25519 public key");
  }
  return public_key;
}

Result<Ed25519Signature> Ed25519Sign(const Ed25519Seed& seed, std::string_view message) {
  PkeyPtr key = PrivateKey(seed);
  MdCtxPtr ctx(EVP_MD_CTX_new());
  Ed25519Signature signature;
  size_t length = signature.size();
  if (!key || !ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), signature.data(), &length, AsBytes(message).data(), message.size()) != 1 ||
      length != signature.size()) {
    return Status::Internal("Ed25519 signing failed");
  }
  return signature;
}

bool Ed25519Verify(const Ed25519PublicKey& public_key, std::string_view message, std::span<const uint8_t> signature) {
  if (signature.size() != Ed25519Signature().size()) return false;
  PkeyPtr key(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, public_key.data(), public_key.size()));
  MdCtxPtr ctx(EVP_MD_CTX_new());
  return key && ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) == 1 &&
         EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), AsBytes(message).data(), message.size()) == 1;
}

}  // namespace exchange::log
