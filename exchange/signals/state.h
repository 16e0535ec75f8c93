// SPDX-License-Identifier: Apache-2.0
// The state of a signal as every feed entry carries it (v1::SignalState), and
// the one rule that composes it from what the exchange aggregates over a
// signal's live contributions and opinions.
//
// The aggregation itself is the SQL view signal_states
// (migrations/0003_signals.sql); store/ reads one AggregateState per row of
// it. A signal a batch has just created is known without asking the view:
// CreatedState() is the C++ copy of what the view would say of it (one live
// contribution, no opinions), and tests/pg/signals_pgtest.cpp checks that the
// two agree. Pure code: no SQL, no I/O; plain values, thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "exchange/v1/feed.pb.h"
#include "signals/kind.h"

namespace exchange::signals {

// Where a signal stands under its collection's dispute rule.
enum class SignalStatus { kActive, kDisputed, kRetracted };

// "active", "disputed", "retracted": the names in the database and on the wire.
std::string_view SignalStatusName(SignalStatus status);
std::optional<SignalStatus> ParseSignalStatus(std::string_view name);

// One signal's aggregate, as the view signal_states gives it. The lists may
// come in any order and with repeats; ToWireState() sorts them.
struct AggregateState {
  Kind kind = Kind::kMd5;
  std::string value;  // canonical
  SignalStatus status = SignalStatus::kActive;
  int64_t first_seen_ms = 0;
  uint32_t pdq_quality = 0;             // 0: none given
  std::vector<std::string> categories;  // of live contributions, none empty
  std::vector<std::string> labels;
  std::vector<uint32_t> principles;
  uint32_t contributors = 0;  // organisations with a live contribution
  uint32_t confirmations = 0;
  uint32_t disputes = 0;
  bool reviewed = false;                      // some live contribution was human-reviewed
  std::vector<std::string> contributor_orgs;  // slugs
};

// The wire state: every list sorted (bytewise) without repeats; no
// contributor slugs in an anonymous collection.
v1::SignalState ToWireState(const AggregateState& aggregate, bool anonymous);

// What a signal's first contribution says (the first occurrence of its
// (kind, value) in the batch that created it).
struct FirstContribution {
  Kind kind = Kind::kMd5;
  std::string value;
  std::string category;  // empty: none
  std::vector<std::string> labels;
  bool reviewed = false;
  std::vector<uint32_t> principles;
};

// The aggregate of a signal just created by `org_slug`'s contribution `first`:
// active, one contributor, no opinions. `pdq_quality` is the batch's best for
// the signal, -1 when none was given; `first_seen_ms` is the database's.
AggregateState CreatedState(const FirstContribution& first, int pdq_quality, int64_t first_seen_ms,
                            const std::string& org_slug);

}  // namespace exchange::signals
