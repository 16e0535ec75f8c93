// SPDX-License-Identifier: Apache-2.0
// ConnectionTracker: pending and established connections are limited apart,
// one address cannot take every place, and released places come back.
#include <doctest/doctest.h>

#include <memory>
#include <vector>

#include "net/connection_tracker.h"

using namespace exchange::net;

TEST_CASE("pending handshakes do not take established places; one address is capped") {
  ConnectionTracker tracker({/*max_established=*/2, /*max_pending=*/3, /*max_per_address=*/4});
  Refusal why = Refusal::kNone;
  std::vector<std::unique_ptr<ConnectionTracker::Registration>> pending;
  for (int i = 0; i < 3; ++i) pending.push_back(tracker.Admit("10.0.0.1", &why));
  for (auto& p : pending) REQUIRE(p);
  CHECK(tracker.PendingCount() == 3);
  CHECK(tracker.EstablishedCount() == 0);
  CHECK_FALSE(tracker.Admit("10.0.0.2", &why));  // a fourth handshake anywhere
  CHECK(why == Refusal::kPending);

  // Handshakes done: pending places free up, established ones fill.
  CHECK(pending[0]->Establish());
  CHECK(pending[1]->Establish());
  CHECK_FALSE(pending[2]->Establish());  // the established limit
  CHECK(tracker.EstablishedCount() == 2);
  pending.pop_back();  // the refused one closes
  CHECK(tracker.PendingCount() == 0);

  // 10.0.0.1 holds 2; two more places for it, then the per-address cap.
  auto a = tracker.Admit("10.0.0.1", &why);
  auto b = tracker.Admit("10.0.0.1", &why);
  REQUIRE(a);
  REQUIRE(b);
  CHECK_FALSE(tracker.Admit("10.0.0.1", &why));
  CHECK(why == Refusal::kPerAddress);
  CHECK(tracker.Admit("10.0.0.2", &why));  // another address is still welcome (and released at once)
  a.reset();
  CHECK(tracker.Admit("10.0.0.1", &why));
  CHECK(tracker.Count() == 3);
}
