// SPDX-License-Identifier: Apache-2.0
// Canonical forms, taxonomies and the match rule end to end (issue 12):
// spellings of one domain, URL or keyword land on one signal; look-alikes are
// separate signals reported as "look_alike" matches by the server's lookup and
// by `exchangectl match` alike; public suffixes and categories outside the
// collection's taxonomy are refused; and `exchanged migrate-signals` brings a
// database filled under the old rules to the new ones, with every change in
// the feed so a member's mirror converges.
#include <doctest/doctest.h>

#include <ctime>
#include <fstream>
#include <map>
#include <sstream>

#include "collections.h"
#include "exchange/v1/collections.pb.h"
#include "exchange/v1/report.pb.h"
#include "exchange/v1/signals.pb.h"
#include "process.h"
#include "signals/kind.h"
#include "store/signals.h"
#include "test_exchange.h"

using namespace exchange;
using exchange::testing::TempDir;
using exchange::testing::TestExchange;

namespace {

using Run = testing::BinaryRun;

Run Binary(const std::string& name, const std::vector<std::string>& args) { return testing::RunBinary(name, args); }

std::vector<std::string> MemberFlags(const TestExchange& ex, const std::string& who) {
  auto o = ex.ClientOptionsFor(who);
  return {"--server", o.server, "--ca", o.ca_file, "--cert", o.cert_file, "--key", o.key_file};
}

std::string FeedKeys(const TestExchange& ex) {
  auto trimmed = [&](const std::string& file) {
    std::string v = testing::ReadText(ex.dir() + "/" + file);
    while (!v.empty() && (v.back() == '\n' || v.back() == ' ')) v.pop_back();
    return v;
  };
  return trimmed("feed.key.vkey") + "," + trimmed("freshness.key.vkey");
}

Run Sync(const TestExchange& ex, const std::string& collection, const std::string& mirror) {
  std::vector<std::string> args = {"sync", "--collection", collection, "--mirror", mirror, "--feed-vkey", FeedKeys(ex)};
  for (auto& f : MemberFlags(ex, "alpha")) args.push_back(f);
  return Binary("exchangectl", args);
}

// A collection alpha and beta write to, with that category taxonomy.
void CreateCollection(client::ApiClient& admin, const std::string& name, std::vector<std::string> categories = {}) {
  v1::Collection collection;
  collection.set_name(name);
  for (auto& c : categories) collection.add_allowed_categories(c);
  testing::CreateCollection(admin, collection);
}

v1::SubmitSignalsResponse Submit(client::ApiClient& api, const std::string& collection,
                                 const std::vector<std::pair<std::string, std::string>>& items,
                                 const std::string& category = "") {
  v1::SubmitSignalsRequest request;
  for (const auto& [kind, value] : items) {
    auto* s = request.add_signals();
    s->set_kind(kind);
    s->set_value(value);
    s->set_category(category);
  }
  v1::SubmitSignalsResponse response;
  Status s = api.Call("POST", "/v1/collections/" + collection + "/signals", &request, &response);
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  return response;
}

// "match:value" for each match of one query, as the server answers.
std::vector<std::string> ServerMatches(client::ApiClient& api, const std::string& collection, const std::string& kind,
                                       const std::string& value) {
  v1::LookupRequest request;
  auto* ref = request.add_values();
  ref->set_kind(kind);
  ref->set_value(value);
  v1::LookupResponse response;
  Status s = api.Call("POST", "/v1/collections/" + collection + "/lookup", &request, &response);
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  REQUIRE(response.results_size() == 1);
  REQUIRE_MESSAGE(response.results(0).error().empty(), response.results(0).error());
  std::vector<std::string> out;
  for (const auto& m : response.results(0).matches()) out.push_back(m.match() + ":" + m.value());
  return out;
}

// The same from `exchangectl match --output json` on a mirror: each match's
// "match" and "value" fields, in order.
std::vector<std::string> MirrorMatches(const std::string& mirror, const std::string& kind, const std::string& value) {
  Run r = Binary("exchangectl", {"match", "--mirror", mirror, "--kind", kind, "--output", "json", value});
  REQUIRE_MESSAGE(r.code <= 1, r.err);
  std::vector<std::string> out;
  const std::string& json = r.out;
  size_t at = json.find("\"matches\": [");
  REQUIRE(at != std::string::npos);
  for (size_t m = json.find("\"match\": \"", at); m != std::string::npos; m = json.find("\"match\": \"", m + 1)) {
    size_t match_begin = m + 10;
    std::string match = json.substr(match_begin, json.find('"', match_begin) - match_begin);
    size_t v = json.rfind("\"value\": \"", m);
    size_t value_begin = v + 10;
    out.push_back(match + ":" + json.substr(value_begin, json.find('"', value_begin) - value_begin));
  }
  return out;
}

}  // namespace

