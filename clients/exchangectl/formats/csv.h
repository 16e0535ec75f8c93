// SPDX-License-Identifier: Apache-2.0
// CSV as exchangectl reads and writes it (submit, opinion, retract and
// sighting files in; export and error reports out): RFC 4180 with one record
// per line, a formula-injection guard, the line number of every record, and
// tables whose first record names the columns.
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
