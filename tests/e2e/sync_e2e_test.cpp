// SPDX-License-Identifier: Apache-2.0
// exchangectl for members, end to end against real exchanged processes:
// sync of 100,000 entries and incremental syncs into a verified local mirror
// that equals the server's state; kill -9 in the middle of syncs; a
// tampering proxy and a forked exchange whose feeds are refused with the
// mirror unchanged and the evidence kept; bulk submission with per-line
// errors and idempotent re-runs; opinions, retractions, sightings; exact
// matching of values and files; exports.
#include <doctest/doctest.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <thread>

#include "collections.h"
#include "common/hex.h"
#include "exchange/v1/collections.pb.h"
#include "exchange/v1/feed.pb.h"
#include "exchange/v1/signals.pb.h"
#include "log/encoding.h"
#include "log/hash.h"
#include "log/signed_note.h"
#include "process.h"
#include "tampering_proxy.h"
#include "test_exchange.h"

using namespace exchange;
using exchange::testing::ChildProcess;
using exchange::testing::TamperingProxy;
using exchange::testing::TempDir;
using exchange::testing::TestExchange;
namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

double Since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

void WriteAll(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

std::string RandomHex(std::mt19937_64& rng, int bytes) {
  std::string raw(static_cast<std::size_t>(bytes), '\0');
  for (auto& b : raw) b = static_cast<char>(rng());
  return HexEncode(raw);
}

// How exchangectl reaches an exchange as someone.
struct Who {
  std::string server, ca, cert, key, vkeys;
  std::vector<std::string> Flags() const { return {"--server", server, "--ca", ca, "--cert", cert, "--key", key}; }
};

Who WhoFor(const TestExchange& ex, const std::string& who, const std::string& server = "") {
  auto o = ex.ClientOptionsFor(who);
  auto vkey = [&](const std::string& file) {
    std::string v = testing::ReadText(ex.dir() + "/" + file);
    while (!v.empty() && (v.back() == '\n' || v.back() == ' ')) v.pop_back();
    return v;
  };
  return {server.empty() ? o.server : server, o.ca_file, o.cert_file, o.key_file,
          vkey("feed.key.vkey") + "," + vkey("freshness.key.vkey")};
}

using CtlResult = testing::BinaryRun;

// Runs exchangectl with `args`, `input` on stdin.
CtlResult Ctl(const std::vector<std::string>& args, const std::string& input = "") {
  return testing::RunBinary("exchangectl", args, input);
}

std::vector<std::string> Concat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

CtlResult Sync(const Who& who, const std::string& collection, const std::string& dir,
               const std::vector<std::string>& extra = {}) {
  return Ctl(Concat(
      Concat({"sync", "--collection", collection, "--mirror", dir, "--feed-vkey", who.vkeys}, who.Flags()), extra));
}

CtlResult Verify(const Who& who, const std::string& dir) {
  return Ctl({"mirror", "verify", dir, "--feed-vkey", who.vkeys});
}

uint64_t LogSize(client::ApiClient& api, const std::string& collection) {
  v1::LogsResponse logs;
  REQUIRE(api.Call("GET", "/v1/logs", nullptr, &logs).ok());
  for (const auto& l : logs.logs()) {
    if (l.name() == collection) return l.size();
  }
  FAIL("no log named " << collection);
  return 0;
}

// The mirror's signals, from `exchangectl export --format ndjson`.
std::map<std::pair<std::string, std::string>, v1::SignalState> MirrorState(const std::string& dir) {
  auto r = Ctl({"export", "--mirror", dir, "--format", "ndjson"});
  REQUIRE_MESSAGE(r.code == 0, r.err);
  std::map<std::pair<std::string, std::string>, v1::SignalState> out;
  std::istringstream lines(r.out);
  std::string line;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;  // last_index
  while (std::getline(lines, line)) {
    v1::SignalState state;
    REQUIRE(google::protobuf::util::JsonStringToMessage(line, &state, options).ok());
    out[{state.kind(), state.value()}] = state;
  }
  return out;
}

std::string PathSegment(const std::string& value) {
  std::string out;
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      AppendPercentEscape(c, out);
    }
  }
  return out;
}

// The mirror holds exactly what GET .../signals/{kind}/{value} answers.
void CheckAgainstServer(client::ApiClient& api, const std::string& collection,
                        const std::map<std::pair<std::string, std::string>, v1::SignalState>& mirror,
                        const std::vector<std::pair<std::string, std::string>>& keys) {
  for (const auto& key : keys) {
    auto it = mirror.find(key);
    REQUIRE_MESSAGE(it != mirror.end(), key.first << " " << key.second << " is missing from the mirror");
    v1::SignalInfo info;
    Status s =
        api.Call("GET", "/v1/collections/" + collection + "/signals/" + key.first + "/" + PathSegment(key.second),
                 nullptr, &info);
    REQUIRE_MESSAGE(s.ok(), s.ToString());
    CHECK_MESSAGE(google::protobuf::util::MessageDifferencer::Equals(info.state(), it->second),
                  key.first << " " << key.second << ": server " << info.state().ShortDebugString() << " mirror "
                            << it->second.ShortDebugString());
  }
}

