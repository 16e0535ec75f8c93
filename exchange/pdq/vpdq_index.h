// SPDX-License-Identifier: Apache-2.0
// pdq::VpdqIndex: many stored videos (vPDQ hashes), each under a key (the
// exchange uses the signal's canonical value), answering "which stored videos
// does this query video match" by the rule of pdq/vpdq.h — the same answer as
// CompareVpdq against every stored video, without comparing against every one.
//
// How: a stored video's usable frames (UsableFrames: quality >= min_quality,
// repeats dropped) go into one pdq::Index shared by all videos; each distinct
// frame hash keeps a posting list of the videos that hold it (with how many
// times, for an index built without de-duplication). A query's usable frames
// probe the index one by one at max_distance. For each stored video reached,
// the query frames that reached it and the stored frames reached are counted:
// a stored frame matches when some query frame is within max_distance, which
// is exactly when the probe of that query frame returns its hash. Shares,
// thresholds and the "a side with no frames never matches" rule are then
// CompareVpdq's. The cost is the probes plus the matches found, not the
// number of stored videos.
//
// The stored side's frame rule (min_quality, deduplicate) is fixed when the
// index is built; max_distance and the two percentages are chosen per query.
//
// Updates are live: Insert and Erase apply in place, no rebuild. A video with
// no usable frame is kept (Contains is true) but can never match. Assign
// builds the whole index at once (one pdq::Index::Assign, postings built from
// sorted runs): for a large initial set it is far faster than inserting the
// videos one by one, and answers exactly as the inserted index would.
//
// Thread-safety: any number of concurrent Query/Contains/size calls; writers
// (Insert, Erase) take an exclusive lock, so they may be called from any
// thread but take turns with readers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "pdq/index.h"
#include "pdq/vpdq.h"

namespace exchange::pdq {

// One video for VpdqIndex::Assign.
struct VpdqVideo {
  std::string key;
  std::vector<VpdqFeature> features;
};

struct VpdqIndexMatch {
  std::string key;              // the stored video's key, as inserted
  VpdqComparison comparison{};  // as CompareVpdq computes it; `match` is true
};

class VpdqIndex {
 public:
  // `frames`: the min_quality and deduplicate every stored and query video is
  // filtered by; its other fields are unused here.
  explicit VpdqIndex(VpdqMatchRule frames = {});
  VpdqIndex(const VpdqIndex&) = delete;
  VpdqIndex& operator=(const VpdqIndex&) = delete;

  // Replaces the contents with `videos`. A key given twice is stored once,
  // from its first occurrence (as Insert keeps the first). The index then
  // answers exactly as one built by inserting `videos` in order.
  void Assign(std::span<const VpdqVideo> videos);

  // True if the video was added, false if `key` was already stored (the
  // stored frames are then left as they were).
  bool Insert(std::string_view key, std::span<const VpdqFeature> features);
  // True if `key` was stored and is now removed.
  bool Erase(std::string_view key);
  bool Contains(std::string_view key) const;
  size_t size() const;  // stored videos

  // Every stored video that `query` matches under `rule`, highest stored
  // share first, then highest query share, then by key. InvalidArgument
  // unless 0 <= rule.max_distance <= 63 and rule.min_quality and
  // rule.deduplicate are the index's.
  Result<std::vector<VpdqIndexMatch>> Query(std::span<const VpdqFeature> query, const VpdqMatchRule& rule) const;

 private:
  using VideoId = uint64_t;  // never reused
  struct Posting {
    VideoId video;
    uint32_t ordinal;  // which of the video's distinct usable hashes this is
    uint32_t count;    // how many of the video's usable frames have this hash (1 when de-duplicated)
  };
  struct Video {
    std::string key;
    std::vector<PdqHash> hashes;  // distinct usable hashes, ordinal order
    size_t frames = 0;            // usable frames (the stored side's denominator)
  };

  // `key`'s video with its distinct usable hashes, and how many usable
  // frames each stands for (ordinal order).
  Video MakeVideo(std::string_view key, std::span<const VpdqFeature> features,
                  std::vector<uint32_t>* multiplicity) const;

  const VpdqMatchRule frames_;

  // Guarded by mu_: readers shared, writers exclusive. The pdq::Index holds
  // exactly the keys of postings_ (it is internally locked too; Assign builds
  // a new one without mu_ and swaps it in).
  mutable std::shared_mutex mu_;
  std::unique_ptr<Index> hashes_ = std::make_unique<Index>();
  std::map<PdqHash, std::vector<Posting>> postings_;
  std::unordered_map<VideoId, Video> videos_;
  std::map<std::string, VideoId, std::less<>> by_key_;
  VideoId next_id_ = 0;
};

}  // namespace exchange::pdq
