// SPDX-License-Identifier: Apache-2.0
// PDQ against Meta's reference hasher: every image in shared/vectors/pdq
// hashes within the tolerance of expected.csv; the dihedral variants equal
// the hashes of rotated and mirrored images; broken files are errors.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "pdq/hasher.h"
#include "pdq/image.h"
#include "signals/match.h"
#include "vector_files.h"

namespace {

namespace fs = std::filesystem;
using namespace exchange;
using namespace exchange::pdq;
using namespace exchange::signals;
using namespace exchange::testing;

const fs::path kPdqVectors = exchange::testing::VectorDir("pdq");
// The tolerance: decoders differ slightly from the reference's.
constexpr int kMaxDistance = 10;
constexpr int kMaxQualityDifference = 5;

struct Expected {
  PdqHash hash;
  int quality;
};

// expected.csv: file,pdq_hex,quality
std::map<std::string, Expected> ReadExpected() {
  std::ifstream in(kPdqVectors / "expected.csv");
  REQUIRE(in.good());
  std::string line;
  std::getline(in, line);
  REQUIRE(line == "file,pdq_hex,quality");
  std::map<std::string, Expected> expected;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::stringstream fields(line);
    std::string file, hex, quality;
    std::getline(fields, file, ',');
    std::getline(fields, hex, ',');
    std::getline(fields, quality, ',');
    auto hash = ParsePdq(hex);
    REQUIRE_MESSAGE(hash.ok(), line);
    expected[file] = {*hash, std::stoi(quality)};
  }
  return expected;
}

std::vector<fs::path> VectorImages() {
  std::vector<fs::path> images;
  for (const auto& entry : fs::directory_iterator(kPdqVectors / "images")) {
    if (entry.is_regular_file()) images.push_back(entry.path());
  }
  std::sort(images.begin(), images.end());
  return images;
}

void CheckConformance(const DecodeOptions& options) {
  const std::map<std::string, Expected> expected = ReadExpected();
  int checked = 0, worst = 0;
  for (const fs::path& path : VectorImages()) {
    const std::string name = path.filename().string();
    auto it = expected.find(name);
    REQUIRE_MESSAGE(it != expected.end(), name << " has no row in expected.csv");
    auto result = HashImage(ReadTestBytes(path), options);
    REQUIRE_MESSAGE(result.ok(), name << ": " << result.status().ToString());
    const int distance = HammingDistance256(result->hash, it->second.hash);
    CHECK_MESSAGE(distance <= kMaxDistance, name << " is " << distance << " bits from the reference");
    CHECK_MESSAGE(std::abs(result->quality - it->second.quality) <= kMaxQualityDifference,
                  name << " quality " << result->quality << ", reference " << it->second.quality);
    worst = std::max(worst, distance);
    ++checked;
  }
  MESSAGE("checked ", checked, " images, largest distance ", worst);
  CHECK(checked > 0);
  CHECK(checked == static_cast<int>(expected.size()));
}

TEST_CASE("every vector image hashes like the reference, with the default (scaled) JPEG decoding") {
  CheckConformance(DecodeOptions{});
}

TEST_CASE("every vector image hashes like the reference, decoding JPEGs at full size") {
  DecodeOptions full;
  full.jpeg_min_side = 0;
  CheckConformance(full);
}

// --- dihedral variants ------------------------------------------------------

// A W×H luminance image with structure at several scales, deterministic.
LumaImage SyntheticImage(int width, int height, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> noise(-20, 20);
  LumaImage image{width, height, std::vector<float>(static_cast<size_t>(width) * static_cast<size_t>(height))};
  const float fx = 2.0f + static_cast<float>(seed % 5), fy = 3.0f + static_cast<float>(seed % 3);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      const float u = static_cast<float>(x) / static_cast<float>(width);
      const float v = static_cast<float>(y) / static_cast<float>(height);
      float value = 128 + 60 * std::sin(fx * u * 6.28f + 1.3f * v) * std::cos(fy * v * 6.28f) + 40 * (u - v) +
                    (x * 7 + y * 3 < width ? 30.0f : 0.0f) + noise(rng);
      image.pixels[static_cast<size_t>(y) * static_cast<size_t>(width) + static_cast<size_t>(x)] =
          std::clamp(value, 0.0f, 255.0f);
    }
  }
  return image;
}

