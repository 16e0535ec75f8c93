// SPDX-License-Identifier: Apache-2.0
#include "api/membership_fields.h"

#include <openssl/rand.h>

#include "common/hex.h"
#include "common/limits.h"
#include "http/wire.h"
#include "log/hash.h"
#include "signals/utf8.h"

namespace exchange::api {

std::string RandomToken(std::size_t bytes) {
  std::string raw(bytes, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(raw.size()));
  return HexEncode(raw);
}

std::string TokenHash(const std::string& token) {
  auto h = log::Sha256(token);
  return std::string(h.begin(), h.end());
}

Status CheckText(const std::string& field, const std::string& value, std::size_t max, bool required) {
  if (required && value.empty()) return Status::InvalidArgument(field + " is required");
  if (value.size() > max) return Status::InvalidArgument(field + " is longer than " + std::to_string(max) + " bytes");
  for (unsigned char c : value) {
    if (c < 0x20 || c == 0x7f) return Status::InvalidArgument(field + " contains a control character");
  }
  return Status::Ok();
}

Status CheckOrgName(const std::string& field, const std::string& value, bool required) {
  auto code_points = signals::DecodeUtf8(value, field);
  if (!code_points.ok()) return code_points.status();
  if (code_points->size() > limits::kMaxOrgNameChars) {
    return Status::InvalidArgument(field + " is longer than " + std::to_string(limits::kMaxOrgNameChars) +
                                   " characters (" + std::to_string(code_points->size()) + ")");
  }
  // 200 characters are at most 800 bytes of UTF-8.
  return CheckText(field, value, 4 * limits::kMaxOrgNameChars, required);
}

Result<v1::ReasonRequest> DecodeReason(const http::Request& request) {
  v1::ReasonRequest body;
  if (Status s = http::DecodeBody(request, body); !s.ok()) return s;
  if (Status s = CheckText("reason", body.reason(), kMaxTextBytes, true); !s.ok()) return s;
  return body;
}

Status CheckContact(const std::string& contact) {
  if (Status s = CheckText("contact", contact, kMaxTextBytes, true); !s.ok()) return s;
  auto at = contact.find('@');
  if (at == std::string::npos || at == 0 || at + 1 >= contact.size() ||
      contact.find('@', at + 1) != std::string::npos) {
    return Status::InvalidArgument("contact must be an e-mail address");
  }
  return Status::Ok();
}

}  // namespace exchange::api
