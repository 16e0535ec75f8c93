// SPDX-License-Identifier: Apache-2.0
// The submission rules (signals/submission.h) over the wire types: a
// v1::SignalSubmission as a Submission, and a v1::Collection as the rules it
// sets. The exchange reads each submitted item through SubmissionFromWire
// (api/signals.cpp); exchangectl submit reads both, so that its pre-check of
// a file runs exactly the exchange's rules on exactly the same fields.
// Pure code (schema types only, no I/O); thread-safe.
#pragma once

#include "exchange/v1/collections.pb.h"
#include "exchange/v1/signals.pb.h"
#include "signals/submission.h"

namespace exchange::signals {

Submission SubmissionFromWire(const v1::SignalSubmission& in);

// The rules `collection` (as GET /v1/collections describes it) sets for each
// item. An allowed kind this build does not know is left out: the exchange
// decides about such items.
SubmissionRules RulesFromWire(const v1::Collection& collection);

}  // namespace exchange::signals
