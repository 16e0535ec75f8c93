// SPDX-License-Identifier: Apache-2.0
// The figures of the annual progress report, computed in SQL from what the
// exchange recorded: contributions, opinions, status moves, sightings, sync
// observations, vetting. One row per figure; `org` is a slug or "all" for the
// coalition-wide figure. Rows come sorted, so equal data give equal reports.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "log/hash.h"
#include "store/connection.h"

namespace exchange::store {

struct ReportFigure {
  std::string section;    // contributions, opinions, disputes, sightings, freshness, vetting
  std::string org;        // slug, or "all"
  std::string dimension;  // e.g. kind, category, principle, month, action, total
  std::string key;        // e.g. md5, A1, 3, 2026-04, removed, distinct_signals
  double value = 0;
  uint64_t samples = 0;  // how many observations a median or maximum rests on (0 for counts)
};

// Figures for [year_start, year_end) (Unix seconds). With `collection_ids`,
// every figure drawn from signals (contributions, opinions, disputes,
// sightings, freshness) counts only those collections, the coalition-wide
// ("all") rows included; vetting figures are about organisations and always
// coalition-wide.
Result<std::vector<ReportFigure>> AnnualFigures(
    Connection& conn, int64_t year_start, int64_t year_end,
    const std::optional<std::vector<int64_t>>& collection_ids = std::nullopt);

struct LogPosition {
  std::string log;
  uint64_t size = 0;
  log::Hash root{};
};
// Every log's tree as it stood at `at` (Unix seconds): the entries appended
// before then, and their root computed from the stored nodes.
Result<std::vector<LogPosition>> LogPositionsAt(Connection& conn, int64_t at);

}  // namespace exchange::store
