// SPDX-License-Identifier: Apache-2.0
#include "signals/kind.h"

namespace exchange::signals {

std::string_view KindName(Kind kind) {
  switch (kind) {
    case Kind::kMd5: return "md5";
    case Kind::kSha1: return "sha1";
    case Kind::kSha256: return "sha256";
    case Kind::kPdq: return "pdq";
    case Kind::kPhotoDna: return "photodna";
    case Kind::kTmkPdqf: return "tmk_pdqf";
    case Kind::kVpdq: return "vpdq";
    case Kind::kUrl: return "url";
    case Kind::kDomain: return "domain";
    case Kind::kKeyword: return "keyword";
    case Kind::kAccountId: return "account_id";
  }
  return "unknown";
}

std::optional<Kind> ParseKind(std::string_view name) {
  for (Kind kind : AllKinds()) {
    if (KindName(kind) == name) return kind;
  }
  return std::nullopt;
}

std::string UnknownKindMessage(std::string_view name) {
  std::string out = "unknown kind '" + std::string(name.substr(0, 32)) + "'; valid kinds:";
  for (Kind kind : AllKinds())
    out += std::string(kind == AllKinds().front() ? " " : ", ") + std::string(KindName(kind));
  return out;
}

const std::vector<Kind>& AllKinds() {
  static const std::vector<Kind> kinds = {Kind::kMd5,      Kind::kSha1,    Kind::kSha256,   Kind::kPdq,
                                          Kind::kPhotoDna, Kind::kTmkPdqf, Kind::kVpdq,     Kind::kUrl,
                                          Kind::kDomain,   Kind::kKeyword, Kind::kAccountId};
  return kinds;
}

}  // namespace exchange::signals
