// RunTransaction: the one way store/ code talks to PostgreSQL.
//
// Runs `body(pqxx::work&)` (which returns a value, never void) in a transaction and commits, retrying a bounded
// number of times on serialization failures and deadlocks. libpqxx exceptions
// become a Status here, so nothing above store/ sees one:
//   broken connection      -> Unavailable (and the connection is reset)
//   serialization failure  -> retried, then Unavailable
//   unique violation       -> AlreadyExists; other constraint (class 23) or a
//                             value PostgreSQL refuses (class 22: encoding, range,
//                             length) -> InvalidArgument
//   anything else          -> Internal.
// The client only ever gets our own words: PostgreSQL's text (constraint
// names, row contents) goes to the operator's log (stderr), never into a Status.
// Private to store/: include only from store/*.cpp.
#pragma once

#include <pqxx/pqxx>

#include <cstdio>
#include <string>
#include <type_traits>

#include "common/status.h"
#include "store/connection.h"

namespace exchange::store {

inline constexpr int kMaxTransactionAttempts = 5;

// Logs what PostgreSQL said (for the operator) and returns `status`, which
// carries only our own words.
inline Status DatabaseRefusal(Status status, const std::exception& e) {
  std::fprintf(stderr, "exchanged: database: %s: %s\n", status.message().c_str(), e.what());
  return status;
}

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
      return DatabaseRefusal(Status::Unavailable("the database is unavailable; retry shortly"), e);
    } catch (const pqxx::in_doubt_error& e) {
      conn.Reset();
      return DatabaseRefusal(
          Status::Unavailable("the database connection was lost during a commit; check before retrying"), e);
    } catch (const pqxx::transaction_rollback& e) {  // serialization failure, deadlock
      if (attempt >= kMaxTransactionAttempts) {
        return DatabaseRefusal(Status::Unavailable("the database is busy with conflicting changes; retry shortly"), e);
      }
    } catch (const pqxx::sql_error& e) {
      // A server shutting down kills sessions with class 57 (operator
      // intervention) or 08 (connection exception): treat as unavailable.
      const std::string& state = e.sqlstate();
      if (state.rfind("57", 0) == 0 || state.rfind("08", 0) == 0) {
        conn.Reset();
        return DatabaseRefusal(Status::Unavailable("the database is unavailable; retry shortly"), e);
      }
      if (state == "23505") return DatabaseRefusal(Status::AlreadyExists("this conflicts with an existing record"), e);
      if (state.rfind("23", 0) == 0) {
        return DatabaseRefusal(Status::InvalidArgument("a value is outside what the exchange stores (a length, a "
                                                       "format or a reference); see docs/security.md for the limits"),
                               e);
      }
      if (state.rfind("22", 0) == 0) {
        return DatabaseRefusal(Status::InvalidArgument("a value cannot be stored: it is out of range, too long or "
                                                       "not valid UTF-8"),
                               e);
      }
      return Status::Internal(std::string("database error: ") + e.what());
    } catch (const std::exception& e) {
      // A failed invariant in our own code (stored data that cannot be), or a
      // libpqxx conversion error: a bug to report, not a reason to retry.
      return Status::Internal(std::string("database inconsistency: ") + e.what());
    }
  }
}

}  // namespace exchange::store
