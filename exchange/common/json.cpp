// SPDX-License-Identifier: Apache-2.0
#include "common/json.h"

#include <cstdint>

namespace exchange {

std::size_t Utf8SequenceAt(std::string_view text, std::size_t i, char32_t* code_point) {
  auto byte = [&](std::size_t j) { return static_cast<uint8_t>(text[j]); };
  const uint8_t lead = byte(i);
  std::size_t length = 0;
  char32_t c = 0;
  char32_t smallest = 0;  // anything below has a shorter form
  if (lead < 0x80) {
    length = 1;
    c = lead;
  } else if ((lead & 0xE0) == 0xC0) {
    length = 2;
    c = lead & 0x1F;
    smallest = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3;
    c = lead & 0x0F;
    smallest = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4;
    c = lead & 0x07;
    smallest = 0x10000;
  }
  if (length == 0 || text.size() - i < length) return 0;
  for (std::size_t j = 1; j < length; ++j) {
    if ((byte(i + j) & 0xC0) != 0x80) return 0;
    c = c << 6 | (byte(i + j) & 0x3F);
  }
  if (c < smallest || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return 0;
  *code_point = c;
  return length;
}

void AppendJsonQuoted(std::string_view value, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (std::size_t i = 0; i < value.size();) {
    char32_t c = 0;
    const std::size_t length = Utf8SequenceAt(value, i, &c);
    if (length == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD for the one byte that starts no sequence
      ++i;
      continue;
    }
    if (length > 1) {
      out.append(value.substr(i, length));
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
    i += length;
  }
  out += '"';
}

std::string JsonQuote(std::string_view value) {
  std::string out;
  out.reserve(value.size() + 2);
  AppendJsonQuoted(value, out);
  return out;
}

}  // namespace exchange
