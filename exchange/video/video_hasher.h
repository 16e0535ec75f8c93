// SPDX-License-Identifier: Apache-2.0
// Decoding a video with FFmpeg's libraries (libavformat, libavcodec,
// libswscale from Debian) and hashing its frames with our PDQ hasher: the
// vPDQ hash, as Meta's vpdq-hash-video computes it.
//
// How, and where it follows Meta's tool:
//   * the first video stream is decoded (cover art, an "attached picture",
//     does not count as video); each decoded frame is numbered from 0;
//   * every frame is hashed by default; with seconds_per_hash S, frame n is
//     hashed when n % int(S × frame rate) == 0 (at least every frame);
//   * a frame is converted to RGB24 at its own size by libswscale (area
//     filter, as Meta's) and hashed at full size (no resampling; PDQ's box
//     filter adapts to the size); frames narrower or lower than 5 pixels
//     get an all-zero hash of quality 0, as in Meta's tool;
//   * the timestamp is frame number / the stream's average frame rate (its
//     real base rate when the average is unknown), printed to 3 decimals.
//
// Bad input is a Status for that one input, never a crash: empty, not a
// container FFmpeg reads (only the video containers of kContainers are
// probed), no video stream, zero or absurd dimensions (checked before the
// decoder allocates anything, and on every decoded frame), more frames than
// the limit, corrupt data (a decoder error, or a frame the decoder had to
// conceal), truncation (a damaged packet, or fewer frames than the
// container lists). Bytes are read through a bounded callback, never all at
// once, so memory stays at a few frames whatever the input's size. A
// container cannot make FFmpeg open anything else (playlists, references to
// other files): every nested open is refused.
//
// A live stream (VideoHashOptions::live, HashLiveStream) has no byte or
// frame limit and skips damaged frames instead of failing; see there.
//
// I/O: HashVideoFile and HashLiveStream read the file (or stdin); the rest
// reads only the given source.
// Thread-safe: each call has its own FFmpeg contexts (FFmpeg's log callback,
// set once, keeps the last message per thread for the error text).
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "pdq/vpdq.h"

namespace exchange::video {

struct VideoLimits {
  int64_t max_bytes = int64_t{64} << 30;      // of the input; 64 GiB
  int64_t max_pixels = int64_t{8192} * 4320;  // width × height of the stream and of every frame (8K)
  int64_t max_frames = 10'000'000;            // decoded frames, hashed or not (92 hours at 30 fps)
};

struct VideoHashOptions {
  double seconds_per_hash = 0;  // 0: every frame
  VideoLimits limits;
  // A live stream (HashLiveStream): it may run for hours, so max_bytes and
  // max_frames do not apply (max_pixels does, per frame); a damaged packet or
  // a frame the decoder concealed is skipped and counted (a stream joined
  // mid-way or with a lost packet goes on), and fewer frames than listed is
  // no error.
  bool live = false;
};

struct VideoInfo {
  std::string container;  // FFmpeg's demuxer name, e.g. "mov,mp4,m4a,3gp,3g2,mj2"
  std::string codec;      // e.g. "h264"
  int width = 0, height = 0;
  double frame_rate = 0;       // frames per second, as the timestamps use it
  int64_t decoded_frames = 0;  // all of them, hashed or not
  int64_t skipped_frames = 0;  // live: damaged packets and concealed frames passed over
};

struct VideoHash {
  VideoInfo info;
  std::vector<pdq::VpdqFrame> frames;  // the hashed frames, in decoding order
};

// Where the demuxer reads from. Read and Seek are called from the hashing
// thread only.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Up to `size` bytes into `buffer`: how many were read, 0 at the end, -1 on an error.
  virtual int64_t Read(uint8_t* buffer, size_t size) = 0;
  // To absolute offset `offset`; false when it cannot.
  virtual bool Seek(int64_t offset) = 0;
  // The total size, or -1 when unknown (a pipe).
  virtual int64_t Size() const = 0;
};

// Called for each hashed frame as it is hashed; an error stops hashing and is returned.
using FrameSink = std::function<Status(const pdq::VpdqFrame&)>;

// The container names kContainers lets FFmpeg probe for (comma-separated, FFmpeg's format_whitelist).
extern const char* const kContainers;
// The protocols HashLiveStream opens a URL with (FFmpeg's protocol_whitelist).
extern const char* const kStreamProtocols;

// Decodes `source` and passes every hashed frame to `sink`. Returns what was
// decoded (VideoHash::frames left empty). Errors: InvalidArgument for input
// that is not a decodable video (the message says which problem),
// PayloadTooLarge past a limit.
Result<VideoHash> HashVideoStream(ByteSource& source, const VideoHashOptions& options, const FrameSink& sink);

// The same, collecting the frames.
Result<VideoHash> HashVideo(ByteSource& source, const VideoHashOptions& options = {});
Result<VideoHash> HashVideoBytes(std::span<const uint8_t> bytes, const VideoHashOptions& options = {});
// NotFound when the file cannot be opened.
Result<VideoHash> HashVideoFile(const std::string& path, const VideoHashOptions& options = {});

// A live stream: `input` "-" is stdin; a URL (with "://") of one of
// kStreamProtocols is read through FFmpeg's protocol (udp://@:1234 for
// MPEG-TS over UDP; bytes only: the container is still one of kContainers
// and nothing else is opened); anything else a file or a named pipe (an
// MPEG-TS pipe from ffmpeg; a recording still being written is read up to
// its current end). NotFound when it cannot be opened. Decodes with options.live set, passing each hashed
// frame to `sink` as it is hashed and holding no more than the decoder's few
// frames, until the stream ends (Ok) or `sink` returns an error.
Result<VideoHash> HashLiveStream(const std::string& input, const VideoHashOptions& options, const FrameSink& sink);

}  // namespace exchange::video
