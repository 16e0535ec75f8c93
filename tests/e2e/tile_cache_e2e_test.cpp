// SPDX-License-Identifier: Apache-2.0
// Debian's nginx as a shared tile cache in front of a real exchanged, with
// the configuration of deploy/nginx/tlog-cache.conf: members connect to
// nginx over mTLS, nginx to exchanged with its own credential (named in
// `exchanged serve --tile-proxy-cert`) and the member's certificate in
// X-Exchange-Member-Cert, full tiles come from nginx's proxy_cache and every
// request first asks exchanged (auth_request, GET .../tlog/access) whether
// this member may read this log.
//
// Member alpha syncs through nginx (the full tiles are cache misses), member
// beta then syncs the same collection through nginx and its full tiles are
// cache hits that never reach exchanged (its request counters), both mirrors
// hold the same entries, and gamma, without a read grant, is refused (403)
// even for tiles in the cache. exchanged takes the header only from the tile
// proxy and only on tlog reads.
#include <doctest/doctest.h>

#include <unistd.h>

#include <csignal>

#include <chrono>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>
#include <thread>

#include "collections.h"
#include "process.h"
#include "test_exchange.h"

using namespace exchange;
using exchange::testing::TestExchange;

namespace {

void ReplaceAll(std::string& text, const std::string& from, const std::string& to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

// nginx with deploy/nginx/tlog-cache.conf in front of `exchanged_host_port`.
class TileCache {
 public:
  TileCache(const TestExchange& ex, const std::string& exchanged_host_port) {
    port_ = testing::FreePort();
    const std::string work = dir_.path();
    REQUIRE(testing::RunCommand("mkdir -p " + testing::ShellQuote(work + "/tmp") + " " +
                                testing::ShellQuote(work + "/cache"))
                .exit_code == 0);
    std::string conf = testing::ReadText(testing::SourceDir() + "/deploy/nginx/tlog-cache.conf");
    REQUIRE(conf.find("@WORK@") != std::string::npos);
    const std::string pki = ex.pki();
    for (const auto& [token, value] :
         std::vector<std::pair<std::string, std::string>>{{"@WORK@", work},
                                                          {"@LISTEN@", "127.0.0.1:" + std::to_string(port_)},
                                                          {"@SERVER_CERT@", pki + "/server.pem"},
                                                          {"@SERVER_KEY@", pki + "/server.key"},
                                                          {"@CLIENT_CA@", pki + "/ca-bundle.pem"},
                                                          {"@EXCHANGED@", exchanged_host_port},
                                                          {"@EXCHANGED_NAME@", "localhost"},
                                                          {"@EXCHANGED_CA@", pki + "/ca-bundle.pem"},
                                                          {"@PROXY_CERT@", pki + "/edge.pem"},
                                                          {"@PROXY_KEY@", pki + "/edge.key"}}) {
      ReplaceAll(conf, token, value);
    }
    // Every token outside the comments is replaced.
    std::stringstream lines(conf);
    for (std::string line; std::getline(lines, line);) {
      if (line.find('#') == std::string::npos) CHECK_MESSAGE(line.find('@') == std::string::npos, line);
    }
    // As root, the workers stay root: they read the keys in the test's folders.
    if (geteuid() == 0) conf = "user root;\n" + conf;
    std::ofstream(work + "/nginx.conf") << conf;
    nginx_ = std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{"/usr/sbin/nginx", "-p", work, "-c", work + "/nginx.conf", "-e", work + "/error.log",
                                 "-g", "daemon off;"},
        std::vector<std::string>{}, work + "/nginx.out");
    for (int i = 0; i < 200 && testing::ConnectLoopback(port_) < 0; ++i) {
      REQUIRE_MESSAGE(nginx_->Running(), "nginx exited: " << nginx_->Log() << testing::ReadText(work + "/error.log"));
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
  }
  ~TileCache() {
    if (nginx_ && nginx_->Running()) {
      nginx_->Signal(SIGTERM);
      nginx_->Wait(std::chrono::seconds(10));
    }
  }

  std::string url() const { return "https://localhost:" + std::to_string(port_); }
  // The access log's lines so far (nginx flushes it every 100 ms).
  std::vector<std::string> AccessLog() const {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    std::vector<std::string> lines;
    std::stringstream in(testing::ReadText(dir_.path() + "/access.log"));
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }
  // Both logs, for failure messages.
  std::string Logs() const {
    return "nginx access log:\n" + testing::ReadText(dir_.path() + "/access.log") + "nginx error log:\n" +
           testing::ReadText(dir_.path() + "/error.log");
  }

 private:
  testing::TempDir dir_;
  int port_ = 0;
  std::unique_ptr<testing::ChildProcess> nginx_;
};

testing::CommandResult Ctl(const TestExchange& ex, const std::string& who, const std::vector<std::string>& args,
                           const std::string& server) {
  auto o = ex.ClientOptionsFor(who);
  std::string command = testing::ShellQuote(testing::BinDir() + "/exchangectl");
  for (const auto& a : args) command += " " + testing::ShellQuote(a);
  for (const auto& a : {"--server", server.c_str(), "--ca", o.ca_file.c_str(), "--cert", o.cert_file.c_str(), "--key",
                        o.key_file.c_str()}) {
    command += " " + testing::ShellQuote(a);
  }
  return testing::RunCommand(command + " 2>&1");
}

std::unique_ptr<client::ApiClient> ClientAt(const TestExchange& ex, const std::string& who, const std::string& url) {
  auto o = ex.ClientOptionsFor(who);
  o.server = url;
  auto http = client::HttpsClient::Create(o);
  REQUIRE_MESSAGE(http.ok(), http.status().ToString());
  return std::make_unique<client::ApiClient>(std::move(http).value());
}

client::HttpResult Get(client::ApiClient& api, const std::string& target,
                       const std::vector<std::pair<std::string, std::string>>& headers = {}) {
  auto r = api.http().Send("GET", target, "", headers);
  REQUIRE_MESSAGE(r.ok(), target << ": " << r.status().ToString());
  return *r;
}

// exchange_http_requests_total for `route` (all codes) on the ops listener.
double RequestsOf(const std::string& ops_host_port, const std::string& route) {
  std::string body;
  REQUIRE(testing::HttpGet(ops_host_port, "/metrics", &body) == 200);
  double total = 0;
  std::stringstream in(body);
  const std::string label = "route=\"" + route + "\"";
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("exchange_http_requests_total{", 0) == 0 && line.find(label) != std::string::npos) {
      total += std::stod(line.substr(line.rfind(' ') + 1));
    }
  }
  return total;
}

