// SPDX-License-Identifier: Apache-2.0
// ChildProcess: a real program started by a test, stopped when the test ends.
//
// Output goes to a log file so a failing test can show it. The destructor
// kills (SIGKILL) and reaps a process still running.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace exchange::testing {

class ChildProcess {
 public:
  // Starts argv[0] (a path) with argv; `env` entries ("K=V") are added to ours.
  ChildProcess(const std::vector<std::string>& argv, const std::vector<std::string>& env, const std::string& log_file);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool Running();
  void Signal(int signal);
  // Waits for exit; the exit code, or nullopt on timeout (the process keeps running).
  // A process ended by a signal reports 128 + signal.
  std::optional<int> Wait(std::chrono::milliseconds timeout);
  const std::string& log_file() const { return log_file_; }
  std::string Log() const;

 private:
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
  std::string log_file_;
};

// Runs a command to completion through /bin/sh; returns its exit code and stdout.
struct CommandResult {
  int exit_code = -1;
  std::string output;
};
CommandResult RunCommand(const std::string& command);

// `s` as one /bin/sh word: in single quotes, each ' written '\''.
std::string ShellQuote(const std::string& s);
// The whole file; "" when it cannot be read.
std::string ReadText(const std::filesystem::path& path);

}  // namespace exchange::testing
