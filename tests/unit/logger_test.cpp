// SPDX-License-Identifier: Apache-2.0
// common/json.h and common/logger.h: escaping that keeps any bytes valid
// JSON in valid UTF-8, unescaping that reads it back, the line formats, and lines from many threads that
// never interleave (written to a real file through stderr).
#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/json.h"
#include "common/logger.h"

namespace exchange {
namespace {

TEST_CASE("JsonQuote escapes quotes, backslashes and control characters") {
  CHECK(JsonQuote("plain") == "\"plain\"");
  CHECK(JsonQuote("a\"b\\c") == "\"a\\\"b\\\\c\"");
  CHECK(JsonQuote("l1\nl2\r\t") == "\"l1\\nl2\\r\\t\"");
  CHECK(JsonQuote(std::string("\x00\x1f\x7f", 3)) == "\"\\u0000\\u001f\\u007f\"");
  CHECK(JsonQuote("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80") == "\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\"");
}

TEST_CASE("JsonQuote turns every byte that starts no UTF-8 sequence into U+FFFD") {
  const std::string r = "\xEF\xBF\xBD";
  CHECK(JsonQuote("a\xFF"
                  "b") == "\"a" + r + "b\"");
  CHECK(JsonQuote("\xC0\xAF") == "\"" + r + r + "\"");                  // overlong '/'
  CHECK(JsonQuote("\xED\xA0\x80") == "\"" + r + r + r + "\"");          // a surrogate
  CHECK(JsonQuote("\xF4\x90\x80\x80") == "\"" + r + r + r + r + "\"");  // beyond U+10FFFF
  CHECK(JsonQuote("x\xE2\x82") == "\"x" + r + r + "\"");                // truncated at the end
}

TEST_CASE("Utf8SequenceAt reads one well-formed sequence") {
  char32_t c = 0;
  CHECK(Utf8SequenceAt("\xE2\x82\xAC", 0, &c) == 3);
  CHECK(c == 0x20AC);
  CHECK(Utf8SequenceAt("\x80", 0, &c) == 0);
}

TEST_CASE("ReadJsonString reads back what JsonQuote writes, and every JSON escape") {
  for (std::string_view value : {std::string_view(""), std::string_view("plain"), std::string_view("a\"b\\c/d"),
                                 std::string_view("l1\nl2\r\t\b\f"), std::string_view("\x00\x1f\x7f", 3),
                                 std::string_view("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80")}) {
    CAPTURE(value);
    const std::string quoted = JsonQuote(value) + ",next";
    std::size_t pos = 0;
    Result<std::string> read = ReadJsonString(quoted, pos);
    REQUIRE(read.ok());
    CHECK(*read == value);
    CHECK(quoted.substr(pos) == ",next");
  }
  const std::string_view array = "[ \"\\u00e9\\u20AC\\/\\b\\f\\u0041\"]";
  std::size_t pos = 2;
  CHECK(*ReadJsonString(array, pos) == "\xC3\xA9\xE2\x82\xAC/\b\fA");
  CHECK(array.substr(pos) == "]");
}

TEST_CASE("ReadJsonString refuses what is not a JSON string") {
  for (std::string_view bad : {"", "plain", " \"x\"", "\"open", "\"a\\\"", "\"\\x\"", "\"\\u12\"", "\"\\u12g4\"",
                               "\"\\ud800\"", "\"\\uDFFF\"", "\"tab\there\"", "\"nl\n\""}) {
    CAPTURE(bad);
    std::size_t pos = 0;
    CHECK(ReadJsonString(bad, pos).status().code() == ErrorCode::kInvalidArgument);
  }
}

TEST_CASE("JSON lines: time in RFC 3339 UTC with milliseconds, level, msg, then fields in order") {
  using logging::Field;
  const std::string line = logging::FormatLine(
      logging::Format::kJson, logging::Level::kWarn, 1764630449123, "request",
      {{"route", "/v1/{c}"}, {"status", 429}, {"latency_ms", 1.5}, {"ok", false}, Field::Null("org")});
  CHECK(line ==
        "{\"time\":\"2025-12-01T23:07:29.123Z\",\"level\":\"warn\",\"msg\":\"request\",\"route\":\"/v1/{c}\","
        "\"status\":429,\"latency_ms\":1.500,\"ok\":false,\"org\":null}");
  CHECK(logging::FormatLine(logging::Format::kJson, logging::Level::kInfo, 5, "x", {}) ==
        "{\"time\":\"1970-01-01T00:00:00.005Z\",\"level\":\"info\",\"msg\":\"x\"}");
}

TEST_CASE("the text format for a terminal") {
  using logging::Field;
  CHECK(logging::FormatLine(logging::Format::kText, logging::Level::kError, 0, "--database is required", {}) ==
        "exchanged: --database is required");
  CHECK(logging::FormatLine(logging::Format::kText, logging::Level::kWarn, 0, "low",
                            {{"allowed", 10}, {"why", "a b"}}) == "exchanged: warning: low (allowed=10, why=\"a b\")");
}

TEST_CASE("a long field is cut at a character boundary") {
  std::string value(logging::kMaxFieldBytes - 1, 'a');
  value += "\xE2\x82\xAC\xE2\x82\xAC";  // a euro sign across the limit
  const logging::Field f("v", value);
  CHECK(f.json() == "\"" + std::string(logging::kMaxFieldBytes - 1, 'a') + "\xE2\x80\xA6\"");
}

TEST_CASE("levels: parsed by name, filtered, changed at run time") {
  CHECK(logging::ParseLevel("debug") == logging::Level::kDebug);
  CHECK(logging::ParseLevel("warning") == logging::Level::kWarn);
  CHECK_FALSE(logging::ParseLevel("loud"));
  logging::Configure(logging::Format::kJson, logging::Level::kWarn);
  CHECK_FALSE(logging::Enabled(logging::Level::kInfo));
  CHECK(logging::Enabled(logging::Level::kError));
  logging::SetLevel(logging::Level::kDebug);
  CHECK(logging::Enabled(logging::Level::kDebug));
}

TEST_CASE("lines from many threads never interleave") {
  std::string path = "/tmp/logger-test-" + std::string(6, 'X');  // mkstemp fills in the X characters
  const int fd = mkstemp(path.data());
  REQUIRE(fd >= 0);
  const int saved = dup(STDERR_FILENO);
  REQUIRE(dup2(fd, STDERR_FILENO) >= 0);
  logging::Configure(logging::Format::kJson, logging::Level::kInfo);
  constexpr int kThreads = 8, kLines = 500;
  const std::string filler(2000, 'x');  // three of them: lines longer than PIPE_BUF
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t, &filler] {
      for (int i = 0; i < kLines; ++i)
        logging::Info("line", {{"thread", t}, {"i", i}, {"a", filler}, {"b", filler}, {"c", filler}});
    });
  }
  for (auto& th : threads) th.join();
  dup2(saved, STDERR_FILENO);
  close(saved);
  close(fd);
  std::ifstream in(path);
  std::string line;
  int count = 0;
  const std::string quoted = "\"" + filler + "\"";
  const std::string tail = ",\"a\":" + quoted + ",\"b\":" + quoted + ",\"c\":" + quoted + "}";
  while (std::getline(in, line)) {
    ++count;
    REQUIRE(line.rfind("{\"time\":\"", 0) == 0);
    REQUIRE(line.size() > tail.size());
    REQUIRE(line.compare(line.size() - tail.size(), tail.size(), tail) == 0);
  }
  unlink(path.c_str());
  CHECK(count == kThreads * kLines);
}

}  // namespace
}  // namespace exchange
