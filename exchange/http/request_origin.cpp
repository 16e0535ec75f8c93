// SPDX-License-Identifier: Apache-2.0
// Cross-site request protection: see request_origin.h.
#include "http/request_origin.h"

#include <algorithm>
#include <cctype>

#include "http/wire.h"

namespace exchange::http {
namespace {

std::string Lower(std::string_view in) {
  std::string out(in);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string_view Trim(std::string_view in) {
  while (!in.empty() && (in.front() == ' ' || in.front() == '\t')) in.remove_prefix(1);
  while (!in.empty() && (in.back() == ' ' || in.back() == '\t')) in.remove_suffix(1);
  return in;
}

// The types a cross-site HTML form can send without a preflight, and so
// never acceptable for a state-changing request.
bool IsFormOrText(const std::string& media_type) {
  return media_type == "application/x-www-form-urlencoded" || media_type == "multipart/form-data" ||
         media_type.rfind("text/", 0) == 0;
}

}  // namespace

bool IsStateChanging(std::string_view method) { return method != "GET" && method != "HEAD" && method != "OPTIONS"; }

std::string MediaType(std::string_view content_type) {
  return Lower(Trim(content_type.substr(0, content_type.find(';'))));
}

std::string NormaliseOrigin(std::string_view origin) {
  std::string out = Lower(Trim(origin));
  if (!out.empty() && out.back() == '/') out.pop_back();
  for (const auto& [scheme, port] : {std::pair{"https://", ":443"}, std::pair{"http://", ":80"}}) {
    const std::string_view s(scheme), p(port);
    if (out.rfind(s, 0) == 0 && out.size() > s.size() + p.size() &&
        out.compare(out.size() - p.size(), p.size(), p) == 0) {
      out.resize(out.size() - p.size());
    }
  }
  return out;
}

OriginDecision CheckRequestOrigin(const OriginCheckInput& input) {
  if (!IsStateChanging(input.method)) return {};
  if (!input.origin.empty() && NormaliseOrigin(input.origin) != NormaliseOrigin(input.own_origin)) {
    return {OriginVerdict::kForbidden, "cross-site request refused: Origin " + std::string(input.origin) +
                                           " is not this exchange's (" + std::string(input.own_origin) + ")"};
  }
  // Defence in depth for browsers that send Sec-Fetch-Site but, on some
  // requests, no Origin.
  if (Lower(Trim(input.sec_fetch_site)) == "cross-site") {
    return {OriginVerdict::kForbidden, "cross-site request refused (Sec-Fetch-Site: cross-site)"};
  }
  const std::string type = MediaType(input.content_type);
  if (type.empty()) return {};  // no body type: DecodeBody treats it as Protobuf, which no form can send
  if (IsFormOrText(type)) {
    return {OriginVerdict::kUnsupportedMediaType,
            "media type " + type + " is refused for a state-changing request; send application/json or " +
                std::string(kProtobufType)};
  }
  // The types DecodeBody takes (wire.h): JSON and the Protobuf names.
  if (type == kJsonType || std::find(kProtobufTypes.begin(), kProtobufTypes.end(), type) != kProtobufTypes.end()) {
    return {};
  }
  for (std::string_view extra : input.extra_media_types) {
    if (type == extra) return {};
  }
  return {OriginVerdict::kUnsupportedMediaType, "media type " + type + " is not accepted here"};
}

}  // namespace exchange::http
