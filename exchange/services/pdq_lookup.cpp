// SPDX-License-Identifier: Apache-2.0
#include "services/pdq_lookup.h"

#include <algorithm>

#include "common/logger.h"
#include "exchange/v1/feed.pb.h"
#include "signals/match.h"
#include "signals/vpdq_value.h"
#include "store/logs.h"

namespace exchange::services {
namespace {

// One vpdq entry of the log: the stored value is already canonical, so it is the key.
void ApplyVpdq(const std::string& value, bool retracted, pdq::VpdqIndex& videos, const std::string& log_name) {
  if (retracted) {
    videos.Erase(value);
    return;
  }
  auto features = signals::ParseVpdqValue(value);
  if (!features.ok()) {
    logging::Error("vpdq index: unreadable value", {{"log", log_name}, {"error", features.status().message()}});
    return;
  }
  videos.Insert(value, *features);
}

}  // namespace

void PdqLookup::CatchUp(store::Connection& conn, store::Connection* replica) {
  auto heads = store::ListLogs(conn);
  if (!heads.ok()) return;
  for (const auto& head : *heads) {
    if (head.kind != "collection") continue;
    CollectionIndex* target = nullptr;
    uint64_t applied = 0;
    {
      std::unique_lock lock(mu_);
      target = &indexes_[head.log_id];
      applied = target->applied;
    }
    uint64_t replica_size = 0;
    if (replica) {
      if (auto size = store::CommittedSize(*replica, head.log_id); size.ok()) replica_size = *size;
    }
    while (applied < head.size) {
      const uint64_t end = std::min(head.size, applied + store::kMaxEntriesPerRead);
      Result<std::vector<std::string>> entries = Status::Unavailable("no replica");
      if (end <= replica_size) {
        entries = store::ReadEntries(*replica, head.log_id, applied, store::kMaxEntriesPerRead, head.size);
      }
      if (!entries.ok()) entries = store::ReadEntries(conn, head.log_id, applied, store::kMaxEntriesPerRead, head.size);
      if (!entries.ok() || entries->empty()) return;  // try again on the next round
      for (const auto& bytes : *entries) {
        v1::FeedEntry entry;
        if (!entry.ParseFromString(bytes)) {
          logging::Error("pdq index: unreadable entry", {{"log", head.name}, {"index", applied}});
        } else if (entry.signal().kind() == "pdq") {
          if (auto hash = signals::ParsePdq(entry.signal().value()); hash.ok()) {
            entry.signal().status() == "retracted" ? (void)target->index->Erase(*hash)
                                                   : (void)target->index->Insert(*hash);
          }
        } else if (entry.signal().kind() == "vpdq") {
          ApplyVpdq(entry.signal().value(), entry.signal().status() == "retracted", *target->videos, head.name);
        }
        ++applied;
      }
      std::unique_lock lock(mu_);
      target->applied = applied;
    }
  }
}

Result<PdqLookup::Answer> PdqLookup::Query(int64_t log_id, const pdq::PdqHash& query, int max_distance) const {
  std::shared_lock lock(mu_);
  auto it = indexes_.find(log_id);
  if (it == indexes_.end()) return Answer{};
  auto matches = it->second.index->Query(query, max_distance);
  if (!matches.ok()) return matches.status();
  return Answer{std::move(matches).value(), it->second.applied};
}

Result<PdqLookup::VpdqAnswer> PdqLookup::QueryVpdq(int64_t log_id, std::span<const signals::VpdqFeature> query,
                                                   const pdq::VpdqMatchRule& rule) const {
  std::shared_lock lock(mu_);
  auto it = indexes_.find(log_id);
  if (it == indexes_.end()) return VpdqAnswer{};
  auto matches = it->second.videos->Query(query, rule);
  if (!matches.ok()) return matches.status();
  return VpdqAnswer{std::move(matches).value(), it->second.applied};
}

}  // namespace exchange::services
