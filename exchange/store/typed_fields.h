// SPDX-License-Identifier: Apache-2.0
// Columns holding a domain name (a signal kind, a status, a role) read as
// their enum. Only the exchange writes them, from these enums (and CHECK
// constraints guard the statuses and roles), so an unknown spelling is a
// database inconsistency: these throw, and RunTransaction (transaction.h)
// turns that into Internal. Private to store/: include only
// from store/*.cpp.
#pragma once

#include <pqxx/pqxx>

#include <stdexcept>
#include <string>
#include <vector>

#include "signals/kind.h"
#include "signals/state.h"
#include "store/pg_arrays.h"

namespace exchange::store {

// Reads `field` with `parse` (returning std::optional<Enum>).
template <typename Parse>
auto EnumOf(const pqxx::field& field, Parse parse) {
  auto value = parse(field.as<std::string>());
  if (!value) throw std::runtime_error(std::string("an unknown value in column ") + field.name());
  return *value;
}

inline signals::Kind KindOf(const pqxx::field& field) { return EnumOf(field, signals::ParseKind); }
inline signals::SignalStatus SignalStatusOf(const pqxx::field& field) {
  return EnumOf(field, signals::ParseSignalStatus);
}
inline std::vector<signals::Kind> KindsOf(const pqxx::field& field) {
  std::vector<signals::Kind> out;
  for (const auto& name : TextsOf(field)) {
    auto kind = signals::ParseKind(name);
    if (!kind) throw std::runtime_error(std::string("an unknown kind in column ") + field.name());
    out.push_back(*kind);
  }
  return out;
}

inline std::string KindText(signals::Kind kind) { return std::string(signals::KindName(kind)); }

}  // namespace exchange::store
