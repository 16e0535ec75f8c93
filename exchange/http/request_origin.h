// SPDX-License-Identifier: Apache-2.0
// Cross-site request protection, as a pure decision: once browsers hold the
// members' client certificates, any web page could make a browser send a
// state-changing request that carries one. A state-changing request (any
// method but GET, HEAD, OPTIONS) must therefore come from the exchange's own
// origin (or carry no Origin at all: command-line and library clients send
// none) and must have a media type that a cross-site HTML form cannot
// produce: JSON, Protobuf, or one of the exact extra types a route accepts.
// Form-encoded and text/plain bodies never pass.
//
// No I/O: the dispatcher gathers the headers and applies the verdict.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace exchange::http {

struct OriginCheckInput {
  std::string_view method;          // "POST", ...
  std::string_view content_type;    // as received, parameters included; empty when absent
  std::string_view origin;          // the Origin header; empty when absent
  std::string_view sec_fetch_site;  // the Sec-Fetch-Site header; empty when absent
  std::string_view own_origin;      // e.g. "https://exchange.example:8443"
  // Exact media types (lower case, no parameters) this route also accepts,
  // e.g. "image/png" for an image upload. Form and text types are refused
  // even when listed.
  std::vector<std::string_view> extra_media_types;
};

enum class OriginVerdict { kAllow, kForbidden /* 403 */, kUnsupportedMediaType /* 415 */ };

struct OriginDecision {
  OriginVerdict verdict = OriginVerdict::kAllow;
  std::string reason;  // for the JSON error body; empty when allowed
};

// True for the methods that change state (everything but GET, HEAD, OPTIONS).
bool IsStateChanging(std::string_view method);

// The media type of a Content-Type value: lower-cased, parameters and
// surrounding spaces removed ("Application/JSON; charset=utf-8" -> "application/json").
std::string MediaType(std::string_view content_type);

// Normalises an origin for comparison: scheme and host lower-cased, a default
// port (443 for https, 80 for http) dropped, a trailing '/' dropped.
std::string NormaliseOrigin(std::string_view origin);

OriginDecision CheckRequestOrigin(const OriginCheckInput& input);

}  // namespace exchange::http