TEST_CASE("spellings land on one signal; look-alikes are separate and reported as such by lookup and match alike") {
  TestExchange ex;
  auto [admin, alpha] = ex.Clients("admin1", "alpha");
  CreateCollection(*admin, "threats");

  // Every disguise of one domain, URL and keyword: one signal each.
  auto first = Submit(*alpha, "threats",
                      {{"domain", "ＥＸＡＭＰＬＥ.com"},
                       {"domain", "ex\u00ADample.com"},
                       {"domain", "exa\u200Bmple\u3002com."},
                       {"domain", "EXAMPLE.COM"},
                       {"url", "HTTPS://ＥＸＡＭＰＬＥ.com/login"},
                       {"url", "https://ex\u00ADample.com:443/login#top"},
                       {"keyword", "ＧＲＯＯＭＩＮＧ talk"},
                       {"keyword", "grooming \u00A0 TALK"},
                       {"keyword", "gro\u00ADoming talk"},
                       {"domain", "mu\u0308nchen.de"},
                       {"domain", "m\u00FCnchen.de"}});
  std::map<std::string, int> values;
  for (const auto& r : first.results()) {
    CHECK_MESSAGE(r.status() != "rejected", r.error());
    ++values[r.value()];
  }
  CHECK(values ==
        std::map<std::string, int>{
            {"example.com", 4}, {"https://example.com/login", 2}, {"grooming talk", 3}, {"xn--mnchen-3ya.de", 2}});
  CHECK(first.log_size() == 4);  // four signals, four CREATED entries

  // Look-alikes are their own signals (a Cyrillic 'а' is another name) ...
  auto second = Submit(*alpha, "threats",
                       {{"domain", "paypal.com"},
                        {"domain", "p\u0430ypal.com"},
                        {"keyword", "paypal login"},
                        {"domain", "co.uk"},
                        {"domain", "GITHUB.io"}});
  CHECK(second.results(1).value() == "xn--pypal-4ve.com");
  for (int i : {3, 4}) {
    CHECK(second.results(i).status() == "rejected");
    CHECK(second.results(i).error().find("is a public suffix") != std::string::npos);
  }

  // A bulk CSV import: the stray quote on line 3 costs exactly that line, the
  // public suffix on line 5 is rejected, and the summary names both.
  TempDir work;
  {
    std::ofstream csv(work.path() + "/threats.csv", std::ios::binary);
    csv << "kind,value\n"
        << "keyword,ＧＲＯＯＭＩＮＧ TALK\n"
        << "keyword,\"a stray quote\n"
        << "domain,ＰＡＹＰＡＬ.com\n"
        << "domain,blogspot.com\n"
        << "keyword,new one\n";
  }
  std::vector<std::string> submit = {"submit", "--collection", "threats", work.path() + "/threats.csv"};
  for (auto& f : MemberFlags(ex, "beta")) submit.push_back(f);
  Run bulk = Binary("exchangectl", submit);
  CAPTURE(bulk.out);
  CAPTURE(bulk.err);
  CHECK(bulk.code == 1);
  CHECK(bulk.out.find("4 signals in 1 batch to threats: 1 created, 2 contribution_added, 0 unchanged, 1 rejected; "
                      "1 bad line\nnot submitted: lines 3, 5 (reasons in the error report)\n") != std::string::npos);
  CHECK(bulk.err.find("line 3: -: field 2: a quoted field is not closed on its line") != std::string::npos);

  // ... and the server and a member's mirror give the same answers.
  TempDir mirror_dir;
  const std::string mirror = mirror_dir.path() + "/m";
  Run sync = Sync(ex, "threats", mirror);
  REQUIRE_MESSAGE(sync.code == 0, sync.err);
  const std::vector<std::tuple<std::string, std::string, std::vector<std::string>>> queries = {
      {"domain", "example.com", {"exact:example.com"}},
      {"domain", "login.www.ＥＸＡＭＰＬＥ.com", {"parent_domain:example.com"}},
      {"domain", "p\u0430ypal.com", {"exact:xn--pypal-4ve.com", "look_alike:paypal.com"}},
      {"domain", "paypal.com", {"exact:paypal.com", "look_alike:xn--pypal-4ve.com"}},
      {"domain", "secure.p\u0430yp\u0430l.com", {"look_alike:paypal.com", "look_alike:xn--pypal-4ve.com"}},
      {"url", "https://ex\u0430mple.com/login", {"look_alike:https://example.com/login"}},
      {"keyword", "GR\u041E\u041EMING TALK", {"look_alike:grooming talk"}},
      {"keyword", "p\u0430yp\u0430l LOGIN", {"look_alike:paypal login"}},
      {"domain", "example.org", {}},
  };
  for (const auto& [kind, value, expected] : queries) {
    CAPTURE(value);
    CHECK(ServerMatches(*alpha, "threats", kind, value) == expected);
    CHECK(MirrorMatches(mirror, kind, value) == expected);
  }
}

