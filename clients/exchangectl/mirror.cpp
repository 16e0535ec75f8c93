// SPDX-License-Identifier: Apache-2.0
#include "mirror.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <ctime>

#include "common/files.h"
#include "common/hex.h"
#include "common/proto_json.h"
#include "text_formats.h"

namespace exchange::client {
namespace fs = std::filesystem;
namespace {

constexpr uint32_t kMaxEntryBytes = 64u << 20;
constexpr std::size_t kStagingFlushBytes = 4u << 20;
constexpr std::size_t kReadChunkBytes = 1u << 20;
constexpr const char* kFormatVersion = "1";

// --- SQL: every statement the mirror runs ---

constexpr const char* kPragmas =
    "PRAGMA journal_mode = WAL;"
    "PRAGMA synchronous = FULL;";  // a commit is durable once COMMIT returns
constexpr const char* kCreateTables =
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS signals ("
    "  kind TEXT NOT NULL, value TEXT NOT NULL, status TEXT NOT NULL,"
    "  categories TEXT NOT NULL, labels TEXT NOT NULL, principles TEXT NOT NULL,"
    "  contributors INTEGER NOT NULL, confirmations INTEGER NOT NULL, disputes INTEGER NOT NULL,"
    "  reviewed INTEGER NOT NULL, first_seen_ms INTEGER NOT NULL, pdq_quality INTEGER NOT NULL,"
    "  contributor_orgs TEXT NOT NULL, last_index INTEGER NOT NULL,"
    "  PRIMARY KEY (kind, value)) WITHOUT ROWID;";
constexpr const char* kSelectMeta = "SELECT key, value FROM meta";
constexpr const char* kUpsertMeta =
    "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value";
constexpr const char* kUpsertSignal =
    "INSERT INTO signals (kind, value, status, categories, labels, principles, contributors, confirmations,"
    " disputes, reviewed, first_seen_ms, pdq_quality, contributor_orgs, last_index)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"
    " ON CONFLICT (kind, value) DO UPDATE SET status = excluded.status, categories = excluded.categories,"
    " labels = excluded.labels, principles = excluded.principles, contributors = excluded.contributors,"
    " confirmations = excluded.confirmations, disputes = excluded.disputes, reviewed = excluded.reviewed,"
    " first_seen_ms = excluded.first_seen_ms, pdq_quality = excluded.pdq_quality,"
    " contributor_orgs = excluded.contributor_orgs, last_index = excluded.last_index";
constexpr const char* kSignalColumns =
    "SELECT kind, value, status, categories, labels, principles, contributors, confirmations, disputes, reviewed,"
    " first_seen_ms, pdq_quality, contributor_orgs, last_index FROM signals";
constexpr const char* kAttachMirror = "ATTACH DATABASE ?1 AS mirror";
constexpr const char* kReplayOnly =
    "SELECT kind, value FROM (SELECT * FROM main.signals EXCEPT SELECT * FROM mirror.signals) LIMIT 1";
constexpr const char* kMirrorOnly =
    "SELECT kind, value FROM (SELECT * FROM mirror.signals EXCEPT SELECT * FROM main.signals) LIMIT 1";
constexpr const char* kCountMirror = "SELECT count(*) FROM mirror.signals";

Status Errno(const std::string& what) { return Status::Internal(what + ": " + std::strerror(errno)); }

std::string Be32(uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
}

uint32_t ReadBe32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return uint32_t{u[0]} << 24 | uint32_t{u[1]} << 16 | uint32_t{u[2]} << 8 | uint32_t{u[3]};
}

// Records of entries.log in [from, to), in order.
Status ScanRecords(int fd, uint64_t from, uint64_t to, const std::function<Status(std::string_view)>& each) {
  std::string buffer;
  std::size_t pos = 0;        // next unread byte of `buffer`
  uint64_t buffer_at = from;  // file offset of buffer[0]
  auto fill = [&](std::size_t need) -> Status {
    buffer.erase(0, pos);
    buffer_at += pos;
    pos = 0;
    while (buffer.size() < need) {
      const uint64_t offset = buffer_at + buffer.size();
      const uint64_t room = to - offset;
      if (room == 0) return Status::Internal("entries.log: a record runs past the committed end");
      const std::size_t want =
          static_cast<std::size_t>(std::min<uint64_t>(room, std::max(kReadChunkBytes, need - buffer.size())));
      const std::size_t old = buffer.size();
      buffer.resize(old + want);
      const ssize_t n = pread(fd, buffer.data() + old, want, static_cast<off_t>(offset));
      if (n < 0) return Errno("reading entries.log");
      buffer.resize(old + static_cast<std::size_t>(n));
      if (n == 0) return Status::Internal("entries.log is shorter than its committed length");
    }
    return Status::Ok();
  };
  uint64_t at = from;
  while (at < to) {
    if (buffer.size() - pos < 4) {
      if (Status s = fill(4); !s.ok()) return s;
    }
    const uint32_t length = ReadBe32(buffer.data() + pos);
    if (length > kMaxEntryBytes)
      return Status::Internal("entries.log holds a record of " + std::to_string(length) + " bytes");
    if (buffer.size() - pos < 4 + std::size_t{length}) {
      if (Status s = fill(4 + std::size_t{length}); !s.ok()) return s;
    }
    if (Status s = each(std::string_view(buffer.data() + pos + 4, length)); !s.ok()) return s;
    pos += 4 + std::size_t{length};
    at += 4 + uint64_t{length};
  }
  return Status::Ok();
}

// A prepared statement; finalized on destruction.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) stmt_ = nullptr;
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Status prepared() const {
    return stmt_ ? Status::Ok() : Status::Internal(std::string("state.sqlite: ") + sqlite3_errmsg(db_));
  }
  void Text(int i, std::string_view v) {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  void Blob(int i, std::string_view v) {
    sqlite3_bind_blob(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  void Int(int i, int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
  // True when a row is ready, false when done.
  Result<bool> Step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return Status::Internal(std::string("state.sqlite: ") + sqlite3_errmsg(db_));
  }
  Status Run() {
    auto r = Step();
    sqlite3_reset(stmt_);
    return r.ok() ? Status::Ok() : r.status();
  }
  std::string ColumnText(int i) const {
    const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, i));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, i))) : std::string();
  }
  int64_t ColumnInt(int i) const { return sqlite3_column_int64(stmt_, i); }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

