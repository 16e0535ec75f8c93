// SPDX-License-Identifier: Apache-2.0
// The tlog-witness decisions on real checkpoints built from real leaves: a
// log that grows is cosigned (and the cosignature verifies), a rollback or a
// fork at the same size is 409 with the recorded size, a bad proof 422, an
// unknown origin 404, a bad or untrusted signature 403, a malformed body 400.
#include "log/witness.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "log/checkpoint.h"
#include "log/cosignature.h"
#include "log/hash.h"
#include "log/merkle.h"
#include "log/signed_note.h"
#include "witnessed_log.h"

namespace {

using namespace exchange;
using namespace exchange::log;

constexpr std::string_view kOrigin = testing::kWitnessedOrigin;
constexpr uint64_t kNow = 1'800'000'000;

using TestLog = testing::WitnessedLog;

Witness MakeWitness(const TestLog& log, Signer& cosigner) {
  cosigner = GenerateSigner("witness.test/w1", KeyType::kCosignatureV1).value();
  Witness w = Witness::Create(cosigner).value();
  REQUIRE(w.AddLog(std::string(kOrigin), log.key.verifier()).ok());
  return w;
}

// What most cases start from: an empty log, and a witness that trusts it
// (its cosigner made by MakeWitness).
struct LogAndWitness {
  TestLog log;
  Signer cosigner = GenerateSigner("x", KeyType::kCosignatureV1).value();
  Witness w = MakeWitness(log, cosigner);
};

// Decide, and on 200 record as a server would after persisting.
WitnessDecision Submit(Witness& w, const std::string& body) {
  WitnessDecision d = w.Decide(body, kNow);
  if (d.http_status == 200) {
    REQUIRE(d.to_persist.has_value());
    REQUIRE(w.Record(*d.to_persist).ok());
  } else {
    CHECK_FALSE(d.to_persist.has_value());
  }
  return d;
}

TEST_CASE("a growing log is cosigned at every step and the cosignature verifies") {
  auto [log, cosigner, w] = LogAndWitness{};
  log.Grow(300);
  uint64_t old_size = 0;
  for (uint64_t size : {1u, 2u, 3u, 7u, 8u, 9u, 255u, 256u, 257u, 300u}) {
    CAPTURE(size);
    const WitnessDecision d = Submit(w, log.Body(old_size, size));
    REQUIRE(d.http_status == 200);
    auto ts = VerifyCosignature(log.At(size).Format(), d.body, cosigner.verifier());
    REQUIRE(ts.ok());
    CHECK(*ts == kNow);
    CHECK(d.body.starts_with("\u2014 witness.test/w1 "));
    CHECK(w.RecordedSize(kOrigin) == size);
    old_size = size;
  }
  // The same checkpoint again is cosigned again (empty proof, same root).
  CHECK(Submit(w, log.Body(300, 300)).http_status == 200);
}

TEST_CASE("a checkpoint that does not extend the recorded one is 409 with the recorded size") {
  auto [log, cosigner, w] = LogAndWitness{};
  log.Grow(20);
  REQUIRE(Submit(w, log.Body(0, 10)).http_status == 200);

  SUBCASE("rollback to a smaller size from the recorded one") {
    const WitnessDecision d = Submit(w, log.Body(10, 5));
    CHECK(d.http_status == 400);  // old size above the checkpoint size
    const WitnessDecision d2 = Submit(w, log.Body(0, 5));
    CHECK(d2.http_status == 409);
    CHECK(d2.content_type == "text/x.tlog.size");
    CHECK(d2.body == "10\n");
  }
  SUBCASE("a stale old size") {
    const WitnessDecision d = Submit(w, log.Body(5, 20));
    CHECK(d.http_status == 409);
    CHECK(d.body == "10\n");
  }
  SUBCASE("another root at the recorded size") {
    TestLog fork;
    fork.key = log.key;
    fork.Grow(10, "b");
    const WitnessDecision d = Submit(w, fork.Body(10, 10));
    CHECK(d.http_status == 409);
    CHECK(d.content_type == "text/x.tlog.size");
    CHECK(d.body == "10\n");
  }
  CHECK(w.RecordedSize(kOrigin) == 10);
  CHECK(w.Recorded(kOrigin)->root == log.At(10).root);
}

TEST_CASE("a fork beyond the recorded size fails its proof: 422, nothing recorded") {
  auto [log, cosigner, w] = LogAndWitness{};
  log.Grow(10);
  REQUIRE(Submit(w, log.Body(0, 8)).http_status == 200);
  TestLog fork;
  fork.key = log.key;
  fork.Grow(20, "b");  // a different history signed by the same key
  CHECK(Submit(w, fork.Body(8, 20)).http_status == 422);

  // A correct proof for another pair of sizes does not fit either.
  AddCheckpointRequest r;
  r.old_size = 8;
  r.proof = ConsistencyProof(std::span<const Hash>(log.leaves.data(), 10), 9).value();
  r.note = log.Note(log.At(10));
  CHECK(Submit(w, FormatAddCheckpointRequest(r)).http_status == 422);
  // A non-empty proof from 0 is refused too.
  r.old_size = 0;
  TestLog fresh;
  Witness w2 = MakeWitness(fresh, cosigner);
  fresh.Grow(4);
  r.note = fresh.Note(fresh.At(4));
  r.proof = {LeafHash("x")};
  CHECK(w2.Decide(FormatAddCheckpointRequest(r), kNow).http_status == 422);
  CHECK(w.RecordedSize(kOrigin) == 8);
}

TEST_CASE("unknown origin is 404; untrusted or bad signature is 403") {
  auto [log, cosigner, w] = LogAndWitness{};
  log.Grow(3);

  Checkpoint other = log.At(3);
  other.origin = "exchange.test/unknown";
  Signer other_key = GenerateSigner("exchange.test/unknown").value();
  std::vector<Signer> s{other_key};
  AddCheckpointRequest r{0, {}, SignNote(other.Format(), s).value()};
  CHECK(w.Decide(FormatAddCheckpointRequest(r), kNow).http_status == 404);

  // Signed by a key of the same name that the witness does not trust.
  TestLog impostor;
  impostor.leaves = log.leaves;
  CHECK(w.Decide(impostor.Body(0, 3), kNow).http_status == 403);

  // A trusted signature over other text: flip one character of the root.
  std::string body = log.Body(0, 3);
  const size_t root_at = body.find('\n', body.find("3\n", 7)) + 1;
  body[root_at] = body[root_at] == 'A' ? 'B' : 'A';
  CHECK(w.Decide(body, kNow).http_status == 403);
  CHECK(w.RecordedSize(kOrigin) == 0);
}

TEST_CASE("malformed bodies are 400") {
  auto [log, cosigner, w] = LogAndWitness{};
  log.Grow(3);
  const std::string note = log.Note(log.At(3));
  for (const std::string& body : std::vector<std::string>{
           "", "old 0\n" + note, "old 00\n\n" + note, "old -1\n\n" + note, "old 0 \n\n" + note, "new 0\n\n" + note,
           std::string("old 0\n\n"), "old 0\nnotbase64!\n\n" + note, "old 0\nAAAA\n\n" + note,
           std::string("old 0\n\nexchange.test/c1\n3\n"), "old 18446744073709551616\n\n" + note}) {
    CAPTURE(body);
    CHECK(w.Decide(body, kNow).http_status == 400);
  }
  std::string many = "old 1\n";
  for (int i = 0; i < 64; ++i) many += "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";
  CHECK(w.Decide(many + "\n" + note, kNow).http_status == 400);
  CHECK(w.Decide("old 0\n\n" + note, kNow).http_status == 200);
}

TEST_CASE("a witness key must be a cosignature key and log keys note keys") {
  CHECK_FALSE(Witness::Create(GenerateSigner("w").value()).ok());
  Witness w = Witness::Create(GenerateSigner("w", KeyType::kCosignatureV1).value()).value();
  CHECK_FALSE(w.AddLog("o", GenerateSigner("o", KeyType::kCosignatureV1).value().verifier()).ok());
  CHECK_FALSE(w.AddLog("", GenerateSigner("o").value().verifier()).ok());
  Checkpoint c;
  c.origin = "nope";
  CHECK(w.Record(c).code() == ErrorCode::kNotFound);
}

}  // namespace

