// SPDX-License-Identifier: Apache-2.0
// Host names as signals see them: the canonical `domain` value, the host part
// of a canonical `url` and the domain of an e-mail address in `account_id`.
//
// A host name is processed as browsers process it: the WHATWG URL Standard's
// "domain to ASCII", which is UTS #46 (Unicode IDNA Compatibility Processing)
// ToASCII, done by ICU's uidna_openUTS46 with
//   CheckBidi=true          UIDNA_CHECK_BIDI (RFC 5893)
//   CheckJoiners=true       UIDNA_CHECK_CONTEXTJ (RFC 5892 ZWJ/ZWNJ rules)
//   Transitional=false      UIDNA_NONTRANSITIONAL_TO_ASCII and _TO_UNICODE:
//                           'ß' stays 'ß' (xn--zca), as browsers do
//   UseSTD3ASCIIRules=false (the option is not set); the ASCII that is left
//                           is checked by our own rules below instead
//   CheckHyphens=false      ICU always reports hyphen errors; the three
//                           (leading, trailing, "--" in positions 3-4) are
//                           ignored for url hosts as WHATWG does, and the
//                           leading/trailing ones refused for `domain`
//   VerifyDnsLength         checked by our own rules (63 per label, 253 in all)
// So fullwidth letters, ideographic full stops, soft hyphens and zero-width
// spaces are mapped or removed, NFC is applied, and "xn--" labels are decoded
// and checked rather than trusted. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace exchange::signals {

inline constexpr size_t kMaxHostNameBytes = 253;  // without a trailing dot
inline constexpr size_t kMaxLabelBytes = 63;

enum class HostRules {
  // A `domain` signal: labels of [a-z0-9-] (after UTS #46) not starting or
  // ending with '-', at least two labels (a top-level domain alone is far too
  // broad to match by suffix), never an IP address, never a public suffix
  // (co.uk, github.io: public_suffix.h).
  kDomain,
  // The host of a `url` signal: labels of [a-z0-9_-] in any order (browsers
  // resolve such names and abusive sites use them), one label allowed, and a
  // dotted-quad IPv4 address (four decimal numbers 0-255 without leading
  // zeros) kept as it is. A name whose last label is a number in any other
  // form ("3232235777", "0x7f.1", "010.0.0.1") is refused rather than guessed.
  kUrlHost,
  // The domain of an e-mail address: as kDomain, but a public suffix is
  // allowed (mail is delivered to names such as "gov.uk").
  kMailDomain,
};

// `host` is UTF-8 with any percent escapes already decoded; one trailing dot
// (the DNS root, or an ideographic full stop) is dropped. Returns the
// lowercase ASCII form, at most 253 bytes, labels at most 63. InvalidArgument
// names the rule broken, prefixed by "domain" or "url host".
Result<std::string> CanonicalizeHostName(std::string_view host, HostRules rules);

// The canonical `domain` value: surrounding ASCII white space is trimmed,
// then CanonicalizeHostName(.., kDomain). "münchen.de." -> "xn--mnchen-3ya.de".
Result<std::string> CanonicalizeDomain(std::string_view raw);

// The Unicode form (U-labels) of a canonical host name, by UTS #46 ToUnicode
// with the same options: "xn--mnchen-3ya.de" -> "münchen.de". For display
// and for look-alike skeletons; never stored as a signal value.
std::string HostNameToUnicode(std::string_view canonical_host);

}  // namespace exchange::signals
