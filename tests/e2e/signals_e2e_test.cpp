// SPDX-License-Identifier: Apache-2.0
// Signals and provenance end to end: batch submission with per-item results,
// idempotent retries, shared signals, opinions and the dispute rule,
// retractions and expiry as feed entries, lookups, sightings, and a feed that
// replays to exactly the collection's state.
#include <doctest/doctest.h>

#include <ctime>
#include <map>
#include <thread>

#include "collections.h"
#include "common/time_format.h"
#include "example_values.h"
#include "exchange/v1/collections.pb.h"
#include "exchange/v1/feed.pb.h"
#include "exchange/v1/signals.pb.h"
#include "log/encoding.h"
#include "test_exchange.h"

using namespace exchange;
using exchange::testing::kMd5;
using exchange::testing::kSha256;
using exchange::testing::TestExchange;

namespace {

// A collection alpha and beta write to, with that attribution and those required fields.
void Collection(client::ApiClient& admin, const std::string& name, const std::string& attribution,
                std::vector<std::string> required = {}) {
  v1::Collection collection;
  collection.set_name(name);
  collection.set_attribution(attribution);
  for (auto& f : required) collection.add_required_fields(f);
  testing::CreateCollection(admin, collection);
}

v1::SubmitSignalsResponse Submit(client::ApiClient& api, const std::string& collection,
                                 const std::vector<std::tuple<std::string, std::string, std::string>>& items,
                                 const std::string& key = "", Status* status = nullptr) {
  v1::SubmitSignalsRequest request;
  for (const auto& [kind, value, category] : items) {
    auto* s = request.add_signals();
    s->set_kind(kind);
    s->set_value(value);
    s->set_category(category);
  }
  v1::SubmitSignalsResponse response;
  std::vector<std::pair<std::string, std::string>> headers;
  if (!key.empty()) headers.emplace_back("Idempotency-Key", key);
  Status s = api.Call("POST", "/v1/collections/" + collection + "/signals", &request, &response, headers);
  if (status) {
    *status = s;
  } else {
    REQUIRE_MESSAGE(s.ok(), s.ToString());
  }
  return response;
}

v1::SignalInfo Lookup(client::ApiClient& api, const std::string& collection, const std::string& kind,
                      const std::string& value) {
  v1::SignalInfo info;
  Status s = api.Call("GET", "/v1/collections/" + collection + "/signals/" + kind + "/" + value, nullptr, &info);
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  return info;
}

v1::ItemResults Opinion(client::ApiClient& api, const std::string& collection, const std::string& value,
                        const std::string& opinion, const std::string& reason = "") {
  v1::OpinionsRequest request;
  auto* o = request.add_opinions();
  o->set_kind("md5");
  o->set_value(value);
  o->set_opinion(opinion);
  o->set_reason(reason);
  v1::ItemResults out;
  REQUIRE(api.Call("POST", "/v1/collections/" + collection + "/opinions", &request, &out).ok());
  return out;
}

v1::ItemResults Retract(client::ApiClient& api, const std::string& collection, const std::string& value) {
  v1::RetractionsRequest request;
  auto* r = request.add_signals();
  r->set_kind("md5");
  r->set_value(value);
  v1::ItemResults out;
  REQUIRE(api.Call("POST", "/v1/collections/" + collection + "/retractions", &request, &out).ok());
  return out;
}

// The collection's state, rebuilt only from its feed.
std::map<std::string, v1::FeedEntry> Replay(client::ApiClient& api, const std::string& collection) {
  std::map<std::string, v1::FeedEntry> state;
  for (uint64_t start = 0;;) {
    v1::EntryBundle bundle;
    REQUIRE(
        api.Call("GET", "/v1/collections/" + collection + "/entries?start=" + std::to_string(start), nullptr, &bundle)
            .ok());
    if (bundle.entries_size() == 0) break;
    for (const auto& bytes : bundle.entries()) {
      v1::FeedEntry entry;
      REQUIRE(entry.ParseFromString(bytes));
      state[entry.signal().kind() + ":" + entry.signal().value()] = entry;
    }
    start += bundle.entries_size();
  }
  return state;
}

}  // namespace

