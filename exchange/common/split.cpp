// SPDX-License-Identifier: Apache-2.0
#include "common/split.h"

namespace exchange {

std::vector<std::string> SplitNonEmpty(std::string_view text, char separator) {
  std::vector<std::string> out;
  while (!text.empty()) {
    std::size_t end = text.find(separator);
    if (end == std::string_view::npos) end = text.size();
    if (end > 0) out.emplace_back(text.substr(0, end));
    text.remove_prefix(end == text.size() ? end : end + 1);
  }
  return out;
}

}  // namespace exchange
