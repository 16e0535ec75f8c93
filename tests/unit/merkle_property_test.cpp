// SPDX-License-Identifier: Apache-2.0
// Properties of the Merkle code over random trees of up to 10,000 leaves: the
// storage-plan proofs equal the RFC's recursive reference proofs, every proof
// verifies, and any flipped bit in a proof or root is caught. Exhaustive up to
// 64 leaves, sampled beyond.
#include <doctest/doctest.h>

#include <bit>
#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "log/hash.h"
#include "log/merkle.h"

namespace {

using exchange::ErrorCode;
using exchange::log::CompactRange;
using exchange::log::Hash;
using exchange::log::NodeAddress;

constexpr uint64_t kMaxLeaves = 10'000;
constexpr uint64_t kExhaustiveUpTo = 64;

// One random tree shared by every test: the leaf hashes and every node the
// storage layer would hold after appending all of them. Any smaller tree is a
// prefix, and its complete nodes are a subset of these.
struct Tree {
  std::vector<Hash> leaves;
  std::map<NodeAddress, Hash> nodes;
  std::vector<Hash> roots;  // roots[n]: the CompactRange root at size n
};

const Tree& RandomTree() {
  static const Tree tree = [] {
    Tree t;
    std::mt19937_64 rng(20240611);
    CompactRange range;
    t.roots.push_back(range.Root());
    for (uint64_t i = 0; i < kMaxLeaves; ++i) {
      std::string entry(1 + rng() % 64, '\0');
      for (char& c : entry) c = static_cast<char>(rng());
      Hash leaf = exchange::log::LeafHash(entry);
      t.leaves.push_back(leaf);
      for (const auto& node : range.Append(leaf)) t.nodes.emplace(node.address, node.hash);
      t.roots.push_back(range.Root());
    }
    return t;
  }();
  return tree;
}

std::span<const Hash> Prefix(uint64_t size) { return std::span(RandomTree().leaves).first(size); }

// The proof `plan` names, hashed from the random tree's nodes.
std::vector<Hash> Assembled(const exchange::Result<exchange::log::ProofPlan>& plan) {
  REQUIRE(plan.ok());
  auto proof = plan->Assemble(RandomTree().nodes);
  REQUIRE(proof.ok());
  return *proof;
}

std::vector<Hash> PlannedInclusion(uint64_t index, uint64_t size) {
  return Assembled(exchange::log::PlanInclusionProof(index, size));
}

std::vector<Hash> PlannedConsistency(uint64_t old_size, uint64_t new_size) {
  return Assembled(exchange::log::PlanConsistencyProof(old_size, new_size));
}

Hash FlipBit(Hash h, size_t bit) {
  h[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
  return h;
}

// Every bit of a hash, or one random bit.
std::vector<size_t> BitsToFlip(bool all_bits, std::mt19937_64& rng) {
  std::vector<size_t> bits;
  if (all_bits) {
    for (size_t i = 0; i < 256; ++i) bits.push_back(i);
  } else {
    bits.push_back(rng() % 256);
  }
  return bits;
}

// Each element of `proof` with one flipped bit (every bit when `all_bits`,
// else one random bit per element): `verify` must refuse every such proof.
template <class Verify>
void CheckEachElementFlipped(const std::vector<Hash>& proof, bool all_bits, std::mt19937_64& rng, Verify verify) {
  for (size_t i = 0; i < proof.size(); ++i) {
    CAPTURE(i);
    for (size_t bit : BitsToFlip(all_bits, rng)) {
      std::vector<Hash> bad = proof;
      bad[i] = FlipBit(bad[i], bit);
      CHECK_FALSE(verify(bad).ok());
    }
  }
}

// Each proof element, the leaf and the root with one flipped bit each (every
// bit when `all_bits`, else one random bit per hash); and the wrong neighbour
// index, a wrong size, a dropped and an extra element.
void CheckInclusionTampering(uint64_t index, uint64_t size, const std::vector<Hash>& proof, bool all_bits,
                             std::mt19937_64& rng) {
  const Hash& leaf = RandomTree().leaves[index];
  const Hash& root = RandomTree().roots[size];
  CheckEachElementFlipped(proof, all_bits, rng, [&](const std::vector<Hash>& bad) {
    return exchange::log::VerifyInclusion(index, size, leaf, bad, root);
  });
  for (size_t bit : BitsToFlip(all_bits, rng)) {
    CHECK_FALSE(exchange::log::VerifyInclusion(index, size, leaf, proof, FlipBit(root, bit)).ok());
    CHECK_FALSE(exchange::log::VerifyInclusion(index, size, FlipBit(leaf, bit), proof, root).ok());
  }
  if (size > 1) {
    uint64_t other = (index ^ 1) < size ? index ^ 1 : index - 1;
    CHECK_FALSE(exchange::log::VerifyInclusion(other, size, leaf, proof, root).ok());
  }
  // A proof alone does not pin the tree size (the signed checkpoint pairs size
  // and root), so the wrong size is checked against that size's own root.
  if (size < kMaxLeaves) {
    CHECK_FALSE(exchange::log::VerifyInclusion(index, size + 1, leaf, proof, RandomTree().roots[size + 1]).ok());
  }
  if (!proof.empty()) {
    CHECK_FALSE(exchange::log::VerifyInclusion(index, size, leaf, std::span(proof).first(proof.size() - 1), root).ok());
  }
  std::vector<Hash> longer = proof;
  longer.push_back(leaf);
  CHECK_FALSE(exchange::log::VerifyInclusion(index, size, leaf, longer, root).ok());
}

void CheckConsistencyTampering(uint64_t old_size, uint64_t new_size, const std::vector<Hash>& proof, bool all_bits,
                               std::mt19937_64& rng) {
  const Hash& old_root = RandomTree().roots[old_size];
  const Hash& new_root = RandomTree().roots[new_size];
  CheckEachElementFlipped(proof, all_bits, rng, [&](const std::vector<Hash>& bad) {
    return exchange::log::VerifyConsistency(old_size, new_size, bad, old_root, new_root);
  });
  for (size_t bit : BitsToFlip(all_bits, rng)) {
    CHECK_FALSE(exchange::log::VerifyConsistency(old_size, new_size, proof, FlipBit(old_root, bit), new_root).ok());
    CHECK_FALSE(exchange::log::VerifyConsistency(old_size, new_size, proof, old_root, FlipBit(new_root, bit)).ok());
  }
  if (old_size < new_size) {
    CHECK_FALSE(exchange::log::VerifyConsistency(old_size, new_size, std::span(proof).first(proof.size() - 1), old_root,
                                                 new_root)
                    .ok());
  }
  std::vector<Hash> longer = proof;
  longer.push_back(new_root);
  CHECK_FALSE(exchange::log::VerifyConsistency(old_size, new_size, longer, old_root, new_root).ok());
  if (new_size > old_size + 1) {
    CHECK_FALSE(
        exchange::log::VerifyConsistency(old_size, new_size - 1, proof, old_root, RandomTree().roots[new_size - 1])
            .ok());
  }
}

void CheckInclusion(uint64_t index, uint64_t size, bool all_bits, std::mt19937_64& rng) {
  CAPTURE(index);
  CAPTURE(size);
  std::vector<Hash> proof = PlannedInclusion(index, size);
  auto reference = exchange::log::InclusionProof(Prefix(size), index);
  REQUIRE(reference.ok());
  CHECK(proof == *reference);
  CHECK(exchange::log::VerifyInclusion(index, size, RandomTree().leaves[index], proof, RandomTree().roots[size]).ok());
  CheckInclusionTampering(index, size, proof, all_bits, rng);
}

void CheckConsistency(uint64_t old_size, uint64_t new_size, bool all_bits, std::mt19937_64& rng) {
  CAPTURE(old_size);
  CAPTURE(new_size);
  std::vector<Hash> proof = PlannedConsistency(old_size, new_size);
  auto reference = exchange::log::ConsistencyProof(Prefix(new_size), old_size);
  REQUIRE(reference.ok());
  CHECK(proof == *reference);
  CHECK(exchange::log::VerifyConsistency(old_size, new_size, proof, RandomTree().roots[old_size],
                                         RandomTree().roots[new_size])
            .ok());
  CheckConsistencyTampering(old_size, new_size, proof, all_bits, rng);
}

// Sizes worth testing beyond the exhaustive range: around powers of two, the
// largest, and random ones.
std::vector<uint64_t> SampledSizes(std::mt19937_64& rng) {
  std::set<uint64_t> sizes = {kExhaustiveUpTo + 1, kMaxLeaves - 1, kMaxLeaves};
  for (uint64_t p = 128; p <= kMaxLeaves; p *= 2) sizes.insert({p - 1, p, p + 1});
  while (sizes.size() < 200) sizes.insert(kExhaustiveUpTo + 1 + rng() % (kMaxLeaves - kExhaustiveUpTo));
  return {sizes.begin(), sizes.end()};
}

TEST_CASE("the compact range root is the RFC root at every size") {
  const Tree& tree = RandomTree();
  for (uint64_t size = 0; size <= kMaxLeaves; ++size) {
    // RootFromLeafHashes is O(n): every size up to 4,096, then every 13th.
    if (size > 4096 && size % 13 != 0 && size != kMaxLeaves) continue;
    CAPTURE(size);
    CHECK(tree.roots[size] == exchange::log::RootFromLeafHashes(Prefix(size)));
  }
}

TEST_CASE("Append returns each node once, when it becomes complete, with the RFC hash") {
  const Tree& tree = RandomTree();
  // A perfect subtree is complete in a tree of kMaxLeaves leaves when it ends at or before the last leaf.
  size_t expected = 0;
  for (uint32_t level = 0; (uint64_t{1} << level) <= kMaxLeaves; ++level) expected += kMaxLeaves >> level;
  CHECK(tree.nodes.size() == expected);

  CompactRange range;
  for (uint64_t i = 0; i < 300; ++i) {
    auto created = range.Append(tree.leaves[i]);
    REQUIRE(!created.empty());
    CHECK(created.front().address == NodeAddress{0, i});
    CHECK(created.size() == static_cast<size_t>(std::countr_one(i)) + 1);
    for (const auto& node : created) {
      uint64_t begin = node.address.index << node.address.level;
      uint64_t width = uint64_t{1} << node.address.level;
      CHECK(begin + width == i + 1);
      CHECK(node.hash == exchange::log::RootFromLeafHashes(Prefix(begin + width).subspan(begin)));
    }
  }
}

TEST_CASE("a compact range resumed from stored nodes carries on as the original") {
  const Tree& tree = RandomTree();
  for (uint64_t size : {0, 1, 2, 3, 7, 8, 1000, 4095, 4096}) {
    CAPTURE(size);
    std::vector<Hash> hashes;
    for (const NodeAddress& address : exchange::log::CompactRangeAddresses(size)) {
      hashes.push_back(tree.nodes.at(address));
    }
    auto range = CompactRange::FromHashes(size, hashes);
    REQUIRE(range.ok());
    CHECK(range->Root() == tree.roots[size]);
    for (uint64_t i = size; i < size + 40; ++i) range->Append(tree.leaves[i]);
    CHECK(range->Root() == tree.roots[size + 40]);
  }
  CHECK(CompactRange::FromHashes(3, {Hash{}}).status().code() == ErrorCode::kInvalidArgument);
}

TEST_CASE("inclusion proofs, exhaustively up to 64 leaves") {
  std::mt19937_64 rng(1);
  for (uint64_t size = 1; size <= kExhaustiveUpTo; ++size) {
    for (uint64_t index = 0; index < size; ++index) CheckInclusion(index, size, size <= 16, rng);
  }
}

TEST_CASE("consistency proofs, exhaustively up to 64 leaves") {
  std::mt19937_64 rng(2);
  for (uint64_t new_size = 1; new_size <= kExhaustiveUpTo; ++new_size) {
    for (uint64_t old_size = 1; old_size <= new_size; ++old_size) {
      CheckConsistency(old_size, new_size, new_size <= 16, rng);
    }
  }
}

TEST_CASE("inclusion and consistency proofs, sampled up to 10,000 leaves") {
  std::mt19937_64 rng(3);
  for (uint64_t size : SampledSizes(rng)) {
    std::set<uint64_t> indices = {0, size - 1, size / 2, rng() % size, rng() % size};
    for (uint64_t index : indices) CheckInclusion(index, size, false, rng);
    std::set<uint64_t> old_sizes = {1, size, size - 1, std::bit_floor(size), 1 + rng() % size, 1 + rng() % size};
    for (uint64_t old_size : old_sizes) CheckConsistency(old_size, size, false, rng);
  }
}

TEST_CASE("a plan needs O(log n) nodes, even for the largest trees") {
  for (uint64_t size : {uint64_t{1} << 40, (uint64_t{1} << 40) + 12345, ~uint64_t{0}}) {
    CAPTURE(size);
    size_t bound = 2 * static_cast<size_t>(std::bit_width(size));
    for (uint64_t index : {uint64_t{0}, size / 3, size - 1}) {
      auto plan = exchange::log::PlanInclusionProof(index, size);
      REQUIRE(plan.ok());
      CHECK(plan->AllNodes().size() <= bound);
    }
    for (uint64_t old_size : {uint64_t{1}, size / 3, size - 1}) {
      auto plan = exchange::log::PlanConsistencyProof(old_size, size);
      REQUIRE(plan.ok());
      CHECK(plan->AllNodes().size() <= bound);
    }
  }
}

TEST_CASE("proof requests outside the tree are refused") {
  CHECK(exchange::log::PlanInclusionProof(0, 0).status().code() == ErrorCode::kInvalidArgument);
  CHECK(exchange::log::PlanInclusionProof(5, 5).status().code() == ErrorCode::kInvalidArgument);
  CHECK(exchange::log::PlanConsistencyProof(0, 5).status().code() == ErrorCode::kInvalidArgument);
  CHECK(exchange::log::PlanConsistencyProof(0, 0).status().code() == ErrorCode::kInvalidArgument);
  CHECK(exchange::log::PlanConsistencyProof(6, 5).status().code() == ErrorCode::kInvalidArgument);
  CHECK(exchange::log::PlanConsistencyProof(5, 5)->elements.empty());
  CHECK(exchange::log::InclusionProof(Prefix(4), 4).status().code() == ErrorCode::kInvalidArgument);
  CHECK(exchange::log::ConsistencyProof(Prefix(4), 5).status().code() == ErrorCode::kInvalidArgument);
  CHECK(exchange::log::ConsistencyProof(Prefix(4), 0).status().code() == ErrorCode::kInvalidArgument);
}

TEST_CASE("assembling a plan without a node it needs is an internal error") {
  auto plan = exchange::log::PlanInclusionProof(2, 7);
  REQUIRE(plan.ok());
  std::map<NodeAddress, Hash> nodes;
  for (const NodeAddress& address : plan->AllNodes()) nodes[address] = RandomTree().nodes.at(address);
  CHECK(plan->Assemble(nodes).ok());
  nodes.erase(nodes.begin());
  CHECK(plan->Assemble(nodes).status().code() == ErrorCode::kInternal);
}

}  // namespace
