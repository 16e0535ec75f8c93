// SPDX-License-Identifier: Apache-2.0
// exchangectl match: exact matching against a local mirror, for values given
// on the command line or stdin and for files hashed locally (MD5, SHA-1,
// SHA-256, streaming; PDQ for images; vPDQ for videos). Nothing leaves the
// machine. A video is matched against the mirror's vpdq signals by the vPDQ
// rule (pdq/vpdq.h) and, frame by frame, against its pdq signals: each frame
// of quality >= 50 near-matches stored images, so a known image inside a
// video is found ("frame 312 at 10.400 s matches pdq ...").
//
// Exit codes: 0 something matched, 1 nothing matched, 2 usage error or an
// input that could not be read or understood (the others are still matched).
// A retracted signal (a tombstone) is shown but is not a match.
#include <openssl/evp.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <memory>
#include <set>

#include "commands/cli.h"
#include "commands/command.h"
#include "commands/commands.h"
#include "commands/match_inputs.h"
#include "commands/match_stream.h"
#include "common/hex.h"
#include "formats/json_text.h"
#include "formats/match_output.h"
#include "mirror/mirror.h"
#include "pdq/hasher.h"
#include "pdq/image.h"
#include "pdq/index.h"
#include "pdq/vpdq.h"
#include "signals/canonical.h"
#include "signals/look_alike.h"
#include "signals/match.h"
#include "signals/match_rule.h"
#include "signals/utf8.h"
#include "signals/vpdq_value.h"
#include "video/video_hasher.h"

namespace exchange::client {
namespace {

bool IsHex(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789abcdefABCDEF") == std::string_view::npos;
}

}  // namespace

// The (kind, canonical value) pairs a value could be. With a kind, just that
// one; otherwise hex hashes by length (64 hex digits are sha256 or pdq: both),
// else every other kind whose canonical form accepts the value.
void Resolve(Query& q, const std::string& kind_name) {
  auto add = [&](signals::Kind kind) -> Status {
    auto value = signals::Canonicalize(kind, q.input);
    if (!value.ok()) return value.status();
    q.candidates.push_back({std::string(signals::KindName(kind)), *value});
    return Status::Ok();
  };
  if (!kind_name.empty()) {
    if (Status s = add(*signals::ParseKind(kind_name)); !s.ok()) q.error = s.message();
    return;
  }
  const std::string_view trimmed = signals::TrimAsciiWhiteSpace(q.input);
  if (IsHex(trimmed) && (trimmed.size() == 32 || trimmed.size() == 40 || trimmed.size() == 64)) {
    if (trimmed.size() == 32) (void)add(signals::Kind::kMd5);
    if (trimmed.size() == 40) (void)add(signals::Kind::kSha1);
    if (trimmed.size() == 64) {
      (void)add(signals::Kind::kSha256);
      (void)add(signals::Kind::kPdq);
    }
    return;
  }
  const bool url_like = trimmed.substr(0, 7) == "http://" || trimmed.substr(0, 8) == "https://" ||
                        trimmed.substr(0, 7) == "HTTP://" || trimmed.substr(0, 8) == "HTTPS://";
  if (url_like) {
    (void)add(signals::Kind::kUrl);
  } else {
    (void)add(signals::Kind::kDomain);
    if (trimmed.find(':') != std::string_view::npos) (void)add(signals::Kind::kAccountId);
  }
  (void)add(signals::Kind::kKeyword);
  if (q.candidates.empty()) q.error = "cannot tell which kind of signal this is; give --kind";
}

// MD5, SHA-1 and SHA-256 of a file, read once in 1 MiB blocks.
Status HashFile(Query& q) {
  std::ifstream in(q.input, std::ios::binary);
  if (!in) return Status::NotFound("cannot open " + q.input + ": " + std::strerror(errno));
  struct Digest {
    const char* kind;
    const EVP_MD* md;
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx;
  };
  Digest digests[] = {{"md5", EVP_md5(), {EVP_MD_CTX_new(), EVP_MD_CTX_free}},
                      {"sha1", EVP_sha1(), {EVP_MD_CTX_new(), EVP_MD_CTX_free}},
                      {"sha256", EVP_sha256(), {EVP_MD_CTX_new(), EVP_MD_CTX_free}}};
  for (auto& d : digests) {
    if (!d.ctx || EVP_DigestInit_ex(d.ctx.get(), d.md, nullptr) != 1) return Status::Internal("OpenSSL cannot hash");
  }
  std::string block(1 << 20, '\0');
  while (in) {
    in.read(block.data(), static_cast<std::streamsize>(block.size()));
    const auto n = static_cast<std::size_t>(in.gcount());
    if (n == 0) break;
    for (auto& d : digests) {
      if (EVP_DigestUpdate(d.ctx.get(), block.data(), n) != 1) return Status::Internal("OpenSSL cannot hash");
    }
  }
  if (in.bad()) return Status::Internal("cannot read " + q.input);
  for (auto& d : digests) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_DigestFinal_ex(d.ctx.get(), out, &length) != 1) return Status::Internal("OpenSSL cannot hash");
    q.candidates.push_back({d.kind, HexEncode(std::span<const uint8_t>(out, length))});
  }
  return Status::Ok();
}

