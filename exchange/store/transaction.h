// RunTransaction: the one way store/ code talks to PostgreSQL.
//
// Runs `body(pqxx::work&)` (which returns a value, never void) in a transaction and commits, retrying a bounded
// number of times on serialization failures and deadlocks. libpqxx exceptions
// become a Status here, so nothing above store/ sees one:
//   broken connection      -> Unavailable (and the connection is reset)
//   serialization failure  -> retried, then Unavailable
//   unique violation       -> AlreadyExists; other constraint -> InvalidArgument
//   anything else          -> Internal, with the server's message.
// Private to store/: include only from store/*.cpp.
#pragma once

#include <pqxx/pqxx>
#include <string>
#include <type_traits>

#include "common/status.h"
#include "store/connection.h"

namespace exchange::store {

inline constexpr int kMaxTransactionAttempts = 5;

template <typename Body>
auto RunTransaction(Connection& conn, Body&& body) -> std::invoke_result_t<Body, pqxx::work&> {
  for (int attempt = 1;; ++attempt) {
    try {
      pqxx::work tx(conn.Get());
      auto result = body(tx);
      if (result.ok()) tx.commit();
      return result;
    } catch (const pqxx::broken_connection& e) {
      conn.Reset();
      return Status::Unavailable(std::string("database unavailable: ") + e.what());
    } catch (const pqxx::in_doubt_error& e) {
      conn.Reset();
      return Status::Unavailable(std::string("database connection lost during commit: ") + e.what());
    } catch (const pqxx::transaction_rollback& e) {  // serialization failure, deadlock
      if (attempt >= kMaxTransactionAttempts) return Status::Unavailable(std::string("database contention: ") + e.what());
    } catch (const pqxx::sql_error& e) {
      // A server shutting down kills sessions with class 57 (operator
      // intervention) or 08 (connection exception): treat as unavailable.
      const std::string& state = e.sqlstate();
      if (state.rfind("57", 0) == 0 || state.rfind("08", 0) == 0) {
        conn.Reset();
        return Status::Unavailable(std::string("database unavailable: ") + e.what());
      }
      if (state == "23505") return Status::AlreadyExists(std::string("already exists: ") + e.what());
      if (state.rfind("23", 0) == 0) return Status::InvalidArgument(std::string("rejected by the database: ") + e.what());
      return Status::Internal(std::string("database error: ") + e.what());
    } catch (const std::exception& e) {
      // A failed invariant in our own code (stored data that cannot be), or a
      // libpqxx conversion error: a bug to report, not a reason to retry.
      return Status::Internal(std::string("database inconsistency: ") + e.what());
    }
  }
}

}  // namespace exchange::store
