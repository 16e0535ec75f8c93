// SPDX-License-Identifier: Apache-2.0
// pdq::Index: a set of 256-bit PDQ hashes answering "every stored hash within
// Hamming distance d of this one" exactly — no missed match, no false one —
// for d up to 63, with inserts and deletes applied in place.
//
// How (multi-index hashing with the pigeonhole principle, sized for memory):
//
//   * A hash is cut into 8 pieces of 32 bits. If two hashes differ in at most
//     d bits and the pieces get thresholds t_i with Σ(t_i + 1) ≥ d + 1, some
//     piece i differs in at most t_i bits (otherwise the differences add up
//     to more than d). For d = 31 every t_i = 3; for smaller d some pieces
//     need not be searched at all (d = 0 searches one piece, exactly).
//   * Each piece has a directory: its top h bits select a bucket (h = 16 at
//     1M hashes, about 16 hashes a bucket; at most 19). A bucket's entries
//     are an 8-bit filter each, the XOR-fold of the piece's other 32 - h
//     bits, and apart from the filters a 24-bit position each, where the
//     hash is stored. Folding never increases a distance, so an entry whose
//     filter differs from the query's by more bits than are left cannot be
//     a match.
//   * A query visits, for each piece, every bucket whose key differs from the
//     query's in e ≤ t_i bits (697 buckets for t = 3, h = 16), keeps the
//     entries whose filter differs in at most t_i - e bits, and verifies each
//     survivor by its full 256-bit distance. Every true match survives (the
//     argument above, applied to the bucket key and then to the fold), and
//     nothing is returned unverified. The hashes are stored in piece 0's
//     bucket order, so piece 0 needs no positions.
//   * When probing would cost more than reading every hash (d above ~50 at
//     1M hashes), the query scans instead; both answers are exact.
//
// Why not 16 pieces of 16 bits with one-bit flips (the reference MIH and
// FAISS nflip=1)? It visits fewer buckets, but sixteen 3- or 4-byte
// postings per hash cost 48-64 bytes on top of the hash itself. Eight cost 29.
// What makes it fast anyway is memory-level parallelism: the ~6,000 buckets
// and ~1,000 candidates of a query are cache misses, fetched in a software
// pipeline rather than one at a time, on transparent huge pages.
//
// Memory per stored hash at 1M: 32 (the hash) + 8 × 1 (filters) + 7 × 3
// (positions) + 8 × 4 × 2^16 / 1M ≈ 2.1 (bucket offsets) + 1/8 (deletion
// bits) ≈ 63.2 bytes; at 10M (h = 19) ≈ 62.8. MemoryBytes() counts it.
//
// Updates: the directories are immutable segments of up to 2^24 hashes each
// (so positions fit in 24 bits). Assign builds them at once, one segment per
// 2^24 hashes. Inserted hashes go to a small unindexed buffer that every
// query scans (at most max(8192, size/256) hashes); a deleted hash is marked
// dead in its segment, or removed from the buffer. When the buffer fills,
// the writer folds it into a new segment at the end, together with the last
// segments as long as each is at most twice the size of what follows it (as
// in a log-structured merge tree): so every segment stays more than twice
// the size of all those after it, there are O(log n) of them, and a hash is
// rebuilt only when its segment grows by half or more — O(log n) times in
// all, where folding into one big segment would rebuild it O(n / buffer)
// times. A segment a quarter dead is rebuilt where it stands. Each is
// O(size of what is rebuilt), built off to the side while queries go on,
// then swapped in. Nothing is ever rebuilt on a query.
//
// Thread-safety: any number of concurrent readers (Query, Contains, size,
// MemoryBytes) with at most one writer at a time (writers are serialised by
// an internal mutex, so concurrent writers are safe but take turns). A
// shared_mutex guards the segments and the buffer; readers hold it shared
// for a whole query, writers hold it exclusively only to apply a change or
// swap in a rebuilt segment, never while building one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <span>
#include <vector>

#include "common/status.h"
#include "signals/match.h"

namespace exchange::pdq {

using signals::PdqHash;

struct Match {
  PdqHash hash{};
  int distance = 0;
};

struct IndexOptions {
  // When false, queries always probe the directories, even where scanning
  // every hash would be faster. For tests of the probing at every distance.
  bool allow_scan = true;
};

class Index {
 public:
  static constexpr int kMaxDistance = 63;

  explicit Index(IndexOptions options = {});
  ~Index();
  Index(const Index&) = delete;
  Index& operator=(const Index&) = delete;

  // Replaces the contents with `hashes` (duplicates count once). Faster than
  // inserting one by one.
  void Assign(std::span<const PdqHash> hashes);

  // True if `hash` was added, false if it was already stored.
  bool Insert(const PdqHash& hash);
  // True if `hash` was removed, false if it was not stored.
  bool Erase(const PdqHash& hash);
  bool Contains(const PdqHash& hash) const;

  // Every stored hash at distance ≤ max_distance from `query`, nearest
  // first (ties in hash order). InvalidArgument unless 0 ≤ max_distance ≤ 63.
  Result<std::vector<Match>> Query(const PdqHash& query, int max_distance = signals::kDefaultPdqMaxDistance) const;

  size_t size() const;
  // Indexed segments (not counting the buffer): O(log n) under inserts.
  size_t segment_count() const;
  // Bytes held by the index (hashes, directories, buffer, deletion bits).
  size_t MemoryBytes() const;

  struct Segment;  // internal; defined in index.cpp

 private:
  using Words = std::array<uint64_t, 4>;

  bool FindLocked(const Words& words, size_t* segment, size_t* position) const;
  // Rebuilds heavily deleted segments, and folds a full buffer into a new
  // segment (merging the small segments at the end), when due.
  // Called by writers holding writer_mu_ and not mu_.
  void MaybeCompact();

  const IndexOptions options_;

  // Held by every writer for its whole operation; makes reads of the state
  // below without mu_ safe inside a writer (no one else changes it).
  std::mutex writer_mu_;

  // Guarded by mu_: readers shared, writers exclusive while changing it.
  mutable std::shared_mutex mu_;
  std::vector<std::unique_ptr<Segment>> segments_;
  std::vector<Words> buffer_;  // inserted since the last compaction, unindexed
  size_t size_ = 0;
};

}  // namespace exchange::pdq
