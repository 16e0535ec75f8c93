// SPDX-License-Identifier: Apache-2.0
// The schema migrations compiled into this binary (migrations/*.sql).
//
// Versions are the numeric prefixes of the file names, strictly increasing.
// An applied migration is never edited: the migrator stores each one's
// SHA-256 and refuses to run against a database whose history differs.
#pragma once

#include <string_view>
#include <vector>

namespace exchange::store {

struct Migration {
  int version;
  std::string_view name;  // file name without ".sql", e.g. "0001_init"
  std::string_view sql;
};

// Sorted by version. Defined in the generated embedded_migrations.cpp.
const std::vector<Migration>& EmbeddedMigrations();

}  // namespace exchange::store
