// store/ against a real PostgreSQL: migrations, credentials, the worker pool.
#include <doctest/doctest.h>

#include <atomic>
#include <future>
#include <thread>

#include "http/caller_auth.h"
#include "store/credentials.h"
#include "store/migration_set.h"
#include "store/migrator.h"
#include "store/worker_pool.h"
#include "test_exchange.h"

using namespace exchange;
using exchange::testing::PgCluster;
using exchange::testing::RunCommand;

namespace {

void Psql(const std::string& url, const std::string& sql) {
  auto r = RunCommand("psql -q -v ON_ERROR_STOP=1 '" + url + "' -c \"" + sql + "\" 2>&1");
  REQUIRE_MESSAGE(r.exit_code == 0, r.output);
}

store::NewCredential Credential(const std::string& org, const std::string& fingerprint_char) {
  store::NewCredential c;
  c.org_slug = org;
  c.org_name = "Org " + org;
  c.role = "member";
  c.fingerprint = std::string(64, fingerprint_char[0]);
  c.serial_hex = "01";
  c.not_after = "2099-01-01T00:00:00Z";
  c.certificate_pem = "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n";
  return c;
}

}  // namespace

TEST_CASE("migrations apply once, in order, and report a current schema") {
  std::string url = PgCluster::Shared().CreateDatabase();
  store::Connection conn(url);
  CHECK(store::CheckSchemaCurrent(conn).code() == ErrorCode::kFailedPrecondition);

  auto first = store::Migrate(conn);
  REQUIRE(first.ok());
  CHECK(*first == static_cast<int>(store::EmbeddedMigrations().size()));
  CHECK(store::CheckSchemaCurrent(conn).ok());

  auto again = store::Migrate(conn);
  REQUIRE(again.ok());
  CHECK(*again == 0);
}

TEST_CASE("two processes migrating at once apply each migration exactly once") {
  std::string url = PgCluster::Shared().CreateDatabase();
  std::vector<std::future<Result<int>>> runs;
  for (int i = 0; i < 4; ++i) {
    runs.push_back(std::async(std::launch::async, [url] {
      store::Connection conn(url);
      return store::Migrate(conn);
    }));
  }
  int total = 0;
  for (auto& run : runs) {
    auto applied = run.get();
    REQUIRE_MESSAGE(applied.ok(), applied.status().ToString());
    total += *applied;
  }
  CHECK(total == static_cast<int>(store::EmbeddedMigrations().size()));
}

TEST_CASE("a database with a migration this binary does not know is refused") {
  std::string url = PgCluster::Shared().CreateDatabase();
  store::Connection conn(url);
  REQUIRE(store::Migrate(conn).ok());
  Psql(url, "INSERT INTO schema_migrations (version, name, sha256) VALUES (9999, '9999_future', 'x')");
  auto r = store::Migrate(conn);
  CHECK(r.status().code() == ErrorCode::kFailedPrecondition);
  CHECK(store::CheckSchemaCurrent(conn).code() == ErrorCode::kFailedPrecondition);
}

TEST_CASE("an edited migration is detected") {
  std::string url = PgCluster::Shared().CreateDatabase();
  store::Connection conn(url);
  REQUIRE(store::Migrate(conn).ok());
  Psql(url, "UPDATE schema_migrations SET sha256 = 'edited' WHERE version = 1");
  auto r = store::Migrate(conn);
  CHECK(r.status().code() == ErrorCode::kFailedPrecondition);
  CHECK(r.status().message().find("edited") != std::string::npos);
}

TEST_CASE("credentials: register, find, refuse duplicates; callers are checked") {
  std::string url = PgCluster::Shared().CreateDatabase();
  store::Connection conn(url);
  REQUIRE(store::Migrate(conn).ok());

  auto registered = store::RegisterCredential(conn, Credential("acme", "a"));
  REQUIRE(registered.ok());
  CHECK(registered->org_slug == "acme");
  CHECK(registered->org_status == "active");
  CHECK(registered->not_after == "2099-01-01T00:00:00Z");
  CHECK(store::RegisterCredential(conn, Credential("acme", "a")).status().code() == ErrorCode::kAlreadyExists);
  auto second = store::RegisterCredential(conn, Credential("acme", "b"));
  REQUIRE(second.ok());
  CHECK(second->org_id == registered->org_id);

  auto found = store::FindCredential(conn, std::string(64, 'a'));
  REQUIRE(found.ok());
  REQUIRE(found->has_value());
  CHECK((*found)->credential_id == registered->credential_id);
  auto missing = store::FindCredential(conn, std::string(64, 'c'));
  REQUIRE(missing.ok());
  CHECK_FALSE(missing->has_value());

  auto caller = http::LoadCaller(conn, std::string(64, 'a'));
  REQUIRE(caller.ok());
  CHECK(caller->org_slug == "acme");
  CHECK(http::LoadCaller(conn, std::string(64, 'c')).status().code() == ErrorCode::kPermissionDenied);

  Psql(url, "UPDATE organisations SET status = 'suspended' WHERE slug = 'acme'");
  auto suspended = http::LoadCaller(conn, std::string(64, 'a'));
  CHECK(suspended.status().code() == ErrorCode::kPermissionDenied);
  CHECK(suspended.status().message().find("suspended") != std::string::npos);

  Psql(url, "UPDATE organisations SET status = 'active'; UPDATE credentials SET status = 'revoked' WHERE fingerprint = '" +
                std::string(64, 'b') + "'");
  CHECK(http::LoadCaller(conn, std::string(64, 'b')).status().code() == ErrorCode::kPermissionDenied);
  CHECK(http::LoadCaller(conn, std::string(64, 'a')).ok());
}

TEST_CASE("a slug the schema forbids is a 4xx-class error, not an internal one") {
  std::string url = PgCluster::Shared().CreateDatabase();
  store::Connection conn(url);
  REQUIRE(store::Migrate(conn).ok());
  auto bad = store::RegisterCredential(conn, Credential("Not A Slug", "d"));
  CHECK(bad.status().code() == ErrorCode::kInvalidArgument);
}

TEST_CASE("the worker pool runs every job on its own connection and bounds its queue") {
  std::string url = PgCluster::Shared().CreateDatabase();
  std::atomic<int> done{0};
  {
    store::WorkerPool pool(url, 3, 1000);
    for (int i = 0; i < 200; ++i) {
      REQUIRE(pool.Submit([&](store::Connection& conn) {
        if (store::CheckSchemaCurrent(conn).code() == ErrorCode::kFailedPrecondition) ++done;
      }));
    }
    pool.Stop();
    CHECK_FALSE(pool.Submit([](store::Connection&) {}));
  }
  CHECK(done == 200);

  store::WorkerPool tiny(url, 1, 2);
  std::promise<void> release;
  auto gate = release.get_future().share();
  REQUIRE(tiny.Submit([gate](store::Connection&) { gate.wait(); }));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the worker takes the first job
  CHECK(tiny.Submit([](store::Connection&) {}));
  CHECK(tiny.Submit([](store::Connection&) {}));
  CHECK_FALSE(tiny.Submit([](store::Connection&) {}));  // queue full: the caller answers 503
  release.set_value();
  tiny.Stop();
}