TEST_CASE("a collection's taxonomy: case normalised, anything else refused with the allowed values") {
  TestExchange ex;
  auto [admin, alpha] = ex.Clients("admin1", "alpha");
  CreateCollection(*admin, "csam-known", {"A1", "A2", "B1", "B2"});
  const std::string md5 = "d41d8cd98f00b204e9800998ecf8427e";
  auto ok = Submit(*alpha, "csam-known", {{"md5", md5}}, "a1");
  REQUIRE(ok.results(0).status() == "created");
  v1::SignalInfo info;
  REQUIRE(alpha->Call("GET", "/v1/collections/csam-known/signals/md5/" + md5, nullptr, &info).ok());
  REQUIRE(info.state().categories_size() == 1);
  CHECK(info.state().categories(0) == "A1");
  auto bad = Submit(*alpha, "csam-known", {{"md5", md5}}, "Z9-nonsense");
  CHECK(bad.results(0).status() == "rejected");
  CHECK(bad.results(0).error() ==
        "category 'Z9-nonsense' is not in the taxonomy of csam-known; allowed: A1, A2, B1, B2");
  // Rows written before the taxonomy was enforced (through the store, as an
  // older exchange did): the report counts "a1" under A1 and the rest as "other".
  auto id_of = [&](const std::string& sql) {
    auto r = testing::RunCommand("psql -qtA '" + ex.database_url() + "' -c \"" + sql + "\"");
    REQUIRE(r.exit_code == 0);
    return std::stoll(r.output);
  };
  store::SubmitBatch legacy;
  legacy.collection.id = id_of("SELECT id FROM collections WHERE name = 'csam-known'");
  legacy.collection.log_id = id_of("SELECT log_id FROM collections WHERE name = 'csam-known'");
  legacy.collection.name = "csam-known";
  legacy.org_id = id_of("SELECT id FROM organisations WHERE slug = 'beta'");
  legacy.org_slug = "beta";
  for (const auto& [value, category] : std::vector<std::pair<std::string, std::string>>{
           {"00000000000000000000000000000001", "a1"}, {"00000000000000000000000000000002", "Z9-nonsense"}}) {
    store::SignalItem item;
    item.kind = signals::Kind::kMd5;
    item.value = value;
    item.category = category;
    legacy.items.push_back(item);
  }
  store::Connection db(ex.database_url());
  REQUIRE(store::SubmitSignals(db, legacy, [](const auto&, const auto&) { return std::string(); }).ok());
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  v1::AnnualReport report;
  Status fetched =
      ex.Client("auditor")->Call("GET", "/v1/reports/annual/" + std::to_string(1900 + utc.tm_year), nullptr, &report);
  REQUIRE_MESSAGE(fetched.ok(), fetched.ToString());
  std::map<std::string, double> columns;
  for (const auto& f : report.figures()) {
    if (f.section() == "contributions" && f.org() == "all" && f.dimension() == "category") columns[f.key()] = f.value();
  }
  CHECK(columns == std::map<std::string, double>{{"A1", 2}, {"A2", 0}, {"B1", 0}, {"B2", 0}, {"other", 1}});

  // An optional label vocabulary works the same way.
  v1::Collection labelled;
  labelled.set_name("labelled");
  labelled.add_label_vocabulary("Grooming");
  labelled.add_label_vocabulary("sextortion");
  testing::CreateCollection(*admin, labelled, {"alpha"});
  v1::SubmitSignalsRequest with_labels;
  auto* first = with_labels.add_signals();
  first->set_kind("keyword");
  first->set_value("meet me");
  first->add_labels("GROOMING");
  auto* second = with_labels.add_signals();
  second->set_kind("keyword");
  second->set_value("send pics");
  second->add_labels("spam");
  v1::SubmitSignalsResponse labelled_answer;
  REQUIRE(alpha->Call("POST", "/v1/collections/labelled/signals", &with_labels, &labelled_answer).ok());
  CHECK(labelled_answer.results(0).status() == "created");
  CHECK(labelled_answer.results(1).error() ==
        "label 'spam' is not in the label vocabulary of labelled; allowed: Grooming, sextortion");
  v1::SignalInfo labelled_info;
  REQUIRE(alpha->Call("GET", "/v1/collections/labelled/signals/keyword/meet%20me", nullptr, &labelled_info).ok());
  CHECK(std::vector<std::string>(labelled_info.state().labels().begin(), labelled_info.state().labels().end()) ==
        std::vector<std::string>{"Grooming"});

  auto unknown = Submit(*alpha, "csam-known", {{"MD5", md5}});
  CHECK(unknown.results(0).error() ==
        "unknown kind 'MD5'; valid kinds: md5, sha1, sha256, pdq, photodna, tmk_pdqf, vpdq, url, domain, keyword, "
        "account_id");
}

