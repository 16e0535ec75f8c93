// SPDX-License-Identifier: Apache-2.0
#include "store/statements.h"

#include <cstdio>
#include <cstdlib>
#include <vector>

namespace exchange::store {
namespace {

// Function-local, so that it exists before the first file-scope Statement of
// any translation unit registers itself.
std::vector<const Statement*>& Registry() {
  static std::vector<const Statement*> statements;
  return statements;
}

}  // namespace

Statement::Statement(std::string name, std::string sql) : name_(std::move(name)), sql_(std::move(sql)) {
  for (const Statement* other : Registry()) {
    if (other->name() == name_) {
      // A programming error found before main() runs: no logger exists yet.
      std::fprintf(stderr, "store: two prepared statements are named %s\n", name_.c_str());
      std::abort();
    }
  }
  Registry().push_back(this);
}

void DefineStatements(pqxx::connection_base& session) {
  for (const Statement* statement : Registry()) session.prepare(statement->name(), statement->sql());
}

}  // namespace exchange::store
