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
    SkipSpace();
    return ReadJsonString(text, pos);
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