namespace {

// The mirror's signals as the match rule asks for them. Skeletons are
// computed from the mirrored values (the feed carries values only), once per
// kind on first use.
class MirrorSignalIndex final : public signals::SignalIndex {
 public:
  explicit MirrorSignalIndex(Mirror& mirror) : mirror_(mirror) {}
  Result<std::vector<std::string>> FindValues(signals::Kind kind, const std::vector<std::string>& values) override {
    std::vector<std::string> out;
    for (const auto& value : values) {
      auto row = mirror_.Lookup(signals::KindName(kind), value);
      if (!row.ok()) return row.status();
      if (*row) out.push_back(value);
    }
    return out;
  }
  Result<std::vector<std::string>> FindSkeletons(signals::Kind kind,
                                                 const std::vector<std::string>& skeletons) override {
    auto& by_skeleton = skeletons_[kind];
    if (!loaded_[kind]) {
      Status s = mirror_.ForEachSignal(signals::KindName(kind), "", [&](const SignalRow& row) {
        by_skeleton.emplace(signals::LookAlikeSkeleton(kind, row.state.value()), row.state.value());
        return Status::Ok();
      });
      if (!s.ok()) return s;
      loaded_[kind] = true;
    }
    std::vector<std::string> out;
    for (const auto& skeleton : skeletons) {
      auto [begin, end] = by_skeleton.equal_range(skeleton);
      std::size_t taken = 0;  // in value order: ForEachSignal orders by value
      for (auto it = begin; it != end && taken < signals::kMaxLookAlikesPerSkeleton; ++it, ++taken) {
        out.push_back(it->second);
      }
    }
    return out;
  }

 private:
  Mirror& mirror_;
  std::map<signals::Kind, std::multimap<std::string, std::string>> skeletons_;
  std::map<signals::Kind, bool> loaded_;
};

// The mirror's live pdq signals (active or disputed) in an exact near-duplicate index.
class PdqNearMatcher {
 public:
  Status Load(Mirror& mirror) {
    std::vector<pdq::PdqHash> hashes;
    Status s = mirror.ForEachSignal("pdq", "", [&](const SignalRow& row) {
      if (row.state.status() == "retracted") return Status::Ok();
      if (auto h = signals::ParsePdq(row.state.value()); h.ok()) hashes.push_back(*h);
      return Status::Ok();
    });
    if (!s.ok()) return s;
    index_.Assign(hashes);
    return Status::Ok();
  }

  // Adds every stored hash within `max_distance` of `query` to q.found. With
  // `frame` (the query is a video's frame), a hash already found keeps the
  // nearest frame, the earliest of equally near ones.
  Status Match(Mirror& mirror, const pdq::PdqHash& query, int max_distance, Query& q,
               const pdq::VpdqFrame* frame = nullptr) const {
    auto matches = index_.Query(query, max_distance);
    if (!matches.ok()) return matches.status();
    for (const auto& m : *matches) {
      std::string hex = HexEncode(std::span<const uint8_t>(m.hash.data(), m.hash.size()));
      bool seen = false;
      for (auto& f : q.found) {
        if (f.key.kind == "pdq" && f.key.value == hex) {
          if (f.distance > m.distance) {
            f.distance = m.distance;
            f.match = m.distance == 0 ? "exact" : "near";
            if (frame) f.frame_number = frame->frame_number, f.frame_timestamp_ms = frame->timestamp_ms;
          }
          seen = true;
        }
      }
      if (seen) continue;
      auto row = mirror.Lookup("pdq", hex);
      if (!row.ok()) return row.status();
      if (!*row) continue;
      Found found{{"pdq", hex}, m.distance == 0 ? "exact" : "near", **row, m.distance};
      if (frame) found.frame_number = frame->frame_number, found.frame_timestamp_ms = frame->timestamp_ms;
      q.found.push_back(std::move(found));
    }
    return Status::Ok();
  }

