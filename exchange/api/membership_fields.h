// SPDX-License-Identifier: Apache-2.0
// What the vetting, credential and enrollment handlers share: checks of the
// text fields admins and applicants send (names, contacts, reasons), the
// reason bodies, and the invitation tokens. The messages are the API's: callers see them verbatim.
#pragma once

#include <cstddef>
#include <string>

#include "common/status.h"
#include "exchange/v1/vetting.pb.h"
#include "http/message.h"

namespace exchange::api {

// Names, contacts, reasons: at most this many bytes.
inline constexpr std::size_t kMaxTextBytes = 500;

// `bytes` random bytes, lowercase hex (invitation tokens, application ids).
std::string RandomToken(std::size_t bytes);
// SHA-256 of an invitation token, raw bytes: what the store keeps instead of the token.
std::string TokenHash(const std::string& token);

// Printable UTF-8 text of at most `max` bytes; InvalidArgument naming `field`.
Status CheckText(const std::string& field, const std::string& value, std::size_t max, bool required);
// An organisation's display name: printable text as above, and at most
// limits::kMaxOrgNameChars characters, the bound the organisations table holds.
Status CheckOrgName(const std::string& field, const std::string& value, bool required);
// The body of a decision, a status change or a revocation: a ReasonRequest
// whose reason is required printable text of at most kMaxTextBytes.
Result<v1::ReasonRequest> DecodeReason(const http::Request& request);
// A contact: required printable text holding one '@' with text on both sides.
Status CheckContact(const std::string& contact);

}  // namespace exchange::api
