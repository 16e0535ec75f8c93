// SPDX-License-Identifier: Apache-2.0
// exchangectl enroll: apply to join with an invitation token, then fetch the
// certificate once two admins have approved. The private key is made here and
// never leaves DIR.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>

#include <sstream>

#include "commands/cli.h"
#include "commands/command.h"
#include "commands/commands.h"
#include "common/files.h"
#include "exchange/v1/vetting.pb.h"
#include "pki/csr.h"
#include "pki/key.h"

namespace exchange::client {
namespace {

namespace fs = std::filesystem;

constexpr const char* kUsage =
    "usage: exchangectl enroll --token T --org NAME --legal-name NAME --domain DOMAIN --contact EMAIL\n"
    "                          --legal-basis TEXT --accept-principles --out DIR --enroll-server URL --ca FILE\n"
    "       exchangectl enroll --fetch --out DIR [--wait SECONDS]\n\n"
    "The first form makes a P-256 key in DIR/key.pem (0600), sends a certificate request\n"
    "and the application to the exchange's enrollment address, and remembers it in\n"
    "DIR/application. The second picks up DIR/cert.pem once two admins approved; it exits 7 while\n"
    "the application is still pending (after --wait SECONDS of polling, if given) and 1 when it was rejected.";

// DIR/application: "application_id ID\nenroll_server URL\n".
Status SaveApplication(const fs::path& out, const std::string& id, const std::string& server) {
  return WritePublicFile(out / "application", "application_id " + id + "\nenroll_server " + server + "\n");
}

Status LoadApplication(const fs::path& out, std::string& id, std::string& server) {
  auto text = ReadFile(out / "application", 4096);
  if (!text.ok()) return Status::NotFound("no application in " + out.string() + " (run enroll first)");
  std::istringstream in(*text);
  std::string key, value;
  while (in >> key >> value) {
    if (key == "application_id") id = value;
    if (key == "enroll_server") server = value;
  }
  if (id.empty() || server.empty()) return Status::InvalidArgument((out / "application").string() + " is damaged");
  return Status::Ok();
}

int Apply(Cli& cli, const std::string& token, const std::string& org, const std::string& legal_name,
          const std::string& domain, const std::string& contact, const std::string& legal_basis, bool accept,
          const fs::path& out) {
  if (fs::exists(out / "key.pem")) {
    return Fail(Status::AlreadyExists((out / "key.pem").string() + " exists; use another --out"));
  }
  auto key = pki::PrivateKey::GenerateP256();
  if (!key.ok()) return Fail(key.status());
  auto csr = pki::CertificateRequest::Create(*key, pki::SubjectName{org.empty() ? "applicant" : org, "", ""});
  if (!csr.ok()) return Fail(csr.status());
  auto csr_pem = csr->ToPem();
  auto key_pem = key->ToPem();
  if (!csr_pem.ok()) return Fail(csr_pem.status());
  if (!key_pem.ok()) return Fail(key_pem.status());

  std::error_code ec;
  fs::create_directories(out, ec);
  if (ec) return Fail(Status::InvalidArgument("cannot create " + out.string() + ": " + ec.message()));
  fs::permissions(out, fs::perms::owner_all, ec);
  if (Status s = WritePrivateFile(out / "key.pem", *key_pem); !s.ok()) return Fail(s);

  auto api = Connect(cli);
  if (!api.ok()) return Fail(api.status());
  v1::EnrollRequest request;
  request.set_token(token);
  request.set_org_name(org);
  request.set_legal_name(legal_name);
  request.set_domain(domain);
  request.set_contact(contact);
  request.set_legal_basis(legal_basis);
  request.set_accept_principles(accept);
  request.set_csr_pem(*csr_pem);
  v1::Application app;
  if (Status s = (*api)->Call("POST", "/v1/enroll", &request, &app); !s.ok()) {
    fs::remove(out / "key.pem", ec);  // nothing was applied for: leave no orphan key
    return Fail(s);
  }
  if (Status s = SaveApplication(out, app.application_id(), cli.connection.server); !s.ok()) return Fail(s);
  if (cli.json()) {
    std::printf("{\"application_id\": \"%s\", \"status\": \"%s\"}\n", app.application_id().c_str(),
                app.status().c_str());
  } else {
    std::printf(
        "application %s is %s; two coalition admins must approve it.\n"
        "then: exchangectl enroll --fetch --out %s\n",
        app.application_id().c_str(), app.status().c_str(), out.string().c_str());
  }
  return 0;
}

int Fetch(Cli& cli, const fs::path& out, int64_t wait_seconds) {
  std::string id;
  if (Status s = LoadApplication(out, id, cli.connection.server); !s.ok()) return Fail(s);
  auto api = Connect(cli);
  if (!api.ok()) return Fail(api.status());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(wait_seconds);
  v1::Application app;
  for (;;) {
    if (Status s = (*api)->Call("GET", "/v1/enroll/" + id, nullptr, &app); !s.ok()) return Fail(s);
    if (app.status() != "pending" || std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::seconds(2));
  }
  if (app.status() == "approved") {
    if (Status s = WritePublicFile(out / "cert.pem", app.certificate_pem()); !s.ok()) return Fail(s);
    if (Status s = WritePublicFile(out / "ca-bundle.pem", app.ca_bundle_pem()); !s.ok()) return Fail(s);
  }
  if (cli.json()) {
    app.clear_certificate_pem();
    app.clear_ca_bundle_pem();
    PrintJson(app);
  } else if (app.status() == "approved") {
    std::printf("approved: certificate in %s, key in %s\n", (out / "cert.pem").string().c_str(),
                (out / "key.pem").string().c_str());
  } else if (app.status() == "pending") {
    std::printf(
        "application %s is still pending: it needs two admins' approval (run this again later, or add "
        "--wait SECONDS)\n",
        app.application_id().c_str());
  } else {
    std::printf("application %s is %s\n", app.application_id().c_str(), app.status().c_str());
  }
  if (app.status() == "approved") return kExitOk;
  return app.status() == "pending" ? kExitPending : kExitRefused;
}

}  // namespace

int RunEnroll(Invocation& in) {
  std::string token, org, legal_name, domain, contact, legal_basis, out;
  std::string enroll_server;
  bool accept = false, fetch = false;
  int64_t wait_seconds = 0;
  AddEnrollServerFlag(in.flags, &enroll_server);
  in.flags.String("token", "", &token, "the invitation token an admin gave you");
  in.flags.String("org", "", &org, "your organisation's name");
  in.flags.String("legal-name", "", &legal_name, "registered legal name");
  in.flags.String("domain", "", &domain, "your organisation's primary domain");
  in.flags.String("contact", "", &contact, "trust & safety contact e-mail");
  in.flags.String("legal-basis", "", &legal_basis, "your legal basis for handling this material");
  in.flags.Bool("accept-principles", "", &accept, "you accept the coalition's principles");
  in.flags.String("out", "", &out, "directory for your key, application and certificate");
  in.flags.Bool("fetch", "", &fetch, "pick up the certificate of an application made earlier");
  in.flags.Int("wait", "", &wait_seconds, "with --fetch: keep polling this long while pending");
  in.Parse({{&out, "--out DIR"}});
  in.cli.connection.cert_file.clear();  // enrollment is the one call made without a certificate
  in.cli.connection.key_file.clear();
  if (!enroll_server.empty()) in.cli.connection.server = enroll_server;
  if (fetch) return Fetch(in.cli, out, wait_seconds);
  if (token.empty()) return in.UsageError("--token is required (or --fetch to pick up a certificate)");
  return Apply(in.cli, token, org, legal_name, domain, contact, legal_basis, accept, out);
}

extern const Command kEnrollCommand = {"enroll", "apply to join with an invitation; fetch the certificate", kUsage,
                                       Command::Flags::kConnection, RunEnroll};

}  // namespace exchange::client
