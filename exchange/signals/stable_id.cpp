// SPDX-License-Identifier: Apache-2.0
// RFC 4122 §4.3 name-based UUIDs (see stable_id.h).
#include "signals/stable_id.h"

#include <openssl/evp.h>

#include <string>

namespace exchange::signals {

Uuid NameBasedUuid(const Uuid& ns, std::string_view name) {
  std::string input(ns.begin(), ns.end());
  input.append(name);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  // SHA-1 as RFC 4122 prescribes for version 5; it names, it protects nothing.
  EVP_Digest(input.data(), input.size(), digest, &length, EVP_sha1(), nullptr);
  Uuid out;
  for (size_t i = 0; i < out.size(); ++i) out[i] = digest[i];
  out[6] = static_cast<uint8_t>((out[6] & 0x0f) | 0x50);  // version 5
  out[8] = static_cast<uint8_t>((out[8] & 0x3f) | 0x80);  // the RFC 4122 variant
  return out;
}

std::string FormatUuid(const Uuid& uuid) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < uuid.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += kHex[uuid[i] >> 4];
    out += kHex[uuid[i] & 15];
  }
  return out;
}

std::string SignalUuid(std::string_view origin, std::string_view kind, std::string_view value) {
  std::string name = "signal\n";
  name.append(origin).append("\n").append(kind).append("\n").append(value);
  return FormatUuid(NameBasedUuid(kExchangeNamespace, name));
}

}  // namespace exchange::signals
