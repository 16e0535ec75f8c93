// SPDX-License-Identifier: Apache-2.0
#include "common/flags.h"

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <utility>

namespace exchange {
namespace {

Result<int64_t> ParseInt(const std::string& name, const std::string& text) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return Status::InvalidArgument("--" + name + " wants a whole number, got '" + text + "'");
  }
  return v;
}

bool Truthy(const std::string& text) { return text == "1" || text == "true" || text == "yes" || text == "on"; }

std::string TrimBlanks(const std::string& text) {
  const auto first = text.find_first_not_of(" \t\r");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t\r") - first + 1);
}

// A configuration file is a handful of lines; anything this large is not one.
constexpr std::size_t kMaxConfigFileBytes = 1 << 20;

}  // namespace

void FlagSet::Add(Flag flag) { flags_.push_back(std::move(flag)); }

const FlagSet::Flag* FlagSet::Find(const std::string& name) const {
  for (const auto& f : flags_) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

Status FlagSet::Set(const std::string& name, const std::string& value) {
  const Flag* flag = Find(name);
  if (!flag) return Status::InvalidArgument("no flag --" + name);
  return flag->set(value);
}

void FlagSet::String(const std::string& name, const std::string& env, std::string* value, const std::string& help) {
  Add({name, env, help, *value, true, [value](const std::string& text) {
         *value = text;
         return Status::Ok();
       }});
}

void FlagSet::Int(const std::string& name, const std::string& env, int64_t* value, const std::string& help) {
  Add({name, env, help, std::to_string(*value), true, [name, value](const std::string& text) {
         auto v = ParseInt(name, text);
         if (!v.ok()) return v.status();
         *value = *v;
         return Status::Ok();
       }});
}

void FlagSet::Millis(const std::string& name, const std::string& env, std::chrono::milliseconds* value,
                     const std::string& help) {
  Add({name, env, help + " (milliseconds)", std::to_string(value->count()), true,
       [name, value](const std::string& text) {
         auto v = ParseInt(name, text);
         if (!v.ok()) return v.status();
         if (*v < 0) return Status::InvalidArgument("--" + name + " must not be negative");
         *value = std::chrono::milliseconds(*v);
         return Status::Ok();
       }});
}

void FlagSet::Bool(const std::string& name, const std::string& env, bool* value, const std::string& help) {
  Add({name, env, help, *value ? "true" : "false", false, [value](const std::string& text) {
         *value = Truthy(text);
         return Status::Ok();
       }});
}

void FlagSet::ConfigFile(const std::string& name, const std::string& env, bool ignore_unknown_keys,
                         const std::string& help) {
  config_flag_ = name;
  ignore_unknown_config_keys_ = ignore_unknown_keys;
  // Parse() reads the file itself, before the environment and the other flags.
  Add({name, env, help, "", true, [](const std::string&) { return Status::Ok(); }});
}

Status FlagSet::ReadConfigFile(const std::string& path) const {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidArgument("--" + config_flag_ + ": cannot read " + path);
  std::set<std::string> seen;
  std::string line;
  std::size_t bytes = 0;
  for (int number = 1; std::getline(in, line); ++number) {
    bytes += line.size() + 1;
    if (bytes > kMaxConfigFileBytes) return Status::InvalidArgument(path + ": larger than 1 MiB");
    const std::string where = path + ":" + std::to_string(number) + ": ";
    const std::string text = TrimBlanks(line);
    if (text.empty() || text[0] == '#') continue;
    const auto eq = text.find('=');
    if (eq == std::string::npos) return Status::InvalidArgument(where + "expected key = value");
    const std::string key = TrimBlanks(text.substr(0, eq)), value = TrimBlanks(text.substr(eq + 1));
    if (key == config_flag_) return Status::InvalidArgument(where + "a configuration file cannot name another");
    if (!seen.insert(key).second) return Status::InvalidArgument(where + "'" + key + "' is given twice");
    const Flag* flag = Find(key);
    if (!flag) {
      if (ignore_unknown_config_keys_) continue;
      return Status::InvalidArgument(where + "unknown key '" + key + "' (the keys are the flag names, see --help)");
    }
    Status s = flag->set(value);
    if (!s.ok()) return Status::InvalidArgument(where + s.message());
  }
  if (in.bad()) return Status::InvalidArgument("--" + config_flag_ + ": error reading " + path);
  return Status::Ok();
}

void FlagSet::ParseOrExit(const std::vector<std::string>& args, const std::function<void(const Status&)>& report) {
  bool help = false;
  if (Status s = Parse(args, &help); !s.ok()) {
    report(s);
    std::exit(kExitUsage);
  }
  if (help) {
    std::fputs(Help().c_str(), stdout);
    std::exit(kExitOk);
  }
}

Status FlagSet::Parse(const std::vector<std::string>& args, bool* help) {
  // The command line is read first and applied last, so that it wins over the
  // environment, which wins over the configuration file it may name.
  std::vector<std::pair<const Flag*, std::string>> given;
  positionals_.clear();
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--help" || arg == "-h") {
      if (help) *help = true;
      continue;
    }
    if (arg.rfind("--", 0) != 0 || arg == "--") {
      positionals_.push_back(arg);
      continue;
    }
    std::string name = arg.substr(2), value;
    bool inline_value = false;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      inline_value = true;
    }
    const Flag* flag = Find(name);
    if (!flag) return Status::InvalidArgument("unknown flag --" + name + " (see --help)");
    if (!flag->takes_value) {
      given.emplace_back(flag, inline_value ? value : "true");
      continue;
    }
    if (!inline_value) {
      if (i + 1 >= args.size()) return Status::InvalidArgument("--" + name + " needs a value");
      value = args[++i];
    }
    given.emplace_back(flag, value);
  }

  if (const Flag* config = config_flag_.empty() ? nullptr : Find(config_flag_)) {
    std::string path;
    if (const char* v = config->env.empty() ? nullptr : std::getenv(config->env.c_str())) path = v;
    for (const auto& [flag, value] : given) {
      if (flag == config) path = value;
    }
    if (!path.empty()) {
      if (Status s = ReadConfigFile(path); !s.ok()) return s;
    }
  }
  for (const auto& flag : flags_) {
    if (flag.env.empty()) continue;
    if (const char* v = std::getenv(flag.env.c_str())) {
      Status s = flag.set(v);
      if (!s.ok()) return Status::InvalidArgument("$" + flag.env + ": " + s.message());
    }
  }
  for (const auto& [flag, value] : given) {
    Status s = flag->set(value);
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

std::string FlagSet::Help() const {
  std::string out = usage_ + "\n\nFlags (each also read from the environment variable shown):\n";
  for (const auto& f : flags_) {
    std::string left = "  --" + f.name + (f.name == config_flag_ ? " FILE" : f.takes_value ? " VALUE" : "");
    out += left;
    out += std::string(left.size() < 34 ? 34 - left.size() : 1, ' ');
    out += f.help;
    if (!f.env.empty()) out += "  [$" + f.env + "]";
    if (!f.default_text.empty() && f.default_text != "false") out += " (default: " + f.default_text + ")";
    out += "\n";
  }
  return out;
}

}  // namespace exchange
