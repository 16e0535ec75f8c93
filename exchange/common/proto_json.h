// SPDX-License-Identifier: Apache-2.0
// Protobuf messages as JSON, printed one way everywhere: the API's JSON
// responses, the client's --output json and the mirror's stored states.
// Field names as in the .proto (snake_case) and every field printed, zero
// values included, so a reader sees the same keys whatever the values.
//
// Its own library, exchange_common_proto_json, so exchange_common (linked
// by the pure libraries) does not pull in Protobuf. Pure; thread-safe.
#pragma once

#include <google/protobuf/message.h>

#include <string>

namespace exchange {

enum class JsonLayout {
  kCompact,   // one line, no spaces
  kIndented,  // newlines and indentation, for a person reading a terminal
};

// `message` as JSON in `layout`, without a trailing newline. The compact
// layout of most messages is printed by our own reflection walk, several
// times faster than protobuf's converter and byte for byte the same; the rest
// by protobuf's util::MessageToJsonString.
std::string ProtoToJson(const google::protobuf::Message& message, JsonLayout layout = JsonLayout::kCompact);

// The same, always by MessageToJsonString: the reference the fast path is
// tested against (tests/unit/proto_json_test.cpp).
std::string ProtoToJsonByProtobuf(const google::protobuf::Message& message, JsonLayout layout = JsonLayout::kCompact);

}  // namespace exchange
