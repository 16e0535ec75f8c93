// SPDX-License-Identifier: Apache-2.0
#include "signals/url.h"

#include <algorithm>
#include <cstdint>

#include "common/hex.h"
#include "signals/domain.h"
#include "signals/ip_address.h"
#include "signals/utf8.h"

namespace exchange::signals {
namespace {

Status Invalid(std::string reason) { return Status::InvalidArgument("url " + std::move(reason)); }

bool IsAsciiAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }

// RFC 3986 §2.3.
bool IsUnreserved(char c) { return IsAsciiAlpha(c) || IsAsciiDigit(c) || c == '-' || c == '.' || c == '_' || c == '~'; }

// What a path or query may hold unescaped (RFC 3986 §3.3, §3.4): pchar, '/'
// and '?', less pct-encoded.
bool IsAllowedInPathOrQuery(char c) {
  return IsUnreserved(c) || std::string_view("!$&'()*+,;=:@/?").find(c) != std::string_view::npos;
}

// The byte escaped by "%XY" at text[i]; -1 when text[i..] is not such an escape.
int EscapedByte(std::string_view text, size_t i) {
  if (text.size() - i < 3) return -1;
  int high = HexDigitValue(text[i + 1]);
  int low = HexDigitValue(text[i + 2]);
  return high < 0 || low < 0 ? -1 : high << 4 | low;
}

Status MalformedEscape(std::string_view text, size_t i) {
  return Invalid("has a '%' not followed by two hex digits ('" + std::string(text.substr(i, 3)) +
                 "'); write a literal '%' as %25");
}

// RFC 3986 §6.2.2.2 for a path or query, plus escaping what may not appear.
Result<std::string> NormalizePercentEncoding(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      int byte = EscapedByte(text, i);
      if (byte < 0) return MalformedEscape(text, i);
      if (IsUnreserved(static_cast<char>(byte))) {
        out += static_cast<char>(byte);
      } else {
        AppendPercentEscape(static_cast<uint8_t>(byte), out);
      }
      i += 2;
    } else if (IsAllowedInPathOrQuery(c)) {
      out += c;
    } else {
      AppendPercentEscape(static_cast<uint8_t>(c), out);
    }
  }
  return out;
}

// Every escape decoded; for the host, which is then checked as a host name.
Result<std::string> PercentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    int byte = EscapedByte(text, i);
    if (byte < 0) return MalformedEscape(text, i);
    out += static_cast<char>(byte);
    i += 2;
  }
  return out;
}

// The last segment of `output` and its '/' removed (RFC 3986 §5.2.4 2C).
void RemoveLastSegment(std::string& output) {
  size_t slash = output.rfind('/');
  output.erase(slash == std::string::npos ? 0 : slash);
}

// RFC 3986 §5.2.4, step for step.
std::string RemoveDotSegments(std::string_view input) {
  std::string output;
  output.reserve(input.size());
  while (!input.empty()) {
    if (input.starts_with("../")) {
      input.remove_prefix(3);
    } else if (input.starts_with("./")) {
      input.remove_prefix(2);
    } else if (input.starts_with("/./")) {
      input.remove_prefix(2);
    } else if (input == "/.") {
      input = "/";
    } else if (input.starts_with("/../")) {
      input.remove_prefix(3);
      RemoveLastSegment(output);
    } else if (input == "/..") {
      input = "/";
      RemoveLastSegment(output);
    } else if (input == "." || input == "..") {
      input = {};
    } else {
      size_t end = input.find('/', 1);
      if (end == std::string_view::npos) end = input.size();
      output += input.substr(0, end);
      input.remove_prefix(end);
    }
  }
  return output;
}

// Everything refused anywhere in a URL, with the reason.
Status CheckCharacters(std::string_view url) {
  Result<std::u32string> code_points = DecodeUtf8(url, "url");
  if (!code_points.ok()) return code_points.status();
  for (char32_t c : *code_points) {
    if (c == 0) return Status::InvalidArgument("value contains a NUL byte");
    if (IsUnicodeWhiteSpace(c)) {
      return Invalid("contains white space (" + DescribeCodePoint(c) + "); write a space as %20");
    }
    if (IsControl(c)) return Invalid("contains a control character (" + DescribeCodePoint(c) + ")");
    if (c == '\\') {
      return Invalid("contains a backslash, which browsers read as '/' in http(s) URLs; write '/' or %5C");
    }
  }
  return Status::Ok();
}

