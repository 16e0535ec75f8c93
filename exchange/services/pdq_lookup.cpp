// SPDX-License-Identifier: Apache-2.0
#include "services/pdq_lookup.h"

#include <algorithm>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/logger.h"
#include "exchange/v1/feed.pb.h"
#include "signals/match.h"
#include "signals/vpdq_value.h"
#include "store/logs.h"

namespace exchange::services {
namespace {

// An entry's signal, if it is one the indexes hold.
struct Indexable {
  bool is_pdq = false;  // else vpdq
  bool retracted = false;
  pdq::PdqHash hash{};  // pdq
};

std::optional<Indexable> Classify(const v1::FeedEntry& entry) {
  Indexable out;
  out.retracted = entry.signal().status() == "retracted";
  if (entry.signal().kind() == "pdq") {
    auto hash = signals::ParsePdq(entry.signal().value());
    if (!hash.ok()) return std::nullopt;
    out.is_pdq = true;
    out.hash = *hash;
    return out;
  }
  if (entry.signal().kind() == "vpdq") return out;
  return std::nullopt;
}

// The stored vpdq value is already canonical, so it is the key.
Result<std::vector<signals::VpdqFeature>> ParseVpdq(const std::string& value, const std::string& log_name) {
  auto features = signals::ParseVpdqValue(value);
  if (!features.ok()) {
    logging::Error("vpdq index: unreadable value", {{"log", log_name}, {"error", features.status().message()}});
  }
  return features;
}

// What a log's entries leave in the indexes, gathered without touching them:
// the first catch-up of a log applies it with one Assign per index instead
// of an insert per entry. Applying an entry is "add" or "remove" of a set
// element, so the state is the last operation on each hash or value.
class BulkLoad {
 public:
  explicit BulkLoad(std::string log_name) : log_name_(std::move(log_name)) {}

  void Apply(const v1::FeedEntry& entry) {
    auto signal = Classify(entry);
    if (!signal) return;
    if (signal->is_pdq) {
      pdq_.push_back({signal->hash, signal->retracted});
      return;
    }
    const std::string& value = entry.signal().value();
    if (signal->retracted) {
      videos_.erase(value);
    } else if (videos_.find(value) == videos_.end()) {
      if (auto features = ParseVpdq(value, log_name_); features.ok()) videos_.emplace(value, std::move(*features));
    }
  }

  void AssignTo(pdq::Index& index, pdq::VpdqIndex& videos) {
    // Log order is kept among equal hashes (stable sort): the last one decides.
    std::stable_sort(pdq_.begin(), pdq_.end(), [](const PdqOp& a, const PdqOp& b) { return a.hash < b.hash; });
    std::vector<pdq::PdqHash> hashes;
    for (size_t i = 0; i < pdq_.size(); ++i) {
      if ((i + 1 == pdq_.size() || pdq_[i + 1].hash != pdq_[i].hash) && !pdq_[i].retracted) {
        hashes.push_back(pdq_[i].hash);
      }
    }
    std::vector<PdqOp>().swap(pdq_);
    index.Assign(hashes);
    std::vector<pdq::VpdqVideo> stored;
    stored.reserve(videos_.size());
    for (auto& [value, features] : videos_) stored.push_back({value, std::move(features)});
    videos_.clear();
    videos.Assign(stored);
  }

