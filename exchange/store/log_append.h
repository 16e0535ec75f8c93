// SPDX-License-Identifier: Apache-2.0
// Appending to a verifiable log inside the caller's transaction.
//
// LockLog() takes the log's row lock: every writer of a log holds it from
// before its first change until commit, so appends to one log are serial,
// indexes are gap-free and in commit order, and a reader that reads the
// head's size sees every entry below it — with any number of exchanged
// processes. Take it first in the transaction to keep lock order simple.
//
// AppendEntries() writes the entries byte for byte, the perfect-subtree nodes
// they complete (about two rows per entry: O(1) amortised), and the new head.
// Private to store/: include only from store/*.cpp.
#pragma once

#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "common/status.h"
#include "log/merkle.h"
#include "store/logs.h"

namespace exchange::store {

// Locks the log row and returns its head.
LogHead LockLog(pqxx::work& tx, int64_t log_id);

// Appends after LockLog() in the same transaction; returns the new head.
LogHead AppendEntries(pqxx::work& tx, const LogHead& locked, const std::vector<std::string>& entries);

// The compact range of the log's first `size` entries, rebuilt from its
// stored perfect-subtree nodes (the one loader: appends start from it, the
// annual report takes past roots from it). Throws, a database inconsistency
// (transaction.h), when a node is missing or is not 32 bytes.
log::CompactRange LoadCompactRange(pqxx::work& tx, const LogHead& log, uint64_t size);

}  // namespace exchange::store
