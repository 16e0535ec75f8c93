// Hostile connections: old TLS versions and weak ciphers are refused at the
// handshake, 10,000 idle connections do not stop the exchange serving others,
// and connections beyond the cap are closed at accept.
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "exchange/v1/identity.pb.h"
#include "test_exchange.h"

using namespace exchange;
using exchange::testing::RunCommand;
using exchange::testing::TestExchange;

namespace {

// openssl s_client with client credentials; returns its output.
std::string SClient(const TestExchange& ex, const std::string& options) {
  const std::string creds = " -cert " + ex.pki() + "/alpha.pem -key " + ex.pki() + "/alpha.key -CAfile " + ex.pki() +
                            "/ca-bundle.pem";
  return RunCommand("(sleep 1; printf 'GET /v1/whoami HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n'; sleep 1) | "
                    "timeout 10 openssl s_client -connect " + ex.api_host_port() + creds + " " + options + " 2>&1")
      .output;
}

int Connect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

int PortOf(const std::string& host_port) { return std::stoi(host_port.substr(host_port.rfind(':') + 1)); }

}  // namespace

TEST_CASE("TLS: 1.2 and 1.3 with strong ciphers only") {
  TestExchange ex;
  CHECK(SClient(ex, "-tls1_3").find("HTTP/1.1 200") != std::string::npos);
  CHECK(SClient(ex, "-tls1_2").find("HTTP/1.1 200") != std::string::npos);
  for (const std::string old : {"-tls1", "-tls1_1"}) {
    auto out = SClient(ex, old + " -cipher DEFAULT@SECLEVEL=0");
    CHECK_MESSAGE(out.find("HTTP/1.1 200") == std::string::npos, old);
    CHECK_MESSAGE((out.find("alert") != std::string::npos || out.find("no protocols available") != std::string::npos ||
                   out.find("unsupported protocol") != std::string::npos),
                  out);
  }
  for (const std::string weak : {"AES128-SHA", "AES256-SHA256", "ECDHE-ECDSA-AES128-SHA", "DES-CBC3-SHA"}) {
    auto out = SClient(ex, "-tls1_2 -cipher '" + weak + "@SECLEVEL=0'");
    CHECK_MESSAGE(out.find("HTTP/1.1 200") == std::string::npos, weak);
  }
}

TEST_CASE("10,000 idle connections, and the connection cap") {
  TestExchange ex(testing::PgCluster::Shared(), {{"--max-connections=10050", "--handshake-timeout=30000"}});
  const int port = PortOf(ex.api_host_port());
  std::vector<int> idle;
  for (int i = 0; i < 10000; ++i) {
    int fd = Connect(port);
    REQUIRE_MESSAGE(fd >= 0, "connect " << i);
    idle.push_back(fd);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const auto start = std::chrono::steady_clock::now();
  v1::WhoAmIResponse me;
  REQUIRE(ex.Client("alpha")->Call("GET", "/v1/whoami", nullptr, &me).ok());
  CHECK(me.org() == "alpha");
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));

  // Beyond the cap: accepted, then closed at once.
  std::vector<int> extra;
  for (int i = 0; i < 200; ++i) {
    int fd = Connect(port);
    if (fd >= 0) extra.push_back(fd);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  std::string metrics;
  REQUIRE(testing::HttpGet(ex.ops_host_port(), "/metrics", &metrics) == 200);
  const std::string series = "\nexchange_http_connections_refused_total ";
  auto at = metrics.find(series);
  REQUIRE(at != std::string::npos);
  CHECK(std::stod(metrics.substr(at + series.size())) > 0);
  for (int fd : idle) close(fd);
  for (int fd : extra) close(fd);
  // And the exchange carries on.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  CHECK(ex.Client("beta")->Call("GET", "/v1/whoami", nullptr, &me).ok());
  CHECK(ex.server().Running());
}
