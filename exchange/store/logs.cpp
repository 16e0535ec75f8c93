// SPDX-License-Identifier: Apache-2.0
#include "store/logs.h"

#include <stdexcept>

#include "common/hex.h"
#include "store/log_append.h"
#include "store/pg_arrays.h"
#include "store/statements.h"
#include "store/transaction.h"

namespace exchange::store {
namespace {

// Every head query yields the columns ToLogHead() reads by name.
constexpr const char* kSelectLogs = "SELECT id, name, kind, size, root FROM logs ORDER BY kind, name";
// The reads of a proof, a page of entries and a tile are prepared
// statements (store/statements.h).
const Statement kSelectLogByName{"log_by_name", "SELECT id, name, kind, size, root FROM logs WHERE name = $1"};
const Statement kSelectLogSize{"log_size", "SELECT size FROM logs WHERE id = $1"};
// Appenders take turns on the log's row. NO KEY UPDATE, not UPDATE: the id
// never changes, so rows that only refer to the log (a checkpoint, a sync
// observation: their foreign keys take KEY SHARE) are written while a batch
// holds the lock instead of waiting for its commit.
constexpr const char* kLockLog = "SELECT id, name, kind, size, root FROM logs WHERE id = $1 FOR NO KEY UPDATE";
const Statement kSelectEntries{"log_entries_range", R"sql(
  SELECT entry FROM log_entries
   WHERE log_id = $1 AND idx >= $2 AND idx < $3
   ORDER BY idx)sql"};
const Statement kSelectNodes{"log_nodes_at", R"sql(
  SELECT n.level, n.idx, n.hash
    FROM log_nodes n
    JOIN unnest($2::integer[], $3::bigint[]) AS want(level, idx) USING (level, idx)
   WHERE n.log_id = $1)sql"};
const Statement kSelectNodeRun{"log_node_run", R"sql(
  SELECT idx, hash FROM log_nodes
   WHERE log_id = $1 AND level = $2 AND idx >= $3 AND idx < $4
   ORDER BY idx)sql"};
constexpr const char* kInsertEntries = R"sql(
  INSERT INTO log_entries (log_id, idx, entry)
  SELECT $1, $2 + t.ord - 1, t.entry FROM unnest($3::bytea[]) WITH ORDINALITY AS t(entry, ord))sql";
constexpr const char* kInsertNodes = R"sql(
  INSERT INTO log_nodes (log_id, level, idx, hash)
  SELECT $1, t.level, t.idx, t.hash FROM unnest($2::integer[], $3::bigint[], $4::bytea[]) AS t(level, idx, hash))sql";
constexpr const char* kUpdateHead = "UPDATE logs SET size = $2, root = $3 WHERE id = $1";
// An observation lost in a crash costs nothing: do not wait for the disk.
constexpr const char* kSkipCommitFlush = "SET LOCAL synchronous_commit = off";
constexpr const char* kInsertSyncObservation = R"sql(
  INSERT INTO sync_observations (org_id, log_id, fetched_to, tree_size, lag_seconds)
  SELECT $1::bigint, $2::bigint, $3::bigint, $4::bigint,
         CASE WHEN $3::bigint >= $4::bigint THEN 0
              ELSE coalesce(extract(epoch FROM now() - (SELECT appended_at FROM log_entries
                                                         WHERE log_id = $2::bigint AND idx = $3::bigint)), 0) END)sql";
constexpr const char* kSelectLatestCheckpoint = R"sql(
  SELECT size, root, note, extract(epoch FROM signed_at)::bigint AS signed_at_unix
    FROM log_checkpoints WHERE log_id = $1 ORDER BY size DESC LIMIT 1)sql";
constexpr const char* kUpsertCheckpoint = R"sql(
  INSERT INTO log_checkpoints (log_id, size, root, note, signed_at) VALUES ($1, $2, $3, $4, to_timestamp($5))
  ON CONFLICT (log_id, size) DO UPDATE SET note = EXCLUDED.note, signed_at = EXCLUDED.signed_at
   WHERE log_checkpoints.signed_at < EXCLUDED.signed_at AND log_checkpoints.root = EXCLUDED.root)sql";
