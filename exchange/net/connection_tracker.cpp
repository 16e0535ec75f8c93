// SPDX-License-Identifier: Apache-2.0
#include "net/connection_tracker.h"

#include <vector>

namespace exchange::net {

std::unique_ptr<ConnectionTracker::Registration> ConnectionTracker::Admit(const std::string& address, Refusal* why) {
  std::lock_guard lock(mu_);
  Refusal refusal = Refusal::kNone;
  auto at = per_address_.find(address);
  const std::size_t from_address = at == per_address_.end() ? 0 : at->second;
  if (live_.size() - established_ >= limits_.max_pending) {
    refusal = Refusal::kPending;
  } else if (from_address >= limits_.max_per_address) {
    refusal = Refusal::kPerAddress;
  }
  if (why) *why = refusal;
  if (refusal != Refusal::kNone) return nullptr;
  std::size_t id = next_id_++;
  live_[id] = Entry{address, false, {}};
  ++per_address_[address];
  return std::make_unique<Registration>(*this, id);
}

void ConnectionTracker::Attach(std::size_t id, std::weak_ptr<Drainable> session) {
  std::lock_guard lock(mu_);
  if (auto it = live_.find(id); it != live_.end()) it->second.session = std::move(session);
}

bool ConnectionTracker::Establish(std::size_t id) {
  std::lock_guard lock(mu_);
  auto it = live_.find(id);
  if (it == live_.end()) return false;
  if (it->second.established) return true;
  if (established_ >= limits_.max_established) return false;
  it->second.established = true;
  ++established_;
  return true;
}

std::size_t ConnectionTracker::Count() const {
  std::lock_guard lock(mu_);
  return live_.size();
}

std::size_t ConnectionTracker::EstablishedCount() const {
  std::lock_guard lock(mu_);
  return established_;
}

std::size_t ConnectionTracker::PendingCount() const {
  std::lock_guard lock(mu_);
  return live_.size() - established_;
}

void ConnectionTracker::BeginShutdown() {
  std::vector<std::shared_ptr<Drainable>> sessions;
  {
    std::lock_guard lock(mu_);
    shutting_down_ = true;
    for (auto& [id, entry] : live_) {
      if (auto s = entry.session.lock()) sessions.push_back(std::move(s));
    }
  }
  for (auto& s : sessions) s->Drain();
}

bool ConnectionTracker::ShuttingDown() const {
  std::lock_guard lock(mu_);
  return shutting_down_;
}

void ConnectionTracker::Release(std::size_t id) {
  std::lock_guard lock(mu_);
  auto it = live_.find(id);
  if (it == live_.end()) return;
  if (it->second.established) --established_;
  auto at = per_address_.find(it->second.address);
  if (at != per_address_.end() && --at->second == 0) per_address_.erase(at);
  live_.erase(it);
}

}  // namespace exchange::net
