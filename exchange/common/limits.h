// SPDX-License-Identifier: Apache-2.0
// Bounds that both the API and the schema enforce: one set of numbers.
//
// Handlers refuse a value over a bound with a 400 that names it, so nothing
// the API accepts is later refused by a CHECK constraint (which would surface
// at a later step, e.g. an organisation name accepted at enrollment that can
// never be approved). The migrations spell the same numbers in their CHECK
// constraints; tests/pg/store_pgtest.cpp checks the organisation-name bound
// against a real database.
// Lengths in characters are Unicode code points (PostgreSQL's length() on
// UTF-8 text); lengths in bytes are bytes.
#pragma once

#include <cstddef>

namespace exchange::limits {

// organisations.name, invitations.org_name, applications.org_name
// (migrations/0001_identity.sql, 0007_hardening.sql).
inline constexpr std::size_t kMaxOrgNameChars = 200;
// collections.description (migrations/0002_logs_and_collections.sql).
inline constexpr std::size_t kMaxCollectionDescriptionChars = 2000;
// idempotency_keys.key (migrations/0003_signals.sql).
inline constexpr std::size_t kMaxIdempotencyKeyBytes = 200;
// Slugs of organisations and names of collections: 1-63 characters matching
// ^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$ (common/slug.h).
inline constexpr std::size_t kMaxSlugChars = 63;

}  // namespace exchange::limits
