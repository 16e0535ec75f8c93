// SPDX-License-Identifier: Apache-2.0
// The verifiable feed end to end: signed checkpoints, entries that hash to
// them, proofs from the endpoints, several exchanged processes appending at
// once, and a server killed with SIGKILL in the middle of appends.
#include <doctest/doctest.h>
#include <signal.h>

#include <atomic>
#include <mutex>
#include <random>
#include <thread>

#include "collections.h"
#include "common/hex.h"
#include "exchange/v1/audit.pb.h"
#include "exchange/v1/collections.pb.h"
#include "exchange/v1/feed.pb.h"
#include "exchange/v1/signals.pb.h"
#include "log/checkpoint_note.h"
#include "log/hash.h"
#include "log/merkle.h"
#include "test_exchange.h"

using namespace exchange;
using exchange::testing::TestExchange;

namespace {

std::string RandomSha256(std::mt19937_64& rng) {
  std::string bytes(32, '\0');
  for (auto& b : bytes) b = static_cast<char>(rng());
  return HexEncode(bytes);
}

Status Submit(client::ApiClient& member, const std::string& collection, int count, std::mt19937_64& rng,
              v1::SubmitSignalsResponse* out = nullptr, const std::string& key = "") {
  v1::SubmitSignalsRequest request;
  for (int i = 0; i < count; ++i) {
    auto* s = request.add_signals();
    s->set_kind("sha256");
    s->set_value(RandomSha256(rng));
    s->set_category("A1");
  }
  v1::SubmitSignalsResponse response;
  std::vector<std::pair<std::string, std::string>> headers;
  if (!key.empty()) headers.emplace_back("Idempotency-Key", key);
  Status s = member.Call("POST", "/v1/collections/" + collection + "/signals", &request, &response, headers);
  if (out) *out = response;
  return s;
}

struct Trust {
  std::vector<log::Verifier> feed;
  std::vector<log::Verifier> freshness;
};

Trust FetchTrust(client::ApiClient& api) {
  v1::KeysResponse keys;
  REQUIRE(api.Call("GET", "/v1/keys", nullptr, &keys).ok());
  Trust trust;
  for (const auto& vkey : keys.feed_vkeys()) {
    auto v = log::Verifier::Parse(vkey);
    REQUIRE(v.ok());
    trust.feed.push_back(*v);
  }
  auto f = log::Verifier::Parse(keys.freshness_vkey());
  REQUIRE(f.ok());
  trust.freshness.push_back(*f);
  return trust;
}

log::VerifiedCheckpoint FetchCheckpoint(client::ApiClient& api, const std::string& path, const Trust& trust,
                                        const std::string& origin) {
  auto note = api.GetText(path + "/checkpoint");
  REQUIRE_MESSAGE(note.ok(), note.status().ToString());
  auto verified = log::VerifyCheckpointNote(*note, trust.feed, trust.freshness, origin);
  REQUIRE_MESSAGE(verified.ok(), verified.status().ToString());
  return *verified;
}

// Every leaf hash of the log, fetched page by page.
std::vector<log::Hash> FetchLeaves(client::ApiClient& api, const std::string& path, uint64_t size,
                                   std::vector<std::string>* entries = nullptr) {
  const std::vector<std::string> fetched = testing::FetchEntries(api, path, size, 997);
  std::vector<log::Hash> leaves;
  for (const auto& e : fetched) leaves.push_back(log::LeafHash(e));
  if (entries) entries->insert(entries->end(), fetched.begin(), fetched.end());
  leaves.resize(size);
  return leaves;
}

std::vector<log::Hash> ToHashes(const v1::ProofResponse& proof) {
  std::vector<log::Hash> out;
  for (const auto& h : proof.hashes()) {
    auto hash = log::HashFromBytes(h);
    REQUIRE(hash.ok());
    out.push_back(*hash);
  }
  return out;
}

}  // namespace

