// SPDX-License-Identifier: Apache-2.0
// The text formats exchangectl reads and writes besides the API's own:
// CSV (RFC 4180, one record per line, formula-injection guard) with the line
// number of every record, JSON string and
// array quoting for hand-built JSON output, and `;`-separated lists (the CSV
// convention for labels and principles).
//
// Pure functions and plain values; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace exchange::client {

struct CsvRecord {
  std::size_t line = 0;             // 1-based line on which the record starts
  std::vector<std::string> fields;  // empty when `error` is set
  std::string error;                // why this record is unusable (bad UTF-8, unterminated quote)
};

// Splits `text` into records, RFC 4180 with one restriction: a record is
// one line (LF or CRLF), so a malformed line is an error for that line only
// and never swallows the next. Fields are separated by ','; a field in double
// quotes may hold commas and "" for a quote, but no line break. Refused, each
// as that line's `error` (fields empty): invalid UTF-8, a quote not closed on
// its line, characters after a closing quote, a '"' inside an unquoted
// field. Blank lines are skipped. A cell that CsvField guarded against
// formula injection is unguarded ("'=x" -> "=x", "''x" -> "'x"); other cells
// are kept exactly.
std::vector<CsvRecord> ParseCsv(std::string_view text);

// One field. Guarded against spreadsheet formula injection: a value starting
// with '=', '+', '-', '@', TAB or CR (or with the guard's own "'") gets a
// leading "'", which ParseCsv removes again. Then quoted when it holds ',',
// '"', CR, LF or starts or ends with a space.
std::string CsvField(std::string_view value);
// Fields joined with ',' and ended with "\n".
std::string CsvLine(const std::vector<std::string>& fields);

// `"..."`: common/json.h JsonQuote (escapes, and U+FFFD for bytes that are not UTF-8).
std::string JsonString(std::string_view value);
// `["a","b"]` and `[1,3]`.
std::string JsonStringArray(const std::vector<std::string>& values);
std::string JsonNumberArray(const std::vector<uint32_t>& values);
// Parses what JsonStringArray / JsonNumberArray write (and any JSON array of
// strings / of non-negative integers). InvalidArgument otherwise.
Result<std::vector<std::string>> ParseJsonStringArray(std::string_view text);
Result<std::vector<uint32_t>> ParseJsonNumberArray(std::string_view text);

// "a; b;;c" -> {"a", "b", "c"}: split at ';', items trimmed of ASCII white
// space, empty items dropped.
std::vector<std::string> SplitList(std::string_view text);
std::string JoinList(const std::vector<std::string>& items);

// "1 batch", "3 batches": `n` and the noun in the number it needs.
std::string CountOf(uint64_t n, std::string_view one, std::string_view many);

}  // namespace exchange::client

namespace exchange::client {

// A CSV file whose first record names the columns.
struct CsvTable {
  std::vector<std::string> columns;  // as in the header, trimmed and lowercased
  std::vector<CsvRecord> records;    // the records after the header

  // The field of `record` in `column`; "" when the file has no such column.
  std::string Field(const CsvRecord& record, std::string_view column) const;
  bool Has(std::string_view column) const;
};

// Parses `text` as a CSV table. InvalidArgument when the header is missing or
// unreadable, names a column not in `known` or twice, or lacks one of `required`.
Result<CsvTable> ParseCsvTable(std::string_view text, const std::vector<std::string>& known,
                               const std::vector<std::string>& required);

// The error for a record whose field count differs from the header's; "" when it fits.
std::string CsvShapeError(const CsvTable& table, const CsvRecord& record);

}  // namespace exchange::client
