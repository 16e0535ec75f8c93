// SPDX-License-Identifier: Apache-2.0
// FeedReader: reads a log (a collection's or the audit log) and proves what it
// reads: checkpoints verified against trusted feed keys (and the freshness
// key), entries checked against the root, consistency with what was seen before.
//
// Trust comes from verifier key strings the user gives (--feed-vkey or
// EXCHANGECTL_FEED_VKEYS, comma-separated) and, optionally, a witness policy
// file (--witness-policy, log/witness_policy.h), never from the server it
// checks. With a policy that asks for witnesses, the checkpoint read is the
// newest tree when its cosignatures satisfy the policy; otherwise the reader
// waits up to ~10 s for the witnesses to cosign it (the exchange offers each
// new tree within a second), then takes the newest tree the server holds
// with enough cosignatures (?witnessed=K). One without a quorum is refused
// (FailedPrecondition).
//
// It reads through the entries and proof endpoints, or, after ReadTiles(),
// as C2SP tlog-tiles (docs/feed.md, "Tiles"): entries from entry bundles,
// several requests in flight on connections of its own, and consistency
// proofs computed from hash tiles. What it hands back is the same either way
// and is verified by the same code.
//
// Thread-safety: none; one reader per thread (its extra connections are
// used only inside Entries()).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"
#include "log/checkpoint_note.h"
#include "log/hash.h"
#include "log/witness_policy.h"
#include "transport/api_client.h"

namespace exchange::client {

struct Trust {
  std::vector<log::Verifier> feed;
  std::vector<log::Verifier> freshness;         // optional; when given, checkpoints must carry a cosignature
  std::optional<log::WitnessPolicy> witnesses;  // optional; when given, its quorum must have cosigned
};
// Parses comma-separated note verifier keys; cosignature keys go to `freshness`.
// `witness_policy`, when not empty, is a policy file to read; its `log` keys
// are trusted feed keys too.
Result<Trust> ParseTrust(const std::string& vkeys, const std::string& witness_policy = "");

// How to read a log as tlog-tiles: the connection settings for the extra
// connections, and how many bundle requests to keep in flight (1-32).
struct TileReading {
  ClientOptions connection;
  int in_flight = 4;
};

class FeedReader {
 public:
  // `path` is "/v1/collections/NAME" or "/v1/audit".
  FeedReader(ApiClient& api, std::string path, Trust trust)
      : api_(api), path_(std::move(path)), trust_(std::move(trust)) {}

  // The current checkpoint (with a witness policy: the newest witnessed one),
  // its signature verified; `origin` must match when not empty. The
  // witnesses of the policy that cosigned go to `witnessed_by`.
  // FailedPrecondition when the policy's quorum did not cosign.
  Result<log::VerifiedCheckpoint> Checkpoint(const std::string& origin, std::string* raw_note = nullptr,
                                             std::set<std::string>* witnessed_by = nullptr);

  // Entries [start, end) in pages of `page`; `each` gets (index, bytes).
  Status Entries(uint64_t start, uint64_t end, uint64_t page,
                 const std::function<Status(uint64_t, const std::string&)>& each);

  // The consistency proof between two sizes, verified against the two roots.
  Status CheckConsistency(uint64_t old_size, const log::Hash& old_root, uint64_t new_size, const log::Hash& new_root,
                          std::vector<log::Hash>* proof = nullptr);

  // From now on, reads entries and consistency proofs as tlog-tiles.
  void ReadTiles(TileReading how) { tiles_ = std::make_unique<TileReading>(std::move(how)); }

 private:
  static constexpr int kWitnessWaitAttempts = 40;
  static constexpr std::chrono::milliseconds kWitnessWaitStep{250};
  // See the file comment; sets `none_witnessed` when no tree has a quorum.
  std::string WitnessedNote(const std::string& newest, uint64_t quorum, bool* none_witnessed);
  Status EntriesFromBundles(uint64_t start, uint64_t end, uint64_t page,
                            const std::function<Status(uint64_t, const std::string&)>& each);
  Result<std::vector<log::Hash>> ConsistencyFromTiles(uint64_t old_size, uint64_t new_size);

  ApiClient& api_;
  std::string path_;
  Trust trust_;
  std::unique_ptr<TileReading> tiles_;                   // null: the entries and proof endpoints
  std::vector<std::unique_ptr<ApiClient>> connections_;  // tiles_: one per request in flight, made on first use
};

}  // namespace exchange::client
