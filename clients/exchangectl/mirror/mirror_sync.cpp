// SPDX-License-Identifier: Apache-2.0
#include "mirror/mirror_sync.h"

#include <ctime>
#include <filesystem>
#include <fstream>
#include <set>

#include "common/files.h"
#include "common/time_format.h"
#include "log/checkpoint_note.h"
#include "log/encoding.h"
#include "log/signed_note.h"

namespace exchange::client {
namespace fs = std::filesystem;
namespace {

// What a refused sync keeps. Every field is optional but `reason`.
struct Evidence {
  Evidence(std::string r, std::string m) : reason(std::move(r)), message(std::move(m)) {}

  std::string reason;   // short, used in the directory name
  std::string message;  // why, for people
  std::string new_note;
  uint64_t proof_old = 0, proof_new = 0;
  std::vector<log::Hash> proof;
  bool has_proof = false;
  uint64_t page_start = 0;
  std::vector<std::string> page;  // the offending entries, from page_start
};

std::string B64(const log::Hash& h) { return log::Base64Encode(std::span<const uint8_t>(h)); }

// 20261122T114544.123Z: sortable, unique enough, safe in file names.
std::string EvidenceTimestamp() {
  const auto now = std::chrono::system_clock::now();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%04d%02d%02dT%02d%02d%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return buffer;
}

// Evidence is as private as the mirror: 0600.
Status WriteText(const fs::path& path, std::string_view text) { return WritePrivateFile(path, text); }

// Whether some signature line of `note` names a key in `keys` (name and key ID).
bool HasLineByKnownKey(std::string_view note, const std::vector<log::Verifier>& keys) {
  const auto blank = note.rfind("\n\n");
  if (blank == std::string_view::npos) return false;
  std::string_view rest = note.substr(blank + 2);
  static constexpr std::string_view kDash = "\xE2\x80\x94 ";
  while (!rest.empty()) {
    const auto end = rest.find('\n');
    std::string_view line = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    if (line.substr(0, kDash.size()) != kDash) continue;
    line.remove_prefix(kDash.size());
    const auto space = line.rfind(' ');
    if (space == std::string_view::npos) continue;
    auto sig = log::Base64Decode(line.substr(space + 1));
    if (!sig.ok() || sig->size() < 4) continue;
    const auto* b = reinterpret_cast<const unsigned char*>(sig->data());
    const uint32_t id = uint32_t{b[0]} << 24 | uint32_t{b[1]} << 16 | uint32_t{b[2]} << 8 | uint32_t{b[3]};
    for (const auto& key : keys) {
      if (key.name() == line.substr(0, space) && key.key_id() == id) return true;
    }
  }
  return false;
}

// Why VerifyCheckpointNote refused `note`, as an evidence reason.
std::string ClassifyCheckpointFailure(std::string_view note, const Trust& trust, const Status& failure) {
  if (failure.code() != ErrorCode::kUnauthenticated) return "malformed-checkpoint";
  std::vector<log::Verifier> all = trust.feed;
  all.insert(all.end(), trust.freshness.begin(), trust.freshness.end());
  auto opened = log::OpenNote(note, all);
  if (opened.ok()) {
    for (const auto& sig : opened->verified) {
      if (sig.type == log::KeyType::kEd25519) return "stale";  // signed, but no freshness cosignature
    }
    return "unknown-key";  // only the freshness key signed
  }
  return HasLineByKnownKey(note, all) ? "bad-signature" : "unknown-key";
}

class Syncer {
 public:
  Syncer(ApiClient& api, Mirror& mirror, const SyncOptions& options, Progress& progress)
      : mirror_(mirror),
        options_(options),
        progress_(progress),
        reader_(api, "/v1/collections/" + options.collection, options.trust) {
    if (options.tiles) reader_.ReadTiles(*options.tiles);
  }

  SyncResult Run();

