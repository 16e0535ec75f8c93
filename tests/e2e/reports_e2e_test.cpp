// SPDX-License-Identifier: Apache-2.0
// Annual reports end to end: figures that agree with what was submitted,
// who sees what, public suppression, signatures that verify (with our code
// and with the openssl command), closed years reproducible byte for byte,
// and the HTML rendered by a real headless Chromium.
#include <doctest/doctest.h>

#include <google/protobuf/util/json_util.h>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <thread>

#include "collections.h"
#include "common/time_format.h"
#include "example_values.h"
#include "exchange/v1/collections.pb.h"
#include "exchange/v1/feed.pb.h"
#include "exchange/v1/report.pb.h"
#include "exchange/v1/signals.pb.h"
#include "log/encoding.h"
#include "pki/key.h"
#include "pki/signature.h"
#include "test_exchange.h"

using namespace exchange;
using exchange::testing::kMd5;
using exchange::testing::kSha256;
using exchange::testing::RunCommand;
using exchange::testing::TestExchange;

namespace {

int ThisYear() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  return tm.tm_year + 1900;
}

void Seed(const TestExchange& ex) {
  auto admin = ex.Client("admin1");
  testing::CreateCollection(*admin, "csam-known");
  auto submit = [](client::ApiClient& api,
                   std::vector<std::tuple<std::string, std::string, std::string, std::vector<uint32_t>>> items) {
    v1::SubmitSignalsRequest r;
    for (auto& [kind, value, category, principles] : items) {
      auto* s = r.add_signals();
      s->set_kind(kind);
      s->set_value(value);
      s->set_category(category);
      for (auto p : principles) s->add_principles(p);
    }
    REQUIRE(api.Call("POST", "/v1/collections/csam-known/signals", &r, nullptr).ok());
  };
  auto [alpha, beta] = ex.Clients("alpha", "beta");
  submit(*alpha,
         {{"md5", kMd5, "A1", {1}}, {"sha256", kSha256, "B1", {1, 2}}, {"url", "https://bad.example/x", "B2", {3}}});
  submit(*beta, {{"md5", kMd5, "A1", {1}}});

  v1::OpinionsRequest opinions;
  auto* o = opinions.add_opinions();
  o->set_kind("url");
  o->set_value("https://bad.example/x");
  o->set_opinion("dispute");
  o->set_reason("a news site");
  REQUIRE(beta->Call("POST", "/v1/collections/csam-known/opinions", &opinions, nullptr).ok());

  v1::SightingsRequest sightings;
  const std::string when = FormatRfc3339(std::time(nullptr) - 3600);
  for (auto [action, seconds] :
       {std::pair{"removed", 600}, std::pair{"removed", 7200}, std::pair{"reported_to_authority", 1800}}) {
    auto* s = sightings.add_sightings();
    s->set_collection("csam-known");
    s->set_kind("md5");
    s->set_value(kMd5);
    s->set_observed_at(when);
    s->set_action(action);
    s->set_seconds_to_action(seconds);
  }
  v1::ItemResults results;
  REQUIRE(beta->Call("POST", "/v1/sightings", &sightings, &results).ok());
  for (const auto& r : results.results()) REQUIRE(r.status() == "ok");
  v1::EntryBundle bundle;
  REQUIRE(beta->Call("GET", "/v1/collections/csam-known/entries?start=0&limit=2", nullptr, &bundle).ok());
}

struct Fetched {
  int status = 0;
  std::string body;
  std::string signature;  // raw bytes
};

Fetched Fetch(const TestExchange& ex, const std::string& who, const std::string& target) {
  auto http = client::HttpsClient::Create(ex.ClientOptionsFor(who));
  REQUIRE(http.ok());
  auto r = (*http)->Send("GET", target, "", {{"Accept", "application/json"}});
  REQUIRE(r.ok());
  Fetched f{r->status, r->body, ""};
  if (auto sig = log::Base64Decode(r->Header("X-Exchange-Signature")); sig.ok()) f.signature = *sig;
  return f;
}

v1::AnnualReport Parse(const std::string& json) {
  v1::AnnualReport report;
  REQUIRE(google::protobuf::util::JsonStringToMessage(json, &report).ok());
  return report;
}

