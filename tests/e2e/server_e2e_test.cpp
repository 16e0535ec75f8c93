// SPDX-License-Identifier: Apache-2.0
// The server's contract at the socket: mTLS identity, limits, malformed
// input, PostgreSQL outages and graceful shutdown, against a real exchanged.
#include <doctest/doctest.h>
#include <signal.h>

#include <cstdio>
#include <thread>

#include "exchange/v1/identity.pb.h"
#include "promtool.h"
#include "raw_tls.h"
#include "test_exchange.h"

using namespace exchange;
using exchange::testing::HttpGet;
using exchange::testing::RawTlsConnection;
using exchange::testing::TestExchange;

namespace {

client::HttpResult Get(const TestExchange& ex, const std::string& who, const std::string& target,
                       const std::vector<std::pair<std::string, std::string>>& headers = {}) {
  auto http = client::HttpsClient::Create(ex.ClientOptionsFor(who));
  REQUIRE(http.ok());
  auto result = (*http)->Send("GET", target, "", headers);
  REQUIRE_MESSAGE(result.ok(), result.status().ToString());
  return *result;
}

}  // namespace

TEST_CASE("mTLS identity: who may connect and who the exchange says they are") {
  TestExchange ex;

  SUBCASE("no client certificate: the handshake is refused") {
    auto http = client::HttpsClient::Create(ex.ClientOptionsFor(""));
    REQUIRE(http.ok());
    auto result = (*http)->Send("GET", "/v1/whoami");
    CHECK_FALSE(result.ok());
  }
  SUBCASE("a certificate from another CA: the handshake is refused") {
    auto http = client::HttpsClient::Create(ex.ClientOptionsFor("foreign"));
    REQUIRE(http.ok());
    auto result = (*http)->Send("GET", "/v1/whoami");
    CHECK_FALSE(result.ok());
  }
  SUBCASE("a certificate from our CA that is not registered: 403 with a reason") {
    auto r = Get(ex, "stranger", "/v1/whoami", {{"Accept", "application/json"}});
    CHECK(r.status == 403);
    CHECK(r.body.find("permission_denied") != std::string::npos);
    CHECK(r.body.find("not registered") != std::string::npos);
  }
  SUBCASE("each role sees itself in whoami, as Protobuf and as JSON") {
    for (auto [who, org, role] :
         {std::tuple{"alpha", "alpha", "member"}, std::tuple{"beta", "beta", "member"},
          std::tuple{"admin1", "coalition", "admin"}, std::tuple{"auditor", "coalition", "auditor"}}) {
      v1::WhoAmIResponse me;
      REQUIRE(ex.Client(who)->Call("GET", "/v1/whoami", nullptr, &me).ok());
      CHECK(me.org() == org);
      CHECK(me.role() == role);
      CHECK(me.fingerprint().size() == 64);
      CHECK(me.not_after().size() == 20);
    }
    auto json = Get(ex, "alpha", "/v1/whoami", {{"Accept", "application/json"}});
    CHECK(json.status == 200);
    CHECK(json.content_type == "application/json");
    CHECK(json.body.find("\"org\":\"alpha\"") != std::string::npos);
    CHECK(json.body.find("\"role\":\"member\"") != std::string::npos);
  }
  SUBCASE("unknown endpoints and methods") {
    CHECK(Get(ex, "alpha", "/v1/nothing-here").status == 404);
    auto http = client::HttpsClient::Create(ex.ClientOptionsFor("alpha"));
    REQUIRE(http.ok());
    auto r = (*http)->Send("DELETE", "/v1/whoami");
    REQUIRE(r.ok());
    CHECK(r->status == 405);
  }
}

