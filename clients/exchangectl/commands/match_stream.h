// SPDX-License-Identifier: Apache-2.0
// `exchangectl match --mirror DIR --stream URL|-`: a live stream matched as it
// plays. Frames are sampled (one every seconds_per_hash of stream time),
// hashed as they are decoded, and passed to the sliding window of
// pdq/vpdq_window.h (stored vpdq videos) and to the mirror's pdq index
// (known images). Each event is one line on stdout (one JSON object with
// --output json), flushed at once. Memory stays flat: the window is
// bounded and nothing is kept per frame.
// Defined in commands/match_stream.cpp; called by match.cpp.
#pragma once

#include <string>

#include "mirror/mirror.h"
#include "pdq/vpdq_window.h"
#include "video/video_hasher.h"

namespace exchange::client {

struct StreamMatchSettings {
  std::string input;              // "-" (stdin), a file or a named pipe
  video::VideoHashOptions video;  // seconds_per_hash > 0
  pdq::VpdqWindowRule window;     // sample_ms = seconds_per_hash; frame_rule.max_distance for pdq too
  bool json = false;
};

// Runs until the stream ends. Exit code: 0 when something was reported, 1
// when nothing was, 2 when the stream could not be read or decoded (the
// events before stay printed).
int RunStreamMatch(Mirror& mirror, const StreamMatchSettings& settings);

}  // namespace exchange::client
