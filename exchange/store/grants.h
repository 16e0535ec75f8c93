// SPDX-License-Identifier: Apache-2.0
// The grant check a write runs inside its own transaction (store/signals.h),
// so the check and the write it guards see the same grant. Private to
// store/: include only from store/*.cpp.
#pragma once

#include <pqxx/pqxx>

#include <cstdint>

#include "common/status.h"
#include "store/collections.h"

namespace exchange::store {

// OK when `org_id` holds at least `needed` on the collection: kRead means any
// grant, kWrite a write grant. Holds the grant row (FOR SHARE) until the
// transaction ends, so a concurrent SetGrant waits for the write to commit.
// Otherwise PermissionDenied, in the words api/access.cpp uses.
Status RequireGrant(pqxx::work& tx, int64_t collection_id, int64_t org_id, GrantAccess needed);

}  // namespace exchange::store
