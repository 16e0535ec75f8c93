// SPDX-License-Identifier: Apache-2.0
// The subcommand table's row and the prelude every command shares. A row
// names a command, says what it is for (the line `exchangectl --help`
// prints), gives the opening of its own --help, says which shared flags it
// takes, and points at its Run. The harness (RunCommand) builds the command's
// FlagSet with those, the Run adds its own flags and calls Parse(); --help
// and usage errors end the process there, the same way for every command.
//
// Thread-safety: none; from main() only.
#pragma once

#include <cstddef>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "commands/cli.h"

namespace exchange::client {

class Invocation;

struct Command {
  enum class Flags {
    kOwn,         // only its own flags (local work: hash, pki)
    kConnection,  // also the connection flags and the profile (AddGlobalFlags)
  };
  const char* name;
  const char* summary;  // one line, for exchangectl --help
  const char* usage;    // the opening of `exchangectl NAME --help`
  Flags flags;
  int (*run)(Invocation& in);  // returns the exit code
};

// What a command's Run works with: the shared settings, its flag set and
// its arguments (those after the command's name).
class Invocation {
 public:
  Invocation(const Command& command, std::vector<std::string> args);

  Cli cli;
  FlagSet flags;
  const std::vector<std::string>& args() const { return args_; }

  // A flag the command cannot run without: `flag` is how the problem names
  // it ("--collection C"), `note` (when set) follows it in parentheses:
  // "--collection C is required".
  struct Required {
    const std::string* value;
    const char* flag;
    const char* note = nullptr;
  };
  enum class Arguments { kAny, kNone };
  // Parses args() once the Run has added its flags; returns only when the
  // command is to run. --help, a usage error, the first of `required` left
  // empty and (kNone) any argument end the process with kExitUsage, each
  // with its own message.
  void Parse(std::initializer_list<Required> required = {}, Arguments arguments = Arguments::kAny);
  const std::vector<std::string>& positionals() const { return flags.positionals(); }
  // Takes every `--NAME VALUE` / `--NAME=VALUE` out of args(), in order, and
  // returns the values: for a flag given many times (FlagSet keeps one value).
  std::vector<std::string> TakeRepeated(const std::string& name);
  // Prints the command's --help on stderr (no verb, or one it does not
  // know); returns kExitUsage.
  int UsageHelp() const;
  // "exchangectl: <problem> (see exchangectl NAME --help)"; returns kExitUsage.
  int UsageError(const std::string& problem) const;
  // Connect(cli).
  Result<std::unique_ptr<ApiClient>> Connect() const;

  // A verb of a command that talks to the exchange: its name, how many
  // positionals it takes counting itself, and what it does with them.
  struct Verb {
    const char* name;
    std::size_t words;
    std::function<int(ApiClient& api, const std::vector<std::string>& pos)> run;
  };
  // After Parse: no verb prints UsageHelp(); then connects (a failure is
  // Fail's) and runs the verb named by positionals()[0] when it has that
  // many words; any other prints UsageHelp(). Returns the exit code.
  int RunVerb(std::initializer_list<Verb> verbs) const;

 private:
  const Command& command_;
  std::vector<std::string> args_;
};

// Runs `command` on `args` (the arguments after its name); returns the exit code.
int RunCommand(const Command& command, std::vector<std::string> args);

}  // namespace exchange::client
