// SPDX-License-Identifier: Apache-2.0
// Who a caller is, as the domain names it: a credential's identity and role,
// and the status of an organisation and of a credential. Each has one spelling, the
// one the database's CHECK constraints, the API and the audit log use
// (migrations/0001_identity.sql), and these are the only functions that
// turn the enums into names and back. Header-only plain values; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace exchange {

enum class Role { kMember, kAdmin, kAuditor };
enum class OrgStatus { kActive, kSuspended, kRevoked };
enum class CredentialStatus { kActive, kRevoked };

// A credential and the organisation holding it, as every layer names them:
// http::Caller is one that passed the server's checks (active, unexpired, of
// an active organisation), store::CredentialRow adds what those checks read.
struct CredentialIdentity {
  int64_t credential_id = 0;
  int64_t org_id = 0;
  std::string org_slug;
  std::string org_name;
  Role role = Role::kMember;
  std::string fingerprint;  // lowercase hex SHA-256 of the DER
  std::string not_after;    // RFC 3339 UTC
};

namespace membership_internal {

template <typename Enum, std::size_t N>
constexpr std::string_view NameIn(const std::array<std::pair<Enum, std::string_view>, N>& names, Enum value) {
  for (const auto& [e, name] : names) {
    if (e == value) return name;
  }
  return names[0].second;
}

template <typename Enum, std::size_t N>
constexpr std::optional<Enum> ParseIn(const std::array<std::pair<Enum, std::string_view>, N>& names,
                                      std::string_view name) {
  for (const auto& [e, n] : names) {
    if (n == name) return e;
  }
  return std::nullopt;
}

inline constexpr std::array<std::pair<Role, std::string_view>, 3> kRoleNames{
    {{Role::kMember, "member"}, {Role::kAdmin, "admin"}, {Role::kAuditor, "auditor"}}};
inline constexpr std::array<std::pair<OrgStatus, std::string_view>, 3> kOrgStatusNames{
    {{OrgStatus::kActive, "active"}, {OrgStatus::kSuspended, "suspended"}, {OrgStatus::kRevoked, "revoked"}}};
inline constexpr std::array<std::pair<CredentialStatus, std::string_view>, 2> kCredentialStatusNames{
    {{CredentialStatus::kActive, "active"}, {CredentialStatus::kRevoked, "revoked"}}};

}  // namespace membership_internal

// "member", "admin", "auditor".
constexpr std::string_view RoleName(Role role) {
  return membership_internal::NameIn(membership_internal::kRoleNames, role);
}
// The role named exactly `name`; nullopt for anything else ("Admin" included).
constexpr std::optional<Role> ParseRole(std::string_view name) {
  return membership_internal::ParseIn(membership_internal::kRoleNames, name);
}

// "active", "suspended", "revoked".
constexpr std::string_view OrgStatusName(OrgStatus status) {
  return membership_internal::NameIn(membership_internal::kOrgStatusNames, status);
}
constexpr std::optional<OrgStatus> ParseOrgStatus(std::string_view name) {
  return membership_internal::ParseIn(membership_internal::kOrgStatusNames, name);
}

// "active", "revoked".
constexpr std::string_view CredentialStatusName(CredentialStatus status) {
  return membership_internal::NameIn(membership_internal::kCredentialStatusNames, status);
}
constexpr std::optional<CredentialStatus> ParseCredentialStatus(std::string_view name) {
  return membership_internal::ParseIn(membership_internal::kCredentialStatusNames, name);
}

}  // namespace exchange