TEST_CASE("submission: canonical values, per-item errors, shared signals, idempotent retries") {
  TestExchange ex;
  auto [alpha, beta] = ex.Clients("alpha", "beta");
  Collection(*ex.Client("admin1"), "csam-known", "named", {"category"});

  auto first = Submit(*alpha, "csam-known",
                      {{"md5", " D41D8CD98F00B204E9800998ECF8427E ", "A1"},
                       {"md5", "d41d8cd98f00b204e9800998ecf8427", "A1"},  // 31 digits
                       {"sha256", kSha256, ""},                           // category required here
                       {"bogus", "x", "A1"},
                       {"md5", std::string("d41d8cd98f00b204e9800998ecf8427\0", 32), "A1"},
                       {"url", "HTTP://Example.COM:80/a/../b#frag", "B1"},
                       {"md5", kMd5, "A1"}},  // a duplicate within the batch
                      "batch-1");
  REQUIRE(first.results_size() == 7);
  CHECK(first.results(0).status() == "created");
  CHECK(first.results(0).value() == kMd5);
  CHECK(first.results(1).status() == "rejected");
  CHECK(first.results(1).error().find("32 hex digits") != std::string::npos);
  CHECK(first.results(2).status() == "rejected");
  CHECK(first.results(2).error().find("category is required") != std::string::npos);
  CHECK(first.results(3).error().find("unknown kind") != std::string::npos);
  CHECK(first.results(4).status() == "rejected");
  CHECK(first.results(5).status() == "created");
  CHECK(first.results(5).value() == "http://example.com/b");
  CHECK(first.results(6).status() == "unchanged");
  CHECK(first.log_size() == 2);

  SUBCASE("a retry with the same key changes nothing and answers the same") {
    auto again = Submit(*alpha, "csam-known",
                        {{"md5", " D41D8CD98F00B204E9800998ECF8427E ", "A1"},
                         {"md5", "d41d8cd98f00b204e9800998ecf8427", "A1"},
                         {"sha256", kSha256, ""},
                         {"bogus", "x", "A1"},
                         {"md5", std::string("d41d8cd98f00b204e9800998ecf8427\0", 32), "A1"},
                         {"url", "HTTP://Example.COM:80/a/../b#frag", "B1"},
                         {"md5", kMd5, "A1"}},
                        "batch-1");
    CHECK(again.SerializeAsString() == first.SerializeAsString());
    Status conflict;
    Submit(*alpha, "csam-known", {{"md5", kMd5, "A2"}}, "batch-1", &conflict);
    CHECK(conflict.code() == ErrorCode::kConflict);
    CHECK(Replay(*alpha, "csam-known").size() == 2);
  }
  SUBCASE("the same signal from two organisations: one signal, two contributions") {
    auto second = Submit(*beta, "csam-known", {{"md5", kMd5, "A2"}});
    CHECK(second.results(0).status() == "contribution_added");
    CHECK(second.log_size() == 3);
    auto again = Submit(*beta, "csam-known", {{"md5", kMd5, "A2"}});
    CHECK(again.results(0).status() == "unchanged");
    CHECK(again.log_size() == 3);
    auto info = Lookup(*alpha, "csam-known", "md5", "D41D8CD98F00B204E9800998ECF8427E");
    CHECK(info.state().contributors() == 2);
    CHECK(info.state().categories_size() == 2);
    REQUIRE(info.contributions_size() == 2);
    CHECK(info.contributions(0).org() == "alpha");
    CHECK(info.contributions(0).own());
    CHECK(info.contributions(1).org() == "beta");
  }
  SUBCASE("a 200 KiB opaque value is stored once per collection, however often it is sent") {
    // Longer than a btree index entry holds: the signal's identity is the value's SHA-256 (migrations/0009).
    std::string raw(200 * 1024, '\0');
    for (size_t i = 0; i < raw.size(); ++i) raw[i] = static_cast<char>((i * 7919) >> 3);
    const std::string value = log::Base64Encode(raw);
    auto created = Submit(*alpha, "csam-known", {{"tmk_pdqf", value, "A1"}});
    REQUIRE(created.results_size() == 1);
    CHECK_MESSAGE(created.results(0).status() == "created", created.results(0).error());
    CHECK(Submit(*alpha, "csam-known", {{"tmk_pdqf", value, "A1"}}).results(0).status() == "unchanged");
    CHECK(Submit(*beta, "csam-known", {{"tmk_pdqf", value, "A2"}}).results(0).status() == "contribution_added");
    // A value that differs in its last character is another signal.
    std::string other = value;
    other[other.size() - 5] = other[other.size() - 5] == 'A' ? 'B' : 'A';
    CHECK(Submit(*alpha, "csam-known", {{"tmk_pdqf", other, "A1"}}).results(0).status() == "created");
  }
  SUBCASE("a URL value with '/' and '?' reaches the lookup intact when percent-encoded") {
    auto info = Lookup(*alpha, "csam-known", "url", "http%3A%2F%2Fexample.com%2Fb");
    CHECK(info.state().value() == "http://example.com/b");
    v1::SignalInfo missing;
    CHECK(alpha->Call("GET", "/v1/collections/csam-known/signals/md5/" + std::string(32, 'a'), nullptr, &missing)
              .code() == ErrorCode::kNotFound);
  }
  SUBCASE("malformed bodies get 400 with the parser's reason") {
    auto http = client::HttpsClient::Create(ex.ClientOptionsFor("alpha"));
    REQUIRE(http.ok());
    auto bad_json = (*http)->Send("POST", "/v1/collections/csam-known/signals", R"({"signals": [ {"kind": )",
                                  {{"Content-Type", "application/json"}});
    REQUIRE(bad_json.ok());
    CHECK(bad_json->status == 400);
    CHECK(bad_json->body.find("not a valid JSON") != std::string::npos);
    auto bad_proto = (*http)->Send("POST", "/v1/collections/csam-known/signals", "\x0a\xff\xff\xff\xff",
                                   {{"Content-Type", "application/x-protobuf"}, {"Accept", "application/json"}});
    REQUIRE(bad_proto.ok());
    CHECK(bad_proto->status == 400);
    CHECK(bad_proto->body.find("Protobuf") != std::string::npos);
    auto unknown_field = (*http)->Send("POST", "/v1/collections/csam-known/signals", R"({"signalz": []})",
                                       {{"Content-Type", "application/json"}});
    REQUIRE(unknown_field.ok());
    CHECK(unknown_field->status == 400);
  }
}

