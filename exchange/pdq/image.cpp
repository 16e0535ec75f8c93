// SPDX-License-Identifier: Apache-2.0
#include "pdq/image.h"

#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <new>
#include <optional>
#include <string>

// jpeglib.h needs stdio.h and stddef.h first, and jerror.h needs jpeglib.h.
// clang-format off
#include <cstddef>
#include <jpeglib.h>
#include <jerror.h>
// clang-format on
#include <png.h>
#include <webp/decode.h>

namespace exchange::pdq {
namespace {

// Coefficients of ITU-R BT.601 luma, as PDQ specifies.
constexpr float kLumaR = 0.299f, kLumaG = 0.587f, kLumaB = 0.114f;

float Luma(uint8_t r, uint8_t g, uint8_t b) { return kLumaR * r + kLumaG * g + kLumaB * b; }

Status TooLarge(int64_t width, int64_t height, int64_t limit) {
  return Status::PayloadTooLarge("image is " + std::to_string(width) + "×" + std::to_string(height) +
                                 " pixels, more than the limit of " + std::to_string(limit));
}

bool TooManyPixels(int64_t width, int64_t height, const DecodeOptions& options) {
  return width * height > options.max_pixels;
}

// Receives a decoded image row by row and keeps what the hasher will see:
// every pixel, or, when a side exceeds options.resample_side, the nearest-
// neighbour samples of a resample_side-square grid (source pixel
// floor(i × side / resample_side), as the reference's resize picks). Only
// the pixels kept are converted to luma.
class LumaSampler {
 public:
  LumaSampler(int width, int height, const DecodeOptions& options, LumaImage& out) : out_(out) {
    const int side = options.resample_side;
    const bool resample = side > 0 && (width > side || height > side);
    out_.width = resample ? side : width;
    out_.height = resample ? side : height;
    out_.pixels.assign(static_cast<size_t>(out_.width) * static_cast<size_t>(out_.height), 0.0f);
    columns_.resize(static_cast<size_t>(out_.width));
    rows_.resize(static_cast<size_t>(out_.height));
    for (int i = 0; i < out_.width; ++i) columns_[i] = static_cast<int>(int64_t{i} * width / out_.width);
    for (int i = 0; i < out_.height; ++i) rows_[i] = static_cast<int>(int64_t{i} * height / out_.height);
  }

  // Whether source row y is kept; rows arrive in order 0, 1, ...
  bool Wants(int y) const { return next_ < rows_.size() && rows_[next_] == y; }

  // luma_of(x) is the luma of pixel x of source row y.
  template <typename LumaOf>
  void Add(int y, LumaOf luma_of) {
    for (; Wants(y); ++next_) {
      float* out = out_.pixels.data() + next_ * static_cast<size_t>(out_.width);
      for (size_t i = 0; i < columns_.size(); ++i) out[i] = luma_of(columns_[i]);
    }
  }

 private:
  LumaImage& out_;
  std::vector<int> columns_, rows_;  // source column and row of each output pixel
  size_t next_ = 0;                  // next output row to fill
};

// What a decoder's job holds besides its library's state: the input, the
// options, the image being filled and the sampler filling it, and whether the
// image was refused for its size.
struct DecodeJob {
  DecodeJob(std::span<const uint8_t> input, const DecodeOptions& decode_options, LumaImage& image)
      : bytes(input), options(&decode_options), out(&image) {}

  std::span<const uint8_t> bytes;
  const DecodeOptions* options;
  LumaImage* out;
  std::optional<LumaSampler> sampler;
  bool too_large = false;
};

// ---------------------------------------------------------------------------
// JPEG
//
// libjpeg reports fatal errors by calling error_exit, which must not return.
// Ours longjmps back to RunJpeg. The rules that make that safe in C++: every
// frame between RunJpeg and error_exit is libjpeg's C code or our plain
// callbacks, RunJpeg creates no object with a destructor after setjmp, and
// whatever it needs afterwards lives in the JpegJob its caller owns.

// Progressive files can hold any number of scans, each a full pass over the
// coefficients; a hostile file with thousands costs minutes. Real encoders
// write about ten.
constexpr int kMaxJpegScans = 1000;

struct JpegJob : DecodeJob {
  using DecodeJob::DecodeJob;

