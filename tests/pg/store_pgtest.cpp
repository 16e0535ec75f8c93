// SPDX-License-Identifier: Apache-2.0
// store/ against a real PostgreSQL: migrations, credentials, the worker pool.
#include <doctest/doctest.h>

#include <atomic>
#include <fstream>
#include <future>
#include <sstream>
#include <thread>

#include "common/limits.h"
#include "server/caller_auth.h"
#include "store/collections.h"
#include "store/credentials.h"
#include "store/migration_set.h"
#include "store/migrator.h"
#include "store/vetting.h"
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
  c.role = Role::kMember;
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

namespace {

// The URL of a fresh, migrated database on which `sql` then ran (through psql).
std::string MigratedThen(const std::string& sql) {
  std::string url = PgCluster::Shared().CreateDatabase();
  store::Connection conn(url);
  REQUIRE(store::Migrate(conn).ok());
  Psql(url, sql);
  return url;
}

}  // namespace

TEST_CASE("a database with a migration this binary does not know is refused") {
  store::Connection conn(
      MigratedThen("INSERT INTO schema_migrations (version, name, sha256) VALUES (9999, '9999_future', 'x')"));
  auto r = store::Migrate(conn);
  CHECK(r.status().code() == ErrorCode::kFailedPrecondition);
  CHECK(store::CheckSchemaCurrent(conn).code() == ErrorCode::kFailedPrecondition);
}

TEST_CASE("an edited migration is detected") {
  store::Connection conn(MigratedThen("UPDATE schema_migrations SET sha256 = 'edited' WHERE version = 1"));
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
  CHECK(registered->org_status == OrgStatus::kActive);
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

  auto caller = server::LoadCaller(conn, std::string(64, 'a'));
  REQUIRE(caller.ok());
  CHECK(caller->org_slug == "acme");
  CHECK(server::LoadCaller(conn, std::string(64, 'c')).status().code() == ErrorCode::kPermissionDenied);

  Psql(url, "UPDATE organisations SET status = 'suspended' WHERE slug = 'acme'");
  auto suspended = server::LoadCaller(conn, std::string(64, 'a'));
  CHECK(suspended.status().code() == ErrorCode::kPermissionDenied);
  CHECK(suspended.status().message().find("suspended") != std::string::npos);

  Psql(url,
       "UPDATE organisations SET status = 'active'; UPDATE credentials SET status = 'revoked' WHERE fingerprint = '" +
           std::string(64, 'b') + "'");
  CHECK(server::LoadCaller(conn, std::string(64, 'b')).status().code() == ErrorCode::kPermissionDenied);
  CHECK(server::LoadCaller(conn, std::string(64, 'a')).ok());
}

TEST_CASE("a slug the schema forbids is a 4xx-class error, not an internal one") {
  std::string url = PgCluster::Shared().CreateDatabase();
  store::Connection conn(url);
  REQUIRE(store::Migrate(conn).ok());
  auto bad = store::RegisterCredential(conn, Credential("Not A Slug", "d"));
  CHECK(bad.status().code() == ErrorCode::kInvalidArgument);
}

namespace {

// `n` characters of two bytes each ("é"), so byte and character counts differ.
std::string Accented(std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += "\xc3\xa9";
  return out;
}

}  // namespace

TEST_CASE("the API's organisation-name bound is the schema's, and the database's words never reach a caller") {
  std::string url = PgCluster::Shared().CreateDatabase();
  store::Connection conn(url);
  REQUIRE(store::Migrate(conn).ok());

  auto at_limit = Credential("at-limit", "e");
  at_limit.org_name = Accented(limits::kMaxOrgNameChars);
  auto admin = store::RegisterCredential(conn, at_limit);
  REQUIRE_MESSAGE(admin.ok(), admin.status().ToString());
  CHECK(admin->org_name == at_limit.org_name);

  auto over = Credential("over-limit", "f");
  over.org_name = Accented(limits::kMaxOrgNameChars + 1);
  auto refused = store::RegisterCredential(conn, over);
  CHECK(refused.status().code() == ErrorCode::kInvalidArgument);
  // Our words, not PostgreSQL's: no constraint name, no relation, no row.
  for (const char* leak : {"organisations", "check constraint", "violates", "DETAIL", "Failing row"}) {
    CHECK_MESSAGE(refused.status().message().find(leak) == std::string::npos, refused.status().message());
  }

  // Invitations (and the applications made from them, migration 0007) hold the same bound.
  for (std::size_t length : {limits::kMaxOrgNameChars, limits::kMaxOrgNameChars + 1}) {
    store::NewInvitation invitation{std::string(32, static_cast<char>('a' + length % 7)),
                                    "invited-" + std::to_string(length),
                                    Accented(length),
                                    "t@example.org",
                                    admin->credential_id,
                                    4102444800};
    v1::AuditEvent event;
    event.set_action("invitation.create");
    Status s = store::CreateInvitation(conn, invitation, event);
    if (length <= limits::kMaxOrgNameChars) {
      CHECK_MESSAGE(s.ok(), s.ToString());
    } else {
      CHECK(s.code() == ErrorCode::kInvalidArgument);
      CHECK(s.message().find("invitations") == std::string::npos);
    }
  }
}

