// SPDX-License-Identifier: Apache-2.0
// C2SP tlog-proof files: a proof built from a real signed checkpoint verifies
// for every index of small trees, parses back to what was formatted, and
// flipping any single bit (two different bits per byte) anywhere in the file
// makes verification fail. Wrong keys, origins and malformed texts are refused.
// The transparency-dev inclusion vectors survive the trip through the file
// format: what was accepted before still is, what was refused still is.
#include "log/tlog_proof.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "log/checkpoint.h"
#include "log/checkpoint_note.h"
#include "log/encoding.h"
#include "log/hash.h"
#include "log/merkle.h"
#include "log/signed_note.h"
#include "mini_json.h"
#include "vector_files.h"

namespace {

using namespace exchange;
using namespace exchange::log;

struct Fixture {
  Signer feed = GenerateSigner("exchange.test").value();
  Signer freshness = GenerateSigner("exchange.test", KeyType::kCosignatureV1).value();
  std::vector<Verifier> feed_keys{feed.verifier()};
  std::vector<Verifier> freshness_keys{freshness.verifier()};
  std::vector<std::string> entries;
  std::vector<Hash> leaves;
  std::string note;

  explicit Fixture(uint64_t size) {
    for (uint64_t i = 0; i < size; ++i) {
      entries.push_back("entry " + std::to_string(i) + std::string(i % 3, '\0'));
      leaves.push_back(LeafHash(std::string_view(entries.back())));
    }
    Checkpoint checkpoint{"exchange.test/c1", size, RootFromLeafHashes(leaves), {}};
    std::vector<Signer> signers{feed};
    note = SignCheckpointNote(checkpoint, signers, freshness, 1'800'000'000).value();
  }

  std::string ProofFile(uint64_t index) const {
    TlogProof proof;
    proof.extra = entries[index];
    proof.index = index;
    proof.inclusion = InclusionProof(leaves, index).value();
    proof.checkpoint = note;
    return FormatTlogProof(proof);
  }
};

TEST_CASE("a proof verifies for every index and parses back to what was formatted") {
  for (uint64_t size : {1u, 2u, 3u, 7u, 8u, 9u}) {
    Fixture f(size);
    for (uint64_t i = 0; i < size; ++i) {
      const std::string text = f.ProofFile(i);
      CHECK(text.starts_with("c2sp.org/tlog-proof@v1\nextra "));
      auto verified = VerifyTlogProof(text, f.feed_keys, f.freshness_keys, "exchange.test/c1");
      REQUIRE_MESSAGE(verified.ok(), verified.status().message());
      CHECK(verified->proof.index == i);
      CHECK(*verified->proof.extra == f.entries[i]);
      CHECK(verified->checkpoint.checkpoint.size == size);
      CHECK(verified->checkpoint.timestamp == 1'800'000'000);
      CHECK(FormatTlogProof(verified->proof) == text);
      // Without a freshness key the feed signature alone suffices.
      CHECK(VerifyTlogProof(text, f.feed_keys, {}, "").ok());
    }
  }
}

TEST_CASE("flipping any byte of a proof file makes it fail") {
  Fixture f(5);
  const std::string text = f.ProofFile(2);
  REQUIRE(VerifyTlogProof(text, f.feed_keys, f.freshness_keys, "exchange.test/c1").ok());
  for (unsigned char mask : {0x01, 0x40}) {
    for (size_t i = 0; i < text.size(); ++i) {
      std::string tampered = text;
      tampered[i] = static_cast<char>(tampered[i] ^ mask);
      auto verified = VerifyTlogProof(tampered, f.feed_keys, f.freshness_keys, "exchange.test/c1");
      CHECK_MESSAGE(!verified.ok(), "byte " << i << " flipped with mask " << int(mask) << " still verifies");
    }
  }
}

TEST_CASE("wrong keys, origin, index, entry or shape are refused") {
  Fixture f(4);
  const std::string text = f.ProofFile(1);
  Fixture other(4);
  CHECK(!VerifyTlogProof(text, other.feed_keys, {}, "").ok());
  CHECK(!VerifyTlogProof(text, f.feed_keys, other.freshness_keys, "").ok());
  CHECK(!VerifyTlogProof(text, f.feed_keys, f.freshness_keys, "exchange.test/c2").ok());

  auto proof = ParseTlogProof(text).value();
  TlogProof moved = proof;
  moved.index = 2;
  CHECK(!VerifyTlogProof(FormatTlogProof(moved), f.feed_keys, {}, "").ok());
  moved.index = 4;  // past the tree
  CHECK(!VerifyTlogProof(FormatTlogProof(moved), f.feed_keys, {}, "").ok());
  TlogProof swapped = proof;
  swapped.extra = f.entries[2];
  CHECK(!VerifyTlogProof(FormatTlogProof(swapped), f.feed_keys, {}, "").ok());
  TlogProof bare = proof;
  bare.extra.reset();
  CHECK(ParseTlogProof(FormatTlogProof(bare)).ok());  // valid C2SP, but ours carry the entry
  CHECK(!VerifyTlogProof(FormatTlogProof(bare), f.feed_keys, {}, "").ok());
  TlogProof shorter = proof;
  shorter.inclusion.pop_back();
  CHECK(!VerifyTlogProof(FormatTlogProof(shorter), f.feed_keys, {}, "").ok());

  const std::string tail = text.substr(text.find("index "));
  for (std::string bad : {std::string(""), std::string("c2sp.org/tlog-proof@v2\n") + tail,
                          std::string("c2sp.org/tlog-proof@v1\n") + tail.substr(0, tail.find('\n')),
                          std::string("c2sp.org/tlog-proof@v1\nindex 01\n\n") + f.note,
                          std::string("c2sp.org/tlog-proof@v1\nindex -1\n\n") + f.note,
                          std::string("c2sp.org/tlog-proof@v1\nindex 99999999999999999999\n\n") + f.note,
                          std::string("c2sp.org/tlog-proof@v1\nextra !!!!\nindex 0\n\n") + f.note,
                          std::string("c2sp.org/tlog-proof@v1\nindex 0\nAAAA\n\n") + f.note,
                          std::string("c2sp.org/tlog-proof@v1\nindex 0\n")}) {
    CHECK_MESSAGE(!ParseTlogProof(bad).ok(), bad);
  }
}

// Every inclusion vector whose values are all 32-byte hashes, carried as a
// proof file's index and path lines and parsed back.
TEST_CASE("transparency-dev inclusion vectors through the tlog-proof format") {
  namespace fs = std::filesystem;
  using exchange::testing::JsonValue;
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(exchange::testing::VectorDir("merkle") / "inclusion")) {
    if (e.is_regular_file() && e.path().extension() == ".json") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  REQUIRE(files.size() > 10);
  auto hash = [](const JsonValue* v) -> std::optional<Hash> {
    if (v == nullptr || v->kind != JsonValue::Kind::kString) return std::nullopt;
    auto bytes = Base64Decode(v->string);
    if (!bytes.ok() || bytes->size() != 32) return std::nullopt;
    return *HashFromBytes(*bytes);
  };
  Fixture f(1);  // only its signed note: the vectors' roots are checked directly
  int accepted = 0, refused = 0;
  for (const auto& path : files) {
    auto json = exchange::testing::ParseJson(exchange::testing::ReadTestFile(path));
    REQUIRE(json.has_value());
    const JsonValue* idx = json->Find("leafIdx");
    const JsonValue* size = json->Find("treeSize");
    const JsonValue* proof = json->Find("proof");
    const JsonValue* want_err = json->Find("wantErr");
    auto root = hash(json->Find("root"));
    auto leaf = hash(json->Find("leafHash"));
    if (!idx || !size || !want_err || !root || !leaf) continue;
    TlogProof carried;
    carried.extra = "entry";
    carried.index = static_cast<uint64_t>(idx->number);
    bool all_hashes = true;
    if (proof != nullptr && proof->kind == JsonValue::Kind::kArray) {
      for (const auto& h : proof->array) {
        auto p = hash(&h);
        if (!p) all_hashes = false;
        if (p) carried.inclusion.push_back(*p);
      }
    }
    if (!all_hashes) continue;
    carried.checkpoint = f.note;
    auto parsed = ParseTlogProof(FormatTlogProof(carried));
    REQUIRE_MESSAGE(parsed.ok(), path);
    CHECK(parsed->index == carried.index);
    CHECK(parsed->inclusion == carried.inclusion);
    const bool ok =
        VerifyInclusion(parsed->index, static_cast<uint64_t>(size->number), *leaf, parsed->inclusion, *root).ok();
    CHECK_MESSAGE(ok == !want_err->boolean, path);
    (ok ? accepted : refused)++;
  }
  CHECK(accepted > 0);
  CHECK(refused > 0);
}

}  // namespace