  jpeg_decompress_struct cinfo{};
  jpeg_error_mgr error{};
  jpeg_progress_mgr progress{};
  std::jmp_buf jump{};
  bool created = false;
  char message[JMSG_LENGTH_MAX] = {};
  std::vector<uint8_t> row;
};

JpegJob& JobOf(j_common_ptr cinfo) { return *static_cast<JpegJob*>(cinfo->client_data); }

[[noreturn]] void OnJpegError(j_common_ptr cinfo) {
  JpegJob& job = JobOf(cinfo);
  (*cinfo->err->format_message)(cinfo, job.message);
  std::longjmp(job.jump, 1);
}

// Warnings (level -1) that mean the picture is incomplete or garbled: libjpeg
// would carry on and fill the rest with grey, which would hash as a
// different image. Other warnings (extraneous bytes between markers, unknown
// JFIF revisions, bad ICC profiles) do not touch the pixels.
void OnJpegMessage(j_common_ptr cinfo, int level) {
  if (level >= 0) return;  // trace output
  switch (cinfo->err->msg_code) {
    case JWRN_JPEG_EOF:
    case JWRN_HIT_MARKER:
    case JWRN_MUST_RESYNC:
    case JWRN_HUFF_BAD_CODE:
    case JWRN_ARITH_BAD_CODE:
    case JWRN_BOGUS_PROGRESSION: OnJpegError(cinfo);
    default: cinfo->err->num_warnings++;
  }
}

void OnJpegProgress(j_common_ptr cinfo) {
  auto* d = reinterpret_cast<j_decompress_ptr>(cinfo);
  if (d->input_scan_number > kMaxJpegScans) {
    JpegJob& job = JobOf(cinfo);
    std::snprintf(job.message, sizeof job.message, "more than %d progressive scans", kMaxJpegScans);
    std::longjmp(job.jump, 1);
  }
}

// The smallest M/8 (M = 1..8) keeping both sides at least min_side.
int JpegScaleNumerator(JDIMENSION width, JDIMENSION height, int min_side) {
  if (min_side <= 0) return 8;
  for (int m = 1; m < 8; ++m) {
    const auto scaled = [m](JDIMENSION side) { return (static_cast<int64_t>(side) * m + 7) / 8; };
    if (scaled(width) >= min_side && scaled(height) >= min_side) return m;
  }
  return 8;
}

// Returns true with *job.out filled, or false with job.message (or
// job.too_large) set. See the note above about setjmp.
bool RunJpeg(JpegJob& job) {
  j_decompress_ptr cinfo = &job.cinfo;
  if (setjmp(job.jump)) return false;
  cinfo->err = jpeg_std_error(&job.error);
  job.error.error_exit = OnJpegError;
  job.error.emit_message = OnJpegMessage;
  cinfo->client_data = &job;  // kept by jpeg_create_decompress
  jpeg_create_decompress(cinfo);
  job.created = true;
  job.progress.progress_monitor = OnJpegProgress;
  cinfo->progress = &job.progress;
  jpeg_mem_src(cinfo, job.bytes.data(), static_cast<unsigned long>(job.bytes.size()));
  jpeg_read_header(cinfo, TRUE);
  if (TooManyPixels(cinfo->image_width, cinfo->image_height, *job.options)) {
    job.too_large = true;
    return false;
  }
  const bool cmyk = cinfo->jpeg_color_space == JCS_CMYK || cinfo->jpeg_color_space == JCS_YCCK;
  const bool grey = cinfo->jpeg_color_space == JCS_GRAYSCALE;
  cinfo->out_color_space = cmyk ? JCS_CMYK : grey ? JCS_GRAYSCALE : JCS_RGB;
  cinfo->scale_num =
      static_cast<unsigned>(JpegScaleNumerator(cinfo->image_width, cinfo->image_height, job.options->jpeg_min_side));
  cinfo->scale_denom = 8;
  jpeg_start_decompress(cinfo);

  const auto width = static_cast<int>(cinfo->output_width);
  job.sampler.emplace(width, static_cast<int>(cinfo->output_height), *job.options, *job.out);
  job.row.resize(static_cast<size_t>(width) * static_cast<size_t>(cinfo->output_components));
  // Adobe's encoders store CMYK inverted (0 = full ink) and say so in APP14.
  const bool inverted = cinfo->saw_Adobe_marker;
  while (cinfo->output_scanline < cinfo->output_height) {
    JSAMPROW rows[1] = {job.row.data()};
    const auto y = static_cast<int>(cinfo->output_scanline);
    jpeg_read_scanlines(cinfo, rows, 1);
    if (!job.sampler->Wants(y)) continue;
    const uint8_t* in = job.row.data();
    if (grey) {
      job.sampler->Add(y, [in](int x) { return static_cast<float>(in[x]); });
    } else if (!cmyk) {
      job.sampler->Add(y, [in](int x) { return Luma(in[3 * x], in[3 * x + 1], in[3 * x + 2]); });
    } else {
      job.sampler->Add(y, [in, inverted](int x) {
        const uint8_t* p = in + 4 * x;
        auto paper = [inverted](uint8_t v) { return inverted ? v : 255 - v; };  // 255 = no ink
        const int k = paper(p[3]);
        return Luma(static_cast<uint8_t>(paper(p[0]) * k / 255), static_cast<uint8_t>(paper(p[1]) * k / 255),
                    static_cast<uint8_t>(paper(p[2]) * k / 255));
      });
    }
  }
  jpeg_finish_decompress(cinfo);
  return true;
}

Result<LumaImage> DecodeJpeg(std::span<const uint8_t> bytes, const DecodeOptions& options) {
  LumaImage image;
  JpegJob job(bytes, options, image);
  bool ok = false;
  try {
    ok = RunJpeg(job);
  } catch (const std::bad_alloc&) {
    std::snprintf(job.message, sizeof job.message, "out of memory");
  }
  const int64_t width = job.cinfo.image_width, height = job.cinfo.image_height;
  if (job.created) jpeg_destroy_decompress(&job.cinfo);
  if (job.too_large) return TooLarge(width, height, options.max_pixels);
  if (!ok) return Status::InvalidArgument(std::string("JPEG: ") + job.message);
  return image;
}

// ---------------------------------------------------------------------------
// PNG
//
// libpng's fatal errors longjmp to the setjmp in RunPng, under the same
// rules as for JPEG above.

struct PngJob : DecodeJob {
  using DecodeJob::DecodeJob;