 private:
  pdq::Index index_;
};

// The mirror's live vpdq signals, each as the frames the vPDQ rule counts.
class VpdqMatcher {
 public:
  Status Load(Mirror& mirror, const pdq::VpdqMatchRule& rule) {
    return mirror.ForEachSignal("vpdq", "", [&](const SignalRow& row) {
      if (row.state.status() == "retracted") return Status::Ok();
      auto features = signals::ParseVpdqValue(row.state.value());
      if (features.ok()) videos_.push_back({row.state.value(), pdq::UsableFrames(*features, rule)});
      return Status::Ok();
    });
  }

  // Adds every stored video the query's frames match under `rule` to q.found.
  Status Match(Mirror& mirror, std::span<const pdq::VpdqFrame> frames, const pdq::VpdqMatchRule& rule, Query& q) const {
    const std::vector<pdq::VpdqFeature> features = pdq::ToFeatures(frames);
    const std::vector<pdq::PdqHash> query = pdq::UsableFrames(features, rule);
    for (const auto& video : videos_) {
      const pdq::VpdqComparison c = pdq::CompareVpdq(query, video.frames, rule);
      if (!c.match) continue;
      auto row = mirror.Lookup("vpdq", video.value);
      if (!row.ok()) return row.status();
      if (!*row) continue;
      Found found{{"vpdq", video.value}, "video", **row};
      found.query_percent = c.query_percent;
      found.stored_percent = c.stored_percent;
      found.query_frames = c.query_frames;
      found.stored_frames = c.stored_frames;
      q.found.push_back(std::move(found));
    }
    return Status::Ok();
  }

 private:
  struct Video {
    std::string value;
    std::vector<pdq::PdqHash> frames;
  };
  std::vector<Video> videos_;
};

// A video file's hashed frames: empty (and no error) when the file is not a
// video FFmpeg reads.
Result<std::vector<pdq::VpdqFrame>> VideoFrames(const std::string& path, const video::VideoHashOptions& options) {
  auto hashed = video::HashVideoFile(path, options);
  if (!hashed.ok()) {
    if (hashed.status().message().starts_with("not a video file")) return std::vector<pdq::VpdqFrame>{};
    return Status::InvalidArgument("video: " + hashed.status().message());
  }
  return std::move(hashed->frames);
}

}  // namespace

