// SPDX-License-Identifier: Apache-2.0
#include "pdq/vpdq_index.h"

#include <algorithm>
#include <cstdint>
#include <mutex>

namespace exchange::pdq {

VpdqIndex::VpdqIndex(VpdqMatchRule frames) : frames_(frames) {}

VpdqIndex::Video VpdqIndex::MakeVideo(std::string_view key, std::span<const VpdqFeature> features,
                                      std::vector<uint32_t>* multiplicity) const {
  Video video;
  video.key = std::string(key);
  const std::vector<PdqHash> usable = UsableFrames(features, frames_);
  video.frames = usable.size();
  std::map<PdqHash, uint32_t> counts;  // hash -> ordinal in video.hashes
  multiplicity->clear();
  for (const PdqHash& h : usable) {
    auto [it, added] = counts.emplace(h, static_cast<uint32_t>(video.hashes.size()));
    if (added) {
      video.hashes.push_back(h);
      multiplicity->push_back(0);
    }
    ++(*multiplicity)[it->second];
  }
  return video;
}

void VpdqIndex::Assign(std::span<const VpdqVideo> videos) {
  // Built off to the side, then swapped in: readers go on meanwhile.
  std::map<std::string, VideoId, std::less<>> by_key;
  std::unordered_map<VideoId, Video> stored;
  stored.reserve(videos.size());
  // Every (hash, posting) pair, sorted by hash then video: a hash's postings
  // come out in video order, as inserting the videos in order leaves them.
  struct Entry {
    PdqHash hash;
    Posting posting;
  };
  std::vector<Entry> entries;
  std::vector<uint32_t> multiplicity;
  VideoId next_id = 0;
  for (const VpdqVideo& v : videos) {
    if (by_key.find(v.key) != by_key.end()) continue;
    const VideoId id = next_id++;
    Video video = MakeVideo(v.key, v.features, &multiplicity);
    for (uint32_t ordinal = 0; ordinal < video.hashes.size(); ++ordinal) {
      entries.push_back({video.hashes[ordinal], {id, ordinal, multiplicity[ordinal]}});
    }
    by_key.emplace(video.key, id);
    stored.emplace(id, std::move(video));
  }
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.hash != b.hash ? a.hash < b.hash : a.posting.video < b.posting.video;
  });
  std::map<PdqHash, std::vector<Posting>> postings;
  std::vector<PdqHash> distinct;
  for (size_t i = 0; i < entries.size();) {
    size_t j = i;
    while (j < entries.size() && entries[j].hash == entries[i].hash) ++j;
    std::vector<Posting> list;
    list.reserve(j - i);
    for (size_t k = i; k < j; ++k) list.push_back(entries[k].posting);
    postings.emplace_hint(postings.end(), entries[i].hash, std::move(list));  // sorted: amortised O(1)
    distinct.push_back(entries[i].hash);
    i = j;
  }
  std::vector<Entry>().swap(entries);
  auto hashes = std::make_unique<Index>();
  hashes->Assign(distinct);
  std::vector<PdqHash>().swap(distinct);

  std::unique_lock lock(mu_);
  hashes_.swap(hashes);
  postings_.swap(postings);
  videos_.swap(stored);
  by_key_.swap(by_key);
  next_id_ = next_id;
  lock.unlock();  // the old contents are freed outside the lock
}

bool VpdqIndex::Insert(std::string_view key, std::span<const VpdqFeature> features) {
  std::unique_lock lock(mu_);
  if (by_key_.find(key) != by_key_.end()) return false;
  const VideoId id = next_id_++;
  std::vector<uint32_t> multiplicity;
  Video video = MakeVideo(key, features, &multiplicity);
  for (uint32_t ordinal = 0; ordinal < video.hashes.size(); ++ordinal) {
    auto& list = postings_[video.hashes[ordinal]];
    if (list.empty()) hashes_->Insert(video.hashes[ordinal]);
    list.push_back({id, ordinal, multiplicity[ordinal]});
  }
  by_key_.emplace(video.key, id);
  videos_.emplace(id, std::move(video));
  return true;
}

