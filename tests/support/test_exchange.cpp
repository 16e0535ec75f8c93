// SPDX-License-Identifier: Apache-2.0
#include "test_exchange.h"

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "pki/dev_pki.h"

namespace exchange::testing {
namespace fs = std::filesystem;

std::string BinDir() { return EXCHANGE_BIN_DIR; }
std::string SourceDir() { return EXCHANGE_SOURCE_DIR; }

BinaryRun RunBinary(const std::string& name, const std::vector<std::string>& args, const std::string& input) {
  TempDir tmp;
  const std::filesystem::path in = std::filesystem::path(tmp.path()) / "stdin";
  const std::filesystem::path err = std::filesystem::path(tmp.path()) / "stderr";
  std::ofstream(in, std::ios::binary) << input;
  std::string command = ShellQuote(BinDir() + "/" + name);
  for (const auto& a : args) command.append(" ").append(ShellQuote(a));
  command.append(" <").append(ShellQuote(in.string())).append(" 2>").append(ShellQuote(err.string()));
  CommandResult r = RunCommand(command);
  return {r.exit_code, r.output, ReadText(err)};
}

namespace {

std::string RunOrThrow(const std::string& command) {
  CommandResult r = RunCommand(command + " 2>&1");
  if (r.exit_code != 0)
    throw std::runtime_error(command + " failed (" + std::to_string(r.exit_code) + "): " + r.output);
  return r.output;
}

}  // namespace

TempDir::TempDir() {
  std::string name = "exchange-test-" + std::string(6, 'X');  // mkdtemp fills in the X characters
  std::string pattern = (fs::temp_directory_path() / name).string();
  if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
  fs::permissions(path_, fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
}

TempDir::~TempDir() {
  std::error_code ignored;
  fs::remove_all(path_, ignored);
}

PgCluster::PgCluster() {
  std::string out = RunOrThrow(SourceDir() + "/scripts/lib/pgcluster.sh up " + ShellQuote(dir_.path()));
  admin_url_ = out.substr(0, out.find('\n'));
}

PgCluster::~PgCluster() { RunCommand(SourceDir() + "/scripts/lib/pgcluster.sh down " + ShellQuote(dir_.path())); }

PgCluster::PgCluster(StandbyTag, const PgCluster& primary) {
  std::string out = RunOrThrow(SourceDir() + "/scripts/lib/pgcluster.sh standby " + ShellQuote(dir_.path()) + " " +
                               ShellQuote(primary.dir_.path()));
  admin_url_ = out.substr(0, out.find('\n'));
}

std::unique_ptr<PgCluster> PgCluster::StandbyOf(const PgCluster& primary) {
  return std::unique_ptr<PgCluster>(new PgCluster(StandbyTag{}, primary));
}

std::string PgCluster::SameDatabase(const std::string& database_url) const {
  return admin_url_.substr(0, admin_url_.rfind('/')) + database_url.substr(database_url.rfind('/'));
}

PgCluster& PgCluster::Shared() {
  static PgCluster cluster;
  return cluster;
}

std::string PgCluster::CreateDatabase() {
  std::string name = "test_" + std::to_string(getpid()) + "_" + std::to_string(next_database_++);
  RunOrThrow("psql -q -v ON_ERROR_STOP=1 " + ShellQuote(admin_url_) + " -c 'CREATE DATABASE " + name + "'");
  return admin_url_.substr(0, admin_url_.rfind('/') + 1) + name;
}

void PgCluster::Stop() { RunOrThrow(SourceDir() + "/scripts/lib/pgcluster.sh stop " + ShellQuote(dir_.path())); }
void PgCluster::Start() { RunOrThrow(SourceDir() + "/scripts/lib/pgcluster.sh start " + ShellQuote(dir_.path())); }

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

int ConnectLoopback(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
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

int HttpGet(const std::string& host_port, const std::string& path, std::string* body) {
  auto colon = host_port.rfind(':');
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(std::stoi(host_port.substr(colon + 1))));
  inet_pton(AF_INET, host_port.substr(0, colon).c_str(), &addr.sin_addr);
  timeval tv{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return 0;
  }
  std::string request = "GET " + path + " HTTP/1.1\r\nHost: " + host_port + "\r\nConnection: close\r\n\r\n";
  if (write(fd, request.data(), request.size()) != static_cast<ssize_t>(request.size())) {
    close(fd);
    return 0;
  }
  std::string response;
  char buffer[8192];
  ssize_t n;
  while ((n = read(fd, buffer, sizeof buffer)) > 0) response.append(buffer, static_cast<size_t>(n));
  close(fd);
  if (response.rfind("HTTP/1.1 ", 0) != 0) return 0;
  if (body) {
    auto end = response.find("\r\n\r\n");
    *body = end == std::string::npos ? "" : response.substr(end + 4);
  }
  return std::stoi(response.substr(9, 3));
}

TestExchange::TestExchange(PgCluster& cluster, ExchangeOptions options,
                           const std::vector<ExtraCredential>& extra_credentials) {
  database_url_ = cluster.CreateDatabase();
  if (options.read_replica) read_database_url_ = options.read_replica->SameDatabase(database_url_);
  pki::DevPkiOptions pki_options;
  pki_options.clients.push_back({"stranger", "stranger"});
  for (const auto& extra : extra_credentials) pki_options.clients.push_back({extra.who, extra.org});
  if (Status s = pki::InitDevPki(pki(), pki_options); !s.ok()) throw std::runtime_error(s.ToString());
  RunOrThrow(BinDir() + "/exchanged migrate --database " + ShellQuote(database_url_));
  struct Member {
    const char* who;
    const char* org;
    const char* role;
  };
  for (const Member& m : {Member{"admin1", "coalition", "admin"}, Member{"admin2", "coalition", "admin"},
                          Member{"auditor", "coalition", "auditor"}, Member{"alpha", "alpha", "member"},
                          Member{"beta", "beta", "member"}}) {
    RunOrThrow(BinDir() + "/exchanged credentials add --database " + ShellQuote(database_url_) + " --org " + m.org +
               " --role " + m.role + " --cert " + ShellQuote(pki() + "/" + m.who + ".pem"));
  }
  for (const auto& extra : extra_credentials) {
    RunOrThrow(BinDir() + "/exchanged credentials add --database " + ShellQuote(database_url_) + " --org " + extra.org +
               " --role " + extra.role + " --cert " + ShellQuote(pki() + "/" + extra.who + ".pem"));
  }
  RunOrThrow(BinDir() + "/exchanged keys generate --name test.exchange --out " + ShellQuote(dir() + "/feed.key"));
  RunOrThrow(BinDir() + "/exchanged keys generate --freshness --name test.exchange/freshness --out " +
             ShellQuote(dir() + "/freshness.key"));
  RunOrThrow(BinDir() + "/exchanged keys generate --report --out " + ShellQuote(dir() + "/report.key"));
  api_port_ = FreePort();
  ops_port_ = FreePort();
  enroll_port_ = FreePort();
  server_ = StartServer(api_port_, ops_port_, options.extra_flags, "exchanged.log", enroll_port_);
  if (!WaitReady(ops_host_port(), std::chrono::seconds(20))) {
    throw std::runtime_error("exchanged did not become ready:\n" + server_->Log());
  }
}

TestExchange::~TestExchange() {
  if (server_ && server_->Running()) {
    server_->Signal(SIGTERM);
    server_->Wait(std::chrono::seconds(10));
  }
}

std::unique_ptr<ChildProcess> TestExchange::StartServer(int api_port, int ops_port,
                                                        const std::vector<std::string>& extra_flags,
                                                        const std::string& log_name, int enroll_port) const {
  std::vector<std::string> argv = {
      BinDir() + "/exchanged",
      "serve",
      "--database=" + database_url_,
      "--listen=127.0.0.1:" + std::to_string(api_port),
      "--ops-listen=127.0.0.1:" + std::to_string(ops_port),
      "--enroll-listen=127.0.0.1:" + std::to_string(enroll_port ? enroll_port : FreePort()),
      "--issuing-ca-cert=" + pki() + "/issuing-ca.pem",
      "--issuing-ca-key=" + pki() + "/issuing-ca.key",
      "--tls-cert=" + pki() + "/server.pem",
      "--tls-key=" + pki() + "/server.key",
      "--client-ca=" + pki() + "/ca-bundle.pem",
      "--name=test.exchange",
      "--feed-keys=" + dir() + "/feed.key",
      "--freshness-key=" + dir() + "/freshness.key",
      "--report-key=" + dir() + "/report.key",
      "--readiness-period=200",
      "--db-workers=4"};
  if (!read_database_url_.empty()) argv.push_back("--read-database-url=" + read_database_url_);
  argv.insert(argv.end(), extra_flags.begin(), extra_flags.end());
  return std::make_unique<ChildProcess>(argv, std::vector<std::string>{}, dir() + "/" + log_name);
}

bool TestExchange::WaitReady(const std::string& ops_host_port, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (HttpGet(ops_host_port, "/readyz") == 200) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

client::ClientOptions TestExchange::ClientOptionsFor(const std::string& who) const {
  client::ClientOptions o;
  o.server = api_url();
  o.ca_file = pki() + "/ca-bundle.pem";
  o.timeout = std::chrono::seconds(20);
  if (who == "foreign") {
    o.cert_file = pki() + "/foreign/client.pem";
    o.key_file = pki() + "/foreign/client.key";
  } else if (!who.empty()) {
    o.cert_file = pki() + "/" + who + ".pem";
    o.key_file = pki() + "/" + who + ".key";
  }
  return o;
}

std::unique_ptr<client::ApiClient> TestExchange::Client(const std::string& who) const {
  auto http = client::HttpsClient::Create(ClientOptionsFor(who));
  if (!http.ok()) throw std::runtime_error(http.status().ToString());
  return std::make_unique<client::ApiClient>(std::move(http).value());
}

SecondServer::SecondServer(const TestExchange& exchange, const std::string& log_name)
    : exchange_(exchange), api_port_(FreePort()), ops_port_(FreePort()) {
  Restart(log_name);
}

void SecondServer::Restart(const std::string& log_name) {
  process_ = exchange_.StartServer(api_port_, ops_port_, {}, log_name);
  REQUIRE(TestExchange::WaitReady("127.0.0.1:" + std::to_string(ops_port_), std::chrono::seconds(20)));
}

BinaryRun TestExchange::Ctl(const std::string& who, std::vector<std::string> args) const {
  const client::ClientOptions o = ClientOptionsFor(who);
  args.insert(args.end(), {"--server", o.server, "--ca", o.ca_file, "--cert", o.cert_file, "--key", o.key_file});
  return RunBinary("exchangectl", args);
}

client::ClientOptions SecondServer::ClientOptionsFor(const std::string& who) const {
  client::ClientOptions o = exchange_.ClientOptionsFor(who);
  o.server = "https://localhost:" + std::to_string(api_port_);
  return o;
}

}  // namespace exchange::testing
