// SPDX-License-Identifier: Apache-2.0
// Reading the verifiable logs: heads, entries, Merkle nodes, signed
// checkpoints and their witness cosignatures. Appending happens inside the transaction of the change that
// causes it (store/log_append.h), never on its own.
//
// Everything read here is committed and immutable below the head's size, so
// readers need no locks. Thread-safety: stateless functions; the Connection
// belongs to the calling worker.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "log/hash.h"
#include "log/merkle.h"
#include "store/connection.h"

namespace exchange::store {

// A log's committed tree.
struct LogHead {
  int64_t log_id = 0;
  std::string name;  // collection name, or "audit"
  std::string kind;  // "collection" or "audit"
  uint64_t size = 0;
  log::Hash root{};
};

struct StoredCheckpoint {
  uint64_t size = 0;
  log::Hash root{};
  std::string note;
  int64_t signed_at_unix = 0;
};

inline constexpr uint64_t kMaxEntriesPerRead = 10000;

Result<std::vector<LogHead>> ListLogs(Connection& conn);
// NotFound when there is no log of that name.
Result<LogHead> FindLog(Connection& conn, const std::string& name);

// The size of the log's committed tree in the database `conn` reaches: on a
// read replica, which applies the primary's commits in order, at most the
// primary's. Entries, nodes and the head change in one transaction
// (log_append.h), so a replica whose size is N holds everything of the trees
// of sizes up to N. NotFound when the log is not there (yet).
Result<uint64_t> CommittedSize(Connection& conn, int64_t log_id);

// Entries [start, min(start + limit, size)) of the committed tree of `size`.
// Returns fewer (possibly none) at the end of the log. limit ≤ kMaxEntriesPerRead.
Result<std::vector<std::string>> ReadEntries(Connection& conn, int64_t log_id, uint64_t start, uint64_t limit,
                                             uint64_t size);

// The stored perfect-subtree nodes at `addresses`, in one query. A missing
// address is simply absent from the map (ProofPlan::Assemble reports it).
Result<std::map<log::NodeAddress, log::Hash>> ReadNodes(Connection& conn, int64_t log_id,
                                                        const std::vector<log::NodeAddress>& addresses);

// The `count` stored nodes at Merkle `level` from `first_index` on, in index
// order, in one range read of the primary key (a hash tile, log/tiles.h).
// Internal when one is missing: every complete node is stored, so the caller
// asks only for complete ones.
Result<std::vector<log::Hash>> ReadNodeRun(Connection& conn, int64_t log_id, uint32_t level, uint64_t first_index,
                                           uint64_t count);

// Notes how far behind an organisation was when it fetched entries up to
// `fetched_to` of a tree of `tree_size` (the feed-freshness figures).
Status RecordSyncObservation(Connection& conn, int64_t org_id, int64_t log_id, uint64_t fetched_to, uint64_t tree_size);

// The newest checkpoint signed for this log, if any.
Result<std::optional<StoredCheckpoint>> LatestCheckpoint(Connection& conn, int64_t log_id);

// Stores a signed note for (size, root). A note already stored for the same
// size is replaced only by a newer one (a refreshed cosignature).
Status SaveCheckpoint(Connection& conn, int64_t log_id, const StoredCheckpoint& checkpoint);

// Witness cosignatures (migrations/0008). `witness` is the witness's
// verifier key; `line` one signature line with its newline, already
// verified by the caller against that key and the checkpoint at `size`,
// which must be stored. A newer cosignature replaces an older one.
struct StoredCosignature {
  uint64_t size = 0;
  std::string witness;
  std::string line;
  int64_t cosigned_at_unix = 0;
};
Status SaveCosignature(Connection& conn, int64_t log_id, const StoredCosignature& cosignature);
// The cosignature lines stored for the checkpoint of `size`, by witness key.
Result<std::vector<std::string>> CosignatureLines(Connection& conn, int64_t log_id, uint64_t size);
// The largest size `witness` cosigned for this log; 0 when none.
Result<uint64_t> CosignedSize(Connection& conn, int64_t log_id, const std::string& witness);
// The newest checkpoint that at least `witnesses` distinct witnesses cosigned.
Result<std::optional<StoredCheckpoint>> NewestWitnessedCheckpoint(Connection& conn, int64_t log_id, uint64_t witnesses);

}  // namespace exchange::store
