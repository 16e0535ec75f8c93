// SPDX-License-Identifier: Apache-2.0
// What a handler knows about the call beyond the request: who is calling and,
// for routes that use it, the worker's database connection.
//
// A CallContext lives for one handler call on one thread.
#pragma once

#include <cstdint>
#include <string>

#include "common/membership.h"

namespace exchange::store {
class Connection;
}

namespace exchange::http {

using exchange::Role;  // common/membership.h

// An authenticated caller: an active credential of an active organisation.
struct Caller {
  int64_t credential_id = 0;
  int64_t org_id = 0;
  std::string org_slug;
  std::string org_name;
  Role role = Role::kMember;
  std::string fingerprint;
  std::string not_after;  // RFC 3339 UTC
};

using exchange::RoleName;

struct CallContext {
  const Caller* caller = nullptr;   // null only on Access::kPublic routes
  store::Connection* db = nullptr;  // the primary; null when the route does not use the database
  // The worker's read replica, or null. Only for data a handler knows the
  // replica holds (api/replica_reads.h); never for access, grants or writes.
  store::Connection* replica = nullptr;
};

}  // namespace exchange::http
