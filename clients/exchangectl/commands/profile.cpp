// SPDX-License-Identifier: Apache-2.0
#include "commands/profile.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>

namespace exchange::client {
namespace {

// A profile file is a few dozen lines; anything this large is not one.
constexpr std::size_t kMaxProfileFileBytes = 1 << 20;

std::string_view Trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t\r") - first + 1);
}

bool ValidProfileName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

const ProfileKey* FindKey(std::string_view name) {
  for (const auto& key : ProfileKeys()) {
    if (name == key.name) return &key;
  }
  return nullptr;
}

std::string KeyNames() {
  std::string out;
  for (const auto& key : ProfileKeys()) out += (out.empty() ? "" : ", ") + std::string(key.name);
  return out;
}

// "~/x" is under $HOME; "x" is beside the profile file; "/x" stays.
std::string ResolvePath(std::string_view value, const std::string& file) {
  if (value.rfind("~/", 0) == 0) {
    if (const char* home = std::getenv("HOME")) return std::string(home) + std::string(value.substr(1));
  }
  if (value.front() == '/') return std::string(value);
  const auto slash = file.rfind('/');
  if (slash == std::string::npos) return std::string(value);
  return file.substr(0, slash + 1) + std::string(value);
}

}  // namespace

const std::vector<ProfileKey>& ProfileKeys() {
  // The flags of cli.cpp's AddGlobalFlags and the trust anchors some commands
  // take; a per-job choice (--collection, --mirror) has no place here.
  static const std::vector<ProfileKey> keys = {
      {"server", "EXCHANGECTL_SERVER", false},
      {"ca", "EXCHANGECTL_CA", true},
      {"cert", "EXCHANGECTL_CERT", true},
      {"key", "EXCHANGECTL_KEY", true},
      {"output", "EXCHANGECTL_OUTPUT", false},
      {"timeout", "EXCHANGECTL_TIMEOUT_MS", false},
      {"feed-vkey", "EXCHANGECTL_FEED_VKEYS", false},
      {"witness-policy", "EXCHANGECTL_WITNESS_POLICY", true},
      {"report-key", "EXCHANGECTL_REPORT_KEY", true},
      {"enroll-server", "EXCHANGECTL_ENROLL_SERVER", false},
  };
  return keys;
}

const Profile* ProfileFile::Find(std::string_view name) const {
  for (const auto& profile : profiles) {
    if (profile.name == name) return &profile;
  }
  return nullptr;
}

std::string ProfileFile::Names() const {
  std::string out;
  for (const auto& profile : profiles) out += (out.empty() ? "" : ", ") + profile.name;
  return out.empty() ? "none" : out;
}

Result<ProfileFile> ParseProfileFile(std::string_view text, const std::string& path) {
  if (text.size() > kMaxProfileFileBytes) return Status::InvalidArgument(path + ": larger than 1 MiB");
  ProfileFile file;
  file.path = path;
  Profile* current = nullptr;
  int number = 0;
  while (!text.empty()) {
    ++number;
    const auto end = text.find('\n');
    const std::string_view line = Trim(text.substr(0, end));
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    const std::string where = path + ":" + std::to_string(number) + ": ";
    if (line.empty() || line.front() == '#') continue;
    if (line.front() == '[') {
      if (line.back() != ']') return Status::InvalidArgument(where + "a section header ends with ']'");
      const std::string_view inner = Trim(line.substr(1, line.size() - 2));
      if (inner.rfind("profile", 0) != 0 || inner.size() < 8 || (inner[7] != ' ' && inner[7] != '\t')) {
        return Status::InvalidArgument(where + "expected [profile NAME], got " + std::string(line));
      }
      const std::string_view name = Trim(inner.substr(7));
      if (!ValidProfileName(name)) {
        return Status::InvalidArgument(where + "a profile name is 1-64 letters, digits, '-', '_' or '.', got '" +
                                       std::string(name) + "'");
      }
      if (const Profile* earlier = file.Find(name)) {
        return Status::InvalidArgument(where + "profile '" + std::string(name) + "' is defined twice (first on line " +
                                       std::to_string(earlier->line) + ")");
      }
      file.profiles.push_back({std::string(name), number, {}});
      current = &file.profiles.back();
      continue;
    }
    const auto eq = line.find('=');
    if (eq == std::string_view::npos) return Status::InvalidArgument(where + "expected key = value");
    const std::string key(Trim(line.substr(0, eq)));
    const std::string_view value = Trim(line.substr(eq + 1));
    const ProfileKey* known = FindKey(key);
    if (!known) return Status::InvalidArgument(where + "unknown key '" + key + "' (the keys are: " + KeyNames() + ")");
    if (!current) return Status::InvalidArgument(where + "'" + key + "' comes before any [profile NAME] section");
    if (value.empty()) return Status::InvalidArgument(where + "'" + key + "' has no value");
    if (auto it = current->settings.find(key); it != current->settings.end()) {
      return Status::InvalidArgument(where + "'" + key + "' is given twice in profile '" + current->name +
                                     "' (first on line " + std::to_string(it->second.line) + ")");
    }
    current->settings[key] = {known->is_path ? ResolvePath(value, path) : std::string(value), number};
  }
  return file;
}

Result<ProfileFile> LoadProfileFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int error = errno;
    if (error == ENOENT) return Status::NotFound("profile file " + path + " does not exist");
    return Status::InvalidArgument("cannot read the profile file " + path + ": " + std::strerror(error));
  }
  std::string text;
  char buffer[4096];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    text.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxProfileFileBytes) return Status::InvalidArgument(path + ": larger than 1 MiB");
  }
  if (in.bad()) return Status::InvalidArgument("error reading the profile file " + path);
  return ParseProfileFile(text, path);
}

std::string ProfileFilePath() {
  if (const char* explicit_path = std::getenv("EXCHANGECTL_CONFIG"); explicit_path && *explicit_path) {
    return explicit_path;
  }
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg) return std::string(xdg) + "/exchangectl/config";
  if (const char* home = std::getenv("HOME"); home && *home) return std::string(home) + "/.config/exchangectl/config";
  return "";
}

}  // namespace exchange::client
