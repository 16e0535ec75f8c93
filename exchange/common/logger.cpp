// SPDX-License-Identifier: Apache-2.0
#include "common/logger.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <mutex>

#include "common/json.h"

namespace exchange::logging {
namespace {

std::atomic<int> g_level{static_cast<int>(Level::kInfo)};
std::atomic<Format> g_format{Format::kText};
std::mutex g_write_mu;  // one writer at a time: a line is one write(2), never interleaved

std::string_view Cut(std::string_view value, std::string* storage) {
  if (value.size() <= kMaxFieldBytes) return value;
  std::size_t end = kMaxFieldBytes;
  // Back off to a character boundary (a UTF-8 continuation byte has 10 as its top two bits).
  while (end > 0 && (static_cast<unsigned char>(value[end]) & 0xC0) == 0x80) --end;
  *storage = std::string(value.substr(0, end)) + "\xE2\x80\xA6";
  return *storage;
}

std::string Rfc3339Millis(int64_t unix_millis) {
  const std::time_t seconds = static_cast<std::time_t>(unix_millis / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char out[80];  // room for any int the compiler can imagine in each field
  std::snprintf(out, sizeof out, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(((unix_millis % 1000) + 1000) % 1000));
  return out;
}

void WriteLine(const std::string& line) {
  std::lock_guard lock(g_write_mu);
  const char* p = line.data();
  std::size_t left = line.size();
  while (left > 0) {
    const ssize_t n = ::write(STDERR_FILENO, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // stderr is gone: nothing else could report it
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}

}  // namespace

std::optional<Level> ParseLevel(std::string_view name) {
  if (name == "debug") return Level::kDebug;
  if (name == "info") return Level::kInfo;
  if (name == "warn" || name == "warning") return Level::kWarn;
  if (name == "error") return Level::kError;
  return std::nullopt;
}

std::string_view LevelName(Level level) {
  switch (level) {
    case Level::kDebug: return "debug";
    case Level::kInfo: return "info";
    case Level::kWarn: return "warn";
    case Level::kError: return "error";
  }
  return "error";
}

Field::Field(std::string_view key, std::string_view value) : key_(key) {
  std::string storage;
  const std::string_view cut = Cut(value, &storage);
  json_ = JsonQuote(cut);
  // The text format is for a terminal: quoted as JSON too when it would
  // otherwise be ambiguous (blanks, quotes, control characters, nothing).
  const bool plain =
      !cut.empty() && cut.find_first_of(" \t\r\n\",=()\\") == std::string_view::npos && json_.size() == cut.size() + 2;
  text_ = plain ? std::string(cut) : json_;
}

Field::Field(std::string_view key, double value) : key_(key) {
  if (!std::isfinite(value)) {
    json_ = "null";
    return;
  }
  char out[32];
  std::snprintf(out, sizeof out, "%.3f", value);
  json_ = text_ = out;
}

Field::Field(std::string_view key, bool value) : key_(key), json_(value ? "true" : "false"), text_(json_) {}

Field Field::Null(std::string_view key) {
  Field f;
  f.key_ = std::string(key);
  f.json_ = "null";
  return f;
}

void Configure(Format format, Level level) {
  g_format.store(format);
  SetLevel(level);
}

void SetLevel(Level level) { g_level.store(static_cast<int>(level)); }
Level CurrentLevel() { return static_cast<Level>(g_level.load()); }
bool Enabled(Level level) { return static_cast<int>(level) >= g_level.load(); }

std::string FormatLine(Format format, Level level, int64_t unix_millis, std::string_view msg,
                       std::initializer_list<Field> fields) {
  std::string line;
  if (format == Format::kJson) {
    line =
        "{\"time\":\"" + Rfc3339Millis(unix_millis) + "\",\"level\":\"" + std::string(LevelName(level)) + "\",\"msg\":";
    AppendJsonQuoted(msg, line);
    for (const Field& f : fields) {
      line += ',';
      AppendJsonQuoted(f.key(), line);
      line += ':';
      line += f.json();
    }
    line += '}';
    return line;
  }
  line = "exchanged: ";
  if (level == Level::kWarn) line += "warning: ";
  line += msg;
  bool first = true;
  for (const Field& f : fields) {
    if (f.text().empty()) continue;
    line += first ? " (" : ", ";
    line += f.key() + "=" + f.text();
    first = false;
  }
  if (!first) line += ')';
  return line;
}

void Log(Level level, std::string_view msg, std::initializer_list<Field> fields) {
  if (!Enabled(level)) return;
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  const int64_t millis = std::chrono::duration_cast<std::chrono::milliseconds>(now).count();
  WriteLine(FormatLine(g_format.load(), level, millis, msg, fields) + "\n");
}

}  // namespace exchange::logging
