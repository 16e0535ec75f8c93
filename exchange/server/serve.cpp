// SPDX-License-Identifier: Apache-2.0
#include "server/serve.h"

#include <sys/resource.h>
#include <boost/asio/io_context.hpp>

// SetLogHandler: declared by Protobuf's logging header, which message_lite.h includes.
#include <google/protobuf/message_lite.h>

#include <algorithm>
#include <csignal>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include "api/reports.h"
#include "api/routes.h"
#include "common/files.h"
#include "common/logger.h"
#include "metrics/server_metrics.h"
#include "net/connection_tracker.h"
#include "net/io_context_pool.h"
#include "net/listener.h"
#include "net/session.h"
#include "net/tls_context.h"
#include "pki/signature.h"
#include "server/api_dispatcher.h"
#include "server/background_tasks.h"
#include "server/feed_keys.h"
#include "server/graceful_shutdown.h"
#include "server/log_level_reload.h"
#include "server/ops_dispatcher.h"
#include "server/witness_submitter.h"
#include "services/checkpoints.h"
#include "services/entry_cache.h"
#include "services/issuer.h"
#include "services/pdq_lookup.h"
#include "store/migrator.h"
#include "store/readiness_probe.h"
#include "store/worker_pool.h"

namespace exchange::server {
namespace asio = boost::asio;

void RegisterServeFlags(FlagSet& f, ServeConfig& c) {
  f.String("listen", "EXCHANGE_LISTEN", &c.listen, "API address (HTTPS, client certificates required)");
  f.String("public-origin", "EXCHANGE_PUBLIC_ORIGIN", &c.public_origin,
           "the API's origin as browsers see it, e.g. https://exchange.example:8443 (default: https:// + --listen); "
           "state-changing requests from another Origin are refused");
  f.String("ops-listen", "EXCHANGE_OPS_LISTEN", &c.ops_listen,
           "operations address: /healthz /readyz /metrics (plain HTTP)");
  f.String("database", "EXCHANGE_DATABASE_URL", &c.database_url, "PostgreSQL connection URL");
  f.String("read-database-url", "EXCHANGE_READ_DATABASE_URLS", &c.read_database_urls,
           "read replicas (streaming standbys) of --database, URLs separated by spaces: feed entries, tiles and "
           "proofs are read from them when they hold the tree asked for; access, checkpoints and every write stay "
           "on --database (docs/operations.md, \"Read replicas\")");
  f.String("tls-cert", "EXCHANGE_TLS_CERT", &c.tls_cert, "server certificate chain (PEM)");
  f.String("tls-key", "EXCHANGE_TLS_KEY", &c.tls_key, "server private key (PEM)");
  f.String("client-ca", "EXCHANGE_CLIENT_CA", &c.client_ca, "CA bundle that client certificates must chain to (PEM)");
  f.String("enroll-listen", "EXCHANGE_ENROLL_LISTEN", &c.enroll_listen,
           "enrollment address (HTTPS without client certificates; /v1/enroll and /v1/crl only)");
  f.String("issuing-ca-cert", "EXCHANGE_ISSUING_CA_CERT", &c.issuing_ca_cert,
           "the CA certificate that signs member credentials");
  f.String("issuing-ca-key", "EXCHANGE_ISSUING_CA_KEY", &c.issuing_ca_key, "its private key");
  f.Int("credential-validity-days", "EXCHANGE_CREDENTIAL_VALIDITY_DAYS", &c.credential_validity_days,
        "validity of issued member certificates");
  f.Int("org-rate-limit", "EXCHANGE_ORG_RATE_LIMIT", &c.org_rate_limit,
        "API requests per second per organisation before 429 (0: no limit)");
  f.Int("enroll-rate-limit", "EXCHANGE_ENROLL_RATE_LIMIT", &c.enroll_rate_limit,
        "enrollment requests per minute per address before 429");
  f.String("name", "EXCHANGE_NAME", &c.name, "the exchange's name; logs are '<name>/<collection>'");
  f.String("feed-keys", "EXCHANGE_FEED_KEYS", &c.feed_keys, "checkpoint signing key files, comma-separated (all sign)");
  f.String("freshness-key", "EXCHANGE_FRESHNESS_KEY", &c.freshness_key,
           "key file for timestamped freshness cosignatures");
  f.String("report-key", "EXCHANGE_REPORT_KEY", &c.report_key, "Ed25519 key (PEM) that signs annual reports");
  f.String("witness", "EXCHANGE_WITNESSES", &c.witnesses,
           "witnesses to offer every checkpoint to: URL=VKEY, comma-separated (URL http://host:port[/prefix], VKEY "
           "the witness's cosignature/v1 key); their cosignatures are served on the checkpoints");
  f.String("tile-proxy-cert", "EXCHANGE_TILE_PROXY_CERTS", &c.tile_proxy_certs,
           "client certificates (PEM files, comma-separated) of HTTP caches in front whose X-Exchange-Member-Cert "
           "header names the member they serve, on tlog reads only (docs/operations.md, \"A tile cache in front\")");
  f.Bool("migrate", "EXCHANGE_MIGRATE", &c.migrate, "apply pending migrations before serving");
  f.Int("io-threads", "EXCHANGE_IO_THREADS", &c.io_threads, "threads running network I/O");
  f.Int("db-workers", "EXCHANGE_DB_WORKERS", &c.db_workers, "database worker threads, one connection each");
  f.Int("max-queued-jobs", "EXCHANGE_MAX_QUEUED_JOBS", &c.max_queued_jobs, "database jobs that may wait before 503");
  f.Int("max-connections", "EXCHANGE_MAX_CONNECTIONS", &c.max_connections,
        "established API connections (TLS handshake done) before new ones are closed");
  f.Int("max-handshakes", "EXCHANGE_MAX_HANDSHAKES", &c.max_handshakes,
        "API connections still in their TLS handshake before new ones are closed (not counted in --max-connections)");
  f.Int("max-connections-per-address", "EXCHANGE_MAX_CONNECTIONS_PER_ADDRESS", &c.max_connections_per_address,
        "API connections (established or in handshake) from one remote address");
  f.Int("enroll-max-connections", "EXCHANGE_ENROLL_MAX_CONNECTIONS", &c.enroll_max_connections,
        "connections to the enrollment listener (its own limit, apart from the API's)");
  f.Int("enroll-max-connections-per-address", "EXCHANGE_ENROLL_MAX_CONNECTIONS_PER_ADDRESS",
        &c.enroll_max_connections_per_address, "enrollment connections from one remote address");
  f.Int("ops-max-connections", "EXCHANGE_OPS_MAX_CONNECTIONS", &c.ops_max_connections,
        "connections to the operations listener");
  f.Int("ops-max-connections-per-address", "EXCHANGE_OPS_MAX_CONNECTIONS_PER_ADDRESS",
        &c.ops_max_connections_per_address, "operations connections from one remote address");
  f.Int("max-member-credentials", "EXCHANGE_MAX_MEMBER_CREDENTIALS", &c.max_member_credentials,
        "active credentials a member organisation may hold when it mints its own (POST /v1/credentials)");
  f.Int("failed-auth-rate-limit", "EXCHANGE_FAILED_AUTH_RATE_LIMIT", &c.failed_auth_rate_limit,
        "refused client certificate lookups (unknown, revoked, suspended) per minute per certificate before 429; "
        "per address ten times this");
  f.Int("max-header-bytes", "EXCHANGE_MAX_HEADER_BYTES", &c.max_header_bytes, "largest request header block");
  f.Millis("handshake-timeout", "EXCHANGE_HANDSHAKE_TIMEOUT_MS", &c.handshake_timeout,
           "time allowed for a TLS handshake");
  f.Millis("idle-timeout", "EXCHANGE_IDLE_TIMEOUT_MS", &c.idle_timeout, "keep-alive wait for the next request");
  f.Millis("header-timeout", "EXCHANGE_HEADER_TIMEOUT_MS", &c.header_timeout,
           "time from a request's first byte to its last header");
  f.Millis("body-timeout", "EXCHANGE_BODY_TIMEOUT_MS", &c.body_timeout, "time allowed to read a request body");
  f.Millis("write-timeout", "EXCHANGE_WRITE_TIMEOUT_MS", &c.write_timeout, "time allowed to write a response");
  f.Millis("caller-cache-ttl", "EXCHANGE_CALLER_CACHE_TTL_MS", &c.caller_cache_ttl,
           "how long a credential lookup is reused (≤ 1000: revocations apply within it)");
  f.Millis("readiness-period", "EXCHANGE_READINESS_PERIOD_MS", &c.readiness_period,
           "how often /readyz re-checks PostgreSQL");
  f.Millis("checkpoint-refresh-period", "EXCHANGE_CHECKPOINT_REFRESH_PERIOD_MS", &c.checkpoint_refresh_period,
           "how often stored checkpoints are re-signed when stale (a fresh one is published at least every 60 s)");
  f.Millis("expiry-period", "EXCHANGE_EXPIRY_PERIOD_MS", &c.expiry_period,
           "how often expired contributions are published to the feed");
  f.Millis("metrics-period", "EXCHANGE_METRICS_PERIOD_MS", &c.metrics_period,
           "how often gauges read from the database are refreshed");
  f.Millis("witness-period", "EXCHANGE_WITNESS_PERIOD_MS", &c.witness_period,
           "how often each witness is offered the logs' newest checkpoints");
  f.Millis("witness-timeout", "EXCHANGE_WITNESS_TIMEOUT_MS", &c.witness_timeout,
           "time allowed for one request to a witness (a slow witness delays only its own cosignatures)");
  f.Millis("drain-timeout", "EXCHANGE_DRAIN_TIMEOUT_MS", &c.drain_timeout,
           "time to finish in-flight requests on SIGTERM");
  f.String("log-level", "EXCHANGE_LOG_LEVEL", &c.log_level,
           "lowest level logged: debug, info, warn or error (JSON lines on stderr; SIGHUP re-reads it)");
}

Result<ServeConfig> ParseServeArgs(const std::vector<std::string>& args, std::string* help_text) {
  ServeConfig config;
  FlagSet flags("usage: exchanged serve [flags]\n\nRuns the exchange until SIGTERM.");
  RegisterServeFlags(flags, config);
  flags.ConfigFile("config", "EXCHANGE_CONFIG", false, "read flags from FILE: `flag-name = value` lines");
  bool help = false;
  if (Status s = flags.Parse(args, &help); !s.ok()) return s;
  if (help && help_text) *help_text = flags.Help();
  if (!help) {
    if (auto witnesses = ParseWitnessEndpoints(config.witnesses); !witnesses.ok()) return witnesses.status();
  }
  if (!help && !logging::ParseLevel(config.log_level)) {
    return Status::InvalidArgument("--log-level must be debug, info, warn or error, not '" + config.log_level + "'");
  }
  return config;
}

namespace {

// --read-database-url's URLs, in order.
std::vector<std::string> ReadDatabaseUrls(const ServeConfig& c) {
  std::vector<std::string> urls;
  std::istringstream words(c.read_database_urls);
  for (std::string url; words >> url;) urls.push_back(url);
  return urls;
}

Status Validate(const ServeConfig& c) {
  if (c.database_url.empty()) return Status::InvalidArgument("--database is required");
  for (const auto& url : ReadDatabaseUrls(c)) {
    if (url == c.database_url) return Status::InvalidArgument("--read-database-url must name replicas, not --database");
  }
  if (c.tls_cert.empty() || c.tls_key.empty() || c.client_ca.empty()) {
    return Status::InvalidArgument("--tls-cert, --tls-key and --client-ca are required");
  }
  for (int64_t count :
       {c.io_threads, c.db_workers, c.max_queued_jobs, c.max_connections, c.max_handshakes,
        c.max_connections_per_address, c.enroll_max_connections, c.enroll_max_connections_per_address,
        c.ops_max_connections, c.ops_max_connections_per_address, c.max_member_credentials, c.failed_auth_rate_limit}) {
    if (count < 1) {
      return Status::InvalidArgument(
          "thread, worker, queue, connection, credential and rate counts must be at least 1");
    }
  }
  if (c.issuing_ca_cert.empty() || c.issuing_ca_key.empty()) {
    return Status::InvalidArgument("--issuing-ca-cert and --issuing-ca-key are required");
  }
  if (c.credential_validity_days < 1 || c.credential_validity_days > 3650) {
    return Status::InvalidArgument("--credential-validity-days must be 1-3650");
  }
  if (c.max_header_bytes < 1024) return Status::InvalidArgument("--max-header-bytes must be at least 1024");
  if (c.caller_cache_ttl > std::chrono::milliseconds(1000)) {
    return Status::InvalidArgument("--caller-cache-ttl must be at most 1000 ms, or revocations would lag");
  }
  return Status::Ok();
}

int Fail(const Status& status) {
  logging::Error("cannot serve", {{"error", status.ToString()}});
  return 1;
}

// The SHA-256 fingerprints of the certificates in --tile-proxy-cert's files.
Result<std::set<std::string>> LoadTileProxies(const ServeConfig& c) {
  std::set<std::string> fingerprints;
  std::stringstream files(c.tile_proxy_certs);
  for (std::string file; std::getline(files, file, ',');) {
    if (file.empty()) continue;
    auto pem = ReadFile(file, 256 * 1024);
    if (!pem.ok()) return Status::InvalidArgument("--tile-proxy-cert " + file + ": " + pem.status().message());
    auto certs = pki::ParsePemChain(*pem);
    if (!certs.ok() || certs->empty()) {
      return Status::InvalidArgument("--tile-proxy-cert " + file + ": no certificate" +
                                     (certs.ok() ? std::string() : ": " + certs.status().message()));
    }
    for (const auto& cert : *certs) {
      auto fingerprint = cert.Sha256Fingerprint();
      if (!fingerprint.ok()) return fingerprint.status();
      fingerprints.insert(*fingerprint);
    }
  }
  return fingerprints;
}

Result<std::unique_ptr<api::ReportKey>> LoadReportKey(const ServeConfig& c) {
  if (c.report_key.empty()) {
    return Status::InvalidArgument("--report-key is required (make one with `exchanged keys generate --report`)");
  }
  auto pem = ReadFile(c.report_key, 16 * 1024);
  if (!pem.ok()) return pem.status();
  auto key = pki::PrivateKey::FromPem(*pem);
  if (!key.ok()) return Status::InvalidArgument(c.report_key + ": " + key.status().message());
  auto public_pem = key->PublicKeyPem();
  if (!public_pem.ok()) return public_pem.status();
  if (auto probe = pki::SignEd25519(*key, "probe"); !probe.ok()) {
    return Status::InvalidArgument(c.report_key + ": " + probe.status().message());
  }
  return std::make_unique<api::ReportKey>(api::ReportKey{c.name, std::move(key).value(), *public_pem});
}

Result<std::unique_ptr<services::CredentialIssuer>> LoadIssuer(const ServeConfig& c) {
  auto cert_pem = ReadFile(c.issuing_ca_cert, 64 * 1024);
  if (!cert_pem.ok()) return cert_pem.status();
  auto key_pem = ReadFile(c.issuing_ca_key, 64 * 1024);
  if (!key_pem.ok()) return key_pem.status();
  auto bundle = ReadFile(c.client_ca, 256 * 1024);
  if (!bundle.ok()) return bundle.status();
  auto cert = pki::Certificate::FromPem(*cert_pem);
  if (!cert.ok()) return Status::InvalidArgument(c.issuing_ca_cert + ": " + cert.status().message());
  auto key = pki::PrivateKey::FromPem(*key_pem);
  if (!key.ok()) return Status::InvalidArgument(c.issuing_ca_key + ": " + key.status().message());
  if (!cert->IsCa()) return Status::InvalidArgument(c.issuing_ca_cert + " is not a CA certificate");
  auto chain = cert->ToPem();
  if (!chain.ok()) return chain.status();
  return std::make_unique<services::CredentialIssuer>(std::move(cert).value(), std::move(key).value(), *chain, *bundle,
                                                      std::chrono::hours(24 * c.credential_validity_days),
                                                      static_cast<int>(c.max_member_credentials));
}

// Serialised entry pages kept in memory (services/entry_cache.h).
inline constexpr std::size_t kEntryCacheBytes = 256u << 20;

// The PDQ indexes follow the logs this often: a change applies within a second.
inline constexpr std::chrono::milliseconds kPdqFollowPeriod{250};

// Before each scrape: the worker pool's queue and in-flight gauges.
void MirrorPoolGauges(metrics::ServerMetrics& metrics, const store::WorkerPool& pool) {
  metrics.SetPoolState(static_cast<double>(pool.QueueDepth()), static_cast<double>(pool.InFlight()));
}

// A listener on `address`: each accepted connection is admitted by `tracker`
// (a refused socket closes as it goes out of scope; refusals are counted in
// env.metrics when it has one), then speaks TLS over `tls`, or plain HTTP
// when `tls` is null.
Result<std::shared_ptr<net::Listener>> BindListener(net::IoContextPool& contexts, const std::string& address,
                                                    net::ConnectionTracker& tracker, const net::SessionEnvironment& env,
                                                    asio::ssl::context* tls) {
  return net::Listener::Bind(contexts, address, [&tracker, &env, tls](net::Socket socket) {
    boost::system::error_code ec;
    const auto remote = socket.remote_endpoint(ec).address().to_string();
    auto registration = ec ? nullptr : tracker.Admit(remote);
    if (!registration) {
      if (env.metrics) env.metrics->ConnectionRefused();
    } else if (tls) {
      net::StartTlsSession(std::move(socket), *tls, env, std::move(registration));
    } else {
      net::StartPlainSession(std::move(socket), env, std::move(registration));
    }
  });
}

}  // namespace

// Every connection is a descriptor: allow as many as the hard limit does.
static void RaiseDescriptorLimit(int64_t wanted) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
  if (static_cast<int64_t>(limit.rlim_cur) < wanted + 256) {
    logging::Warn("fewer file descriptors allowed than the connection limits need",
                  {{"allowed", static_cast<uint64_t>(limit.rlim_cur)}, {"connections", wanted}});
  }
}

