// SPDX-License-Identifier: Apache-2.0
// Request and Response as handlers see them: plain values, no Beast types,
// so api/ code compiles without Boost headers.
//
// The session (net/) builds a Request from the parsed HTTP message and writes
// the Response back. Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace exchange::http {

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // as received, e.g. "/v1/logs?limit=5"
  std::string path;    // the path as sent (still percent-encoded; the Router decodes each segment), no query
  std::map<std::string, std::string> query;   // decoded; a repeated key keeps the last value
  std::map<std::string, std::string> params;  // path parameters filled by the Router, e.g. {"c": "csam-known"}
  std::string content_type;
  std::string accept;
  std::string idempotency_key;
  std::string origin;          // the Origin header; empty when absent
  std::string sec_fetch_site;  // the Sec-Fetch-Site header; empty when absent
  std::string body;
  // Set by the session: this request's id (32 random hex digits, also the
  // X-Request-Id response header), for log lines about it.
  std::string id;
};

struct Response {
  int status = 200;
  std::string content_type;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers, e.g. Retry-After
  bool close = false;                                        // close the connection after this response
  // For the request log line (net/session.h), never sent: the route template
  // that answered ("unmatched" when none did) and the caller, when known.
  std::string route = "unmatched";
  std::string org;
  int64_t credential_id = 0;
};

// Splits a request target into its path (kept encoded, so an encoded '/'
// inside a segment survives routing) and decoded query parameters. False when
// the target is not origin-form, any percent-encoding is bad, or a decoded
// path or query component is not well-formed UTF-8.
bool ParseTarget(const std::string& target, std::string& path, std::map<std::string, std::string>& query);

// Percent-decodes one component; nullopt for a bad escape or an encoded NUL.
std::optional<std::string> PercentDecode(std::string_view in, bool plus_is_space);

// Pieces of header values: `text` without HTTP's optional white space (spaces
// and tabs) at either end, and `text` in ASCII lower case (media types,
// parameter names and Sec-Fetch-Site compare case-insensitively).
std::string_view TrimOws(std::string_view text);
std::string AsciiLower(std::string_view text);

}  // namespace exchange::http