// The transformed image T of O, by the definitions in hasher.h.
LumaImage Transform(const LumaImage& o, Dihedral which) {
  const int w = o.width, h = o.height;
  const bool swaps = which == Dihedral::kRotate90 || which == Dihedral::kRotate270 || which == Dihedral::kFlipPlus1 ||
                     which == Dihedral::kFlipMinus1;
  LumaImage t{swaps ? h : w, swaps ? w : h, std::vector<float>(o.pixels.size())};
  auto at = [&o](int x, int y) { return o.pixels[static_cast<size_t>(y) * static_cast<size_t>(o.width) + x]; };
  for (int y = 0; y < t.height; ++y) {
    for (int x = 0; x < t.width; ++x) {
      float v = 0;
      switch (which) {
        case Dihedral::kOriginal: v = at(x, y); break;
        case Dihedral::kRotate90: v = at(w - 1 - y, x); break;
        case Dihedral::kRotate180: v = at(w - 1 - x, h - 1 - y); break;
        case Dihedral::kRotate270: v = at(y, h - 1 - x); break;
        case Dihedral::kFlipX: v = at(x, h - 1 - y); break;
        case Dihedral::kFlipY: v = at(w - 1 - x, y); break;
        case Dihedral::kFlipPlus1: v = at(y, x); break;
        case Dihedral::kFlipMinus1: v = at(w - 1 - y, h - 1 - x); break;
      }
      t.pixels[static_cast<size_t>(y) * static_cast<size_t>(t.width) + static_cast<size_t>(x)] = v;
    }
  }
  return t;
}

// Exact equality needs a blur and a sampling grid that are symmetric: odd
// box windows (ceil(side / 128) odd) and sides that are not multiples of
// 128. Float rounding then differs only far below the gap between the DCT
// coefficients around the median, so every bit agrees.
TEST_CASE("each dihedral variant equals the hash of the rotated or mirrored image") {
  struct Size {
    int width, height;
  };
  int compared = 0;
  for (const Size size : {Size{100, 90}, Size{300, 270}, Size{330, 600}}) {
    for (unsigned seed = 1; seed <= 3; ++seed) {
      const LumaImage original = SyntheticImage(size.width, size.height, seed);
      auto variants = HashLumaDihedral(original.view());
      REQUIRE(variants.ok());
      auto plain = HashLuma(original.view());
      REQUIRE(plain.ok());
      CHECK(plain->hash == (*variants)[0].hash);
      for (int k = 0; k < exchange::pdq::kDihedralCount; ++k) {
        const LumaImage transformed = Transform(original, static_cast<Dihedral>(k));
        auto direct = HashLuma(transformed.view());
        REQUIRE(direct.ok());
        CHECK_MESSAGE(direct->hash == (*variants)[k].hash,
                      size.width << "×" << size.height << " seed " << seed << " variant " << k << " differs by "
                                 << HammingDistance256(direct->hash, (*variants)[k].hash) << " bits");
        CHECK(direct->quality == (*variants)[k].quality);
        ++compared;
      }
    }
  }
  CHECK(compared == 72);
}

// The bridge images are the reference's own rotations and mirrors of one
// photograph: each is matched by the variant of the same name, computed
// from the original alone.
TEST_CASE("the variants of the original bridge photograph find its rotated and mirrored copies") {
  const std::map<std::string, Expected> expected = ReadExpected();
  const char* names[] = {"bridge-1-original.jpg",    "bridge-2-rotate-90.jpg",   "bridge-3-rotate-180.jpg",
                         "bridge-4-rotate-270.jpg",  "bridge-5-flipx.jpg",       "bridge-6-flipy.jpg",
                         "bridge-7-flip-plus-1.jpg", "bridge-8-flip-minus-1.jpg"};
  auto image = exchange::pdq::DecodeLuma(ReadTestBytes(kPdqVectors / "images" / names[0]));
  REQUIRE(image.ok());
  auto variants = HashLumaDihedral(image->view());
  REQUIRE(variants.ok());
  for (int k = 0; k < exchange::pdq::kDihedralCount; ++k) {
    const PdqHash& reference = expected.at(names[k]).hash;
    int nearest = 0;
    for (int j = 0; j < exchange::pdq::kDihedralCount; ++j) {
      if (HammingDistance256((*variants)[j].hash, reference) <
          HammingDistance256((*variants)[nearest].hash, reference)) {
        nearest = j;
      }
    }
    CHECK_MESSAGE(nearest == k, names[k] << " is nearest to variant " << nearest);
    CHECK(HammingDistance256((*variants)[k].hash, reference) <= exchange::signals::kDefaultPdqMaxDistance);
  }
}

