// SPDX-License-Identifier: Apache-2.0
// vPDQ without video: the signal value (python-threatexchange's JSON list,
// signals/vpdq_value.h) as the vpdq kind canonicalises it, Meta's frame
// lines, and the match rule (pdq/vpdq.h) with its choices.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "canonical_forms.h"
#include "common/hex.h"
#include "log/encoding.h"
#include "pdq/vpdq.h"
#include "signals/canonical.h"
#include "signals/stored_value.h"
#include "signals/vpdq_value.h"

namespace {

using namespace exchange;
using namespace exchange::signals;
using namespace exchange::testing;

const std::string kHashA = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";
const std::string kHashB = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

PdqHash Hash(const std::string& hex) { return *ParsePdq(hex); }

// `hash` with its first `bits` bits flipped.
PdqHash Flipped(PdqHash hash, int bits) {
  for (int i = 0; i < bits; ++i) hash[static_cast<size_t>(i / 8)] ^= static_cast<uint8_t>(0x80 >> (i % 8));
  return hash;
}

// A hash far from every other made by Distinct(): 128 bits set in a pattern chosen by `seed`.
PdqHash Distinct(int seed) {
  PdqHash h{};
  uint64_t x = 0x9e3779b97f4a7c15ull * static_cast<uint64_t>(seed + 1);
  for (auto& byte : h) {
    x ^= x >> 12, x ^= x << 25, x ^= x >> 27;
    byte = static_cast<uint8_t>((x * 0x2545f4914f6cdd1dull) >> 56);
  }
  return h;
}

}  // namespace

TEST_CASE("vpdq value: python-threatexchange's JSON list, canonical spelling and timestamp order") {
  CHECK(Canonical(Kind::kVpdq, "[\"" + kHashA + ",100,0.000\"]") == "[\"" + kHashA + ",100,0.000\"]");
  // Upper-case hex, pytx's three-significant-digit timestamps, no spaces, white space around: rewritten.
  CHECK(Canonical(Kind::kVpdq, " [\"" + Upper(kHashB) + ",98,10.4\",\"" + kHashA + ",7,0.0\"]\n") ==
        "[\"" + kHashA + ",7,0.000\", \"" + kHashB + ",98,10.400\"]");
  CHECK(Canonical(Kind::kVpdq, "[\"" + kHashA + ",50,1.23e+02\"]") == "[\"" + kHashA + ",50,123.000\"]");
  // Rounded to the millisecond, half up, exactly (no binary floating point on plain decimals).
  CHECK(Canonical(Kind::kVpdq, "[\"" + kHashA + ",50,0.0335\"]") == "[\"" + kHashA + ",50,0.034\"]");
  CHECK(Canonical(Kind::kVpdq, "[\"" + kHashA + ",50,2.0004999\"]") == "[\"" + kHashA + ",50,2.000\"]");
  // Equal timestamps keep their order (the sort is stable).
  CHECK(Canonical(Kind::kVpdq, "[\"" + kHashB + ",1,1.000\", \"" + kHashA + ",2,1.000\", \"" + kHashA + ",3,0.5\"]") ==
        "[\"" + kHashA + ",3,0.500\", \"" + kHashB + ",1,1.000\", \"" + kHashA + ",2,1.000\"]");
  // A JSON escape inside an item is still the same text.
  CHECK(Canonical(Kind::kVpdq, "[\"" + kHashA + "\\u002c100,0.000\"]") == "[\"" + kHashA + ",100,0.000\"]");
}

