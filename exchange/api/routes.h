// SPDX-License-Identifier: Apache-2.0
// The API's routes: one handler file per resource, all registered here.
#pragma once

#include "http/caller_auth.h"
#include "http/router.h"

namespace exchange::metrics {
class ServerMetrics;
}

namespace exchange::api {

// Default body limit for routes that take no body or a small one.
inline constexpr std::size_t kSmallBodyLimit = 64 * 1024;

class CheckpointPublisher;
class CredentialIssuer;
struct ReportKey;
class PdqLookup;

void AddIdentityRoutes(http::Router& router);
void AddCollectionRoutes(http::Router& router);
// `metrics` (batch sizes) and `pdq` must outlive the router.
void AddSignalRoutes(http::Router& router, metrics::ServerMetrics& metrics, const PdqLookup& pdq);
// `publisher` must outlive the router; /v1/keys also publishes the report key.
void AddFeedRoutes(http::Router& router, const CheckpointPublisher& publisher,
                   const std::string& report_public_key_pem);
// `key` must outlive the router.
void AddReportRoutes(http::Router& router, const ReportKey& key);

// `issuer` and `callers` must outlive the router.
void AddMembershipRoutes(http::Router& router, const CredentialIssuer& issuer, http::CallerCache& callers);
// The enrollment listener's routes: served without a client certificate.
void AddEnrollmentRoutes(http::Router& router, const CredentialIssuer& issuer, http::CallerCache& callers);

// Every route of the API listener.
inline void AddAllRoutes(http::Router& router, const CheckpointPublisher& publisher, const CredentialIssuer& issuer,
                         const ReportKey& report_key, const std::string& report_public_key_pem,
                         http::CallerCache& callers, metrics::ServerMetrics& metrics, const PdqLookup& pdq) {
  AddIdentityRoutes(router);
  AddCollectionRoutes(router);
  AddSignalRoutes(router, metrics, pdq);
  AddFeedRoutes(router, publisher, report_public_key_pem);
  AddMembershipRoutes(router, issuer, callers);
  AddReportRoutes(router, report_key);
}

}  // namespace exchange::api
