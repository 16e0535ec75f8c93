// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include "common/status.h"

using exchange::ErrorCode;
using exchange::Result;
using exchange::Status;

TEST_CASE("a default Status is OK and names itself") {
  Status s;
  CHECK(s.ok());
  CHECK(s.ToString() == "ok");
}

TEST_CASE("an error Status carries its code and message") {
  Status s = Status::InvalidArgument("limit must be positive");
  CHECK_FALSE(s.ok());
  CHECK(s.code() == ErrorCode::kInvalidArgument);
  CHECK(s.ToString() == "invalid_argument: limit must be positive");
}

TEST_CASE("Result holds a value or an error") {
  Result<int> good = 7;
  REQUIRE(good.ok());
  CHECK(*good == 7);
  CHECK(good.status().ok());

  Result<int> bad = Status::NotFound("no such collection");
  CHECK_FALSE(bad.ok());
  CHECK(bad.status().code() == ErrorCode::kNotFound);
}
