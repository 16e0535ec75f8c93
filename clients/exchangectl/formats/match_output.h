// SPDX-License-Identifier: Apache-2.0
// What `match` (against a local mirror) and `lookup` (against the exchange)
// found for each input, and the one way both print it: a line per signal
// found, or one JSON document
// {<head>, "matched": N, "queries": [{"input", "source", "matched", "error"?,
//  "checked": [{"kind", "value"}], "matches": [{"kind", "value", "match", "rule", ...,
//  "signal": {SignalState}}]}]}. A video's matches also carry "frame_number"
// and "timestamp" (seconds) for a pdq signal one of its frames matched, and
// "query_percent", "stored_percent", "query_frames", "stored_frames" for a
// vpdq signal. The text line of a vpdq signal names its frame count instead
// of printing its value.
//
// Plain values and pure functions (printing goes to stdout/stderr).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "formats/signal_row.h"

namespace exchange::client {

struct Candidate {
  std::string kind;
  std::string value;  // canonical
};

struct Found {
  Candidate key;  // the signal found
  // How it matched, in the names of the exchange's lookup answer: "exact",
  // "parent_domain", "look_alike" (signals/match_rule.h) or "near" (pdq).
  std::string match;
  SignalRow row;      // row.last_index only when from_mirror
  int distance = -1;  // pdq matches: the Hamming distance; -1 for other kinds
  bool from_mirror = true;
  // A pdq signal matched by a frame of a queried video: that frame; -1 otherwise.
  int64_t frame_number = -1;
  int64_t frame_timestamp_ms = -1;
  // A vpdq signal matched by a queried video (match "video"): the shares of
  // the query's and of the stored video's usable frames that match (pdq/vpdq.h),
  // and how many usable frames each has.
  double query_percent = -1, stored_percent = -1;
  size_t query_frames = 0, stored_frames = 0;
};

struct Query {
  Query(std::string i, std::string s) : input(std::move(i)), source(std::move(s)) {}

  std::string input;   // the value as given, or the file's path
  std::string source;  // "argument", "stdin", "file"
  std::vector<Candidate> candidates;
  std::string error;
  std::vector<Found> found;
  // A retracted signal (a tombstone) is shown but is not a match.
  bool matched() const {
    for (const auto& f : found) {
      if (f.row.state.status() != "retracted") return true;
    }
    return false;
  }
};

// One event of `match --stream`: a stored vpdq video the live window matched
// (found.match "video"), or a pdq signal a sampled frame matched
// (found.match "exact" or "near", found.distance set).
struct StreamEvent {
  Found found;
  int64_t first_ms = 0;   // stream time of the first matched frame
  int64_t report_ms = 0;  // stream time when it was reported
  // vpdq: the window frames that match the video, the count the rule asked
  // for, the window's usable frames, and the stored video's usable frames.
  size_t matched = 0, required = 0, window_frames = 0, stored_frames = 0;
};
// "stream 30.000 s: MATCH vpdq video of 250 usable frames from 20.000 s: ..." (no newline).
std::string StreamEventLine(const StreamEvent& e);
// The same as one JSON object on one line (no newline): {"event": "video"|"image",
// "stream_time", "report_time", "kind", "value", "match", "distance"?,
// "matched_frames"?, "required_frames"?, "window_frames"?, "stored_frames"?,
// "last_index", "signal": {SignalState}}.
std::string StreamEventJson(const StreamEvent& e);

// Prints `queries`: as JSON when `json`, the document starting with the
// members in `json_head` (`"name": value, ...`, may be empty); else one line
// per signal found, "no match", and errors on stderr. Returns how many
// queries matched.
uint64_t PrintQueries(const std::vector<Query>& queries, bool json, const std::string& json_head);

}  // namespace exchange::client
