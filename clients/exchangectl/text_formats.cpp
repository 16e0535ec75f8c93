// SPDX-License-Identifier: Apache-2.0
#include "text_formats.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "common/json.h"
#include "signals/utf8.h"

namespace exchange::client {

namespace {

// The characters a spreadsheet reads as the start of a formula (OWASP "CSV
// injection"), and the guard's own quote.
bool StartsFormula(char c) { return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r'; }

// A cell as CsvField guarded it, unguarded: "'=1+2" -> "=1+2", "''x" -> "'x".
// Any other cell (also "'abc" written by hand) is kept as it is.
void Unguard(std::string& field) {
  if (field.size() >= 2 && field.front() == '\'' && (StartsFormula(field.at(1)) || field.at(1) == '\'')) {
    field.erase(0, 1);
  }
}

// One physical line as a record; the error names the first rule broken.
CsvRecord ParseCsvLine(std::string_view line, std::size_t number) {
  CsvRecord record;
  record.line = number;
  if (auto decoded = signals::DecodeUtf8(line, "the line"); !decoded.ok()) {
    record.error = decoded.status().message();
    return record;
  }
  std::size_t pos = 0;
  while (true) {
    const std::size_t field_number = record.fields.size() + 1;
    std::string field;
    if (pos < line.size() && line[pos] == '"') {
      ++pos;
      bool closed = false;
      while (pos < line.size()) {
        const char c = line[pos++];
        if (c != '"') {
          field += c;
        } else if (pos < line.size() && line[pos] == '"') {
          field += '"';
          ++pos;
        } else {
          closed = true;
          break;
        }
      }
      if (!closed) {
        record.error = "field " + std::to_string(field_number) +
                       ": a quoted field is not closed on its line (a field may not span lines; write \"\" for a "
                       "quote inside quotes)";
        break;
      }
      if (pos < line.size() && line[pos] != ',') {
        record.error = "field " + std::to_string(field_number) +
                       ": characters after the closing quote (write \"\" for a quote inside quotes)";
        break;
      }
    } else {
      const std::size_t end = std::min(line.find(',', pos), line.size());
      field.assign(line.substr(pos, end - pos));
      if (field.find('"') != std::string::npos) {
        record.error = "field " + std::to_string(field_number) +
                       ": a '\"' inside an unquoted field; quote the field and write \"\" for the quote";
        break;
      }
      pos = end;
    }
    Unguard(field);
    record.fields.push_back(std::move(field));
    if (pos >= line.size()) break;
    ++pos;  // the comma
    if (pos == line.size()) {
      record.fields.emplace_back();  // a trailing comma: one more, empty field
      break;
    }
  }
  if (!record.error.empty()) record.fields.clear();
  return record;
}

}  // namespace

std::vector<CsvRecord> ParseCsv(std::string_view text) {
  std::vector<CsvRecord> records;
  std::size_t pos = 0, number = 0;
  // A UTF-8 byte-order mark is not part of the first field.
  if (text.substr(0, 3) == "\xEF\xBB\xBF") pos = 3;
  while (pos < text.size()) {
    std::size_t end = std::min(text.find('\n', pos), text.size());
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++number;
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;  // blank
    records.push_back(ParseCsvLine(line, number));
  }
  return records;
}

std::string CsvField(std::string_view value) {
  // A cell a spreadsheet would run as a formula gets a leading "'" (and so
  // does one that starts with "'", so that ParseCsv's unguarding is exact).
  std::string guarded = !value.empty() && (StartsFormula(value.front()) || value.front() == '\'')
                            ? "'" + std::string(value)
                            : std::string(value);
  const bool quote = guarded.find_first_of(",\"\r\n") != std::string::npos ||
                     (!guarded.empty() && (guarded.front() == ' ' || guarded.back() == ' '));
  if (!quote) return guarded;
  std::string out = "\"";
  for (char c : guarded) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string CsvLine(const std::vector<std::string>& fields) {
  std::string out;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i) out += ',';
    out += CsvField(fields[i]);
  }
  out += '\n';
  return out;
}

std::string JsonString(std::string_view value) { return JsonQuote(value); }

std::string JsonStringArray(const std::vector<std::string>& values) {
  std::string out = "[";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    out += JsonString(values[i]);
  }
  return out + "]";
}

