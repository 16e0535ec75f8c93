// SPDX-License-Identifier: Apache-2.0
// exchangectl credentials list | rotate --out DIR | revoke ID --reason R
// A member's own certificates: rotate keys without asking an admin.
#include <cstdio>
#include <filesystem>

#include "commands/cli.h"
#include "commands/command.h"
#include "commands/commands.h"
#include "common/files.h"
#include "exchange/v1/vetting.pb.h"
#include "pki/csr.h"
#include "pki/key.h"

namespace exchange::client {

namespace {

void PrintTable(const v1::ListCredentialsResponse& list) {
  std::printf("%-6s %-8s %-8s %-21s %-17s %s\n", "ID", "ROLE", "STATUS", "EXPIRES", "FINGERPRINT", "");
  for (const auto& c : list.credentials()) {
    std::printf("%-6s %-8s %-8s %-21s %.16s… %s\n", c.credential_id().c_str(), c.role().c_str(), c.status().c_str(),
                c.not_after().c_str(), c.fingerprint().c_str(), c.current() ? "(this one)" : "");
  }
}

// rotate: a new key in `out`, its certificate issued over the current identity.
int Rotate(const Invocation& in, ApiClient& api, const std::string& out) {
  if (out.empty()) return UsageError("credentials rotate", "--out DIR is required");
  namespace fs = std::filesystem;
  const fs::path key_path = fs::path(out) / "key.pem", cert_path = fs::path(out) / "cert.pem";
  if (fs::exists(key_path)) return Fail(Status::AlreadyExists(key_path.string() + " exists; use another --out"));
  auto key = pki::PrivateKey::GenerateP256();
  if (!key.ok()) return Fail(key.status());
  auto csr = pki::CertificateRequest::Create(*key, pki::SubjectName{"rotation", "", ""});
  if (!csr.ok()) return Fail(csr.status());
  v1::RotateCredentialRequest request;
  auto csr_pem = csr->ToPem();
  auto key_pem = key->ToPem();
  if (!csr_pem.ok() || !key_pem.ok()) return Fail(Status::Internal("cannot encode the new key"));
  request.set_csr_pem(*csr_pem);
  v1::RotateCredentialResponse response;
  if (Status s = api.Call("POST", "/v1/credentials", &request, &response); !s.ok()) return Fail(s);
  std::error_code ec;
  fs::create_directories(out, ec);
  if (Status s = WritePrivateFile(key_path, *key_pem); !s.ok()) return Fail(s);
  if (Status s = WritePublicFile(cert_path, response.certificate_pem()); !s.ok()) return Fail(s);
  if (in.cli.json()) {
    PrintJson(response.credential());
  } else {
    std::printf("new credential %s: %s and %s\n", response.credential().credential_id().c_str(),
                cert_path.string().c_str(), key_path.string().c_str());
  }
  return 0;
}

}  // namespace

int RunCredentials(Invocation& in) {
  std::string out, reason;
  in.flags.String("out", "", &out, "directory for the new key and certificate (rotate)");
  in.flags.String("reason", "", &reason, "why (revoke; kept in the audit log)");
  in.Parse();
  return in.RunVerb({
      {"list", 1,
       [&](ApiClient& api, const std::vector<std::string>&) {
         return GetAndPrint<v1::ListCredentialsResponse>(api, in.cli, "/v1/credentials", PrintTable);
       }},
      {"rotate", 1, [&](ApiClient& api, const std::vector<std::string>&) { return Rotate(in, api, out); }},
      {"revoke", 2,
       [&](ApiClient& api, const std::vector<std::string>& pos) {
         v1::ReasonRequest request;
         request.set_reason(reason);
         v1::Credential revoked;
         if (Status s = api.Call("POST", "/v1/credentials/" + pos[1] + "/revoke", &request, &revoked); !s.ok()) {
           return Fail(s);
         }
         in.cli.json() ? PrintJson(revoked) : (void)std::printf("credential %s revoked\n", pos[1].c_str());
         return 0;
       }},
  });
}

extern const Command kCredentialsCommand = {
    "credentials", "list, rotate and revoke your own credentials",
    "usage: exchangectl credentials list\n"
    "       exchangectl credentials rotate --out DIR\n"
    "       exchangectl credentials revoke ID --reason R\n\n"
    "rotate makes a new key in DIR/key.pem and gets DIR/cert.pem issued over your current\n"
    "identity; the old credential keeps working until you revoke it.",
    Command::Flags::kConnection, RunCredentials};

}  // namespace exchange::client
