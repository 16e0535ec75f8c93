// SPDX-License-Identifier: Apache-2.0
#include "common/logger.h"

#include <unistd.h>

#include <algorithm>
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

void AppendRfc3339Millis(int64_t unix_millis, std::string& out) {
  // The date and time to the second, as last formatted on this thread: lines
  // come many a second, and gmtime_r takes glibc's time zone lock.
  thread_local std::time_t cached_seconds = -1;
  thread_local char cached[64];
  thread_local std::size_t cached_size = 0;
  const int64_t millis = ((unix_millis % 1000) + 1000) % 1000;
  const std::time_t seconds = static_cast<std::time_t>(unix_millis / 1000);
  if (seconds != cached_seconds) {
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    // Room for any int the compiler can imagine in each field.
    const int n = std::snprintf(cached, sizeof cached, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900,
                                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    cached_size = static_cast<std::size_t>(std::clamp(n, 0, static_cast<int>(sizeof cached) - 1));
    cached_seconds = seconds;
  }
  out.append(cached, cached_size);
  const char fraction[] = {'.', static_cast<char>('0' + millis / 100), static_cast<char>('0' + millis / 10 % 10),
                           static_cast<char>('0' + millis % 10), 'Z'};
  out.append(fraction, sizeof fraction);
}

void WriteLine(std::string_view line) {
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

// Appends the line FormatLine returns to `line`.
void AppendLine(Format format, Level level, int64_t unix_millis, std::string_view msg,
                std::initializer_list<Field> fields, std::string& line) {
  if (format == Format::kJson) {
    line += "{\"time\":\"";
    AppendRfc3339Millis(unix_millis, line);
    line += "\",\"level\":\"";
    line += LevelName(level);
    line += "\",\"msg\":";
    AppendJsonQuoted(msg, line);
    for (const Field& f : fields) {
      line += ',';
      AppendJsonQuoted(f.key(), line);
      line += ':';
      line += f.json();
    }
    line += '}';
    return;
  }
  line += "exchanged: ";
  if (level == Level::kWarn) line += "warning: ";
  line += msg;
  bool first = true;
  for (const Field& f : fields) {
    if (f.text().empty()) continue;
    line += first ? " (" : ", ";
    line += f.key();
    line += '=';
    line += f.text();
    first = false;
  }
  if (!first) line += ')';
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
  json_.reserve(cut.size() + 2);
  AppendJsonQuoted(cut, json_);
  // The text format is for a terminal: quoted as JSON too when it would
  // otherwise be ambiguous (blanks, quotes, control characters, nothing).
  const bool plain =
      !cut.empty() && cut.find_first_of(" \t\r\n\",=()\\") == std::string_view::npos && json_.size() == cut.size() + 2;
  text_ = plain ? TextForm::kUnquoted : TextForm::kSame;
}

Field::Field(std::string_view key, double value) : key_(key) {
  if (!std::isfinite(value)) {
    json_ = "null";
    return;
  }
  char out[32];
  std::snprintf(out, sizeof out, "%.3f", value);
  json_ = out;
  text_ = TextForm::kSame;
}

Field::Field(std::string_view key, bool value) : key_(key), json_(value ? "true" : "false"), text_(TextForm::kSame) {}

Field Field::Null(std::string_view key) {
  Field f;
  f.key_ = key;
  f.json_ = "null";
  return f;
}

std::string_view Field::text() const {
  switch (text_) {
    case TextForm::kNone: return {};
    case TextForm::kSame: return json_;
    case TextForm::kUnquoted: return std::string_view(json_).substr(1, json_.size() - 2);
  }
  return {};
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
  AppendLine(format, level, unix_millis, msg, fields, line);
  return line;
}

void Log(Level level, std::string_view msg, std::initializer_list<Field> fields) {
  if (!Enabled(level)) return;
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  const int64_t millis = std::chrono::duration_cast<std::chrono::milliseconds>(now).count();
  // Each thread builds its lines in its own buffer, which keeps its capacity:
  // a line costs no allocation once the buffer has grown to it.
  thread_local std::string line;
  line.clear();
  AppendLine(g_format.load(), level, millis, msg, fields, line);
  line += '\n';
  WriteLine(line);
}

}  // namespace exchange::logging
