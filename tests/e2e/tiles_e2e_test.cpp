// SPDX-License-Identifier: Apache-2.0
// The logs as C2SP tlog-tiles, end to end against a real exchanged: for logs
// of 0, 1, 255, 256, 257 and 70,000 entries every tile of the signed tree is
// served, the tiles hash to the signed root, the entry bundles hash to the
// level-0 tiles and are the bytes of the entries endpoint, and proofs built
// from tiles are the proof endpoints' answers. Cache headers, tiles beyond
// the tree (404), malformed paths (400), grants (403) and the audit log.
#include <doctest/doctest.h>

#include <chrono>
#include <random>
#include <set>

#include "collections.h"
#include "common/hex.h"
#include "exchange/v1/feed.pb.h"
#include "exchange/v1/signals.pb.h"
#include "log/checkpoint_note.h"
#include "log/encoding.h"
#include "log/hash.h"
#include "log/merkle.h"
#include "log/tiles.h"
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

// Every entry of the log through the entries endpoint.
std::vector<std::string> EntriesEndpoint(client::ApiClient& api, const std::string& log_path, uint64_t size) {
  std::vector<std::string> entries;
  while (entries.size() < size) {
    v1::EntryBundle page;
    Status s =
        api.Call("GET", log_path + "/entries?start=" + std::to_string(entries.size()) + "&limit=10000", nullptr, &page);
    REQUIRE_MESSAGE(s.ok(), s.ToString());
    REQUIRE(page.entries_size() > 0);
    for (const auto& e : page.entries()) entries.push_back(e);
  }
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
    auto r = Get(api, prefix + "/" + log::TilePath(tile));
    REQUIRE_MESSAGE(r.status == 200, r.body);
    CHECK(r.content_type == "application/octet-stream");
    CHECK(r.Header("Cache-Control") == (tile.full() ? kImmutable : "public, max-age=5"));
    auto hashes = log::DecodeHashTile(r.body, tile.width);
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
    auto r = Get(api, prefix + "/" + log::TilePath(bundle));
    REQUIRE_MESSAGE(r.status == 200, r.body);
    CHECK(r.content_type == "application/octet-stream");
    CHECK(r.Header("Cache-Control") == (bundle.full() ? kImmutable : "public, max-age=5"));
    auto entries = log::DecodeEntryBundle(r.body, bundle.width);
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

// The status and the error message of a GET.
std::pair<int, std::string> StatusOf(client::ApiClient& api, const std::string& target) {
  auto r = Get(api, target);
  return {r.status, r.status == 200 ? std::string() : client::StatusFromErrorResponse(r).message()};
}

}  // namespace

TEST_CASE("tiles of logs with 0, 1, 255, 256, 257 and 70,000 entries hash to the signed root and match the proofs") {
  TestExchange ex;
  auto admin = ex.Client("admin1");
  auto alpha = ex.Client("alpha");
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
  auto admin = ex.Client("admin1");
  auto alpha = ex.Client("alpha");
  auto beta = ex.Client("beta");
  auto auditor = ex.Client("auditor");
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
