// SPDX-License-Identifier: Apache-2.0
// Shared plumbing for exchangectl's commands: connection flags (each with its
// EXCHANGECTL_* twin), output format, and one way to print and to fail.
//
// Output contract: with --output json a command prints one JSON document on
// stdout; otherwise human-readable text. Progress and errors go to stderr.
// Exit codes: the table below, and only it (docs/client.md lists the same).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "commands/profile.h"
#include "common/exit_code.h"
#include "common/flags.h"
#include "transport/api_client.h"

namespace google::protobuf {
class Message;
}

namespace exchange::client {

// Every exit code exchangectl returns. Scripts rely on them: keep this table,
// the commands and docs/client.md#exit-codes in agreement.
// 0, 1 and 2 are the ones exchanged shares (common/exit_code.h).
using exchange::kExitOk;                          // done; match: something matched
inline constexpr int kExitRefused = kExitFailed;  // the exchange or an input refused something; match: no match
using exchange::kExitUsage;                       // bad or missing flag, unreadable local file
inline constexpr int kExitUnavailable = 3;        // the exchange could not be reached or was busy: retry later
inline constexpr int kExitVerifyFailed =
    4;  // sync: the feed, audit: the log, report: its signature, proof verify: the file does not verify
inline constexpr int kExitMirrorDamaged = 5;   // mirror verify: the mirror does not verify
inline constexpr int kExitCertRefused = 6;     // the exchange refused our client certificate (TLS alert)
inline constexpr int kExitPending = 7;         // enroll --fetch: the application still awaits approval
inline constexpr int kExitOutcomeUnknown = 8;  // a request that is not safe to repeat was sent and its
                                               // answer lost: check before running it again

struct Cli {
  ClientOptions connection;
  std::string output = "table";
  std::string profile = "default";  // --profile / $EXCHANGECTL_PROFILE
  bool json() const { return output == "json"; }

  // Set by ParseCommandFlags: the profile file read (empty: none was read)
  // and the profile taken from it (name empty: none).
  std::string profile_path;
  Profile applied_profile;
};

// Adds --server --ca --cert --key --output --timeout --profile.
void AddGlobalFlags(FlagSet& flags, Cli& cli);

// The trust anchors and the enrollment address, for the commands that take
// them: each declared here once, with its EXCHANGECTL_* twin and its help, so
// that every command (and a profile: ProfileKeys()) means the same by it.
void AddFeedVkeyFlag(FlagSet& flags, std::string* vkeys);      // --feed-vkey
void AddWitnessPolicyFlag(FlagSet& flags, std::string* path);  // --witness-policy
void AddReportKeyFlag(FlagSet& flags, std::string* path);      // --report-key
void AddEnrollServerFlag(FlagSet& flags, std::string* url);    // --enroll-server

// Parses with FlagSet::ParseOrExit: --help and usage errors ("exchangectl:
// <problem>", exit kExitUsage) end the process here.
void ParseCommandFlags(FlagSet& flags, const std::vector<std::string>& args);

// The same for a command that took AddGlobalFlags: between the built-in
// defaults and the environment it applies the profile cli.profile from the
// profile file (ProfileFilePath()), every setting of it that is a flag of
// `flags`. Precedence: flag > environment > profile > built-in default. A
// missing file is no error unless $EXCHANGECTL_CONFIG named it or a profile
// other than "default" was asked for; a missing profile likewise (both
// usage errors). Warns on stderr when the profile names a private key that
// others can read.
void ParseCommandFlags(FlagSet& flags, const std::vector<std::string>& args, Cli& cli);

Result<std::unique_ptr<ApiClient>> Connect(const Cli& cli);

// Prints `message` as JSON (Protobuf mapping, snake_case names) on stdout.
void PrintJson(const google::protobuf::Message& message);

// Prints "exchangectl: <message>" on stderr; returns the exit code for it
// (ExitCodeFor).
int Fail(const Status& status);

// GETs `target` into a Response and prints it: as JSON with --output json,
// otherwise with `table`. Returns the exit code (Fail's when the call fails).
template <typename Response, typename Table>
int GetAndPrint(ApiClient& api, const Cli& cli, const std::string& target, Table table) {
  Response response;
  if (Status s = api.Call("GET", target, nullptr, &response); !s.ok()) return Fail(s);
  cli.json() ? PrintJson(response) : table(response);
  return 0;
}
// The exit code of a failed call: exchange::ExitCode's, refined by what only
// the client sees (unreachable, certificate refused, outcome unknown).
int ExitCodeFor(const Status& status);

// A usage error: prints "exchangectl: <problem> (see exchangectl <command>
// --help)" on stderr and returns kExitUsage.
int UsageError(const std::string& command, const std::string& problem);

}  // namespace exchange::client
