// SPDX-License-Identifier: Apache-2.0
// Vetting: admins invite organisations, decide their applications (the
// approval issues the applicant's first credential) and suspend, reinstate
// or revoke organisations.
//   POST /v1/admin/invitations
//   GET  /v1/admin/applications[?status=pending]
//   POST /v1/admin/applications/{id}/approve | reject
//   GET  /v1/admin/orgs
//   POST /v1/admin/orgs/{org}/suspend | reinstate | revoke
#include <cctype>
#include <ctime>

#include "api/access.h"
#include "api/audit_event.h"
#include "api/membership_fields.h"
#include "api/routes.h"
#include "common/slug.h"
#include "common/time_format.h"
#include "exchange/v1/vetting.pb.h"
#include "http/caller_cache.h"
#include "http/wire.h"
#include "services/issuer.h"
#include "store/credentials.h"
#include "store/vetting.h"

namespace exchange::api {
namespace {

inline constexpr uint32_t kDefaultInvitationHours = 72;
inline constexpr uint32_t kMaxInvitationHours = 720;

http::Response Fail(const http::Request& request, const Status& status) {
  return http::ErrorResponse(&request, status);
}

// "Acme Social, Inc." -> "acme-social-inc"; empty when nothing Latin is left.
std::string DeriveSlug(const std::string& name) {
  std::string slug;
  for (unsigned char c : name) {
    if (std::isalnum(c) && c < 0x80) {
      slug.push_back(static_cast<char>(std::tolower(c)));
    } else if (!slug.empty() && slug.back() != '-') {
      slug.push_back('-');
    }
  }
  while (!slug.empty() && slug.back() == '-') slug.pop_back();
  if (slug.size() > 63) slug.resize(63);
  while (!slug.empty() && slug.back() == '-') slug.pop_back();
  return slug;
}

void ToWire(const store::ApplicationRow& a, v1::Application& out) {
  out.set_application_id(a.id);
  out.set_status(a.status);
  out.set_org(a.org_slug);
  out.set_org_name(a.org_name);
  out.set_legal_name(a.legal_name);
  out.set_domain(a.domain);
  out.set_contact(a.contact);
  out.set_legal_basis(a.legal_basis);
  out.set_created_at(a.created_at);
  out.set_decided_at(a.decided_at);
  for (const auto& h : a.approved_by) out.add_approved_by(h);
  for (const auto& h : a.rejected_by) out.add_rejected_by(h);
  out.set_certificate_pem(a.certificate_pem);
}

// Who the deciding admin is: the person its credential's holder record
// names, so two certificates of one admin are one approver. A credential
// that names nobody cannot decide (counting it per certificate would let
// one person approve twice).
Result<std::string> HolderOf(http::CallContext& context) {
  auto row = store::FindCredential(*context.db, context.caller->fingerprint);
  if (!row.ok()) return row.status();
  if (!row->has_value() || (*row)->holder.empty()) {
    return Status::PermissionDenied(
        "this admin credential names no holder, so it cannot count toward the "
        "two-admin rule; the operator registers it with `exchanged credentials add "
        "--holder PERSON`");
  }
  return (*row)->holder;
}

http::Response Invite(const http::Request& request, http::CallContext& context) {
  if (Status s = RequireAdmin(*context.caller); !s.ok()) return Fail(request, s);
  v1::CreateInvitationRequest body;
  if (Status s = http::DecodeBody(request, body); !s.ok()) return Fail(request, s);
  if (Status s = CheckOrgName("org_name", body.org_name(), true); !s.ok()) return Fail(request, s);
  if (Status s = CheckContact(body.contact()); !s.ok()) return Fail(request, s);
  std::string slug = body.slug().empty() ? DeriveSlug(body.org_name()) : body.slug();
  if (slug.empty()) return Fail(request, Status::InvalidArgument("no slug can be derived from this name; give one"));
  if (!IsValidSlug(slug)) {
    return Fail(request, Status::InvalidArgument("slug '" + slug + "' must be lowercase letters, digits and '-'"));
  }
  if (IsReservedSlug(slug)) {
    return Fail(request, Status::InvalidArgument("slug '" + slug + "' is reserved"));
  }
  const uint32_t hours = body.ttl_hours() ? body.ttl_hours() : kDefaultInvitationHours;
  if (hours > kMaxInvitationHours) return Fail(request, Status::InvalidArgument("ttl_hours is at most 720"));

  const std::string token = RandomToken(32);
  const int64_t expires_at = std::time(nullptr) + int64_t{hours} * 3600;
  auto event = MakeAuditEvent(*context.caller, "invitation.create", "org:" + slug, "");
  (*event.mutable_details())["org_name"] = body.org_name();
  (*event.mutable_details())["contact"] = body.contact();
  store::NewInvitation invitation{
      TokenHash(token), slug, body.org_name(), body.contact(), context.caller->credential_id, expires_at};
  if (Status s = store::CreateInvitation(*context.db, invitation, event); !s.ok()) return Fail(request, s);
  v1::Invitation out;
  out.set_token(token);
  out.set_expires_at(FormatRfc3339(expires_at));
  out.set_org(slug);
  out.set_org_name(body.org_name());
  return http::Encode(request, out, 201);
}

http::Response Applications(const http::Request& request, http::CallContext& context) {
  if (Status s = RequireAdmin(*context.caller); !s.ok()) return Fail(request, s);
  auto it = request.query.find("status");
  std::string status = it == request.query.end() ? "" : it->second;
  if (!status.empty() && status != "pending" && status != "approved" && status != "rejected") {
    return Fail(request, Status::InvalidArgument("status must be pending, approved or rejected"));
  }
  auto rows = store::ListApplications(*context.db, status);
  if (!rows.ok()) return Fail(request, rows.status());
  v1::ListApplicationsResponse out;
  for (const auto& a : *rows) {
    ToWire(a, *out.add_applications());
    out.mutable_applications()->rbegin()->clear_certificate_pem();
  }
  return http::Encode(request, out);
}

http::Response Decide(const services::CredentialIssuer& issuer, bool approve, const http::Request& request,
                      http::CallContext& context) {
  if (Status s = RequireAdmin(*context.caller); !s.ok()) return Fail(request, s);
  auto body = DecodeReason(request);
  if (!body.ok()) return Fail(request, body.status());
  const std::string& id = request.params.at("id");
  auto holder = HolderOf(context);
  if (!holder.ok()) return Fail(request, holder.status());
  store::Decision decision{
      id, context.caller->credential_id, *holder, context.caller->org_slug, approve, body->reason()};
  auto event = MakeAuditEvent(*context.caller, approve ? "application.approve" : "application.reject",
                              "application:" + id, body->reason());
  (*event.mutable_details())["holder"] = *holder;
  auto decided = store::DecideApplication(
      *context.db, decision,
      [&issuer](const store::ApplicationRow& app, int64_t credential_id) {
        return issuer.Issue(app.csr_pem, app.org_slug, credential_id);
      },
      event);
  if (!decided.ok()) return Fail(request, decided.status());
  v1::Application out;
  ToWire(*decided, out);
  return http::Encode(request, out);
}

http::Response Organisations(const http::Request& request, http::CallContext& context) {
  if (!IsStaff(*context.caller))
    return Fail(request, Status::PermissionDenied("only admins and auditors list organisations"));
  auto rows = store::ListOrganisations(*context.db);
  if (!rows.ok()) return Fail(request, rows.status());
  v1::ListOrganisationsResponse out;
  for (const auto& o : *rows) {
    auto* w = out.add_organisations();
    w->set_slug(o.slug);
    w->set_name(o.name);
    w->set_status(std::string(OrgStatusName(o.status)));
    w->set_status_reason(o.status_reason);
    w->set_active_credentials(static_cast<uint32_t>(o.active_credentials));
    w->set_created_at(o.created_at);
  }
  return http::Encode(request, out);
}

// `status` is the organisation's new status; `action` names the audit event.
http::Response SetStatus(http::CallerCache& callers, const std::string& status, const std::string& action,
                         const http::Request& request, http::CallContext& context) {
  if (Status s = RequireAdmin(*context.caller); !s.ok()) return Fail(request, s);
  auto body = DecodeReason(request);
  if (!body.ok()) return Fail(request, body.status());
  const std::string& org = request.params.at("org");
  if (org == context.caller->org_slug) {
    return Fail(request, Status::PermissionDenied("an admin may not change its own organisation's status"));
  }
  auto event = MakeAuditEvent(*context.caller, action, "org:" + org, body->reason());
  auto org_id = store::SetOrganisationStatus(*context.db, org, *ParseOrgStatus(status), body->reason(), event);
  if (!org_id.ok()) return Fail(request, org_id.status());
  callers.ForgetOrganisation(*org_id);
  v1::Organisation out;
  out.set_slug(org);
  out.set_status(status);
  out.set_status_reason(body->reason());
  return http::Encode(request, out);
}

}  // namespace

void AddVettingRoutes(http::Router& router, const services::CredentialIssuer& issuer, http::CallerCache& callers) {
  router.Add(
      {.method = "POST", .pattern = "/v1/admin/invitations", .max_body_bytes = kSmallBodyLimit, .handler = Invite});
  router.Add({.method = "GET",
              .pattern = "/v1/admin/applications",
              .max_body_bytes = kSmallBodyLimit,
              .handler = Applications});
  router.Add(
      {.method = "POST",
       .pattern = "/v1/admin/applications/{id}/approve",
       .max_body_bytes = kSmallBodyLimit,
       .handler = [&issuer](const http::Request& r, http::CallContext& c) { return Decide(issuer, true, r, c); }});
  router.Add(
      {.method = "POST",
       .pattern = "/v1/admin/applications/{id}/reject",
       .max_body_bytes = kSmallBodyLimit,
       .handler = [&issuer](const http::Request& r, http::CallContext& c) { return Decide(issuer, false, r, c); }});
  router.Add(
      {.method = "GET", .pattern = "/v1/admin/orgs", .max_body_bytes = kSmallBodyLimit, .handler = Organisations});
  for (auto [verb, status] :
       {std::pair{"suspend", "suspended"}, std::pair{"reinstate", "active"}, std::pair{"revoke", "revoked"}}) {
    router.Add({.method = "POST",
                .pattern = std::string("/v1/admin/orgs/{org}/") + verb,
                .max_body_bytes = kSmallBodyLimit,
                .handler = [&callers, status = std::string(status), action = std::string("org.") + verb](
                               const http::Request& r, http::CallContext& c) {
                  return SetStatus(callers, status, action, r, c);
                }});
  }
}

}  // namespace exchange::api
