// SPDX-License-Identifier: Apache-2.0
#include "mirror/mirror.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <ctime>
#include <span>

#include "common/files.h"
#include "mirror/entries_file.h"
#include "mirror/signal_table.h"
#include "mirror/sqlite.h"

namespace exchange::client {
namespace fs = std::filesystem;
namespace {

constexpr std::size_t kStagingFlushBytes = 4u << 20;
constexpr const char* kFormatVersion = "1";
// meta keys of MirrorSettings; a mirror without them (synced before they existed) has the defaults.
constexpr const char* kVpdqStoredPercentKey = "vpdq_stored_percent";
constexpr const char* kVpdqQueryPercentKey = "vpdq_query_percent";

// The entry's state, or InvalidArgument when the bytes are not a FeedEntry of `collection`.
Result<v1::FeedEntry> ParseEntry(std::string_view bytes, uint64_t index, std::string_view collection) {
  v1::FeedEntry entry;
  if (!entry.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return Status::InvalidArgument("entry " + std::to_string(index) + " is not a FeedEntry");
  }
  if (!collection.empty() && entry.collection() != collection) {
    return Status::InvalidArgument("entry " + std::to_string(index) + " belongs to collection '" + entry.collection() +
                                   "', not " + std::string(collection));
  }
  if (entry.signal().kind().empty() || entry.signal().value().empty()) {
    return Status::InvalidArgument("entry " + std::to_string(index) + " names no signal");
  }
  return entry;
}

using MetaRow = std::pair<const char*, std::string>;

// Writes each (key, value) into `meta`, inside the caller's transaction.
Status UpsertMeta(SqliteDatabase& db, std::span<const MetaRow> rows) {
  Statement meta(db.handle, kUpsertMeta);
  if (Status s = meta.prepared(); !s.ok()) return s;
  for (const auto& [key, value] : rows) {
    meta.Text(1, key);
    meta.Blob(2, value);
    if (Status s = meta.Run(); !s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace

Mirror::Mirror(fs::path dir, Mode mode) : dir_(std::move(dir)), mode_(mode) {}

Mirror::~Mirror() {
  if (log_fd_ >= 0) close(log_fd_);
  if (lock_fd_ >= 0) close(lock_fd_);  // releases the flock
}

Result<std::unique_ptr<Mirror>> Mirror::Open(const fs::path& dir, Mode mode) {
  std::unique_ptr<Mirror> mirror(new Mirror(dir, mode));
  if (Status s = mirror->OpenFiles(); !s.ok()) return s;
  return mirror;
}

Status Mirror::OpenFiles() {
  std::error_code ec;
  const fs::path state = dir_ / "state.sqlite";
  if (mode_ == Mode::kWrite) {
    // The mirror shows what the member holds: only its owner may read it.
    if (fs::create_directories(dir_, ec)) fs::permissions(dir_, fs::perms::owner_all, ec);
    if (ec) return Status::InvalidArgument("cannot create the mirror directory " + dir_.string() + ": " + ec.message());
    // Files of a mirror written before they were made 0600 are tightened now;
    // SQLite gives its -wal and -shm files the database file's mode.
    for (const char* name :
         {"state.sqlite", "state.sqlite-wal", "state.sqlite-shm", "entries.log", "checkpoint", "lock"}) {
      if (::chmod((dir_ / name).c_str(), 0600) != 0 && errno != ENOENT)
        return Errno("cannot chmod " + (dir_ / name).string());
    }
    const int created = open(state.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (created < 0) return Errno("cannot open " + state.string());
    close(created);
  } else if (!fs::exists(state, ec)) {
    return Status::NotFound("no mirror in " + dir_.string() + " (exchangectl sync creates one)");
  }
  if (mode_ != Mode::kRead) {
    lock_fd_ = open((dir_ / "lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (lock_fd_ < 0) return Errno("cannot open " + (dir_ / "lock").string());
    if (flock(lock_fd_, (mode_ == Mode::kWrite ? LOCK_EX : LOCK_SH) | LOCK_NB) != 0) {
      return Status::FailedPrecondition("another exchangectl is syncing or verifying the mirror in " + dir_.string());
    }
  }
  db_ = std::make_unique<SqliteDatabase>();
  const int flags = mode_ == Mode::kWrite ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;
  if (Status s = db_->Open(state.string(), flags); !s.ok()) return s;
  if (mode_ == Mode::kWrite) {
    if (Status s = db_->Exec(kPragmas); !s.ok()) return s;
    if (Status s = db_->Exec(kCreateTables); !s.ok()) return s;
  }
  if (Status s = LoadHead(); !s.ok()) return s;

  const fs::path log_path = dir_ / "entries.log";
  log_fd_ = open(log_path.c_str(), (mode_ == Mode::kWrite ? O_RDWR | O_CREAT : O_RDONLY) | O_CLOEXEC, 0600);
  if (log_fd_ < 0) {
    if (errno == ENOENT && head_.log_bytes == 0) return Status::Ok();
    return Errno("cannot open " + log_path.string());
  }
  struct stat st {};
  if (fstat(log_fd_, &st) != 0) return Errno("cannot stat " + log_path.string());
  if (static_cast<uint64_t>(st.st_size) < head_.log_bytes) {
    return Status::Internal(log_path.string() + " holds " + std::to_string(st.st_size) + " bytes but " +
                            std::to_string(head_.log_bytes) +
                            " were committed: the mirror is damaged; move it aside and sync a new one");
  }
  if (mode_ == Mode::kWrite) {
    // A torn or refused sync left bytes that never committed: drop them.
    if (static_cast<uint64_t>(st.st_size) > head_.log_bytes) {
      if (ftruncate(log_fd_, static_cast<off_t>(head_.log_bytes)) != 0) return Errno("truncating entries.log");
      if (fsync(log_fd_) != 0) return Errno("fsync entries.log");
    }
    // The copy may lag the database after a crash between the commit and its rewrite.
    auto copy = ReadFile(dir_ / "checkpoint", 1 << 20);
    if (!head_.checkpoint.empty() && (!copy.ok() || *copy != head_.checkpoint)) {
      if (Status s = WriteCheckpointCopy(); !s.ok()) return s;
    }
  }
  return Status::Ok();
}

Status Mirror::LoadHead() {
  Statement select(db_->handle, kSelectMeta);
  if (Status s = select.prepared(); !s.ok()) {
    // A read-only open of a database that no sync has initialised yet.
    if (mode_ != Mode::kWrite)
      return Status::NotFound("no mirror in " + dir_.string() + " (exchangectl sync creates one)");
    return s;
  }
  std::string root, compact, format;
  bool numbers_ok = true;
  auto number = [&](const std::string& text) -> uint64_t {
    uint64_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size()) numbers_ok = false;
    return v;
  };
  for (;;) {
    auto row = select.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    const std::string key = select.ColumnText(0);
    std::string value = select.ColumnText(1);
    if (key == "format")
      format = value;
    else if (key == "collection")
      head_.collection = value;
    else if (key == "origin")
      head_.origin = value;
    else if (key == "size")
      head_.size = number(value);
    else if (key == "root")
      root = value;
    else if (key == "compact_range")
      compact = value;
    else if (key == "checkpoint")
      head_.checkpoint = value;
    else if (key == "log_bytes")
      head_.log_bytes = number(value);
    else if (key == "synced_at")
      head_.synced_at = static_cast<int64_t>(number(value));
    else if (key == kVpdqStoredPercentKey)
      settings_.vpdq_stored_percent = static_cast<int>(number(value));
    else if (key == kVpdqQueryPercentKey)
      settings_.vpdq_query_percent = static_cast<int>(number(value));
    if (key == kVpdqStoredPercentKey || key == kVpdqQueryPercentKey) settings_.recorded = true;
  }
  if (settings_.vpdq_stored_percent > 100 || settings_.vpdq_query_percent > 100) numbers_ok = false;
  if (!numbers_ok) return Status::Internal("state.sqlite: meta holds a malformed number");
  if (!format.empty() && format != kFormatVersion) {
    return Status::FailedPrecondition("the mirror in " + dir_.string() + " has format " + format +
                                      ", which this exchangectl does not know");
  }
  if (!root.empty()) {
    auto hash = log::HashFromBytes(root);
    if (!hash.ok()) return Status::Internal("state.sqlite: the stored root is not 32 bytes");
    head_.root = *hash;
  }
  if (compact.size() % 32 != 0 || compact.size() / 32 != log::CompactRangeAddresses(head_.size).size()) {
    return Status::Internal("state.sqlite: the stored compact range does not fit the size");
  }
  head_.compact_range.clear();
  for (std::size_t i = 0; i < compact.size(); i += 32)
    head_.compact_range.push_back(*log::HashFromBytes(compact.substr(i, 32)));
  return Status::Ok();
}

Status Mirror::WriteCheckpointCopy() { return WritePrivateFile(dir_ / "checkpoint", head_.checkpoint); }

Status Mirror::Stage(std::string_view entry) {
  if (mode_ != Mode::kWrite) return Status::FailedPrecondition("the mirror is open read-only");
  if (entry.size() > kMaxEntryBytes)
    return Status::InvalidArgument("an entry of " + std::to_string(entry.size()) + " bytes");
  staging_buffer_ += EntryRecord(entry);
  staged_bytes_ += 4 + entry.size();
  ++staged_;
  if (staging_buffer_.size() >= kStagingFlushBytes) return FlushStaging();
  return Status::Ok();
}

Status Mirror::FlushStaging() {
  const uint64_t offset = head_.log_bytes + staged_bytes_ - staging_buffer_.size();
  if (Status s = WriteRecords(log_fd_, staging_buffer_, offset); !s.ok()) return s;
  staging_buffer_.clear();
  return Status::Ok();
}

Result<std::vector<std::string>> Mirror::ReadStaged(uint64_t first, uint64_t count) {
  if (Status s = FlushStaging(); !s.ok()) return s;
  std::vector<std::string> out;
  uint64_t index = 0;
  Status s = ScanRecords(log_fd_, head_.log_bytes, head_.log_bytes + staged_bytes_, [&](std::string_view entry) {
    if (index >= first && index < first + count) out.emplace_back(entry);
    ++index;
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

Status Mirror::DiscardStaged() {
  if (mode_ != Mode::kWrite) return Status::Ok();
  staging_buffer_.clear();
  staged_ = 0;
  staged_bytes_ = 0;
  if (ftruncate(log_fd_, static_cast<off_t>(head_.log_bytes)) != 0) return Errno("truncating entries.log");
  return Status::Ok();
}

Status Mirror::Commit(const CommitRequest& request) {
  if (mode_ != Mode::kWrite) return Status::FailedPrecondition("the mirror is open read-only");
  if (request.tree.size() != head_.size + staged_) {
    return Status::Internal("commit of a tree of " + std::to_string(request.tree.size()) + " entries over " +
                            std::to_string(head_.size) + " + " + std::to_string(staged_) + " staged");
  }
  // 1. The entries are durable before anything refers to them.
  if (Status s = FlushStaging(); !s.ok()) return s;
  if (fsync(log_fd_) != 0) return Errno("fsync entries.log");

  // 2. One transaction applies them and moves the head: the commit point.
  // The signals' B-tree takes the entries in hash order, all over the table:
  // with SQLite's default 2 MiB page cache a large sync spills dirty pages to
  // the WAL again and again. Room for about what this commit touches (at most
  // 1 GiB; pages are only allocated as used) keeps them in memory until COMMIT.
  const int64_t cache_kib = std::clamp<int64_t>(static_cast<int64_t>(staged_bytes_ / 1024) * 3, 2'000, 1 << 20);
  const std::string cache_pragma = "PRAGMA cache_size = -" + std::to_string(cache_kib);
  if (Status s = db_->Exec(cache_pragma.c_str()); !s.ok()) return s;
  if (Status s = db_->Exec("BEGIN IMMEDIATE"); !s.ok()) return s;
  auto rollback = [&](Status s) {
    (void)db_->Exec("ROLLBACK");
    return s;
  };
  Statement upsert(db_->handle, kUpsertSignal);
  if (Status s = upsert.prepared(); !s.ok()) return rollback(s);
  uint64_t index = head_.size;
  Status applied = ScanRecords(log_fd_, head_.log_bytes, head_.log_bytes + staged_bytes_, [&](std::string_view bytes) {
    auto entry = ParseEntry(bytes, index, request.collection);
    if (!entry.ok()) return entry.status();
    BindSignal(upsert, entry->signal(), index);
    ++index;
    return upsert.Run();
  });
  if (!applied.ok()) return rollback(applied);

  const log::Hash root = request.tree.Root();
  std::string compact;
  for (const auto& h : request.tree.hashes()) compact.append(reinterpret_cast<const char*>(h.data()), h.size());
  const uint64_t log_bytes = head_.log_bytes + staged_bytes_;
  const int64_t now = std::time(nullptr);
  const MetaRow rows[] = {
      {"format", kFormatVersion},
      {"collection", request.collection},
      {"origin", request.origin},
      {"size", std::to_string(request.tree.size())},
      {"root", std::string(root.begin(), root.end())},
      {"compact_range", compact},
      {"checkpoint", request.checkpoint},
      {"log_bytes", std::to_string(log_bytes)},
      {"synced_at", std::to_string(now)},
  };
  if (Status s = UpsertMeta(*db_, rows); !s.ok()) return rollback(s);
  if (Status s = db_->Exec("COMMIT"); !s.ok()) return rollback(s);

  head_.collection = request.collection;
  head_.origin = request.origin;
  head_.size = request.tree.size();
  head_.root = root;
  head_.compact_range = request.tree.hashes();
  head_.checkpoint = request.checkpoint;
  head_.log_bytes = log_bytes;
  head_.synced_at = now;
  staged_ = 0;
  staged_bytes_ = 0;
  // 3. The human-readable copy; a crash before this is repaired by the next Open.
  (void)WriteCheckpointCopy();
  return Status::Ok();
}

Status Mirror::RecordSettings(const MirrorSettings& settings) {
  if (mode_ != Mode::kWrite) return Status::FailedPrecondition("the mirror is open read-only");
  const MetaRow rows[] = {
      {kVpdqStoredPercentKey, std::to_string(settings.vpdq_stored_percent)},
      {kVpdqQueryPercentKey, std::to_string(settings.vpdq_query_percent)},
  };
  // Both rows or neither.
  if (Status s = db_->Exec("BEGIN IMMEDIATE"); !s.ok()) return s;
  if (Status s = UpsertMeta(*db_, rows); !s.ok()) {
    (void)db_->Exec("ROLLBACK");
    return s;
  }
  if (Status s = db_->Exec("COMMIT"); !s.ok()) {
    (void)db_->Exec("ROLLBACK");
    return s;
  }
  settings_ = settings;
  settings_.recorded = true;
  return Status::Ok();
}

Result<std::optional<SignalRow>> Mirror::Lookup(std::string_view kind, std::string_view value) {
  Statement select(db_->handle, (std::string(kSignalColumns) + " WHERE kind = ?1 AND value = ?2").c_str());
  if (Status s = select.prepared(); !s.ok()) return s;
  select.Text(1, kind);
  select.Text(2, value);
  auto row = select.Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<SignalRow>();
  auto out = RowFrom(select);
  if (!out.ok()) return out.status();
  return std::optional<SignalRow>(std::move(out).value());
}

Status Mirror::ForEachSignal(std::string_view kind, std::string_view status,
                             const std::function<Status(const SignalRow&)>& each) {
  std::string sql = kSignalColumns;
  sql += " WHERE (?1 = '' OR kind = ?1) AND (?2 = '' OR status = ?2) ORDER BY kind, value";
  Statement select(db_->handle, sql.c_str());
  if (Status s = select.prepared(); !s.ok()) return s;
  select.Text(1, kind);
  select.Text(2, status);
  for (;;) {
    auto row = select.Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::Ok();
    auto signal = RowFrom(select);
    if (!signal.ok()) return signal.status();
    if (Status s = each(*signal); !s.ok()) return s;
  }
}

Status Mirror::ForEachEntry(const std::function<Status(uint64_t, std::string_view)>& each) {
  if (head_.log_bytes == 0) return Status::Ok();
  uint64_t index = 0;
  return ScanRecords(log_fd_, 0, head_.log_bytes, [&](std::string_view entry) { return each(index++, entry); });
}

uint64_t Mirror::UncommittedBytes() const {
  struct stat st {};
  if (log_fd_ < 0 || fstat(log_fd_, &st) != 0) return 0;
  const auto size = static_cast<uint64_t>(st.st_size);
  return size > head_.log_bytes ? size - head_.log_bytes : 0;
}

Result<uint64_t> Mirror::CompareWithReplay() {
  // A private scratch database ("" = a temporary file SQLite deletes on close).
  SqliteDatabase scratch;
  if (Status s = scratch.Open("", SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI); !s.ok()) return s;
  if (Status s = scratch.Exec(kCreateTables); !s.ok()) return s;
  if (Status s = scratch.Exec("BEGIN"); !s.ok()) return s;
  {
    Statement upsert(scratch.handle, kUpsertSignal);
    if (Status s = upsert.prepared(); !s.ok()) return s;
    Status replayed = ForEachEntry([&](uint64_t index, std::string_view bytes) {
      auto entry = ParseEntry(bytes, index, head_.collection);
      if (!entry.ok()) return entry.status();
      BindSignal(upsert, entry->signal(), index);
      return upsert.Run();
    });
    if (!replayed.ok()) return replayed;
  }
  if (Status s = scratch.Exec("COMMIT"); !s.ok()) return s;

  Statement attach(scratch.handle, kAttachMirror);
  if (Status s = attach.prepared(); !s.ok()) return s;
  attach.Text(1, ReadOnlyUri(dir_ / "state.sqlite"));
  if (Status s = attach.Run(); !s.ok()) return s;
  for (const auto& [sql, where] : {std::pair{kReplayOnly, "differs from the replay of entries.log (or is missing)"},
                                   std::pair{kMirrorOnly, "is not what the replay of entries.log gives"}}) {
    Statement diff(scratch.handle, sql);
    if (Status s = diff.prepared(); !s.ok()) return s;
    auto row = diff.Step();
    if (!row.ok()) return row.status();
    if (*row)
      return Status::InvalidArgument("signal " + diff.ColumnText(0) + " " + diff.ColumnText(1) + " in state.sqlite " +
                                     where);
  }
  Statement count(scratch.handle, kCountMirror);
  if (Status s = count.prepared(); !s.ok()) return s;
  auto row = count.Step();
  if (!row.ok()) return row.status();
  return static_cast<uint64_t>(count.ColumnInt(0));
}

}  // namespace exchange::client
