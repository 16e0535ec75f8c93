// SPDX-License-Identifier: Apache-2.0
// The small pieces of matching that belong with the canonical forms: PDQ
// hashes as bits and the distance between them. The matcher that searches a
// collection lives elsewhere and builds on these.
//
// Pure functions; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "common/status.h"

namespace exchange::signals {

using PdqHash = std::array<uint8_t, 32>;  // 256 bits, in the order of the hex digits

// DESIGN §4: two PDQ hashes match when at most this many bits differ, unless
// a collection configures otherwise.
inline constexpr int kDefaultPdqMaxDistance = 31;

// The number of differing bits, 0-256.
int HammingDistance256(const PdqHash& a, const PdqHash& b);

// `canonical_hex` must be a canonical pdq value: exactly 64 lowercase hex
// digits, as Canonicalize(Kind::kPdq, ..) returns. Anything else (including
// uppercase or surrounding white space) is InvalidArgument: callers
// canonicalise first, so a non-canonical value here is a bug upstream.
Result<PdqHash> ParsePdq(std::string_view canonical_hex);

}  // namespace exchange::signals
