// SPDX-License-Identifier: Apache-2.0
#include "commands/cli.h"

#include "common/proto_json.h"

#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>

#include "commands/command.h"

namespace exchange::client {

void AddGlobalFlags(FlagSet& flags, Cli& cli) {
  AddConnectionFlags(flags, cli.connection);
  flags.String("output", "EXCHANGECTL_OUTPUT", &cli.output, "table or json");
  flags.String("profile", "EXCHANGECTL_PROFILE", &cli.profile,
               "the profile to read settings from, in $EXCHANGECTL_CONFIG or ~/.config/exchangectl/config");
}

void AddFeedVkeyFlag(FlagSet& flags, std::string* vkeys) {
  flags.String("feed-vkey", "EXCHANGECTL_FEED_VKEYS", vkeys,
               "trusted feed (and freshness) verifier keys, comma-separated");
}

void AddWitnessPolicyFlag(FlagSet& flags, std::string* path) {
  flags.String("witness-policy", "EXCHANGECTL_WITNESS_POLICY", path,
               "witness policy file: which witnesses must have cosigned the checkpoint (docs/feed.md)");
}

void AddReportKeyFlag(FlagSet& flags, std::string* path) {
  flags.String("report-key", "EXCHANGECTL_REPORT_KEY", path, "the exchange's report public key (PEM) to trust");
}

void AddEnrollServerFlag(FlagSet& flags, std::string* url) {
  flags.String("enroll-server", "EXCHANGECTL_ENROLL_SERVER", url,
               "the exchange's enrollment address (no client certificate needed)");
}

namespace {

// The one way exchangectl words a usage error it did not explain itself.
void ReportUsage(const Status& status) { std::fprintf(stderr, "exchangectl: %s\n", status.message().c_str()); }

[[noreturn]] void ExitUsage(const Status& status) {
  ReportUsage(status);
  std::exit(kExitUsage);
}

}  // namespace

void ParseCommandFlags(FlagSet& flags, const std::vector<std::string>& args) { flags.ParseOrExit(args, ReportUsage); }

namespace {

// Reads the profile file and applies cli.profile's settings to `flags`.
Status ApplyProfile(FlagSet& flags, Cli& cli) {
  const std::string path = ProfileFilePath();
  const char* named_file = std::getenv("EXCHANGECTL_CONFIG");
  const bool file_required = (named_file && *named_file) || cli.profile != "default";
  if (path.empty()) {
    if (!file_required) return Status::Ok();
    return Status::InvalidArgument("--profile " + cli.profile + ": no profile file (set $EXCHANGECTL_CONFIG or $HOME)");
  }
  auto file = LoadProfileFile(path);
  if (!file.ok()) {
    if (file.status().code() != ErrorCode::kNotFound) return file.status();
    if (!file_required) return Status::Ok();
    const std::string asked = named_file && *named_file ? "$EXCHANGECTL_CONFIG" : "--profile " + cli.profile;
    return Status::InvalidArgument(asked + ": " + file.status().message());
  }
  cli.profile_path = path;
  const Profile* profile = file->Find(cli.profile);
  if (!profile) {
    if (cli.profile == "default") return Status::Ok();
    return Status::InvalidArgument(path + ": no profile '" + cli.profile + "' (the file has: " + file->Names() + ")");
  }
  for (const auto& [key, setting] : profile->settings) {
    if (!flags.Has(key)) continue;  // e.g. report-key, for the commands that take it
    if (Status s = flags.Set(key, setting.value); !s.ok()) {
      return Status::InvalidArgument(path + ":" + std::to_string(setting.line) + ": " + s.message());
    }
  }
  cli.applied_profile = *profile;
  return Status::Ok();
}

// A private key that group or others can read is likely copied where it
// should not be; say so once, without refusing (the exchange decides).
void WarnIfKeyReadable(const Cli& cli) {
  auto it = cli.applied_profile.settings.find("key");
  if (it == cli.applied_profile.settings.end() || it->second.value != cli.connection.key_file) return;
  struct stat st {};
  if (::stat(cli.connection.key_file.c_str(), &st) != 0 || (st.st_mode & 077) == 0) return;
  std::fprintf(stderr, "exchangectl: warning: %s:%d: the private key %s can be read by %s (mode %03o); chmod 600 it\n",
               cli.profile_path.c_str(), it->second.line, cli.connection.key_file.c_str(),
               (st.st_mode & 007) ? "everyone" : "its group", static_cast<unsigned>(st.st_mode & 0777));
}

}  // namespace

void ParseCommandFlags(FlagSet& flags, const std::vector<std::string>& args, Cli& cli) {
  // The first pass learns --profile (and answers --help or a usage error);
  // the second puts the environment and the flags back over the profile.
  ParseCommandFlags(flags, args);
  if (Status s = ApplyProfile(flags, cli); !s.ok()) ExitUsage(s);
  if (cli.applied_profile.name.empty()) return;
  if (Status s = flags.Parse(args); !s.ok()) ExitUsage(s);
  WarnIfKeyReadable(cli);
}

Result<std::unique_ptr<ApiClient>> Connect(const Cli& cli) {
  if (cli.output != "json" && cli.output != "table") return Status::InvalidArgument("--output must be table or json");
  if (cli.connection.server.empty()) return Status::InvalidArgument("--server (or EXCHANGECTL_SERVER) is required");
  auto http = HttpsClient::Create(cli.connection);
  if (!http.ok()) return http.status();
  return std::make_unique<ApiClient>(std::move(http).value());
}

void PrintJson(const google::protobuf::Message& message) {
  std::fputs(ProtoToJson(message, JsonLayout::kIndented).c_str(), stdout);
}

int ExitCodeFor(const Status& status) {
  if (status.ok()) return kExitOk;
  if (IsCertificateRefusal(status)) return kExitCertRefused;
  if (IsOutcomeUnknown(status)) return kExitOutcomeUnknown;
  if (status.code() == ErrorCode::kUnavailable) return kExitUnavailable;
  return exchange::ExitCode(status);
}

int Fail(const Status& status) {
  std::fprintf(stderr, "exchangectl: %s\n", status.ToString().c_str());
  return ExitCodeFor(status);
}

int UsageError(const std::string& command, const std::string& problem) {
  std::fprintf(stderr, "exchangectl: %s (see exchangectl %s --help)\n", problem.c_str(), command.c_str());
  return kExitUsage;
}

Invocation::Invocation(const Command& command, std::vector<std::string> args)
    : flags(command.usage), command_(command), args_(std::move(args)) {
  if (command.flags == Command::Flags::kConnection) AddGlobalFlags(flags, cli);
}

void Invocation::Parse(std::initializer_list<Required> required, Arguments arguments) {
  if (command_.flags == Command::Flags::kConnection) {
    ParseCommandFlags(flags, args_, cli);
  } else {
    ParseCommandFlags(flags, args_);
  }
  for (const Required& r : required) {
    if (!r.value->empty()) continue;
    std::string problem = std::string(r.flag) + " is required";
    if (r.note != nullptr) problem += std::string(" (") + r.note + ")";
    std::exit(UsageError(problem));
  }
  if (arguments == Arguments::kNone && !positionals().empty()) {
    std::exit(UsageError("unexpected argument '" + positionals()[0] + "'"));
  }
}

std::vector<std::string> Invocation::TakeRepeated(const std::string& name) {
  const std::string flag = "--" + name, with_value = flag + "=";
  std::vector<std::string> values, others;
  for (std::size_t i = 0; i < args_.size(); ++i) {
    if (args_[i] == flag && i + 1 < args_.size()) {
      values.push_back(args_[++i]);
    } else if (args_[i].starts_with(with_value)) {
      values.push_back(args_[i].substr(with_value.size()));
    } else {
      others.push_back(args_[i]);
    }
  }
  args_ = std::move(others);
  return values;
}

int Invocation::UsageHelp() const {
  std::fputs(flags.Help().c_str(), stderr);
  return kExitUsage;
}

int Invocation::UsageError(const std::string& problem) const { return client::UsageError(command_.name, problem); }

Result<std::unique_ptr<ApiClient>> Invocation::Connect() const { return client::Connect(cli); }

int Invocation::RunVerb(std::initializer_list<Verb> verbs) const {
  const auto& pos = positionals();
  if (pos.empty()) return UsageHelp();
  auto api = Connect();
  if (!api.ok()) return Fail(api.status());
  for (const Verb& verb : verbs) {
    if (pos[0] == verb.name && pos.size() == verb.words) return verb.run(**api, pos);
  }
  return UsageHelp();
}

int RunCommand(const Command& command, std::vector<std::string> args) {
  Invocation in(command, std::move(args));
  return command.run(in);
}

}  // namespace exchange::client
