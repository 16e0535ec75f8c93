// SPDX-License-Identifier: Apache-2.0
// The feed entry a change to a signal appends to its collection's log: which
// change it names, and the entry itself (the collection, when, and the
// signal's new state). store/ decides which signals changed and writes the
// bytes; this file only composes them. Pure code: no SQL, no I/O; thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "exchange/v1/feed.pb.h"

namespace exchange::signals {

// CREATED for a signal the change created, STATUS for one whose status the
// collection's dispute rule moved, `otherwise` (what the change did, e.g.
// PROVENANCE) for the rest.
v1::FeedEntry::Change EntryChange(bool created, bool status_moved, v1::FeedEntry::Change otherwise);

v1::FeedEntry ComposeFeedEntry(const std::string& collection, int64_t appended_at_ms, v1::FeedEntry::Change change,
                               v1::SignalState state);

}  // namespace exchange::signals