constexpr const char* kUpsertCosignature = R"sql(
  INSERT INTO witness_cosignatures (log_id, size, witness, line, cosigned_at) VALUES ($1, $2, $3, $4, to_timestamp($5))
  ON CONFLICT (log_id, size, witness) DO UPDATE SET line = EXCLUDED.line, cosigned_at = EXCLUDED.cosigned_at
   WHERE witness_cosignatures.cosigned_at < EXCLUDED.cosigned_at)sql";
constexpr const char* kSelectCosignatureLines = R"sql(
  SELECT line FROM witness_cosignatures WHERE log_id = $1 AND size = $2 ORDER BY witness)sql";
constexpr const char* kSelectCosignedSize = R"sql(
  SELECT coalesce(max(size), 0) AS size FROM witness_cosignatures WHERE log_id = $1 AND witness = $2)sql";
constexpr const char* kSelectNewestWitnessed = R"sql(
  SELECT c.size, c.root, c.note, extract(epoch FROM c.signed_at)::bigint AS signed_at_unix
    FROM log_checkpoints c
   WHERE c.log_id = $1
     AND c.size = (SELECT size FROM witness_cosignatures WHERE log_id = $1
                    GROUP BY size HAVING count(*) >= $2 ORDER BY size DESC LIMIT 1))sql";
// A witness's older cosignatures are kept for an hour, so that witnesses that
// cosigned different sizes of a busy log still meet at a common one; its
// newest is always kept.
constexpr const char* kPruneCosignatures = R"sql(
  DELETE FROM witness_cosignatures
   WHERE log_id = $1 AND witness = $2 AND size < $3 AND cosigned_at < now() - interval '1 hour')sql";

log::Hash ToHash(const pqxx::field& field) {
  pqxx::binarystring bytes(field);
  auto hash = log::HashFromBytes(bytes.str());
  if (!hash.ok()) throw std::runtime_error("stored hash is not 32 bytes");
  return *hash;
}

std::string Bytes(const log::Hash& hash) { return std::string(hash.begin(), hash.end()); }

LogHead ToLogHead(const pqxx::row& row) {
  LogHead head;
  head.log_id = row["id"].as<int64_t>();
  head.name = row["name"].as<std::string>();
  head.kind = row["kind"].as<std::string>();
  head.size = row["size"].as<uint64_t>();
  head.root = ToHash(row["root"]);
  return head;
}

StoredCheckpoint ToCheckpoint(const pqxx::row& row) {
  StoredCheckpoint c;
  c.size = row["size"].as<uint64_t>();
  c.root = ToHash(row["root"]);
  c.note = row["note"].as<std::string>();
  c.signed_at_unix = row["signed_at_unix"].as<int64_t>();
  return c;
}

// The stored nodes among `addresses`, in one query (kSelectNodes).
std::map<log::NodeAddress, log::Hash> SelectNodes(pqxx::transaction_base& tx, int64_t log_id,
                                                  const std::vector<log::NodeAddress>& addresses) {
  std::map<log::NodeAddress, log::Hash> nodes;
  if (addresses.empty()) return nodes;
  std::vector<uint32_t> levels;
  std::vector<uint64_t> indexes;
  for (const auto& a : addresses) {
    levels.push_back(a.level);
    indexes.push_back(a.index);
  }
  for (const auto& row : tx.exec_prepared(kSelectNodes.name(), log_id, IntArray(levels), IntArray(indexes))) {
    nodes[{row["level"].as<uint32_t>(), row["idx"].as<uint64_t>()}] = ToHash(row["hash"]);
  }
  return nodes;
}

}  // namespace

Result<std::vector<LogHead>> ListLogs(Connection& conn) {
  return RunTransaction(conn, [](pqxx::work& tx) -> Result<std::vector<LogHead>> {
    std::vector<LogHead> heads;
    for (const auto& row : tx.exec(kSelectLogs)) heads.push_back(ToLogHead(row));
    return heads;
  });
}