double Figure(const v1::AnnualReport& r, const std::string& section, const std::string& org,
              const std::string& dimension, const std::string& key, bool* suppressed = nullptr) {
  for (const auto& f : r.figures()) {
    if (f.section() == section && f.org() == org && f.dimension() == dimension && f.key() == key) {
      if (suppressed) *suppressed = f.suppressed();
      return f.value();
    }
  }
  return -1;
}

// One expected figure: where it stands in the report and its value.
struct ExpectedFigure {
  const char* section;
  const char* org;
  const char* dimension;
  const char* key;
  double value;
};

// One check per row; a failure names the figure.
void CheckFigures(const v1::AnnualReport& r, std::initializer_list<ExpectedFigure> rows) {
  for (const ExpectedFigure& row : rows) {
    const double got = Figure(r, row.section, row.org, row.dimension, row.key);
    CHECK_MESSAGE(got == row.value, row.section << "/" << row.org << "/" << row.dimension << "/" << row.key << ": got "
                                                << got << ", want " << row.value);
  }
}

}  // namespace

TEST_CASE("the annual report: figures, views, signatures, formats, reproducibility, Chromium") {
  TestExchange ex;
  Seed(ex);
  const std::string year = std::to_string(ThisYear());
  const std::string path = "/v1/reports/annual/" + year;

  v1::KeysResponse keys;
  REQUIRE(ex.Client("auditor")->Call("GET", "/v1/keys", nullptr, &keys).ok());
  auto public_key = pki::PublicKey::FromPem(keys.report_public_key_pem());
  REQUIRE(public_key.ok());
  const std::string pub_file = ex.dir() + "/report.pub.pem";
  std::ofstream(pub_file) << keys.report_public_key_pem();

  auto verify_with_openssl = [&](const Fetched& f, const std::string& name) {
    std::ofstream(ex.dir() + "/" + name, std::ios::binary) << f.body;
    std::ofstream(ex.dir() + "/" + name + ".sig", std::ios::binary) << f.signature;
    return RunCommand("openssl pkeyutl -verify -rawin -pubin -inkey '" + pub_file + "' -in '" + ex.dir() + "/" + name +
                      "' -sigfile '" + ex.dir() + "/" + name + ".sig' 2>&1")
        .exit_code;
  };

  auto full = Fetch(ex, "auditor", path + "?format=json");
  REQUIRE(full.status == 200);
  CHECK(pki::VerifyEd25519(*public_key, full.body, full.signature).ok());
  CHECK(verify_with_openssl(full, "report.json") == 0);
  auto report = Parse(full.body);
  CHECK_FALSE(report.closed());
  CHECK(report.scope() == "coalition");
  REQUIRE(report.logs_size() == 2);

  SUBCASE("the numbers agree with what was submitted") {
    CheckFigures(report, {
                             {"contributions", "all", "kind", "md5", 2},
                             {"contributions", "alpha", "kind", "md5", 1},
                             {"contributions", "alpha", "total", "distinct_signals", 3},
                             {"contributions", "all", "total", "distinct_signals", 3},
                             {"contributions", "all", "principle", "1", 3},
                             {"contributions", "all", "category", "B2", 1},
                             {"opinions", "beta", "given", "dispute", 1},
                             {"opinions", "alpha", "received", "dispute", 1},
                             {"sightings", "beta", "action", "removed", 2},
                             {"sightings", "all", "action", "reported_to_authority", 1},
                             {"sightings", "beta", "median_seconds", "to_action", 1800},
                             {"sightings", "all", "time_to_action", "2 1-24 h", 1},
                             {"freshness", "beta", "entries_behind", "median", 3},  // 5 entries, 2 fetched
                         });
  }
  SUBCASE("a member sees its own figures and the coalition's, nobody else's") {
    auto mine = Parse(Fetch(ex, "alpha", path + "?format=json").body);
    CHECK(mine.scope() == "org:alpha");
    for (const auto& f : mine.figures()) CHECK((f.org() == "alpha" || f.org() == "all"));
    CHECK(Figure(mine, "contributions", "all", "kind", "md5") == 2);
  }
  SUBCASE("the public variant withholds small numbers") {
    auto pub = Fetch(ex, "auditor", path + "?format=json&variant=public&k=3");
    CHECK(pki::VerifyEd25519(*public_key, pub.body, pub.signature).ok());
    auto shown = Parse(pub.body);
    CHECK(shown.scope() == "public");
    bool suppressed = false;
    CHECK(Figure(shown, "contributions", "all", "kind", "md5", &suppressed) == 0);
    CHECK(suppressed);
    CHECK(Figure(shown, "contributions", "all", "principle", "1", &suppressed) == 3);
    CHECK_FALSE(suppressed);
    auto csv = Fetch(ex, "auditor", path + "?format=csv&variant=public&k=3");
    CHECK(csv.body.find("contributions,all,kind,md5,<3,0") != std::string::npos);
  }
  SUBCASE("CSV and HTML are signed too; the HTML renders in Chromium with its charts") {
    auto csv = Fetch(ex, "auditor", path + "?format=csv");
    CHECK(csv.body.find("section,org,dimension,key,value,samples") != std::string::npos);
    CHECK(verify_with_openssl(csv, "report.csv") == 0);
    auto html = Fetch(ex, "auditor", path + "?format=html");
    CHECK(verify_with_openssl(html, "report.html") == 0);
    CHECK(html.body.find("<svg") != std::string::npos);
    CHECK(html.body.find("Prevent known child sexual abuse material") != std::string::npos);
    // Numbers and their headers are right-aligned, and the page names the key
    // that signed it by the fingerprint openssl computes from the public key.
    CHECK(html.body.find("<th class=\"n\">signals contributed</th>") != std::string::npos);
    CHECK(html.body.find("td.n,th.n{text-align:right") != std::string::npos);
    auto fingerprint =
        RunCommand("openssl pkey -pubin -in '" + pub_file + "' -outform DER | sha256sum | cut -d' ' -f1");
    REQUIRE(fingerprint.exit_code == 0);
    const std::string hex = fingerprint.output.substr(0, 64);
    CHECK(hex.size() == 64);
    CHECK(html.body.find("<code>" + hex + "</code>") != std::string::npos);

    const std::string artifacts = testing::BinDir() + "/../test-artifacts";
    std::filesystem::create_directories(artifacts);
    const std::string page = ex.dir() + "/report.html";
    const std::string shot = artifacts + "/annual-report.png";
    std::filesystem::remove(shot);
    const std::string chromium =
        "chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking "
        "--disable-component-update --disable-sync --user-data-dir='" +
        ex.dir() + "/chromium' ";
    auto dom = RunCommand(chromium + "--dump-dom 'file://" + page + "' 2>/dev/null");
    REQUIRE(dom.exit_code == 0);
    CHECK(dom.output.find("<rect") != std::string::npos);
    CHECK(dom.output.find("Signals contributed by month and kind") != std::string::npos);
    auto png = RunCommand(chromium + "--window-size=1000,3000 --screenshot='" + shot + "' 'file://" + page + "' 2>&1");
    CHECK_MESSAGE(png.exit_code == 0, png.output);
    REQUIRE(std::filesystem::exists(shot));
    CHECK(std::filesystem::file_size(shot) > 20000);
    MESSAGE("screenshot kept at " << shot);
  }
  SUBCASE("a closed year is the same, byte for byte, whenever asked") {
    const std::string last = "/v1/reports/annual/" + std::to_string(ThisYear() - 1) + "?format=csv";
    auto first = Fetch(ex, "auditor", last);
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    auto second = Fetch(ex, "auditor", last);
    REQUIRE(first.status == 200);
    CHECK(first.body == second.body);
    CHECK(first.signature == second.signature);
    CHECK(first.body.find("as of " + std::to_string(ThisYear()) + "-01-01T00:00:00Z") != std::string::npos);
  }
  SUBCASE("exchangectl report: verified before saving, and verifiable offline") {
    const auto o = ex.ClientOptionsFor("auditor");
    const std::string ctl = testing::BinDir() + "/exchangectl";
    const std::string conn = " --server " + o.server + " --ca " + o.ca_file + " --cert " + o.cert_file + " --key " +
                             o.key_file + " --report-key " + pub_file;
    const std::string out = ex.dir() + "/saved.csv";
    CHECK(RunCommand(ctl + " report annual --year " + year + " --format csv --out " + out + conn + " 2>&1").exit_code ==
          0);
    CHECK(RunCommand(ctl + " report verify " + out + " --report-key " + pub_file + " 2>&1").exit_code == 0);
    std::ofstream(out, std::ios::app) << "tampered\n";
    CHECK(RunCommand(ctl + " report verify " + out + " --report-key " + pub_file + " 2>&1").exit_code == 4);
  }
  SUBCASE("bad requests") {
    CHECK(Fetch(ex, "auditor", "/v1/reports/annual/20x6").status == 400);
    CHECK(Fetch(ex, "auditor", "/v1/reports/annual/" + std::to_string(ThisYear() + 1)).status == 400);
    CHECK(Fetch(ex, "auditor", path + "?format=pdf").status == 400);
    CHECK(Fetch(ex, "auditor", path + "?variant=public&k=1").status == 400);
  }
}

