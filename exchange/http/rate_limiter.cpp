// SPDX-License-Identifier: Apache-2.0
#include "http/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace exchange::http {

RateLimiter::RateLimiter(double rate, double burst, std::size_t max_keys)
    : rate_(rate), burst_(std::max(burst, 1.0)), max_keys_(std::max<std::size_t>(max_keys, 1)) {}

int RateLimiter::Refill(Bucket& b, std::chrono::steady_clock::time_point now) const {
  std::chrono::duration<double> elapsed = now - b.updated;
  b.tokens = std::min(burst_, b.tokens + elapsed.count() * rate_);
  b.updated = now;
  if (b.tokens >= 1.0) return 0;
  return std::max(1, static_cast<int>(std::ceil((1.0 - b.tokens) / rate_)));
}

int RateLimiter::Take(const std::string& key) {
  if (rate_ <= 0) return 0;
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mu_);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_keys_) {
      buckets_.erase(recency_.back());
      recency_.pop_back();
    }
    recency_.push_front(key);
    it = buckets_.emplace(key, Bucket{burst_, now, recency_.begin()}).first;
  } else {
    recency_.splice(recency_.begin(), recency_, it->second.position);
  }
  Bucket& b = it->second;
  const int wait = Refill(b, now);
  if (wait == 0) b.tokens -= 1.0;
  return wait;
}

int RateLimiter::Peek(const std::string& key) {
  if (rate_ <= 0) return 0;
  std::lock_guard lock(mu_);
  auto it = buckets_.find(key);
  return it == buckets_.end() ? 0 : Refill(it->second, std::chrono::steady_clock::now());
}

std::size_t RateLimiter::KeyCount() {
  std::lock_guard lock(mu_);
  return buckets_.size();
}

}  // namespace exchange::http
