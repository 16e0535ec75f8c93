// SPDX-License-Identifier: Apache-2.0
// The value of a `vpdq` signal: python-threatexchange's serialisation of a
// video's vPDQ hash, a JSON list of "pdq_hex,quality,timestamp" strings, one
// per hashed frame ("d8f8...1a2b,100,3.033"). The canonical form writes the
// hex in lowercase, the quality as a plain integer 0-100 and the timestamp in
// seconds with exactly three decimals, frames in timestamp order (a stable
// sort, so frames with equal timestamps keep their order), items separated
// by ", " as Python's json.dumps writes them:
//
//   ["d8f8...1a2b,100,0.000", "d8f8...1a2b,98,0.033"]
//
// Parsing is strict about the structure (one JSON array of strings, each
// exactly three comma-separated fields, nothing after the closing bracket)
// and accepts what other tools write for the numbers: uppercase hex, and a
// timestamp in any plain decimal or exponent form ("10.4", "1.23e+02": what
// python-threatexchange's `f"{t:.3}"` prints, which keeps three significant
// digits), rounded to the millisecond. The frame numbers of Meta's
// vpdq-hash-video output are not part of the value (pytx drops them too).
//
// Pure functions; thread-safe. Errors are InvalidArgument starting "vpdq ".
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "signals/match.h"

namespace exchange::signals {

// One hashed frame as the signal carries it.
struct VpdqFeature {
  PdqHash hash{};
  int quality = 0;           // 0-100
  int64_t timestamp_ms = 0;  // >= 0; seconds × 1000, so the three decimals are exact
  bool operator==(const VpdqFeature&) const = default;
};

// Bounds on a value, checked before anything is kept for it: 100,000 frames
// is over 55 minutes hashed at every frame of a 30 fps video, or a day at one
// frame a second; the text bound leaves room for white space around items.
inline constexpr size_t kMaxVpdqFeatures = 100'000;
inline constexpr size_t kMaxVpdqValueBytes = 16 * 1024 * 1024;
// About 31 years; keeps timestamp_ms far from int64 overflow.
inline constexpr int64_t kMaxVpdqTimestampMs = int64_t{1'000'000'000} * 1000;

// The features of `value`, in the order written. InvalidArgument for
// anything but a JSON array of 1 to kMaxVpdqFeatures well-formed items.
Result<std::vector<VpdqFeature>> ParseVpdqValue(std::string_view value);

// The canonical text of `features` (in the order given; see CanonicalizeVpdq).
std::string FormatVpdqValue(std::span<const VpdqFeature> features);

// "pdq_hex,quality,seconds.mmm", the text of one item (without quotes).
std::string FormatVpdqFeature(const VpdqFeature& feature);

// "3.033" for 3033.
std::string FormatVpdqTimestamp(int64_t timestamp_ms);

// ParseVpdqValue, a stable sort by timestamp, FormatVpdqValue.
Result<std::string> CanonicalizeVpdq(std::string_view raw);

}  // namespace exchange::signals
