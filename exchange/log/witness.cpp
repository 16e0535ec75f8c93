// SPDX-License-Identifier: Apache-2.0
// The tlog-witness add-checkpoint decisions; see witness.h. The order of the
// checks follows the spec: parse, origin, signature, old size against the
// checkpoint size, old size against the record, proof, same-size root.
#include "log/witness.h"

#include <utility>

#include "log/cosignature.h"
#include "log/encoding.h"
#include "log/merkle.h"

namespace exchange::log {
namespace {

Status Malformed(std::string_view why) { return Status(ErrorCode::kInvalidArgument, std::string(why)); }

WitnessDecision Refuse(int status, std::string reason) {
  WitnessDecision d;
  d.http_status = status;
  d.body = std::move(reason) + "\n";
  return d;
}

}  // namespace

Result<AddCheckpointRequest> ParseAddCheckpointRequest(std::string_view body) {
  AddCheckpointRequest request;
  std::string_view rest = body;
  const auto old_line = TakeLine(rest);
  if (!old_line || !old_line->starts_with("old ")) return Malformed("the body must start with \"old <size>\\n\"");
  const auto old_size = ParseCanonicalDecimal(old_line->substr(4));
  if (!old_size) return Malformed("the old size is not a decimal without leading zeros");
  request.old_size = *old_size;
  while (true) {
    const auto line = TakeLine(rest);
    if (!line) return Malformed("no empty line before the checkpoint");
    if (line->empty()) break;
    if (request.proof.size() == kMaxWitnessProofLines) return Malformed("more than 63 consistency proof lines");
    auto bytes = Base64Decode(*line);
    if (!bytes.ok()) return Malformed("a consistency proof line is not base64");
    auto hash = HashFromBytes(*bytes);
    if (!hash.ok()) return Malformed("a consistency proof line is not a 32-byte hash");
    request.proof.push_back(*hash);
  }
  if (rest.empty()) return Malformed("no checkpoint after the empty line");
  request.note = std::string(rest);
  return request;
}

std::string FormatAddCheckpointRequest(const AddCheckpointRequest& request) {
  std::string out = "old " + std::to_string(request.old_size) + "\n";
  for (const Hash& h : request.proof) out += Base64Encode(std::span<const uint8_t>(h)) + "\n";
  out += "\n";
  out += request.note;
  return out;
}

Result<Witness> Witness::Create(Signer cosigner) {
  if (cosigner.type() != KeyType::kCosignatureV1) return Malformed("a witness key must be a cosignature/v1 key");
  return Witness(std::move(cosigner));
}

Status Witness::AddLog(std::string origin, Verifier log_key) {
  if (origin.empty() || !IsValidNoteText(origin) || origin.find('\n') != std::string::npos) {
    return Malformed("bad log origin");
  }
  if (log_key.type() != KeyType::kEd25519) return Malformed("a log key must be an Ed25519 note key");
  if (origin.ends_with("/*")) {
    origin.pop_back();
    families_[std::move(origin)].push_back(std::move(log_key));
  } else {
    logs_[std::move(origin)].keys.push_back(std::move(log_key));
  }
  return Status::Ok();
}

const std::vector<Verifier>* Witness::KeysFor(std::string_view origin) const {
  if (auto it = logs_.find(origin); it != logs_.end() && !it->second.keys.empty()) return &it->second.keys;
  const std::vector<Verifier>* found = nullptr;
  size_t longest = 0;
  for (const auto& [prefix, keys] : families_) {
    if (origin.size() > prefix.size() && origin.starts_with(prefix) && prefix.size() >= longest) {
      found = &keys;
      longest = prefix.size();
    }
  }
  return found;
}

Status Witness::Record(const Checkpoint& checkpoint) {
  if (!Knows(checkpoint.origin)) return Status(ErrorCode::kNotFound, "unknown log origin " + checkpoint.origin);
  logs_[checkpoint.origin].recorded = checkpoint;
  return Status::Ok();
}

uint64_t Witness::RecordedSize(std::string_view origin) const {
  const auto r = Recorded(origin);
  return r ? r->size : 0;
}

std::optional<Checkpoint> Witness::Recorded(std::string_view origin) const {
  auto it = logs_.find(std::string(origin));
  if (it == logs_.end()) return std::nullopt;
  return it->second.recorded;
}

WitnessDecision Witness::Decide(std::string_view body, uint64_t now) const {
  auto request = ParseAddCheckpointRequest(body);
  if (!request.ok()) return Refuse(400, request.status().message());

  // The origin is the first line of the note text; find it before verifying
  // so that an unknown origin is 404 whatever its signatures.
  const std::string_view note = request->note;
  const size_t end_of_text = note.find("\n\n");
  if (end_of_text == std::string_view::npos) return Refuse(400, "the checkpoint is not a signed note");
  auto checkpoint = Checkpoint::Parse(note.substr(0, end_of_text + 1));
  if (!checkpoint.ok()) return Refuse(400, "not a checkpoint: " + checkpoint.status().message());
  const std::vector<Verifier>* keys = KeysFor(checkpoint->origin);
  if (keys == nullptr) return Refuse(404, "unknown log origin");
  const auto it = logs_.find(checkpoint->origin);
  const std::optional<Checkpoint> recorded = it == logs_.end() ? std::nullopt : it->second.recorded;

  auto opened = OpenNote(note, *keys);
  if (!opened.ok()) {
    if (opened.status().code() == ErrorCode::kUnauthenticated) {
      return Refuse(403, "no trusted signature verifies: " + opened.status().message());
    }
    return Refuse(400, "malformed note: " + opened.status().message());
  }

  const uint64_t old_size = request->old_size;
  if (old_size > checkpoint->size) return Refuse(400, "the old size is above the checkpoint size");
  const uint64_t recorded_size = recorded ? recorded->size : 0;
  if (old_size != recorded_size) {
    WitnessDecision d;
    d.http_status = 409;
    d.content_type = std::string(kTlogSizeContentType);
    d.body = std::to_string(recorded_size) + "\n";
    return d;
  }
  if (old_size == 0) {
    if (!request->proof.empty()) return Refuse(422, "the proof must be empty from size 0");
  } else if (old_size == checkpoint->size) {
    if (!request->proof.empty()) return Refuse(422, "the proof must be empty between equal sizes");
    if (recorded->root != checkpoint->root) {
      WitnessDecision d;
      d.http_status = 409;
      d.content_type = std::string(kTlogSizeContentType);
      d.body = std::to_string(recorded_size) + "\n";
      return d;
    }
  } else if (!VerifyConsistency(old_size, checkpoint->size, request->proof, recorded->root, checkpoint->root).ok()) {
    return Refuse(422, "the consistency proof does not verify");
  }

  auto line = CoSign(opened->text, cosigner_, now);
  if (!line.ok()) return Refuse(500, "cannot cosign: " + line.status().message());
  WitnessDecision d;
  d.http_status = 200;
  d.body = std::move(*line);
  d.to_persist = std::move(*checkpoint);
  d.checkpoint_note = std::string(note);
  return d;
}

}  // namespace exchange::log
