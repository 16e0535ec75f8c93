// SPDX-License-Identifier: Apache-2.0
// JsonObject: a JSON object written field by field, in the order given, for
// the documents the exchange writes by hand (STIX objects, MISP feed events).
// Names and strings go through JsonQuote (common/json.h), so the result is
// valid JSON in valid UTF-8 whatever the values hold; Raw and Array take
// values that are already JSON and are the caller's to get right.
//
// Pure; one object per thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/json.h"

namespace exchange {

class JsonObject {
 public:
  JsonObject& Raw(std::string_view name, std::string_view json) {
    out_ += out_.empty() ? "{" : ",";
    AppendJsonQuoted(name, out_);
    out_ += ':';
    out_ += json;
    return *this;
  }
  JsonObject& Str(std::string_view name, std::string_view value) { return Raw(name, JsonQuote(value)); }
  JsonObject& Int(std::string_view name, int64_t value) { return Raw(name, std::to_string(value)); }
  JsonObject& Bool(std::string_view name, bool value) { return Raw(name, value ? "true" : "false"); }
  // A list of strings; an empty list is left out (STIX 2.1 §3.9: optional
  // lists are never empty).
  template <typename List>
  JsonObject& Strings(std::string_view name, const List& values) {
    if (values.empty()) return *this;
    std::string list = "[";
    for (const auto& v : values) {
      if (list.size() > 1) list += ',';
      AppendJsonQuoted(v, list);
    }
    return Raw(name, list + "]");
  }
  // A list of JSON values, written even when empty.
  JsonObject& Array(std::string_view name, const std::vector<std::string>& json_values) {
    std::string list = "[";
    for (const auto& v : json_values) {
      if (list.size() > 1) list += ',';
      list += v;
    }
    return Raw(name, list + "]");
  }
  std::string Done() const { return out_.empty() ? "{}" : out_ + "}"; }

 private:
  std::string out_;
};

}  // namespace exchange
