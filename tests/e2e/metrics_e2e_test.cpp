// SPDX-License-Identifier: Apache-2.0
// /metrics as an operator's Prometheus sees it, against a real exchanged:
// the process_* families follow the process, the checkpoint gauge is a
// timestamp that moves when a checkpoint is signed, the pool's queue limit is
// the flag's, and a database gauge whose figure is gone loses its series
// (a status with no signals left, the sync lag of a revoked member).
#include <doctest/doctest.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <functional>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "collections.h"
#include "exchange/v1/collections.pb.h"
#include "exchange/v1/feed.pb.h"
#include "exchange/v1/signals.pb.h"
#include "exchange/v1/vetting.pb.h"
#include "promtool.h"
#include "raw_tls.h"
#include "test_exchange.h"

using namespace exchange;
using exchange::testing::HttpGet;
using exchange::testing::TestExchange;

namespace {

const std::string kMd5 = "0cc175b9c0f1b6a831c399e269772661";
const std::string kOtherMd5 = "92eb5ffee6ae2fec3ad71c777531578f";

std::string Scrape(const TestExchange& ex) {
  std::string metrics;
  REQUIRE(HttpGet(ex.ops_host_port(), "/metrics", &metrics) == 200);
  return metrics;
}

// The value of the series written exactly as `series` (name and labels, as
// the text format spells them), or nothing when the scrape does not have it.
std::optional<double> Value(const std::string& metrics, const std::string& series) {
  const std::string prefix = series + " ";
  for (std::size_t at = 0; at < metrics.size();) {
    auto end = metrics.find('\n', at);
    if (end == std::string::npos) end = metrics.size();
    if (metrics.compare(at, prefix.size(), prefix) == 0) return std::stod(metrics.substr(at + prefix.size()));
    at = end + 1;
  }
  return std::nullopt;
}

// Scrapes until `done` holds for the scrape, up to `seconds`; returns the last scrape.
std::string ScrapeUntil(const TestExchange& ex, const std::function<bool(const std::string&)>& done, int seconds = 10) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  std::string metrics = Scrape(ex);
  while (!done(metrics) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    metrics = Scrape(ex);
  }
  return metrics;
}

double Now() { return static_cast<double>(std::time(nullptr)); }

void Must(const Status& s) { REQUIRE_MESSAGE(s.ok(), s.ToString()); }

}  // namespace

TEST_CASE("process metrics are read from /proc at each scrape and follow the process") {
  TestExchange ex(testing::PgCluster::Shared(), {{"--max-queued-jobs=777"}});
  const auto first = Scrape(ex);
  testing::CheckPromtoolAccepts(ex.dir(), first);

  const auto start = Value(first, "process_start_time_seconds");
  REQUIRE(start);
  CHECK(*start <= Now() + 1);
  CHECK(*start > Now() - 120);  // this test started the process moments ago
  const auto rss = Value(first, "process_resident_memory_bytes");
  REQUIRE(rss);
  CHECK(*rss > 1 << 20);
  CHECK(Value(first, "process_virtual_memory_bytes").value_or(0) >= *rss);
  const auto max_fds = Value(first, "process_max_fds");
  REQUIRE(max_fds);
  CHECK(*max_fds >= 1024);
  const auto fds = Value(first, "process_open_fds");
  REQUIRE(fds);
  CHECK(*fds > 3);
  CHECK(*fds < *max_fds);
  const auto cpu = Value(first, "process_cpu_seconds_total");
  REQUIRE(cpu);
  CHECK(*cpu >= 0);
  CHECK(Value(first, "exchange_db_pool_queue_limit") == 777);

  // Connections held open are descriptors of the server; TLS handshakes cost CPU.
  std::vector<std::unique_ptr<testing::RawTlsConnection>> held;
  for (int i = 0; i < 20; ++i) {
    held.push_back(std::make_unique<testing::RawTlsConnection>(ex.api_host_port(), ex.ClientOptionsFor("alpha")));
  }
  const auto busy = ScrapeUntil(ex, [&](const std::string& m) {
    return Value(m, "process_open_fds").value_or(0) >= *fds + 20 &&
           Value(m, "process_cpu_seconds_total").value_or(0) > *cpu;
  });
  CHECK(Value(busy, "process_open_fds").value_or(0) >= *fds + 20);
  CHECK(Value(busy, "process_cpu_seconds_total").value_or(0) > *cpu);
  CHECK(Value(busy, "process_start_time_seconds") == start);
  held.clear();
  const auto after =
      ScrapeUntil(ex, [&](const std::string& m) { return Value(m, "process_open_fds").value_or(1e9) < *fds + 20; });
  CHECK(Value(after, "process_open_fds").value_or(1e9) < *fds + 20);
}

