// SPDX-License-Identifier: Apache-2.0
#include "common/proto_json.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <type_traits>
#include <vector>

namespace exchange {
namespace {

namespace pb = google::protobuf;

// The compact form printed straight from reflection, for the messages the
// API sends most: one pass, no binary round trip, no type resolver (which is
// what MessageToJsonString does, and most of its cost). It prints what
// MessageToJsonString prints with ProtoToJson's options, byte for byte
// (proto_json_test compares the two on every message of schema/); where that
// would take more than this code knows (maps, bytes, well-known types,
// non-finite numbers, strings needing more than \" and \\ escaped), Print
// returns false and the caller falls back to protobuf's printer.
class CompactPrinter {
 public:
  explicit CompactPrinter(std::string& out) : out_(out) {}

  bool Print(const pb::Message& message, int depth = 0) {
    if (depth > kMaxDepth) return false;
    const pb::Descriptor* type = message.GetDescriptor();
    if (type->file()->package() == "google.protobuf") return false;  // well-known types print specially
    const pb::Reflection* reflection = message.GetReflection();
    out_ += '{';
    bool first = true;
    // Protobuf's order: the fields outside any oneof in declaration order,
    // then the set members of oneofs (proto3 optionals among them) in field
    // number order, as they come on the wire.
    for (const bool oneof_members : {false, true}) {
      std::vector<const pb::FieldDescriptor*> fields;
      for (int i = 0; i < type->field_count(); ++i) {
        const pb::FieldDescriptor* field = type->field(i);
        if ((field->containing_oneof() != nullptr) == oneof_members) fields.push_back(field);
      }
      if (oneof_members) {
        std::sort(fields.begin(), fields.end(), [](auto* a, auto* b) { return a->number() < b->number(); });
      }
      for (const pb::FieldDescriptor* field : fields) {
        if (!Field(message, *reflection, field, depth, first)) return false;
      }
    }
    out_ += '}';
    return true;
  }

 private:
  static constexpr int kMaxDepth = 32;

  // `"name":value` of one field, after a comma unless it is the first;
  // nothing for an unset message, oneof member or proto3 optional (other
  // fields print their zero value).
  bool Field(const pb::Message& message, const pb::Reflection& r, const pb::FieldDescriptor* field, int depth,
             bool& first) {
    if (field->is_map() || field->type() == pb::FieldDescriptor::TYPE_BYTES) return false;
    if (!field->is_repeated()) {
      const bool message_field = field->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE;
      if ((message_field || field->has_presence()) && !r.HasField(message, field)) return true;
    }
    if (!first) out_ += ',';
    first = false;
    out_ += '"';
    out_ += field->name();
    out_ += "\":";
    if (!field->is_repeated()) return Value(message, r, field, -1, depth);
    out_ += '[';
    const int size = r.FieldSize(message, field);
    for (int k = 0; k < size; ++k) {
      if (k > 0) out_ += ',';
      if (!Value(message, r, field, k, depth)) return false;
    }
    out_ += ']';
    return true;
  }

