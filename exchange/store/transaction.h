// SPDX-License-Identifier: Apache-2.0
// RunTransaction and RunRead: the two ways store/ code talks to PostgreSQL.
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
// The client only ever gets our own words. The operator's log gets the
// SQLSTATE and PostgreSQL's first line (it names the constraint), never its
// DETAIL (row contents: "Key (value)=(...)") and, for data exceptions (class
// 22, whose first line may quote the input), not even that.
//
// RunRead: the same for a read of one statement, which needs no transaction
// block of its own (PostgreSQL runs a lone statement as its own transaction,
// on one snapshot): `body(pqxx::nontransaction&)` is sent without BEGIN and
// COMMIT, one round trip instead of three. Only for bodies that run a single
// statement and write nothing; two statements would see two snapshots. A
// read is safe to repeat, so when the worker's session had died while idle
// (PostgreSQL restarted, its backend was terminated) RunRead reconnects and
// runs it once more instead of answering Unavailable; a new session that
// fails is not retried.
// Private to store/: include only from store/*.cpp.
#pragma once

#include <pqxx/pqxx>

#include <string>
#include <type_traits>
#include <utility>

#include "common/logger.h"
#include "common/status.h"
#include "store/connection.h"

namespace exchange::store {

inline constexpr int kMaxTransactionAttempts = 5;

// What may be logged of a libpqxx exception (see above).
inline std::string DatabaseErrorSummary(const std::exception& e) {
  const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e);
  const std::string state = sql ? sql->sqlstate() : "";
  if (state.rfind("22", 0) == 0) return "SQLSTATE " + state;
  std::string first = e.what();
  first = first.substr(0, first.find('\n'));
  return state.empty() ? first : "SQLSTATE " + state + ": " + first;
}

// Logs what PostgreSQL said (for the operator) and returns `status`, which
// carries only our own words.
inline Status DatabaseRefusal(Status status, const std::exception& e) {
  logging::Warn("database refused", {{"status", status.message()}, {"error", DatabaseErrorSummary(e)}});
  return status;
}

// The session was lost (PostgreSQL shut down or terminated the backend):
// class 08, or 57P01-57P03. Not 57014, a cancelled statement.
inline bool SessionLost(const std::string& state) { return state.rfind("08", 0) == 0 || state.rfind("57P", 0) == 0; }

// RunTransaction and RunRead: `Tx` is pqxx::work or pqxx::nontransaction.
template <typename Tx, typename Body>
auto RunIn(Connection& conn, Body&& body) -> std::invoke_result_t<Body, Tx&> {
  constexpr bool kRead = std::is_same_v<Tx, pqxx::nontransaction>;
  for (int attempt = 1;; ++attempt) {
    // Only a session that existed before this call may have died idle.
    const bool reused = conn.Connected();
    try {
      Tx tx(conn.Get());
      auto result = body(tx);
      if (result.ok()) tx.commit();
      return result;
    } catch (const pqxx::broken_connection& e) {
      conn.Reset();
      if (kRead && reused) continue;
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
        if (kRead && reused && SessionLost(state)) continue;
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
      return Status::Internal("database error: " + DatabaseErrorSummary(e));
    } catch (const std::exception& e) {
      // A failed invariant in our own code (stored data that cannot be), or a
      // libpqxx conversion error: a bug to report, not a reason to retry.
      return Status::Internal(std::string("database inconsistency: ") + e.what());
    }
  }
}

template <typename Body>
auto RunTransaction(Connection& conn, Body&& body) -> std::invoke_result_t<Body, pqxx::work&> {
  return RunIn<pqxx::work>(conn, std::forward<Body>(body));
}

template <typename Body>
auto RunRead(Connection& conn, Body&& body) -> std::invoke_result_t<Body, pqxx::nontransaction&> {
  return RunIn<pqxx::nontransaction>(conn, std::forward<Body>(body));
}

}  // namespace exchange::store