bool VpdqIndex::Erase(std::string_view key) {
  std::unique_lock lock(mu_);
  auto found = by_key_.find(key);
  if (found == by_key_.end()) return false;
  const VideoId id = found->second;
  auto video = videos_.find(id);
  for (const PdqHash& h : video->second.hashes) {
    auto it = postings_.find(h);
    std::erase_if(it->second, [id](const Posting& p) { return p.video == id; });
    if (it->second.empty()) {
      hashes_->Erase(h);
      postings_.erase(it);
    }
  }
  videos_.erase(video);
  by_key_.erase(found);
  return true;
}

bool VpdqIndex::Contains(std::string_view key) const {
  std::shared_lock lock(mu_);
  return by_key_.find(key) != by_key_.end();
}

size_t VpdqIndex::size() const {
  std::shared_lock lock(mu_);
  return by_key_.size();
}

Result<std::vector<VpdqIndexMatch>> VpdqIndex::Query(std::span<const VpdqFeature> query,
                                                     const VpdqMatchRule& rule) const {
  if (rule.max_distance < 0 || rule.max_distance > Index::kMaxDistance) {
    return Status::InvalidArgument("max_distance must be 0-63");
  }
  if (rule.min_quality != frames_.min_quality || rule.deduplicate != frames_.deduplicate) {
    return Status::InvalidArgument("the rule's min_quality and deduplicate must be the index's");
  }
  const std::vector<PdqHash> frames = UsableFrames(query, rule);
  if (frames.empty()) return std::vector<VpdqIndexMatch>{};

  // Per stored video reached: which of its distinct hashes matched, how many
  // query frames reached it (each counted once: frames are probed in order).
  struct Tally {
    std::vector<bool> stored_hit;
    size_t stored_matched = 0;  // usable stored frames matched (multiplicities summed)
    size_t query_matched = 0;
    size_t last_query_frame = SIZE_MAX;
  };
  std::unordered_map<VideoId, Tally> tallies;
  std::shared_lock lock(mu_);
  for (size_t q = 0; q < frames.size(); ++q) {
    auto near = hashes_->Query(frames[q], rule.max_distance);
    if (!near.ok()) return near.status();
    for (const Match& m : *near) {
      for (const Posting& p : postings_.at(m.hash)) {
        Tally& t = tallies[p.video];
        if (t.stored_hit.empty()) t.stored_hit.assign(videos_.at(p.video).hashes.size(), false);
        if (!t.stored_hit[p.ordinal]) {
          t.stored_hit[p.ordinal] = true;
          t.stored_matched += p.count;
        }
        if (t.last_query_frame != q) {
          t.last_query_frame = q;
          ++t.query_matched;
        }
      }
    }
  }
  std::vector<VpdqIndexMatch> out;
  for (const auto& [id, t] : tallies) {
    const Video& video = videos_.at(id);
    VpdqComparison c;
    c.query_frames = frames.size();
    c.stored_frames = video.frames;
    c.query_matched = t.query_matched;
    c.stored_matched = t.stored_matched;
    c.query_percent = 100.0 * static_cast<double>(c.query_matched) / static_cast<double>(c.query_frames);
    c.stored_percent = 100.0 * static_cast<double>(c.stored_matched) / static_cast<double>(c.stored_frames);
    c.match = c.stored_percent >= rule.stored_percent && c.query_percent >= rule.query_percent;
    if (c.match) out.push_back({video.key, c});
  }
  // A video no query frame reached has both shares 0: it matches only when
  // both thresholds are 0 (and it has usable frames), as CompareVpdq says.
  if (rule.stored_percent <= 0 && rule.query_percent <= 0) {
    for (const auto& [id, video] : videos_) {
      if (video.frames == 0 || tallies.count(id)) continue;
      VpdqComparison c;
      c.query_frames = frames.size();
      c.stored_frames = video.frames;
      c.match = true;
      out.push_back({video.key, c});
    }
  }
  std::sort(out.begin(), out.end(), [](const VpdqIndexMatch& a, const VpdqIndexMatch& b) {
    if (a.comparison.stored_percent != b.comparison.stored_percent) {
      return a.comparison.stored_percent > b.comparison.stored_percent;
    }
    if (a.comparison.query_percent != b.comparison.query_percent) {
      return a.comparison.query_percent > b.comparison.query_percent;
    }
    return a.key < b.key;
  });
  return out;
}

}  // namespace exchange::pdq
