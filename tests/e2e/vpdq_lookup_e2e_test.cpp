// SPDX-License-Identifier: Apache-2.0
// vPDQ lookup on the server (POST /v1/collections/{c}/lookup with vpdq
// values): a submitted video is found by itself and by a near copy (bits
// flipped in every frame, frames dropped) with both shares, an unrelated
// video finds nothing, a retraction takes effect within a second, and a
// malformed value is answered per query; a server started on existing
// signals (its index loaded at once from the log) answers as the running one.
// exchangectl lookup --vpdq and --video ask the same. A collection's own
// thresholds apply to lookups that name none and, after a sync, to
// `exchangectl match --mirror`.
#include <doctest/doctest.h>

#include <optional>
#include <random>
#include <thread>

#include "collections.h"
#include "common/hex.h"
#include "exchange/v1/signals.pb.h"
#include "pdq/vpdq.h"
#include "process.h"
#include "test_exchange.h"
#include "vector_files.h"
#include "video/video_hasher.h"

using namespace exchange;
using exchange::testing::TempDir;
using exchange::testing::TestExchange;

namespace {

// `count` frames of random hashes, quality 100, one a second.
std::vector<pdq::VpdqFrame> RandomFrames(std::mt19937_64& rng, int count) {
  std::vector<pdq::VpdqFrame> frames;
  for (int i = 0; i < count; ++i) {
    pdq::VpdqFrame f;
    f.frame_number = i;
    for (auto& byte : f.hash) byte = static_cast<uint8_t>(rng());
    f.quality = 100;
    f.timestamp_ms = i * 1000;
    frames.push_back(f);
  }
  return frames;
}

// A re-encoded copy: a few bits flipped in every frame, every `drop`-th frame gone.
std::vector<pdq::VpdqFrame> NearCopy(const std::vector<pdq::VpdqFrame>& frames, std::mt19937_64& rng, int drop) {
  std::vector<pdq::VpdqFrame> out;
  for (std::size_t i = 0; i < frames.size(); ++i) {
    if (i % static_cast<std::size_t>(drop) == 0) continue;
    pdq::VpdqFrame f = frames[i];
    for (int b = 0; b < 6; ++b) {
      const auto bit = static_cast<std::size_t>(rng() % 256);
      f.hash[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    }
    out.push_back(f);
  }
  return out;
}

// Thresholds left unset are the collection's.
v1::LookupResponse LookupIn(client::ApiClient& api, const std::string& collection,
                            const std::vector<std::string>& videos, std::optional<uint32_t> stored_percent = {},
                            std::optional<uint32_t> query_percent = {}) {
  v1::LookupRequest request;
  for (const auto& v : videos) request.add_vpdq(v);
  if (stored_percent) request.set_vpdq_stored_percent(*stored_percent);
  if (query_percent) request.set_vpdq_query_percent(*query_percent);
  v1::LookupResponse response;
  Status s = api.Call("POST", "/v1/collections/" + collection + "/lookup", &request, &response);
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  REQUIRE(response.results_size() == static_cast<int>(videos.size()));
  return response;
}

v1::LookupResponse Lookup(client::ApiClient& api, const std::vector<std::string>& videos,
                          std::optional<uint32_t> stored_percent = {}, std::optional<uint32_t> query_percent = {}) {
  return LookupIn(api, "videos", videos, stored_percent, query_percent);
}

std::string Trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

TEST_CASE("vPDQ lookup: a video and its near copy are found with both shares; a retraction applies within a second") {
  TestExchange ex;
  auto alpha = testing::CreateCollectionFor(ex, "videos", "alpha");

  std::mt19937_64 rng(20261203);
  const auto known = RandomFrames(rng, 40);
  const std::string known_value = pdq::VpdqSignalValue(known);
  const auto other = RandomFrames(rng, 25);
  const std::string other_value = pdq::VpdqSignalValue(other);
  const auto copy = NearCopy(known, rng, 8);  // 35 of the 40 frames, each a few bits off
  const std::string copy_value = pdq::VpdqSignalValue(copy);
  const std::string unrelated_value = pdq::VpdqSignalValue(RandomFrames(rng, 30));

  v1::SubmitSignalsRequest submit;
  for (const auto& value : {known_value, other_value}) {
    auto* s = submit.add_signals();
    s->set_kind("vpdq");
    s->set_value(value);
    s->set_category("A1");
  }
  v1::SubmitSignalsResponse submitted;
  REQUIRE(alpha->Call("POST", "/v1/collections/videos/signals", &submit, &submitted).ok());
  REQUIRE(submitted.results_size() == 2);
  CHECK_MESSAGE(submitted.results(0).status() == "created", submitted.results(0).error());

  // Within a second the index has it.
  const v1::LookupResponse found = testing::LookupUntilFound([&] { return Lookup(*alpha, {known_value}); });
  REQUIRE(found.results(0).matches_size() == 1);
  CHECK(found.results(0).query() == known_value);
  CHECK(found.results(0).matches(0).value() == known_value);
  CHECK(found.results(0).matches(0).match() == "exact");
  CHECK(found.results(0).matches(0).stored_percent() == 100.0);
  CHECK(found.results(0).matches(0).query_percent() == 100.0);
  CHECK(found.results(0).matches(0).state().status() == "active");
  CHECK(found.indexed_through() > 0);

  // The near copy, an unrelated video and a malformed value, in one request, answered in order.
  auto batch = Lookup(*alpha, {copy_value, unrelated_value, "[\"not-a-frame\"]", other_value});
  REQUIRE(batch.results(0).matches_size() == 1);
  const auto& near = batch.results(0).matches(0);
  CHECK(near.value() == known_value);
  CHECK(near.match() == "near");
  CHECK(near.stored_percent() == doctest::Approx(100.0 * 35 / 40));
  CHECK(near.query_percent() == 100.0);
  CHECK(near.state().status() == "active");
  CHECK(batch.results(1).matches_size() == 0);
  CHECK(batch.results(1).error().empty());
  CHECK(batch.results(2).matches_size() == 0);
  CHECK_MESSAGE(batch.results(2).error().starts_with("vpdq item 1"), batch.results(2).error());
  REQUIRE(batch.results(3).matches_size() == 1);
  CHECK(batch.results(3).matches(0).value() == other_value);

  // Thresholds: 90 % of the stored frames is more than the copy holds; a frame distance of 1 is too strict.
  CHECK(Lookup(*alpha, {copy_value}, 90).results(0).matches_size() == 0);
  CHECK(Lookup(*alpha, {copy_value}, 85).results(0).matches_size() == 1);
  {
    v1::LookupRequest strict;
    strict.add_vpdq(copy_value);
    strict.set_max_distance(1);
    v1::LookupResponse response;
    REQUIRE(alpha->Call("POST", "/v1/collections/videos/lookup", &strict, &response).ok());
    CHECK(response.results(0).matches_size() == 0);
  }
  // A query holding the known video inside a longer one: found by the stored share, refused by a query share.
  auto longer = known;
  for (const auto& f : RandomFrames(rng, 60))
    longer.push_back({f.frame_number + 40, f.hash, 100, f.timestamp_ms + 40000});
  const std::string longer_value = pdq::VpdqSignalValue(longer);
  CHECK(Lookup(*alpha, {longer_value}).results(0).matches_size() == 1);
  CHECK(Lookup(*alpha, {longer_value}, 0, 50).results(0).matches_size() == 0);

  // Malformed requests as a whole: a 400; too many queries or frames: a 413.
  {
    v1::LookupRequest bad;
    bad.add_vpdq(known_value);
    bad.set_vpdq_stored_percent(101);
    CHECK(alpha->Call("POST", "/v1/collections/videos/lookup", &bad, nullptr).code() == ErrorCode::kInvalidArgument);
    v1::LookupRequest many;
    for (int i = 0; i < 1000; ++i) many.add_pdq(std::string(64, 'a'));
    many.add_vpdq(known_value);  // the 1001st query
    CHECK(alpha->Call("POST", "/v1/collections/videos/lookup", &many, nullptr).code() == ErrorCode::kPayloadTooLarge);
    v1::LookupRequest long_videos;  // 2 × 50,001 frames: more than 100,000 in all
    const std::string half = pdq::VpdqSignalValue(RandomFrames(rng, 50'001));
    long_videos.add_vpdq(half);
    long_videos.add_vpdq(half);
    CHECK(alpha->Call("POST", "/v1/collections/videos/lookup", &long_videos, nullptr).code() ==
          ErrorCode::kPayloadTooLarge);
    v1::LookupRequest one_long;  // one of them is fine (and matches nothing)
    one_long.add_vpdq(half);
    v1::LookupResponse answered;
    REQUIRE(alpha->Call("POST", "/v1/collections/videos/lookup", &one_long, &answered).ok());
    CHECK(answered.results(0).matches_size() == 0);
  }

  // exchangectl lookup --vpdq asks the same.
  auto ctl = [&](std::vector<std::string> args) { return ex.Ctl("alpha", std::move(args)); };
  auto by_value = ctl({"lookup", "--collection", "videos", "--vpdq", copy_value, "--output", "json"});
  CHECK_MESSAGE(by_value.code == 0, by_value.out << by_value.err);
  CHECK_MESSAGE(by_value.out.find("\"stored_percent\": 87.50") != std::string::npos, by_value.out);
  auto none = ctl({"lookup", "--collection", "videos", "--vpdq", unrelated_value});
  CHECK_MESSAGE(none.code == 1, none.out << none.err);
  auto malformed = ctl({"lookup", "--collection", "videos", "--vpdq", "[\"x\"]"});
  CHECK_MESSAGE(malformed.code == 2, malformed.out << malformed.err);

  // Retracted: gone from the index within a second.
  testing::Retract(*alpha, "videos", "vpdq", {known_value});
  std::chrono::steady_clock::duration waited{};
  CHECK(testing::WaitForNoMatches([&] { return Lookup(*alpha, {copy_value}).results(0).matches_size(); }, &waited) ==
        0);
  CHECK(waited < std::chrono::seconds(1) + std::chrono::milliseconds(500));
  CHECK(Lookup(*alpha, {other_value}).results(0).matches_size() == 1);  // the other video stays

  // A server started now loads the log at once: the retracted video is absent, the other found.
  // Until it has, it answers 503: its first answer is already the whole log's.
  {
    testing::SecondServer restarted(ex, "restarted.log");
    client::ApiClient api(std::move(client::HttpsClient::Create(restarted.ClientOptionsFor("alpha"))).value());
    v1::LookupRequest request;
    request.add_vpdq(other_value);
    request.add_vpdq(copy_value);
    const v1::LookupResponse loaded = testing::LookupOnceLoaded(api, "videos", request);
    REQUIRE(loaded.results(0).matches_size() == 1);
    CHECK(loaded.results(0).matches(0).value() == other_value);
    CHECK(loaded.results(0).matches(0).stored_percent() == 100.0);
    CHECK(loaded.results(1).matches_size() == 0);
    CHECK(loaded.indexed_through() > 0);
  }

  v1::LookupRequest not_granted;
  not_granted.add_vpdq(other_value);
  CHECK(ex.Client("beta")->Call("POST", "/v1/collections/videos/lookup", &not_granted, nullptr).code() ==
        ErrorCode::kPermissionDenied);
}

TEST_CASE("vPDQ lookup: exchangectl lookup --video hashes a file and finds a re-encoded copy") {
  TestExchange ex;
  auto alpha = testing::CreateCollectionFor(ex, "videos", "alpha");
  auto video = [](const std::string& name) {
    return (testing::VectorDir("vpdq") / "videos" / (name + ".mp4")).string();
  };
  video::VideoHashOptions options;
  options.seconds_per_hash = 1;
  auto hashed = video::HashVideoFile(video("pattern-sd-with-small-logo-bar"), options);
  REQUIRE_MESSAGE(hashed.ok(), hashed.status().message());
  const std::string known_value = pdq::VpdqSignalValue(hashed->frames);
  v1::SubmitSignalsRequest submit;
  testing::AddSignal(submit, "vpdq", known_value);
  REQUIRE(alpha->Call("POST", "/v1/collections/videos/signals", &submit, nullptr).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));  // the index catches up every ~250 ms

  auto ctl = [&](std::vector<std::string> args) { return ex.Ctl("alpha", std::move(args)); };
  // Every frame of the copy with a grey bar: most of the known video is in it.
  auto copy = ctl({"lookup", "--collection", "videos", "--video", video("pattern-sd-grey-bar"), "--output", "json"});
  CHECK_MESSAGE(copy.code == 0, copy.out << copy.err);
  CHECK_MESSAGE(copy.out.find("\"stored_percent\": 100.00") != std::string::npos, copy.out);
  auto unrelated = ctl({"lookup", "--collection", "videos", "--video", video("test-padded-dimensions")});
  CHECK_MESSAGE(unrelated.code == 1, unrelated.out << unrelated.err);
}

TEST_CASE("vPDQ thresholds per collection: set by admins, applied by lookups unless a request overrides them") {
  TestExchange ex;
  auto admin = ex.Client("admin1");
  testing::CreateCollection(*admin, "videos", {"alpha"});  // the defaults, 80 % and 0 %
  v1::Collection loose_spec;
  loose_spec.set_name("loose");
  loose_spec.set_vpdq_stored_percent(50);
  testing::CreateCollection(*admin, loose_spec, {"alpha"});
  auto alpha = ex.Client("alpha");

  v1::ListCollectionsResponse listed;
  REQUIRE(admin->Call("GET", "/v1/collections", nullptr, &listed).ok());
  REQUIRE(listed.collections_size() == 2);
  CHECK(listed.collections(0).name() == "loose");
  CHECK(listed.collections(0).vpdq_stored_percent() == 50);
  CHECK(listed.collections(0).vpdq_query_percent() == 0);
  CHECK(listed.collections(1).vpdq_stored_percent() == 80);

  // Out of range: 400 with the reason, on create and on update; only admins change them.
  auto create_status = [&](uint32_t stored, uint32_t query) {
    v1::CreateCollectionRequest request;
    request.mutable_collection()->set_name("bad");
    request.mutable_collection()->set_vpdq_stored_percent(stored);
    request.mutable_collection()->set_vpdq_query_percent(query);
    return admin->Call("POST", "/v1/collections", &request, nullptr);
  };
  Status too_high = create_status(101, 0);
  CHECK(too_high.code() == ErrorCode::kInvalidArgument);
  CHECK_MESSAGE(too_high.message().find("vpdq_stored_percent must be 1-100") != std::string::npos, too_high.message());
  CHECK(create_status(80, 101).code() == ErrorCode::kInvalidArgument);
  auto update = [&](client::ApiClient& as, std::optional<uint32_t> stored, std::optional<uint32_t> query,
                    v1::Collection* out = nullptr) {
    v1::UpdateCollectionRequest request;
    if (stored) request.set_vpdq_stored_percent(*stored);
    if (query) request.set_vpdq_query_percent(*query);
    request.set_reason("threshold test");
    return as.Call("PATCH", "/v1/collections/loose", &request, out);
  };
  Status zero = update(*admin, 0, {});
  CHECK(zero.code() == ErrorCode::kInvalidArgument);
  CHECK_MESSAGE(zero.message().find("vpdq_stored_percent must be 1-100") != std::string::npos, zero.message());
  CHECK(update(*admin, {}, 101).code() == ErrorCode::kInvalidArgument);
  CHECK(update(*admin, {}, {}).code() == ErrorCode::kInvalidArgument);  // nothing to change
  CHECK(update(*alpha, 60, {}).code() == ErrorCode::kPermissionDenied);
  {
    v1::UpdateCollectionRequest request;
    request.set_vpdq_stored_percent(60);
    CHECK(admin->Call("PATCH", "/v1/collections/no-such", &request, nullptr).code() == ErrorCode::kNotFound);
  }

  // The known video in both collections; a clip holding 60 % of its frames (and nothing else).
  std::mt19937_64 rng(20261204);
  const auto known = RandomFrames(rng, 40);
  const std::string known_value = pdq::VpdqSignalValue(known);
  const std::vector<pdq::VpdqFrame> clip_frames(known.begin(), known.begin() + 24);
  const std::string clip = pdq::VpdqSignalValue(clip_frames);
  for (const std::string collection : {"videos", "loose"}) {
    v1::SubmitSignalsRequest submit;
    auto* s = submit.add_signals();
    s->set_kind("vpdq");
    s->set_value(known_value);
    s->set_category("A1");
    REQUIRE(alpha->Call("POST", "/v1/collections/" + collection + "/signals", &submit, nullptr).ok());
  }
  v1::LookupResponse found;
  for (int i = 0; i < 30; ++i) {
    found = LookupIn(*alpha, "loose", {clip});
    if (found.results(0).matches_size() > 0 && Lookup(*alpha, {known_value}).results(0).matches_size() > 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  // The collection's 50 %: found, and the response says which thresholds applied.
  REQUIRE(found.results(0).matches_size() == 1);
  CHECK(found.results(0).matches(0).stored_percent() == doctest::Approx(60.0));
  CHECK(found.vpdq_stored_percent() == 50);
  CHECK(found.vpdq_query_percent() == 0);
  // The default 80 %: not found; a request's own threshold wins either way.
  auto strict = Lookup(*alpha, {clip});
  CHECK(strict.results(0).matches_size() == 0);
  CHECK(strict.vpdq_stored_percent() == 80);
  CHECK(Lookup(*alpha, {clip}, 55).results(0).matches_size() == 1);
  auto overridden = LookupIn(*alpha, "loose", {clip}, 80);
  CHECK(overridden.results(0).matches_size() == 0);
  CHECK(overridden.vpdq_stored_percent() == 80);

  // Updated: each setting on its own, the other kept, applied to the next lookup.
  const std::string padded = pdq::VpdqSignalValue([&] {
    auto frames = clip_frames;  // the clip and as many unrelated frames: half of the query is the known video
    for (const auto& f : RandomFrames(rng, 24))
      frames.push_back({f.frame_number + 24, f.hash, 100, f.timestamp_ms + 24000});
    return frames;
  }());
  CHECK(LookupIn(*alpha, "loose", {padded}).results(0).matches_size() == 1);
  v1::Collection changed;
  REQUIRE(update(*admin, {}, 70, &changed).ok());
  CHECK(changed.vpdq_stored_percent() == 50);
  CHECK(changed.vpdq_query_percent() == 70);
  CHECK(LookupIn(*alpha, "loose", {padded}).results(0).matches_size() == 0);         // 50 % of the query < 70 %
  CHECK(LookupIn(*alpha, "loose", {padded}, {}, 0).results(0).matches_size() == 1);  // an explicit 0 overrides
  CHECK(LookupIn(*alpha, "loose", {clip}).results(0).matches_size() == 1);           // 100 % of the query

  // exchangectl collections update; a mirror's match uses what sync recorded, flags still override.
  const auto a = ex.ClientOptionsFor("admin1");
  const auto o = ex.ClientOptionsFor("alpha");
  auto ctl_as = [](const client::ClientOptions& who, std::vector<std::string> args) {
    for (const auto& flag : std::vector<std::string>{"--server", who.server, "--ca", who.ca_file, "--cert",
                                                     who.cert_file, "--key", who.key_file}) {
      args.push_back(flag);
    }
    return testing::RunBinary("exchangectl", args);
  };
  auto bad_flag = ctl_as(a, {"collections", "update", "loose", "--vpdq-stored-percent", "0"});
  CHECK_MESSAGE(bad_flag.code == 2, bad_flag.out << bad_flag.err);
  auto updated =
      ctl_as(a, {"collections", "update", "loose", "--vpdq-stored-percent", "55", "--vpdq-query-percent", "0"});
  REQUIRE_MESSAGE(updated.code == 0, updated.out << updated.err);
  CHECK_MESSAGE(updated.out.find("stored 55 %, query 0 %") != std::string::npos, updated.out);

  // A video file whose frames are 60 % of a stored video's: the query video's own frames and unrelated ones.
  const std::string video = (testing::VectorDir("vpdq") / "videos" / "pattern-sd-with-small-logo-bar.mp4").string();
  video::VideoHashOptions options;
  options.seconds_per_hash = 1;
  auto hashed = video::HashVideoFile(video, options);
  REQUIRE_MESSAGE(hashed.ok(), hashed.status().message());
  auto stored = hashed->frames;
  const auto extra = RandomFrames(rng, static_cast<int>(stored.size() * 2 / 3));
  const int64_t end_ms = stored.back().timestamp_ms;
  for (const auto& f : extra) {
    stored.push_back({f.frame_number + 100'000, f.hash, 100, end_ms + 1000 + f.timestamp_ms});
  }
  // As the rule counts them (usable frames, repeats once): between the two thresholds used below.
  const double share =
      pdq::CompareVpdqFeatures(pdq::ToFeatures(hashed->frames), pdq::ToFeatures(stored), {}).stored_percent;
  REQUIRE_MESSAGE(share > 55, share);
  REQUIRE_MESSAGE(share < 80, share);
  {
    v1::SubmitSignalsRequest submit;
    auto* s = submit.add_signals();
    s->set_kind("vpdq");
    s->set_value(pdq::VpdqSignalValue(stored));
    s->set_category("A1");
    REQUIRE(alpha->Call("POST", "/v1/collections/loose/signals", &submit, nullptr).ok());
  }
  TempDir work;
  const std::string mirror = work.path() + "/mirror";
  const std::string vkeys = Trimmed(testing::ReadText(ex.dir() + "/feed.key.vkey")) + "," +
                            Trimmed(testing::ReadText(ex.dir() + "/freshness.key.vkey"));
  auto sync = [&] {
    auto synced = ctl_as(o, {"sync", "--collection", "loose", "--mirror", mirror, "--feed-vkey", vkeys});
    REQUIRE_MESSAGE(synced.code == 0, synced.out << synced.err);
    CHECK_MESSAGE(synced.err.find("not recorded") == std::string::npos, synced.err);
  };
  sync();
  auto match = [&](std::vector<std::string> flags) {
    std::vector<std::string> args = {"match", "--mirror", mirror, "--seconds-per-hash", "1", "--output", "json"};
    args.insert(args.end(), flags.begin(), flags.end());
    args.push_back(video);
    return testing::RunBinary("exchangectl", args);
  };
  auto matched = match({});
  CHECK_MESSAGE(matched.code == 0, matched.out << matched.err);  // the collection's 55 %
  auto flag_wins = match({"--vpdq-stored-percent", "80"});
  CHECK_MESSAGE(flag_wins.code == 1, flag_wins.out << flag_wins.err);

  // Raised to 80 %: the mirror learns it at its next sync, though the log did not change.
  REQUIRE(update(*admin, 80, {}).ok());
  CHECK(match({}).code == 0);  // not yet synced: the recorded 55 %
  sync();
  auto raised = match({});
  CHECK_MESSAGE(raised.code == 1, raised.out << raised.err);
  auto lowered = match({"--vpdq-stored-percent", "50"});
  CHECK_MESSAGE(lowered.code == 0, lowered.out << lowered.err);
}
