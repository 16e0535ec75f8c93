// SPDX-License-Identifier: Apache-2.0
// TAXII 2.1 end to end against a real exchanged over mTLS: a member pages
// through a collection's objects in small pages while another organisation
// submits, retracts and disputes, and ends with exactly the log's versions
// (compared byte for byte with the STIX mapping of the entries endpoint's
// entries: every version once, tombstones included, no duplicate, no gap);
// the manifest says the same; one object's versions; added_after and the
// date headers; collections without a grant are invisible (404) and
// unregistered callers refused (403); Accept negotiation (406); bad
// parameters (400). Every STIX object fetched is validated against the OASIS
// STIX 2.1 JSON schemas and every TAXII response against the TAXII 2.1
// resource shapes (tests/support/taxii_schema_check.py).
#include <doctest/doctest.h>
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <random>
#include <set>
#include <thread>

#include "collections.h"
#include "common/hex.h"
#include "common/json.h"
#include "exchange/v1/feed.pb.h"
#include "exchange/v1/signals.pb.h"
#include "signals/stix.h"
#include "test_exchange.h"

using namespace exchange;
using exchange::testing::TestExchange;
namespace stix = exchange::signals::stix;

namespace {

constexpr const char* kTaxii = "application/taxii+json;version=2.1";
const std::string kRoot = "/taxii2/exchange/";

client::HttpResult Get(client::ApiClient& api, const std::string& target, const std::string& accept = kTaxii) {
  std::vector<std::pair<std::string, std::string>> headers;
  if (!accept.empty()) headers.emplace_back("Accept", accept);
  auto r = api.http().Send("GET", target, "", headers);
  REQUIRE_MESSAGE(r.ok(), target << ": " << r.status().ToString());
  return *r;
}

google::protobuf::Struct Parse(const std::string& json) {
  google::protobuf::Struct out;
  auto status = google::protobuf::util::JsonStringToMessage(json, &out);
  REQUIRE_MESSAGE(status.ok(), json.substr(0, 400));
  return out;
}

const google::protobuf::Value& Field(const google::protobuf::Struct& s, const std::string& name) {
  static const google::protobuf::Value kMissing;
  auto it = s.fields().find(name);
  return it == s.fields().end() ? kMissing : it->second;
}

std::string ToJson(const google::protobuf::Value& v) {
  std::string out;
  REQUIRE(google::protobuf::util::MessageToJsonString(v, &out).ok());
  return out;
}

// Writes what the schema check reads: TAXII responses as <resource>-<n>.json.
class Fetched {
 public:
  explicit Fetched(std::string dir) : dir_(std::move(dir)) {}
  void Response(const std::string& resource, const std::string& body) {
    std::ofstream(dir_ + "/" + resource + "-" + std::to_string(++count_) + ".json") << body;
  }
  void Object(const std::string& json) { objects_ << json << "\n"; }
  void Flush() { std::ofstream(dir_ + "/objects.jsonl") << objects_.str(); }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  int count_ = 0;
  std::ostringstream objects_;
};

void Submit(client::ApiClient& api, const std::string& collection,
            const std::vector<std::pair<std::string, std::string>>& signals) {
  v1::SubmitSignalsRequest request;
  for (const auto& [kind, value] : signals) {
    auto* s = request.add_signals();
    s->set_kind(kind);
    s->set_value(value);
    s->set_category("A1");
    s->add_labels("taxii");
    s->add_principles(3);
  }
  v1::SubmitSignalsResponse response;
  Status s = api.Call("POST", "/v1/collections/" + collection + "/signals", &request, &response);
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  for (const auto& r : response.results()) REQUIRE_MESSAGE(r.status() != "rejected", r.error());
}

void Dispute(client::ApiClient& api, const std::string& collection, const std::string& kind, const std::string& value) {
  v1::OpinionsRequest request;
  auto* o = request.add_opinions();
  o->set_kind(kind);
  o->set_value(value);
  o->set_opinion("dispute");
  o->set_reason("not what the category says");
  v1::ItemResults out;
  Status st = api.Call("POST", "/v1/collections/" + collection + "/opinions", &request, &out);
  REQUIRE_MESSAGE(st.ok(), st.ToString());
}

std::string Md5(std::mt19937_64& rng) {
  std::string raw(16, '\0');
  for (auto& b : raw) b = static_cast<char>(rng());
  return HexEncode(raw);
}

// The STIX mapping of every entry of the collection's log, in order.
std::vector<stix::IndicatorVersion> LogVersions(client::ApiClient& api, const std::string& collection,
                                                std::vector<int64_t>* appended = nullptr) {
  std::vector<stix::IndicatorVersion> out;
  for (uint64_t start = 0;;) {
    v1::EntryBundle bundle;
    REQUIRE(api.Call("GET", "/v1/collections/" + collection + "/entries?limit=10000&start=" + std::to_string(start),
                     nullptr, &bundle)
                .ok());
    for (const auto& bytes : bundle.entries()) {
      v1::FeedEntry entry;
      REQUIRE(entry.ParseFromString(bytes));
      auto v = stix::IndicatorFromEntry(entry, start++);
      REQUIRE(v.ok());
      out.push_back(std::move(v).value());
      if (appended) appended->push_back(entry.appended_at_ms());
    }
    if (start >= bundle.tree_size()) break;
  }
  return out;
}

// Pages through `path` (objects/ or manifest/) with `limit`, from the start
// (plus `query`), until `more` is false; returns each item's JSON.
std::vector<std::string> PageAll(client::ApiClient& api, const std::string& path, int limit,
                                 const std::string& query = "", Fetched* fetched = nullptr,
                                 const std::string& resource = "") {
  std::vector<std::string> items;
  std::string next;
  for (int pages = 0; pages < 100000; ++pages) {
    std::string target = path + "?limit=" + std::to_string(limit) + query + (next.empty() ? "" : "&next=" + next);
    auto r = Get(api, target);
    REQUIRE_MESSAGE(r.status == 200, target << ": " << r.body);
    CHECK(r.content_type == kTaxii);
    if (fetched && pages % 7 == 0) fetched->Response(resource, r.body);
    auto page = Parse(r.body);
    for (const auto& o : Field(page, "objects").list_value().values()) items.push_back(ToJson(o));
    CHECK(Field(page, "objects").list_value().values_size() <= limit);
    if (!Field(page, "more").bool_value()) {
      CHECK(page.fields().count("next") == 0);
      return items;
    }
    next = Field(page, "next").string_value();
    REQUIRE(!next.empty());
  }
  FAIL("paging did not end");
  return items;
}

// `v` as JSON with every object's keys sorted (Struct's own printing
// follows its map, whose order is unspecified).
void AppendCanonical(const google::protobuf::Value& v, std::string& out) {
  switch (v.kind_case()) {
    case google::protobuf::Value::kStructValue: {
      std::vector<std::string> keys;
      for (const auto& [k, unused] : v.struct_value().fields()) keys.push_back(k);
      std::sort(keys.begin(), keys.end());
      out += '{';
      for (std::size_t i = 0; i < keys.size(); ++i) {
        if (i) out += ',';
        AppendJsonQuoted(keys[i], out);
        out += ':';
        AppendCanonical(v.struct_value().fields().at(keys[i]), out);
      }
      out += '}';
      return;
    }
    case google::protobuf::Value::kListValue: {
      out += '[';
      for (int i = 0; i < v.list_value().values_size(); ++i) {
        if (i) out += ',';
        AppendCanonical(v.list_value().values(i), out);
      }
      out += ']';
      return;
    }
    default: out += ToJson(v);
  }
}

std::string Normalised(const std::string& json) {
  google::protobuf::Value v;
  *v.mutable_struct_value() = Parse(json);
  std::string out;
  AppendCanonical(v, out);
  return out;
}

}  // namespace

