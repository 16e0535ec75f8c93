// SPDX-License-Identifier: Apache-2.0
// Values stored under older canonical-form rules (canonical.h,
// kCanonicalFormVersion), brought to the current rules. Used by
// `exchanged migrate-signals`; pure functions, thread-safe.
//
// Version 1 wrote a non-ASCII host label as "xn--" + punycode of the label as
// typed (only simply case-folded: no width mapping, no NFC, soft hyphens
// kept), so its A-labels are often not valid under UTS #46
// ("xn--ph7chab1aes7c.com" is fullwidth "ＥＸＡＭＰＬＥ.com"). Such labels are
// decoded back to the Unicode they came from (libidn2's punycode decoder,
// without validation) and that text is canonicalised afresh.
//
// Version 2 stored vpdq values as opaque base64; version 3 wants the frame
// list itself. A stored value whose bytes decode to a frame list becomes that
// list; any other opaque vpdq value is refused (migrate-signals tombstones it).
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "signals/kind.h"

namespace exchange::signals {

// The current canonical value of `stored`, a value of `kind` written under
// an older version: Canonicalize(kind, stored) when that accepts it, else the
// same with the host's "xn--" labels (domain, url host, e-mail domain)
// decoded first, or a vpdq value's base64 decoded first. The error is Canonicalize's for `stored` when neither works.
Result<std::string> RecanonicalizeStored(Kind kind, std::string_view stored);

}  // namespace exchange::signals
