// SPDX-License-Identifier: Apache-2.0
// exchangectl opinion | retract | sighting: what a member does about signals
// it holds, for one value (--kind, --value) or for many (--file, CSV with a
// header). Batches go out with the same retries as submit; opinions and
// retractions are safe to repeat, sightings are not deduplicated by the
// exchange, so a sighting batch whose fate is unknown is not re-sent.
//
// Exit codes (cli.h): 0 every item ok; 1 some lines were bad or items
// rejected, or the exchange refused a whole batch; 2 usage; 3 the exchange
// could not be reached; 6 our certificate was refused; 8 a sightings batch was
// sent and its answer lost (not re-sent).
#include <charconv>
#include <cstdio>
#include <ctime>
#include <functional>

#include "commands/cli.h"
#include "commands/command.h"
#include "commands/commands.h"
#include "common/time_format.h"
#include "exchange/v1/signals.pb.h"
#include "formats/csv.h"
#include "formats/lists.h"
#include "signals/utf8.h"
#include "transport/batch_sender.h"

namespace exchange::client {
namespace {

template <typename T>
struct Pending {
  std::size_t line = 0;  // 0 for an item from the command line
  std::string value;     // for the error report
  T item;
};

// Flags every one of these commands takes.
struct ActionFlags {
  const Cli* cli = nullptr;  // the invocation's, set by Add
  std::string collection, kind, value, file, errors_path;
  int64_t batch = 1000;

