// SPDX-License-Identifier: Apache-2.0
// PostgreSQL arrays both ways: the literals the unnest() and ANY() statements
// take as parameters, and the native array columns (text[], integer[],
// bigint[], array_agg) read back with libpqxx's array parser, so no list
// travels as comma-joined text. Private to store/: include only from
// store/*.cpp. Stateless; thread-safe.
#pragma once

#include <pqxx/pqxx>

#include <string>
#include <vector>

namespace exchange::store {

// Literals: '{"a","b"}', '{"\\x00ff"}', '{1,2}'.
std::string ByteaArray(const std::vector<std::string>& values);
std::string TextArray(const std::vector<std::string>& values);
template <typename Int>
std::string IntArray(const std::vector<Int>& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    out += std::to_string(values[i]);
  }
  return out + "}";
}

// A one-dimensional array column; a NULL column is an empty list. Throws
// (a database inconsistency, see transaction.h) on a NULL element.
std::vector<std::string> TextsOf(const pqxx::field& field);
template <typename Int>
std::vector<Int> IntsOf(const pqxx::field& field) {
  std::vector<Int> out;
  for (const auto& text : TextsOf(field)) {
    Int value{};
    pqxx::from_string(text, value);
    out.push_back(value);
  }
  return out;
}

}  // namespace exchange::store
