// SPDX-License-Identifier: Apache-2.0
// The decisions of a C2SP tlog-witness (https://c2sp.org/tlog-witness):
// parse an add-checkpoint request body, check it against the checkpoint the
// witness last cosigned for that origin, and produce either the HTTP answer
// the spec prescribes for a refusal or the cosignature line(s) together with
// the checkpoint that must be persisted before the answer is sent.
//
// A witness sees checkpoints and hashes only: no entry ever reaches it.
// It never cosigns two different roots for one size, nor a checkpoint that
// does not extend the one it recorded (old size must equal the recorded size,
// and the consistency proof from that size must verify).
//
// No I/O. Witness is a value: Decide() is const and thread-safe; Record()
// mutates, so a server serialises Decide / persist / Record under one lock
// (the spec's atomicity requirement).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "log/checkpoint.h"
#include "log/hash.h"
#include "log/signed_note.h"

namespace exchange::log {

// The spec: a client MUST NOT send more than 63 proof lines.
inline constexpr size_t kMaxWitnessProofLines = 63;
inline constexpr std::string_view kTlogSizeContentType = "text/x.tlog.size";

struct AddCheckpointRequest {
  uint64_t old_size = 0;
  std::vector<Hash> proof;
  std::string note;  // the signed checkpoint note, signatures included
};

// Strict: "old <decimal, no leading zeros>\n", up to 63 lines of base64 of a
// 32-byte hash, "\n", then the note. InvalidArgument otherwise.
Result<AddCheckpointRequest> ParseAddCheckpointRequest(std::string_view body);
std::string FormatAddCheckpointRequest(const AddCheckpointRequest& request);

struct WitnessDecision {
  int http_status = 500;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;  // 200: the cosignature line(s); 409: "<size>\n"; else a reason
  // Set only with 200: what must be durably stored before the body is sent.
  std::optional<Checkpoint> to_persist;
  std::string checkpoint_note;  // with to_persist: the note as received
};

class Witness {
 public:
  // `cosigner` must be KeyType::kCosignatureV1.
  static Result<Witness> Create(Signer cosigner);

  // Trusts `log_key` (a KeyType::kEd25519 verifier) for `origin`. Several
  // keys for one origin are allowed. An origin ending in "/*" names a family:
  // every origin that starts with what precedes the '*' (and is longer), for
  // an exchange whose collections come and go under one name; an exact
  // origin's keys win over a family's. InvalidArgument for a bad origin/key.
  Status AddLog(std::string origin, Verifier log_key);
  // Sets the checkpoint recorded for a configured origin (from storage at
  // start-up, or after persisting a decision). NotFound for an unknown origin.
  Status Record(const Checkpoint& checkpoint);

  const Signer& cosigner() const { return cosigner_; }
  bool Knows(std::string_view origin) const { return KeysFor(origin) != nullptr; }
  // The keys trusted for `origin` (its own or its family's); nullptr when none.
  const std::vector<Verifier>* KeysFor(std::string_view origin) const;
  // The size of the recorded checkpoint; 0 when none.
  uint64_t RecordedSize(std::string_view origin) const;
  std::optional<Checkpoint> Recorded(std::string_view origin) const;

  // The answer to an add-checkpoint request body at POSIX time `now`.
  // 400 malformed or old size above the checkpoint size, 404 unknown origin,
  // 403 no trusted signature, 409 old size not the recorded one (body: the
  // recorded size, content type text/x.tlog.size) or same size with another
  // root, 422 a proof that does not verify, 200 with the cosignature.
  WitnessDecision Decide(std::string_view body, uint64_t now) const;

 private:
  struct LogState {
    std::vector<Verifier> keys;
    std::optional<Checkpoint> recorded;
  };
  explicit Witness(Signer cosigner) : cosigner_(std::move(cosigner)) {}

  Signer cosigner_;
  std::map<std::string, LogState, std::less<>> logs_;
  std::map<std::string, std::vector<Verifier>, std::less<>> families_;  // by prefix, '*' dropped
};

}  // namespace exchange::log