void BindSignal(Statement& upsert, const v1::SignalState& s, uint64_t index) {
  upsert.Text(1, s.kind());
  upsert.Text(2, s.value());
  upsert.Text(3, s.status());
  upsert.Text(4, JsonStringArray({s.categories().begin(), s.categories().end()}));
  upsert.Text(5, JsonStringArray({s.labels().begin(), s.labels().end()}));
  upsert.Text(6, JsonNumberArray({s.principles().begin(), s.principles().end()}));
  upsert.Int(7, s.contributors());
  upsert.Int(8, s.confirmations());
  upsert.Int(9, s.disputes());
  upsert.Int(10, s.reviewed() ? 1 : 0);
  upsert.Int(11, s.first_seen_ms());
  upsert.Int(12, s.pdq_quality());
  upsert.Text(13, JsonStringArray({s.contributor_orgs().begin(), s.contributor_orgs().end()}));
  upsert.Int(14, static_cast<int64_t>(index));
}

Result<SignalRow> RowFrom(const Statement& row) {
  SignalRow out;
  auto& s = out.state;
  s.set_kind(row.ColumnText(0));
  s.set_value(row.ColumnText(1));
  s.set_status(row.ColumnText(2));
  auto categories = ParseJsonStringArray(row.ColumnText(3));
  auto labels = ParseJsonStringArray(row.ColumnText(4));
  auto principles = ParseJsonNumberArray(row.ColumnText(5));
  auto orgs = ParseJsonStringArray(row.ColumnText(12));
  if (!categories.ok() || !labels.ok() || !principles.ok() || !orgs.ok()) {
    return Status::Internal("state.sqlite: the row of " + s.kind() + " " + s.value() + " holds a malformed list");
  }
  for (auto& c : *categories) s.add_categories(c);
  for (auto& l : *labels) s.add_labels(l);
  for (auto p : *principles) s.add_principles(p);
  s.set_contributors(static_cast<uint32_t>(row.ColumnInt(6)));
  s.set_confirmations(static_cast<uint32_t>(row.ColumnInt(7)));
  s.set_disputes(static_cast<uint32_t>(row.ColumnInt(8)));
  s.set_reviewed(row.ColumnInt(9) != 0);
  s.set_first_seen_ms(row.ColumnInt(10));
  s.set_pdq_quality(static_cast<uint32_t>(row.ColumnInt(11)));
  for (auto& o : *orgs) s.add_contributor_orgs(o);
  out.last_index = static_cast<uint64_t>(row.ColumnInt(13));
  return out;
}

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

// "file:" URI for ATTACH, read-only.
std::string ReadOnlyUri(const fs::path& path) {
  std::string out = "file:";
  for (char c : fs::absolute(path).string()) {
    if (c == '%' || c == '?' || c == '#') {
      AppendPercentEscape(static_cast<uint8_t>(c), out);
    } else {
      out += c;
    }
  }
  return out + "?mode=ro";
}

}  // namespace

std::string SignalStateJson(const v1::SignalState& state) { return ProtoToJson(state); }

struct Mirror::Db {
  sqlite3* handle = nullptr;
  ~Db() { sqlite3_close_v2(handle); }

  Status Open(const std::string& path, int flags) {
    if (sqlite3_open_v2(path.c_str(), &handle, flags | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
      return Status::Internal("cannot open " + path + ": " + (handle ? sqlite3_errmsg(handle) : "out of memory"));
    }
    sqlite3_busy_timeout(handle, 10'000);
    return Status::Ok();
  }
  Status Exec(const char* sql) {
    char* error = nullptr;
    if (sqlite3_exec(handle, sql, nullptr, nullptr, &error) != SQLITE_OK) {
      Status s = Status::Internal(std::string("state.sqlite: ") + (error ? error : "error"));
      sqlite3_free(error);
      return s;
    }
    return Status::Ok();
  }
};

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
  db_ = std::make_unique<Db>();
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
  }
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
  staging_buffer_ += Be32(static_cast<uint32_t>(entry.size()));
  staging_buffer_ += entry;
  staged_bytes_ += 4 + entry.size();
  ++staged_;
  if (staging_buffer_.size() >= kStagingFlushBytes) return FlushStaging();
  return Status::Ok();
}

Status Mirror::FlushStaging() {
  uint64_t offset = head_.log_bytes + staged_bytes_ - staging_buffer_.size();
  std::size_t done = 0;
  while (done < staging_buffer_.size()) {
    const ssize_t n = pwrite(log_fd_, staging_buffer_.data() + done, staging_buffer_.size() - done,
                             static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("writing entries.log");
    }
    done += static_cast<std::size_t>(n);
  }
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
  Statement meta(db_->handle, kUpsertMeta);
  if (Status s = meta.prepared(); !s.ok()) return rollback(s);
  const std::pair<const char*, std::string> rows[] = {
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
  for (const auto& [key, value] : rows) {
    meta.Text(1, key);
    meta.Blob(2, value);
    if (Status s = meta.Run(); !s.ok()) return rollback(s);
  }
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
  Db scratch;
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