TEST_CASE("a member's figures count only what it may read; acted on means a real action; scopes say whose") {
  TestExchange ex;
  Seed(ex);
  auto admin = ex.Client("admin1");
  // A collection only alpha reads, with two md5 signals in it.
  testing::CreateCollection(*admin, "alpha-only", {"alpha"});
  v1::SubmitSignalsRequest hidden;
  for (const std::string value : {"00000000000000000000000000000001", "00000000000000000000000000000002"}) {
    auto* s = hidden.add_signals();
    s->set_kind("md5");
    s->set_value(value);
    s->add_principles(1);
  }
  REQUIRE(ex.Client("alpha")->Call("POST", "/v1/collections/alpha-only/signals", &hidden, nullptr).ok());
  // Sightings that are no action: beta matched and decided nothing was to be done.
  v1::SightingsRequest sightings;
  for (const std::string action : {"no_action", "false_positive"}) {
    auto* s = sightings.add_sightings();
    s->set_collection("csam-known");
    s->set_kind("md5");
    s->set_value(kMd5);
    s->set_observed_at(FormatRfc3339(std::time(nullptr) - 600));
    s->set_action(action);
  }
  REQUIRE(ex.Client("beta")->Call("POST", "/v1/sightings", &sightings, nullptr).ok());

  const std::string path = "/v1/reports/annual/" + std::to_string(ThisYear());
  auto coalition = Parse(Fetch(ex, "auditor", path + "?format=json").body);
  CHECK(Figure(coalition, "contributions", "all", "kind", "md5") == 4);
  // beta cannot read alpha-only: none of its figures count it.
  auto beta = Parse(Fetch(ex, "beta", path + "?format=json").body);
  CHECK(beta.scope() == "org:beta");
  CHECK(Figure(beta, "contributions", "all", "kind", "md5") == 2);
  CHECK(Figure(beta, "contributions", "all", "principle", "1") == 3);
  for (const auto& p : beta.logs()) CHECK(p.log() != "alpha-only");
  // alpha can.
  auto alpha = Parse(Fetch(ex, "alpha", path + "?format=json").body);
  CHECK(Figure(alpha, "contributions", "all", "kind", "md5") == 4);

  // Acted on: removed (2) and reported_to_authority (1), not no_action or false_positive.
  CheckFigures(coalition, {
                              {"sightings", "all", "total", "acted_on", 3},
                              {"sightings", "all", "total", "not_acted_on", 2},
                              {"sightings", "all", "action", "no_action", 1},
                              {"sightings", "all", "action", "false_positive", 1},
                              {"sightings", "all", "principle", "1", 3},
                          });
  auto html = Fetch(ex, "auditor", path + "?format=html").body;
  CHECK(html.find("Sightings acted on (removed, reported to an authority, account actioned): <b>3</b>; no action "
                  "taken: <b>1</b>; false positives: <b>1</b>") != std::string::npos);

  // The signed scope says whose figures a public report holds.
  auto beta_public = Parse(Fetch(ex, "beta", path + "?format=json&variant=public&k=2").body);
  CHECK(beta_public.scope() == "org:beta/public");
  auto coalition_public = Parse(Fetch(ex, "auditor", path + "?format=json&variant=public&k=2").body);
  CHECK(coalition_public.scope() == "public");
  CHECK(Fetch(ex, "beta", path + "?format=csv&variant=public&k=2").body.find(",org:beta/public\n") !=
        std::string::npos);
}
