// SPDX-License-Identifier: Apache-2.0
// The video demuxer and decoder entry (video::HashVideoBytes) on arbitrary
// small inputs, with tight limits on pixels, frames and bytes: no crash, no
// hang, no allocation beyond the limits; every refusal says why, and what is
// hashed is consistent (frame numbers rising, qualities 0-100, no more
// frames than the limit). The committed corpus holds tiny MP4, AVI, WebM,
// MPEG-TS and YUV4MPEG videos (fuzz/corpus/video_fuzz/).
#include <cstdint>
#include <cstdlib>
#include <span>

#include "video/video_hasher.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  exchange::video::VideoHashOptions options;
  options.limits.max_pixels = 256 * 256;
  options.limits.max_frames = 64;
  options.limits.max_bytes = 1 << 20;
  auto hashed = exchange::video::HashVideoBytes(std::span<const uint8_t>(data, size), options);
  if (!hashed.ok()) {
    if (hashed.status().message().empty()) std::abort();
    return 0;
  }
  const auto& frames = hashed->frames;
  if (frames.empty() || static_cast<int64_t>(frames.size()) > options.limits.max_frames) std::abort();
  if (hashed->info.decoded_frames > options.limits.max_frames) std::abort();
  for (size_t i = 0; i < frames.size(); ++i) {
    if (frames[i].quality < 0 || frames[i].quality > 100) std::abort();
    if (i > 0 && frames[i].frame_number <= frames[i - 1].frame_number) std::abort();
  }
  return 0;
}
