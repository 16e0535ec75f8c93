// SPDX-License-Identifier: Apache-2.0
// PostgreSQL array literals and array columns (store/pg_arrays.h).
#include "store/pg_arrays.h"

#include <stdexcept>

#include "common/hex.h"

namespace exchange::store {

std::string ByteaArray(const std::vector<std::string>& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    out += "\"\\\\x";
    out += HexEncode(values[i]);
    out += '"';
  }
  return out + "}";
}

std::string TextArray(const std::vector<std::string>& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    out += '"';
    for (char c : values[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

std::vector<std::string> TextsOf(const pqxx::field& field) {
  std::vector<std::string> out;
  if (field.is_null()) return out;
  pqxx::array_parser parser = field.as_array();
  for (auto step = parser.get_next(); step.first != pqxx::array_parser::done; step = parser.get_next()) {
    if (step.first == pqxx::array_parser::null_value) {
      throw std::runtime_error(std::string("a NULL element in array column ") + field.name());
    }
    if (step.first == pqxx::array_parser::string_value) out.push_back(std::move(step.second));
  }
  return out;
}

}  // namespace exchange::store
