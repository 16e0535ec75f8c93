// SPDX-License-Identifier: Apache-2.0
// exchangectl: the exchange's one client, for members, admins, auditors and
// enrollment. Picks the command; each command parses its own flags.
#include <algorithm>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "commands/cli.h"
#include "commands/commands.h"
#include "version/version.h"

namespace {

struct Command {
  int (*run)(const std::vector<std::string>&);
  const char* summary;
};

const std::map<std::string, Command>& Commands() {
  static const std::map<std::string, Command> commands = {
      {"admin", {exchange::client::RunAdmin, "invite, approve, suspend, reinstate, revoke (coalition admins)"}},
      {"audit", {exchange::client::RunAudit, "verify and list the tamper-evident audit log"}},
      {"collections", {exchange::client::RunCollections, "list, create and grant access to collections"}},
      {"config",
       {exchange::client::RunConfig, "config show: the settings in effect and where each comes from (profiles)"}},
      {"credentials", {exchange::client::RunCredentials, "list, rotate and revoke your own credentials"}},
      {"enroll", {exchange::client::RunEnroll, "apply to join with an invitation; fetch the certificate"}},
      {"report", {exchange::client::RunReport, "fetch the signed annual report (verified before saving); verify one"}},
      {"whoami", {exchange::client::RunWhoAmI, "show the organisation and role the exchange sees"}},
      {"sync", {exchange::client::RunSync, "keep a verified local mirror of a collection's feed"}},
      {"mirror", {exchange::client::RunMirror, "mirror verify DIR: re-check a mirror offline"}},
      {"export", {exchange::client::RunExport, "write a mirror's signals as csv, ndjson or ThreatExchange lines"}},
      {"match", {exchange::client::RunMatch, "match values and files against a mirror (exact; PDQ also near)"}},
      {"lookup", {exchange::client::RunLookup, "match values and files by asking the exchange (no mirror needed)"}},
      {"submit", {exchange::client::RunSubmit, "submit signals from a CSV or NDJSON file, in batches"}},
      {"opinion", {exchange::client::RunOpinion, "confirm or dispute signals"}},
      {"retract", {exchange::client::RunRetract, "retract your organisation's contributions"}},
      {"sighting", {exchange::client::RunSighting, "report what you did with a match"}},
      {"hash", {exchange::client::RunHash, "MD5, SHA-256 and PDQ of local image files, on all cores"}},
      {"pki", {exchange::client::RunPki, "pki init DIR: write a development PKI"}},
  };
  return commands;
}

void Usage(std::FILE* out) {
  std::fputs(
      "usage: exchangectl [--profile NAME] COMMAND [flags]   (exchangectl COMMAND --help for its flags)\n\n"
      "Commands:\n",
      out);
  int width = 0;
  for (const auto& entry : Commands()) width = std::max(width, static_cast<int>(entry.first.size()));
  for (const auto& [name, command] : Commands())
    std::fprintf(out, "  %-*s  %s\n", width, name.c_str(), command.summary);
  std::fputs(
      "\nExit codes: 0 done, 1 refused, 2 usage, 3 unreachable (retry), 4 verification failed, 5 mirror\n"
      "damaged, 6 client certificate refused, 7 enrollment pending, 8 outcome unknown (see docs/client.md).\n",
      out);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    Usage(stderr);
    return exchange::client::kExitUsage;
  }
  if (args[0] == "--version") {
    std::fputs(exchange::version::VersionText("exchangectl").c_str(), stdout);
    return 0;
  }
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    Usage(stdout);
    return 0;
  }
  // `exchangectl --profile NAME COMMAND ...`: --profile may precede the
  // command; it is handed to the command with its other flags.
  std::vector<std::string> leading;
  while (!args.empty() && (args[0] == "--profile" || args[0].rfind("--profile=", 0) == 0)) {
    const std::size_t n = args[0] == "--profile" ? std::min<std::size_t>(2, args.size()) : 1;
    leading.insert(leading.end(), args.begin(), args.begin() + static_cast<std::ptrdiff_t>(n));
    args.erase(args.begin(), args.begin() + static_cast<std::ptrdiff_t>(n));
  }
  if (args.empty()) {
    Usage(stderr);
    return exchange::client::kExitUsage;
  }
  args.insert(args.begin() + 1, leading.begin(), leading.end());
  auto it = Commands().find(args[0]);
  if (it == Commands().end()) {
    std::fprintf(stderr, "exchangectl: unknown command '%s'\n\n", args[0].c_str());
    Usage(stderr);
    return exchange::client::kExitUsage;
  }
  return it->second.run({args.begin() + 1, args.end()});
}
