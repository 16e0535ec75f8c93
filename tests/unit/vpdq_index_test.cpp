// SPDX-License-Identifier: Apache-2.0
// pdq::VpdqIndex against the brute-force rule it must reproduce: over a set
// of random videos and their near copies (frames with bits flipped, dropped,
// repeated, of low quality, clips of longer videos), every query's answer
// from the index is exactly the videos CompareVpdqFeatures matches, with the
// same counts, for several distances and thresholds, and stays so as videos
// are erased and inserted again. An index built at once (Assign) answers
// exactly as the one built by inserts, and as brute force.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "pdq/vpdq.h"
#include "pdq/vpdq_index.h"

namespace {

using namespace exchange;
using exchange::pdq::VpdqIndex;
using exchange::pdq::VpdqMatchRule;
using exchange::signals::PdqHash;
using exchange::signals::VpdqFeature;
using Video = std::vector<VpdqFeature>;

PdqHash RandomHash(std::mt19937_64& rng) {
  PdqHash h{};
  for (auto& byte : h) byte = static_cast<uint8_t>(rng());
  return h;
}

PdqHash FlipBits(PdqHash h, int bits, std::mt19937_64& rng) {
  for (int i = 0; i < bits; ++i) {
    const auto bit = static_cast<size_t>(rng() % 256);
    h[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
  }
  return h;
}

Video RandomVideo(std::mt19937_64& rng, size_t frames) {
  Video v;
  for (size_t i = 0; i < frames; ++i) {
    // A few low-quality frames, and some repeated frames (a still scene).
    const int quality = rng() % 8 == 0 ? static_cast<int>(rng() % 50) : 50 + static_cast<int>(rng() % 51);
    const PdqHash h = (!v.empty() && rng() % 6 == 0) ? v.back().hash : RandomHash(rng);
    v.push_back({h, quality, static_cast<int64_t>(i) * 1000});
  }
  return v;
}

// A re-encoded copy: each frame's bits flipped (up to max_flips), some frames dropped.
Video NearCopy(const Video& original, std::mt19937_64& rng, int max_flips, int drop_one_in) {
  Video v;
  for (const auto& f : original) {
    if (rng() % static_cast<uint64_t>(drop_one_in) == 0) continue;
    v.push_back({FlipBits(f.hash, static_cast<int>(rng() % static_cast<uint64_t>(max_flips + 1)), rng), f.quality,
                 f.timestamp_ms});
  }
  return v;
}

// A longer video holding `clip` in the middle of unrelated frames.
Video Embedded(const Video& clip, std::mt19937_64& rng, size_t padding) {
  Video v = RandomVideo(rng, padding);
  v.insert(v.end(), clip.begin(), clip.end());
  Video tail = RandomVideo(rng, padding);
  v.insert(v.end(), tail.begin(), tail.end());
  return v;
}

struct Expected {
  size_t query_matched, stored_matched, query_frames, stored_frames;
  bool operator==(const Expected&) const = default;
};

std::map<std::string, Expected> BruteForce(const Video& query, const std::map<std::string, Video>& stored,
                                           const VpdqMatchRule& rule) {
  std::map<std::string, Expected> out;
  for (const auto& [key, video] : stored) {
    auto c = pdq::CompareVpdqFeatures(query, video, rule);
    if (c.match) out[key] = {c.query_matched, c.stored_matched, c.query_frames, c.stored_frames};
  }
  return out;
}

void CheckAgrees(const VpdqIndex& index, const std::map<std::string, Video>& stored, const Video& query,
                 const VpdqMatchRule& rule, size_t* nonempty) {
  auto answer = index.Query(query, rule);
  REQUIRE(answer.ok());
  std::map<std::string, Expected> got;
  double previous = 101;
  for (const auto& m : *answer) {
    CHECK(m.comparison.match);
    CHECK(m.comparison.stored_percent <= previous);  // highest stored share first
    previous = m.comparison.stored_percent;
    const auto& c = m.comparison;
    CHECK(got.count(m.key) == 0);
    got[m.key] = {c.query_matched, c.stored_matched, c.query_frames, c.stored_frames};
    const auto brute = pdq::CompareVpdqFeatures(query, stored.at(m.key), rule);
    CHECK(c.stored_percent == brute.stored_percent);
    CHECK(c.query_percent == brute.query_percent);
  }
  CHECK(got == BruteForce(query, stored, rule));
  if (!got.empty()) ++*nonempty;
}

}  // namespace

TEST_CASE("vpdq index: the same answers as CompareVpdq over every stored video") {
  for (bool deduplicate : {true, false}) {
    CAPTURE(deduplicate);
    std::mt19937_64 rng(deduplicate ? 17 : 71);
    VpdqMatchRule frames;
    frames.deduplicate = deduplicate;
    VpdqIndex index(frames);
    std::map<std::string, Video> stored;
    std::vector<Video> queries;
    for (int i = 0; i < 24; ++i) {
      Video v = RandomVideo(rng, 5 + rng() % 40);
      const std::string key = "video-" + std::to_string(i);
      CHECK(index.Insert(key, v));
      stored[key] = v;
      queries.push_back(v);                                                 // the same video
      queries.push_back(NearCopy(v, rng, 12, 10));                          // light re-encode
      queries.push_back(NearCopy(v, rng, 40, 3));                           // heavy: some frames too far
      queries.push_back(Embedded(NearCopy(v, rng, 8, 4), rng, 15));         // a clip inside a longer video
      queries.push_back(Video(v.begin(), v.begin() + (v.size() + 1) / 2));  // its first half
    }
    // Stored videos that share frames with others: a copy of one, a mix of two.
    stored["copy-of-3"] = NearCopy(stored["video-3"], rng, 6, 5);
    Video mixed = stored["video-4"];
    mixed.insert(mixed.end(), stored["video-5"].begin(), stored["video-5"].end());
    stored["mix-4-5"] = mixed;
    stored["all-low-quality"] = {{RandomHash(rng), 10, 0}, {RandomHash(rng), 49, 1000}};
    for (const char* key : {"copy-of-3", "mix-4-5", "all-low-quality"}) CHECK(index.Insert(key, stored[key]));
    CHECK(!index.Insert("video-0", RandomVideo(rng, 3)));  // already stored: unchanged
    CHECK(index.size() == stored.size());
    for (int i = 0; i < 10; ++i) queries.push_back(RandomVideo(rng, 20));  // unrelated
    queries.push_back({{RandomHash(rng), 0, 0}});                          // no usable frame

    size_t nonempty = 0;
    for (const auto& [distance, stored_percent, query_percent] :
         {std::tuple{31, 80.0, 0.0}, std::tuple{0, 80.0, 0.0}, std::tuple{10, 50.0, 50.0}, std::tuple{45, 30.0, 0.0},
          std::tuple{31, 100.0, 100.0}, std::tuple{20, 0.0, 0.0}}) {
      VpdqMatchRule rule = frames;
      rule.max_distance = distance;
      rule.stored_percent = stored_percent;
      rule.query_percent = query_percent;
      CAPTURE(distance);
      CAPTURE(stored_percent);
      CAPTURE(query_percent);
      for (const auto& q : queries) CheckAgrees(index, stored, q, rule, &nonempty);
    }
    CHECK(nonempty > queries.size());  // the cases are not all trivially empty

    // Erase half, including the shared-frame ones; the rest still answer as brute force does.
    for (int i = 0; i < 24; i += 2) {
      const std::string key = "video-" + std::to_string(i);
      CHECK(index.Erase(key));
      CHECK(!index.Contains(key));
      stored.erase(key);
    }
    CHECK(index.Erase("copy-of-3"));
    stored.erase("copy-of-3");
    CHECK(!index.Erase("copy-of-3"));
    CHECK(index.size() == stored.size());
    size_t after = 0;
    for (const auto& q : queries) CheckAgrees(index, stored, q, frames, &after);
    // Inserted again, found again.
    stored["video-0"] = queries[0];
    CHECK(index.Insert("video-0", queries[0]));
    auto again = index.Query(queries[0], frames);
    REQUIRE(again.ok());
    REQUIRE(!again->empty());
    CHECK((*again)[0].key == "video-0");
    CHECK((*again)[0].comparison.stored_percent == 100.0);
    for (const auto& q : queries) CheckAgrees(index, stored, q, frames, &after);
  }
}

// An answer as comparable rows, in order: key, frame counts, shares.
using Row = std::tuple<std::string, size_t, size_t, size_t, size_t, double, double>;
std::vector<Row> Rows(const VpdqIndex& index, const Video& query, const VpdqMatchRule& rule) {
  auto answer = index.Query(query, rule);
  REQUIRE(answer.ok());
  std::vector<Row> rows;
  for (const auto& [key, c] : *answer) {
    rows.emplace_back(key, c.query_frames, c.stored_frames, c.query_matched, c.stored_matched, c.query_percent,
                      c.stored_percent);
  }
  return rows;
}

TEST_CASE("vpdq index: Assign answers as inserting one by one, and as brute force") {
  VpdqMatchRule frames;
  for (const uint64_t seed : {23, 32}) {
    frames.deduplicate = seed == 23;
    CAPTURE(frames.deduplicate);
    std::mt19937_64 rng(seed);
    // Stored videos in order, with near copies of each other (shared and
    // close frames), a repeated key (the first occurrence counts), and a
    // video with no usable frame.
    std::vector<pdq::VpdqVideo> input;
    std::vector<Video> queries;
    for (int i = 0; i < 30; ++i) {
      Video v = RandomVideo(rng, 5 + rng() % 40);
      input.push_back({"video-" + std::to_string(i), v});
      if (i % 3 == 0) input.push_back({"copy-of-" + std::to_string(i), NearCopy(v, rng, 6, 5)});
      queries.push_back(v);
      queries.push_back(NearCopy(v, rng, 12, 10));
      queries.push_back(Embedded(NearCopy(v, rng, 8, 4), rng, 15));
      queries.push_back(Video(v.begin(), v.begin() + (v.size() + 1) / 2));
    }
    input.push_back({"video-7", RandomVideo(rng, 9)});  // ignored: video-7 is already given
    input.push_back({"all-low-quality", {{RandomHash(rng), 10, 0}, {RandomHash(rng), 49, 1000}}});
    for (int i = 0; i < 8; ++i) queries.push_back(RandomVideo(rng, 20));

    VpdqIndex inserted(frames), assigned(frames);
    std::map<std::string, Video> stored;
    for (const auto& v : input) {
      inserted.Insert(v.key, v.features);
      stored.emplace(v.key, v.features);
    }
    assigned.Insert("replaced", RandomVideo(rng, 10));  // Assign replaces what was there
    assigned.Assign(input);
    CHECK(!assigned.Contains("replaced"));
    CHECK(assigned.size() == stored.size());
    CHECK(assigned.Contains("all-low-quality"));
    CHECK(!assigned.Insert("video-3", RandomVideo(rng, 3)));

    size_t nonempty = 0;
    for (const auto& [distance, stored_percent, query_percent] :
         {std::tuple{31, 80.0, 0.0}, std::tuple{0, 80.0, 0.0}, std::tuple{10, 50.0, 50.0}, std::tuple{45, 30.0, 0.0},
          std::tuple{20, 0.0, 0.0}}) {
      VpdqMatchRule rule = frames;
      rule.max_distance = distance;
      rule.stored_percent = stored_percent;
      rule.query_percent = query_percent;
      CAPTURE(distance);
      for (const auto& q : queries) {
        CheckAgrees(assigned, stored, q, rule, &nonempty);
        CHECK(Rows(inserted, q, rule) == Rows(assigned, q, rule));
      }
    }
    CHECK(nonempty > queries.size());

    // Live updates after Assign: erase and insert apply to both alike.
    for (int i = 0; i < 30; i += 3) {
      const std::string key = "video-" + std::to_string(i);
      CHECK(assigned.Erase(key));
      CHECK(inserted.Erase(key));
      stored.erase(key);
    }
    const Video fresh = RandomVideo(rng, 25);
    CHECK(assigned.Insert("fresh", fresh));
    CHECK(inserted.Insert("fresh", fresh));
    stored["fresh"] = fresh;
    queries.push_back(fresh);
    size_t after = 0;
    for (const auto& q : queries) {
      CheckAgrees(assigned, stored, q, frames, &after);
      CHECK(Rows(inserted, q, frames) == Rows(assigned, q, frames));
    }
    CHECK(after > 0);

    assigned.Assign({});
    CHECK(assigned.size() == 0);
    CHECK(assigned.Query(fresh, frames)->empty());
  }
}

TEST_CASE("vpdq index: refuses a rule it was not built for") {
  VpdqIndex index;
  VpdqMatchRule rule;
  rule.max_distance = 64;
  CHECK(!index.Query({}, rule).ok());
  rule = {};
  rule.min_quality = 10;
  CHECK(!index.Query({}, rule).ok());
  rule = {};
  rule.deduplicate = false;
  CHECK(!index.Query({}, rule).ok());
  CHECK(index.Query({}, VpdqMatchRule{})->empty());
}
