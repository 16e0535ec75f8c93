// SPDX-License-Identifier: Apache-2.0
#include "pki/signature.h"

#include <openssl/evp.h>

#include "pki/openssl_ptr.h"

namespace exchange::pki {
namespace {

bool IsEd25519(EVP_PKEY* key) { return EVP_PKEY_get_id(key) == EVP_PKEY_ED25519; }

}  // namespace

Result<std::string> SignEd25519(const PrivateKey& key, std::string_view data) {
  if (!IsEd25519(key.get())) return Status::InvalidArgument("the report key must be Ed25519");
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  std::size_t length = 0;
  const auto* bytes = reinterpret_cast<const unsigned char*>(data.data());
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &length, bytes, data.size()) != 1) {
    return Status::Internal("cannot sign with the report key");
  }
  std::string signature(length, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length, bytes, data.size()) != 1) {
    return Status::Internal("cannot sign with the report key");
  }
  signature.resize(length);
  return signature;
}

Status VerifyEd25519(const PublicKey& key, std::string_view data, std::string_view signature) {
  if (!IsEd25519(key.get())) return Status::InvalidArgument("the key is not Ed25519");
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1) {
    return Status::Internal("cannot set up Ed25519 verification");
  }
  if (EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                       reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1) {
    return Status::Unauthenticated("the signature does not verify");
  }
  return Status::Ok();
}

}  // namespace exchange::pki
