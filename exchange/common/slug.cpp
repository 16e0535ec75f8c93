// SPDX-License-Identifier: Apache-2.0
#include "common/slug.h"

namespace exchange {

bool IsValidSlug(std::string_view slug) {
  if (slug.empty() || slug.size() > 63 || slug.front() == '-' || slug.back() == '-') return false;
  for (char c : slug) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

bool IsReservedSlug(std::string_view slug) { return slug == "all" || slug == "operator" || slug == "audit"; }

}  // namespace exchange