TEST_CASE("opinions, disputes, retractions and expiry are feed entries; the feed replays to the state") {
  TestExchange ex(testing::PgCluster::Shared(), {{"--expiry-period=300"}});
  auto [alpha, beta, admin] = ex.Clients("alpha", "beta", "admin1");
  Collection(*admin, "grooming", "anonymous");
  const std::string other = std::string(31, '0') + "1";
  Submit(*alpha, "grooming", {{"md5", kMd5, ""}, {"md5", other, ""}});
  Submit(*beta, "grooming", {{"md5", kMd5, ""}});

  // Anonymous: nobody sees who contributed, but each sees its own.
  auto seen_by_beta = Lookup(*beta, "grooming", "md5", kMd5);
  CHECK(seen_by_beta.state().contributor_orgs_size() == 0);
  REQUIRE(seen_by_beta.contributions_size() == 2);
  CHECK(seen_by_beta.contributions(0).org().empty());
  CHECK(seen_by_beta.contributions(1).org() == "beta");

  CHECK(Opinion(*alpha, "grooming", kMd5, "dispute").results(0).error().find("needs a reason") != std::string::npos);
  CHECK(Opinion(*alpha, "grooming", kMd5, "dispute", "an adult, verified").results(0).status() == "ok");
  CHECK(Lookup(*alpha, "grooming", "md5", kMd5).state().status() == "active");  // one organisation is not enough
  CHECK(Opinion(*beta, "grooming", kMd5, "dispute", "agree").results(0).status() == "ok");
  CHECK(Lookup(*alpha, "grooming", "md5", kMd5).state().status() == "disputed");
  CHECK(Opinion(*beta, "grooming", kMd5, "confirm").results(0).status() == "ok");
  auto after_confirm = Lookup(*alpha, "grooming", "md5", kMd5).state();
  CHECK(after_confirm.status() == "active");
  CHECK(after_confirm.confirmations() == 1);
  CHECK(after_confirm.disputes() == 1);
  CHECK(Opinion(*alpha, "grooming", std::string(32, 'f'), "confirm").results(0).status() == "rejected");

  // Retraction: a contributor retracts its own; the last one makes a tombstone.
  CHECK(Retract(*beta, "grooming", other).results(0).error().find("no live contribution") != std::string::npos);
  CHECK(Retract(*alpha, "grooming", kMd5).results(0).status() == "ok");
  CHECK(Lookup(*alpha, "grooming", "md5", kMd5).state().status() == "active");
  CHECK(Retract(*beta, "grooming", kMd5).results(0).status() == "ok");
  CHECK(Lookup(*alpha, "grooming", "md5", kMd5).state().status() == "retracted");

  // Expiry runs by itself.
  v1::SubmitSignalsRequest expiring;
  auto* s = expiring.add_signals();
  s->set_kind("sha256");
  s->set_value(kSha256);
  s->set_expires_at(FormatRfc3339(std::time(nullptr) + 2));
  v1::SubmitSignalsResponse submitted;
  REQUIRE(alpha->Call("POST", "/v1/collections/grooming/signals", &expiring, &submitted).ok());
  CHECK(submitted.results(0).status() == "created");
  std::string status;
  for (int i = 0; i < 60 && status != "retracted"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    status = Lookup(*alpha, "grooming", "sha256", kSha256).state().status();
  }
  CHECK(status == "retracted");

  // The feed alone reproduces every signal's state.
  auto replayed = Replay(*alpha, "grooming");
  REQUIRE(replayed.size() == 3);
  for (const auto& [key, entry] : replayed) {
    auto live = Lookup(*alpha, "grooming", entry.signal().kind(), entry.signal().value()).state();
    CHECK_MESSAGE(entry.signal().SerializeAsString() == live.SerializeAsString(), key);
  }
  CHECK(replayed.at("md5:" + kMd5).change() == v1::FeedEntry::STATUS);  // the tombstone
}

