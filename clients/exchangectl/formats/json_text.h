// SPDX-License-Identifier: Apache-2.0
// JSON pieces for the output exchangectl builds by hand (match, lookup,
// export, error reports) and the arrays its mirror stores as text: string
// and array quoting, and parsers for exactly the arrays it writes.
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace exchange::client {

// `"..."`: common/json.h JsonQuote (escapes, and U+FFFD for bytes that are not UTF-8).
std::string JsonString(std::string_view value);
// `["a","b"]` and `[1,3]`.
std::string JsonStringArray(const std::vector<std::string>& values);
std::string JsonNumberArray(const std::vector<uint32_t>& values);
// Parses what JsonStringArray / JsonNumberArray write (and any JSON array of
// strings / of non-negative integers). InvalidArgument otherwise.
Result<std::vector<std::string>> ParseJsonStringArray(std::string_view text);
Result<std::vector<uint32_t>> ParseJsonNumberArray(std::string_view text);

}  // namespace exchange::client
