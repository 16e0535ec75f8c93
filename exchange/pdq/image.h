// SPDX-License-Identifier: Apache-2.0
// Decoding JPEG, PNG and WebP files into the luminance image that PDQ hashes.
//
// The format is told by the file's first bytes, never by its name. Every
// failure is a Status for that one file, never a crash or an abort: the
// declared size is checked against a pixel limit before any pixel buffer is
// allocated, libjpeg's and libpng's fatal errors unwind to the decoder entry
// point (setjmp/longjmp through C frames only, with no C++ object alive in
// between), and a truncated or corrupt data stream is an error rather than a
// grey-padded picture.
//
// What hashes, and how:
//   * JPEG (libjpeg-turbo): greyscale, YCbCr, RGB, and CMYK or YCCK
//     through RGB, with Adobe's inverted CMYK recognised by its APP14 marker.
//     Colour images decode to RGB with libjpeg's default (fancy) chroma
//     upsampling, as the reference's do, and luma is computed from that: the
//     JPEG's own Y channel would be cheaper but rounds differently, which
//     moves the hashes of nearly flat images by dozens of bits.
//   * PNG (libpng): greyscale, palette, RGB, 1-16 bits.
//   * WebP (libwebp): lossy and lossless still images; animations are refused.
//   * Alpha is ignored: the colour channels hash as stored, whatever their
//     transparency. That is what the reference hasher does (it reads RGB and
//     drops the fourth channel), so hashes shared on ThreatExchange for
//     transparent images agree with ours; compositing over a background
//     would change them.
//   * EXIF orientation is ignored, as by the reference; the dihedral hashes
//     (hasher.h) cover rotated copies.
//
// Pure functions over the given bytes (no file system); thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "pdq/hasher.h"

namespace exchange::pdq {

enum class ImageFormat { kUnknown, kJpeg, kPng, kWebp };

// From the magic bytes: FF D8 FF, the PNG signature, RIFF....WEBP.
ImageFormat DetectFormat(std::span<const uint8_t> bytes);
std::string_view FormatName(ImageFormat format);

struct DecodeOptions {
  // Images declaring more pixels than this are refused (PayloadTooLarge)
  // before anything is allocated for them.
  int64_t max_pixels = 100'000'000;
  // An image with a side longer than this is resampled to this many pixels
  // square by nearest neighbour before hashing, as the reference hasher does
  // (it resizes to 512×512, whatever the aspect ratio). Keeping that step
  // makes our hashes equal the reference's on its own test images; 0 keeps
  // every pixel. Sampling happens row by row as the image decodes, so a
  // large JPEG or PNG never needs a full-size buffer.
  int resample_side = 512;
  // JPEG only: decode in the DCT domain at the smallest scale M/8 (M = 1..8)
  // that keeps both sides at least this long, skipping most of the inverse
  // DCT and colour conversion of large photographs (about 1.5× faster on a
  // 12-megapixel baseline JPEG; progressive files gain little, their time
  // goes to entropy decoding); 0 decodes at full size. The resampling above
  // then picks from the smaller image, which moves a hash by a few bits:
  // at 1024 the vector images (1600×1004 at most) are untouched and hash
  // exactly as the reference does; bench/pdq/RESULTS.md measures the rest.
  int jpeg_min_side = 1024;
};

// The image as the hasher sees it: resampled per DecodeOptions.
struct LumaImage {
  int width = 0;
  int height = 0;
  std::vector<float> pixels;  // width × height, row by row, values 0-255
  LumaView view() const { return {pixels, width, height}; }
};

// The luma of a packed RGB24 picture (`row_stride` bytes from one row to the
// next, at least 3 × width), by the same formula as the decoders above, into
// `out` (resized; its buffer is reused). For video frames, which are hashed
// at full size as Meta's vPDQ does. `rgb` must hold height rows.
void LumaFromRgb24(std::span<const uint8_t> rgb, int width, int height, size_t row_stride, LumaImage& out);

// InvalidArgument for an unknown format or a corrupt, truncated or
// unsupported file; PayloadTooLarge above options.max_pixels.
Result<LumaImage> DecodeLuma(std::span<const uint8_t> bytes, const DecodeOptions& options = {});

// DecodeLuma then HashLuma.
Result<PdqResult> HashImage(std::span<const uint8_t> bytes, const DecodeOptions& options = {});

}  // namespace exchange::pdq
