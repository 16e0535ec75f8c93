// SPDX-License-Identifier: Apache-2.0
// common/membership.h: every role and status has one spelling, both ways,
// and it is the one the database and the API use.
#include <doctest/doctest.h>

#include "common/membership.h"

using namespace exchange;

TEST_CASE("roles: member, admin, auditor, and nothing else") {
  for (Role r : {Role::kMember, Role::kAdmin, Role::kAuditor}) {
    auto parsed = ParseRole(RoleName(r));
    REQUIRE(parsed.has_value());
    CHECK(*parsed == r);
  }
  CHECK(RoleName(Role::kAuditor) == "auditor");
  CHECK_FALSE(ParseRole("Admin").has_value());
  CHECK_FALSE(ParseRole("admin ").has_value());
  CHECK_FALSE(ParseRole("").has_value());
}

TEST_CASE("organisation and credential statuses round-trip and refuse other spellings") {
  for (OrgStatus s : {OrgStatus::kActive, OrgStatus::kSuspended, OrgStatus::kRevoked}) {
    auto parsed = ParseOrgStatus(OrgStatusName(s));
    REQUIRE(parsed.has_value());
    CHECK(*parsed == s);
  }
  CHECK(OrgStatusName(OrgStatus::kSuspended) == "suspended");
  CHECK_FALSE(ParseOrgStatus("suspend").has_value());
  for (CredentialStatus s : {CredentialStatus::kActive, CredentialStatus::kRevoked}) {
    auto parsed = ParseCredentialStatus(CredentialStatusName(s));
    REQUIRE(parsed.has_value());
    CHECK(*parsed == s);
  }
  CHECK_FALSE(ParseCredentialStatus("suspended").has_value());
}
