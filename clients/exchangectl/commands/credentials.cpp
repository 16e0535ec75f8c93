// SPDX-License-Identifier: Apache-2.0
// exchangectl credentials list | rotate --out DIR | revoke ID --reason R |
//   export-browser --out FILE.p12
// A member's own certificates: rotate keys without asking an admin, and pack
// the current one for a browser (the web console).
#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "commands/cli.h"
#include "commands/command.h"
#include "commands/commands.h"
#include "common/files.h"
#include "exchange/v1/vetting.pb.h"
#include "pki/certificate.h"
#include "pki/csr.h"
#include "pki/key.h"
#include "pki/pkcs12.h"

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

// One line from the terminal with echo off; NotFound when there is no terminal.
Result<std::string> PromptHidden(const char* prompt) {
  int tty = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
  if (tty < 0) return Status::NotFound("no terminal to ask for a passphrase on; use --passphrase-file");
  termios saved{};
  const bool is_tty = ::tcgetattr(tty, &saved) == 0;
  if (is_tty) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(tty, TCSAFLUSH, &quiet);
  }
  (void)!::write(tty, prompt, std::char_traits<char>::length(prompt));
  std::string line;
  char c;
  while (::read(tty, &c, 1) == 1 && c != '\n') {
    if (line.size() < 4096) line.push_back(c);
  }
  if (is_tty) ::tcsetattr(tty, TCSAFLUSH, &saved);
  (void)!::write(tty, "\n", 1);
  ::close(tty);
  return line;
}

// The passphrase for the .p12: the first line of `file`, or asked twice.
Result<std::string> ExportPassphrase(const std::string& file) {
  if (!file.empty()) {
    auto text = ReadFile(file, 4096);
    if (!text.ok()) return text.status();
    return text->substr(0, text->find('\n'));
  }
  auto first = PromptHidden("passphrase for the .p12 file: ");
  if (!first.ok()) return first.status();
  auto again = PromptHidden("the same passphrase again: ");
  if (!again.ok()) return again.status();
  if (*first != *again) return Status::InvalidArgument("the two passphrases differ");
  return *first;
}

// export-browser: the caller's --cert, --key and --ca packed as PKCS#12, no network.
int ExportBrowser(const Invocation& in, const std::string& out, const std::string& passphrase_file) {
  if (out.empty()) return UsageError("credentials export-browser", "--out FILE.p12 is required");
  const ClientOptions& c = in.cli.connection;
  if (c.cert_file.empty() || c.key_file.empty()) {
    return UsageError("credentials export-browser", "--cert and --key (or a profile naming them) are required");
  }
  if (std::filesystem::exists(out)) return Fail(Status::AlreadyExists(out + " exists; choose another --out"));
  auto cert_pem = ReadFile(c.cert_file, 1 << 20);
  if (!cert_pem.ok()) return Fail(cert_pem.status());
  auto key_pem = ReadFile(c.key_file, 1 << 20);
  if (!key_pem.ok()) return Fail(key_pem.status());
  auto chain = pki::ParsePemChain(*cert_pem);
  if (!chain.ok()) return Fail(chain.status());
  auto key = pki::PrivateKey::FromPem(*key_pem);
  if (!key.ok()) return Fail(key.status());
  // The CA file's certificates travel too, so the browser can show the chain.
  std::vector<pki::Certificate> cas(chain->begin() + 1, chain->end());
  if (!c.ca_file.empty()) {
    auto ca_pem = ReadFile(c.ca_file, 1 << 20);
    if (!ca_pem.ok()) return Fail(ca_pem.status());
    auto ca_chain = pki::ParsePemChain(*ca_pem);
    if (!ca_chain.ok()) return Fail(ca_chain.status());
    cas.insert(cas.end(), ca_chain->begin(), ca_chain->end());
  }
  auto passphrase = ExportPassphrase(passphrase_file);
  if (!passphrase.ok()) return Fail(passphrase.status());
  const pki::Certificate& leaf = chain->front();
  auto name = leaf.SubjectCommonName();
  auto p12 = pki::PackPkcs12(leaf, *key, cas, *passphrase, name.ok() ? *name : "exchange");
  if (!p12.ok()) return Fail(p12.status());
  if (Status s = WritePrivateFile(out, *p12); !s.ok()) return Fail(s);
  std::printf("wrote %s: import it into the browser (docs/console.md)\n", out.c_str());
  return 0;
}

}  // namespace

int RunCredentials(Invocation& in) {
  std::string out, reason, passphrase_file;
  in.flags.String("out", "", &out,
                  "directory for the new key and certificate (rotate); the .p12 file (export-browser)");
  in.flags.String("reason", "", &reason, "why (revoke; kept in the audit log)");
  in.flags.String("passphrase-file", "", &passphrase_file,
                  "export-browser: read the passphrase from this file's first line instead of asking");
  in.Parse();
  if (in.positionals() == std::vector<std::string>{"export-browser"}) return ExportBrowser(in, out, passphrase_file);
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
    "       exchangectl credentials revoke ID --reason R\n"
    "       exchangectl credentials export-browser --out FILE.p12 [--passphrase-file F]\n\n"
    "rotate makes a new key in DIR/key.pem and gets DIR/cert.pem issued over your current\n"
    "identity; the old credential keeps working until you revoke it.\n"
    "export-browser packs --cert, --key and the --ca certificates into a PKCS#12 file\n"
    "(AES-256, PBKDF2, SHA-256 MAC) for a browser's certificate store; it asks for the\n"
    "passphrase twice on the terminal (at least 8 bytes) and needs no network.",
    Command::Flags::kConnection, RunCredentials};

}  // namespace exchange::client
