// Simple Unicode case folding (CaseFolding.txt status C and S) for the scripts
// signals are most often written in. Keywords and e-mail local parts are
// folded with it so that "TALK", "Talk" and "talk" are one signal.
//
// Covered, exactly as CaseFolding.txt maps them (checked code point by code
// point against the Unicode 14.0 data):
//   U+0000-U+017F  ASCII, Latin-1 Supplement, Latin Extended-A
//                  (incl. U+00B5 MICRO SIGN -> U+03BC, U+017F LONG S -> 's')
//   U+0370-U+03FF  Greek and Coptic (incl. U+03C2 FINAL SIGMA -> U+03C3)
//   U+0400-U+052F  Cyrillic and Cyrillic Supplement
//   U+2126 OHM SIGN, U+212A KELVIN SIGN, U+212B ANGSTROM SIGN (they fold into
//   the ranges above and are a known way to dodge naive filters)
// Every other code point folds to itself, including characters that only have
// a full (F) or Turkic (T) folding: U+00DF stays 'ß', U+0130 stays 'İ'.
// No normalisation (NFC/NFKC) is applied. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace exchange::signals {

char32_t SimpleCaseFold(char32_t c);

// Each code point folded; the length never changes.
std::u32string SimpleCaseFold(std::u32string_view text);

}  // namespace exchange::signals