std::string JsonNumberArray(const std::vector<uint32_t>& values) {
  std::string out = "[";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    out += std::to_string(values[i]);
  }
  return out + "]";
}

namespace {

// A cursor over JSON text for the two array shapes above.
struct JsonCursor {
  std::string_view text;
  std::size_t pos = 0;

  void SkipSpace() {
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\n' || text[pos] == '\t' || text[pos] == '\r'))
      ++pos;
  }
  bool Eat(char c) {
    SkipSpace();
    if (pos < text.size() && text[pos] == c) {
      ++pos;
      return true;
    }
    return false;
  }
  Result<std::string> String() {
    SkipSpace();
    return ReadJsonString(text, pos);
  }
  Result<uint32_t> Number() {
    SkipSpace();
    uint32_t v = 0;
    auto [end, ec] = std::from_chars(text.data() + pos, text.data() + text.size(), v);
    if (ec != std::errc()) return Status::InvalidArgument("expected a whole number");
    pos = static_cast<std::size_t>(end - text.data());
    return v;
  }
};

template <typename T, typename ReadItem>
Result<std::vector<T>> ParseArray(std::string_view text, ReadItem read) {
  JsonCursor in{text};
  std::vector<T> out;
  if (!in.Eat('[')) return Status::InvalidArgument("expected a JSON array");
  if (!in.Eat(']')) {
    do {
      auto item = read(in);
      if (!item.ok()) return item.status();
      out.push_back(std::move(item).value());
    } while (in.Eat(','));
    if (!in.Eat(']')) return Status::InvalidArgument("expected ',' or ']' in a JSON array");
  }
  in.SkipSpace();
  if (in.pos != text.size()) return Status::InvalidArgument("text after a JSON array");
  return out;
}

}  // namespace

Result<std::vector<std::string>> ParseJsonStringArray(std::string_view text) {
  return ParseArray<std::string>(text, [](JsonCursor& in) { return in.String(); });
}

Result<std::vector<uint32_t>> ParseJsonNumberArray(std::string_view text) {
  return ParseArray<uint32_t>(text, [](JsonCursor& in) { return in.Number(); });
}

std::vector<std::string> SplitList(std::string_view text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(';', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view item = signals::TrimAsciiWhiteSpace(text.substr(start, end - start));
    if (!item.empty()) out.emplace_back(item);
    start = end + 1;
  }
  return out;
}

std::string JoinList(const std::vector<std::string>& items) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += ';';
    out += items[i];
  }
  return out;
}

}  // namespace exchange::client

namespace exchange::client {

std::string CsvTable::Field(const CsvRecord& record, std::string_view column) const {
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (columns[i] == column) return i < record.fields.size() ? record.fields[i] : std::string();
  }
  return {};
}

bool CsvTable::Has(std::string_view column) const {
  for (const auto& c : columns) {
    if (c == column) return true;
  }
  return false;
}

Result<CsvTable> ParseCsvTable(std::string_view text, const std::vector<std::string>& known,
                               const std::vector<std::string>& required) {
  CsvTable table;
  table.records = ParseCsv(text);
  auto join = [](const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
    return out;
  };
  if (table.records.empty())
    return Status::InvalidArgument("the file is empty; it needs a header line: " + join(known));
  const CsvRecord header = table.records.front();
  table.records.erase(table.records.begin());
  if (!header.error.empty()) return Status::InvalidArgument("the header line: " + header.error);
  for (const auto& field : header.fields) {
    std::string name(signals::TrimAsciiWhiteSpace(field));
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    bool ok = false;
    for (const auto& k : known) ok = ok || k == name;
    if (!ok) return Status::InvalidArgument("unknown column '" + name + "' in the header (known: " + join(known) + ")");
    if (table.Has(name)) return Status::InvalidArgument("column '" + name + "' appears twice in the header");
    table.columns.push_back(name);
  }
  for (const auto& r : required) {
    if (!table.Has(r))
      return Status::InvalidArgument("the header has no '" + r + "' column (required: " + join(required) + ")");
  }
  return table;
}

std::string CsvShapeError(const CsvTable& table, const CsvRecord& record) {
  if (record.fields.size() == table.columns.size()) return {};
  return "line has " + std::to_string(record.fields.size()) + " fields, the header has " +
         std::to_string(table.columns.size());
}

std::string CountOf(uint64_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

}  // namespace exchange::client
