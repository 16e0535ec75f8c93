// SPDX-License-Identifier: Apache-2.0
// The exchange's published checkpoint: a C2SP tlog-checkpoint body signed by
// every current feed key (C2SP signed-note), plus a timestamped
// tlog-cosignature/v1 line by the exchange's freshness key, re-issued at
// least every minute so a reader can tell a frozen feed from a quiet one.
//
// Pure: no clock, no I/O. Shared by exchanged (signing) and exchangectl
// (verifying).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "log/checkpoint.h"
#include "log/signed_note.h"

namespace exchange::log {

// `feed_signers` are Ed25519 note keys (at least one); `freshness` is a
// cosignature/v1 key; `timestamp` is POSIX seconds.
Result<std::string> SignCheckpointNote(const Checkpoint& checkpoint, std::span<const Signer> feed_signers,
                                       const Signer& freshness, uint64_t timestamp);

struct VerifiedCheckpoint {
  Checkpoint checkpoint;
  std::vector<std::string> feed_keys;  // names of the trusted feed keys that signed
  uint64_t timestamp = 0;              // from the freshness cosignature; 0 when none was verified
};

// Verifies that at least one trusted feed key signed and, when `freshness`
// holds keys, that one of them cosigned (and when). `origin`, if not empty,
// must match the checkpoint's.
Result<VerifiedCheckpoint> VerifyCheckpointNote(std::string_view note, std::span<const Verifier> feed_keys,
                                                std::span<const Verifier> freshness, std::string_view origin);

}  // namespace exchange::log
