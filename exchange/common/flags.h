// SPDX-License-Identifier: Apache-2.0
// FlagSet: command-line flags, each with an environment-variable twin.
//
// A value comes from, in increasing priority: the default already in the
// bound variable, the configuration file (when the set has one, see
// ConfigFile), the environment variable, the flag (`--name value` or
// `--name=value`). Help() lists every flag with its variable and default, so
// `--help` is always complete. Arguments that are not flags are returned as
// positionals, in order. ParseOrExit is how both binaries' commands parse:
// one behaviour for --help and for a usage error.
//
// Thread-safety: none; use from main() only.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/exit_code.h"
#include "common/status.h"

namespace exchange {

class FlagSet {
 public:
  explicit FlagSet(std::string usage) : usage_(std::move(usage)) {}

  void String(const std::string& name, const std::string& env, std::string* value, const std::string& help);
  void Int(const std::string& name, const std::string& env, int64_t* value, const std::string& help);
  void Millis(const std::string& name, const std::string& env, std::chrono::milliseconds* value,
              const std::string& help);
  // A flag without a value; the variable is true when set to 1/true/yes.
  void Bool(const std::string& name, const std::string& env, bool* value, const std::string& help);
  // `--name FILE` (or $env): reads the other flags from FILE, below the
  // environment and the command line. FILE holds `key = value` lines, the key
  // a flag's name without "--"; blank lines and lines starting with '#' are
  // skipped; the value is the rest of the line without surrounding blanks (no
  // quotes, no escapes). A key given twice is an error, and so is a key that
  // is no flag of this set unless ignore_unknown_keys (for commands that read
  // a file shared with a command taking more keys).
  void ConfigFile(const std::string& name, const std::string& env, bool ignore_unknown_keys, const std::string& help);

  // Parses args (without the program and command names). InvalidArgument on
  // an unknown flag or a bad value; `help` is set when --help/-h was given.
  Status Parse(const std::vector<std::string>& args, bool* help = nullptr);
  // Parse, for a command: on a usage error calls `report` with it (each
  // binary words its diagnostics its own way) and exits the process with
  // kExitUsage; on --help/-h (and no usage error) prints Help() on stdout and
  // exits 0. Returns only when the command is to run. Call it before the
  // command holds anything that needs a destructor to run.
  void ParseOrExit(const std::vector<std::string>& args, const std::function<void(const Status&)>& report);
  const std::vector<std::string>& positionals() const { return positionals_; }
  std::string Help() const;

  // Whether the set has a flag `name` (without "--").
  bool Has(const std::string& name) const { return Find(name) != nullptr; }
  // Sets flag `name` to `value` now, as its default would be: a Parse() after
  // this applies the environment and the command line over it (exchangectl's
  // profiles sit in that layer). InvalidArgument on a bad value or no such flag.
  Status Set(const std::string& name, const std::string& value);

 private:
  struct Flag {
    std::string name, env, help, default_text;
    bool takes_value = true;
    std::function<Status(const std::string&)> set;
  };
  void Add(Flag flag);
  const Flag* Find(const std::string& name) const;
  Status ReadConfigFile(const std::string& path) const;

  std::string usage_;
  std::vector<Flag> flags_;
  std::string config_flag_;  // the ConfigFile flag's name; empty when the set has none
  bool ignore_unknown_config_keys_ = false;
  std::vector<std::string> positionals_;
};

}  // namespace exchange
