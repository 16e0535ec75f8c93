// SPDX-License-Identifier: Apache-2.0
// IP address literals as they appear in the host of a `url` signal.
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace exchange::signals {

// RFC 3986 IPv4address: exactly four decimal numbers 0-255 without leading
// zeros, separated by dots ("192.0.2.1"; not "192.0.2.01" or "3221225985").
bool IsDottedQuadIpv4(std::string_view text);

// An IPv6 address in RFC 4291 §2.2 text form (hex groups, at most one "::",
// optionally ending in a dotted quad), without brackets. Returns its RFC 5952
// form: lowercase, no leading zeros, the first longest run of two or more
// zero groups written "::", and IPv4-mapped addresses as "::ffff:192.0.2.1".
// Zone ids ("%eth0") are not accepted. InvalidArgument otherwise.
Result<std::string> CanonicalizeIpv6(std::string_view text);

}  // namespace exchange::signals
