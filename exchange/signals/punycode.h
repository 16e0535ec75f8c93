// Punycode (RFC 3492): the encoding IDNA uses to write a Unicode label in
// ASCII. A-label = "xn--" + PunycodeEncode(label).
//
// Only the encoder is here; the exchange never needs to turn an A-label back
// into Unicode. Pure function; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace exchange::signals {

// RFC 3492 §6.3 with the §5 parameters, without case annotations: basic code
// points (< U+0080) are copied unchanged (case preserved), followed by '-' if
// there were any and the deltas for the rest as lowercase base-36 digits.
// `code_points` must be Unicode scalar values. InvalidArgument only on
// arithmetic overflow (§6.4), which needs inputs far longer than a DNS label.
Result<std::string> PunycodeEncode(std::u32string_view code_points);

}  // namespace exchange::signals
