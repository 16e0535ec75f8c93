// Host names as signals see them: the canonical `domain` value and the host
// part of a canonical `url`.
//
// A host name is lowercased with simple case folding (case_fold.h) and each
// non-ASCII label becomes its IDNA A-label ("xn--" + punycode). This is IDNA
// without UTS-46: no width or compatibility mapping, no NFC, no IDNA2008
// validity, context or bidi rules; U+3002, U+FF0E and U+FF61 are accepted as
// label separators, as IDNA2003 did. Existing "xn--" labels are taken as they
// are (lowercased), not decoded and checked. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace exchange::signals {

inline constexpr size_t kMaxHostNameBytes = 253;  // without a trailing dot
inline constexpr size_t kMaxLabelBytes = 63;

enum class HostRules {
  // A `domain` signal: labels of [a-z0-9-] not starting or ending with '-',
  // at least two labels (a top-level domain alone is far too broad to match
  // by suffix), never an IP address.
  kDomain,
  // The host of a `url` signal: labels of [a-z0-9_-] in any order (browsers
  // resolve such names and abusive sites use them), one label allowed, and a
  // dotted-quad IPv4 address (four decimal numbers 0-255 without leading
  // zeros) kept as it is. A name whose last label is a number in any other
  // form ("3232235777", "0x7f.1", "010.0.0.1") is refused rather than guessed.
  kUrlHost,
};

// `host` is UTF-8 with any percent escapes already decoded; one trailing dot
// (the DNS root) is dropped. Returns the lowercase ASCII form, at most 253
// bytes, labels at most 63. InvalidArgument names the rule broken, prefixed
// by "domain" or "url host".
Result<std::string> CanonicalizeHostName(std::string_view host, HostRules rules);

// The canonical `domain` value: surrounding ASCII white space is trimmed,
// then CanonicalizeHostName(.., kDomain). "münchen.de." -> "xn--mnchen-3ya.de".
Result<std::string> CanonicalizeDomain(std::string_view raw);

}  // namespace exchange::signals
