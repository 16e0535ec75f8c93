// SPDX-License-Identifier: Apache-2.0
// The two questions the canonical-form tests ask of signals::Canonicalize:
// what does this spelling become (Canonical), and why is it refused
// (Refusal). Either fails the test when the answer is the other one, so a
// CHECK on the result can never pass by accident. CheckCanonical and
// CheckRefusals ask either of a table of spellings.
//
// Header-only, for unit tests linked with exchange_signals.
#pragma once

#include <doctest/doctest.h>

#include <initializer_list>
#include <string>
#include <string_view>

#include "signals/canonical.h"
#include "signals/kind.h"

namespace exchange::testing {

// The canonical form of `raw` as `kind`; fails the test (REQUIRE) when it is refused.
inline std::string Canonical(signals::Kind kind, std::string_view raw) {
  Result<std::string> result = signals::Canonicalize(kind, raw);
  REQUIRE_MESSAGE(result.ok(), signals::KindName(kind) << " refused '" << raw << "': " << result.status().ToString());
  return *result;
}

// The reason `raw` is refused as `kind`, which must be InvalidArgument;
// fails the test (REQUIRE) when it is accepted.
inline std::string Refusal(signals::Kind kind, std::string_view raw) {
  Result<std::string> result = signals::Canonicalize(kind, raw);
  REQUIRE_MESSAGE(!result.ok(), signals::KindName(kind) << " accepted '" << raw << "' as '" << *result << "'");
  CHECK(result.status().code() == ErrorCode::kInvalidArgument);
  return result.status().message();
}

// `s` with ASCII letters in upper case (hex and base64 spellings, other case).
inline std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  return s;
}

// A row of a table of spellings: `raw`, and what it becomes (CheckCanonical)
// or the reason it is refused (CheckRefusals).
struct CanonicalCase {
  std::string raw;
  std::string expected;
};

// Canonical(kind, row.raw) == row.expected for each row, naming the row's raw on failure.
inline void CheckCanonical(signals::Kind kind, std::initializer_list<CanonicalCase> rows) {
  for (const CanonicalCase& row : rows) {
    CAPTURE(row.raw);
    CHECK(Canonical(kind, row.raw) == row.expected);
  }
}

// Refusal(kind, row.raw) == row.expected for each row, naming the row's raw on failure.
inline void CheckRefusals(signals::Kind kind, std::initializer_list<CanonicalCase> rows) {
  for (const CanonicalCase& row : rows) {
    CAPTURE(row.raw);
    CHECK(Refusal(kind, row.raw) == row.expected);
  }
}

}  // namespace exchange::testing
