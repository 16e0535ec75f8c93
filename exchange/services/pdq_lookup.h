// SPDX-License-Identifier: Apache-2.0
// PdqLookup: one in-memory near-duplicate index per collection, fed from the
// collection's log, so a PDQ lookup never scans the database.
//
// CatchUp() (a background task, every ~250 ms) reads each log's entries past
// what it has applied and inserts active and disputed pdq signals, erasing
// retracted ones: a change takes effect within a second of its commit, with
// no rebuild and no pause for queries. Every exchanged process keeps its own.
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
#include <vector>

#include "common/status.h"
#include "pdq/index.h"
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

 private:
  struct CollectionIndex {
    std::unique_ptr<pdq::Index> index = std::make_unique<pdq::Index>();
    uint64_t applied = 0;  // written only by CatchUp's thread; read under mu_
  };
  mutable std::shared_mutex mu_;                // guards the map's shape and `applied`
  std::map<int64_t, CollectionIndex> indexes_;  // by log id; the Index itself is internally locked
};

}  // namespace exchange::services