// --- broken input -----------------------------------------------------------

std::vector<uint8_t> Bridge() { return ReadTestBytes(kPdqVectors / "images" / "bridge-1-original.jpg"); }

TEST_CASE("a truncated JPEG is an error, wherever it is cut") {
  const std::vector<uint8_t> full = Bridge();
  for (double fraction : {0.0, 0.001, 0.01, 0.1, 0.5, 0.9, 0.99, 0.999}) {
    const auto length = static_cast<size_t>(static_cast<double>(full.size()) * fraction);
    std::vector<uint8_t> cut(full.begin(), full.begin() + static_cast<ptrdiff_t>(length));
    auto result = HashImage(cut);
    CHECK_MESSAGE(!result.ok(), "cut at " << length << " of " << full.size() << " bytes hashed");
    if (!result.ok()) CHECK(result.status().code() == ErrorCode::kInvalidArgument);
  }
  // Also from a progressive file, where the image fills in scan by scan.
  const std::vector<uint8_t> progressive = ReadTestBytes(kPdqVectors / "images" / "bridge-2-rotate-90.jpg");
  std::vector<uint8_t> cut(progressive.begin(), progressive.begin() + static_cast<ptrdiff_t>(progressive.size() / 2));
  CHECK(!HashImage(cut).ok());
}

TEST_CASE("a corrupt JPEG never crashes, and garbled structure is an error") {
  const std::vector<uint8_t> full = Bridge();
  std::mt19937 rng(7);
  int refused = 0;
  for (int trial = 0; trial < 60; ++trial) {
    std::vector<uint8_t> bytes = full;
    std::uniform_int_distribution<size_t> at(2, bytes.size() - 1);
    for (int k = 0; k < 20; ++k) bytes[at(rng)] = static_cast<uint8_t>(rng());
    auto result = HashImage(bytes);  // either outcome; it must come back
    if (!result.ok()) ++refused;
  }
  MESSAGE(refused, " of 60 randomly corrupted files refused");
  CHECK(refused > 0);

  std::vector<uint8_t> headerless = full;
  std::fill(headerless.begin() + 4, headerless.begin() + 600, uint8_t{0});
  CHECK(!HashImage(headerless).ok());
}

TEST_CASE("images that are not JPEG, PNG or WebP are refused by their bytes") {
  CHECK(!HashImage(std::vector<uint8_t>{}).ok());
  const std::string text = "GIF89a this is not a supported image";
  auto result = HashImage(std::vector<uint8_t>(text.begin(), text.end()));
  REQUIRE(!result.ok());
  CHECK(result.status().code() == ErrorCode::kInvalidArgument);
  CHECK(exchange::pdq::DetectFormat(Bridge()) == exchange::pdq::ImageFormat::kJpeg);
}

TEST_CASE("an image above the pixel limit is refused before it is decoded") {
  // Rewrite the baseline frame header (SOF0: FF C0, length, precision,
  // height, width) to claim 60000 × 60000 pixels (libjpeg's own limit is
  // 65500 a side).
  std::vector<uint8_t> bytes = Bridge();
  size_t sof = 0;
  for (size_t i = 2; i + 9 < bytes.size(); ++i) {
    if (bytes[i] == 0xFF && bytes[i + 1] == 0xC0) {
      sof = i;
      break;
    }
  }
  REQUIRE(sof > 0);
  for (size_t k : {sof + 5, sof + 7}) {
    bytes[k] = 60000 >> 8;
    bytes[k + 1] = 60000 & 0xFF;
  }
  auto result = HashImage(bytes);
  REQUIRE(!result.ok());
  CHECK(result.status().code() == ErrorCode::kPayloadTooLarge);
  CHECK(result.status().message().find("60000") != std::string::npos);

  // And a configurable limit below a real image's size.
  DecodeOptions small;
  small.max_pixels = 1000 * 1000;  // bridge is 1600×1004
  auto limited = HashImage(Bridge(), small);
  REQUIRE(!limited.ok());
  CHECK(limited.status().code() == ErrorCode::kPayloadTooLarge);
}

TEST_CASE("the hasher refuses a luminance buffer of the wrong size") {
  std::vector<float> pixels(10);
  CHECK(!HashLuma({pixels, 0, 10}).ok());
  CHECK(!HashLuma({pixels, 3, 4}).ok());
  CHECK(HashLuma({pixels, 2, 5}).ok());
}

}  // namespace
