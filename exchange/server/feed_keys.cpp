// SPDX-License-Identifier: Apache-2.0
#include "server/feed_keys.h"

#include <cstdio>
#include <sstream>

#include "common/files.h"
#include "common/flags.h"
#include "common/logger.h"
#include "pki/key.h"

namespace exchange::server {
namespace {

Result<log::Signer> LoadSigner(const std::string& file, log::KeyType want) {
  auto text = ReadFile(file, 4096);
  if (!text.ok()) return text.status();
  std::string key = *text;
  while (!key.empty() && (key.back() == '\n' || key.back() == '\r' || key.back() == ' ')) key.pop_back();
  auto signer = log::Signer::Parse(key);
  if (!signer.ok()) return Status::InvalidArgument(file + ": " + signer.status().message());
  if (signer->type() != want) {
    return Status::InvalidArgument(
        file + ": " +
        (want == log::KeyType::kEd25519 ? "not a feed (Ed25519 note) key" : "not a freshness (cosignature/v1) key"));
  }
  return signer;
}

int GenerateReportKey(const std::string& out) {
  auto key = pki::PrivateKey::GenerateEd25519();
  if (!key.ok()) return logging::Error(key.status().ToString()), 1;
  auto pem = key->ToPem();
  auto public_pem = key->PublicKeyPem();
  if (!pem.ok() || !public_pem.ok()) return logging::Error("cannot encode the key"), 1;
  for (const Status& s : {WritePrivateFile(out, *pem), WritePublicFile(out + ".pub.pem", *public_pem)}) {
    if (!s.ok()) return logging::Error(s.ToString()), 1;
  }
  std::fputs(public_pem->c_str(), stdout);
  return 0;
}

}  // namespace

Result<services::FeedKeys> LoadFeedKeys(const std::string& exchange_name, const std::string& feed_key_files,
                                        const std::string& freshness_key_file) {
  if (exchange_name.empty() || exchange_name.find_first_of(" \t\n+") != std::string::npos) {
    return Status::InvalidArgument("--name must be a non-empty name without spaces or '+'");
  }
  if (feed_key_files.empty() || freshness_key_file.empty()) {
    return Status::InvalidArgument(
        "--feed-keys and --freshness-key are required (make them with `exchanged keys generate`)");
  }
  std::vector<log::Signer> feed;
  std::stringstream files(feed_key_files);
  std::string file;
  while (std::getline(files, file, ',')) {
    if (file.empty()) continue;
    auto signer = LoadSigner(file, log::KeyType::kEd25519);
    if (!signer.ok()) return signer.status();
    feed.push_back(std::move(signer).value());
  }
  if (feed.empty()) return Status::InvalidArgument("--feed-keys names no key file");
  auto freshness = LoadSigner(freshness_key_file, log::KeyType::kCosignatureV1);
  if (!freshness.ok()) return freshness.status();
  return services::FeedKeys{exchange_name, std::move(feed), std::move(freshness).value()};
}

int RunKeysGenerate(const std::vector<std::string>& args) {
  std::string name, out;
  bool freshness = false, report = false;
  FlagSet flags(
      "usage: exchanged keys generate --name NAME --out FILE [--freshness]\n\n"
      "Writes a new Ed25519 signing key to FILE (0600) and its public verifier key to\n"
      "FILE.vkey, and prints the verifier key. Without --freshness it is a feed key\n"
      "(signs checkpoints); with it, the freshness key (timestamped cosignatures).\n"
      "With --report: the Ed25519 key that signs annual reports, as PEM (FILE, FILE.pub.pem).");
  flags.String("name", "", &name, "key name, e.g. the exchange's host name");
  flags.String("out", "", &out, "private key file to create");
  flags.Bool("freshness", "", &freshness, "make a cosignature/v1 (freshness) key");
  flags.Bool("report", "", &report,
             "make the report-signing key: Ed25519 PEM (FILE) and its public key (FILE.pub.pem)");
  flags.ParseOrExit(args, [](const Status& s) { logging::Error(s.message()); });
  if (report && !out.empty()) return GenerateReportKey(out);
  if (name.empty() || out.empty()) {
    logging::Error("--name and --out are required");
    return kExitUsage;
  }
  auto signer = log::GenerateSigner(name, freshness ? log::KeyType::kCosignatureV1 : log::KeyType::kEd25519);
  if (!signer.ok()) {
    logging::Error(signer.status().ToString());
    return kExitUsage;
  }
  const std::string vkey = signer->verifier().VerifierKey();
  if (Status s = WritePrivateFile(out, signer->PrivateKey() + "\n"); !s.ok()) {
    logging::Error(s.ToString());
    return kExitFailed;
  }
  if (Status s = WritePublicFile(out + ".vkey", vkey + "\n"); !s.ok()) {
    logging::Error(s.ToString());
    return kExitFailed;
  }
  std::printf("%s\n", vkey.c_str());
  return 0;
}

}  // namespace exchange::server
