// SPDX-License-Identifier: Apache-2.0
#include "store/migrator.h"

#include <map>
#include <string>

#include "common/hex.h"
#include "log/hash.h"
#include "store/migration_set.h"
#include "store/transaction.h"

namespace exchange::store {
namespace {

// Arbitrary constant shared by every exchanged: "exchange" in ASCII.
constexpr long long kMigrationLockKey = 0x65786368616e6765;

constexpr const char* kCreateMigrationsTable = R"sql(
  CREATE TABLE IF NOT EXISTS schema_migrations (
    version     integer PRIMARY KEY,
    name        text NOT NULL,
    sha256      text NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now()
  ))sql";
constexpr const char* kSelectApplied = "SELECT version, name, sha256 FROM schema_migrations ORDER BY version";
constexpr const char* kRecordApplied = "INSERT INTO schema_migrations (version, name, sha256) VALUES ($1, $2, $3)";
constexpr const char* kMigrationsTableExists = "SELECT to_regclass('schema_migrations') IS NOT NULL AS present";
// One migrating exchanged at a time, until its transaction ends.
constexpr const char* kTakeMigrationLock = "SELECT pg_advisory_xact_lock($1)";

struct Applied {
  std::string name;
  std::string sha256;
};

std::string Checksum(std::string_view sql) { return HexEncode(log::Sha256(sql)); }

Result<std::map<int, Applied>> ReadApplied(pqxx::work& tx) {
  std::map<int, Applied> applied;
  for (const auto& row : tx.exec(kSelectApplied)) {
    applied[row["version"].as<int>()] = {row["name"].as<std::string>(), row["sha256"].as<std::string>()};
  }
  return applied;
}

// Compares the database's history with the embedded migrations. Returns the
// number still to apply.
Result<int> Pending(const std::map<int, Applied>& applied) {
  const auto& embedded = EmbeddedMigrations();
  std::map<int, const Migration*> known;
  for (const auto& m : embedded) known[m.version] = &m;
  for (const auto& [version, row] : applied) {
    auto it = known.find(version);
    if (it == known.end()) {
      return Status::FailedPrecondition("database has migration " + std::to_string(version) + " (" + row.name +
                                        ") that this exchanged does not know: it is older than the schema");
    }
    if (Checksum(it->second->sql) != row.sha256) {
      return Status::FailedPrecondition("migration " + row.name + " was edited after it was applied");
    }
  }
  return static_cast<int>(embedded.size() - applied.size());
}

}  // namespace

Result<int> Migrate(Connection& conn) {
  return RunTransaction(conn, [](pqxx::work& tx) -> Result<int> {
    tx.exec_params(kTakeMigrationLock, kMigrationLockKey);
    tx.exec(kCreateMigrationsTable);
    auto applied = ReadApplied(tx);
    auto pending = Pending(applied.value());
    if (!pending.ok()) return pending.status();
    int count = 0;
    for (const auto& m : EmbeddedMigrations()) {
      if (applied->count(m.version)) continue;
      tx.exec(std::string(m.sql));
      tx.exec_params(kRecordApplied, m.version, std::string(m.name), Checksum(m.sql));
      ++count;
    }
    return count;
  });
}

Status CheckSchemaCurrent(Connection& conn) {
  auto result = RunTransaction(conn, [](pqxx::work& tx) -> Result<int> {
    if (!tx.exec1(kMigrationsTableExists)["present"].as<bool>())
      return Status::FailedPrecondition("database is not migrated");
    auto applied = ReadApplied(tx);
    return Pending(applied.value());
  });
  if (!result.ok()) return result.status();
  if (*result != 0) return Status::FailedPrecondition(std::to_string(*result) + " migrations are pending");
  return Status::Ok();
}

}  // namespace exchange::store