TEST_CASE("exchanged migrate-signals re-canonicalises a database filled under the old rules; mirrors converge") {
  TestExchange ex;
  auto admin = ex.Client("admin1");
  CreateCollection(*admin, "legacy");
  auto id_of = [&](const std::string& sql) {
    auto r = testing::RunCommand("psql -qtA '" + ex.database_url() + "' -c \"" + sql + "\"");
    REQUIRE(r.exit_code == 0);
    return std::stoll(r.output);
  };
  store::CollectionRef ref;
  ref.id = id_of("SELECT id FROM collections WHERE name = 'legacy'");
  ref.log_id = id_of("SELECT log_id FROM collections WHERE name = 'legacy'");
  ref.name = "legacy";
  store::Connection db(ex.database_url());
  // What the version 1 rules stored for these spellings (issue 12's examples):
  // fullwidth and soft-hyphen example.com, NFD münchen, an unfolded fullwidth
  // keyword, and a public suffix.
  auto old_rows = [&](const std::string& org, const std::vector<std::pair<std::string, std::string>>& items) {
    store::SubmitBatch batch;
    batch.collection = ref;
    batch.org_id = id_of("SELECT id FROM organisations WHERE slug = '" + org + "'");
    batch.org_slug = org;
    batch.canon_version = 1;
    for (const auto& [kind, value] : items) {
      store::SignalItem item;
      item.kind = *signals::ParseKind(kind);
      item.value = value;
      batch.items.push_back(item);
    }
    auto r = store::SubmitSignals(db, batch, [](const auto&, const auto&) { return std::string(); });
    REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  };
  old_rows("alpha", {{"domain", "xn--ph7chab1aes7c.com"},
                     {"domain", "xn--munchen-gie.de"},
                     {"keyword", "ｇｒｏｏｍｉｎｇ talk"},
                     {"domain", "co.uk"},
                     {"domain", "stays.example"}});
  old_rows("beta", {{"domain", "xn--example-mka.com"}, {"domain", "example.com"}, {"keyword", "grooming talk"}});

  TempDir mirror_dir;
  const std::string mirror = mirror_dir.path() + "/m";
  REQUIRE(Sync(ex, "legacy", mirror).code == 0);
  CHECK(MirrorMatches(mirror, "domain", "ＥＸＡＭＰＬＥ.com") == std::vector<std::string>{"exact:example.com"});

  Run dry = Binary("exchanged", {"migrate-signals", "--database", ex.database_url(), "--dry-run"});
  REQUIRE_MESSAGE(dry.code == 0, dry.err);
  CHECK(dry.out.find("dry run, nothing changed") != std::string::npos);
  Run migrated = Binary("exchanged", {"migrate-signals", "--database", ex.database_url()});
  REQUIRE_MESSAGE(migrated.code == 0, migrated.err);
  CAPTURE(migrated.out);
  CHECK(migrated.out.find("legacy domain xn--ph7chab1aes7c.com -> example.com\n") != std::string::npos);
  CHECK(migrated.out.find("legacy domain xn--example-mka.com -> example.com\n") != std::string::npos);
  CHECK(migrated.out.find("legacy domain xn--munchen-gie.de -> xn--mnchen-3ya.de\n") != std::string::npos);
  CHECK(migrated.out.find("legacy keyword ｇｒｏｏｍｉｎｇ talk -> grooming talk\n") != std::string::npos);
  CHECK(migrated.out.find("legacy domain co.uk: retracted (domain 'co.uk' is a public suffix") != std::string::npos);
  CHECK(migrated.out.find("8 signals examined in 1 collections, 3 unchanged, 4 respelled (3 merged into an existing "
                          "signal), 1 retracted as no longer valid, 8 feed entries") != std::string::npos);
  Run again = Binary("exchanged", {"migrate-signals", "--database", ex.database_url()});
  CHECK(again.out.find("0 signals examined in 0 collections") != std::string::npos);

  // The mirror converges by replaying the new entries: one live signal per
  // thing, contributed by both members, old spellings and the suffix as tombstones.
  Run sync = Sync(ex, "legacy", mirror);
  REQUIRE_MESSAGE(sync.code == 0, sync.err);
  Run verify = Binary("exchangectl", {"mirror", "verify", mirror, "--feed-vkey", FeedKeys(ex)});
  CHECK_MESSAGE(verify.code == 0, verify.err);
  Run state = Binary("exchangectl", {"match", "--mirror", mirror, "--output", "json", "--kind", "domain",
                                     "xn--ph7chab1aes7c.com", "example.com", "co.uk", "münchen.de"});
  CAPTURE(state.out);
  CHECK(state.out.find("\"value\": \"example.com\", \"match\": \"exact\"") != std::string::npos);
  CHECK(state.out.find("\"contributors\":2,") != std::string::npos);
  CHECK(state.out.find("\"value\": \"xn--mnchen-3ya.de\", \"match\": \"exact\"") != std::string::npos);
  // Lookup and match still agree after the migration, tombstones included.
  for (const auto& [kind, value] : std::vector<std::pair<std::string, std::string>>{
           {"keyword", "GROOMING talk"}, {"domain", "www.example.com"}, {"domain", "ex\u0430mple.com"}}) {
    CAPTURE(value);
    auto server = ServerMatches(*ex.Client("alpha"), "legacy", kind, value);
    CHECK(server == MirrorMatches(mirror, kind, value));
    CHECK_FALSE(server.empty());
  }

  Run exported = Binary("exchangectl", {"export", "--mirror", mirror, "--format", "ndjson"});
  CAPTURE(exported.out);
  std::map<std::string, std::string> status_of;  // value -> status, from one JSON line per signal
  std::istringstream lines(exported.out);
  for (std::string line; std::getline(lines, line);) {
    auto field = [&](const std::string& name) {
      size_t at = line.find("\"" + name + "\":\"");
      if (at == std::string::npos) return std::string();
      at += name.size() + 4;
      return line.substr(at, line.find('"', at) - at);
    };
    status_of[field("value")] = field("status");
  }
  CHECK(status_of == std::map<std::string, std::string>{{"xn--ph7chab1aes7c.com", "retracted"},
                                                        {"xn--example-mka.com", "retracted"},
                                                        {"xn--munchen-gie.de", "retracted"},
                                                        {"co.uk", "retracted"},
                                                        {"ｇｒｏｏｍｉｎｇ talk", "retracted"},
                                                        {"example.com", "active"},
                                                        {"xn--mnchen-3ya.de", "active"},
                                                        {"grooming talk", "active"},
                                                        {"stays.example", "active"}});
}
