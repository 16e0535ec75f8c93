// SPDX-License-Identifier: Apache-2.0
#include "log/hash.h"

#include <openssl/evp.h>

#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <string>

#include "log/encoding.h"

namespace exchange::log {
namespace {

// SHA-256 over the concatenation of `parts`. A digest failure here means the
// OpenSSL library itself is unusable (no memory, no default provider); there
// is no meaningful way to continue, so it aborts rather than return a bogus hash.
Hash Sha256Parts(std::initializer_list<std::span<const uint8_t>> parts) {
  // Fetched once: implicit fetching on every call is measurably slower.
  static EVP_MD* const kSha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = kSha256 != nullptr && ctx != nullptr && EVP_DigestInit_ex(ctx, kSha256, nullptr) == 1;
  for (std::span<const uint8_t> part : parts) {
    ok = ok && EVP_DigestUpdate(ctx, part.data(), part.size()) == 1;
  }
  Hash out;
  unsigned int length = 0;
  ok = ok && EVP_DigestFinal_ex(ctx, out.data(), &length) == 1 && length == out.size();
  EVP_MD_CTX_free(ctx);
  if (!ok) std::abort();
  return out;
}

constexpr uint8_t kLeafPrefix[] = {0x00};
constexpr uint8_t kNodePrefix[] = {0x01};

}  // namespace

Hash Sha256(std::span<const uint8_t> bytes) { return Sha256Parts({bytes}); }
Hash Sha256(std::string_view bytes) { return Sha256Parts({AsBytes(bytes)}); }

Hash LeafHash(std::span<const uint8_t> entry) { return Sha256Parts({kLeafPrefix, entry}); }
Hash LeafHash(std::string_view entry) { return LeafHash(AsBytes(entry)); }

Hash NodeHash(const Hash& left, const Hash& right) { return Sha256Parts({kNodePrefix, left, right}); }

Hash EmptyRoot() {
  static const Hash kEmpty = Sha256(std::string_view());
  return kEmpty;
}

Result<Hash> HashFromBytes(std::string_view bytes) {
  Hash out;
  if (bytes.size() != out.size()) {
    return Status::InvalidArgument("a hash is 32 bytes, got " + std::to_string(bytes.size()));
  }
  std::memcpy(out.data(), bytes.data(), out.size());
  return out;
}

}  // namespace exchange::log
