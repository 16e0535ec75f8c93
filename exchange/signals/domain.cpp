#include "signals/domain.h"

#include <algorithm>

#include "signals/case_fold.h"
#include "signals/ip_address.h"
#include "signals/punycode.h"
#include "signals/utf8.h"

namespace exchange::signals {
namespace {

bool IsLabelSeparator(char32_t c) { return c == '.' || c == 0x3002 || c == 0xFF0E || c == 0xFF61; }
bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAsciiHexDigit(char c) { return IsAsciiDigit(c) || (c >= 'a' && c <= 'f'); }

// WHATWG URL's "ends in a number": such a host is an IPv4 address to a browser.
bool IsNumericLabel(std::string_view label) {
  if (label.starts_with("0x")) return std::all_of(label.begin() + 2, label.end(), IsAsciiHexDigit);
  return std::all_of(label.begin(), label.end(), IsAsciiDigit);
}

}  // namespace

Result<std::string> CanonicalizeHostName(std::string_view host, HostRules rules) {
  const bool is_domain = rules == HostRules::kDomain;
  const std::string what = is_domain ? "domain" : "url host";
  auto invalid = [&](const std::string& reason) { return Status::InvalidArgument(what + " " + reason); };

  Result<std::u32string> decoded = DecodeUtf8(host, what);
  if (!decoded.ok()) return decoded.status();
  std::u32string_view rest = *decoded;
  if (!rest.empty() && IsLabelSeparator(rest.back())) rest.remove_suffix(1);
  if (rest.empty()) return invalid("is empty");

  std::string out;
  std::string last_label;
  size_t label_count = 0;
  while (true) {
    size_t end = std::find_if(rest.begin(), rest.end(), IsLabelSeparator) - rest.begin();
    std::u32string label = SimpleCaseFold(rest.substr(0, end));
    if (label.empty()) return invalid("has an empty label");
    bool ascii = true;
    for (char32_t c : label) {
      if (c >= 0x80) {
        ascii = false;
        if (IsControl(c) || IsUnicodeWhiteSpace(c)) return invalid("contains " + DescribeCodePoint(c));
        continue;
      }
      bool allowed = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || (!is_domain && c == '_');
      if (!allowed) {
        return invalid("contains " + DescribeCodePoint(c) + ", which is not allowed in a host name (letters, digits, " +
                       (is_domain ? "" : "'_', ") + "'-' and '.' only)");
      }
    }
    if (is_domain && (label.front() == '-' || label.back() == '-')) {
      return invalid("label '" + EncodeUtf8(label) + "' starts or ends with '-'");
    }
    std::string ascii_label;
    if (ascii) {
      ascii_label = EncodeUtf8(label);
    } else {
      Result<std::string> encoded = PunycodeEncode(label);
      if (!encoded.ok()) return invalid("label '" + EncodeUtf8(label) + "' cannot be written as an A-label");
      ascii_label = "xn--" + *encoded;
    }
    if (ascii_label.size() > kMaxLabelBytes) {
      return invalid("label '" + ascii_label + "' is longer than " + std::to_string(kMaxLabelBytes) + " characters");
    }
    if (!out.empty()) out += '.';
    out += ascii_label;
    last_label = std::move(ascii_label);
    ++label_count;
    if (end == rest.size()) break;
    rest.remove_prefix(end + 1);
  }

  if (out.size() > kMaxHostNameBytes) {
    return invalid("is longer than " + std::to_string(kMaxHostNameBytes) + " characters");
  }
  if (IsNumericLabel(last_label)) {
    if (is_domain) return invalid("ends in a number; an IP address is not a domain (submit it as a url)");
    if (!IsDottedQuadIpv4(out)) {
      return invalid("'" + out +
                     "' looks like an IPv4 address but is not four decimal numbers 0-255 without leading zeros");
    }
    return out;
  }
  if (is_domain && label_count < 2) {
    return invalid("'" + out + "' has a single label; a top-level domain alone is too broad to share");
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

}  // namespace exchange::signals
