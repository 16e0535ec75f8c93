// SPDX-License-Identifier: Apache-2.0
// The submission rules (signals/submission.h): what an item must meet to be
// accepted into a collection, with the exact messages the exchange answers and
// a client pre-check shows.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "example_values.h"
#include "signals/submission.h"

namespace {

using namespace exchange;
using namespace exchange::signals;
using exchange::testing::kPdq;
using exchange::testing::kSha256;

constexpr int64_t kNow = 1767225600;  // 2026-01-01T00:00:00Z

// A collection named `name` that asks nothing more.
SubmissionRules Open(const std::string& name = "open") {
  SubmissionRules rules;
  rules.collection = name;
  return rules;
}

Submission Sha256Item() {
  Submission item;
  item.kind = "sha256";
  item.value = kSha256;
  return item;
}

// The message of the rejection of `item` under `rules`; "" when accepted.
std::string Refusal(const Submission& item, const SubmissionRules& rules = Open()) {
  auto checked = CheckSubmission(item, rules, kNow);
  if (checked.ok()) return "";
  CHECK(checked.status().code() == ErrorCode::kInvalidArgument);
  return checked.status().message();
}

TEST_CASE("an ordinary item is accepted and canonicalised") {
  Submission item = Sha256Item();
  item.value = "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855";
  auto checked = CheckSubmission(item, Open(), kNow);
  REQUIRE(checked.ok());
  CHECK(checked->kind == Kind::kSha256);
  CHECK(checked->kind_name == "sha256");
  CHECK(checked->value == kSha256);
  CHECK(checked->pdq_quality == -1);
  CHECK(checked->expires_at.empty());
}

TEST_CASE("kinds: unknown, and not accepted by the collection") {
  Submission item = Sha256Item();
  item.kind = "SHA256";
  CHECK(Refusal(item) ==
        "unknown kind 'SHA256'; valid kinds: md5, sha1, sha256, pdq, photodna, tmk_pdqf, vpdq, url, domain, keyword, "
        "account_id");
  SubmissionRules rules = Open("hashes-only");
  rules.allowed_kinds = {Kind::kMd5, Kind::kPdq};
  CHECK(Refusal(Sha256Item(), rules) == "collection hashes-only does not accept kind sha256");
  rules.allowed_kinds.push_back(Kind::kSha256);
  CHECK(Refusal(Sha256Item(), rules).empty());
}

TEST_CASE("a value that does not canonicalise is refused with the canonical form's message") {
  Submission item = Sha256Item();
  item.value = "not hex";
  CHECK_FALSE(Refusal(item).empty());
  CHECK(Refusal(item).find("sha256") != std::string::npos);
}

TEST_CASE("categories: token shape and taxonomy spelling") {
  Submission item = Sha256Item();
  item.category = "has space";
  CHECK(Refusal(item) == "category must be 1-64 letters, digits or _ - . :");
  item.category = std::string(65, 'a');
  CHECK(Refusal(item) == "category must be 1-64 letters, digits or _ - . :");

  SubmissionRules rules = Open("csam-known");
  rules.allowed_categories = {"A1", "B1"};
  item.category = "c9";
  CHECK(Refusal(item, rules) == "category 'c9' is not in the taxonomy of csam-known; allowed: A1, B1");
  item.category = "b1";
  auto checked = CheckSubmission(item, rules, kNow);
  REQUIRE(checked.ok());
  CHECK(checked->category == "B1");
}

TEST_CASE("labels: count, shape, vocabulary; sorted without repeats") {
  Submission item = Sha256Item();
  item.labels.assign(33, "x");
  CHECK(Refusal(item) == "more than 32 labels");
  item.labels = {"ok", "bad label"};
  CHECK(Refusal(item) == "label 'bad label' must be 1-64 letters, digits or _ - . :");

  SubmissionRules rules = Open("labelled");
  rules.label_vocabulary = {"Grooming", "Sextortion"};
  item.labels = {"violence"};
  CHECK(Refusal(item, rules) ==
        "label 'violence' is not in the label vocabulary of labelled; allowed: Grooming, Sextortion");
  item.labels = {"sextortion", "grooming", "GROOMING"};
  auto checked = CheckSubmission(item, rules, kNow);
  REQUIRE(checked.ok());
  CHECK(checked->labels == std::vector<std::string>{"Grooming", "Sextortion"});
}

TEST_CASE("source_ref, principles, expires_at") {
  Submission item = Sha256Item();
  item.source_ref = std::string(257, 'r');
  CHECK(Refusal(item) == "source_ref must be at most 256 printable bytes");
  item.source_ref = "case\n42";
  CHECK(Refusal(item) == "source_ref must be at most 256 printable bytes");
  item.source_ref = std::string(256, 'r');
  CHECK(Refusal(item).empty());

  item = Sha256Item();
  item.principles = {3, 12};
  CHECK(Refusal(item) == "principles are numbered 1 to 11, got 12");
  item.principles = {0};
  CHECK(Refusal(item) == "principles are numbered 1 to 11, got 0");
  item.principles = {11, 1, 11};
  auto checked = CheckSubmission(item, Open(), kNow);
  REQUIRE(checked.ok());
  CHECK(checked->principles == std::vector<uint32_t>{1, 11});

  item = Sha256Item();
  item.expires_at = "2025-12-31T23:59:59Z";
  CHECK(Refusal(item) == "expires_at is in the past");
  item.expires_at = "2026-01-01T00:00:00Z";  // now is not in the future either
  CHECK(Refusal(item) == "expires_at is in the past");
  item.expires_at = "tomorrow";
  CHECK(Refusal(item).rfind("expires_at: ", 0) == 0);
  item.expires_at = "2026-06-01T12:00:00Z";
  checked = CheckSubmission(item, Open(), kNow);
  REQUIRE(checked.ok());
  CHECK(checked->expires_at == "2026-06-01T12:00:00Z");
}

TEST_CASE("pdq_quality applies to pdq signals only, 0-100") {
  Submission item = Sha256Item();
  item.pdq_quality = 50;
  CHECK(Refusal(item) == "pdq_quality applies to pdq signals only");
  item.kind = "pdq";
  item.value = kPdq;
  item.pdq_quality = 101;
  CHECK(Refusal(item) == "pdq_quality must be 0-100");
  item.pdq_quality = 100;
  auto checked = CheckSubmission(item, Open(), kNow);
  REQUIRE(checked.ok());
  CHECK(checked->pdq_quality == 100);
  item.pdq_quality = 0;
  checked = CheckSubmission(item, Open(), kNow);
  REQUIRE(checked.ok());
  CHECK(checked->pdq_quality == 0);
}

TEST_CASE("required fields, each with its message") {
  SubmissionRules rules = Open("strict");
  rules.required_fields = {"category", "labels", "reviewed", "source_ref", "principles", "expires_at"};
  Submission item = Sha256Item();
  CHECK(Refusal(item, rules) == "category is required in strict");
  item.category = "A1";
  CHECK(Refusal(item, rules) == "labels are required in strict");
  item.labels = {"l"};
  CHECK(Refusal(item, rules) == "collection strict accepts human-reviewed signals only");
  item.reviewed = true;
  CHECK(Refusal(item, rules) == "source_ref is required in strict");
  item.source_ref = "ticket-1";
  CHECK(Refusal(item, rules) == "principles are required in strict");
  item.principles = {2};
  CHECK(Refusal(item, rules) == "expires_at is required in strict");
  item.expires_at = "2027-01-01T00:00:00Z";
  CHECK(Refusal(item, rules).empty());
}

TEST_CASE("an item's own faults are reported before the collection's required fields") {
  SubmissionRules rules = Open("strict");
  rules.required_fields = {"category"};
  Submission item = Sha256Item();
  item.labels = {"bad label"};
  CHECK(Refusal(item, rules) == "label 'bad label' must be 1-64 letters, digits or _ - . :");
}

TEST_CASE("batch size") {
  CHECK(CheckSubmissionBatchSize(0).code() == ErrorCode::kInvalidArgument);
  CHECK(CheckSubmissionBatchSize(0).message() == "the batch holds no signals");
  CHECK(CheckSubmissionBatchSize(1).ok());
  CHECK(CheckSubmissionBatchSize(10000).ok());
  CHECK(CheckSubmissionBatchSize(10001).code() == ErrorCode::kPayloadTooLarge);
  CHECK(CheckSubmissionBatchSize(10001).message() == "a batch holds at most 10000 signals");
}

TEST_CASE("Idempotency-Key shape") {
  CHECK(CheckIdempotencyKey("").ok());  // no replay protection asked for
  CHECK(CheckIdempotencyKey("exchangectl-0f3a-17").ok());
  CHECK(CheckIdempotencyKey(std::string(200, 'k')).ok());
  for (const std::string& bad :
       {std::string(201, 'k'), std::string("with space"), std::string("tab\t"), std::string("caf\xc3\xa9")}) {
    Status refusal = CheckIdempotencyKey(bad);
    CHECK(refusal.code() == ErrorCode::kInvalidArgument);
    CHECK(refusal.message() == "Idempotency-Key must be 1-200 visible ASCII characters (a UUID, say)");
  }
}

TEST_CASE("printable text") {
  CHECK(IsPrintableText(""));
  CHECK(IsPrintableText("caf\xc3\xa9 ok"));
  CHECK_FALSE(IsPrintableText("a\x7f"));
  CHECK_FALSE(IsPrintableText("a\nb"));
}

}  // namespace
