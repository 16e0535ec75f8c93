// SPDX-License-Identifier: Apache-2.0
#include "services/checkpoints.h"

#include <algorithm>
#include <ctime>

#include "log/checkpoint_note.h"
#include "log/merkle.h"

namespace exchange::services {

CheckpointPublisher::CheckpointPublisher(FeedKeys keys, std::chrono::seconds refresh_after)
    : keys_(std::move(keys)), refresh_after_(refresh_after) {}

std::vector<std::string> CheckpointPublisher::FeedVerifierKeys() const {
  std::vector<std::string> out;
  for (const auto& signer : keys_.feed) out.push_back(signer.verifier().VerifierKey());
  return out;
}

namespace {

// Defence in depth: before signing `head`, prove from the stored nodes that it
// extends the last signed tree. Only a database altered behind the exchange's
// back (a restored backup, a hand edit) can fail this; then nothing is signed.
Status CheckExtends(store::Connection& conn, const store::LogHead& head, const store::StoredCheckpoint& signed_before) {
  if (signed_before.size == 0) return Status::Ok();
  if (signed_before.size == head.size) {
    if (signed_before.root == head.root) return Status::Ok();
  } else {
    auto plan = log::PlanConsistencyProof(signed_before.size, head.size);
    if (!plan.ok()) return plan.status();
    auto nodes = store::ReadNodes(conn, head.log_id, plan->AllNodes());
    if (!nodes.ok()) return nodes.status();
    auto proof = plan->Assemble(*nodes);
    if (proof.ok() &&
        log::VerifyConsistency(signed_before.size, head.size, *proof, signed_before.root, head.root).ok()) {
      return Status::Ok();
    }
  }
  return Status::Internal("log " + head.name + " at size " + std::to_string(head.size) +
                          " does not extend the checkpoint signed at size " + std::to_string(signed_before.size) +
                          "; refusing to sign (has the database been restored or edited?)");
}

}  // namespace

Result<std::string> CheckpointPublisher::Current(store::Connection& conn, const store::LogHead& head) const {
  const int64_t now = std::time(nullptr);
  auto latest = LatestCheckpoint(conn, head.log_id);
  if (!latest.ok()) return latest.status();
  if (latest->has_value()) {
    const auto& stored = **latest;
    if (stored.size > head.size) return stored.note;  // a newer tree was signed since `head` was read
    if (stored.size == head.size && now - stored.signed_at_unix < refresh_after_.count()) return stored.note;
    if (Status s = CheckExtends(conn, head, stored); !s.ok()) return s;
  }
  log::Checkpoint checkpoint{Origin(head.name), head.size, head.root, {}};
  auto note = log::SignCheckpointNote(checkpoint, keys_.feed, keys_.freshness, static_cast<uint64_t>(now));
  if (!note.ok()) return note.status();
  if (Status s = store::SaveCheckpoint(conn, head.log_id, {head.size, head.root, *note, now}); !s.ok()) return s;
  return *note;
}

namespace {

// `note` with the cosignature lines stored for the tree of `size` appended.
Result<std::string> WithCosignatures(store::Connection& conn, int64_t log_id, uint64_t size, std::string note) {
  auto lines = store::CosignatureLines(conn, log_id, size);
  if (!lines.ok()) return lines.status();
  for (const auto& line : *lines) note += line;
  return note;
}

}  // namespace

Result<std::string> CheckpointPublisher::Published(store::Connection& conn, const store::LogHead& head) const {
  auto note = Current(conn, head);
  if (!note.ok()) return note.status();
  auto checkpoint = log::Checkpoint::Parse(std::string_view(*note).substr(0, note->find("\n\n") + 1));
  if (!checkpoint.ok()) return checkpoint.status();
  return WithCosignatures(conn, head.log_id, checkpoint->size, std::move(note).value());
}

Result<std::string> CheckpointPublisher::Witnessed(store::Connection& conn, const store::LogHead& head,
                                                   uint64_t witnesses) const {
  auto stored = store::NewestWitnessedCheckpoint(conn, head.log_id, std::max<uint64_t>(1, witnesses));
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) {
    return Status::NotFound("no checkpoint of log " + head.name + " has been cosigned by " + std::to_string(witnesses) +
                            " witness" + (witnesses == 1 ? "" : "es") + " yet");
  }
  return WithCosignatures(conn, head.log_id, (*stored)->size, (*stored)->note);
}

}  // namespace exchange::services
