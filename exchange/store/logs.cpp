// SPDX-License-Identifier: Apache-2.0
#include "store/logs.h"

#include <stdexcept>

#include "common/hex.h"
#include "store/log_append.h"
#include "store/transaction.h"

namespace exchange::store {
namespace {

constexpr const char* kSelectLogs = "SELECT id, name, kind, size, root FROM logs ORDER BY kind, name";
constexpr const char* kSelectLogByName = "SELECT id, name, kind, size, root FROM logs WHERE name = $1";
constexpr const char* kLockLog = "SELECT id, name, kind, size, root FROM logs WHERE id = $1 FOR UPDATE";
constexpr const char* kSelectEntries = R"sql(
  SELECT entry FROM log_entries
   WHERE log_id = $1 AND idx >= $2 AND idx < $3
   ORDER BY idx)sql";
constexpr const char* kSelectNodes = R"sql(
  SELECT n.level, n.idx, n.hash
    FROM log_nodes n
    JOIN unnest($2::integer[], $3::bigint[]) AS want(level, idx) USING (level, idx)
   WHERE n.log_id = $1)sql";
constexpr const char* kInsertEntries = R"sql(
  INSERT INTO log_entries (log_id, idx, entry)
  SELECT $1, $2 + t.ord - 1, t.entry FROM unnest($3::bytea[]) WITH ORDINALITY AS t(entry, ord))sql";
constexpr const char* kInsertNodes = R"sql(
  INSERT INTO log_nodes (log_id, level, idx, hash)
  SELECT $1, t.level, t.idx, t.hash FROM unnest($2::integer[], $3::bigint[], $4::bytea[]) AS t(level, idx, hash))sql";
constexpr const char* kUpdateHead = "UPDATE logs SET size = $2, root = $3 WHERE id = $1";
constexpr const char* kInsertSyncObservation = R"sql(
  INSERT INTO sync_observations (org_id, log_id, fetched_to, tree_size, lag_seconds)
  SELECT $1::bigint, $2::bigint, $3::bigint, $4::bigint,
         CASE WHEN $3::bigint >= $4::bigint THEN 0
              ELSE coalesce(extract(epoch FROM now() - (SELECT appended_at FROM log_entries
                                                         WHERE log_id = $2::bigint AND idx = $3::bigint)), 0) END)sql";
constexpr const char* kSelectLatestCheckpoint = R"sql(
  SELECT size, root, note, extract(epoch FROM signed_at)::bigint
    FROM log_checkpoints WHERE log_id = $1 ORDER BY size DESC LIMIT 1)sql";
constexpr const char* kUpsertCheckpoint = R"sql(
  INSERT INTO log_checkpoints (log_id, size, root, note, signed_at) VALUES ($1, $2, $3, $4, to_timestamp($5))
  ON CONFLICT (log_id, size) DO UPDATE SET note = EXCLUDED.note, signed_at = EXCLUDED.signed_at
   WHERE log_checkpoints.signed_at < EXCLUDED.signed_at AND log_checkpoints.root = EXCLUDED.root)sql";

log::Hash ToHash(const pqxx::field& field) {
  pqxx::binarystring bytes(field);
  auto hash = log::HashFromBytes(bytes.str());
  if (!hash.ok()) throw std::runtime_error("stored hash is not 32 bytes");
  return *hash;
}

std::string Bytes(const log::Hash& hash) { return std::string(hash.begin(), hash.end()); }

LogHead ToLogHead(const pqxx::row& row) {
  LogHead head;
  head.log_id = row[0].as<int64_t>();
  head.name = row[1].as<std::string>();
  head.kind = row[2].as<std::string>();
  head.size = row[3].as<uint64_t>();
  head.root = ToHash(row[4]);
  return head;
}

}  // namespace

std::string ByteaArray(const std::vector<std::string>& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    out += "\"\\\\x";
    out += HexEncode(values[i]);
    out += '"';
  }
  return out + "}";
}

