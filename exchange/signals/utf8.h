// SPDX-License-Identifier: Apache-2.0
// UTF-8 decoding and the few Unicode character properties the canonical forms
// need (White_Space, control characters).
//
// Decoding is strict (common/json.h Utf8SequenceAt, shared with the JSON
// escaping): overlong forms, surrogates (U+D800-U+DFFF), code points
// beyond U+10FFFF and truncated sequences are errors. Encoding one code point
// is common/json.h AppendUtf8, the JSON reader's too. The functions are pure
// and thread-safe; returned strings are owned by the caller.
#pragma once

#include <string>
#include <string_view>

#include "common/json.h"
#include "common/status.h"

namespace exchange::signals {

// The code points of `text`. InvalidArgument "<what> is not valid UTF-8 (at
// byte N)" for the first malformed sequence, N counting from 0.
Result<std::u32string> DecodeUtf8(std::string_view text, std::string_view what);

// The UTF-8 form of `code_points` (each appended with common/json.h AppendUtf8).
std::string EncodeUtf8(std::u32string_view code_points);

// Unicode White_Space (PropList.txt): U+0009-U+000D, U+0020, U+0085, U+00A0,
// U+1680, U+2000-U+200A, U+2028, U+2029, U+202F, U+205F, U+3000.
bool IsUnicodeWhiteSpace(char32_t c);

// General category Cc: U+0000-U+001F, U+007F-U+009F.
bool IsControl(char32_t c);

// `text` without leading and trailing Unicode White_Space.
std::u32string_view TrimWhiteSpace(std::u32string_view text);

// `text` without leading and trailing ASCII white space (space, \t, \n, \v,
// \f, \r).
std::string_view TrimAsciiWhiteSpace(std::string_view text);

// A character for an error message: 'x' for printable ASCII, otherwise "U+" and
// four hex digits.
std::string DescribeCodePoint(char32_t c);

}  // namespace exchange::signals
