// SPDX-License-Identifier: Apache-2.0
// state.sqlite's schema and every statement the mirror runs, and the one
// mapping between a SignalState and a row of `signals` (the lists as JSON
// arrays, formats/json_text.h).
//
// Constants and pure functions over a statement the caller owns.
#pragma once

#include <cstdint>

#include "common/status.h"
#include "exchange/v1/feed.pb.h"
#include "formats/signal_row.h"
#include "mirror/sqlite.h"

namespace exchange::client {

// --- SQL: every statement the mirror runs ---

inline constexpr const char* kPragmas =
    "PRAGMA journal_mode = WAL;"
    "PRAGMA synchronous = FULL;";  // a commit is durable once COMMIT returns
inline constexpr const char* kCreateTables =
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS signals ("
    "  kind TEXT NOT NULL, value TEXT NOT NULL, status TEXT NOT NULL,"
    "  categories TEXT NOT NULL, labels TEXT NOT NULL, principles TEXT NOT NULL,"
    "  contributors INTEGER NOT NULL, confirmations INTEGER NOT NULL, disputes INTEGER NOT NULL,"
    "  reviewed INTEGER NOT NULL, first_seen_ms INTEGER NOT NULL, pdq_quality INTEGER NOT NULL,"
    "  contributor_orgs TEXT NOT NULL, last_index INTEGER NOT NULL,"
    "  PRIMARY KEY (kind, value)) WITHOUT ROWID;";
inline constexpr const char* kSelectMeta = "SELECT key, value FROM meta";
inline constexpr const char* kUpsertMeta =
    "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value";
inline constexpr const char* kUpsertSignal =
    "INSERT INTO signals (kind, value, status, categories, labels, principles, contributors, confirmations,"
    " disputes, reviewed, first_seen_ms, pdq_quality, contributor_orgs, last_index)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"
    " ON CONFLICT (kind, value) DO UPDATE SET status = excluded.status, categories = excluded.categories,"
    " labels = excluded.labels, principles = excluded.principles, contributors = excluded.contributors,"
    " confirmations = excluded.confirmations, disputes = excluded.disputes, reviewed = excluded.reviewed,"
    " first_seen_ms = excluded.first_seen_ms, pdq_quality = excluded.pdq_quality,"
    " contributor_orgs = excluded.contributor_orgs, last_index = excluded.last_index";
inline constexpr const char* kSignalColumns =
    "SELECT kind, value, status, categories, labels, principles, contributors, confirmations, disputes, reviewed,"
    " first_seen_ms, pdq_quality, contributor_orgs, last_index FROM signals";
inline constexpr const char* kAttachMirror = "ATTACH DATABASE ?1 AS mirror";
inline constexpr const char* kReplayOnly =
    "SELECT kind, value FROM (SELECT * FROM main.signals EXCEPT SELECT * FROM mirror.signals) LIMIT 1";
inline constexpr const char* kMirrorOnly =
    "SELECT kind, value FROM (SELECT * FROM mirror.signals EXCEPT SELECT * FROM main.signals) LIMIT 1";
inline constexpr const char* kCountMirror = "SELECT count(*) FROM mirror.signals";

// Binds `s`, set by entry `index`, to kUpsertSignal's parameters.
void BindSignal(Statement& upsert, const v1::SignalState& s, uint64_t index);
// The row `row` stands on (the columns of kSignalColumns); Internal when a
// list column does not parse.
Result<SignalRow> RowFrom(const Statement& row);

}  // namespace exchange::client
