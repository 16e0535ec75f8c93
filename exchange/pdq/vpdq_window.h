// SPDX-License-Identifier: Apache-2.0
// Matching a live stream against stored vPDQ videos: a sliding window over
// the stream's sampled frames (`exchangectl match --stream`). The stream is
// sampled (one frame a second by default) while a stored video may hold
// every frame, so the whole-video rule of vpdq.h (stored share of all stored
// frames) cannot apply; the window rule, with its choices (docs/signals.md
// "Live streams"):
//   * the window holds the usable sampled frames (quality >= min_quality,
//     repeats within the window counted once) of the last window_ms of
//     stream time; older ones are dropped, so memory is bounded by
//     window_ms / sample_ms frames whatever the stream's length;
//   * a window frame matches a stored video when some usable stored frame is
//     within max_distance (computed once, when the frame enters the window);
//   * expected(video) = min(window frames, max(1, floor(D / sample_ms))), D
//     the stored video's usable span (last - first timestamp): how many
//     window frames the video can fill when the stream shows it;
//   * every step_ms of stream time a video matches when
//       matched >= max(min_frames, ceil(stored_percent / 100 × expected)),
//     the stream's estimate of "stored share >= stored_percent" at the
//     stream's sampling rate, with min_frames so that a few chance
//     near-matches never make a match;
//   * a video is reported once per contiguous run of matching steps, with
//     the stream time of the window's first frame that matched it.
// Delay: a stored video shown from stream time T is reported at a stream
// time < T + (M + 1) × sample_ms + step_ms, M the required count above (the
// M-th matching sample is before T + M × sample_ms; the next step boundary
// is at most step_ms later, and is evaluated at the first sample at or after
// it). With the defaults (30 s, 5 s, 1 s, 80 %, 5) and a 10 s stored clip,
// M = 8: at most 14 s after the clip starts.
//
// Pure code, no I/O; not thread-safe (one window per stream).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "pdq/vpdq.h"

namespace exchange::pdq {

struct VpdqWindowRule {
  int64_t window_ms = 30'000;  // the stream time the window covers
  int64_t step_ms = 5'000;     // stream time between evaluations
  int64_t sample_ms = 1'000;   // the stream's sampling interval (what one window frame stands for)
  size_t min_frames = 5;       // matched window frames needed, whatever the share
  VpdqMatchRule frame_rule;    // max_distance, min_quality, deduplicate and stored_percent apply
};

// InvalidArgument unless the durations are positive, step_ms <= window_ms,
// sample_ms <= window_ms, min_frames >= 1 and stored_percent 0-100.
Status ValidateWindowRule(const VpdqWindowRule& rule);

// A stored video as the window compares it.
struct WindowVideo {
  std::vector<PdqHash> frames;  // usable frames (UsableFrames)
  int64_t span_ms = 0;          // last - first timestamp of the usable frames
};
// `features` as a WindowVideo for `rule` (frames empty when none is usable).
WindowVideo MakeWindowVideo(std::span<const VpdqFeature> features, const VpdqMatchRule& rule);

// A stored video newly matched at a step.
struct WindowMatch {
  size_t video = 0;          // index into the videos given to the window
  int64_t first_ms = 0;      // stream time of the window's first frame that matches it
  int64_t report_ms = 0;     // stream time of the sample that made the step
  size_t matched = 0;        // window frames that match it
  size_t required = 0;       // the count the rule asked for
  size_t window_frames = 0;  // usable frames in the window
  size_t expected = 0;       // expected(video)
};

class VpdqStreamWindow {
 public:
  // `rule` must pass ValidateWindowRule.
  VpdqStreamWindow(const VpdqWindowRule& rule, std::vector<WindowVideo> videos);

  // Adds the next sampled frame (timestamps non-decreasing). When its stream
  // time reaches the next step boundary, evaluates the window and returns
  // the videos whose run of matches starts at this step (empty otherwise).
  std::vector<WindowMatch> Add(const VpdqFrame& frame);

  size_t window_frames() const { return window_.size(); }

 private:
  struct Entry {
    PdqHash hash;
    int64_t timestamp_ms;
    std::vector<bool> matches;  // per video: within max_distance of one of its frames
  };
  std::vector<WindowMatch> Evaluate(int64_t now_ms);

  VpdqWindowRule rule_;
  std::vector<WindowVideo> videos_;
  std::deque<Entry> window_;  // timestamp order; at most window_ms / sample_ms + 1 entries at the sampling rate
  std::vector<bool> in_run_;  // per video: matched at the previous step
  int64_t next_step_ms_ = 0;
};

}  // namespace exchange::pdq