Result<uint64_t> CommittedSize(Connection& conn, int64_t log_id) {
  return RunRead(conn, [&](pqxx::nontransaction& tx) -> Result<uint64_t> {
    auto rows = tx.exec_prepared(kSelectLogSize.name(), log_id);
    if (rows.empty()) return Status::NotFound("no log " + std::to_string(log_id));
    return rows[0]["size"].as<uint64_t>();
  });
}

Result<LogHead> FindLog(Connection& conn, const std::string& name) {
  return RunRead(conn, [&](pqxx::nontransaction& tx) -> Result<LogHead> {
    auto rows = tx.exec_prepared(kSelectLogByName.name(), name);
    if (rows.empty()) return Status::NotFound("no log named " + name);
    return ToLogHead(rows[0]);
  });
}

Result<std::vector<std::string>> ReadEntries(Connection& conn, int64_t log_id, uint64_t start, uint64_t limit,
                                             uint64_t size) {
  if (limit > kMaxEntriesPerRead)
    return Status::InvalidArgument("at most " + std::to_string(kMaxEntriesPerRead) + " entries per read");
  uint64_t end = start >= size ? start : std::min(size, start + limit);
  return RunRead(conn, [&](pqxx::nontransaction& tx) -> Result<std::vector<std::string>> {
    std::vector<std::string> entries;
    if (end <= start) return entries;
    auto rows = tx.exec_prepared(kSelectEntries.name(), log_id, start, end);
    entries.reserve(rows.size());
    for (const auto& row : rows) entries.push_back(pqxx::binarystring(row["entry"]).str());
    if (entries.size() != end - start) return Status::Internal("log entries are missing below the committed size");
    return entries;
  });
}

Result<std::map<log::NodeAddress, log::Hash>> ReadNodes(Connection& conn, int64_t log_id,
                                                        const std::vector<log::NodeAddress>& addresses) {
  return RunRead(conn, [&](pqxx::nontransaction& tx) -> Result<std::map<log::NodeAddress, log::Hash>> {
    return SelectNodes(tx, log_id, addresses);
  });
}

Result<std::vector<log::Hash>> ReadNodeRun(Connection& conn, int64_t log_id, uint32_t level, uint64_t first_index,
                                           uint64_t count) {
  return RunRead(conn, [&](pqxx::nontransaction& tx) -> Result<std::vector<log::Hash>> {
    std::vector<log::Hash> hashes;
    if (count == 0) return hashes;
    auto rows = tx.exec_prepared(kSelectNodeRun.name(), log_id, level, first_index, first_index + count);
    hashes.reserve(rows.size());
    for (const auto& row : rows) {
      if (row["idx"].as<uint64_t>() != first_index + hashes.size()) break;
      hashes.push_back(ToHash(row["hash"]));
    }
    if (hashes.size() != count) {
      return Status::Internal("log nodes at level " + std::to_string(level) + " are missing from index " +
                              std::to_string(first_index + hashes.size()));
    }
    return hashes;
  });
}

Status RecordSyncObservation(Connection& conn, int64_t org_id, int64_t log_id, uint64_t fetched_to,
                             uint64_t tree_size) {
  return RunTransaction(conn,
                        [&](pqxx::work& tx) -> Result<bool> {
                          tx.exec(kSkipCommitFlush);
                          tx.exec_params(kInsertSyncObservation, org_id, log_id, fetched_to, tree_size);
                          return true;
                        })
      .status();
}

Result<std::optional<StoredCheckpoint>> LatestCheckpoint(Connection& conn, int64_t log_id) {
  return RunTransaction(conn, [&](pqxx::work& tx) -> Result<std::optional<StoredCheckpoint>> {
    auto rows = tx.exec_params(kSelectLatestCheckpoint, log_id);
    if (rows.empty()) return std::optional<StoredCheckpoint>();
    return std::optional<StoredCheckpoint>(ToCheckpoint(rows[0]));
  });
}

