// SPDX-License-Identifier: Apache-2.0
// The live-stream window (pdq/vpdq_window.h) without video: a stream of
// sampled frames, unrelated hashes with a stored clip spliced in, matched
// once per run within the documented delay; nothing for unrelated frames,
// for too few matches, or for low-quality frames; memory bounded by the
// window.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

#include "pdq/vpdq_window.h"

namespace {

using namespace exchange;
using namespace exchange::pdq;

// A random hash: two of them are about 128 bits apart, far beyond 31.
PdqHash RandomHash(std::mt19937_64& random) {
  PdqHash h{};
  for (auto& byte : h) byte = static_cast<uint8_t>(random());
  return h;
}

// `hash` with `bits` of its bits flipped (a re-encoded copy).
PdqHash Flipped(PdqHash hash, int bits) {
  for (int i = 0; i < bits; ++i) hash[static_cast<size_t>(i * 7 % 256 / 8)] ^= static_cast<uint8_t>(1 << (i % 8));
  return hash;
}

// A stored clip of `seconds` at 30 frames a second: a new scene (hash) every `scene_frames` frames.
std::vector<VpdqFeature> StoredClip(std::mt19937_64& random, int seconds, int scene_frames = 15) {
  std::vector<VpdqFeature> out;
  PdqHash scene{};
  for (int n = 0; n < seconds * 30; ++n) {
    if (n % scene_frames == 0) scene = RandomHash(random);
    out.push_back({Flipped(scene, n % scene_frames), 100, n * 1000 / 30});
  }
  return out;
}

// The stored clip as a stream shows it from `start_ms`, sampled every second: the stored frame
// nearest each sample, a few bits off.
struct Stream {
  std::vector<VpdqFrame> frames;
};
Stream Splice(std::mt19937_64& random, const std::vector<VpdqFeature>& clip, int before_s, int after_s,
              int quality = 100) {
  Stream s;
  int64_t t = 0;
  for (int i = 0; i < before_s; ++i, t += 1000) s.frames.push_back({t / 40, RandomHash(random), quality, t});
  const int64_t clip_ms = clip.back().timestamp_ms;
  for (int64_t c = 0; c <= clip_ms; c += 1000, t += 1000) {
    const auto& f = clip[static_cast<size_t>(c * 30 / 1000)];
    s.frames.push_back({t / 40, Flipped(f.hash, 6), quality, t});
  }
  for (int i = 0; i < after_s; ++i, t += 1000) s.frames.push_back({t / 40, RandomHash(random), quality, t});
  return s;
}

std::vector<WindowMatch> Run(const VpdqWindowRule& rule, const std::vector<std::vector<VpdqFeature>>& stored,
                             const Stream& stream, size_t* max_window = nullptr) {
  std::vector<WindowVideo> videos;
  for (const auto& v : stored) videos.push_back(MakeWindowVideo(v, rule.frame_rule));
  VpdqStreamWindow window(rule, std::move(videos));
  std::vector<WindowMatch> out;
  for (const auto& f : stream.frames) {
    for (const auto& m : window.Add(f)) out.push_back(m);
    if (max_window) *max_window = std::max(*max_window, window.window_frames());
  }
  return out;
}

}  // namespace

