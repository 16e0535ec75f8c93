// SPDX-License-Identifier: Apache-2.0
// SyncMirror: brings a Mirror up to the exchange's current checkpoint of one
// collection, verifying everything before it changes anything (docs/client.md).
//
//   1. the checkpoint: signed by a trusted feed key, for the expected origin;
//      with a trusted freshness key, cosigned no longer than max_age ago;
//      with a witness policy, cosigned by its quorum of witnesses;
//   2. no rollback (a smaller tree) and no fork (same size, other root);
//   3. the consistency proof from the mirror's size (when it holds entries);
//   4. the new entries, page by page, staged in entries.log; their leaf hashes
//      added to the mirror's compact range must give exactly the signed root;
//   5. only then Mirror::Commit.
//
// A check that fails refuses the sync: the staged entries are discarded, the
// mirror stays as it was, and the evidence (both checkpoint notes, the proof,
// the offending page) is written to DIR/evidence/<time>-<reason>/.
//
// Thread-safety: none; the caller owns the ApiClient and the Mirror.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"
#include "formats/progress.h"
#include "mirror/feed_reader.h"
#include "mirror/mirror.h"
#include "transport/api_client.h"

namespace exchange::client {

struct SyncOptions {
  std::string collection;
  std::string origin;  // expected checkpoint origin, "<exchange name>/<collection>"
  Trust trust;
  std::chrono::seconds max_age{300};               // freshness tolerance, when trust.freshness is not empty
  uint64_t page = 10'000;                          // entries per request
  std::string server;                              // for the evidence's description only
  const std::atomic<bool>* interrupted = nullptr;  // set (e.g. by SIGINT) to stop between pages
  std::optional<TileReading> tiles;                // read the log as C2SP tlog-tiles (entries and proofs)
};

struct SyncReport {
  uint64_t old_size = 0;
  uint64_t new_size = 0;
  log::Hash root{};
  std::vector<std::string> signed_by;     // trusted feed keys that signed the checkpoint
  bool witness_policy = false;            // whether a witness policy was applied
  std::vector<std::string> witnessed_by;  // the policy's witnesses that cosigned
  uint64_t timestamp = 0;                 // freshness cosignature time; 0 without a freshness key
  double seconds = 0;
  double apply_seconds = 0;  // of `seconds`: applying the verified entries to the mirror's state.sqlite
};

// How a sync that did not succeed ended.
enum class SyncFailure {
  kNone,
  kRefused,      // the feed failed verification; evidence saved; mirror unchanged
  kInterrupted,  // `interrupted` was set; mirror unchanged
  kOther,        // transport, server or local error; mirror unchanged
};

struct SyncResult {
  Status status;
  SyncFailure failure = SyncFailure::kNone;
  std::string reason;        // kRefused: rollback, fork, bad-signature, unknown-key, unwitnessed, ...
  std::string evidence_dir;  // kRefused: where the evidence went
  SyncReport report;
};

SyncResult SyncMirror(ApiClient& api, Mirror& mirror, const SyncOptions& options, Progress& progress);

}  // namespace exchange::client
