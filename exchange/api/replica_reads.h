// SPDX-License-Identifier: Apache-2.0
// Feed data reads from a read replica (serve --read-database-url), never stale.
//
// The rule: whatever a request says about a log — the caller's access to it,
// its head (size and root), the signed checkpoint — is read from the primary.
// Only the data below that head (entries, Merkle nodes, tiles) may then come
// from the worker's replica, and only when the replica's copy of the log
// already reaches `needed_size`, the tree size the answer needs. Entries,
// nodes and the head commit in one transaction (store/log_append.h) and a
// replica applies commits in order, so a replica at size N holds all of every
// tree up to N (store::CommittedSize). When it does not yet (lag), cannot be
// reached, or fails the read, the primary answers: a checkpoint a client got
// always comes with the entries and proofs it commits to. There is no
// waiting: a worker never sleeps on a lagging replica.
//
// Thread-safety: as the CallContext's connections: one worker's, one thread.
#pragma once

#include <cstdint>

#include "http/call_context.h"
#include "metrics/server_metrics.h"

namespace exchange::api {

// The replica when it holds `log_id` up to `needed_size`, else null (no
// replica, lagging, or unreachable).
store::Connection* ReplicaHolding(http::CallContext& context, int64_t log_id, uint64_t needed_size);

// `read(store::Connection&)`, returning a Result, on the replica when it
// holds `log_id` up to `needed_size`, else on the primary (context.db).
template <typename Read>
auto ReadLogData(http::CallContext& context, metrics::ServerMetrics& metrics, int64_t log_id, uint64_t needed_size,
                 Read&& read) -> decltype(read(*context.db)) {
  if (context.replica == nullptr) return read(*context.db);
  if (store::Connection* replica = ReplicaHolding(context, log_id, needed_size)) {
    auto result = read(*replica);
    if (result.ok()) {
      metrics.FeedReadServed(/*by_replica=*/true);
      return result;
    }
  }
  metrics.FeedReadServed(/*by_replica=*/false);
  return read(*context.db);
}

}  // namespace exchange::api