TEST_CASE("vpdq value: strict refusals, each naming the problem") {
  const std::string ok = kHashA + ",100,0.000";
  CHECK(Refusal(Kind::kVpdq, "") == "vpdq is empty");
  CHECK(Refusal(Kind::kVpdq, "[]") == "vpdq has no frames");
  CHECK(Refusal(Kind::kVpdq, "aGVsbG8=").starts_with("vpdq must be a JSON list"));
  CHECK(Refusal(Kind::kVpdq, "[\"" + ok + "\"") == "vpdq ends before its closing ']'");
  CHECK(Refusal(Kind::kVpdq, "[\"" + ok + "\",]") == "vpdq item 2 is not a JSON string");
  CHECK(Refusal(Kind::kVpdq, "[\"" + ok + "\"] x") == "vpdq has text after the closing ']'");
  CHECK(Refusal(Kind::kVpdq, "[\"" + ok + "\"; \"" + ok + "\"]") == "vpdq items must be separated by ','");
  CHECK(Refusal(Kind::kVpdq, "[1]") == "vpdq item 1 is not a JSON string");
  CHECK(Refusal(Kind::kVpdq, "[\"" + kHashA + ",100\"]") ==
        "vpdq item 1 must be \"pdq_hex,quality,timestamp\" (three fields)");
  CHECK(Refusal(Kind::kVpdq, "[\"" + ok + "\", \"0," + ok + "\"]") ==
        "vpdq item 2 must be \"pdq_hex,quality,timestamp\" (three fields)");
  CHECK(Refusal(Kind::kVpdq, "[\"" + kHashA.substr(1) + ",100,0.000\"]") ==
        "vpdq item 1: the pdq hash must be 64 hex digits, got 63");
  CHECK(Refusal(Kind::kVpdq, "[\"" + kHashA.substr(1) + "g,100,0.000\"]") ==
        "vpdq item 1: the pdq hash has a non-hex character");
  CHECK(Refusal(Kind::kVpdq, "[\"" + kHashA + ",101,0.000\"]") == "vpdq item 1: the quality must be 0-100, got 101");
  for (const char* quality : {"-1", "", "1.5", "050", " 50", "1000"}) {
    CAPTURE(quality);
    CHECK(Refusal(Kind::kVpdq, "[\"" + kHashA + "," + quality + ",0.000\"]")
              .starts_with("vpdq item 1: the quality must be an integer 0-100"));
  }
  CHECK(Refusal(Kind::kVpdq, "[\"" + kHashA + ",100,-0.5\"]") == "vpdq item 1: the timestamp is negative");
  for (const char* timestamp : {"", "nan", "inf", ".5", "5.", "1e", "0x10", "1,0", " 1", "1e+5x"}) {
    CAPTURE(timestamp);
    CHECK(Refusal(Kind::kVpdq, "[\"" + kHashA + ",100," + timestamp + "\"]").starts_with("vpdq item 1"));
  }
  CHECK(Refusal(Kind::kVpdq, "[\"" + kHashA + ",100,1e300\"]") ==
        "vpdq item 1: the timestamp is larger than 1000000000 seconds");
  CHECK(Refusal(Kind::kVpdq, "[\"" + kHashA + ",100,99999999999\"]") ==
        "vpdq item 1: the timestamp is larger than 1000000000 seconds");
  CHECK(Refusal(Kind::kVpdq, "[\"" + kHashA + ",100,0\\u0000\"]") == "vpdq item 1 contains a control character");
}

TEST_CASE("vpdq value: bounded in frames and bytes") {
  std::vector<VpdqFeature> features(kMaxVpdqFeatures, VpdqFeature{Hash(kHashA), 100, 0});
  const std::string largest = FormatVpdqValue(features);
  CHECK(Canonical(Kind::kVpdq, largest) == largest);
  features.push_back(features.back());
  CHECK(Refusal(Kind::kVpdq, FormatVpdqValue(features)) == "vpdq has more than 100000 frames");
  CHECK(Refusal(Kind::kVpdq, "[" + std::string(kMaxVpdqValueBytes, ' ') + "]") == "vpdq is longer than 16 MiB");
}

TEST_CASE("vpdq value: parse and format are inverse; the version 2 base64 form carries over only if it is a list") {
  const std::vector<VpdqFeature> features = {
      {Hash(kHashA), 100, 0}, {Hash(kHashB), 42, 33}, {Hash(kHashA), 0, 3600033}};
  const std::string text = FormatVpdqValue(features);
  CHECK(text == "[\"" + kHashA + ",100,0.000\", \"" + kHashB + ",42,0.033\", \"" + kHashA + ",0,3600.033\"]");
  CHECK(*ParseVpdqValue(text) == features);

  CHECK(*RecanonicalizeStored(Kind::kVpdq, log::Base64Encode("[\"" + kHashA + ",100,1.5\"]")) ==
        "[\"" + kHashA + ",100,1.500\"]");
  CHECK(!RecanonicalizeStored(Kind::kVpdq, "aGVsbG8=").ok());
  CHECK(kCanonicalFormVersion == 3);
}

