// SPDX-License-Identifier: Apache-2.0
// The API's routes: one handler file per resource, all registered here.
//
// Every file registers its routes the same way: one `router.Add({...})` per
// route, with designated initialisers naming the method, the pattern, the
// access (when public), the body limit and the handler. Handlers are free
// functions; one that needs a service gets it from a lambda capturing it by
// reference (the service outlives the router).
#pragma once

#include "http/caller_cache.h"
#include "http/router.h"

namespace exchange::metrics {
class ServerMetrics;
}
namespace exchange::services {
class CheckpointPublisher;
class CredentialIssuer;
class EntryPageCache;
class PdqLookup;
}  // namespace exchange::services

namespace exchange::api {

// Default body limit for routes that take no body or a small one.
inline constexpr std::size_t kSmallBodyLimit = 64 * 1024;

// POST /v1/images/pdq: an image of up to 16 MiB, base64 in JSON.
inline constexpr std::size_t kImageBodyLimit = 24 * 1024 * 1024;

struct ReportKey;

void AddIdentityRoutes(http::Router& router);
void AddCollectionRoutes(http::Router& router);
// `metrics` (batch sizes) and `pdq` must outlive the router.
void AddSignalRoutes(http::Router& router, metrics::ServerMetrics& metrics, const services::PdqLookup& pdq);
// `publisher`, `entry_pages` and `metrics` (feed reads by database, see
// replica_reads.h) must outlive the router; /v1/keys also publishes the report key.
void AddFeedRoutes(http::Router& router, const services::CheckpointPublisher& publisher,
                   services::EntryPageCache& entry_pages, const std::string& report_public_key_pem,
                   metrics::ServerMetrics& metrics);
// The logs as C2SP tlog-tiles (tlog.cpp); `publisher` and `metrics` must outlive the router.
void AddTlogRoutes(http::Router& router, const services::CheckpointPublisher& publisher,
                   metrics::ServerMetrics& metrics);
// POST /v1/images/pdq (images.cpp): an image's PDQ hash, the image not stored.
void AddImageRoutes(http::Router& router);
// GET /console/... (console.cpp): the web console's compiled-in files.
void AddConsoleRoutes(http::Router& router);
// TAXII 2.1, read-only (taxii.cpp); `publisher` (the exchange's name) must outlive the router.
void AddTaxiiRoutes(http::Router& router, const services::CheckpointPublisher& publisher);
// `key` must outlive the router.
void AddReportRoutes(http::Router& router, const ReportKey& key);

// Vetting (vetting.cpp): invitations, applications, organisations' status.
// `issuer` and `callers` must outlive the router.
void AddVettingRoutes(http::Router& router, const services::CredentialIssuer& issuer, http::CallerCache& callers);
// Credentials (credentials.cpp): list, rotate, revoke, and GET /v1/crl.
void AddCredentialRoutes(http::Router& router, const services::CredentialIssuer& issuer, http::CallerCache& callers);
// GET /v1/crl alone, with `access` (public on the enrollment listener).
void AddCrlRoute(http::Router& router, const services::CredentialIssuer& issuer, http::Access access);
// The enrollment listener's routes (enrollment.cpp): served without a client
// certificate. `issuer` must outlive the router.
void AddEnrollmentRoutes(http::Router& router, const services::CredentialIssuer& issuer);

// Every route of the API listener.
inline void AddAllRoutes(http::Router& router, const services::CheckpointPublisher& publisher,
                         services::EntryPageCache& entry_pages, const services::CredentialIssuer& issuer,
                         const ReportKey& report_key, const std::string& report_public_key_pem,
                         http::CallerCache& callers, metrics::ServerMetrics& metrics, const services::PdqLookup& pdq) {
  AddIdentityRoutes(router);
  AddCollectionRoutes(router);
  AddSignalRoutes(router, metrics, pdq);
  AddFeedRoutes(router, publisher, entry_pages, report_public_key_pem, metrics);
  AddTlogRoutes(router, publisher, metrics);
  AddTaxiiRoutes(router, publisher);
  AddVettingRoutes(router, issuer, callers);
  AddCredentialRoutes(router, issuer, callers);
  AddReportRoutes(router, report_key);
  AddImageRoutes(router);
  AddConsoleRoutes(router);
}

}  // namespace exchange::api
