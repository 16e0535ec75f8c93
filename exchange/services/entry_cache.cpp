// SPDX-License-Identifier: Apache-2.0
#include "services/entry_cache.h"

namespace exchange::services {

std::shared_ptr<const std::string> EntryPageCache::Find(int64_t log_id, uint64_t start, uint64_t limit) {
  std::lock_guard lock(mu_);
  auto it = pages_.find({log_id, start, limit});
  if (it == pages_.end()) return nullptr;
  recency_.splice(recency_.begin(), recency_, it->second.position);
  return it->second.page;
}

void EntryPageCache::Remember(int64_t log_id, uint64_t start, uint64_t limit, std::shared_ptr<const std::string> page) {
  if (page->size() > max_bytes_) return;
  std::lock_guard lock(mu_);
  Key key{log_id, start, limit};
  if (pages_.count(key)) return;
  while (bytes_ + page->size() > max_bytes_ && !recency_.empty()) {
    auto last = pages_.find(recency_.back());
    bytes_ -= last->second.page->size();
    pages_.erase(last);
    recency_.pop_back();
  }
  recency_.push_front(key);
  bytes_ += page->size();
  pages_.emplace(key, Entry{std::move(page), recency_.begin()});
}

}  // namespace exchange::services
