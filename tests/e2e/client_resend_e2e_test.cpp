// SPDX-License-Identifier: Apache-2.0
// What exchangectl's HTTPS client does when a kept-alive connection fails
// after a request went out: a POST without an Idempotency-Key is never sent a
// second time (the exchange may have applied it: sightings are not
// deduplicated), while a POST with a key and a GET are. A tampering proxy in
// front of a real exchanged forwards the request and then drops the answer.
#include <doctest/doctest.h>

#include <atomic>
#include <fstream>
#include <sstream>

#include "exchange/v1/signals.pb.h"
#include "https_client.h"
#include "tampering_proxy.h"
#include "test_exchange.h"

using namespace exchange;
using exchange::testing::TamperingProxy;
using exchange::testing::TempDir;
using exchange::testing::TestExchange;

namespace {

// Drops the answer to the first `count` requests whose target starts with `prefix`.
TamperingProxy::Rewrite DropAnswers(const std::string& prefix, std::shared_ptr<std::atomic<int>> count) {
  return [prefix, count](const std::string&, const std::string& target, client::HttpResult& answer) {
    if (target.rfind(prefix, 0) == 0 && count->fetch_sub(1) > 0) answer.status = 0;
  };
}

std::string SightingsBody() {
  v1::SightingsRequest request;
  auto* s = request.add_sightings();
  s->set_collection("csam-known");
  s->set_kind("md5");
  s->set_value("d41d8cd98f00b204e9800998ecf8427e");
  s->set_observed_at("2026-11-22T10:00:00Z");
  s->set_action("removed");
  return request.SerializeAsString();
}

const std::vector<std::pair<std::string, std::string>> kProtobuf = {{"Content-Type", "application/x-protobuf"},
                                                                    {"Accept", "application/x-protobuf"}};

// alpha's HTTPS client, connecting through `proxy`.
std::unique_ptr<client::HttpsClient> AlphaThrough(const TestExchange& ex, const TamperingProxy& proxy) {
  auto options = ex.ClientOptionsFor("alpha");
  options.server = proxy.url();
  auto http = client::HttpsClient::Create(options);
  REQUIRE_MESSAGE(http.ok(), http.status().ToString());
  return std::move(http).value();
}

}  // namespace

TEST_CASE("a POST without an Idempotency-Key whose answer is lost on a reused connection is not resent") {
  TestExchange ex;
  TamperingProxy proxy(ex.pki() + "/server.pem", ex.pki() + "/server.key", ex.ClientOptionsFor("alpha"));
  auto http = AlphaThrough(ex, proxy);

  // A first request leaves the connection open for reuse.
  auto who = http->Send("GET", "/v1/whoami", "", kProtobuf);
  REQUIRE(who.ok());
  REQUIRE(who->status == 200);
  REQUIRE(proxy.requests() == 1);

  auto drops = std::make_shared<std::atomic<int>>(1);
  proxy.SetRewrite(DropAnswers("/v1/sightings", drops));
  auto lost = http->Send("POST", "/v1/sightings", SightingsBody(), kProtobuf);
  REQUIRE_FALSE(lost.ok());
  CHECK_MESSAGE(client::IsOutcomeUnknown(lost.status()), lost.status().ToString());
  CHECK(lost.status().message().find("not sent again") != std::string::npos);
  // Forwarded once: the exchange recorded one sighting, not two.
  CHECK(proxy.requests() == 2);

  // The client still works: the next request opens a fresh connection.
  auto again = http->Send("GET", "/v1/whoami", "", kProtobuf);
  REQUIRE(again.ok());
  CHECK(again->status == 200);
  CHECK(proxy.requests() == 3);
}

TEST_CASE("a POST with an Idempotency-Key and a GET are resent once on a fresh connection") {
  TestExchange ex;
  TamperingProxy proxy(ex.pki() + "/server.pem", ex.pki() + "/server.key", ex.ClientOptionsFor("alpha"));
  auto http = AlphaThrough(ex, proxy);
  REQUIRE(http->Send("GET", "/v1/whoami", "", kProtobuf).ok());

  v1::SubmitSignalsRequest submit;
  auto* signal = submit.add_signals();
  signal->set_kind("md5");
  signal->set_value("0123456789abcdef0123456789abcdef");
  signal->set_category("A1");
  auto headers = kProtobuf;
  headers.emplace_back("Idempotency-Key", "client-resend-test-1");
  auto drops = std::make_shared<std::atomic<int>>(1);
  proxy.SetRewrite(DropAnswers("/v1/collections/csam-known/signals", drops));
  auto sent = http->Send("POST", "/v1/collections/csam-known/signals", submit.SerializeAsString(), headers);
  REQUIRE_MESSAGE(sent.ok(), sent.status().ToString());  // an answer (which one does not matter here)
  CHECK(proxy.requests() == 3);                          // whoami, the lost POST, its repetition

  drops->store(1);
  proxy.SetRewrite(DropAnswers("/v1/whoami", drops));
  auto get = http->Send("GET", "/v1/whoami", "", kProtobuf);
  REQUIRE_MESSAGE(get.ok(), get.status().ToString());
  CHECK(get->status == 200);
  CHECK(proxy.requests() == 5);
}

TEST_CASE("exchangectl sighting exits 8 when a batch's answer is lost, and sends it once") {
  TestExchange ex;
  TamperingProxy proxy(ex.pki() + "/server.pem", ex.pki() + "/server.key", ex.ClientOptionsFor("alpha"));
  auto o = ex.ClientOptionsFor("alpha");
  TempDir tmp;
  const std::string csv = tmp.path() + "/sightings.csv";
  std::ofstream(csv) << "kind,value\nmd5,d41d8cd98f00b204e9800998ecf8427e\nmd5,0123456789abcdef0123456789abcdef\n";
  // The first batch is answered; the second goes out on the same connection and its answer is lost.
  auto drops = std::make_shared<std::atomic<int>>(2);
  proxy.SetRewrite([drops](const std::string&, const std::string& target, client::HttpResult& answer) {
    if (target == "/v1/sightings" && drops->fetch_sub(1) == 1) answer.status = 0;
  });
  const std::string command = testing::BinDir() +
                              "/exchangectl sighting --collection csam-known --action removed --batch 1" + " --file " +
                              csv + " --server " + proxy.url() + " --ca " + o.ca_file + " --cert " + o.cert_file +
                              " --key " + o.key_file + " 2>" + tmp.path() + "/err";
  auto r = testing::RunCommand(command);
  std::ifstream err_in(tmp.path() + "/err");
  std::stringstream err;
  err << err_in.rdbuf();
  CHECK_MESSAGE(r.exit_code == 8, err.str());
  CHECK(err.str().find("not sent again") != std::string::npos);
  CHECK(proxy.requests() == 2);  // two batches, each sent once
}
