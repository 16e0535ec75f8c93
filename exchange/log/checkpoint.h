// SPDX-License-Identifier: Apache-2.0
// C2SP tlog-checkpoint note text (https://c2sp.org/tlog-checkpoint): the
// statement "the log <origin> has <size> leaves and this root", which the log
// signs as a note (signed_note.h) and cosigners timestamp (cosignature.h).
//
// A plain value; thread-safe as any value.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "log/hash.h"

namespace exchange::log {

struct Checkpoint {
  std::string origin;                   // "<exchange name>/<collection>"
  uint64_t size = 0;                    // number of leaves
  Hash root{};                          // RFC 9162 MTH of those leaves
  std::vector<std::string> extensions;  // opaque extra lines; normally none

  // "<origin>\n<size>\n<base64 root>\n" then one line per extension.
  // Precondition: origin and extensions are non-empty single lines of
  // IsValidNoteText text, or Parse will refuse the result.
  std::string Format() const;

  // Strict: the text ends in a newline, is IsValidNoteText, has a non-empty
  // origin, a decimal size without sign or leading zeros ("0" alone is
  // fine) that fits 64 bits, a root of exactly 32 bytes in strict base64, and
  // only non-empty extension lines. Anything else is InvalidArgument.
  static Result<Checkpoint> Parse(std::string_view text);

  bool operator==(const Checkpoint&) const = default;
};

}  // namespace exchange::log
