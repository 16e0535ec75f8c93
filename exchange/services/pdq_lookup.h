// SPDX-License-Identifier: Apache-2.0
// PdqLookup: in-memory near-duplicate indexes per collection, fed from the
// collection's log, so a PDQ or vPDQ lookup never scans the database: a
// pdq::Index of the image hashes and, beside it, a pdq::VpdqIndex of the
// videos (keyed by the vpdq signal's canonical value, frames filtered by the
// default vPDQ rule: quality >= 50, repeats once).
//
// CatchUp() (a background task, every ~250 ms) reads each log's entries past
// what it has applied and inserts active and disputed pdq and vpdq signals,
// erasing retracted ones: a change takes effect within a second of its commit, with
// no rebuild and no pause for queries. The first time it sees a log (at
// startup) it gathers what the entries so far leave (in log order: a signal
// added then retracted is absent) and builds each index with one Assign,
// much faster than an insert per entry; until that first pass has caught up
// with the log, Query and QueryVpdq answer Unavailable (a 503 with
// Retry-After), never a "no match" from a partial index. (A collection
// first seen after a full pass is new, not unloaded: it answers from what is
// applied, which indexed_through says.) Every exchanged process keeps its own.
// The heads come from `conn` (the primary); with a read replica, each page of
// entries is read from it when it holds that page (store::CommittedSize),
// from the primary otherwise: loading a large index moves to the replica,
// and a lagging replica delays no change.
//
// Thread-safety: CatchUp from one thread; Query from any.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <shared_mutex>
#include <span>
#include <vector>

#include "common/status.h"
#include "pdq/index.h"
#include "pdq/vpdq_index.h"
#include "store/connection.h"

namespace exchange::services {

class PdqLookup {
 public:
  // `replica` may be null.
  void CatchUp(store::Connection& conn, store::Connection* replica = nullptr);

  struct Answer {
    std::vector<pdq::Match> matches;
    uint64_t indexed_through = 0;  // entries of the log applied so far
  };
  Result<Answer> Query(int64_t log_id, const pdq::PdqHash& query, int max_distance) const;

  struct VpdqAnswer {
    std::vector<pdq::VpdqIndexMatch> matches;  // keys are the stored vpdq values
    uint64_t indexed_through = 0;
  };
  // The collection's videos `query` matches under `rule` (whose min_quality
  // and deduplicate must be the defaults; see pdq::VpdqIndex::Query).
  Result<VpdqAnswer> QueryVpdq(int64_t log_id, std::span<const signals::VpdqFeature> query,
                               const pdq::VpdqMatchRule& rule) const;

 private:
  struct CollectionIndex {
    std::unique_ptr<pdq::Index> index = std::make_unique<pdq::Index>();
    std::unique_ptr<pdq::VpdqIndex> videos = std::make_unique<pdq::VpdqIndex>();
    uint64_t applied = 0;  // written only by CatchUp's thread; read under mu_
    bool loaded = false;   // caught up with the log once: Query answers; as `applied`
  };
  mutable std::shared_mutex mu_;                // guards the map's shape, `applied`, `loaded`, passed_once_
  std::map<int64_t, CollectionIndex> indexes_;  // by log id; both indexes are internally locked
  bool passed_once_ = false;                    // CatchUp has once gone through every log
};

}  // namespace exchange::services
