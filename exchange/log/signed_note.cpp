// SPDX-License-Identifier: Apache-2.0
#include "log/signed_note.h"

#include <algorithm>
#include <cstring>
#include <iterator>

#include "common/hex.h"
#include "log/cosignature.h"
#include "log/encoding.h"
#include "log/hash.h"

namespace exchange::log {
namespace {

constexpr std::string_view kSignaturePrefix = "\xE2\x80\x94 ";  // em dash U+2014, space
constexpr std::string_view kPrivateKeyPrefix = "PRIVATE+KEY+";
constexpr size_t kKeyIdBytes = 4;
constexpr int32_t kInvalidUtf8 = -1;

// The code point starting at s[i], advancing i past it; kInvalidUtf8 for a
// truncated, overlong or surrogate sequence or one beyond U+10FFFF.
int32_t NextCodePoint(std::string_view s, size_t& i) {
  auto byte = [&](size_t j) { return static_cast<uint8_t>(s[j]); };
  uint8_t first = byte(i);
  if (first < 0x80) {
    ++i;
    return first;
  }
  struct Form {
    uint8_t lead_mask, lead_bits;
    size_t length;
    int32_t smallest;  // anything below has a shorter form
  };
  static constexpr Form kForms[] = {{0xE0, 0xC0, 2, 0x80}, {0xF0, 0xE0, 3, 0x800}, {0xF8, 0xF0, 4, 0x10000}};
  const Form* form = std::find_if(std::begin(kForms), std::end(kForms),
                                  [&](const Form& f) { return (first & f.lead_mask) == f.lead_bits; });
  if (form == std::end(kForms)) return kInvalidUtf8;
  size_t length = form->length;
  int32_t code_point = first & static_cast<uint8_t>(~form->lead_mask);
  int32_t smallest = form->smallest;
  if (s.size() - i < length) return kInvalidUtf8;
  for (size_t j = 1; j < length; ++j) {
    if ((byte(i + j) & 0xC0) != 0x80) return kInvalidUtf8;
    code_point = code_point << 6 | (byte(i + j) & 0x3F);
  }
  if (code_point < smallest || code_point > 0x10FFFF || (code_point >= 0xD800 && code_point <= 0xDFFF)) {
    return kInvalidUtf8;
  }
  i += length;
  return code_point;
}

// Unicode White_Space, as Go's unicode.IsSpace (which the reference note
// implementation uses for names).
bool IsUnicodeSpace(int32_t c) {
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

bool IsControl(int32_t c) { return c < 0x20 || (c >= 0x7F && c <= 0x9F); }

std::string KeyIdBytes(uint32_t key_id) {
  return {static_cast<char>(key_id >> 24), static_cast<char>(key_id >> 16), static_cast<char>(key_id >> 8),
          static_cast<char>(key_id)};
}

uint32_t KeyIdFromBytes(std::string_view bytes) {
  return static_cast<uint32_t>(static_cast<uint8_t>(bytes[0])) << 24 |
         static_cast<uint32_t>(static_cast<uint8_t>(bytes[1])) << 16 |
         static_cast<uint32_t>(static_cast<uint8_t>(bytes[2])) << 8 | static_cast<uint8_t>(bytes[3]);
}

// "name+hex8(id)+base64(type || key)", the shape both key strings share.
std::string EncodeKeyString(const std::string& name, uint32_t key_id, KeyType type, std::span<const uint8_t, 32> key) {
  std::string typed_key(1, static_cast<char>(type));
  typed_key += AsChars(key);
  return name + "+" + HexEncode(KeyIdBytes(key_id)) + "+" + Base64Encode(typed_key);
}

struct KeyString {
  std::string name;
  uint32_t key_id = 0;
  KeyType type = KeyType::kEd25519;
  std::array<uint8_t, 32> key{};
};

Result<KeyString> ParseKeyString(std::string_view text) {
  auto bad = [](std::string_view why) { return Status::InvalidArgument("malformed key: " + std::string(why)); };
  // Names cannot hold '+', base64 can: split at the first two.
  size_t name_end = text.find('+');
  if (name_end == std::string_view::npos) return bad("no '+' separator");
  KeyString parsed;
  parsed.name = std::string(text.substr(0, name_end));
  if (!IsValidKeyName(parsed.name)) return bad("invalid key name");
  std::string_view rest = text.substr(name_end + 1);
  if (rest.size() < 2 * kKeyIdBytes + 1 || rest[2 * kKeyIdBytes] != '+') return bad("key ID is not 8 hex digits");
  Result<std::string> id = HexDecode(rest.substr(0, 2 * kKeyIdBytes));
  if (!id.ok()) return bad("key ID is not 8 hex digits");
  parsed.key_id = KeyIdFromBytes(*id);
  Result<std::string> typed_key = Base64Decode(rest.substr(2 * kKeyIdBytes + 1));
  if (!typed_key.ok()) return bad(typed_key.status().message());
  if (typed_key->size() != 1 + parsed.key.size()) return bad("key material is not 1 + 32 bytes");
  uint8_t type = static_cast<uint8_t>((*typed_key)[0]);
  if (type != static_cast<uint8_t>(KeyType::kEd25519) && type != static_cast<uint8_t>(KeyType::kCosignatureV1)) {
    return bad("unsupported signature type " + std::to_string(type));
  }
  parsed.type = static_cast<KeyType>(type);
  std::memcpy(parsed.key.data(), typed_key->data() + 1, parsed.key.size());
  return parsed;
}

const Verifier* FindVerifier(std::span<const Verifier> verifiers, std::string_view name, uint32_t key_id) {
  auto it = std::find_if(verifiers.begin(), verifiers.end(),
                         [&](const Verifier& v) { return v.name() == name && v.key_id() == key_id; });
  return it == verifiers.end() ? nullptr : &*it;
}

// Checks `signature` (the bytes after the key ID) by `verifier` over `text`.
// Returns the cosignature timestamp, if the key type has one.
Result<std::optional<uint64_t>> CheckSignature(const Verifier& verifier, std::string_view text,
                                               std::string_view signature) {
  auto failed = [&] {
    return Status::Unauthenticated("signature by known key " + verifier.name() + " does not verify");
  };
  switch (verifier.type()) {
    case KeyType::kEd25519:
      if (!Ed25519Verify(verifier.public_key(), text, AsBytes(signature))) return failed();
      return std::optional<uint64_t>();
    case KeyType::kCosignatureV1: {
      if (signature.size() != 8 + Ed25519Signature().size()) return failed();
      uint64_t timestamp = 0;
      for (size_t i = 0; i < 8; ++i) timestamp = timestamp << 8 | static_cast<uint8_t>(signature[i]);
      if (timestamp > kMaxCosignatureTimestamp) return failed();
      if (!Ed25519Verify(verifier.public_key(), CosignatureMessage(text, timestamp), AsBytes(signature.substr(8)))) {
        return failed();
      }
      return std::optional<uint64_t>(timestamp);
    }
  }
  return failed();
}

}  // namespace

bool IsValidKeyName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size();) {
    int32_t c = NextCodePoint(name, i);
    if (c == kInvalidUtf8 || c == '+' || IsUnicodeSpace(c) || IsControl(c)) return false;
  }
  return true;
}

