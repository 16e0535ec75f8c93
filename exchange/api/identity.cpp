// SPDX-License-Identifier: Apache-2.0
// GET /v1/whoami: who the exchange thinks the caller is.
#include "api/routes.h"
#include "exchange/v1/identity.pb.h"
#include "http/wire.h"

namespace exchange::api {
namespace {

http::Response WhoAmI(const http::Request& request, http::CallContext& context) {
  const http::Caller& caller = *context.caller;
  v1::WhoAmIResponse out;
  out.set_org(caller.org_slug);
  out.set_org_name(caller.org_name);
  out.set_role(std::string(http::RoleName(caller.role)));
  out.set_fingerprint(caller.fingerprint);
  out.set_not_after(caller.not_after);
  out.set_credential_id(std::to_string(caller.credential_id));
  return http::Encode(request, out);
}

}  // namespace

void AddIdentityRoutes(http::Router& router) {
  router.Add({.method = "GET",
              .pattern = "/v1/whoami",
              .access = http::Access::kAuthenticated,
              .uses_database = false,
              .max_body_bytes = kSmallBodyLimit,
              .handler = WhoAmI});
}

}  // namespace exchange::api
