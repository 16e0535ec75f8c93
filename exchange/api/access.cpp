// SPDX-License-Identifier: Apache-2.0
#include "api/access.h"

#include <algorithm>
#include <utility>

#include "common/logger.h"

namespace exchange::api {
namespace {

Status NoAccess(const std::string& name) {
  return Status::PermissionDenied("your organisation has no access to collection " + name);
}

}  // namespace

bool IsStaff(const http::Caller& caller) {
  return caller.role == http::Role::kAdmin || caller.role == http::Role::kAuditor;
}

Status RequireAdmin(const http::Caller& caller) {
  if (caller.role != http::Role::kAdmin) return Status::PermissionDenied("only coalition admins may do this");
  return Status::Ok();
}

Result<store::CollectionAccess> ReadableCollection(http::CallContext& context, const std::string& name) {
  const http::Caller& caller = *context.caller;
  auto found = store::FindCollectionAccess(*context.db, name, caller.org_id);
  if (!found.ok()) return found.status();
  if (!found->has_value()) {
    if (IsStaff(caller)) return Status::NotFound("no collection named " + name);
    return NoAccess(name);
  }
  if (!IsStaff(caller) && (*found)->access == store::GrantAccess::kNone) return NoAccess(name);
  return **found;
}

Result<store::CollectionAccess> WritableCollection(http::CallContext& context, const std::string& name) {
  auto readable = ReadableCollection(context, name);
  if (!readable.ok()) {
    // Staff without a grant learn no more than a member would.
    if (readable.status().code() == ErrorCode::kNotFound) return NoAccess(name);
    return readable.status();
  }
  if (readable->access != store::GrantAccess::kWrite) {
    return Status::PermissionDenied("your organisation may read but not write collection " + name);
  }
  return readable;
}

Result<store::CollectionAccess> GrantedCollection(http::CallContext& context, const std::string& name) {
  auto readable = ReadableCollection(context, name);
  if (!readable.ok()) return readable.status().code() == ErrorCode::kNotFound ? NoAccess(name) : readable.status();
  if (readable->access == store::GrantAccess::kNone) return NoAccess(name);
  return readable;
}

Result<store::LogHead> ReadableCollectionLog(http::CallContext& context, const std::string& collection) {
  auto readable = ReadableCollection(context, collection);
  if (!readable.ok()) return readable.status();
  // Read with the grant, in the same statement: no second query.
  return std::move(readable->log);
}

Result<store::LogHead> ReadableAuditLog(http::CallContext& context) {
  if (!IsStaff(*context.caller)) return Status::PermissionDenied("only admins and auditors read the audit log");
  return store::FindLog(*context.db, "audit");
}

Result<store::LogHead> ReadableLog(const http::Request& request, http::CallContext& context) {
  auto it = request.params.find("c");
  return it == request.params.end() ? ReadableAuditLog(context) : ReadableCollectionLog(context, it->second);
}

void NoteSyncProgress(const http::Request& request, http::CallContext& context, const store::LogHead& head,
                      uint64_t fetched_to) {
  if (context.caller->role != http::Role::kMember || head.kind != "collection") return;
  Status noted = store::RecordSyncObservation(*context.db, context.caller->org_id, head.log_id,
                                              std::min(fetched_to, head.size), head.size);
  if (!noted.ok()) {
    logging::Warn("sync observation not recorded", {{"request_id", request.id}, {"error", noted.ToString()}});
  }
}

store::CollectionRef RefOf(const store::CollectionRow& c) {
  return {c.id, c.log_id, c.name, c.attribution == "anonymous", c.dispute_min_orgs, c.dispute_needs_majority};
}

}  // namespace exchange::api
