// SPDX-License-Identifier: Apache-2.0
#include "signals/utf8.h"

#include <cstdint>
#include <cstdio>

#include "common/json.h"

namespace exchange::signals {

Result<std::u32string> DecodeUtf8(std::string_view text, std::string_view what) {
  std::u32string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    char32_t c = 0;
    const size_t length = Utf8SequenceAt(text, i, &c);
    if (length == 0) {
      return Status::InvalidArgument(std::string(what) + " is not valid UTF-8 (at byte " + std::to_string(i) + ")");
    }
    out += c;
    i += length;
  }
  return out;
}

std::string EncodeUtf8(std::u32string_view code_points) {
  std::string out;
  out.reserve(code_points.size());
  for (char32_t c : code_points) AppendUtf8(c, out);
  return out;
}

bool IsUnicodeWhiteSpace(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

bool IsControl(char32_t c) { return c < 0x20 || (c >= 0x7F && c <= 0x9F); }

std::u32string_view TrimWhiteSpace(std::u32string_view text) {
  while (!text.empty() && IsUnicodeWhiteSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsUnicodeWhiteSpace(text.back())) text.remove_suffix(1);
  return text;
}

std::string_view TrimAsciiWhiteSpace(std::string_view text) {
  constexpr std::string_view kAsciiWhiteSpace = " \t\n\v\f\r";
  size_t begin = text.find_first_not_of(kAsciiWhiteSpace);
  if (begin == std::string_view::npos) return {};
  size_t end = text.find_last_not_of(kAsciiWhiteSpace);
  return text.substr(begin, end - begin + 1);
}

std::string DescribeCodePoint(char32_t c) {
  if (c > 0x20 && c < 0x7F) return std::string("'") + static_cast<char>(c) + "'";
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "U+%04X", static_cast<unsigned>(c));
  return buffer;
}

}  // namespace exchange::signals
