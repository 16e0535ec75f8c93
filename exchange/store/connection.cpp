// SPDX-License-Identifier: Apache-2.0
#include "store/connection.h"

#include <pqxx/pqxx>

#include "store/statements.h"

namespace exchange::store {
namespace {

void DeleteConnection(pqxx::connection_base* conn) { delete static_cast<pqxx::connection*>(conn); }

}  // namespace

Connection::Connection(std::string url) : url_(std::move(url)) {}
Connection::~Connection() = default;

pqxx::connection_base& Connection::Get() {
  if (conn_ && !conn_->is_open()) conn_.reset();
  if (!conn_) {
    conn_ = {new pqxx::connection(url_), &DeleteConnection};
    // A prepared statement lives as long as its session: every new one
    // prepares them again (store/statements.h).
    DefineStatements(*conn_);
  }
  return *conn_;
}

void Connection::Reset() { conn_.reset(); }

bool Connection::Connected() const { return conn_ && conn_->is_open(); }

}  // namespace exchange::store
