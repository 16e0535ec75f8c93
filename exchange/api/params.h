// SPDX-License-Identifier: Apache-2.0
// Query and path parameters: strict parsing with messages a caller can act on.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/status.h"
#include "http/message.h"

namespace exchange::api {

// The query parameter `name` as a decimal uint64 (no sign, no leading '+',
// no spaces); `fallback` when absent; InvalidArgument when malformed.
Result<uint64_t> QueryUint(const http::Request& request, const std::string& name, std::optional<uint64_t> fallback);

}  // namespace exchange::api
