// SPDX-License-Identifier: Apache-2.0
#include "formats/match_output.h"

#include <cstdio>

#include "signals/vpdq_value.h"

#include "formats/json_text.h"
#include "formats/lists.h"

namespace exchange::client {
namespace {

// The older name of the rule, kept in the JSON for scripts written before
// "match": exact, suffix (a parent domain), look_alike, near (pdq).
std::string RuleOf(const Found& f) {
  if (f.match == "parent_domain") return "suffix";
  return f.distance >= 0 ? "near" : f.match;
}

std::string Percent(double p) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2f %%", p);
  return buffer;
}

// ": active, categories A1, 1 contributor, ...": a signal's state after its name.
std::string StateTail(const v1::SignalState& s) {
  std::string out = ": " + s.status();
  if (s.status() == "retracted") return out + " (a tombstone, not a match)";
  out += ", categories " +
         (s.categories().empty() ? std::string("-") : JoinList({s.categories().begin(), s.categories().end()}));
  out += ", " + std::to_string(s.contributors()) + " contributor" + (s.contributors() == 1 ? "" : "s");
  out += ", confirmed by " + std::to_string(s.confirmations()) + ", disputed by " + std::to_string(s.disputes());
  if (s.reviewed()) out += ", human-reviewed";
  return out;
}

std::string Describe(const Found& f) {
  const auto& s = f.row.state;
  const std::string how = f.match == "parent_domain" ? " (parent domain)"
                          : f.match == "look_alike"  ? " (look-alike)"
                                                     : "";
  std::string out;
  if (f.frame_number >= 0) {
    out = "frame " + std::to_string(f.frame_number) + " at " + signals::FormatVpdqTimestamp(f.frame_timestamp_ms) +
          " s matches ";
  }
  if (f.stored_percent >= 0) {
    out += "vpdq video of " + std::to_string(f.stored_frames) + " usable frames: " + Percent(f.stored_percent) +
           " of its frames are in the query, " + Percent(f.query_percent) + " of the query's " +
           std::to_string(f.query_frames) + " are in it";
  } else {
    out += s.kind() + " " + s.value() + how + (f.distance >= 0 ? " at distance " + std::to_string(f.distance) : "");
  }
  return out + StateTail(s);
}

std::string QueryJson(const Query& q) {
  std::string out = "{\"input\": " + JsonString(q.input) + ", \"source\": " + JsonString(q.source) +
                    ", \"matched\": " + (q.matched() ? "true" : "false");
  if (!q.error.empty()) out += ", \"error\": " + JsonString(q.error);
  out += ", \"checked\": [";
  for (std::size_t i = 0; i < q.candidates.size(); ++i) {
    out += std::string(i ? ", " : "") + "{\"kind\": " + JsonString(q.candidates[i].kind) +
           ", \"value\": " + JsonString(q.candidates[i].value) + "}";
  }
  out += "], \"matches\": [";
  for (std::size_t i = 0; i < q.found.size(); ++i) {
    const auto& f = q.found[i];
    out += std::string(i ? ", " : "") + "{\"kind\": " + JsonString(f.key.kind) +
           ", \"value\": " + JsonString(f.key.value) + ", \"match\": " + JsonString(f.match) +
           ", \"rule\": " + JsonString(RuleOf(f));
    if (f.distance >= 0) out += ", \"distance\": " + std::to_string(f.distance);
    if (f.frame_number >= 0) {
      out += ", \"frame_number\": " + std::to_string(f.frame_number) +
             ", \"timestamp\": " + signals::FormatVpdqTimestamp(f.frame_timestamp_ms);
    }
    if (f.stored_percent >= 0) {
      char shares[160];
      std::snprintf(
          shares, sizeof shares,
          ", \"query_percent\": %.2f, \"stored_percent\": %.2f, \"query_frames\": %zu, \"stored_frames\": %zu",
          f.query_percent, f.stored_percent, f.query_frames, f.stored_frames);
      out += shares;
    }
    if (f.from_mirror) out += ", \"last_index\": " + std::to_string(f.row.last_index);
    out += ", \"signal\": " + SignalStateJson(f.row.state) + "}";
  }
  return out + "]}";
}

}  // namespace

std::string StreamEventLine(const StreamEvent& e) {
  const Found& f = e.found;
  const auto& s = f.row.state;
  std::string out = "stream " + signals::FormatVpdqTimestamp(e.report_ms) +
                    " s: " + (s.status() == "retracted" ? "RETRACTED " : "MATCH ");
  if (f.match == "video") {
    out += "vpdq video of " + std::to_string(e.stored_frames) + " usable frames from " +
           signals::FormatVpdqTimestamp(e.first_ms) + " s: " + std::to_string(e.matched) + " of the window's " +
           std::to_string(e.window_frames) + " frames match it (" + std::to_string(e.required) + " needed)";
  } else {
    out += "frame at " + signals::FormatVpdqTimestamp(e.first_ms) + " s is a known image: " + s.kind() + " " +
           s.value() + " at distance " + std::to_string(f.distance);
  }
  return out + StateTail(s);
}

std::string StreamEventJson(const StreamEvent& e) {
  const Found& f = e.found;
  const bool video = f.match == "video";
  std::string out = std::string("{\"event\": ") + (video ? "\"video\"" : "\"image\"") +
                    ", \"stream_time\": " + signals::FormatVpdqTimestamp(e.first_ms) +
                    ", \"report_time\": " + signals::FormatVpdqTimestamp(e.report_ms) +
                    ", \"kind\": " + JsonString(f.key.kind) + ", \"value\": " + JsonString(f.key.value) +
                    ", \"match\": " + JsonString(f.match);
  if (f.distance >= 0) out += ", \"distance\": " + std::to_string(f.distance);
  if (video) {
    out += ", \"matched_frames\": " + std::to_string(e.matched) +
           ", \"required_frames\": " + std::to_string(e.required) +
           ", \"window_frames\": " + std::to_string(e.window_frames) +
           ", \"stored_frames\": " + std::to_string(e.stored_frames);
  }
  out += ", \"last_index\": " + std::to_string(f.row.last_index);
  return out + ", \"signal\": " + SignalStateJson(f.row.state) + "}";
}

uint64_t PrintQueries(const std::vector<Query>& queries, bool json, const std::string& json_head) {
  uint64_t matched = 0;
  for (const auto& q : queries) matched += q.matched() ? 1 : 0;
  if (json) {
    std::string out = "{" + json_head + "\"matched\": " + std::to_string(matched) + ", \"queries\": [";
    for (std::size_t i = 0; i < queries.size(); ++i) out += std::string(i ? ",\n  " : "\n  ") + QueryJson(queries[i]);
    out += "]}\n";
    std::fputs(out.c_str(), stdout);
    return matched;
  }
  for (const auto& q : queries) {
    if (!q.error.empty()) {
      std::fprintf(stderr, "exchangectl: %s: %s\n", q.input.c_str(), q.error.c_str());
      continue;
    }
    if (q.found.empty()) {
      std::printf("%s: no match\n", q.input.c_str());
      continue;
    }
    for (const auto& f : q.found) {
      std::printf("%s: %s %s\n", q.input.c_str(), f.row.state.status() == "retracted" ? "RETRACTED" : "MATCH",
                  Describe(f).c_str());
    }
  }
  return matched;
}

}  // namespace exchange::client
