// SPDX-License-Identifier: Apache-2.0
// Small text conventions of exchangectl's formats: `;`-separated lists (how
// CSV files carry labels and principles) and counted nouns for messages.
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace exchange::client {

// "a; b;;c" -> {"a", "b", "c"}: split at ';', items trimmed of ASCII white
// space, empty items dropped.
std::vector<std::string> SplitList(std::string_view text);
std::string JoinList(const std::vector<std::string>& items);

// "1 batch", "3 batches": `n` and the noun in the number it needs.
std::string CountOf(uint64_t n, std::string_view one, std::string_view many);

}  // namespace exchange::client
