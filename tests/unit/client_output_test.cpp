// SPDX-License-Identifier: Apache-2.0
// exchangectl's small pieces: the exit code each kind of failure gets (the
// table in cli.h), the counts in its messages, and the retry hook submit's
// progress bar relies on.
#include <doctest/doctest.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <filesystem>

#include "commands/cli.h"
#include "exchange/v1/signals.pb.h"
#include "formats/lists.h"
#include "formats/pytx_file.h"
#include "pki/dev_pki.h"
#include "transport/batch_sender.h"
#include "transport/https_client.h"

using namespace exchange;
using namespace exchange::client;
namespace asio = boost::asio;

TEST_CASE("each kind of failure has its own exit code") {
  CHECK(ExitCodeFor(Status::Ok()) == kExitOk);
  CHECK(ExitCodeFor(Status::PermissionDenied("organisation acme is suspended")) == kExitRefused);
  CHECK(ExitCodeFor(Status::InvalidArgument("--collection C is required")) == kExitUsage);
  CHECK(ExitCodeFor(Status::Unavailable("cannot connect to https://localhost:1: Connection refused")) ==
        kExitUnavailable);
  const Status refused = Status::Unauthenticated(
      "the server refused our client certificate: https://x answered the TLS handshake with \"tlsv1 alert unknown "
      "ca\"");
  CHECK(IsCertificateRefusal(refused));
  CHECK(ExitCodeFor(refused) == kExitCertRefused);
  // An unauthenticated answer of another kind (a bad invitation token) is a refusal, not a certificate problem.
  CHECK(ExitCodeFor(Status::Unauthenticated("the invitation token is unknown, used or expired")) == kExitRefused);
  const Status lost = Status::Unavailable(
      "POST /v1/sightings: end of stream; the answer was lost after the request was sent, and it was not sent again");
  CHECK(IsOutcomeUnknown(lost));
  CHECK(ExitCodeFor(lost) == kExitOutcomeUnknown);
  // Distinct codes, so scripts can tell them apart.
  const int codes[] = {kExitOk,          kExitRefused,      kExitUsage,
                       kExitUnavailable, kExitVerifyFailed, kExitMirrorDamaged,
                       kExitCertRefused, kExitPending,      kExitOutcomeUnknown};
  for (std::size_t i = 0; i < std::size(codes); ++i) {
    for (std::size_t j = i + 1; j < std::size(codes); ++j) CHECK(codes[i] != codes[j]);
  }
}

TEST_CASE("counts in messages agree in number") {
  CHECK(CountOf(0, "batch", "batches") == "0 batches");
  CHECK(CountOf(1, "batch", "batches") == "1 batch");
  CHECK(CountOf(2508, "signal", "signals") == "2508 signals");
}

TEST_CASE("a retry message erases the caller's progress bar first") {
  // A refused connection (nothing listens on the port) is a transport error,
  // retried per the policy; before each retry's stderr line the policy's
  // before_message runs (submit clears its bar there).
  const auto dir = std::filesystem::temp_directory_path() / ("exchange-retry-test-" + std::to_string(::getpid()));
  REQUIRE(pki::InitDevPki(dir, {.force = true}).ok());
  asio::io_context io;
  asio::ip::tcp::acceptor closed(io, {asio::ip::make_address("127.0.0.1"), 0});
  const auto port = closed.local_endpoint().port();
  closed.close();  // the port is free again: connecting to it is refused
  ClientOptions options;
  options.server = "https://127.0.0.1:" + std::to_string(port);
  options.ca_file = (dir / "ca-bundle.pem").string();
  auto http = HttpsClient::Create(options);
  REQUIRE(http.ok());
  RetryPolicy policy;
  policy.max_attempts = 3;
  policy.first_backoff = std::chrono::milliseconds(1);
  int cleared = 0;
  policy.before_message = [&cleared] { ++cleared; };
  v1::SubmitSignalsRequest request;
  const Status s = PostBatch(**http, "/v1/collections/c/signals", request, nullptr, {}, policy);
  CHECK(s.code() == ErrorCode::kUnavailable);
  CHECK(cleared == 2);  // three attempts, two retries
  std::filesystem::remove_all(dir);
}

TEST_CASE("pytx lines carry pytx's signal type names and only values a pytx file can hold") {
  using exchange::client::PytxLine;
  CHECK(PytxLine("md5", "d41d8cd98f00b204e9800998ecf8427e") == "video_md5 d41d8cd98f00b204e9800998ecf8427e\n");
  CHECK(PytxLine("sha256", std::string(64, 'a')) == "video_sha256 " + std::string(64, 'a') + "\n");
  CHECK(PytxLine("pdq", std::string(64, '0')) == "pdq " + std::string(64, '0') + "\n");
  CHECK(PytxLine("url", "http://bad.example/g") == "url http://bad.example/g\n");
  CHECK(PytxLine("keyword", "meet me alone") == "raw_text meet me alone\n");
  const std::string frames = R"(["0000000000000000000000000000000000000000000000000000000000000000,100,0.000"])";
  CHECK(PytxLine("vpdq", frames) == "vpdq " + frames + "\n");
  for (const char* kind : {"sha1", "photodna", "domain", "account_id", "tmk_pdqf", "nonsense"}) {
    CHECK_MESSAGE(!PytxLine(kind, "x").has_value(), kind);
  }
  // pytx strips each line and splits at the first space: such values would not read back.
  CHECK(!PytxLine("keyword", "two\nlines").has_value());
  CHECK(!PytxLine("keyword", " padded").has_value());
  CHECK(!PytxLine("keyword", "padded\t").has_value());
  CHECK(!PytxLine("keyword", "").has_value());
}
