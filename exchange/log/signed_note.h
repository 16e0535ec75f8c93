// SPDX-License-Identifier: Apache-2.0
// C2SP signed notes (https://c2sp.org/signed-note) with Ed25519 keys: the
// envelope the log's checkpoints travel in, and the key strings operators
// configure.
//
// A note is its text (ending in a newline), a blank line, then one line per
// signature: "— <key name> base64(key ID || signature)\n". A key is named and
// identified by key ID = SHA-256(name || 0x0A || type || public key)[:4],
// big-endian. Keys are written as verifier keys "name+hex8(id)+base64(type ||
// public key)" and private keys "PRIVATE+KEY+name+hex8(id)+base64(type ||
// seed)".
//
// Signer and Verifier are immutable values; copies are independent. A Signer
// holds the private seed: keep it out of logs. All functions are thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "log/ed25519.h"

namespace exchange::log {

// The signature type byte in a key ID; it also fixes what the key signs.
enum class KeyType : uint8_t {
  kEd25519 = 0x01,        // signed-note: Ed25519 over the note text
  kCosignatureV1 = 0x04,  // tlog-cosignature v1: timestamped, see cosignature.h
};

// Limits OpenNote enforces; SignNote refuses to produce a note beyond them.
// The spec asks verifiers to accept at least 16 signatures.
inline constexpr size_t kMaxNoteBytes = 1 << 20;
inline constexpr size_t kMaxNoteSignatures = 100;
inline constexpr size_t kMaxSignatureLineBytes = 8192;  // without its newline

// Non-empty valid UTF-8 without '+', Unicode white space or control characters.
bool IsValidKeyName(std::string_view name);

// Valid UTF-8 with no control character other than newline (U+000A).
bool IsValidNoteText(std::string_view text);

uint32_t KeyId(std::string_view name, KeyType type, const Ed25519PublicKey& public_key);

class Verifier {
 public:
  // InvalidArgument for a bad name.
  static Result<Verifier> Create(std::string name, KeyType type, const Ed25519PublicKey& public_key);
  // A verifier key string. InvalidArgument unless it is well formed, of a
  // known type, and its key ID matches the name and key.
  static Result<Verifier> Parse(std::string_view verifier_key);

  const std::string& name() const { return name_; }
  KeyType type() const { return type_; }
  uint32_t key_id() const { return key_id_; }
  const Ed25519PublicKey& public_key() const { return public_key_; }
  // The verifier key string; Parse(VerifierKey()) gives this verifier back.
  std::string VerifierKey() const;

 private:
  Verifier() = default;

  std::string name_;
  KeyType type_ = KeyType::kEd25519;
  uint32_t key_id_ = 0;
  Ed25519PublicKey public_key_{};
};

class Signer {
 public:
  // InvalidArgument for a bad name.
  static Result<Signer> Create(std::string name, KeyType type, const Ed25519Seed& seed);
  // A private key string, checked like Verifier::Parse.
  static Result<Signer> Parse(std::string_view private_key);

  const std::string& name() const { return verifier_.name(); }
  KeyType type() const { return verifier_.type(); }
  uint32_t key_id() const { return verifier_.key_id(); }
  const Verifier& verifier() const { return verifier_; }
  // The private key string. Secret.
  std::string PrivateKey() const;
  // A raw Ed25519 signature over `message`. Callers want SignNote or CoSign.
  Result<Ed25519Signature> SignMessage(std::string_view message) const;

 private:
  Signer(Verifier verifier, const Ed25519Seed& seed) : verifier_(std::move(verifier)), seed_(seed) {}

  Verifier verifier_;
  Ed25519Seed seed_;
};

// A new key from the OpenSSL CSPRNG.
Result<Signer> GenerateSigner(std::string name, KeyType type = KeyType::kEd25519);

// "— <name> base64(key ID || signature)\n": one line of a note's signature
// block, for a signature made elsewhere (see SignNote, CoSign).
std::string FormatSignatureLine(std::string_view name, uint32_t key_id, std::string_view signature);

// `text` followed by the blank line and one signature line per signer, in
// order. InvalidArgument when the text does not end in a newline or is not
// IsValidNoteText, when there are no signers or two with the same name and key
// ID, when a signer is not KeyType::kEd25519 (cosignatures: cosignature.h), or
// when the note would exceed the limits above.
Result<std::string> SignNote(std::string_view text, std::span<const Signer> signers);

struct NoteSignature {
  std::string name;
  uint32_t key_id = 0;
  KeyType type = KeyType::kEd25519;
  std::optional<uint64_t> timestamp;  // cosignatures only: POSIX seconds

  bool operator==(const NoteSignature&) const = default;
};

struct OpenedNote {
  std::string text;                     // including its final newline
  std::vector<NoteSignature> verified;  // one per known key that signed, in note order
  size_t unknown_signatures = 0;        // lines from keys not in `verifiers`, ignored
};

// Parses `note` and checks its signatures against `verifiers` (a key is known
// when both name and key ID match). Lines from unknown keys are ignored; every
// line from a known key must verify. InvalidArgument for a malformed note,
// PayloadTooLarge beyond the limits, Unauthenticated when a known key's
// signature fails or no known key signed. OK says only that some verifier
// signed: a caller that needs a particular key checks `verified`.
Result<OpenedNote> OpenNote(std::string_view note, std::span<const Verifier> verifiers);
// As OpenNote, but a note that no known key signed is OK (with `verified`
// empty): for counting optional signatures such as witness cosignatures.
Result<OpenedNote> ReadNoteSignatures(std::string_view note, std::span<const Verifier> verifiers);

}  // namespace exchange::log
