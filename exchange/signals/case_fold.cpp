#include "signals/case_fold.h"

#include <algorithm>
#include <cstdint>

namespace exchange::signals {
namespace {

// Which code points of a range fold: all of them by `delta`, or (for the
// alternating upper/lower pairs of Latin Extended-A, Greek and Cyrillic) only
// the even or only the odd ones, to the next code point.
enum class Step : uint8_t { kAll, kEven, kOdd };

struct FoldRange {
  char32_t first;
  char32_t last;
  int32_t delta;
  Step step;
};

// Sorted by `first`, non-overlapping; transcribed from CaseFolding.txt.
constexpr FoldRange kFoldRanges[] = {
    {0x0041, 0x005A, 0x20, Step::kAll},     // A-Z
    {0x00B5, 0x00B5, 0x0307, Step::kAll},   // µ -> μ
    {0x00C0, 0x00D6, 0x20, Step::kAll},     // À-Ö
    {0x00D8, 0x00DE, 0x20, Step::kAll},     // Ø-Þ
    {0x0100, 0x012F, 1, Step::kEven},       // Ā-į
    {0x0132, 0x0137, 1, Step::kEven},       // Ĳ-ķ
    {0x0139, 0x0148, 1, Step::kOdd},        // Ĺ-ň
    {0x014A, 0x0177, 1, Step::kEven},       // Ŋ-ŷ
    {0x0178, 0x0178, -0x79, Step::kAll},    // Ÿ -> ÿ
    {0x0179, 0x017E, 1, Step::kOdd},        // Ź-ž
    {0x017F, 0x017F, -0x10C, Step::kAll},   // ſ -> s
    {0x0370, 0x0373, 1, Step::kEven},       // Ͱ-ͳ
    {0x0376, 0x0376, 1, Step::kAll},        // Ͷ
    {0x037F, 0x037F, 0x74, Step::kAll},     // Ϳ -> ϳ
    {0x0386, 0x0386, 0x26, Step::kAll},     // Ά
    {0x0388, 0x038A, 0x25, Step::kAll},     // Έ-Ί
    {0x038C, 0x038C, 0x40, Step::kAll},     // Ό
    {0x038E, 0x038F, 0x3F, Step::kAll},     // Ύ-Ώ
    {0x0391, 0x03A1, 0x20, Step::kAll},     // Α-Ρ
    {0x03A3, 0x03AB, 0x20, Step::kAll},     // Σ-Ϋ
    {0x03C2, 0x03C2, 1, Step::kAll},        // ς -> σ
    {0x03CF, 0x03CF, 8, Step::kAll},        // Ϗ -> ϗ
    {0x03D0, 0x03D0, -0x1E, Step::kAll},    // ϐ -> β
    {0x03D1, 0x03D1, -0x19, Step::kAll},    // ϑ -> θ
    {0x03D5, 0x03D5, -0x0F, Step::kAll},    // ϕ -> φ
    {0x03D6, 0x03D6, -0x16, Step::kAll},    // ϖ -> π
    {0x03D8, 0x03EF, 1, Step::kEven},       // Ϙ-ϯ
    {0x03F0, 0x03F0, -0x36, Step::kAll},    // ϰ -> κ
    {0x03F1, 0x03F1, -0x30, Step::kAll},    // ϱ -> ρ
    {0x03F4, 0x03F4, -0x3C, Step::kAll},    // ϴ -> θ
    {0x03F5, 0x03F5, -0x40, Step::kAll},    // ϵ -> ε
    {0x03F7, 0x03F7, 1, Step::kAll},        // Ϸ
    {0x03F9, 0x03F9, -7, Step::kAll},       // Ϲ -> ϲ
    {0x03FA, 0x03FA, 1, Step::kAll},        // Ϻ
    {0x03FD, 0x03FF, -0x82, Step::kAll},    // Ͻ-Ͽ -> ͻ-ͽ
    {0x0400, 0x040F, 0x50, Step::kAll},     // Ѐ-Џ
    {0x0410, 0x042F, 0x20, Step::kAll},     // А-Я
    {0x0460, 0x0481, 1, Step::kEven},       // Ѡ-ҁ
    {0x048A, 0x04BF, 1, Step::kEven},       // Ҋ-ҿ
    {0x04C0, 0x04C0, 0x0F, Step::kAll},     // Ӏ -> ӏ
    {0x04C1, 0x04CE, 1, Step::kOdd},        // Ӂ-ӎ
    {0x04D0, 0x052F, 1, Step::kEven},       // Ӑ-ԯ
    {0x2126, 0x2126, -0x1D5D, Step::kAll},  // Ω (ohm) -> ω
    {0x212A, 0x212A, -0x20BF, Step::kAll},  // K (kelvin) -> k
    {0x212B, 0x212B, -0x2046, Step::kAll},  // Å (angstrom) -> å
};

}  // namespace

char32_t SimpleCaseFold(char32_t c) {
  const FoldRange* range = std::upper_bound(std::begin(kFoldRanges), std::end(kFoldRanges), c,
                                            [](char32_t value, const FoldRange& r) { return value < r.first; });
  if (range == std::begin(kFoldRanges)) return c;
  --range;
  if (c > range->last) return c;
  if (range->step == Step::kEven && c % 2 != 0) return c;
  if (range->step == Step::kOdd && c % 2 == 0) return c;
  return static_cast<char32_t>(static_cast<int32_t>(c) + range->delta);
}

std::u32string SimpleCaseFold(std::u32string_view text) {
  std::u32string out(text);
  for (char32_t& c : out) c = SimpleCaseFold(c);
  return out;
}

}  // namespace exchange::signals