std::string TextArray(const std::vector<std::string>& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    out += '"';
    for (char c : values[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

Result<std::vector<LogHead>> ListLogs(Connection& conn) {
  return RunTransaction(conn, [](pqxx::work& tx) -> Result<std::vector<LogHead>> {
    std::vector<LogHead> heads;
    for (const auto& row : tx.exec(kSelectLogs)) heads.push_back(ToLogHead(row));
    return heads;
  });
}

Result<LogHead> FindLog(Connection& conn, const std::string& name) {
  return RunTransaction(conn, [&](pqxx::work& tx) -> Result<LogHead> {
    auto rows = tx.exec_params(kSelectLogByName, name);
    if (rows.empty()) return Status::NotFound("no log named " + name);
    return ToLogHead(rows[0]);
  });
}

Result<std::vector<std::string>> ReadEntries(Connection& conn, int64_t log_id, uint64_t start, uint64_t limit,
                                             uint64_t size) {
  if (limit > kMaxEntriesPerRead)
    return Status::InvalidArgument("at most " + std::to_string(kMaxEntriesPerRead) + " entries per read");
  uint64_t end = start >= size ? start : std::min(size, start + limit);
  return RunTransaction(conn, [&](pqxx::work& tx) -> Result<std::vector<std::string>> {
    std::vector<std::string> entries;
    if (end <= start) return entries;
    auto rows = tx.exec_params(kSelectEntries, log_id, start, end);
    entries.reserve(rows.size());
    for (const auto& row : rows) entries.push_back(pqxx::binarystring(row[0]).str());
    if (entries.size() != end - start) return Status::Internal("log entries are missing below the committed size");
    return entries;
  });
}

Result<std::map<log::NodeAddress, log::Hash>> ReadNodes(Connection& conn, int64_t log_id,
                                                        const std::vector<log::NodeAddress>& addresses) {
  std::vector<uint32_t> levels;
  std::vector<uint64_t> indexes;
  for (const auto& a : addresses) {
    levels.push_back(a.level);
    indexes.push_back(a.index);
  }
  return RunTransaction(conn, [&](pqxx::work& tx) -> Result<std::map<log::NodeAddress, log::Hash>> {
    std::map<log::NodeAddress, log::Hash> nodes;
    if (addresses.empty()) return nodes;
    for (const auto& row : tx.exec_params(kSelectNodes, log_id, IntArray(levels), IntArray(indexes))) {
      nodes[{row[0].as<uint32_t>(), row[1].as<uint64_t>()}] = ToHash(row[2]);
    }
    return nodes;
  });
}

Status RecordSyncObservation(Connection& conn, int64_t org_id, int64_t log_id, uint64_t fetched_to,
                             uint64_t tree_size) {
  return RunTransaction(conn,
                        [&](pqxx::work& tx) -> Result<bool> {
                          // An observation lost in a crash costs nothing: do not wait for the disk.
                          tx.exec("SET LOCAL synchronous_commit = off");
                          tx.exec_params(kInsertSyncObservation, org_id, log_id, fetched_to, tree_size);
                          return true;
                        })
      .status();
}

Result<std::optional<StoredCheckpoint>> LatestCheckpoint(Connection& conn, int64_t log_id) {
  return RunTransaction(conn, [&](pqxx::work& tx) -> Result<std::optional<StoredCheckpoint>> {
    auto rows = tx.exec_params(kSelectLatestCheckpoint, log_id);
    if (rows.empty()) return std::optional<StoredCheckpoint>();
    StoredCheckpoint c;
    c.size = rows[0][0].as<uint64_t>();
    c.root = ToHash(rows[0][1]);
    c.note = rows[0][2].as<std::string>();
    c.signed_at_unix = rows[0][3].as<int64_t>();
    return std::optional<StoredCheckpoint>(std::move(c));
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

LogHead AppendEntries(pqxx::work& tx, const LogHead& locked, const std::vector<std::string>& entries) {
  if (entries.empty()) return locked;
  std::vector<uint32_t> frontier_levels;
  std::vector<uint64_t> frontier_indexes;
  auto frontier = log::CompactRangeAddresses(locked.size);
  for (const auto& a : frontier) {
    frontier_levels.push_back(a.level);
    frontier_indexes.push_back(a.index);
  }
  std::map<log::NodeAddress, log::Hash> stored;
  if (!frontier.empty()) {
    for (const auto& row :
         tx.exec_params(kSelectNodes, locked.log_id, IntArray(frontier_levels), IntArray(frontier_indexes))) {
      stored[{row[0].as<uint32_t>(), row[1].as<uint64_t>()}] = ToHash(row[2]);
    }
  }
  std::vector<log::Hash> hashes;
  for (const auto& a : frontier) {
    auto it = stored.find(a);
    if (it == stored.end()) throw std::runtime_error("log " + locked.name + " is missing a frontier node");
    hashes.push_back(it->second);
  }
  auto range = log::CompactRange::FromHashes(locked.size, std::move(hashes));
  if (!range.ok()) throw std::runtime_error(range.status().ToString());
  if (range->Root() != locked.root)
    throw std::runtime_error("log " + locked.name + "'s stored nodes disagree with its root");

  std::vector<uint32_t> levels;
  std::vector<uint64_t> indexes;
  std::vector<std::string> node_hashes;
  for (const auto& entry : entries) {
    for (const auto& node : range->Append(log::LeafHash(entry))) {
      levels.push_back(node.address.level);
      indexes.push_back(node.address.index);
      node_hashes.push_back(Bytes(node.hash));
    }
  }
  tx.exec_params(kInsertEntries, locked.log_id, locked.size, ByteaArray(entries));
  tx.exec_params(kInsertNodes, locked.log_id, IntArray(levels), IntArray(indexes), ByteaArray(node_hashes));
  LogHead head = locked;
  head.size = range->size();
  head.root = range->Root();
  pqxx::binarystring root(Bytes(head.root));
  tx.exec_params(kUpdateHead, head.log_id, head.size, root);
  return head;
}

}  // namespace exchange::store
