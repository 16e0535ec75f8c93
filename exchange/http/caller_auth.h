// Turning a client certificate fingerprint into a Caller.
//
// LoadCaller() reads the credential and its organisation and refuses, with a
// reason the caller can act on, anything not allowed to call: an unknown
// certificate, a revoked credential, a suspended or revoked organisation, an
// expired certificate.
//
// CallerCache keeps recent answers for at most `ttl` (≤ 1 s by default) so a
// suspension or revocation committed by any exchanged process takes effect on
// every process within that time, without cross-process invalidation.
// Thread-safety: CallerCache is internally locked.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "common/status.h"
#include "http/call_context.h"
#include "store/connection.h"

namespace exchange::http {

Result<Caller> LoadCaller(store::Connection& conn, const std::string& fingerprint);

class CallerCache {
 public:
  explicit CallerCache(std::chrono::milliseconds ttl, std::size_t max_entries = 100000);

  std::optional<Caller> Find(const std::string& fingerprint) const;
  void Remember(const Caller& caller);
  // Drops what this process remembers, so its very next request is checked
  // against the database (used by the process that suspends or revokes).
  void ForgetOrganisation(int64_t org_id);
  void ForgetCredential(int64_t credential_id);

 private:
  struct Entry {
    Caller caller;
    std::chrono::steady_clock::time_point expires;
  };
  const std::chrono::milliseconds ttl_;
  const std::size_t max_entries_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;  // guarded by mu_
};

}  // namespace exchange::http
