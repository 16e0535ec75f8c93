#include "common/flags.h"

#include <charconv>
#include <cstdlib>

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

}  // namespace

void FlagSet::Add(Flag flag) { flags_.push_back(std::move(flag)); }

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

Status FlagSet::Parse(const std::vector<std::string>& args, bool* help) {
  for (const auto& flag : flags_) {
    if (flag.env.empty()) continue;
    if (const char* v = std::getenv(flag.env.c_str())) {
      Status s = flag.set(v);
      if (!s.ok()) return Status::InvalidArgument("$" + flag.env + ": " + s.message());
    }
  }
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
    const Flag* flag = nullptr;
    for (const auto& f : flags_) {
      if (f.name == name) flag = &f;
    }
    if (!flag) return Status::InvalidArgument("unknown flag --" + name + " (see --help)");
    if (!flag->takes_value) {
      Status s = flag->set(inline_value ? value : "true");
      if (!s.ok()) return s;
      continue;
    }
    if (!inline_value) {
      if (i + 1 >= args.size()) return Status::InvalidArgument("--" + name + " needs a value");
      value = args[++i];
    }
    Status s = flag->set(value);
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

std::string FlagSet::Help() const {
  std::string out = usage_ + "\n\nFlags (each also read from the environment variable shown):\n";
  for (const auto& f : flags_) {
    std::string left = "  --" + f.name + (f.takes_value ? " VALUE" : "");
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
