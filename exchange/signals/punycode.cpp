#include "signals/punycode.h"

#include <cstdint>
#include <limits>

namespace exchange::signals {
namespace {

// RFC 3492 §5.
constexpr uint32_t kBase = 36;
constexpr uint32_t kTMin = 1;
constexpr uint32_t kTMax = 26;
constexpr uint32_t kSkew = 38;
constexpr uint32_t kDamp = 700;
constexpr uint32_t kInitialBias = 72;
constexpr uint32_t kInitialN = 0x80;
constexpr uint32_t kMaxValue = std::numeric_limits<uint32_t>::max();

char EncodeDigit(uint32_t d) { return static_cast<char>(d < 26 ? 'a' + d : '0' + (d - 26)); }

// §6.1.
uint32_t Adapt(uint32_t delta, uint32_t num_points, bool first_time) {
  delta = first_time ? delta / kDamp : delta / 2;
  delta += delta / num_points;
  uint32_t k = 0;
  while (delta > ((kBase - kTMin) * kTMax) / 2) {
    delta /= kBase - kTMin;
    k += kBase;
  }
  return k + (kBase - kTMin + 1) * delta / (delta + kSkew);
}

}  // namespace

Result<std::string> PunycodeEncode(std::u32string_view code_points) {
  auto overflow = [] { return Status::InvalidArgument("punycode: input too long to encode"); };
  if (code_points.size() > kMaxValue / 2) return overflow();
  std::string out;
  for (char32_t c : code_points) {
    if (c < kInitialN) out += static_cast<char>(c);
  }
  const uint32_t basic = static_cast<uint32_t>(out.size());
  uint32_t handled = basic;
  if (basic > 0) out += '-';
  uint32_t n = kInitialN;
  uint32_t delta = 0;
  uint32_t bias = kInitialBias;
  const uint32_t total = static_cast<uint32_t>(code_points.size());
  while (handled < total) {
    uint32_t m = kMaxValue;  // the smallest code point >= n not yet handled
    for (char32_t c : code_points) {
      if (c >= n && c < m) m = c;
    }
    if (m - n > (kMaxValue - delta) / (handled + 1)) return overflow();
    delta += (m - n) * (handled + 1);
    n = m;
    for (char32_t c : code_points) {
      if (c < n && ++delta == 0) return overflow();
      if (c != n) continue;
      uint32_t q = delta;
      for (uint32_t k = kBase;; k += kBase) {
        uint32_t t = k <= bias ? kTMin : k >= bias + kTMax ? kTMax : k - bias;
        if (q < t) break;
        out += EncodeDigit(t + (q - t) % (kBase - t));
        q = (q - t) / (kBase - t);
      }
      out += EncodeDigit(q);
      bias = Adapt(delta, handled + 1, handled == basic);
      delta = 0;
      ++handled;
    }
    ++delta;
    ++n;
  }
  return out;
}

}  // namespace exchange::signals
