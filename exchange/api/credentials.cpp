// SPDX-License-Identifier: Apache-2.0
// Credentials: members list, rotate and revoke their own; admins revoke
// members'; anyone fetches the CRL.
//   Admins:   POST /v1/admin/credentials/{id}/revoke
//   Members:  GET  /v1/credentials   POST /v1/credentials (rotate)   POST /v1/credentials/{id}/revoke
//   Anyone:   GET  /v1/crl (also on the enrollment listener)
#include <charconv>
#include <optional>

#include "api/access.h"
#include "api/audit_event.h"
#include "api/membership_fields.h"
#include "api/routes.h"
#include "exchange/v1/vetting.pb.h"
#include "http/caller_cache.h"
#include "http/wire.h"
#include "services/issuer.h"
#include "store/credentials.h"

namespace exchange::api {
namespace {

http::Response Fail(const http::Request& request, const Status& status) {
  return http::ErrorResponse(&request, status);
}

void ToWire(const store::CredentialRow& c, int64_t current, v1::Credential& out) {
  out.set_credential_id(std::to_string(c.credential_id));
  out.set_role(std::string(RoleName(c.role)));
  out.set_status(std::string(CredentialStatusName(c.credential_status)));
  out.set_fingerprint(c.fingerprint);
  out.set_serial(c.serial_hex);
  out.set_not_after(c.not_after);
  out.set_created_at(c.created_at);
  out.set_holder(c.holder);
  out.set_current(c.credential_id == current);
}

Result<int64_t> PathId(const http::Request& request, const std::string& name) {
  const std::string& text = request.params.at(name);
  int64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id <= 0) {
    return Status::InvalidArgument(name + " must be a positive number");
  }
  return id;
}

// Revokes credential {id} when it belongs to `only_org` (if set) and not to
// `except_org` (if set).
http::Response Revoke(http::CallerCache& callers, const http::Request& request, http::CallContext& context,
                      std::optional<int64_t> only_org, std::optional<int64_t> except_org) {
  auto body = DecodeReason(request);
  if (!body.ok()) return Fail(request, body.status());
  auto id = PathId(request, "id");
  if (!id.ok()) return Fail(request, id.status());
  auto event =
      MakeAuditEvent(*context.caller, "credential.revoke", "credential:" + std::to_string(*id), body->reason());
  if (Status s = store::RevokeCredential(*context.db, *id, only_org, except_org, body->reason(), event); !s.ok()) {
    return Fail(request, s);
  }
  callers.ForgetCredential(*id);
  v1::Credential out;
  out.set_credential_id(std::to_string(*id));
  out.set_status("revoked");
  return http::Encode(request, out);
}

// Admins revoke members' credentials; credentials of the admins' own
// organisation (admins, auditors) are the operator's, so that no admin can
// remove another and get round the two-admin rule.
http::Response AdminRevokeCredential(http::CallerCache& callers, const http::Request& request,
                                     http::CallContext& context) {
  if (Status s = RequireAdmin(*context.caller); !s.ok()) return Fail(request, s);
  return Revoke(callers, request, context, std::nullopt, context.caller->org_id);
}

http::Response MemberRevokeCredential(http::CallerCache& callers, const http::Request& request,
                                      http::CallContext& context) {
  if (context.caller->role != http::Role::kMember) {
    return Fail(request, Status::PermissionDenied("admin and auditor credentials are managed by the operator"));
  }
  return Revoke(callers, request, context, context.caller->org_id, std::nullopt);
}

http::Response Credentials(const http::Request& request, http::CallContext& context) {
  auto rows = store::ListCredentials(*context.db, context.caller->org_id);
  if (!rows.ok()) return Fail(request, rows.status());
  v1::ListCredentialsResponse out;
  for (const auto& c : *rows) ToWire(c, context.caller->credential_id, *out.add_credentials());
  return http::Encode(request, out);
}

// A member adds a credential over its current identity (key rotation).
http::Response Rotate(const services::CredentialIssuer& issuer, const http::Request& request,
                      http::CallContext& context) {
  if (context.caller->role != http::Role::kMember) {
    return Fail(request, Status::PermissionDenied("admins and auditors are registered by the operator"));
  }
  v1::RotateCredentialRequest body;
  if (Status s = http::DecodeBody(request, body); !s.ok()) return Fail(request, s);
  if (Status s = issuer.CheckCsr(body.csr_pem()); !s.ok()) return Fail(request, s);
  // The subject names the new credential, so its id is reserved first.
  auto id = store::ReserveCredentialId(*context.db);
  if (!id.ok()) return Fail(request, id.status());
  auto credential = issuer.Issue(body.csr_pem(), context.caller->org_slug, *id);
  if (!credential.ok()) return Fail(request, credential.status());
  credential->id = *id;
  credential->org_name = context.caller->org_name;
  credential->max_active_in_org = issuer.max_member_credentials();
  auto event = MakeAuditEvent(*context.caller, "credential.rotate", "org:" + context.caller->org_slug,
                              "new credential over the current identity");
  (*event.mutable_details())["fingerprint"] = credential->fingerprint;
  (*event.mutable_details())["serial"] = credential->serial_hex;
  (*event.mutable_details())["credential_id"] = std::to_string(*id);
  auto row = store::RegisterCredential(*context.db, *credential, event);
  if (!row.ok()) return Fail(request, row.status());
  v1::RotateCredentialResponse out;
  ToWire(*row, context.caller->credential_id, *out.mutable_credential());
  out.set_certificate_pem(credential->certificate_pem);
  return http::Encode(request, out, 201);
}

http::Response Crl(const services::CredentialIssuer& issuer, const http::Request& request, http::CallContext& context) {
  auto revoked = store::ListRevokedSerials(*context.db);
  if (!revoked.ok()) return Fail(request, revoked.status());
  auto crl = issuer.Crl(*revoked);
  if (!crl.ok()) return Fail(request, crl.status());
  return http::TextResponse(*crl, "application/x-pem-file");
}

}  // namespace

void AddCrlRoute(http::Router& router, const services::CredentialIssuer& issuer, http::Access access) {
  router.Add({.method = "GET",
              .pattern = "/v1/crl",
              .access = access,
              .max_body_bytes = kSmallBodyLimit,
              .handler = [&issuer](const http::Request& r, http::CallContext& c) { return Crl(issuer, r, c); }});
}

void AddCredentialRoutes(http::Router& router, const services::CredentialIssuer& issuer, http::CallerCache& callers) {
  router.Add({.method = "POST",
              .pattern = "/v1/admin/credentials/{id}/revoke",
              .max_body_bytes = kSmallBodyLimit,
              .handler = [&callers](const http::Request& r, http::CallContext& c) {
                return AdminRevokeCredential(callers, r, c);
              }});
  router.Add(
      {.method = "GET", .pattern = "/v1/credentials", .max_body_bytes = kSmallBodyLimit, .handler = Credentials});
  router.Add({.method = "POST",
              .pattern = "/v1/credentials",
              .max_body_bytes = kSmallBodyLimit,
              .handler = [&issuer](const http::Request& r, http::CallContext& c) { return Rotate(issuer, r, c); }});
  router.Add({.method = "POST",
              .pattern = "/v1/credentials/{id}/revoke",
              .max_body_bytes = kSmallBodyLimit,
              .handler = [&callers](const http::Request& r, http::CallContext& c) {
                return MemberRevokeCredential(callers, r, c);
              }});
  AddCrlRoute(router, issuer, http::Access::kAuthenticated);
}

}  // namespace exchange::api
