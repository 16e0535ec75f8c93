// SPDX-License-Identifier: Apache-2.0
#include "signals/vpdq_value.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "common/hex.h"
#include "common/json.h"

namespace exchange::signals {
namespace {

Status Invalid(const std::string& reason) { return Status::InvalidArgument("vpdq " + reason); }

bool IsJsonWhiteSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

void SkipWhiteSpace(std::string_view text, size_t& pos) {
  while (pos < text.size() && IsJsonWhiteSpace(text[pos])) ++pos;
}

// "item N" for messages, counting from 1.
std::string ItemName(size_t index) { return "item " + std::to_string(index + 1); }

Result<PdqHash> ParseHexField(std::string_view field, const std::string& where) {
  if (field.size() != 64) {
    return Invalid(where + ": the pdq hash must be 64 hex digits, got " + std::to_string(field.size()));
  }
  std::string lower(field);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
    if (!IsDigit(c) && !(c >= 'a' && c <= 'f')) return Invalid(where + ": the pdq hash has a non-hex character");
  }
  return ParsePdq(lower);
}

Result<int> ParseQualityField(std::string_view field, const std::string& where) {
  if (field.empty() || field.size() > 3 || !std::all_of(field.begin(), field.end(), IsDigit) ||
      (field.size() > 1 && field[0] == '0')) {
    return Invalid(where + ": the quality must be an integer 0-100, got '" + std::string(field.substr(0, 8)) + "'");
  }
  int quality = 0;
  std::from_chars(field.data(), field.data() + field.size(), quality);
  if (quality > 100) return Invalid(where + ": the quality must be 0-100, got " + std::to_string(quality));
  return quality;
}

// Seconds as digits[.digits][(e|E)[+|-]digits], rounded to milliseconds.
Result<int64_t> ParseTimestampField(std::string_view field, const std::string& where) {
  const Status malformed = Invalid(where + ": the timestamp must be a non-negative number of seconds, got '" +
                                   std::string(field.substr(0, 16)) + "'");
  if (!field.empty() && field[0] == '-') return Invalid(where + ": the timestamp is negative");
  size_t i = 0;
  auto digits = [&] {
    const size_t start = i;
    while (i < field.size() && IsDigit(field[i])) ++i;
    return i - start;
  };
  const size_t int_digits = digits();
  if (int_digits == 0) return malformed;
  size_t frac_begin = i, frac_digits = 0;
  if (i < field.size() && field[i] == '.') {
    ++i;
    frac_begin = i;
    frac_digits = digits();
    if (frac_digits == 0) return malformed;
  }
  const bool exponent = i < field.size() && (field[i] == 'e' || field[i] == 'E');
  if (exponent) {
    ++i;
    if (i < field.size() && (field[i] == '+' || field[i] == '-')) ++i;
    if (digits() == 0) return malformed;
  }
  if (i != field.size()) return malformed;
  const Status too_large =
      Invalid(where + ": the timestamp is larger than " + std::to_string(kMaxVpdqTimestampMs / 1000) + " seconds");
  if (!exponent) {  // exact: whole seconds, then the first three decimals, rounded half up by the fourth
    std::string_view whole = field.substr(0, int_digits);
    while (whole.size() > 1 && whole[0] == '0') whole.remove_prefix(1);
    if (whole.size() > 10) return too_large;
    int64_t seconds = 0;
    std::from_chars(whole.data(), whole.data() + whole.size(), seconds);
    int64_t ms = seconds * 1000;
    for (size_t d = 0; d < 3; ++d) {
      const int digit = d < frac_digits ? field[frac_begin + d] - '0' : 0;
      ms += digit * (d == 0 ? 100 : d == 1 ? 10 : 1);
    }
    if (frac_digits > 3 && field[frac_begin + 3] >= '5') ++ms;
    if (ms > kMaxVpdqTimestampMs) return too_large;
    return ms;
  }
  double seconds = 0;
  auto [end, error] = std::from_chars(field.data(), field.data() + field.size(), seconds);
  if (error == std::errc::result_out_of_range) {
    // Underflow reads as zero seconds; overflow is too large.
    if (field.find("e-") != std::string_view::npos || field.find("E-") != std::string_view::npos) return int64_t{0};
    return too_large;
  }
  if (error != std::errc() || end != field.data() + field.size() || !std::isfinite(seconds)) return malformed;
  if (seconds * 1000 > static_cast<double>(kMaxVpdqTimestampMs)) return too_large;
  return static_cast<int64_t>(std::llround(seconds * 1000));
}

Result<VpdqFeature> ParseItem(std::string_view item, size_t index) {
  const std::string where = ItemName(index);
  const size_t first = item.find(',');
  const size_t second = first == std::string_view::npos ? first : item.find(',', first + 1);
  if (second == std::string_view::npos || item.find(',', second + 1) != std::string_view::npos) {
    return Invalid(where + " must be \"pdq_hex,quality,timestamp\" (three fields)");
  }
  VpdqFeature feature;
  auto hash = ParseHexField(item.substr(0, first), where);
  if (!hash.ok()) return hash.status();
  feature.hash = *hash;
  auto quality = ParseQualityField(item.substr(first + 1, second - first - 1), where);
  if (!quality.ok()) return quality.status();
  feature.quality = *quality;
  auto timestamp = ParseTimestampField(item.substr(second + 1), where);
  if (!timestamp.ok()) return timestamp.status();
  feature.timestamp_ms = *timestamp;
  return feature;
}

}  // namespace