Status SaveCheckpoint(Connection& conn, int64_t log_id, const StoredCheckpoint& c) {
  return RunTransaction(conn,
                        [&](pqxx::work& tx) -> Result<bool> {
                          pqxx::binarystring root(Bytes(c.root));
                          tx.exec_params(kUpsertCheckpoint, log_id, c.size, root, c.note, c.signed_at_unix);
                          return true;
                        })
      .status();
}

LogHead LockLog(pqxx::work& tx, int64_t log_id) { return ToLogHead(tx.exec_params1(kLockLog, log_id)); }

log::CompactRange LoadCompactRange(pqxx::work& tx, const LogHead& log, uint64_t size) {
  const auto addresses = log::CompactRangeAddresses(size);
  auto stored = SelectNodes(tx, log.log_id, addresses);
  std::vector<log::Hash> hashes;
  for (const auto& a : addresses) {
    auto it = stored.find(a);
    if (it == stored.end()) throw std::runtime_error("log " + log.name + " is missing a frontier node");
    hashes.push_back(it->second);
  }
  auto range = log::CompactRange::FromHashes(size, std::move(hashes));
  if (!range.ok()) throw std::runtime_error(range.status().ToString());
  return std::move(range).value();
}

LogHead AppendEntries(pqxx::work& tx, const LogHead& locked, const std::vector<std::string>& entries) {
  if (entries.empty()) return locked;
  auto range = LoadCompactRange(tx, locked, locked.size);
  if (range.Root() != locked.root)
    throw std::runtime_error("log " + locked.name + "'s stored nodes disagree with its root");

  std::vector<uint32_t> levels;
  std::vector<uint64_t> indexes;
  std::vector<std::string> node_hashes;
  for (const auto& entry : entries) {
    for (const auto& node : range.Append(log::LeafHash(entry))) {
      levels.push_back(node.address.level);
      indexes.push_back(node.address.index);
      node_hashes.push_back(Bytes(node.hash));
    }
  }
  tx.exec_params(kInsertEntries, locked.log_id, locked.size, ByteaArray(entries));
  tx.exec_params(kInsertNodes, locked.log_id, IntArray(levels), IntArray(indexes), ByteaArray(node_hashes));
  LogHead head = locked;
  head.size = range.size();
  head.root = range.Root();
  pqxx::binarystring root(Bytes(head.root));
  tx.exec_params(kUpdateHead, head.log_id, head.size, root);
  return head;
}

Status SaveCosignature(Connection& conn, int64_t log_id, const StoredCosignature& c) {
  return RunTransaction(conn,
                        [&](pqxx::work& tx) -> Result<bool> {
                          tx.exec_params(kUpsertCosignature, log_id, c.size, c.witness, c.line, c.cosigned_at_unix);
                          tx.exec_params(kPruneCosignatures, log_id, c.witness, c.size);
                          return true;
                        })
      .status();
}

Result<std::vector<std::string>> CosignatureLines(Connection& conn, int64_t log_id, uint64_t size) {
  return RunTransaction(conn, [&](pqxx::work& tx) -> Result<std::vector<std::string>> {
    std::vector<std::string> lines;
    for (const auto& row : tx.exec_params(kSelectCosignatureLines, log_id, size)) {
      lines.push_back(row["line"].as<std::string>());
    }
    return lines;
  });
}

Result<uint64_t> CosignedSize(Connection& conn, int64_t log_id, const std::string& witness) {
  return RunTransaction(conn, [&](pqxx::work& tx) -> Result<uint64_t> {
    return tx.exec_params1(kSelectCosignedSize, log_id, witness)["size"].as<uint64_t>();
  });
}

Result<std::optional<StoredCheckpoint>> NewestWitnessedCheckpoint(Connection& conn, int64_t log_id,
                                                                  uint64_t witnesses) {
  return RunTransaction(conn, [&](pqxx::work& tx) -> Result<std::optional<StoredCheckpoint>> {
    auto rows = tx.exec_params(kSelectNewestWitnessed, log_id, witnesses);
    if (rows.empty()) return std::optional<StoredCheckpoint>();
    return std::optional<StoredCheckpoint>(ToCheckpoint(rows[0]));
  });
}

}  // namespace exchange::store
