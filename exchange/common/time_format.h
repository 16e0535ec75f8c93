// SPDX-License-Identifier: Apache-2.0
// RFC 3339 timestamps in UTC: the one format the API uses for times.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace exchange {

// "2026-11-22T10:00:00Z" (also accepts fractional seconds and ±hh:mm offsets)
// → Unix seconds. InvalidArgument with the reason otherwise.
Result<int64_t> ParseRfc3339(std::string_view text);

// Unix seconds → "2026-11-22T10:00:00Z".
std::string FormatRfc3339(int64_t unix_seconds);

}  // namespace exchange
