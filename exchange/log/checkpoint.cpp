// SPDX-License-Identifier: Apache-2.0
#include "log/checkpoint.h"

#include "log/encoding.h"
#include "log/signed_note.h"

namespace exchange::log {
namespace {

Result<uint64_t> ParseTreeSize(std::string_view digits) {
  if (auto value = ParseCanonicalDecimal(digits)) return *value;
  return Status::InvalidArgument("malformed checkpoint: bad tree size");
}

}  // namespace

std::string Checkpoint::Format() const {
  std::string text = origin + "\n" + std::to_string(size) + "\n" + Base64Encode(root) + "\n";
  for (const std::string& line : extensions) text += line + "\n";
  return text;
}

Result<Checkpoint> Checkpoint::Parse(std::string_view text) {
  auto bad = [](std::string_view why) { return Status::InvalidArgument("malformed checkpoint: " + std::string(why)); };
  if (text.empty() || text.back() != '\n') return bad("does not end with a newline");
  if (!IsValidNoteText(text)) return bad("not UTF-8 without control characters");
  std::vector<std::string_view> lines;
  for (std::string_view rest = text; !rest.empty();) {
    size_t end = rest.find('\n');
    lines.push_back(rest.substr(0, end));
    rest.remove_prefix(end + 1);
  }
  if (lines.size() < 3) return bad("fewer than three lines");
  Checkpoint checkpoint;
  if (lines[0].empty()) return bad("empty origin");
  checkpoint.origin = std::string(lines[0]);
  Result<uint64_t> size = ParseTreeSize(lines[1]);
  if (!size.ok()) return size.status();
  checkpoint.size = *size;
  Result<std::string> root_bytes = Base64Decode(lines[2]);
  if (!root_bytes.ok()) return bad("root hash is not base64");
  Result<Hash> root = HashFromBytes(*root_bytes);
  if (!root.ok()) return bad("root hash is not 32 bytes");
  checkpoint.root = *root;
  for (size_t i = 3; i < lines.size(); ++i) {
    if (lines[i].empty()) return bad("empty extension line");
    checkpoint.extensions.emplace_back(lines[i]);
  }
  return checkpoint;
}

}  // namespace exchange::log
