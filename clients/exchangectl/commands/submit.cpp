// SPDX-License-Identifier: Apache-2.0
// exchangectl submit: share many signals from a file (CSV with a header, or
// NDJSON), in batches, each with an Idempotency-Key derived from the file's
// content and the batch number, so a re-run after any failure sends the same
// keys and adds nothing twice.
//
// Exit codes: 0 every item accepted (created, contribution_added or
// unchanged); 1 some lines were bad or some items rejected (the rest were
// submitted), or the exchange refused a whole batch; 2 usage; 3 the exchange
// could not be reached (re-run the same command: it is safe).
#include <google/protobuf/util/json_util.h>

#include <cctype>
#include <charconv>
#include <cstdio>
#include <ctime>
#include <optional>

#include "commands/cli.h"
#include "commands/command.h"
#include "commands/commands.h"
#include "common/hex.h"
#include "exchange/v1/collections.pb.h"
#include "exchange/v1/feed.pb.h"
#include "exchange/v1/signals.pb.h"
#include "formats/csv.h"
#include "formats/json_text.h"
#include "formats/lists.h"
#include "formats/progress.h"
#include "log/hash.h"
#include "signals/submission.h"
#include "signals/submission_wire.h"
#include "signals/utf8.h"
#include "transport/batch_sender.h"

namespace exchange::client {
namespace {

const std::vector<std::string> kColumns = {"kind",       "value",      "category",   "labels",     "reviewed",
                                           "source_ref", "expires_at", "principles", "pdq_quality"};

struct Item {
  std::size_t line = 0;
  v1::SignalSubmission signal;
};

Result<bool> ParseBool(std::string_view text) {
  std::string t(signals::TrimAsciiWhiteSpace(text));
  for (auto& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (t.empty() || t == "false" || t == "no" || t == "0") return false;
  if (t == "true" || t == "yes" || t == "1") return true;
  return Status::InvalidArgument("reviewed must be true or false, got '" + std::string(text) + "'");
}

Result<uint32_t> ParseCount(std::string_view what, std::string_view text) {
  text = signals::TrimAsciiWhiteSpace(text);
  uint32_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    return Status::InvalidArgument(std::string(what) + " must be a whole number, got '" + std::string(text) + "'");
  }
  return v;
}

// One CSV record as a submission.
Result<v1::SignalSubmission> FromCsv(const CsvTable& table, const CsvRecord& record) {
  if (std::string shape = CsvShapeError(table, record); !shape.empty()) return Status::InvalidArgument(shape);
  v1::SignalSubmission s;
  s.set_kind(table.Field(record, "kind"));
  s.set_value(table.Field(record, "value"));
  s.set_category(std::string(signals::TrimAsciiWhiteSpace(table.Field(record, "category"))));
  for (auto& label : SplitList(table.Field(record, "labels"))) s.add_labels(label);
  auto reviewed = ParseBool(table.Field(record, "reviewed"));
  if (!reviewed.ok()) return reviewed.status();
  s.set_reviewed(*reviewed);
  s.set_source_ref(table.Field(record, "source_ref"));
  s.set_expires_at(std::string(signals::TrimAsciiWhiteSpace(table.Field(record, "expires_at"))));
  for (auto& p : SplitList(table.Field(record, "principles"))) {
    auto n = ParseCount("a principle", p);
    if (!n.ok()) return n.status();
    s.add_principles(*n);
  }
  if (std::string q = table.Field(record, "pdq_quality"); !signals::TrimAsciiWhiteSpace(q).empty()) {
    auto n = ParseCount("pdq_quality", q);
    if (!n.ok()) return n.status();
    s.set_pdq_quality(*n);
  }
  return s;
}

// Good items in file order; bad lines reported to `errors`.
Result<std::vector<Item>> ReadItems(const std::string& text, const std::string& format, ItemErrors& errors) {
  std::vector<Item> items;
  if (format == "csv") {
    auto table = ParseCsvTable(text, kColumns, {"kind", "value"});
    if (!table.ok()) return table.status();
    for (const auto& record : table->records) {
      if (!record.error.empty()) {
        errors.Add(record.line, "", record.error);
        continue;
      }
      auto signal = FromCsv(*table, record);
      if (!signal.ok()) {
        errors.Add(record.line, table->Field(record, "value"), signal.status().message());
        continue;
      }
      items.push_back({record.line, std::move(signal).value()});
    }
    return items;
  }
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  std::size_t line_number = 0, start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + start, end - start);
    start = end + 1;
    ++line_number;
    if (signals::TrimAsciiWhiteSpace(line).empty()) continue;
    if (auto utf8 = signals::DecodeUtf8(line, "the line"); !utf8.ok()) {
      errors.Add(line_number, "", utf8.status().message());
      continue;
    }
    v1::SignalSubmission signal;
    auto parsed = google::protobuf::util::JsonStringToMessage(std::string(line), &signal, options);
    if (!parsed.ok()) {
      errors.Add(line_number, "", "not a SignalSubmission JSON object: " + std::string(parsed.message()));
      continue;
    }
    items.push_back({line_number, std::move(signal)});
  }
  return items;
}

