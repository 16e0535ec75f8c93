// SPDX-License-Identifier: Apache-2.0
// C2SP tlog-cosignature v1 (https://c2sp.org/tlog-cosignature), Ed25519 only:
// a timestamped signature over a checkpoint, "as of this time, this is the
// largest tree I have seen for this log". The exchange publishes one over its
// current checkpoint as a freshness statement.
//
// A cosignature is a note signature line whose key is KeyType::kCosignatureV1
// (key ID = SHA-256(name || 0x0A || 0x04 || public key)[:4]) and whose value
// is base64(key ID || 8-byte big-endian timestamp || Ed25519 signature) over
// CosignatureMessage(). OpenNote verifies such lines too, given a
// kCosignatureV1 Verifier.
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "log/signed_note.h"

namespace exchange::log {

inline constexpr uint64_t kMaxCosignatureTimestamp = (uint64_t{1} << 63) - 1;

// "cosignature/v1\ntime <timestamp>\n" followed by the checkpoint note text.
std::string CosignatureMessage(std::string_view checkpoint_text, uint64_t timestamp);

// The signature line (with its newline) to append to the signature block of
// the note carrying `checkpoint_text`. `timestamp` is POSIX seconds.
// InvalidArgument when the text is not a Checkpoint, the cosigner is not
// KeyType::kCosignatureV1, or the timestamp exceeds kMaxCosignatureTimestamp.
Result<std::string> CoSign(std::string_view checkpoint_text, const Signer& cosigner, uint64_t timestamp);

// The timestamp of `signature_line` (one line as CoSign returns it) when it is
// `cosigner`'s valid cosignature over `checkpoint_text`. Errors as OpenNote;
// InvalidArgument for a text that is not a Checkpoint or a cosigner that is
// not KeyType::kCosignatureV1.
Result<uint64_t> VerifyCosignature(std::string_view checkpoint_text, std::string_view signature_line,
                                   const Verifier& cosigner);

}  // namespace exchange::log
