// SPDX-License-Identifier: Apache-2.0
// Videos end to end: vpdq signals (python-threatexchange's frame list) are
// submitted to a real exchange, synced into a mirror, and `exchangectl match
// --mirror DIR VIDEO` finds a re-encoded copy of a known video (both shares
// printed) and a known image inside another video (the frame and its time),
// and nothing for an unrelated video. Opaque vpdq values are refused.
// Meta's sample videos from ../shared/vectors/vpdq/.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "collections.h"
#include "common/hex.h"
#include "common/json.h"
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

using CtlResult = testing::BinaryRun;

CtlResult Ctl(const std::vector<std::string>& args) { return testing::RunBinary("exchangectl", args); }

std::string Video(const std::string& name) {
  return (testing::VectorDir("vpdq") / "videos" / (name + ".mp4")).string();
}

std::vector<pdq::VpdqFrame> Frames(const std::string& name, double seconds_per_hash) {
  video::VideoHashOptions options;
  options.seconds_per_hash = seconds_per_hash;
  auto hashed = video::HashVideoFile(Video(name), options);
  REQUIRE_MESSAGE(hashed.ok(), hashed.status().message());
  return hashed->frames;
}

std::string Trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

TEST_CASE("videos: vpdq signals submitted, synced, and matched from a mirror; a known image found in a video") {
  TestExchange ex;
  auto alpha = testing::CreateCollectionFor(ex, "videos", "alpha");

  // The known video, hashed once a second (as python-threatexchange does by default), and a known
  // image: the first frame of another video.
  const std::vector<pdq::VpdqFrame> known = Frames("pattern-sd-with-small-logo-bar", 1);
  const std::string known_value = pdq::VpdqSignalValue(known);
  const pdq::VpdqFrame image = Frames("doorknob-hd-no-bar", 0).front();
  REQUIRE(image.quality >= 50);

  // exchangectl hash prints the same value.
  CtlResult hashed =
      Ctl({"hash", "--output", "json", "--seconds-per-hash", "1", Video("pattern-sd-with-small-logo-bar")});
  REQUIRE_MESSAGE(hashed.code == 0, hashed.err);
  CHECK_MESSAGE(hashed.out.find("\"vpdq\": " + JsonQuote(known_value)) != std::string::npos, hashed.out);

  v1::SubmitSignalsRequest submit;
  auto add = [&](const std::string& kind, const std::string& value) { testing::AddSignal(submit, kind, value); };
  add("vpdq", known_value);
  add("pdq", HexEncode(image.hash));
  add("vpdq", "aGVsbG8=");  // the retired opaque form
  v1::SubmitSignalsResponse response;
  Status s = alpha->Call("POST", "/v1/collections/videos/signals", &submit, &response);
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  REQUIRE(response.results_size() == 3);
  CHECK_MESSAGE(response.results(0).status() == "created", response.results(0).error());
  CHECK_MESSAGE(response.results(1).status() == "created", response.results(1).error());
  CHECK(response.results(2).status() != "created");
  CHECK_MESSAGE(response.results(2).error().find("vpdq must be a JSON list") != std::string::npos,
                response.results(2).error());

  TempDir work;
  const std::string mirror = work.path() + "/mirror";
  auto o = ex.ClientOptionsFor("alpha");
  const std::string vkeys = Trimmed(testing::ReadText(ex.dir() + "/feed.key.vkey")) + "," +
                            Trimmed(testing::ReadText(ex.dir() + "/freshness.key.vkey"));
  CtlResult synced = Ctl({"sync", "--collection", "videos", "--mirror", mirror, "--feed-vkey", vkeys, "--server",
                          o.server, "--ca", o.ca_file, "--cert", o.cert_file, "--key", o.key_file});
  REQUIRE_MESSAGE(synced.code == 0, synced.err);

  // The same content with a grey bar instead of a logo, every frame: most of the known video is in it.
  CtlResult copy = Ctl({"match", "--mirror", mirror, Video("pattern-sd-grey-bar")});
  CHECK_MESSAGE(copy.code == 0, copy.out << copy.err);
  CHECK_MESSAGE(copy.out.find("MATCH vpdq video of " + std::to_string(known.size()) +
                              " usable frames: 100.00 % of its "
                              "frames are in the query") != std::string::npos,
                copy.out);
  CtlResult copy_json = Ctl({"match", "--mirror", mirror, "--output", "json", Video("pattern-sd-grey-bar")});
  CHECK(copy_json.out.find("\"kind\": \"vpdq\", \"value\": " + JsonQuote(known_value)) != std::string::npos);
  CHECK(copy_json.out.find("\"stored_percent\": 100.00") != std::string::npos);
  // Demanding that most of the query be in the stored video too (it was hashed once a second): no match.
  CtlResult strict = Ctl({"match", "--mirror", mirror, "--vpdq-query-percent", "80", Video("pattern-sd-grey-bar")});
  CHECK_MESSAGE(strict.code == 1, strict.out << strict.err);

  // The known image is frame 0 of this video.
  CtlResult in_video = Ctl({"match", "--mirror", mirror, Video("doorknob-hd-no-bar")});
  CHECK_MESSAGE(in_video.code == 0, in_video.out << in_video.err);
  CHECK_MESSAGE(in_video.out.find("MATCH frame 0 at 0.000 s matches pdq " + HexEncode(image.hash) + " at distance 0") !=
                    std::string::npos,
                in_video.out);
  CHECK(in_video.out.find("vpdq video") == std::string::npos);
  CtlResult in_video_json = Ctl({"match", "--mirror", mirror, "--output", "json", Video("doorknob-hd-no-bar")});
  CHECK(in_video_json.out.find("\"frame_number\": 0, \"timestamp\": 0.000") != std::string::npos);

  // An unrelated video matches nothing; a file that is not a video is still matched by its digests.
  CtlResult unrelated = Ctl({"match", "--mirror", mirror, Video("test-padded-dimensions")});
  CHECK_MESSAGE(unrelated.code == 1, unrelated.out << unrelated.err);
  CHECK(unrelated.out.find("no match") != std::string::npos);
  CtlResult audio =
      Ctl({"match", "--mirror", mirror, std::string(EXCHANGE_SOURCE_DIR) + "/tests/data/video/audio-only.m4a"});
  CHECK(audio.code == 2);
  CHECK(audio.err.find("no video stream") != std::string::npos);

  // The pytx signal file carries the videos as pytx's vpdq extension reads them.
  CtlResult pytx = Ctl({"export", "--mirror", mirror, "--format", "pytx"});
  REQUIRE_MESSAGE(pytx.code == 0, pytx.err);
  CHECK(pytx.out.find("vpdq [\"") != std::string::npos);
  const std::string file = work.path() + "/signals.pytx";
  std::ofstream(file) << pytx.out;
  auto read = testing::RunCommand(
      "python3 " + testing::ShellQuote(std::string(EXCHANGE_SOURCE_DIR) + "/tests/support/pytx_file_check.py") + " " +
      testing::ShellQuote(file) + " 2>&1");
  CHECK_MESSAGE(read.exit_code == 0, read.output);
  CHECK_MESSAGE(read.output.find("vpdq ") != std::string::npos, read.output);
}

TEST_CASE("videos: a vpdq value of every frame of a video is stored") {
  // About 17 KB of frames: longer than a btree index entry, so it relies on value_key (migrations/0009).
  TestExchange ex;
  auto alpha = testing::CreateCollectionFor(ex, "videos", "alpha");
  v1::SubmitSignalsRequest submit;
  auto* signal = submit.add_signals();
  signal->set_kind("vpdq");
  signal->set_value(pdq::VpdqSignalValue(Frames("pattern-sd-grey-bar", 0)));
  signal->set_category("A1");
  v1::SubmitSignalsResponse response;
  Status s = alpha->Call("POST", "/v1/collections/videos/signals", &submit, &response);
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  REQUIRE(response.results_size() == 1);
  CHECK_MESSAGE(response.results(0).status() == "created", response.results(0).error());
  CHECK(signal->value().size() > 8192);
}