// The committed size of the collection's log right now (unsigned; only a
// lower bound for recognising replayed answers). 0 when unknown.
uint64_t CurrentLogSize(ApiClient& api, const std::string& collection) {
  v1::LogsResponse logs;
  if (!api.Call("GET", "/v1/logs", nullptr, &logs).ok()) return 0;
  for (const auto& log : logs.logs()) {
    if (log.kind() == "collection" && log.name() == collection) return log.size();
  }
  return 0;
}

// The rules of `collection` as the exchange describes it to this caller, or
// nullopt when it does not (not visible, or not reachable: the exchange then
// decides about every item).
std::optional<signals::SubmissionRules> CollectionRules(ApiClient& api, const std::string& collection) {
  v1::ListCollectionsResponse list;
  if (!api.Call("GET", "/v1/collections", nullptr, &list).ok()) return std::nullopt;
  for (const auto& c : list.collections()) {
    if (c.name() == collection) return signals::RulesFromWire(c);
  }
  return std::nullopt;
}

// Leaves in `items` those that meet `rules`; each other one goes to `errors`
// with the message the exchange would answer for it. Returns the line numbers
// held back, in file order. expires_at is judged a few minutes in the past, so that a client
// clock ahead of the exchange's never holds back what the exchange accepts.
std::vector<std::size_t> PreCheck(std::vector<Item>& items, const signals::SubmissionRules& rules, ItemErrors& errors) {
  constexpr int64_t kClockSlackSeconds = 300;
  const int64_t now = static_cast<int64_t>(std::time(nullptr)) - kClockSlackSeconds;
  std::vector<Item> kept;
  kept.reserve(items.size());
  std::vector<std::size_t> held;
  for (auto& item : items) {
    auto checked = signals::CheckSubmission(signals::SubmissionFromWire(item.signal), rules, now);
    if (checked.ok()) {
      kept.push_back(std::move(item));
    } else {
      held.push_back(item.line);
      errors.Add(item.line, item.signal.value(), checked.status().message());
    }
  }
  items = std::move(kept);
  return held;
}

struct Totals {
  uint64_t created = 0, contribution_added = 0, unchanged = 0, rejected = 0, bad_lines = 0, batches = 0, replayed = 0;
  uint64_t held_back = 0;  // of `rejected`: refused by the pre-check, never sent
};

}  // namespace

