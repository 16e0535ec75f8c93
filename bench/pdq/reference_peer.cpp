// SPDX-License-Identifier: Apache-2.0
// pdq_reference_peer: the peer `exchangectl hash` is measured beside for PDQ
// image hashing (bench/pdq/run.sh). It follows the path of Meta's reference
// hasher (pdq-photo-hasher in facebook/ThreatExchange), whose own code cannot
// be fetched on these machines, step by step with the library the reference
// itself reads images with:
//
//   1. CImg (Debian's cimg-dev) loads the file, decoding JPEG with libjpeg
//      (cimg_use_jpeg) into planar 8-bit RGB;
//   2. an image larger than 512 pixels on either side is resized by CImg to
//      512×512 (the reference's DOWNSAMPLE_DIMS, CImg's default
//      nearest-neighbour interpolation);
//   3. luminance 0.299 R + 0.587 G + 0.114 B as floats, one per pixel;
//   4. the hash of that luminance: here exchange::pdq::HashLuma, which computes
//      the reference's float algorithm (Jarosz filters, decimation, DCT,
//      median) and agrees with Meta's expected hashes bit for bit.
//
// Step 4 is our code, not the reference's: where ours is faster, the peer is
// faster than the real reference, so the ratio beside it understates ours.
//
//   pdq_reference_peer FILE...
//
// prints "file,pdq_hex,quality" per file (expected.csv's columns, the file's
// base name) and, on stderr, the seconds spent loading and resizing (steps
// 1-2) and hashing (steps 3-4). A file CImg cannot read prints an error and
// makes the exit status 1.
#define cimg_display 0
#define cimg_use_jpeg
#define cimg_verbosity 0
#include <CImg.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "common/hex.h"
#include "pdq/hasher.h"

namespace {

using Clock = std::chrono::steady_clock;
constexpr int kDownsampleDims = 512;

double Since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// Step 3: one float per pixel from CImg's planes (x, y, z = 0, channel).
std::vector<float> Luma(const cimg_library::CImg<uint8_t>& image) {
  const int width = image.width(), height = image.height();
  std::vector<float> luma(static_cast<size_t>(width) * static_cast<size_t>(height));
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      float v;
      if (image.spectrum() >= 3) {
        v = 0.299f * image(x, y, 0, 0) + 0.587f * image(x, y, 0, 1) + 0.114f * image(x, y, 0, 2);
      } else {
        v = image(x, y, 0, 0);
      }
      luma[static_cast<size_t>(y) * static_cast<size_t>(width) + static_cast<size_t>(x)] = v;
    }
  }
  return luma;
}

}  // namespace

int main(int argc, char** argv) {
  double load_seconds = 0, hash_seconds = 0;
  int status = 0;
  for (int i = 1; i < argc; ++i) {
    const char* path = argv[i];
    auto start = Clock::now();
    cimg_library::CImg<uint8_t> image;
    try {
      image.load(path);
    } catch (const cimg_library::CImgException& e) {
      std::fprintf(stderr, "pdq_reference_peer: %s: cannot load: %s\n", path, e.what());
      status = 1;
      continue;
    }
    if (image.width() > kDownsampleDims || image.height() > kDownsampleDims) {
      image.resize(kDownsampleDims, kDownsampleDims);
    }
    load_seconds += Since(start);

    start = Clock::now();
    const std::vector<float> luma = Luma(image);
    const auto result = exchange::pdq::HashLuma({luma, image.width(), image.height()});
    hash_seconds += Since(start);
    if (!result.ok()) {
      std::fprintf(stderr, "pdq_reference_peer: %s: %s\n", path, result.status().message().c_str());
      status = 1;
      continue;
    }
    std::printf("%s,%s,%d\n", std::filesystem::path(path).filename().c_str(), exchange::HexEncode(result->hash).c_str(),
                result->quality);
  }
  std::fprintf(stderr, "load_seconds %.6f hash_seconds %.6f\n", load_seconds, hash_seconds);
  return status;
}
