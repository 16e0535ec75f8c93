// SPDX-License-Identifier: Apache-2.0
// ProtoToJson's own compact printer against protobuf's MessageToJsonString,
// the reference: every message type of schema/ filled at random (strings
// with and without characters protobuf escapes, zero and extreme numbers,
// unknown enum values, empty and full repeated fields, set and unset
// messages and optionals) prints the same bytes both ways.
#include <doctest/doctest.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/message.h>

#include <chrono>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "common/proto_json.h"
#include "exchange/v1/audit.pb.h"
#include "exchange/v1/collections.pb.h"
#include "exchange/v1/common.pb.h"
#include "exchange/v1/feed.pb.h"
#include "exchange/v1/identity.pb.h"
#include "exchange/v1/report.pb.h"
#include "exchange/v1/signals.pb.h"
#include "exchange/v1/vetting.pb.h"

namespace pb = google::protobuf;
using exchange::JsonLayout;
using exchange::ProtoToJson;
using exchange::ProtoToJsonByProtobuf;

namespace {

// Every message type of the schema's files, nested ones included.
std::vector<const pb::Descriptor*> SchemaMessages() {
  const pb::FileDescriptor* files[] = {
      exchange::v1::AuditEvent::descriptor()->file(),    exchange::v1::Collection::descriptor()->file(),
      exchange::v1::FeedEntry::descriptor()->file(),     exchange::v1::WhoAmIResponse::descriptor()->file(),
      exchange::v1::LookupRequest::descriptor()->file(),
  };
  std::vector<const pb::Descriptor*> out;
  std::vector<const pb::FileDescriptor*> seen;
  auto add = [&](auto&& self, const pb::Descriptor* d) -> void {
    if (d->options().map_entry()) return;
    out.push_back(d);
    for (int i = 0; i < d->nested_type_count(); ++i) self(self, d->nested_type(i));
  };
  auto visit = [&](auto&& self, const pb::FileDescriptor* f) -> void {
    for (const auto* s : seen) {
      if (s == f) return;
    }
    seen.push_back(f);
    if (f->package() != "exchange.v1") return;
    for (int i = 0; i < f->dependency_count(); ++i) self(self, f->dependency(i));
    for (int i = 0; i < f->message_type_count(); ++i) add(add, f->message_type(i));
  };
  for (const auto* f : files) visit(visit, f);
  return out;
}

class Filler {
 public:
  // plain: only strings and enum values the compact printer handles itself,
  // so that it, not the fallback, prints most messages.
  Filler(uint64_t seed, bool plain) : rng_(seed), plain_(plain) {}

  void Fill(pb::Message& m, int depth) {
    const pb::Descriptor* d = m.GetDescriptor();
    const pb::Reflection* r = m.GetReflection();
    for (int i = 0; i < d->field_count(); ++i) {
      const pb::FieldDescriptor* f = d->field(i);
      if (Chance(3)) continue;  // left unset
      if (f->is_repeated()) {
        const int n = static_cast<int>(rng_() % 4);
        for (int k = 0; k < n; ++k) Put(m, *r, f, depth);
      } else {
        Put(m, *r, f, depth);
      }
    }
  }

 private:
  bool Chance(int one_in) { return rng_() % static_cast<uint64_t>(one_in) == 0; }

  std::string Text() {
    static const std::string plain = "abcXYZ019 _-.:/@+,;!?()[]{}#$%*~^`|";
    static const std::string special[] = {"\"",
                                          "\\",
                                          "<",
                                          ">",
                                          "&",
                                          "'",
                                          "=",
                                          "\n",
                                          "\t",
                                          "\x01",
                                          "\x7f",
                                          "\xc3\xa9",
                                          "\xe2\x80\xa8",
                                          "\xf0\x9f\x98\x80"};
    std::string s;
    const int n = static_cast<int>(rng_() % 12);
    for (int i = 0; i < n; ++i) {
      if (!plain_ && Chance(8)) {
        s += special[rng_() % std::size(special)];
      } else {
        s += plain[rng_() % plain.size()];
      }
    }
    return s;
  }

  double Double() {
    static const double values[] = {0.0,
                                    -0.0,
                                    1.0,
                                    0.1,
                                    12.5,
                                    100.0,
                                    1e21,
                                    1e-7,
                                    123456789.123,
                                    5e-324,
                                    1.7976931348623157e308,
                                    2.0 / 3.0,
                                    -42.25,
                                    99.99999999999999};
    if (Chance(2)) return values[rng_() % std::size(values)];
    return std::uniform_real_distribution<double>(-1e6, 1e6)(rng_);
  }

  int64_t Int() {
    static const int64_t values[] = {
        0, 1, -1, 127, 1 << 20, std::numeric_limits<int32_t>::max(), std::numeric_limits<int32_t>::min()};
    return Chance(2) ? values[rng_() % std::size(values)] : static_cast<int64_t>(rng_() % 100000);
  }