  // Field `field` of `message` (element `k` of a repeated one; -1: singular).
  bool Value(const pb::Message& message, const pb::Reflection& r, const pb::FieldDescriptor* field, int k, int depth) {
    const bool rep = k >= 0;
    switch (field->cpp_type()) {
      case pb::FieldDescriptor::CPPTYPE_INT32:
        out_ += std::to_string(rep ? r.GetRepeatedInt32(message, field, k) : r.GetInt32(message, field));
        return true;
      case pb::FieldDescriptor::CPPTYPE_UINT32:
        out_ += std::to_string(rep ? r.GetRepeatedUInt32(message, field, k) : r.GetUInt32(message, field));
        return true;
      case pb::FieldDescriptor::CPPTYPE_INT64:  // 64-bit integers are strings in proto3 JSON
        Quoted(std::to_string(rep ? r.GetRepeatedInt64(message, field, k) : r.GetInt64(message, field)));
        return true;
      case pb::FieldDescriptor::CPPTYPE_UINT64:
        Quoted(std::to_string(rep ? r.GetRepeatedUInt64(message, field, k) : r.GetUInt64(message, field)));
        return true;
      case pb::FieldDescriptor::CPPTYPE_BOOL:
        out_ += (rep ? r.GetRepeatedBool(message, field, k) : r.GetBool(message, field)) ? "true" : "false";
        return true;
      case pb::FieldDescriptor::CPPTYPE_DOUBLE: {
        const double v = rep ? r.GetRepeatedDouble(message, field, k) : r.GetDouble(message, field);
        if (!std::isfinite(v)) return false;
        out_ += Shortest(v);
        return true;
      }
      case pb::FieldDescriptor::CPPTYPE_FLOAT: {
        const float v = rep ? r.GetRepeatedFloat(message, field, k) : r.GetFloat(message, field);
        if (!std::isfinite(v)) return false;
        out_ += Shortest(v);
        return true;
      }
      case pb::FieldDescriptor::CPPTYPE_ENUM: {
        const pb::EnumValueDescriptor* value = rep ? r.GetRepeatedEnum(message, field, k) : r.GetEnum(message, field);
        if (value == nullptr || value->type()->FindValueByNumber(value->number()) != value) return false;
        Quoted(value->name());
        return true;
      }
      case pb::FieldDescriptor::CPPTYPE_STRING: {
        std::string scratch;
        const std::string& s = rep ? r.GetRepeatedStringReference(message, field, k, &scratch)
                                   : r.GetStringReference(message, field, &scratch);
        return String(s);
      }
      case pb::FieldDescriptor::CPPTYPE_MESSAGE:
        return Print(rep ? r.GetRepeatedMessage(message, field, k) : r.GetMessage(message, field), depth + 1);
    }
    return false;
  }

  // A finite number as protobuf prints it: the fewest of 15 (float: 6)
  // significant digits that read back as the same value, else 17 (float: 9).
  template <typename T>
  static std::string Shortest(T v) {
    constexpr bool is_float = std::is_same_v<T, float>;
    char text[32];
    std::snprintf(text, sizeof text, "%.*g", is_float ? FLT_DIG : DBL_DIG, static_cast<double>(v));
    const T back = is_float ? std::strtof(text, nullptr) : static_cast<T>(std::strtod(text, nullptr));
    if (back != v)
      std::snprintf(text, sizeof text, "%.*g", is_float ? FLT_DIG + 3 : DBL_DIG + 2, static_cast<double>(v));
    return text;
  }

  void Quoted(const std::string& s) {
    out_ += '"';
    out_ += s;
    out_ += '"';
  }

  // Printable ASCII only, other than the characters protobuf writes as
  // a \u escape (<, >, &, ', =): anything else is left to protobuf's printer.
  bool String(const std::string& s) {
    out_ += '"';
    for (const char c : s) {
      if (c == '"' || c == '\\') {
        out_ += '\\';
        out_ += c;
      } else if (c < 0x20 || c > 0x7e || c == '<' || c == '>' || c == '&' || c == '\'' || c == '=') {
        return false;
      } else {
        out_ += c;
      }
    }
    out_ += '"';
    return true;
  }

  std::string& out_;
};

std::string ProtobufJson(const pb::Message& message, JsonLayout layout) {
  pb::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  options.add_whitespace = layout == JsonLayout::kIndented;
  std::string out;
  // Printing fails only for an Any whose type is not linked in; our messages hold none.
  (void)pb::util::MessageToJsonString(message, &out, options);
  return out;
}

}  // namespace

std::string ProtoToJson(const pb::Message& message, JsonLayout layout) {
  if (layout == JsonLayout::kCompact) {
    std::string out;
    if (CompactPrinter(out).Print(message)) return out;
  }
  return ProtobufJson(message, layout);
}

std::string ProtoToJsonByProtobuf(const pb::Message& message, JsonLayout layout) {
  return ProtobufJson(message, layout);
}

}  // namespace exchange
