// SPDX-License-Identifier: Apache-2.0
// Audit events for admin actions: who acted, with which credential, on what, why.
#pragma once

#include <string>

#include "exchange/v1/audit.pb.h"
#include "http/call_context.h"

namespace exchange::api {

v1::AuditEvent MakeAuditEvent(const http::Caller& actor, std::string action, std::string subject, std::string reason);

}  // namespace exchange::api
