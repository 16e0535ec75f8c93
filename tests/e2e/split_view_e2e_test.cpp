// SPDX-License-Identifier: Apache-2.0
// A split view, end to end: one real witness (`exchangectl witness serve`),
// the honest exchanged and a forked one — the same keys and name, another
// database — both configured to offer their checkpoints to it. The witness
// cosigns the honest tree and refuses the fork; a member with a witness
// policy syncs the honest exchange (witnessed by the witness) and refuses the
// fork (exit 4, reason unwitnessed, evidence kept, mirror untouched); a member
// without a policy takes the fork but is told the checkpoint is unwitnessed.
// The exchange's witness metrics show the lag and the refusals.
#include <doctest/doctest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "collections.h"
#include "log/signed_note.h"
#include "process.h"
#include "test_exchange.h"
#include "transport/https_client.h"

namespace {

using namespace exchange;
using testing::ChildProcess;
using testing::TestExchange;
namespace fs = std::filesystem;

std::string Trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

using Run = testing::BinaryRun;

// exchangectl `args` as `who` of `ex`, against `server`.
Run Ctl(const TestExchange& ex, const std::string& who, const std::string& server, std::vector<std::string> args) {
  const auto o = ex.ClientOptionsFor(who);
  args.insert(args.end(), {"--server", server, "--ca", o.ca_file, "--cert", o.cert_file, "--key", o.key_file});
  return testing::RunBinary("exchangectl", args);
}

// The value of the first series of `metric` whose labels contain `labels`; -1 when absent.
double Metric(const std::string& ops, const std::string& metric, const std::string& labels) {
  std::string body;
  if (testing::HttpGet(ops, "/metrics", &body) != 200) return -1;
  std::istringstream in(body);
  for (std::string line; std::getline(in, line);) {
    if (!line.starts_with(metric + "{") || line.find(labels) == std::string::npos) continue;
    return std::stod(line.substr(line.rfind(' ') + 1));
  }
  return -1;
}

// Polls until `done` holds, up to 15 s.
bool Eventually(const std::function<bool()>& done) {
  for (int i = 0; i < 300; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

}  // namespace

TEST_CASE("a split view: the witness cosigns one history, refuses the fork, and policy clients refuse it too") {
  testing::TempDir work;
  const fs::path dir = work.path();
  auto keygen = testing::RunCommand(testing::BinDir() + "/exchangectl witness keygen --name witness.test/w1 --out " +
                                    testing::ShellQuote((dir / "witness.key").string()));
  REQUIRE(keygen.exit_code == 0);
  const std::string witness_vkey = Trimmed(keygen.output);
  const int witness_port = testing::FreePort();
  const std::string witness_flag = "--witness=http://127.0.0.1:" + std::to_string(witness_port) + "=" + witness_vkey;

  // The exchange starts before its witness: submissions wait for it.
  TestExchange ex(testing::PgCluster::Shared(), {{witness_flag, "--witness-period=200", "--witness-timeout=1000"}});
  const std::string feed_vkey = Trimmed(testing::ReadText(ex.dir() + "/feed.key.vkey"));
  const std::string freshness_vkey = Trimmed(testing::ReadText(ex.dir() + "/freshness.key.vkey"));
  ChildProcess witness({testing::BinDir() + "/exchangectl", "witness", "serve", "--state", (dir / "state").string(),
                        "--key", (dir / "witness.key").string(), "--listen",
                        "127.0.0.1:" + std::to_string(witness_port), "--log", "test.exchange/*=" + feed_vkey},
                       {}, (dir / "witness.log").string());

  auto [admin, alpha] = ex.Clients("admin1", "alpha");
  testing::CreateCollection(*admin, "csam-known");
  std::mt19937_64 rng(11);
  testing::SubmitRandomSha256(*alpha, "csam-known", 20, rng);

  const std::string path = "/v1/collections/csam-known/checkpoint";
  // The witness cosigns the honest tree of 20 within a few rounds.
  std::string witnessed;
  REQUIRE_MESSAGE(Eventually([&] {
                    auto note = alpha->GetText(path + "?witnessed=1");
                    if (!note.ok() || note->find("\n20\n") == std::string::npos) return false;
                    witnessed = *note;
                    return true;
                  }),
                  "no witnessed checkpoint of 20 entries: " << witness.Log() << ex.server().Log());
  CHECK(witnessed.find("\xE2\x80\x94 witness.test/w1 ") != std::string::npos);
  // The plain checkpoint carries the cosignature of its tree too, and the lag is 0.
  auto plain = alpha->GetText(path);
  REQUIRE(plain.ok());
  CHECK(plain->find("\xE2\x80\x94 witness.test/w1 ") != std::string::npos);
  auto tiles = alpha->GetText("/v1/collections/csam-known/tlog/checkpoint");  // the C2SP tlog-tiles one
  REQUIRE(tiles.ok());
  CHECK(tiles->find("\xE2\x80\x94 witness.test/w1 ") != std::string::npos);
  CHECK(Eventually(
      [&] { return Metric(ex.ops_host_port(), "exchange_witness_lag_entries", "log=\"csam-known\"") == 0; }));
  CHECK(Metric(ex.ops_host_port(), "exchange_witness_requests_total", "result=\"cosigned\"") > 0);
  // A question that makes no sense is a 400.
  auto absurd = alpha->GetText(path + "?witnessed=1000");
  CHECK(absurd.status().code() == ErrorCode::kInvalidArgument);

  const fs::path policy = dir / "policy.txt";
  std::ofstream(policy) << "# the sandbox's witness must cosign\nwitness w1 " << witness_vkey << "\nquorum w1\n";
  const std::vector<std::string> trust = {"--feed-vkey", feed_vkey + "," + freshness_vkey};
  auto sync = [&](const std::string& server, const std::string& mirror, bool with_policy) {
    std::vector<std::string> args = {"sync", "--collection", "csam-known", "--mirror", (dir / mirror).string()};
    args.insert(args.end(), trust.begin(), trust.end());
    if (with_policy) args.insert(args.end(), {"--witness-policy", policy.string()});
    return Ctl(ex, "alpha", server, args);
  };

  auto honest = sync(ex.api_url(), "honest", true);
  CHECK_MESSAGE(honest.code == 0, honest.out << honest.err);
  CHECK_MESSAGE(honest.out.find("witnessed by w1") != std::string::npos, honest.out);
  CHECK(honest.err.find("unwitnessed") == std::string::npos);
  // The audit log is witnessed the same way.
  std::vector<std::string> audit = {"audit", "verify", "--witness-policy", policy.string()};
  audit.insert(audit.end(), trust.begin(), trust.end());
  REQUIRE(Eventually([&] { return Ctl(ex, "auditor", ex.api_url(), audit).code == 0; }));
  CHECK(Ctl(ex, "auditor", ex.api_url(), audit).out.find("witnessed by w1") != std::string::npos);

  // The fork: the exchange's keys and name over another database, offering
  // its own history of 20 entries to the same witness.
  const std::string database = testing::PgCluster::Shared().CreateDatabase();
  auto run = [](const std::string& command) {
    auto r = testing::RunCommand(command + " 2>&1");
    REQUIRE_MESSAGE(r.exit_code == 0, command << ": " << r.output);
  };
  run(testing::BinDir() + "/exchanged migrate --database " + testing::ShellQuote(database));
  for (const auto& [who, org, role] : {std::tuple{"admin1", "coalition", "admin"},
                                       std::tuple{"alpha", "alpha", "member"}, std::tuple{"beta", "beta", "member"}}) {
    run(testing::BinDir() + "/exchanged credentials add --database " + testing::ShellQuote(database) + " --org " + org +
        " --role " + role + " --cert " + testing::ShellQuote(ex.pki() + "/" + who + ".pem"));
  }
  const int api_port = testing::FreePort(), ops_port = testing::FreePort();
  const std::string fork_ops = "127.0.0.1:" + std::to_string(ops_port);
  auto forked = ex.StartServer(
      api_port, ops_port, {"--database=" + database, witness_flag, "--witness-period=200", "--witness-timeout=1000"},
      "forked.log");
  REQUIRE_MESSAGE(TestExchange::WaitReady(fork_ops, std::chrono::seconds(20)), forked->Log());
  const std::string fork_url = "https://localhost:" + std::to_string(api_port);
  auto fork_client = [&](const std::string& who) {
    auto o = ex.ClientOptionsFor(who);
    o.server = fork_url;
    return std::make_unique<client::ApiClient>(client::HttpsClient::Create(o).value());
  };
  auto fork_admin = fork_client("admin1");
  auto fork_alpha = fork_client("alpha");
  testing::CreateCollection(*fork_admin, "csam-known");
  testing::SubmitRandomSha256(*fork_alpha, "csam-known", 20, rng);  // the honest size, another root

  // The witness answers 409 to every offer of the forked tree; nothing is witnessed.
  CHECK_MESSAGE(
      Eventually([&] { return Metric(fork_ops, "exchange_witness_requests_total", "result=\"conflict\"") >= 2; }),
      forked->Log());
  // The lag gauge is set after the refused offer is counted: wait for it too.
  CHECK(Eventually([&] { return Metric(fork_ops, "exchange_witness_lag_entries", "log=\"csam-known\"") == 20; }));
  auto fork_witnessed = fork_alpha->GetText(path + "?witnessed=1");
  CHECK(fork_witnessed.status().code() == ErrorCode::kNotFound);

  // With the policy: refused, evidence kept, nothing in the mirror.
  auto refused = sync(fork_url, "fork-with-policy", true);
  CHECK_MESSAGE(refused.code == 4, refused.out << refused.err);
  CHECK_MESSAGE(refused.err.find("(unwitnessed)") != std::string::npos, refused.err);
  CHECK(refused.err.find("quorum") != std::string::npos);
  bool evidence = false;
  for (const auto& e : fs::directory_iterator(dir / "fork-with-policy" / "evidence")) {
    evidence = evidence ||
               (e.path().filename().string().ends_with("-unwitnessed") && fs::exists(e.path() / "new-checkpoint.note"));
  }
  CHECK(evidence);
  const fs::path entries = dir / "fork-with-policy" / "entries.log";
  CHECK((!fs::exists(entries) || fs::file_size(entries) == 0));

  // Without one: taken, with the warning that nothing shows it is the shared view.
  auto unwitnessed = sync(fork_url, "fork-without-policy", false);
  CHECK_MESSAGE(unwitnessed.code == 0, unwitnessed.err);
  CHECK_MESSAGE(unwitnessed.err.find("is unwitnessed") != std::string::npos, unwitnessed.err);

  // The honest exchange keeps being witnessed as it grows.
  testing::SubmitRandomSha256(*alpha, "csam-known", 5, rng);
  CHECK(Eventually([&] {
    auto note = alpha->GetText(path + "?witnessed=1");
    return note.ok() && note->find("\n25\n") != std::string::npos;
  }));
  auto grown = sync(ex.api_url(), "honest", true);
  CHECK_MESSAGE(grown.code == 0, grown.err);
  CHECK(grown.out.find("(20 -> 25)") != std::string::npos);

  forked->Signal(SIGTERM);
  forked->Wait(std::chrono::seconds(10));
  witness.Signal(SIGTERM);
  witness.Wait(std::chrono::seconds(5));
}
