// SPDX-License-Identifier: Apache-2.0
// signals/state.h and signals/feed_entry.h: the state a feed entry carries,
// composed without a database. tests/pg/signals_pgtest.cpp checks the same
// rule against the SQL view it copies.
#include <doctest/doctest.h>

#include "signals/feed_entry.h"
#include "signals/state.h"

using namespace exchange;
using namespace exchange::signals;

TEST_CASE("signal statuses have one spelling each, both ways") {
  for (SignalStatus s : {SignalStatus::kActive, SignalStatus::kDisputed, SignalStatus::kRetracted}) {
    auto parsed = ParseSignalStatus(SignalStatusName(s));
    REQUIRE(parsed.has_value());
    CHECK(*parsed == s);
  }
  CHECK(SignalStatusName(SignalStatus::kDisputed) == "disputed");
  CHECK_FALSE(ParseSignalStatus("Active").has_value());
  CHECK_FALSE(ParseSignalStatus("").has_value());
}

TEST_CASE("the wire state sorts every list, drops repeats, and names no contributor when anonymous") {
  AggregateState a;
  a.kind = Kind::kUrl;
  a.value = "https://example.org/x";
  a.status = SignalStatus::kDisputed;
  a.first_seen_ms = 1700000000123;
  a.pdq_quality = 0;
  a.categories = {"B2", "A1", "B2"};
  a.labels = {"zeta", "Alpha", "alpha"};
  a.principles = {9, 1, 9, 3};
  a.contributors = 3;
  a.confirmations = 1;
  a.disputes = 2;
  a.reviewed = true;
  a.contributor_orgs = {"gamma", "alpha", "beta"};

  const v1::SignalState named = ToWireState(a, false);
  CHECK(named.kind() == "url");
  CHECK(named.status() == "disputed");
  CHECK(named.first_seen_ms() == 1700000000123);
  REQUIRE(named.categories_size() == 2);
  CHECK(named.categories(0) == "A1");
  REQUIRE(named.labels_size() == 3);
  CHECK(named.labels(0) == "Alpha");  // bytewise: uppercase first
  CHECK(named.labels(2) == "zeta");
  REQUIRE(named.principles_size() == 3);
  CHECK(named.principles(0) == 1);
  CHECK(named.principles(2) == 9);
  CHECK(named.contributors() == 3);
  CHECK(named.confirmations() == 1);
  CHECK(named.disputes() == 2);
  CHECK(named.reviewed());
  REQUIRE(named.contributor_orgs_size() == 3);
  CHECK(named.contributor_orgs(0) == "alpha");

  const v1::SignalState anonymous = ToWireState(a, true);
  CHECK(anonymous.contributor_orgs_size() == 0);
  CHECK(anonymous.contributors() == 3);
}

TEST_CASE("a created signal is active with one contributor and the batch's best pdq quality") {
  FirstContribution first;
  first.kind = Kind::kPdq;
  first.value = std::string(64, 'f');
  first.labels = {"b", "a", "b"};
  first.principles = {4, 4};
  first.reviewed = true;

  const auto state = ToWireState(CreatedState(first, 87, 42, "alpha"), false);
  CHECK(state.kind() == "pdq");
  CHECK(state.status() == "active");
  CHECK(state.contributors() == 1);
  CHECK(state.confirmations() == 0);
  CHECK(state.disputes() == 0);
  CHECK(state.pdq_quality() == 87);
  CHECK(state.first_seen_ms() == 42);
  CHECK(state.categories_size() == 0);  // none given: none listed
  REQUIRE(state.labels_size() == 2);
  CHECK(state.labels(0) == "a");
  REQUIRE(state.principles_size() == 1);
  REQUIRE(state.contributor_orgs_size() == 1);
  CHECK(state.contributor_orgs(0) == "alpha");

  first.category = "A1";
  const auto no_quality = ToWireState(CreatedState(first, -1, 42, "alpha"), true);
  CHECK(no_quality.pdq_quality() == 0);
  REQUIRE(no_quality.categories_size() == 1);
  CHECK(no_quality.contributor_orgs_size() == 0);
}

TEST_CASE("a feed entry names the change: created over a status move over the change made") {
  CHECK(EntryChange(true, true, v1::FeedEntry::PROVENANCE) == v1::FeedEntry::CREATED);
  CHECK(EntryChange(false, true, v1::FeedEntry::PROVENANCE) == v1::FeedEntry::STATUS);
  CHECK(EntryChange(false, false, v1::FeedEntry::PROVENANCE) == v1::FeedEntry::PROVENANCE);

  v1::SignalState state;
  state.set_value("x");
  const auto entry = ComposeFeedEntry("hashes", 99, v1::FeedEntry::STATUS, state);
  CHECK(entry.collection() == "hashes");
  CHECK(entry.appended_at_ms() == 99);
  CHECK(entry.change() == v1::FeedEntry::STATUS);
  CHECK(entry.signal().value() == "x");
}
