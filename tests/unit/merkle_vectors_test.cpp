// SPDX-License-Identifier: Apache-2.0
// The transparency-dev Merkle proof vectors (shared/vectors/merkle): every
// wantErr:false case verifies, every wantErr:true case is refused; and the
// happy-path proofs are exactly the ones this library generates.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "log/encoding.h"
#include "log/hash.h"
#include "log/merkle.h"
#include "mini_json.h"
#include "vector_files.h"

namespace {

namespace fs = std::filesystem;
using exchange::log::Hash;
using exchange::testing::JsonValue;

const fs::path kMerkleVectors = exchange::testing::VectorDir("merkle");

std::vector<fs::path> JsonFilesUnder(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

JsonValue ReadJson(const fs::path& path) {
  std::optional<JsonValue> json = exchange::testing::ParseJson(exchange::testing::ReadTestFile(path));
  REQUIRE_MESSAGE(json.has_value(), "cannot parse " << path);
  REQUIRE(json->kind == JsonValue::Kind::kObject);
  return *json;
}

const JsonValue& Field(const JsonValue& object, std::string_view key) {
  const JsonValue* value = object.Find(key);
  REQUIRE_MESSAGE(value != nullptr, "missing field " << key);
  return *value;
}

uint64_t NumberField(const JsonValue& object, std::string_view key) {
  const JsonValue& value = Field(object, key);
  REQUIRE(value.kind == JsonValue::Kind::kNumber);
  return value.number;
}

// The vectors come from a Go API that takes hashes as []byte, so some cases
// hold values that are not 32 bytes ("" or "don't care 1"). Go refuses a leaf
// hash of the wrong size before verifying, as our Hash type does; roots and
// proof hashes it only compares or hashes. To still drive every such case
// through our verifier, a root or proof value of the wrong size becomes a
// stand-in hash that keeps equality between equal values and matches no real
// hash.
struct HashDecoder {
  int stand_ins = 0;

  std::string Bytes(const JsonValue& value) {
    REQUIRE(value.kind == JsonValue::Kind::kString);
    exchange::Result<std::string> bytes = exchange::log::Base64Decode(value.string);
    REQUIRE_MESSAGE(bytes.ok(), "bad base64 " << value.string);
    return *bytes;
  }

  Hash operator()(const JsonValue& value) {
    std::string bytes = Bytes(value);
    if (bytes.size() == Hash().size()) return *exchange::log::HashFromBytes(bytes);
    ++stand_ins;
    return exchange::log::Sha256("stand-in for a " + std::to_string(bytes.size()) + "-byte value: " + bytes);
  }

  std::vector<Hash> List(const JsonValue& value) {
    std::vector<Hash> hashes;
    if (value.kind == JsonValue::Kind::kNull) return hashes;
    REQUIRE(value.kind == JsonValue::Kind::kArray);
    for (const JsonValue& element : value.array) hashes.push_back((*this)(element));
    return hashes;
  }
};

bool WantErr(const JsonValue& object) {
  const JsonValue& value = Field(object, "wantErr");
  REQUIRE(value.kind == JsonValue::Kind::kBool);
  return value.boolean;
}

// The eight leaves of the RFC 6962 test tree that the happy-path vectors use.
std::vector<Hash> Rfc6962TestLeafHashes() {
  const std::vector<std::string> entries = {
      "",
      std::string(1, '\x00'),
      "\x10",
      "\x20\x21",
      "\x30\x31",
      "\x40\x41\x42\x43",
      "\x50\x51\x52\x53\x54\x55\x56\x57",
      "\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
  };
  std::vector<Hash> hashes;
  for (const std::string& entry : entries) hashes.push_back(exchange::log::LeafHash(entry));
  return hashes;
}

std::map<exchange::log::NodeAddress, Hash> AllNodes(const std::vector<Hash>& leaf_hashes) {
  std::map<exchange::log::NodeAddress, Hash> nodes;
  exchange::log::CompactRange range;
  for (const Hash& leaf : leaf_hashes) {
    for (const auto& node : range.Append(leaf)) nodes[node.address] = node.hash;
  }
  return nodes;
}

struct Tally {
  int files = 0, accepted = 0, refused = 0, stand_ins = 0;
  int leaf_hashes_refused = 0;  // not 32 bytes: refused before verification
};

// Runs every vector file under kMerkleVectors/`folder`: `verify` returns the
// verdict, or nothing when the leaf hash is refused before verification
// (not 32 bytes: such a case must want an error). Each verdict must agree
// with wantErr.
template <class Verify>
Tally RunVectors(const char* folder, Verify verify) {
  Tally tally;
  for (const fs::path& path : JsonFilesUnder(kMerkleVectors / folder)) {
    CAPTURE(path);
    JsonValue v = ReadJson(path);
    HashDecoder hash;
    bool want_err = WantErr(v);
    ++tally.files;
    std::optional<exchange::Status> status = verify(v, hash);
    if (!status) {
      CHECK(want_err);
      ++tally.refused;
      ++tally.leaf_hashes_refused;
      continue;
    }
    CHECK_MESSAGE(status->ok() == !want_err, status->ToString());
    ++(status->ok() ? tally.accepted : tally.refused);
    tally.stand_ins += hash.stand_ins;
  }
  return tally;
}

Tally RunInclusionVectors() {
  return RunVectors("inclusion", [](const JsonValue& v, HashDecoder& hash) -> std::optional<exchange::Status> {
    exchange::Result<Hash> leaf_hash = exchange::log::HashFromBytes(hash.Bytes(Field(v, "leafHash")));
    if (!leaf_hash.ok()) return std::nullopt;
    return exchange::log::VerifyInclusion(NumberField(v, "leafIdx"), NumberField(v, "treeSize"), *leaf_hash,
                                          hash.List(Field(v, "proof")), hash(Field(v, "root")));
  });
}

Tally RunConsistencyVectors() {
  return RunVectors("consistency", [](const JsonValue& v, HashDecoder& hash) -> std::optional<exchange::Status> {
    return exchange::log::VerifyConsistency(NumberField(v, "size1"), NumberField(v, "size2"),
                                            hash.List(Field(v, "proof")), hash(Field(v, "root1")),
                                            hash(Field(v, "root2")));
  });
}

TEST_CASE("every transparency-dev Merkle vector is accepted or refused as it says") {
  Tally inclusion = RunInclusionVectors();
  Tally consistency = RunConsistencyVectors();
  MESSAGE("inclusion: " << inclusion.files << " files, " << inclusion.accepted << " accepted, " << inclusion.refused
                        << " refused; consistency: " << consistency.files << " files, " << consistency.accepted
                        << " accepted, " << consistency.refused << " refused; "
                        << inclusion.stand_ins + consistency.stand_ins << " non-32-byte roots or proof hashes; "
                        << inclusion.leaf_hashes_refused << " non-32-byte leaf hashes refused");
  CHECK(inclusion.files + consistency.files > 100);
  CHECK(inclusion.files > 50);
  CHECK(consistency.files > 50);
  CHECK(inclusion.accepted >= 5);
  CHECK(consistency.accepted >= 5);
}

TEST_CASE("the happy-path proofs are the ones this library generates for the RFC 6962 test tree") {
  const std::vector<Hash> leaves = Rfc6962TestLeafHashes();
  const auto nodes = AllNodes(leaves);
  int compared = 0;
  for (const fs::path& path : JsonFilesUnder(kMerkleVectors)) {
    if (path.filename() != "happy-path.json") continue;
    CAPTURE(path);
    JsonValue v = ReadJson(path);
    HashDecoder hash;
    std::vector<Hash> want = hash.List(Field(v, "proof"));
    if (v.Find("leafIdx") != nullptr) {
      uint64_t index = NumberField(v, "leafIdx");
      uint64_t size = NumberField(v, "treeSize");
      REQUIRE(size <= leaves.size());
      std::span<const Hash> tree(leaves.data(), size);
      CHECK(exchange::log::RootFromLeafHashes(tree) == hash(Field(v, "root")));
      CHECK(leaves[index] == hash(Field(v, "leafHash")));
      CHECK(*exchange::log::InclusionProof(tree, index) == want);
      CHECK(*exchange::log::PlanInclusionProof(index, size)->Assemble(nodes) == want);
    } else {
      uint64_t size1 = NumberField(v, "size1");
      uint64_t size2 = NumberField(v, "size2");
      REQUIRE(size2 <= leaves.size());
      std::span<const Hash> tree(leaves.data(), size2);
      CHECK(exchange::log::RootFromLeafHashes(tree.first(size1)) == hash(Field(v, "root1")));
      CHECK(exchange::log::RootFromLeafHashes(tree) == hash(Field(v, "root2")));
      CHECK(*exchange::log::ConsistencyProof(tree, size1) == want);
      CHECK(*exchange::log::PlanConsistencyProof(size1, size2)->Assemble(nodes) == want);
    }
    ++compared;
  }
  CHECK(compared >= 10);
}

TEST_CASE("the hash of the empty tree and of one empty entry match the vectors") {
  CHECK(exchange::log::Base64Encode(exchange::log::EmptyRoot()) == "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
  CHECK(exchange::log::Base64Encode(exchange::log::LeafHash(std::string_view())) ==
        "bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=");
}

}  // namespace
