// SPDX-License-Identifier: Apache-2.0
// exchangectl lookup: matching for members without a mirror. Asks the
// exchange (POST /v1/collections/{c}/lookup) about values given on the
// command line or stdin and files hashed here (MD5, SHA-1, SHA-256, PDQ),
// and about videos: vpdq values given with --vpdq, or video files hashed here
// with --video (vPDQ, as `exchangectl hash` does); only the hashes and
// values leave the machine, never the files. Prints what
// `match` prints (match_output.h), with every field the exchange's answer
// carries.
//
// Exit codes as match: 0 something matched, 1 nothing matched, 2 usage error
// or an input that could not be read or understood; and those of any call to
// the exchange (cli.h).

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "commands/cli.h"
#include "commands/command.h"
#include "commands/commands.h"
#include "commands/match_inputs.h"
#include "common/hex.h"
#include "exchange/v1/signals.pb.h"
#include "formats/json_text.h"
#include "formats/match_output.h"
#include "pdq/vpdq.h"
#include "signals/canonical.h"
#include "signals/match.h"
#include "signals/utf8.h"
#include "signals/vpdq_value.h"
#include "video/video_hasher.h"

namespace exchange::client {
namespace {

// Queries per request: the exchange takes at most 1000 values, hashes and videos together.
constexpr std::size_t kMaxPerRequest = 1000;

// Where each entry of a LookupRequest came from: query and candidate.
struct Asked {
  std::size_t query;
  std::size_t candidate;
};

// The match as Found: how it matched is the exchange's own word for it.
Found FromMatch(const Candidate& asked, const v1::LookupMatch& match, bool pdq) {
  Found f;
  f.from_mirror = false;
  f.row.state = match.state();
  f.key = {match.state().kind().empty() ? asked.kind : match.state().kind(),
           match.value().empty() ? asked.value : match.value()};
  if (pdq) f.distance = static_cast<int>(match.distance());
  f.match = !match.match().empty() ? match.match() : pdq && match.distance() > 0 ? "near" : "exact";
  if (asked.kind == "vpdq") {
    f.stored_percent = match.stored_percent();
    f.query_percent = match.query_percent();
    f.stored_frames = match.stored_frames();
    f.query_frames = match.query_frames();
  }
  return f;
}

// A --video file's vpdq value, hashed here as `exchangectl hash` does.
Result<std::string> VideoValue(const std::string& path, double seconds_per_hash) {
  video::VideoHashOptions options;
  options.seconds_per_hash = seconds_per_hash;
  auto hashed = video::HashVideoFile(path, options);
  if (!hashed.ok()) return Status::InvalidArgument("video " + path + ": " + hashed.status().message());
  if (hashed->frames.empty()) return Status::InvalidArgument("video " + path + ": no frame was hashed");
  if (hashed->frames.size() > signals::kMaxVpdqFeatures) {
    return Status::InvalidArgument("video " + path + ": " + std::to_string(hashed->frames.size()) +
                                   " frames hashed, more than a vpdq value holds (" +
                                   std::to_string(signals::kMaxVpdqFeatures) + "); hash fewer with --seconds-per-hash");
  }
  return pdq::VpdqSignalValue(hashed->frames);
}

}  // namespace

int RunLookup(Invocation& in) {
  std::string collection, kind, unused_file;
  int64_t max_distance = signals::kDefaultPdqMaxDistance, limit = 20;
  bool dihedral = false;
  // --file may be given many times; FlagSet keeps one value, so collect them first.
  const std::vector<std::string> files = in.TakeRepeated("file");
  const std::vector<std::string> vpdq_values = in.TakeRepeated("vpdq");
  const std::vector<std::string> videos = in.TakeRepeated("video");
  std::string unused_vpdq, unused_video, seconds_per_hash = "0";
  int64_t stored_percent = -1, query_percent = -1;  // -1: not given, the collection's
  in.flags.String("collection", "", &collection, "the collection to look in");
  in.flags.String("kind", "", &kind, "the kind of every VALUE given");
  in.flags.String("file", "", &unused_file, "a file to hash and look up (repeatable)");
  in.flags.Int("max-distance", "", &max_distance, "PDQ near-match distance, 1-63");
  in.flags.Int("limit", "", &limit, "near matches per PDQ hash, nearest first (1-1000)");
  in.flags.Bool("dihedral", "", &dihedral, "also look up an image's 7 rotations and flips");
  in.flags.String("vpdq", "", &unused_vpdq, "a video's vpdq value (JSON frame list) to look up (repeatable)");
  in.flags.String("video", "", &unused_video, "a video file to hash (vPDQ) and look up (repeatable)");
  in.flags.String("seconds-per-hash", "", &seconds_per_hash, "videos: hash one frame every S seconds (0: every frame)");
  in.flags.Int("vpdq-stored-percent", "", &stored_percent,
               "videos: share of a stored video's frames that must match, 1-100 (default: the collection's, 80)");
  in.flags.Int("vpdq-query-percent", "", &query_percent,
               "videos: share of the queried video's frames that must match, 0-100 (default: the collection's, 0)");
  in.Parse({{&collection, "--collection C"}});
  if (!kind.empty() && !signals::ParseKind(kind)) return in.UsageError(signals::UnknownKindMessage(kind));
  if (max_distance < 1 || max_distance > 63) return in.UsageError("--max-distance must be 1-63");
  if (limit < 1 || limit > 1000) return in.UsageError("--limit must be 1-1000");
  if (stored_percent != -1 && (stored_percent < 1 || stored_percent > 100)) {
    return in.UsageError("--vpdq-stored-percent must be 1-100");
  }
  if (query_percent != -1 && (query_percent < 0 || query_percent > 100)) {
    return in.UsageError("--vpdq-query-percent must be 0-100");
  }
  char* end = nullptr;
  const double seconds = std::strtod(seconds_per_hash.c_str(), &end);
  if (seconds_per_hash.empty() || *end != '\0' || !(seconds >= 0 && seconds <= 1e6)) {
    return in.UsageError("--seconds-per-hash must be a number of seconds >= 0");
  }

  // With only --vpdq or --video, stdin is not read for values.
  std::vector<Query> queries = (vpdq_values.empty() && videos.empty()) || !in.positionals().empty() || !files.empty()
                                   ? ReadQueries(in.positionals(), files)
                                   : std::vector<Query>{};
  const std::size_t first_video = queries.size();
  for (const auto& v : vpdq_values) {
    Query q(v, "argument");
    q.candidates.push_back({"vpdq", v});
    queries.push_back(std::move(q));
  }
  for (const auto& path : videos) {
    Query q(path, "file");
    if (auto value = VideoValue(path, seconds); value.ok()) {
      q.candidates.push_back({"vpdq", *value});
    } else {
      q.error = value.status().message();
    }
    queries.push_back(std::move(q));
  }
  // Every pdq hash of a query is looked up near; a file's rotations are extra hashes of the same query.
  std::vector<std::vector<std::string>> extra_pdq(queries.size());
  for (std::size_t i = 0; i < first_video; ++i) {
    auto& q = queries[i];
    if (q.source != "file") {
      Resolve(q, kind);
      continue;
    }
    if (Status s = HashFile(q); !s.ok()) {
      q.error = s.message();
      continue;
    }
    auto image = ImagePdq(q.input, dihedral);
    if (!image.ok()) {
      q.error = image.status().message();
      continue;
    }
    for (std::size_t h = 0; h < image->size(); ++h) {
      std::string hex = HexEncode(std::span<const uint8_t>((*image)[h].data(), (*image)[h].size()));
      if (h == 0)
        q.candidates.push_back({"pdq", hex});
      else
        extra_pdq[i].push_back(hex);
    }
  }

  // What to ask: (query, candidate) pairs; a file's extra rotations count as its pdq candidate.
  std::vector<Asked> values, hashes, vpdqs;
  std::vector<std::string> hash_values;
  for (std::size_t i = 0; i < queries.size(); ++i) {
    for (std::size_t c = 0; c < queries[i].candidates.size(); ++c) {
      if (i >= first_video) {
        vpdqs.push_back({i, c});
      } else if (queries[i].candidates[c].kind == "pdq") {
        hashes.push_back({i, c});
        hash_values.push_back(queries[i].candidates[c].value);
        for (const auto& extra : extra_pdq[i]) {
          hashes.push_back({i, c});
          hash_values.push_back(extra);
        }
      } else {
        values.push_back({i, c});
      }
    }
  }

  auto api = in.Connect();
  if (!api.ok()) return Fail(api.status());
  const std::string target = "/v1/collections/" + collection + "/lookup";
  uint64_t indexed_through = 0;
  std::size_t next_value = 0, next_hash = 0, next_vpdq = 0;
  while (next_value < values.size() || next_hash < hashes.size() || next_vpdq < vpdqs.size()) {
    v1::LookupRequest request;
    if (stored_percent != -1) request.set_vpdq_stored_percent(static_cast<uint32_t>(stored_percent));
    if (query_percent != -1) request.set_vpdq_query_percent(static_cast<uint32_t>(query_percent));
    request.set_max_distance(static_cast<uint32_t>(max_distance));
    request.set_limit(static_cast<uint32_t>(limit));
    const std::size_t first_value = next_value, first_hash = next_hash;
    while (next_value < values.size() && static_cast<std::size_t>(request.values_size()) < kMaxPerRequest) {
      const auto& c = queries[values[next_value].query].candidates[values[next_value].candidate];
      auto* ref = request.add_values();
      ref->set_kind(c.kind);
      ref->set_value(c.value);
      ++next_value;
    }
    while (next_hash < hashes.size() &&
           static_cast<std::size_t>(request.values_size() + request.pdq_size()) < kMaxPerRequest) {
      request.add_pdq(hash_values[next_hash++]);
    }
    // A video (up to 16 MiB of frames) goes alone, once the values and hashes are asked.
    const std::size_t first_vpdq = next_vpdq;
    if (request.values_size() + request.pdq_size() == 0 && next_vpdq < vpdqs.size()) {
      request.add_vpdq(queries[vpdqs[next_vpdq].query].candidates[vpdqs[next_vpdq].candidate].value);
      ++next_vpdq;
    }
    v1::LookupResponse response;
    if (Status s = (*api)->Call("POST", target, &request, &response); !s.ok()) return Fail(s);
    const int expected = request.values_size() + request.pdq_size() + request.vpdq_size();
    if (response.results_size() != expected) {
      return Fail(Status::Internal("the exchange answered " + std::to_string(response.results_size()) +
                                   " results for " + std::to_string(expected) + " lookups"));
    }
    indexed_through = std::max<uint64_t>(indexed_through, response.indexed_through());
    for (int r = 0; r < response.results_size(); ++r) {
      const int pdq_end = request.values_size() + request.pdq_size();
      const bool vpdq = r >= pdq_end;
      const bool pdq = !vpdq && r >= request.values_size();
      const Asked& asked = vpdq  ? vpdqs[first_vpdq + static_cast<std::size_t>(r - pdq_end)]
                           : pdq ? hashes[first_hash + static_cast<std::size_t>(r - request.values_size())]
                                 : values[first_value + static_cast<std::size_t>(r)];
      Query& q = queries[asked.query];
      const auto& result = response.results(r);
      // A guessed kind the value does not fit is no error; a kind asked for is (vpdq always is).
      if (!result.error().empty() && (!kind.empty() || vpdq)) q.error = result.error();
      for (const auto& match : result.matches()) {
        Found f = FromMatch(q.candidates[asked.candidate], match, pdq);
        bool seen = false;
        for (auto& known : q.found) {
          if (known.key.kind == f.key.kind && known.key.value == f.key.value) {
            if (f.distance >= 0 && (known.distance < 0 || f.distance < known.distance)) known.distance = f.distance;
            seen = true;
          }
        }
        if (!seen) q.found.push_back(std::move(f));
      }
    }
  }

  bool any_error = false;
  for (const auto& q : queries) any_error = any_error || !q.error.empty();
  const uint64_t matched = PrintQueries(queries, in.cli.json(),
                                        "\"server\": " + JsonString(in.cli.connection.server) +
                                            ", \"collection\": " + JsonString(collection) +
                                            ", \"indexed_through\": " + std::to_string(indexed_through) + ", ");
  std::fflush(stdout);
  if (any_error) return kExitUsage;
  return matched > 0 ? kExitOk : kExitRefused;
}

extern const Command kLookupCommand = {
    "lookup", "match values and files by asking the exchange (no mirror needed)",
    "usage: exchangectl lookup --collection C [--kind K] [VALUE...] [--file PATH]...\n"
    "       [--vpdq VALUE]... [--video PATH]... [--seconds-per-hash S] [--vpdq-stored-percent P]\n"
    "       [--vpdq-query-percent P]\n\n"
    "Matching without a mirror: asks the exchange. Values and files are read as `exchangectl match` reads them\n"
    "(without --kind, hex hashes by length and other values as url, domain, account_id and keyword); files\n"
    "are hashed here (MD5, SHA-1, SHA-256, and PDQ for images) and only the hashes are sent. PDQ hashes\n"
    "also near-match within --max-distance. Output as `exchangectl match`, by the same match rule (exact,\n"
    "parent domain, look-alike, near), as the exchange applies it.\n"
    "Videos: --vpdq gives a vpdq value (the JSON frame list of a vpdq signal), --video a video file hashed here\n"
    "(vPDQ; every frame, or one every --seconds-per-hash S) of which only the value is sent. The exchange\n"
    "matches it against the collection's vpdq signals by the vPDQ rule: at least --vpdq-stored-percent (80) of\n"
    "the stored video's frames and --vpdq-query-percent (0) of the query's match a frame within --max-distance;\n"
    "both shares are printed. Needs read access to C.\n"
    "Exit 0 when something matched, 1 when nothing did, 2 on a usage error or an unreadable input.",
    Command::Flags::kConnection, RunLookup};

}  // namespace exchange::client
