// SPDX-License-Identifier: Apache-2.0
// The match rule for exact-kind signals (every kind but pdq near-duplicates):
// which stored signals a queried value matches, and how. The server's
// POST /v1/collections/{c}/lookup and `exchangectl match` both call
// FindMatches, so a member gets the same answer online and offline.
//
//   exact          the stored value is the queried canonical value
//   parent_domain  (domain queries) the stored domain is a parent of the
//                  queried one, up to and including its registrable domain
//                  (public_suffix.h): "a.b.example.co.uk" matches
//                  "b.example.co.uk" and "example.co.uk", never "co.uk"; a
//                  signal on github.io (refused anyway) could never match
//                  "someone.github.io"
//   look_alike     (keyword, domain, url) the stored value differs but has the
//                  same confusable skeleton (look_alike.h) as the queried
//                  value or, for a domain, as one of the parents above
//
// The rule is pure; the signals it is applied to come from a SignalIndex the
// caller implements over its own storage (PostgreSQL, the mirror's SQLite).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "signals/kind.h"

namespace exchange::signals {

enum class MatchType { kExact, kParentDomain, kLookAlike };

// A SignalIndex answers at most this many values per skeleton (the first by
// value), so a crowded skeleton cannot flood an answer.
inline constexpr size_t kMaxLookAlikesPerSkeleton = 100;

// "exact", "parent_domain", "look_alike": the wire names.
std::string_view MatchTypeName(MatchType type);

// What a caller's storage answers. Implementations may do I/O; an error
// stops FindMatches and is returned as is.
class SignalIndex {
 public:
  virtual ~SignalIndex() = default;
  // The values among `canonical_values` that are stored signals of `kind`.
  virtual Result<std::vector<std::string>> FindValues(Kind kind, const std::vector<std::string>& canonical_values) = 0;
  // The values of stored signals of `kind` whose look-alike skeleton is one
  // of `skeletons`, at most kMaxLookAlikesPerSkeleton per skeleton.
  virtual Result<std::vector<std::string>> FindSkeletons(Kind kind, const std::vector<std::string>& skeletons) = 0;
};

struct Match {
  MatchType type = MatchType::kExact;
  std::string value;  // the stored signal's canonical value
};

// The parents of a canonical domain that a domain signal may match it by:
// "a.b.example.co.uk" -> {"b.example.co.uk", "example.co.uk"}, nearest first,
// down to the registrable domain. Empty when the domain is itself
// registrable, a public suffix, or has no registrable domain.
std::vector<std::string> ParentDomainsToMatch(std::string_view canonical_domain);

// What FindMatches asks a SignalIndex for, so that a caller can fetch it for
// many queries at once: `values` for FindValues (the value, then its parent
// domains) and `skeletons` for FindSkeletons (empty for kinds without
// look-alikes).
struct MatchKeys {
  std::vector<std::string> values;
  std::vector<std::string> skeletons;
};
MatchKeys KeysToMatch(Kind kind, std::string_view canonical);

// Every stored signal `canonical` matches: the exact one first, then parent
// domains (nearest first), then look-alikes (sorted by value). A signal
// appears once, under its first type.
Result<std::vector<Match>> FindMatches(Kind kind, std::string_view canonical, SignalIndex& index);

}  // namespace exchange::signals
