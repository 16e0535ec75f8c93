// SPDX-License-Identifier: Apache-2.0
#include "signals/canonical.h"

#include <algorithm>
#include <cstdio>
#include <optional>

#include "common/hex.h"
#include "log/encoding.h"
#include "signals/domain.h"
#include "signals/text.h"
#include "signals/url.h"
#include "signals/utf8.h"
#include "signals/vpdq_value.h"

namespace exchange::signals {
namespace {

Status Invalid(Kind kind, const std::string& reason) {
  return Status::InvalidArgument(std::string(KindName(kind)) + " " + reason);
}

bool IsAsciiWhiteSpace(char c) { return std::string_view(" \t\n\v\f\r").find(c) != std::string_view::npos; }
bool IsHexDigit(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// A byte of text that may not be UTF-8, for an error message.
std::string DescribeByte(char c) {
  if (c > 0x20 && c < 0x7F) return std::string("'") + c + "'";
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "byte 0x%02X", static_cast<unsigned>(static_cast<unsigned char>(c)));
  return buffer;
}

// Which hex-digest kinds have `digits` hex digits, for a hint in errors.
std::string_view HexKindsOfLength(size_t digits) {
  switch (digits) {
    case 32: return "md5";
    case 40: return "sha1";
    case 64: return "sha256 or pdq";
    default: return "";
  }
}

Result<std::string> CanonicalizeHex(Kind kind, std::string_view raw, size_t bytes) {
  std::string_view text = TrimAsciiWhiteSpace(raw);
  const std::string digits = std::to_string(2 * bytes);
  if (text.empty()) return Invalid(kind, "is empty");
  if (text.starts_with("0x") || text.starts_with("0X")) {
    return Invalid(kind, "must be " + digits + " hex digits without a 0x prefix");
  }
  for (char c : text) {
    if (IsAsciiWhiteSpace(c)) return Invalid(kind, "contains white space");
    if (!IsHexDigit(c)) return Invalid(kind, "contains " + DescribeByte(c) + ", which is not a hex digit");
  }
  if (text.size() != 2 * bytes) {
    std::string reason = "must be " + digits + " hex digits, got " + std::to_string(text.size());
    if (std::string_view suits = HexKindsOfLength(text.size()); !suits.empty()) {
      reason += " (the length of a " + std::string(suits) + " hash)";
    }
    return Invalid(kind, reason);
  }
  Result<std::string> decoded = HexDecode(text);
  if (!decoded.ok()) return Invalid(kind, decoded.status().message());
  return HexEncode(*decoded);
}

// `exact` or 1..`max` decoded bytes of strict standard base64.
Result<std::string> CanonicalizeBase64(Kind kind, std::string_view raw, size_t exact, size_t max) {
  std::string_view text = TrimAsciiWhiteSpace(raw);
  const std::string too_long =
      "is longer than " + std::to_string(max) + " bytes (" + std::to_string(max / 1024) + " KiB)";
  if (text.empty()) return Invalid(kind, "is empty");
  if (std::any_of(text.begin(), text.end(), IsAsciiWhiteSpace)) {
    return Invalid(kind, "contains white space; base64 must be one line");
  }
  if (text.find_first_of("-_") != std::string_view::npos) {
    return Invalid(kind, "uses the URL-safe base64 alphabet; use standard base64 ('+', '/' and '=' padding)");
  }
  // Refuse oversized text before decoding it: 4 characters per 3 bytes.
  if (exact == 0 && text.size() > (max + 2) / 3 * 4) return Invalid(kind, too_long);
  Result<std::string> decoded = log::Base64Decode(text);
  if (!decoded.ok()) {
    std::string reason = decoded.status().message();
    if (reason.starts_with("base64: ")) reason.erase(0, 8);
    return Invalid(kind, "is not valid base64 (" + reason + ")");
  }
  if (exact != 0 && decoded->size() != exact) {
    return Invalid(
        kind, "must be base64 of exactly " + std::to_string(exact) + " bytes, got " + std::to_string(decoded->size()));
  }
  if (decoded->size() > max) return Invalid(kind, too_long + ", got " + std::to_string(decoded->size()));
  return log::Base64Encode(*decoded);
}

Result<std::string> CanonicalizeKeyword(std::string_view raw) {
  Result<std::string> folded = FoldText(raw, "keyword");
  if (!folded.ok()) return folded.status();
  if (folded->empty()) return Invalid(Kind::kKeyword, "is empty");
  if (folded->size() > kMaxKeywordBytes) {
    return Invalid(Kind::kKeyword, "is longer than " + std::to_string(kMaxKeywordBytes) + " bytes (" +
                                       std::to_string(folded->size()) + " after case folding)");
  }
  return folded;
}

// The canonical e-mail address `identifier` is, if it is one.
std::optional<std::string> CanonicalEmail(std::u32string_view identifier) {
  if (std::count(identifier.begin(), identifier.end(), U'@') != 1) return std::nullopt;
  size_t at = identifier.find(U'@');
  std::u32string_view local = identifier.substr(0, at);
  if (local.empty() || at + 1 == identifier.size()) return std::nullopt;
  Result<std::string> domain = CanonicalizeHostName(EncodeUtf8(identifier.substr(at + 1)), HostRules::kMailDomain);
  if (!domain.ok()) return std::nullopt;
  Result<std::string> folded_local = FoldText(EncodeUtf8(local), "account_id");
  if (!folded_local.ok() || folded_local->empty()) return std::nullopt;
  return *folded_local + "@" + *domain;
}

Result<std::string> CanonicalizeAccountId(std::string_view raw) {
  constexpr Kind kKind = Kind::kAccountId;
  Result<std::u32string> decoded = DecodeUtf8(raw, "account_id");
  if (!decoded.ok()) return decoded.status();
  std::u32string_view text = TrimWhiteSpace(*decoded);
  size_t colon = text.find(U':');
  if (colon == std::u32string_view::npos) return Invalid(kKind, "must be platform:identifier (no ':' found)");

  std::u32string_view platform_text = TrimWhiteSpace(text.substr(0, colon));
  if (platform_text.empty()) return Invalid(kKind, "platform is empty");
  if (platform_text.size() > kMaxPlatformBytes) {
    return Invalid(kKind, "platform is longer than " + std::to_string(kMaxPlatformBytes) + " characters");
  }
  std::string platform;
  for (char32_t c : platform_text) {
    char32_t lower = c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
    bool allowed = (lower >= 'a' && lower <= 'z') || (lower >= '0' && lower <= '9') || lower == '.' || lower == '_' ||
                   lower == '-';
    if (!allowed) {
      return Invalid(kKind, "platform contains " + DescribeCodePoint(c) +
                                "; only letters a-z, digits, '.', '_' and '-' are allowed");
    }
    platform += static_cast<char>(lower);
  }

  std::u32string_view identifier_text = TrimWhiteSpace(text.substr(colon + 1));
  if (identifier_text.empty()) return Invalid(kKind, "identifier is empty");
  for (char32_t c : identifier_text) {
    if (IsControl(c)) return Invalid(kKind, "identifier contains a control character (" + DescribeCodePoint(c) + ")");
  }
  std::optional<std::string> email = CanonicalEmail(identifier_text);
  if (!email && platform == "email") {
    return Invalid(kKind, "with platform 'email' must be an e-mail address (local@example.com)");
  }
  std::string identifier = email ? *email : EncodeUtf8(identifier_text);
  if (identifier.size() > kMaxAccountIdentifierBytes) {
    return Invalid(kKind, "identifier is longer than " + std::to_string(kMaxAccountIdentifierBytes) + " bytes");
  }
  return platform + ":" + identifier;
}

}  // namespace

Result<std::string> Canonicalize(Kind kind, std::string_view raw) {
  if (raw.find('\0') != std::string_view::npos) return Status::InvalidArgument("value contains a NUL byte");
  switch (kind) {
    case Kind::kMd5: return CanonicalizeHex(kind, raw, 16);
    case Kind::kSha1: return CanonicalizeHex(kind, raw, 20);
    case Kind::kSha256:
    case Kind::kPdq: return CanonicalizeHex(kind, raw, 32);
    case Kind::kPhotoDna: return CanonicalizeBase64(kind, raw, kPhotoDnaBytes, kPhotoDnaBytes);
    case Kind::kTmkPdqf: return CanonicalizeBase64(kind, raw, 0, kMaxOpaqueBytes);
    case Kind::kVpdq: return CanonicalizeVpdq(raw);
    case Kind::kUrl: return CanonicalizeUrl(raw);
    case Kind::kDomain: return CanonicalizeDomain(raw);
    case Kind::kKeyword: return CanonicalizeKeyword(raw);
    case Kind::kAccountId: return CanonicalizeAccountId(raw);
  }
  return Status::InvalidArgument("unknown signal kind");
}

Status ValidatePdqQuality(int quality) {
  if (quality < 0 || quality > 100) {
    return Status::InvalidArgument("pdq quality must be between 0 and 100, got " + std::to_string(quality));
  }
  return Status::Ok();
}

}  // namespace exchange::signals
