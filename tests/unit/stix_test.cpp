// SPDX-License-Identifier: Apache-2.0
// signals/stix.h: identifiers (against Python's uuid module, an independent
// UUIDv5), patterns and their escaping, and the indicator a feed entry becomes.
// tests/e2e/taxii_e2e_test.cpp validates what the exchange serves against the
// OASIS STIX 2.1 JSON schemas.
#include <doctest/doctest.h>
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <initializer_list>
#include <string>
#include <utility>

#include "signals/stable_id.h"
#include "signals/stix.h"

using namespace exchange;
using namespace exchange::signals;
using namespace exchange::signals::stix;

namespace {

google::protobuf::Struct Parse(const std::string& json) {
  google::protobuf::Struct out;
  auto status = google::protobuf::util::JsonStringToMessage(json, &out);
  INFO(json);
  REQUIRE(status.ok());
  return out;
}

const google::protobuf::Value& Field(const google::protobuf::Struct& s, const std::string& name) {
  static const google::protobuf::Value kMissing;
  auto it = s.fields().find(name);
  return it == s.fields().end() ? kMissing : it->second;
}

v1::FeedEntry Entry(const std::string& kind, const std::string& value, const std::string& status) {
  v1::FeedEntry e;
  e.set_collection("csam-known");
  e.set_appended_at_ms(1795347936275);
  e.set_change(v1::FeedEntry::CREATED);
  auto* s = e.mutable_signal();
  s->set_kind(kind);
  s->set_value(value);
  s->set_status(status);
  s->set_first_seen_ms(1795347936267);
  return e;
}

// PatternLiteral(value) == expected for each {value, expected}.
void CheckPatternLiterals(std::initializer_list<std::pair<std::string, std::string>> rows) {
  for (const auto& row : rows) {
    CAPTURE(row.first);
    CHECK(PatternLiteral(row.first) == row.second);
  }
}

// PatternFor(kind, value) == expected for each row.
struct PatternCase {
  Kind kind;
  std::string value;
  std::string expected;
};
void CheckPatterns(std::initializer_list<PatternCase> rows) {
  for (const PatternCase& row : rows) {
    CAPTURE(row.value);
    CHECK(PatternFor(row.kind, row.value) == row.expected);
  }
}

}  // namespace

TEST_CASE("UUIDv5 agrees with RFC 4122's construction as Python's uuid module computes it") {
  // uuid.NAMESPACE_DNS and uuid.uuid5(NAMESPACE_DNS, "www.example.com").
  const Uuid dns = {0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8};
  CHECK(FormatUuid(NameBasedUuid(dns, "www.example.com")) == "2ed6657d-e927-568b-95e1-2665a8aea6a2");
  CHECK(FormatUuid(kExchangeNamespace) == "873dab70-2e75-49de-8d8f-ca509833582a");
  // uuid.uuid5(UUID("873dab70-..."), name) for the names stix.h documents.
  CHECK(IndicatorId("csam-known", "md5", "d41d8cd98f00b204e9800998ecf8427e") ==
        "indicator--999808d7-be97-582a-bb27-2e3b0a8ef5eb");
  CHECK(CollectionId("csam-known") == "5cc2bf3e-fa2d-5498-8989-9c42fe742785");
  CHECK(ExtensionDefinitionId() == "extension-definition--8a2b4d81-c4ae-5a59-9ee8-9f238bf87134");
  CHECK(ExchangeIdentityId() == "identity--0b647343-0af9-5bd0-94be-427fda5821b8");
  // Each part of the name counts.
  CHECK(IndicatorId("csam-known", "md5", "a") != IndicatorId("csam-known2", "md5", "a"));
  CHECK(IndicatorId("csam-known", "md5", "a") != IndicatorId("csam-known", "sha1", "a"));
  CHECK(IndicatorId("csam-known", "md5", "a") != IndicatorId("csam-known", "md5", "b"));
}

