// SPDX-License-Identifier: Apache-2.0
// Who may read and write what. Admins and auditors read every log; members
// read the collections they hold a grant on and write where the grant is
// "write". A member asking about a collection it has no grant on gets the
// same 403 whether or not the collection exists: nothing is revealed.
#pragma once

#include <string>

#include "common/status.h"
#include "http/call_context.h"
#include "http/message.h"
#include "store/collections.h"
#include "store/logs.h"
#include "store/signals.h"

namespace exchange::api {

bool IsStaff(const http::Caller& caller);  // admin or auditor
Status RequireAdmin(const http::Caller& caller);

// The collection and the caller's access; PermissionDenied/NotFound as above.
Result<store::CollectionAccess> ReadableCollection(http::CallContext& context, const std::string& name);
Result<store::CollectionAccess> WritableCollection(http::CallContext& context, const std::string& name);
// Needs a grant whatever the role: for what organisations say (opinions, sightings).
Result<store::CollectionAccess> GrantedCollection(http::CallContext& context, const std::string& name);

// The committed head of a collection's log, or of the audit log, if the caller may read it.
Result<store::LogHead> ReadableCollectionLog(http::CallContext& context, const std::string& collection);
Result<store::LogHead> ReadableAuditLog(http::CallContext& context);
// The log a route's path names: the collection's (the {c} parameter), or,
// on routes without one, the audit log.
Result<store::LogHead> ReadableLog(const http::Request& request, http::CallContext& context);

// Notes, for the feed-freshness figures, that a member read a collection's
// log up to `fetched_to` of the tree `head` (entries pages and entry
// bundles). Staff reads and the audit log are not noted. A failure is logged,
// never the caller's: it must not fail a member's sync.
void NoteSyncProgress(const http::Request& request, http::CallContext& context, const store::LogHead& head,
                      uint64_t fetched_to);

// What the store needs to change a collection's signals.
store::CollectionRef RefOf(const store::CollectionRow& collection);

}  // namespace exchange::api
