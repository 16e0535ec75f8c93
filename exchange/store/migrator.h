// SPDX-License-Identifier: Apache-2.0
// Applies EmbeddedMigrations() to a database and reports whether it is current.
//
// Migrate() runs every pending migration in one transaction that first takes
// a transaction-level advisory lock, so two processes migrating at once
// serialise: the second finds nothing left to do. Each applied migration is
// recorded in schema_migrations with the SHA-256 of its SQL; a recorded
// checksum that differs from the embedded one (an edited migration) or a
// recorded version this binary does not know (a newer schema) is an error.
#pragma once

#include "common/status.h"
#include "store/connection.h"

namespace exchange::store {

// Returns how many migrations were applied (0 when already current).
Result<int> Migrate(Connection& conn);

// OK when PostgreSQL answers and every embedded migration is applied;
// Unavailable or FailedPrecondition otherwise. Used by /readyz.
Status CheckSchemaCurrent(Connection& conn);

}  // namespace exchange::store
