// SPDX-License-Identifier: Apache-2.0
// `exchanged serve`: the settings and the function that wires the server
// together and runs it until SIGTERM/SIGINT.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/flags.h"
#include "common/status.h"

namespace exchange::server {

struct ServeConfig {
  std::string listen = "0.0.0.0:8443";
  // The API's own web origin (scheme://host[:port]); a state-changing request
  // whose Origin header names another is refused (http/request_origin.h).
  // Empty: "https://" + listen.
  std::string public_origin;
  std::string ops_listen = "127.0.0.1:9464";
  std::string database_url;
  // Read replicas of it (PostgreSQL streaming standbys), whitespace-separated;
  // empty: none. See ReadDatabaseUrls().
  std::string read_database_urls;
  std::string tls_cert;                        // server certificate chain, PEM
  std::string tls_key;                         // server private key, PEM
  std::string client_ca;                       // CA bundle client certificates must chain to
  std::string enroll_listen = "0.0.0.0:8444";  // enrollment: TLS without client certificates
  std::string issuing_ca_cert;                 // the CA that signs member credentials (PEM)
  std::string issuing_ca_key;
  int64_t credential_validity_days = 365;
  int64_t org_rate_limit = 500;           // requests per second per organisation (burst: twice that)
  int64_t enroll_rate_limit = 30;         // enrollment requests per minute per address
  std::string name = "exchange.example";  // origin prefix of every log
  std::string feed_keys;                  // comma-separated signer key files
  std::string freshness_key;              // cosignature/v1 signer key file
  std::string report_key;                 // Ed25519 PEM key that signs annual reports
  std::string witnesses;                  // URL=VKEY[,URL=VKEY...]: witnesses every checkpoint is offered to
  std::string tile_proxy_certs;           // comma-separated PEM files: HTTP caches that may name members (tlog reads)
  bool migrate = false;
  int64_t io_threads = 2;
  int64_t db_workers = 8;
  int64_t max_queued_jobs = 4096;
  // Connection limits per listener (net/connection_tracker.h): established
  // connections, connections still in their TLS handshake, and both together
  // from one remote address.
  int64_t max_connections = 10000;
  int64_t max_handshakes = 1000;
  int64_t max_connections_per_address = 1000;
  int64_t enroll_max_connections = 256;
  int64_t enroll_max_connections_per_address = 8;
  int64_t ops_max_connections = 64;
  int64_t ops_max_connections_per_address = 32;
  int64_t max_member_credentials = 10;  // active credentials a member organisation may mint itself up to
  int64_t failed_auth_rate_limit = 60;  // refused certificate lookups per minute per certificate (per address: 10x)
  int64_t max_header_bytes = 16 * 1024;
  std::chrono::milliseconds handshake_timeout{10'000};
  std::chrono::milliseconds idle_timeout{60'000};
  std::chrono::milliseconds header_timeout{10'000};
  std::chrono::milliseconds body_timeout{60'000};
  std::chrono::milliseconds write_timeout{60'000};
  std::chrono::milliseconds caller_cache_ttl{500};
  std::chrono::milliseconds readiness_period{1'000};
  std::chrono::milliseconds drain_timeout{8'000};
  std::chrono::milliseconds checkpoint_refresh_period{10'000};
  std::chrono::milliseconds expiry_period{10'000};
  std::chrono::milliseconds metrics_period{15'000};
  std::chrono::milliseconds witness_period{1'000};
  std::chrono::milliseconds witness_timeout{3'000};
  std::string log_level = "info";  // debug, info, warn or error; SIGHUP re-reads it
};

void RegisterServeFlags(FlagSet& flags, ServeConfig& config);

// `exchanged serve ARGS`: the flags, then $EXCHANGE_* and the --config file
// (common/flags.h has the precedence). With --help, `*help_text` is set and
// the configuration is not checked.
Result<ServeConfig> ParseServeArgs(const std::vector<std::string>& args, std::string* help_text = nullptr);

// Runs until a termination signal, then drains within drain_timeout.
// Returns the process exit code. On SIGHUP, `reread` (ParseServeArgs on the
// same arguments) is called and its log level applied; nothing else changes.
int Serve(const ServeConfig& config, std::function<Result<ServeConfig>()> reread);

}  // namespace exchange::server
