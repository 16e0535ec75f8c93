// SPDX-License-Identifier: Apache-2.0
// GET /console/...: the web console's files (console/ at the repository root,
// compiled in). The console is a client of the JSON API on the caller's own
// certificate; these routes serve only its static files, so they need no
// caller: a browser whose certificate the API refuses still gets the page
// that says so.
#include "api/console_assets.h"
#include "api/routes.h"
#include "http/wire.h"

namespace exchange::api {
namespace {

// Scripts, styles and images from this origin only; no inline script or
// style, no framing, forms post only here, no <base>.
constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'";

void AddSecurityHeaders(http::Response& response) {
  response.headers.emplace_back("Content-Security-Policy", std::string(kContentSecurityPolicy));
  response.headers.emplace_back("X-Frame-Options", "DENY");
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  response.headers.emplace_back("Referrer-Policy", "no-referrer");
  response.headers.emplace_back("Cross-Origin-Opener-Policy", "same-origin");
  response.headers.emplace_back("Cache-Control", "no-cache");
}

const ConsoleAsset* FindAsset(std::string_view name) {
  for (const auto& asset : EmbeddedConsoleAssets()) {
    if (asset.name == name) return &asset;
  }
  return nullptr;
}

http::Response Serve(const http::Request& request, std::string_view name) {
  const ConsoleAsset* asset = FindAsset(name);
  if (!asset) {
    http::Response missing =
        http::ErrorResponse(&request, Status::NotFound("the console has no file " + std::string(name)));
    AddSecurityHeaders(missing);
    return missing;
  }
  http::Response response = http::TextResponse(std::string(asset->body), asset->content_type);
  AddSecurityHeaders(response);
  return response;
}

http::Response RedirectToConsole(const http::Request&, http::CallContext&) {
  http::Response response = http::TextResponse("the console is at /console/\n");
  response.status = 301;
  response.headers.emplace_back("Location", "/console/");
  AddSecurityHeaders(response);
  return response;
}

}  // namespace

void AddConsoleRoutes(http::Router& router) {
  router.Add({.method = "GET",
              .pattern = "/console",
              .access = http::Access::kPublic,
              .uses_database = false,
              .max_body_bytes = kSmallBodyLimit,
              .handler = RedirectToConsole});
  router.Add({.method = "GET",
              .pattern = "/console/",
              .access = http::Access::kPublic,
              .uses_database = false,
              .max_body_bytes = kSmallBodyLimit,
              .handler = [](const http::Request& r, http::CallContext&) { return Serve(r, "index.html"); }});
  router.Add({.method = "GET",
              .pattern = "/console/{file}",
              .access = http::Access::kPublic,
              .uses_database = false,
              .max_body_bytes = kSmallBodyLimit,
              .handler = [](const http::Request& r, http::CallContext&) { return Serve(r, r.params.at("file")); }});
}

}  // namespace exchange::api
