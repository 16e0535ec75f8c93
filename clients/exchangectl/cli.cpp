#include "cli.h"

#include <google/protobuf/util/json_util.h>

#include <cstdio>

namespace exchange::client {

void AddGlobalFlags(FlagSet& flags, Cli& cli) {
  flags.String("server", "EXCHANGECTL_SERVER", &cli.connection.server, "exchange URL, e.g. https://127.0.0.1:8443");
  flags.String("ca", "EXCHANGECTL_CA", &cli.connection.ca_file, "CA bundle that the server's certificate chains to");
  flags.String("cert", "EXCHANGECTL_CERT", &cli.connection.cert_file, "your client certificate (PEM)");
  flags.String("key", "EXCHANGECTL_KEY", &cli.connection.key_file, "your private key (PEM)");
  flags.String("output", "EXCHANGECTL_OUTPUT", &cli.output, "table or json");
  flags.Millis("timeout", "EXCHANGECTL_TIMEOUT_MS", &cli.connection.timeout, "time allowed for each request");
}

int ParseCommandFlags(FlagSet& flags, const std::vector<std::string>& args) {
  bool help = false;
  if (Status s = flags.Parse(args, &help); !s.ok()) {
    std::fprintf(stderr, "exchangectl: %s\n", s.message().c_str());
    return kExitUsage;
  }
  if (help) {
    std::fputs(flags.Help().c_str(), stdout);
    return 0;
  }
  return -1;
}

Result<std::unique_ptr<ApiClient>> Connect(const Cli& cli) {
  if (cli.output != "json" && cli.output != "table") return Status::InvalidArgument("--output must be table or json");
  if (cli.connection.server.empty()) return Status::InvalidArgument("--server (or EXCHANGECTL_SERVER) is required");
  auto http = HttpsClient::Create(cli.connection);
  if (!http.ok()) return http.status();
  return std::make_unique<ApiClient>(std::move(http).value());
}

void PrintJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  options.add_whitespace = true;
  std::string out;
  (void)google::protobuf::util::MessageToJsonString(message, &out, options);
  std::fputs(out.c_str(), stdout);
}

int ExitCodeFor(const Status& status) {
  if (status.ok()) return kExitOk;
  if (IsCertificateRefusal(status)) return kExitCertRefused;
  if (IsOutcomeUnknown(status)) return kExitOutcomeUnknown;
  switch (status.code()) {
    case ErrorCode::kInvalidArgument: return kExitUsage;
    case ErrorCode::kUnavailable: return kExitUnavailable;
    default: return kExitRefused;
  }
}

int Fail(const Status& status) {
  std::fprintf(stderr, "exchangectl: %s\n", status.ToString().c_str());
  return ExitCodeFor(status);
}

int UsageError(const std::string& command, const std::string& problem) {
  std::fprintf(stderr, "exchangectl: %s (see exchangectl %s --help)\n", problem.c_str(), command.c_str());
  return kExitUsage;
}

}  // namespace exchange::client
