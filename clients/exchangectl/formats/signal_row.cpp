// SPDX-License-Identifier: Apache-2.0
#include "formats/signal_row.h"

#include <google/protobuf/util/json_util.h>

namespace exchange::client {

std::string SignalStateJson(const v1::SignalState& state) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  std::string out;
  (void)google::protobuf::util::MessageToJsonString(state, &out, options);
  return out;
}

}  // namespace exchange::client
