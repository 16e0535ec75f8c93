// SPDX-License-Identifier: Apache-2.0
// The logs as C2SP tlog-tiles, end to end against a real exchanged: for logs
// of 0, 1, 255, 256, 257 and 70,000 entries every tile of the signed tree is
// served, the tiles hash to the signed root, the entry bundles hash to the
// level-0 tiles and are the bytes of the entries endpoint, and proofs built
// from tiles are the proof endpoints' answers. Cache headers, tiles beyond
// the tree (404), malformed paths (400), grants (403) and the audit log.
// exchangectl sync --tiles builds the same mirror as a sync through the
// entries endpoint, catches up with consistency proofs from hash tiles, and
// refuses an altered entry bundle or hash tile (exit 4) through a tampering proxy.
#include <doctest/doctest.h>

#include <chrono>
#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include "collections.h"
#include "common/hex.h"
#include "exchange/v1/feed.pb.h"
#include "exchange/v1/signals.pb.h"
#include "log/checkpoint_note.h"
#include "log/encoding.h"
#include "log/hash.h"
#include "log/merkle.h"
#include "log/tiles.h"
#include "process.h"
#include "tampering_proxy.h"
#include "test_exchange.h"

using namespace exchange;
using exchange::testing::TestExchange;

namespace {

using Clock = std::chrono::steady_clock;

double Since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

constexpr const char* kImmutable = "public, max-age=31536000, immutable";

// Submits `count` new sha256 signals (one log entry each), 10,000 a batch.
void SubmitRandom(client::ApiClient& api, const std::string& collection, uint64_t count, std::mt19937_64& rng) {
  for (uint64_t done = 0; done < count;) {
    v1::SubmitSignalsRequest request;
    const uint64_t n = std::min<uint64_t>(10'000, count - done);
    for (uint64_t i = 0; i < n; ++i) {
      auto* s = request.add_signals();
      std::string raw(32, '\0');
      for (auto& b : raw) b = static_cast<char>(rng());
      s->set_kind("sha256");
      s->set_value(HexEncode(raw));
      s->set_category("A1");
    }
    Status s = api.Call("POST", "/v1/collections/" + collection + "/signals", &request, nullptr);
    REQUIRE_MESSAGE(s.ok(), s.ToString());
    done += n;
  }
}

client::HttpResult Get(client::ApiClient& api, const std::string& target) {
  auto r = api.http().Send("GET", target);
  REQUIRE_MESSAGE(r.ok(), target << ": " << r.status().ToString());
  return *r;
}

std::vector<log::Verifier> FeedKeys(client::ApiClient& api) {
  v1::KeysResponse keys;
  REQUIRE(api.Call("GET", "/v1/keys", nullptr, &keys).ok());
  std::vector<log::Verifier> out;
  for (const auto& vkey : keys.feed_vkeys()) out.push_back(log::Verifier::Parse(vkey).value());
  return out;
}

std::string OriginOf(client::ApiClient& api, const std::string& log_name) {
  v1::LogsResponse logs;
  REQUIRE(api.Call("GET", "/v1/logs", nullptr, &logs).ok());
  for (const auto& l : logs.logs()) {
    if (l.name() == log_name) return l.origin();
  }
  FAIL("no log named " << log_name);
  return "";
}

// The signed checkpoint at `prefix`/checkpoint, verified.
log::Checkpoint FetchCheckpoint(client::ApiClient& api, const std::string& prefix, const std::string& origin) {
  auto r = Get(api, prefix + "/checkpoint");
  REQUIRE_MESSAGE(r.status == 200, r.body);
  CHECK(r.content_type == "text/plain; charset=utf-8");
  CHECK(r.Header("Cache-Control") == "no-cache");
  auto verified = log::VerifyCheckpointNote(r.body, FeedKeys(api), {}, origin);
  REQUIRE_MESSAGE(verified.ok(), verified.status().ToString());
  return verified->checkpoint;
}

std::vector<log::Hash> ProofHashes(client::ApiClient& api, const std::string& target) {
  v1::ProofResponse proof;
  Status s = api.Call("GET", target, nullptr, &proof);
  REQUIRE_MESSAGE(s.ok(), target << ": " << s.ToString());
  std::vector<log::Hash> out;
  for (const auto& h : proof.hashes()) out.push_back(log::HashFromBytes(h).value());
  return out;
}

// The bytes of `tile` (hashes or an entry bundle) under `prefix`, REQUIREd to
// be served (200) as bytes, cacheable for good once full.
std::string FetchTile(client::ApiClient& api, const std::string& prefix, const log::Tile& tile) {
  auto r = Get(api, prefix + "/" + log::TilePath(tile));
  REQUIRE_MESSAGE(r.status == 200, r.body);
  CHECK(r.content_type == "application/octet-stream");
  CHECK(r.Header("Cache-Control") == (tile.full() ? kImmutable : "public, max-age=5"));
  return r.body;
}

// Every entry of the log through the entries endpoint.
std::vector<std::string> EntriesEndpoint(client::ApiClient& api, const std::string& log_path, uint64_t size) {
  std::vector<std::string> entries = testing::FetchEntries(api, log_path, size, 10000);
  entries.resize(size);
  return entries;
}

// Fetches every tile and entry bundle of the tree of the log at `log_path`
// (its /tlog prefix) that the signed checkpoint names, and checks them as a
// tlog-tiles client would, against the checkpoint and the older endpoints.
void CheckTiles(client::ApiClient& api, const std::string& log_path, const std::string& origin,
                uint64_t expected_size) {
  const std::string prefix = log_path + "/tlog";
  const log::Checkpoint checkpoint = FetchCheckpoint(api, prefix, origin);
  REQUIRE(checkpoint.size == expected_size);
  const uint64_t size = checkpoint.size;

  auto started = Clock::now();
  log::TileHashes tiles;
  for (const log::Tile& tile : log::TilesOfTree(size)) {
    CAPTURE(log::TilePath(tile));
    auto hashes = log::DecodeHashTile(FetchTile(api, prefix, tile), tile.width);
    REQUIRE_MESSAGE(hashes.ok(), hashes.status().ToString());
    tiles[tile] = *hashes;
  }
  const double tile_seconds = Since(started);
  Status verified = log::VerifyTilesAgainstRoot(size, tiles, checkpoint.root);
  CHECK_MESSAGE(verified.ok(), verified.ToString());

  started = Clock::now();
  std::vector<std::string> from_bundles;
  for (const log::Tile& bundle : log::EntryBundlesOfTree(size)) {
    CAPTURE(log::TilePath(bundle));
    auto entries = log::DecodeEntryBundle(FetchTile(api, prefix, bundle), bundle.width);
    REQUIRE_MESSAGE(entries.ok(), entries.status().ToString());
    const auto& leaf_tile = tiles.at({log::TileKind::kHashes, 0, bundle.index, bundle.width});
    Status matches = log::CheckBundleAgainstTile(*entries, leaf_tile);
    CHECK_MESSAGE(matches.ok(), matches.ToString());
    from_bundles.insert(from_bundles.end(), entries->begin(), entries->end());
  }
  const double bundle_seconds = Since(started);
  MESSAGE(log_path << " (" << size << " entries): " << tiles.size() << " hash tiles in " << tile_seconds << " s, "
                   << log::EntryBundlesOfTree(size).size() << " entry bundles in " << bundle_seconds << " s");
  // The entries are the exact bytes the entries endpoint serves.
  CHECK(from_bundles == EntriesEndpoint(api, log_path, size));

  if (size == 0) return;
  // Proofs from the tiles are the proof endpoints' answers.
  std::set<uint64_t> indexes{0, size / 3, size / 2, size - 1};
  for (uint64_t i : {uint64_t{254}, uint64_t{255}, uint64_t{256}, uint64_t{65'535}, uint64_t{65'536}}) {
    if (i < size) indexes.insert(i);
  }
  for (uint64_t index : indexes) {
    CAPTURE(index);
    auto plan = log::PlanInclusionProof(index, size).value();
    auto nodes = log::NodesFromTiles(plan.AllNodes(), tiles);
    REQUIRE_MESSAGE(nodes.ok(), nodes.status().ToString());
    auto from_tiles = plan.Assemble(*nodes).value();
    CHECK(from_tiles == ProofHashes(api, log_path + "/proof/inclusion?index=" + std::to_string(index) +
                                             "&size=" + std::to_string(size)));
    CHECK(log::VerifyInclusion(index, size, log::LeafHash(from_bundles[index]), from_tiles, checkpoint.root).ok());
  }
  for (uint64_t old_size : indexes) {
    if (old_size == 0) continue;
    CAPTURE(old_size);
    auto plan = log::PlanConsistencyProof(old_size, size).value();
    auto nodes = log::NodesFromTiles(plan.AllNodes(), tiles);
    REQUIRE_MESSAGE(nodes.ok(), nodes.status().ToString());
    CHECK(plan.Assemble(*nodes).value() ==
          ProofHashes(
              api, log_path + "/proof/consistency?old=" + std::to_string(old_size) + "&new=" + std::to_string(size)));
  }
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

// exchangectl `args` as `who`, stderr with stdout.
testing::CommandResult Ctl(const TestExchange& ex, const std::string& who, const std::vector<std::string>& args,
                           const std::string& server = "") {
  auto o = ex.ClientOptionsFor(who);
  if (!server.empty()) o.server = server;
  std::string command = testing::ShellQuote(testing::BinDir() + "/exchangectl");
  for (const auto& a : args) command += " " + testing::ShellQuote(a);
  for (const auto& a : {"--server", o.server.c_str(), "--ca", o.ca_file.c_str(), "--cert", o.cert_file.c_str(), "--key",
                        o.key_file.c_str()}) {
    command += " " + testing::ShellQuote(a);
  }
  return testing::RunCommand(command + " 2>&1");
}

// The status and the error message of a GET.
std::pair<int, std::string> StatusOf(client::ApiClient& api, const std::string& target) {
  auto r = Get(api, target);
  return {r.status, r.status == 200 ? std::string() : client::StatusFromErrorResponse(r).message()};
}

}  // namespace

TEST_CASE("tiles of logs with 0, 1, 255, 256, 257 and 70,000 entries hash to the signed root and match the proofs") {
  TestExchange ex;
  auto [admin, alpha] = ex.Clients("admin1", "alpha");
  std::mt19937_64 rng(15);
  for (uint64_t size : {0, 1, 255, 256, 257, 70'000}) {
    const std::string name = "tiles-" + std::to_string(size);
    CAPTURE(name);
    testing::CreateCollection(*admin, name, {"alpha"});
    auto started = Clock::now();
    SubmitRandom(*alpha, name, size, rng);
    if (size > 1000) MESSAGE("appended " << size << " entries in " << Since(started) << " s");
    started = Clock::now();
    CheckTiles(*alpha, "/v1/collections/" + name, OriginOf(*alpha, name), size);
    if (size > 1000) {
      // Served quickly: every hash tile and bundle of 70,000 entries, one
      // request at a time, plus the entries and proof endpoints to compare
      // with (about 1 s on the 2-core CI machine; 13 s before TCP_NODELAY).
      const double seconds = Since(started);
      MESSAGE("checked every tile of " << size << " entries in " << seconds << " s");
      CHECK(seconds < 10);
    }
  }

  const std::string t = "/v1/collections/tiles-257/tlog/";
  {  // Narrower partial tiles of an older tree stay readable.
    CHECK(StatusOf(*alpha, t + "tile/0/000.p/100").first == 200);
    CHECK(StatusOf(*alpha, t + "tile/entries/000.p/100").first == 200);
    auto r = Get(*alpha, t + "tile/0/000.p/100");
    auto full = Get(*alpha, t + "tile/0/000");
    CHECK(r.body == full.body.substr(0, 100 * 32));
  }
  {  // Tiles beyond the tree are 404, malformed paths 400, each saying why.
    for (const std::string beyond :
         {"tile/0/001", "tile/0/001.p/2", "tile/1/000.p/2", "tile/2/000.p/1", "tile/entries/001.p/2",
          "tile/63/x018/x446/x744/x073/x709/x551/615", "tile/entries/x018/x446/x744/x073/x709/x551/615"}) {
      CAPTURE(beyond);
      auto [status, message] = StatusOf(*alpha, t + beyond);
      CHECK(status == 404);
      CHECK(message == beyond + " is not in the tree: the log has 257 entries");
    }
    for (const std::string malformed :
         {"tile/0/1", "tile/00/000", "tile/64/000", "tile/0/x000/001", "tile/0/000.p/0", "tile/0/000.p/256",
          "tile/entries/000.p", "tile/x/000", "tile/0/x018/x446/x744/x073/x709/x551/616"}) {
      CAPTURE(malformed);
      auto [status, message] = StatusOf(*alpha, t + malformed);
      CHECK(status == 400);
      CHECK(message.find("not a tlog-tiles path: " + malformed) == 0);
    }
    CHECK(StatusOf(*alpha, t + "tile").first == 404);  // no tile named at all: no route
    CHECK(StatusOf(*alpha, t + "tile/0/000/").first == 404);
    CHECK(StatusOf(*alpha, "/v1/collections/tiles-0/tlog/tile/0/000.p/1").first == 404);
    CHECK(StatusOf(*alpha, "/v1/collections/tiles-0/tlog/tile/entries/000.p/1").first == 404);
  }
}

TEST_CASE("tiles need the same access as the feed: grants, staff, and the audit log") {
  TestExchange ex;
  auto [admin, alpha, beta, auditor] = ex.Clients("admin1", "alpha", "beta", "auditor");
  testing::CreateCollection(*admin, "granted-tiles", {"alpha"});
  std::mt19937_64 rng(16);
  SubmitRandom(*alpha, "granted-tiles", 300, rng);

  const std::string c = "/v1/collections/granted-tiles/tlog/";
  for (const std::string path : {"checkpoint", "tile/0/000", "tile/0/001.p/44", "tile/1/000.p/1", "tile/entries/000",
                                 "tile/entries/001.p/44", "tile/0/999", "tile/bad"}) {
    CAPTURE(path);
    // A member without a grant learns nothing, whatever the path names.
    auto [status, message] = StatusOf(*beta, c + path);
    CHECK(status == 403);
    CHECK(message == "your organisation has no access to collection granted-tiles");
    CHECK(StatusOf(*beta, "/v1/collections/no-such-collection/tlog/" + path).second ==
          "your organisation has no access to collection no-such-collection");
    const int expected = path == "tile/0/999" ? 404 : path == "tile/bad" ? 400 : 200;
    CHECK(StatusOf(*alpha, c + path).first == expected);
    CHECK(StatusOf(*admin, c + path).first == expected);
    CHECK(StatusOf(*auditor, c + path).first == expected);
  }

  // The audit log: admins and auditors only; its tiles hash to its signed root.
  const std::string origin = OriginOf(*admin, "audit");
  const uint64_t audit_size = FetchCheckpoint(*auditor, "/v1/audit/tlog", origin).size;
  REQUIRE(audit_size > 0);
  CheckTiles(*auditor, "/v1/audit", origin, audit_size);
  for (const std::string path : {"checkpoint", "tile/0/000.p/1", "tile/entries/000.p/1"}) {
    CAPTURE(path);
    auto [status, message] = StatusOf(*alpha, "/v1/audit/tlog/" + path);
    CHECK(status == 403);
    CHECK(message == "only admins and auditors read the audit log");
    CHECK(StatusOf(*admin, "/v1/audit/tlog/" + path).first == 200);
  }
}

TEST_CASE("exchangectl sync --tiles builds the mirror a sync through the entries endpoint builds") {
  TestExchange ex;
  auto [admin, alpha] = ex.Clients("admin1", "alpha");
  testing::CreateCollection(*admin, "synced", {"alpha"});
  std::mt19937_64 rng(18);
  SubmitRandom(*alpha, "synced", 70'000, rng);
  const std::string vkeys = ReadFile(ex.dir() + "/feed.key.vkey") + "," + ReadFile(ex.dir() + "/freshness.key.vkey");
  testing::TempDir work;
  const std::string by_tiles = work.path() + "/tiles", by_entries = work.path() + "/entries";
  auto sync = [&](const std::string& dir, std::vector<std::string> extra) {
    std::vector<std::string> args{"sync", "--collection", "synced", "--mirror", dir, "--feed-vkey", vkeys};
    args.insert(args.end(), extra.begin(), extra.end());
    auto started = Clock::now();
    auto r = Ctl(ex, "alpha", args);
    MESSAGE("sync " << (extra.empty() ? "(entries)" : extra[0]) << ": " << Since(started) << " s: " << r.output);
    return r;
  };

  auto tiles = sync(by_tiles, {"--tiles", "--in-flight", "8"});
  REQUIRE(tiles.exit_code == 0);
  CHECK(tiles.output.find("70000 new entries verified and applied (0 -> 70000)") != std::string::npos);
  auto entries = sync(by_entries, {});
  REQUIRE(entries.exit_code == 0);
  auto export_of = [&](const std::string& dir) {
    auto r = Ctl(ex, "alpha", {"export", "--mirror", dir, "--format", "ndjson"});
    REQUIRE(r.exit_code == 0);
    return r.output;
  };
  const std::string exported = export_of(by_tiles);
  CHECK(exported.size() > 70'000 * 64);
  CHECK(exported == export_of(by_entries));
  auto verified = Ctl(ex, "alpha", {"mirror", "verify", by_tiles, "--feed-vkey", vkeys});
  CHECK_MESSAGE(verified.exit_code == 0, verified.output);

  // Catching up: a consistency proof from hash tiles, bundles from a partial one on.
  SubmitRandom(*alpha, "synced", 300, rng);
  auto more = sync(by_tiles, {"--tiles"});
  REQUIRE(more.exit_code == 0);
  CHECK(more.output.find("300 new entries verified and applied (70000 -> 70300)") != std::string::npos);
  SubmitRandom(*alpha, "synced", 1, rng);
  auto one = sync(by_tiles, {"--tiles", "--in-flight", "1"});
  REQUIRE(one.exit_code == 0);
  CHECK(one.output.find("1 new entry verified and applied (70300 -> 70301)") != std::string::npos);
  // Those proofs came from hash tiles: the proof endpoint has not been asked yet.
  auto count = [&](const std::string& needle) {
    auto r = testing::RunCommand("grep -c " + testing::ShellQuote(needle) + " " +
                                 testing::ShellQuote(ex.dir() + "/exchanged.log"));
    return std::stoi(r.output.empty() ? "0" : r.output);
  };
  CHECK(count("/proof/consistency") == 0);
  // (The request log names routes: 274 + 2 + 1 entry bundles and the hash tiles of two proofs.)
  CHECK(count("/tlog/tile/{tile...}") > 274 + 2 + 1);
  REQUIRE(sync(by_entries, {}).exit_code == 0);
  CHECK(count("/proof/consistency") > 0);
  CHECK(export_of(by_tiles) == export_of(by_entries));

  auto bad = Ctl(
      ex, "alpha",
      {"sync", "--collection", "synced", "--mirror", by_tiles, "--feed-vkey", vkeys, "--tiles", "--in-flight", "0"});
  CHECK(bad.exit_code != 0);
  CHECK(bad.output.find("--in-flight must be between 1 and 32") != std::string::npos);
  // Without read access the tiles are refused as the entries are.
  auto refused =
      Ctl(ex, "beta",
          {"sync", "--collection", "synced", "--mirror", work.path() + "/beta", "--feed-vkey", vkeys, "--tiles"});
  CHECK(refused.exit_code != 0);
  CHECK(refused.output.find("no access to collection synced") != std::string::npos);
}

TEST_CASE("exchangectl sync --tiles refuses an altered entry bundle or hash tile") {
  TestExchange ex;
  auto [admin, alpha] = ex.Clients("admin1", "alpha");
  testing::CreateCollection(*admin, "guarded", {"alpha"});
  std::mt19937_64 rng(19);
  SubmitRandom(*alpha, "guarded", 300, rng);
  const std::string vkeys = ReadFile(ex.dir() + "/feed.key.vkey") + "," + ReadFile(ex.dir() + "/freshness.key.vkey");
  testing::TamperingProxy proxy(ex.pki() + "/server.pem", ex.pki() + "/server.key", ex.ClientOptionsFor("alpha"));
  testing::TempDir work;
  const std::string dir = work.path() + "/mirror";
  auto sync = [&] {
    return Ctl(ex, "alpha", {"sync", "--collection", "guarded", "--mirror", dir, "--feed-vkey", vkeys, "--tiles"},
               proxy.url());
  };
  REQUIRE(sync().exit_code == 0);
  SubmitRandom(*alpha, "guarded", 300, rng);

  // The last byte of the first bundle's last entry.
  proxy.SetRewrite([](const std::string&, const std::string& target, client::HttpResult& answer) {
    if (target.find("/tlog/tile/entries/001") != std::string::npos && !answer.body.empty()) answer.body.back() ^= 1;
  });
  auto altered = sync();
  CHECK(altered.exit_code == 4);
  CHECK(altered.output.find("(altered-entries)") != std::string::npos);
  // A hash of a level-0 tile that the consistency proof from 300 needs.
  proxy.SetRewrite([](const std::string&, const std::string& target, client::HttpResult& answer) {
    if (target.find("/tlog/tile/0/001") != std::string::npos && answer.body.size() >= 32) answer.body[0] ^= 1;
  });
  auto forked = sync();
  CHECK(forked.exit_code == 4);
  CHECK(forked.output.find("(fork)") != std::string::npos);

  proxy.SetRewrite({});
  auto honest = sync();
  CHECK_MESSAGE(honest.exit_code == 0, honest.output);
  CHECK(honest.output.find("300 new entries verified and applied (300 -> 600)") != std::string::npos);
}
