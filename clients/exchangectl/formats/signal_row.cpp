// SPDX-License-Identifier: Apache-2.0
#include "formats/signal_row.h"

#include "common/proto_json.h"

namespace exchange::client {

std::string SignalStateJson(const v1::SignalState& state) { return ProtoToJson(state); }

}  // namespace exchange::client
