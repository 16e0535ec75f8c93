// SPDX-License-Identifier: Apache-2.0
// pdq::Index against brute force: on random hashes and on clustered
// near-duplicates, at distances 0, 8, 31, 40 and 63, by probing and by the
// planner's choice, before and after inserts and deletes: the same matches
// with the same distances, no more and no fewer.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <random>
#include <set>
#include <thread>
#include <tuple>
#include <vector>

#include "pdq/index.h"
#include "signals/match.h"

namespace {

using namespace exchange::pdq;
using namespace exchange::signals;

constexpr int kDistances[] = {0, 8, 31, 40, 63};

PdqHash RandomHash(std::mt19937_64& rng) {
  PdqHash h;
  for (auto& b : h) b = static_cast<uint8_t>(rng());
  return h;
}

// `hash` with exactly `bits` distinct bits flipped.
PdqHash Flip(PdqHash hash, int bits, std::mt19937_64& rng) {
  std::vector<int> positions(256);
  for (int i = 0; i < 256; ++i) positions[i] = i;
  std::shuffle(positions.begin(), positions.end(), rng);
  for (int i = 0; i < bits; ++i) hash[positions[i] / 8] ^= static_cast<uint8_t>(1u << (positions[i] % 8));
  return hash;
}

std::vector<Match> BruteForce(const std::set<PdqHash>& stored, const PdqHash& query, int d) {
  std::vector<Match> out;
  for (const PdqHash& h : stored) {
    const int distance = HammingDistance256(h, query);
    if (distance <= d) out.push_back({h, distance});
  }
  std::sort(out.begin(), out.end(),
            [](const Match& a, const Match& b) { return std::tie(a.distance, a.hash) < std::tie(b.distance, b.hash); });
  return out;
}

struct Tally {
  size_t queries = 0, matches = 0;
};

// Every query at every distance gives exactly the brute-force answer.
void ExpectExact(const Index& index, const std::set<PdqHash>& stored, const std::vector<PdqHash>& queries,
                 Tally& tally) {
  REQUIRE(index.size() == stored.size());
  for (const int d : kDistances) {
    for (const PdqHash& q : queries) {
      auto got = index.Query(q, d);
      REQUIRE(got.ok());
      const std::vector<Match> want = BruteForce(stored, q, d);
      REQUIRE_MESSAGE(got->size() == want.size(),
                      "d=" << d << ": " << got->size() << " matches, brute force " << want.size());
      for (size_t i = 0; i < want.size(); ++i) {
        REQUIRE(got->at(i).hash == want[i].hash);
        REQUIRE(got->at(i).distance == want[i].distance);
      }
      ++tally.queries;
      tally.matches += want.size();
    }
  }
}

// Queries at every distance from stored hashes, plus unrelated ones.
std::vector<PdqHash> QueriesNear(const std::vector<PdqHash>& stored, size_t count, std::mt19937_64& rng) {
  std::vector<PdqHash> queries;
  std::uniform_int_distribution<size_t> pick(0, stored.size() - 1);
  std::uniform_int_distribution<int> bits(0, 70);
  for (size_t i = 0; i < count; ++i) queries.push_back(Flip(stored[pick(rng)], bits(rng), rng));
  for (size_t i = 0; i < count / 4; ++i) queries.push_back(RandomHash(rng));
  return queries;
}

// A few centres with many near-duplicates each, as real hash lists are: the
// buckets are badly skewed, and most candidates are true matches.
std::vector<PdqHash> Clustered(size_t centres, size_t per_centre, int spread, std::mt19937_64& rng) {
  std::vector<PdqHash> out;
  std::uniform_int_distribution<int> bits(0, spread);
  for (size_t c = 0; c < centres; ++c) {
    const PdqHash centre = RandomHash(rng);
    out.push_back(centre);
    for (size_t i = 0; i < per_centre; ++i) out.push_back(Flip(centre, bits(rng), rng));
  }
  return out;
}

void CheckDataset(const std::vector<PdqHash>& data, std::mt19937_64& rng) {
  const std::set<PdqHash> stored(data.begin(), data.end());
  const std::vector<PdqHash> queries = QueriesNear(data, 120, rng);
  for (const bool allow_scan : {false, true}) {
    CAPTURE(allow_scan);
    Index index(IndexOptions{allow_scan});
    index.Assign(data);
    Tally tally;
    ExpectExact(index, stored, queries, tally);
    MESSAGE(tally.queries, " queries, ", tally.matches, " matches, all exact");
    CHECK(tally.matches > tally.queries / 5);  // the comparison is not vacuous
  }
}

TEST_CASE("random hashes: every match and only matches, at every distance") {
  std::mt19937_64 rng(1);
  std::vector<PdqHash> data;
  for (int i = 0; i < 30000; ++i) data.push_back(RandomHash(rng));
  CheckDataset(data, rng);
}

TEST_CASE("clustered near-duplicates: every match and only matches, at every distance") {
  std::mt19937_64 rng(2);
  CheckDataset(Clustered(12, 2500, 45, rng), rng);
}

TEST_CASE("tiny and empty indexes") {
  std::mt19937_64 rng(3);
  Index index;
  const PdqHash h = RandomHash(rng);
  auto none = index.Query(h, 31);
  REQUIRE(none.ok());
  CHECK(none->empty());
  CHECK(index.Insert(h));
  CHECK(!index.Insert(h));
  CHECK(index.Contains(h));
  auto one = index.Query(Flip(h, 31, rng), 31);
  REQUIRE(one.ok());
  REQUIRE(one->size() == 1);
  CHECK(one->front().distance == 31);
  CHECK(index.Query(Flip(h, 32, rng), 31)->empty());
  CHECK(index.Erase(h));
  CHECK(!index.Erase(h));
  CHECK(index.size() == 0);
  index.Assign(std::vector<PdqHash>{h, h, h});
  CHECK(index.size() == 1);
}

// Small segments have short bucket keys (4 bits at the least), shorter than
// the per-piece thresholds at large distances.
TEST_CASE("small indexes, whose bucket keys are shorter than the thresholds, are exact at every distance") {
  std::mt19937_64 rng(8);
  for (const size_t n : {size_t{1}, size_t{7}, size_t{60}, size_t{500}}) {
    CAPTURE(n);
    std::vector<PdqHash> data = Clustered(1, n - 1, 63, rng);
    for (const bool allow_scan : {false, true}) {
      Index index(IndexOptions{allow_scan});
      index.Assign(data);
      Tally tally;
      ExpectExact(index, std::set<PdqHash>(data.begin(), data.end()), QueriesNear(data, 40, rng), tally);
    }
  }
}

TEST_CASE("distances outside 0-63 are refused") {
  Index index;
  CHECK(index.Query(PdqHash{}, -1).status().code() == exchange::ErrorCode::kInvalidArgument);
  CHECK(index.Query(PdqHash{}, 64).status().code() == exchange::ErrorCode::kInvalidArgument);
  CHECK(index.Query(PdqHash{}, 63).ok());
}

// Enough inserts to fold the buffer into segments twice, and enough deletes
// to rebuild a segment, checked against a model after each phase.
TEST_CASE("inserts and deletes, through buffer folds and segment rebuilds, stay exact") {
  std::mt19937_64 rng(4);
  for (const bool allow_scan : {false, true}) {
    CAPTURE(allow_scan);
    Index index(IndexOptions{allow_scan});
    std::vector<PdqHash> initial = Clustered(20, 300, 40, rng);
    for (int i = 0; i < 4000; ++i) initial.push_back(RandomHash(rng));
    index.Assign(initial);
    std::set<PdqHash> model(initial.begin(), initial.end());
    Tally tally;

    // Phase 1: 20,000 inserts (near-duplicates of stored hashes, and new ones).
    std::vector<PdqHash> inserted;
    std::uniform_int_distribution<size_t> pick(0, initial.size() - 1);
    for (int i = 0; i < 20000; ++i) {
      const PdqHash h = i % 2 ? RandomHash(rng) : Flip(initial[pick(rng)], 1 + i % 20, rng);
      CHECK(index.Insert(h) == model.insert(h).second);
      inserted.push_back(h);
      if (i == 5000) ExpectExact(index, model, QueriesNear(initial, 30, rng), tally);  // still in the buffer
    }
    ExpectExact(index, model, QueriesNear(inserted, 40, rng), tally);

    // Phase 2: delete 60% of everything, and some hashes never stored.
    std::vector<PdqHash> all(model.begin(), model.end());
    std::shuffle(all.begin(), all.end(), rng);
    for (size_t i = 0; i < all.size() * 6 / 10; ++i) {
      CHECK(index.Erase(all[i]));
      model.erase(all[i]);
      if (i % 1000 == 0) CHECK(!index.Erase(RandomHash(rng)));
    }
    for (size_t i = 0; i < 200; ++i) CHECK(!index.Contains(all[i]));
    ExpectExact(index, model, QueriesNear(all, 40, rng), tally);

    // Phase 3: re-insert some deleted hashes and delete some inserted ones.
    for (size_t i = 0; i < 3000; ++i) {
      CHECK(index.Insert(all[i]));
      model.insert(all[i]);
    }
    for (size_t i = all.size() - 2000; i < all.size(); ++i) {
      CHECK(index.Erase(all[i]));
      model.erase(all[i]);
    }
    ExpectExact(index, model, QueriesNear(all, 40, rng), tally);
    MESSAGE(tally.queries, " queries after updates, ", tally.matches, " matches, all exact");
  }
}

// Two indexes give the same answers, in the same order.
void ExpectSame(const Index& a, const Index& b, const std::vector<PdqHash>& queries) {
  REQUIRE(a.size() == b.size());
  for (const int d : kDistances) {
    for (const PdqHash& q : queries) {
      auto x = a.Query(q, d);
      auto y = b.Query(q, d);
      REQUIRE(x.ok());
      REQUIRE(y.ok());
      REQUIRE(x->size() == y->size());
      for (size_t i = 0; i < x->size(); ++i) {
        REQUIRE(x->at(i).hash == y->at(i).hash);
        REQUIRE(x->at(i).distance == y->at(i).distance);
      }
    }
  }
}

// Built one insert at a time, the buffer folds into small segments that
// merge into larger ones: past several merge levels the index stays exact,
// answers as one Assign'd with the same hashes, keeps O(log n) segments, and
// deletes spread over every segment apply.
TEST_CASE("inserts one by one, through several segment merge levels, answer as Assign and brute force") {
  std::mt19937_64 rng(9);
  for (const bool allow_scan : {false, true}) {
    CAPTURE(allow_scan);
    Index inserted(IndexOptions{allow_scan});
    std::vector<PdqHash> all;
    std::set<PdqHash> model;
    Tally tally;
    size_t most_segments = 0;
    // Near-duplicates of earlier hashes as well as new ones, so that matches
    // span segments built at different times.
    for (size_t i = 0; i < 100'000; ++i) {
      const PdqHash h = (i % 3 == 0 && !all.empty()) ? Flip(all[rng() % all.size()], 1 + i % 25, rng) : RandomHash(rng);
      CHECK(inserted.Insert(h) == model.insert(h).second);
      all.push_back(h);
      most_segments = std::max(most_segments, inserted.segment_count());
      if (i == 30'000) ExpectExact(inserted, model, QueriesNear(all, 20, rng), tally);
    }
    // 100,000 / 8,192 folds, each segment more than twice the size of those after it.
    MESSAGE("segments: " << inserted.segment_count() << " now, " << most_segments << " at most");
    CHECK(inserted.segment_count() >= 2);
    CHECK(most_segments <= 6);
    const std::vector<PdqHash> queries = QueriesNear(all, 40, rng);
    ExpectExact(inserted, model, queries, tally);
    Index assigned(IndexOptions{allow_scan});
    assigned.Assign(all);
    CHECK(assigned.segment_count() == 1);
    ExpectSame(inserted, assigned, queries);

    // Deletes in every segment (and in the buffer), a third of everything,
    // enough to rebuild some segments; then more inserts.
    std::vector<PdqHash> stored(model.begin(), model.end());
    std::shuffle(stored.begin(), stored.end(), rng);
    for (size_t i = 0; i < stored.size() / 3; ++i) {
      CHECK(inserted.Erase(stored[i]));
      CHECK(assigned.Erase(stored[i]));
      model.erase(stored[i]);
    }
    for (size_t i = 0; i < 100; ++i) CHECK(!inserted.Contains(stored[i]));
    for (size_t i = stored.size() / 3; i < stored.size() / 3 + 100; ++i) CHECK(inserted.Contains(stored[i]));
    for (size_t i = 0; i < 20'000; ++i) {
      const PdqHash h = i % 2 ? RandomHash(rng) : stored[i];  // some of them deleted just now
      CHECK(inserted.Insert(h) == model.insert(h).second);
      assigned.Insert(h);
    }
    const std::vector<PdqHash> later = QueriesNear(stored, 40, rng);
    ExpectExact(inserted, model, later, tally);
    ExpectSame(inserted, assigned, later);
    MESSAGE(tally.queries, " queries, ", tally.matches, " matches, all exact");
  }
}

TEST_CASE("queries run while a writer inserts and deletes") {
  std::mt19937_64 rng(5);
  Index index;
  std::vector<PdqHash> stable;
  for (int i = 0; i < 5000; ++i) stable.push_back(RandomHash(rng));
  index.Assign(stable);
  std::atomic<bool> done{false};
  std::atomic<int> missing{0};
  std::thread reader([&] {
    std::mt19937_64 local(6);
    while (!done) {
      // The stable hashes are never deleted, so each must always be found.
      const PdqHash& h = stable[local() % stable.size()];
      auto matches = index.Query(Flip(h, 10, local), 31);
      if (!matches.ok() ||
          std::none_of(matches->begin(), matches->end(), [&](const Match& m) { return m.hash == h; })) {
        ++missing;
      }
    }
  });
  std::vector<PdqHash> churn;
  for (int i = 0; i < 30000; ++i) {
    churn.push_back(RandomHash(rng));
    index.Insert(churn.back());
    if (i % 3 == 0) index.Erase(churn[churn.size() / 2]);
  }
  done = true;
  reader.join();
  CHECK(missing == 0);
  for (const PdqHash& h : stable) REQUIRE(index.Contains(h));
}

TEST_CASE("memory per stored hash is under 64 bytes at scale") {
  std::mt19937_64 rng(7);
  std::vector<PdqHash> data;
  for (int i = 0; i < 1'000'000; ++i) data.push_back(RandomHash(rng));
  Index index;
  index.Assign(data);
  const double per_hash = static_cast<double>(index.MemoryBytes()) / static_cast<double>(index.size());
  MESSAGE("bytes per stored hash at 1M: ", per_hash);
  CHECK(per_hash <= 64.0);
}

}  // namespace
