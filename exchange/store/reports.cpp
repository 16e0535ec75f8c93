// SPDX-License-Identifier: Apache-2.0
#include "store/reports.h"

#include <algorithm>
#include <optional>
#include <string_view>
#include <tuple>

#include "store/log_append.h"
#include "store/pg_arrays.h"
#include "store/transaction.h"

namespace exchange::store {
namespace {

// Every query takes $1 = year start, $2 = year end (Unix seconds) and, when it
// counts signals, $3 = the collections to count (a bigint array, NULL for
// all); it yields
// (section, org, dimension, key, value, samples); org NULL means coalition-wide.
// Sightings "acted on" are those with a real action; no_action and
// false_positive are figures of their own (kActedOn).
constexpr const char* kFigureQueries[] = {
    // Contributions by kind, category, principle and month; distinct signals.
    // Category columns come from the collections' taxonomies: a category is
    // counted under its taxonomy spelling ("a1" under A1) and anything outside
    // it (written before the taxonomy was enforced) under "other"; in a
    // collection without a taxonomy as written; none as "none". Every
    // taxonomy category is a coalition-wide figure, 0 when unused.
    R"sql(
  SELECT 'contributions', o.slug, 'kind', s.kind, count(*)::float8, 0
    FROM contributions c JOIN signals s ON s.id = c.signal_id JOIN organisations o ON o.id = c.org_id
   WHERE c.created_at >= to_timestamp($1) AND c.created_at < to_timestamp($2) AND ($3::bigint[] IS NULL OR s.collection_id = ANY($3::bigint[]))
   GROUP BY GROUPING SETS ((o.slug, s.kind), (s.kind)))sql",
    R"sql(
  WITH t AS (
    SELECT o.slug,
           CASE WHEN c.category = '' THEN 'none'
                WHEN cardinality(col.allowed_categories) = 0 THEN c.category
                ELSE coalesce((SELECT v.v FROM unnest(col.allowed_categories) AS v(v)
                                WHERE upper(v.v) = upper(c.category) LIMIT 1), 'other') END AS category
      FROM contributions c JOIN organisations o ON o.id = c.org_id
      JOIN signals s ON s.id = c.signal_id JOIN collections col ON col.id = s.collection_id
     WHERE c.created_at >= to_timestamp($1) AND c.created_at < to_timestamp($2) AND ($3::bigint[] IS NULL OR s.collection_id = ANY($3::bigint[])))
  SELECT 'contributions', slug, 'category', category, count(*)::float8, 0 FROM t
   GROUP BY GROUPING SETS ((slug, category), (category))
  UNION ALL
  -- Every taxonomy category is a column, also in a year nobody used it.
  SELECT 'contributions', NULL, 'category', tax.v, 0::float8, 0
    FROM (SELECT DISTINCT unnest(allowed_categories) AS v FROM collections
           WHERE $3::bigint[] IS NULL OR id = ANY($3::bigint[])) tax
   WHERE tax.v NOT IN (SELECT category FROM t))sql",
    R"sql(
  SELECT 'contributions', o.slug, 'principle', p.principle::text, count(*)::float8, 0
    FROM contributions c JOIN signals s ON s.id = c.signal_id JOIN organisations o ON o.id = c.org_id,
         unnest(c.principles) AS p(principle)
   WHERE c.created_at >= to_timestamp($1) AND c.created_at < to_timestamp($2) AND ($3::bigint[] IS NULL OR s.collection_id = ANY($3::bigint[]))
   GROUP BY GROUPING SETS ((o.slug, p.principle), (p.principle)))sql",
    R"sql(
  SELECT 'contributions', slug, 'month', month, count(*)::float8, 0
    FROM (SELECT o.slug, to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM') || '/' || s.kind AS month
            FROM contributions c JOIN signals s ON s.id = c.signal_id JOIN organisations o ON o.id = c.org_id
           WHERE c.created_at >= to_timestamp($1) AND c.created_at < to_timestamp($2) AND ($3::bigint[] IS NULL OR s.collection_id = ANY($3::bigint[]))) t
   GROUP BY GROUPING SETS ((slug, month), (month)))sql",
    R"sql(
  SELECT 'contributions', o.slug, 'total', 'distinct_signals', count(DISTINCT c.signal_id)::float8, 0
    FROM contributions c JOIN signals s ON s.id = c.signal_id JOIN organisations o ON o.id = c.org_id
   WHERE c.created_at >= to_timestamp($1) AND c.created_at < to_timestamp($2) AND ($3::bigint[] IS NULL OR s.collection_id = ANY($3::bigint[]))
   GROUP BY GROUPING SETS ((o.slug), ()))sql",
    R"sql(
  SELECT 'contributions', o.slug, 'total', 'retracted', count(*)::float8, 0
    FROM contributions c JOIN signals s ON s.id = c.signal_id JOIN organisations o ON o.id = c.org_id
   WHERE c.retracted_at >= to_timestamp($1) AND c.retracted_at < to_timestamp($2) AND ($3::bigint[] IS NULL OR s.collection_id = ANY($3::bigint[]))
   GROUP BY GROUPING SETS ((o.slug), ()))sql",
    // Opinions given, and received on signals the organisation contributed.
    R"sql(
  SELECT 'opinions', o.slug, 'given', op.opinion, count(*)::float8, 0
    FROM opinions op JOIN signals s ON s.id = op.signal_id JOIN organisations o ON o.id = op.org_id
   WHERE op.created_at >= to_timestamp($1) AND op.created_at < to_timestamp($2) AND ($3::bigint[] IS NULL OR s.collection_id = ANY($3::bigint[]))
   GROUP BY GROUPING SETS ((o.slug, op.opinion), (op.opinion)))sql",
    R"sql(
  SELECT 'opinions', o.slug, 'received', op.opinion, count(*)::float8, 0
    FROM opinions op JOIN contributions c ON c.signal_id = op.signal_id AND c.org_id <> op.org_id
    JOIN signals s ON s.id = op.signal_id JOIN organisations o ON o.id = c.org_id
   WHERE op.created_at >= to_timestamp($1) AND op.created_at < to_timestamp($2) AND ($3::bigint[] IS NULL OR s.collection_id = ANY($3::bigint[]))
   GROUP BY GROUPING SETS ((o.slug, op.opinion), (op.opinion)))sql",
    // Disputes opened and resolved, and how long resolution took.
    R"sql(
  SELECT 'disputes', NULL, 'total', 'opened', count(*)::float8, 0
    FROM signal_status_changes ch JOIN signals s ON s.id = ch.signal_id
   WHERE ch.to_status = 'disputed' AND ch.changed_at >= to_timestamp($1) AND ch.changed_at < to_timestamp($2)
     AND ($3::bigint[] IS NULL OR s.collection_id = ANY($3::bigint[])))sql",
    R"sql(
  WITH resolved AS (
    SELECT ch.changed_at - (SELECT max(o.changed_at) FROM signal_status_changes o
                             WHERE o.signal_id = ch.signal_id AND o.to_status = 'disputed'
                               AND o.changed_at <= ch.changed_at) AS took
      FROM signal_status_changes ch JOIN signals s ON s.id = ch.signal_id
     WHERE ch.from_status = 'disputed' AND ch.changed_at >= to_timestamp($1) AND ch.changed_at < to_timestamp($2)
       AND ($3::bigint[] IS NULL OR s.collection_id = ANY($3::bigint[])))
  SELECT 'disputes', NULL, 'total', 'resolved', count(*)::float8, 0 FROM resolved
  UNION ALL
  SELECT 'disputes', NULL, 'median_seconds', 'to_resolve',
         percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM took)), count(*)
    FROM resolved HAVING count(*) > 0)sql",
    // Sightings: outcomes, time to action, and the principles of the matched signals.
    R"sql(
  SELECT 'sightings', o.slug, 'action', si.action, count(*)::float8, 0
    FROM sightings si JOIN signals s ON s.id = si.signal_id JOIN organisations o ON o.id = si.org_id
   WHERE si.observed_at >= to_timestamp($1) AND si.observed_at < to_timestamp($2) AND ($3::bigint[] IS NULL OR s.collection_id = ANY($3::bigint[]))
   GROUP BY GROUPING SETS ((o.slug, si.action), (si.action)))sql",
    R"sql(
  SELECT 'sightings', slug, 'total', acted, count(*)::float8, 0
    FROM (SELECT o.slug, CASE WHEN si.action IN ('removed', 'reported_to_authority', 'account_actioned')
                              THEN 'acted_on' ELSE 'not_acted_on' END AS acted
            FROM sightings si JOIN signals s ON s.id = si.signal_id JOIN organisations o ON o.id = si.org_id
           WHERE si.observed_at >= to_timestamp($1) AND si.observed_at < to_timestamp($2)
             AND ($3::bigint[] IS NULL OR s.collection_id = ANY($3::bigint[]))) t
   GROUP BY GROUPING SETS ((slug, acted), (acted)))sql",
    R"sql(
  SELECT 'sightings', o.slug, 'median_seconds', 'to_action',
         percentile_cont(0.5) WITHIN GROUP (ORDER BY si.seconds_to_action), count(*)
    FROM sightings si JOIN signals s ON s.id = si.signal_id JOIN organisations o ON o.id = si.org_id
   WHERE si.observed_at >= to_timestamp($1) AND si.observed_at < to_timestamp($2)
     AND si.seconds_to_action IS NOT NULL AND ($3::bigint[] IS NULL OR s.collection_id = ANY($3::bigint[]))
   GROUP BY GROUPING SETS ((o.slug), ()))sql",
    R"sql(
  SELECT 'sightings', slug, 'time_to_action', bucket, count(*)::float8, 0
    FROM (SELECT o.slug, CASE WHEN si.seconds_to_action < 3600 THEN '1 under 1 h'
                              WHEN si.seconds_to_action < 86400 THEN '2 1-24 h'
                              WHEN si.seconds_to_action < 604800 THEN '3 1-7 days'
                              ELSE '4 over 7 days' END AS bucket
            FROM sightings si JOIN signals s ON s.id = si.signal_id JOIN organisations o ON o.id = si.org_id
           WHERE si.observed_at >= to_timestamp($1) AND si.observed_at < to_timestamp($2)
             AND si.seconds_to_action IS NOT NULL AND ($3::bigint[] IS NULL OR s.collection_id = ANY($3::bigint[]))) t
   GROUP BY GROUPING SETS ((slug, bucket), (bucket)))sql",
    R"sql(
  SELECT 'sightings', o.slug, 'principle', p.principle::text, count(DISTINCT si.id)::float8, 0
    FROM sightings si JOIN signals s ON s.id = si.signal_id JOIN organisations o ON o.id = si.org_id
    JOIN contributions c ON c.signal_id = si.signal_id, unnest(c.principles) AS p(principle)
   WHERE si.observed_at >= to_timestamp($1) AND si.observed_at < to_timestamp($2) AND ($3::bigint[] IS NULL OR s.collection_id = ANY($3::bigint[]))
     AND si.action IN ('removed', 'reported_to_authority', 'account_actioned')
   GROUP BY GROUPING SETS ((o.slug, p.principle), (p.principle)))sql",
    // Feed freshness: how far behind members were when they fetched.
    R"sql(
  SELECT 'freshness', o.slug, 'lag_seconds', 'median',
         percentile_cont(0.5) WITHIN GROUP (ORDER BY so.lag_seconds), count(*)
    FROM sync_observations so JOIN organisations o ON o.id = so.org_id
   WHERE so.observed_at >= to_timestamp($1) AND so.observed_at < to_timestamp($2)
     AND ($3::bigint[] IS NULL OR so.log_id IN (SELECT cl.log_id FROM collections cl WHERE cl.id = ANY($3::bigint[])))
   GROUP BY GROUPING SETS ((o.slug), ()))sql",
    R"sql(
  SELECT 'freshness', o.slug, 'lag_seconds', 'max', max(so.lag_seconds), count(*)
    FROM sync_observations so JOIN organisations o ON o.id = so.org_id
   WHERE so.observed_at >= to_timestamp($1) AND so.observed_at < to_timestamp($2)
     AND ($3::bigint[] IS NULL OR so.log_id IN (SELECT cl.log_id FROM collections cl WHERE cl.id = ANY($3::bigint[])))
   GROUP BY GROUPING SETS ((o.slug), ()))sql",
    R"sql(
  SELECT 'freshness', o.slug, 'entries_behind', 'median',
         percentile_cont(0.5) WITHIN GROUP (ORDER BY so.tree_size - so.fetched_to), count(*)
    FROM sync_observations so JOIN organisations o ON o.id = so.org_id
   WHERE so.observed_at >= to_timestamp($1) AND so.observed_at < to_timestamp($2)
     AND ($3::bigint[] IS NULL OR so.log_id IN (SELECT cl.log_id FROM collections cl WHERE cl.id = ANY($3::bigint[])))
   GROUP BY GROUPING SETS ((o.slug), ()))sql",
    // Vetting, coalition-wide.
    R"sql(
  SELECT 'vetting', NULL, 'total', 'applications', count(*)::float8, 0 FROM applications
   WHERE created_at >= to_timestamp($1) AND created_at < to_timestamp($2)
  UNION ALL
  SELECT 'vetting', NULL, 'total', status, count(*)::float8, 0 FROM applications
   WHERE decided_at >= to_timestamp($1) AND decided_at < to_timestamp($2) GROUP BY status
  UNION ALL
  SELECT 'vetting', NULL, 'median_hours', 'to_decision',
         percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM decided_at - created_at) / 3600), count(*)
    FROM applications WHERE decided_at >= to_timestamp($1) AND decided_at < to_timestamp($2) HAVING count(*) > 0
  UNION ALL
  SELECT 'vetting', NULL, 'total', CASE status WHEN 'suspended' THEN 'suspensions' WHEN 'revoked' THEN 'revocations'
                                              ELSE 'reinstatements' END, count(*)::float8, 0
    FROM org_status_changes WHERE changed_at >= to_timestamp($1) AND changed_at < to_timestamp($2) GROUP BY status)sql",
};

