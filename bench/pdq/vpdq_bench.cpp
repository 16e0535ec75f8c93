// SPDX-License-Identifier: Apache-2.0
// vPDQ lookup rate: pdq::VpdqIndex (the frame index exchanged answers video
// lookups from) over many stored videos, beside brute force (CompareVpdq
// against every stored video, what a collection without the index would do)
// in the same run, with the answers of the two compared.
//
// The videos are generated: each has scenes of 30 frames, a scene's frames a
// random hash with up to 8 of its bits flipped (consecutive frames of a real
// video are near each other, which is what makes a frame index work hard:
// one query frame reaches many stored frames). Half the queries are near
// copies of a stored video (every frame up to 10 bits away, one frame in ten
// dropped), half are videos nobody stored. Everything is regenerated from
// (seed, video number), so the stored set is never held twice.
//
// The index is built as exchanged builds it at startup, all at once
// (VpdqIndex::Assign); beside it, the first 2,000 videos are inserted one by
// one into another index (the live path), and that time is reported too. Peak
// RSS growth includes the generated videos held for Assign.
//
// Prints one Markdown table row set on stdout; progress on stderr.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "common/flags.h"
#include "pdq/vpdq.h"
#include "pdq/vpdq_index.h"

namespace {

using exchange::pdq::VpdqFeature;
using Clock = std::chrono::steady_clock;

constexpr int kSceneFrames = 30;
constexpr int64_t kInsertedVideos = 2000;  // the one-by-one build, timed beside Assign

double Seconds(Clock::time_point since) { return std::chrono::duration<double>(Clock::now() - since).count(); }

// The process's peak resident set (VmHWM), in MiB.
double PeakRssMib() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return 0;
}

void FlipBits(exchange::pdq::PdqHash& hash, int bits, std::mt19937_64& rng) {
  for (int i = 0; i < bits; ++i) {
    const unsigned bit = static_cast<unsigned>(rng() % 256);
    hash[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
  }
}

// Stored video `n` of the set generated from `seed`.
std::vector<VpdqFeature> StoredVideo(uint64_t seed, uint64_t n, int frames) {
  std::mt19937_64 rng(seed * 1000003 + n);
  std::vector<VpdqFeature> video(static_cast<size_t>(frames));
  exchange::pdq::PdqHash scene{};
  for (int i = 0; i < frames; ++i) {
    if (i % kSceneFrames == 0) {
      for (auto& byte : scene) byte = static_cast<uint8_t>(rng());
    }
    auto& frame = video[static_cast<size_t>(i)];
    frame.hash = scene;
    FlipBits(frame.hash, static_cast<int>(rng() % 9), rng);
    frame.quality = 100;
    frame.timestamp_ms = i * 1000 / 30;
  }
  return video;
}

// A near copy of `video`: every frame up to 10 bits away, one in ten dropped.
std::vector<VpdqFeature> NearCopy(const std::vector<VpdqFeature>& video, std::mt19937_64& rng) {
  std::vector<VpdqFeature> copy;
  for (const auto& frame : video) {
    if (rng() % 10 == 0) continue;
    copy.push_back(frame);
    FlipBits(copy.back().hash, static_cast<int>(rng() % 11), rng);
  }
  return copy;
}

struct Query {
  std::vector<VpdqFeature> frames;
  int64_t source = -1;  // the stored video it copies; -1 for an unrelated one
};

}  // namespace