TEST_CASE("sightings: private outcomes for signals the member can read") {
  TestExchange ex;
  auto alpha = ex.Client("alpha");
  Collection(*ex.Client("admin1"), "csam-known", "named");
  Submit(*alpha, "csam-known", {{"md5", kMd5, "A1"}});

  v1::SightingsRequest request;
  auto add = [&](std::string collection, std::string value, std::string action, std::string at) {
    auto* s = request.add_sightings();
    s->set_collection(collection);
    s->set_kind("md5");
    s->set_value(value);
    s->set_action(action);
    s->set_observed_at(at);
    s->set_seconds_to_action(120);
  };
  const std::string now = FormatRfc3339(std::time(nullptr) - 60);
  add("csam-known", kMd5, "removed", now);
  add("csam-known", std::string(32, 'a'), "removed", now);
  add("no-grant-here", kMd5, "removed", now);
  add("csam-known", kMd5, "deleted-it", now);
  add("csam-known", kMd5, "removed", "yesterday");
  v1::ItemResults out;
  REQUIRE(alpha->Call("POST", "/v1/sightings", &request, &out).ok());
  REQUIRE(out.results_size() == 5);
  CHECK(out.results(0).status() == "ok");
  CHECK(out.results(1).error().find("no md5 signal") != std::string::npos);
  CHECK(out.results(2).error().find("no access") != std::string::npos);
  CHECK(out.results(3).error().find("action must be") != std::string::npos);
  CHECK(out.results(4).error().find("RFC 3339") != std::string::npos);
}

namespace {

client::HttpResult Send(const TestExchange& ex, const std::string& who, const std::string& method,
                        const std::string& target, const std::string& body,
                        const std::vector<std::pair<std::string, std::string>>& headers, bool enroll = false) {
  auto o = ex.ClientOptionsFor(who);
  if (enroll) o.server = ex.enroll_url();
  auto http = client::HttpsClient::Create(o);
  REQUIRE(http.ok());
  auto r = (*http)->Send(method, target, body, headers);
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  return *r;
}

void Psql(const TestExchange& ex, const std::string& sql) {
  auto r = testing::RunCommand("psql -q -v ON_ERROR_STOP=1 '" + ex.database_url() + "' -c \"" + sql + "\" 2>&1");
  REQUIRE_MESSAGE(r.exit_code == 0, r.output);
}

}  // namespace