constexpr const char* kLogsAt = R"sql(
  SELECT l.id, l.name,
         (SELECT count(*) FROM log_entries e WHERE e.log_id = l.id AND e.appended_at < to_timestamp($1)) AS size
    FROM logs l ORDER BY l.name)sql";

// Each figure query under the column names ToFigure() reads, given once here
// rather than in every SELECT of every query.
std::vector<std::string> NameFigureColumns() {
  std::vector<std::string> out;
  for (const char* query : kFigureQueries) {
    out.push_back(std::string("SELECT * FROM (") + query +
                  "\n) AS figure(section, org, dimension, key, value, samples)");
  }
  return out;
}
const std::vector<std::string> kFigureStatements = NameFigureColumns();

ReportFigure ToFigure(const pqxx::row& row) {
  return {row["section"].as<std::string>(),   row["org"].is_null() ? "all" : row["org"].as<std::string>(),
          row["dimension"].as<std::string>(), row["key"].as<std::string>(),
          row["value"].as<double>(),          row["samples"].as<uint64_t>()};
}

}  // namespace

Result<std::vector<ReportFigure>> AnnualFigures(Connection& conn, int64_t year_start, int64_t year_end,
                                                const std::optional<std::vector<int64_t>>& collection_ids) {
  const std::optional<std::string> collections =
      collection_ids ? std::optional<std::string>(IntArray(*collection_ids)) : std::nullopt;
  return RunTransaction(conn, [&](pqxx::work& tx) -> Result<std::vector<ReportFigure>> {
    std::vector<ReportFigure> figures;
    for (const std::string& query : kFigureStatements) {
      // Vetting figures are about organisations and take no collections ($3).
      const bool by_collection = std::string_view(query).find("$3") != std::string_view::npos;
      const pqxx::result rows = by_collection ? tx.exec_params(query, year_start, year_end, collections)
                                              : tx.exec_params(query, year_start, year_end);
      for (const auto& row : rows) {
        if (row["value"].is_null()) continue;  // a median or maximum over nothing
        figures.push_back(ToFigure(row));
      }
    }
    std::sort(figures.begin(), figures.end(), [](const ReportFigure& a, const ReportFigure& b) {
      return std::tie(a.section, a.org, a.dimension, a.key) < std::tie(b.section, b.org, b.dimension, b.key);
    });
    return figures;
  });
}

Result<std::vector<LogPosition>> LogPositionsAt(Connection& conn, int64_t at) {
  return RunTransaction(conn, [&](pqxx::work& tx) -> Result<std::vector<LogPosition>> {
    std::vector<LogPosition> out;
    for (const auto& row : tx.exec_params(kLogsAt, at)) {
      LogHead log;
      log.log_id = row["id"].as<int64_t>();
      log.name = row["name"].as<std::string>();
      LogPosition p;
      p.log = log.name;
      p.size = row["size"].as<uint64_t>();
      p.root = LoadCompactRange(tx, log, p.size).Root();
      out.push_back(std::move(p));
    }
    return out;
  });
}

}  // namespace exchange::store
