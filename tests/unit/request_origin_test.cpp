// SPDX-License-Identifier: Apache-2.0
// Cross-site request protection (http/request_origin.h): which state-changing
// requests pass, which are refused with 403 (foreign origin) and which with
// 415 (a media type an HTML form could send).
#include <doctest/doctest.h>

#include "http/request_origin.h"

using namespace exchange::http;

namespace {
constexpr std::string_view kOwn = "https://exchange.example:8443";

OriginVerdict Verdict(std::string_view method, std::string_view type, std::string_view origin,
                      std::string_view fetch_site = "", std::vector<std::string_view> extra = {}) {
  return CheckRequestOrigin({method, type, origin, fetch_site, kOwn, std::move(extra)}).verdict;
}
}  // namespace

TEST_CASE("reads are never refused") {
  CHECK(Verdict("GET", "text/plain", "https://evil.example") == OriginVerdict::kAllow);
  CHECK(Verdict("HEAD", "", "https://evil.example", "cross-site") == OriginVerdict::kAllow);
  CHECK(Verdict("OPTIONS", "", "https://evil.example") == OriginVerdict::kAllow);
}

TEST_CASE("a foreign origin is refused with 403") {
  for (std::string_view method : {"POST", "PUT", "PATCH", "DELETE"}) {
    CHECK(Verdict(method, "application/json", "https://evil.example") == OriginVerdict::kForbidden);
  }
  CHECK(Verdict("POST", "application/json", "https://exchange.example:9443") == OriginVerdict::kForbidden);
  CHECK(Verdict("POST", "application/json", "http://exchange.example:8443") == OriginVerdict::kForbidden);
  CHECK(Verdict("POST", "application/json", "null") == OriginVerdict::kForbidden);
  // The origin is checked before the media type.
  CHECK(Verdict("POST", "text/plain", "https://evil.example") == OriginVerdict::kForbidden);
  const OriginDecision d = CheckRequestOrigin({"POST", "application/json", "https://evil.example", "", kOwn, {}});
  CHECK(d.reason.find("https://evil.example") != std::string::npos);
}

TEST_CASE("the own origin or no origin passes with JSON or Protobuf") {
  CHECK(Verdict("POST", "application/json", kOwn) == OriginVerdict::kAllow);
  CHECK(Verdict("POST", "application/json; charset=utf-8", "HTTPS://Exchange.Example:8443/") == OriginVerdict::kAllow);
  CHECK(Verdict("DELETE", "", "") == OriginVerdict::kAllow);
  CHECK(Verdict("POST", "application/x-protobuf", "") == OriginVerdict::kAllow);
  CHECK(Verdict("POST", "application/protobuf", kOwn) == OriginVerdict::kAllow);
  CHECK(Verdict("POST", "application/octet-stream", "") == OriginVerdict::kAllow);
  CHECK(Verdict("PUT", " Application/JSON ", "") == OriginVerdict::kAllow);
}

TEST_CASE("Sec-Fetch-Site: cross-site is refused even without Origin") {
  CHECK(Verdict("POST", "application/json", "", "cross-site") == OriginVerdict::kForbidden);
  CHECK(Verdict("POST", "application/json", "", "same-origin") == OriginVerdict::kAllow);
  CHECK(Verdict("POST", "application/json", "", "none") == OriginVerdict::kAllow);
}

TEST_CASE("form and text bodies are refused with 415, even when a route lists them") {
  for (std::string_view type : {"application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/plain",
                                "text/plain;charset=UTF-8", "TEXT/HTML"}) {
    CHECK(Verdict("POST", type, "") == OriginVerdict::kUnsupportedMediaType);
    CHECK(Verdict("POST", type, kOwn) == OriginVerdict::kUnsupportedMediaType);
    CHECK(Verdict("POST", type, "", "", {"text/plain", "multipart/form-data", "application/x-www-form-urlencoded"}) ==
          OriginVerdict::kUnsupportedMediaType);
  }
}

TEST_CASE("a route's exact extra media types pass, others do not") {
  CHECK(Verdict("POST", "image/png", "", "", {"image/png", "image/jpeg"}) == OriginVerdict::kAllow);
  CHECK(Verdict("POST", "image/png", "") == OriginVerdict::kUnsupportedMediaType);
  CHECK(Verdict("POST", "image/gif", "", "", {"image/png"}) == OriginVerdict::kUnsupportedMediaType);
}

TEST_CASE("origins and media types normalise") {
  CHECK(NormaliseOrigin("https://Host.Example:443") == "https://host.example");
  CHECK(NormaliseOrigin("http://host:80/") == "http://host");
  CHECK(NormaliseOrigin("https://host:8443") == "https://host:8443");
  CHECK(MediaType("Multipart/Form-Data; boundary=abc") == "multipart/form-data");
  CHECK(MediaType("") == "");
}
