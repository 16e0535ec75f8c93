// SPDX-License-Identifier: Apache-2.0
#include "api/audit_event.h"

namespace exchange::api {

v1::AuditEvent MakeAuditEvent(const http::Caller& actor, std::string action, std::string subject, std::string reason) {
  v1::AuditEvent event;
  event.set_actor_org(actor.org_slug);
  event.set_actor_role(std::string(http::RoleName(actor.role)));
  event.set_actor_fingerprint(actor.fingerprint);
  event.set_action(std::move(action));
  event.set_subject(std::move(subject));
  event.set_reason(std::move(reason));
  return event;
}

}  // namespace exchange::api
