// SPDX-License-Identifier: Apache-2.0
#include "commands/match_stream.h"

#include <cstdio>
#include <set>
#include <vector>

#include "commands/cli.h"
#include "common/hex.h"
#include "formats/match_output.h"
#include "pdq/index.h"
#include "signals/match.h"
#include "signals/vpdq_value.h"

namespace exchange::client {
namespace {

void Print(const StreamEvent& event, bool json) {
  const std::string line = json ? StreamEventJson(event) : StreamEventLine(event);
  std::fputs((line + "\n").c_str(), stdout);
  std::fflush(stdout);  // a live stream's events are read as they happen
}

}  // namespace

int RunStreamMatch(Mirror& mirror, const StreamMatchSettings& settings) {
  const pdq::VpdqMatchRule& frame_rule = settings.window.frame_rule;
  // The live vpdq and pdq signals, loaded once: memory is the mirror's, not the stream's.
  std::vector<std::string> video_values;
  std::vector<pdq::WindowVideo> videos;
  Status s = mirror.ForEachSignal("vpdq", "", [&](const SignalRow& row) {
    if (row.state.status() == "retracted") return Status::Ok();
    auto features = signals::ParseVpdqValue(row.state.value());
    if (features.ok()) {
      video_values.push_back(row.state.value());
      videos.push_back(pdq::MakeWindowVideo(*features, frame_rule));
    }
    return Status::Ok();
  });
  if (!s.ok()) return Fail(s);
  std::vector<pdq::PdqHash> images;
  s = mirror.ForEachSignal("pdq", "", [&](const SignalRow& row) {
    if (row.state.status() == "retracted") return Status::Ok();
    if (auto h = signals::ParsePdq(row.state.value()); h.ok()) images.push_back(*h);
    return Status::Ok();
  });
  if (!s.ok()) return Fail(s);
  pdq::Index index;
  index.Assign(images);
  std::vector<size_t> stored_frames;
  for (const auto& v : videos) stored_frames.push_back(v.frames.size());

  pdq::VpdqStreamWindow window(settings.window, std::move(videos));
  std::set<pdq::PdqHash> previous_images;  // the stored images the previous sample matched: one report per run
  uint64_t reported = 0;
  int64_t last_ms = 0;
  auto on_frame = [&](const pdq::VpdqFrame& frame) -> Status {
    last_ms = frame.timestamp_ms;
    std::set<pdq::PdqHash> images_now;
    if (frame.quality >= frame_rule.min_quality) {
      auto near = index.Query(frame.hash, frame_rule.max_distance);
      if (!near.ok()) return near.status();
      for (const auto& m : *near) {
        images_now.insert(m.hash);
        if (previous_images.contains(m.hash)) continue;
        const std::string hex = HexEncode(std::span<const uint8_t>(m.hash.data(), m.hash.size()));
        auto row = mirror.Lookup("pdq", hex);
        if (!row.ok()) return row.status();
        if (!*row) continue;
        StreamEvent event{Found{{"pdq", hex}, m.distance == 0 ? "exact" : "near", **row, m.distance}};
        event.first_ms = event.report_ms = frame.timestamp_ms;
        Print(event, settings.json);
        ++reported;
      }
    }
    previous_images = std::move(images_now);
    for (const pdq::WindowMatch& m : window.Add(frame)) {
      auto row = mirror.Lookup("vpdq", video_values[m.video]);
      if (!row.ok()) return row.status();
      if (!*row) continue;
      StreamEvent event{Found{{"vpdq", video_values[m.video]}, "video", **row}};
      event.first_ms = m.first_ms;
      event.report_ms = m.report_ms;
      event.matched = m.matched;
      event.required = m.required;
      event.window_frames = m.window_frames;
      event.stored_frames = stored_frames[m.video];
      Print(event, settings.json);
      ++reported;
    }
    return Status::Ok();
  };
  auto hashed = video::HashLiveStream(settings.input, settings.video, on_frame);
  if (!hashed.ok()) {
    std::fprintf(stderr, "exchangectl: stream %s at %s s: %s\n", settings.input.c_str(),
                 signals::FormatVpdqTimestamp(last_ms).c_str(), hashed.status().message().c_str());
    return 2;
  }
  std::fprintf(stderr, "exchangectl: stream ended after %s s (%lld frames, %lld skipped as damaged): %llu reported\n",
               signals::FormatVpdqTimestamp(last_ms).c_str(), static_cast<long long>(hashed->info.decoded_frames),
               static_cast<long long>(hashed->info.skipped_frames), static_cast<unsigned long long>(reported));
  return reported > 0 ? 0 : 1;
}

}  // namespace exchange::client
