// SPDX-License-Identifier: Apache-2.0
// Membership and vetting.
//   Admins:   POST /v1/admin/invitations
//             GET  /v1/admin/applications[?status=pending]
//             POST /v1/admin/applications/{id}/approve | reject
//             GET  /v1/admin/orgs
//             POST /v1/admin/orgs/{org}/suspend | reinstate | revoke
//             POST /v1/admin/credentials/{id}/revoke
//   Members:  GET  /v1/credentials   POST /v1/credentials (rotate)   POST /v1/credentials/{id}/revoke
//   Anyone:   GET  /v1/crl
//   Enrollment listener (no client certificate): POST /v1/enroll, GET /v1/enroll/{id}, GET /v1/crl
#include <openssl/rand.h>

#include <cctype>
#include <charconv>
#include <ctime>

#include "api/access.h"
#include "api/audit_event.h"
#include "api/issuer.h"
#include "api/params.h"
#include "api/routes.h"
#include "common/limits.h"
#include "common/slug.h"
#include "common/time_format.h"
#include "exchange/v1/vetting.pb.h"
#include "http/caller_auth.h"
#include "http/wire.h"
#include "log/encoding.h"
#include "log/hash.h"
#include "signals/utf8.h"
#include "store/credentials.h"
#include "store/vetting.h"