TEST_CASE("database gauges: a checkpoint timestamp that moves, and series that go when their figure does") {
  TestExchange ex(testing::PgCluster::Shared(), {{"--metrics-period=200"}});
  auto [admin, alpha, beta] = ex.Clients("admin1", "alpha", "beta");
  testing::CreateCollection(*admin, "metrics");
  const std::string active = R"(exchange_signals{collection="metrics",kind="md5",status="active"})";
  const std::string retracted = R"(exchange_signals{collection="metrics",kind="md5",status="retracted"})";
  const std::string timestamp = R"(exchange_checkpoint_timestamp_seconds{log="metrics"})";

  v1::SubmitSignalsRequest submit;
  auto* s = submit.add_signals();
  s->set_kind("md5");
  s->set_value(kMd5);
  s->set_category("A1");
  Must(alpha->Call("POST", "/v1/collections/metrics/signals", &submit, nullptr));
  auto http = client::HttpsClient::Create(ex.ClientOptionsFor("alpha"));
  REQUIRE(http.ok());
  REQUIRE((*http)->Send("GET", "/v1/collections/metrics/checkpoint")->status == 200);

  auto m = ScrapeUntil(ex, [&](const std::string& x) { return Value(x, active) && Value(x, timestamp); });
  CHECK(Value(m, active) == 1);
  CHECK_FALSE(Value(m, retracted));
  const auto signed_at = Value(m, timestamp);
  REQUIRE(signed_at);
  CHECK(*signed_at <= Now() + 1);
  CHECK(*signed_at > Now() - 60);
  CHECK(m.find("exchange_checkpoint_age_seconds") == std::string::npos);

  // A new tree gets a new checkpoint (timestamps are whole seconds).
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  s->set_value(kOtherMd5);
  Must(alpha->Call("POST", "/v1/collections/metrics/signals", &submit, nullptr));
  REQUIRE((*http)->Send("GET", "/v1/collections/metrics/checkpoint")->status == 200);
  m = ScrapeUntil(ex, [&](const std::string& x) { return Value(x, timestamp).value_or(0) > *signed_at; });
  CHECK(Value(m, timestamp).value_or(0) > *signed_at);
  CHECK(Value(m, active) == 2);

  // Both signals retracted: no active md5 signal is left, and its series goes.
  v1::RetractionsRequest retract;
  for (const auto* value : {&kMd5, &kOtherMd5}) {
    auto* r = retract.add_signals();
    r->set_kind("md5");
    r->set_value(*value);
  }
  Must(alpha->Call("POST", "/v1/collections/metrics/retractions", &retract, nullptr));
  m = ScrapeUntil(ex, [&](const std::string& x) { return !Value(x, active) && Value(x, retracted); });
  CHECK_FALSE(Value(m, active));
  CHECK(Value(m, retracted) == 2);

  // beta fetches entries: its sync lag appears; revoked, its series goes.
  v1::EntryBundle bundle;
  Must(beta->Call("GET", "/v1/collections/metrics/entries?start=0&limit=10", nullptr, &bundle));
  const std::string beta_lag = R"(exchange_member_sync_lag_seconds{org="beta"})";
  m = ScrapeUntil(ex, [&](const std::string& x) { return Value(x, beta_lag).has_value(); });
  REQUIRE(Value(m, beta_lag));
  v1::ReasonRequest reason;
  reason.set_reason("metrics test");
  Must(admin->Call("POST", "/v1/admin/orgs/beta/revoke", &reason, nullptr));
  m = ScrapeUntil(ex, [&](const std::string& x) { return !Value(x, beta_lag); });
  CHECK_FALSE(Value(m, beta_lag));
  testing::CheckPromtoolAccepts(ex.dir(), m);
}
