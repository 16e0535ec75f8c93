// SPDX-License-Identifier: Apache-2.0
// The canonical form of a `url` signal: RFC 3986 §6.2.2 syntax-based
// normalisation plus the few scheme-based steps (§6.2.3) that make two
// spellings of one web address the same signal.
//
// Pure function; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace exchange::signals {

inline constexpr size_t kMaxUrlBytes = 8 * 1024;

// Surrounding ASCII white space is trimmed; then, in order:
//  * scheme: only http and https, any case, written lowercase. Anything else
//    (no scheme, ftp:, javascript:, ...) is refused.
//  * authority: required ("//" after the scheme). Userinfo ("user:pass@") is
//    dropped: it does not change which resource is named, it is how
//    "https://trusted.example@evil.example/" disguises evil.example, and it
//    may hold a password no member should receive.
//  * host: percent escapes decoded, then CanonicalizeHostName(.., kUrlHost)
//    (lowercase, IDNA A-labels, one trailing dot dropped); an IPv6 literal is
//    written in RFC 5952 form ("[2001:db8::1]"); zone ids and IPvFuture are
//    refused.
//  * port: decimal 1-65535 without leading zeros; the default (80 for http,
//    443 for https) and an empty port are removed.
//  * path and query: percent escapes with uppercase hex digits; escapes of
//    unreserved characters (ALPHA DIGIT - . _ ~) decoded; non-ASCII (UTF-8)
//    and characters RFC 3986 does not allow (" < > [ ] ^ ` { | }) percent-
//    encoded; dot segments removed from the path (§5.2.4); an empty path
//    becomes "/". An empty query ("?") is kept; the fragment is removed.
// Refused: more than 8 KiB before or after normalisation, white space,
// control characters, invalid UTF-8, a backslash (browsers read it as '/' in
// http URLs, which would make the host we see differ from the one they
// visit), a '%' not followed by two hex digits, a missing or invalid host or
// port.
// "HTTP://Example.COM:80/a/./b/../c?%7euser#frag" -> "http://example.com/a/c?~user".
Result<std::string> CanonicalizeUrl(std::string_view raw);

}  // namespace exchange::signals
