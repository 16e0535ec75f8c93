// SPDX-License-Identifier: Apache-2.0
// exchange/video on bad and odd input: every problem is a clear per-input
// error, never a crash, and the limits hold before anything large is
// allocated. Inputs are Meta's sample videos cut or damaged in memory, small
// videos written here (YUV4MPEG, a plain-text container), and
// tests/data/video/audio-only.m4a (0.2 s of AAC made with `ffmpeg -f lavfi
// -i sine=frequency=440:duration=0.2 -c:a aac -b:a 16k`) and faststart.mp4
// (its index first: `ffmpeg -f lavfi -i testsrc=size=32x24:rate=10:duration=0.3
// -c:v libx264 -preset ultrafast -pix_fmt yuv420p -movflags +faststart`).
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "common/hex.h"
#include "vector_files.h"
#include "video/video_hasher.h"

namespace {

using namespace exchange;
using exchange::testing::ReadTestBytes;
using exchange::testing::VectorDir;

std::vector<uint8_t> Sample() { return ReadTestBytes(VectorDir("vpdq") / "videos" / "test-padded-dimensions.mp4"); }

// A YUV4MPEG2 video of `frames` frames, 4:2:0, each a gradient shifted by its index.
std::vector<uint8_t> Y4m(int width, int height, int frames, const std::string& rate = "30:1") {
  std::string text =
      "YUV4MPEG2 W" + std::to_string(width) + " H" + std::to_string(height) + " F" + rate + " Ip A1:1 C420jpeg\n";
  const int cw = (width + 1) / 2, ch = (height + 1) / 2;
  for (int f = 0; f < frames; ++f) {
    text += "FRAME\n";
    for (int y = 0; y < height; ++y) {
      for (int x = 0; x < width; ++x) text += static_cast<char>((x * 7 + y * 3 + f * 40) & 0xff);
    }
    text.append(static_cast<size_t>(2 * cw * ch), static_cast<char>(128));
  }
  return {text.begin(), text.end()};
}

std::string Error(const Result<video::VideoHash>& r) { return r.ok() ? "(hashed)" : r.status().message(); }

}  // namespace

TEST_CASE("video: a small video of our own hashes every frame, with Meta's timestamps") {
  auto r = video::HashVideoBytes(Y4m(64, 48, 4, "25:2"));
  REQUIRE_MESSAGE(r.ok(), Error(r));
  CHECK(r->info.container == "yuv4mpegpipe");
  CHECK(r->info.codec == "rawvideo");
  CHECK(r->info.width == 64);
  CHECK(r->info.frame_rate == doctest::Approx(12.5));
  REQUIRE(r->frames.size() == 4);
  CHECK(r->frames[3].frame_number == 3);
  CHECK(r->frames[3].timestamp_ms == 240);
  CHECK(r->frames[0].hash != r->frames[1].hash);  // the frames differ, and so do their hashes

  video::VideoHashOptions every_other;
  every_other.seconds_per_hash = 0.16;  // int(0.16 × 12.5) = 2
  r = video::HashVideoBytes(Y4m(64, 48, 5, "25:2"), every_other);
  REQUIRE(r.ok());
  REQUIRE(r->frames.size() == 3);
  CHECK(r->frames[1].frame_number == 2);
  CHECK(r->info.decoded_frames == 5);

  // Frames smaller than 5 pixels a side get a zero hash of quality 0, as in Meta's tool.
  r = video::HashVideoBytes(Y4m(4, 4, 1));
  REQUIRE(r.ok());
  CHECK(r->frames[0].quality == 0);
  CHECK(r->frames[0].hash == signals::PdqHash{});
}

