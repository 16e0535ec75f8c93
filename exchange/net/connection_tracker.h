// SPDX-License-Identifier: Apache-2.0
// ConnectionTracker: one listener's connections — admission against its
// limits, and reaching every one of them at shutdown.
//
// Each listener (API, enrollment, operations) has a tracker of its own, so a
// flood on one cannot refuse callers of another. A connection is admitted at
// accept as *pending* (its TLS handshake not yet done) and becomes
// *established* once the handshake succeeds:
//   * pending connections are bounded by `max_pending`; they never count
//     against `max_established`, so clients that stall in (or never start)
//     the handshake cannot take the places of callers who completed one;
//   * established connections are bounded by `max_established`;
//   * pending and established together are bounded per remote address by
//     `max_per_address`.
// A connection over a limit is refused (closed by the caller) and counted.
// Admit() returns a Registration that releases the places on destruction; the
// session attaches itself so BeginShutdown() can ask it to finish the request
// it is serving and close (idle ones close at once).
// Thread-safety: internally locked; callable from any thread.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace exchange::net {

class Drainable {
 public:
  virtual ~Drainable() = default;
  // Finish the current exchange, then close. Must be safe from any thread.
  virtual void Drain() = 0;
};

struct ConnectionLimits {
  std::size_t max_established = 10000;
  std::size_t max_pending = 1000;
  std::size_t max_per_address = 1000;
};

enum class Refusal { kNone, kPending, kPerAddress, kEstablished };

class ConnectionTracker {
 public:
  // A connection's places; released on destruction.
  class Registration {
   public:
    Registration(ConnectionTracker& tracker, std::size_t id) : tracker_(tracker), id_(id) {}
    ~Registration() { tracker_.Release(id_); }
    Registration(const Registration&) = delete;
    Registration& operator=(const Registration&) = delete;

    // The session to drain at shutdown.
    void Attach(std::weak_ptr<Drainable> session) { tracker_.Attach(id_, std::move(session)); }
    // Pending -> established. False (Refusal::kEstablished, counted) when the
    // established limit is reached: close the connection.
    bool Establish() { return tracker_.Establish(id_); }

   private:
    ConnectionTracker& tracker_;
    std::size_t id_;
  };

  explicit ConnectionTracker(ConnectionLimits limits = {}) : limits_(limits) {}

  // A pending connection from `address`, or nullptr with `why` set.
  std::unique_ptr<Registration> Admit(const std::string& address, Refusal* why = nullptr);

  std::size_t Count() const;  // pending + established
  std::size_t EstablishedCount() const;
  std::size_t PendingCount() const;
  void BeginShutdown();
  bool ShuttingDown() const;

 private:
  struct Entry {
    std::string address;
    bool established = false;
    std::weak_ptr<Drainable> session;
  };
  void Attach(std::size_t id, std::weak_ptr<Drainable> session);
  bool Establish(std::size_t id);
  void Release(std::size_t id);

  const ConnectionLimits limits_;
  mutable std::mutex mu_;
  // Guarded by mu_:
  std::size_t next_id_ = 0;
  std::size_t established_ = 0;
  std::unordered_map<std::size_t, Entry> live_;
  std::unordered_map<std::string, std::size_t> per_address_;
  bool shutting_down_ = false;
};

}  // namespace exchange::net