TEST_CASE("timestamps have milliseconds, both ways") {
  CHECK(FormatTimestampMs(1795347936275) == "2026-11-22T11:45:36.275Z");
  CHECK(FormatTimestampMs(0) == "1970-01-01T00:00:00.000Z");
  CHECK(FormatTimestampMs(1795347936005) == "2026-11-22T11:45:36.005Z");
  CHECK(*ParseTimestampMs("2026-11-22T11:45:36.275Z") == 1795347936275);
  CHECK(*ParseTimestampMs("2026-11-22T11:45:36Z") == 1795347936000);
  CHECK(*ParseTimestampMs("2026-11-22T11:45:36.2Z") == 1795347936200);
  CHECK(*ParseTimestampMs("2026-11-22T11:45:36.275999Z") == 1795347936275);
  CHECK(*ParseTimestampMs("2026-11-22T12:45:36.275+01:00") == 1795347936275);
  CHECK_FALSE(ParseTimestampMs("2026-11-22T11:45:36.Z").ok());
  CHECK_FALSE(ParseTimestampMs("yesterday").ok());
  CHECK_FALSE(ParseTimestampMs("").ok());
}

TEST_CASE("pattern literals escape quotes and backslashes, nothing else") {
  CheckPatternLiterals({
      {"abc", "'abc'"},
      {"it's", "'it\\'s'"},
      {"a\\b", "'a\\\\b'"},
      {"\\'", "'\\\\\\''"},
      {"\"ü\"", "'\"ü\"'"},
  });
}

TEST_CASE("each kind has its pattern") {
  CheckPatterns({
      {Kind::kMd5, "d41d8cd98f00b204e9800998ecf8427e", "[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e']"},
      {Kind::kSha1, "da39", "[file:hashes.'SHA-1' = 'da39']"},
      {Kind::kSha256, "e3b0", "[file:hashes.'SHA-256' = 'e3b0']"},
      {Kind::kPdq, "f8f8", "[file:hashes.x_pdq = 'f8f8']"},
      {Kind::kPhotoDna, "AAA=", "[file:hashes.x_photodna = 'AAA=']"},
      {Kind::kTmkPdqf, "aGVsbG8=", "[file:hashes.x_tmk_pdqf = 'aGVsbG8=']"},
      {Kind::kVpdq, "aGVsbG8=", "[file:hashes.x_vpdq = 'aGVsbG8=']"},
      {Kind::kUrl, "http://bad.example/it's", "[url:value = 'http://bad.example/it\\'s']"},
      {Kind::kDomain, "bad.example", "[domain-name:value = 'bad.example']"},
      {Kind::kKeyword, "grooming talk", "[x-exchange-keyword:value = 'grooming talk']"},
      {Kind::kAccountId, "email:alice@example.com",
       "[user-account:account_type = 'email' AND user-account:user_id = 'alice@example.com']"},
      {Kind::kAccountId, "twitter:a:b", "[user-account:account_type = 'twitter' AND user-account:user_id = 'a:b']"},
  });
  for (Kind kind : AllKinds()) CHECK(PatternFor(kind, "v").front() == '[');
}

