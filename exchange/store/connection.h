// SPDX-License-Identifier: Apache-2.0
// One PostgreSQL connection, owned by one worker thread.
//
// The connection is opened lazily and reopened after PostgreSQL restarts:
// store functions catch pqxx::broken_connection, call Reset(), and return
// Status::Unavailable, so the next job on this worker reconnects. Callers
// outside store/ only pass a Connection& through; libpqxx stays inside store/.
// Each session opened prepares the hot read statements (store/statements.h).
//
// Thread-safety: none. A Connection belongs to exactly one thread.
#pragma once

#include <memory>
#include <string>

namespace pqxx {
class connection_base;
}

namespace exchange::store {

class Connection {
 public:
  explicit Connection(std::string url);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // The live connection, connecting first if needed. Throws pqxx::broken_connection
  // when PostgreSQL cannot be reached. Only store/ calls this.
  pqxx::connection_base& Get();
  // Drops the connection; the next Get() reconnects.
  void Reset();
  // Whether a session is open (or was, until it is next used: a session the
  // server closed while idle still counts until a query finds out).
  bool Connected() const;

 private:
  std::string url_;
  // pqxx::connection_base has no virtual destructor: the deleter (in the .cpp)
  // deletes the pqxx::connection that was made.
  std::unique_ptr<pqxx::connection_base, void (*)(pqxx::connection_base*)> conn_{nullptr, nullptr};
};

}  // namespace exchange::store
