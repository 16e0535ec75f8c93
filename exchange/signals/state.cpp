// SPDX-License-Identifier: Apache-2.0
// The signal state rule of signals/state.h: sorting into the wire form and the
// state of a signal just created.
#include "signals/state.h"

#include <algorithm>
#include <array>
#include <utility>

namespace exchange::signals {
namespace {

constexpr std::array<std::pair<SignalStatus, std::string_view>, 3> kStatusNames{
    {{SignalStatus::kActive, "active"},
     {SignalStatus::kDisputed, "disputed"},
     {SignalStatus::kRetracted, "retracted"}}};

template <typename T>
std::vector<T> SortedUnique(std::vector<T> values) {
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  return values;
}

}  // namespace

std::string_view SignalStatusName(SignalStatus status) {
  for (const auto& [s, name] : kStatusNames) {
    if (s == status) return name;
  }
  return "active";
}

std::optional<SignalStatus> ParseSignalStatus(std::string_view name) {
  for (const auto& [s, n] : kStatusNames) {
    if (n == name) return s;
  }
  return std::nullopt;
}

v1::SignalState ToWireState(const AggregateState& a, bool anonymous) {
  v1::SignalState s;
  s.set_kind(std::string(KindName(a.kind)));
  s.set_value(a.value);
  s.set_status(std::string(SignalStatusName(a.status)));
  s.set_first_seen_ms(a.first_seen_ms);
  s.set_pdq_quality(a.pdq_quality);
  for (auto& c : SortedUnique(a.categories)) s.add_categories(c);
  for (auto& l : SortedUnique(a.labels)) s.add_labels(l);
  for (auto p : SortedUnique(a.principles)) s.add_principles(p);
  s.set_contributors(a.contributors);
  s.set_confirmations(a.confirmations);
  s.set_disputes(a.disputes);
  s.set_reviewed(a.reviewed);
  if (!anonymous) {
    for (auto& o : SortedUnique(a.contributor_orgs)) s.add_contributor_orgs(o);
  }
  return s;
}

AggregateState CreatedState(const FirstContribution& first, int pdq_quality, int64_t first_seen_ms,
                            const std::string& org_slug) {
  AggregateState a;
  a.kind = first.kind;
  a.value = first.value;
  a.status = SignalStatus::kActive;
  a.first_seen_ms = first_seen_ms;
  a.pdq_quality = static_cast<uint32_t>(std::max(pdq_quality, 0));
  if (!first.category.empty()) a.categories.push_back(first.category);
  a.labels = first.labels;
  a.principles = first.principles;
  a.contributors = 1;
  a.reviewed = first.reviewed;
  a.contributor_orgs.push_back(org_slug);
  return a;
}

}  // namespace exchange::signals
