// SPDX-License-Identifier: Apache-2.0
// vPDQ, Meta's video hash: one PDQ hash per hashed frame. This file holds
// the frame as the hasher produces it, Meta's `vpdq-hash-video` text line
// for it, and the rule that decides whether two videos match.
//
// The match rule (docs/signals.md "vpdq"), with its choices:
//   * frames of quality < min_quality (default 50) are ignored on both sides,
//     as every reference does;
//   * then repeated frames are removed: of the frames with the same 256 bits
//     the first (in timestamp order) is kept, as python-threatexchange and
//     Meta's vPDQ README do (Meta's C++ matcher keeps repeats). A still or
//     slow video otherwise weighs its repeated frames many times over, and a
//     frame repeated in only one copy of a video would change the shares;
//   * a frame matches when some frame on the other side is at Hamming
//     distance <= max_distance (default 31), the README's and
//     python-threatexchange's rule and the exchange's PDQ rule (DESIGN §4).
//     Meta's C++ matcher counts `< 31`; max_distance = 30 gives its answer;
//   * the query share is the query's (filtered, de-duplicated) frames that
//     match a stored frame, in percent; the stored share the same the other
//     way. A video matches when stored share >= stored_percent (default 80)
//     and query share >= query_percent (default 0), the README's thresholds:
//     "most of the known video is in the query" finds a clip re-uploaded
//     inside a longer video. A side left with no frames never matches.
//
// Pure functions; thread-safe. CompareVpdq is brute force, O(query × stored)
// popcounts: about 4 ns a pair, so 300 × 300 frames take under half a
// millisecond; a collection of many videos wants a frame index instead.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "signals/match.h"
#include "signals/vpdq_value.h"

namespace exchange::pdq {

using signals::PdqHash;
using signals::VpdqFeature;

// One hashed frame. frame_number counts decoded frames from 0; the timestamp
// is frame_number / the stream's average frame rate, as Meta's tool computes
// it, in milliseconds (MillisFromSeconds).
struct VpdqFrame {
  int64_t frame_number = 0;
  PdqHash hash{};
  int quality = 0;
  int64_t timestamp_ms = 0;
  bool operator==(const VpdqFrame&) const = default;
};

// The millisecond count that C's "%.3f" prints for `seconds`, which is how
// Meta's tool rounds its timestamps (ties fall as the double's exact binary
// value does, not half up). `seconds` must be finite and >= 0.
int64_t MillisFromSeconds(double seconds);

// "frame_number,quality,pdq_hex,seconds.mmm": Meta's vpdq-hash-video line.
std::string FormatVpdqFrameLine(const VpdqFrame& frame);
// The inverse: InvalidArgument unless `line` is exactly four such fields
// (a trailing "\r" is allowed), hex of 64 digits, quality 0-100.
Result<VpdqFrame> ParseVpdqFrameLine(std::string_view line);

// The signal's view of the frames (frame numbers dropped), and its value.
std::vector<VpdqFeature> ToFeatures(std::span<const VpdqFrame> frames);
std::string VpdqSignalValue(std::span<const VpdqFrame> frames);

struct VpdqMatchRule {
  int max_distance = signals::kDefaultPdqMaxDistance;  // a frame pair matches at distance <= this
  int min_quality = 50;                                // frames below are ignored
  bool deduplicate = true;                             // drop repeated hashes (false: as Meta's C++ matcher)
  double stored_percent = 80.0;                        // share of the stored video's frames that must match
  double query_percent = 0.0;                          // share of the query's frames that must match
};

// The hashes CompareVpdq counts: quality-filtered, then de-duplicated when
// the rule says so, in the order given.
std::vector<PdqHash> UsableFrames(std::span<const VpdqFeature> features, const VpdqMatchRule& rule = {});

struct VpdqComparison {
  size_t query_frames = 0, stored_frames = 0;    // usable frames on each side
  size_t query_matched = 0, stored_matched = 0;  // of those, how many match a frame on the other side
  double query_percent = 0, stored_percent = 0;  // matched / frames × 100; 0 for a side with no frames
  bool match = false;                            // both thresholds reached, both sides non-empty
};

// `query` and `stored` as UsableFrames returns them for `rule`.
VpdqComparison CompareVpdq(std::span<const PdqHash> query, std::span<const PdqHash> stored,
                           const VpdqMatchRule& rule = {});

// UsableFrames on both sides, then the comparison.
VpdqComparison CompareVpdqFeatures(std::span<const VpdqFeature> query, std::span<const VpdqFeature> stored,
                                   const VpdqMatchRule& rule = {});

}  // namespace exchange::pdq
