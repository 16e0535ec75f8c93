// SPDX-License-Identifier: Apache-2.0
// CallerCache: recent answers to "who holds this client certificate?".
//
// Storage-free: server/caller_auth.h loads a Caller from the database
// (LoadCaller) and the ApiDispatcher (server/) remembers it here; handlers
// that suspend, reinstate or revoke (api/) make this process forget.
//
// CallerCache keeps recent answers for at most `ttl` (≤ 1 s by default) so a
// suspension or revocation committed by any exchanged process takes effect on
// every process within that time, without cross-process invalidation.
// Refusals (an unknown or revoked certificate, a suspended organisation) are
// kept for the same `ttl`, so a client repeating a refused certificate costs
// no database query within it. A cached refusal can only delay an acceptance
// (a credential registered or reinstated elsewhere) by up to `ttl`; it never
// lets a revoked credential in.
// A certificate accepted within the last `known_good` (an hour) is exempt
// from the refused-certificate rate limit of its address (ApiDispatcher), so
// a member sharing an address with a client presenting refused certificates
// is not locked out; it is still looked up in the database after every ttl.
// Thread-safety: CallerCache is internally locked.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "common/status.h"
#include "http/call_context.h"

namespace exchange::http {

class CallerCache {
 public:
  explicit CallerCache(std::chrono::milliseconds ttl, std::size_t max_entries = 100000,
                       std::chrono::milliseconds known_good = std::chrono::hours(1));

  std::optional<Caller> Find(const std::string& fingerprint) const;
  void Remember(const Caller& caller);
  // The refusal of `fingerprint` seen within the last ttl, if any.
  std::optional<Status> FindRefusal(const std::string& fingerprint) const;
  // True when `fingerprint` was accepted within `known_good` and not refused since.
  bool RecentlyAccepted(const std::string& fingerprint) const;
  void RememberRefusal(const std::string& fingerprint, const Status& refusal);
  // Drops what this process remembers, so its very next request is checked
  // against the database (used by the process that suspends, reinstates or
  // revokes). Both also drop every remembered refusal.
  void ForgetOrganisation(int64_t org_id);
  void ForgetCredential(int64_t credential_id);

 private:
  struct Entry {
    Caller caller;
    std::chrono::steady_clock::time_point expires;      // reusable until then
    std::chrono::steady_clock::time_point known_until;  // RecentlyAccepted until then
  };
  const std::chrono::milliseconds ttl_;
  const std::chrono::milliseconds known_good_;
  const std::size_t max_entries_;
  mutable std::mutex mu_;
  struct Refusal {
    Status status;
    std::chrono::steady_clock::time_point expires;
  };
  std::unordered_map<std::string, Entry> entries_;     // guarded by mu_
  std::unordered_map<std::string, Refusal> refusals_;  // guarded by mu_
};

}  // namespace exchange::http