// Every file of the mirror but the evidence and the lock, by name.
std::map<std::string, std::string> Snapshot(const std::string& dir) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (e.is_regular_file() && name != "lock") files[name] = testing::ReadText(e.path());
  }
  return files;
}

// The evidence directory of the latest refusal with `reason`; "" when none.
std::string Evidence(const std::string& dir, const std::string& reason) {
  std::string found;
  if (!fs::exists(dir + "/evidence")) return found;
  for (const auto& e : fs::directory_iterator(dir + "/evidence")) {
    const std::string name = e.path().filename().string();
    if (name.size() > reason.size() &&
        name.compare(name.size() - reason.size() - 1, std::string::npos, "-" + reason) == 0 &&
        e.path().string() > found) {
      found = e.path().string();
    }
  }
  return found;
}

}  // namespace

TEST_CASE("sync: 100,000 entries, incremental syncs, kill -9 and resume; the mirror equals the server") {
  TestExchange ex;
  auto [admin, alpha, beta] = ex.Clients("admin1", "alpha", "beta");
  testing::CreateCollection(*admin, "big");
  const Who member = WhoFor(ex, "alpha");
  std::mt19937_64 rng(6);
  TempDir work;
  const std::string m = work.path() + "/mirror", k = work.path() + "/killed";

  auto started = Clock::now();
  auto values = testing::SubmitRandomSha256(*alpha, "big", 100'000, rng);
  MESSAGE("submitted 100,000 signals in " << Since(started) << " s");

  started = Clock::now();
  auto full = Sync(member, "big", m);
  const double full_seconds = Since(started);
  REQUIRE_MESSAGE(full.code == 0, full.err);
  MESSAGE("initial sync of 100,000 entries: " << full_seconds << " s: " << full.out);
  CHECK(full.out.find("100000 new entries verified and applied (0 -> 100000)") != std::string::npos);
  // Not a terminal: no progress bar; only the note that no witness policy was given.
  CHECK_MESSAGE(full.err.find("is unwitnessed: without --witness-policy") != std::string::npos, full.err);
  CHECK_MESSAGE(full.err.find('\n') == full.err.size() - 1, full.err);

  // kill -9 at points spread over a sync of the same size, then resume.
  for (double fraction : {0.15, 0.4, 0.7, 0.95}) {
    ChildProcess sync(Concat(Concat({testing::BinDir() + "/exchangectl", "sync", "--collection", "big", "--mirror", k,
                                     "--feed-vkey", member.vkeys},
                                    member.Flags()),
                             {}),
                      {}, work.path() + "/killed.log");
    std::this_thread::sleep_for(std::chrono::duration<double>(full_seconds * fraction));
    sync.Signal(SIGKILL);
    REQUIRE(sync.Wait(std::chrono::seconds(10)).has_value());
    // Whatever the moment, what is committed verifies.
    if (fs::exists(k + "/state.sqlite")) {
      auto v = Verify(member, k);
      const bool consistent = v.code == 0 || v.err.find("no sync has completed") != std::string::npos ||
                              v.err.find("no mirror in") != std::string::npos;
      CHECK_MESSAGE(consistent, v.err);
    }
  }
  auto resumed = Sync(member, "big", k);
  REQUIRE_MESSAGE(resumed.code == 0, resumed.err);
  auto verified = Verify(member, k);
  CHECK_MESSAGE(verified.code == 0, verified.err);
  CHECK(verified.out.find("100000 entries") != std::string::npos);

  // Changes of every kind: new signals, contributions, opinions, a dispute, retractions.
  auto more = testing::SubmitRandomSha256(*alpha, "big", 40, rng);
  {
    v1::SubmitSignalsRequest request;
    for (size_t i = 0; i < 10; ++i) testing::AddSignal(request, "sha256", values[i], "B1")->add_labels("beta-label");
    REQUIRE(beta->Call("POST", "/v1/collections/big/signals", &request, nullptr).ok());
    v1::OpinionsRequest opinions;
    for (int i = 10; i < 15; ++i) {
      auto* o = opinions.add_opinions();
      o->set_kind("sha256");
      o->set_value(values[static_cast<std::size_t>(i)]);
      o->set_opinion(i < 12 ? "confirm" : "dispute");
      o->set_reason("checked");
    }
    REQUIRE(beta->Call("POST", "/v1/collections/big/opinions", &opinions, nullptr).ok());
    testing::Retract(*alpha, "big", "sha256", std::vector<std::string>(values.begin() + 20, values.begin() + 25));
  }
  const uint64_t size = LogSize(*alpha, "big");
  REQUIRE(size == 100'000 + 40 + 10 + 5 + 5);

  const auto before = fs::file_size(m + "/entries.log");
  started = Clock::now();
  auto incremental = Sync(member, "big", m);
  MESSAGE("incremental sync of 60 entries: " << Since(started) << " s");
  REQUIRE_MESSAGE(incremental.code == 0, incremental.err);
  CHECK(incremental.out.find("60 new entries verified and applied (100000 -> 100060)") != std::string::npos);
  CHECK(fs::file_size(m + "/entries.log") > before);

  // A kill in the middle of an incremental sync, too.
  {
    auto more_k = testing::SubmitRandomSha256(*alpha, "big", 5, rng);
    ChildProcess sync(Concat({testing::BinDir() + "/exchangectl", "sync", "--collection", "big", "--mirror", k,
                              "--feed-vkey", member.vkeys},
                             member.Flags()),
                      {}, work.path() + "/killed2.log");
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    sync.Signal(SIGKILL);
    sync.Wait(std::chrono::seconds(10));
  }
  REQUIRE(Sync(member, "big", k).code == 0);
  REQUIRE(Sync(member, "big", m).code == 0);
  auto again = Sync(member, "big", m);
  CHECK(again.out.find("up to date, 100065 entries") != std::string::npos);

  // Both mirrors verify offline, and equal each other and the server.
  for (const auto& dir : {m, k}) {
    auto v = Verify(member, dir);
    CHECK_MESSAGE(v.code == 0, v.err);
    CHECK(v.out.find("100065 entries") != std::string::npos);
    CHECK(v.out.find("100045 signals") != std::string::npos);
  }
  auto state = MirrorState(m);
  CHECK(state.size() == 100'045);
  const auto killed_state = MirrorState(k);
  bool same = state.size() == killed_state.size();
  for (auto a = state.cbegin(), b = killed_state.cbegin(); same && a != state.end(); ++a, ++b) {
    same = a->first == b->first && google::protobuf::util::MessageDifferencer::Equals(a->second, b->second);
  }
  CHECK_MESSAGE(same, "the mirror synced through kills differs from the one synced in one go");
  std::vector<std::pair<std::string, std::string>> sample;
  for (std::size_t i = 0; i < 30; ++i) sample.emplace_back("sha256", values[i]);  // every changed one
  for (std::size_t i = 0; i < 170; ++i) sample.emplace_back("sha256", values[rng() % values.size()]);
  for (const auto& v : more) sample.emplace_back("sha256", v);
  CheckAgainstServer(*alpha, "big", state, sample);
  CHECK(state.at({"sha256", values[22]}).status() == "retracted");
  CHECK(state.at({"sha256", values[3]}).contributors() == 2);
}

TEST_CASE("a tampered, rolled back, forked or re-signed feed is refused: mirror unchanged, evidence kept") {
  TestExchange ex;
  auto [admin, alpha] = ex.Clients("admin1", "alpha");
  testing::CreateCollection(*admin, "csam-known");
  std::mt19937_64 rng(7);
  TempDir work;
  const std::string dir = work.path() + "/mirror";
  const std::string path = "/v1/collections/csam-known";

  testing::SubmitRandomSha256(*alpha, "csam-known", 20, rng);
  auto note20 = alpha->GetText(path + "/checkpoint");
  REQUIRE(note20.ok());
  testing::SubmitRandomSha256(*alpha, "csam-known", 10, rng);

  TamperingProxy proxy(ex.pki() + "/server.pem", ex.pki() + "/server.key", ex.ClientOptionsFor("alpha"));
  const Who via_proxy = WhoFor(ex, "alpha", proxy.url());
  auto first = Sync(via_proxy, "csam-known", dir);
  REQUIRE_MESSAGE(first.code == 0, first.err);
  CHECK(proxy.requests() > 0);
  testing::SubmitRandomSha256(*alpha, "csam-known", 25, rng);  // the exchange now has 55 entries; the mirror 30
  const auto before = Snapshot(dir);
  REQUIRE(before.count("entries.log"));
  REQUIRE(before.count("state.sqlite"));
  REQUIRE(before.count("checkpoint"));

  // Each tampering: exit 4, the files as they were, the evidence in DIR/evidence/<time>-<reason>/.
  auto refused = [&](const Who& who, const std::string& reason, const std::vector<std::string>& extra = {}) {
    auto r = Sync(who, "csam-known", dir, extra);
    CHECK_MESSAGE(r.code == 4, reason << ": " << r.out << r.err);
    CHECK_MESSAGE(r.err.find("(" + reason + ")") != std::string::npos, r.err);
    CHECK_MESSAGE(Snapshot(dir) == before, reason << ": the mirror changed");
    const std::string evidence = Evidence(dir, reason);
    REQUIRE_MESSAGE(!evidence.empty(), reason << ": no evidence directory");
    CHECK(fs::exists(evidence + "/reason.txt"));
    CHECK(testing::ReadText(evidence + "/old-checkpoint.note") == before.at("checkpoint"));
    CHECK(fs::exists(evidence + "/new-checkpoint.note"));
    return evidence;
  };

  {  // one byte of one entry altered
    proxy.SetRewrite([](const std::string&, const std::string& target, client::HttpResult& answer) {
      if (target.find("/entries?") == std::string::npos || answer.status != 200) return;
      v1::EntryBundle bundle;
      REQUIRE(bundle.ParseFromString(answer.body));
      for (int i = 0; i < bundle.entries_size(); ++i) {
        if (bundle.start() + static_cast<uint64_t>(i) == 43) {
          std::string& e = *bundle.mutable_entries(i);
          e[e.size() / 2] = static_cast<char>(e[e.size() / 2] ^ 0x01);
        }
      }
      answer.body = bundle.SerializeAsString();
    });
    // Pages of 10: the refusal names the page [40, 50) and keeps it.
    const std::string evidence = refused(via_proxy, "altered-entries", {"--page", "10"});
    CHECK(fs::exists(evidence + "/entries-40-50.b64"));
    CHECK(fs::exists(evidence + "/consistency-proof.txt"));
    CHECK(testing::ReadText(evidence + "/reason.txt").find("the first bad page is [40, 50)") != std::string::npos);
  }
  {  // an old checkpoint replayed: rollback
    const std::string old = *note20;
    proxy.SetRewrite([old](const std::string&, const std::string& target, client::HttpResult& answer) {
      if (target.ends_with("/checkpoint")) answer.body = old;
    });
    const std::string evidence = refused(via_proxy, "rollback");
    CHECK(testing::ReadText(evidence + "/new-checkpoint.note") == old);
  }
  {  // a consistency proof that does not verify: fork
    proxy.SetRewrite([](const std::string&, const std::string& target, client::HttpResult& answer) {
      if (target.find("/proof/consistency?") == std::string::npos || answer.status != 200) return;
      v1::ProofResponse proof;
      REQUIRE(proof.ParseFromString(answer.body));
      REQUIRE(proof.hashes_size() > 0);
      (*proof.mutable_hashes(0))[0] ^= 0x01;
      answer.body = proof.SerializeAsString();
    });
    const std::string evidence = refused(via_proxy, "fork");
    CHECK(testing::ReadText(evidence + "/consistency-proof.txt").find("old=30 new=55") != std::string::npos);
  }
  {  // a checkpoint signed by an unknown key with the trusted key's name
    auto impostor = log::GenerateSigner("test.exchange");
    REQUIRE(impostor.ok());
    const log::Signer signer = *impostor;
    proxy.SetRewrite([signer](const std::string&, const std::string& target, client::HttpResult& answer) {
      if (!target.ends_with("/checkpoint")) return;
      const auto blank = answer.body.find("\n\n");
      const std::string text = answer.body.substr(0, blank + 1);
      std::string keep;  // the genuine freshness cosignature stays
      std::istringstream lines(answer.body.substr(blank + 2));
      for (std::string line; std::getline(lines, line);) {
        if (line.find("test.exchange/freshness ") != std::string::npos) keep += line + "\n";
      }
      auto note = log::SignNote(text, std::vector<log::Signer>{signer});
      REQUIRE(note.ok());
      answer.body = *note + keep;
    });
    refused(via_proxy, "unknown-key");
  }
  {  // a checkpoint whose signature by the trusted key is corrupted
    proxy.SetRewrite([](const std::string&, const std::string& target, client::HttpResult& answer) {
      if (!target.ends_with("/checkpoint")) return;
      const std::string prefix = "\xE2\x80\x94 test.exchange ";
      const auto at = answer.body.find(prefix);
      REQUIRE(at != std::string::npos);
      const auto start = at + prefix.size(), end = answer.body.find('\n', start);
      auto sig = log::Base64Decode(answer.body.substr(start, end - start));
      REQUIRE(sig.ok());
      std::string bytes = *sig;
      bytes.back() = static_cast<char>(bytes.back() ^ 0x01);
      answer.body.replace(start, end - start, log::Base64Encode(bytes));
    });
    refused(via_proxy, "bad-signature");
  }
  proxy.SetRewrite(nullptr);
  {  // a forked exchange: the same keys signing another history
    // The operator's nightmare: a server with the exchange's keys and name but
    // another database (a stale restore, a compromised replica).
    const std::string database = testing::PgCluster::Shared().CreateDatabase();
    auto run = [](const std::string& command) {
      auto r = testing::RunCommand(command + " 2>&1");
      REQUIRE_MESSAGE(r.exit_code == 0, command << ": " << r.output);
    };
    run(testing::BinDir() + "/exchanged migrate --database " + testing::ShellQuote(database));
    for (const auto& [who, org, role] :
         {std::tuple{"admin1", "coalition", "admin"}, std::tuple{"alpha", "alpha", "member"},
          std::tuple{"beta", "beta", "member"}}) {
      run(testing::BinDir() + "/exchanged credentials add --database " + testing::ShellQuote(database) + " --org " +
          org + " --role " + role + " --cert " + testing::ShellQuote(ex.pki() + "/" + who + ".pem"));
    }
    const int api_port = testing::FreePort(), ops_port = testing::FreePort();
    // The exchange's own flags (PKI, keys, name), another database: the last --database wins.
    auto forked = ex.StartServer(api_port, ops_port, {"--database=" + database}, "forked.log");
    REQUIRE_MESSAGE(TestExchange::WaitReady("127.0.0.1:" + std::to_string(ops_port), std::chrono::seconds(20)),
                    forked->Log());
    const std::string url = "https://localhost:" + std::to_string(api_port);
    auto client_for = [&](const std::string& who) {
      auto o = ex.ClientOptionsFor(who);
      o.server = url;
      auto http = client::HttpsClient::Create(o);
      REQUIRE(http.ok());
      return std::make_unique<client::ApiClient>(std::move(http).value());
    };
    auto forked_admin = client_for("admin1");
    auto forked_alpha = client_for("alpha");
    testing::CreateCollection(*forked_admin, "csam-known");
    const Who direct = WhoFor(ex, "alpha", url);

    testing::SubmitRandomSha256(*forked_alpha, "csam-known", 30, rng);  // the mirror's size, another root
    refused(direct, "fork");
    testing::SubmitRandomSha256(*forked_alpha, "csam-known", 25, rng);  // larger, not an extension
    const std::string evidence = refused(direct, "fork");
    CHECK(testing::ReadText(evidence + "/consistency-proof.txt").find("old=30 new=55") != std::string::npos);
    forked->Signal(SIGTERM);
    forked->Wait(std::chrono::seconds(10));
  }
  {  // the wrong origin
    auto r = Sync(via_proxy, "csam-known", work.path() + "/other", {"--origin", "elsewhere.example/csam-known"});
    CHECK(r.code == 4);
    CHECK(r.err.find("(wrong-origin)") != std::string::npos);
    const bool kept_entries =
        fs::exists(work.path() + "/other/entries.log") && fs::file_size(work.path() + "/other/entries.log") > 0;
    CHECK_FALSE(kept_entries);
  }

  // An honest feed afterwards is taken, and the mirror verifies.
  proxy.SetRewrite(nullptr);
  auto honest = Sync(via_proxy, "csam-known", dir);
  CHECK_MESSAGE(honest.code == 0, honest.err);
  CHECK(honest.out.find("25 new entries verified and applied (30 -> 55)") != std::string::npos);
  auto v = Verify(via_proxy, dir);
  CHECK_MESSAGE(v.code == 0, v.err);
}

TEST_CASE("submit a file in batches, re-run it idempotently, act on signals, match and export the mirror") {
  TestExchange ex;
  auto [admin, alpha] = ex.Clients("admin1", "alpha");
  testing::CreateCollection(*admin, "csam-known");
  const Who a = WhoFor(ex, "alpha");
  const Who b = WhoFor(ex, "beta");
  std::mt19937_64 rng(8);
  TempDir work;
  const std::string dir = work.path() + "/mirror";

  // A file whose SHA-256 gets shared, and one nobody shared.
  std::string photo(300'000, '\0');
  for (auto& c : photo) c = static_cast<char>(rng());
  WriteAll(work.path() + "/photo.jpg", photo);
  WriteAll(work.path() + "/clean.jpg", "nothing to see");
  const std::string photo_sha256 = HexEncode(std::span<const uint8_t>(log::Sha256(photo)));

  std::string csv = "kind,value,category,labels,reviewed,source_ref,expires_at,principles,pdq_quality\n";
  csv += "sha256," + photo_sha256 + ",A1,a;b,true,case-1,,1;3,\n";                             // line 2
  csv += "md5,D41D8CD98F00B204E9800998ECF8427E,A2,,false,,,,\n";                               // line 3
  csv += "md5,nope,A1,,,,,,\n";                                                                // line 4: rejected
  csv += "url,\"HTTP://u:p@Bad.EXAMPLE:80/a/../g#x\",B2,,,,,,\n";                              // line 5
  csv += "md5,too,few\n";                                                                      // line 6: bad
  csv += "keyword,\"bad \xff utf-8\",B1,,,,,,\n";                                              // line 7: bad
  csv += "pdq,f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22,A1,,,,,,90\n";  // line 8
  csv += "domain,bad.example,B1,,,,,,\n";                                                      // line 9
  csv += "sha1,da39a3ee5e6b4b0d3255bfef95601890afd80709,A1,,yes,,,,\n";                        // line 10
  csv += "md5,d41d8cd98f00b204e9800998ecf8427e,A1,,,,,,\n";                                    // line 11: same as 3
  for (int i = 0; i < 2'500; ++i) csv += "md5," + RandomHex(rng, 16) + ",A1,,,,,,\n";          // lines 12-2511
  WriteAll(work.path() + "/signals.csv", csv);
  const auto submit = Concat({"submit", "--collection", "csam-known", work.path() + "/signals.csv"}, a.Flags());

  auto first = Ctl(submit);
  CHECK(first.code == 1);  // some lines bad
  CHECK_MESSAGE(
      first.out.find("2508 signals in 3 batches to csam-known: 2506 created, 0 contribution_added, 1 unchanged, "
                     "1 rejected; 2 bad lines") != std::string::npos,
      first.out);
  CHECK(first.err.find("line 4: nope: md5") != std::string::npos);
  CHECK(first.err.find("line 6: too: line has 3 fields, the header has 9") != std::string::npos);
  CHECK(first.err.find("line 7: -: the line is not valid UTF-8") != std::string::npos);
  const uint64_t size = LogSize(*alpha, "csam-known");
  CHECK(size == 2506);

  auto second = Ctl(Concat(submit, {"--errors", work.path() + "/errors.csv"}));
  CHECK(second.code == 1);
  CHECK_MESSAGE(second.out.find("2508 signals in 3 batches to csam-known: 0 created, 0 contribution_added, 2507 "
                                "unchanged, 1 rejected; 2 bad lines") != std::string::npos,
                second.out);
  CHECK(LogSize(*alpha, "csam-known") == size);  // nothing appended
  const std::string errors = testing::ReadText(work.path() + "/errors.csv");
  CHECK(errors.find("line,value,reason\n") == 0);
  CHECK(errors.find("4,nope,\"md5 contains 'n', which is not a hex digit\"\n") != std::string::npos);

  // NDJSON, with a bad line; beta's contribution to an existing signal.
  WriteAll(work.path() + "/more.ndjson",
           "{\"kind\": \"md5\", \"value\": \"d41d8cd98f00b204e9800998ecf8427e\", \"category\": \"B1\"}\n"
           "{\"kind\": \"md5\", \"valu\": \"x\"}\n\n"
           "{\"kind\": \"account_id\", \"value\": \"email:Alice@Example.COM\", \"labels\": [\"grooming\"]}\n");
  auto nd = Ctl(
      Concat({"submit", "--collection", "csam-known", work.path() + "/more.ndjson", "--output", "json"}, b.Flags()));
  CHECK(nd.code == 1);
  CHECK_MESSAGE(nd.out.find("\"created\": 1, \"contribution_added\": 1, \"unchanged\": 0, \"rejected\": 0, "
                            "\"bad_lines\": 1") != std::string::npos,
                nd.out);
  CHECK(nd.err.find("line 2: -: not a SignalSubmission") != std::string::npos);

  // Opinions, retractions, sightings: one value, or a file.
  auto dispute = Ctl(Concat({"opinion", "--collection", "csam-known", "--kind", "md5", "--value",
                             "d41d8cd98f00b204e9800998ecf8427e", "dispute", "--reason", "adult content"},
                            b.Flags()));
  CHECK_MESSAGE(dispute.code == 0, dispute.err);
  CHECK(dispute.out.find("opinions: 1 ok, 0 rejected") != std::string::npos);
  WriteAll(work.path() + "/opinions.csv", "kind,value,opinion\nsha256," + photo_sha256 +
                                              ",confirm\nmd5,00000000000000000000000000000000,confirm\n"
                                              "sha1,da39a3ee5e6b4b0d3255bfef95601890afd80709,\n");
  auto confirm = Ctl(
      Concat({"opinion", "--collection", "csam-known", "--file", work.path() + "/opinions.csv", "confirm"}, b.Flags()));
  CHECK(confirm.code == 1);
  CHECK(confirm.out.find("opinions: 2 ok, 1 rejected; 0 bad lines") != std::string::npos);
  CHECK(confirm.err.find("line 3: 00000000000000000000000000000000: no md5 signal") != std::string::npos);
  auto retract = Ctl(
      Concat({"retract", "--collection", "csam-known", "--kind", "url", "--value", "http://bad.example/g"}, a.Flags()));
  CHECK_MESSAGE(retract.code == 0, retract.err);
  auto sighting = Ctl(Concat({"sighting", "--collection", "csam-known", "--kind", "sha256", "--value", photo_sha256,
                              "--action", "removed", "--seconds-to-action", "120"},
                             a.Flags()));
  CHECK_MESSAGE(sighting.code == 0, sighting.err);
  auto bad_sighting = Ctl(Concat(
      {"sighting", "--collection", "csam-known", "--kind", "sha256", "--value", photo_sha256, "--action", "shrugged"},
      a.Flags()));
  CHECK(bad_sighting.code == 1);
  CHECK(bad_sighting.out.find("sightings: 0 ok, 1 rejected") != std::string::npos);

  // The mirror: every signal of the collection equals the server's.
  auto synced = Sync(a, "csam-known", dir);
  REQUIRE_MESSAGE(synced.code == 0, synced.err);
  auto state = MirrorState(dir);
  CHECK(state.size() == 2'507);
  std::vector<std::pair<std::string, std::string>> all;
  for (const auto& [key, s] : state) all.push_back(key);
  CheckAgainstServer(*alpha, "csam-known", state, all);
  CHECK(state.at({"md5", "d41d8cd98f00b204e9800998ecf8427e"}).disputes() == 1);
  CHECK(state.at({"url", "http://bad.example/g"}).status() == "retracted");

  // Offline proofs: the entry that listed a signal, as a C2SP tlog-proof file, verifies with no server.
  auto proof = Ctl({"proof", "--mirror", dir, "url", "http://bad.example/g"});
  REQUIRE_MESSAGE(proof.code == 0, proof.err);
  CHECK(proof.out.starts_with("c2sp.org/tlog-proof@v1\nextra "));
  CHECK(proof.out.find("\n\n" + testing::ReadText(dir + "/checkpoint")) != std::string::npos);
  const std::string proof_file = work.path() + "/url.tlog-proof";
  WriteAll(proof_file, proof.out);
  auto proved = Ctl({"proof", "verify", proof_file, "--feed-vkey", a.vkeys});
  CHECK_MESSAGE(proved.code == 0, proved.err);
  CHECK_MESSAGE(proved.out.find("verified: url http://bad.example/g (STATUS) is entry ") != std::string::npos,
                proved.out);
  // A raw spelling is canonicalized first; the JSON names the latest entry of that signal.
  auto md5_proof = Ctl({"proof", "--mirror", dir, "md5", "D41D8CD98F00B204E9800998ECF8427E"});
  REQUIRE_MESSAGE(md5_proof.code == 0, md5_proof.err);
  WriteAll(work.path() + "/md5.tlog-proof", md5_proof.out);
  auto md5_json = Ctl({"proof", "verify", work.path() + "/md5.tlog-proof", "--feed-vkey", a.vkeys, "--output", "json"});
  CHECK_MESSAGE(md5_json.code == 0, md5_json.err);
  CHECK(md5_json.out.find("\"verified\": true") != std::string::npos);
  CHECK(md5_json.out.find("\"value\": \"d41d8cd98f00b204e9800998ecf8427e\"") != std::string::npos);
  CHECK_MESSAGE(md5_json.out.find("\"size\": " + std::to_string(LogSize(*alpha, "csam-known"))) != std::string::npos,
                md5_json.out);
  // Tampered files, another origin, an entry that does not list the signal, a signal never listed.
  for (std::size_t at : {proof.out.find("extra ") + 10, proof.out.find("index ") + 6, proof.out.size() - 5}) {
    std::string tampered = proof.out;
    tampered[at] = static_cast<char>(tampered[at] ^ 0x01);
    WriteAll(work.path() + "/tampered.tlog-proof", tampered);
    auto refused = Ctl({"proof", "verify", work.path() + "/tampered.tlog-proof", "--feed-vkey", a.vkeys});
    CHECK_MESSAGE(refused.code == 4, "byte " << at << ": " << refused.out << refused.err);
    CHECK(refused.err.find("does not verify") != std::string::npos);
  }
  CHECK(Ctl({"proof", "verify", proof_file, "--feed-vkey", a.vkeys, "--origin", "other/csam-known"}).code == 4);
  auto wrong_index = Ctl({"proof", "--mirror", dir, "--index", "0", "url", "http://bad.example/g"});
  CHECK(wrong_index.code == 1);
  CHECK(wrong_index.err.find("entry 0 lists sha256") != std::string::npos);
  CHECK(Ctl({"proof", "--mirror", dir, "md5", std::string(32, 'e')}).code == 1);

  // match: a file, values from stdin, values on the command line.
  auto photo_match =
      Ctl({"match", "--mirror", dir, "--file", work.path() + "/photo.jpg", "--file", work.path() + "/clean.jpg"});
  CHECK(photo_match.code == 0);
  CHECK_MESSAGE(photo_match.out.find("photo.jpg: MATCH sha256 " + photo_sha256 +
                                     ": active, categories A1, 1 contributor, confirmed by 1, disputed by 0, "
                                     "human-reviewed") != std::string::npos,
                photo_match.out);
  CHECK(photo_match.out.find("clean.jpg: no match") != std::string::npos);
  const std::string unknown_md5(32, 'f');
  auto from_stdin = Ctl({"match", "--mirror", dir}, "D41D8CD98F00B204E9800998ECF8427E\n\n" + unknown_md5 + "\n");
  CHECK(from_stdin.code == 0);
  CHECK(from_stdin.out.find("MATCH md5 d41d8cd98f00b204e9800998ecf8427e: active, categories A2;B1, 2 contributors, "
                            "confirmed by 0, disputed by 1") != std::string::npos);
  CHECK(from_stdin.out.find(unknown_md5 + ": no match") != std::string::npos);
  auto nothing = Ctl({"match", "--mirror", dir, "0123456789abcdef0123456789abcdef"});
  CHECK(nothing.code == 1);
  auto json = Ctl({"match", "--mirror", dir, "--output", "json",
                   "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22", "www.bad.example",
                   "http://bad.example/g"});
  CHECK(json.code == 0);
  CHECK(json.out.find("\"matched\": 2,") != std::string::npos);  // pdq, and the parent domain; the url is a tombstone
  CHECK(json.out.find("\"rule\": \"suffix\"") != std::string::npos);
  CHECK(json.out.find("\"status\":\"retracted\"") != std::string::npos);

  // export
  auto exported = Ctl({"export", "--mirror", dir, "--format", "csv", "--kind", "md5", "--status", "active"});
  CHECK(exported.code == 0);
  CHECK(exported.out.find("kind,value,status,categories,labels,principles,contributors,confirmations,disputes,reviewed,"
                          "first_seen_ms,pdq_quality,contributor_orgs,last_index\n") == 0);
  CHECK(std::count(exported.out.begin(), exported.out.end(), '\n') == 1 + 2'501);
  // The python-threatexchange signal file, read back the way pytx's file collaboration reads it.
  auto pytx = Ctl({"export", "--mirror", dir, "--format", "pytx"});
  CHECK(pytx.code == 0);
  CHECK(pytx.out.find("video_sha256 " + photo_sha256 + "\n") != std::string::npos);
  CHECK(pytx.out.find("video_md5 d41d8cd98f00b204e9800998ecf8427e\n") != std::string::npos);
  CHECK(pytx.out.find("pdq f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22\n") != std::string::npos);
  CHECK(pytx.out.find("url ") == std::string::npos);                                  // retracted
  CHECK_MESSAGE(pytx.err.find("left out 3 signals") != std::string::npos, pytx.err);  // domain, sha1, account_id
  WriteAll(work.path() + "/signals.pytx", pytx.out);
  auto pytx_read = testing::RunCommand(
      "python3 " + testing::ShellQuote(std::string(EXCHANGE_SOURCE_DIR) + "/tests/support/pytx_file_check.py") + " " +
      testing::ShellQuote(work.path() + "/signals.pytx") + " 2>&1");
  CHECK_MESSAGE(pytx_read.exit_code == 0, pytx_read.output);
  CHECK(pytx_read.output == "pdq 1\nvideo_md5 2501\nvideo_sha256 1\n");
  // A MISP feed directory, read back the way MISP's feed fetcher reads it.
  const std::string feed = work.path() + "/misp-feed";
  auto misp = Ctl({"export", "--mirror", dir, "--format", "misp", feed});
  CHECK_MESSAGE(misp.code == 0, misp.err);
  CHECK_MESSAGE(misp.err.find("left out 1 signals") != std::string::npos, misp.err);  // the retracted url
  auto misp_read = testing::RunCommand(
      "python3 " + testing::ShellQuote(std::string(EXCHANGE_SOURCE_DIR) + "/tests/support/misp_feed_check.py") + " " +
      testing::ShellQuote(feed) + " test.exchange csam-known 2>&1");
  CHECK_MESSAGE(misp_read.exit_code == 0, misp_read.output);
  CHECK(misp_read.output == "domain 1\nmd5 2501\npdq 1\nsha1 1\nsha256 1\ntext 1\n");
  CHECK(Ctl({"export", "--mirror", dir, "--format", "misp"}).code == 2);  // no FEEDDIR
  auto te = Ctl({"export", "--mirror", dir, "--format", "te"});
  CHECK(te.code == 2);
  CHECK(te.err.find("use --format pytx") != std::string::npos);

  // A mirror belongs to one collection.
  auto other = Sync(a, "elsewhere", dir);
  CHECK(other.code == 2);
  CHECK(other.err.find("holds collection csam-known, not elsewhere") != std::string::npos);

  // --follow picks up new entries as they come, until SIGINT ends it cleanly.
  ChildProcess follow(Concat({testing::BinDir() + "/exchangectl", "sync", "--collection", "csam-known", "--mirror", dir,
                              "--feed-vkey", a.vkeys, "--follow", "1"},
                             a.Flags()),
                      {}, work.path() + "/follow.log");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  testing::SubmitRandomSha256(*alpha, "csam-known", 3, rng);
  const auto deadline = Clock::now() + std::chrono::seconds(15);
  while (follow.Log().find("3 new entries verified and applied") == std::string::npos && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK_MESSAGE(follow.Log().find("3 new entries verified and applied") != std::string::npos, follow.Log());
  follow.Signal(SIGINT);
  CHECK(follow.Wait(std::chrono::seconds(10)) == std::optional<int>(0));
  CHECK(Verify(a, dir).code == 0);
}
