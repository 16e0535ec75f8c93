// SPDX-License-Identifier: Apache-2.0
// EntryPageCache: serialised pages of log entries, kept in memory.
//
// Entries below a log's committed size never change, so a page
// [start, start + limit) that lies wholly below it can be served again from
// memory, byte for byte. Members syncing the same log read the same pages;
// this saves the database and the serialisation for all but the first.
// Bounded in bytes; the least recently used page goes first.
//
// Thread-safety: internally locked.
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <unordered_map>

namespace exchange::services {

class EntryPageCache {
 public:
  explicit EntryPageCache(std::size_t max_bytes) : max_bytes_(max_bytes) {}

  // The serialised EntryBundle (without tree_size) of a full page, if cached.
  std::shared_ptr<const std::string> Find(int64_t log_id, uint64_t start, uint64_t limit);
  void Remember(int64_t log_id, uint64_t start, uint64_t limit, std::shared_ptr<const std::string> page);

 private:
  using Key = std::tuple<int64_t, uint64_t, uint64_t>;
  struct KeyHash {
    std::size_t operator()(const Key& k) const {
      return std::hash<uint64_t>()(static_cast<uint64_t>(std::get<0>(k)) * 1000003u ^ std::get<1>(k) * 31u ^
                                   std::get<2>(k));
    }
  };
  struct Entry {
    std::shared_ptr<const std::string> page;
    std::list<Key>::iterator position;
  };

  const std::size_t max_bytes_;
  std::mutex mu_;
  // Guarded by mu_:
  std::size_t bytes_ = 0;
  std::list<Key> recency_;  // most recent first
  std::unordered_map<Key, Entry, KeyHash> pages_;
};

}  // namespace exchange::services