  // A value for `f`: set, or appended when `f` is repeated.
  void Put(pb::Message& m, const pb::Reflection& r, const pb::FieldDescriptor* f, int depth) {
    const bool rep = f->is_repeated();
    auto put = [&](auto value, auto set, auto add) { rep ? (r.*add)(&m, f, value) : (r.*set)(&m, f, value); };
    using R = pb::Reflection;
    switch (f->cpp_type()) {
      case pb::FieldDescriptor::CPPTYPE_INT32: put(static_cast<int32_t>(Int()), &R::SetInt32, &R::AddInt32); break;
      case pb::FieldDescriptor::CPPTYPE_UINT32: put(static_cast<uint32_t>(Int()), &R::SetUInt32, &R::AddUInt32); break;
      case pb::FieldDescriptor::CPPTYPE_INT64:
        put(Chance(5) ? std::numeric_limits<int64_t>::min() : Int() * 1000003, &R::SetInt64, &R::AddInt64);
        break;
      case pb::FieldDescriptor::CPPTYPE_UINT64:
        put(Chance(5) ? std::numeric_limits<uint64_t>::max() : static_cast<uint64_t>(Int()), &R::SetUInt64,
            &R::AddUInt64);
        break;
      case pb::FieldDescriptor::CPPTYPE_BOOL: put(Chance(2), &R::SetBool, &R::AddBool); break;
      case pb::FieldDescriptor::CPPTYPE_DOUBLE: put(Double(), &R::SetDouble, &R::AddDouble); break;
      case pb::FieldDescriptor::CPPTYPE_FLOAT: put(static_cast<float>(Double()), &R::SetFloat, &R::AddFloat); break;
      case pb::FieldDescriptor::CPPTYPE_ENUM: put(EnumNumber(f), &R::SetEnumValue, &R::AddEnumValue); break;
      case pb::FieldDescriptor::CPPTYPE_STRING: rep ? r.AddString(&m, f, Text()) : r.SetString(&m, f, Text()); break;
      case pb::FieldDescriptor::CPPTYPE_MESSAGE:
        if (depth < 3) Fill(rep ? *r.AddMessage(&m, f) : *r.MutableMessage(&m, f), depth + 1);
        break;
    }
  }

  int EnumNumber(const pb::FieldDescriptor* f) {
    const pb::EnumDescriptor* e = f->enum_type();
    if (!plain_ && Chance(6))
      return 1000 + static_cast<int>(rng_() % 10);  // unknown to the schema (proto3 enums are open)
    return e->value(static_cast<int>(rng_() % static_cast<uint64_t>(e->value_count())))->number();
  }

  std::mt19937_64 rng_;
  bool plain_;
};

}  // namespace

TEST_CASE("ProtoToJson prints what MessageToJsonString prints, for every message of the schema") {
  const auto types = SchemaMessages();
  REQUIRE(types.size() > 30);
  Filler mixed(19, false), plain(20, true);
  int compared = 0;
  for (const pb::Descriptor* type : types) {
    const pb::Message* prototype = pb::MessageFactory::generated_factory()->GetPrototype(type);
    REQUIRE(prototype != nullptr);
    for (int i = 0; i < 300; ++i) {
      std::unique_ptr<pb::Message> m(prototype->New());
      if (i > 0) (i % 2 ? mixed : plain).Fill(*m, 0);
      const std::string ours = ProtoToJson(*m), reference = ProtoToJsonByProtobuf(*m);
      REQUIRE_MESSAGE(ours == reference, type->full_name()
                                             << "\n ours:      " << ours << "\n reference: " << reference);
      CHECK(ProtoToJson(*m, JsonLayout::kIndented) == ProtoToJsonByProtobuf(*m, JsonLayout::kIndented));
      ++compared;
    }
  }
  MESSAGE(compared, " messages of ", types.size(), " types compared");
}

TEST_CASE("the compact printer is the faster one (figures for the record, not a timed assertion)") {
  exchange::v1::WhoAmIResponse whoami;
  whoami.set_org("alpha");
  whoami.set_org_name("Alpha Platform Inc.");
  whoami.set_role("member");
  whoami.set_fingerprint(std::string(64, 'a'));
  whoami.set_not_after("2027-12-01T00:00:00Z");
  whoami.set_credential_id("42");
  auto time = [&](auto print) {
    const auto start = std::chrono::steady_clock::now();
    size_t bytes = 0;
    for (int i = 0; i < 20000; ++i) bytes += print().size();
    CHECK(bytes > 0);
    return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count() / 20000;
  };
  const double ours = time([&] { return ProtoToJson(whoami); });
  const double reference = time([&] { return ProtoToJsonByProtobuf(whoami); });
  MESSAGE("WhoAmIResponse: ", ours, " µs ours, ", reference, " µs MessageToJsonString");
}