int RunSubmit(Invocation& in) {
  std::string collection, format, errors_path;
  int64_t batch_size = 1000;
  in.flags.String("collection", "", &collection, "the collection to submit to");
  in.flags.String("format", "", &format, "csv or ndjson (default: from the file name's extension)");
  in.flags.Int("batch", "", &batch_size, "signals per request (1-10000)");
  in.flags.String("errors", "", &errors_path, "write the per-item error report here as CSV (default: stderr)");
  in.Parse({{&collection, "--collection C"}});
  if (in.positionals().size() != 1) return in.UsageError("give one FILE to submit (- for stdin)");
  const std::string path = in.positionals()[0];
  if (batch_size < 1 || batch_size > static_cast<int64_t>(signals::kMaxBatchSignals))
    return Fail(Status::InvalidArgument("--batch must be between 1 and 10000"));
  if (format.empty()) {
    auto ends = [&](std::string_view suffix) {
      return path.size() >= suffix.size() && path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    if (ends(".csv"))
      format = "csv";
    else if (ends(".ndjson") || ends(".jsonl") || ends(".json"))
      format = "ndjson";
    else
      return Fail(Status::InvalidArgument("cannot tell the format of " + path + " from its name; give --format"));
  }
  if (format != "csv" && format != "ndjson") return Fail(Status::InvalidArgument("--format must be csv or ndjson"));

  auto text = ReadInputFile(path);
  if (!text.ok()) return Fail(text.status());
  auto errors = ItemErrors::Open(errors_path);
  if (!errors.ok()) return Fail(errors.status());
  auto items = ReadItems(*text, format, **errors);
  if (!items.ok()) return Fail(Status::InvalidArgument(path + ": " + items.status().message()));
  Totals totals;
  totals.bad_lines = (*errors)->count();
  auto api = in.Connect();
  if (!api.ok()) return Fail(api.status());
  // Every item is checked with the exchange's own rules (signals/submission.h)
  // before anything is sent; what fails is reported as the exchange would
  // reject it, and not sent.
  std::string held_back_lines;
  if (auto rules = CollectionRules(**api, collection)) {
    for (std::size_t line : PreCheck(items.value(), *rules, **errors)) {
      held_back_lines += (held_back_lines.empty() ? "\nheld back " : ",") + std::to_string(line);
      ++totals.held_back;
    }
    totals.rejected = totals.held_back;
  }

  // Same file, collection, format, batch size and items held back: same
  // batches, same keys (a collection whose rules changed since gets new ones).
  const log::Hash content = log::Sha256(*text);
  const log::Hash run =
      log::Sha256("exchangectl submit v1\n" + collection + "\n" + format + "\n" + std::to_string(batch_size) + "\n" +
                  HexEncode(std::span<const uint8_t>(content)) + held_back_lines);
  const std::string key_prefix = "exchangectl-" + HexEncode(std::span<const uint8_t>(run)).substr(0, 32) + "-";
  const std::string target = "/v1/collections/" + collection + "/signals";
  // On a terminal, and never with --output json, a bar counts the signals sent;
  // a retry message erases it first (the next update draws it again).
  Progress progress = Progress::ForTerminal(in.cli.json());
  RetryPolicy policy;
  policy.before_message = [&progress] { progress.Clear(); };
  if (!items->empty()) progress.Start("submit " + collection, items->size(), "signals");
  Status failure;
  for (std::size_t first = 0; first < items->size(); first += static_cast<std::size_t>(batch_size)) {
    const std::size_t last = std::min(items->size(), first + static_cast<std::size_t>(batch_size));
    const uint64_t number = first / static_cast<std::size_t>(batch_size);
    v1::SubmitSignalsRequest request;
    for (std::size_t i = first; i < last; ++i) *request.add_signals() = (*items)[i].signal;
    const uint64_t size_before = CurrentLogSize(**api, collection);
    v1::SubmitSignalsResponse response;
    failure = PostBatch((*api)->http(), target, request, &response,
                        {{"Idempotency-Key", key_prefix + std::to_string(number)}}, policy);
    if (!failure.ok()) break;
    if (response.results_size() != request.signals_size()) {
      failure = Status::Internal("the exchange answered " + std::to_string(response.results_size()) + " results for " +
                                 std::to_string(request.signals_size()) + " signals");
      break;
    }
    ++totals.batches;
    uint64_t changed = 0;
    for (const auto& r : response.results()) changed += r.status() == "created" || r.status() == "contribution_added";
    // The exchange answers a key it has seen with the results it recorded
    // then. A fresh batch that changed `changed` signals leaves the log at
    // least that much beyond the size read before sending it; an older
    // answer does not, and its signals are ours already: unchanged now.
    const bool replayed = changed > 0 && response.log_size() < size_before + changed;
    totals.replayed += replayed;
    if (errors_path.empty()) {
      for (const auto& r : response.results()) {
        if (r.status() == "rejected") {
          progress.Clear();  // the rejections below go to stderr too
          break;
        }
      }
    }
    for (int i = 0; i < response.results_size(); ++i) {
      const auto& r = response.results(i);
      const Item& item = (*items)[first + static_cast<std::size_t>(i)];
      if (r.status() == "rejected") {
        ++totals.rejected;
        (*errors)->Add(item.line, item.signal.value(), r.error());
      } else if (replayed || r.status() == "unchanged") {
        ++totals.unchanged;
      } else if (r.status() == "created") {
        ++totals.created;
      } else {
        ++totals.contribution_added;
      }
    }
    progress.Update(last);
  }
  progress.Finish();

  const uint64_t sent = totals.created + totals.contribution_added + totals.unchanged + totals.rejected;
  // Every line that was not submitted (unreadable, or rejected by the exchange), by number.
  std::string not_submitted_json;
  for (std::size_t line : (*errors)->lines()) {
    if (line) not_submitted_json += (not_submitted_json.empty() ? "" : ", ") + std::to_string(line);
  }
  if (in.cli.json()) {
    std::printf(
        "{\"file\": %s, \"collection\": %s, \"items\": %llu, \"batches\": %llu, \"created\": %llu, "
        "\"contribution_added\": %llu, \"unchanged\": %llu, \"rejected\": %llu, \"bad_lines\": %llu, "
        "\"replayed_batches\": %llu, \"complete\": %s, \"not_submitted_lines\": [%s], \"held_back\": %llu}\n",
        JsonString(path).c_str(), JsonString(collection).c_str(), static_cast<unsigned long long>(sent),
        static_cast<unsigned long long>(totals.batches), static_cast<unsigned long long>(totals.created),
        static_cast<unsigned long long>(totals.contribution_added), static_cast<unsigned long long>(totals.unchanged),
        static_cast<unsigned long long>(totals.rejected), static_cast<unsigned long long>(totals.bad_lines),
        static_cast<unsigned long long>(totals.replayed), failure.ok() ? "true" : "false", not_submitted_json.c_str(),
        static_cast<unsigned long long>(totals.held_back));
  } else {
    std::printf(
        "%s: %s in %s to %s: %llu created, %llu contribution_added, %llu unchanged, %llu rejected; %s\n", path.c_str(),
        CountOf(sent, "signal", "signals").c_str(), CountOf(totals.batches, "batch", "batches").c_str(),
        collection.c_str(), static_cast<unsigned long long>(totals.created),
        static_cast<unsigned long long>(totals.contribution_added), static_cast<unsigned long long>(totals.unchanged),
        static_cast<unsigned long long>(totals.rejected), CountOf(totals.bad_lines, "bad line", "bad lines").c_str());
    if (!not_submitted_json.empty()) {
      std::printf("not submitted: line%s %s (reasons in the error report)\n", (*errors)->lines().size() == 1 ? "" : "s",
                  (*errors)->LinesText().c_str());
    }
    if (totals.replayed) {
      std::printf(
          "(%s submitted before with the same Idempotency-Key; their signals count as unchanged)\n",
          totals.replayed == 1 ? "1 batch had been" : (std::to_string(totals.replayed) + " batches had been").c_str());
    }
  }
  std::fflush(stdout);
  if (!failure.ok()) {
    std::fprintf(stderr, "exchangectl: stopped after %llu of %llu batches: %s\n",
                 static_cast<unsigned long long>(totals.batches),
                 static_cast<unsigned long long>((items->size() + static_cast<std::size_t>(batch_size) - 1) /
                                                 static_cast<std::size_t>(batch_size)),
                 failure.ToString().c_str());
    if (IsCertificateRefusal(failure)) return kExitCertRefused;
    if (failure.code() == ErrorCode::kUnavailable) {
      std::fputs("exchangectl: re-run the same command to finish; batches already accepted are not added twice\n",
                 stderr);
      return kExitUnavailable;
    }
    return 1;
  }
  return totals.rejected || totals.bad_lines ? 1 : 0;
}

extern const Command kSubmitCommand = {
    "submit", "submit signals from a CSV or NDJSON file, in batches",
    "usage: exchangectl submit --collection C [--format csv|ndjson] [--batch N] [--errors FILE] FILE\n\n"
    "Submits the signals in FILE ('-' for stdin). CSV needs a header naming its columns, out of\n"
    "kind,value,category,labels,reviewed,source_ref,expires_at,principles,pdq_quality (kind and value\n"
    "required; labels and principles ;-separated). NDJSON holds one SignalSubmission JSON object per line.\n"
    "Each batch carries an Idempotency-Key derived from the file's content and the batch number: re-running\n"
    "the same command after a failure is safe. Bad lines and rejected items are reported with their line.",
    Command::Flags::kConnection, RunSubmit};

}  // namespace exchange::client
