#include "net/connection_tracker.h"

#include <vector>

namespace exchange::net {

std::unique_ptr<ConnectionTracker::Registration> ConnectionTracker::Register(std::weak_ptr<Drainable> session) {
  std::lock_guard lock(mu_);
  std::size_t id = next_id_++;
  live_[id] = std::move(session);
  return std::make_unique<Registration>(*this, id);
}

std::size_t ConnectionTracker::Count() const {
  std::lock_guard lock(mu_);
  return live_.size();
}

void ConnectionTracker::BeginShutdown() {
  std::vector<std::shared_ptr<Drainable>> sessions;
  {
    std::lock_guard lock(mu_);
    shutting_down_ = true;
    for (auto& [id, weak] : live_) {
      if (auto s = weak.lock()) sessions.push_back(std::move(s));
    }
  }
  for (auto& s : sessions) s->Drain();
}

bool ConnectionTracker::ShuttingDown() const {
  std::lock_guard lock(mu_);
  return shutting_down_;
}

void ConnectionTracker::Unregister(std::size_t id) {
  std::lock_guard lock(mu_);
  live_.erase(id);
}

}  // namespace exchange::net
