// SPDX-License-Identifier: Apache-2.0
#include "signals/match_rule.h"

#include <algorithm>
#include <set>

#include "signals/look_alike.h"
#include "signals/public_suffix.h"

namespace exchange::signals {

std::string_view MatchTypeName(MatchType type) {
  switch (type) {
    case MatchType::kExact: return "exact";
    case MatchType::kParentDomain: return "parent_domain";
    case MatchType::kLookAlike: return "look_alike";
  }
  return "exact";
}

std::vector<std::string> ParentDomainsToMatch(std::string_view canonical_domain) {
  std::vector<std::string> out;
  const auto registrable = RegistrableDomain(canonical_domain);
  if (!registrable || registrable->size() >= canonical_domain.size()) return out;
  size_t dot = canonical_domain.find('.');
  while (dot != std::string_view::npos && canonical_domain.size() - dot - 1 >= registrable->size()) {
    out.emplace_back(canonical_domain.substr(dot + 1));
    dot = canonical_domain.find('.', dot + 1);
  }
  return out;
}

MatchKeys KeysToMatch(Kind kind, std::string_view canonical) {
  MatchKeys keys;
  keys.values.emplace_back(canonical);
  if (kind == Kind::kDomain) {
    for (auto& parent : ParentDomainsToMatch(canonical)) keys.values.push_back(std::move(parent));
  }
  if (HasLookAlikes(kind)) {
    for (const auto& value : keys.values) keys.skeletons.push_back(LookAlikeSkeleton(kind, value));
  }
  return keys;
}

Result<std::vector<Match>> FindMatches(Kind kind, std::string_view canonical, SignalIndex& index) {
  const MatchKeys keys = KeysToMatch(kind, canonical);
  auto found = index.FindValues(kind, keys.values);
  if (!found.ok()) return found.status();
  const std::set<std::string> stored(found->begin(), found->end());

  std::vector<Match> out;
  std::set<std::string> seen;
  for (size_t i = 0; i < keys.values.size(); ++i) {
    if (stored.count(keys.values[i]) && seen.insert(keys.values[i]).second) {
      out.push_back({i == 0 ? MatchType::kExact : MatchType::kParentDomain, keys.values[i]});
    }
  }
  if (keys.skeletons.empty()) return out;

  auto similar = index.FindSkeletons(kind, keys.skeletons);
  if (!similar.ok()) return similar.status();
  std::vector<std::string> look_alikes = std::move(similar).value();
  std::sort(look_alikes.begin(), look_alikes.end());
  for (auto& value : look_alikes) {
    if (seen.insert(value).second) out.push_back({MatchType::kLookAlike, std::move(value)});
  }
  return out;
}

}  // namespace exchange::signals
