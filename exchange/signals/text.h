// SPDX-License-Identifier: Apache-2.0
// Canonical text, for `keyword` values and e-mail local parts in
// `account_id`: Unicode NFKC_Casefold, then white space collapsed.
//
// NFKC_Casefold (Unicode UAX #15 / DerivedNormalizationProps.txt, through
// ICU's unorm2_getNFKCCasefoldInstance) is compatibility decomposition, full
// case folding and recomposition, with default-ignorable characters removed:
// fullwidth "ＧＲＯＯＭＩＮＧ" -> "grooming", NFD "cafe\u0301" -> NFC "café",
// 'ß' -> "ss", final 'ς' -> 'σ', Armenian and Cherokee capitals folded, 'İ'
// (U+0130) -> "i\u0307", soft hyphens and zero-width spaces removed. It is
// locale-independent: Turkish dotless 'ı' stays 'ı' (no Turkic folding).
// Pure functions; thread-safe (ICU's normalizer instance is shared, read-only).
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace exchange::signals {

// `utf8` folded: strict UTF-8 (else InvalidArgument "<what> is not valid
// UTF-8 ..."), NFKC_Casefold, then every run of Unicode White_Space
// (tabs and line breaks included) becomes one U+0020 and white space at
// either end is removed. A control character that is not white space
// (U+0000-U+001F, U+007F-U+009F) is InvalidArgument "<what> contains a
// control character (U+0007)". The result may be empty; callers decide.
Result<std::string> FoldText(std::string_view utf8, std::string_view what);

}  // namespace exchange::signals