TEST_CASE("idempotency records: the exact Content-Type and body, and a retention") {
  TestExchange ex;
  Collection(*ex.Client("admin1"), "csam-known", "named");
  const std::string body = R"({"signals": [{"kind": "md5", "value": ")" + kMd5 + R"("}]})";
  auto post = [&](const std::string& content_type, const std::string& key, const std::string& b) {
    return Send(ex, "alpha", "POST", "/v1/collections/csam-known/signals", b,
                {{"Content-Type", content_type}, {"Idempotency-Key", key}});
  };
  REQUIRE(post("application/json", "k-1", body).status == 200);
  CHECK(post("application/json", "k-1", body).status == 200);  // a replay
  // The same body with another spelling of the media type is another request (docs/api.md).
  auto other = post("application/json; charset=utf-8", "k-1", body);
  CHECK(other.status == 409);
  CHECK(other.body.find("already used for a different request") != std::string::npos);

  // Past the retention the key is free again.
  Psql(ex, "UPDATE idempotency_keys SET created_at = now() - interval '8 days'");
  const std::string another = R"({"signals": [{"kind": "sha256", "value": ")" + kSha256 + R"("}]})";
  auto reused = post("application/json", "k-1", another);
  CHECK(reused.status == 200);
  CHECK(reused.body.find("\"created\"") != std::string::npos);
  // And old records are purged in the background (the expiry task).
  Psql(ex, "UPDATE idempotency_keys SET created_at = now() - interval '8 days'");
  std::string left;
  for (int i = 0; i < 60; ++i) {
    left =
        testing::RunCommand("psql -At '" + ex.database_url() + "' -c 'SELECT count(*) FROM idempotency_keys'").output;
    if (left == "0\n") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  CHECK(left == "0\n");
}

TEST_CASE("bad bytes and numbers get 400, never 5xx; no Accept means JSON") {
  TestExchange ex;
  Collection(*ex.Client("admin1"), "csam-known", "named");
  // Non-UTF-8 in a percent-decoded path segment, on the enrollment listener (no certificate).
  auto enroll = Send(ex, "", "GET", "/v1/enroll/%ff", "", {}, true);
  CHECK(enroll.status == 400);
  CHECK(enroll.content_type == "application/json");
  CHECK(enroll.body.find("not UTF-8") != std::string::npos);
  CHECK(Send(ex, "alpha", "GET", "/v1/collections/%c3%28/entries", "", {}).status == 400);
  CHECK(Send(ex, "alpha", "GET", "/v1/collections/csam-known/entries?start=%ff", "", {}).status == 400);

  // An Idempotency-Key that is not visible ASCII.
  const std::string body = R"({"signals": [{"kind": "md5", "value": ")" + kMd5 + R"("}]})";
  for (const std::string& key : {std::string("\xff\xfe"), std::string("caf\xc3\xa9"), std::string(201, 'k')}) {
    auto r = Send(ex, "alpha", "POST", "/v1/collections/csam-known/signals", body,
                  {{"Content-Type", "application/json"}, {"Idempotency-Key", key}});
    CHECK_MESSAGE(r.status == 400, r.status << " " << r.body);
    CHECK(r.body.find("Idempotency-Key") != std::string::npos);
  }

  // start + limit would wrap.
  auto wrap = Send(ex, "alpha", "GET", "/v1/collections/csam-known/entries?start=18446744073709551615&limit=1", "", {});
  CHECK(wrap.status == 400);
  CHECK(wrap.body.find("start + limit") != std::string::npos);
  // Far past the end (but no wrap): an empty page, as documented, and no 5xx.
  auto far = Send(ex, "alpha", "GET", "/v1/collections/csam-known/entries?start=9223372036854775808&limit=5", "",
                  {{"Accept", "application/json"}});
  CHECK(far.status == 200);
  CHECK(far.body.find("\"entries\":[]") != std::string::npos);

  // A plain curl (no Accept) reads JSON, errors included; Protobuf when asked.
  auto plain = Send(ex, "alpha", "GET", "/v1/whoami", "", {});
  CHECK(plain.content_type == "application/json");
  CHECK(plain.body.find("\"org\":\"alpha\"") != std::string::npos);
  auto missing = Send(ex, "alpha", "GET", "/v1/nothing-here", "", {});
  CHECK(missing.status == 404);
  CHECK(missing.content_type == "application/json");
  auto proto = Send(ex, "alpha", "GET", "/v1/whoami", "", {{"Accept", "application/x-protobuf"}});
  CHECK(proto.content_type == "application/x-protobuf");
}
