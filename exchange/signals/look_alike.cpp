// SPDX-License-Identifier: Apache-2.0
#include "signals/look_alike.h"

#include <unicode/uspoof.h>

#include "signals/domain.h"

namespace exchange::signals {
namespace {

// Configured once, then only read: ICU documents a USpoofChecker as safe for
// concurrent use while nobody changes it. Never closed: it lives for the program.
const USpoofChecker* SpoofChecker() {
  static const USpoofChecker* const checker = [] {
    UErrorCode error = U_ZERO_ERROR;
    USpoofChecker* opened = uspoof_open(&error);
    if (U_FAILURE(error)) return static_cast<USpoofChecker*>(nullptr);
    uspoof_setChecks(opened, USPOOF_CONFUSABLE, &error);
    return U_SUCCESS(error) ? opened : nullptr;
  }();
  return checker;
}

std::string Skeleton(std::string_view text) {
  const USpoofChecker* checker = SpoofChecker();
  if (checker == nullptr || text.empty()) return std::string(text);
  std::string out(text.size() * 4 + 16, '\0');
  for (int attempt = 0; attempt < 2; ++attempt) {
    UErrorCode error = U_ZERO_ERROR;
    int32_t length = uspoof_getSkeletonUTF8(checker, 0, text.data(), static_cast<int32_t>(text.size()), out.data(),
                                            static_cast<int32_t>(out.size()), &error);
    if (error == U_BUFFER_OVERFLOW_ERROR) {
      out.assign(static_cast<size_t>(length) + 1, '\0');
      continue;
    }
    if (U_FAILURE(error)) return std::string(text);
    out.resize(static_cast<size_t>(length));
    return out;
  }
  return std::string(text);
}

std::string HostSkeleton(std::string_view canonical_host) {
  if (canonical_host.starts_with('[')) return std::string(canonical_host);  // IPv6 literal
  const std::string unicode = HostNameToUnicode(canonical_host);
  std::string out;
  for (size_t begin = 0; begin <= unicode.size();) {
    size_t end = std::min(unicode.find('.', begin), unicode.size());
    if (begin != 0) out += '.';
    out += Skeleton(std::string_view(unicode).substr(begin, end - begin));
    begin = end + 1;
  }
  return out;
}

}  // namespace

bool HasLookAlikes(Kind kind) { return kind == Kind::kKeyword || kind == Kind::kDomain || kind == Kind::kUrl; }

std::string LookAlikeSkeleton(Kind kind, std::string_view canonical) {
  switch (kind) {
    case Kind::kKeyword: return Skeleton(canonical);
    case Kind::kDomain: return HostSkeleton(canonical);
    case Kind::kUrl: {
      // Canonical: scheme "://" host [":" port] path ["?" query].
      size_t host_begin = canonical.find("://");
      if (host_begin == std::string_view::npos) return std::string(canonical);
      host_begin += 3;
      size_t host_end = canonical.substr(host_begin).starts_with('[') ? canonical.find(']', host_begin) + 1
                                                                      : canonical.find_first_of(":/?", host_begin);
      if (host_end == std::string_view::npos || host_end == 0) host_end = canonical.size();
      return std::string(canonical.substr(0, host_begin)) +
             HostSkeleton(canonical.substr(host_begin, host_end - host_begin)) +
             std::string(canonical.substr(host_end));
    }
    default: return "";
  }
}

}  // namespace exchange::signals