TEST_CASE("video: empty, not a video, audio only") {
  CHECK(Error(video::HashVideoBytes({})) == "empty file (zero bytes)");
  const std::string text = "this is a text file, not a video\n";
  CHECK(Error(video::HashVideoBytes(std::vector<uint8_t>(text.begin(), text.end())))
            .starts_with("not a video file FFmpeg can read"));
  std::vector<uint8_t> jpeg = {0xff, 0xd8, 0xff, 0xe0, 0, 16, 'J', 'F', 'I', 'F', 0};
  CHECK(Error(video::HashVideoBytes(jpeg)).starts_with("not a video file FFmpeg can read"));
  auto audio =
      video::HashVideoBytes(ReadTestBytes(std::string(EXCHANGE_SOURCE_DIR) + "/tests/data/video/audio-only.m4a"));
  CHECK(Error(audio) == "no video stream: the file is audio only");
  CHECK(Error(video::HashVideoFile("/nonexistent/video.mp4")).starts_with("cannot open /nonexistent/video.mp4"));
}

TEST_CASE("video: truncated and corrupt files are refused") {
  const std::vector<uint8_t> whole = Sample();
  REQUIRE(video::HashVideoBytes(whole).ok());
  for (size_t keep : {size_t{16}, size_t{1000}, whole.size() / 2, whole.size() - 100}) {
    CAPTURE(keep);
    auto r = video::HashVideoBytes(std::span<const uint8_t>(whole).first(keep));
    CHECK(!r.ok());
    CHECK(r.status().code() == ErrorCode::kInvalidArgument);
    MESSAGE(keep << " of " << whole.size() << " bytes: " << Error(r));
  }
  // An MP4 with its index first (faststart), cut inside the frames: fewer frames than the index lists.
  const std::vector<uint8_t> faststart =
      ReadTestBytes(std::string(EXCHANGE_SOURCE_DIR) + "/tests/data/video/faststart.mp4");
  REQUIRE(video::HashVideoBytes(faststart).ok());
  auto cut = video::HashVideoBytes(std::span<const uint8_t>(faststart).first(faststart.size() * 3 / 4));
  CHECK(Error(cut).starts_with("truncated"));
  MESSAGE("faststart MP4 cut at 3/4: " << Error(cut));
  // Damage inside the compressed frames: either the decoder reports it or the frames come out different.
  auto hashed = video::HashVideoBytes(whole);
  std::vector<uint8_t> damaged = whole;
  for (size_t i = whole.size() / 3; i < whole.size() / 3 + 2000; i += 7) damaged[i] ^= 0x5a;
  auto r = video::HashVideoBytes(damaged);
  if (r.ok()) {
    CHECK(r->frames != hashed->frames);
  } else {
    CHECK(r.status().code() == ErrorCode::kInvalidArgument);
  }
  MESSAGE("damaged: " << Error(r));
}

TEST_CASE("video: limits on pixels, frames and bytes, checked before decoding") {
  video::VideoHashOptions small;
  small.limits.max_pixels = 64 * 48 - 1;
  auto r = video::HashVideoBytes(Y4m(64, 48, 1), small);
  CHECK(r.status().code() == ErrorCode::kPayloadTooLarge);
  CHECK(Error(r) == "the video stream is 64x48, more pixels than the limit of 3071");

  // Absurd declared dimensions: refused from the header, with no frame data behind it.
  std::string header = "YUV4MPEG2 W8000 H8000 F30:1 Ip A1:1 C420jpeg\nFRAME\n";
  r = video::HashVideoBytes(std::vector<uint8_t>(header.begin(), header.end()));
  CHECK(r.status().code() == ErrorCode::kPayloadTooLarge);
  CHECK(Error(r) == "the video stream is 8000x8000, more pixels than the limit of 35389440");
  // Beyond what FFmpeg itself accepts: its own refusal, still an error for this input.
  header = "YUV4MPEG2 W60000 H60000 F30:1 Ip A1:1 C420jpeg\nFRAME\n";
  r = video::HashVideoBytes(std::vector<uint8_t>(header.begin(), header.end()));
  CHECK(Error(r).starts_with("not a video file FFmpeg can read"));

  video::VideoHashOptions few_frames;
  few_frames.limits.max_frames = 3;
  r = video::HashVideoBytes(Y4m(16, 16, 4), few_frames);
  CHECK(Error(r) == "more than the limit of 3 frames");
  CHECK(video::HashVideoBytes(Y4m(16, 16, 3), few_frames).ok());

  const std::vector<uint8_t> whole = Sample();
  video::VideoHashOptions few_bytes;
  few_bytes.limits.max_bytes = static_cast<int64_t>(whole.size()) - 1;
  r = video::HashVideoBytes(whole, few_bytes);
  CHECK(r.status().code() == ErrorCode::kPayloadTooLarge);

  video::VideoHashOptions bad;
  bad.seconds_per_hash = -1;
  CHECK(Error(video::HashVideoBytes(whole, bad)).starts_with("seconds per hash must be"));
}

