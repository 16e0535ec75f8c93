// SPDX-License-Identifier: Apache-2.0
// STIX 2.1 objects for what the exchange shares: one `indicator` version per
// feed entry, the `extension-definition` that declares the exchange's custom
// properties and hash keys, the exchange's own `identity`, and the
// deterministic identifiers (UUIDv5, RFC 4122 §4.3, SHA-1 based) of all of
// them and of the TAXII collections. docs/interop.md ("TAXII 2.1 and STIX
// 2.1") explains every choice made here.
//
// Pure code: no I/O. Everything is a function of its arguments (no clock, no
// randomness), so two exchanges, or one exchange twice, write the same bytes
// for the same entry. Thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "exchange/v1/feed.pb.h"
#include "signals/kind.h"

namespace exchange::signals::stix {

// Every id below is a UUIDv5 in signals::kExchangeNamespace (stable_id.h).

// "indicator--" + UUIDv5("indicator/<collection>/<kind>/<value>"): the value
// canonical. Collection names and kind names contain no '/', so the name is
// unambiguous whatever the value holds.
std::string IndicatorId(std::string_view collection, std::string_view kind, std::string_view value);
// "opinion--" + UUIDv5("opinion/<collection>/<kind>/<value>"): the members'
// opinions of that indicator, summed up.
std::string OpinionId(std::string_view collection, std::string_view kind, std::string_view value);
// The TAXII collection id of a collection: UUIDv5("collection/<name>"), bare.
std::string CollectionId(std::string_view collection);
// "extension-definition--" + UUIDv5("extension-definition/exchange/v1").
std::string ExtensionDefinitionId();
// "identity--" + UUIDv5("identity/exchange"): the exchange as the creator.
std::string ExchangeIdentityId();

// "identity--" + UUIDv5("identity/org/<slug>"): a contributing organisation
// (named collections only: anonymous ones name none).
std::string OrganisationIdentityId(std::string_view slug);

// Unix milliseconds → "2026-11-22T10:00:00.123Z" (STIX timestamps with
// millisecond precision, which `created` and `modified` require).
std::string FormatTimestampMs(int64_t unix_ms);
// An RFC 3339 timestamp in UTC ("Z" or an offset; any number of fractional
// digits, cut to milliseconds) → Unix milliseconds. InvalidArgument otherwise.
Result<int64_t> ParseTimestampMs(std::string_view text);

// `value` as a STIX patterning string literal, quotes included: "'" and "\"
// are escaped with a backslash (STIX 2.1 Patterning, §9.1 literals).
std::string PatternLiteral(std::string_view value);
// The STIX pattern that matches a signal of `kind` with canonical `value`.
std::string PatternFor(Kind kind, std::string_view value);

// One indicator version: the object and what TAXII needs of it.
struct IndicatorVersion {
  std::string id;
  std::string modified;  // the version, as STIX writes it
  int64_t modified_ms = 0;
  std::string json;  // the object, one line of JSON
};

// The indicator version that feed entry `index` of its collection's log
// stands for (docs/interop.md). InvalidArgument when the entry names an
// unknown kind or has no signal. Contributor slugs are those the entry
// carries (none in an anonymous collection).
Result<IndicatorVersion> IndicatorFromEntry(const v1::FeedEntry& entry, uint64_t index);

// The `opinion` version entry `index` stands for, when some organisation
// confirms or disputes the signal (nullopt otherwise): the counts, and
// `strongly-disagree` (status disputed), `disagree` (more disputes than
// confirmations), `neutral` (as many), `agree` (more confirmations).
// InvalidArgument as above. Its `created` is the signal's first_seen, its
// `modified` the indicator version's.
Result<std::optional<IndicatorVersion>> OpinionFromEntry(const v1::FeedEntry& entry, uint64_t index);

// The exchange's extension-definition (fixed bytes), and its identity,
// named `exchange_name` (the --name of exchanged).
std::string ExtensionDefinitionJson();
std::string ExchangeIdentityJson(std::string_view exchange_name);
// A contributing organisation's identity: its slug as the name, one fixed version.
std::string OrganisationIdentityJson(std::string_view slug);
// The `created` and `modified` of both: a fixed time, so their bytes never change.
inline constexpr std::string_view kDefinitionsTime = "2026-12-01T00:00:00.000Z";

}  // namespace exchange::signals::stix
