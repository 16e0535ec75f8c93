// SPDX-License-Identifier: Apache-2.0
// exchangectl's CSV (clients/exchangectl/text_formats.h): RFC 4180 one record
// per line, a malformed line costs exactly that line, and the export guard
// against spreadsheet formula injection round-trips through the reader.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "formats/csv.h"

using exchange::client::CsvField;
using exchange::client::CsvLine;
using exchange::client::ParseCsv;

namespace {

// "line:field|field" per record, or "line:ERROR" for a refused one.
std::vector<std::string> Shape(std::string_view text) {
  std::vector<std::string> out;
  for (const auto& r : ParseCsv(text)) {
    std::string s = std::to_string(r.line) + ":";
    if (!r.error.empty()) {
      out.push_back(s + "ERROR");
      continue;
    }
    for (std::size_t i = 0; i < r.fields.size(); ++i) s += (i ? "|" : "") + r.fields[i];
    out.push_back(s);
  }
  return out;
}

}  // namespace

TEST_CASE("CSV: well-formed records") {
  struct Case {
    std::string text;
    std::vector<std::string> records;
  };
  const std::vector<Case> cases = {
      {"a,b,c\n", {"1:a|b|c"}},
      {"a,b,c", {"1:a|b|c"}},
      {"a,b\r\nc,d\r\n", {"1:a|b", "2:c|d"}},
      {"\"a,b\",c\n", {"1:a,b|c"}},
      {"\"say \"\"hi\"\"\",x\n", {"1:say \"hi\"|x"}},
      {"\"\",x\n", {"1:|x"}},
      {"a,\n", {"1:a|"}},
      {",\n", {"1:|"}},
      {"a,,b\n", {"1:a||b"}},
      {"\n\na\n  \n\tb\n", {"3:a", "5:\tb"}},
      {"\xEF\xBB\xBFkind,value\n", {"1:kind|value"}},
      {"caf\xC3\xA9,\xE2\x82\xAC\n", {"1:caf\xC3\xA9|\xE2\x82\xAC"}},
      {" a , b \n", {"1: a | b "}},
  };
  for (const auto& c : cases) {
    CAPTURE(c.text);
    CHECK(Shape(c.text) == c.records);
  }
}

TEST_CASE("CSV: a malformed line is an error for that line only") {
  struct Case {
    std::string text;
    std::vector<std::string> records;
  };
  const std::vector<Case> cases = {
      // The case: a stray quote used to swallow the next good line.
      {"md5,\"abc\nmd5,good\n", {"1:ERROR", "2:md5|good"}},
      {"keyword,say \"hi\nmd5,good\n", {"1:ERROR", "2:md5|good"}},
      {"\"a\"b,c\nx,y\n", {"1:ERROR", "2:x|y"}},
      {"a,\"b\" ,c\nx,y\n", {"1:ERROR", "2:x|y"}},
      // A quoted field may not span lines: both halves are errors, the next line is read.
      {"a,\"multi\nline\",c\nx,y\n", {"1:ERROR", "2:ERROR", "3:x|y"}},
      {"ok,1\nbad,\xFF\nok,2\n", {"1:ok|1", "2:ERROR", "3:ok|2"}},
      {"\"\nnext,line\n", {"1:ERROR", "2:next|line"}},
      {"a,\"\"\"\nb,c\n", {"1:ERROR", "2:b|c"}},
  };
  for (const auto& c : cases) {
    CAPTURE(c.text);
    CHECK(Shape(c.text) == c.records);
  }
  auto records = ParseCsv("a,\"b\n");
  REQUIRE(records.size() == 1);
  CHECK(records[0].error.find("not closed on its line") != std::string::npos);
  records = ParseCsv("a,b\"c\n");
  CHECK(records[0].error.find("a '\"' inside an unquoted field") != std::string::npos);
}

TEST_CASE("CSV export guards formula injection and the reader restores the value") {
  struct Case {
    std::string value;
    std::string cell;
  };
  const std::vector<Case> cases = {
      {"=1+2", "'=1+2"},
      {"+cmd", "'+cmd"},
      {"-5 tips", "'-5 tips"},
      {"@SUM(A1)", "'@SUM(A1)"},
      {"\tx", "'\tx"},
      {"'quoted", "''quoted"},
      {"'", "''"},
      {"=HYPERLINK(\"x\",\"y\")", "\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\""},
      {"plain", "plain"},
      {"a=b", "a=b"},
      {"", ""},
      {"x,y", "\"x,y\""},
  };
  for (const auto& c : cases) {
    CAPTURE(c.value);
    CHECK(CsvField(c.value) == c.cell);
    auto back = ParseCsv(CsvLine({c.value, "end"}));
    REQUIRE(back.size() == 1);
    REQUIRE(back[0].error.empty());
    CHECK(back[0].fields == std::vector<std::string>{c.value, "end"});
  }
  // A hand-written "'" before anything else is kept: only the guard's own form is undone.
  CHECK(ParseCsv("'abc\n")[0].fields == std::vector<std::string>{"'abc"});
}