// The access log lines of `org`'s requests (its certificate's subject names it).
std::vector<std::string> LinesOf(const std::vector<std::string>& lines, const std::string& org, size_t from = 0) {
  std::vector<std::string> out;
  for (size_t i = from; i < lines.size(); ++i) {
    if (lines[i].find("O=" + org) != std::string::npos) out.push_back(lines[i]);
  }
  return out;
}

// The lines matching `pattern`.
std::vector<std::string> Matching(const std::vector<std::string>& lines, const std::regex& pattern) {
  std::vector<std::string> out;
  for (const auto& l : lines) {
    if (std::regex_search(l, pattern)) out.push_back(l);
  }
  return out;
}

// Requests for the log's own paths (checkpoint and tlog/), which the cache
// serves after exchanged's grant check. Anything else gets the cache's 404,
// e.g. sync's GET /v1/collections for the collection's vPDQ thresholds.
const std::regex kLogPath(R"(GET /v1/collections/[a-z0-9-]+/(checkpoint|tlog/)[^ ]* HTTP)");
// Requests for full entry bundles (tile/entries/NNN without .p/).
const std::regex kFullBundle(R"(GET /v1/collections/[a-z0-9-]+/tlog/tile/entries/[0-9]{3} HTTP)");

constexpr const char* kTileRoute = "/v1/collections/{c}/tlog/tile/{tile...}";
constexpr const char* kAccessRoute = "/v1/collections/{c}/tlog/access";

}  // namespace

