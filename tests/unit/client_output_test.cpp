// SPDX-License-Identifier: Apache-2.0
// exchangectl's pure pieces: the exit code each kind of failure gets (the
// table in cli.h) and the counts in its messages.
#include <doctest/doctest.h>

#include "commands/cli.h"
#include "formats/lists.h"
#include "transport/https_client.h"

using namespace exchange;
using namespace exchange::client;

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
