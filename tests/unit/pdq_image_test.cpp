// SPDX-License-Identifier: Apache-2.0
// Decoding for PDQ: every PNG and WebP colour type and JPEG colour space
// hashes as the pixels it holds (alpha ignored), large images are sampled
// as the reference samples them, and broken or oversized files are errors.
// The test images are encoded here with libpng, libwebp and libjpeg.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

// clang-format off
#include <cstddef>
#include <jpeglib.h>
// clang-format on
#include <png.h>
#include <webp/encode.h>
#include <zlib.h>

#include "jpeg_encoder.h"
#include "pdq/hasher.h"
#include "pdq/image.h"
#include "signals/match.h"

namespace {

using namespace exchange;
using namespace exchange::pdq;
using namespace exchange::signals;
using Bytes = std::vector<uint8_t>;
using exchange::testing::EncodeJpeg;

// An RGB test picture with structure at several scales and saturated colours.
struct Rgb {
  int width, height;
  Bytes pixels;  // RGB, row by row
};

Rgb Picture(int width, int height) {
  Rgb image{width, height, Bytes(static_cast<size_t>(width) * static_cast<size_t>(height) * 3)};
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      const double u = static_cast<double>(x) / width, v = static_cast<double>(y) / height;
      uint8_t* p = &image.pixels[(static_cast<size_t>(y) * static_cast<size_t>(width) + static_cast<size_t>(x)) * 3];
      p[0] = static_cast<uint8_t>(127.5 + 127 * std::sin(7 * u + 2 * v));
      p[1] = static_cast<uint8_t>(127.5 + 127 * std::cos(5 * v - 3 * u * u));
      p[2] = static_cast<uint8_t>((x * 15 / width + y * 15 / width) % 2 ? 220 : 30);  // 15 squares across
    }
  }
  return image;
}

float Luma(const uint8_t* p) { return 0.299f * p[0] + 0.587f * p[1] + 0.114f * p[2]; }

PdqHash HashOfRgb(const Rgb& image) {
  std::vector<float> luma(static_cast<size_t>(image.width) * static_cast<size_t>(image.height));
  for (size_t i = 0; i < luma.size(); ++i) luma[i] = Luma(&image.pixels[3 * i]);
  auto result = HashLuma({luma, image.width, image.height});
  REQUIRE(result.ok());
  return result->hash;
}

PdqHash HashOf(const Bytes& file, const DecodeOptions& options = {}) {
  auto result = HashImage(file, options);
  REQUIRE_MESSAGE(result.ok(), result.status().ToString());
  return result->hash;
}

// --- encoders ---------------------------------------------------------------

struct PngSpec {
  int color_type = PNG_COLOR_TYPE_RGB;
  int bit_depth = 8;
  bool interlaced = false;
};