namespace {

// A pipe: read in small pieces, no size, no seeking (as stdin from ffmpeg).
class PipeSource final : public video::ByteSource {
 public:
  explicit PipeSource(std::vector<uint8_t> bytes) : bytes_(std::move(bytes)) {}
  int64_t Read(uint8_t* buffer, size_t size) override {
    const size_t n = std::min({size, size_t{1000}, bytes_.size() - position_});
    std::copy_n(bytes_.data() + position_, n, buffer);
    position_ += n;
    return static_cast<int64_t>(n);
  }
  bool Seek(int64_t) override { return false; }
  int64_t Size() const override { return -1; }

 private:
  std::vector<uint8_t> bytes_;
  size_t position_ = 0;
};

}  // namespace

TEST_CASE("video: a live stream from a pipe has no frame or byte limit, and is sampled as it is decoded") {
  video::VideoHashOptions options;
  options.seconds_per_hash = 1;
  options.limits.max_frames = 5;
  options.limits.max_bytes = 10'000;
  // 30 frames at 10 fps, 64x48: about 138 KB, more than max_bytes.
  PipeSource file_like(Y4m(64, 48, 30, "10:1"));
  CHECK(!video::HashVideoStream(file_like, options, [](const pdq::VpdqFrame&) { return Status::Ok(); }).ok());

  options.live = true;
  PipeSource pipe(Y4m(64, 48, 30, "10:1"));
  std::vector<int64_t> sampled;
  auto r = video::HashVideoStream(pipe, options, [&](const pdq::VpdqFrame& f) {
    sampled.push_back(f.timestamp_ms);
    return Status::Ok();
  });
  REQUIRE_MESSAGE(r.ok(), Error(r));
  CHECK(r->info.decoded_frames == 30);
  CHECK(sampled == std::vector<int64_t>{0, 1000, 2000});
  // The pixel limit still holds for a stream.
  options.limits.max_pixels = 64 * 47;
  PipeSource large(Y4m(64, 48, 3, "10:1"));
  auto too_large = video::HashVideoStream(large, options, [](const pdq::VpdqFrame&) { return Status::Ok(); });
  CHECK(too_large.status().code() == ErrorCode::kPayloadTooLarge);
  // The sink's error stops the stream and is returned.
  options.limits.max_pixels = 64 * 48;
  PipeSource stopped(Y4m(64, 48, 30, "10:1"));
  auto stop = video::HashVideoStream(stopped, options, [](const pdq::VpdqFrame&) { return Status::Internal("stop"); });
  CHECK(Error(stop) == "stop");
}

TEST_CASE("video: HashLiveStream refuses what it cannot open") {
  auto missing =
      video::HashLiveStream("/nonexistent/stream.ts", {}, [](const pdq::VpdqFrame&) { return Status::Ok(); });
  CHECK(missing.status().code() == ErrorCode::kNotFound);
  auto bad_url =
      video::HashLiveStream("gopher://example.invalid/x", {}, [](const pdq::VpdqFrame&) { return Status::Ok(); });
  CHECK(bad_url.status().code() == ErrorCode::kNotFound);
}
