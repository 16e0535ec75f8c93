// SPDX-License-Identifier: Apache-2.0
// Renders an annual report as CSV (one figure per row) or as one
// self-contained HTML page with inline SVG charts that reads well printed.
// Pure: the same report always renders to the same bytes.
#pragma once

#include <string>

#include "exchange/v1/report.pb.h"

namespace exchange::report {

std::string RenderCsv(const v1::AnnualReport& report);
std::string RenderHtml(const v1::AnnualReport& report);

}  // namespace exchange::report
