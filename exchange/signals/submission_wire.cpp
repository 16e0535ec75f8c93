// SPDX-License-Identifier: Apache-2.0
#include "signals/submission_wire.h"

namespace exchange::signals {

Submission SubmissionFromWire(const v1::SignalSubmission& in) {
  return {in.kind(),
          in.value(),
          in.category(),
          {in.labels().begin(), in.labels().end()},
          in.reviewed(),
          in.source_ref(),
          {in.principles().begin(), in.principles().end()},
          in.expires_at(),
          in.pdq_quality()};
}

SubmissionRules RulesFromWire(const v1::Collection& collection) {
  SubmissionRules rules;
  rules.collection = collection.name();
  for (const auto& name : collection.allowed_kinds()) {
    if (auto kind = ParseKind(name)) rules.allowed_kinds.push_back(*kind);
  }
  rules.allowed_categories.assign(collection.allowed_categories().begin(), collection.allowed_categories().end());
  rules.label_vocabulary.assign(collection.label_vocabulary().begin(), collection.label_vocabulary().end());
  rules.required_fields.assign(collection.required_fields().begin(), collection.required_fields().end());
  return rules;
}

}  // namespace exchange::signals
