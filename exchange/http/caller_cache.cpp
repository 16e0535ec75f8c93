// SPDX-License-Identifier: Apache-2.0
#include "http/caller_cache.h"

namespace exchange::http {

CallerCache::CallerCache(std::chrono::milliseconds ttl, std::size_t max_entries, std::chrono::milliseconds known_good)
    : ttl_(ttl), known_good_(known_good), max_entries_(max_entries) {}

std::optional<Caller> CallerCache::Find(const std::string& fingerprint) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(fingerprint);
  if (it == entries_.end() || it->second.expires <= std::chrono::steady_clock::now()) return std::nullopt;
  return it->second.caller;
}

void CallerCache::Remember(const Caller& caller) {
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mu_);
  if (entries_.size() >= max_entries_) {
    std::erase_if(entries_, [now](const auto& e) { return e.second.known_until <= now; });
    if (entries_.size() >= max_entries_) entries_.clear();  // bounded; refills within one TTL
  }
  entries_.insert_or_assign(caller.fingerprint, Entry{caller, now + ttl_, now + known_good_});
}

bool CallerCache::RecentlyAccepted(const std::string& fingerprint) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(fingerprint);
  return it != entries_.end() && it->second.known_until > std::chrono::steady_clock::now();
}

std::optional<Status> CallerCache::FindRefusal(const std::string& fingerprint) const {
  std::lock_guard lock(mu_);
  auto it = refusals_.find(fingerprint);
  if (it == refusals_.end() || it->second.expires <= std::chrono::steady_clock::now()) return std::nullopt;
  return it->second.status;
}

void CallerCache::RememberRefusal(const std::string& fingerprint, const Status& refusal) {
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mu_);
  entries_.erase(fingerprint);  // no longer known good
  if (ttl_.count() <= 0) return;
  if (refusals_.size() >= max_entries_) {
    std::erase_if(refusals_, [now](const auto& r) { return r.second.expires <= now; });
    if (refusals_.size() >= max_entries_) refusals_.clear();  // all fresh: they refill within one TTL
  }
  refusals_.insert_or_assign(fingerprint, Refusal{refusal, now + ttl_});
}

void CallerCache::ForgetOrganisation(int64_t org_id) {
  std::lock_guard lock(mu_);
  refusals_.clear();
  std::erase_if(entries_, [org_id](const auto& e) { return e.second.caller.org_id == org_id; });
}

void CallerCache::ForgetCredential(int64_t credential_id) {
  std::lock_guard lock(mu_);
  refusals_.clear();
  std::erase_if(entries_, [credential_id](const auto& e) { return e.second.caller.credential_id == credential_id; });
}

}  // namespace exchange::http