 private:
  // Discards what was staged, saves the evidence, and answers kRefused.
  SyncResult Refuse(Evidence evidence);
  SyncResult Fail(const Status& status, SyncFailure failure = SyncFailure::kOther) {
    (void)mirror_.DiscardStaged();
    SyncResult r;
    r.status = status;
    r.failure = failure;
    return r;
  }
  // The first page whose prefix of the log is not consistent with the signed
  // tree, found by bisection with consistency proofs. Index into page_ends_.
  std::size_t LocateBadPage(uint64_t new_size, const log::Hash& new_root, Evidence& evidence);
  Status SaveEvidence(const Evidence& evidence, std::string* dir);

  Mirror& mirror_;
  const SyncOptions& options_;
  Progress& progress_;
  FeedReader reader_;
  MirrorHead old_;
  std::string new_note_;
  // After each page of fetched entries: its end index and the root of the tree up to there.
  std::vector<std::pair<uint64_t, log::Hash>> page_ends_;
};

SyncResult Syncer::Run() {
  const auto started = std::chrono::steady_clock::now();
  old_ = mirror_.head();
  if (!old_.collection.empty() && old_.collection != options_.collection) {
    return Fail(Status::InvalidArgument("the mirror in " + mirror_.dir().string() + " holds collection " +
                                        old_.collection + ", not " + options_.collection));
  }
  if (!old_.origin.empty() && old_.origin != options_.origin) {
    return Fail(Status::InvalidArgument("the mirror in " + mirror_.dir().string() + " holds origin " + old_.origin +
                                        ", not " + options_.origin + " (see --origin)"));
  }

  // 1. The checkpoint and its signatures.
  std::set<std::string> witnessed_by;
  auto verified = reader_.Checkpoint("", &new_note_, &witnessed_by);
  if (!verified.ok()) {
    if (new_note_.empty()) return Fail(verified.status());  // never got one: transport or server error
    if (verified.status().code() == ErrorCode::kFailedPrecondition) {
      return Refuse({"unwitnessed", verified.status().message()});
    }
    return Refuse({ClassifyCheckpointFailure(new_note_, options_.trust, verified.status()),
                   "the checkpoint does not verify: " + verified.status().message()});
  }
  const log::Checkpoint& head = verified->checkpoint;
  if (head.origin != options_.origin) {
    return Refuse({"wrong-origin", "the checkpoint is for " + head.origin + ", not " + options_.origin});
  }

  // 2. Rollback and same-size forks: both notes are signed, so they are the evidence.
  if (head.size < old_.size) {
    return Refuse({"rollback", "rollback: the exchange signed a tree of " + std::to_string(head.size) +
                                   " entries after one of " + std::to_string(old_.size)});
  }
  if (head.size == old_.size && head.root != old_.root) {
    return Refuse({"fork", "fork: two different roots signed for " + std::to_string(head.size) + " entries"});
  }

  // 3. Freshness.
  if (!options_.trust.freshness.empty()) {
    const auto now = static_cast<int64_t>(std::time(nullptr));
    const auto at = static_cast<int64_t>(verified->timestamp);
    const int64_t max_age = options_.max_age.count();
    if (now - at > max_age) {
      return Refuse({"stale", "the checkpoint's freshness cosignature is " + std::to_string(now - at) +
                                  " s old (more than --max-age " + std::to_string(max_age) + " s): a frozen feed"});
    }
    if (at - now > max_age) {
      return Refuse({"stale", "the checkpoint's freshness cosignature is " + std::to_string(at - now) +
                                  " s in the future: check this machine's clock"});
    }
  }

  // 4. Consistency with what the mirror verified before.
  if (head.size > old_.size && old_.size > 0) {
    std::vector<log::Hash> proof;
    Status s = reader_.CheckConsistency(old_.size, old_.root, head.size, head.root, &proof);
    if (!s.ok()) {
      if (s.code() != ErrorCode::kUnauthenticated) return Fail(s);
      Evidence e{"fork", s.message()};
      e.has_proof = true;
      e.proof = proof;
      e.proof_old = old_.size;
      e.proof_new = head.size;
      return Refuse(std::move(e));
    }
  }

  // 5. The new entries, against the signed root.
  auto range = log::CompactRange::FromHashes(old_.size, old_.compact_range);
  if (!range.ok()) return Fail(range.status());
  log::CompactRange tree = std::move(range).value();
  const uint64_t total = head.size - old_.size;
  const uint64_t page = std::max<uint64_t>(1, options_.page);
  if (total > 0) progress_.Start(options_.collection, total);
  Status fetched = reader_.Entries(old_.size, head.size, page, [&](uint64_t index, const std::string& bytes) {
    if (options_.interrupted && options_.interrupted->load()) return Status::Unavailable("interrupted");
    if (Status s = mirror_.Stage(bytes); !s.ok()) return s;
    tree.Append(log::LeafHash(bytes));
    const uint64_t done = index + 1 - old_.size;
    if (done % page == 0 || index + 1 == head.size) page_ends_.emplace_back(index + 1, tree.Root());
    progress_.Update(done);
    return Status::Ok();
  });
  if (!fetched.ok()) {
    progress_.Finish();
    if (options_.interrupted && options_.interrupted->load()) return Fail(fetched, SyncFailure::kInterrupted);
    if (fetched.code() == ErrorCode::kUnauthenticated) return Refuse({"missing-entries", fetched.message()});
    return Fail(fetched);
  }
  progress_.Finish();
  if (tree.Root() != head.root) {
    Evidence e{"altered-entries", ""};
    const std::size_t bad = LocateBadPage(head.size, head.root, e);
    const uint64_t start = bad == 0 ? old_.size : page_ends_[bad - 1].first;
    const uint64_t end = page_ends_[bad].first;
    e.message = "the entries served for [" + std::to_string(old_.size) + ", " + std::to_string(head.size) +
                ") do not hash to the signed root " + B64(head.root) + "; the first bad page is [" +
                std::to_string(start) + ", " + std::to_string(end) + ")";
    auto entries = mirror_.ReadStaged(start - old_.size, end - start);
    if (entries.ok()) {
      e.page_start = start;
      e.page = std::move(entries).value();
    }
    return Refuse(std::move(e));
  }

  // 6. Apply.
  const auto applying = std::chrono::steady_clock::now();
  Status committed = mirror_.Commit({options_.collection, options_.origin, new_note_, tree});
  if (!committed.ok()) {
    if (committed.code() == ErrorCode::kInvalidArgument) {
      return Refuse({"bad-entry", "a signed entry cannot be applied: " + committed.message()});
    }
    return Fail(committed);
  }
  SyncResult result;
  result.report.old_size = old_.size;
  result.report.new_size = head.size;
  result.report.root = head.root;
  result.report.signed_by = verified->feed_keys;
  result.report.witness_policy = options_.trust.witnesses.has_value();
  result.report.witnessed_by.assign(witnessed_by.begin(), witnessed_by.end());
  result.report.timestamp = verified->timestamp;
  const auto done = std::chrono::steady_clock::now();
  result.report.seconds = std::chrono::duration<double>(done - started).count();
  result.report.apply_seconds = std::chrono::duration<double>(done - applying).count();
  return result;
}

std::size_t Syncer::LocateBadPage(uint64_t new_size, const log::Hash& new_root, Evidence& evidence) {
  // page_ends_.back() is known bad. A prefix root that a (valid) consistency
  // proof links to the signed root is good; a bad entry spoils every prefix after it.
  std::size_t lo = 0, hi = page_ends_.size() - 1;
  while (lo < hi) {
    const std::size_t mid = (lo + hi) / 2;
    const auto& [end, root] = page_ends_[mid];
    std::vector<log::Hash> proof;
    Status s = reader_.CheckConsistency(end, root, new_size, new_root, &proof);
    if (s.ok()) {
      lo = mid + 1;
    } else {
      hi = mid;
      if (s.code() != ErrorCode::kUnauthenticated) break;  // cannot ask: blame the earliest candidate left
      evidence.has_proof = true;
      evidence.proof = proof;
      evidence.proof_old = end;
      evidence.proof_new = new_size;
    }
  }
  return std::min(lo, hi);
}

SyncResult Syncer::Refuse(Evidence evidence) {
  progress_.Finish();
  if (evidence.page.empty() && mirror_.staged() > 0 && evidence.reason == "bad-entry") {
    // The whole fetched range is signed; keep it, it is what could not be applied.
    auto all = mirror_.ReadStaged(0, mirror_.staged());
    if (all.ok()) {
      evidence.page_start = old_.size;
      evidence.page = std::move(all).value();
    }
  }
  (void)mirror_.DiscardStaged();
  SyncResult result;
  result.failure = SyncFailure::kRefused;
  result.reason = evidence.reason;
  std::string dir;
  Status saved = SaveEvidence(evidence, &dir);
  result.evidence_dir = dir;
  std::string message =
      "refused the feed of " + options_.collection + " (" + evidence.reason + "): " + evidence.message;
  message += saved.ok() ? "; evidence saved in " + dir : "; the evidence could not be saved: " + saved.message();
  result.status = Status::Unauthenticated(message);
  return result;
}

Status Syncer::SaveEvidence(const Evidence& e, std::string* out_dir) {
  const fs::path base = mirror_.dir() / "evidence";
  fs::path dir = base / (EvidenceTimestamp() + "-" + e.reason);
  std::error_code ec;
  if (fs::create_directories(base, ec)) fs::permissions(base, fs::perms::owner_all, ec);
  for (int n = 2; fs::exists(dir, ec); ++n)
    dir = base / (EvidenceTimestamp() + "-" + e.reason + "-" + std::to_string(n));
  if (fs::create_directory(dir, ec)) fs::permissions(dir, fs::perms::owner_all, ec);
  if (ec) return Status::Internal("cannot create " + dir.string() + ": " + ec.message());
  *out_dir = dir.string();

  std::string about;
  about += "reason: " + e.reason + "\n";
  about += "message: " + e.message + "\n";
  about += "collection: " + options_.collection + "\n";
  about += "expected origin: " + options_.origin + "\n";
  about += "server: " + options_.server + "\n";
  about += "mirror size: " + std::to_string(old_.size) + "\n";
  about += "mirror root: " + B64(old_.root) + "\n";
  about += "trusted keys:";
  for (const auto& k : options_.trust.feed) about += " " + k.VerifierKey();
  for (const auto& k : options_.trust.freshness) about += " " + k.VerifierKey();
  about += "\n";
  about += "refused at: " + FormatRfc3339(static_cast<int64_t>(std::time(nullptr))) + "\n";
  Status s = WriteText(dir / "reason.txt", about);
  if (s.ok() && !old_.checkpoint.empty()) s = WriteText(dir / "old-checkpoint.note", old_.checkpoint);
  if (s.ok() && !new_note_.empty()) s = WriteText(dir / "new-checkpoint.note", new_note_);
  if (s.ok() && e.has_proof) {
    std::string text = "consistency proof old=" + std::to_string(e.proof_old) + " new=" + std::to_string(e.proof_new) +
                       " (base64 hashes, RFC 9162 order)\n";
    for (const auto& h : e.proof) text += B64(h) + "\n";
    s = WriteText(dir / "consistency-proof.txt", text);
  }
  if (s.ok() && !e.page.empty()) {
    // One entry per line, base64 of the exact bytes served, starting at index page_start.
    std::string text;
    for (const auto& entry : e.page) text += log::Base64Encode(entry) + "\n";
    const std::string name =
        "entries-" + std::to_string(e.page_start) + "-" + std::to_string(e.page_start + e.page.size()) + ".b64";
    s = WriteText(dir / name, text);
  }
  return s;
}

}  // namespace

SyncResult SyncMirror(ApiClient& api, Mirror& mirror, const SyncOptions& options, Progress& progress) {
  return Syncer(api, mirror, options, progress).Run();
}

}  // namespace exchange::client
