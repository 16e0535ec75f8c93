// SPDX-License-Identifier: Apache-2.0
#include "pdq/vpdq.h"

#include <charconv>
#include <cstdio>
#include <set>

#include "common/hex.h"

namespace exchange::pdq {
namespace {

Status Invalid(const std::string& reason) { return Status::InvalidArgument("vpdq frame line " + reason); }

bool ParseNonNegative(std::string_view text, int64_t& out) {
  if (text.empty() || text.size() > 18) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  std::from_chars(text.data(), text.data() + text.size(), out);
  return true;
}

size_t CountMatched(std::span<const PdqHash> from, std::span<const PdqHash> against, int max_distance) {
  size_t matched = 0;
  for (const PdqHash& a : from) {
    for (const PdqHash& b : against) {
      if (signals::HammingDistance256(a, b) <= max_distance) {
        ++matched;
        break;
      }
    }
  }
  return matched;
}

}  // namespace

int64_t MillisFromSeconds(double seconds) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.3f", seconds);
  std::string_view text(buffer);
  const size_t dot = text.find('.');
  int64_t whole = 0, fraction = 0;
  std::from_chars(text.data(), text.data() + dot, whole);
  std::from_chars(text.data() + dot + 1, text.data() + text.size(), fraction);
  return whole * 1000 + fraction;
}

std::string FormatVpdqFrameLine(const VpdqFrame& frame) {
  return std::to_string(frame.frame_number) + "," + std::to_string(frame.quality) + "," + HexEncode(frame.hash) + "," +
         signals::FormatVpdqTimestamp(frame.timestamp_ms);
}

Result<VpdqFrame> ParseVpdqFrameLine(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  std::vector<std::string_view> fields;
  size_t start = 0;
  while (fields.size() < 5) {
    const size_t comma = line.find(',', start);
    fields.push_back(line.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  if (fields.size() != 4) return Invalid("must be frame_number,quality,pdq_hex,timestamp");
  VpdqFrame frame;
  int64_t quality = 0;
  if (!ParseNonNegative(fields[0], frame.frame_number)) return Invalid("has a bad frame number");
  if (!ParseNonNegative(fields[1], quality) || quality > 100) return Invalid("has a quality that is not 0-100");
  frame.quality = static_cast<int>(quality);
  // The item parser of the signal value reads the hash and the timestamp.
  auto features = signals::ParseVpdqValue("[\"" + std::string(fields[2]) + ",0," + std::string(fields[3]) + "\"]");
  if (!features.ok()) return Invalid("has a bad hash or timestamp: " + features.status().message());
  frame.hash = (*features)[0].hash;
  frame.timestamp_ms = (*features)[0].timestamp_ms;
  return frame;
}

std::vector<VpdqFeature> ToFeatures(std::span<const VpdqFrame> frames) {
  std::vector<VpdqFeature> out;
  out.reserve(frames.size());
  for (const VpdqFrame& f : frames) out.push_back({f.hash, f.quality, f.timestamp_ms});
  return out;
}

std::string VpdqSignalValue(std::span<const VpdqFrame> frames) {
  std::vector<VpdqFeature> features = ToFeatures(frames);
  return signals::FormatVpdqValue(features);
}

std::vector<PdqHash> UsableFrames(std::span<const VpdqFeature> features, const VpdqMatchRule& rule) {
  std::vector<PdqHash> out;
  std::set<PdqHash> seen;
  for (const VpdqFeature& f : features) {
    if (f.quality < rule.min_quality) continue;
    if (rule.deduplicate && !seen.insert(f.hash).second) continue;
    out.push_back(f.hash);
  }
  return out;
}

VpdqComparison CompareVpdq(std::span<const PdqHash> query, std::span<const PdqHash> stored, const VpdqMatchRule& rule) {
  VpdqComparison c;
  c.query_frames = query.size();
  c.stored_frames = stored.size();
  if (query.empty() || stored.empty()) return c;
  c.query_matched = CountMatched(query, stored, rule.max_distance);
  c.stored_matched = CountMatched(stored, query, rule.max_distance);
  c.query_percent = 100.0 * static_cast<double>(c.query_matched) / static_cast<double>(c.query_frames);
  c.stored_percent = 100.0 * static_cast<double>(c.stored_matched) / static_cast<double>(c.stored_frames);
  c.match = c.stored_percent >= rule.stored_percent && c.query_percent >= rule.query_percent;
  return c;
}

VpdqComparison CompareVpdqFeatures(std::span<const VpdqFeature> query, std::span<const VpdqFeature> stored,
                                   const VpdqMatchRule& rule) {
  const std::vector<PdqHash> q = UsableFrames(query, rule);
  const std::vector<PdqHash> s = UsableFrames(stored, rule);
  return CompareVpdq(q, s, rule);
}

}  // namespace exchange::pdq
