// SPDX-License-Identifier: Apache-2.0
// exchanged: the Coalition Hash Exchange server. Parses the command and its
// flags and hands over; everything else lives in server/. Diagnostics go
// through common/logger.h: JSON lines for serve, text for the other commands.
#include <cstdio>
#include <string>
#include <vector>

#include "common/exit_code.h"
#include "common/logger.h"
#include "server/commands.h"
#include "server/feed_keys.h"
#include "server/serve.h"
#include "version/version.h"

namespace {

constexpr const char* kUsage =
    "usage: exchanged COMMAND [flags]\n\n"
    "Commands:\n"
    "  serve              run the exchange (see exchanged serve --help)\n"
    "  migrate            apply pending database migrations\n"
    "  migrate-signals    re-canonicalise signals stored under older canonical-form rules\n"
    "  credentials add    register a client certificate for an organisation\n"
    "  keys generate      make a feed or freshness signing key\n"
    "\n"
    "exchanged --version prints the version, git commit, build date and library versions.\n"
    "\n"
    "Exit codes:\n"
    "  0                  done (serve: stopped by SIGTERM or SIGINT and drained)\n"
    "  1                  failed: bad configuration, keys or certificates, the database refused or is\n"
    "                     unreachable, a migration was refused\n"
    "  2                  usage error (unknown command or flag, a bad flag value)\n";

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && args[0] == "--version") {
    std::fputs(exchange::version::VersionText("exchanged").c_str(), stdout);
    return 0;
  }
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::fputs(kUsage, args.empty() ? stderr : stdout);
    return args.empty() ? exchange::kExitUsage : exchange::kExitOk;
  }
  const std::string command = args[0];
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (command == "serve") {
    // Everything serve writes to stderr is a JSON line, from its first word.
    exchange::logging::Configure(exchange::logging::Format::kJson, exchange::logging::Level::kInfo);
    std::string help;
    auto config = exchange::server::ParseServeArgs(rest, &help);
    if (!config.ok()) {
      exchange::logging::Error("bad configuration", {{"error", config.status().message()}});
      return exchange::kExitUsage;
    }
    if (!help.empty()) {
      std::fputs(help.c_str(), stdout);
      return exchange::kExitOk;
    }
    return exchange::server::Serve(*config, [rest] { return exchange::server::ParseServeArgs(rest); });
  }
  if (command == "migrate") return exchange::server::RunMigrate(rest);
  if (command == "migrate-signals") return exchange::server::RunMigrateSignals(rest);
  if (command == "credentials" && !rest.empty() && rest[0] == "add") {
    return exchange::server::RunCredentialsAdd({rest.begin() + 1, rest.end()});
  }
  if (command == "keys" && !rest.empty() && rest[0] == "generate") {
    return exchange::server::RunKeysGenerate({rest.begin() + 1, rest.end()});
  }
  exchange::logging::Error("unknown command '" + command + "'");
  std::fputs(("\n" + std::string(kUsage)).c_str(), stderr);
  return exchange::kExitUsage;
}
