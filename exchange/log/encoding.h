// SPDX-License-Identifier: Apache-2.0
// Byte-string encodings for the log formats: RFC 4648 §4 base64 (standard
// alphabet, with padding), canonical decimals, line splitting, and byte views of strings.
// Hex is common/hex.h.
//
// Bytes travel as std::string (or a span of uint8_t); nothing here owns
// anything beyond its return value. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/status.h"

namespace exchange::log {

// The same bytes viewed as char or as uint8_t; no copy.
inline std::span<const uint8_t> AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
inline std::string_view AsChars(std::span<const uint8_t> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

std::string Base64Encode(std::string_view bytes);
std::string Base64Encode(std::span<const uint8_t> bytes);

// Strict: the length is a multiple of 4, only the standard alphabet, '=' only
// as the final one or two characters, unused trailing bits zero, no
// whitespace. Anything else is InvalidArgument. "" decodes to "".
Result<std::string> Base64Decode(std::string_view text);

// A decimal as the C2SP formats write sizes and indexes: ASCII digits only,
// no sign, no leading zero (except "0" itself), within uint64_t. nullopt
// for anything else.
std::optional<uint64_t> ParseCanonicalDecimal(std::string_view digits);

// Takes one '\n'-terminated line (without its '\n') off the front of
// `rest`; nullopt, leaving `rest` as it was, when no '\n' ends it. The line
// formats here (tlog-witness requests, tlog-proof, witness policies) are read
// with it.
std::optional<std::string_view> TakeLine(std::string_view& rest);

}  // namespace exchange::log
