// SPDX-License-Identifier: Apache-2.0
// Appending an audit event to the audit log inside the caller's transaction,
// so there is no action without its event and no event without its action.
// Private to store/.
#pragma once

#include <pqxx/pqxx>

#include "exchange/v1/audit.pb.h"
#include "store/logs.h"

namespace exchange::store {

// Locks the audit log, appends `event` (stamped with the time if unset, and
// with the acting credential's id and holder when it names a fingerprint).
LogHead AppendAuditEvent(pqxx::work& tx, v1::AuditEvent event);

}  // namespace exchange::store
