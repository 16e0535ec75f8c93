// SPDX-License-Identifier: Apache-2.0
#include "signals/public_suffix.h"

#include <libpsl.h>

#include <ctime>

namespace exchange::signals {
namespace {

// Loaded once; psl_latest() falls back to the built-in list when the
// distribution file is missing or older. Never freed: it lives for the program.
const psl_ctx_t* List() {
  static const psl_ctx_t* const list = [] {
    const psl_ctx_t* latest = psl_latest(nullptr);
    return latest != nullptr ? latest : psl_builtin();
  }();
  return list;
}

}  // namespace

bool IsPublicSuffix(std::string_view canonical_host) {
  const psl_ctx_t* list = List();
  if (list == nullptr || canonical_host.empty()) return false;
  const std::string host(canonical_host);
  return psl_is_public_suffix2(list, host.c_str(), PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE) != 0;
}

std::optional<std::string> RegistrableDomain(std::string_view canonical_host) {
  const psl_ctx_t* list = List();
  if (list == nullptr || canonical_host.empty()) return std::nullopt;
  const std::string host(canonical_host);
  const char* registrable = psl_registrable_domain(list, host.c_str());
  if (registrable == nullptr) return std::nullopt;
  return std::string(registrable);
}

std::string PublicSuffixListSource() {
  const psl_ctx_t* list = List();
  if (list == nullptr) return "none";
  const char* file = psl_dist_filename();
  std::string where = list == psl_builtin() ? std::string("built into libpsl") : std::string(file ? file : "a file");
  std::time_t made = list == psl_builtin() ? psl_builtin_file_time() : 0;
  if (made == 0) return where;
  char date[32];
  std::tm tm{};
  gmtime_r(&made, &tm);
  std::strftime(date, sizeof date, "%Y-%m-%d", &tm);
  return where + " (" + date + ")";
}

}  // namespace exchange::signals
