// SPDX-License-Identifier: Apache-2.0
// What the Prometheus gauges read from the database (common/database_figures.h),
// in three small queries.
#pragma once

#include "common/database_figures.h"
#include "common/status.h"
#include "store/connection.h"

namespace exchange::store {

using MetricsFigures = DatabaseFigures;

Result<MetricsFigures> ReadMetricsFigures(Connection& conn);

}  // namespace exchange::store