  void Add(Invocation& in) {
    cli = &in.cli;
    FlagSet& flags = in.flags;
    flags.String("collection", "", &collection, "the collection");
    flags.String("kind", "", &kind, "the signal's kind (one item)");
    flags.String("value", "", &value, "the signal's value (one item)");
    flags.String("file", "", &file, "a CSV file with a header, one item per record ('-' for stdin)");
    flags.Int("batch", "", &batch, "items per request (1-10000)");
    flags.String("errors", "", &errors_path, "write the per-item error report here as CSV (default: stderr)");
  }
  // Exactly one of --file and --kind/--value.
  Status Check(bool needs_collection) const {
    if (needs_collection && collection.empty()) return Status::InvalidArgument("--collection is required");
    if (file.empty() == (kind.empty() && value.empty())) {
      return Status::InvalidArgument("give either --kind and --value, or --file");
    }
    if (file.empty() && (kind.empty() || value.empty())) return Status::InvalidArgument("give both --kind and --value");
    if (batch < 1 || batch > 10'000) return Status::InvalidArgument("--batch must be between 1 and 10000");
    return Status::Ok();
  }
};

// Reads --file as a table; bad records are reported and skipped. `each` turns
// a record into an item or a reason.
template <typename T>
Result<std::vector<Pending<T>>> ReadTable(const std::string& path, const std::vector<std::string>& known,
                                          const std::vector<std::string>& required, ItemErrors& errors,
                                          const std::function<Result<T>(const CsvTable&, const CsvRecord&)>& each) {
  auto text = ReadInputFile(path);
  if (!text.ok()) return text.status();
  auto table = ParseCsvTable(*text, known, required);
  if (!table.ok()) return Status::InvalidArgument(path + ": " + table.status().message());
  std::vector<Pending<T>> out;
  for (const auto& record : table->records) {
    if (!record.error.empty()) {
      errors.Add(record.line, "", record.error);
      continue;
    }
    if (std::string shape = CsvShapeError(*table, record); !shape.empty()) {
      errors.Add(record.line, table->Field(record, "value"), shape);
      continue;
    }
    auto item = each(*table, record);
    if (!item.ok()) {
      errors.Add(record.line, table->Field(record, "value"), item.status().message());
      continue;
    }
    out.push_back({record.line, table->Field(record, "value"), std::move(item).value()});
  }
  return out;
}

// Sends `items` in batches of Request (made by `add`), counts ok / rejected,
// reports rejections, prints a summary. Returns the exit code.
template <typename Request, typename T>
int SendAll(ActionFlags& f, const std::string& what, const std::string& target, std::vector<Pending<T>>& items,
            ItemErrors& errors, uint64_t bad_lines, const RetryPolicy& policy, const std::function<T*(Request&)>& add) {
  auto api = Connect(*f.cli);
  if (!api.ok()) return Fail(api.status());
  uint64_t ok = 0, rejected = 0, batches = 0;
  Status failure;
  const auto batch = static_cast<std::size_t>(f.batch);
  for (std::size_t first = 0; first < items.size() && failure.ok(); first += batch) {
    const std::size_t last = std::min(items.size(), first + batch);
    Request request;
    for (std::size_t i = first; i < last; ++i) *add(request) = items[i].item;
    v1::ItemResults results;
    failure = PostBatch((*api)->http(), target, request, &results, {}, policy);
    if (!failure.ok()) break;
    if (results.results_size() != static_cast<int>(last - first)) {
      failure = Status::Internal("the exchange answered " + std::to_string(results.results_size()) + " results for " +
                                 std::to_string(last - first) + " items");
      break;
    }
    ++batches;
    for (std::size_t i = first; i < last; ++i) {
      const auto& r = results.results(static_cast<int>(i - first));
      if (r.status() == "ok") {
        ++ok;
      } else {
        ++rejected;
        errors.Add(items[i].line, items[i].value, r.error());
      }
    }
  }
  if (f.cli->json()) {
    std::printf(
        "{\"%s\": %llu, \"ok\": %llu, \"rejected\": %llu, \"bad_lines\": %llu, \"batches\": %llu, "
        "\"complete\": %s}\n",
        what.c_str(), static_cast<unsigned long long>(ok + rejected), static_cast<unsigned long long>(ok),
        static_cast<unsigned long long>(rejected), static_cast<unsigned long long>(bad_lines),
        static_cast<unsigned long long>(batches), failure.ok() ? "true" : "false");
  } else {
    std::printf("%s: %llu ok, %llu rejected", what.c_str(), static_cast<unsigned long long>(ok),
                static_cast<unsigned long long>(rejected));
    if (!f.file.empty()) std::printf("; %s", CountOf(bad_lines, "bad line", "bad lines").c_str());
    std::printf("\n");
  }
  std::fflush(stdout);
  if (!failure.ok()) {
    // Unreachable, certificate refused, or a sighting whose fate is unknown keep their own codes.
    const int rc = Fail(failure);
    return rc == kExitUsage ? kExitRefused : rc;
  }
  return rejected || bad_lines ? 1 : 0;
}

// The action's items: the one of --kind/--value (made by `single`) or the
// records of --file (each made by `each`), then SendAll. Returns the exit code.
template <typename Request, typename T>
int Act(ActionFlags& f, const std::string& what, const std::string& target, const std::function<Result<T>()>& single,
        const std::vector<std::string>& known, const std::function<Result<T>(const CsvTable&, const CsvRecord&)>& each,
        const RetryPolicy& policy, const std::function<T*(Request&)>& add) {
  auto errors = ItemErrors::Open(f.errors_path);
  if (!errors.ok()) return Fail(errors.status());
  std::vector<Pending<T>> items;
  if (f.file.empty()) {
    auto item = single();
    if (!item.ok()) return Fail(item.status());
    items.push_back({0, f.value, *item});
  } else {
    auto read = ReadTable<T>(f.file, known, {"kind", "value"}, **errors, each);
    if (!read.ok()) return Fail(read.status());
    items = std::move(read).value();
  }
  return SendAll<Request, T>(f, what, target, items, **errors, (*errors)->count(), policy, add);
}

Result<int64_t> ParseSeconds(std::string_view text) {
  text = signals::TrimAsciiWhiteSpace(text);
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || v < 0) {
    return Status::InvalidArgument("seconds_to_action must be a whole number of seconds, got '" + std::string(text) +
                                   "'");
  }
  return v;
}

std::string Or(std::string value, const std::string& fallback) {
  return signals::TrimAsciiWhiteSpace(value).empty() ? fallback : value;
}

}  // namespace

int RunOpinion(Invocation& in) {
  ActionFlags f;
  std::string reason;
  f.Add(in);
  in.flags.String("reason", "", &reason, "why (required for a dispute)");
  in.Parse();
  if (Status s = f.Check(true); !s.ok()) return in.UsageError(s.message());
  const auto& pos = in.positionals();
  if (pos.size() > 1 || (pos.empty() && f.file.empty()) ||
      (pos.size() == 1 && pos[0] != "confirm" && pos[0] != "dispute")) {
    return in.UsageError("give confirm or dispute, and either --kind and --value or --file");
  }
  const std::string opinion = pos.empty() ? "" : pos[0];
  return Act<v1::OpinionsRequest, v1::Opinion>(
      f, "opinions", "/v1/collections/" + f.collection + "/opinions",
      [&]() -> Result<v1::Opinion> {
        v1::Opinion o;
        o.set_kind(f.kind);
        o.set_value(f.value);
        o.set_opinion(opinion);
        o.set_reason(reason);
        return o;
      },
      {"kind", "value", "opinion", "reason"},
      [&](const CsvTable& t, const CsvRecord& r) -> Result<v1::Opinion> {
        v1::Opinion o;
        o.set_kind(t.Field(r, "kind"));
        o.set_value(t.Field(r, "value"));
        o.set_opinion(Or(t.Field(r, "opinion"), opinion));
        o.set_reason(Or(t.Field(r, "reason"), reason));
        if (o.opinion().empty()) return Status::InvalidArgument("no opinion: give confirm or dispute");
        return o;
      },
      RetryPolicy{}, [](v1::OpinionsRequest& r) { return r.add_opinions(); });
}

int RunRetract(Invocation& in) {
  ActionFlags f;
  f.Add(in);
  in.Parse();
  if (Status s = f.Check(true); !s.ok()) return in.UsageError(s.message());
  if (!in.positionals().empty()) {
    return in.UsageError("unexpected argument '" + in.positionals()[0] + "'");
  }
  auto make = [](std::string kind, std::string value) -> Result<v1::SignalRef> {
    v1::SignalRef ref;
    ref.set_kind(std::move(kind));
    ref.set_value(std::move(value));
    return ref;
  };
  return Act<v1::RetractionsRequest, v1::SignalRef>(
      f, "retractions", "/v1/collections/" + f.collection + "/retractions", [&] { return make(f.kind, f.value); },
      {"kind", "value"},
      [&](const CsvTable& t, const CsvRecord& r) { return make(t.Field(r, "kind"), t.Field(r, "value")); },
      RetryPolicy{}, [](v1::RetractionsRequest& r) { return r.add_signals(); });
}

int RunSighting(Invocation& in) {
  ActionFlags f;
  std::string action, observed_at, seconds_to_action;
  f.Add(in);
  in.flags.String("action", "", &action, "what was done");
  in.flags.String("observed-at", "", &observed_at, "when the match was found, RFC 3339 (default: now)");
  in.flags.String("seconds-to-action", "", &seconds_to_action, "seconds from detection to action (default: unknown)");
  in.Parse();
  if (Status s = f.Check(f.file.empty()); !s.ok()) return in.UsageError(s.message());
  if (!in.positionals().empty() || (f.file.empty() && action.empty())) {
    return in.UsageError(in.positionals().empty() ? "--action is required"
                                                  : "unexpected argument '" + in.positionals()[0] + "'");
  }
  if (observed_at.empty()) observed_at = FormatRfc3339(static_cast<int64_t>(std::time(nullptr)));
  auto make = [&](std::string collection, std::string kind, std::string value, std::string act, std::string at,
                  const std::string& seconds) -> Result<v1::Sighting> {
    v1::Sighting s;
    s.set_collection(std::move(collection));
    s.set_kind(std::move(kind));
    s.set_value(std::move(value));
    s.set_action(std::move(act));
    s.set_observed_at(std::move(at));
    if (s.collection().empty())
      return Status::InvalidArgument("no collection: give --collection or a collection column");
    if (s.action().empty()) return Status::InvalidArgument("no action: give --action or an action column");
    if (!signals::TrimAsciiWhiteSpace(seconds).empty()) {
      auto n = ParseSeconds(seconds);
      if (!n.ok()) return n.status();
      s.set_seconds_to_action(*n);
    }
    return s;
  };
  RetryPolicy policy;
  policy.retry_transport_errors = false;
  return Act<v1::SightingsRequest, v1::Sighting>(
      f, "sightings", "/v1/sightings",
      [&] { return make(f.collection, f.kind, f.value, action, observed_at, seconds_to_action); },
      {"kind", "value", "action", "observed_at", "seconds_to_action", "collection"},
      [&](const CsvTable& t, const CsvRecord& r) {
        return make(Or(t.Field(r, "collection"), f.collection), t.Field(r, "kind"), t.Field(r, "value"),
                    Or(t.Field(r, "action"), action), Or(t.Field(r, "observed_at"), observed_at),
                    Or(t.Field(r, "seconds_to_action"), seconds_to_action));
      },
      policy, [](v1::SightingsRequest& r) { return r.add_sightings(); });
}

extern const Command kOpinionCommand = {
    "opinion", "confirm or dispute signals",
    "usage: exchangectl opinion --collection C (--kind K --value V | --file F) confirm|dispute [--reason R]\n\n"
    "Confirms or disputes signals (a dispute needs a reason). The CSV file has a header with kind,value and\n"
    "optionally opinion and reason columns; empty cells take the command line's opinion and --reason.",
    Command::Flags::kConnection, RunOpinion};

extern const Command kRetractCommand = {
    "retract", "retract your organisation's contributions",
    "usage: exchangectl retract --collection C (--kind K --value V | --file F)\n\n"
    "Retracts your organisation's own contributions. The CSV file has a header with kind,value.",
    Command::Flags::kConnection, RunRetract};

extern const Command kSightingCommand = {
    "sighting", "report what you did with a match",
    "usage: exchangectl sighting --collection C (--kind K --value V | --file F) --action A\n"
    "                            [--observed-at T] [--seconds-to-action N]\n\n"
    "Reports what your organisation did with a match: removed, reported_to_authority, account_actioned,\n"
    "no_action or false_positive. --observed-at is RFC 3339 (default: now). The CSV file has a header with\n"
    "kind,value and optionally action, observed_at, seconds_to_action and collection columns; empty cells\n"
    "take the command line's values. Sightings are not deduplicated: a batch is not re-sent when the\n"
    "connection fails mid-request.",
    Command::Flags::kConnection, RunSighting};

}  // namespace exchange::client
