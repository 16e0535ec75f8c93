// SPDX-License-Identifier: Apache-2.0
// C2SP tlog-proof (c2sp.org/tlog-proof@v1): an offline-verifiable proof that
// an entry is in a log. The text is the header line, an optional
// `extra <base64>` line, `index <decimal>`, the inclusion proof (one base64
// SHA-256 hash per line, from the leaf's sibling up), an empty line, and the
// log's signed checkpoint note verbatim (with every signature and
// cosignature it carries).
//
// The exchange carries the entry's bytes (the FeedEntry exactly as the log
// hashed it) as the extra data, so a proof file is self-contained: the
// verifier hashes the extra data as the leaf. The extra data is not trusted
// by itself; it is trusted only because its leaf hash is proved into a
// checkpoint signed by a trusted key.
//
// Pure: no I/O; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "log/checkpoint_note.h"
#include "log/hash.h"
#include "log/signed_note.h"

namespace exchange::log {

inline constexpr std::string_view kTlogProofHeader = "c2sp.org/tlog-proof@v1";

struct TlogProof {
  std::optional<std::string> extra;  // raw bytes (base64 only in the text)
  uint64_t index = 0;
  std::vector<Hash> inclusion;  // leaf's sibling first, up to the root's child
  std::string checkpoint;       // the signed note, verbatim, ending in '\n'
};

// The proof's text. Precondition: `checkpoint` is a signed note.
std::string FormatTlogProof(const TlogProof& proof);

// Parses a proof's text strictly: exact header, canonical base64, decimal
// index without leading zeros, 32-byte hashes. InvalidArgument otherwise.
// The checkpoint is not verified here.
Result<TlogProof> ParseTlogProof(std::string_view text);

// Parses and verifies a proof file whose extra data is the entry: the
// checkpoint is signed by a trusted feed key (and cosigned by a trusted
// freshness key when any are given, see VerifyCheckpointNote), `origin`
// (when not empty) matches, and the entry's leaf hash is at `index` of the
// checkpointed tree. InvalidArgument on any failure.
struct VerifiedTlogProof {
  TlogProof proof;
  VerifiedCheckpoint checkpoint;
};
Result<VerifiedTlogProof> VerifyTlogProof(std::string_view text, std::span<const Verifier> feed_keys,
                                          std::span<const Verifier> freshness, std::string_view origin);

}  // namespace exchange::log