// An image file's PDQ hash (and with `dihedral` its seven rotations and flips).
std::vector<Query> ReadQueries(const std::vector<std::string>& values, const std::vector<std::string>& files) {
  std::vector<Query> queries;
  for (const auto& v : values) queries.emplace_back(v, "argument");
  for (const auto& f : files) queries.emplace_back(f, "file");
  if (queries.empty()) {
    std::string line;
    while (std::getline(std::cin, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (signals::TrimAsciiWhiteSpace(line).empty()) continue;
      queries.emplace_back(line, "stdin");
    }
  }
  return queries;
}

Result<std::vector<pdq::PdqHash>> ImagePdq(const std::string& path, bool dihedral) {
  std::ifstream in(path, std::ios::binary);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (pdq::DetectFormat(bytes) == pdq::ImageFormat::kUnknown) return std::vector<pdq::PdqHash>{};
  auto luma = pdq::DecodeLuma(bytes);
  if (!luma.ok()) return luma.status();
  std::vector<pdq::PdqHash> out;
  if (dihedral) {
    auto all = pdq::HashLumaDihedral(luma->view());
    if (!all.ok()) return all.status();
    for (const auto& r : *all) out.push_back(r.hash);
  } else {
    auto one = pdq::HashLuma(luma->view());
    if (!one.ok()) return one.status();
    out.push_back(one->hash);
  }
  return out;
}

namespace {

// The one match rule (signals/match_rule.h), as the server's lookup applies it.
Status Lookup(Mirror& mirror, MirrorSignalIndex& index, Query& q) {
  for (const auto& c : q.candidates) {
    auto matches = signals::FindMatches(*signals::ParseKind(c.kind), c.value, index);
    if (!matches.ok()) return matches.status();
    for (const auto& m : *matches) {
      auto row = mirror.Lookup(c.kind, m.value);
      if (!row.ok()) return row.status();
      if (*row) q.found.push_back({{c.kind, m.value}, std::string(signals::MatchTypeName(m.type)), **row});
    }
  }
  return Status::Ok();
}

}  // namespace

int RunMatch(Invocation& in) {
  std::string dir, kind, unused_file;
  int64_t max_distance = signals::kDefaultPdqMaxDistance;
  bool dihedral = false;
  // --file may be given many times; FlagSet keeps one value, so collect them first.
  const std::vector<std::string> files = in.TakeRepeated("file");
  in.flags.String("mirror", "EXCHANGECTL_MIRROR", &dir, "the mirror's directory");
  in.flags.String("kind", "", &kind, "the kind of every VALUE given");
  in.flags.String("file", "", &unused_file, "a file to hash and match (repeatable)");
  in.flags.Int("max-distance", "", &max_distance, "PDQ near-match distance, 0-63 (0: exact only)");
  in.flags.Bool("dihedral", "", &dihedral, "also match an image's 7 rotations and flips");
  // Empty: the collection's thresholds as the mirror's last sync recorded them.
  std::string seconds_per_hash, stored_percent, query_percent;
  in.flags.String("seconds-per-hash", "", &seconds_per_hash,
                  "videos: hash one frame every S seconds (0: every frame; default 0, streams 1)");
  in.flags.String("vpdq-stored-percent", "", &stored_percent,
                  "videos: share of a stored video's frames that must match (default: the collection's, 80)");
  in.flags.String("vpdq-query-percent", "", &query_percent,
                  "videos: share of the queried video's frames that must match (default: the collection's, 0)");
  std::string stream, window = "30", window_step = "5";
  int64_t stream_min_frames = 5;
  in.flags.String("stream", "", &stream,
                  "match a live stream as it plays: - (stdin), a udp/tcp/http(s)/srt URL, a file or a named pipe");
  in.flags.String("window", "", &window, "streams: the sliding window, in seconds of stream time");
  in.flags.String("window-step", "", &window_step, "streams: seconds of stream time between matches");
  in.flags.Int("stream-min-frames", "", &stream_min_frames,
               "streams: window frames that must match a stored video, whatever the share");
  in.Parse({{&dir, "--mirror DIR", "without a mirror: exchangectl lookup"}});
  video::VideoHashOptions video_options;
  pdq::VpdqMatchRule vpdq_rule;
  {
    auto number = [](const std::string& text, double max, double& out) {
      char* end = nullptr;
      out = std::strtod(text.c_str(), &end);
      return !text.empty() && *end == '\0' && out >= 0 && out <= max;
    };
    if (seconds_per_hash.empty()) seconds_per_hash = stream.empty() ? "0" : "1";
    if (!number(seconds_per_hash, 1e6, video_options.seconds_per_hash)) {
      return Fail(Status::InvalidArgument("--seconds-per-hash must be a number of seconds >= 0"));
    }
    if ((!stored_percent.empty() && !number(stored_percent, 100, vpdq_rule.stored_percent)) ||
        (!query_percent.empty() && !number(query_percent, 100, vpdq_rule.query_percent))) {
      return Fail(Status::InvalidArgument("--vpdq-stored-percent and --vpdq-query-percent must be 0-100"));
    }
  }
  if (in.cli.output != "json" && in.cli.output != "table")
    return Fail(Status::InvalidArgument("--output must be table or json"));
  if (!kind.empty() && !signals::ParseKind(kind)) {
    std::fprintf(stderr, "exchangectl: %s\n", signals::UnknownKindMessage(kind).c_str());
    return 2;
  }
  auto mirror = Mirror::Open(dir, Mirror::Mode::kRead);
  if (!mirror.ok()) {
    std::fprintf(stderr, "exchangectl: %s\n", mirror.status().ToString().c_str());
    return 2;
  }

  if (max_distance < 0 || max_distance > 63) return Fail(Status::InvalidArgument("--max-distance must be 0-63"));
  vpdq_rule.max_distance = static_cast<int>(max_distance);
  if (stored_percent.empty()) vpdq_rule.stored_percent = (*mirror)->settings().vpdq_stored_percent;
  if (query_percent.empty()) vpdq_rule.query_percent = (*mirror)->settings().vpdq_query_percent;

  if (!stream.empty()) {
    if (!in.positionals().empty() || !files.empty() || !kind.empty()) {
      return in.UsageError("--stream takes no VALUE, --file or --kind");
    }
    StreamMatchSettings settings;
    settings.input = stream;
    settings.video = video_options;
    settings.json = in.cli.json();
    double window_s = 0, step_s = 0;
    auto seconds = [](const std::string& text, double& out) {
      char* end = nullptr;
      out = std::strtod(text.c_str(), &end);
      return !text.empty() && *end == '\0' && out > 0 && out <= 86'400;
    };
    if (!seconds(window, window_s) || !seconds(window_step, step_s)) {
      return Fail(Status::InvalidArgument("--window and --window-step must be seconds, more than 0, at most 86400"));
    }
    if (video_options.seconds_per_hash <= 0) {
      return Fail(Status::InvalidArgument("--seconds-per-hash must be more than 0 for a stream"));
    }
    if (stream_min_frames < 1 || stream_min_frames > 100'000) {
      return Fail(Status::InvalidArgument("--stream-min-frames must be 1-100000"));
    }
    settings.window.window_ms = pdq::MillisFromSeconds(window_s);
    settings.window.step_ms = pdq::MillisFromSeconds(step_s);
    settings.window.sample_ms = std::max<int64_t>(1, pdq::MillisFromSeconds(video_options.seconds_per_hash));
    settings.window.min_frames = static_cast<size_t>(stream_min_frames);
    settings.window.frame_rule = vpdq_rule;
    if (Status s = pdq::ValidateWindowRule(settings.window); !s.ok()) {
      return Fail(Status::InvalidArgument("--window, --window-step, --seconds-per-hash: " + s.message()));
    }
    return RunStreamMatch(**mirror, settings);
  }

  // `match --mirror DIR VIDEO`: without --kind, a VALUE that names an existing file is that file.
  std::vector<std::string> values, all_files = files;
  for (const std::string& v : in.positionals()) {
    std::error_code error;
    (kind.empty() && std::filesystem::is_regular_file(v, error) ? all_files : values).push_back(v);
  }
  std::vector<Query> queries = ReadQueries(values, all_files);
  PdqNearMatcher near;
  if (Status s = near.Load(**mirror); !s.ok()) return Fail(s);
  VpdqMatcher videos;
  if (Status s = videos.Load(**mirror, vpdq_rule); !s.ok()) return Fail(s);
  MirrorSignalIndex index(**mirror);
  bool any_error = false;
  uint64_t matched = 0;
  for (auto& q : queries) {
    std::vector<pdq::PdqHash> pdqs;
    std::vector<pdq::VpdqFrame> frames;
    if (q.source == "file") {
      if (Status s = HashFile(q); !s.ok()) q.error = s.message();
      auto image = ImagePdq(q.input, dihedral);
      if (!image.ok()) {
        q.error = image.status().message();
      } else {
        pdqs = std::move(image).value();
        if (!pdqs.empty()) {
          q.candidates.push_back({"pdq", HexEncode(std::span<const uint8_t>(pdqs[0].data(), pdqs[0].size()))});
        }
      }
      if (q.error.empty() && pdqs.empty()) {
        auto hashed = VideoFrames(q.input, video_options);
        if (hashed.ok()) {
          frames = std::move(hashed).value();
        } else {
          q.error = hashed.status().message();
        }
      }
    } else {
      Resolve(q, kind);
      for (const auto& c : q.candidates) {
        if (c.kind == "pdq") pdqs.push_back(*signals::ParsePdq(c.value));
      }
    }
    if (Status s = Lookup(**mirror, index, q); !s.ok()) {
      std::fprintf(stderr, "exchangectl: %s\n", s.ToString().c_str());
      return 2;
    }
    for (const auto& h : pdqs) {
      if (Status s = near.Match(**mirror, h, static_cast<int>(max_distance), q); !s.ok()) return Fail(s);
    }
    if (!frames.empty()) {
      q.candidates.push_back({"vpdq", pdq::VpdqSignalValue(frames)});
      if (Status s = videos.Match(**mirror, frames, vpdq_rule, q); !s.ok()) return Fail(s);
      std::set<pdq::PdqHash> seen;  // a frame repeated in the video is looked up once
      for (const auto& frame : frames) {
        if (frame.quality < vpdq_rule.min_quality || !seen.insert(frame.hash).second) continue;
        if (Status s = near.Match(**mirror, frame.hash, static_cast<int>(max_distance), q, &frame); !s.ok()) {
          return Fail(s);
        }
      }
    }
    if (!q.error.empty()) any_error = true;
    if (q.matched()) ++matched;
  }

  const auto& head = (*mirror)->head();
  PrintQueries(queries, in.cli.json(),
               "\"mirror\": " + JsonString(dir) + ", \"collection\": " + JsonString(head.collection) +
                   ", \"size\": " + std::to_string(head.size) + ", ");
  std::fflush(stdout);
  if (any_error) return 2;
  return matched > 0 ? 0 : 1;
}

extern const Command kMatchCommand = {
    "match", "match values and files against a mirror (exact; PDQ also near; videos by vPDQ)",
    "usage: exchangectl match --mirror DIR [--kind K] [VALUE...] [--file PATH]...\n"
    "       [--max-distance D] [--dihedral] [--seconds-per-hash S] [--vpdq-stored-percent P] [--vpdq-query-percent "
    "P]\n"
    "       exchangectl match --mirror DIR --stream URL|- [--seconds-per-hash S] [--window S] [--window-step S]\n"
    "       [--stream-min-frames N] [--vpdq-stored-percent P] [--max-distance D]\n\n"
    "Exact matching against a synced mirror, entirely offline. Values come from the command line (without --kind,\n"
    "one that names an existing file is that file), or from stdin\n"
    "(one per line) when neither values nor files are given. Without --kind, hex hashes are recognised by length\n"
    "(32 md5, 40 sha1, 64 sha256 and pdq) and other values are tried as url, domain (also matching parent\n"
    "domains up to the registrable domain), account_id and keyword; keywords, domains and URLs also find\n"
    "look-alikes (same confusable skeleton), reported as such. Files are hashed locally (MD5, SHA-1, SHA-256,\n"
    "and PDQ for images, vPDQ for videos).\n"
    "PDQ hashes, given or computed, also near-match stored pdq signals within --max-distance (exact, no\n"
    "missed match); --dihedral also tries an image's rotations and mirror images.\n"
    "A video (decoded with FFmpeg; every frame, or one every --seconds-per-hash S) matches a stored vpdq signal\n"
    "when at least --vpdq-stored-percent of the stored video's frames and --vpdq-query-percent of its own\n"
    "match a frame within --max-distance (frames of quality < 50 ignored, repeats counted once); both shares\n"
    "are printed; the two thresholds default to the collection's as the last sync recorded them (80 and 0\n"
    "unless an admin changed them).\n"
    "Each frame of quality >= 50 also near-matches stored pdq signals (a known image in a video).\n"
    "--stream reads a live stream (- for stdin, a udp://, tcp://, http(s):// or srt:// URL, a file or a named\n"
    "pipe; e.g. MPEG-TS from ffmpeg) and prints\n"
    "each match as it happens, one line (one JSON object with --output json) per event, flushed at once.\n"
    "One frame is sampled every --seconds-per-hash S (default 1) of stream time. Every --window-step (5 s) the\n"
    "last --window (30 s) of samples is compared with each stored vpdq video: it matches when at least\n"
    "max(--stream-min-frames (5), P % of min(window frames, stored span / S)) window frames match one of its\n"
    "frames, P = --vpdq-stored-percent (80). A video is reported once per run of matching steps, with the\n"
    "stream time of its first matched frame; each sample also matches stored pdq images, once per run of\n"
    "consecutive matching samples. A video starting at stream time T is reported before T + (M + 1) x S +\n"
    "step, M the count above (docs/signals.md, Live streams). Memory stays flat however long it runs.\n"
    "Exit 0 when something matched, 1 when nothing did, 2 on a usage error or an unreadable input.",
    Command::Flags::kConnection, RunMatch};

}  // namespace exchange::client
