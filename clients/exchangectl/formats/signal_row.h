// SPDX-License-Identifier: Apache-2.0
// A signal's state as the mirror keeps it (SignalRow), and its JSON line:
// what export, match and lookup print for a signal.
//
// Plain values and a pure function; thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "exchange/v1/feed.pb.h"

namespace exchange::client {

// One row of the mirror's `signals`.
struct SignalRow {
  v1::SignalState state;
  uint64_t last_index = 0;  // the entry that last set this state
};

// A signal's state as one line of JSON: Protobuf's mapping with the .proto
// field names and every field printed, as the API answers.
std::string SignalStateJson(const v1::SignalState& state);

}  // namespace exchange::client
