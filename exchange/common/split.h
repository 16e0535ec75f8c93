// SPDX-License-Identifier: Apache-2.0
// Splitting the comma-joined lists the store aggregates with string_agg and
// the client takes on its command line.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace exchange {

// The non-empty pieces of `text` between `separator`s, in order.
std::vector<std::string> SplitNonEmpty(std::string_view text, char separator);

}  // namespace exchange
