// SPDX-License-Identifier: Apache-2.0
#include "common/proto_json.h"

#include <google/protobuf/util/json_util.h>

namespace exchange {

std::string ProtoToJson(const google::protobuf::Message& message, JsonLayout layout) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  options.add_whitespace = layout == JsonLayout::kIndented;
  std::string out;
  // Printing fails only for an Any whose type is not linked in; our messages hold none.
  (void)google::protobuf::util::MessageToJsonString(message, &out, options);
  return out;
}

}  // namespace exchange
