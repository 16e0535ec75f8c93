// SPDX-License-Identifier: Apache-2.0
// Cross-site request protection: see request_origin.h.
#include "http/request_origin.h"

#include <algorithm>
#include <utility>

#include "http/message.h"
#include "http/wire.h"

namespace exchange::http {
namespace {

// The types a cross-site HTML form can send without a preflight, and so
// never acceptable for a state-changing request.
bool IsFormOrText(const std::string& media_type) {
  return media_type == "application/x-www-form-urlencoded" || media_type == "multipart/form-data" ||
         media_type.rfind("text/", 0) == 0;
}

}  // namespace

bool IsStateChanging(std::string_view method) { return method != "GET" && method != "HEAD" && method != "OPTIONS"; }

std::string MediaType(std::string_view content_type) {
  return AsciiLower(TrimOws(content_type.substr(0, content_type.find(';'))));
}

std::string NormaliseOrigin(std::string_view origin) {
  std::string out = AsciiLower(TrimOws(origin));
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
  if (AsciiLower(TrimOws(input.sec_fetch_site)) == "cross-site") {
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