Result<std::vector<VpdqFeature>> ParseVpdqValue(std::string_view value) {
  if (value.size() > kMaxVpdqValueBytes) {
    return Invalid("is longer than " + std::to_string(kMaxVpdqValueBytes / (1024 * 1024)) + " MiB");
  }
  size_t pos = 0;
  SkipWhiteSpace(value, pos);
  if (pos == value.size()) return Invalid("is empty");
  if (value[pos] != '[') {
    return Invalid("must be a JSON list of \"pdq_hex,quality,timestamp\" strings (python-threatexchange's form)");
  }
  ++pos;
  std::vector<VpdqFeature> features;
  SkipWhiteSpace(value, pos);
  if (pos < value.size() && value[pos] == ']') return Invalid("has no frames");
  while (true) {
    SkipWhiteSpace(value, pos);
    if (pos >= value.size() || value[pos] != '"') {
      return Invalid(ItemName(features.size()) + " is not a JSON string");
    }
    if (features.size() == kMaxVpdqFeatures)
      return Invalid("has more than " + std::to_string(kMaxVpdqFeatures) + " frames");
    auto item = ReadJsonString(value, pos);
    if (!item.ok()) return Invalid(ItemName(features.size()) + ": " + item.status().message());
    if (std::any_of(item->begin(), item->end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; })) {
      return Invalid(ItemName(features.size()) + " contains a control character");
    }
    auto feature = ParseItem(*item, features.size());
    if (!feature.ok()) return feature.status();
    features.push_back(*feature);
    SkipWhiteSpace(value, pos);
    if (pos >= value.size()) return Invalid("ends before its closing ']'");
    if (value[pos] == ']') break;
    if (value[pos] != ',') return Invalid("items must be separated by ','");
    ++pos;
  }
  ++pos;
  SkipWhiteSpace(value, pos);
  if (pos != value.size()) return Invalid("has text after the closing ']'");
  return features;
}

std::string FormatVpdqTimestamp(int64_t timestamp_ms) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%lld.%03lld", static_cast<long long>(timestamp_ms / 1000),
                static_cast<long long>(timestamp_ms % 1000));
  return buffer;
}

std::string FormatVpdqFeature(const VpdqFeature& feature) {
  return HexEncode(feature.hash) + "," + std::to_string(feature.quality) + "," +
         FormatVpdqTimestamp(feature.timestamp_ms);
}

std::string FormatVpdqValue(std::span<const VpdqFeature> features) {
  std::string out = "[";
  for (size_t i = 0; i < features.size(); ++i) {
    if (i > 0) out += ", ";
    out += '"';
    out += FormatVpdqFeature(features[i]);
    out += '"';
  }
  out += ']';
  return out;
}

Result<std::string> CanonicalizeVpdq(std::string_view raw) {
  auto features = ParseVpdqValue(raw);
  if (!features.ok()) return features.status();
  std::stable_sort(features->begin(), features->end(),
                   [](const VpdqFeature& a, const VpdqFeature& b) { return a.timestamp_ms < b.timestamp_ms; });
  return FormatVpdqValue(*features);
}

}  // namespace exchange::signals
