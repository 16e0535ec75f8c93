// SPDX-License-Identifier: Apache-2.0
// exchangectl: the exchange's one client, for members, admins, auditors and
// enrollment. Picks the command from the table (commands/commands.h) and
// hands it to the harness (commands/command.h).
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "commands/commands.h"
#include "version/version.h"

namespace {

using exchange::client::Command;

// The subcommand table, in the order `exchangectl --help` lists it.
const std::vector<const Command*>& Commands() {
  using namespace exchange::client;
  static const std::vector<const Command*> commands = [] {
    std::vector<const Command*> all = {
        &kAdminCommand,   &kAuditCommand,    &kCollectionsCommand, &kConfigCommand, &kCredentialsCommand,
        &kEnrollCommand,  &kExportCommand,   &kHashCommand,        &kLookupCommand, &kMatchCommand,
        &kMirrorCommand,  &kOpinionCommand,  &kPkiCommand,         &kProofCommand,  &kReportCommand,
        &kRetractCommand, &kSightingCommand, &kSubmitCommand,      &kSyncCommand,   &kWhoAmICommand,
        &kWitnessCommand,
    };
    std::sort(all.begin(), all.end(),
              [](const Command* a, const Command* b) { return std::string_view(a->name) < b->name; });
    return all;
  }();
  return commands;
}

const Command* Find(const std::string& name) {
  for (const Command* command : Commands()) {
    if (name == command->name) return command;
  }
  return nullptr;
}

void Usage(std::FILE* out) {
  std::fputs(
      "usage: exchangectl [--profile NAME] COMMAND [flags]   (exchangectl COMMAND --help for its flags)\n\n"
      "Commands:\n",
      out);
  int width = 0;
  for (const Command* command : Commands()) width = std::max(width, static_cast<int>(std::strlen(command->name)));
  for (const Command* command : Commands()) std::fprintf(out, "  %-*s  %s\n", width, command->name, command->summary);
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
  const Command* command = Find(args[0]);
  if (!command) {
    std::fprintf(stderr, "exchangectl: unknown command '%s'\n\n", args[0].c_str());
    Usage(stderr);
    return exchange::client::kExitUsage;
  }
  return exchange::client::RunCommand(*command, {args.begin() + 1, args.end()});
}
