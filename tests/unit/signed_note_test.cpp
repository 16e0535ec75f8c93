// SPDX-License-Identifier: Apache-2.0
// Signed notes, key strings, checkpoints and cosignatures: the shared C2SP
// vector and the Go reference example verify byte for byte; round trips work;
// tampering and malformed input are refused.
#include "log/signed_note.h"

#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "common/hex.h"
#include "log/checkpoint.h"
#include "log/cosignature.h"
#include "log/encoding.h"
#include "log/hash.h"
#include "vector_files.h"

namespace {

namespace fs = std::filesystem;
using namespace exchange;
using namespace exchange::log;
using namespace exchange::testing;

std::string TrimNewline(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

const fs::path kNoteVectors = exchange::testing::VectorDir("signed-note");

// golang.org/x/mod/sumdb/note's documented example: key pair and signed note.
constexpr std::string_view kGoVerifierKey = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
constexpr std::string_view kGoPrivateKey =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
constexpr std::string_view kGoText =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n";
constexpr std::string_view kGoSignatureLine =
    "\xE2\x80\x94 PeterNeumann "
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

Signer MustParseSigner(std::string_view key) {
  Result<Signer> signer = Signer::Parse(key);
  REQUIRE_MESSAGE(signer.ok(), signer.status().ToString());
  return *signer;
}

Verifier MustParseVerifier(std::string_view key) {
  Result<Verifier> verifier = Verifier::Parse(key);
  REQUIRE_MESSAGE(verifier.ok(), verifier.status().ToString());
  return *verifier;
}

Signer MustGenerate(std::string name, KeyType type = KeyType::kEd25519) {
  Result<Signer> signer = exchange::log::GenerateSigner(std::move(name), type);
  REQUIRE(signer.ok());
  return *signer;
}

std::string GoNote() { return std::string(kGoText) + "\n" + std::string(kGoSignatureLine); }

ErrorCode OpenCode(std::string_view note, const std::vector<Verifier>& verifiers) {
  return OpenNote(note, verifiers).status().code();
}

TEST_CASE("the shared C2SP vector verifies with its verifier key") {
  Verifier verifier = MustParseVerifier(TrimNewline(ReadTestFile(kNoteVectors / "example.vkey")));
  CHECK(verifier.name() == "example.com/foo");
  CHECK(verifier.key_id() == 0x530d903a);
  CHECK(verifier.type() == KeyType::kEd25519);
  CHECK(exchange::log::KeyId("example.com/foo", KeyType::kEd25519, verifier.public_key()) == 0x530d903a);
  CHECK(verifier.VerifierKey() == TrimNewline(ReadTestFile(kNoteVectors / "example.vkey")));

  std::string note = ReadTestFile(kNoteVectors / "example.note");
  auto opened = OpenNote(note, std::vector{verifier});
  REQUIRE_MESSAGE(opened.ok(), opened.status().ToString());
  CHECK(opened->text == "This is an example message.\n");
  REQUIRE(opened->verified.size() == 1);
  CHECK(opened->verified[0] == exchange::log::NoteSignature{"example.com/foo", 0x530d903a, KeyType::kEd25519, {}});
  CHECK(opened->unknown_signatures == 0);
}

TEST_CASE("the Go reference example signs and verifies byte for byte") {
  Signer signer = MustParseSigner(kGoPrivateKey);
  CHECK(signer.name() == "PeterNeumann");
  CHECK(signer.key_id() == 0xc74f20a3);
  CHECK(signer.PrivateKey() == kGoPrivateKey);
  CHECK(signer.verifier().VerifierKey() == kGoVerifierKey);

  auto note = SignNote(kGoText, std::vector{signer});
  REQUIRE(note.ok());
  CHECK(*note == GoNote());

  auto opened = OpenNote(GoNote(), std::vector{MustParseVerifier(kGoVerifierKey)});
  REQUIRE(opened.ok());
  CHECK(opened->text == kGoText);
}

// The key ID as the spec words it, written out independently of KeyId().
std::string SpecKeyIdHex(const std::string& name, char type, const exchange::log::Ed25519PublicKey& public_key) {
  std::string input = name + "\n" + type;
  input += exchange::log::AsChars(public_key);
  exchange::log::Hash digest = exchange::log::Sha256(input);
  return exchange::HexEncode(std::span(digest).first(4));
}

std::string Hex8(uint32_t key_id) {
  char hex[9];
  std::snprintf(hex, sizeof hex, "%08x", key_id);
  return hex;
}

TEST_CASE("key IDs are SHA-256(name || 0x0A || type || public key)[:4], big-endian") {
  Signer signer = MustGenerate("example.org/keys");
  const auto& public_key = signer.verifier().public_key();
  CHECK(Hex8(signer.key_id()) == SpecKeyIdHex("example.org/keys", '\x01', public_key));
  CHECK(Hex8(exchange::log::KeyId(signer.name(), KeyType::kCosignatureV1, public_key)) ==
        SpecKeyIdHex("example.org/keys", '\x04', public_key));
}

TEST_CASE("a note signed by several keys opens with any of them") {
  Signer a = MustGenerate("exchange.example/feed");
  Signer b = MustGenerate("exchange.example/feed-next");
  std::string text = "exchange.example/c1\n42\n" + exchange::log::Base64Encode(exchange::log::EmptyRoot()) + "\n";
  auto note = SignNote(text, std::vector{a, b});
  REQUIRE(note.ok());

  auto both = OpenNote(*note, std::vector{a.verifier(), b.verifier()});
  REQUIRE(both.ok());
  CHECK(both->text == text);
  CHECK(both->verified.size() == 2);

  auto only_b = OpenNote(*note, std::vector{b.verifier()});
  REQUIRE(only_b.ok());
  REQUIRE(only_b->verified.size() == 1);
  CHECK(only_b->verified[0].name == b.name());
  CHECK(only_b->unknown_signatures == 1);
}

TEST_CASE("a note with an empty line in its text splits at the last blank line") {
  Signer signer = MustGenerate("k");
  auto note = SignNote("one\n\ntwo\n\n", std::vector{signer});
  REQUIRE(note.ok());
  auto opened = OpenNote(*note, std::vector{signer.verifier()});
  REQUIRE(opened.ok());
  CHECK(opened->text == "one\n\ntwo\n\n");
}

TEST_CASE("tampered notes and wrong keys are refused") {
  Verifier go = MustParseVerifier(kGoVerifierKey);
  std::string note = GoNote();

  std::string tampered_text = note;
  tampered_text[3] = 'X';
  CHECK(OpenCode(tampered_text, {go}) == ErrorCode::kUnauthenticated);

  // One flipped bit in the signature, keeping the key ID.
  auto line = std::string(kGoSignatureLine);
  size_t value_at = line.find(' ', 4) + 1;
  std::string value = *exchange::log::Base64Decode(line.substr(value_at, line.size() - value_at - 1));
  value[10] ^= 1;
  std::string tampered_sig =
      std::string(kGoText) + "\n" + line.substr(0, value_at) + exchange::log::Base64Encode(value) + "\n";
  CHECK(OpenCode(tampered_sig, {go}) == ErrorCode::kUnauthenticated);

  // Same name, another key: its key ID differs, so the signature is unknown.
  Signer impostor = MustGenerate("PeterNeumann");
  CHECK(OpenCode(note, {impostor.verifier()}) == ErrorCode::kUnauthenticated);
  CHECK(OpenCode(note, {}) == ErrorCode::kUnauthenticated);

  // A valid signature does not excuse a bad one by another known key.
  Signer other = MustGenerate("other");
  std::string forged_other = note + exchange::log::FormatSignatureLine("other", other.key_id(), std::string(64, 'x'));
  CHECK(OpenCode(forged_other, {go, other.verifier()}) == ErrorCode::kUnauthenticated);
  // ... but is fine when that key is not trusted.
  auto opened = OpenNote(forged_other, std::vector{go});
  REQUIRE(opened.ok());
  CHECK(opened->unknown_signatures == 1);
}

TEST_CASE("malformed notes are refused") {
  Verifier go = MustParseVerifier(kGoVerifierKey);
  const std::string text(kGoText);
  const std::string sig(kGoSignatureLine);
  const std::vector<std::string> malformed = {
      "",
      text,                                                                       // no signature block
      text + "\n",                                                                // empty signature block
      text + sig,                                                                 // no blank line
      text + "\n" + sig.substr(0, sig.size() - 1),                                // unterminated signature line
      text + "\n" + sig + "\n",                                                   // blank line after the signatures
      text + "\n" + "- PeterNeumann" + sig.substr(sig.find(' ', 4)),              // hyphen, not em dash
      text + "\n" + "\xE2\x80\x94PeterNeumann" + sig.substr(sig.find(' ', 4)),    // no space after the dash
      text + "\n" + "\xE2\x80\x94 PeterNeumann\n",                                // no signature
      text + "\n" + "\xE2\x80\x94 PeterNeumann \n",                               // empty signature
      text + "\n" + "\xE2\x80\x94 PeterNeumann x08g\n",                           // too short for a key ID
      text + "\n" + "\xE2\x80\x94 PeterNeumann x08go/ZJkuBS9UG/Sff!\n",           // not base64
      text + "\n" + sig.substr(0, sig.size() - 1) + " \n",                        // trailing space
      text + "\n" + "\xE2\x80\x94 Peter+Neumann" + sig.substr(sig.find(' ', 4)),  // '+' in the name
      text + "\n" + "\xE2\x80\x94  PeterNeumann" + sig.substr(sig.find(' ', 4)),  // empty name
      "If you think\x01\n\n" + sig,                                               // control character
      "If you think\r\n\n" + sig,                                                 // carriage return
      "If you think \xC3\x28\n\n" + sig,                                          // invalid UTF-8
      "If you think \xE0\x80\xAF\n\n" + sig,                                      // overlong UTF-8
  };
  for (const std::string& note : malformed) {
    CAPTURE(note);
    CHECK(OpenCode(note, {go}) == ErrorCode::kInvalidArgument);
  }
}

TEST_CASE("notes beyond the limits are refused") {
  Verifier go = MustParseVerifier(kGoVerifierKey);
  std::string note = GoNote();
  // 100 signatures are fine (the Go reference's limit); 101 are not.
  Signer other = MustGenerate("other");
  std::string unknown_line = exchange::log::FormatSignatureLine("other", other.key_id(), std::string(64, 'x'));
  std::string hundred = note;
  for (int i = 1; i < 100; ++i) hundred += unknown_line;
  CHECK(OpenNote(hundred, std::vector{go}).ok());
  CHECK(OpenCode(hundred + unknown_line, {go}) == ErrorCode::kPayloadTooLarge);

  std::string long_line =
      exchange::log::FormatSignatureLine("other", 1, std::string(exchange::log::kMaxSignatureLineBytes, 'x'));
  CHECK(OpenCode(note + long_line, {go}) == ErrorCode::kPayloadTooLarge);

  std::string huge_text(exchange::log::kMaxNoteBytes, 'a');
  huge_text.back() = '\n';
  CHECK(OpenCode(huge_text + "\n" + std::string(kGoSignatureLine), {go}) == ErrorCode::kPayloadTooLarge);
  CHECK(SignNote(huge_text, std::vector{MustParseSigner(kGoPrivateKey)}).status().code() ==
        ErrorCode::kInvalidArgument);
}

TEST_CASE("SignNote refuses what OpenNote would refuse") {
  Signer signer = MustGenerate("k");
  auto sign = [&](std::string_view text, std::vector<Signer> signers) {
    return SignNote(text, signers).status().code();
  };
  CHECK(sign("no newline", {signer}) == ErrorCode::kInvalidArgument);
  CHECK(sign("", {signer}) == ErrorCode::kInvalidArgument);
  CHECK(sign("tab\there\n", {signer}) == ErrorCode::kInvalidArgument);
  CHECK(sign("bad \xFF\n", {signer}) == ErrorCode::kInvalidArgument);
  CHECK(sign("text\n", {}) == ErrorCode::kInvalidArgument);
  CHECK(sign("text\n", {signer, signer}) == ErrorCode::kInvalidArgument);
  CHECK(sign("text\n", {MustGenerate("w", KeyType::kCosignatureV1)}) == ErrorCode::kInvalidArgument);
}

TEST_CASE("key strings round-trip and malformed ones are refused") {
  Signer signer = MustGenerate("exchange.example/feed");
  Signer parsed = MustParseSigner(signer.PrivateKey());
  CHECK(parsed.key_id() == signer.key_id());
  CHECK(*parsed.SignMessage("m") == *signer.SignMessage("m"));
  Verifier verifier = MustParseVerifier(signer.verifier().VerifierKey());
  CHECK(verifier.public_key() == signer.verifier().public_key());
  CHECK(verifier.key_id() == signer.key_id());

  Signer cosigner = MustGenerate("witness.example/w1", KeyType::kCosignatureV1);
  CHECK(MustParseVerifier(cosigner.verifier().VerifierKey()).type() == KeyType::kCosignatureV1);
  CHECK(MustParseSigner(cosigner.PrivateKey()).type() == KeyType::kCosignatureV1);

  const std::vector<std::string> bad_verifier_keys = {
      "",
      "PeterNeumann",
      "PeterNeumann+c74f20a3",
      "PeterNeumann+c74f20a3+",
      "+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",                      // empty name
      "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",         // space in name
      "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",          // wrong key ID
      "PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",           // 7 hex digits
      "PeterNeumann+c74f20g3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",          // not hex
      "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T",           // bad base64
      "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW ",         // trailing space
      "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==",  // 37-byte key
      "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",          // unknown type
      std::string(kGoPrivateKey),
  };
  for (const std::string& key : bad_verifier_keys) {
    CAPTURE(key);
    CHECK(Verifier::Parse(key).status().code() == ErrorCode::kInvalidArgument);
  }
  const std::vector<std::string> bad_private_keys = {
      std::string(kGoVerifierKey),
      "PRIVATE+KEY+PeterNeumann+c74f20a4+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",  // wrong key ID
      "private+key+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",  // prefix case
      "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDF",   // bad base64
  };
  for (const std::string& key : bad_private_keys) {
    CAPTURE(key);
    CHECK(Signer::Parse(key).status().code() == ErrorCode::kInvalidArgument);
  }
}

TEST_CASE("key names follow the spec") {
  CHECK(exchange::log::IsValidKeyName("example.com/foo"));
  CHECK(exchange::log::IsValidKeyName("\xC3\xA9xchange"));  // é
  CHECK_FALSE(exchange::log::IsValidKeyName(""));
  CHECK_FALSE(exchange::log::IsValidKeyName("a+b"));
  CHECK_FALSE(exchange::log::IsValidKeyName("a b"));
  CHECK_FALSE(exchange::log::IsValidKeyName("a\tb"));
  CHECK_FALSE(
      exchange::log::IsValidKeyName("a\xC2\xA0"
                                    "b"));  // no-break space
  CHECK_FALSE(
      exchange::log::IsValidKeyName("a\xE3\x80\x80"
                                    "b"));  // ideographic space
  CHECK_FALSE(exchange::log::IsValidKeyName("a\x7F"));
  CHECK_FALSE(exchange::log::IsValidKeyName("a\xFF"));
  CHECK(Signer::Create("bad name", KeyType::kEd25519, {}).status().code() == ErrorCode::kInvalidArgument);
}

Checkpoint SampleCheckpoint() {
  return Checkpoint{"exchange.example/c1", 20852163, exchange::log::Sha256(std::string_view("root")), {}};
}

TEST_CASE("checkpoints format as C2SP tlog-checkpoint and parse back") {
  Checkpoint c = SampleCheckpoint();
  std::string text = c.Format();
  CHECK(text == "exchange.example/c1\n20852163\n" + exchange::log::Base64Encode(c.root) + "\n");
  CHECK(*Checkpoint::Parse(text) == c);

  c.extensions = {"ext one", "ext two"};
  CHECK(c.Format() == text + "ext one\next two\n");
  CHECK(*Checkpoint::Parse(c.Format()) == c);

  Checkpoint empty{"o", 0, exchange::log::EmptyRoot(), {}};
  CHECK(*Checkpoint::Parse(empty.Format()) == empty);
  Checkpoint largest{"o", ~uint64_t{0}, exchange::log::EmptyRoot(), {}};
  CHECK(largest.Format().find("\n18446744073709551615\n") != std::string::npos);
  CHECK(*Checkpoint::Parse(largest.Format()) == largest);

  // The C2SP example.
  auto example =
      Checkpoint::Parse("example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n");
  REQUIRE(example.ok());
  CHECK(example->size == 20852163);
}

TEST_CASE("malformed checkpoints are refused") {
  const std::string root = exchange::log::Base64Encode(exchange::log::EmptyRoot());
  const std::vector<std::string> malformed = {
      "",
      "o\n1\n" + root,          // no final newline
      "o\n1\n",                 // no root
      "\n1\n" + root + "\n",    // empty origin
      "o\n\n" + root + "\n",    // empty size
      "o\n01\n" + root + "\n",  // leading zero
      "o\n00\n" + root + "\n",
      "o\n+1\n" + root + "\n",  // sign
      "o\n-1\n" + root + "\n",
      "o\n 1\n" + root + "\n",
      "o\n1 \n" + root + "\n",
      "o\n0x10\n" + root + "\n",
      "o\n18446744073709551616\n" + root + "\n",  // 2^64
      "o\n1\n" + root.substr(0, 40) + "\n",       // short root
      "o\n1\n" + root + "AAAA\n",                 // long root
      "o\n1\n" + root.substr(0, 43) + "\n",       // bad base64
      "o\n1\n" + root + "\n\n",                   // empty extension line
      "o\n1\n" + root + "\nx\n\n",
      "o\r\n1\n" + root + "\n",  // carriage return
  };
  for (const std::string& text : malformed) {
    CAPTURE(text);
    CHECK(Checkpoint::Parse(text).status().code() == ErrorCode::kInvalidArgument);
  }
}

TEST_CASE("cosignatures round-trip and carry their timestamp") {
  Signer cosigner = MustGenerate("exchange.example/freshness", KeyType::kCosignatureV1);
  std::string body = SampleCheckpoint().Format();
  auto line = exchange::log::CoSign(body, cosigner, 1679315147);
  REQUIRE(line.ok());
  auto timestamp = exchange::log::VerifyCosignature(body, *line, cosigner.verifier());
  REQUIRE_MESSAGE(timestamp.ok(), timestamp.status().ToString());
  CHECK(*timestamp == 1679315147);

  // The layout, pinned without the library's own message builder:
  // key ID (type 0x04) || big-endian timestamp || Ed25519 over the v1 message.
  std::string prefix = "\xE2\x80\x94 exchange.example/freshness ";
  REQUIRE(line->starts_with(prefix));
  std::string value = *exchange::log::Base64Decode(line->substr(prefix.size(), line->size() - prefix.size() - 1));
  REQUIRE(value.size() == 4 + 8 + 64);
  CHECK(exchange::HexEncode(value.substr(0, 4)) ==
        SpecKeyIdHex(cosigner.name(), '\x04', cosigner.verifier().public_key()));
  CHECK(exchange::HexEncode(value.substr(4, 8)) == "00000000641850cb");
  std::string message = "cosignature/v1\ntime 1679315147\n" + body;
  CHECK(exchange::log::Ed25519Verify(cosigner.verifier().public_key(), message,
                                     exchange::log::AsBytes(value).subspan(12)));

  // In a note next to the log's own signature, OpenNote verifies both.
  Signer log = MustGenerate("exchange.example/c1");
  std::string note = *SignNote(body, std::vector{log}) + *line;
  auto opened = OpenNote(note, std::vector{log.verifier(), cosigner.verifier()});
  REQUIRE(opened.ok());
  REQUIRE(opened->verified.size() == 2);
  CHECK(opened->verified[0].timestamp == std::nullopt);
  CHECK(opened->verified[1].timestamp == std::optional<uint64_t>(1679315147));
}

TEST_CASE("the C2SP example cosignature has the timestamped layout") {
  // From c2sp.org/tlog-cosignature: witness.example.com/w1 signed at time 1679315147.
  auto value = exchange::log::Base64Decode(
      "jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==");
  REQUIRE(value.ok());
  REQUIRE(value->size() == 4 + 8 + 64);
  CHECK(exchange::HexEncode(value->substr(4, 8)) == "00000000641850cb");  // 1679315147
}

TEST_CASE("tampered or misused cosignatures are refused") {
  Signer cosigner = MustGenerate("w", KeyType::kCosignatureV1);
  std::string body = SampleCheckpoint().Format();
  std::string line = *exchange::log::CoSign(body, cosigner, 1000);

  Checkpoint moved = SampleCheckpoint();
  moved.size += 1;
  CHECK(exchange::log::VerifyCosignature(moved.Format(), line, cosigner.verifier()).status().code() ==
        ErrorCode::kUnauthenticated);

  // Claiming another time breaks the signature.
  std::string prefix = "\xE2\x80\x94 w ";
  std::string value = *exchange::log::Base64Decode(line.substr(prefix.size(), line.size() - prefix.size() - 1));
  value[11] ^= 1;
  std::string retimed = prefix + exchange::log::Base64Encode(value) + "\n";
  CHECK(exchange::log::VerifyCosignature(body, retimed, cosigner.verifier()).status().code() ==
        ErrorCode::kUnauthenticated);

  Signer other = MustGenerate("w", KeyType::kCosignatureV1);
  CHECK(exchange::log::VerifyCosignature(body, line, other.verifier()).status().code() == ErrorCode::kUnauthenticated);

  // A plain note signature is not a cosignature, and vice versa.
  Signer plain = MustGenerate("w");
  CHECK(exchange::log::CoSign(body, plain, 1000).status().code() == ErrorCode::kInvalidArgument);
  CHECK(exchange::log::VerifyCosignature(body, line, plain.verifier()).status().code() == ErrorCode::kInvalidArgument);

  CHECK(exchange::log::CoSign("not a checkpoint\n", cosigner, 1000).status().code() == ErrorCode::kInvalidArgument);
  CHECK(exchange::log::CoSign(body, cosigner, exchange::log::kMaxCosignatureTimestamp + 1).status().code() ==
        ErrorCode::kInvalidArgument);
  CHECK(exchange::log::CoSign(body, cosigner, exchange::log::kMaxCosignatureTimestamp).ok());
  CHECK(exchange::log::VerifyCosignature(body, line + line, cosigner.verifier()).status().code() ==
        ErrorCode::kInvalidArgument);
  CHECK(exchange::log::VerifyCosignature(body, line.substr(0, line.size() - 1), cosigner.verifier()).status().code() ==
        ErrorCode::kInvalidArgument);
}

TEST_CASE("base64") {
  using exchange::log::Base64Decode;
  using exchange::log::Base64Encode;
  // RFC 4648 §10.
  const std::vector<std::pair<std::string, std::string>> rfc = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : rfc) {
    CHECK(Base64Encode(plain) == encoded);
    CHECK(*Base64Decode(encoded) == plain);
  }
  std::string all_bytes;
  for (int i = 0; i < 256; ++i) all_bytes += static_cast<char>(i);
  CHECK(*Base64Decode(Base64Encode(all_bytes)) == all_bytes);
  for (std::string_view bad :
       {"Zg", "Zg=", "Zg===", "Z===", "====", "Zh==", "Zm9=", "Zm 9v", "Zm9v\n", "Zg==Zg==", "Zm-v", "Zm_v", "=Zm9"}) {
    CAPTURE(bad);
    CHECK(Base64Decode(bad).status().code() == ErrorCode::kInvalidArgument);
  }
}

}  // namespace
