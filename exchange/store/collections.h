// SPDX-License-Identifier: Apache-2.0
// Collections (sharing scopes), their grants, and the audit events that
// admin changes to them write in the same transaction.
//
// Who may do what is decided above (api/); this file only reads and writes.
// Thread-safety: stateless functions; the Connection belongs to the caller.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "exchange/v1/audit.pb.h"
#include "signals/kind.h"
#include "store/connection.h"
#include "store/logs.h"

namespace exchange::store {

enum class GrantAccess { kNone, kRead, kWrite };
std::string_view GrantAccessName(GrantAccess access);
std::optional<GrantAccess> ParseGrantAccess(std::string_view name);  // "none", "read", "write"

struct CollectionRow {
  int64_t id = 0;
  std::string name;
  std::string description;
  std::vector<signals::Kind> allowed_kinds;     // empty: all kinds
  std::vector<std::string> required_fields;     // e.g. "category"
  std::vector<std::string> allowed_categories;  // the taxonomy, in its spelling; empty: any token
  std::vector<std::string> label_vocabulary;    // allowed labels; empty: any token
  std::string attribution = "named";            // or "anonymous"
  int dispute_min_orgs = 2;
  bool dispute_needs_majority = true;
  int vpdq_stored_percent = 80;  // the vPDQ thresholds a lookup applies when it names none
  int vpdq_query_percent = 0;
  int64_t log_id = 0;
  uint64_t log_size = 0;
  std::vector<std::pair<std::string, GrantAccess>> grants;  // org slug, access
};

// Creates the collection and its (empty) log, and appends `event` to the
// audit log, in one transaction. AlreadyExists for a taken name.
Result<CollectionRow> CreateCollection(Connection& conn, const CollectionRow& spec, const v1::AuditEvent& event);

// Every collection with its grants; when `org_id` is set, only those that
// organisation holds a grant on.
Result<std::vector<CollectionRow>> ListCollections(Connection& conn, std::optional<int64_t> org_id);

// The collection, what `org_id` may do with it, and its log's committed
// head, all read by one statement (one snapshot). nullopt: no such collection.
struct CollectionAccess {
  CollectionRow collection;
  GrantAccess access = GrantAccess::kNone;
  LogHead log;
};
Result<std::optional<CollectionAccess>> FindCollectionAccess(Connection& conn, const std::string& name, int64_t org_id);

// The settings an admin may change after creation; unset fields keep their value.
struct CollectionUpdate {
  std::optional<int> vpdq_stored_percent;  // 1-100 (checked above and by the schema)
  std::optional<int> vpdq_query_percent;   // 0-100
};

// Applies `update` and appends `event` to the audit log, in one transaction;
// the collection as it now is. NotFound for an unknown collection.
Result<CollectionRow> UpdateCollection(Connection& conn, const std::string& name, const CollectionUpdate& update,
                                       const v1::AuditEvent& event);

// Sets (or with kNone removes) an organisation's grant and appends `event`
// to the audit log, in one transaction. NotFound for an unknown collection or org.
Status SetGrant(Connection& conn, const std::string& collection, const std::string& org_slug, GrantAccess access,
                const v1::AuditEvent& event);

}  // namespace exchange::store
