// SPDX-License-Identifier: Apache-2.0
// JSON string literals for output written by hand (log lines, the client's
// --output json documents) and read back by hand (the client's mirror
// columns, the test vectors): the one escaping and unescaping routine in the
// tree.
//
// The result is always a valid JSON string in valid UTF-8, whatever `value`
// holds: '"', '\' and control characters (U+0000-U+001F, U+007F) are
// escaped, and every byte that does not begin a well-formed UTF-8 sequence
// (overlong forms, surrogates, beyond U+10FFFF, truncated) becomes U+FFFD.
// Pure; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/status.h"

namespace exchange {

// `"..."`, quotes included.
std::string JsonQuote(std::string_view value);
// Appends JsonQuote(value) to `out`.
void AppendJsonQuoted(std::string_view value, std::string& out);

// Reads the RFC 8259 §7 string literal whose opening quote is at text[pos]
// and leaves `pos` just past its closing quote. The escapes are decoded; a
// \u escape (four hex digits) becomes the UTF-8 of its code point.
// InvalidArgument for no opening quote, a raw control character
// (U+0000-U+001F), an unknown or truncated escape, a surrogate escape (pairs
// are not needed by anything we read) or a missing closing quote; `pos` is
// then unspecified.
Result<std::string> ReadJsonString(std::string_view text, std::size_t& pos);

// Appends the UTF-8 form of `c`, which must be a Unicode scalar value.
void AppendUtf8(char32_t c, std::string& out);

// The length (1-4) of the well-formed UTF-8 sequence at text[i], storing its
// code point in `*code_point`; 0 when the bytes there are not one.
std::size_t Utf8SequenceAt(std::string_view text, std::size_t i, char32_t* code_point);

}  // namespace exchange
