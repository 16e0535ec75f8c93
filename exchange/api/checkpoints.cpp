#include "api/checkpoints.h"

#include <ctime>

#include "log/checkpoint_note.h"

namespace exchange::api {

CheckpointPublisher::CheckpointPublisher(FeedKeys keys, std::chrono::seconds refresh_after)
    : keys_(std::move(keys)), refresh_after_(refresh_after) {}

std::vector<std::string> CheckpointPublisher::FeedVerifierKeys() const {
  std::vector<std::string> out;
  for (const auto& signer : keys_.feed) out.push_back(signer.verifier().VerifierKey());
  return out;
}

Result<std::string> CheckpointPublisher::Current(store::Connection& conn, const store::LogHead& head) const {
  const int64_t now = std::time(nullptr);
  auto latest = LatestCheckpoint(conn, head.log_id);
  if (!latest.ok()) return latest.status();
  if (latest->has_value()) {
    const auto& stored = **latest;
    if (stored.size > head.size) return stored.note;
    if (stored.size == head.size && now - stored.signed_at_unix < refresh_after_.count()) return stored.note;
  }
  log::Checkpoint checkpoint{Origin(head.name), head.size, head.root, {}};
  auto note = log::SignCheckpointNote(checkpoint, keys_.feed, keys_.freshness, static_cast<uint64_t>(now));
  if (!note.ok()) return note.status();
  if (Status s = store::SaveCheckpoint(conn, head.log_id, {head.size, head.root, *note, now}); !s.ok()) return s;
  return *note;
}

}  // namespace exchange::api
