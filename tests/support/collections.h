// SPDX-License-Identifier: Apache-2.0
// The set-up nearly every e2e test starts with: a collection created through
// the admin API and write grants for the members that will submit to it,
// and random signals to fill it.
// Each call must succeed (REQUIRE, with the server's message), so a test
// never runs against a collection that is not there.
//
// For e2e tests linked with exchange_test_support; `admin` must hold an
// admin credential (TestExchange::Client("admin1")).
#pragma once

#include <random>
#include <string>
#include <vector>

#include "exchange/v1/collections.pb.h"
#include "transport/api_client.h"

namespace exchange::testing {

// Creates `collection` (POST /v1/collections) and grants write access to
// each org in `writers` (PUT .../grants/{org}), in that order.
void CreateCollection(client::ApiClient& admin, const v1::Collection& collection,
                      const std::vector<std::string>& writers = {"alpha", "beta"});

// The same for a collection with only a name.
void CreateCollection(client::ApiClient& admin, const std::string& name,
                      const std::vector<std::string>& writers = {"alpha", "beta"});

// Submits `count` random sha256 signals (category A1) in batches of 10,000
// as `member`; returns their values in order.
std::vector<std::string> SubmitRandomSha256(client::ApiClient& member, const std::string& collection, int count,
                                            std::mt19937_64& rng);

}  // namespace exchange::testing
