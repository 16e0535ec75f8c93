// Canonical forms of signal values (DESIGN §4): the one spelling of a value
// that the exchange stores, matches, logs in the feed and hands to members.
// Server and client canonicalise with this same code, so a member can compute
// locally exactly what the exchange will store.
//
// Every function is pure (no I/O) and thread-safe. Errors are
// InvalidArgument with a reason meant to be shown to the member as is,
// starting with the kind's name ("md5 must be 32 hex digits, got 31").
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/status.h"
#include "signals/kind.h"

namespace exchange::signals {

inline constexpr size_t kPhotoDnaBytes = 144;
inline constexpr size_t kMaxOpaqueBytes = 256 * 1024;  // tmk_pdqf, vpdq; decoded bytes
inline constexpr size_t kMaxKeywordBytes = 1024;       // UTF-8, after trimming and folding
inline constexpr size_t kMaxPlatformBytes = 64;
inline constexpr size_t kMaxAccountIdentifierBytes = 512;  // UTF-8, after canonicalisation

// The canonical value of `raw` as a signal of `kind`. Any NUL byte is refused
// ("value contains a NUL byte"). Then, by kind:
//
// md5, sha1, sha256, pdq: lowercase hex of 16, 20, 32, 32 bytes. Surrounding
//   ASCII white space is trimmed and uppercase digits are accepted, because
//   members paste these from tools that print either case; white space
//   inside, a "0x" prefix, non-hex characters and any other length are
//   refused (the message names the kind of hash the length would suit). A
//   pdq hash's quality is a separate field: see ValidatePdqQuality.
// photodna: base64 of exactly 144 bytes. tmk_pdqf, vpdq: base64 of 1 byte to
//   256 KiB. Surrounding ASCII white space is trimmed; otherwise the text must
//   be strict standard base64 (RFC 4648 §4: '+' and '/', '=' padding, zero
//   trailing bits, one line). The URL-safe alphabet and unpadded text are
//   refused rather than converted. The canonical value is the re-encoded
//   bytes, which for accepted input equals the trimmed text.
// url: see CanonicalizeUrl (url.h). http and https only; userinfo dropped.
// domain: see CanonicalizeDomain (domain.h). Lowercase, IDNA A-labels, one
//   trailing dot dropped, at least two labels, not an IP address.
// keyword: strict UTF-8; Unicode White_Space trimmed from both ends (U+0020,
//   U+00A0, U+2000-U+200A, U+3000, ...); inner white space kept as it is;
//   simple case folding (case_fold.h); no Unicode normalisation. Refused: any
//   control character left after trimming (tab and newline included), empty
//   after trimming, more than 1024 bytes after folding.
// account_id: "platform:identifier", split at the first ':' and each part
//   trimmed of Unicode White_Space. The platform is lowercased and must be 1-64
//   characters of [a-z0-9._-]. The identifier must be non-empty strict UTF-8
//   without control characters, at most 512 bytes. An identifier that is an
//   e-mail address (exactly one '@', a non-empty local part and a valid
//   domain) is lowercased: the local part with simple case folding, the domain
//   as a canonical domain (IDNA). Other identifiers keep their case: whether
//   "@SomeUser" and "@someuser" are one account is the platform's rule, which
//   the exchange does not know. Platform "email" requires an e-mail address.
//   "email:Alice@Example.COM" -> "email:alice@example.com",
//   "Twitter:@SomeUser" -> "twitter:@SomeUser".
Result<std::string> Canonicalize(Kind kind, std::string_view raw);

// A pdq quality score must be 0-100; InvalidArgument otherwise.
Status ValidatePdqQuality(int quality);

// The domain match rule "exact / suffix": true when `canonical_domain` is
// `canonical_suffix` or ends with "." + `canonical_suffix`, so
// "a.example.com" matches "example.com" but "badexample.com" does not. Both
// must already be canonical domains; an empty suffix matches nothing.
bool DomainMatchesSuffix(std::string_view canonical_domain, std::string_view canonical_suffix);

}  // namespace exchange::signals
