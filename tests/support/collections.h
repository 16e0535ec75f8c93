// SPDX-License-Identifier: Apache-2.0
// The set-up nearly every e2e test starts with: a collection created through
// the admin API and write grants for the members that will submit to it,
// and random signals to fill it; and the steps many repeat on it: building a
// submission, retracting, waiting for the lookup index, reading the entries.
// Each call that talks to the server must succeed (REQUIRE, with the server's
// message), so a test never runs against a collection that is not there; the
// two waits return what they saw, for the test to check.
//
// For e2e tests linked with exchange_test_support; `admin` must hold an
// admin credential (TestExchange::Client("admin1")).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "exchange/v1/collections.pb.h"
#include "exchange/v1/signals.pb.h"
#include "transport/api_client.h"

namespace exchange::testing {

class TestExchange;

// Creates `collection` (POST /v1/collections) and grants write access to
// each org in `writers` (PUT .../grants/{org}), in that order.
void CreateCollection(client::ApiClient& admin, const v1::Collection& collection,
                      const std::vector<std::string>& writers = {"alpha", "beta"});

// The same for a collection with only a name.
void CreateCollection(client::ApiClient& admin, const std::string& name,
                      const std::vector<std::string>& writers = {"alpha", "beta"});

// Appends a signal to `submit`; returns it, for more fields.
v1::SignalSubmission* AddSignal(v1::SubmitSignalsRequest& submit, const std::string& kind, const std::string& value,
                                const std::string& category = "A1");

// Retracts `values` (of `kind`) from `collection` as `member`, in one request
// (POST .../retractions), REQUIREd to succeed.
void Retract(client::ApiClient& member, const std::string& collection, const std::string& kind,
             const std::vector<std::string>& values);

// Calls `lookup` (up to 20 times, 100 ms apart) until the first result of its
// answer has a match; returns the last answer. The index catches up within a second.
v1::LookupResponse LookupUntilFound(const std::function<v1::LookupResponse()>& lookup);

// Posts `request` to `collection`'s lookup through `api`, again every 100 ms
// (for up to 5 s) while the server answers 503 because it is still loading
// the collection's PDQ index (a server just started); REQUIREs the first
// other answer to succeed and returns it.
v1::LookupResponse LookupOnceLoaded(client::ApiClient& api, const std::string& collection,
                                    const v1::LookupRequest& request);

// Asks `matches` every 50 ms until it answers 0 or 3 s have passed; returns its
// last answer, and in `*waited` how long from the call until then.
int WaitForNoMatches(const std::function<int()>& matches, std::chrono::steady_clock::duration* waited);

// The set-up of the tests of one member's signals: `collection` created by
// admin1, with write access for `writer` alone; returns `writer`'s client.
std::unique_ptr<client::ApiClient> CreateCollectionFor(const TestExchange& exchange, const std::string& collection,
                                                       const std::string& writer);

// The entries of the log at `log_path` (a collection's, or /v1/audit) from 0
// through at least `size`, `page` a request (GET .../entries); the last page
// may bring more. Each page must succeed and start where the last one ended.
std::vector<std::string> FetchEntries(client::ApiClient& api, const std::string& log_path, uint64_t size, int page);

// Submits `count` random sha256 signals (category A1) in batches of 10,000
// as `member`; returns their values in order.
std::vector<std::string> SubmitRandomSha256(client::ApiClient& member, const std::string& collection, int count,
                                            std::mt19937_64& rng);

}  // namespace exchange::testing
