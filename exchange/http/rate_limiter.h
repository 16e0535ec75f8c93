// SPDX-License-Identifier: Apache-2.0
// RateLimiter: a token bucket per key (an organisation, or an address on the
// enrollment listener; a certificate or an address for refused credentials).
// Over the limit, the caller gets 429 with Retry-After.
//
// Memory is bounded by `max_keys`: when a new key arrives at the bound, the
// least recently used key's bucket is dropped (so rotating source addresses
// evicts the stalest strangers, never the buckets of busy callers).
// Per process: with N processes the effective limit is N times this one,
// which is what an operator sizing per process expects.
// Thread-safety: internally locked.
#pragma once

#include <chrono>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>

namespace exchange::http {

class RateLimiter {
 public:
  // `rate` tokens per second, up to `burst` saved. rate <= 0 disables the limiter.
  RateLimiter(double rate, double burst, std::size_t max_keys = 100000);

  // Takes a token: 0 when allowed; otherwise the whole seconds to wait before retrying.
  int Take(const std::string& key);
  // As Take() but takes nothing (and remembers nothing of an unknown key).
  int Peek(const std::string& key);

  std::size_t KeyCount();

 private:
  struct Bucket {
    double tokens;
    std::chrono::steady_clock::time_point updated;
    std::list<std::string>::iterator position;  // in recency_
  };
  // Refills `b` up to now; returns the seconds to wait for one token (0: one is there).
  int Refill(Bucket& b, std::chrono::steady_clock::time_point now) const;

  const double rate_;
  const double burst_;
  const std::size_t max_keys_;
  std::mutex mu_;
  // Guarded by mu_:
  std::list<std::string> recency_;  // most recently used first
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace exchange::http
