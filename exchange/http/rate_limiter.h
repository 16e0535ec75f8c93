// RateLimiter: a token bucket per key (an organisation, or an address on the
// enrollment listener). Over the limit, the caller gets 429 with Retry-After.
//
// Per process: with N processes the effective limit is N times this one,
// which is what an operator sizing per process expects.
// Thread-safety: internally locked.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

namespace exchange::http {

class RateLimiter {
 public:
  // `rate` tokens per second, up to `burst` saved. rate <= 0 disables the limiter.
  RateLimiter(double rate, double burst, std::size_t max_keys = 100000);

  // 0 when allowed; otherwise the whole seconds to wait before retrying.
  int Take(const std::string& key);

 private:
  struct Bucket {
    double tokens;
    std::chrono::steady_clock::time_point updated;
  };
  const double rate_;
  const double burst_;
  const std::size_t max_keys_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;  // guarded by mu_
};

}  // namespace exchange::http
