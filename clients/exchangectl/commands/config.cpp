// SPDX-License-Identifier: Apache-2.0
// exchangectl config show | profiles: what the profile file holds and which
// value each setting ends up with, and from where (flag, environment,
// profile, built-in default). Reads nothing but the environment and the
// profile file; never contacts the exchange.
#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "commands/cli.h"
#include "commands/command.h"
#include "commands/commands.h"
#include "formats/json_text.h"

namespace exchange::client {
namespace {

bool FlagGiven(const std::vector<std::string>& args, const std::string& name) {
  for (const auto& arg : args) {
    if (arg == "--" + name || arg.rfind("--" + name + "=", 0) == 0) return true;
  }
  return false;
}

}  // namespace

int RunConfig(Invocation& in) {
  std::string vkeys, witness_policy, report_key, enroll_server;
  AddFeedVkeyFlag(in.flags, &vkeys);
  AddWitnessPolicyFlag(in.flags, &witness_policy);
  AddReportKeyFlag(in.flags, &report_key);
  AddEnrollServerFlag(in.flags, &enroll_server);
  in.Parse();
  if (in.cli.output != "json" && in.cli.output != "table") return in.UsageError("--output must be table or json");
  if (in.positionals().size() != 1 || (in.positionals()[0] != "show" && in.positionals()[0] != "profiles")) {
    return in.UsageError("give show or profiles");
  }
  const std::string path = ProfileFilePath();

  if (in.positionals()[0] == "profiles") {
    if (path.empty()) return Fail(Status::InvalidArgument("no profile file: set $EXCHANGECTL_CONFIG or $HOME"));
    auto file = LoadProfileFile(path);
    if (!file.ok()) return Fail(file.status());
    std::vector<std::string> names;
    for (const auto& profile : file->profiles) names.push_back(profile.name);
    if (in.cli.json()) {
      std::printf("{\"profile_file\": %s, \"profiles\": %s}\n", JsonString(path).c_str(),
                  JsonStringArray(names).c_str());
    } else {
      for (const auto& name : names) std::printf("%s\n", name.c_str());
    }
    return kExitOk;
  }

  const std::map<std::string, std::string> values = {
      {"server", in.cli.connection.server},
      {"ca", in.cli.connection.ca_file},
      {"cert", in.cli.connection.cert_file},
      {"key", in.cli.connection.key_file},
      {"output", in.cli.output},
      {"timeout", std::to_string(in.cli.connection.timeout.count())},
      {"feed-vkey", vkeys},
      {"witness-policy", witness_policy},
      {"report-key", report_key},
      {"enroll-server", enroll_server},
  };
  struct Row {
    std::string key, value, source;
  };
  std::vector<Row> rows;
  for (const auto& key : ProfileKeys()) {
    Row row{key.name, values.at(key.name), "default"};
    const auto in_profile = in.cli.applied_profile.settings.find(key.name);
    if (FlagGiven(in.args(), key.name)) {
      row.source = "flag --" + row.key;
    } else if (std::getenv(key.env)) {
      row.source = "$" + std::string(key.env);
    } else if (in_profile != in.cli.applied_profile.settings.end()) {
      row.source = "profile " + in.cli.applied_profile.name + " (" + in.cli.profile_path + ":" +
                   std::to_string(in_profile->second.line) + ")";
    }
    rows.push_back(std::move(row));
  }
  const std::string& profile = in.cli.applied_profile.name;
  if (in.cli.json()) {
    std::printf("{\"profile_file\": %s, \"profile_file_read\": %s, \"profile\": %s, \"settings\": [",
                JsonString(path).c_str(), in.cli.profile_path.empty() ? "false" : "true", JsonString(profile).c_str());
    for (std::size_t i = 0; i < rows.size(); ++i) {
      std::printf("%s\n  {\"key\": %s, \"value\": %s, \"source\": %s}", i ? "," : "", JsonString(rows[i].key).c_str(),
                  JsonString(rows[i].value).c_str(), JsonString(rows[i].source).c_str());
    }
    std::printf("\n]}\n");
    return kExitOk;
  }
  std::printf("profile file: %s%s\n", path.empty() ? "(none: $HOME is not set)" : path.c_str(),
              !path.empty() && in.cli.profile_path.empty() ? " (not found)" : "");
  const std::string no_profile =
      in.cli.profile_path.empty() ? "none (no profile file)" : "none ('" + in.cli.profile + "' is not in the file)";
  std::printf("profile:      %s\n", profile.empty() ? no_profile.c_str() : profile.c_str());
  std::size_t key_width = 0, value_width = 0;
  for (const auto& row : rows) {
    key_width = std::max(key_width, row.key.size());
    value_width = std::max(value_width, std::max<std::size_t>(row.value.size(), 7));
  }
  value_width = std::min<std::size_t>(value_width, 60);
  for (const auto& row : rows) {
    std::printf("%-*s  %-*s  %s\n", static_cast<int>(key_width), row.key.c_str(), static_cast<int>(value_width),
                row.value.empty() ? "(unset)" : row.value.c_str(), row.source.c_str());
  }
  return kExitOk;
}

extern const Command kConfigCommand = {
    "config", "config show: the settings in effect and where each comes from (profiles)",
    "usage: exchangectl config show [--profile NAME] [flags]\n"
    "       exchangectl config profiles\n\n"
    "show prints every setting a profile may carry, the value the other commands would use with the same\n"
    "environment and flags, and where it came from: a flag, the environment, the profile (file:line) or the\n"
    "built-in default. profiles lists the profiles in the profile file. Precedence: flag > environment >\n"
    "profile > default. The file is $EXCHANGECTL_CONFIG, else $XDG_CONFIG_HOME/exchangectl/config, else\n"
    "~/.config/exchangectl/config (docs/client.md#profiles).",
    Command::Flags::kConnection, RunConfig};

}  // namespace exchange::client
