// SPDX-License-Identifier: Apache-2.0
#include "signals/ip_address.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <vector>

#include "common/hex.h"

namespace exchange::signals {
namespace {

// Appends the groups of "h16:h16:..." to `groups`; the last piece may be a
// dotted quad (two groups) when `ipv4_last` is set. "" adds nothing.
bool ParseGroups(std::string_view text, bool ipv4_last, std::vector<uint16_t>& groups) {
  if (text.empty()) return true;
  while (true) {
    size_t colon = text.find(':');
    std::string_view piece = text.substr(0, colon);
    bool last = colon == std::string_view::npos;
    if (last && ipv4_last && piece.find('.') != std::string_view::npos) {
      if (!IsDottedQuadIpv4(piece)) return false;
      uint32_t address = 0;
      for (size_t i = 0, start = 0; i < 4; ++i) {
        size_t dot = piece.find('.', start);
        address = address << 8 | static_cast<uint32_t>(std::stoi(std::string(piece.substr(start, dot - start))));
        start = dot + 1;
      }
      groups.push_back(static_cast<uint16_t>(address >> 16));
      groups.push_back(static_cast<uint16_t>(address & 0xFFFF));
      return true;
    }
    if (piece.empty() || piece.size() > 4) return false;
    uint32_t group = 0;
    for (char c : piece) {
      int value = HexDigitValue(c);
      if (value < 0) return false;
      group = group << 4 | static_cast<uint32_t>(value);
    }
    groups.push_back(static_cast<uint16_t>(group));
    if (last) return true;
    text.remove_prefix(colon + 1);
  }
}

std::string FormatIpv6(const std::array<uint16_t, 8>& groups) {
  // RFC 5952 §4.1: lowercase, leading zeros dropped ("0" for zero), as to_chars writes base 16.
  auto hex = [](uint16_t group) {
    char digits[4];
    return std::string(digits, std::to_chars(digits, digits + sizeof digits, group, 16).ptr);
  };
  if (std::all_of(groups.begin(), groups.begin() + 5, [](uint16_t g) { return g == 0; }) && groups[5] == 0xFFFF) {
    return "::ffff:" + std::to_string(groups[6] >> 8) + "." + std::to_string(groups[6] & 0xFF) + "." +
           std::to_string(groups[7] >> 8) + "." + std::to_string(groups[7] & 0xFF);
  }
  size_t best_start = 0;
  size_t best_length = 0;
  for (size_t i = 0; i < groups.size();) {
    size_t j = i;
    while (j < groups.size() && groups[j] == 0) ++j;
    if (j - i > best_length) {
      best_start = i;
      best_length = j - i;
    }
    i = j == i ? i + 1 : j;
  }
  if (best_length < 2) best_length = 0;  // RFC 5952 §4.2.2: never "::" for one group
  std::string out;
  for (size_t i = 0; i < groups.size(); ++i) {
    if (best_length > 0 && i == best_start) {
      out += "::";
      i += best_length - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out += ':';
    out += hex(groups[i]);
  }
  return out;
}

}  // namespace

bool IsDottedQuadIpv4(std::string_view text) {
  int parts = 0;
  while (true) {
    size_t dot = text.find('.');
    std::string_view part = text.substr(0, dot);
    if (part.empty() || part.size() > 3) return false;
    if (!std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; })) return false;
    if (part.size() > 1 && part[0] == '0') return false;
    if (std::stoi(std::string(part)) > 255) return false;
    ++parts;
    if (dot == std::string_view::npos) break;
    text.remove_prefix(dot + 1);
  }
  return parts == 4;
}

Result<std::string> CanonicalizeIpv6(std::string_view text) {
  auto invalid = [&] { return Status::InvalidArgument("'" + std::string(text) + "' is not a valid IPv6 address"); };
  std::vector<uint16_t> head;
  std::vector<uint16_t> tail;
  size_t gap = text.find("::");
  if (gap == std::string_view::npos) {
    if (!ParseGroups(text, /*ipv4_last=*/true, head) || head.size() != 8) return invalid();
  } else {
    std::string_view after = text.substr(gap + 2);
    if (!ParseGroups(text.substr(0, gap), /*ipv4_last=*/false, head) || !ParseGroups(after, /*ipv4_last=*/true, tail) ||
        head.size() + tail.size() > 7) {
      return invalid();
    }
  }
  std::array<uint16_t, 8> groups{};
  std::copy(head.begin(), head.end(), groups.begin());
  std::copy(tail.begin(), tail.end(), groups.end() - static_cast<std::ptrdiff_t>(tail.size()));
  return FormatIpv6(groups);
}

}  // namespace exchange::signals
