// SPDX-License-Identifier: Apache-2.0
// Cross-site request protection against a real exchanged over mTLS: a
// state-changing request with a foreign Origin is refused with 403, a
// text/plain or form-encoded one with 415, each with a JSON error; the
// exchange's own Origin or none (command-line clients) reaches the handler.
#include <doctest/doctest.h>

#include "exchange/v1/identity.pb.h"
#include "raw_tls.h"
#include "test_exchange.h"

using namespace exchange;
using exchange::testing::TestExchange;

namespace {

constexpr char kOwn[] = "https://exchange.test:8443";

// One raw request; returns the whole answer (status line, headers, body).
std::string Post(const TestExchange& ex, const std::string& extra_headers, const std::string& content_type,
                 const std::string& body) {
  testing::RawTlsConnection raw(ex.api_host_port(), ex.ClientOptionsFor("alpha"));
  raw.Write("POST /v1/sightings HTTP/1.1\r\nHost: exchange.test\r\nConnection: close\r\nContent-Type: " + content_type +
            "\r\n" + extra_headers + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
  bool closed = false;
  return raw.ReadUntilClose(std::chrono::seconds(10), &closed);
}

int StatusOf(const std::string& answer) {
  return answer.rfind("HTTP/1.1 ", 0) == 0 ? std::stoi(answer.substr(9, 3)) : 0;
}

}  // namespace

TEST_CASE("state-changing requests: foreign origins 403, form and text bodies 415") {
  TestExchange ex(testing::PgCluster::Shared(), {{std::string("--public-origin=") + kOwn}});

  std::string a = Post(ex, "Origin: https://evil.example\r\n", "application/json", "{}");
  CHECK_MESSAGE(StatusOf(a) == 403, a);
  CHECK_MESSAGE(a.find("\"permission_denied\"") != std::string::npos, a);
  CHECK_MESSAGE(a.find("https://evil.example") != std::string::npos, a);

  a = Post(ex, "Sec-Fetch-Site: cross-site\r\n", "application/json", "{}");
  CHECK_MESSAGE(StatusOf(a) == 403, a);

  a = Post(ex, "", "text/plain", "{}");
  CHECK_MESSAGE(StatusOf(a) == 415, a);
  CHECK_MESSAGE(a.find("text/plain") != std::string::npos, a);
  CHECK_MESSAGE(a.find("application/json") != std::string::npos, a);

  a = Post(ex, std::string("Origin: ") + kOwn + "\r\n", "application/x-www-form-urlencoded", "a=b");
  CHECK_MESSAGE(StatusOf(a) == 415, a);
  a = Post(ex, "", "multipart/form-data; boundary=x", "--x--");
  CHECK_MESSAGE(StatusOf(a) == 415, a);

  // The own origin, or none, reaches the handler (whatever it then says about "{}").
  for (const std::string& headers : {std::string("Origin: ") + kOwn + "\r\n", std::string()}) {
    a = Post(ex, headers, "application/json", "{}");
    CHECK_MESSAGE(StatusOf(a) != 0, a);
    CHECK_MESSAGE(StatusOf(a) != 403, a);
    CHECK_MESSAGE(StatusOf(a) != 415, a);
    CHECK_MESSAGE(a.find("cross-site") == std::string::npos, a);
  }

  // Reads are not affected, and the ordinary client (no Origin) still works.
  v1::WhoAmIResponse me;
  CHECK(ex.Client("alpha")->Call("GET", "/v1/whoami", nullptr, &me).ok());
}
