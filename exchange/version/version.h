// SPDX-License-Identifier: Apache-2.0
// BuildInfo: what this binary is, for `--version` and the exchange_build_info
// metric, so both always say the same.
//
// version is the project's (CMakeLists.txt); commit is the git commit the
// tree was built from, with "-modified" when tracked files differed from it,
// or "unknown" when not built from a git checkout (a source tarball);
// build_date is UTC, YYYY-MM-DD (SOURCE_DATE_EPOCH when set, for reproducible
// builds). openssl is the library loaded at run time; libpqxx and libpq are
// the versions built against (the client does not load libpqxx).
//
// Thread-safety: pure functions of constants.
#pragma once

#include <string>
#include <string_view>

namespace exchange::version {

struct BuildInfo {
  std::string version, commit, build_date, openssl, libpqxx, libpq;
};

BuildInfo Get();

// The text `PROGRAM --version` prints: first line "PROGRAM VERSION" (what
// help2man reads), then one "name: value" line per field and the licence.
std::string VersionText(std::string_view program);

}  // namespace exchange::version
