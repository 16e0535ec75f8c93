// SPDX-License-Identifier: Apache-2.0
#include "api/params.h"

#include <charconv>

namespace exchange::api {

Result<uint64_t> QueryUint(const http::Request& request, const std::string& name, std::optional<uint64_t> fallback) {
  auto it = request.query.find(name);
  if (it == request.query.end()) {
    if (fallback) return *fallback;
    return Status::InvalidArgument("query parameter '" + name + "' is required");
  }
  const std::string& text = it->second;
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    return Status::InvalidArgument("query parameter '" + name + "' must be a whole number, got '" + text + "'");
  }
  return value;
}

}  // namespace exchange::api
