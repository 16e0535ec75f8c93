// SPDX-License-Identifier: Apache-2.0
// Real services for pg and e2e tests.
//
// PgCluster: a throwaway PostgreSQL 15 cluster (scripts/lib/pgcluster.sh),
// one per test binary; each test takes a fresh database in it. StandbyOf()
// makes a streaming standby of one (a read replica).
// TestExchange: a fresh database, a fresh development PKI, migrations, the
// sandbox's credentials, and a real `exchanged serve` on free loopback ports.
// SecondServer: another `exchanged serve` on a TestExchange's database, to
// kill and restart while the first keeps serving.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "process.h"
#include "transport/api_client.h"

namespace exchange::testing {

struct BinaryRun;

// A directory under /tmp removed (recursively) on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

class PgCluster {
 public:
  PgCluster();
  ~PgCluster();
  // The shared cluster of this test binary, started on first use.
  static PgCluster& Shared();
  // A hot standby of `primary` (pg_basebackup -R), streaming from it, on a
  // port of its own. `primary` must outlive it.
  static std::unique_ptr<PgCluster> StandbyOf(const PgCluster& primary);

  // `database_url`'s database (one of any cluster made here) in this cluster.
  std::string SameDatabase(const std::string& database_url) const;

  // Creates an empty database and returns its URL.
  std::string CreateDatabase();
  // The server's log file (what log_statement and friends write).
  std::string ServerLog() const { return dir_.path() + "/pg/server.log"; }
  void Stop();   // fast shutdown; data kept
  void Start();  // same port again

 private:
  struct StandbyTag {};
  PgCluster(StandbyTag, const PgCluster& primary);

  TempDir dir_;
  std::string admin_url_;  // the "exchange" database
  int next_database_ = 0;
};

int FreePort();

// A TCP connection to 127.0.0.1:`port`; -1 when it is refused. The caller closes it.
int ConnectLoopback(int port);

// A plain HTTP/1.1 GET (for the operations listener). Returns the status
// code (0 when the connection failed) and fills `body`.
int HttpGet(const std::string& host_port, const std::string& path, std::string* body = nullptr);

// A credential beyond the sandbox cast: `who`.pem/.key in the PKI folder,
// registered for organisation `org` (created when new) with `role`.
struct ExtraCredential {
  std::string who;
  std::string org;
  std::string role = "member";
};

struct ExchangeOptions {
  std::vector<std::string> extra_flags;  // appended to `exchanged serve`
  // Non-null: servers get --read-database-url with the exchange's database in
  // this cluster (a PgCluster::StandbyOf the exchange's), which must outlive them.
  const PgCluster* read_replica = nullptr;
};

class TestExchange {
 public:
  explicit TestExchange(PgCluster& cluster = PgCluster::Shared(), ExchangeOptions options = {},
                        const std::vector<ExtraCredential>& extra_credentials = {});
  ~TestExchange();

  const std::string& database_url() const { return database_url_; }
  std::string api_url() const { return "https://localhost:" + std::to_string(api_port_); }
  std::string api_host_port() const { return "127.0.0.1:" + std::to_string(api_port_); }
  std::string ops_host_port() const { return "127.0.0.1:" + std::to_string(ops_port_); }
  std::string enroll_url() const { return "https://localhost:" + std::to_string(enroll_port_); }
  std::string pki() const { return dir_.path() + "/pki"; }
  std::string dir() const { return dir_.path(); }

  // Credentials of the sandbox cast: admin1 admin2 auditor alpha beta, plus
  // "stranger" (issued by our CA, never registered) and "foreign" (another CA).
  client::ClientOptions ClientOptionsFor(const std::string& who) const;
  std::unique_ptr<client::ApiClient> Client(const std::string& who) const;
  // `exchangectl ARGS... --server --ca --cert --key` as `who` against this
  // exchange (RunBinary: each argument one word).
  BinaryRun Ctl(const std::string& who, std::vector<std::string> args) const;
  // Several at once: `auto [admin, alpha] = ex.Clients("admin1", "alpha");`
  template <typename... Who>
  std::array<std::unique_ptr<client::ApiClient>, sizeof...(Who)> Clients(const Who&... who) const {
    return {Client(who)...};
  }

  ChildProcess& server() { return *server_; }
  // Starts another `exchanged serve` on the same database and PKI.
  // `enroll_port` 0: a free one.
  std::unique_ptr<ChildProcess> StartServer(int api_port, int ops_port, const std::vector<std::string>& extra_flags,
                                            const std::string& log_name, int enroll_port = 0) const;
  // Waits until GET /readyz on `ops_host_port` answers 200.
  static bool WaitReady(const std::string& ops_host_port, std::chrono::milliseconds timeout);

 private:
  TempDir dir_;
  std::string database_url_;
  std::string read_database_url_;  // empty: no read replica
  int api_port_ = 0;
  int ops_port_ = 0;
  int enroll_port_ = 0;
  std::unique_ptr<ChildProcess> server_;
};

// Another `exchanged serve` on a TestExchange's database and PKI, on two
// free ports of its own, for tests that kill and restart a server while the
// first one keeps serving. The TestExchange must outlive it.
class SecondServer {
 public:
  // Starts it (its log `log_name` in the exchange's folder) and REQUIREs it
  // ready within 20 s.
  SecondServer(const TestExchange& exchange, const std::string& log_name);

  // Starts it again on the same ports (the previous process must have ended),
  // REQUIREd ready within 20 s as above.
  void Restart(const std::string& log_name);

  ChildProcess& process() { return *process_; }
  // TestExchange::ClientOptionsFor(who), pointed at this server.
  client::ClientOptions ClientOptionsFor(const std::string& who) const;

 private:
  const TestExchange& exchange_;
  int api_port_;
  int ops_port_;
  std::unique_ptr<ChildProcess> process_;
};

// Where the built binaries are (build/bin).
std::string BinDir();
std::string SourceDir();

// One run of a built binary (BinDir()/`name`) with `args`, each one word,
// `input` on its stdin: its exit code, stdout and stderr.
struct BinaryRun {
  int code = -1;
  std::string out, err;
};
BinaryRun RunBinary(const std::string& name, const std::vector<std::string>& args, const std::string& input = "");

}  // namespace exchange::testing