TEST_CASE("stream window: a spliced clip is reported once, from its first frame, within the delay bound") {
  std::mt19937_64 random(17);
  const auto clip = StoredClip(random, 10);
  const auto other = StoredClip(random, 10);
  const Stream stream = Splice(random, clip, 20, 40);
  const VpdqWindowRule rule;
  size_t max_window = 0;
  const auto matches = Run(rule, {other, clip}, stream, &max_window);
  REQUIRE(matches.size() == 1);
  const WindowMatch& m = matches[0];
  CHECK(m.video == 1);
  CHECK(m.first_ms == 20'000);
  // Span 9.966 s: expected 9, M = max(5, ceil(0.8 × 9)) = 8.
  CHECK(m.expected == 9);
  CHECK(m.required == 8);
  CHECK(m.matched >= m.required);
  CHECK(m.window_frames == 30);
  const int64_t bound = 20'000 + (8 + 1) * rule.sample_ms + rule.step_ms;
  CHECK(m.report_ms < bound);
  CHECK(m.report_ms >= 20'000 + 7 * rule.sample_ms);  // not before 8 of its frames were seen
  // Bounded memory: 30 s of 1 s samples, whatever the stream's length.
  CHECK(max_window <= 30);
}

TEST_CASE("stream window: nothing for unrelated frames, and a clip shown twice is reported twice") {
  std::mt19937_64 random(5);
  const auto clip = StoredClip(random, 10);
  Stream unrelated;
  // Three hours at one sample a second: nothing matches, and the window never holds more than 30 s.
  for (int i = 0; i < 3 * 3600; ++i) unrelated.frames.push_back({i, RandomHash(random), 100, int64_t{i} * 1000});
  size_t max_window = 0;
  CHECK(Run(VpdqWindowRule{}, {clip}, unrelated, &max_window).empty());
  CHECK(max_window == 30);

  Stream twice = Splice(random, clip, 20, 40);
  const Stream again = Splice(random, clip, 0, 20);
  const int64_t offset = twice.frames.back().timestamp_ms + 1000;
  for (auto f : again.frames) {
    f.timestamp_ms += offset;
    twice.frames.push_back(f);
  }
  const auto matches = Run(VpdqWindowRule{}, {clip}, twice);
  REQUIRE(matches.size() == 2);
  CHECK(matches[0].first_ms == 20'000);
  CHECK(matches[1].first_ms == offset);
}

TEST_CASE("stream window: too few matched frames, low quality, and a partial clip are not matches") {
  std::mt19937_64 random(9);
  const auto clip = StoredClip(random, 10);
  // Only 4 s of a 4 s clip: its expected count is 4, under min_frames 5.
  const auto short_clip = StoredClip(random, 4);
  CHECK(Run(VpdqWindowRule{}, {short_clip}, Splice(random, short_clip, 20, 20)).empty());
  // With min_frames 3 it matches.
  VpdqWindowRule lenient;
  lenient.min_frames = 3;
  CHECK(Run(lenient, {short_clip}, Splice(random, short_clip, 20, 20)).size() == 1);
  // Frames of quality < 50 never enter the window.
  CHECK(Run(VpdqWindowRule{}, {clip}, Splice(random, clip, 20, 20, 40)).empty());
  // Half the clip (5 of its 9 expected seconds) is under 80 %.
  std::vector<VpdqFeature> first_half(clip.begin(), clip.begin() + 150);
  const Stream half = Splice(random, first_half, 20, 20);
  CHECK(Run(VpdqWindowRule{}, {clip}, half).empty());
  // At 50 % it matches.
  VpdqWindowRule half_rule;
  half_rule.frame_rule.stored_percent = 50;
  CHECK(Run(half_rule, {clip}, half).size() == 1);
}

TEST_CASE("stream window: a stored video longer than the window needs 80 % of the window") {
  std::mt19937_64 random(3);
  const auto longer = StoredClip(random, 120);
  const auto matches = Run(VpdqWindowRule{}, {longer}, Splice(random, longer, 20, 20));
  REQUIRE(matches.size() == 1);
  CHECK(matches[0].expected == 30);
  CHECK(matches[0].required == 24);
  CHECK(matches[0].first_ms >= 20'000);
  CHECK(matches[0].report_ms < 20'000 + 25 * 1000 + 5000);
}

TEST_CASE("stream window: the rule is validated") {
  VpdqWindowRule rule;
  CHECK(ValidateWindowRule(rule).ok());
  rule.step_ms = 0;
  CHECK(!ValidateWindowRule(rule).ok());
  rule = {};
  rule.step_ms = 60'000;
  CHECK(!ValidateWindowRule(rule).ok());
  rule = {};
  rule.min_frames = 0;
  CHECK(!ValidateWindowRule(rule).ok());
  rule = {};
  rule.frame_rule.stored_percent = 101;
  CHECK(!ValidateWindowRule(rule).ok());
}