TEST_CASE("a family origin NAME/* covers every log under NAME/, each recorded on its own") {
  TestLog log;  // origin exchange.test/c1, signed by log.key
  Signer cosigner = GenerateSigner("witness.test/w1", KeyType::kCosignatureV1).value();
  Witness w = Witness::Create(cosigner).value();
  REQUIRE(w.AddLog("exchange.test/*", log.key.verifier()).ok());
  CHECK(w.Knows(kOrigin));
  CHECK(w.Knows("exchange.test/audit"));
  CHECK_FALSE(w.Knows("exchange.test/"));
  CHECK_FALSE(w.Knows("other.test/c1"));

  log.Grow(4);
  WitnessDecision first = w.Decide(log.Body(0, 4), kNow);
  REQUIRE(first.http_status == 200);
  REQUIRE(w.Record(*first.to_persist).ok());
  CHECK(w.RecordedSize(kOrigin) == 4);
  CHECK(w.RecordedSize("exchange.test/audit") == 0);
  // The family's log keeps the rules of any other: a fork of what it recorded is 409.
  TestLog fork;
  fork.key = log.key;
  fork.Grow(4, "b");
  CHECK(w.Decide(fork.Body(4, 4), kNow).http_status == 409);
  log.Grow(2);
  CHECK(w.Decide(log.Body(4, 6), kNow).http_status == 200);
}
