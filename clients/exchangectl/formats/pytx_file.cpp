// SPDX-License-Identifier: Apache-2.0
#include "formats/pytx_file.h"

#include <array>
#include <utility>

namespace exchange::client {
namespace {

// From pytx's signal_type/ modules: the class name minus "Signal", in
// lower_with_underscores (VideoMD5Signal → video_md5).
// vpdq is the VPDQSignal of pytx's vpdq extension; its value is the same
// JSON frame list (signals/vpdq_value.h).
constexpr std::array<std::pair<std::string_view, std::string_view>, 6> kPytxTypes = {{
    {"md5", "video_md5"},
    {"sha256", "video_sha256"},
    {"pdq", "pdq"},
    {"url", "url"},
    {"keyword", "raw_text"},
    {"vpdq", "vpdq"},
}};

bool IsLineSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

}  // namespace

std::optional<std::string_view> PytxSignalType(std::string_view kind) {
  for (const auto& [ours, theirs] : kPytxTypes) {
    if (ours == kind) return theirs;
  }
  return std::nullopt;
}

std::optional<std::string> PytxLine(std::string_view kind, std::string_view value) {
  auto type = PytxSignalType(kind);
  if (!type || value.empty() || IsLineSpace(value.front()) || IsLineSpace(value.back())) return std::nullopt;
  for (char c : value) {
    if (c == '\n' || c == '\r') return std::nullopt;
  }
  std::string line(*type);
  line += ' ';
  line += value;
  line += '\n';
  return line;
}

}  // namespace exchange::client
