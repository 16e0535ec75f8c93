// SPDX-License-Identifier: Apache-2.0
// Our vPDQ against Meta's reference on Meta's sample videos
// (../shared/vectors/vpdq/: the frames vpdq-hash-video computes for each):
// the same frame numbers and timestamps, every frame of quality >= 50 within
// a few bits, qualities within two points. Prints the worst frame of each
// video. Then the match rule on the reference hashes, beside the numbers of
// Meta's brute-force matcher (the vectors' README), with our rule and with
// Meta's C++ variant (distance < 31, repeats kept).
#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "common/hex.h"
#include "pdq/hasher.h"
#include "pdq/vpdq.h"
#include "vector_files.h"
#include "video/video_hasher.h"

namespace {

using namespace exchange;
using exchange::testing::ReadTestFile;
using exchange::testing::VectorDir;

constexpr int kMaxBitsApart = 10;    // "within a few bits": decoders and colour conversion differ slightly
constexpr int kMaxQualityApart = 2;  // "within a point or two"
const char* const kVideos[] = {"doorknob-hd-no-bar", "pattern-sd-grey-bar", "pattern-sd-with-small-logo-bar",
                               "test-padded-dimensions"};

std::vector<pdq::VpdqFrame> Expected(const std::string& name) {
  std::istringstream lines(ReadTestFile(VectorDir("vpdq") / "expected" / (name + ".txt")));
  std::vector<pdq::VpdqFrame> frames;
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    auto frame = pdq::ParseVpdqFrameLine(line);
    REQUIRE_MESSAGE(frame.ok(), line);
    frames.push_back(*frame);
  }
  REQUIRE(!frames.empty());
  return frames;
}

std::vector<pdq::VpdqFrame> Ours(const std::string& name) {
  auto hashed = video::HashVideoFile((VectorDir("vpdq") / "videos" / (name + ".mp4")).string());
  REQUIRE_MESSAGE(hashed.ok(), name << ": " << hashed.status().message());
  return hashed->frames;
}

}  // namespace

TEST_CASE("vpdq conformance: every frame of Meta's sample videos as Meta's vpdq-hash-video hashes it") {
  for (const std::string name : kVideos) {
    CAPTURE(name);
    const std::vector<pdq::VpdqFrame> expected = Expected(name);
    const std::vector<pdq::VpdqFrame> ours = Ours(name);
    REQUIRE(ours.size() == expected.size());
    int worst_bits = -1, worst_quality = -1;
    size_t worst_index = 0, worst_quality_index = 0, low_quality = 0, identical = 0;
    for (size_t i = 0; i < ours.size(); ++i) {
      CAPTURE(i);
      CHECK(ours[i].frame_number == expected[i].frame_number);
      CHECK(ours[i].timestamp_ms == expected[i].timestamp_ms);
      const int quality_apart = std::abs(ours[i].quality - expected[i].quality);
      if (expected[i].quality < pdq::kMinUsefulQuality) {
        ++low_quality;  // ignored by matching; may differ more
        continue;
      }
      const int bits = signals::HammingDistance256(ours[i].hash, expected[i].hash);
      CHECK(bits <= kMaxBitsApart);
      if (bits == 0 && quality_apart == 0) ++identical;
      CHECK(quality_apart <= kMaxQualityApart);
      if (bits > worst_bits) worst_bits = bits, worst_index = i;
      if (quality_apart > worst_quality) worst_quality = quality_apart, worst_quality_index = i;
    }
    MESSAGE(name << ": " << ours.size() << " frames (" << low_quality << " of quality < 50, " << identical
                 << " of the rest identical to Meta's); worst frame " << ours[worst_index].frame_number << " at "
                 << worst_bits << " bits (ours " << pdq::FormatVpdqFrameLine(ours[worst_index]) << ", Meta's "
                 << pdq::FormatVpdqFrameLine(expected[worst_index]) << "); worst quality " << worst_quality
                 << " points apart at frame " << ours[worst_quality_index].frame_number);
  }
}

TEST_CASE("vpdq conformance: seconds per hash samples the same frames as Meta's tool") {
  video::VideoHashOptions options;
  options.seconds_per_hash = 1;
  auto hashed = video::HashVideoFile((VectorDir("vpdq") / "videos" / "pattern-sd-grey-bar.mp4").string(), options);
  REQUIRE(hashed.ok());
  const std::vector<pdq::VpdqFrame> every = Expected("pattern-sd-grey-bar");
  const int64_t mod = static_cast<int64_t>(hashed->info.frame_rate);  // int(1 s × frame rate)
  REQUIRE(mod > 1);
  size_t n = 0;
  for (const auto& f : every) {
    if (f.frame_number % mod != 0) continue;
    REQUIRE(n < hashed->frames.size());
    CHECK(hashed->frames[n].frame_number == f.frame_number);
    CHECK(hashed->frames[n].timestamp_ms == f.timestamp_ms);
    ++n;
  }
  CHECK(n == hashed->frames.size());
}

TEST_CASE("vpdq conformance: the match rule on Meta's hashes, ours and Meta's C++ variant") {
  struct Pair {
    const char* query;
    const char* stored;
    double meta_percent;  // Meta's brute-force matcher, both directions (the vectors' README)
  };
  const Pair pairs[] = {{"pattern-sd-grey-bar", "pattern-sd-with-small-logo-bar", 99.03},
                        {"pattern-sd-grey-bar", "doorknob-hd-no-bar", 0.0},
                        {"doorknob-hd-no-bar", "pattern-sd-with-small-logo-bar", 0.0}};
  const pdq::VpdqMatchRule ours;
  const pdq::VpdqMatchRule meta_cpp{.max_distance = 30, .deduplicate = false};
  for (const Pair& p : pairs) {
    const std::string names = std::string(p.query) + " vs " + p.stored;
    CAPTURE(names);
    const auto query = pdq::ToFeatures(Expected(p.query));
    const auto stored = pdq::ToFeatures(Expected(p.stored));
    const pdq::VpdqComparison meta = pdq::CompareVpdqFeatures(query, stored, meta_cpp);
    CHECK(meta.query_percent == doctest::Approx(p.meta_percent).epsilon(0.0001));
    CHECK(meta.stored_percent == doctest::Approx(p.meta_percent).epsilon(0.0001));
    const pdq::VpdqComparison c = pdq::CompareVpdqFeatures(query, stored, ours);
    CHECK(c.match == (p.meta_percent > 80));
    // Our own hashes of the videos give the same verdict.
    const pdq::VpdqComparison from_ours =
        pdq::CompareVpdqFeatures(pdq::ToFeatures(Ours(p.query)), pdq::ToFeatures(Ours(p.stored)), ours);
    CHECK(from_ours.match == c.match);
    char line[400];
    std::snprintf(line, sizeof line,
                  "%s vs %s: Meta's C++ rule (< 31, repeats kept) %.2f %% / %.2f %% of %zu / %zu frames; ours "
                  "(<= 31, repeats once) %.2f %% / %.2f %% of %zu / %zu; on our hashes %.2f %% / %.2f %%",
                  p.query, p.stored, meta.query_percent, meta.stored_percent, meta.query_frames, meta.stored_frames,
                  c.query_percent, c.stored_percent, c.query_frames, c.stored_frames, from_ours.query_percent,
                  from_ours.stored_percent);
    MESSAGE(line);
  }
}