bool IsValidNoteText(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    int32_t c = NextCodePoint(text, i);
    if (c == kInvalidUtf8 || (c < 0x20 && c != '\n')) return false;
  }
  return true;
}

uint32_t KeyId(std::string_view name, KeyType type, const Ed25519PublicKey& public_key) {
  std::string input(name);
  input += '\n';
  input += static_cast<char>(type);
  input += AsChars(public_key);
  Hash digest = Sha256(input);
  return KeyIdFromBytes(AsChars(std::span(digest).first(kKeyIdBytes)));
}

Result<Verifier> Verifier::Create(std::string name, KeyType type, const Ed25519PublicKey& public_key) {
  if (!IsValidKeyName(name)) return Status::InvalidArgument("invalid key name");
  Verifier v;
  v.key_id_ = KeyId(name, type, public_key);
  v.name_ = std::move(name);
  v.type_ = type;
  v.public_key_ = public_key;
  return v;
}

Result<Verifier> Verifier::Parse(std::string_view verifier_key) {
  Result<KeyString> parsed = ParseKeyString(verifier_key);
  if (!parsed.ok()) return parsed.status();
  Result<Verifier> v = Create(parsed->name, parsed->type, parsed->key);
  if (!v.ok()) return v.status();
  if (v->key_id() != parsed->key_id) return Status::InvalidArgument("malformed key: key ID does not match the key");
  return v;
}

std::string Verifier::VerifierKey() const { return EncodeKeyString(name_, key_id_, type_, public_key_); }

Result<Signer> Signer::Create(std::string name, KeyType type, const Ed25519Seed& seed) {
  Result<Ed25519PublicKey> public_key = Ed25519PublicKeyFromSeed(seed);
  if (!public_key.ok()) return public_key.status();
  Result<Verifier> verifier = Verifier::Create(std::move(name), type, *public_key);
  if (!verifier.ok()) return verifier.status();
  return Signer(std::move(verifier).value(), seed);
}

Result<Signer> Signer::Parse(std::string_view private_key) {
  if (!private_key.starts_with(kPrivateKeyPrefix)) {
    return Status::InvalidArgument("malformed key: no PRIVATE+KEY+ prefix");
  }
  Result<KeyString> parsed = ParseKeyString(private_key.substr(kPrivateKeyPrefix.size()));
  if (!parsed.ok()) return parsed.status();
  Result<Signer> signer = Create(parsed->name, parsed->type, parsed->key);
  if (!signer.ok()) return signer.status();
  if (signer->key_id() != parsed->key_id) {
    return Status::InvalidArgument("malformed key: key ID does not match the key");
  }
  return signer;
}

std::string Signer::PrivateKey() const {
  return std::string(kPrivateKeyPrefix) + EncodeKeyString(name(), key_id(), type(), seed_);
}

