// SPDX-License-Identifier: Apache-2.0
// The one place that writes files atomically (keys, certificates, the
// client's mirror state and checkpoint copy) and reads a whole file back with
// a size bound. Its own library, exchange_common_files, so the pure libraries
// that link exchange_common (log, signals) stay free of file I/O.
//
// Writes are atomic: the contents go to a fresh temporary file beside the
// target (created O_CREAT|O_EXCL, so never shared with another opener),
// which gets its final mode with fchmod (independent of the umask), is
// written, fsync'ed, and renamed over the target; the directory is then
// fsync'ed. A reader sees the old file or the new one, never a partial or
// briefly over-permissive file. A symlink at the target is replaced, not
// followed.
//
// Stateless; safe to call from any thread (two concurrent writers to one
// path leave one of the two contents).
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "common/status.h"

namespace exchange {

// Private keys: mode 0600 (owner read/write only). Creates or replaces.
Status WritePrivateFile(const std::filesystem::path& path, std::string_view contents);

// Certificates, bundles, CRLs: mode 0644. Creates or replaces.
Status WritePublicFile(const std::filesystem::path& path, std::string_view contents);

// The whole file. NotFound when it does not exist; PayloadTooLarge when it
// holds more than `max_bytes`.
Result<std::string> ReadFile(const std::filesystem::path& path, std::size_t max_bytes);

}  // namespace exchange
