// SPDX-License-Identifier: Apache-2.0
// exchangectl report annual | verify: fetch the signed annual progress report
// and check its Ed25519 signature before saving; re-check a saved one offline.
#include <cstdio>
#include <filesystem>

#include "commands/cli.h"
#include "commands/command.h"
#include "commands/commands.h"
#include "common/files.h"
#include "exchange/v1/feed.pb.h"
#include "log/encoding.h"
#include "pki/key.h"
#include "pki/signature.h"

namespace exchange::client {
namespace {

Result<pki::PublicKey> TrustedKey(ApiClient* api, const std::string& key_file) {
  std::string pem;
  if (!key_file.empty()) {
    auto text = ReadFile(key_file, 16 * 1024);
    if (!text.ok()) return text.status();
    pem = *text;
  } else if (api) {
    // Without --report-key the exchange's published key is used: say so.
    v1::KeysResponse keys;
    if (Status s = api->Call("GET", "/v1/keys", nullptr, &keys); !s.ok()) return s;
    pem = keys.report_public_key_pem();
    std::fprintf(stderr, "exchangectl: checking against the key the exchange publishes; pin it with --report-key\n");
  } else {
    return Status::InvalidArgument("--report-key FILE (the exchange's report public key, PEM) is required");
  }
  return pki::PublicKey::FromPem(pem);
}

}  // namespace

int RunReport(Invocation& in) {
  int64_t year = 0, k = 0;
  std::string format = "json", out, key_file, sig_file, variant;
  in.flags.Int("year", "", &year, "the report's year");
  in.flags.String("format", "", &format, "json, csv or html");
  in.flags.String("variant", "", &variant, "public: counts below --k withheld");
  in.flags.Int("k", "", &k, "threshold of the public variant");
  in.flags.String("out", "", &out, "file to write (annual)");
  AddReportKeyFlag(in.flags, &key_file);
  in.flags.String("sig", "", &sig_file, "detached signature (verify; default FILE.sig)");
  in.Parse();
  const auto& pos = in.positionals();

  if (pos.size() == 2 && pos[0] == "verify") {
    auto key = TrustedKey(nullptr, key_file);
    if (!key.ok()) return Fail(key.status());
    auto body = ReadFile(pos[1], 256u << 20);
    auto sig = ReadFile(sig_file.empty() ? pos[1] + ".sig" : sig_file, 1024);
    if (!body.ok()) return Fail(body.status());
    if (!sig.ok()) return Fail(sig.status());
    if (Status s = pki::VerifyEd25519(*key, *body, *sig); !s.ok()) {
      std::fprintf(stderr, "exchangectl: %s does NOT carry a valid signature\n", pos[1].c_str());
      return kExitVerifyFailed;
    }
    std::printf("%s: signature verified\n", pos[1].c_str());
    return 0;
  }
  if (pos.size() != 1 || pos[0] != "annual") return in.UsageError("give annual or verify FILE");
  if (year <= 0) return in.UsageError("--year Y is required");
  if (out.empty()) return in.UsageError("--out FILE is required");
  auto api = in.Connect();
  if (!api.ok()) return Fail(api.status());
  auto key = TrustedKey(api->get(), key_file);
  if (!key.ok()) return Fail(key.status());
  std::string target = "/v1/reports/annual/" + std::to_string(year) + "?format=" + format;
  if (!variant.empty()) target += "&variant=" + variant;
  if (k > 0) target += "&k=" + std::to_string(k);
  auto result = (*api)->http().Send("GET", target, "", {{"Accept", "application/json"}});
  if (!result.ok()) return Fail(result.status());
  if (result->status != 200) return Fail(StatusFromErrorResponse(*result));
  auto signature = log::Base64Decode(result->Header("X-Exchange-Signature"));
  if (!signature.ok() || !pki::VerifyEd25519(*key, result->body, *signature).ok()) {
    std::fprintf(stderr, "exchangectl: the report's signature does NOT verify; nothing saved\n");
    return kExitVerifyFailed;
  }
  if (Status s = WritePublicFile(out, result->body); !s.ok()) return Fail(s);
  if (Status s = WritePublicFile(out + ".sig", *signature); !s.ok()) return Fail(s);
  std::printf("report %lld (%s) verified and saved to %s (signature in %s.sig)\n", static_cast<long long>(year),
              format.c_str(), out.c_str(), out.c_str());
  return 0;
}

extern const Command kReportCommand = {
    "report", "fetch the signed annual report (verified before saving); verify one",
    "usage: exchangectl report annual --year Y [--format json|csv|html] [--variant public --k N] --out FILE\n"
    "       exchangectl report verify FILE [--sig FILE.sig] --report-key KEY.pem\n\n"
    "annual fetches the signed annual progress report, checks its Ed25519 signature and only then writes\n"
    "FILE and FILE.sig (the raw signature, as `openssl pkeyutl -verify -rawin -sigfile` reads it).\n"
    "Exit 4 when a signature does not verify.",
    Command::Flags::kConnection, RunReport};

}  // namespace exchange::client
