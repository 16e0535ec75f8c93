// SPDX-License-Identifier: Apache-2.0
// exchangectl admin: vetting and membership, for coalition admins.
#include <cstdio>

#include "commands/cli.h"
#include "commands/command.h"
#include "commands/commands.h"
#include "common/files.h"
#include "exchange/v1/vetting.pb.h"

namespace exchange::client {
namespace {

constexpr const char* kUsage =
    "usage: exchangectl admin invite --org NAME [--slug SLUG] --contact EMAIL [--ttl-hours N]\n"
    "       exchangectl admin applications [--status pending|approved|rejected]\n"
    "       exchangectl admin approve APPLICATION --reason R\n"
    "       exchangectl admin reject APPLICATION --reason R\n"
    "       exchangectl admin orgs\n"
    "       exchangectl admin suspend|reinstate|revoke ORG --reason R\n"
    "       exchangectl admin revoke --credential ID --reason R\n"
    "       exchangectl admin crl [--out FILE]\n\n"
    "Approval needs two different admins; every action is written to the audit log.";

void PrintApplication(const v1::Application& a) {
  std::printf(
      "application  %s\nstatus       %s\norganisation %s (%s)\nlegal name   %s\ndomain       %s\n"
      "contact      %s\napproved by  ",
      a.application_id().c_str(), a.status().c_str(), a.org().c_str(), a.org_name().c_str(), a.legal_name().c_str(),
      a.domain().c_str(), a.contact().c_str());
  for (const auto& h : a.approved_by()) std::printf("%s ", h.c_str());
  std::printf("\n");
}

void PrintApplications(const v1::ListApplicationsResponse& list) {
  std::printf("%-38s %-9s %-20s %-24s %s\n", "APPLICATION", "STATUS", "ORG", "LEGAL NAME", "APPROVED BY");
  for (const auto& a : list.applications()) {
    std::string by;
    for (const auto& h : a.approved_by()) by += (by.empty() ? "" : ",") + h;
    std::printf("%-38s %-9s %-20s %-24s %s\n", a.application_id().c_str(), a.status().c_str(), a.org().c_str(),
                a.legal_name().c_str(), by.c_str());
  }
}

void PrintOrganisations(const v1::ListOrganisationsResponse& list) {
  std::printf("%-24s %-10s %6s  %s\n", "ORG", "STATUS", "CREDS", "NAME");
  for (const auto& o : list.organisations()) {
    std::printf("%-24s %-10s %6u  %s\n", o.slug().c_str(), o.status().c_str(), o.active_credentials(),
                o.name().c_str());
  }
}

}  // namespace

int RunAdmin(Invocation& in) {
  std::string org, slug, contact, reason, status, out, credential;
  int64_t ttl_hours = 72;
  in.flags.String("org", "", &org, "organisation name (invite)");
  in.flags.String("slug", "", &slug, "organisation slug (invite; derived from the name when absent)");
  in.flags.String("contact", "", &contact, "applicant contact e-mail (invite)");
  in.flags.Int("ttl-hours", "", &ttl_hours, "how many hours the invitation token works");
  in.flags.String("reason", "", &reason, "why: kept in the audit log");
  in.flags.String("status", "", &status, "filter applications");
  in.flags.String("credential", "", &credential, "credential id (revoke one credential)");
  in.flags.String("out", "", &out, "file to write (crl)");
  in.Parse();
  const auto& pos = in.positionals();
  if (pos.empty()) {
    std::fputs(kUsage, stderr);
    std::fputs("\n", stderr);
    return kExitUsage;
  }
  auto api = in.Connect();
  if (!api.ok()) return Fail(api.status());
  const std::string& verb = pos[0];

  if (verb == "invite" && pos.size() == 1) {
    v1::CreateInvitationRequest request;
    request.set_org_name(org);
    request.set_slug(slug);
    request.set_contact(contact);
    request.set_ttl_hours(static_cast<uint32_t>(ttl_hours));
    v1::Invitation invitation;
    if (Status s = (*api)->Call("POST", "/v1/admin/invitations", &request, &invitation); !s.ok()) return Fail(s);
    if (in.cli.json()) {
      PrintJson(invitation);
    } else {
      std::printf(
          "invitation for %s (%s), valid until %s\ntoken: %s\n(give the token to the applicant over a "
          "trusted channel; it works once)\n",
          invitation.org_name().c_str(), invitation.org().c_str(), invitation.expires_at().c_str(),
          invitation.token().c_str());
    }
    return 0;
  }
  if (verb == "applications" && pos.size() == 1) {
    return GetAndPrint<v1::ListApplicationsResponse>(
        **api, in.cli, "/v1/admin/applications" + (status.empty() ? "" : "?status=" + status), PrintApplications);
  }
  if ((verb == "approve" || verb == "reject") && pos.size() == 2) {
    v1::ReasonRequest request;
    request.set_reason(reason);
    v1::Application app;
    if (Status s = (*api)->Call("POST", "/v1/admin/applications/" + pos[1] + "/" + verb, &request, &app); !s.ok()) {
      return Fail(s);
    }
    in.cli.json() ? PrintJson(app) : PrintApplication(app);
    return 0;
  }
  if (verb == "orgs" && pos.size() == 1) {
    return GetAndPrint<v1::ListOrganisationsResponse>(**api, in.cli, "/v1/admin/orgs", PrintOrganisations);
  }
  if ((verb == "suspend" || verb == "reinstate" || verb == "revoke") && (pos.size() == 2 || !credential.empty())) {
    v1::ReasonRequest request;
    request.set_reason(reason);
    if (verb == "revoke" && !credential.empty()) {
      v1::Credential revoked;
      if (Status s = (*api)->Call("POST", "/v1/admin/credentials/" + credential + "/revoke", &request, &revoked);
          !s.ok()) {
        return Fail(s);
      }
      in.cli.json() ? PrintJson(revoked) : (void)std::printf("credential %s revoked\n", credential.c_str());
      return 0;
    }
    v1::Organisation changed;
    if (Status s = (*api)->Call("POST", "/v1/admin/orgs/" + pos[1] + "/" + verb, &request, &changed); !s.ok()) {
      return Fail(s);
    }
    in.cli.json() ? PrintJson(changed)
                  : (void)std::printf("%s is now %s\n", changed.slug().c_str(), changed.status().c_str());
    return 0;
  }
  if (verb == "crl" && pos.size() == 1) {
    auto crl = (*api)->GetText("/v1/crl");
    if (!crl.ok()) return Fail(crl.status());
    if (out.empty()) {
      std::fputs(crl->c_str(), stdout);
    } else if (Status s = WritePublicFile(out, *crl); !s.ok()) {
      return Fail(s);
    }
    return 0;
  }
  std::fputs(kUsage, stderr);
  std::fputs("\n", stderr);
  return kExitUsage;
}

extern const Command kAdminCommand = {"admin", "invite, approve, suspend, reinstate, revoke (coalition admins)", kUsage,
                                      Command::Flags::kConnection, RunAdmin};

}  // namespace exchange::client
