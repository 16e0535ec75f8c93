// SPDX-License-Identifier: Apache-2.0
// PDQ, Meta's 256-bit perceptual image hash, computed from a luminance image.
// Written here from the published description of the algorithm (PDQ's
// hashing document in facebook/ThreatExchange):
//
//   1. luminance Y = 0.299 R + 0.587 G + 0.114 B (the decoders in image.h);
//   2. two passes of a Jarosz box filter along rows then columns (a tent
//      blur), each window ceil(dimension / 128) pixels;
//   3. decimation to 64×64 by sampling the centre of each cell;
//   4. quality: the summed absolute differences of neighbouring pixels of the
//      64×64 image, in percent of full scale, / 90, capped at 100;
//   5. a two-dimensional DCT keeping the 16×16 lowest frequencies without the
//      DC row and column (a 16×64 matrix applied on both sides);
//   6. one bit per coefficient: set when above the median of the 256.
//
// The eight dihedral variants (rotations and mirrors of the image) come from
// the same DCT output: mirroring an axis negates the coefficients of odd
// order along it, and a transpose transposes the coefficient matrix, so no
// second image pass is needed.
//
// Bit order: the hash prints as 64 hex digits, exactly as the reference
// hasher and ThreatExchange print it; PdqHash holds those digits' bytes.
//
// Pure functions; thread-safe. Each call allocates its own work buffers
// (two floats per input pixel).
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "common/status.h"
#include "signals/match.h"

namespace exchange::pdq {

using signals::PdqHash;

struct PdqResult {
  PdqHash hash{};
  // 0-100. Below kMinUsefulQuality the image is too flat for its hash to
  // mean much (the reference recommends not matching on such hashes).
  int quality = 0;
};

inline constexpr int kMinUsefulQuality = 50;

// The eight symmetries of a rectangle, named as in the reference hasher and
// the ThreatExchange test images. Each says how the transformed image T is
// obtained from the original O (W×H pixels, x to the right, y downwards):
enum class Dihedral {
  kOriginal = 0,    // T = O
  kRotate90 = 1,    // O turned 90° anticlockwise: T(x, y) = O(W-1-y, x)
  kRotate180 = 2,   // T(x, y) = O(W-1-x, H-1-y)
  kRotate270 = 3,   // O turned 90° clockwise: T(x, y) = O(y, H-1-x)
  kFlipX = 4,       // upside down (mirrored about the horizontal axis): T(x, y) = O(x, H-1-y)
  kFlipY = 5,       // left-right mirror (about the vertical axis): T(x, y) = O(W-1-x, y)
  kFlipPlus1 = 6,   // transpose (mirror about the main diagonal): T(x, y) = O(y, x)
  kFlipMinus1 = 7,  // anti-transpose (about the other diagonal): T(x, y) = O(W-1-y, H-1-x)
};
inline constexpr int kDihedralCount = 8;

// A luminance image: `pixels` holds width × height values in [0, 255], row
// by row from the top. Borrowed for the duration of a call.
struct LumaView {
  std::span<const float> pixels;
  int width = 0;
  int height = 0;
};

// InvalidArgument when a dimension is < 1 or pixels.size() != width × height.
Result<PdqResult> HashLuma(const LumaView& image);

// All eight variants, indexed by Dihedral; each equals (up to float rounding
// on a few coefficients at the median) HashLuma of the transformed image.
// Every entry has the same quality.
Result<std::array<PdqResult, kDihedralCount>> HashLumaDihedral(const LumaView& image);

}  // namespace exchange::pdq