TEST_CASE("a member pages through a collection while others write, and gets every version once") {
  TestExchange ex;
  auto [admin, alpha, beta] = ex.Clients("admin1", "alpha", "beta");
  testing::CreateCollection(*admin, "taxii-live", {"alpha", "beta"});
  const std::string id = stix::CollectionId("taxii-live");
  const std::string objects = kRoot + "collections/" + id + "/objects/";
  testing::TempDir dir;
  Fetched fetched(dir.path());

  std::mt19937_64 rng(18);
  std::vector<std::pair<std::string, std::string>> first;
  for (int i = 0; i < 20; ++i) first.emplace_back("md5", Md5(rng));
  first.emplace_back("url", "https://bad.example/it's/a");
  first.emplace_back("domain", "bad.example");
  first.emplace_back("keyword", "it's \\ grooming talk");
  first.emplace_back("account_id", "email:alice@example.com");
  first.emplace_back("sha256", HexEncode(std::string(32, '\x11')));
  first.emplace_back("pdq", "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22");
  Submit(*alpha, "taxii-live", first);

  // beta writes while alpha reads: new signals, its own retractions (tombstones
  // when beta was the only contributor) and disputes of alpha's signals.
  std::atomic<bool> writing{true};
  std::thread writer([&] {
    auto b = ex.Client("beta");
    std::mt19937_64 wrng(81);
    for (int round = 0; round < 12; ++round) {
      std::vector<std::pair<std::string, std::string>> batch;
      for (int i = 0; i < 4; ++i) batch.emplace_back("md5", Md5(wrng));
      Submit(*b, "taxii-live", batch);
      testing::Retract(*b, "taxii-live", "md5", {batch[0].second});
      Dispute(*b, "taxii-live", "md5", first[static_cast<std::size_t>(round)].second);
    }
    writing = false;
  });
  // The next index to read is always the number of versions seen so far:
  // every entry is one version, and the server's `next` must say the same.
  std::vector<std::string> seen;
  int pages = 0;
  while (true) {
    const bool writer_done = !writing;  // before the request: it then sees every write
    auto r = Get(*alpha, objects + "?limit=3&next=" + std::to_string(seen.size()));
    REQUIRE_MESSAGE(r.status == 200, r.body);
    ++pages;
    if (pages % 5 == 1) fetched.Response("envelope", r.body);
    auto page = Parse(r.body);
    const auto& list = Field(page, "objects").list_value();
    CHECK(list.values_size() <= 3);
    for (const auto& o : list.values()) seen.push_back(ToJson(o));
    if (list.values_size() > 0) {
      CHECK(r.Header("X-TAXII-Date-Added-First") != "");
      CHECK(r.Header("X-TAXII-Date-Added-Last") != "");
    }
    if (Field(page, "more").bool_value()) {
      CHECK(Field(page, "next").string_value() == std::to_string(seen.size()));
      continue;
    }
    CHECK(page.fields().count("next") == 0);
    if (writer_done) break;
  }
  writer.join();
  (void)beta;

  std::vector<int64_t> appended;
  const auto expected = LogVersions(*alpha, "taxii-live", &appended);
  // 26 created, 12 rounds of 4 created + 1 retraction + 1 dispute.
  CHECK(expected.size() == 26 + 12 * 6);
  REQUIRE(seen.size() == expected.size());
  std::set<std::pair<std::string, std::string>> versions;
  int revoked = 0, disputed = 0;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    CHECK(Normalised(seen[i]) == Normalised(expected[i].json));
    auto o = Parse(seen[i]);
    CHECK(Field(o, "x_exchange_log_index").number_value() == static_cast<double>(i));
    versions.emplace(Field(o, "id").string_value(), Field(o, "modified").string_value());
    revoked += Field(o, "revoked").bool_value();
    disputed += Field(o, "x_exchange_disputes").number_value() > 0;
    fetched.Object(seen[i]);
  }
  CHECK(revoked == 12);
  CHECK(disputed >= 12);
  CHECK(pages > 30);

  // The manifest lists the same versions, in the same order.
  auto manifest = PageAll(*alpha, kRoot + "collections/" + id + "/manifest/", 10, "", &fetched, "manifest");
  REQUIRE(manifest.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    auto m = Parse(manifest[i]);
    CHECK(Field(m, "id").string_value() == expected[i].id);
    CHECK(Field(m, "version").string_value() == expected[i].modified);
    CHECK(Field(m, "date_added").string_value() == stix::FormatTimestampMs(appended[i]));
    CHECK(Field(m, "media_type").string_value() == "application/stix+json;version=2.1");
  }

  // added_after: exactly the versions added after that time, in log order.
  const int64_t cut = appended[appended.size() / 2];
  std::vector<std::string> after_expected;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    if (appended[i] > cut) after_expected.push_back(Normalised(expected[i].json));
  }
  auto after = PageAll(*alpha, objects, 4, "&added_after=" + stix::FormatTimestampMs(cut));
  REQUIRE(after.size() == after_expected.size());
  for (std::size_t i = 0; i < after.size(); ++i) CHECK(Normalised(after[i]) == after_expected[i]);
  {
    auto r = Get(*alpha, objects + "?limit=5&added_after=" + stix::FormatTimestampMs(cut));
    auto page = Parse(r.body);
    const auto& list = Field(page, "objects").list_value();
    REQUIRE(list.values_size() > 0);
    std::size_t first_after = 0;
    while (appended[first_after] <= cut) ++first_after;
    CHECK(r.Header("X-TAXII-Date-Added-First") == stix::FormatTimestampMs(appended[first_after]));
  }

  // One object: a signal alpha submitted and beta disputed, and one beta retracted.
  const std::string disputed_id = stix::IndicatorId("taxii-live", "md5", first[0].second);
  auto versions_of = Get(*alpha, objects + disputed_id + "/versions/");
  REQUIRE(versions_of.status == 200);
  fetched.Response("versions", versions_of.body);
  auto vlist = Field(Parse(versions_of.body), "versions").list_value();
  CHECK(vlist.values_size() == 2);  // created, then disputed
  auto latest = Get(*alpha, objects + disputed_id + "/");
  REQUIRE(latest.status == 200);
  fetched.Response("envelope", latest.body);
  auto latest_objects = Field(Parse(latest.body), "objects").list_value();
  REQUIRE(latest_objects.values_size() == 1);
  CHECK(Field(latest_objects.values(0).struct_value(), "modified").string_value() == vlist.values(1).string_value());
  CHECK(Field(latest_objects.values(0).struct_value(), "x_exchange_disputes").number_value() == 1);
  auto all_of = Get(*alpha, objects + disputed_id + "/?match[version]=all");
  CHECK(Field(Parse(all_of.body), "objects").list_value().values_size() == 2);
  auto first_of = Get(*alpha, objects + disputed_id + "/?match[version]=first");
  CHECK(Field(Field(Parse(first_of.body), "objects").list_value().values(0).struct_value(), "x_exchange_change")
            .string_value() == "created");

  // The members' opinions of it: one opinion version, from the dispute.
  const std::string opinion_id = stix::OpinionId("taxii-live", "md5", first[0].second);
  CHECK(Field(latest_objects.values(0).struct_value(), "x_exchange_opinion_ref").string_value() == opinion_id);
  auto opinion = Get(*alpha, objects + opinion_id + "/?match[version]=all");
  REQUIRE_MESSAGE(opinion.status == 200, opinion.body);
  auto opinions = Field(Parse(opinion.body), "objects").list_value();
  REQUIRE(opinions.values_size() == 1);
  CHECK(Field(opinions.values(0).struct_value(), "opinion").string_value() == "disagree");
  CHECK(Field(opinions.values(0).struct_value(), "object_refs").list_value().values(0).string_value() == disputed_id);
  fetched.Object(ToJson(opinions.values(0)));
  CHECK(Get(*alpha, objects + stix::OpinionId("taxii-live", "md5", first[25].second) + "/").status == 404);

  // Contributors are identities, read by id.
  auto refs = Field(latest_objects.values(0).struct_value(), "x_exchange_contributor_refs").list_value();
  REQUIRE(refs.values_size() == 1);
  CHECK(refs.values(0).string_value() == stix::OrganisationIdentityId("alpha"));
  auto alpha_identity = Get(*alpha, objects + refs.values(0).string_value() + "/");
  REQUIRE_MESSAGE(alpha_identity.status == 200, alpha_identity.body);
  auto identities = Field(Parse(alpha_identity.body), "objects").list_value();
  REQUIRE(identities.values_size() == 1);
  CHECK(Field(identities.values(0).struct_value(), "name").string_value() == "alpha");
  fetched.Object(ToJson(identities.values(0)));
  CHECK(Get(*alpha, objects + stix::OrganisationIdentityId("gamma") + "/").status == 404);

  // The published definitions answer by id in the collection.
  for (const std::string& def : {stix::ExtensionDefinitionId(), stix::ExchangeIdentityId()}) {
    auto r = Get(*alpha, objects + def + "/");
    REQUIRE_MESSAGE(r.status == 200, r.body);
    auto list = Field(Parse(r.body), "objects").list_value();
    REQUIRE(list.values_size() == 1);
    fetched.Object(ToJson(list.values(0)));
  }
  CHECK(Get(*alpha, objects + stix::IndicatorId("taxii-live", "md5", "0") + "/").status == 404);

  // The other resources, for the shape check.
  fetched.Response("discovery", Get(*alpha, "/taxii2/").body);
  fetched.Response("api-root", Get(*alpha, kRoot).body);
  fetched.Response("collections", Get(*alpha, kRoot + "collections/").body);
  fetched.Response("collection", Get(*alpha, kRoot + "collections/" + id + "/").body);
  fetched.Response("error", Get(*alpha, kRoot + "collections/" + stix::CollectionId("nope") + "/").body);
  fetched.Flush();

  const std::string schemas = std::string(EXCHANGE_VECTORS_DIR) + "/stix2-json-schemas/schemas";
  auto check = testing::RunCommand("/usr/bin/python3 " + std::string(EXCHANGE_SOURCE_DIR) +
                                   "/tests/support/taxii_schema_check.py " + schemas + " " + fetched.dir() + " 2>&1");
  CHECK_MESSAGE(check.exit_code == 0, check.output);
  MESSAGE(check.output);
  CHECK(check.output.find(std::to_string(expected.size()) + " indicator objects validate") != std::string::npos);
  CHECK(check.output.find("extension-definition objects validate") != std::string::npos);
  CHECK(check.output.find("1 opinion objects validate") != std::string::npos);
  CHECK(check.output.find("2 identity objects validate") != std::string::npos);
  CHECK(check.output.find("responses have the TAXII 2.1 shape") != std::string::npos);
}