TEST_CASE("a collection's log: signed checkpoint, entries that hash to it, proofs that verify") {
  TestExchange ex;
  auto [admin, alpha, beta] = ex.Clients("admin1", "alpha", "beta");
  testing::CreateCollection(*admin, "csam-known", {"alpha"});
  const std::string path = "/v1/collections/csam-known";
  const std::string origin = "test.exchange/csam-known";
  Trust trust = FetchTrust(*alpha);
  std::mt19937_64 rng(42);

  auto empty = FetchCheckpoint(*alpha, path, trust, origin);
  CHECK(empty.checkpoint.size == 0);
  CHECK(empty.checkpoint.root == log::EmptyRoot());
  CHECK(empty.timestamp > 0);

  std::vector<log::VerifiedCheckpoint> seen;
  for (int batch = 0; batch < 5; ++batch) {
    v1::SubmitSignalsResponse response;
    REQUIRE(Submit(*alpha, "csam-known", 37 + batch * 50, rng, &response).ok());
    CHECK(response.results(0).status() == "created");
    seen.push_back(FetchCheckpoint(*alpha, path, trust, origin));
    CHECK(seen.back().checkpoint.size == response.log_size());
  }
  const auto& head = seen.back().checkpoint;
  REQUIRE(head.size == 5 * 37 + 50 * 10);

  std::vector<std::string> entries;
  auto leaves = FetchLeaves(*alpha, path, head.size, &entries);
  CHECK(log::RootFromLeafHashes(leaves) == head.root);
  v1::FeedEntry first;
  REQUIRE(first.ParseFromString(entries[0]));
  CHECK(first.collection() == "csam-known");
  CHECK(first.change() == v1::FeedEntry::CREATED);
  CHECK(first.signal().kind() == "sha256");
  CHECK(first.signal().status() == "active");
  CHECK(first.signal().contributor_orgs(0) == "alpha");

  SUBCASE("inclusion proofs from the endpoint verify, and fail for the wrong leaf") {
    for (uint64_t index : {uint64_t{0}, uint64_t{1}, head.size / 2, head.size - 1}) {
      v1::ProofResponse proof;
      REQUIRE(
          alpha
              ->Call("GET",
                     path + "/proof/inclusion?index=" + std::to_string(index) + "&size=" + std::to_string(head.size),
                     nullptr, &proof)
              .ok());
      auto hashes = ToHashes(proof);
      CHECK(log::VerifyInclusion(index, head.size, leaves[index], hashes, head.root).ok());
      CHECK_FALSE(log::VerifyInclusion(index, head.size, leaves[(index + 1) % head.size], hashes, head.root).ok());
    }
  }
  SUBCASE("consistency proofs between every pair of seen checkpoints verify") {
    for (std::size_t i = 0; i < seen.size(); ++i) {
      for (std::size_t j = i; j < seen.size(); ++j) {
        const auto& a = seen[i].checkpoint;
        const auto& b = seen[j].checkpoint;
        v1::ProofResponse proof;
        REQUIRE(alpha
                    ->Call("GET",
                           path + "/proof/consistency?old=" + std::to_string(a.size) + "&new=" + std::to_string(b.size),
                           nullptr, &proof)
                    .ok());
        CHECK(log::VerifyConsistency(a.size, b.size, ToHashes(proof), a.root, b.root).ok());
      }
    }
  }
  SUBCASE("proofs keep coming when the server's database sessions are terminated, twice") {
    // Each worker prepares the proof's statements on its session
    // (store/statements.h); a new session must prepare them again, and a read
    // on a session that died while idle is retried on a new one.
    for (int round = 0; round < 2; ++round) {
      auto killed = testing::RunCommand("psql -At -X '" + ex.database_url() +
                                        "' -c 'SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                                        " WHERE datname = current_database() AND pid <> pg_backend_pid()' 2>&1");
      REQUIRE_MESSAGE(killed.exit_code == 0, killed.output);
      CHECK_MESSAGE(std::stoi(killed.output) >= 1, killed.output);  // at least the workers that served above
      for (int i = 0; i < 12; ++i) {
        const uint64_t index = (static_cast<uint64_t>(i) * 97) % head.size;
        v1::ProofResponse proof;
        Status s = alpha->Call(
            "GET", path + "/proof/inclusion?index=" + std::to_string(index) + "&size=" + std::to_string(head.size),
            nullptr, &proof);
        REQUIRE_MESSAGE(s.ok(), "round " << round << ", request " << i << ": " << s.ToString());
        CHECK(log::VerifyInclusion(index, head.size, leaves[index], ToHashes(proof), head.root).ok());
        v1::ProofResponse consistency;
        const auto& old = seen[static_cast<std::size_t>(i) % seen.size()].checkpoint;
        s = alpha->Call(
            "GET", path + "/proof/consistency?old=" + std::to_string(old.size) + "&new=" + std::to_string(head.size),
            nullptr, &consistency);
        REQUIRE_MESSAGE(s.ok(), "round " << round << ", request " << i << ": " << s.ToString());
        CHECK(log::VerifyConsistency(old.size, head.size, ToHashes(consistency), old.root, head.root).ok());
      }
    }
  }
  SUBCASE("bad parameters get 400 with a reason") {
    auto http = client::HttpsClient::Create(ex.ClientOptionsFor("alpha"));
    REQUIRE(http.ok());
    for (const std::string& target :
         {path + "/entries?start=-1", path + "/entries?limit=0", path + "/entries?limit=100000",
          path + "/entries?start=1x", path + "/proof/inclusion?index=5", path + "/proof/inclusion?index=9&size=999999",
          path + "/proof/inclusion?index=10&size=10", path + "/proof/consistency?old=0&new=3",
          path + "/proof/consistency?old=5&new=3", path + "/proof/consistency?old=1&new=99999999"}) {
      auto r = (*http)->Send("GET", target, "", {{"Accept", "application/json"}});
      REQUIRE(r.ok());
      CHECK_MESSAGE(r->status == 400, target);
      CHECK_MESSAGE(r->body.find("invalid_argument") != std::string::npos, target);
    }
  }
  SUBCASE("paging past the end is empty, not an error") {
    v1::EntryBundle bundle;
    REQUIRE(alpha->Call("GET", path + "/entries?start=" + std::to_string(head.size + 10), nullptr, &bundle).ok());
    CHECK(bundle.entries_size() == 0);
    CHECK(bundle.tree_size() == head.size);
  }
  SUBCASE("without a grant: 403, and nothing revealed about whether it exists") {
    auto r1 = beta->GetText(path + "/checkpoint");
    auto r2 = beta->GetText("/v1/collections/no-such-thing/checkpoint");
    CHECK(r1.status().code() == ErrorCode::kPermissionDenied);
    CHECK(r2.status().code() == ErrorCode::kPermissionDenied);
    CHECK(r1.status().message().find("csam-known") != std::string::npos);
    v1::LogsResponse logs;
    REQUIRE(beta->Call("GET", "/v1/logs", nullptr, &logs).ok());
    CHECK(logs.logs_size() == 0);
    CHECK(Submit(*beta, "csam-known", 1, rng).code() == ErrorCode::kPermissionDenied);
  }
  SUBCASE("the audit log is a log too, for admins and auditors") {
    auto auditor = ex.Client("auditor");
    auto audit = FetchCheckpoint(*auditor, "/v1/audit", trust, "test.exchange/audit");
    std::vector<std::string> events;
    auto audit_leaves = FetchLeaves(*auditor, "/v1/audit", audit.checkpoint.size, &events);
    CHECK(log::RootFromLeafHashes(audit_leaves) == audit.checkpoint.root);
    std::vector<std::string> actions;
    for (const auto& bytes : events) {
      v1::AuditEvent event;
      REQUIRE(event.ParseFromString(bytes));
      actions.push_back(event.action());
      if (event.action() == "collection.create") CHECK(event.actor_org() == "coalition");
    }
    // Five operator registrations, then the admin's collection and grant.
    CHECK(actions == std::vector<std::string>{"credential.register", "credential.register", "credential.register",
                                              "credential.register", "credential.register", "collection.create",
                                              "grant.set"});
    CHECK(alpha->GetText("/v1/audit/checkpoint").status().code() == ErrorCode::kPermissionDenied);
    v1::LogsResponse logs;
    REQUIRE(auditor->Call("GET", "/v1/logs", nullptr, &logs).ok());
    CHECK(logs.logs_size() == 2);
  }
}

TEST_CASE("two exchanged processes, eight writers each, readers polling: gap-free, prefixes, consistent") {
  TestExchange ex;
  testing::CreateCollection(*ex.Client("admin1"), "shared", {"alpha", "beta"});
  const testing::SecondServer second(ex, "exchanged-2.log");
  const std::string path = "/v1/collections/shared";
  const std::string origin = "test.exchange/shared";
  Trust trust = FetchTrust(*ex.Client("alpha"));

  std::atomic<bool> stop{false};
  std::atomic<int> write_errors{0}, batches{0};
  std::mutex mu;
  std::vector<log::VerifiedCheckpoint> observed;  // guarded by mu
  std::vector<std::thread> threads;
  for (int w = 0; w < 16; ++w) {
    threads.emplace_back([&, w] {
      auto options = w % 2 ? second.ClientOptionsFor(w % 4 < 2 ? "alpha" : "beta")
                           : ex.ClientOptionsFor(w % 4 < 2 ? "alpha" : "beta");
      auto http = client::HttpsClient::Create(options);
      client::ApiClient api(std::move(http).value());
      std::mt19937_64 rng(1000 + w);
      while (!stop) {
        if (Submit(api, "shared", 1 + static_cast<int>(rng() % 20), rng).ok()) {
          ++batches;
        } else {
          ++write_errors;
        }
      }
    });
  }
  for (int r = 0; r < 2; ++r) {
    threads.emplace_back([&, r] {
      auto http = client::HttpsClient::Create(r ? second.ClientOptionsFor("alpha") : ex.ClientOptionsFor("beta"));
      client::ApiClient api(std::move(http).value());
      while (!stop) {
        auto note = api.GetText(path + "/checkpoint");
        if (!note.ok()) continue;
        auto verified = log::VerifyCheckpointNote(*note, trust.feed, trust.freshness, origin);
        std::lock_guard lock(mu);
        REQUIRE(verified.ok());
        observed.push_back(*verified);
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::seconds(6));
  stop = true;
  for (auto& t : threads) t.join();
  CHECK(write_errors == 0);
  CHECK(batches > 20);

  auto final_checkpoint = FetchCheckpoint(*ex.Client("alpha"), path, trust, origin);
  auto leaves = FetchLeaves(*ex.Client("alpha"), path, final_checkpoint.checkpoint.size);
  REQUIRE(log::RootFromLeafHashes(leaves) == final_checkpoint.checkpoint.root);
  REQUIRE(observed.size() > 10);
  // Every checkpoint any reader saw is a prefix of the final log: so every pair is consistent.
  for (const auto& seen : observed) {
    REQUIRE(seen.checkpoint.size <= leaves.size());
    CHECK(log::RootFromLeafHashes(std::span(leaves).first(seen.checkpoint.size)) == seen.checkpoint.root);
  }
  MESSAGE("appended " << leaves.size() << " entries in " << batches.load() << " batches; " << observed.size()
                      << " checkpoints observed");
}

TEST_CASE("SIGKILL of a server in the middle of appends leaves a log that verifies and carries on") {
  TestExchange ex;
  testing::CreateCollection(*ex.Client("admin1"), "crashy", {"alpha"});
  testing::SecondServer victim(ex, "victim.log");
  const auto victim_options = victim.ClientOptionsFor("alpha");

  std::atomic<bool> stop{false};
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&, w] {
      client::ApiClient api(std::move(client::HttpsClient::Create(victim_options)).value());
      std::mt19937_64 rng(7 + w);
      while (!stop) (void)Submit(api, "crashy", 200, rng);
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  victim.process().Signal(SIGKILL);
  victim.process().Wait(std::chrono::seconds(5));
  stop = true;
  for (auto& t : writers) t.join();

  auto alpha = ex.Client("alpha");
  Trust trust = FetchTrust(*alpha);
  const std::string path = "/v1/collections/crashy";
  auto before = FetchCheckpoint(*alpha, path, trust, "test.exchange/crashy");
  std::mt19937_64 rng(99);
  REQUIRE(Submit(*alpha, "crashy", 10, rng).ok());
  auto after = FetchCheckpoint(*alpha, path, trust, "test.exchange/crashy");
  CHECK(after.checkpoint.size == before.checkpoint.size + 10);
  auto leaves = FetchLeaves(*alpha, path, after.checkpoint.size);
  CHECK(log::RootFromLeafHashes(leaves) == after.checkpoint.root);
  CHECK(log::RootFromLeafHashes(std::span(leaves).first(before.checkpoint.size)) == before.checkpoint.root);
  CHECK(before.checkpoint.size % 200 == 0);  // whole batches only: none half-written
}