Result<Ed25519Signature> Signer::SignMessage(std::string_view message) const { return Ed25519Sign(seed_, message); }

Result<Signer> GenerateSigner(std::string name, KeyType type) {
  Result<Ed25519Seed> seed = GenerateEd25519Seed();
  if (!seed.ok()) return seed.status();
  return Signer::Create(std::move(name), type, *seed);
}

std::string FormatSignatureLine(std::string_view name, uint32_t key_id, std::string_view signature) {
  return std::string(kSignaturePrefix) + std::string(name) + " " +
         Base64Encode(KeyIdBytes(key_id) + std::string(signature)) + "\n";
}

Result<std::string> SignNote(std::string_view text, std::span<const Signer> signers) {
  if (text.empty() || text.back() != '\n') return Status::InvalidArgument("note text must end with a newline");
  if (!IsValidNoteText(text)) return Status::InvalidArgument("note text must be UTF-8 without control characters");
  if (signers.empty()) return Status::InvalidArgument("a note needs at least one signer");
  if (signers.size() > kMaxNoteSignatures) return Status::InvalidArgument("too many signers");
  std::string note(text);
  note += '\n';
  for (size_t i = 0; i < signers.size(); ++i) {
    const Signer& signer = signers[i];
    if (signer.type() != KeyType::kEd25519) {
      return Status::InvalidArgument("key " + signer.name() + " is not a note signing key");
    }
    auto same_key = [&](const Signer& other) {
      return other.name() == signer.name() && other.key_id() == signer.key_id();
    };
    if (std::any_of(signers.begin(), signers.begin() + i, same_key)) {
      return Status::InvalidArgument("key " + signer.name() + " signs twice");
    }
    Result<Ed25519Signature> signature = signer.SignMessage(text);
    if (!signature.ok()) return signature.status();
    std::string line = FormatSignatureLine(signer.name(), signer.key_id(), AsChars(*signature));
    if (line.size() > kMaxSignatureLineBytes + 1) return Status::InvalidArgument("key name too long");
    note += line;
  }
  if (note.size() > kMaxNoteBytes) return Status::InvalidArgument("note too large");
  return note;
}

Result<OpenedNote> ReadNoteSignatures(std::string_view note, std::span<const Verifier> verifiers) {
  auto malformed = [](std::string_view why) { return Status::InvalidArgument("malformed note: " + std::string(why)); };
  if (note.size() > kMaxNoteBytes) return Status::PayloadTooLarge("note too large");
  if (!IsValidNoteText(note)) return malformed("not UTF-8 without control characters");
  // The text is separated from the signatures by the last blank line.
  size_t split = note.rfind("\n\n");
  if (split == std::string_view::npos) return malformed("no signature block");
  OpenedNote opened;
  opened.text = std::string(note.substr(0, split + 1));
  std::string_view block = note.substr(split + 2);
  if (block.empty() || block.back() != '\n') return malformed("empty or unterminated signature block");
  size_t lines = 0;
  while (!block.empty()) {
    size_t end = block.find('\n');
    std::string_view line = block.substr(0, end);
    block.remove_prefix(end + 1);
    if (++lines > kMaxNoteSignatures) return Status::PayloadTooLarge("too many signatures");
    if (line.size() > kMaxSignatureLineBytes) return Status::PayloadTooLarge("signature line too long");
    if (!line.starts_with(kSignaturePrefix)) return malformed("signature line does not start with an em dash");
    line.remove_prefix(kSignaturePrefix.size());
    size_t space = line.find(' ');
    if (space == std::string_view::npos) return malformed("signature line has no signature");
    std::string_view name = line.substr(0, space);
    std::string_view encoded = line.substr(space + 1);
    if (!IsValidKeyName(name)) return malformed("invalid key name");
    Result<std::string> signature = Base64Decode(encoded);
    if (encoded.empty() || !signature.ok() || signature->size() <= kKeyIdBytes) return malformed("bad signature");
    uint32_t key_id = KeyIdFromBytes(*signature);
    const Verifier* verifier = FindVerifier(verifiers, name, key_id);
    if (verifier == nullptr) {
      ++opened.unknown_signatures;
      continue;
    }
    Result<std::optional<uint64_t>> timestamp =
        CheckSignature(*verifier, opened.text, std::string_view(*signature).substr(kKeyIdBytes));
    if (!timestamp.ok()) return timestamp.status();
    NoteSignature verified{verifier->name(), key_id, verifier->type(), *timestamp};
    bool seen = std::any_of(opened.verified.begin(), opened.verified.end(), [&](const NoteSignature& s) {
      return s.name == verified.name && s.key_id == verified.key_id;
    });
    if (!seen) opened.verified.push_back(std::move(verified));
  }
  return opened;
}

Result<OpenedNote> OpenNote(std::string_view note, std::span<const Verifier> verifiers) {
  auto opened = ReadNoteSignatures(note, verifiers);
  if (opened.ok() && opened->verified.empty()) return Status::Unauthenticated("no signature by a known key");
  return opened;
}

}  // namespace exchange::log