// The port as written in the canonical URL: "" for none, empty or default.
Result<std::string> CanonicalPort(std::string_view port, std::string_view scheme) {
  if (port.empty()) return std::string();
  if (!std::all_of(port.begin(), port.end(), IsAsciiDigit)) {
    return Invalid("port must be a number, got '" + std::string(port) + "'");
  }
  std::string_view digits = port.substr(std::min(port.find_first_not_of('0'), port.size()));
  int value = digits.size() > 5 ? 0 : digits.empty() ? 0 : std::stoi(std::string(digits));
  if (value < 1 || value > 65535) return Invalid("port must be between 1 and 65535, got " + std::string(port));
  if ((scheme == "http" && value == 80) || (scheme == "https" && value == 443)) return std::string();
  return std::to_string(value);
}

Result<std::string> CanonicalHost(std::string_view host) {
  if (host.empty()) return Invalid("has no host");
  if (host.front() != '[') {
    Result<std::string> decoded = PercentDecode(host);
    if (!decoded.ok()) return decoded.status();
    return CanonicalizeHostName(*decoded, HostRules::kUrlHost);
  }
  std::string_view literal = host.substr(1, host.size() - 2);
  if (literal.starts_with('v') || literal.starts_with('V')) return Invalid("IPvFuture addresses are not supported");
  if (literal.find('%') != std::string_view::npos) return Invalid("IPv6 zone identifiers are not supported");
  Result<std::string> address = CanonicalizeIpv6(literal);
  if (!address.ok()) return Invalid("host " + address.status().message());
  return "[" + *address + "]";
}

}  // namespace

Result<std::string> CanonicalizeUrl(std::string_view raw) {
  std::string_view url = TrimAsciiWhiteSpace(raw);
  if (url.empty()) return Invalid("is empty");
  if (url.size() > kMaxUrlBytes) return Invalid("is longer than " + std::to_string(kMaxUrlBytes) + " bytes");
  if (Status status = CheckCharacters(url); !status.ok()) return status;

  // scheme ":" "//" authority path-abempty [ "?" query ] [ "#" fragment ]
  size_t colon = url.find(':');
  std::string scheme(url.substr(0, colon));
  bool scheme_ok = colon != std::string_view::npos && !scheme.empty() && IsAsciiAlpha(scheme[0]) &&
                   std::all_of(scheme.begin(), scheme.end(), [](char c) {
                     return IsAsciiAlpha(c) || IsAsciiDigit(c) || c == '+' || c == '-' || c == '.';
                   });
  if (!scheme_ok) return Invalid("has no scheme; it must start with http:// or https://");
  std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                 [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; });
  if (scheme != "http" && scheme != "https") return Invalid("scheme must be http or https, got '" + scheme + "'");
  std::string_view rest = url.substr(colon + 1);
  if (!rest.starts_with("//")) return Invalid("has no host (expected '//' after '" + scheme + ":')");
  rest.remove_prefix(2);

  size_t authority_end = std::min(rest.find_first_of("/?#"), rest.size());
  std::string_view authority = rest.substr(0, authority_end);
  rest.remove_prefix(authority_end);
  rest = rest.substr(0, rest.find('#'));
  size_t question = rest.find('?');
  std::string_view path = rest.substr(0, question);
  std::string_view query = question == std::string_view::npos ? std::string_view() : rest.substr(question + 1);

  // Userinfo ends at the last '@': "a@b@host" is user "a@b" to a browser.
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
  std::string_view host = authority;
  std::string_view port;
  if (authority.starts_with('[')) {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return Invalid("has an IPv6 address without its closing ']'");
    host = authority.substr(0, close + 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty() && after.front() != ':')
      return Invalid("has characters after the IPv6 address other than a port");
    if (!after.empty()) port = after.substr(1);
  } else if (size_t port_colon = authority.find(':'); port_colon != std::string_view::npos) {
    host = authority.substr(0, port_colon);
    port = authority.substr(port_colon + 1);
  }

  Result<std::string> canonical_host = CanonicalHost(host);
  if (!canonical_host.ok()) return canonical_host.status();
  Result<std::string> canonical_port = CanonicalPort(port, scheme);
  if (!canonical_port.ok()) return canonical_port.status();
  Result<std::string> canonical_path = NormalizePercentEncoding(path);
  if (!canonical_path.ok()) return canonical_path.status();
  std::string normalized_path = RemoveDotSegments(*canonical_path);
  if (normalized_path.empty()) normalized_path = "/";

  std::string out = scheme + "://" + *canonical_host;
  if (!canonical_port->empty()) out += ":" + *canonical_port;
  out += normalized_path;
  if (question != std::string_view::npos) {
    Result<std::string> canonical_query = NormalizePercentEncoding(query);
    if (!canonical_query.ok()) return canonical_query.status();
    out += "?" + *canonical_query;
  }
  if (out.size() > kMaxUrlBytes) {
    return Invalid("is longer than " + std::to_string(kMaxUrlBytes) + " bytes once normalised");
  }
  return out;
}

}  // namespace exchange::signals
