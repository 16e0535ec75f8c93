// SPDX-License-Identifier: Apache-2.0
// What a handler knows about the call beyond the request: who is calling and,
// for routes that use it, the worker's database connection.
//
// A CallContext lives for one handler call on one thread.
#pragma once

#include "common/membership.h"

namespace exchange::store {
class Connection;
}

namespace exchange::http {

using exchange::Role;  // common/membership.h

// An authenticated caller: an active credential of an active organisation.
using Caller = exchange::CredentialIdentity;

using exchange::RoleName;

struct CallContext {
  const Caller* caller = nullptr;   // null only on Access::kPublic routes
  store::Connection* db = nullptr;  // the primary; null when the route does not use the database
  // The worker's read replica, or null. Only for data a handler knows the
  // replica holds (api/replica_reads.h); never for access, grants or writes.
  store::Connection* replica = nullptr;
};

}  // namespace exchange::http
