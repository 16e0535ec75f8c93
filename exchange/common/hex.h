// SPDX-License-Identifier: Apache-2.0
// Hexadecimal, the one home for it in the tree: lowercase byte strings
// (digests, fingerprints, serials, request ids), the value of one hex digit
// (percent-decoding, IPv6 groups, JSON \u escapes) and the RFC 3986 "%XY"
// escape.
//
// Bytes travel as std::string or a span of uint8_t; nothing here owns
// anything beyond its return value. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "common/status.h"

namespace exchange {

// Lowercase, two digits per byte ("" for no bytes).
std::string HexEncode(std::span<const uint8_t> bytes);
std::string HexEncode(std::string_view bytes);

// Appends the two lowercase digits of `byte` to `out`.
void AppendHexByte(uint8_t byte, std::string& out);

// Even length, digits 0-9a-fA-F only; anything else is InvalidArgument.
Result<std::string> HexDecode(std::string_view text);

// 0-15 for '0'-'9', 'a'-'f' and 'A'-'F'; -1 for any other character.
constexpr int HexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Appends the RFC 3986 §2.1 percent-encoding of `byte` to `out`: '%' and
// two uppercase digits ("%2F"), the form §6.2.2.1 calls normal.
void AppendPercentEscape(uint8_t byte, std::string& out);

}  // namespace exchange