int Serve(const ServeConfig& config, std::function<Result<ServeConfig>()> reread) {
  if (Status s = Validate(config); !s.ok()) return Fail(s);
  if (auto level = logging::ParseLevel(config.log_level)) logging::SetLevel(*level);
  // Until its handler is installed below, a SIGHUP (a reload sent early) must
  // not end a starting server, which is SIGHUP's default action.
  std::signal(SIGHUP, SIG_IGN);
  // Protobuf's own complaints (a string field that is not UTF-8, ...) name
  // fields, never values; they become log lines like ours.
  google::protobuf::SetLogHandler([](google::protobuf::LogLevel level, const char*, int, const std::string& message) {
    logging::Log(level >= google::protobuf::LOGLEVEL_ERROR ? logging::Level::kError : logging::Level::kWarn, "protobuf",
                 {{"error", message}});
  });
  RaiseDescriptorLimit(config.max_connections + config.max_handshakes + config.enroll_max_connections +
                       config.ops_max_connections);
  if (config.migrate) {
    store::Connection conn(config.database_url);
    auto applied = store::Migrate(conn);
    if (!applied.ok()) return Fail(applied.status());
    logging::Info("migrations applied", {{"count", *applied}});
  }
  auto tls = net::MakeServerTlsContext({config.tls_cert, config.tls_key, config.client_ca});
  if (!tls.ok()) return Fail(tls.status());
  auto keys = LoadFeedKeys(config.name, config.feed_keys, config.freshness_key);
  if (!keys.ok()) return Fail(keys.status());
  const services::CheckpointPublisher publisher(std::move(keys).value());
  auto witnesses = ParseWitnessEndpoints(config.witnesses);
  if (!witnesses.ok()) return Fail(witnesses.status());
  auto issuer = LoadIssuer(config);
  if (!issuer.ok()) return Fail(issuer.status());
  auto report_key = LoadReportKey(config);
  if (!report_key.ok()) return Fail(report_key.status());
  auto tile_proxies = LoadTileProxies(config);
  if (!tile_proxies.ok()) return Fail(tile_proxies.status());
  auto enroll_tls = net::MakeServerTlsContext({config.tls_cert, config.tls_key, config.client_ca},
                                              /*require_client_certificate=*/false);
  if (!enroll_tls.ok()) return Fail(enroll_tls.status());

  http::CallerCache callers(config.caller_cache_ttl);
  metrics::ServerMetrics metrics(EXCHANGE_VERSION);
  http::Router router;
  services::PdqLookup pdq_lookup;
  services::EntryPageCache entry_pages(kEntryCacheBytes);
  api::AddAllRoutes(router, publisher, entry_pages, **issuer, **report_key, (*report_key)->public_key_pem, callers,
                    metrics, pdq_lookup);
  http::Router enroll_router;
  api::AddEnrollmentRoutes(enroll_router, **issuer);
  std::vector<std::string> route_names;
  for (const auto* r : {&router, &enroll_router}) {
    for (const auto& route : r->routes()) route_names.push_back(route.pattern);
  }
  metrics.AddRoutes(route_names);
  metrics.SetPoolQueueLimit(static_cast<double>(config.max_queued_jobs));

  const std::vector<std::string> read_urls = ReadDatabaseUrls(config);
  store::WorkerPool pool(config.database_url, read_urls, static_cast<std::size_t>(config.db_workers),
                         static_cast<std::size_t>(config.max_queued_jobs));
  store::ReadinessProbe readiness(config.database_url, config.readiness_period);
  BackgroundTasks background(config.database_url,
                             {.checkpoint_refresh = config.checkpoint_refresh_period,
                              .metrics = config.metrics_period,
                              .pdq_follow = kPdqFollowPeriod,
                              .expiry = config.expiry_period,
                              .witness = config.witness_period,
                              .witness_timeout = config.witness_timeout,
                              .pdq_read_url = read_urls.empty() ? "" : read_urls.front()},
                             publisher, metrics, pdq_lookup, *witnesses);
  http::RateLimiter org_limiter(static_cast<double>(config.org_rate_limit),
                                2.0 * static_cast<double>(config.org_rate_limit));
  http::RateLimiter enroll_limiter(static_cast<double>(config.enroll_rate_limit) / 60.0,
                                   static_cast<double>(config.enroll_rate_limit));
  // Per certificate at the flag's rate; per address at ten times it (one
  // address may carry several members' traffic, e.g. a shared NAT).
  const double refusals_per_minute = static_cast<double>(config.failed_auth_rate_limit);
  http::RateLimiter refused_certificates(refusals_per_minute / 60.0, refusals_per_minute);
  http::RateLimiter refused_addresses(10 * refusals_per_minute / 60.0, 10 * refusals_per_minute);
  ApiDispatcher api_dispatcher(router, pool, callers, metrics, &org_limiter, &refused_certificates, &refused_addresses,
                               config.public_origin.empty() ? "https://" + config.listen : config.public_origin,
                               std::move(tile_proxies).value());
  ApiDispatcher enroll_dispatcher(enroll_router, pool, callers, metrics, &enroll_limiter);
  OpsDispatcher ops_dispatcher(metrics, readiness, [&metrics, &pool] { MirrorPoolGauges(metrics, pool); });

  net::SessionLimits limits{config.handshake_timeout, config.idle_timeout,
                            config.header_timeout,    config.body_timeout,
                            config.write_timeout,     static_cast<std::uint32_t>(config.max_header_bytes)};
  // One tracker per listener: a flood of one listener refuses nobody on another.
  auto sizes = [](int64_t n) { return static_cast<std::size_t>(n); };
  net::ConnectionTracker api_connections(
      {sizes(config.max_connections), sizes(config.max_handshakes), sizes(config.max_connections_per_address)});
  net::ConnectionTracker enroll_connections({sizes(config.enroll_max_connections), sizes(config.enroll_max_connections),
                                             sizes(config.enroll_max_connections_per_address)});
  net::ConnectionTracker ops_connections({sizes(config.ops_max_connections), sizes(config.ops_max_connections),
                                          sizes(config.ops_max_connections_per_address)});
  // Scrapes and probes come every few seconds: their request lines are debug.
  net::SessionEnvironment api_env{limits, &api_dispatcher, &metrics, "api", logging::Level::kInfo};
  net::SessionEnvironment enroll_env{limits, &enroll_dispatcher, &metrics, "enroll", logging::Level::kInfo};
  net::SessionEnvironment ops_env{limits, &ops_dispatcher, nullptr, "ops", logging::Level::kDebug};

  net::IoContextPool contexts(static_cast<std::size_t>(config.io_threads));
  auto api_listener = BindListener(contexts, config.listen, api_connections, api_env, tls->get());
  if (!api_listener.ok()) return Fail(api_listener.status());
  auto enroll_listener =
      BindListener(contexts, config.enroll_listen, enroll_connections, enroll_env, enroll_tls->get());
  if (!enroll_listener.ok()) return Fail(enroll_listener.status());
  auto ops_listener = BindListener(contexts, config.ops_listen, ops_connections, ops_env, nullptr);
  if (!ops_listener.ok()) return Fail(ops_listener.status());

  (*api_listener)->Start();
  (*enroll_listener)->Start();
  (*ops_listener)->Start();
  logging::Info("serving", {{"version", EXCHANGE_VERSION},
                            {"api", "https://" + config.listen},
                            {"enroll", "https://" + config.enroll_listen},
                            {"ops", "http://" + config.ops_listen},
                            {"log_level", config.log_level}});

  LogLevelReload log_level_reload(contexts.First(), std::move(reread));
  log_level_reload.Start();

  GracefulShutdown shutdown(contexts,
                            {.listeners = {api_listener->get(), enroll_listener->get(), ops_listener->get()},
                             .tracked = {&api_connections, &enroll_connections, &ops_connections},
                             .pool = &pool},
                            config.drain_timeout, [&log_level_reload] { log_level_reload.Stop(); });
  shutdown.Start();

  contexts.Run();
  pool.Stop();
  logging::Info("stopped");
  return 0;
}

}  // namespace exchange::server