 private:
  struct PdqOp {
    pdq::PdqHash hash;
    bool retracted;
  };
  const std::string log_name_;
  std::vector<PdqOp> pdq_;  // in log order
  std::unordered_map<std::string, std::vector<signals::VpdqFeature>> videos_;
};

// One entry applied to live indexes.
void ApplyLive(const v1::FeedEntry& entry, pdq::Index& index, pdq::VpdqIndex& videos, const std::string& log_name) {
  auto signal = Classify(entry);
  if (!signal) return;
  if (signal->is_pdq) {
    signal->retracted ? (void)index.Erase(signal->hash) : (void)index.Insert(signal->hash);
    return;
  }
  const std::string& value = entry.signal().value();
  if (signal->retracted) {
    videos.Erase(value);
  } else if (auto features = ParseVpdq(value, log_name); features.ok()) {
    videos.Insert(value, *features);
  }
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
      auto [it, created] = indexes_.try_emplace(head.log_id);
      // Only the logs of the first pass (those this process started with)
      // are held back while they load; one created since is new, and answers
      // from what is applied, like any change of the last moments.
      if (created) it->second.loaded = passed_once_;
      target = &it->second;
      applied = target->applied;
    }
    uint64_t replica_size = 0;
    if (replica) {
      if (auto size = store::CommittedSize(*replica, head.log_id); size.ok()) replica_size = *size;
    }
    // A log seen for the first time (at startup) is loaded in bulk: its
    // indexes stay empty, and `applied` 0, until the load is assigned at once.
    std::optional<BulkLoad> bulk;
    if (applied == 0 && head.size > 0) bulk.emplace(head.name);
    auto publish = [&] {
      if (bulk) {
        bulk->AssignTo(*target->index, *target->videos);
        bulk.reset();
      }
      std::unique_lock lock(mu_);
      target->applied = applied;
    };
    while (applied < head.size) {
      const uint64_t end = std::min(head.size, applied + store::kMaxEntriesPerRead);
      Result<std::vector<std::string>> entries = Status::Unavailable("no replica");
      if (end <= replica_size) {
        entries = store::ReadEntries(*replica, head.log_id, applied, store::kMaxEntriesPerRead, head.size);
      }
      if (!entries.ok()) entries = store::ReadEntries(conn, head.log_id, applied, store::kMaxEntriesPerRead, head.size);
      if (!entries.ok() || entries->empty()) {
        publish();  // what was read so far; the rest on the next round
        return;
      }
      for (const auto& bytes : *entries) {
        v1::FeedEntry entry;
        if (!entry.ParseFromString(bytes)) {
          logging::Error("pdq index: unreadable entry", {{"log", head.name}, {"index", applied}});
        } else if (bulk) {
          bulk->Apply(entry);
        } else {
          ApplyLive(entry, *target->index, *target->videos, head.name);
        }
        ++applied;
      }
      if (!bulk) {
        std::unique_lock lock(mu_);
        target->applied = applied;
      }
    }
    if (bulk) publish();
    std::unique_lock lock(mu_);
    target->loaded = true;  // caught up with the head this pass read
  }
  std::unique_lock lock(mu_);
  passed_once_ = true;
}

namespace {

// Asks log_id's indexes (`ask` picks one and queries it) under the shared
// lock; an answer carries how far the index has applied the log. Until the
// index has first caught up with its log (the bulk load at startup), there
// is no answer: "no match" from a half-built index could let known material
// through. A log the last full pass did not see is younger than that pass:
// like any change of the last moments, its entries are not applied yet
// (indexed_through 0).
template <typename Answer, typename Indexes, typename Ask>
Result<Answer> AskIndex(std::shared_mutex& mu, const Indexes& indexes, const bool& passed_once, int64_t log_id,
                        Ask ask) {
  std::shared_lock lock(mu);
  auto it = indexes.find(log_id);
  if (it == indexes.end() && passed_once) return Answer{};
  if (it == indexes.end() || !it->second.loaded) {
    return Status::Unavailable("this server is still loading the collection's PDQ and vPDQ index; retry in a moment");
  }
  auto matches = ask(it->second);
  if (!matches.ok()) return matches.status();
  return Answer{std::move(matches).value(), it->second.applied};
}

}  // namespace

Result<PdqLookup::Answer> PdqLookup::Query(int64_t log_id, const pdq::PdqHash& query, int max_distance) const {
  return AskIndex<Answer>(mu_, indexes_, passed_once_, log_id,
                          [&](const CollectionIndex& c) { return c.index->Query(query, max_distance); });
}

Result<PdqLookup::VpdqAnswer> PdqLookup::QueryVpdq(int64_t log_id, std::span<const signals::VpdqFeature> query,
                                                   const pdq::VpdqMatchRule& rule) const {
  return AskIndex<VpdqAnswer>(mu_, indexes_, passed_once_, log_id,
                              [&](const CollectionIndex& c) { return c.videos->Query(query, rule); });
}

}  // namespace exchange::services
