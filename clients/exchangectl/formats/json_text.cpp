// SPDX-License-Identifier: Apache-2.0
#include "formats/json_text.h"

#include <charconv>

#include "common/json.h"
#include "signals/utf8.h"

namespace exchange::client {

std::string JsonString(std::string_view value) { return JsonQuote(value); }

std::string JsonStringArray(const std::vector<std::string>& values) {
  std::string out = "[";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    out += JsonString(values[i]);
  }
  return out + "]";
}

std::string JsonNumberArray(const std::vector<uint32_t>& values) {
  std::string out = "[";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    out += std::to_string(values[i]);
  }
  return out + "]";
}

namespace {

// A cursor over JSON text for the two array shapes above.
struct JsonCursor {
  std::string_view text;
  std::size_t pos = 0;

  void SkipSpace() {
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\n' || text[pos] == '\t' || text[pos] == '\r'))
      ++pos;
  }
  bool Eat(char c) {
    SkipSpace();
    if (pos < text.size() && text[pos] == c) {
      ++pos;
      return true;
    }
    return false;
  }
  Result<std::string> String() {
    if (!Eat('"')) return Status::InvalidArgument("expected a JSON string");
    std::string out;
    while (pos < text.size()) {
      const char c = text[pos++];
      if (c == '"') return out;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos >= text.size()) break;
      const char e = text[pos++];
      switch (e) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          if (pos + 4 > text.size()) return Status::InvalidArgument("truncated \\u escape");
          uint32_t cp = 0;
          auto [end, ec] = std::from_chars(text.data() + pos, text.data() + pos + 4, cp, 16);
          if (ec != std::errc() || end != text.data() + pos + 4) return Status::InvalidArgument("bad \\u escape");
          pos += 4;
          if (cp >= 0xD800 && cp <= 0xDFFF) return Status::InvalidArgument("surrogate \\u escapes are not supported");
          signals::AppendUtf8(static_cast<char32_t>(cp), out);
          break;
        }
        default:
          return Status::InvalidArgument("bad escape in a JSON string");
      }
    }
    return Status::InvalidArgument("unterminated JSON string");
  }
  Result<uint32_t> Number() {
    SkipSpace();
    uint32_t v = 0;
    auto [end, ec] = std::from_chars(text.data() + pos, text.data() + text.size(), v);
    if (ec != std::errc()) return Status::InvalidArgument("expected a whole number");
    pos = static_cast<std::size_t>(end - text.data());
    return v;
  }
};

template <typename T, typename ReadItem>
Result<std::vector<T>> ParseArray(std::string_view text, ReadItem read) {
  JsonCursor in{text};
  std::vector<T> out;
  if (!in.Eat('[')) return Status::InvalidArgument("expected a JSON array");
  if (!in.Eat(']')) {
    do {
      auto item = read(in);
      if (!item.ok()) return item.status();
      out.push_back(std::move(item).value());
    } while (in.Eat(','));
    if (!in.Eat(']')) return Status::InvalidArgument("expected ',' or ']' in a JSON array");
  }
  in.SkipSpace();
  if (in.pos != text.size()) return Status::InvalidArgument("text after a JSON array");
  return out;
}

}  // namespace

Result<std::vector<std::string>> ParseJsonStringArray(std::string_view text) {
  return ParseArray<std::string>(text, [](JsonCursor& in) { return in.String(); });
}

Result<std::vector<uint32_t>> ParseJsonNumberArray(std::string_view text) {
  return ParseArray<uint32_t>(text, [](JsonCursor& in) { return in.Number(); });
}

}  // namespace exchange::client
