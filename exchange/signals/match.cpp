// SPDX-License-Identifier: Apache-2.0
#include "signals/match.h"

#include <algorithm>
#include <bit>

#include "common/hex.h"

namespace exchange::signals {

int HammingDistance256(const PdqHash& a, const PdqHash& b) {
  int distance = 0;
  for (size_t i = 0; i < a.size(); ++i) distance += std::popcount(static_cast<unsigned>(a[i] ^ b[i]));
  return distance;
}

Result<PdqHash> ParsePdq(std::string_view canonical_hex) {
  bool canonical = canonical_hex.size() == 2 * PdqHash().size() &&
                   std::all_of(canonical_hex.begin(), canonical_hex.end(),
                               [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
  if (!canonical) return Status::InvalidArgument("pdq hash must be 64 lowercase hex digits");
  Result<std::string> bytes = HexDecode(canonical_hex);
  if (!bytes.ok()) return bytes.status();
  PdqHash hash{};
  std::copy(bytes->begin(), bytes->end(), hash.begin());
  return hash;
}

}  // namespace exchange::signals
