// SPDX-License-Identifier: Apache-2.0
#include "signals/stored_value.h"

#include <idn2.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <optional>

#include "log/encoding.h"
#include "signals/canonical.h"

namespace exchange::signals {
namespace {

// `host` with every "xn--" label replaced by the code points it encodes, as
// version 1 would have read them; nullopt when libidn2 cannot decode them.
std::optional<std::string> DecodeLegacyHost(std::string_view host) {
  if (host.find("xn--") == std::string_view::npos) return std::nullopt;
  const std::string input(host);
  char* output = nullptr;
  if (idn2_to_unicode_8z8z(input.c_str(), &output, 0) != IDN2_OK || output == nullptr) {
    std::free(output);
    return std::nullopt;
  }
  std::unique_ptr<char, decltype(&std::free)> owned(output, &std::free);
  return std::string(output);
}

// `stored` with the host part between `begin` and `end` decoded.
std::optional<std::string> WithDecodedHost(std::string_view stored, size_t begin, size_t end) {
  auto decoded = DecodeLegacyHost(stored.substr(begin, end - begin));
  if (!decoded) return std::nullopt;
  return std::string(stored.substr(0, begin)) + *decoded + std::string(stored.substr(end));
}

}  // namespace

Result<std::string> RecanonicalizeStored(Kind kind, std::string_view stored) {
  Result<std::string> direct = Canonicalize(kind, stored);
  if (direct.ok()) return direct;
  std::optional<std::string> decoded;
  if (kind == Kind::kDomain) {
    decoded = WithDecodedHost(stored, 0, stored.size());
  } else if (kind == Kind::kUrl) {
    size_t begin = stored.find("://");
    if (begin != std::string_view::npos) {
      begin += 3;
      decoded = WithDecodedHost(stored, begin, std::min(stored.find_first_of(":/?", begin), stored.size()));
    }
  } else if (kind == Kind::kVpdq) {
    // Version 2 stored vpdq as opaque base64: bytes that are a frame list
    // (pytx's JSON, base64-encoded by whoever submitted it) carry over.
    if (auto bytes = log::Base64Decode(stored); bytes.ok()) decoded = std::move(bytes).value();
  } else if (kind == Kind::kAccountId) {
    size_t at = stored.rfind('@');
    if (at != std::string_view::npos) decoded = WithDecodedHost(stored, at + 1, stored.size());
  }
  if (!decoded) return direct;
  Result<std::string> again = Canonicalize(kind, *decoded);
  return again.ok() ? again : direct;
}

}  // namespace exchange::signals