TEST_CASE("nginx caches full tiles for every member, and exchanged's grant check refuses the rest") {
  TestExchange ex(testing::PgCluster::Shared(), {}, {{"gamma", "gamma", "member"}, {"edge", "edge-cache", "member"}});
  auto [admin, alpha] = ex.Clients("admin1", "alpha");
  testing::CreateCollection(*admin, "shared", {"alpha", "beta"});
  testing::CreateCollection(*admin, "gamma-own", {"gamma"});
  std::mt19937_64 rng(15);
  testing::SubmitRandomSha256(*alpha, "shared", 5'000, rng);  // 19 full bundles and one of 136

  // A second exchanged on the same database that trusts nginx's credential.
  const int api_port = testing::FreePort(), ops_port = testing::FreePort();
  const std::string ops = "127.0.0.1:" + std::to_string(ops_port);
  auto behind =
      ex.StartServer(api_port, ops_port, {"--tile-proxy-cert=" + ex.pki() + "/edge.pem"}, "exchanged-behind-nginx.log");
  REQUIRE_MESSAGE(TestExchange::WaitReady(ops, std::chrono::seconds(20)), behind->Log());
  TileCache cache(ex, "127.0.0.1:" + std::to_string(api_port));

  const std::string vkeys =
      testing::ReadText(ex.dir() + "/feed.key.vkey") + "," + testing::ReadText(ex.dir() + "/freshness.key.vkey");
  testing::TempDir work;
  auto sync = [&](const std::string& who) {
    return Ctl(ex, who,
               {"sync", "--collection", "shared", "--mirror", work.path() + "/" + who, "--feed-vkey", vkeys, "--tiles",
                "--in-flight", "4"},
               cache.url());
  };
  auto export_of = [&](const std::string& who) {
    auto r = Ctl(ex, who, {"export", "--mirror", work.path() + "/" + who, "--format", "ndjson"}, cache.url());
    REQUIRE(r.exit_code == 0);
    return r.output;
  };

  // alpha first: every full bundle is a miss, fetched from exchanged once.
  auto first = sync("alpha");
  REQUIRE_MESSAGE(first.exit_code == 0, first.output << cache.Logs() << behind->Log());
  CHECK(first.output.find("5000 new entries verified and applied (0 -> 5000)") != std::string::npos);
  const auto after_alpha = cache.AccessLog();
  const auto alpha_bundles = Matching(LinesOf(after_alpha, "alpha"), kFullBundle);
  CHECK(alpha_bundles.size() == 19);
  for (const auto& l : alpha_bundles) CHECK_MESSAGE(l.find(" 200 ") != std::string::npos, l);
  for (const auto& l : alpha_bundles) CHECK_MESSAGE(l.find("cache=MISS") != std::string::npos, l);

  // beta second: the same full bundles, all from the cache; exchanged serves
  // only the partial bundle (and the checkpoint), and checks beta's grant
  // for every request.
  const double tiles_before = RequestsOf(ops, kTileRoute), access_before = RequestsOf(ops, kAccessRoute);
  auto second = sync("beta");
  REQUIRE_MESSAGE(second.exit_code == 0, second.output << cache.Logs());
  CHECK(second.output.find("5000 new entries verified and applied (0 -> 5000)") != std::string::npos);
  const auto beta_lines = Matching(LinesOf(cache.AccessLog(), "beta", after_alpha.size()), kLogPath);
  const auto beta_bundles = Matching(beta_lines, kFullBundle);
  MESSAGE("beta's first request through the cache: " << (beta_lines.empty() ? "" : beta_lines.front()));
  CHECK(beta_bundles.size() == 19);
  for (const auto& l : beta_bundles) CHECK_MESSAGE(l.find("cache=HIT") != std::string::npos, l);
  CHECK(RequestsOf(ops, kTileRoute) - tiles_before == 1);  // tile/entries/019.p/136
  CHECK(RequestsOf(ops, kAccessRoute) - access_before == static_cast<double>(beta_lines.size()));
  CHECK(beta_lines.size() >= 21);  // the checkpoint, 19 full bundles, the partial one
  CHECK(export_of("beta") == export_of("alpha"));
  CHECK(export_of("alpha").size() > 5'000 * 64);

  // gamma has no grant: refused, cached tile or not, and nothing is served.
  auto gamma = ClientAt(ex, "gamma", cache.url());
  const size_t before_gamma = cache.AccessLog().size();
  for (const std::string path :
       {"tile/entries/000", "tile/entries/018", "tile/0/000", "tile/entries/019.p/136", "checkpoint"}) {
    CAPTURE(path);
    auto r = Get(*gamma, "/v1/collections/shared/tlog/" + path);
    CHECK(r.status == 403);
    CHECK(r.body.find("\\x") == std::string::npos);
    // alpha may, through the same cache.
    CHECK(Get(*ClientAt(ex, "alpha", cache.url()), "/v1/collections/shared/tlog/" + path).status == 200);
  }
  for (const auto& l : LinesOf(cache.AccessLog(), "gamma", before_gamma)) {
    CHECK_MESSAGE(l.find(" 403 ") != std::string::npos, l);
    CHECK_MESSAGE(l.find("cache=-") != std::string::npos, l);  // the cache was never consulted
  }
  auto refused = sync("gamma");
  CHECK(refused.exit_code != 0);
  // A path that normalises into another collection is checked against that
  // one (nginx decodes and normalises first): gamma may read gamma-own, not shared.
  CHECK(Get(*gamma, "/v1/collections/gamma-own/tlog/checkpoint").status == 200);
  CHECK(Get(*gamma, "/v1/collections/gamma-own/tlog/../../shared/tlog/tile/entries/000").status == 403);
  CHECK(Get(*gamma, "/v1/collections/gamma-own/tlog/%2e%2e/%2e%2e/shared/tlog/tile/entries/000").status == 403);
  CHECK(Get(*gamma, "/v1/collections/gamma-own%2F..%2Fshared/tlog/tile/entries/000").status == 403);
  // Paths that are not tlog-tiles never reach exchanged.
  auto alpha_at_cache = ClientAt(ex, "alpha", cache.url());
  CHECK(Get(*alpha_at_cache, "/v1/whoami").status == 404);
  CHECK(Get(*alpha_at_cache, "/v1/collections/shared/entries?start=0&limit=10").status == 404);

  // exchanged believes X-Exchange-Member-Cert only from the tile proxy, and
  // only on tlog reads.
  const std::string beta_cert = testing::ReadText(ex.pki() + "/beta.pem");
  std::string escaped;
  for (unsigned char c : beta_cert) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_') {
      escaped += static_cast<char>(c);
    } else {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", c);
      escaped += hex;
    }
  }
  const std::string direct = "https://localhost:" + std::to_string(api_port);
  const std::vector<std::pair<std::string, std::string>> as_beta{{"X-Exchange-Member-Cert", escaped}};
  auto gamma_direct = ClientAt(ex, "gamma", direct);
  auto posing = Get(*gamma_direct, "/v1/collections/shared/tlog/tile/entries/000", as_beta);
  CHECK(posing.status == 403);
  CHECK(posing.body.find("only from a tile proxy") != std::string::npos);
  auto edge = ClientAt(ex, "edge", direct);
  CHECK(Get(*edge, "/v1/collections/shared/tlog/tile/entries/000", as_beta).status == 200);
  CHECK(Get(*edge, "/v1/collections/shared/tlog/access", as_beta).status == 204);
  auto whoami = Get(*edge, "/v1/whoami", as_beta);
  CHECK(whoami.status == 403);
  CHECK(whoami.body.find("only on GET") != std::string::npos);
  CHECK(Get(*edge, "/v1/collections/shared/tlog/tile/entries/000", {{"X-Exchange-Member-Cert", "garbage"}}).status ==
        400);
  // Without the header the proxy is only itself: edge-cache holds no grant.
  CHECK(Get(*edge, "/v1/collections/shared/tlog/tile/entries/000").status == 403);
  // exchanged without --tile-proxy-cert believes no one.
  auto edge_first = ClientAt(ex, "edge", ex.api_url());
  CHECK(Get(*edge_first, "/v1/collections/shared/tlog/tile/entries/000", as_beta).status == 403);
  behind->Signal(SIGTERM);
  behind->Wait(std::chrono::seconds(10));
}
