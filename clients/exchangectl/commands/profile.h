// SPDX-License-Identifier: Apache-2.0
// exchangectl's profile file: named sets of connection settings, so that a
// member types `exchangectl sync --collection csam-known --mirror m/` instead
// of repeating --server, --ca, --cert, --key and --feed-vkey on every command.
//
// The file (docs/client.md#profiles) holds sections of `key = value` lines:
//
//   # comments and blank lines are skipped
//   [profile alpha]
//   server = https://exchange.example:8443
//   cert = alpha.pem          # a relative path is relative to the file's directory
//
// Keys are the long flag names without "--" (ProfileKeys()); the value is the
// rest of the line without surrounding blanks (no quotes, no escapes; '#'
// starts a comment only at the start of a line). A line outside a section, an
// unknown key, a key given twice in a profile and a profile defined twice are
// errors naming FILE:LINE.
//
// ParseProfileFile is pure; LoadProfileFile and ProfileFilePath read the
// file system and the environment. Thread-safety: none needed (values only).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace exchange::client {

// A setting a profile may carry: the flag it stands for and that flag's
// environment twin (which wins over the profile).
struct ProfileKey {
  const char* name;
  const char* env;
  bool is_path;  // a relative value is taken relative to the profile file's directory
};
const std::vector<ProfileKey>& ProfileKeys();

struct ProfileSetting {
  std::string value;  // paths already made absolute against the file's directory
  int line = 0;
};

struct Profile {
  std::string name;
  int line = 0;                                    // of its [profile NAME] header
  std::map<std::string, ProfileSetting> settings;  // key -> setting
};

struct ProfileFile {
  std::string path;
  std::vector<Profile> profiles;  // in file order
  const Profile* Find(std::string_view name) const;
  std::string Names() const;  // "alpha, beta" (for error messages)
};

// `text` is the file's content; `path` names it in errors and anchors relative paths.
Result<ProfileFile> ParseProfileFile(std::string_view text, const std::string& path);

// NotFound when the file does not exist; InvalidArgument when it cannot be read or parsed.
Result<ProfileFile> LoadProfileFile(const std::string& path);

// Where the profile file is: $EXCHANGECTL_CONFIG, else
// $XDG_CONFIG_HOME/exchangectl/config, else $HOME/.config/exchangectl/config
// (empty when none of those variables is set).
std::string ProfileFilePath();

}  // namespace exchange::client
