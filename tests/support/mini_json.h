// SPDX-License-Identifier: Apache-2.0
// A tiny JSON reader for test vectors, test-only. Enough for the
// transparency-dev Merkle vectors: objects, arrays, strings (common/json.h
// ReadJsonString), non-negative integers up to 2^64-1, true/false/null.
// Anything else fails the parse: a vector we cannot read must fail the test,
// not be skipped.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/json.h"

namespace exchange::testing {

struct JsonValue {
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };

  Kind kind = Kind::kNull;
  bool boolean = false;
  uint64_t number = 0;
  std::string string;
  std::vector<JsonValue> array;
  std::vector<std::pair<std::string, JsonValue>> object;

  const JsonValue* Find(std::string_view key) const {
    for (const auto& [k, v] : object) {
      if (k == key) return &v;
    }
    return nullptr;
  }
};

class MiniJsonParser {
 public:
  explicit MiniJsonParser(std::string_view text) : text_(text) {}

  std::optional<JsonValue> ParseDocument() {
    std::optional<JsonValue> value = ParseValue();
    SkipSpace();
    if (!value || pos_ != text_.size()) return std::nullopt;
    return value;
  }

 private:
  void SkipSpace() {
    while (pos_ < text_.size() &&
           (text_[pos_] == ' ' || text_[pos_] == '\n' || text_[pos_] == '\r' || text_[pos_] == '\t')) {
      ++pos_;
    }
  }

  bool Consume(std::string_view token) {
    if (text_.substr(pos_, token.size()) != token) return false;
    pos_ += token.size();
    return true;
  }

  std::optional<JsonValue> ParseValue() {
    SkipSpace();
    if (pos_ >= text_.size()) return std::nullopt;
    JsonValue value;
    char c = text_[pos_];
    if (Consume("null")) return value;
    if (Consume("true")) {
      value.kind = JsonValue::Kind::kBool;
      value.boolean = true;
      return value;
    }
    if (Consume("false")) {
      value.kind = JsonValue::Kind::kBool;
      return value;
    }
    if (c == '"') {
      std::optional<std::string> s = ParseString();
      if (!s) return std::nullopt;
      value.kind = JsonValue::Kind::kString;
      value.string = std::move(*s);
      return value;
    }
    if (c >= '0' && c <= '9') return ParseNumber();
    if (c == '[') return ParseArray();
    if (c == '{') return ParseObject();
    return std::nullopt;
  }

  std::optional<JsonValue> ParseNumber() {
    JsonValue value;
    value.kind = JsonValue::Kind::kNumber;
    size_t start = pos_;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
      uint64_t digit = static_cast<uint64_t>(text_[pos_] - '0');
      if (value.number > (std::numeric_limits<uint64_t>::max() - digit) / 10) return std::nullopt;
      value.number = value.number * 10 + digit;
      ++pos_;
    }
    if (pos_ - start > 1 && text_[start] == '0') return std::nullopt;
    if (pos_ < text_.size() && (text_[pos_] == '.' || text_[pos_] == 'e' || text_[pos_] == 'E')) {
      return std::nullopt;
    }
    return value;
  }

  std::optional<std::string> ParseString() {
    Result<std::string> s = ReadJsonString(text_, pos_);
    if (!s.ok()) return std::nullopt;
    return std::move(s).value();
  }

  std::optional<JsonValue> ParseArray() {
    JsonValue value;
    value.kind = JsonValue::Kind::kArray;
    if (!ParseItems("]", [&] {
          std::optional<JsonValue> element = ParseValue();
          if (element) value.array.push_back(std::move(*element));
          return element.has_value();
        }))
      return std::nullopt;
    return value;
  }

  std::optional<JsonValue> ParseObject() {
    JsonValue value;
    value.kind = JsonValue::Kind::kObject;
    if (!ParseItems("}", [&] {
          SkipSpace();
          if (pos_ >= text_.size() || text_[pos_] != '"') return false;
          std::optional<std::string> key = ParseString();
          SkipSpace();
          if (!key || !Consume(":")) return false;
          std::optional<JsonValue> member = ParseValue();
          if (member) value.object.emplace_back(std::move(*key), std::move(*member));
          return member.has_value();
        }))
      return std::nullopt;
    return value;
  }

  // From the opening bracket at pos_: `item`s (each parses one and says whether
  // it could) separated by ',' up to `close`, white space allowed around each.
  template <typename ParseItem>
  bool ParseItems(std::string_view close, ParseItem item) {
    ++pos_;
    SkipSpace();
    if (Consume(close)) return true;
    while (true) {
      if (!item()) return false;
      SkipSpace();
      if (Consume(close)) return true;
      if (!Consume(",")) return false;
    }
  }

  std::string_view text_;
  size_t pos_ = 0;
};

inline std::optional<JsonValue> ParseJson(std::string_view text) { return MiniJsonParser(text).ParseDocument(); }

}  // namespace exchange::testing
