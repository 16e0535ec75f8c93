// SPDX-License-Identifier: Apache-2.0
// Issue 19: exchanged with a read replica (serve --read-database-url) on a real
// PostgreSQL streaming standby (pg_basebackup -R). A mirror syncs through
// the exchange while writes go on and ends equal to the primary's log; with
// replay paused on the standby (a replica that lags as far as it can), syncs
// still get checkpoints whose every entry and proof they can fetch, and a
// suspension made on the primary refuses the organisation at once.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <random>
#include <sstream>
#include <thread>

#include "collections.h"
#include "exchange/v1/feed.pb.h"
#include "exchange/v1/vetting.pb.h"
#include "process.h"
#include "test_exchange.h"

using namespace exchange;
using exchange::testing::PgCluster;
using exchange::testing::TempDir;
using exchange::testing::TestExchange;

namespace {

// One word of psql's unaligned output for `sql` against `url`.
std::string Psql(const std::string& url, const std::string& sql) {
  auto r = testing::RunCommand("psql -X -A -t -q -v ON_ERROR_STOP=1 " + testing::ShellQuote(url) + " -c " +
                               testing::ShellQuote(sql) + " 2>&1");
  REQUIRE_MESSAGE(r.exit_code == 0, sql << ": " << r.output);
  std::string out = r.output;
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

// A log's committed size and base64 root in the database at `url`.
std::string LogHead(const std::string& url, const std::string& log) {
  return Psql(url, "SELECT size || ' ' || encode(root, 'base64') FROM logs WHERE name = '" + log + "'");
}

// The size and root lines of the mirror's last verified checkpoint note.
std::string MirrorHead(const std::string& mirror) {
  std::istringstream note(testing::ReadText(mirror + "/checkpoint"));
  std::string origin, size, root;
  std::getline(note, origin);
  std::getline(note, size);
  std::getline(note, root);
  return size + " " + root;
}

struct Who {
  std::vector<std::string> flags;
  std::string vkeys;
};

Who WhoFor(const TestExchange& ex, const std::string& who) {
  auto o = ex.ClientOptionsFor(who);
  auto vkey = [&](const std::string& file) {
    std::string v = testing::ReadText(ex.dir() + "/" + file);
    while (!v.empty() && (v.back() == '\n' || v.back() == ' ')) v.pop_back();
    return v;
  };
  return {{"--server", o.server, "--ca", o.ca_file, "--cert", o.cert_file, "--key", o.key_file},
          vkey("feed.key.vkey") + "," + vkey("freshness.key.vkey")};
}

testing::BinaryRun Sync(const Who& who, const std::string& collection, const std::string& mirror) {
  std::vector<std::string> args = {"sync", "--collection", collection, "--mirror", mirror, "--feed-vkey", who.vkeys};
  args.insert(args.end(), who.flags.begin(), who.flags.end());
  return testing::RunBinary("exchangectl", args);
}

testing::BinaryRun Verify(const Who& who, const std::string& mirror) {
  return testing::RunBinary("exchangectl", {"mirror", "verify", mirror, "--feed-vkey", who.vkeys});
}

// exchange_feed_reads_total{database="<database>"} from the operations listener.
double FeedReads(const TestExchange& ex, const std::string& database) {
  std::string body;
  REQUIRE(testing::HttpGet(ex.ops_host_port(), "/metrics", &body) == 200);
  const std::string series = "exchange_feed_reads_total{database=\"" + database + "\"} ";
  auto at = body.find(series);
  REQUIRE_MESSAGE(at != std::string::npos, series << "is not exported");
  return std::stod(body.substr(at + series.size()));
}

}  // namespace

TEST_CASE("a read replica serves the feed; a lagging one never yields a checkpoint without its entries") {
  PgCluster& primary = PgCluster::Shared();
  auto standby = PgCluster::StandbyOf(primary);
  TestExchange ex(primary, {.extra_flags = {}, .read_replica = standby.get()});
  const std::string primary_url = ex.database_url(), standby_url = standby->SameDatabase(ex.database_url());
  REQUIRE(Psql(standby_url, "SELECT pg_is_in_recovery()") == "t");

  auto admin = ex.Client("admin1");
  testing::CreateCollection(*admin, "replicated");
  const Who alpha = WhoFor(ex, "alpha");
  TempDir work;
  const std::string mirror = work.path() + "/mirror";

  // Writes go on (batches of 200 as alpha) while the mirror syncs through the exchange.
  std::atomic<bool> writing{true};
  std::atomic<int> written{0};
  std::thread writer([&] {
    auto client = ex.Client("alpha");
    std::mt19937_64 rng(19);
    while (writing) {
      testing::SubmitRandomSha256(*client, "replicated", 200, rng);
      written += 200;
    }
  });
  for (int round = 0; round < 6; ++round) {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    auto r = Sync(alpha, "replicated", mirror);
    CHECK_MESSAGE(r.code == 0, r.err);
  }
  writing = false;
  writer.join();
  REQUIRE(written >= 200);
  // The standby catches up (it streams; the writes have stopped), then one more sync.
  const std::string head = LogHead(primary_url, "replicated");
  for (int i = 0; i < 100 && LogHead(standby_url, "replicated") != head; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  REQUIRE(LogHead(standby_url, "replicated") == head);
  auto last = Sync(alpha, "replicated", mirror);
  REQUIRE_MESSAGE(last.code == 0, last.err);
  // The mirror's entries hash to its checkpoint (verify), whose size and root are the primary's.
  auto verified = Verify(alpha, mirror);
  CHECK_MESSAGE(verified.code == 0, verified.err);
  CHECK(MirrorHead(mirror) == head);
  CHECK(head.rfind(std::to_string(written.load()) + " ", 0) == 0);
  // The replica did serve: most feed reads came from it.
  const double by_replica = FeedReads(ex, "replica");
  MESSAGE("feed reads by the replica " << by_replica << ", by the primary " << FeedReads(ex, "primary"));
  CHECK(by_replica > 0);

  // The standby stops applying WAL: it lags behind everything that follows.
  Psql(standby_url, "SELECT pg_wal_replay_pause()");
  for (int i = 0; i < 100 && Psql(standby_url, "SELECT pg_get_wal_replay_pause_state()") != "paused"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  REQUIRE(Psql(standby_url, "SELECT pg_get_wal_replay_pause_state()") == "paused");
  auto alpha_api = ex.Client("alpha");
  std::mt19937_64 rng(20);
  testing::SubmitRandomSha256(*alpha_api, "replicated", 300, rng);
  const std::string lagged = LogHead(primary_url, "replicated");
  REQUIRE(LogHead(standby_url, "replicated") == head);  // the replica has none of the 300
  REQUIRE(lagged != head);

  // (a) A sync now gets the primary's checkpoint and every entry below it.
  const double primary_before = FeedReads(ex, "primary");
  auto behind = Sync(alpha, "replicated", mirror);
  REQUIRE_MESSAGE(behind.code == 0, behind.err);
  CHECK(behind.out.find("300 new entries verified and applied") != std::string::npos);
  auto verified_behind = Verify(alpha, mirror);
  CHECK_MESSAGE(verified_behind.code == 0, verified_behind.err);
  CHECK(MirrorHead(mirror) == lagged);
  CHECK(FeedReads(ex, "primary") > primary_before);  // the entries the replica lacks came from the primary

  // (b) A suspension on the primary applies at once, whatever the replica says.
  auto beta = ex.Client("beta");
  v1::LogsResponse logs;
  REQUIRE(beta->Call("GET", "/v1/logs", nullptr, &logs).ok());
  v1::ReasonRequest reason;
  reason.set_reason("replica test");
  REQUIRE(admin->Call("POST", "/v1/admin/orgs/beta/suspend", &reason, nullptr).ok());
  Status refused = beta->Call("GET", "/v1/collections/replicated/checkpoint", nullptr, nullptr);
  CHECK_MESSAGE(refused.code() == ErrorCode::kPermissionDenied, refused.ToString());
  Status refused_tile = beta->Call("GET", "/v1/collections/replicated/tlog/tile/entries/000", nullptr, nullptr);
  CHECK_MESSAGE(refused_tile.code() == ErrorCode::kPermissionDenied, refused_tile.ToString());

  // Replay resumes; the replica catches up and serves again.
  Psql(standby_url, "SELECT pg_wal_replay_resume()");
  for (int i = 0; i < 100 && LogHead(standby_url, "replicated") != lagged; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  CHECK(LogHead(standby_url, "replicated") == lagged);
  const double replica_before = FeedReads(ex, "replica");
  TempDir fresh;
  auto again = Sync(alpha, "replicated", fresh.path() + "/mirror");
  REQUIRE_MESSAGE(again.code == 0, again.err);
  CHECK(MirrorHead(fresh.path() + "/mirror") == lagged);
  CHECK(FeedReads(ex, "replica") > replica_before);
}
