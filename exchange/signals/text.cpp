// SPDX-License-Identifier: Apache-2.0
#include "signals/text.h"

#include <unicode/unorm2.h>
#include <unicode/ustring.h>

#include "signals/utf8.h"

namespace exchange::signals {
namespace {

// u_strFromUTF8 and u_strToUTF8 take the same arguments: one conversion for
// both, into an `Out` of `capacity` code units.
template <typename Out, typename In, typename Convert>
Result<Out> ConvertWithIcu(In in, size_t capacity, Convert convert, const char* to) {
  Out out(capacity, typename Out::value_type{});
  UErrorCode error = U_ZERO_ERROR;
  int32_t length = 0;
  convert(out.data(), static_cast<int32_t>(out.size()), &length, in.data(), static_cast<int32_t>(in.size()), &error);
  if (U_FAILURE(error)) return Status::Internal(std::string("ICU could not convert text to ") + to);
  out.resize(static_cast<size_t>(length));
  return out;
}

Result<std::u16string> ToUtf16(std::string_view utf8) {
  return ConvertWithIcu<std::u16string>(utf8, utf8.size() + 1, u_strFromUTF8, "UTF-16");
}

Result<std::string> ToUtf8(std::u16string_view utf16) {
  return ConvertWithIcu<std::string>(utf16, utf16.size() * 3 + 1, u_strToUTF8, "UTF-8");
}

Result<std::u16string> NfkcCasefold(std::u16string_view text) {
  UErrorCode error = U_ZERO_ERROR;
  const UNormalizer2* nfkc_cf = unorm2_getNFKCCasefoldInstance(&error);
  if (U_FAILURE(error)) return Status::Internal("ICU has no NFKC_Casefold data");
  // Full case folding can grow text (U+0390 -> 3 code points; 'ﬃ' -> "ffi").
  std::u16string out(text.size() * 4 + 16, u'\0');
  for (int attempt = 0; attempt < 2; ++attempt) {
    error = U_ZERO_ERROR;
    int32_t length = unorm2_normalize(nfkc_cf, text.data(), static_cast<int32_t>(text.size()), out.data(),
                                      static_cast<int32_t>(out.size()), &error);
    if (error == U_BUFFER_OVERFLOW_ERROR) {
      out.assign(static_cast<size_t>(length) + 1, u'\0');
      continue;
    }
    if (U_FAILURE(error)) return Status::Internal("ICU could not normalise text");
    out.resize(static_cast<size_t>(length));
    return out;
  }
  return Status::Internal("ICU could not normalise text");
}

}  // namespace

Result<std::string> FoldText(std::string_view utf8, std::string_view what) {
  Result<std::u32string> decoded = DecodeUtf8(utf8, what);
  if (!decoded.ok()) return decoded.status();
  for (char32_t c : *decoded) {
    if (IsControl(c) && !IsUnicodeWhiteSpace(c)) {
      return Status::InvalidArgument(std::string(what) + " contains a control character (" + DescribeCodePoint(c) +
                                     ")");
    }
  }
  Result<std::u16string> utf16 = ToUtf16(utf8);
  if (!utf16.ok()) return utf16.status();
  Result<std::u16string> folded = NfkcCasefold(*utf16);
  if (!folded.ok()) return folded.status();
  Result<std::string> folded_utf8 = ToUtf8(*folded);
  if (!folded_utf8.ok()) return folded_utf8.status();
  Result<std::u32string> code_points = DecodeUtf8(*folded_utf8, what);
  if (!code_points.ok()) return code_points.status();

  std::string out;
  out.reserve(folded_utf8->size());
  bool pending_space = false;
  for (char32_t c : *code_points) {
    if (IsUnicodeWhiteSpace(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    AppendUtf8(c, out);
  }
  return out;
}

}  // namespace exchange::signals
