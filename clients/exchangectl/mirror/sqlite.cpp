// SPDX-License-Identifier: Apache-2.0
#include "mirror/sqlite.h"

#include "common/hex.h"

namespace exchange::client {

Status SqliteDatabase::Open(const std::string& path, int flags) {
  if (sqlite3_open_v2(path.c_str(), &handle, flags | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
    return Status::Internal("cannot open " + path + ": " + (handle ? sqlite3_errmsg(handle) : "out of memory"));
  }
  sqlite3_busy_timeout(handle, 10'000);
  return Status::Ok();
}

Status SqliteDatabase::Exec(const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(handle, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    Status s = Status::Internal(std::string("state.sqlite: ") + (error ? error : "error"));
    sqlite3_free(error);
    return s;
  }
  return Status::Ok();
}

std::string ReadOnlyUri(const std::filesystem::path& path) {
  std::string out = "file:";
  for (char c : std::filesystem::absolute(path).string()) {
    if (c == '%' || c == '?' || c == '#') {
      AppendPercentEscape(static_cast<uint8_t>(c), out);
    } else {
      out += c;
    }
  }
  return out + "?mode=ro";
}

}  // namespace exchange::client