TEST_CASE("a feed entry becomes one indicator version, deterministic") {
  v1::FeedEntry e = Entry("md5", "d41d8cd98f00b204e9800998ecf8427e", "active");
  e.mutable_signal()->add_categories("A1");
  e.mutable_signal()->add_labels("a");
  e.mutable_signal()->add_labels("x");
  e.mutable_signal()->add_principles(1);
  e.mutable_signal()->add_principles(3);
  e.mutable_signal()->set_contributors(1);
  e.mutable_signal()->set_reviewed(true);
  e.mutable_signal()->add_contributor_orgs("alpha");
  auto v = IndicatorFromEntry(e, 7);
  REQUIRE(v.ok());
  CHECK(v->id == "indicator--999808d7-be97-582a-bb27-2e3b0a8ef5eb");
  CHECK(v->modified == "2026-11-22T11:45:36.275Z");
  CHECK(v->modified_ms == 1795347936275);
  auto again = IndicatorFromEntry(e, 7);
  CHECK(again->json == v->json);

  auto o = Parse(v->json);
  CHECK(Field(o, "type").string_value() == "indicator");
  CHECK(Field(o, "spec_version").string_value() == "2.1");
  CHECK(Field(o, "id").string_value() == v->id);
  CHECK(Field(o, "created").string_value() == "2026-11-22T11:45:36.267Z");
  CHECK(Field(o, "valid_from").string_value() == "2026-11-22T11:45:36.267Z");
  CHECK(Field(o, "modified").string_value() == "2026-11-22T11:45:36.275Z");
  CHECK(Field(o, "pattern").string_value() == "[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e']");
  CHECK(Field(o, "pattern_type").string_value() == "stix");
  CHECK(Field(o, "created_by_ref").string_value() == ExchangeIdentityId());
  CHECK(o.fields().count("revoked") == 0);
  REQUIRE(Field(o, "labels").list_value().values_size() == 2);
  CHECK(Field(o, "labels").list_value().values(1).string_value() == "x");
  CHECK(Field(o, "x_exchange_categories").list_value().values(0).string_value() == "A1");
  CHECK(Field(o, "x_exchange_principles").list_value().values(1).number_value() == 3);
  CHECK(Field(o, "x_exchange_contributor_orgs").list_value().values(0).string_value() == "alpha");
  CHECK(Field(o, "x_exchange_contributor_refs").list_value().values(0).string_value() ==
        OrganisationIdentityId("alpha"));
  CHECK(Field(o, "x_exchange_status").string_value() == "active");
  CHECK(Field(o, "x_exchange_change").string_value() == "created");
  CHECK(Field(o, "x_exchange_log_index").number_value() == 7);
  CHECK(Field(o, "x_exchange_reviewed").bool_value());
  CHECK(Field(Field(o, "extensions").struct_value(), ExtensionDefinitionId())
            .struct_value()
            .fields()
            .at("extension_type")
            .string_value() == "toplevel-property-extension");
  // Another index is another version's bytes, same id.
  auto other = IndicatorFromEntry(e, 8);
  CHECK(other->id == v->id);
  CHECK(other->json != v->json);
}

TEST_CASE("a tombstone is revoked with no empty lists; a dispute shows in the custom properties") {
  v1::FeedEntry e = Entry("url", "http://bad.example/a'b\\c", "retracted");
  e.set_change(v1::FeedEntry::STATUS);
  e.mutable_signal()->set_disputes(2);
  auto v = IndicatorFromEntry(e, 3);
  REQUIRE(v.ok());
  auto o = Parse(v->json);
  CHECK(Field(o, "revoked").bool_value());
  CHECK(Field(o, "pattern").string_value() == "[url:value = 'http://bad.example/a\\'b\\\\c']");
  CHECK(o.fields().count("labels") == 0);
  CHECK(o.fields().count("x_exchange_categories") == 0);
  CHECK(o.fields().count("x_exchange_principles") == 0);
  CHECK(Field(o, "x_exchange_status").string_value() == "retracted");
  CHECK(Field(o, "x_exchange_disputes").number_value() == 2);

  v1::FeedEntry d = Entry("domain", "bad.example", "disputed");
  d.mutable_signal()->set_disputes(3);
  d.mutable_signal()->set_confirmations(1);
  auto dv = IndicatorFromEntry(d, 4);
  auto od = Parse(dv->json);
  CHECK(od.fields().count("revoked") == 0);
  CHECK(Field(od, "x_exchange_status").string_value() == "disputed");
  CHECK(Field(od, "x_exchange_confirmations").number_value() == 1);
}

TEST_CASE("modified is never before created, and bad entries are refused") {
  v1::FeedEntry e = Entry("sha1", "da39a3ee5e6b4b0d3255bfef95601890afd80709", "active");
  e.set_appended_at_ms(1795347936000);  // a clock step back
  auto v = IndicatorFromEntry(e, 0);
  CHECK(v->modified == "2026-11-22T11:45:36.267Z");
  CHECK_FALSE(IndicatorFromEntry(Entry("MD5", "x", "active"), 0).ok());
  v1::FeedEntry none;
  CHECK_FALSE(IndicatorFromEntry(none, 0).ok());
}

