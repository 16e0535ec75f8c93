// SPDX-License-Identifier: Apache-2.0
// Enrollment: an invited organisation applies and fetches its decision, on
// the enrollment listener (no client certificate).
//   POST /v1/enroll   GET /v1/enroll/{id}   GET /v1/crl
#include <tuple>

#include "api/membership_fields.h"
#include "api/routes.h"
#include "exchange/v1/audit.pb.h"
#include "exchange/v1/vetting.pb.h"
#include "http/wire.h"
#include "services/issuer.h"
#include "store/vetting.h"

namespace exchange::api {
namespace {

inline constexpr std::size_t kMaxLegalBasisBytes = 4000;

http::Response Fail(const http::Request& request, const Status& status) {
  return http::ErrorResponse(&request, status);
}

http::Response Enroll(const services::CredentialIssuer& issuer, const http::Request& request,
                      http::CallContext& context) {
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
  if (Status s = issuer.CheckCsr(body.csr_pem()); !s.ok()) return Fail(request, s);
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
http::Response Fetch(const services::CredentialIssuer& issuer, const http::Request& request,
                     http::CallContext& context) {
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
  if ((*row)->status == "approved") out.set_ca_bundle_pem(issuer.ca_bundle_pem());
  return http::Encode(request, out);
}

}  // namespace

void AddEnrollmentRoutes(http::Router& router, const services::CredentialIssuer& issuer) {
  router.Add({.method = "POST",
              .pattern = "/v1/enroll",
              .access = http::Access::kPublic,
              .max_body_bytes = kSmallBodyLimit,
              .handler = [&issuer](const http::Request& r, http::CallContext& c) { return Enroll(issuer, r, c); }});
  router.Add({.method = "GET",
              .pattern = "/v1/enroll/{id}",
              .access = http::Access::kPublic,
              .max_body_bytes = kSmallBodyLimit,
              .handler = [&issuer](const http::Request& r, http::CallContext& c) { return Fetch(issuer, r, c); }});
  AddCrlRoute(router, issuer, http::Access::kPublic);
}

}  // namespace exchange::api
