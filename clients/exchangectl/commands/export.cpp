// SPDX-License-Identifier: Apache-2.0
// exchangectl export: a mirror's signals as CSV, NDJSON, the
// `signal_type signal_value` file python-threatexchange (and HMA) reads, or a
// MISP feed directory.
#include <cstdio>
#include <filesystem>
#include <span>
#include <utility>

#include "commands/cli.h"
#include "commands/command.h"
#include "commands/commands.h"
#include "common/files.h"
#include "formats/csv.h"
#include "formats/lists.h"
#include "formats/misp_feed.h"
#include "formats/pytx_file.h"
#include "log/encoding.h"
#include "mirror/mirror.h"

namespace exchange::client {
namespace {

const std::vector<std::string> kCsvHeader = {
    "kind",          "value",    "status",   "categories",    "labels",      "principles",       "contributors",
    "confirmations", "disputes", "reviewed", "first_seen_ms", "pdq_quality", "contributor_orgs", "last_index"};

std::string CsvRow(const SignalRow& row) {
  const auto& s = row.state;
  std::vector<std::string> principles;
  for (auto p : s.principles()) principles.push_back(std::to_string(p));
  return CsvLine({s.kind(), s.value(), s.status(), JoinList({s.categories().begin(), s.categories().end()}),
                  JoinList({s.labels().begin(), s.labels().end()}), JoinList(principles),
                  std::to_string(s.contributors()), std::to_string(s.confirmations()), std::to_string(s.disputes()),
                  s.reviewed() ? "true" : "false", std::to_string(s.first_seen_ms()), std::to_string(s.pdq_quality()),
                  JoinList({s.contributor_orgs().begin(), s.contributor_orgs().end()}),
                  std::to_string(row.last_index)});
}

// `export --format misp FEEDDIR`: the mirror's collection as a MISP feed directory.
int ExportMisp(Mirror& mirror, const std::string& feed_dir, const std::string& kind, const std::string& status) {
  const MirrorHead& head = mirror.head();
  if (head.collection.empty()) return Fail(Status::FailedPrecondition("the mirror holds nothing yet: sync it first"));
  const std::string exchange = head.origin.substr(0, head.origin.rfind('/'));
  MispFeedWriter feed(
      {exchange, head.collection, head.size, log::Base64Encode(std::span<const uint8_t>(head.root)), head.synced_at});
  Status s = mirror.ForEachSignal(kind, status, [&](const SignalRow& row) {
    feed.Add(row.state);
    return Status::Ok();
  });
  if (!s.ok()) return Fail(s);
  std::error_code ec;
  std::filesystem::create_directories(feed_dir, ec);
  if (ec) return Fail(Status::InvalidArgument("cannot create " + feed_dir + ": " + ec.message()));
  // The event first and the manifest last: a MISP pulling meanwhile never finds a manifest naming a missing event.
  const std::filesystem::path dir(feed_dir);
  for (const auto& [name, text] : {std::pair{feed.event_uuid() + ".json", feed.EventJson()},
                                   std::pair{std::string("hashes.csv"), feed.HashesCsv()},
                                   std::pair{std::string("manifest.json"), feed.ManifestJson()}}) {
    if (Status w = WritePublicFile(dir / name, text); !w.ok()) return Fail(w);
  }
  std::printf("%s: MISP feed of %s (%zu attributes, event %s) in %s\n", head.collection.c_str(), head.origin.c_str(),
              feed.attributes(), feed.event_uuid().c_str(), feed_dir.c_str());
  if (feed.skipped()) {
    std::fprintf(stderr,
                 "exchangectl: left out %zu signals: retracted, or of kinds MISP has no type for (photodna, vpdq, "
                 "tmk_pdqf)\n",
                 feed.skipped());
  }
  return 0;
}

}  // namespace

int RunExport(Invocation& in) {
  std::string dir, format, kind, status;
  in.flags.String("mirror", "", &dir, "the mirror's directory");
  in.flags.String("format", "", &format, "csv, ndjson, pytx or misp");
  in.flags.String("kind", "", &kind, "only signals of this kind");
  in.flags.String("status", "", &status, "only signals with this status");
  in.Parse({{&dir, "--mirror DIR"}, {&format, "--format csv|ndjson|pytx|misp"}});
  const auto& pos = in.positionals();
  if (format == "misp" ? pos.size() != 1 : !pos.empty()) {
    return in.UsageError(format == "misp" ? "--format misp writes a directory: give FEEDDIR" : "unexpected arguments");
  }
  if (format == "te") {
    return Fail(Status::InvalidArgument(
        "--format te is gone: no ThreatExchange tool read its lines; use --format pytx, the file "
        "python-threatexchange and HMA read (docs/interop.md)"));
  }
  if (format != "csv" && format != "ndjson" && format != "pytx" && format != "misp") {
    return Fail(Status::InvalidArgument("--format must be csv, ndjson, pytx or misp"));
  }
  if (!status.empty() && status != "active" && status != "disputed" && status != "retracted") {
    return Fail(Status::InvalidArgument("--status must be active, disputed or retracted"));
  }
  // A pytx file is a list to match against, and it has no status column: tombstones stay out unless asked for.
  if (format == "pytx" && status.empty()) status = "active";
  auto mirror = Mirror::Open(dir, Mirror::Mode::kRead);
  if (!mirror.ok()) return Fail(mirror.status());
  if (format == "misp") return ExportMisp(**mirror, pos[0], kind, status);

  uint64_t written = 0, skipped = 0;
  std::string out;
  auto flush = [&] {
    std::fwrite(out.data(), 1, out.size(), stdout);
    out.clear();
  };
  if (format == "csv") out = CsvLine(kCsvHeader);
  Status s = (*mirror)->ForEachSignal(kind, status, [&](const SignalRow& row) {
    if (format == "csv") {
      out += CsvRow(row);
    } else if (format == "ndjson") {
      std::string json = SignalStateJson(row.state);
      json.pop_back();  // the closing brace
      out += json + ",\"last_index\":\"" + std::to_string(row.last_index) + "\"}\n";
    } else {
      auto line = PytxLine(row.state.kind(), row.state.value());
      if (!line) {
        ++skipped;
        return Status::Ok();
      }
      out += *line;
    }
    ++written;
    if (out.size() > (1u << 20)) flush();
    return Status::Ok();
  });
  flush();
  std::fflush(stdout);
  if (!s.ok()) return Fail(s);
  if (skipped) {
    std::fprintf(stderr, "exchangectl: left out %llu signals of kinds python-threatexchange has no type for\n",
                 static_cast<unsigned long long>(skipped));
  }
  return 0;
}

extern const Command kExportCommand = {
    "export", "write a mirror's signals as csv, ndjson, a python-threatexchange signal file or a MISP feed",
    "usage: exchangectl export --mirror DIR --format csv|ndjson|pytx [--kind K] [--status "
    "active|disputed|retracted]\n"
    "       exchangectl export --mirror DIR --format misp [--kind K] [--status S] FEEDDIR\n\n"
    "Writes the mirror's signals to stdout, ordered by kind and value:\n"
    "  csv     a header line, then one row per signal (lists ;-separated)\n"
    "  ndjson  one JSON object per line: the signal's state as the API returns it, plus last_index\n"
    "  pytx    'signal_type value' lines as python-threatexchange's file collaboration reads them\n"
    "          (md5 as video_md5, sha256 as video_sha256, pdq, url, keyword as raw_text); other kinds\n"
    "          are left out and counted on stderr; only active signals unless --status",
    Command::Flags::kConnection, RunExport};

}  // namespace exchange::client