TEST_CASE("a member organisation's credentials are capped under its row lock") {
  std::string url = PgCluster::Shared().CreateDatabase();
  store::Connection conn(url);
  REQUIRE(store::Migrate(conn).ok());
  for (const char* fp : {"1", "2"}) {
    auto c = Credential("capped", fp);
    c.max_active_in_org = 2;
    REQUIRE(store::RegisterCredential(conn, c).ok());
  }
  auto third = Credential("capped", "3");
  third.max_active_in_org = 2;
  auto refused = store::RegisterCredential(conn, third);
  CHECK(refused.status().code() == ErrorCode::kConflict);
  CHECK(refused.status().message().find("revoke one first") != std::string::npos);
  // A revoked credential no longer counts.
  Psql(url, "UPDATE credentials SET status = 'revoked' WHERE fingerprint = '" + std::string(64, '1') + "'");
  CHECK(store::RegisterCredential(conn, third).ok());
}

TEST_CASE("the worker pool runs every job on its own connection and bounds its queue") {
  std::string url = PgCluster::Shared().CreateDatabase();
  std::atomic<int> done{0};
  {
    store::WorkerPool pool(url, {}, 3, 1000);
    for (int i = 0; i < 200; ++i) {
      REQUIRE(pool.Submit([&](store::WorkerConnections conns) {
        if (conns.replica == nullptr &&
            store::CheckSchemaCurrent(conns.primary).code() == ErrorCode::kFailedPrecondition) {
          ++done;
        }
      }));
    }
    pool.Stop();
    CHECK_FALSE(pool.Submit([](store::WorkerConnections) {}));
  }
  CHECK(done == 200);

  // With read replicas, every job also gets its worker's replica connection
  // (here another database, migrated, so it answers differently).
  std::string replica_url = PgCluster::Shared().CreateDatabase();
  {
    store::Connection setup(replica_url);
    REQUIRE(store::Migrate(setup).ok());
  }
  std::atomic<int> with_replica{0};
  {
    store::WorkerPool pool(url, {replica_url}, 2, 100);
    for (int i = 0; i < 20; ++i) {
      REQUIRE(pool.Submit([&](store::WorkerConnections conns) {
        if (conns.replica != nullptr && store::CheckSchemaCurrent(*conns.replica).ok() &&
            store::CheckSchemaCurrent(conns.primary).code() == ErrorCode::kFailedPrecondition) {
          ++with_replica;
        }
      }));
    }
  }
  CHECK(with_replica == 20);

  store::WorkerPool tiny(url, {}, 1, 2);
  std::promise<void> release;
  auto gate = release.get_future().share();
  REQUIRE(tiny.Submit([gate](store::WorkerConnections) { gate.wait(); }));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the worker takes the first job
  CHECK(tiny.Submit([](store::WorkerConnections) {}));
  CHECK(tiny.Submit([](store::WorkerConnections) {}));
  CHECK_FALSE(tiny.Submit([](store::WorkerConnections) {}));  // queue full: the caller answers 503
  release.set_value();
  tiny.Stop();
}

