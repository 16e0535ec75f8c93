// SPDX-License-Identifier: Apache-2.0
#include "common/json.h"

#include <cstdint>

#include "common/hex.h"

namespace exchange {

void AppendUtf8(char32_t c, std::string& out) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | c >> 6);
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | c >> 12);
    out += static_cast<char>(0x80 | (c >> 6 & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | c >> 18);
    out += static_cast<char>(0x80 | (c >> 12 & 0x3F));
    out += static_cast<char>(0x80 | (c >> 6 & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

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

namespace {

// Printable ASCII other than '"' and '\\': copied as it is.
bool PlainAscii(char c) { return c >= 0x20 && c < 0x7f && c != '"' && c != '\\'; }

}  // namespace

void AppendJsonQuoted(std::string_view value, std::string& out) {
  out += '"';
  for (std::size_t i = 0; i < value.size();) {
    // Runs of plain ASCII (ids, routes, addresses: most of what is quoted) in one append.
    std::size_t run = i;
    while (run < value.size() && PlainAscii(value[run])) ++run;
    if (run > i) {
      out.append(value.substr(i, run - i));
      i = run;
      continue;
    }
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
      AppendHexByte(static_cast<uint8_t>(c), out);
    } else {
      out += static_cast<char>(c);
    }
    i += length;
  }
  out += '"';
}

Result<std::string> ReadJsonString(std::string_view text, std::size_t& pos) {
  if (pos >= text.size() || text[pos] != '"') return Status::InvalidArgument("expected a JSON string");
  ++pos;
  std::string out;
  while (pos < text.size()) {
    const char c = text[pos++];
    if (c == '"') return out;
    if (static_cast<uint8_t>(c) < 0x20) return Status::InvalidArgument("unescaped control character in a JSON string");
    if (c != '\\') {
      out += c;
      continue;
    }
    if (pos >= text.size()) break;
    const char e = text[pos++];
    switch (e) {
      case '"':
      case '\\':
      case '/': out += e; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'u': {
        if (text.size() - pos < 4) return Status::InvalidArgument("truncated \\u escape");
        uint32_t cp = 0;
        for (std::size_t j = 0; j < 4; ++j) {
          const int digit = HexDigitValue(text[pos + j]);
          if (digit < 0) return Status::InvalidArgument("bad \\u escape");
          cp = cp << 4 | static_cast<uint32_t>(digit);
        }
        pos += 4;
        if (cp >= 0xD800 && cp <= 0xDFFF) return Status::InvalidArgument("surrogate \\u escapes are not supported");
        AppendUtf8(static_cast<char32_t>(cp), out);
        break;
      }
      default: return Status::InvalidArgument("bad escape in a JSON string");
    }
  }
  return Status::InvalidArgument("unterminated JSON string");
}

std::string JsonQuote(std::string_view value) {
  std::string out;
  out.reserve(value.size() + 2);
  AppendJsonQuoted(value, out);
  return out;
}

}  // namespace exchange
