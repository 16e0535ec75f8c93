// SPDX-License-Identifier: Apache-2.0
#include "signals/submission.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "common/time_format.h"
#include "signals/canonical.h"
#include "signals/look_alike.h"

namespace exchange::signals {
namespace {

// Categories and labels: short tokens, so feed entries and reports stay clean.
bool ValidToken(const std::string& s) {
  if (s.empty() || s.size() > kMaxTokenBytes) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' || c == ':';
  });
}

bool ValidSourceRef(const std::string& s) { return s.size() <= kMaxSourceRefBytes && IsPrintableText(s); }

bool Contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

bool EqualsIgnoringAsciiCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// `token` in the spelling of the collection's taxonomy ("a1" -> "A1"), or a
// rejection naming every allowed value. An empty taxonomy allows any token;
// an empty token is left to the required-field rules.
Result<std::string> InTaxonomy(const std::string& token, const std::vector<std::string>& allowed, std::string_view what,
                               const std::string& collection) {
  if (allowed.empty() || token.empty()) return token;
  for (const auto& value : allowed) {
    if (EqualsIgnoringAsciiCase(token, value)) return value;
  }
  std::string list;
  for (const auto& value : allowed) list += (list.empty() ? "" : ", ") + value;
  const std::string where = what == "label" ? "the label vocabulary of " : "the taxonomy of ";
  return Status::InvalidArgument(std::string(what) + " '" + token.substr(0, 64) + "' is not in " + where + collection +
                                 "; allowed: " + list);
}

// The collection's required fields, once the item's own checks have passed.
Status CheckRequired(const CheckedSubmission& item, const SubmissionRules& rules) {
  const auto& required = rules.required_fields;
  const std::string& name = rules.collection;
  if (Contains(required, "category") && item.category.empty())
    return Status::InvalidArgument("category is required in " + name);
  if (Contains(required, "labels") && item.labels.empty())
    return Status::InvalidArgument("labels are required in " + name);
  if (Contains(required, "reviewed") && !item.reviewed)
    return Status::InvalidArgument("collection " + name + " accepts human-reviewed signals only");
  if (Contains(required, "source_ref") && item.source_ref.empty())
    return Status::InvalidArgument("source_ref is required in " + name);
  if (Contains(required, "principles") && item.principles.empty())
    return Status::InvalidArgument("principles are required in " + name);
  if (Contains(required, "expires_at") && item.expires_at.empty())
    return Status::InvalidArgument("expires_at is required in " + name);
  return Status::Ok();
}

}  // namespace

bool IsPrintableText(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) >= 0x20 && c != 0x7f; });
}

Result<CheckedSubmission> CheckSubmission(const Submission& in, const SubmissionRules& rules, int64_t now) {
  auto kind = ParseKind(in.kind);
  if (!kind) return Status::InvalidArgument(UnknownKindMessage(in.kind));
  if (!rules.allowed_kinds.empty() &&
      std::find(rules.allowed_kinds.begin(), rules.allowed_kinds.end(), *kind) == rules.allowed_kinds.end()) {
    return Status::InvalidArgument("collection " + rules.collection + " does not accept kind " + in.kind);
  }
  auto value = Canonicalize(*kind, in.value);
  if (!value.ok()) return value.status();

  CheckedSubmission item;
  item.kind = *kind;
  item.kind_name = in.kind;
  item.value = *value;
  item.skeleton = LookAlikeSkeleton(*kind, item.value);
  if (!in.category.empty() && !ValidToken(in.category)) {
    return Status::InvalidArgument("category must be 1-64 letters, digits or _ - . :");
  }
  auto category = InTaxonomy(in.category, rules.allowed_categories, "category", rules.collection);
  if (!category.ok()) return category.status();
  item.category = *category;
  if (in.labels.size() > kMaxLabels) return Status::InvalidArgument("more than 32 labels");
  std::set<std::string> labels;
  for (const auto& label : in.labels) {
    if (!ValidToken(label))
      return Status::InvalidArgument("label '" + label.substr(0, 64) + "' must be 1-64 letters, digits or _ - . :");
    auto known = InTaxonomy(label, rules.label_vocabulary, "label", rules.collection);
    if (!known.ok()) return known.status();
    labels.insert(*known);
  }
  item.labels.assign(labels.begin(), labels.end());
  item.reviewed = in.reviewed;
  if (!ValidSourceRef(in.source_ref)) return Status::InvalidArgument("source_ref must be at most 256 printable bytes");
  item.source_ref = in.source_ref;
  std::set<uint32_t> principles;
  for (uint32_t p : in.principles) {
    if (p < 1 || p > kMaxPrinciple)
      return Status::InvalidArgument("principles are numbered 1 to 11, got " + std::to_string(p));
    principles.insert(p);
  }
  item.principles.assign(principles.begin(), principles.end());
  if (!in.expires_at.empty()) {
    auto expires = ParseRfc3339(in.expires_at);
    if (!expires.ok()) return Status::InvalidArgument("expires_at: " + expires.status().message());
    if (*expires <= now) return Status::InvalidArgument("expires_at is in the past");
    item.expires_at = FormatRfc3339(*expires);
  }
  if (*kind == Kind::kPdq) {
    if (in.pdq_quality > 100) return Status::InvalidArgument("pdq_quality must be 0-100");
    item.pdq_quality = static_cast<int>(in.pdq_quality);
  } else if (in.pdq_quality != 0) {
    return Status::InvalidArgument("pdq_quality applies to pdq signals only");
  }
  if (Status s = CheckRequired(item, rules); !s.ok()) return s;
  return item;
}

Status CheckSubmissionBatchSize(std::size_t count) {
  if (count == 0) return Status::InvalidArgument("the batch holds no signals");
  if (count > kMaxBatchSignals) {
    return Status::PayloadTooLarge("a batch holds at most " + std::to_string(kMaxBatchSignals) + " signals");
  }
  return Status::Ok();
}

// 1-200 visible ASCII characters when given (a UUID, exchangectl's
// "exchangectl-<h>-<k>"); anything else is refused before it reaches the database.
Status CheckIdempotencyKey(std::string_view key) {
  const bool valid = key.size() <= kMaxIdempotencyKeyBytes &&
                     std::all_of(key.begin(), key.end(), [](char c) { return c > 0x20 && c < 0x7f; });
  if (valid) return Status::Ok();
  return Status::InvalidArgument("Idempotency-Key must be 1-200 visible ASCII characters (a UUID, say)");
}

}  // namespace exchange::signals
