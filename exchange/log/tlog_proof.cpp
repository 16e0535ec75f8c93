// SPDX-License-Identifier: Apache-2.0
// C2SP tlog-proof text: formatting, strict parsing and offline verification
// (see tlog_proof.h).
#include "log/tlog_proof.h"

#include "log/encoding.h"
#include "log/merkle.h"

namespace exchange::log {
namespace {

Status Bad(const std::string& why) { return Status::InvalidArgument("tlog-proof: " + why); }

}  // namespace

std::string FormatTlogProof(const TlogProof& proof) {
  std::string out(kTlogProofHeader);
  out += '\n';
  if (proof.extra) out += "extra " + Base64Encode(std::string_view(*proof.extra)) + "\n";
  out += "index " + std::to_string(proof.index) + "\n";
  for (const Hash& h : proof.inclusion) out += Base64Encode(std::span<const uint8_t>(h)) + "\n";
  out += '\n';
  out += proof.checkpoint;
  return out;
}

Result<TlogProof> ParseTlogProof(std::string_view text) {
  std::string_view rest = text;
  TlogProof proof;
  auto line = TakeLine(rest);
  if (!line || *line != kTlogProofHeader) return Bad("the first line is not " + std::string(kTlogProofHeader));
  line = TakeLine(rest);
  if (line && line->starts_with("extra ")) {
    auto extra = Base64Decode(line->substr(6));
    if (!extra.ok()) return Bad("extra: " + extra.status().message());
    proof.extra = std::move(extra).value();
    line = TakeLine(rest);
  }
  if (!line || !line->starts_with("index ")) return Bad("no index line");
  const auto index = ParseCanonicalDecimal(line->substr(6));
  if (!index) return Bad("the index is not a canonical decimal");
  proof.index = *index;
  for (;;) {
    line = TakeLine(rest);
    if (!line) return Bad("no empty line before the checkpoint");
    if (line->empty()) break;
    if (proof.inclusion.size() >= 64) return Bad("the inclusion proof is longer than 64 hashes");
    auto bytes = Base64Decode(*line);
    if (!bytes.ok()) return Bad("inclusion proof: " + bytes.status().message());
    auto hash = HashFromBytes(*bytes);
    if (!hash.ok()) return Bad("inclusion proof: " + hash.status().message());
    proof.inclusion.push_back(*hash);
  }
  proof.checkpoint = std::string(rest);
  if (proof.checkpoint.empty()) return Bad("no checkpoint");
  return proof;
}

Result<VerifiedTlogProof> VerifyTlogProof(std::string_view text, std::span<const Verifier> feed_keys,
                                          std::span<const Verifier> freshness, std::string_view origin) {
  auto proof = ParseTlogProof(text);
  if (!proof.ok()) return proof.status();
  if (!proof->extra) return Bad("no extra line: the exchange's proofs carry the entry there");
  auto checkpoint = VerifyCheckpointNote(proof->checkpoint, feed_keys, freshness, origin);
  if (!checkpoint.ok()) return Bad("checkpoint: " + checkpoint.status().message());
  const Checkpoint& tree = checkpoint->checkpoint;
  if (proof->index >= tree.size) {
    return Bad("index " + std::to_string(proof->index) + " is not in a tree of " + std::to_string(tree.size) +
               " entries");
  }
  Status included =
      VerifyInclusion(proof->index, tree.size, LeafHash(std::string_view(*proof->extra)), proof->inclusion, tree.root);
  if (!included.ok())
    return Bad("the entry is not at index " + std::to_string(proof->index) + ": " + included.message());
  return VerifiedTlogProof{std::move(proof).value(), std::move(checkpoint).value()};
}

}  // namespace exchange::log
