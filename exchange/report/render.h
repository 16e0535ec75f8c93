// SPDX-License-Identifier: Apache-2.0
// Renders an annual report as CSV (one figure per row) or as one
// self-contained HTML page with inline SVG charts that reads well printed.
// Pure: the same report always renders to the same bytes.
#pragma once

#include <string>
#include <string_view>

#include "exchange/v1/report.pb.h"

namespace exchange::report {

std::string RenderCsv(const v1::AnnualReport& report);
// `key_fingerprint`: the lowercase hex SHA-256 of the report-signing key's
// public key (DER SubjectPublicKeyInfo), shown at the foot; empty: not shown.
std::string RenderHtml(const v1::AnnualReport& report, std::string_view key_fingerprint = {});

}  // namespace exchange::report
