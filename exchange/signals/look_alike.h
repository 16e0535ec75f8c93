// SPDX-License-Identifier: Apache-2.0
// Look-alike keys: the Unicode UTS #39 confusable skeleton (ICU uspoof, data
// from confusables.txt) of a canonical value. Two values with one skeleton
// look alike to a person ("pаypal.com" with a Cyrillic 'а' and
// "paypal.com"; "rnicrosoft" and "microsoft") although they are different
// signals. The exchange stores the skeleton beside each canonical value and
// reports a skeleton hit as a "look_alike" match, never as an exact one.
//
// A skeleton is a key for comparison only: it is not a spelling anyone uses
// ("example" becomes "exarnple") and is never shown as a signal value.
// Pure functions; thread-safe (ICU's spoof checker is shared, read-only).
#pragma once

#include <string>
#include <string_view>

#include "signals/kind.h"

namespace exchange::signals {

// The skeleton of `canonical`, a canonical value of `kind`; "" for kinds
// without look-alike matching (hashes and account_id).
//   keyword: the skeleton of the text.
//   domain:  each label turned into Unicode (UTS #46 ToUnicode) and skeleton-
//            ised, joined by '.': "xn--pypal-4ve.com" -> "paypal.corn".
//   url:     the same for the host; scheme, port, path and query unchanged.
//            IP-address hosts are kept as they are.
std::string LookAlikeSkeleton(Kind kind, std::string_view canonical);

// True when the kind has look-alike matching (keyword, domain, url).
bool HasLookAlikes(Kind kind);

}  // namespace exchange::signals