int main(int argc, char** argv) {
  int64_t videos = 100000, frames = 300, queries = 200, brute_queries = 4, brute_videos = 1000, seed = 1;
  exchange::FlagSet flags(
      "usage: vpdq_bench [--videos N] [--frames F] [--queries Q] [--brute-queries B] [--brute-videos M] [--seed S]\n\n"
      "Stores N generated videos of F frames in a pdq::VpdqIndex, looks up Q videos (half near copies, half\n"
      "unrelated) on one thread, and compares B of them with brute force over the first M stored videos (the\n"
      "brute-force rate is the time per stored video measured there, times N).");
  flags.Int("videos", "", &videos, "stored videos");
  flags.Int("frames", "", &frames, "frames per video");
  flags.Int("queries", "", &queries, "lookups through the index");
  flags.Int("brute-queries", "", &brute_queries, "lookups by brute force (also checked against the index)");
  flags.Int("brute-videos", "", &brute_videos, "stored videos brute force compares against (at most --videos)");
  flags.Int("seed", "", &seed, "generator seed");
  flags.ParseOrExit({argv + 1, argv + argc},
                    [](const exchange::Status& s) { std::fprintf(stderr, "vpdq_bench: %s\n", s.ToString().c_str()); });
  const uint64_t useed = static_cast<uint64_t>(seed);
  brute_videos = std::clamp<int64_t>(brute_videos, 1, videos);
  brute_queries = std::min(brute_queries, queries);
  const exchange::pdq::VpdqMatchRule rule;  // the defaults: d <= 31, quality >= 50, de-duplicated, 80 % / 0 %

  const double rss_before = PeakRssMib();
  exchange::pdq::VpdqIndex index(rule);
  // The build as exchanged's startup does it: every video at once, Assign.
  // Generating the videos is not timed.
  double build_seconds = 0;
  {
    std::vector<exchange::pdq::VpdqVideo> stored(static_cast<size_t>(videos));
    for (int64_t n = 0; n < videos; ++n) {
      stored[static_cast<size_t>(n)] = {"video-" + std::to_string(n),
                                        StoredVideo(useed, static_cast<uint64_t>(n), static_cast<int>(frames))};
    }
    std::fprintf(stderr, "vpdq_bench: %lld videos generated\n", static_cast<long long>(videos));
    const auto build_start = Clock::now();
    index.Assign(stored);
    build_seconds = Seconds(build_start);
  }
  const double rss_after = PeakRssMib();
  // Beside it, the live path at a small size: the first kInsertedVideos
  // videos inserted one by one into an empty index.
  const int64_t inserted_videos = std::min<int64_t>(videos, kInsertedVideos);
  double insert_seconds = 0;
  {
    exchange::pdq::VpdqIndex inserted(rule);
    for (int64_t n = 0; n < inserted_videos; ++n) {
      auto video = StoredVideo(useed, static_cast<uint64_t>(n), static_cast<int>(frames));
      const auto start = Clock::now();
      inserted.Insert("video-" + std::to_string(n), video);
      insert_seconds += Seconds(start);
    }
  }
  std::fprintf(stderr, "vpdq_bench: index built in %.1f s\n", build_seconds);

  std::mt19937_64 rng(useed ^ 0x9e3779b97f4a7c15ULL);
  std::vector<Query> work;
  for (int64_t q = 0; q < queries; ++q) {
    Query query;
    if (q % 2 == 0) {
      // The ones brute force also answers copy a video it compares against.
      const int64_t among = q < brute_queries ? brute_videos : videos;
      query.source = static_cast<int64_t>(rng() % static_cast<uint64_t>(among));
      query.frames = NearCopy(StoredVideo(useed, static_cast<uint64_t>(query.source), static_cast<int>(frames)), rng);
    } else {
      // Not a stored video: numbers past the stored ones.
      query.frames = StoredVideo(useed, static_cast<uint64_t>(videos + q), static_cast<int>(frames));
    }
    work.push_back(std::move(query));
  }

  size_t found = 0, copies = 0, false_matches = 0;
  const auto query_start = Clock::now();
  for (const auto& query : work) {
    auto matches = index.Query(query.frames, rule);
    if (!matches.ok()) {
      std::fprintf(stderr, "vpdq_bench: %s\n", matches.status().ToString().c_str());
      return 1;
    }
    const std::string wanted = "video-" + std::to_string(query.source);
    if (query.source >= 0) {
      ++copies;
      found += std::any_of(matches->begin(), matches->end(), [&](const auto& m) { return m.key == wanted; });
    }
    for (const auto& m : *matches) false_matches += m.key != wanted;
  }
  const double index_seconds = Seconds(query_start);

  // Brute force: the first brute_videos stored videos regenerated and
  // compared (the generation is not timed), against the index's answer
  // restricted to them. Its rate over all the stored videos is the measured
  // time per stored video times their number.
  size_t brute_agree = 0;
  double brute_seconds = 0;
  for (int64_t q = 0; q < brute_queries; ++q) {
    const auto& query = work[static_cast<size_t>(q)];
    std::vector<std::string> brute;
    for (int64_t n = 0; n < brute_videos; ++n) {
      const auto stored = StoredVideo(useed, static_cast<uint64_t>(n), static_cast<int>(frames));
      const auto start = Clock::now();
      const bool match = exchange::pdq::CompareVpdqFeatures(query.frames, stored, rule).match;
      brute_seconds += Seconds(start);
      if (match) brute.push_back("video-" + std::to_string(n));
    }
    auto matches = index.Query(query.frames, rule);
    std::vector<std::string> indexed;
    for (const auto& m : *matches) {
      if (std::stoll(m.key.substr(6)) < brute_videos) indexed.push_back(m.key);
    }
    std::sort(brute.begin(), brute.end());
    std::sort(indexed.begin(), indexed.end());
    brute_agree += brute == indexed;
    std::fprintf(stderr, "vpdq_bench: brute-force query %lld: %zu matches, index %s\n", static_cast<long long>(q),
                 brute.size(), brute == indexed ? "agrees" : "DISAGREES");
  }
  const int64_t brute_done = brute_queries;
  // Seconds per lookup over every stored video.
  const double brute_per_lookup = brute_done > 0 ? brute_seconds / static_cast<double>(brute_done) *
                                                       static_cast<double>(videos) / static_cast<double>(brute_videos)
                                                 : 0;

  std::printf(
      "| stored | frames each | index build (Assign) | one by one, first %lld videos | peak RSS growth | "
      "index, lookups/s (1 thread) | brute force, lookups/s | index ÷ brute | near copies found | other matches | "
      "index = brute force |\n",
      static_cast<long long>(inserted_videos));
  std::printf("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  std::printf(
      "| %lld | %lld | %.1f s | %.1f s | %.0f MiB (%.0f B/frame) | %.1f | %.4f | %.0f× | %zu / %zu | %zu | %zu / %lld "
      "|\n",
      static_cast<long long>(videos), static_cast<long long>(frames), build_seconds, insert_seconds,
      rss_after - rss_before, (rss_after - rss_before) * 1048576.0 / static_cast<double>(videos * frames),
      static_cast<double>(queries) / index_seconds, brute_per_lookup > 0 ? 1.0 / brute_per_lookup : 0.0,
      brute_per_lookup > 0 ? (static_cast<double>(queries) / index_seconds) * brute_per_lookup : 0.0, found, copies,
      false_matches, brute_agree, static_cast<long long>(brute_done));
  return brute_agree == static_cast<size_t>(brute_done) && found == copies ? 0 : 1;
}
