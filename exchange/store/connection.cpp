#include "store/connection.h"

#include <pqxx/pqxx>

namespace exchange::store {

Connection::Connection(std::string url) : url_(std::move(url)) {}
Connection::~Connection() = default;

pqxx::connection_base& Connection::Get() {
  if (conn_ && !conn_->is_open()) conn_.reset();
  if (!conn_) conn_ = std::make_unique<pqxx::connection>(url_);
  return *conn_;
}

void Connection::Reset() { conn_.reset(); }

}  // namespace exchange::store
