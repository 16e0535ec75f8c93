// SPDX-License-Identifier: Apache-2.0
// The public suffix list (publicsuffix.org), through libpsl: which names are
// public suffixes (co.uk, github.io, blogspot.com), under which anyone may
// register a name of their own, and the registrable domain of a host name.
//
// Which list: libpsl's psl_latest(), that is Debian's
// /usr/share/publicsuffix/public_suffix_list.dafsa (package publicsuffix,
// kept current by apt) when it is newer than the copy built into libpsl,
// else the built-in copy. Both the ICANN and the private sections count
// (github.io and blogspot.com are private entries). The list is read once,
// on first use, and shared read-only for the life of the program: this is
// the only I/O in signals/. Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace exchange::signals {

// True when `canonical_host` (lowercase A-labels, no trailing dot) is itself a
// listed public suffix, ICANN or private. The wildcard "*" rule for unlisted
// top-level domains does not count: "example.zz" is not a public suffix.
bool IsPublicSuffix(std::string_view canonical_host);

// The registrable domain ("eTLD+1") of `canonical_host`: "a.b.example.co.uk"
// -> "example.co.uk", "x.github.io" -> "x.github.io". nullopt when the host
// is a public suffix or has none (a bare top-level domain).
std::optional<std::string> RegistrableDomain(std::string_view canonical_host);

// Where the list came from and when it was made, for `exchanged version`
// style diagnostics and docs: "/usr/share/publicsuffix/... (2023-..)" or "built-in".
std::string PublicSuffixListSource();

}  // namespace exchange::signals