  png_structp png = nullptr;
  png_infop info = nullptr;
  char message[200] = {};
  int64_t width = 0, height = 0;

  size_t offset = 0;
  std::vector<uint8_t> rows;
  std::vector<png_bytep> row_pointers;
};

[[noreturn]] void OnPngError(png_structp png, png_const_charp message) {
  auto* job = static_cast<PngJob*>(png_get_error_ptr(png));
  std::snprintf(job->message, sizeof job->message, "%s", message);
  png_longjmp(png, 1);
}

void OnPngWarning(png_structp, png_const_charp) {}  // e.g. a bad ancillary chunk, which libpng drops

void ReadPngBytes(png_structp png, png_bytep data, size_t length) {
  auto* job = static_cast<PngJob*>(png_get_io_ptr(png));
  if (job->bytes.size() - job->offset < length) png_error(png, "file is truncated");
  std::memcpy(data, job->bytes.data() + job->offset, length);
  job->offset += length;
}

void AddPngRow(LumaSampler& sampler, int y, const uint8_t* in, int channels) {
  if (channels <= 2) {  // grey, grey + alpha
    sampler.Add(y, [in, channels](int x) { return static_cast<float>(in[x * channels]); });
  } else {  // RGB, RGBA
    sampler.Add(y, [in, channels](int x) {
      const uint8_t* p = in + x * channels;
      return Luma(p[0], p[1], p[2]);
    });
  }
}

bool RunPng(PngJob& job) {
  if (setjmp(png_jmpbuf(job.png))) return false;
  png_set_read_fn(job.png, &job, ReadPngBytes);
  png_read_info(job.png, job.info);
  job.width = png_get_image_width(job.png, job.info);
  job.height = png_get_image_height(job.png, job.info);
  if (TooManyPixels(job.width, job.height, *job.options)) {
    job.too_large = true;
    return false;
  }
  const int color_type = png_get_color_type(job.png, job.info);
  const int bit_depth = png_get_bit_depth(job.png, job.info);
  if (color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(job.png);
  if (color_type == PNG_COLOR_TYPE_GRAY && bit_depth < 8) png_set_expand_gray_1_2_4_to_8(job.png);
  if (bit_depth == 16) png_set_scale_16(job.png);
  const int passes = png_set_interlace_handling(job.png);
  png_read_update_info(job.png, job.info);

  const int height = static_cast<int>(job.height);
  const int channels = png_get_channels(job.png, job.info);
  const size_t row_bytes = png_get_rowbytes(job.png, job.info);
  job.sampler.emplace(static_cast<int>(job.width), height, *job.options, *job.out);
  if (passes == 1) {  // row by row: one row of memory
    job.rows.resize(row_bytes);
    for (int y = 0; y < height; ++y) {
      png_read_row(job.png, job.rows.data(), nullptr);
      AddPngRow(*job.sampler, y, job.rows.data(), channels);
    }
  } else {  // Adam7 interlacing fills every row on each pass
    job.rows.resize(row_bytes * static_cast<size_t>(height));
    job.row_pointers.resize(static_cast<size_t>(height));
    for (int y = 0; y < height; ++y) job.row_pointers[y] = job.rows.data() + row_bytes * static_cast<size_t>(y);
    png_read_image(job.png, job.row_pointers.data());
    for (int y = 0; y < height; ++y) AddPngRow(*job.sampler, y, job.row_pointers[y], channels);
  }
  return true;
}

Result<LumaImage> DecodePng(std::span<const uint8_t> bytes, const DecodeOptions& options) {
  LumaImage image;
  PngJob job(bytes, options, image);
  job.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &job, OnPngError, OnPngWarning);
  if (job.png != nullptr) job.info = png_create_info_struct(job.png);
  if (job.info == nullptr) {
    png_destroy_read_struct(&job.png, nullptr, nullptr);
    return Status::Internal("PNG: cannot allocate the decoder");
  }
  bool ok = false;
  try {
    ok = RunPng(job);
  } catch (const std::bad_alloc&) {
    std::snprintf(job.message, sizeof job.message, "out of memory");
  }
  png_destroy_read_struct(&job.png, &job.info, nullptr);
  if (job.too_large) return TooLarge(job.width, job.height, options.max_pixels);
  if (!ok) return Status::InvalidArgument(std::string("PNG: ") + job.message);
  return image;
}

// ---------------------------------------------------------------------------
// WebP: libwebp reports errors as return values.

Result<LumaImage> DecodeWebp(std::span<const uint8_t> bytes, const DecodeOptions& options) {
  WebPBitstreamFeatures features;
  if (WebPGetFeatures(bytes.data(), bytes.size(), &features) != VP8_STATUS_OK) {
    return Status::InvalidArgument("WebP: corrupt or truncated header");
  }
  if (features.has_animation) return Status::InvalidArgument("WebP: animations are not supported");
  if (TooManyPixels(features.width, features.height, options)) {
    return TooLarge(features.width, features.height, options.max_pixels);
  }
  const auto width = static_cast<size_t>(features.width), height = static_cast<size_t>(features.height);
  std::vector<uint8_t> rgb(width * height * 3);
  if (WebPDecodeRGBInto(bytes.data(), bytes.size(), rgb.data(), rgb.size(), static_cast<int>(width * 3)) == nullptr) {
    return Status::InvalidArgument("WebP: corrupt or truncated image data");
  }
  LumaImage image;
  LumaSampler sampler(features.width, features.height, options, image);
  for (int y = 0; y < features.height; ++y) {
    const uint8_t* in = rgb.data() + static_cast<size_t>(y) * width * 3;
    sampler.Add(y, [in](int x) { return Luma(in[3 * x], in[3 * x + 1], in[3 * x + 2]); });
  }
  return image;
}

}  // namespace

ImageFormat DetectFormat(std::span<const uint8_t> bytes) {
  auto starts_with = [&bytes](size_t at, std::string_view magic) {
    return bytes.size() >= at + magic.size() && std::memcmp(bytes.data() + at, magic.data(), magic.size()) == 0;
  };
  if (starts_with(0, "\xFF\xD8\xFF")) return ImageFormat::kJpeg;
  if (starts_with(0, "\x89PNG\r\n\x1A\n")) return ImageFormat::kPng;
  if (starts_with(0, "RIFF") && starts_with(8, "WEBP")) return ImageFormat::kWebp;
  return ImageFormat::kUnknown;
}

std::string_view FormatName(ImageFormat format) {
  switch (format) {
    case ImageFormat::kJpeg: return "JPEG";
    case ImageFormat::kPng: return "PNG";
    case ImageFormat::kWebp: return "WebP";
    case ImageFormat::kUnknown: break;
  }
  return "unknown";
}

Result<LumaImage> DecodeLuma(std::span<const uint8_t> bytes, const DecodeOptions& options) {
  switch (DetectFormat(bytes)) {
    case ImageFormat::kJpeg: return DecodeJpeg(bytes, options);
    case ImageFormat::kPng: return DecodePng(bytes, options);
    case ImageFormat::kWebp: return DecodeWebp(bytes, options);
    case ImageFormat::kUnknown: break;
  }
  return Status::InvalidArgument("not a JPEG, PNG or WebP image");
}

Result<PdqResult> HashImage(std::span<const uint8_t> bytes, const DecodeOptions& options) {
  Result<LumaImage> image = DecodeLuma(bytes, options);
  if (!image.ok()) return image.status();
  return HashLuma(image->view());
}

void LumaFromRgb24(std::span<const uint8_t> rgb, int width, int height, size_t row_stride, LumaImage& out) {
  out.width = width;
  out.height = height;
  out.pixels.resize(static_cast<size_t>(width) * static_cast<size_t>(height));
  float* pixel = out.pixels.data();
  for (int y = 0; y < height; ++y) {
    const uint8_t* in = rgb.data() + static_cast<size_t>(y) * row_stride;
    for (int x = 0; x < width; ++x, in += 3) *pixel++ = Luma(in[0], in[1], in[2]);
  }
}

}  // namespace exchange::pdq
