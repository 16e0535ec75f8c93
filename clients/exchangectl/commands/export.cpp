// SPDX-License-Identifier: Apache-2.0
// exchangectl export: a mirror's signals as CSV, NDJSON, or the
// `signal_type signal_value` lines ThreatExchange's tools read from a file.
#include <cstdio>
#include <map>

#include "commands/cli.h"
#include "commands/command.h"
#include "commands/commands.h"
#include "formats/csv.h"
#include "formats/lists.h"
#include "mirror/mirror.h"

namespace exchange::client {
namespace {

// Our kinds as ThreatExchange indicator types. Kinds without a ThreatExchange
// type (photodna, vpdq, keyword, account_id) are left out of a te export.
const std::map<std::string, std::string, std::less<>>& ThreatExchangeTypes() {
  static const std::map<std::string, std::string, std::less<>> types = {
      {"md5", "HASH_MD5"},      {"sha1", "HASH_SHA1"}, {"sha256", "HASH_SHA256"}, {"pdq", "HASH_PDQ"},
      {"tmk_pdqf", "HASH_TMK"}, {"url", "URI"},        {"domain", "DOMAIN"},
  };
  return types;
}

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

}  // namespace

int RunExport(Invocation& in) {
  std::string dir, format, kind, status;
  in.flags.String("mirror", "", &dir, "the mirror's directory");
  in.flags.String("format", "", &format, "csv, ndjson or te");
  in.flags.String("kind", "", &kind, "only signals of this kind");
  in.flags.String("status", "", &status, "only signals with this status");
  in.Parse({{&dir, "--mirror DIR"}, {&format, "--format csv|ndjson|te"}}, Invocation::Arguments::kNone);
  if (format != "csv" && format != "ndjson" && format != "te") {
    return Fail(Status::InvalidArgument("--format must be csv, ndjson or te"));
  }
  if (!status.empty() && status != "active" && status != "disputed" && status != "retracted") {
    return Fail(Status::InvalidArgument("--status must be active, disputed or retracted"));
  }
  // A te file is a list to match against, and it has no status column: tombstones stay out unless asked for.
  if (format == "te" && status.empty()) status = "active";
  auto mirror = Mirror::Open(dir, Mirror::Mode::kRead);
  if (!mirror.ok()) return Fail(mirror.status());

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
      const auto& types = ThreatExchangeTypes();
      auto type = types.find(row.state.kind());
      if (type == types.end()) {
        ++skipped;
        return Status::Ok();
      }
      out += type->second + " " + row.state.value() + "\n";
    }
    ++written;
    if (out.size() > (1u << 20)) flush();
    return Status::Ok();
  });
  flush();
  std::fflush(stdout);
  if (!s.ok()) return Fail(s);
  if (skipped) {
    std::fprintf(stderr, "exchangectl: left out %llu signals of kinds ThreatExchange has no type for\n",
                 static_cast<unsigned long long>(skipped));
  }
  return 0;
}

extern const Command kExportCommand = {
    "export", "write a mirror's signals as csv, ndjson or ThreatExchange lines",
    "usage: exchangectl export --mirror DIR --format csv|ndjson|te [--kind K] [--status "
    "active|disputed|retracted]\n\n"
    "Writes the mirror's signals to stdout, ordered by kind and value:\n"
    "  csv     a header line, then one row per signal (lists ;-separated)\n"
    "  ndjson  one JSON object per line: the signal's state as the API returns it, plus last_index\n"
    "  te      'signal_type signal_value' lines (ThreatExchange types: HASH_MD5, HASH_SHA1, HASH_SHA256,\n"
    "          HASH_PDQ, HASH_TMK, URI, DOMAIN); other kinds are skipped; only active signals unless --status",
    Command::Flags::kConnection, RunExport};

}  // namespace exchange::client
