// SPDX-License-Identifier: Apache-2.0
#include "log/checkpoint_note.h"

#include "log/cosignature.h"

namespace exchange::log {

Result<std::string> SignCheckpointNote(const Checkpoint& checkpoint, std::span<const Signer> feed_signers,
                                       const Signer& freshness, uint64_t timestamp) {
  const std::string body = checkpoint.Format();
  auto note = SignNote(body, feed_signers);
  if (!note.ok()) return note.status();
  auto cosignature = CoSign(body, freshness, timestamp);
  if (!cosignature.ok()) return cosignature.status();
  return *note + *cosignature;
}

Result<VerifiedCheckpoint> VerifyCheckpointNote(std::string_view note, std::span<const Verifier> feed_keys,
                                                std::span<const Verifier> freshness, std::string_view origin) {
  std::vector<Verifier> all(feed_keys.begin(), feed_keys.end());
  all.insert(all.end(), freshness.begin(), freshness.end());
  auto opened = OpenNote(note, all);
  if (!opened.ok()) return opened.status();
  VerifiedCheckpoint out;
  for (const auto& sig : opened->verified) {
    if (sig.type == KeyType::kEd25519) out.feed_keys.push_back(sig.name);
    if (sig.type == KeyType::kCosignatureV1 && sig.timestamp) out.timestamp = std::max(out.timestamp, *sig.timestamp);
  }
  if (out.feed_keys.empty()) return Status::Unauthenticated("the checkpoint is not signed by a trusted feed key");
  if (!freshness.empty() && out.timestamp == 0) {
    return Status::Unauthenticated("the checkpoint carries no freshness cosignature by a trusted key");
  }
  auto checkpoint = Checkpoint::Parse(opened->text);
  if (!checkpoint.ok()) return checkpoint.status();
  if (!origin.empty() && checkpoint->origin != origin) {
    return Status::Unauthenticated("the checkpoint is for " + checkpoint->origin + ", not " + std::string(origin));
  }
  out.checkpoint = std::move(checkpoint).value();
  return out;
}

}  // namespace exchange::log
