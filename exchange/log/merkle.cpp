// SPDX-License-Identifier: Apache-2.0
#include "log/merkle.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <string>

namespace exchange::log {
namespace {

// The RFC's k: the largest power of two smaller than n, for n >= 2.
uint64_t SplitPoint(uint64_t n) { return std::bit_floor(n - 1); }

Hash Mth(std::span<const Hash> leaves) {
  if (leaves.size() == 1) return leaves[0];
  uint64_t k = SplitPoint(leaves.size());
  return NodeHash(Mth(leaves.first(k)), Mth(leaves.subspan(k)));
}

// Combines subtree roots, left to right in the tree, into their MTH.
Hash FoldRightToLeft(std::span<const Hash> hashes) {
  Hash h = hashes.back();
  for (size_t i = hashes.size() - 1; i-- > 0;) h = NodeHash(hashes[i], h);
  return h;
}

// The perfect nodes whose right-to-left fold is MTH(D[begin:end]). Every
// subtree of a Merkle tree starts at a multiple of the largest power of two
// not above its size, which makes each piece an aligned perfect node.
std::vector<NodeAddress> RangeNodes(uint64_t begin, uint64_t end) {
  std::vector<NodeAddress> nodes;
  while (begin < end) {
    uint32_t level = static_cast<uint32_t>(std::bit_width(end - begin)) - 1;
    assert(begin % (uint64_t{1} << level) == 0);
    nodes.push_back({level, begin >> level});
    begin += uint64_t{1} << level;
  }
  return nodes;
}

// PATH(m, D[begin:end]), deepest element first.
void PlanPath(uint64_t m, uint64_t begin, uint64_t end, ProofPlan& plan) {
  uint64_t n = end - begin;
  if (n == 1) return;
  uint64_t k = SplitPoint(n);
  if (m < k) {
    PlanPath(m, begin, begin + k, plan);
    plan.elements.push_back(RangeNodes(begin + k, end));
  } else {
    PlanPath(m - k, begin + k, end, plan);
    plan.elements.push_back(RangeNodes(begin, begin + k));
  }
}

// SUBPROOF(m, D[begin:end], whole_old_tree).
void PlanSubproof(uint64_t m, uint64_t begin, uint64_t end, bool whole_old_tree, ProofPlan& plan) {
  uint64_t n = end - begin;
  if (m == n) {
    if (!whole_old_tree) plan.elements.push_back(RangeNodes(begin, end));
    return;
  }
  uint64_t k = SplitPoint(n);
  if (m <= k) {
    PlanSubproof(m, begin, begin + k, whole_old_tree, plan);
    plan.elements.push_back(RangeNodes(begin + k, end));
  } else {
    PlanSubproof(m - k, begin + k, end, false, plan);
    plan.elements.push_back(RangeNodes(begin, begin + k));
  }
}

void ReferencePath(uint64_t m, std::span<const Hash> d, std::vector<Hash>& proof) {
  if (d.size() == 1) return;
  uint64_t k = SplitPoint(d.size());
  if (m < k) {
    ReferencePath(m, d.first(k), proof);
    proof.push_back(Mth(d.subspan(k)));
  } else {
    ReferencePath(m - k, d.subspan(k), proof);
    proof.push_back(Mth(d.first(k)));
  }
}

void ReferenceSubproof(uint64_t m, std::span<const Hash> d, bool b, std::vector<Hash>& proof) {
  if (m == d.size()) {
    if (!b) proof.push_back(Mth(d));
    return;
  }
  uint64_t k = SplitPoint(d.size());
  if (m <= k) {
    ReferenceSubproof(m, d.first(k), b, proof);
    proof.push_back(Mth(d.subspan(k)));
  } else {
    ReferenceSubproof(m - k, d.subspan(k), false, proof);
    proof.push_back(Mth(d.first(k)));
  }
}

Status CheckInclusionArguments(uint64_t index, uint64_t size) {
  if (index >= size) {
    return Status::InvalidArgument("leaf index " + std::to_string(index) + " is not below tree size " +
                                   std::to_string(size));
  }
  return Status::Ok();
}

Status CheckConsistencyArguments(uint64_t old_size, uint64_t new_size) {
  if (old_size == 0) return Status::InvalidArgument("no consistency proof from the empty tree");
  if (old_size > new_size) {
    return Status::InvalidArgument("old size " + std::to_string(old_size) + " exceeds new size " +
                                   std::to_string(new_size));
  }
  return Status::Ok();
}

// Both RFC 9162 verifiers shift fn and sn right together while fn is even and
// non-zero, after folding in a left sibling on the right border.
void SkipRightBorder(uint64_t& fn, uint64_t& sn) {
  while ((fn & 1) == 0 && fn != 0) {
    fn >>= 1;
    sn >>= 1;
  }
}

}  // namespace

Hash RootFromLeafHashes(std::span<const Hash> leaf_hashes) {
  return leaf_hashes.empty() ? EmptyRoot() : Mth(leaf_hashes);
}

std::vector<NodeAddress> CompactRangeAddresses(uint64_t size) { return RangeNodes(0, size); }

Result<CompactRange> CompactRange::FromHashes(uint64_t size, std::vector<Hash> hashes) {
  if (hashes.size() != static_cast<size_t>(std::popcount(size))) {
    return Status::InvalidArgument("a tree of " + std::to_string(size) + " leaves has " +
                                   std::to_string(std::popcount(size)) + " compact range nodes, got " +
                                   std::to_string(hashes.size()));
  }
  CompactRange range;
  range.size_ = size;
  range.hashes_ = std::move(hashes);
  return range;
}

std::vector<StoredNode> CompactRange::Append(const Hash& leaf_hash) {
  NodeAddress address{0, size_};
  Hash h = leaf_hash;
  std::vector<StoredNode> completed{{address, h}};
  // Each trailing one bit of the old size is a perfect subtree on the frontier
  // waiting for a right sibling of its own size.
  for (uint64_t s = size_; (s & 1) != 0; s >>= 1) {
    h = NodeHash(hashes_.back(), h);
    hashes_.pop_back();
    address = {address.level + 1, address.index >> 1};
    completed.push_back({address, h});
  }
  hashes_.push_back(h);
  ++size_;
  return completed;
}

Hash CompactRange::Root() const { return hashes_.empty() ? EmptyRoot() : FoldRightToLeft(hashes_); }

std::vector<NodeAddress> ProofPlan::AllNodes() const {
  std::vector<NodeAddress> all;
  for (const auto& element : elements) all.insert(all.end(), element.begin(), element.end());
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  return all;
}

Result<std::vector<Hash>> ProofPlan::Assemble(const std::map<NodeAddress, Hash>& nodes) const {
  std::vector<Hash> proof;
  proof.reserve(elements.size());
  std::vector<Hash> parts;
  for (const auto& element : elements) {
    parts.clear();
    for (const NodeAddress& address : element) {
      auto it = nodes.find(address);
      if (it == nodes.end()) {
        return Status::Internal("missing tree node level " + std::to_string(address.level) + " index " +
                                std::to_string(address.index));
      }
      parts.push_back(it->second);
    }
    proof.push_back(FoldRightToLeft(parts));
  }
  return proof;
}

Result<ProofPlan> PlanInclusionProof(uint64_t index, uint64_t size) {
  if (Status s = CheckInclusionArguments(index, size); !s.ok()) return s;
  ProofPlan plan;
  PlanPath(index, 0, size, plan);
  return plan;
}

Result<ProofPlan> PlanConsistencyProof(uint64_t old_size, uint64_t new_size) {
  if (Status s = CheckConsistencyArguments(old_size, new_size); !s.ok()) return s;
  ProofPlan plan;
  PlanSubproof(old_size, 0, new_size, true, plan);
  return plan;
}

Result<std::vector<Hash>> InclusionProof(std::span<const Hash> leaf_hashes, uint64_t index) {
  if (Status s = CheckInclusionArguments(index, leaf_hashes.size()); !s.ok()) return s;
  std::vector<Hash> proof;
  ReferencePath(index, leaf_hashes, proof);
  return proof;
}

Result<std::vector<Hash>> ConsistencyProof(std::span<const Hash> leaf_hashes, uint64_t old_size) {
  if (Status s = CheckConsistencyArguments(old_size, leaf_hashes.size()); !s.ok()) return s;
  std::vector<Hash> proof;
  ReferenceSubproof(old_size, leaf_hashes, true, proof);
  return proof;
}

Status VerifyInclusion(uint64_t index, uint64_t size, const Hash& leaf_hash, std::span<const Hash> proof,
                       const Hash& root) {
  if (Status s = CheckInclusionArguments(index, size); !s.ok()) return s;
  uint64_t fn = index;
  uint64_t sn = size - 1;
  Hash r = leaf_hash;
  for (const Hash& p : proof) {
    if (sn == 0) return Status::InvalidArgument("inclusion proof is too long");
    if ((fn & 1) != 0 || fn == sn) {
      r = NodeHash(p, r);
      SkipRightBorder(fn, sn);
    } else {
      r = NodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return Status::InvalidArgument("inclusion proof is too short");
  if (r != root) return Status::InvalidArgument("inclusion proof does not lead to the root");
  return Status::Ok();
}

Status VerifyConsistency(uint64_t size1, uint64_t size2, std::span<const Hash> proof, const Hash& root1,
                         const Hash& root2) {
  if (Status s = CheckConsistencyArguments(size1, size2); !s.ok()) return s;
  if (size1 == size2) {
    if (!proof.empty()) return Status::InvalidArgument("consistency proof between equal sizes must be empty");
    if (root1 != root2) return Status::InvalidArgument("equal tree sizes with different roots");
    return Status::Ok();
  }
  if (proof.empty()) return Status::InvalidArgument("consistency proof is empty");
  // When size1 is a power of two the old root is itself the first path node
  // and the proof omits it.
  bool old_root_is_node = std::has_single_bit(size1);
  Hash seed = old_root_is_node ? root1 : proof[0];
  std::span<const Hash> rest = old_root_is_node ? proof : proof.subspan(1);
  uint64_t fn = size1 - 1;
  uint64_t sn = size2 - 1;
  while ((fn & 1) != 0) {
    fn >>= 1;
    sn >>= 1;
  }
  Hash fr = seed;
  Hash sr = seed;
  for (const Hash& c : rest) {
    if (sn == 0) return Status::InvalidArgument("consistency proof is too long");
    if ((fn & 1) != 0 || fn == sn) {
      fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
      SkipRightBorder(fn, sn);
    } else {
      sr = NodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return Status::InvalidArgument("consistency proof is too short");
  if (fr != root1) return Status::InvalidArgument("consistency proof does not lead to the old root");
  if (sr != root2) return Status::InvalidArgument("consistency proof does not lead to the new root");
  return Status::Ok();
}

}  // namespace exchange::log
