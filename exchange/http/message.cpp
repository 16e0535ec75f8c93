// SPDX-License-Identifier: Apache-2.0
#include "http/message.h"

#include <cctype>
#include <optional>
#include <string_view>

#include "common/hex.h"
#include "signals/utf8.h"

namespace exchange::http {
namespace {

// Decoded path segments and query parameters reach handlers and PostgreSQL
// (which refuses invalid UTF-8 with an error): only well-formed UTF-8 passes.
bool IsUtf8(std::string_view text) { return signals::DecodeUtf8(text, "target").ok(); }

}  // namespace

std::string_view TrimOws(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::string AsciiLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// In a query component '+' is a space. A decoded NUL is refused.
std::optional<std::string> PercentDecode(std::string_view in, bool plus_is_space) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return std::nullopt;
      int hi = HexDigitValue(in[i + 1]), lo = HexDigitValue(in[i + 2]);
      if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

bool ParseTarget(const std::string& target, std::string& path, std::map<std::string, std::string>& query) {
  if (target.empty() || target[0] != '/') return false;
  std::string_view t(target);
  auto q = t.find('?');
  auto decoded_path = PercentDecode(t.substr(0, q), false);
  if (!decoded_path || !IsUtf8(*decoded_path)) return false;
  path = std::string(t.substr(0, q));
  query.clear();
  if (q == std::string_view::npos) return true;
  std::string_view rest = t.substr(q + 1);
  while (!rest.empty()) {
    auto amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    auto key = PercentDecode(pair.substr(0, eq), true);
    auto value = PercentDecode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), true);
    if (!key || !value || !IsUtf8(*key) || !IsUtf8(*value)) return false;
    query[*key] = *value;
  }
  return true;
}

}  // namespace exchange::http