TEST_CASE("vpdq frame lines: Meta's vpdq-hash-video format, and its rounding") {
  const pdq::VpdqFrame frame{312, Hash(kHashA), 97, 10400};
  CHECK(pdq::FormatVpdqFrameLine(frame) == "312,97," + kHashA + ",10.400");
  CHECK(*pdq::ParseVpdqFrameLine("312,97," + kHashA + ",10.400\r") == frame);
  CHECK(!pdq::ParseVpdqFrameLine("312,97," + kHashA).ok());
  CHECK(!pdq::ParseVpdqFrameLine("312,97," + kHashA + ",10.4,x").ok());
  CHECK(!pdq::ParseVpdqFrameLine("-1,97," + kHashA + ",10.4").ok());
  CHECK(!pdq::ParseVpdqFrameLine("1,101," + kHashA + ",10.4").ok());
  CHECK(pdq::MillisFromSeconds(0) == 0);
  CHECK(pdq::MillisFromSeconds(1.0 / 30) == 33);
  CHECK(pdq::MillisFromSeconds(2.0 / 30) == 67);
  CHECK(pdq::MillisFromSeconds(1.0005) == 1000);        // the double is just below 1.0005, as printf sees it
  CHECK(pdq::MillisFromSeconds(3600.0005) == 3600001);  // and this one just above
  CHECK(pdq::VpdqSignalValue(std::vector<pdq::VpdqFrame>{frame}) == "[\"" + kHashA + ",97,10.400\"]");
}

TEST_CASE("vpdq match rule: distance <= 31, quality >= 50, repeats counted once, both shares") {
  const PdqHash a = Hash(kHashA);
  // Distance exactly 31 matches, 32 does not; with max_distance 30 (Meta's C++ "< 31") 31 does not.
  CHECK(pdq::CompareVpdq(std::vector{a}, std::vector{Flipped(a, 31)}).match);
  CHECK(!pdq::CompareVpdq(std::vector{a}, std::vector{Flipped(a, 32)}).match);
  CHECK(!pdq::CompareVpdq(std::vector{a}, std::vector{Flipped(a, 31)}, {.max_distance = 30}).match);

  // Stored video: 10 distinct frames. The query holds 8 of them (a clip) plus 12 frames of other footage.
  std::vector<VpdqFeature> stored, query;
  for (int i = 0; i < 10; ++i) stored.push_back({Distinct(i), 100, i * 1000});
  for (int i = 0; i < 8; ++i) query.push_back({Flipped(Distinct(i), 5), 90, i * 1000});
  for (int i = 100; i < 112; ++i) query.push_back({Distinct(i), 90, i * 1000});
  pdq::VpdqComparison c = pdq::CompareVpdqFeatures(query, stored);
  CHECK(c.query_frames == 20);
  CHECK(c.stored_frames == 10);
  CHECK(c.stored_matched == 8);
  CHECK(c.query_matched == 8);
  CHECK(c.stored_percent == doctest::Approx(80.0));
  CHECK(c.query_percent == doctest::Approx(40.0));
  CHECK(c.match);  // 80 % of the stored video is in the query; the default query threshold is 0 %
  CHECK(!pdq::CompareVpdqFeatures(query, stored, {.query_percent = 50}).match);

  // A low-quality stored frame is ignored: 8 of 9 usable frames.
  stored[9].quality = 49;
  c = pdq::CompareVpdqFeatures(query, stored);
  CHECK(c.stored_frames == 9);
  CHECK(c.stored_percent == doctest::Approx(800.0 / 9));
  // When the query's copies of the clip are low-quality (a fade, say), they are ignored and nothing
  // of the stored video is found.
  for (int i = 0; i < 8; ++i) query[static_cast<size_t>(i)].quality = 10;
  c = pdq::CompareVpdqFeatures(query, stored);
  CHECK(c.query_frames == 12);
  CHECK(c.stored_matched == 0);
  CHECK(!c.match);

  // Repeats: a stored still frame repeated 30 times then 2 other frames, and a query with only the still.
  // De-duplicated, 1 of the 3 distinct stored frames matches (33 %); Meta's C++ matcher, which keeps
  // repeats, says 30 of 32 (94 %) and calls it a match.
  std::vector<VpdqFeature> still;
  for (int i = 0; i < 30; ++i) still.push_back({Distinct(500), 100, i * 33});
  still.push_back({Distinct(501), 100, 990});
  still.push_back({Distinct(502), 100, 1023});
  const std::vector<VpdqFeature> just_the_still = {{Distinct(500), 100, 0}};
  c = pdq::CompareVpdqFeatures(just_the_still, still);
  CHECK(c.stored_frames == 3);
  CHECK(c.stored_percent == doctest::Approx(100.0 / 3));
  CHECK(!c.match);
  c = pdq::CompareVpdqFeatures(just_the_still, still, {.max_distance = 30, .deduplicate = false});
  CHECK(c.stored_frames == 32);
  CHECK(c.stored_percent == doctest::Approx(3000.0 / 32));
  CHECK(c.match);

  // A side with no usable frames never matches.
  c = pdq::CompareVpdqFeatures(std::vector<VpdqFeature>{{a, 10, 0}}, std::vector<VpdqFeature>{{a, 100, 0}});
  CHECK(c.query_frames == 0);
  CHECK(c.query_percent == 0);
  CHECK(!c.match);
}
