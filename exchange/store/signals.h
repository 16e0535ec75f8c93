// SPDX-License-Identifier: Apache-2.0
// Signals and their provenance: batch submission, and the state every feed
// entry carries.
//
// A batch is one transaction: it takes the collection's log lock first, checks
// the idempotency key, stages the items with COPY, merges them set-based into
// signals and contributions, appends one feed entry per change, and records
// the response under the idempotency key. A crash leaves nothing of it; a
// retry returns the recorded response and changes nothing.
//
// Items reach this file already validated and canonical (signals/ and api/).
// The caller checked the organisation's grant on the collection; every write
// checks it again in its own transaction, holding the grant row (FOR SHARE)
// until commit, so a grant revoked after the caller's check lets nothing
// through: the write is refused (PermissionDenied) and changes nothing.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "exchange/v1/feed.pb.h"
#include "signals/kind.h"
#include "store/connection.h"
#include "store/logs.h"

namespace exchange::store {

// What the store needs of a collection to change its signals.
struct CollectionRef {
  int64_t id = 0;
  int64_t log_id = 0;
  std::string name;
  bool anonymous = false;              // feed entries and lookups name no contributors
  int dispute_min_orgs = 2;            // disputed when at least this many organisations dispute
  bool dispute_needs_majority = true;  // ... and disputes outnumber confirmations
};

struct SignalKey {
  signals::Kind kind = signals::Kind::kMd5;
  std::string value;  // canonical
};

struct SignalItem {
  signals::Kind kind = signals::Kind::kMd5;
  std::string value;  // canonical
  std::string category;
  std::vector<std::string> labels;
  bool reviewed = false;
  std::string source_ref;
  std::string expires_at;  // RFC 3339, or empty
  std::vector<uint32_t> principles;
  int pdq_quality = -1;  // -1: not given
  std::string skeleton;  // look-alike key (signals/look_alike.h); empty: none
};

enum class SubmitOutcome { kCreated, kContributionAdded, kUnchanged };

struct SubmitBatch {
  CollectionRef collection;
  int64_t org_id = 0;
  std::string org_slug;
  std::string idempotency_key;  // may be empty: no replay protection
  std::string request_sha256;   // of the request as received
  std::vector<SignalItem> items;
  int canon_version = 1;  // the canonical-form rules the values follow (signals::kCanonicalFormVersion)
};

struct SubmitReply {
  bool replayed = false;
  std::string response;  // the recorded or newly rendered response bytes
  LogHead head;
};

// Renders the response from the outcome of each item (same order as
// batch.items) and the log head after the batch; stored with the key.
using RenderSubmitResponse = std::function<std::string(const std::vector<SubmitOutcome>&, const LogHead&)>;

// How long an Idempotency-Key record is kept (docs/api.md): a retry within it
// replays the recorded answer; after it the key is free again.
inline constexpr std::chrono::seconds kIdempotencyRetention{7 * 24 * 3600};

// Conflict when the idempotency key was used with a different request; a
// record older than kIdempotencyRetention is forgotten first. PermissionDenied
// unless the organisation holds a write grant on the collection.
Result<SubmitReply> SubmitSignals(Connection& conn, const SubmitBatch& batch, const RenderSubmitResponse& render);

// Opinions: one per organisation per signal (a later one replaces it). Each
// change appends the signal's new state; a status move by the collection's
// dispute rule is a STATUS entry. Per item: OK, or NotFound for an unknown signal.
// PermissionDenied for the whole batch unless the organisation holds a grant
// (read or write) on the collection.
struct OpinionItem {
  SignalKey signal;
  bool dispute = false;  // confirm otherwise
  std::string reason;
};
Result<std::vector<Status>> RecordOpinions(Connection& conn, const CollectionRef& collection, int64_t org_id,
                                           const std::vector<OpinionItem>& items);

// Retracts the organisation's own contributions. A signal left with no live
// contribution is retracted (a tombstone entry, kept forever). Per item: OK,
// NotFound for an unknown signal, FailedPrecondition when the organisation
// has no live contribution to it. PermissionDenied for the whole batch unless
// the organisation holds a write grant on the collection.
Result<std::vector<Status>> RetractContributions(Connection& conn, const CollectionRef& collection, int64_t org_id,
                                                 const std::vector<SignalKey>& items);

struct ContributionView {
  std::string org;  // empty in anonymous collections unless it is the caller's own
  bool own = false;
  std::string category;
  std::vector<std::string> labels;
  bool reviewed = false;
  std::vector<uint32_t> principles;
  std::string created_at;
  std::string expires_at;    // empty: never
  std::string retracted_at;  // empty: live
};
struct SignalView {
  v1::SignalState state;
  std::vector<ContributionView> contributions;
};
Result<std::optional<SignalView>> LookupSignal(Connection& conn, const CollectionRef& collection, int64_t org_id,
                                               const SignalKey& key);

// One page of an organisation's own contributions to a collection, newest
// first, retracted and expired ones included, with the signal each is on.
struct OwnContributionRow {
  std::string kind;
  std::string value;
  std::string signal_status;  // the signal's: active, disputed, retracted
  std::string category;
  std::vector<std::string> labels;
  std::string created_at;
  std::string expires_at;    // empty: never
  std::string retracted_at;  // empty: not retracted
  int confirmations = 0;     // other organisations' opinions on the signal
  int disputes = 0;
};
struct OwnContributionPage {
  std::vector<OwnContributionRow> rows;
  int64_t total = 0;  // the organisation's contributions to the collection, all pages
};
Result<OwnContributionPage> ListOwnContributions(Connection& conn, int64_t collection_id, int64_t org_id, int64_t start,
                                                 int64_t limit);

// The states of the signals of `kind` with these canonical values (those that
// exist), by value, in one query.
Result<std::map<std::string, v1::SignalState>> SignalStatesByValue(Connection& conn, const CollectionRef& collection,
                                                                   signals::Kind kind,
                                                                   const std::vector<std::string>& values);

// (skeleton, value) of the signals of `kind` whose look-alike skeleton is one
// of `skeletons`, at most `per_skeleton` per skeleton (the first by value),
// in one query. Rows not yet re-canonicalised (NULL skeleton) are not found.
Result<std::vector<std::pair<std::string, std::string>>> SignalValuesBySkeleton(
    Connection& conn, const CollectionRef& collection, signals::Kind kind, const std::vector<std::string>& skeletons,
    int per_skeleton);

// The values among `values` that are signals of `kind` (any status).
Result<std::vector<std::string>> ExistingSignalValues(Connection& conn, const CollectionRef& collection,
                                                      signals::Kind kind, const std::vector<std::string>& values);

struct SightingItem {
  int64_t collection_id = 0;
  SignalKey signal;
  int64_t observed_at = 0;         // Unix seconds
  std::string action;              // removed, reported_to_authority, account_actioned, no_action, false_positive
  int64_t seconds_to_action = -1;  // -1: not given
};
// Per item: OK, NotFound for a signal that does not exist, PermissionDenied
// when the organisation holds no grant on the item's collection.
Result<std::vector<Status>> RecordSightings(Connection& conn, int64_t org_id, const std::vector<SightingItem>& items);

// Deletes idempotency records older than kIdempotencyRetention; returns how
// many. Run by a background task.
Result<int64_t> PurgeIdempotencyRecords(Connection& conn);

// Re-canonicalisation: brings every signal written under canonical-form
// rules older than `target_version` to the current rules (exchanged
// migrate-signals). `recanonicalize(kind, stored value)` gives the value and
// look-alike skeleton under the current rules, or the reason they refuse it.
// Per collection, in one transaction under its log lock:
//   * same value: the row gets its skeleton and the version; no entry.
//   * a new spelling: the live signal's contributions, opinions and sightings
//     move to the signal of the new spelling (created, or merged into the one
//     that already exists: split signals become one), the old spelling is left
//     with none and becomes a retracted tombstone. Entries: CREATED (or
//     PROVENANCE/STATUS for a merge) for the new spelling, STATUS retracted
//     for the old, so a member's mirror converges by replaying the feed.
//   * refused by the current rules (e.g. a public suffix): every live
//     contribution is retracted and the signal becomes a tombstone.
//   * a tombstone (already retracted) only gets the version.
// Idempotent: a second run finds nothing to do. With `dry_run` every
// transaction is rolled back and the report says what would happen.
struct RecanonicalizedValue {
  std::string value;
  std::string skeleton;
};
using Recanonicalizer = std::function<Result<RecanonicalizedValue>(signals::Kind kind, const std::string& value)>;
// The look-alike skeleton of a value as stored (kept on tombstones too, so
// the server finds what a member's mirror, which computes skeletons from the
// values it holds, finds).
using Skeletonizer = std::function<std::string(signals::Kind kind, const std::string& value)>;
struct RecanonicalizeChange {
  std::string collection;
  signals::Kind kind = signals::Kind::kMd5;
  std::string old_value;
  std::string new_value;  // empty when refused
  std::string reason;     // why the current rules refuse it
};
struct RecanonicalizeReport {
  int collections = 0;
  int64_t examined = 0;   // signals under older rules
  int64_t unchanged = 0;  // already in the current spelling
  int64_t respelled = 0;  // moved to a new spelling ...
  int64_t merged = 0;     // ... of which onto a signal that existed already
  int64_t refused = 0;    // retracted: the current rules refuse the value
  uint64_t entries = 0;   // feed entries appended
  std::vector<RecanonicalizeChange> changes;
};
Result<RecanonicalizeReport> RecanonicalizeSignals(Connection& conn, int target_version,
                                                   const Recanonicalizer& recanonicalize,
                                                   const Skeletonizer& skeleton_of, bool dry_run);

// Publishes contributions that have expired: each affected signal gets an
// entry with its new state (retracted when nothing live is left). Returns how
// many signals changed. Run by a background task.
Result<int> ApplyExpiries(Connection& conn);

}  // namespace exchange::store