// `rows` holds the samples exactly as PNG stores them for the spec.
Bytes EncodePng(int width, int height, const PngSpec& spec, const Bytes& rows,
                const std::vector<png_color>& palette = {}, const Bytes& palette_alpha = {}) {
  Bytes out;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png_create_info_struct(png);
  REQUIRE(info != nullptr);
  // Without a setjmp, a libpng error aborts the test run: fine for encoding.
  png_set_write_fn(
      png, &out,
      [](png_structp p, png_bytep data, size_t length) {
        auto* sink = static_cast<Bytes*>(png_get_io_ptr(p));
        sink->insert(sink->end(), data, data + length);
      },
      nullptr);
  png_set_IHDR(png, info, static_cast<png_uint_32>(width), static_cast<png_uint_32>(height), spec.bit_depth,
               spec.color_type, spec.interlaced ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  if (!palette.empty()) png_set_PLTE(png, info, palette.data(), static_cast<int>(palette.size()));
  if (!palette_alpha.empty()) {
    png_set_tRNS(png, info, palette_alpha.data(), static_cast<int>(palette_alpha.size()), nullptr);
  }
  png_write_info(png, info);
  const size_t row_bytes = rows.size() / static_cast<size_t>(height);
  std::vector<png_bytep> pointers;
  for (int y = 0; y < height; ++y) pointers.push_back(const_cast<png_bytep>(rows.data()) + row_bytes * y);
  png_write_image(png, pointers.data());
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return out;
}

Bytes Owned(uint8_t* data, size_t size) {
  Bytes out(data, data + size);
  WebPFree(data);
  return out;
}

Bytes WithAlpha(const Rgb& image, bool grey) {
  Bytes out;
  for (size_t i = 0; i < image.pixels.size() / 3; ++i) {
    const uint8_t* p = &image.pixels[3 * i];
    if (grey) {
      out.push_back(static_cast<uint8_t>(Luma(p) + 0.5f));
    } else {
      out.insert(out.end(), p, p + 3);
    }
    out.push_back(static_cast<uint8_t>(i * 37 % 256));  // all sorts of transparency
  }
  return out;
}

Bytes Grey(const Rgb& image) {
  Bytes out;
  for (size_t i = 0; i < image.pixels.size() / 3; ++i)
    out.push_back(static_cast<uint8_t>(Luma(&image.pixels[3 * i]) + 0.5f));
  return out;
}

PdqHash HashOfGrey(const Bytes& grey, int width, int height) {
  std::vector<float> luma(grey.begin(), grey.end());
  auto result = HashLuma({luma, width, height});
  REQUIRE(result.ok());
  return result->hash;
}

constexpr int kW = 240, kH = 180;

// --- PNG --------------------------------------------------------------------

TEST_CASE("PNG: RGB, RGBA, 16-bit and interlaced files hash exactly as their pixels") {
  const Rgb picture = Picture(kW, kH);
  const PdqHash expected = HashOfRgb(picture);
  CHECK(HashOf(EncodePng(kW, kH, {}, picture.pixels)) == expected);
  CHECK(HashOf(EncodePng(kW, kH, {PNG_COLOR_TYPE_RGB, 8, true}, picture.pixels)) == expected);
  // Alpha is ignored: the colour channels hash as stored.
  CHECK(HashOf(EncodePng(kW, kH, {PNG_COLOR_TYPE_RGB_ALPHA, 8, false}, WithAlpha(picture, false))) == expected);
  CHECK(HashOf(EncodePng(kW, kH, {PNG_COLOR_TYPE_RGB_ALPHA, 8, true}, WithAlpha(picture, false))) == expected);
  Bytes sixteen;  // v × 257 scales back to v exactly
  for (uint8_t v : picture.pixels) sixteen.insert(sixteen.end(), {v, v});
  CHECK(HashOf(EncodePng(kW, kH, {PNG_COLOR_TYPE_RGB, 16, false}, sixteen)) == expected);
}

TEST_CASE("PNG: greyscale at 1, 8 and 16 bits, with and without alpha") {
  const Rgb picture = Picture(kW, kH);
  const Bytes grey = Grey(picture);
  const PdqHash expected = HashOfGrey(grey, kW, kH);
  CHECK(HashOf(EncodePng(kW, kH, {PNG_COLOR_TYPE_GRAY, 8, false}, grey)) == expected);
  CHECK(HashOf(EncodePng(kW, kH, {PNG_COLOR_TYPE_GRAY_ALPHA, 8, false}, WithAlpha(picture, true))) == expected);
  Bytes sixteen;
  for (uint8_t v : grey) sixteen.insert(sixteen.end(), {v, v});
  CHECK(HashOf(EncodePng(kW, kH, {PNG_COLOR_TYPE_GRAY, 16, false}, sixteen)) == expected);

  // 1 bit per pixel, packed: black and white.
  Bytes bilevel(static_cast<size_t>((kW + 7) / 8) * kH, 0);
  Bytes bilevel_grey;
  for (int y = 0; y < kH; ++y) {
    for (int x = 0; x < kW; ++x) {
      const bool white = grey[static_cast<size_t>(y) * kW + static_cast<size_t>(x)] > 128;
      if (white) bilevel[static_cast<size_t>(y) * ((kW + 7) / 8) + static_cast<size_t>(x / 8)] |= 0x80 >> (x % 8);
      bilevel_grey.push_back(white ? 255 : 0);
    }
  }
  CHECK(HashOf(EncodePng(kW, kH, {PNG_COLOR_TYPE_GRAY, 1, false}, bilevel)) == HashOfGrey(bilevel_grey, kW, kH));
}

TEST_CASE("PNG: palette images, with and without transparency, hash as their colours") {
  const Rgb picture = Picture(kW, kH);
  // Quantise to 6 levels per channel (216 colours).
  std::vector<png_color> palette;
  for (int r = 0; r < 6; ++r) {
    for (int g = 0; g < 6; ++g) {
      for (int b = 0; b < 6; ++b) {
        palette.push_back(
            {static_cast<png_byte>(r * 51), static_cast<png_byte>(g * 51), static_cast<png_byte>(b * 51)});
      }
    }
  }
  Rgb quantised{kW, kH, {}};
  Bytes indices;
  for (size_t i = 0; i < picture.pixels.size(); i += 3) {
    int index = 0;
    for (int c = 0; c < 3; ++c) {
      const int level = (picture.pixels[i + static_cast<size_t>(c)] + 25) / 51;
      index = index * 6 + level;
      quantised.pixels.push_back(static_cast<uint8_t>(level * 51));
    }
    indices.push_back(static_cast<uint8_t>(index));
  }
  const PdqHash expected = HashOfRgb(quantised);
  CHECK(HashOf(EncodePng(kW, kH, {PNG_COLOR_TYPE_PALETTE, 8, false}, indices, palette)) == expected);
  Bytes alpha(palette.size());
  for (size_t i = 0; i < alpha.size(); ++i) alpha[i] = static_cast<uint8_t>(i * 5);
  CHECK(HashOf(EncodePng(kW, kH, {PNG_COLOR_TYPE_PALETTE, 8, false}, indices, palette, alpha)) == expected);
}

TEST_CASE("PNG: a large image is sampled to 512×512 by nearest neighbour, row by row") {
  const int w = 1300, h = 700;
  const Rgb picture = Picture(w, h);
  auto decoded = DecodeLuma(EncodePng(w, h, {}, picture.pixels));
  REQUIRE(decoded.ok());
  CHECK(decoded->width == 512);
  CHECK(decoded->height == 512);
  // Output (i, j) is source (floor(j·w/512), floor(i·h/512)).
  for (int i : {0, 1, 200, 511}) {
    for (int j : {0, 3, 300, 511}) {
      const size_t source = static_cast<size_t>(i * h / 512) * w + static_cast<size_t>(j * w / 512);
      CHECK(decoded->pixels[static_cast<size_t>(i) * 512 + static_cast<size_t>(j)] ==
            doctest::Approx(Luma(&picture.pixels[3 * source])));
    }
  }
  DecodeOptions keep;
  keep.resample_side = 0;
  auto full = DecodeLuma(EncodePng(w, h, {}, picture.pixels), keep);
  REQUIRE(full.ok());
  CHECK(full->width == w);
  CHECK(full->height == h);
}

TEST_CASE("PNG: truncated, corrupt and oversized files are errors") {
  const Rgb picture = Picture(kW, kH);
  const Bytes png = EncodePng(kW, kH, {}, picture.pixels);
  for (size_t length : {size_t{8}, size_t{20}, size_t{40}, png.size() / 2, png.size() - 20}) {
    auto result = HashImage(Bytes(png.begin(), png.begin() + static_cast<ptrdiff_t>(length)));
    CHECK_MESSAGE(!result.ok(), "PNG cut at " << length << " bytes hashed");
  }
  Bytes corrupt = png;
  corrupt[png.size() / 2] ^= 0x55;  // inside the compressed data: the chunk CRC no longer matches
  CHECK(!HashImage(corrupt).ok());

  // IHDR claiming 100000 × 100000 pixels, with a correct CRC.
  Bytes huge = png;
  auto put32 = [&huge](size_t at, uint32_t v) {
    for (int k = 0; k < 4; ++k) huge[at + static_cast<size_t>(k)] = static_cast<uint8_t>(v >> (24 - 8 * k));
  };
  put32(16, 100000);
  put32(20, 100000);
  put32(29, static_cast<uint32_t>(crc32(0, huge.data() + 12, 17)));  // over "IHDR" and its 13 bytes
  auto result = HashImage(huge);
  REQUIRE(!result.ok());
  CHECK(result.status().code() == ErrorCode::kPayloadTooLarge);
}

// --- WebP -------------------------------------------------------------------

TEST_CASE("WebP: lossless files hash exactly as their pixels, alpha ignored; lossy ones nearly") {
  const Rgb picture = Picture(kW, kH);
  const PdqHash expected = HashOfRgb(picture);
  uint8_t* data = nullptr;
  size_t size = WebPEncodeLosslessRGB(picture.pixels.data(), kW, kH, kW * 3, &data);
  REQUIRE(size > 0);
  CHECK(HashOf(Owned(data, size)) == expected);

  // Lossless keeps the colour of transparent pixels only when asked to.
  const Bytes rgba = WithAlpha(picture, false);
  WebPConfig config;
  REQUIRE(WebPConfigInit(&config));
  config.lossless = 1;
  config.exact = 1;
  WebPPicture pic;
  REQUIRE(WebPPictureInit(&pic));
  pic.use_argb = 1;
  pic.width = kW;
  pic.height = kH;
  REQUIRE(WebPPictureImportRGBA(&pic, rgba.data(), kW * 4));
  WebPMemoryWriter writer;
  WebPMemoryWriterInit(&writer);
  pic.writer = WebPMemoryWrite;
  pic.custom_ptr = &writer;
  REQUIRE(WebPEncode(&config, &pic));
  WebPPictureFree(&pic);
  CHECK(HashOf(Owned(writer.mem, writer.size)) == expected);

  size = WebPEncodeRGB(picture.pixels.data(), kW, kH, kW * 3, 95, &data);
  REQUIRE(size > 0);
  const Bytes lossy = Owned(data, size);
  CHECK(HammingDistance256(HashOf(lossy), expected) <= 10);

  for (size_t length : {size_t{12}, size_t{30}, lossy.size() / 2}) {
    CHECK(!HashImage(Bytes(lossy.begin(), lossy.begin() + static_cast<ptrdiff_t>(length))).ok());
  }
  DecodeOptions small;
  small.max_pixels = kW * kH - 1;
  auto limited = HashImage(lossy, small);
  REQUIRE(!limited.ok());
  CHECK(limited.status().code() == ErrorCode::kPayloadTooLarge);
}

TEST_CASE("WebP: animations are refused with a clear error") {
  // RIFF header and a VP8X chunk whose flags say "animation".
  Bytes animated = {'R', 'I', 'F', 'F', 22, 0,    0, 0, 'W', 'E', 'B', 'P', 'V', 'P', '8',
                    'X', 10,  0,   0,   0,  0x02, 0, 0, 0,   99,  0,   0,   99,  0,   0};
  auto result = HashImage(animated);
  REQUIRE(!result.ok());
  CHECK(result.status().message().find("animation") != std::string::npos);
}

// --- JPEG colour spaces -----------------------------------------------------

TEST_CASE("JPEG: greyscale, RGB and Adobe CMYK files hash like their pixels") {
  const Rgb picture = Picture(kW, kH);
  const PdqHash expected = HashOfRgb(picture);
  CHECK(HammingDistance256(HashOf(EncodeJpeg(kW, kH, 3, JCS_RGB, picture.pixels, 95)), expected) <= 10);

  const Bytes grey = Grey(picture);
  CHECK(HammingDistance256(HashOf(EncodeJpeg(kW, kH, 1, JCS_GRAYSCALE, grey, 95)), HashOfGrey(grey, kW, kH)) <= 10);

  // Adobe CMYK stores 255 - ink. With no black ink, the stored C, M, Y of a
  // colour are its R, G, B.
  Bytes cmyk;
  for (size_t i = 0; i < picture.pixels.size(); i += 3) {
    cmyk.insert(cmyk.end(), {picture.pixels[i], picture.pixels[i + 1], picture.pixels[i + 2], 255});
  }
  const Bytes file = EncodeJpeg(kW, kH, 4, JCS_CMYK, cmyk, 95);
  CHECK(HammingDistance256(HashOf(file), expected) <= 10);
}

TEST_CASE("JPEG: scaled decoding of a large photograph stays near the full-size hash") {
  const int w = 2400, h = 1800;
  const Bytes file = EncodeJpeg(w, h, 3, JCS_RGB, Picture(w, h).pixels, 90);
  DecodeOptions full;
  full.jpeg_min_side = 0;
  const int distance = HammingDistance256(HashOf(file), HashOf(file, full));
  MESSAGE("scaled vs full-size decoding: ", distance, " bits");
  CHECK(distance <= 10);
}

}  // namespace