namespace exchange::api {
namespace {

inline constexpr std::size_t kMaxTextBytes = 500;
inline constexpr std::size_t kMaxLegalBasisBytes = 4000;
inline constexpr uint32_t kDefaultInvitationHours = 72;
inline constexpr uint32_t kMaxInvitationHours = 720;

http::Response Fail(const http::Request& request, const Status& status) {
  return http::ErrorResponse(&request, status);
}

std::string RandomToken(std::size_t bytes) {
  std::string raw(bytes, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(raw.size()));
  return log::HexEncode(raw);
}

std::string TokenHash(const std::string& token) {
  auto h = log::Sha256(token);
  return std::string(h.begin(), h.end());
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

// Printable UTF-8 text of bounded size: names, contacts, reasons.
Status CheckText(const std::string& field, const std::string& value, std::size_t max, bool required) {
  if (required && value.empty()) return Status::InvalidArgument(field + " is required");
  if (value.size() > max) return Status::InvalidArgument(field + " is longer than " + std::to_string(max) + " bytes");
  for (unsigned char c : value) {
    if (c < 0x20 || c == 0x7f) return Status::InvalidArgument(field + " contains a control character");
  }
  return Status::Ok();
}

// An organisation's display name: printable text as above, and at most
// limits::kMaxOrgNameChars characters, the bound the organisations table holds.
Status CheckOrgName(const std::string& field, const std::string& value, bool required) {
  auto code_points = signals::DecodeUtf8(value, field);
  if (!code_points.ok()) return code_points.status();
  if (code_points->size() > limits::kMaxOrgNameChars) {
    return Status::InvalidArgument(field + " is longer than " + std::to_string(limits::kMaxOrgNameChars) +
                                   " characters (" + std::to_string(code_points->size()) + ")");
  }
  // 200 characters are at most 800 bytes of UTF-8.
  return CheckText(field, value, 4 * limits::kMaxOrgNameChars, required);
}

Status CheckContact(const std::string& contact) {
  if (Status s = CheckText("contact", contact, kMaxTextBytes, true); !s.ok()) return s;
  auto at = contact.find('@');
  if (at == std::string::npos || at == 0 || at + 1 >= contact.size() ||
      contact.find('@', at + 1) != std::string::npos) {
    return Status::InvalidArgument("contact must be an e-mail address");
  }
  return Status::Ok();
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

void ToWire(const store::CredentialRow& c, int64_t current, v1::Credential& out) {
  out.set_credential_id(std::to_string(c.credential_id));
  out.set_role(c.role);
  out.set_status(c.credential_status);
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

class Membership {
 public:
  Membership(const CredentialIssuer& issuer, http::CallerCache& callers) : issuer_(issuer), callers_(callers) {}

  http::Response Invite(const http::Request& request, http::CallContext& context) const {
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

  http::Response Applications(const http::Request& request, http::CallContext& context) const {
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

  http::Response Decide(const http::Request& request, http::CallContext& context, bool approve) const {
    if (Status s = RequireAdmin(*context.caller); !s.ok()) return Fail(request, s);
    v1::ReasonRequest body;
    if (Status s = http::DecodeBody(request, body); !s.ok()) return Fail(request, s);
    if (Status s = CheckText("reason", body.reason(), kMaxTextBytes, true); !s.ok()) return Fail(request, s);
    const std::string& id = request.params.at("id");
    auto holder = HolderOf(context);
    if (!holder.ok()) return Fail(request, holder.status());
    store::Decision decision{id,           context.caller->credential_id, *holder, context.caller->org_slug, approve,
                             body.reason()};
    auto event = MakeAuditEvent(*context.caller, approve ? "application.approve" : "application.reject",
                                "application:" + id, body.reason());
    (*event.mutable_details())["holder"] = *holder;
    auto decided = store::DecideApplication(
        *context.db, decision,
        [this](const store::ApplicationRow& app, int64_t credential_id) {
          return issuer_.Issue(app.csr_pem, app.org_slug, credential_id);
        },
        event);
    if (!decided.ok()) return Fail(request, decided.status());
    v1::Application out;
    ToWire(*decided, out);
    return http::Encode(request, out);
  }

  http::Response Organisations(const http::Request& request, http::CallContext& context) const {
    if (!IsStaff(*context.caller))
      return Fail(request, Status::PermissionDenied("only admins and auditors list organisations"));
    auto rows = store::ListOrganisations(*context.db);
    if (!rows.ok()) return Fail(request, rows.status());
    v1::ListOrganisationsResponse out;
    for (const auto& o : *rows) {
      auto* w = out.add_organisations();
      w->set_slug(o.slug);
      w->set_name(o.name);
      w->set_status(o.status);
      w->set_status_reason(o.status_reason);
      w->set_active_credentials(static_cast<uint32_t>(o.active_credentials));
      w->set_created_at(o.created_at);
    }
    return http::Encode(request, out);
  }

  http::Response SetStatus(const http::Request& request, http::CallContext& context, const std::string& status,
                           const std::string& action) const {
    if (Status s = RequireAdmin(*context.caller); !s.ok()) return Fail(request, s);
    v1::ReasonRequest body;
    if (Status s = http::DecodeBody(request, body); !s.ok()) return Fail(request, s);
    if (Status s = CheckText("reason", body.reason(), kMaxTextBytes, true); !s.ok()) return Fail(request, s);
    const std::string& org = request.params.at("org");
    if (org == context.caller->org_slug) {
      return Fail(request, Status::PermissionDenied("an admin may not change its own organisation's status"));
    }
    auto event = MakeAuditEvent(*context.caller, action, "org:" + org, body.reason());
    auto org_id = store::SetOrganisationStatus(*context.db, org, status, body.reason(), event);
    if (!org_id.ok()) return Fail(request, org_id.status());
    callers_.ForgetOrganisation(*org_id);
    v1::Organisation out;
    out.set_slug(org);
    out.set_status(status);
    out.set_status_reason(body.reason());
    return http::Encode(request, out);
  }

  // Admins revoke members' credentials; credentials of the admins' own
  // organisation (admins, auditors) are the operator's, so that no admin can
  // remove another and get round the two-admin rule.
  http::Response AdminRevokeCredential(const http::Request& request, http::CallContext& context) const {
    if (Status s = RequireAdmin(*context.caller); !s.ok()) return Fail(request, s);
    return Revoke(request, context, std::nullopt, context.caller->org_id);
  }

  http::Response MemberRevokeCredential(const http::Request& request, http::CallContext& context) const {
    if (context.caller->role != http::Role::kMember) {
      return Fail(request, Status::PermissionDenied("admin and auditor credentials are managed by the operator"));
    }
    return Revoke(request, context, context.caller->org_id, std::nullopt);
  }

  http::Response Credentials(const http::Request& request, http::CallContext& context) const {
    auto rows = store::ListCredentials(*context.db, context.caller->org_id);
    if (!rows.ok()) return Fail(request, rows.status());
    v1::ListCredentialsResponse out;
    for (const auto& c : *rows) ToWire(c, context.caller->credential_id, *out.add_credentials());
    return http::Encode(request, out);
  }

  // A member adds a credential over its current identity (key rotation).
  http::Response Rotate(const http::Request& request, http::CallContext& context) const {
    if (context.caller->role != http::Role::kMember) {
      return Fail(request, Status::PermissionDenied("admins and auditors are registered by the operator"));
    }
    v1::RotateCredentialRequest body;
    if (Status s = http::DecodeBody(request, body); !s.ok()) return Fail(request, s);
    if (Status s = issuer_.CheckCsr(body.csr_pem()); !s.ok()) return Fail(request, s);
    // The subject names the new credential, so its id is reserved first.
    auto id = store::ReserveCredentialId(*context.db);
    if (!id.ok()) return Fail(request, id.status());
    auto credential = issuer_.Issue(body.csr_pem(), context.caller->org_slug, *id);
    if (!credential.ok()) return Fail(request, credential.status());
    credential->id = *id;
    credential->org_name = context.caller->org_name;
    credential->max_active_in_org = issuer_.max_member_credentials();
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

  http::Response Crl(const http::Request& request, http::CallContext& context) const {
    auto revoked = store::ListRevokedSerials(*context.db);
    if (!revoked.ok()) return Fail(request, revoked.status());
    auto crl = issuer_.Crl(*revoked);
    if (!crl.ok()) return Fail(request, crl.status());
    return http::TextResponse(*crl, "application/x-pem-file");
  }

  // --- Enrollment listener (no client certificate) ---

  http::Response Enroll(const http::Request& request, http::CallContext& context) const {
    v1::EnrollRequest body;
    if (Status s = http::DecodeBody(request, body); !s.ok()) return Fail(request, s);
    if (body.token().empty() || body.token().size() > 200) {
      return Fail(request, Status::Unauthenticated("an invitation token is required"));
    }
    for (auto [field, value, max, required] :
         {std::tuple{"legal_name", &body.legal_name(), kMaxTextBytes, true},
          std::tuple{"domain", &body.domain(), kMaxTextBytes, true},
          std::tuple{"legal_basis", &body.legal_basis(), kMaxLegalBasisBytes, true}}) {
      if (Status s = CheckText(field, *value, max, required); !s.ok()) return Fail(request, s);
    }
    if (Status s = CheckOrgName("org_name", body.org_name(), false); !s.ok()) return Fail(request, s);
    if (Status s = CheckContact(body.contact()); !s.ok()) return Fail(request, s);
    if (!body.accept_principles()) {
      return Fail(request, Status::InvalidArgument("the coalition's principles must be accepted (accept_principles)"));
    }
    if (Status s = issuer_.CheckCsr(body.csr_pem()); !s.ok()) return Fail(request, s);
    store::NewApplication application{"app-" + RandomToken(16), TokenHash(body.token()), body.org_name(),
                                      body.legal_name(),        body.domain(),           body.contact(),
                                      body.legal_basis(),       body.csr_pem()};
    v1::AuditEvent event;
    event.set_actor_role("applicant");
    event.set_action("application.submit");
    (*event.mutable_details())["legal_name"] = body.legal_name();
    (*event.mutable_details())["domain"] = body.domain();
    // The name the admin invited stands; a different one the applicant gives
    // is recorded for the admins to see (they invite again to adopt it).
    if (!body.org_name().empty()) (*event.mutable_details())["proposed_org_name"] = body.org_name();
    auto row = store::SubmitApplication(*context.db, application, event);
    if (!row.ok()) return Fail(request, row.status());
    v1::Application out;
    out.set_application_id(row->id);
    out.set_status(row->status);
    out.set_org(row->org_slug);
    out.set_org_name(row->org_name);
    return http::Encode(request, out, 201);
  }

  // The application id is a 128-bit random capability; the certificate is
  // useless without the private key that only the applicant holds.
  http::Response Fetch(const http::Request& request, http::CallContext& context) const {
    auto row = store::FindApplication(*context.db, request.params.at("id"));
    if (!row.ok()) return Fail(request, row.status());
    if (!row->has_value()) return Fail(request, Status::NotFound("no application " + request.params.at("id")));
    v1::Application out;
    out.set_application_id((*row)->id);
    out.set_status((*row)->status);
    out.set_org((*row)->org_slug);
    out.set_org_name((*row)->org_name);
    out.set_created_at((*row)->created_at);
    out.set_decided_at((*row)->decided_at);
    out.set_certificate_pem((*row)->certificate_pem);
    if ((*row)->status == "approved") out.set_ca_bundle_pem(issuer_.ca_bundle_pem());
    return http::Encode(request, out);
  }

 private:
  // Who the deciding admin is: the person its credential's holder record
  // names, so two certificates of one admin are one approver. A credential
  // that names nobody cannot decide (counting it per certificate would let
  // one person approve twice).
  static Result<std::string> HolderOf(http::CallContext& context) {
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

  http::Response Revoke(const http::Request& request, http::CallContext& context, std::optional<int64_t> only_org,
                        std::optional<int64_t> except_org) const {
    v1::ReasonRequest body;
    if (Status s = http::DecodeBody(request, body); !s.ok()) return Fail(request, s);
    if (Status s = CheckText("reason", body.reason(), kMaxTextBytes, true); !s.ok()) return Fail(request, s);
    auto id = PathId(request, "id");
    if (!id.ok()) return Fail(request, id.status());
    auto event =
        MakeAuditEvent(*context.caller, "credential.revoke", "credential:" + std::to_string(*id), body.reason());
    if (Status s = store::RevokeCredential(*context.db, *id, only_org, except_org, body.reason(), event); !s.ok()) {
      return Fail(request, s);
    }
    callers_.ForgetCredential(*id);
    v1::Credential out;
    out.set_credential_id(std::to_string(*id));
    out.set_status("revoked");
    return http::Encode(request, out);
  }

  const CredentialIssuer& issuer_;
  http::CallerCache& callers_;
};

using Method = http::Response (Membership::*)(const http::Request&, http::CallContext&) const;

http::Handler Bind(std::shared_ptr<Membership> m, Method method) {
  return [m, method](const http::Request& r, http::CallContext& c) { return ((*m).*method)(r, c); };
}

}  // namespace

void AddMembershipRoutes(http::Router& router, const CredentialIssuer& issuer, http::CallerCache& callers) {
  auto m = std::make_shared<Membership>(issuer, callers);
  auto add = [&](std::string method, std::string pattern, http::Handler handler) {
    router.Add({.method = std::move(method),
                .pattern = std::move(pattern),
                .max_body_bytes = kSmallBodyLimit,
                .handler = std::move(handler)});
  };
  add("POST", "/v1/admin/invitations", Bind(m, &Membership::Invite));
  add("GET", "/v1/admin/applications", Bind(m, &Membership::Applications));
  add("POST", "/v1/admin/applications/{id}/approve",
      [m](const http::Request& r, http::CallContext& c) { return m->Decide(r, c, true); });
  add("POST", "/v1/admin/applications/{id}/reject",
      [m](const http::Request& r, http::CallContext& c) { return m->Decide(r, c, false); });
  add("GET", "/v1/admin/orgs", Bind(m, &Membership::Organisations));
  for (auto [verb, status] :
       {std::pair{"suspend", "suspended"}, std::pair{"reinstate", "active"}, std::pair{"revoke", "revoked"}}) {
    add("POST", std::string("/v1/admin/orgs/{org}/") + verb,
        [m, status = std::string(status), action = std::string("org.") + verb](
            const http::Request& r, http::CallContext& c) { return m->SetStatus(r, c, status, action); });
  }
  add("POST", "/v1/admin/credentials/{id}/revoke", Bind(m, &Membership::AdminRevokeCredential));
  add("GET", "/v1/credentials", Bind(m, &Membership::Credentials));
  add("POST", "/v1/credentials", Bind(m, &Membership::Rotate));
  add("POST", "/v1/credentials/{id}/revoke", Bind(m, &Membership::MemberRevokeCredential));
  add("GET", "/v1/crl", Bind(m, &Membership::Crl));
}

void AddEnrollmentRoutes(http::Router& router, const CredentialIssuer& issuer, http::CallerCache& callers) {
  auto m = std::make_shared<Membership>(issuer, callers);
  auto add = [&](std::string method, std::string pattern, http::Handler handler) {
    router.Add({.method = std::move(method),
                .pattern = std::move(pattern),
                .access = http::Access::kPublic,
                .max_body_bytes = kSmallBodyLimit,
                .handler = std::move(handler)});
  };
  add("POST", "/v1/enroll", Bind(m, &Membership::Enroll));
  add("GET", "/v1/enroll/{id}", Bind(m, &Membership::Fetch));
  add("GET", "/v1/crl", Bind(m, &Membership::Crl));
}

}  // namespace exchange::api
