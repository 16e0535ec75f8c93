// SPDX-License-Identifier: Apache-2.0
// Every signal kind's canonicaliser on arbitrary bytes: no crash, no hang,
// and what it accepts is a fixed point (canonicalising it again changes nothing).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "signals/canonical.h"
#include "signals/kind.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const auto& kinds = exchange::signals::AllKinds();
  const auto kind = kinds[data[0] % kinds.size()];
  std::string_view raw(reinterpret_cast<const char*>(data + 1), size - 1);
  auto once = exchange::signals::Canonicalize(kind, raw);
  if (!once.ok()) {
    if (once.status().message().empty()) std::abort();  // every refusal says why
    return 0;
  }
  auto twice = exchange::signals::Canonicalize(kind, *once);
  if (!twice.ok() || *twice != *once) std::abort();
  return 0;
}
