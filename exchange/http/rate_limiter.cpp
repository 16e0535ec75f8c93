#include "http/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace exchange::http {

RateLimiter::RateLimiter(double rate, double burst, std::size_t max_keys)
    : rate_(rate), burst_(std::max(burst, 1.0)), max_keys_(max_keys) {}

int RateLimiter::Take(const std::string& key) {
  if (rate_ <= 0) return 0;
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mu_);
  if (buckets_.size() >= max_keys_ && !buckets_.count(key)) buckets_.clear();  // bounded memory
  auto [it, fresh] = buckets_.try_emplace(key, Bucket{burst_, now});
  Bucket& b = it->second;
  if (!fresh) {
    std::chrono::duration<double> elapsed = now - b.updated;
    b.tokens = std::min(burst_, b.tokens + elapsed.count() * rate_);
    b.updated = now;
  }
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return 0;
  }
  return std::max(1, static_cast<int>(std::ceil((1.0 - b.tokens) / rate_)));
}

}  // namespace exchange::http
