// SPDX-License-Identifier: Apache-2.0
// Witness policies: the format's lines and their errors, k-of-n groups and
// nested groups, and which cosignatures on a real checkpoint count — a
// cosignature by a witness the policy names counts once, one by another key
// does not, and a forged one is an error rather than a missing vote.
#include "log/witness_policy.h"

#include <doctest/doctest.h>

#include <string>

#include "log/cosignature.h"
#include "log/signed_note.h"
#include "witnessed_log.h"

namespace {

using namespace exchange;
using namespace exchange::log;

Signer Cosigner(const std::string& name) { return GenerateSigner(name, KeyType::kCosignatureV1).value(); }

std::string Vkey(const Signer& s) { return s.verifier().VerifierKey(); }

TEST_CASE("a witness policy parses k-of-n groups and nested groups") {
  const Signer a = Cosigner("witness.a"), b = Cosigner("witness.b"), c = Cosigner("witness.c");
  const std::string text =
      "# three witnesses, two must agree\n"
      "witness A " +
      Vkey(a) +
      " https://a.example/\n"
      "witness B " +
      Vkey(b) +
      "\n"
      "witness C " +
      Vkey(c) +
      "   # trailing comment\n"
      "\n"
      "group two 2 A B C\n"
      "group any-of-ab any A B\n"
      "group strict all two any-of-ab\n"
      "quorum two";
  auto policy = WitnessPolicy::Parse(text);
  REQUIRE_MESSAGE(policy.ok(), policy.status().ToString());
  CHECK(policy->RequiresWitnesses());
  CHECK(policy->witnesses().size() == 3);
  CHECK(policy->witness_name(1) == "B");
  CHECK(policy->MinimumWitnesses() == 2);
  CHECK_FALSE(policy->Satisfied({}));
  CHECK_FALSE(policy->Satisfied({"A"}));
  CHECK(policy->Satisfied({"A", "C"}));
  CHECK(policy->Satisfied({"A", "B", "C"}));
  CHECK_FALSE(policy->Satisfied({"A", "unknown"}));

  auto strict = WitnessPolicy::Parse(text.substr(0, text.rfind("quorum")) + "quorum strict\n");
  REQUIRE(strict.ok());
  CHECK(strict->Satisfied({"A", "C"}));
  CHECK(strict->Satisfied({"B", "C"}));  // two of three, and B is one of A, B
  CHECK_FALSE(strict->Satisfied({"C"}));
}

TEST_CASE("no quorum, or quorum none, asks for no witness") {
  const Signer a = Cosigner("witness.a");
  for (const std::string& text :
       {std::string("witness A " + Vkey(a) + "\n"), std::string("quorum none\n"), std::string("")}) {
    auto policy = WitnessPolicy::Parse(text);
    REQUIRE(policy.ok());
    CHECK_FALSE(policy->RequiresWitnesses());
    CHECK(policy->Satisfied({}));
    CHECK(policy->MinimumWitnesses() == 0);
  }
}

TEST_CASE("malformed policies are refused with the line") {
  const Signer a = Cosigner("witness.a");
  const Signer log_key = GenerateSigner("exchange.test/log").value();
  const std::string wa = "witness A " + Vkey(a) + "\n";
  struct Case {
    std::string text, fragment;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"witnesses A " + Vkey(a) + "\n", "line 1: unknown keyword"},
           {"witness A\n", "line 1: expected"},
           {"witness A " + Vkey(log_key) + "\n", "cosignature/v1"},
           {"log " + Vkey(a) + "\n", "Ed25519"},
           {"witness A not-a-key\n", "witness key"},
           {wa + wa, "line 2: the name A is used twice"},
           {wa + "group g 2 A\n", "threshold"},
           {wa + "group g 0 A\n", "threshold"},
           {wa + "group g 01 A\n", "threshold"},
           {wa + "group g 1 A A\n", "listed twice"},
           {wa + "group g 1 B\n", "unknown member B"},
           {wa + "quorum B\n", "unknown quorum B"},
           {wa + "quorum A\nquorum A\n", "line 3: a second quorum"},
           {wa + "quorum A B\n", "expected"},
       }) {
    auto policy = WitnessPolicy::Parse(c.text);
    REQUIRE_FALSE(policy.ok());
    CHECK(policy.status().code() == ErrorCode::kInvalidArgument);
    CHECK_MESSAGE(policy.status().message().find(c.fragment) != std::string::npos, policy.status().message());
  }
}

TEST_CASE("log lines add trusted log keys") {
  const Signer log_key = GenerateSigner("exchange.test/log").value();
  auto policy = WitnessPolicy::Parse("log " + Vkey(log_key) + " https://exchange.example/\n");
  REQUIRE(policy.ok());
  REQUIRE(policy->log_keys().size() == 1);
  CHECK(policy->log_keys()[0].VerifierKey() == Vkey(log_key));
}

TEST_CASE("only valid cosignatures by the policy's witnesses count") {
  testing::WitnessedLog log;
  log.Grow(5);
  const Checkpoint checkpoint = log.At(5);
  const std::string note = log.Note(checkpoint);
  const Signer a = Cosigner("witness.a"), b = Cosigner("witness.b"), stranger = Cosigner("witness.x");
  auto policy =
      WitnessPolicy::Parse("witness A " + Vkey(a) + "\nwitness B " + Vkey(b) + "\ngroup both all A B\nquorum both\n");
  REQUIRE(policy.ok());

  auto none = CheckWitnesses(note, *policy);
  REQUIRE(none.ok());
  CHECK(none->cosigned.empty());
  CHECK_FALSE(none->satisfied);

  const std::string with_a = note + CoSign(checkpoint.Format(), a, 1'800'000'100).value();
  const std::string with_ax = with_a + CoSign(checkpoint.Format(), stranger, 1'800'000'300).value();
  auto one = CheckWitnesses(with_ax, *policy);
  REQUIRE(one.ok());
  CHECK(one->cosigned == std::set<std::string>{"A"});
  CHECK(one->newest_timestamp == 1'800'000'100);
  CHECK_FALSE(one->satisfied);

  const std::string with_ab = with_ax + CoSign(checkpoint.Format(), b, 1'800'000'200).value();
  auto two = CheckWitnesses(with_ab, *policy);
  REQUIRE(two.ok());
  CHECK(two->cosigned == std::set<std::string>{"A", "B"});
  CHECK(two->newest_timestamp == 1'800'000'200);
  CHECK(two->satisfied);

  // B's cosignature over another tree, pasted under this one: a forgery, not a missing vote.
  log.Grow(1);
  const std::string other = CoSign(log.At(6).Format(), b, 1'800'000'200).value();
  auto forged = CheckWitnesses(with_a + other, *policy);
  REQUIRE_FALSE(forged.ok());
  CHECK(forged.status().code() == ErrorCode::kUnauthenticated);
}

}  // namespace
