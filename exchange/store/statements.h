// SPDX-License-Identifier: Apache-2.0
// Prepared statements: the hot read queries (a proof's, a page's, a tile's,
// a grant check's), parsed and planned by PostgreSQL once per session instead
// of once per call.
//
// A Statement is a named SQL constant at file scope in the store/*.cpp that
// runs it; constructing it registers it. Connection::Get() defines every
// registered statement on each session it opens, so a reconnect (after
// PostgreSQL restarts, or a backend is terminated) prepares them again on the
// new session; libpqxx sends the PREPARE on a statement's first use, so an
// unused one costs nothing. A read replica is a session like any other
// (PREPARE is allowed on a hot standby).
//
// Sessions are exchanged's own (one per worker, store/worker_pool.h): a
// transaction-pooling proxy between exchanged and PostgreSQL would hand a
// statement to a session that never prepared it (docs/operations.md).
//
// Thread-safety: Statements are constructed during static initialisation,
// before any thread starts; afterwards the registry is only read.
// Private to store/: include only from store/*.cpp.
#pragma once

#include <pqxx/pqxx>

#include <string>

namespace exchange::store {

class Statement {
 public:
  // Registers the statement; two statements may not share a name.
  Statement(std::string name, std::string sql);
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // What tx.exec_prepared() takes.
  const std::string& name() const { return name_; }
  const std::string& sql() const { return sql_; }

 private:
  const std::string name_;
  const std::string sql_;
};

// Defines every registered Statement on a session just opened.
void DefineStatements(pqxx::connection_base& session);

}  // namespace exchange::store
