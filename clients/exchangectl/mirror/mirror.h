// SPDX-License-Identifier: Apache-2.0
// Mirror: a member's verified local copy of one collection's log, in a
// directory of its own (the record file is mirror/entries_file.h, the
// SQLite schema and statements mirror/signal_table.h; this is the commit
// protocol that binds them):
//
//   entries.log   every entry, byte for byte as the exchange serves it, in
//                 log order: records of a 4-byte big-endian length and the
//                 entry bytes. Append-only.
//   state.sqlite  SQLite (WAL): `signals`, the current state of every signal
//                 (the entries replayed as an upsert by kind and value), and
//                 `meta`: collection, origin, size, root, compact range, the
//                 signed checkpoint note and the committed length of
//                 entries.log; and the collection's settings as the
//                 exchange last described them (GET /v1/collections: not
//                 part of the signed log, so not verified).
//   checkpoint    a copy of the last verified checkpoint note, for people
//                 and scripts; `meta` holds the authoritative one.
//   lock          flock'ed by the one process allowed to change the mirror.
//
// Crash safety: SQLite is the commit point. A sync writes (stages) the new
// entries after the committed end of entries.log and fsyncs them; then one
// SQLite transaction applies them to `signals` and records the new size,
// root, compact range, checkpoint and entries.log length. Opening for
// writing truncates entries.log back to the recorded length, so bytes of a
// sync that never committed (killed, refused, interrupted) disappear.
//
// Thread-safety: none; one Mirror per thread. Across processes: one writer
// (Mode::kWrite, Mode::kVerify hold the lock), any number of readers.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "exchange/v1/feed.pb.h"
#include "formats/signal_row.h"
#include "log/hash.h"
#include "log/merkle.h"

namespace exchange::client {

struct SqliteDatabase;  // mirror/sqlite.h

// What the mirror has verified and applied.
struct MirrorHead {
  std::string collection;  // empty before the first sync
  std::string origin;
  uint64_t size = 0;
  log::Hash root = log::EmptyRoot();
  std::vector<log::Hash> compact_range;  // hashes of log::CompactRangeAddresses(size)
  std::string checkpoint;                // signed note of (origin, size, root); empty before the first sync
  uint64_t log_bytes = 0;                // committed length of entries.log
  int64_t synced_at = 0;                 // Unix seconds of the last commit
};

// A collection's settings that matching applies (Collection in
// collections.proto), recorded by sync beside the verified head.
struct MirrorSettings {
  int vpdq_stored_percent = 80;  // the exchange's defaults until a sync records the collection's
  int vpdq_query_percent = 0;
  bool recorded = false;  // whether a sync recorded them (false: the defaults above)
};

struct CommitRequest {
  std::string collection;
  std::string origin;
  std::string checkpoint;  // the verified signed note for tree.size() and tree.Root()
  log::CompactRange tree;  // the head's tree extended by every staged entry
};

class Mirror {
 public:
  enum class Mode {
    kRead,    // queries only; the directory must hold a mirror
    kVerify,  // like kRead, holding the lock so that no sync runs meanwhile
    kWrite,   // sync; creates the directory and files when missing
  };
  static Result<std::unique_ptr<Mirror>> Open(const std::filesystem::path& dir, Mode mode);
  ~Mirror();
  Mirror(const Mirror&) = delete;
  Mirror& operator=(const Mirror&) = delete;

  const std::filesystem::path& dir() const { return dir_; }
  const MirrorHead& head() const { return head_; }
  const MirrorSettings& settings() const { return settings_; }

  // --- Writing (Mode::kWrite) ---

  // Appends an entry after the committed end of entries.log. Staged entries
  // are not part of the mirror until Commit; they are counted from index
  // head().size.
  Status Stage(std::string_view entry);
  uint64_t staged() const { return staged_; }
  // Staged entries [first, first + count), counted from 0 (= index head().size).
  Result<std::vector<std::string>> ReadStaged(uint64_t first, uint64_t count);
  // Truncates entries.log back to the committed length.
  Status DiscardStaged();
  // Makes the staged entries part of the mirror: fsyncs entries.log, then in
  // one transaction applies them in order and records the new head. Nothing
  // changes on error; InvalidArgument when a staged entry is not a FeedEntry
  // of `request.collection` (the caller discards the staged entries), other
  // codes for local failures. Precondition: request.tree.size() == head().size + staged().
  Status Commit(const CommitRequest& request);
  // Records the collection's settings (settings.recorded is set); independent of Commit.
  Status RecordSettings(const MirrorSettings& settings);

  // --- Reading ---

  // The state of (kind, canonical value); nullopt when the mirror has none.
  Result<std::optional<SignalRow>> Lookup(std::string_view kind, std::string_view value);
  // Every signal, ordered by kind and value; empty filters match everything.
  Status ForEachSignal(std::string_view kind, std::string_view status,
                       const std::function<Status(const SignalRow&)>& each);
  // Every committed entry of entries.log in order, with its index.
  Status ForEachEntry(const std::function<Status(uint64_t index, std::string_view entry)>& each);
  // Bytes in entries.log beyond the committed length (a sync that never committed).
  uint64_t UncommittedBytes() const;
  // Replays entries.log into a scratch database and compares it with
  // `signals`, row for row. The number of signals on success; InvalidArgument
  // naming the first difference otherwise.
  Result<uint64_t> CompareWithReplay();

 private:
  Mirror(std::filesystem::path dir, Mode mode);
  Status OpenFiles();
  Status LoadHead();
  Status WriteCheckpointCopy();
  Status FlushStaging();

  std::filesystem::path dir_;
  Mode mode_;
  MirrorHead head_;
  MirrorSettings settings_;
  std::unique_ptr<SqliteDatabase> db_;
  int log_fd_ = -1;
  int lock_fd_ = -1;
  uint64_t staged_ = 0;         // entries staged since the last commit or discard
  uint64_t staged_bytes_ = 0;   // bytes staged after head_.log_bytes, including staging_buffer_
  std::string staging_buffer_;  // staged bytes not yet written to entries.log
};

}  // namespace exchange::client
