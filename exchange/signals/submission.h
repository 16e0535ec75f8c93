// SPDX-License-Identifier: Apache-2.0
// The rules a submitted signal must meet, as pure code: the exchange applies
// them to every item of POST /v1/collections/{c}/signals (api/signals.cpp),
// and a client can apply the same ones before it sends anything.
//
// Plain structs in, plain structs and Status out: no Protobuf, no store
// types, no I/O, so exchangectl can link it with exchange_signals alone.
// A client fills SubmissionRules from GET /v1/collections (the Collection
// message's allowed_kinds, each through ParseKind, required_fields,
// allowed_categories, label_vocabulary and name) and a Submission per item, then calls
// CheckSubmission; an error's message() is exactly what the exchange would
// answer for that item ("rejected", with this text as its error).
//
// Thread-safe: functions of their arguments only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/limits.h"
#include "common/status.h"
#include "signals/kind.h"

namespace exchange::signals {

// What a collection asks of each item submitted to it.
struct SubmissionRules {
  std::string collection;                       // its name, used in messages
  std::vector<Kind> allowed_kinds;              // empty: every kind
  std::vector<std::string> allowed_categories;  // the taxonomy, in its spelling; empty: any token
  std::vector<std::string> label_vocabulary;    // allowed labels, in their spelling; empty: any token
  // Any of "category", "labels", "reviewed", "source_ref", "principles",
  // "expires_at"; other names require nothing.
  std::vector<std::string> required_fields;
};

// One item as a member submits it (the fields of v1::SignalSubmission).
struct Submission {
  std::string kind;   // a wire name (signals/kind.h), exactly
  std::string value;  // as the member has it; canonicalised by the check
  std::string category;
  std::vector<std::string> labels;
  bool reviewed = false;
  std::string source_ref;
  std::vector<uint32_t> principles;
  std::string expires_at;    // RFC 3339, or empty
  uint32_t pdq_quality = 0;  // pdq only; 0 when not given
};

// The item as the exchange records it.
struct CheckedSubmission {
  Kind kind = Kind::kMd5;
  std::string kind_name;            // the wire name, as submitted
  std::string value;                // canonical (signals/canonical.h)
  std::string skeleton;             // look-alike key (signals/look_alike.h); empty: none
  std::string category;             // in the taxonomy's spelling ("a1" -> "A1"), or empty
  std::vector<std::string> labels;  // in the vocabulary's spelling, sorted, without repeats
  bool reviewed = false;
  std::string source_ref;
  std::vector<uint32_t> principles;  // sorted, without repeats
  std::string expires_at;            // normalised RFC 3339 UTC, or empty
  int pdq_quality = -1;              // 0-100 for pdq; -1 for other kinds
};

// Limits of one submission, in the messages below.
inline constexpr std::size_t kMaxBatchSignals = 10000;
inline constexpr std::size_t kMaxLabels = 32;
inline constexpr std::size_t kMaxTokenBytes = 64;  // a category or a label
inline constexpr std::size_t kMaxSourceRefBytes = 256;
inline constexpr uint32_t kMaxPrinciple = 11;  // the coalition's principles are numbered 1 to 11
inline constexpr std::size_t kMaxIdempotencyKeyBytes = limits::kMaxIdempotencyKeyBytes;

// The canonical item, or InvalidArgument saying what is wrong with it, e.g.
// "collection csam-known does not accept kind url" or "category is required
// in csam-known". `now` (Unix seconds) decides whether expires_at has passed.
// The checks run in a fixed order (kind, value, category, labels, source_ref,
// principles, expires_at, pdq_quality, then the collection's required
// fields) and the first failure is the answer.
Result<CheckedSubmission> CheckSubmission(const Submission& item, const SubmissionRules& rules, int64_t now);

// A batch of `count` items: InvalidArgument when empty, PayloadTooLarge
// (413) above kMaxBatchSignals.
Status CheckSubmissionBatchSize(std::size_t count);

// The Idempotency-Key header: at most kMaxIdempotencyKeyBytes visible ASCII
// characters. Empty is allowed (no replay protection).
Status CheckIdempotencyKey(std::string_view key);

// True when `text` holds no control character (bytes below 0x20, and 0x7f).
bool IsPrintableText(std::string_view text);

}  // namespace exchange::signals