TEST_CASE("a refused collection costs the same queries whether or not it exists") {
  std::string url = PgCluster::Shared().CreateDatabase();
  {
    store::Connection setup(url);
    REQUIRE(store::Migrate(setup).ok());
    REQUIRE(store::RegisterCredential(setup, Credential("outsider", "9")).ok());
    store::CollectionRow spec;
    spec.name = "secret-set";
    spec.attribution = "named";
    spec.dispute_min_orgs = 2;
    v1::AuditEvent event;
    event.set_action("collection.create");
    REQUIRE(store::CreateCollection(setup, spec, event).ok());
  }
  const std::string database = url.substr(url.rfind('/') + 1);
  Psql(url, "ALTER DATABASE " + database + " SET log_statement = 'all'");
  store::Connection conn(url);  // opened after the ALTER: its statements are logged
  const auto org_id = (*store::FindCredential(conn, std::string(64, '9')))->org_id;

  // Statements the server ran between two psql markers.
  const std::string log_file = PgCluster::Shared().ServerLog();
  auto statements_for = [&](const std::string& name) {
    const std::string marker = "marker-" + name;
    Psql(url, "SELECT '" + marker + "-begin'");
    auto found = store::FindCollectionAccess(conn, name, org_id);
    REQUIRE(found.ok());
    Psql(url, "SELECT '" + marker + "-end'");
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    std::ifstream in(log_file);
    std::stringstream text;
    text << in.rdbuf();
    const std::string all = text.str();
    auto begin = all.find(marker + "-begin");
    auto end = all.find(marker + "-end");
    REQUIRE(begin != std::string::npos);
    REQUIRE(end != std::string::npos);
    int count = 0;
    std::istringstream lines(all.substr(begin, end - begin));
    for (std::string line; std::getline(lines, line);) {
      if (line.find("LOG:  statement:") != std::string::npos || line.find("LOG:  execute") != std::string::npos) {
        ++count;
      }
    }
    return count - 1;  // the begin marker's own line
  };
  const int existing = statements_for("secret-set");
  const int missing = statements_for("no-such-set");
  CHECK(existing > 0);
  CHECK_MESSAGE(existing == missing, "existing: " << existing << ", missing: " << missing);
  Psql(url, "ALTER DATABASE " + database + " RESET log_statement");
}

TEST_CASE("a collection's vPDQ thresholds: stored on create, changed one at a time, bounded by the schema") {
  std::string url = PgCluster::Shared().CreateDatabase();
  store::Connection conn(url);
  REQUIRE(store::Migrate(conn).ok());
  v1::AuditEvent event;
  event.set_action("collection.create");
  store::CollectionRow spec;
  spec.name = "defaults";
  auto plain = store::CreateCollection(conn, spec, event);
  REQUIRE_MESSAGE(plain.ok(), plain.status().ToString());
  CHECK(plain->vpdq_stored_percent == 80);
  CHECK(plain->vpdq_query_percent == 0);
  spec.name = "loose";
  spec.vpdq_stored_percent = 50;
  spec.vpdq_query_percent = 10;
  auto loose = store::CreateCollection(conn, spec, event);
  REQUIRE_MESSAGE(loose.ok(), loose.status().ToString());
  CHECK(loose->vpdq_stored_percent == 50);
  CHECK(loose->vpdq_query_percent == 10);

  event.set_action("collection.update");
  auto updated = store::UpdateCollection(conn, "loose", {.vpdq_stored_percent = {}, .vpdq_query_percent = 30}, event);
  REQUIRE_MESSAGE(updated.ok(), updated.status().ToString());
  CHECK(updated->vpdq_stored_percent == 50);  // not given: kept
  CHECK(updated->vpdq_query_percent == 30);
  auto listed = store::ListCollections(conn, std::nullopt);
  REQUIRE(listed.ok());
  REQUIRE(listed->size() == 2);
  CHECK((*listed)[1].name == "loose");
  CHECK((*listed)[1].vpdq_query_percent == 30);
  CHECK(store::UpdateCollection(conn, "no-such", {.vpdq_stored_percent = 60, .vpdq_query_percent = {}}, event)
            .status()
            .code() == ErrorCode::kNotFound);
  // The API refuses these first; the schema holds the same bounds.
  CHECK_FALSE(store::UpdateCollection(conn, "loose", {.vpdq_stored_percent = 0, .vpdq_query_percent = {}}, event).ok());
  CHECK_FALSE(
      store::UpdateCollection(conn, "loose", {.vpdq_stored_percent = {}, .vpdq_query_percent = 101}, event).ok());
  auto after = store::ListCollections(conn, std::nullopt);
  REQUIRE(after.ok());
  CHECK((*after)[1].vpdq_stored_percent == 50);
  CHECK((*after)[1].vpdq_query_percent == 30);
}
