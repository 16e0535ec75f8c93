// SPDX-License-Identifier: Apache-2.0
// The process's diagnostics: one line per event on stderr.
//
// `exchanged serve` writes JSON lines (docs/operations.md, "Logs"):
//   {"time":"2026-12-01T23:07:29.123Z","level":"info","msg":"listening",...fields}
// time is RFC 3339 UTC with milliseconds; level is debug, info, warn or error;
// msg names the event in our own words (the one-shot commands' msg is their
// error message); the fields follow in the order given. The one-shot commands (migrate, credentials add, ...) are
// run by a person at a terminal and write the text format instead:
//   exchanged: <msg> (key=value, ...)      warn: "exchanged: warning: <msg> ..."
//
// Nothing that reaches a log may carry a secret, a token, a private key, a
// signal value, a request body or a query string: callers pass route
// templates, ids and our own words (docs/security.md says how it is tested).
//
// Thread-safety: every function may be called from any thread. Each line is
// built apart and written with one write(2) under a mutex, so lines from
// different threads never interleave. The level is an atomic: SetLevel (on
// SIGHUP) applies to the next line of every thread.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

namespace exchange::logging {

enum class Level { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };
enum class Format { kText, kJson };

// "debug", "info", "warn", "error" (also "warning"); nullopt otherwise.
std::optional<Level> ParseLevel(std::string_view name);
std::string_view LevelName(Level level);

// Longest string field, in bytes; a longer value is cut at a character
// boundary and ends in "…".
inline constexpr std::size_t kMaxFieldBytes = 2048;

// One `key: value` of a line. The key is a fixed snake_case name (not
// "time", "level" or "msg"), a string literal: the Field keeps a view of it.
// The value is kept already encoded.
class Field {
 public:
  Field(std::string_view key, std::string_view value);
  Field(std::string_view key, const std::string& value) : Field(key, std::string_view(value)) {}
  Field(std::string_view key, const char* value) : Field(key, std::string_view(value)) {}
  template <typename Int, std::enable_if_t<std::is_integral_v<Int> && !std::is_same_v<Int, bool>, int> = 0>
  Field(std::string_view key, Int value) : key_(key), json_(std::to_string(value)), text_(TextForm::kSame) {}
  Field(std::string_view key, double value);
  Field(std::string_view key, bool value);
  // `"key": null` (and nothing in the text format).
  static Field Null(std::string_view key);

  std::string_view key() const { return key_; }
  const std::string& json() const { return json_; }  // the JSON value
  // For the text format; empty: left out.
  std::string_view text() const;

 private:
  // How the text form derives from the JSON one (one string kept, not two).
  enum class TextForm {
    kNone,      // left out of the text format
    kSame,      // as in JSON (numbers, booleans, strings that need quoting)
    kUnquoted,  // a JSON string without its quotes (nothing in it was escaped)
  };
  Field() = default;
  std::string_view key_;
  std::string json_;
  TextForm text_ = TextForm::kNone;
};

// The format and the lowest level written. Until called: text, info.
void Configure(Format format, Level level);
void SetLevel(Level level);
Level CurrentLevel();
bool Enabled(Level level);

void Log(Level level, std::string_view msg, std::initializer_list<Field> fields = {});
inline void Debug(std::string_view msg, std::initializer_list<Field> fields = {}) { Log(Level::kDebug, msg, fields); }
inline void Info(std::string_view msg, std::initializer_list<Field> fields = {}) { Log(Level::kInfo, msg, fields); }
inline void Warn(std::string_view msg, std::initializer_list<Field> fields = {}) { Log(Level::kWarn, msg, fields); }
inline void Error(std::string_view msg, std::initializer_list<Field> fields = {}) { Log(Level::kError, msg, fields); }

// The line Log() would write, without the newline, stamped `unix_millis`;
// for tests.
std::string FormatLine(Format format, Level level, int64_t unix_millis, std::string_view msg,
                       std::initializer_list<Field> fields);

}  // namespace exchange::logging
