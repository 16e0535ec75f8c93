// SPDX-License-Identifier: Apache-2.0
// Who sees what of an annual report: a member sees its own organisation and
// the coalition totals; the public variant withholds every figure that rests
// on fewer than k observations, so no small number identifies anyone.
// Pure functions over the report message.
#pragma once

#include <set>
#include <string>

#include "exchange/v1/report.pb.h"

namespace exchange::report {

// Keeps the figures of `org` and the coalition-wide ones ("all").
void RestrictToOrganisation(v1::AnnualReport& report, const std::string& org);

// Keeps only the positions of the named logs (what a member may read).
void KeepLogs(v1::AnnualReport& report, const std::set<std::string>& logs);

// Counts below k, and medians or maxima resting on fewer than k samples, are
// withheld: value 0 and suppressed = true. The scope becomes "public" (from
// "coalition") or "org:<slug>/public" (from a member's "org:<slug>").
void SuppressBelow(v1::AnnualReport& report, uint32_t k);

// The names of the 11 Voluntary Principles, 1-based ("" outside 1..11).
std::string PrincipleName(int principle);

}  // namespace exchange::report
