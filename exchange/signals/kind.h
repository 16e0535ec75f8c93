// SPDX-License-Identifier: Apache-2.0
// The kinds of signal the exchange shares (DESIGN §4) and their stable wire
// names. Server and client both use these names in the API, the feed and the
// database, so they never change once released.
//
// Plain values and immutable tables; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace exchange::signals {

enum class Kind {
  kMd5,
  kSha1,
  kSha256,
  kPdq,
  kPhotoDna,
  kTmkPdqf,
  kVpdq,
  kUrl,
  kDomain,
  kKeyword,
  kAccountId,
};

// "md5", "sha1", "sha256", "pdq", "photodna", "tmk_pdqf", "vpdq", "url",
// "domain", "keyword", "account_id".
std::string_view KindName(Kind kind);

// The kind named exactly `name` (lowercase, as KindName writes it); nullopt
// for anything else, including "MD5" or " md5".
std::optional<Kind> ParseKind(std::string_view name);

// "unknown kind 'X'; valid kinds: md5, sha1, ..." for a name ParseKind
// refused (cut to 32 bytes), so every client says the same.
std::string UnknownKindMessage(std::string_view name);

// Every kind once, in declaration order. The vector lives for the program.
const std::vector<Kind>& AllKinds();

}  // namespace exchange::signals
