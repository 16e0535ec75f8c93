// Shared plumbing for exchangectl's commands: connection flags (each with its
// EXCHANGECTL_* twin), output format, and one way to print and to fail.
//
// Output contract: with --output json a command prints one JSON document on
// stdout; otherwise human-readable text. Progress and errors go to stderr.
// Exit codes: 0 ok, 1 the server or an input refused the request, 2 usage,
// 3 the server could not be reached.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "api_client.h"
#include "common/flags.h"

namespace google::protobuf {
class Message;
}

namespace exchange::client {

struct Cli {
  ClientOptions connection;
  std::string output = "table";
  bool json() const { return output == "json"; }
};

// Adds --server --ca --cert --key --output --timeout.
void AddGlobalFlags(FlagSet& flags, Cli& cli);

// Parses; returns -1 to go on, or the exit code to return now (help, usage error).
int ParseCommandFlags(FlagSet& flags, const std::vector<std::string>& args);

Result<std::unique_ptr<ApiClient>> Connect(const Cli& cli);

// Prints `message` as JSON (Protobuf mapping, snake_case names) on stdout.
void PrintJson(const google::protobuf::Message& message);

// Prints "exchangectl: <message>" on stderr; returns the exit code for it.
int Fail(const Status& status);

}  // namespace exchange::client