TEST_CASE("the extension definition and the identity are fixed, valid JSON") {
  auto ext = Parse(ExtensionDefinitionJson());
  CHECK(Field(ext, "id").string_value() == ExtensionDefinitionId());
  CHECK(Field(ext, "created_by_ref").string_value() == ExchangeIdentityId());
  CHECK(Field(ext, "extension_types").list_value().values(0).string_value() == "toplevel-property-extension");
  CHECK(Field(ext, "extension_properties").list_value().values_size() == 15);
  auto id = Parse(ExchangeIdentityJson("sandbox \"x\""));
  CHECK(Field(id, "name").string_value() == "sandbox \"x\"");
  CHECK(Field(id, "id").string_value() == ExchangeIdentityId());
}

TEST_CASE("opinions sum up the members' opinions, and the indicator points at its opinion") {
  v1::FeedEntry e = Entry("md5", "d41d8cd98f00b204e9800998ecf8427e", "active");
  auto none = OpinionFromEntry(e, 0);
  REQUIRE(none.ok());
  CHECK_FALSE(none->has_value());
  CHECK(Parse(IndicatorFromEntry(e, 0)->json).fields().count("x_exchange_opinion_ref") == 0);

  const std::string opinion_id = OpinionId("csam-known", "md5", "d41d8cd98f00b204e9800998ecf8427e");
  CHECK(opinion_id.rfind("opinion--", 0) == 0);
  CHECK(opinion_id.substr(9) != IndicatorId("csam-known", "md5", "d41d8cd98f00b204e9800998ecf8427e").substr(11));
  struct Case {
    std::string status;
    uint32_t disputes, confirmations;
    std::string opinion;
  };
  for (const Case& c : {Case{"disputed", 2, 1, "strongly-disagree"}, Case{"active", 1, 0, "disagree"},
                        Case{"active", 1, 1, "neutral"}, Case{"active", 0, 2, "agree"}}) {
    e.mutable_signal()->set_status(c.status);
    e.mutable_signal()->set_disputes(c.disputes);
    e.mutable_signal()->set_confirmations(c.confirmations);
    auto v = OpinionFromEntry(e, 5);
    REQUIRE(v.ok());
    REQUIRE(v->has_value());
    auto o = Parse((*v)->json);
    CHECK(Field(o, "type").string_value() == "opinion");
    CHECK(Field(o, "id").string_value() == opinion_id);
    CHECK(Field(o, "opinion").string_value() == c.opinion);
    CHECK(Field(o, "object_refs").list_value().values(0).string_value() ==
          IndicatorId("csam-known", "md5", "d41d8cd98f00b204e9800998ecf8427e"));
    CHECK(Field(o, "modified").string_value() == IndicatorFromEntry(e, 5)->modified);
    CHECK(Field(o, "x_exchange_disputes").number_value() == c.disputes);
    CHECK(Field(Parse(IndicatorFromEntry(e, 5)->json), "x_exchange_opinion_ref").string_value() == opinion_id);
  }
  CHECK_FALSE(OpinionFromEntry(Entry("MD5", "x", "active"), 0).ok());
}

TEST_CASE("contributing organisations are identities of their own") {
  CHECK(OrganisationIdentityId("alpha") != OrganisationIdentityId("beta"));
  CHECK(OrganisationIdentityId("alpha") != ExchangeIdentityId());
  CHECK(OrganisationIdentityId("alpha").rfind("identity--", 0) == 0);
  auto o = Parse(OrganisationIdentityJson("alpha"));
  CHECK(Field(o, "id").string_value() == OrganisationIdentityId("alpha"));
  CHECK(Field(o, "name").string_value() == "alpha");
  CHECK(Field(o, "identity_class").string_value() == "organization");
  // An anonymous collection's entries name no organisation, so no refs.
  auto v = IndicatorFromEntry(Entry("md5", "d41d8cd98f00b204e9800998ecf8427e", "active"), 0);
  CHECK(Parse(v->json).fields().count("x_exchange_contributor_refs") == 0);
}
