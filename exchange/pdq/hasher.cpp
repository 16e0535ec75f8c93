// SPDX-License-Identifier: Apache-2.0
#include "pdq/hasher.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>
#include <vector>

namespace exchange::pdq {
namespace {

constexpr int kDecimated = 64;  // the blurred image is sampled to 64×64
constexpr int kCoeffs = 16;     // 16×16 DCT coefficients, DC excluded

using Matrix64 = std::array<std::array<float, kDecimated>, kDecimated>;
using Matrix16 = std::array<std::array<float, kCoeffs>, kCoeffs>;

// D[i][j] = sqrt(2/64) cos(pi/128 (i+1)(2j+1)): rows 1-16 of the orthonormal
// 64-point DCT-II; row 0 (the mean) carries no structure and is dropped.
const std::array<std::array<float, kDecimated>, kCoeffs>& DctMatrix() {
  static const auto matrix = [] {
    std::array<std::array<float, kDecimated>, kCoeffs> d{};
    const double scale = std::sqrt(2.0 / kDecimated);
    for (int i = 0; i < kCoeffs; ++i) {
      for (int j = 0; j < kDecimated; ++j) {
        d[i][j] = static_cast<float>(scale * std::cos(std::numbers::pi / 2 / kDecimated * (i + 1) * (2 * j + 1)));
      }
    }
    return d;
  }();
  return matrix;
}

// The window of the box filter: ceil(dimension / 128), so that two passes
// (a tent twice as wide) average over about one 64th of the image.
int WindowSize(int dimension) { return (dimension + 2 * kDecimated - 1) / (2 * kDecimated); }

// A centred running mean over `window` samples; near the ends the mean is over
// the samples that exist. Even windows reach one sample further right than
// left, as the reference's does. `count` ≥ window ≥ 1.
//
// Samples are `stride` apart; `lanes` independent sequences sit side by side
// at consecutive addresses (lanes = 1 filters one row; lanes = width filters
// every column at once, reading memory in order instead of striding down
// each column). Each lane's arithmetic is the same sequence either way.
void BoxFilter(const float* in, float* out, int count, size_t stride, int lanes, int window, float* sums) {
  const int half = (window + 2) / 2;  // samples summed before the first output
  std::fill(sums, sums + lanes, 0.0f);
  int size = 0;
  size_t read = 0, drop = 0, write = 0;
  for (int i = 0; i < half - 1; ++i, read += stride, ++size) {
    for (int l = 0; l < lanes; ++l) sums[l] += in[read + l];
  }
  for (int i = 0; i < window - half + 1; ++i, read += stride, write += stride) {
    ++size;
    for (int l = 0; l < lanes; ++l) {
      sums[l] += in[read + l];
      out[write + l] = sums[l] / static_cast<float>(size);
    }
  }
  for (int i = 0; i < count - window; ++i, read += stride, drop += stride, write += stride) {
    for (int l = 0; l < lanes; ++l) {
      sums[l] += in[read + l];
      sums[l] -= in[drop + l];
      out[write + l] = sums[l] / static_cast<float>(size);
    }
  }
  for (int i = 0; i < half - 1; ++i, drop += stride, write += stride) {
    --size;
    for (int l = 0; l < lanes; ++l) {
      sums[l] -= in[drop + l];
      out[write + l] = sums[l] / static_cast<float>(size);
    }
  }
}

// Blurs and samples `image` to 64×64.
void BlurAndDecimate(const LumaView& image, Matrix64& out) {
  const int w = image.width, h = image.height;
  const size_t n = static_cast<size_t>(w) * static_cast<size_t>(h);
  std::vector<float> a(image.pixels.begin(), image.pixels.end()), b(n);
  std::vector<float> sums(static_cast<size_t>(std::max(w, 1)));
  const int window_along_rows = WindowSize(w), window_along_cols = WindowSize(h);
  for (int pass = 0; pass < 2; ++pass) {
    for (int y = 0; y < h; ++y) {
      const size_t row = static_cast<size_t>(y) * static_cast<size_t>(w);
      BoxFilter(a.data() + row, b.data() + row, w, 1, 1, window_along_rows, sums.data());
    }
    BoxFilter(b.data(), a.data(), h, static_cast<size_t>(w), w, window_along_cols, sums.data());
  }
  for (int i = 0; i < kDecimated; ++i) {
    const auto y = static_cast<size_t>((i + 0.5) * h / kDecimated);
    for (int j = 0; j < kDecimated; ++j) {
      const auto x = static_cast<size_t>((j + 0.5) * w / kDecimated);
      out[i][j] = a[y * static_cast<size_t>(w) + x];
    }
  }
}

int Quality(const Matrix64& m) {
  int sum = 0;
  // Each difference in percent of full scale, truncated toward zero.
  auto step = [](float u, float v) { return std::abs(static_cast<int>((u - v) * 100 / 255)); };
  for (int i = 0; i + 1 < kDecimated; ++i) {
    for (int j = 0; j < kDecimated; ++j) sum += step(m[i][j], m[i + 1][j]);
  }
  for (int i = 0; i < kDecimated; ++i) {
    for (int j = 0; j + 1 < kDecimated; ++j) sum += step(m[i][j], m[i][j + 1]);
  }
  return std::min(sum / 90, 100);
}

// B = D A Dᵀ.
Matrix16 Dct(const Matrix64& a) {
  const auto& d = DctMatrix();
  std::array<std::array<float, kDecimated>, kCoeffs> t{};  // D A
  for (int i = 0; i < kCoeffs; ++i) {
    for (int k = 0; k < kDecimated; ++k) {
      const float dik = d[i][k];
      for (int j = 0; j < kDecimated; ++j) t[i][j] += dik * a[k][j];
    }
  }
  Matrix16 b{};
  for (int i = 0; i < kCoeffs; ++i) {
    for (int j = 0; j < kCoeffs; ++j) {
      float sum = 0;
      for (int k = 0; k < kDecimated; ++k) sum += t[i][k] * d[j][k];
      b[i][j] = sum;
    }
  }
  return b;
}

// One bit per coefficient above the median (the 128th smallest of 256).
// Coefficient (i, j) is bit 16 i + j of the reference's sixteen 16-bit words,
// printed most significant word first: word i is bytes 30 - 2i and 31 - 2i.
PdqHash ToBits(const Matrix16& b) {
  std::array<float, kCoeffs * kCoeffs> values{};
  for (int i = 0; i < kCoeffs; ++i) std::copy(b[i].begin(), b[i].end(), values.begin() + i * kCoeffs);
  auto nth = values.begin() + (values.size() / 2 - 1);
  std::nth_element(values.begin(), nth, values.end());
  const float median = *nth;
  PdqHash hash{};
  for (int i = 0; i < kCoeffs; ++i) {
    for (int j = 0; j < kCoeffs; ++j) {
      if (b[i][j] > median) hash[static_cast<size_t>(31 - 2 * i - j / 8)] |= static_cast<uint8_t>(1u << (j % 8));
    }
  }
  return hash;
}

// The DCT of the transformed image from the DCT of the original. Mirroring
// the image along one axis multiplies the coefficients of order u (row
// i = u - 1) by (-1)^u along that axis; swapping the axes transposes.
Matrix16 Transform(const Matrix16& b, Dihedral which) {
  auto odd = [](int i) { return i % 2 == 0; };  // i = u - 1: order u is odd
  Matrix16 out{};
  for (int i = 0; i < kCoeffs; ++i) {
    for (int j = 0; j < kCoeffs; ++j) {
      float v = b[i][j];
      switch (which) {
        case Dihedral::kOriginal: out[i][j] = v; break;
        case Dihedral::kFlipY: out[i][j] = odd(j) ? -v : v; break;
        case Dihedral::kFlipX: out[i][j] = odd(i) ? -v : v; break;
        case Dihedral::kRotate180: out[i][j] = odd(i) != odd(j) ? -v : v; break;
        case Dihedral::kFlipPlus1: out[j][i] = v; break;
        case Dihedral::kFlipMinus1: out[j][i] = odd(i) != odd(j) ? -v : v; break;
        case Dihedral::kRotate90: out[j][i] = odd(j) ? -v : v; break;
        case Dihedral::kRotate270: out[j][i] = odd(i) ? -v : v; break;
      }
    }
  }
  return out;
}

Status Validate(const LumaView& image) {
  if (image.width < 1 || image.height < 1) return Status::InvalidArgument("image has no pixels");
  if (image.pixels.size() != static_cast<size_t>(image.width) * static_cast<size_t>(image.height)) {
    return Status::InvalidArgument("luminance buffer holds " + std::to_string(image.pixels.size()) +
                                   " values, not width × height");
  }
  return Status::Ok();
}

}  // namespace

Result<PdqResult> HashLuma(const LumaView& image) {
  if (Status s = Validate(image); !s.ok()) return s;
  Matrix64 decimated;
  BlurAndDecimate(image, decimated);
  return PdqResult{ToBits(Dct(decimated)), Quality(decimated)};
}

Result<std::array<PdqResult, kDihedralCount>> HashLumaDihedral(const LumaView& image) {
  if (Status s = Validate(image); !s.ok()) return s;
  Matrix64 decimated;
  BlurAndDecimate(image, decimated);
  const Matrix16 dct = Dct(decimated);
  const int quality = Quality(decimated);
  std::array<PdqResult, kDihedralCount> out;
  for (int k = 0; k < kDihedralCount; ++k) out[k] = {ToBits(Transform(dct, static_cast<Dihedral>(k))), quality};
  return out;
}

}  // namespace exchange::pdq
