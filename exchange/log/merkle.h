// SPDX-License-Identifier: Apache-2.0
// RFC 9162 §2.1 Merkle trees: roots, the compact range the log appends with,
// storage-independent proof generation, and proof verification.
//
// Storage model. The log stores every perfect subtree root once it is
// complete and never changes it: node (level, index) is the root of the
// subtree over leaves [index * 2^level, (index + 1) * 2^level); level 0 holds
// the leaf hashes. Any root or proof hash is the fold of a few such nodes, so
// a proof costs O(log n) node reads. Proof generation is split in two: Plan*
// says which nodes are needed, the caller fetches them in one batch, and
// ProofPlan::Assemble hashes them into the proof.
//
// Everything is a value; pure functions; thread-safe. CompactRange is a plain
// value too: a caller that shares one across threads guards it itself.
#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <span>
#include <vector>

#include "common/status.h"
#include "log/hash.h"

namespace exchange::log {

struct NodeAddress {
  uint32_t level = 0;
  uint64_t index = 0;

  auto operator<=>(const NodeAddress&) const = default;
};

struct StoredNode {
  NodeAddress address;
  Hash hash;

  bool operator==(const StoredNode&) const = default;
};

// MTH over `leaf_hashes` (RFC 9162 §2.1.1); EmptyRoot() for none. O(n).
Hash RootFromLeafHashes(std::span<const Hash> leaf_hashes);

// The perfect subtrees a tree of `size` leaves decomposes into, left to right
// and largest first: one per set bit of `size`.
std::vector<NodeAddress> CompactRangeAddresses(uint64_t size);

// The compact range ("frontier") of a tree: the roots of the perfect subtrees
// of CompactRangeAddresses(size()). Appends in O(1) amortized and gives the
// root in O(log n).
class CompactRange {
 public:
  CompactRange() = default;  // the empty tree

  // Resumes a tree of `size` leaves from the hashes of the nodes at
  // CompactRangeAddresses(size), in that order. InvalidArgument when the count
  // does not match.
  static Result<CompactRange> FromHashes(uint64_t size, std::vector<Hash> hashes);

  // Appends leaf number size(). Returns the nodes that became complete, to be
  // stored: the leaf itself at (0, old size) first, then each parent it
  // completed, bottom up.
  std::vector<StoredNode> Append(const Hash& leaf_hash);

  // MTH of the tree of size() leaves; EmptyRoot() when empty.
  Hash Root() const;

  uint64_t size() const { return size_; }
  // Hashes of CompactRangeAddresses(size()), in that order.
  const std::vector<Hash>& hashes() const { return hashes_; }

 private:
  uint64_t size_ = 0;
  std::vector<Hash> hashes_;
};

// The node addresses a proof is built from. Element i of the proof is the
// fold of elements[i]: its nodes' hashes combined right to left,
// h = NodeHash(n[k-1], h) starting from h = n[last]. An element with one node
// is that node's hash; more than one happens only on the right edge of a tree
// that is not a perfect subtree.
struct ProofPlan {
  std::vector<std::vector<NodeAddress>> elements;

  // Every node address the plan needs, sorted, without duplicates.
  std::vector<NodeAddress> AllNodes() const;

  // The proof hashes, from nodes holding at least AllNodes(). A missing node
  // is Internal: the store is expected to hold every complete node.
  Result<std::vector<Hash>> Assemble(const std::map<NodeAddress, Hash>& nodes) const;
};

// The audit path of leaf `index` in the tree of `size` leaves (RFC 9162
// §2.1.3.1), deepest first. InvalidArgument unless index < size.
Result<ProofPlan> PlanInclusionProof(uint64_t index, uint64_t size);

// The consistency proof from the tree of `old_size` leaves to the tree of
// `new_size` (RFC 9162 §2.1.4.1). Empty when the sizes are equal.
// InvalidArgument unless 0 < old_size <= new_size.
Result<ProofPlan> PlanConsistencyProof(uint64_t old_size, uint64_t new_size);

// Reference proofs computed from all leaf hashes by the RFC's recursive
// PATH and SUBPROOF definitions. O(n); for tests and cross-checks. Same
// argument rules as the Plan* functions.
Result<std::vector<Hash>> InclusionProof(std::span<const Hash> leaf_hashes, uint64_t index);
Result<std::vector<Hash>> ConsistencyProof(std::span<const Hash> leaf_hashes, uint64_t old_size);

// RFC 9162 §2.1.3.2. OK when `proof` shows the leaf with `leaf_hash` at
// `index` is in the tree of `size` leaves with `root`; else InvalidArgument.
Status VerifyInclusion(uint64_t index, uint64_t size, const Hash& leaf_hash, std::span<const Hash> proof,
                       const Hash& root);

// RFC 9162 §2.1.4.2. OK when `proof` shows the tree of size1 leaves with
// root1 is a prefix of the tree of size2 leaves with root2; else
// InvalidArgument. Equal sizes need an empty proof and equal roots. size1 == 0
// is always refused (as the transparency-dev vectors require): every tree
// extends the empty one, so there is nothing to prove and a caller starting
// from an empty tree skips this check.
Status VerifyConsistency(uint64_t size1, uint64_t size2, std::span<const Hash> proof, const Hash& root1,
                         const Hash& root2);

}  // namespace exchange::log
