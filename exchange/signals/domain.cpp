// SPDX-License-Identifier: Apache-2.0
#include "signals/domain.h"

#include <unicode/uidna.h>

#include <algorithm>
#include <cstdio>

#include "signals/ip_address.h"
#include "signals/public_suffix.h"
#include "signals/utf8.h"

namespace exchange::signals {
namespace {

// WHATWG "domain to ASCII" (see domain.h for each option).
constexpr uint32_t kUts46Options =
    UIDNA_CHECK_BIDI | UIDNA_CHECK_CONTEXTJ | UIDNA_NONTRANSITIONAL_TO_ASCII | UIDNA_NONTRANSITIONAL_TO_UNICODE;
// Errors ICU reports that the options above leave to us: hyphens
// (CheckHyphens=false) and lengths (VerifyDnsLength=false; checked below
// with our own messages).
constexpr uint32_t kHyphenErrors = UIDNA_ERROR_LEADING_HYPHEN | UIDNA_ERROR_TRAILING_HYPHEN | UIDNA_ERROR_HYPHEN_3_4;
constexpr uint32_t kLengthErrors =
    UIDNA_ERROR_EMPTY_LABEL | UIDNA_ERROR_LABEL_TOO_LONG | UIDNA_ERROR_DOMAIN_NAME_TOO_LONG;

// ICU's UTS #46 instance: immutable once opened, so shared by every thread.
// Never closed: it lives for the program.
const UIDNA* Uts46() {
  static const UIDNA* const idna = [] {
    UErrorCode error = U_ZERO_ERROR;
    UIDNA* opened = uidna_openUTS46(kUts46Options, &error);
    return U_SUCCESS(error) ? opened : nullptr;
  }();
  return idna;
}

enum class Direction { kToAscii, kToUnicode };

struct Processed {
  std::string text;
  uint32_t errors = 0;
};

// UTS #46 on a whole name or a single label. `ok` false when ICU itself failed.
bool Process(std::string_view input, Direction direction, bool label, Processed& out) {
  const UIDNA* idna = Uts46();
  if (idna == nullptr) return false;
  std::string buffer(input.size() * 4 + 64, '\0');
  for (int attempt = 0; attempt < 2; ++attempt) {
    UErrorCode error = U_ZERO_ERROR;
    UIDNAInfo info = UIDNA_INFO_INITIALIZER;
    const auto length = static_cast<int32_t>(input.size());
    const auto capacity = static_cast<int32_t>(buffer.size());
    int32_t written = 0;
    if (direction == Direction::kToAscii) {
      written = label ? uidna_labelToASCII_UTF8(idna, input.data(), length, buffer.data(), capacity, &info, &error)
                      : uidna_nameToASCII_UTF8(idna, input.data(), length, buffer.data(), capacity, &info, &error);
    } else {
      written = label ? uidna_labelToUnicodeUTF8(idna, input.data(), length, buffer.data(), capacity, &info, &error)
                      : uidna_nameToUnicodeUTF8(idna, input.data(), length, buffer.data(), capacity, &info, &error);
    }
    if (error == U_BUFFER_OVERFLOW_ERROR) {
      buffer.assign(static_cast<size_t>(written) + 1, '\0');
      continue;
    }
    if (U_FAILURE(error)) return false;
    buffer.resize(static_cast<size_t>(written));
    out.text = std::move(buffer);
    out.errors = info.errors;
    return true;
  }
  return false;
}

// The first code point of `host` that UTS #46 disallows, for the message.
std::string FirstDisallowed(const std::u32string& host) {
  for (char32_t c : host) {
    std::string one;
    AppendUtf8(c, one);
    Processed p;
    if (Process(one, Direction::kToAscii, true, p) && (p.errors & UIDNA_ERROR_DISALLOWED) != 0) {
      return DescribeCodePoint(c);
    }
  }
  return "a character";
}

// The reason for the first UTS #46 error in `errors` (hyphen and length
// errors already removed).
std::string DescribeIdnaErrors(uint32_t errors, const std::u32string& host) {
  if (errors & UIDNA_ERROR_DISALLOWED) {
    return "contains " + FirstDisallowed(host) + ", which IDNA (UTS #46) does not allow in a host name";
  }
  if (errors & UIDNA_ERROR_LEADING_COMBINING_MARK) return "has a label that starts with a combining mark";
  if (errors & (UIDNA_ERROR_PUNYCODE | UIDNA_ERROR_INVALID_ACE_LABEL)) {
    return "has an 'xn--' label that is not valid punycode for a valid Unicode label";
  }
  if (errors & UIDNA_ERROR_BIDI) {
    return "mixes right-to-left and left-to-right text in a way the IDNA bidi rule (RFC 5893) forbids";
  }
  if (errors & UIDNA_ERROR_CONTEXTJ) {
    return "has a zero-width joiner or non-joiner where IDNA (RFC 5892) does not allow one";
  }
  if (errors & UIDNA_ERROR_CONTEXTO_PUNCTUATION) return "has punctuation IDNA (RFC 5892) does not allow there";
  if (errors & UIDNA_ERROR_CONTEXTO_DIGITS) return "mixes Arabic-Indic and extended Arabic-Indic digits";
  return "is not a valid internationalised host name";
}

bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAsciiHexDigit(char c) { return IsAsciiDigit(c) || (c >= 'a' && c <= 'f'); }

// WHATWG URL's "ends in a number": such a host is an IPv4 address to a browser.
bool IsNumericLabel(std::string_view label) {
  if (label.starts_with("0x")) return std::all_of(label.begin() + 2, label.end(), IsAsciiHexDigit);
  return std::all_of(label.begin(), label.end(), IsAsciiDigit);
}

}  // namespace

Result<std::string> CanonicalizeHostName(std::string_view host, HostRules rules) {
  const bool is_url = rules == HostRules::kUrlHost;
  const bool dns_rules = !is_url;  // domain and mail domain: LDH labels only
  const std::string what = is_url ? "url host" : "domain";
  auto invalid = [&](const std::string& reason) { return Status::InvalidArgument(what + " " + reason); };

  Result<std::u32string> decoded = DecodeUtf8(host, what);
  if (!decoded.ok()) return decoded.status();
  for (char32_t c : *decoded) {
    // ASCII ones are left to the label rules below, which say what is allowed.
    if (c >= 0x80 && (IsControl(c) || IsUnicodeWhiteSpace(c))) return invalid("contains " + DescribeCodePoint(c));
  }

  Processed ascii;
  if (!Process(host, Direction::kToAscii, false, ascii)) return invalid("could not be processed by ICU");
  std::string out = std::move(ascii.text);
  if (!out.empty() && out.back() == '.') out.pop_back();  // the root; U+3002 etc. are '.' by now
  if (out.empty()) return invalid("is empty");
  if (out.find("..") != std::string::npos || out.front() == '.' || out.back() == '.') {
    return invalid("has an empty label");
  }
  const uint32_t ignored = kLengthErrors | (is_url ? kHyphenErrors : static_cast<uint32_t>(UIDNA_ERROR_HYPHEN_3_4));
  const uint32_t errors = ascii.errors & ~ignored;
  if ((errors & ~kHyphenErrors) != 0) return invalid(DescribeIdnaErrors(errors & ~kHyphenErrors, *decoded));

  std::string last_label;
  size_t label_count = 0;
  for (size_t begin = 0; begin <= out.size();) {
    size_t end = std::min(out.find('.', begin), out.size());
    std::string_view label = std::string_view(out).substr(begin, end - begin);
    for (char c : label) {
      bool allowed = (c >= 'a' && c <= 'z') || IsAsciiDigit(c) || c == '-' || (is_url && c == '_');
      if (!allowed) {
        return invalid("contains " + DescribeCodePoint(static_cast<unsigned char>(c)) +
                       ", which is not allowed in a host name (letters, digits, " + (is_url ? "'_', " : "") +
                       "'-' and '.' only)");
      }
    }
    if (dns_rules && (label.front() == '-' || label.back() == '-')) {
      return invalid("label '" + std::string(label) + "' starts or ends with '-'");
    }
    if (label.size() > kMaxLabelBytes) {
      return invalid("label '" + std::string(label) + "' is longer than " + std::to_string(kMaxLabelBytes) +
                     " characters");
    }
    last_label = label;
    ++label_count;
    begin = end + 1;
  }
  // A Unicode label that starts or ends with '-' does not as an A-label, so
  // only ICU saw it.
  if ((errors & kHyphenErrors) != 0) return invalid("has a label that starts or ends with '-'");
  if (out.size() > kMaxHostNameBytes) {
    return invalid("is longer than " + std::to_string(kMaxHostNameBytes) + " characters");
  }
  if (IsNumericLabel(last_label)) {
    if (!is_url) return invalid("ends in a number; an IP address is not a domain (submit it as a url)");
    if (!IsDottedQuadIpv4(out)) {
      return invalid("'" + out +
                     "' looks like an IPv4 address but is not four decimal numbers 0-255 without leading zeros");
    }
    return out;
  }
  if (dns_rules && label_count < 2) {
    return invalid("'" + out + "' has a single label; a top-level domain alone is too broad to share");
  }
  if (rules == HostRules::kDomain && IsPublicSuffix(out)) {
    return invalid("'" + out +
                   "' is a public suffix (publicsuffix.org): anyone can register names under it, so a signal on it "
                   "would match unrelated sites; share the registrable domain or a url instead");
  }
  return out;
}

Result<std::string> CanonicalizeDomain(std::string_view raw) {
  std::string_view domain = TrimAsciiWhiteSpace(raw);
  if (domain.find("://") != std::string_view::npos || domain.find('/') != std::string_view::npos) {
    return Status::InvalidArgument("domain must be a bare host name, not a URL or path");
  }
  return CanonicalizeHostName(domain, HostRules::kDomain);
}

std::string HostNameToUnicode(std::string_view canonical_host) {
  Processed unicode;
  if (!Process(canonical_host, Direction::kToUnicode, false, unicode)) return std::string(canonical_host);
  return unicode.text;
}

}  // namespace exchange::signals
