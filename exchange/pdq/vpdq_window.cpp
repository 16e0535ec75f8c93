// SPDX-License-Identifier: Apache-2.0
#include "pdq/vpdq_window.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace exchange::pdq {

Status ValidateWindowRule(const VpdqWindowRule& rule) {
  if (rule.window_ms <= 0 || rule.step_ms <= 0 || rule.sample_ms <= 0) {
    return Status::InvalidArgument("the window, its step and the sampling interval must be positive");
  }
  if (rule.step_ms > rule.window_ms) return Status::InvalidArgument("the window step must not exceed the window");
  if (rule.sample_ms > rule.window_ms) {
    return Status::InvalidArgument("the sampling interval must not exceed the window");
  }
  if (rule.min_frames < 1) return Status::InvalidArgument("the minimum of matched frames must be at least 1");
  if (!(rule.frame_rule.stored_percent >= 0 && rule.frame_rule.stored_percent <= 100)) {
    return Status::InvalidArgument("the stored percent must be 0-100");
  }
  return Status::Ok();
}

WindowVideo MakeWindowVideo(std::span<const VpdqFeature> features, const VpdqMatchRule& rule) {
  WindowVideo video;
  video.frames = UsableFrames(features, rule);
  int64_t first = -1, last = -1;
  for (const VpdqFeature& f : features) {
    if (f.quality < rule.min_quality) continue;
    if (first < 0 || f.timestamp_ms < first) first = f.timestamp_ms;
    last = std::max(last, f.timestamp_ms);
  }
  video.span_ms = first < 0 ? 0 : last - first;
  return video;
}

VpdqStreamWindow::VpdqStreamWindow(const VpdqWindowRule& rule, std::vector<WindowVideo> videos)
    : rule_(rule), videos_(std::move(videos)), in_run_(videos_.size(), false) {}

std::vector<WindowMatch> VpdqStreamWindow::Add(const VpdqFrame& frame) {
  // Frames older than the window leave it, whether or not this one is usable.
  while (!window_.empty() && window_.front().timestamp_ms <= frame.timestamp_ms - rule_.window_ms) {
    window_.pop_front();
  }
  if (frame.quality >= rule_.frame_rule.min_quality) {
    Entry entry{frame.hash, frame.timestamp_ms, std::vector<bool>(videos_.size(), false)};
    for (size_t v = 0; v < videos_.size(); ++v) {
      for (const PdqHash& stored : videos_[v].frames) {
        if (signals::HammingDistance256(frame.hash, stored) <= rule_.frame_rule.max_distance) {
          entry.matches[v] = true;
          break;
        }
      }
    }
    window_.push_back(std::move(entry));
  }
  if (frame.timestamp_ms < next_step_ms_) return {};
  next_step_ms_ = (frame.timestamp_ms / rule_.step_ms + 1) * rule_.step_ms;
  return Evaluate(frame.timestamp_ms);
}

std::vector<WindowMatch> VpdqStreamWindow::Evaluate(int64_t now_ms) {
  // The window's distinct frames (the first of repeated hashes) when the rule de-duplicates.
  std::vector<const Entry*> frames;
  std::set<PdqHash> seen;
  for (const Entry& e : window_) {
    if (rule_.frame_rule.deduplicate && !seen.insert(e.hash).second) continue;
    frames.push_back(&e);
  }
  std::vector<WindowMatch> out;
  for (size_t v = 0; v < videos_.size(); ++v) {
    const WindowVideo& video = videos_[v];
    WindowMatch m;
    m.video = v;
    m.report_ms = now_ms;
    m.window_frames = frames.size();
    m.expected = std::min<size_t>(frames.size(), std::max<int64_t>(1, video.span_ms / rule_.sample_ms));
    const auto share = static_cast<size_t>(
        std::ceil(rule_.frame_rule.stored_percent / 100.0 * static_cast<double>(m.expected) - 1e-9));
    m.required = std::max(rule_.min_frames, share);
    bool first = true;
    for (const Entry* e : frames) {
      if (!e->matches[v]) continue;
      if (first) m.first_ms = e->timestamp_ms, first = false;
      ++m.matched;
    }
    const bool match = !video.frames.empty() && m.matched >= m.required;
    if (match && !in_run_[v]) out.push_back(m);
    in_run_[v] = match;
  }
  return out;
}

}  // namespace exchange::pdq
