// SPDX-License-Identifier: Apache-2.0
// The little of SQLite the mirror uses: a connection and a prepared
// statement, each closed on destruction, with errors as Status values
// ("state.sqlite: <SQLite's message>").
//
// Thread-safety: none; a connection and its statements belong to one thread
// (connections are opened SQLITE_OPEN_NOMUTEX).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "common/status.h"

namespace exchange::client {

// An open database connection (or none yet).
struct SqliteDatabase {
  sqlite3* handle = nullptr;
  SqliteDatabase() = default;
  SqliteDatabase(const SqliteDatabase&) = delete;
  SqliteDatabase& operator=(const SqliteDatabase&) = delete;
  ~SqliteDatabase() { sqlite3_close_v2(handle); }

  // sqlite3_open_v2 with `flags`, waiting up to 10 s for a lock another process holds.
  Status Open(const std::string& path, int flags);
  // Runs `sql` (one or more statements without parameters).
  Status Exec(const char* sql);
};

// A prepared statement; finalized on destruction.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) stmt_ = nullptr;
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Status prepared() const {
    return stmt_ ? Status::Ok() : Status::Internal(std::string("state.sqlite: ") + sqlite3_errmsg(db_));
  }
  void Text(int i, std::string_view v) {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  void Blob(int i, std::string_view v) {
    sqlite3_bind_blob(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  void Int(int i, int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
  // True when a row is ready, false when done.
  Result<bool> Step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return Status::Internal(std::string("state.sqlite: ") + sqlite3_errmsg(db_));
  }
  Status Run() {
    auto r = Step();
    sqlite3_reset(stmt_);
    return r.ok() ? Status::Ok() : r.status();
  }
  std::string ColumnText(int i) const {
    const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, i));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, i))) : std::string();
  }
  int64_t ColumnInt(int i) const { return sqlite3_column_int64(stmt_, i); }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

// A "file:" URI that opens `path` read-only (for ATTACH).
std::string ReadOnlyUri(const std::filesystem::path& path);

}  // namespace exchange::client
