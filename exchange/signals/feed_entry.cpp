// SPDX-License-Identifier: Apache-2.0
// Composing feed entries (signals/feed_entry.h).
#include "signals/feed_entry.h"

#include <utility>

namespace exchange::signals {

v1::FeedEntry::Change EntryChange(bool created, bool status_moved, v1::FeedEntry::Change otherwise) {
  if (created) return v1::FeedEntry::CREATED;
  if (status_moved) return v1::FeedEntry::STATUS;
  return otherwise;
}

v1::FeedEntry ComposeFeedEntry(const std::string& collection, int64_t appended_at_ms, v1::FeedEntry::Change change,
                               v1::SignalState state) {
  v1::FeedEntry entry;
  entry.set_collection(collection);
  entry.set_appended_at_ms(appended_at_ms);
  entry.set_change(change);
  *entry.mutable_signal() = std::move(state);
  return entry;
}

}  // namespace exchange::signals
