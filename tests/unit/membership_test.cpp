// SPDX-License-Identifier: Apache-2.0
// common/membership.h: every role and status has one spelling, both ways,
// and it is the one the database and the API use.
#include <doctest/doctest.h>

#include <initializer_list>

#include "common/membership.h"

using namespace exchange;

namespace {

// Every value's name parses back to the value.
template <typename Enum, typename Name, typename Parse>
void CheckRoundTrips(std::initializer_list<Enum> values, Name name, Parse parse) {
  for (Enum v : values) {
    auto parsed = parse(name(v));
    REQUIRE(parsed.has_value());
    CHECK(*parsed == v);
  }
}

}  // namespace

TEST_CASE("roles: member, admin, auditor, and nothing else") {
  CheckRoundTrips({Role::kMember, Role::kAdmin, Role::kAuditor}, RoleName, ParseRole);
  CHECK(RoleName(Role::kAuditor) == "auditor");
  CHECK_FALSE(ParseRole("Admin").has_value());
  CHECK_FALSE(ParseRole("admin ").has_value());
  CHECK_FALSE(ParseRole("").has_value());
}

TEST_CASE("organisation and credential statuses round-trip and refuse other spellings") {
  CheckRoundTrips({OrgStatus::kActive, OrgStatus::kSuspended, OrgStatus::kRevoked}, OrgStatusName, ParseOrgStatus);
  CHECK(OrgStatusName(OrgStatus::kSuspended) == "suspended");
  CHECK_FALSE(ParseOrgStatus("suspend").has_value());
  CheckRoundTrips({CredentialStatus::kActive, CredentialStatus::kRevoked}, CredentialStatusName, ParseCredentialStatus);
  CHECK_FALSE(ParseCredentialStatus("suspended").has_value());
}
