// SPDX-License-Identifier: Apache-2.0
#include "common/hex.h"

namespace exchange {
namespace {

constexpr std::string_view kLowerDigits = "0123456789abcdef";
constexpr std::string_view kUpperDigits = "0123456789ABCDEF";

}  // namespace

void AppendHexByte(uint8_t byte, std::string& out) {
  out += kLowerDigits[byte >> 4];
  out += kLowerDigits[byte & 15];
}

std::string HexEncode(std::span<const uint8_t> bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (uint8_t b : bytes) AppendHexByte(b, out);
  return out;
}

std::string HexEncode(std::string_view bytes) {
  return HexEncode(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
}

Result<std::string> HexDecode(std::string_view text) {
  if (text.size() % 2 != 0) return Status::InvalidArgument("hex: odd length");
  std::string out;
  out.reserve(text.size() / 2);
  for (size_t i = 0; i < text.size(); i += 2) {
    int high = HexDigitValue(text[i]);
    int low = HexDigitValue(text[i + 1]);
    if (high < 0 || low < 0) return Status::InvalidArgument("hex: invalid character");
    out += static_cast<char>(high << 4 | low);
  }
  return out;
}

void AppendPercentEscape(uint8_t byte, std::string& out) {
  out += '%';
  out += kUpperDigits[byte >> 4];
  out += kUpperDigits[byte & 15];
}

}  // namespace exchange
