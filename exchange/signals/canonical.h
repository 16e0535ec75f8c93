// SPDX-License-Identifier: Apache-2.0
// Canonical forms of signal values (DESIGN §4): the one spelling of a value
// that the exchange stores, matches, logs in the feed and hands to members.
// Server and client canonicalise with this same code, so a member can compute
// locally exactly what the exchange will store.
//
// Every function is pure and thread-safe. The one I/O in signals/: the first
// use of a domain rule reads the public suffix list through libpsl
// (public_suffix.h); ICU's data is compiled into libicudata. Errors are
// InvalidArgument with a reason meant to be shown to the member as is,
// starting with the kind's name ("md5 must be 32 hex digits, got 31").
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/status.h"
#include "signals/kind.h"

namespace exchange::signals {

// The version of the canonical-form rules below. Values stored under an
// older version may differ from what Canonicalize gives today;
// `exchanged migrate-signals` brings a database to this version.
//   1  hand-written IDNA (IDNA2003-like, no UTS #46 mapping, no NFC) and
//      simple case folding of a few scripts
//   2  UTS #46 non-transitional host names (ICU), NFKC_Casefold text with
//      white space collapsed (ICU), public suffixes refused (libpsl)
//   3  vpdq is python-threatexchange's JSON list of frames (vpdq_value.h)
//      instead of opaque base64
inline constexpr int kCanonicalFormVersion = 3;

inline constexpr size_t kPhotoDnaBytes = 144;
inline constexpr size_t kMaxOpaqueBytes = 256 * 1024;  // tmk_pdqf; decoded bytes
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
// photodna: base64 of exactly 144 bytes. tmk_pdqf: base64 of 1 byte to
//   256 KiB. Surrounding ASCII white space is trimmed; otherwise the text must
//   be strict standard base64 (RFC 4648 §4: '+' and '/', '=' padding, zero
//   trailing bits, one line). The URL-safe alphabet and unpadded text are
//   refused rather than converted. The canonical value is the re-encoded
//   bytes, which for accepted input equals the trimmed text.
// vpdq: python-threatexchange's JSON list of "pdq_hex,quality,timestamp"
//   frames, re-written in the canonical spelling and in timestamp order
//   (CanonicalizeVpdq, vpdq_value.h). Opaque base64, the version 2 form, is
//   refused.
// url: see CanonicalizeUrl (url.h). http and https only; userinfo dropped.
// domain: see CanonicalizeDomain (domain.h). UTS #46 (WHATWG URL "domain to
//   ASCII"), lowercase A-labels, one trailing dot dropped, at least two
//   labels, not an IP address, not a public suffix (public_suffix.h).
// keyword: strict UTF-8, NFKC_Casefold and white space collapsed (text.h).
//   Refused: control characters other than white space, empty after folding,
//   more than 1024 bytes after folding.
// account_id: "platform:identifier", split at the first ':' and each part
//   trimmed of Unicode White_Space. The platform is lowercased and must be 1-64
//   characters of [a-z0-9._-]. The identifier must be non-empty strict UTF-8
//   without control characters, at most 512 bytes. An identifier that is an
//   e-mail address (exactly one '@', a non-empty local part and a valid
//   domain) is canonical text: the local part folded as a keyword is (text.h),
//   the domain as a host name (UTS #46; a public suffix is allowed here).
//   Other identifiers keep their case: whether
//   "@SomeUser" and "@someuser" are one account is the platform's rule, which
//   the exchange does not know. Platform "email" requires an e-mail address.
//   "email:Alice@Example.COM" -> "email:alice@example.com",
//   "Twitter:@SomeUser" -> "twitter:@SomeUser".
Result<std::string> Canonicalize(Kind kind, std::string_view raw);

// A pdq quality score must be 0-100; InvalidArgument otherwise.
Status ValidatePdqQuality(int quality);

}  // namespace exchange::signals
