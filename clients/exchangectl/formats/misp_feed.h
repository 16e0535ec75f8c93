// SPDX-License-Identifier: Apache-2.0
// A MISP feed (MISP's "MISP feed" format, as PyMISP's feed generator and
// MISP's own feed fetcher read it): a directory holding one event file
// `<event uuid>.json` ({"Event": {...}}), `manifest.json` (each event's
// summary, keyed by its uuid) and `hashes.csv` (`<md5 of a value>,<event
// uuid>` per attribute, for MISP's cached lookups).
//
// One event per collection: its uuid is stable (UUIDv5 of the origin), its
// timestamp the snapshot's time, so a MISP instance that pulls the feed again
// updates the event instead of adding one; each attribute's uuid is the
// signal's (signals/stable_id.h). Types: md5, sha1, sha256, pdq, url, domain,
// and text for keywords and account ids; kinds MISP has no type for
// (photodna, vpdq, tmk_pdqf) are left out and counted. Retracted signals are
// left out (a feed is what to match against); disputed ones carry a tag.
//
// Pure: builds the three files' contents; the caller writes them. Not
// thread-safe (one writer per feed).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "exchange/v1/signals.pb.h"

namespace exchange::client {

struct MispSnapshot {
  std::string exchange;    // the exchange's name (the origin's prefix): the event's creator org
  std::string collection;  // the collection's name
  uint64_t size = 0;       // the verified tree the signals come from
  std::string root;        // its root, base64
  int64_t timestamp = 0;   // Unix seconds of that snapshot
};

// MISP's type and category for one of our kinds; nullopt when MISP has none.
struct MispType {
  std::string_view type, category;
};
std::optional<MispType> MispTypeFor(std::string_view kind);

class MispFeedWriter {
 public:
  explicit MispFeedWriter(MispSnapshot snapshot);

  // Adds a signal as an attribute; false (and counted) when it is left out.
  bool Add(const v1::SignalState& state);

  const std::string& event_uuid() const { return event_uuid_; }
  size_t attributes() const { return attributes_.size(); }
  size_t skipped() const { return skipped_; }

  std::string EventJson() const;     // <event_uuid>.json
  std::string ManifestJson() const;  // manifest.json
  std::string HashesCsv() const;     // hashes.csv

 private:
  std::string OrgJson() const;
  std::string Info() const;
  std::vector<std::string> EventTags() const;

  MispSnapshot snapshot_;
  std::string event_uuid_;
  std::string org_uuid_;
  std::vector<std::string> attributes_;  // JSON objects
  std::vector<std::string> value_md5s_;  // one per attribute
  size_t skipped_ = 0;
};

}  // namespace exchange::client
