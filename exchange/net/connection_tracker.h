// ConnectionTracker: counts open connections (for the connection cap) and
// reaches every one of them at shutdown.
//
// Sessions Register() themselves when they start and are forgotten when they
// are destroyed. BeginShutdown() asks each live session to finish the request
// it is serving and then close; idle ones close at once.
// Thread-safety: internally locked; callable from any thread.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace exchange::net {

class Drainable {
 public:
  virtual ~Drainable() = default;
  // Finish the current exchange, then close. Must be safe from any thread.
  virtual void Drain() = 0;
};

class ConnectionTracker {
 public:
  // A token that unregisters on destruction.
  class Registration {
   public:
    Registration(ConnectionTracker& tracker, std::size_t id) : tracker_(tracker), id_(id) {}
    ~Registration() { tracker_.Unregister(id_); }
    Registration(const Registration&) = delete;
    Registration& operator=(const Registration&) = delete;

   private:
    ConnectionTracker& tracker_;
    std::size_t id_;
  };

  std::unique_ptr<Registration> Register(std::weak_ptr<Drainable> session);
  std::size_t Count() const;
  void BeginShutdown();
  bool ShuttingDown() const;

 private:
  void Unregister(std::size_t id);

  mutable std::mutex mu_;
  std::size_t next_id_ = 0;                                         // guarded by mu_
  std::unordered_map<std::size_t, std::weak_ptr<Drainable>> live_;  // guarded by mu_
  bool shutting_down_ = false;                                      // guarded by mu_
};

}  // namespace exchange::net