TEST_CASE("limits and malformed HTTP get a clear 4xx or a closed connection") {
  TestExchange ex(testing::PgCluster::Shared(), {{"--header-timeout=500", "--max-header-bytes=4096"}});
  auto alpha = ex.ClientOptionsFor("alpha");

  SUBCASE("a body over the endpoint's limit: 413") {
    auto http = client::HttpsClient::Create(alpha);
    REQUIRE(http.ok());
    auto r = (*http)->Send("GET", "/v1/whoami", std::string(200 * 1024, 'x'));
    REQUIRE(r.ok());
    CHECK(r->status == 413);
    CHECK(r->body.find("limit") != std::string::npos);
  }
  SUBCASE("headers over the limit: 431") {
    RawTlsConnection c(ex.api_host_port(), alpha);
    c.Write("GET /v1/whoami HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(8000, 'a') + "\r\n\r\n");
    bool closed = false;
    auto response = c.ReadUntilClose(std::chrono::seconds(5), &closed);
    CHECK(response.rfind("HTTP/1.1 431", 0) == 0);
    CHECK(closed);
  }
  SUBCASE("malformed HTTP: 400, then the connection closes") {
    RawTlsConnection c(ex.api_host_port(), alpha);
    c.Write("THIS IS NOT HTTP\r\n\r\n");
    bool closed = false;
    auto response = c.ReadUntilClose(std::chrono::seconds(5), &closed);
    CHECK(response.rfind("HTTP/1.1 400", 0) == 0);
    CHECK(response.find("malformed") != std::string::npos);
    CHECK(closed);
  }
  SUBCASE("a client that sends its headers too slowly is cut off after the limit") {
    RawTlsConnection c(ex.api_host_port(), alpha);
    c.Write("GET /v1/whoami HTTP/1.1\r\nHost: x\r\n");
    bool closed = false;
    const auto start = std::chrono::steady_clock::now();
    auto response = c.ReadUntilClose(std::chrono::seconds(8), &closed);
    CHECK(closed);
    CHECK(response.empty());
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
  }
  SUBCASE("the server keeps serving others meanwhile") {
    RawTlsConnection slow(ex.api_host_port(), alpha);
    slow.Write("GET /v1/whoami HTTP/1.1\r\n");
    CHECK(Get(ex, "alpha", "/v1/whoami").status == 200);
  }
}

TEST_CASE("the operations listener: health, readiness through a PostgreSQL restart, metrics") {
  testing::PgCluster cluster;  // its own cluster: this test stops it
  TestExchange ex(cluster);

  std::string metrics;
  REQUIRE(HttpGet(ex.ops_host_port(), "/healthz") == 200);
  REQUIRE(HttpGet(ex.ops_host_port(), "/readyz") == 200);
  REQUIRE(Get(ex, "alpha", "/v1/whoami").status == 200);
  REQUIRE(HttpGet(ex.ops_host_port(), "/metrics", &metrics) == 200);
  CHECK(metrics.find("exchange_http_requests_total{code=\"2xx\",route=\"/v1/whoami\"}") != std::string::npos);
  CHECK(metrics.find("exchange_http_request_duration_seconds_bucket") != std::string::npos);
  CHECK(metrics.find("exchange_tls_handshake_failures_total") != std::string::npos);
  CHECK(metrics.find("exchange_db_pool_queue_depth") != std::string::npos);
  testing::CheckPromtoolAccepts(ex.dir(), metrics);

  cluster.Stop();
  bool went_unready = false;
  for (int i = 0; i < 100 && !went_unready; ++i) {
    went_unready = HttpGet(ex.ops_host_port(), "/readyz") == 503;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(went_unready);
  CHECK(HttpGet(ex.ops_host_port(), "/healthz") == 200);
  // A caller not in the cache needs the database: a clear 503, not a hang.
  auto during = Get(ex, "beta", "/v1/whoami", {{"Accept", "application/json"}});
  CHECK(during.status == 503);
  CHECK(during.body.find("unavailable") != std::string::npos);

  cluster.Start();
  CHECK(TestExchange::WaitReady(ex.ops_host_port(), std::chrono::seconds(20)));
  int status = 0;
  for (int i = 0; i < 50 && status != 200; ++i) {
    status = Get(ex, "beta", "/v1/whoami").status;
    if (status != 200) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(status == 200);
  CHECK(ex.server().Running());
}

TEST_CASE("SIGTERM: stop accepting, finish in flight, exit 0 within 10 s") {
  TestExchange ex;
  auto http = client::HttpsClient::Create(ex.ClientOptionsFor("alpha"));
  REQUIRE(http.ok());
  REQUIRE((*http)->Send("GET", "/v1/whoami").ok());  // leaves an idle kept-alive connection
  const auto start = std::chrono::steady_clock::now();
  ex.server().Signal(SIGTERM);
  auto code = ex.server().Wait(std::chrono::seconds(10));
  REQUIRE(code.has_value());
  CHECK(*code == 0);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));
  CHECK_FALSE((*http)->Send("GET", "/v1/whoami").ok());
}