TEST_CASE("collections without a grant are invisible; negotiation and parameters are checked") {
  TestExchange ex;
  auto [admin, alpha, auditor] = ex.Clients("admin1", "alpha", "auditor");
  testing::CreateCollection(*admin, "taxii-open", {"alpha"});
  testing::CreateCollection(*admin, "taxii-hidden", {"beta"});
  Submit(*ex.Client("beta"), "taxii-hidden", {{"md5", "d41d8cd98f00b204e9800998ecf8427e"}});
  Submit(*alpha, "taxii-open", {{"md5", "d41d8cd98f00b204e9800998ecf8427e"}});
  const std::string open_id = stix::CollectionId("taxii-open");
  const std::string hidden_id = stix::CollectionId("taxii-hidden");

  // alpha sees one collection; the other does not exist for it.
  auto listed = Parse(Get(*alpha, kRoot + "collections/").body);
  const auto& cols = Field(listed, "collections").list_value();
  REQUIRE(cols.values_size() == 1);
  CHECK(Field(cols.values(0).struct_value(), "id").string_value() == open_id);
  CHECK(Field(cols.values(0).struct_value(), "can_read").bool_value());
  CHECK_FALSE(Field(cols.values(0).struct_value(), "can_write").bool_value());
  for (const std::string& suffix : std::vector<std::string>{
           "", "objects/", "manifest/",
           "objects/" + stix::IndicatorId("taxii-hidden", "md5", "d41d8cd98f00b204e9800998ecf8427e") + "/",
           "objects/" + stix::ExtensionDefinitionId() + "/versions/"}) {
    auto hidden = Get(*alpha, kRoot + "collections/" + hidden_id + "/" + suffix);
    CHECK_MESSAGE(hidden.status == 404, suffix);
    auto unknown = Get(*alpha, kRoot + "collections/" + stix::CollectionId("no-such") + "/" + suffix);
    CHECK(unknown.status == 404);
    CHECK(unknown.body.find("no-such") == std::string::npos);
    CHECK(Parse(hidden.body).fields().at("title").string_value() ==
          Parse(unknown.body).fields().at("title").string_value());
  }
  CHECK(Get(*alpha, kRoot + "collections/taxii-open/").status == 404);  // ids, not names
  // Staff read every collection.
  CHECK(Field(Parse(Get(*auditor, kRoot + "collections/").body), "collections").list_value().values_size() == 2);
  CHECK(Get(*auditor, kRoot + "collections/" + hidden_id + "/objects/").status == 200);
  // An unregistered certificate gets the API's 403.
  auto stranger = ex.Client("stranger");
  CHECK(Get(*stranger, "/taxii2/").status == 403);

  // Accept.
  for (const std::string& ok :
       {std::string(kTaxii), std::string("application/taxii+json"), std::string("application/taxii+json; version=2.1"),
        std::string("*/*"), std::string("text/html, application/taxii+json;version=2.1;q=0.9")}) {
    CHECK_MESSAGE(Get(*alpha, "/taxii2/", ok).status == 200, ok);
  }
  for (const std::string bad :
       {"application/json", "application/taxii+json;version=2.0", "text/html", "application/stix+json;version=2.1"}) {
    auto r = Get(*alpha, "/taxii2/", bad);
    CHECK_MESSAGE(r.status == 406, bad);
    CHECK(r.content_type == kTaxii);
    CHECK(Get(*alpha, kRoot + "collections/" + open_id + "/objects/", bad).status == 406);
  }

  // Parameters.
  const std::string objects = kRoot + "collections/" + open_id + "/objects/";
  CHECK(Get(*alpha, objects + "?limit=0").status == 400);
  CHECK(Get(*alpha, objects + "?limit=-1").status == 400);
  CHECK(Get(*alpha, objects + "?next=abc").status == 400);
  CHECK(Get(*alpha, objects + "?added_after=yesterday").status == 400);
  CHECK(Get(*alpha, objects + "?match[version]=last").status == 400);
  // Past the end: an empty page; filters that exclude indicators: nothing.
  auto past = Parse(Get(*alpha, objects + "?next=99").body);
  CHECK_FALSE(Field(past, "more").bool_value());
  CHECK(past.fields().count("objects") == 0);
  CHECK(Parse(Get(*alpha, objects + "?match[type]=malware").body).fields().count("objects") == 0);
  CHECK(Field(Parse(Get(*alpha, objects + "?match[type]=indicator,malware").body), "objects")
            .list_value()
            .values_size() == 1);
  const std::string the_id = stix::IndicatorId("taxii-open", "md5", "d41d8cd98f00b204e9800998ecf8427e");
  CHECK(Field(Parse(Get(*alpha, objects + "?match[id]=" + the_id).body), "objects").list_value().values_size() == 1);
  CHECK(Parse(Get(*alpha, objects + "?match[id]=indicator--00000000-0000-5000-8000-000000000000").body)
            .fields()
            .count("objects") == 0);
}
